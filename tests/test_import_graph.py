"""The package's import graph reads as the data path: no circles, and the numerical core
(``sim``) never imports the app (``dashboard``). Imports are read from the source (every
``import`` statement, also those inside functions), so a lazy import cannot hide a circle;
imports for type checking only (``if TYPE_CHECKING:``) are not run and do not count."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "dashboard")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and getattr(node.test, "id", getattr(node.test, "attr", "")) ==
                       "TYPE_CHECKING" for stmt in node.body for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for t in targets:
                if t in modules and t != name and t not in ("sim", "dashboard"):
                    graph[name].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
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

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_has_no_circles():
    assert _cycles(import_graph()) == []


def test_the_core_never_imports_the_app():
    upward = {m: sorted(t for t in deps if t.startswith("dashboard"))
              for m, deps in import_graph().items() if m.startswith("sim")}
    assert not any(upward.values()), {m: t for m, t in upward.items() if t}


def test_figures_draw_without_dash():
    """The figure builders, and every import of the lessons, load without Dash: notebooks and
    docs draw figures with plotly alone."""
    import subprocess
    import sys

    imports = {"import dashboard.figures", "import dashboard.diagnosis_figures",
               "import sim.recruitment"}
    for nb in sorted((ROOT / "notebooks").glob("*.py")):
        for node in ast.parse(nb.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.add(ast.unparse(node))
    code = "\n".join(sorted(imports)) + "\nimport sys\nprint('dash' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", "a figure or lesson import loads Dash"


def test_no_module_uses_another_modules_private_names():
    """Across modules of ``sim`` and ``dashboard`` only public names are used (a helper that
    another module needs is public and documented); benchmarks may time private caches."""
    import ast
    import importlib

    bad = []
    for root in ("sim", "dashboard"):
        for path in sorted((ROOT / root).glob("*.py")):
            mod = f"{root}.{path.stem}"
            tree = ast.parse(path.read_text(encoding="utf-8"))
            modules = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module \
                        and node.module.split(".")[0] in ("sim", "dashboard"):
                    for a in node.names:
                        private = a.name.startswith("_") and not a.name.startswith("__")
                        if private and node.module != mod:
                            bad.append(f"{mod}: from {node.module} import {a.name}")
                        modules[a.asname or a.name] = f"{node.module}.{a.name}"
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                        and node.attr.startswith("_") and not node.attr.startswith("__"):
                    target = modules.get(node.value.id)
                    if target is None or target == mod:
                        continue
                    try:
                        other = importlib.import_module(target)
                    except ImportError:
                        continue  # a name, not a module
                    if hasattr(other, node.attr):
                        bad.append(f"{mod}: {target}.{node.attr}")
    assert not bad, "private names used across modules:\n" + "\n".join(sorted(set(bad)))
