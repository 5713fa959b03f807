#!/usr/bin/env bash
# Opens the seed corpus' report.html in real headless Chromium: takes a screenshot
# (docs/report.png), checks that the page text contains known matches of the seed corpus and
# that the browser console shows no errors. Run by .ci/run; needs Debian's `chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${TRANSALIGN_BIN:-./target/debug/transalign}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" run --quiet --format jsonl,html --out "$out/out" --cache-dir "$out/cache"
page="file://$(realpath "$out/out/report.html")"
browser=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$out/profile")

"${browser[@]}" --dump-dom --enable-logging=stderr --v=0 "$page" >"$out/dom.html" 2>"$out/console.log" || true
for expected in "transalign report" "high-tech innovation by the whole international community" "peace and cooperation" "003_eb641ee9339536e9.txt" "matches shown" "sentences without a match"; do
  if ! grep -qF "$expected" "$out/dom.html"; then
    echo "report check: the rendered page lacks \"$expected\"" >&2
    exit 1
  fi
done
# The script ran: it wrote the number of shown matches into the page.
if ! grep -qE '<span id="shown">[1-9][0-9]*</span>' "$out/dom.html"; then
  echo "report check: the filter script did not run" >&2
  exit 1
fi
if grep -E "CONSOLE|Uncaught" "$out/console.log" | grep -qiE "error|uncaught"; then
  echo "report check: browser console errors:" >&2
  grep -E "CONSOLE|Uncaught" "$out/console.log" >&2
  exit 1
fi
"${browser[@]}" --hide-scrollbars --window-size=1280,1400 --screenshot="$out/report.png" "$page" >/dev/null 2>&1 || true
test -s "$out/report.png" || { echo "report check: no screenshot" >&2; exit 1; }
cp "$out/report.png" docs/report.png
echo "report check: ok (docs/report.png)"
