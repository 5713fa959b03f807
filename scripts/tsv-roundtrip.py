#!/usr/bin/env python3
"""Reads aligned.tsv back with pandas, DuckDB and polars and checks every field against the
expected records (a JSON list of objects, column -> text): the consumers named in docs/src/outputs.md
must get every text back exactly. Exit 1 on the first difference.

usage: tsv-roundtrip.py ALIGNED.tsv EXPECTED.json
"""
import json
import sys

import duckdb
import pandas
import polars


def rows_of_pandas(path):
    frame = pandas.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return frame.to_dict("records")


def rows_of_duckdb(path):
    relation = duckdb.read_csv(path, delimiter="\t", header=True, all_varchar=True)
    columns = relation.columns
    return [dict(zip(columns, ["" if v is None else v for v in row])) for row in relation.fetchall()]


def rows_of_polars(path):
    frame = polars.read_csv(path, separator="\t", infer_schema=False)
    return [{k: ("" if v is None else v) for k, v in row.items()} for row in frame.to_dicts()]


def main():
    path, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    failures = 0
    for name, reader in [("pandas", rows_of_pandas), ("duckdb", rows_of_duckdb), ("polars", rows_of_polars)]:
        rows = reader(path)
        if len(rows) != len(expected):
            print(f"{name}: {len(rows)} rows, expected {len(expected)}")
            failures += 1
            continue
        for n, (got, want) in enumerate(zip(rows, expected)):
            for column, text in want.items():
                if got.get(column) != text:
                    print(f"{name}: row {n} column {column}: got {got.get(column)!r}, expected {text!r}")
                    failures += 1
        if failures == 0:
            print(f"{name}: {len(rows)} rows identical")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
