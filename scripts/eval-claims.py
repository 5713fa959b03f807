#!/usr/bin/env python3
"""Scores a comparable run against a claim-level gold (tests/data/seed-claims.gold.tsv).

    scripts/eval-claims.py OUT/aligned.jsonl [GOLD.tsv]

Pairs are matched by document id and sentence text (robust to changed sentence indices).
Prints, per tier of the prediction, how many records were shown, how many are right, the
precision (right / shown) and the recall (gold sources with at least one right record /
gold sources of that tier):
  same (strict)          predicted `same` against gold `same`
  same vs gold any       predicted `same` against gold `same` or `related`
  same+related vs any    predicted `same` or `related` against gold `same` or `related`
"""
import collections
import json
import sys


def read_gold(path):
    gold = collections.defaultdict(dict)
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or line.startswith("tier\t") or not line.strip():
            continue
        tier, src_doc, _, src_text, tgt_doc, _, tgt_text = line.rstrip("\n").split("\t")
        if tier != "none":
            gold[(src_doc, src_text)][(tgt_doc, tgt_text)] = tier
    return gold


def score(records, gold, predicted, accepted):
    shown = [r for r in records if r.get("tier") in predicted]
    right = [
        r
        for r in shown
        if gold.get((r["src_doc"], r["src_text"]), {}).get((r["tgt_doc"], r["tgt_text"])) in accepted
    ]
    sources = [k for k, v in gold.items() if any(t in accepted for t in v.values())]
    found = {(r["src_doc"], r["src_text"]) for r in right}
    precision = len(right) / len(shown) if shown else 0.0
    recall = len(found) / len(sources) if sources else 0.0
    return len(shown), len(right), precision, recall


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    gold_path = sys.argv[2] if len(sys.argv) == 3 else "tests/data/seed-claims.gold.tsv"
    gold = read_gold(gold_path)
    records = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
    for name, predicted, accepted in [
        ("same (strict)", {"same"}, {"same"}),
        ("same vs gold any", {"same"}, {"same", "related"}),
        ("same+related vs any", {"same", "related"}, {"same", "related"}),
    ]:
        shown, right, p, r = score(records, gold, predicted, accepted)
        print(f"{name:20s} shown {shown:4d}  right {right:4d}  precision {p:.3f}  recall {r:.3f}")


if __name__ == "__main__":
    main()
