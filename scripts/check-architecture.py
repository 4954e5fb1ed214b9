#!/usr/bin/env python3
"""The architecture rules that `make test` checks (see ARCHITECTURE.md):

1. No import circles between the source files of a crate. File A depends on file B when A
   names an item that B defines: through `use crate::…`/`use super::…`, or a path written out in
   the code. A re-export (`pub use child::Item`) is followed to the file that defines the item.
   A child's `use super::*` (it sees its parent) and a parent's `pub use child::*` (it shows its
   children) are not dependencies. Tests may reach anywhere: test files and `#[cfg(test)]`
   modules are left out.
2. No source file over 800 lines, tests left out.
3. SurrealQL only in the `store` crate: no `.query(` call outside it, tests left out.

Prints what breaks a rule, with the names that tie a circle, and exits 1 if anything does.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = ["domain", "store", "app", "server", "frontend"]
MAX_LINES = 800
ITEM = re.compile(
    r"^\s*pub(?:\([^)]*\))?\s+(?:async\s+)?(?:unsafe\s+)?"
    r"(?:fn|struct|enum|const|static|type|trait|mod|use)\s+(\w+)",
    re.M,
)


def module_path(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("lib", "main", "mod"):
        rel = rel[:-1]
    return tuple(rel)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def strip_test_blocks(text):
    """Removes `#[cfg(test)]` items written inline (a module, a function, an impl)."""
    lines = text.split("\n")
    out, skip_until = [], None
    i = 0
    while i < len(lines):
        line = lines[i]
        if skip_until is not None:
            if line.rstrip() == skip_until + "}":
                skip_until = None
            i += 1
            continue
        if re.match(r"^\s*#\[cfg\((?:all\()?test", line):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            indent = re.match(r"^(\s*)", nxt).group(1)
            if nxt.rstrip().endswith("{"):
                skip_until = indent
            i += 2 if nxt.rstrip().endswith(";") else 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def expand_use(tree):
    """`a::{b, c::{d, e as f}}` -> [[a, b], [a, c, d], [a, c, e]] (aliases dropped)."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)

    def split_top(s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        return parts

    def walk(s):
        brace = s.find("{")
        if brace < 0:
            return [[p for p in s.split("::") if p]]
        head = [p for p in s[:brace].split("::") if p]
        out = []
        for part in split_top(s[brace + 1 : s.rfind("}")]):
            for tail in walk(part):
                out.append(head + tail if tail != ["self"] else head)
        return out

    return [segs for segs in walk(tree) if segs]


class Crate:
    def __init__(self, name):
        self.name = name
        self.src = os.path.join(ROOT, name, "src")
        self.files = {}  # module path -> file
        self.test_mods = set()
        for dirpath, _, names in os.walk(self.src):
            for n in names:
                if n.endswith(".rs"):
                    p = os.path.join(dirpath, n)
                    self.files[module_path(self.src, p)] = p
        for mod, p in self.files.items():
            text = open(p, encoding="utf-8").read()
            for m in re.finditer(r"#\[cfg\((?:all\()?test[^\]]*\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text):
                self.test_mods.add(mod + (m.group(1),))
        self.text = {}
        for mod, p in self.files.items():
            if self.is_test(mod, p):
                continue
            self.text[mod] = strip_test_blocks(strip_comments(open(p, encoding="utf-8").read()))

    def is_test(self, mod, path):
        base = os.path.basename(path)
        if base == "tests.rs" or base.endswith("_tests.rs"):
            return True
        return any(mod[: i + 1] in self.test_mods for i in range(len(mod)))

    def reexports(self, mod):
        """Names a module shows from its own children: name -> child module path (or '*')."""
        out = {}
        for m in re.finditer(r"\bpub\s+use\s+([^;]+);", self.text.get(mod, "")):
            for segs in expand_use(m.group(1)):
                if segs and segs[0] in ("self",):
                    segs = segs[1:]
                if len(segs) >= 2 and mod + (segs[0],) in self.files:
                    child = mod + (segs[0],)
                    if segs[-1] == "*" and len(segs) == 2:
                        for name in self.defined(child):
                            out.setdefault(name, child)
                    else:
                        out[segs[-1]] = child + tuple(segs[1:-1])
        return out

    def defined(self, mod):
        text = self.text.get(mod, "")
        names = set(ITEM.findall(text))
        names |= set(re.findall(r"#\[(?:component|island)\]\s*pub\s+fn\s+(\w+)", text))
        names |= {n + "Props" for n in names}
        return names

    def resolve(self, segs, depth=0):
        """The file that defines the item a path names, or None (another crate, or unknown)."""
        best = None
        for i in range(len(segs), -1, -1):
            if tuple(segs[:i]) in self.files:
                best = i
                break
        if best is None:
            return None
        mod = tuple(segs[:best])
        rest = segs[best:]
        if rest and rest[0] != "*":
            via = self.reexports(mod).get(rest[0])
            if via is not None and depth < 8:
                return self.resolve(list(via) + rest, depth + 1)
            if not re.search(
                r"\b(?:fn|struct|enum|const|static|type|trait|mod|macro_rules!)\s+%s\b" % re.escape(rest[0]),
                self.text.get(mod, ""),
            ):
                return None  # shown here from another crate (`pub use domain::…`)
        return mod

    def edges(self):
        graph = {mod: {} for mod in self.text}
        for mod, text in self.text.items():
            def absolute(segs):
                if not segs:
                    return None
                if segs[0] == "crate":
                    return segs[1:]
                if segs[0] == "self":
                    return list(mod) + segs[1:]
                if segs[0] == "super":
                    base = list(mod[:-1])
                    segs = segs[1:]
                    while segs and segs[0] == "super":
                        base = base[:-1]
                        segs = segs[1:]
                    return base + segs
                if tuple(list(mod) + [segs[0]]) in self.files:
                    return list(mod) + segs  # a child module by its bare name
                return None

            paths = []
            for m in re.finditer(r"\buse\s+([^;]+);", text):
                pub = text[max(0, m.start() - 12) : m.start()].rstrip().endswith("pub")
                for segs in expand_use(m.group(1)):
                    paths.append((segs, pub))
            for m in re.finditer(r"\b((?:crate|super)(?:::\w+)+)", text):
                paths.append((m.group(1).split("::"), False))
            for segs, pub in paths:
                full = absolute([s for s in segs if s])
                if not full:
                    continue
                if full[-1] == "*":
                    target = tuple(full[:-1])
                    if target == mod[: len(target)]:
                        continue  # a child's `use super::*`
                    if pub and target[: len(mod)] == mod:
                        continue  # a parent showing its children
                    target = self.resolve(full[:-1])
                else:
                    target = self.resolve(full)
                if target is None or target == mod or target not in graph:
                    continue
                if pub and target[: len(mod)] == mod and len(target) > len(mod):
                    continue  # re-exporting a child's item
                graph[mod].setdefault(target, set()).add(full[-1])
        return graph


def circles(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    return check()


def check():
    problems = 0
    for name in CRATES:
        if not os.path.isdir(os.path.join(ROOT, name, "src")):
            continue
        crate = Crate(name)
        graph = crate.edges()
        rel = lambda mod: os.path.relpath(crate.files[mod], ROOT)  # noqa: E731
        for comp in circles(graph):
            problems += 1
            print(f"circle in {name}: {len(comp)} files")
            members = set(comp)
            for a in comp:
                for b, names in sorted(graph[a].items()):
                    if b in members:
                        print(f"  {rel(a)} -> {rel(b)}: {', '.join(sorted(names))}")
        for mod, path in sorted(crate.files.items()):
            if crate.is_test(mod, path):
                continue
            n = sum(1 for _ in open(path, encoding="utf-8"))
            if n > MAX_LINES:
                problems += 1
                print(f"{os.path.relpath(path, ROOT)}: {n} lines (at most {MAX_LINES} outside tests)")
            if name != "store" and re.search(r"\.query\(\s*[^)\s]", crate.text.get(mod, "")):
                problems += 1
                print(f"{os.path.relpath(path, ROOT)}: a database query outside the store crate")
    if problems:
        print(f"{problems} problem(s)")
        return 1
    print("architecture: no circles, no file over 800 lines, SurrealQL only in store")
    return 0


def self_test():
    """The checker on small made-up crates: it must find what breaks a rule, and only that."""
    import contextlib
    import io
    import tempfile

    global ROOT

    def run(files):
        global ROOT
        with tempfile.TemporaryDirectory() as root:
            for rel, text in files.items():
                path = os.path.join(root, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            saved, ROOT = ROOT, root
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    code = check()
            finally:
                ROOT = saved
            return code, out.getvalue()

    clean = {
        "app/src/lib.rs": "pub mod a;\npub mod b;\npub mod c;\n",
        "app/src/a.rs": "use crate::b::B;\npub struct A(B);\n",
        "app/src/b.rs": "pub struct B;\n#[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n",
        # A parent that shows its children, children that see their parent.
        "app/src/c/mod.rs": "mod d;\npub use d::*;\nfn helper() {}\n",
        "app/src/c/d.rs": "use super::*;\npub fn shown() { helper() }\n",
        "store/src/lib.rs": "pub fn q(db: &Db) { db.query(\"RETURN 1\"); }\n",
    }
    code, out = run(clean)
    assert code == 0, out
    circle = dict(clean)
    circle["app/src/b.rs"] = "use crate::c::shown;\npub struct B;\n"
    circle["app/src/c/d.rs"] = "use super::*;\nuse crate::a::A;\npub fn shown() { helper() }\n"
    code, out = run(circle)
    assert code == 1 and "circle in app: 3 files" in out and "app/src/b.rs -> app/src/c/d.rs: shown" in out, out
    long = dict(clean)
    long["app/src/b.rs"] = "pub struct B;\n" + "// a line\n" * 800
    code, out = run(long)
    assert code == 1 and "app/src/b.rs: 801 lines" in out, out
    query = dict(clean)
    query["app/src/a.rs"] = "pub fn f(db: &Db) { db.query(\"SELECT 1\"); }\n"
    code, out = run(query)
    assert code == 1 and "app/src/a.rs: a database query outside the store crate" in out, out
    print("check-architecture self-test: 4 cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
