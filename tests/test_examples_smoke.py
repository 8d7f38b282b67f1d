"""Every file shipped in ``examples/`` runs (QA6 #12: ``examples/population.toml``, the README's population
sweep, exited 2 before computing anything, since one drawn forehead person's fixed 150 cm^2 was over the
forehead's 120 cm^2 cap; nothing ran the example).

Each example runs the way its header says (``laserskin simulate`` / ``laserskin transport``, ``laserskin
sweep``, ``python examples/voxel_examples.py``), with few photons: the test asks "does it run", not "are
the numbers right" (tests/validation and tests/test_examples_tightening.py check numbers). A sweep is
checked case by case: every case's inputs validate (the check that would have caught QA6 #12), and its
first case runs through the sweep's worker. A new file in ``examples/`` must be added to :data:`HOW`.
"""

from __future__ import annotations

import dataclasses
import json
import runpy
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
#: The fewest photons the planner takes (PlanRequest.photons >= 1000); the others use the same.
PHOTONS = 1000

#: How each file of examples/ is run here.
HOW = {
    "explicit_layers.toml": "simulate",
    "resurfacing_er_yag.toml": "simulate",
    "follicle_810_voxel.toml": "transport",
    "fractional_1550_voxel.toml": "transport",
    "skin_1064.toml": "transport",
    "three_layer_skin.toml": "transport",
    "vandehulst_slab.toml": "transport",
    "population.toml": "sweep",
    "sweep_fluence_cooling.toml": "sweep",
    # the 3-D treatment examples run through their script, which simulates both (as `simulate` does)
    "voxel_examples.py": "script",
    "fractional_array_1550.toml": "voxel_examples.py",
    "hair_removal_810_voxel.toml": "voxel_examples.py",
    # run by tests/test_examples_tightening.py (with 20 000 photons, checking that the epidermis is spared)
    "tightening_1320.toml": "tests/test_examples_tightening.py",
    "tightening_1450.toml": "tests/test_examples_tightening.py",
}


def shipped() -> set[str]:
    """The example files (``figures/`` holds the pictures the script writes)."""
    return {p.name for p in EXAMPLES.iterdir() if p.is_file() and not p.name.startswith(".")}


def test_every_example_is_run_by_a_test():
    assert shipped() == set(HOW), "add the new example to HOW (and run it), or remove the stale entry"
    for name, how in HOW.items():
        if how.endswith(".py") and how.startswith("tests/"):
            assert name in (ROOT / how).read_text(encoding="utf-8"), (name, how)
        elif how.endswith(".py"):
            assert name.removesuffix(".toml") in (EXAMPLES / how).read_text(encoding="utf-8"), (name, how)


@pytest.mark.parametrize("name", sorted(name for name, how in HOW.items() if how in ("simulate", "transport")))
def test_scenario_example_runs(name):
    from typer.testing import CliRunner

    from laserskin.cli import app

    command = [HOW[name], str(EXAMPLES / name), "--photons", str(PHOTONS), "--threads", "1", "--json"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, f"laserskin {' '.join(command)}\n{result.output[-3000:]}"
    assert isinstance(json.loads(result.stdout), dict)


@pytest.mark.parametrize("name", sorted(name for name, how in HOW.items() if how == "sweep"))
def test_sweep_example_validates_every_case_and_runs_one(name):
    from laserskin.core.errors import InputError
    from laserskin.sweep import Sweep, load_sweep, run_case, validate_inputs

    sweep = Sweep(load_sweep(EXAMPLES / name))
    failures = []
    for case in sweep.cases():  # cheap (no computation): 60 plan requests take about a second
        try:
            validate_inputs(case)
        except InputError as error:
            failures.append(str(error))
    assert not failures, f"{len(failures)} of {sweep.spec.n_cases} cases of {name} fail:\n" + "\n".join(failures[:5])

    case = sweep.case(0)
    if case.kind == "plan":  # one device: the planner's search over all devices is tests/planning's
        inputs = {**case.inputs, "photons": PHOTONS, "devices": ["smoothbeam_1450"]}
    else:
        inputs = {**case.inputs, "transport": {**case.inputs["transport"], "photons": PHOTONS}}
    record = run_case(dataclasses.replace(case, inputs=inputs))
    assert record["status"] == "ok", record.get("error")


def test_voxel_examples_script_runs(tmp_path, monkeypatch):
    """The script writes its figures beside itself: it runs from a copy, so examples/figures is left alone."""
    copy = tmp_path / "examples"
    copy.mkdir()
    for name, how in HOW.items():
        if how in ("script", "voxel_examples.py"):
            shutil.copy(EXAMPLES / name, copy / name)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setattr(sys, "argv", ["voxel_examples.py", "--photons", str(PHOTONS)])
    runpy.run_path(str(copy / "voxel_examples.py"), run_name="__main__")
    figures = sorted(p.name for p in (copy / "figures").iterdir())
    for name, how in HOW.items():
        if how == "voxel_examples.py":
            assert any(figure.startswith(name.removesuffix(".toml")) for figure in figures), (name, figures)
