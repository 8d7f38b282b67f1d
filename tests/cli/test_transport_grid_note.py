"""``laserskin transport`` says when light is absorbed outside the grid, with the rule of ``simulate`` (QA6 #18).

The shipped three-layer example (2 mm flat top) absorbs ~4.8 % of the incident light (~12 % of the absorbed) beyond
its grid. With 2000 photons the standard error of the outside fraction is about sqrt(0.048 x 0.952 / 2000) = 0.005,
so the share (~0.12) is ~20 standard errors above the 1 % threshold: the note is certain at this photon count.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.pipeline.simulation import MAX_ABSORBED_OUTSIDE_GRID

EXAMPLE = Path(__file__).parents[2] / "examples" / "three_layer_skin.toml"


def _run(*extra: str):
    return CliRunner().invoke(app, ["transport", str(EXAMPLE), "--photons", "2000", "--seed", "3", *extra])


def test_transport_json_has_the_share_and_the_note_of_simulate():
    result = _run("--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    share = payload["absorbed_outside_grid_share"]
    assert share == pytest.approx(payload["absorbed_outside_grid_fraction"] / payload["absorbed_fraction"], rel=1e-12)
    assert share > MAX_ABSORBED_OUTSIDE_GRID
    assert payload["grid_note"] and f"{share:.1%} of the absorbed light falls outside the grid" in payload["grid_note"]
    assert f"note: {payload['grid_note']}" in result.stderr


def test_transport_table_says_the_note_on_stderr():
    result = _run()
    assert result.exit_code == 0, result.output
    assert "note: " in result.stderr and "falls outside the grid" in result.stderr
    assert "falls outside the grid" not in result.stdout  # stdout keeps the table
