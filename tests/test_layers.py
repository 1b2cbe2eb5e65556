"""The layer rule of docs/ARCHITECTURE.md: no firmware module imports from a layer above its own.

The layers are read from the table in ARCHITECTURE.md; every import
statement of every module of firmware/ and of the shared protocol packages
(at any depth, also inside functions) is resolved to a module and ranked.
"""
import ast
import os
import re

from support import ROOT

TREES = (os.path.join(ROOT, "firmware"), os.path.join(ROOT, "protocol"))


def layer_table(text):
    """{name: (rank, layer)} from the rows ``| rank | layer | `name`, ... |``."""
    table = {}
    for rank, layer, names in re.findall(r"^\| (\d+) \| (\w+) \| (.+) \|$", text, re.M):
        for name in re.findall(r"`([\w/]+)`", names):
            table[name] = (int(rank), layer)
    return table


def find_modules(trees):
    """{module path without .py, e.g. "nfc/pn532" or "core/__init__": file} of the Python trees."""
    found = {}
    for tree in trees:
        for folder, dirs, files in os.walk(tree):
            dirs[:] = [d for d in dirs if d != "__pycache__" and d != "vectors"]
            for name in files:
                if name.endswith(".py") and name != "manifest.py":
                    path = os.path.join(folder, name)
                    found[os.path.relpath(path, tree)[:-3].replace(os.sep, "/")] = path
    return found


def rank_of(module, table):
    """The layer of ``module``: its own row, else its package's (``verify`` holds ``verify/cbor``)."""
    parts = module.split("/")
    for i in range(len(parts), 0, -1):
        hit = table.get("/".join(parts[:i]))
        if hit is not None:
            return hit
    return None


def imported_modules(path, modules):
    """The project modules an import in ``path`` runs: the module itself and each package ``__init__``."""
    got = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: within the same package (vitale_link)
                continue
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for dotted in names:
            parts = dotted.split(".")
            for i in range(1, len(parts) + 1):
                for candidate in ("/".join(parts[:i]), "/".join(parts[:i]) + "/__init__"):
                    if candidate in modules:
                        got.add(candidate)
    return got


def violations(table, trees):
    """(importer, imported, why) for each upward import, and for each module the table leaves out."""
    modules = find_modules(trees)
    out = []
    for module, path in sorted(modules.items()):
        mine = rank_of(module, table)
        if mine is None:
            out.append((module, None, "in no layer of docs/ARCHITECTURE.md"))
            continue
        for target in sorted(imported_modules(path, modules)):
            theirs = rank_of(target, table)
            if theirs is not None and theirs[0] > mine[0]:
                out.append((module, target, f"{mine[1]} imports {theirs[1]}"))
    return out


def test_no_lower_layer_imports_a_higher_one():
    with open(os.path.join(ROOT, "docs", "ARCHITECTURE.md")) as f:
        table = layer_table(f.read())
    assert table["core"] == (0, "core") and table["app"] == (6, "application")
    assert violations(table, TREES) == []


def test_the_check_finds_an_upward_import(tmp_path):
    """The checker itself: a core module importing the application is caught, an unlisted one too."""
    (tmp_path / "core").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("")
    (tmp_path / "core" / "clock.py").write_text("def f():\n    from app.reader import X\n")
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "reader.py").write_text("from core import clock\n")
    (tmp_path / "stray.py").write_text("")
    table = layer_table("| 0 | core | `core` |\n| 6 | application | `app` |\n")
    assert violations(table, (str(tmp_path),)) == [
        ("core/clock", "app/__init__", "core imports application"),
        ("core/clock", "app/reader", "core imports application"),
        ("stray", None, "in no layer of docs/ARCHITECTURE.md"),
    ]
