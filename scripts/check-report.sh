#!/usr/bin/env bash
# Opens the seed corpus' report.html in real headless Chromium at desktop (1280 px) and phone
# (390 px) widths: checks that the rendered page shows the known claims of the seed corpus
# with their confidence bars and differences, that search covers unmatched sentences and says
# "no matches" when nothing matches (report.html#search=WORDS), that nothing overflows the
# phone width, and that the console shows no errors; takes the screenshots in docs/src/images/
# (report-desktop.png, report-mobile.png). Run by .ci/run; needs Debian's `chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${TRANSALIGN_BIN:-./target/debug/transalign}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" run --quiet --format jsonl,html --out "$out/out" --cache-dir "$out/cache"
page="file://$(realpath "$out/out/report.html")"
browser=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars
  --user-data-dir="$out/profile")
fail() { echo "report check: $*" >&2; exit 1; }

# dump URL WIDTH NAME: the DOM after the page's script ran, at that window width.
dump() {
  "${browser[@]}" --window-size="$2,844" --dump-dom --enable-logging=stderr --v=0 "$1" \
    >"$out/$3.html" 2>"$out/$3.log" || true
  if grep -E "CONSOLE|Uncaught" "$out/$3.log" | grep -qiE "error|uncaught"; then
    grep -E "CONSOLE|Uncaught" "$out/$3.log" >&2
    fail "browser console errors ($3)"
  fi
}

dump "$page" 1280 desktop
dump "$page" 390 mobile
for expected in "transalign report" "Claims" "peace and cooperation" "confidence" \
  'role="meter"' '<mark class="entity"' "Claim-like sentences without a match" \
  "high-tech innovation by the whole international community" "003_eb641ee9339536e9.txt"; do
  grep -qF "$expected" "$out/desktop.html" || fail "the rendered page lacks \"$expected\""
done
# The filter script ran and counted the claims it shows.
grep -qE '<span id="shown">[1-9][0-9]*</span> claims shown' "$out/desktop.html" \
  || fail "the filter script did not run"
grep -qF 'class="empty hidden" role="status">No matches' "$out/desktop.html" \
  || fail "\"no matches\" shows although claims are shown"
# Only the comparable settings in the header.
grep -qF "largest bead" "$out/desktop.html" && fail "the header shows parallel settings"
# Nothing wider than a phone.
grep -qF 'data-overflow="false"' "$out/mobile.html" || fail "the page overflows 390 px"
grep -qF 'data-overflow="false"' "$out/desktop.html" || fail "the page overflows 1280 px"
# A compact header on a phone: the first claim starts in the upper half of an 844 px screen.
first=$(grep -oE 'data-first-claim="[0-9]+"' "$out/mobile.html" | grep -oE '[0-9]+' || true)
[ -n "$first" ] && [ "$first" -le 422 ] || fail "at 390 px the first claim starts at ${first:-?} px (at most 422)"
# Documents are labelled by their titles (the id stays in the tooltip), glosses by first senses.
grep -qF '>Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021</span>' "$out/desktop.html" \
  || fail "the Indonesian document is not labelled by its title"
grep -qE '<span class="senses" title="[^"]+ · [^"]+">' "$out/desktop.html" \
  || fail "glosses do not show their first senses with the alternatives in a tooltip"

