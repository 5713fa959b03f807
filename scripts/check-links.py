#!/usr/bin/env python3
"""Every link of the rendered book (target/book, from `mdbook build docs`) and of README.md
resolves: relative files exist, and a #fragment names an element id of its page (README:
a heading of the file it points to). Links to the web are not fetched (there is no network
in CI); they are listed with --web.
    python3 scripts/check-links.py [BOOK_DIR] [--web]"""
import html.parser
import os
import re
import sys
from urllib.parse import unquote, urlsplit

book = next((a for a in sys.argv[1:] if not a.startswith("--")), "target/book")


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key) is not None:
                self.links.append((tag, attrs[key], self.getpos()[0]))


pages = {}
for root, _, files in os.walk(book):
    for name in files:
        if name.endswith(".html"):
            path = os.path.normpath(os.path.join(root, name))
            page = Page()
            page.feed(open(path, encoding="utf-8").read())
            pages[path] = page
if not pages:
    sys.exit(f"link check: no pages in {book} (run `mdbook build docs` first)")

errors, web = [], set()


def check(source, line, target, base_dir, ids_of):
    parts = urlsplit(target)
    if parts.scheme in ("http", "https"):
        web.add(target)
        return
    if parts.scheme or target.startswith("//"):
        return  # mailto:, javascript:, data:
    path = unquote(parts.path)
    resolved = os.path.normpath(os.path.join(base_dir, path)) if path else source
    if not os.path.exists(resolved):
        errors.append(f"{source}:{line}: {target}: no such file ({resolved})")
        return
    if parts.fragment:
        ids = ids_of(resolved)
        if ids is not None and unquote(parts.fragment) not in ids:
            errors.append(f"{source}:{line}: {target}: no #{parts.fragment} in {resolved}")


for path, page in sorted(pages.items()):
    # The theme's own pages (print.html, 404.html) repeat the chapters' links.
    if os.path.basename(path) in ("print.html", "404.html", "toc.html"):
        continue
    for tag, target, line in page.links:
        check(path, line, target, os.path.dirname(path),
              lambda p: pages[p].ids if p in pages else None)


def heading_ids(markdown_path):
    """GitHub's anchors of a Markdown file's headings (outside code fences)."""
    ids, fence = set(), False
    for line in open(markdown_path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        elif not fence and re.match(r"#{1,6} ", line):
            text = line.lstrip("#").strip().lower()
            ids.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return ids


readme = "README.md"
fence = False
for number, line in enumerate(open(readme, encoding="utf-8"), 1):
    if line.startswith("```"):
        fence = not fence
    if fence:
        continue
    for target in re.findall(r"\]\(([^)\s]+)\)", line):
        check(readme, number, target, ".",
              lambda p: heading_ids(p) if p.endswith(".md") else None)

if "--web" in sys.argv:
    print("\n".join(sorted(web)))
if errors:
    print("\n".join("link check: " + e for e in errors), file=sys.stderr)
    sys.exit(1)
print(f"link check: ok ({len(pages)} pages and README.md; {len(web)} web links not fetched)")
