#!/usr/bin/env bash
# The README's copy-paste blocks, verbatim, in a clean clone of this checkout (a fresh
# directory with nothing but the committed files): every ```sh block in order, each in its
# own bash with `set -e`. The one line left out is `cargo test`, which .ci/run runs on the
# checkout itself. Prints the time of each block (the first includes the release build).
# Background servers a block starts (APy) are stopped at the end.
#   scripts/check-readme.sh
set -euo pipefail
cd "$(dirname "$0")/.."
clone=$(mktemp -d)
git clone --quiet . "$clone/transalign"
cleanup() {
  pkill -f "apertium-apy -p 2737" 2>/dev/null || true
  rm -rf "$clone"
}
trap cleanup EXIT
# As root without sudo (a container), `sudo CMD` is just CMD.
if ! command -v sudo >/dev/null && [ "$(id -u)" = 0 ]; then
  mkdir -p "$clone/bin"
  printf '#!/bin/sh\nexec "$@"\n' >"$clone/bin/sudo"
  chmod +x "$clone/bin/sudo"
  export PATH="$clone/bin:$PATH"
fi
python3 - "$clone/blocks" <<'PY'
import os, re, sys
os.makedirs(sys.argv[1])
blocks = re.findall(r"^```sh\n(.*?)^```", open("README.md").read(), re.S | re.M)
for n, block in enumerate(blocks, 1):
    lines = [l for l in block.splitlines() if l.strip() != "cargo test"]
    open(f"{sys.argv[1]}/{n:02d}.sh", "w").write("set -e\n" + "\n".join(lines) + "\n")
print(f"README: {len(blocks)} sh blocks")
PY
cd "$clone/transalign"
for block in "$clone"/blocks/*.sh; do
  echo "== README block $(basename "$block" .sh):"
  sed '1d; s/^/   | /' "$block"
  start=$(date +%s)
  bash "$block" </dev/null
  echo "   ok in $(( $(date +%s) - start )) s"
done
# What the blocks promise: the example run's outputs, the embedder run, the Apertium run.
# (claims.jsonl and aligned.jsonl may be empty: the embedder run shows no claim there.)
for f in out/report.html out/sentences.jsonl out/summary.json; do
  [ -s "$f" ] || { echo "README check: $f missing or empty after the blocks" >&2; exit 1; }
done
for f in out/claims.jsonl out/aligned.jsonl; do
  [ -e "$f" ] || { echo "README check: $f missing after the blocks" >&2; exit 1; }
done
python3 - <<'PY'
import json
summary = json.load(open("out/summary.json"))
assert summary["alignment"]["embedded"], "the last example run had no vectors (--embedder e5)"
same = [json.loads(l) for l in open("out-es/aligned.jsonl")]
tiers = [r["tier"] for r in same]
assert tiers.count("same") == 3 and len(tiers) == 3, f"examples/es-en through APy: {tiers}"
print("README check: ok (outputs written, the embedder run has vectors, APy found the 3 shared claims)")
PY
