#!/usr/bin/env python3
"""Precision and recall per tier of comparable matches on line-parallel files, where source
line i's true partner is target line i (blanked target lines have none).

    scripts/score-line-parallel.py PRED.jsonl PARTNERS
"""
import json
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__)
records = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
partners = int(sys.argv[2])
for name, tiers in [("same", {"same"}), ("same+related", {"same", "related"})]:
    shown = [r for r in records if r.get("tier") in tiers]
    right = [r for r in shown if r["src_ids"] == r["tgt_ids"]]
    found = {r["src_ids"][0] for r in right}
    p = len(right) / len(shown) if shown else 0.0
    print(f"{name:13s} shown {len(shown):4d}  right {len(right):4d}  precision {p:.3f}  recall {len(found) / partners:.3f}")
