"""The acceptance interface: ``laserskin transport SCENARIO.toml ... --json`` with [geometry] and [[inclusions]]."""

from __future__ import annotations

import json

import pytest
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


FRACTIONAL_VOXELS = """
[person]
age = 45
sex = "female"
fitzpatrick = "II"
site = "cheek"

[laser]
wavelength = "1550 nm"
pulse_energy = "2 mJ"
pulse_duration = "3 ms"
spot_diameter = "15 mm"
profile = "gaussian"
fractional = {{ microbeam_diameter = "120 um", mtz_density = "1000 1/cm^2" }}

[geometry]
kind = "voxels"
size = ["0.3 mm", "0.3 mm", "0.6 mm"]
voxel = "15 um"
boundary = "{boundary}"
lattice = "{lattice}"
spacing = "{spacing}"

[transport]
photons = 1000
seed = 7
"""


@pytest.mark.parametrize(
    ("boundary", "lattice", "spacing", "words"),
    [
        ("periodic", "hex", "50 um", "the laser's MTZ density"),  # 46 188 /cm² of a 1000 /cm² laser (QA11 #6)
        ("escape", "square", "100 um", "a spacing of at least"),  # 120 um microbeams 100 um apart: 113 % coverage
    ],
)
def test_transport_refuses_the_lattice_simulate_refuses(tmp_path, boundary, lattice, spacing, words):
    from typer.testing import CliRunner

    from laserskin.cli import app

    scenario = tmp_path / "lattice.toml"
    scenario.write_text(FRACTIONAL_VOXELS.format(boundary=boundary, lattice=lattice, spacing=spacing))
    runner = CliRunner()
    transport = runner.invoke(app, ["transport", str(scenario), "--json"])
    simulate = runner.invoke(app, ["simulate", str(scenario), "--json", "--out", str(tmp_path / "out")])
    assert transport.exit_code == 2, transport.output
    assert simulate.exit_code == 2, simulate.output
    line = transport.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: geometry.spacing: got '{spacing}'") and words in line
    assert line == simulate.stderr.strip().splitlines()[-1]  # the same words: one function


def test_transport_notes_an_escape_lattice_off_the_laser_density(tmp_path):
    """An escape volume fires the pattern given (docs/voxel.md): it runs, and says so, as simulate does."""
    from typer.testing import CliRunner

    from laserskin.cli import app

    scenario = tmp_path / "lattice.toml"
    scenario.write_text(FRACTIONAL_VOXELS.format(boundary="escape", lattice="square", spacing="200 um"))
    result = CliRunner().invoke(app, ["transport", str(scenario), "--json", "--photons", "200"])
    assert result.exit_code == 0, result.output
    import json

    note = json.loads(result.stdout)["lattice_note"]
    assert note.startswith("geometry.spacing '200 um' places the microbeams at 2500 1/cm^2")
    assert f"note: {note}" in result.stderr
