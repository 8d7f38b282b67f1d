"""No Hypothesis test asserts wall-clock time: every @given test sets deadline=None."""

from __future__ import annotations


def _keyword_is_none(call, name: str) -> bool:
    import ast

    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is None for k in call.keywords)


def test_every_hypothesis_test_sets_deadline_none():
    """Hypothesis's default deadline (200 ms per example) is a wall-clock assert, which the project's rules forbid
    (CONTRIBUTING: no wall-clock assertions); tests/core/test_units.py's round trip had it and failed once under load.
    Every ``@given`` test carries ``@settings(..., deadline=None)``, directly or through a module-level settings
    object."""
    import ast
    from pathlib import Path

    def called(node, name: str) -> bool:
        func = node.func if isinstance(node, ast.Call) else None
        return (isinstance(func, ast.Name) and func.id == name) or (
            isinstance(func, ast.Attribute) and func.attr == name
        )

    missing = []
    for path in sorted(Path(__file__).parent.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        no_deadline = {  # module-level ``NAME = settings(..., deadline=None)``
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            and called(node.value, "settings")
            and _keyword_is_none(node.value, "deadline")
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not any(called(d, "given") for d in node.decorator_list):
                continue
            ok = any(
                (called(d, "settings") and _keyword_is_none(d, "deadline"))
                or (isinstance(d, ast.Name) and d.id in no_deadline)
                for d in node.decorator_list
            )
            if not ok:
                missing.append(f"{path.relative_to(Path(__file__).parent)}::{node.name}")
    assert not missing, missing
