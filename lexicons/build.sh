#!/usr/bin/env bash
# Rebuilds the shipped lexicons from the raw dictionaries (see lexicons/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-../shared/data/lexicon-sources}"
cargo build --quiet --release
bin=./target/release/transalign
"$bin" -q lexicon import --format wiktionary "$src/en-id-enwiktionary.txt" --out lexicons/id-en.wiktionary.tsv
"$bin" -q lexicon import --format freedict "$src/freedict-eng-ind.index" --out lexicons/id-en.freedict.tsv
"$bin" -q lexicon import --format wiktionary "$src/en-ms-enwiktionary.txt" --out lexicons/ms-en.wiktionary.tsv
git --no-pager diff --stat -- lexicons/ || true