# Search covers unmatched sentences: two words of a claim-like sentence that is in no claim
# and whose words no claim's text has, taken from this run's own output.
unmatched=$(python3 - "$out/out" <<'PY'
import json, re, sys
out = sys.argv[1]
claims = [json.loads(line) for line in open(f"{out}/claims.jsonl", encoding="utf-8")]
members = {(m["doc"], i) for c in claims for m in c["members"] for i in m["idx"]}
texts = " ".join(m["text"].lower() for c in claims for m in c["members"])
sentences = [json.loads(line) for line in open(f"{out}/sentences.jsonl", encoding="utf-8")]
# Cards also show their documents' titles: a heading among the first five sentences that are
# not boilerplate, else the first of them.
first_five = {}
for s in sentences:
    if not s["boilerplate"] and len(first_five.setdefault(s["doc"], [])) < 5:
        first_five[s["doc"]].append(s["text"].lower())
texts += " ".join(t for five in first_five.values() for t in five)
for s in sentences:
    if not s["claim_like"] or (s["doc"], s["idx"]) in members:
        continue
    words = re.findall(r"[a-z]{5,}", s["text"].lower())
    for a, b in zip(words, words[1:]):
        if f"{a} {b}" in s["text"].lower() and f"{a} {b}" not in texts:
            print(f"{a}%20{b}")
            sys.exit(0)
sys.exit("no unmatched sentence to search for")
PY
)
dump "$page#search=$unmatched" 1280 search
grep -qE '<span id="shown">0</span> claims shown' "$out/search.html" \
  || fail "a search for an unmatched sentence still shows claims"
grep -qE '<span id="shown-unmatched">[1-9][0-9]*</span>' "$out/search.html" \
  || fail "search does not find unmatched sentences"
# Nothing matches: the page says so.
dump "$page#search=zzqxj" 1280 nothing
grep -qF 'class="empty" role="status">No matches' "$out/nothing.html" \
  || fail "a search without results does not say \"no matches\""

# A run of 100,000 claims opens quickly: the report is paged (1,000 a page), and the first
# page is ready in the browser in well under 2 s (prints the time; fails only when it takes
# more than 5 s, far beyond what paging gives, so that a loaded machine does not fail it).
python3 - "$out/big.jsonl" <<'PY'
import json, random, sys
random.seed(1)
words = ("government ministry rejected accusation company security national cooperation trade "
         "exports rose fell percent year minister said plan new policy court ruled").split()
with open(sys.argv[1], "w") as f:
    for k in range(100000):
        src = " ".join(random.choice(words) for _ in range(18))
        tgt = " ".join(random.choice(words) for _ in range(16))
        f.write(json.dumps({"src_doc": f"id/{k // 50}.txt", "src_ids": [k % 50], "src_lang": "id",
            "src_text": src.capitalize() + ".", "src_translation": src, "tgt_doc": f"en/{k // 40}.txt",
            "tgt_ids": [k % 40], "tgt_lang": "en", "tgt_text": tgt.capitalize() + ".", "score": 1.5,
            "similarity": 0.5, "confidence": round(random.random(), 3), "rank": 1, "tier": "same",
            "mode": "comparable", "backend": "lexicon"}) + "\n")
PY
"$bin" --quiet export "$out/big.jsonl" --format html --out "$out/big"
[ -e "$out/big/report-100.html" ] && [ ! -e "$out/big/report-101.html" ] || fail "100,000 matches are not 100 pages"
dump "file://$(realpath "$out/big/report.html")" 1280 big
ready=$(grep -oE 'data-ready-ms="[0-9]+"' "$out/big.html" | grep -oE '[0-9]+' || true)
[ "$(grep -c '<article class="claim"' "$out/big.html")" = 1000 ] || fail "the first page of 100,000 does not show 1,000"
[ -n "$ready" ] && [ "$ready" -le 5000 ] || fail "the first of 100 pages took ${ready:-?} ms to be ready"
echo "report check: 100,000 matches in 100 pages; the first page ready in $ready ms"

"${browser[@]}" --window-size=1280,1500 --screenshot="$out/desktop.png" "$page" >/dev/null 2>&1 || true
"${browser[@]}" --window-size=390,1400 --screenshot="$out/mobile.png" "$page" >/dev/null 2>&1 || true
test -s "$out/desktop.png" && test -s "$out/mobile.png" || fail "no screenshot"
cp "$out/desktop.png" docs/src/images/report-desktop.png
cp "$out/mobile.png" docs/src/images/report-mobile.png
echo "report check: ok (docs/src/images/report-desktop.png, docs/src/images/report-mobile.png)"
