#!/usr/bin/env bash
# The documentation (README.md and the mdBook in docs/): the book builds (mdbook, which .ci/run
# installs from crates.io), every link of the book and the README resolves
# (scripts/check-links.py), the README stays short, and the figures a fresh run can confirm match one: the example
# corpus' counts and the schema version.
#   scripts/check-docs.sh            (TRANSALIGN_BIN: the binary; default target/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TRANSALIGN_BIN:-target/debug/transalign}
fail() { echo "docs check: $*" >&2; exit 1; }

lines=$(wc -l <README.md)
[ "$lines" -le 250 ] || fail "README.md has $lines lines (at most 250)"

command -v mdbook >/dev/null || fail "mdbook not found (cargo install mdbook --locked)"
mdbook build docs
python3 scripts/check-links.py target/book

# Figures of a fresh run of the example corpus (the README's first command, offline).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --quiet run --cache-dir "$work/cache" --out "$work/out"
python3 - "$work/out" <<'PY'
import json, re, sys
out = sys.argv[1]
summary = json.load(open(f"{out}/summary.json"))
aligned = [json.loads(line) for line in open(f"{out}/aligned.jsonl")]
readme = open("README.md").read()
outputs = open("docs/src/outputs.md").read()
errors = []
tiers = {}
for record in aligned:
    tiers[record["tier"]] = tiers.get(record["tier"], 0) + 1
m = re.search(r"the offline glosses show (\d+) `(\w+)` matches", readme)
if not m:
    errors.append("README.md: the sentence with the example run's matches is gone")
elif tiers != {m.group(2): int(m.group(1))}:
    errors.append(f"README.md says {m.group(1)} {m.group(2)} matches; a fresh run shows {tiers}")
version = summary["schema_version"]
for name, text in (("docs/src/outputs.md", outputs),):
    for found in re.findall(r"`schema_version` \((\d+)\)|`schema_version` \(now (\d+)", text):
        number = int(found[0] or found[1])
        if number != version:
            errors.append(f"{name} gives schema_version {number}; the files say {version}")
if errors:
    print("\n".join("docs check: " + e for e in errors), file=sys.stderr)
    sys.exit(1)
print(f"docs check: README figures match a fresh run ({tiers}, schema_version {version})")
PY
echo "docs check: ok (target/book)"
