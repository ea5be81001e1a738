"""Import contracts as allow-lists, and no import cycles — lazy (function-level) imports included.

``lint-imports`` reads only module-level imports and its contracts are deny-lists. This check builds the
full graph with grimp (which also sees imports inside functions; ``if TYPE_CHECKING`` ones are left
out because they never run) and fails on:

1. an import from one app into another app's module that is not on that app's public list in
   ``[tool.yiyang.imports.public]`` of pyproject.toml. An app or module not listed is private, so a
   new module or a new app is closed until someone opens it on purpose;
2. any cycle between modules;
3. any cycle between apps, except the ones listed (with their reason) in ``allowed_app_cycles``.
   Imports of an app's ``permissions`` (pure data, which must import nothing) do not count: the
   role table in ``accounts.roles`` assembles them all.

Tests and demo-data modules may import anything (``exempt_sources``). Run: ``python tools/check_imports.py``.
"""

from __future__ import annotations

import fnmatch
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def load_config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["yiyang"]["imports"]


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def exempt(module: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(module, p) for p in patterns)


def public(target: str, public_modules: dict[str, list[str]]) -> bool:
    """``yiyang.orders.selectors`` (or a submodule of it) is public if ``selectors`` is on orders' list."""
    parts = target.split(".")
    allowed = public_modules.get(parts[1], [])
    if "*" in allowed or len(parts) == 2:  # the app package itself (an empty __init__)
        return True
    return parts[2] in allowed


def strongly_connected(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative); only components with more than one node are returned."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def check() -> list[str]:
    cfg = load_config()
    public_modules: dict[str, list[str]] = cfg["public"]
    exempt_sources: list[str] = cfg["exempt_sources"]
    allowed_cycles = {frozenset(c["apps"]) for c in cfg.get("allowed_app_cycles", [])}
    graph = grimp.build_graph("yiyang", exclude_type_checking_imports=True)
    problems: list[str] = []
    module_edges: dict[str, set[str]] = {}
    app_edges: dict[str, set[str]] = {}
    app_examples: dict[tuple[str, str], str] = {}
    for source in sorted(graph.modules):
        if exempt(source, exempt_sources):
            continue
        for target in sorted(graph.find_modules_directly_imported_by(source)):
            if exempt(target, exempt_sources):
                continue
            module_edges.setdefault(source, set()).add(target)
            src_app, dst_app = app_of(source), app_of(target)
            if src_app is None or dst_app is None or src_app == dst_app:
                continue
            if target.split(".")[2:3] != ["permissions"]:  # leaf data (checked below): cannot close a cycle
                app_edges.setdefault(src_app, set()).add(dst_app)
                app_examples.setdefault((src_app, dst_app), f"{source} -> {target}")
            if not public(target, public_modules):
                lines = graph.get_import_details(importer=source, imported=target)
                where = ", ".join(f"line {d['line_number']}" for d in lines) or "?"
                problems.append(
                    f"private import: {source} -> {target} ({where}); "
                    f"{dst_app} exposes only {public_modules.get(dst_app, []) or 'nothing'}"
                )
    for module in sorted(graph.modules):
        if module.split(".")[2:] == ["permissions"] and graph.find_modules_directly_imported_by(module):
            problems.append(f"{module} must be pure data and import nothing from yiyang")
    for comp in strongly_connected(set(module_edges), module_edges):
        problems.append("module import cycle: " + " <-> ".join(comp))
    for comp in strongly_connected(set(app_edges), app_edges):
        if frozenset(comp) in allowed_cycles:
            continue
        pairs = [app_examples[(a, b)] for a in comp for b in comp if (a, b) in app_examples]
        problems.append("app import cycle: " + " <-> ".join(comp) + " (e.g. " + "; ".join(pairs) + ")")
    return problems


def main() -> int:
    problems = check()
    for p in problems:
        print(p)
    if problems:
        print(f"\n{len(problems)} import contract violation(s); see tools/check_imports.py")
        return 1
    print("import allow-lists and cycles: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
