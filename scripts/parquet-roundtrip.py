#!/usr/bin/env python3
"""Reads a run's aligned.parquet, claims.parquet and sentences.parquet back with pandas
(pyarrow), DuckDB and polars and checks every field of every row against the run's JSON Lines
(aligned.jsonl, claims.jsonl one row per member, sentences.jsonl): texts and integers exactly,
lists of indices exactly, scores as the float32 the JSON prints, a field the JSON leaves out
as null. Exit 1 on any difference.

usage: parquet-roundtrip.py OUT_DIR
"""
import json
import math
import sys

import duckdb
import numpy
import pandas
import polars

# Fields that are f32 in transalign (the JSON prints the shortest text of the f32 value).
SINGLE = {"score", "similarity", "confidence"}


def expected_rows(out, name):
    rows = [json.loads(line) for line in open(f"{out}/{name}.jsonl", encoding="utf-8")]
    if name == "claims":
        flat = []
        for claim in rows:
            for k, member in enumerate(claim["members"]):
                flat.append({
                    "claim_id": claim["claim_id"], "tier": claim["tier"],
                    "confidence": claim["confidence"], "score": claim["score"],
                    "languages": ",".join(claim["languages"]), "member": k,
                    "doc": member["doc"], "idx": member["idx"], "lang": member["lang"],
                    "text": member["text"], "translation": member.get("translation"),
                    "flags": [f for f in claim["flags"] if f["member"] == k],
                })
        return flat
    return rows


def plain(value):
    """A library's value as a Python value (numpy arrays and scalars, pandas NA)."""
    if isinstance(value, numpy.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, numpy.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pandas.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def same(column, got, want):
    got = plain(got)
    if column == "flags" and isinstance(got, str):
        got = json.loads(got)
    if want is None or got is None:
        return want is None and got is None
    if column in SINGLE:
        return numpy.float32(got) == numpy.float32(want)
    if isinstance(want, float):
        return float(got) == want
    return got == want


READERS = {
    "pandas": lambda path: pandas.read_parquet(path).to_dict("records"),
    "duckdb": lambda path: (lambda r: [dict(zip(r.columns, row)) for row in r.fetchall()])(
        duckdb.read_parquet(path)),
    "polars": lambda path: polars.read_parquet(path).to_dicts(),
}


def main():
    out = sys.argv[1]
    failures = 0
    for name in ("aligned", "claims", "sentences"):
        expected = expected_rows(out, name)
        for library, read in READERS.items():
            rows = read(f"{out}/{name}.parquet")
            problems = []
            if len(rows) != len(expected):
                problems.append(f"{len(rows)} rows, expected {len(expected)}")
            for n, (got, want) in enumerate(zip(rows, expected)):
                missing = [key for key in want if key not in got]
                if missing:
                    problems.append(f"row {n}: no column for {missing}")
                for column in got:
                    value = want.get(column)
                    if column == "cached" and value is None:
                        value = False
                    if not same(column, got[column], value):
                        problems.append(f"row {n} {column}: got {got[column]!r}, expected {value!r}")
            if problems:
                failures += 1
                print(f"{library} {name}: " + "; ".join(problems[:5]))
            else:
                print(f"{library}: {name}.parquet {len(rows)} rows identical")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
