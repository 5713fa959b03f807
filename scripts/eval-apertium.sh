#!/usr/bin/env bash
# Comparable acceptance with real machine translation (docs/src/alignment.md: "Acceptance"): a generated
# Spanish–English text of 800 claims (scripts/gen-es-en.py), translated by a real Apertium
# APy server (Debian packages apertium-apy, apertium-eng-spa) started here on a free
# 127.0.0.1 port; every source with its partner, then with four English lines in five
# blanked (160 partners).
#   scripts/eval-apertium.sh [EMBEDDER_CONFIG]
# With EMBEDDER_CONFIG (a configuration with an [embed] backend and an [embedders.NAME]
# table) the fused similarity as well.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
apertium-apy -p "$port" /usr/share/apertium/modes >"$work/apy.log" 2>&1 &
apy=$!
trap 'kill "$apy" 2>/dev/null; rm -rf "$work"' EXIT
cargo build --release --quiet
bin=target/release/transalign
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$port/listPairs" >/dev/null && break
  sleep 0.5
done
python3 scripts/gen-es-en.py "$work/gen" 800 1
awk 'NR % 5 == 1 { print; next } { print "" }' "$work/gen.en" >"$work/gen.en.fifth"
apy_table() {
  printf '[translate]\nbackend = "apy"\ncache_dir = "%s/cache"\n[backends.apy]\nkind = "apertium"\nurl = "http://127.0.0.1:%s"\n' "$work" "$port"
}
{ apy_table; printf '[embed]\nbackend = "none"\n'; } >"$work/apy.toml"
configs=("$work/apy.toml")
if [ $# -gt 0 ]; then
  # The embedder's tables from the given configuration, the translation from APy.
  { apy_table; grep -v -e '^\[translate\]' -e '^backend = "lexicon"' "$1"; } >"$work/apy-embed.toml"
  configs+=("$work/apy-embed.toml")
fi
for config in "${configs[@]}"; do
  for target in en:800 en.fifth:160; do
    echo "## $(basename "$config" .toml), target gen.${target%%:*}"
    "$bin" --quiet --config "$config" align --mode comparable --source-lang es \
      --source "$work/gen.es" --target "$work/gen.${target%%:*}" --out "$work/pred.jsonl"
    python3 scripts/score-line-parallel.py "$work/pred.jsonl" "${target##*:}"
  done
done
