#!/usr/bin/env python3
"""Import graph of the library's source files, from `use crate::`/`use super::` lines and
inline `crate::a::b` paths; prints the edges, the cycles (strongly connected components of
more than one file) and the largest files. Exits 1 when there is a cycle.

    scripts/module-graph.py            # cycles and sizes
    scripts/module-graph.py --edges    # every edge, file -> file: names
"""

import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def module_of(path):
    """src/a/b.rs -> ['a', 'b']; src/a/mod.rs -> ['a']; src/lib.rs -> []."""
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib"):
        rel = rel[:-1]
    return rel


def files():
    found = {}
    for root, _, names in os.walk(SRC):
        for name in names:
            if name.endswith(".rs") and name != "main.rs":
                path = os.path.join(root, name)
                found[tuple(module_of(path))] = path
    return found


def strip_comments(text):
    # Unit tests (`#[cfg(test)] mod tests`) import their own file; they are no edges.
    text = text.split("#[cfg(test)]", 1)[0]
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # Character and string literals can hold quotes or `crate::`; drop their contents.
    text = re.sub(r"'(?:\\.|[^'\\])'", "' '", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def use_paths(text):
    """Every path a file names: expands `use a::{b, c::{d}}` trees."""
    paths = []

    def expand(prefix, tree):
        tree = tree.strip()
        if not tree:
            return
        if tree.startswith("{") and tree.endswith("}"):
            depth, start = 0, 1
            body = tree[1:-1]
            part = ""
            for ch in body:
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                if ch == "," and depth == 0:
                    expand(prefix, part)
                    part = ""
                else:
                    part += ch
            expand(prefix, part)
            return
        if "::" in tree and not tree.startswith("{"):
            head, rest = tree.split("::", 1)
            expand(prefix + [head.strip()], rest)
            return
        name = tree.split(" as ")[0].strip()
        paths.append(prefix + [name])

    # Child modules this file declares can be named without `self::`.
    children = set(re.findall(r"\bmod\s+(\w+)\s*;", text))
    roots = "|".join(["crate", "super", "self"] + sorted(children))
    for m in re.finditer(rf"\buse\s+((?:{roots})::[^;]*);", text):
        expand([], re.sub(r"\s+", " ", m.group(1)))
    for m in re.finditer(rf"(?<![:\w])((?:{roots})(?:::\w+)+)", text):
        paths.append(m.group(1).split("::"))
    return [["self"] + p if p[0] in children else p for p in paths]


def resolve(path, modules):
    """The file a path points into: the longest module prefix that is a file."""
    absolute = path[1:]
    for n in range(len(absolute), -1, -1):
        key = tuple(absolute[:n])
        if key in modules:
            return key, absolute[n:]
    return None, []


def main():
    modules = files()
    edges = {}
    for module, path in modules.items():
        text = strip_comments(open(path, encoding="utf-8").read())
        for p in use_paths(text):
            if p[0] in ("super", "self"):
                # `self` is this file's module, each `super` one level up, in mod.rs too.
                base = list(module)
                rel = []
                for part in p:
                    if part == "super":
                        base = base[:-1]
                    elif part == "self":
                        pass
                    else:
                        rel.append(part)
                target, names = resolve(["crate"] + base + rel, modules)
            else:
                target, names = resolve(p, modules)
            if target is None or target == module:
                continue
            # A folder's mod.rs declaring its children is no import; `pub use` re-exports are.
            edges.setdefault((module, target), set()).add("::".join(names) or "*")

    graph = {m: set() for m in modules}
    for a, b in edges:
        graph[a].add(b)

    # Tarjan's strongly connected components.
    index, low, stack, on_stack, comps = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)

    sys.setrecursionlimit(10000)
    for v in modules:
        if v not in index:
            strong(v)

    def name(m):
        return os.path.relpath(modules[m], os.path.join(SRC, ".."))

    if "--edges" in sys.argv:
        for (a, b), names in sorted(edges.items()):
            print(f"{name(a)} -> {name(b)}: {', '.join(sorted(names))}")
    cycles = [c for c in comps if len(c) > 1]
    print(f"{len(modules)} files, {len(edges)} import edges, {len(cycles)} cycle(s)")
    for c in cycles:
        members = sorted(c)
        print(f"cycle of {len(c)} files: {', '.join(name(m) for m in members)}")
        for (a, b), names in sorted(edges.items()):
            if a in c and b in c:
                print(f"  {name(a)} -> {name(b)}: {', '.join(sorted(names))}")
    sizes = sorted(
        ((sum(1 for _ in open(p, encoding="utf-8")), name(m)) for m, p in modules.items()),
        reverse=True,
    )
    print("largest files: " + ", ".join(f"{n} {lines}" for lines, n in sizes[:6]))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
