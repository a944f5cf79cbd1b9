"""The package's import graph: no cycles between modules, and the layers import only what they may.

Every ``import`` counts (at module level and inside functions, lazy ones included), except those under
``if TYPE_CHECKING:``: a lazy import still makes one module depend on another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qhybrid_lab"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    # the domain core knows nothing of Jupyter, the front end, the engine above it, or the server
    "qhybrid_lab.runlog": ("qhybrid_lab.jobs", "qhybrid_lab.backends", "qhybrid_lab.circuits", "qhybrid_lab.costs",
                           "qhybrid_lab.server", "qhybrid_lab.magics", "qhybrid_lab.widgets", "qhybrid_lab.cli",
                           "tornado", "IPython"),
    "qhybrid_lab.backends": ("qhybrid_lab.jobs", "qhybrid_lab.runlog", "qhybrid_lab.server", "qhybrid_lab.magics",
                             "qhybrid_lab.widgets", "tornado", "IPython"),
    "qhybrid_lab.circuits": ("qhybrid_lab.jobs", "qhybrid_lab.runlog", "qhybrid_lab.server", "qhybrid_lab.magics",
                             "tornado", "IPython"),
    "qhybrid_lab.mitigation": ("qhybrid_lab.jobs", "qhybrid_lab.runlog", "qhybrid_lab.server", "qhybrid_lab.magics",
                               "qhybrid_lab.widgets", "tornado", "IPython"),
    "qhybrid_lab.costs": ("qhybrid_lab.jobs", "qhybrid_lab.server", "qhybrid_lab.magics", "tornado", "IPython"),
    "qhybrid_lab.jobs": ("qhybrid_lab.server", "qhybrid_lab.magics", "qhybrid_lab.widgets", "tornado", "IPython"),
    "qhybrid_lab.server": ("qhybrid_lab.jobs", "qhybrid_lab.magics", "qhybrid_lab.widgets", "IPython"),
    # the command line is a front end beside the magics and the server: it uses the domain, not them
    "qhybrid_lab.cli": ("qhybrid_lab.magics", "qhybrid_lab.widgets", "qhybrid_lab.server", "IPython", "tornado",
                        "ipywidgets"),
}
"""Package → what no module in it may import."""

ALLOWED: dict[str, tuple[str, ...]] = {
    # the extension's composition root hands the engine's adoption of provider jobs to the housekeeping
    "qhybrid_lab.server": ("qhybrid_lab.jobs",),
}
"""Module → imports it may make although its package forbids them."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports at run time."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            for alias in node.names:  # `from . import runlog` imports a module
                found.add(f"{target}.{alias.name}")
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for target in imports_of(path):
            while target and target not in modules:  # `from x.y import z` where z is a name: the module x.y
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        # a module imports its package's __init__ first
        parent = name.rpartition(".")[0]
        if parent and parent in modules and parent != name:
            targets.add(parent)
        edges[name] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def _without_package_inits(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph without a module's edges to its own enclosing packages.

    Importing ``qhybrid_lab.circuits.sweep`` runs ``qhybrid_lab/circuits/__init__.py`` first, and that package
    re-exports its submodules: the pair is how Python packages work, not a design cycle. Every other edge stays,
    also a package ``__init__``'s edges into its submodules, so a cycle through a re-export (``jobs`` →
    ``circuits/__init__`` → ``circuits.x`` → ``jobs``) is still found.
    """
    out = {}
    for name, targets in edges.items():
        ancestors = {name.rsplit(".", k)[0] for k in range(1, name.count(".") + 1)}
        out[name] = targets - ancestors
    return out


def test_the_package_has_no_import_cycles():
    found = cycles(_without_package_inits(graph()))
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_a_cycle_through_a_package_reexport_is_found():
    edges = {"p.jobs": {"p.circuits"}, "p.circuits": {"p.circuits.x"}, "p.circuits.x": {"p.jobs", "p.circuits"}}
    assert cycles(_without_package_inits(edges)) == [["p.circuits", "p.circuits.x", "p.jobs"]]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(layer):
    offending = []
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if name != layer and not name.startswith(layer + "."):
            continue
        for target in imports_of(path):
            if any(target == bad or target.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                if not any(target == ok or target.startswith(ok + ".") for ok in ALLOWED.get(name, ())):
                    offending.append(f"{name} imports {target}")
    assert offending == []
