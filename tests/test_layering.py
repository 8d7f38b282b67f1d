"""The package is layered: a module imports only its own layer or the layers below it, and no
modules import each other in a cycle. Function-level imports count; imports under
``if TYPE_CHECKING:`` (type hints only) do not. The layer order is docs/design.md's."""

from __future__ import annotations

import ast
from pathlib import Path

import laserskin

#: Lowest first. A module belongs to the first prefix that matches its dotted name.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("laserskin.core",),
    ("laserskin.plotting",),
    ("laserskin.grid",),
    ("laserskin.optics",),
    ("laserskin.skin",),
    ("laserskin.transport",),
    ("laserskin.thermal",),
    ("laserskin.damage",),
    ("laserskin.healing",),
    ("laserskin.treatment",),
    ("laserskin.pipeline",),
    ("laserskin.planning",),
    ("laserskin.sweep",),
    ("laserskin.report",),
    ("laserskin.cli", "laserskin.web", "laserskin.tools", "laserskin.__main__"),
)

PACKAGE = Path(laserskin.__file__).parent


def layer_of(module: str) -> int:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/design.md")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """laserskin modules imported anywhere in ``path`` except under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    skipped = {id(n) for block in ast.walk(tree) if _type_checking_block(block) for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("laserskin"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("laserskin"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                if candidate in modules:
                    found.add(candidate)
                elif target == "laserskin" and alias.name != "__version__":
                    found.add(f"laserskin.<{alias.name}>")  # a name re-exported by the root: resolved below
                else:
                    found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: imported_modules(path, modules) - {name, "laserskin"} for name, path in paths.items()}


def test_no_module_imports_a_higher_layer():
    from laserskin import _EXPORTS

    upward = []
    for module, targets in import_graph().items():
        for target in targets:
            if target.startswith("laserskin.<"):
                target = _EXPORTS.get(target[len("laserskin.<") : -1], target)
            if layer_of(target) > layer_of(module):
                upward.append(f"{module} -> {target}")
    assert not upward, "upward imports:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    graph = import_graph()
    # a package's __init__ re-exporting its own submodules is not a cycle of concepts
    edges = {
        module: {t for t in targets if t in graph and not (module == t.rpartition(".")[0] and t.startswith(module))}
        for module, targets in graph.items()
    }
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_checker_sees_function_level_and_relative_imports(tmp_path):
    package = tmp_path / "laserskin" / "thermal"
    package.mkdir(parents=True)
    module = package / "solver.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from laserskin.planning import plan\n"
        "def f():\n    from laserskin.pipeline.simulation import Simulation\n"
        "from .medium import ThermalMedium\n"
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "laserskin"
    try:
        found = imported_modules(module, {"laserskin.thermal.medium", "laserskin.pipeline.simulation"})
    finally:
        PACKAGE = saved
    assert found == {"laserskin.pipeline.simulation", "laserskin.thermal.medium"}
