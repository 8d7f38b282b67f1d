"""``simulate`` with ``[geometry] kind = "voxels"``: the 3-D stage of the pipeline (pipeline/voxel.py).

A small fractional array (one periodic unit cell of a square lattice at the laser's MTZ density,
20 um voxels, 4000 packets) through the CLI: the r–z summary keys, ``geometry`` stated, the
array's between-zone keys, NetCDF with x, y, z and the slice figures. The physics of each stage
is validated in tests/validation/test_voxel_*.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.pipeline.summary import SimulationSummary

runner = CliRunner()

FRACTIONAL = """
[person]
age = 45
sex = "female"
fitzpatrick = "II"
site = "cheek"

[laser]
wavelength = "1550 nm"
pulse_energy = "1.5 mJ"
pulse_duration = "3 ms"
spot_diameter = "10 mm"
profile = "gaussian"
fractional = { microbeam_diameter = "120 um", mtz_density = "625 1/cm^2" }

[cooling]
kind = "cryogen"

[geometry]
kind = "voxels"
size = ["0.4 mm", "0.4 mm", "0.8 mm"]
voxel = "20 um"
boundary = "periodic"

[transport]
photons = 4000
seed = 3

[heat]
relaxation = "0.1 s"
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voxel_simulate")
    path = folder / "fractional.toml"
    path.write_text(FRACTIONAL)
    out = folder / "out"
    result = runner.invoke(app, ["simulate", str(path), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_voxel_simulation_gives_the_rz_summary_keys_and_says_which_geometry_ran(run):
    summary, _ = run
    assert set(SimulationSummary.model_fields) <= set(summary)
    assert summary["geometry"] == "voxels"
    assert summary["voxels"] == [20, 20, 40]
    assert summary["cooling_kind"] == "cryogen"
    regions = summary["absorbed_fraction_by_region"]
    assert set(regions) >= {"living_epidermis", "papillary_dermis"}
    assert sum(regions.values()) <= 1.0
    # one microbeam per cell: the heat source holds the absorbed share of one microbeam's energy
    assert summary["absorbed_energy_J"] == pytest.approx(sum(regions.values()) * summary["pulse_energy_J"], rel=1e-9)


def test_voxel_simulation_reports_the_array_between_its_zones(run):
    summary, _ = run
    array = summary["array"]
    assert array["zones_per_cm2"] == pytest.approx(625.0)
    assert array["spacing_um"] == pytest.approx(400.0)
    # the zone is hotter than the skin midway between zones, which the neighbours warm
    assert summary["peak_dermis_temperature_C"] > array["between_zones_peak_temperature_C"]
    assert array["bulk_rise_K"] > 0
    assert 0.0 <= summary["mtz_area_fraction"] <= 1.0


def test_voxel_simulation_writes_netcdf_on_x_y_z_and_slices(run):
    import xarray as xr

    _, out = run
    with xr.open_dataset(out / "result.nc") as data:
        assert data["peak_temperature"].dims == ("x", "y", "z")
        assert data["omega_henriques"].attrs["units"] == "1"
        assert data.attrs["geometry"] == "voxels"
        assert json.loads(data.attrs["geometry_table"])["boundary"] == "periodic"
        assert np.all(data["peak_temperature"].values >= data["initial_temperature"].values - 1e-9)
    assert (out / "voxel_peak_temperature.png").stat().st_size > 0
    assert (out / "voxel_damage_projection.png").stat().st_size > 0


def test_rz_simulations_say_so(tmp_path):
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    text = FRACTIONAL.split("[geometry]")[0]
    import tomllib

    data = tomllib.loads(text)
    data["transport"] = {"photons": 2000, "seed": 1}
    data["heat"] = {"relaxation": "0.05 s"}
    summary = Simulation.from_scenario(scenario_from_dict(data)).run().summary
    assert summary["geometry"] == "rz"
