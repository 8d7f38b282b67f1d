"""The acceptance interface: ``laserskin transport SCENARIO.toml ... --json`` with [geometry] and [[inclusions]]."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from laserskin.cli import app

runner = CliRunner()

VESSEL = """
[geometry]
kind = "voxels"
size = ["0.4 mm", "0.4 mm", "0.4 mm"]
voxel = "20 um"
boundary = "escape"
[[layers]]
name = "epidermis"
n = 1.0
mua = "16.57 1/cm"
mus = "375.9 1/cm"
g = 0.9
thickness = "60 um"
[[layers]]
name = "dermis"
n = 1.0
mua = "0.5 1/cm"
mus = "200 1/cm"
g = 0.9
thickness = "340 um"
[[inclusions]]
name = "vessel"
kind = "cylinder"
axis = "y"
center = ["0 mm", "0.2 mm"]
radius = "60 um"
n = 1.0
mua = "200 1/cm"
mus = "400 1/cm"
g = 0.99
"""


def _run(tmp_path, text, *extra):
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    result = runner.invoke(
        app, ["transport", str(path), "--photons", "2000", "--seed", "3", "--threads", "1", "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_voxel_scenario_prints_absorbed_fraction_by_region(tmp_path):
    out = _run(tmp_path, VESSEL)
    regions = out["absorbed_fraction_by_region"]
    assert list(regions) == ["epidermis", "dermis", "vessel"]
    assert out["geometry"] == "voxels"
    assert abs(sum(regions.values()) - out["absorbed_fraction"]) < 1e-12
    assert regions["vessel"] > regions["dermis"]  # 400 times the dermis' absorption coefficient
    for key in ("diffuse_reflectance", "total_transmittance", "absorbed_fraction_by_layer", "photons", "seed"):
        assert key in out
    again = _run(tmp_path, VESSEL)
    assert again["absorbed_fraction_by_region"] == regions


def test_rz_scenario_gives_the_layers_as_regions(tmp_path):
    text = "\n".join(VESSEL.split("[[inclusions]]")[0].splitlines()[6:])  # layers only, no [geometry]
    out = _run(tmp_path, text)
    assert out["geometry"] == "rz"
    assert list(out["absorbed_fraction_by_region"]) == ["epidermis", "dermis"]
    assert list(out["absorbed_fraction_by_region"].values()) == out["absorbed_fraction_by_layer"]


def test_inclusions_need_a_voxel_geometry(tmp_path):
    text = VESSEL.replace('kind = "voxels"', 'kind = "rz"')
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    result = runner.invoke(app, ["transport", str(path), "--photons", "10", "--json"])
    assert result.exit_code != 0
