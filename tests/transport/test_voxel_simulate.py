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


def test_a_vessel_under_a_pulsed_dye_laser_heats_above_the_dermis_beside_it():
    """595 nm, a blood vessel (radius 40 um, 250 um deep) in a person's dermis: blood absorbs
    ~100x the dermis there, so the vessel is the hottest thing below the epidermis; blood takes
    the blood thermal properties and no perfusion."""
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation
    from laserskin.thermal.voxel_heat import BLOOD_THERMAL

    data = {
        "person": {"age": 40, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
        "laser": {
            "wavelength": "595 nm",
            "fluence": "7 J/cm^2",
            "pulse_duration": "1.5 ms",
            "spot_diameter": "7 mm",
            "profile": "flat_top",
        },
        "cooling": {"kind": "cryogen"},
        "geometry": {
            "kind": "voxels",
            "size": ["0.4 mm", "0.4 mm", "0.6 mm"],
            "voxel": "20 um",
            "boundary": "periodic",
            "illumination": "uniform",
        },
        "inclusions": [
            {
                "name": "vessel",
                "kind": "cylinder",
                "axis": "y",
                "center": ["0 mm", "0.25 mm"],
                "radius": "40 um",
                "tissue": "blood",
            }
        ],
        "transport": {"photons": 4000, "seed": 2},
        "heat": {"relaxation": "0.05 s"},
    }
    result = Simulation.from_scenario(scenario_from_dict(data)).run()
    peaks = result.summary["peak_temperature_by_region_C"]
    assert peaks["vessel"] > peaks["reticular_dermis"]
    assert result.summary["array"] is None  # a uniformly lit field, not an array of beams
    labels = result.volume.labels
    vessel = result.volume.region_names.index("vessel")
    assert result.dataset["labels"].values.max() == vessel
    from laserskin.pipeline.voxel import _thermal_medium

    scenario = scenario_from_dict(data)
    medium = _thermal_medium(Simulation.from_scenario(scenario), result.volume, scenario.inclusions)
    k, rho, c, perfusion = BLOOD_THERMAL
    assert medium.conductivity_W_per_mK[vessel] == k
    assert medium.volumetric_heat_capacity_J_per_m3K[vessel] == rho * c
    assert medium.perfusion_per_s[vessel] == perfusion
    assert np.any(labels == vessel)


@pytest.mark.parametrize("name", ["voxel_peak_temperature.png", "voxel_damage_projection.png", "result.nc"])
def test_simulate_out_refuses_to_overwrite_voxel_outputs_without_force(tmp_path, name):
    """The --out check knew only the r–z figure names: a voxel run overwrote its slices silently."""
    path = tmp_path / "fractional.toml"
    path.write_text(FRACTIONAL)
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_bytes(b"earlier run")
    result = runner.invoke(app, ["simulate", str(path), "--json", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert name in result.output and "--force" in result.output
    assert (out / name).read_bytes() == b"earlier run"


def test_simulate_out_lists_the_files_of_each_geometry():
    from laserskin.cli.simulate import output_names
    from laserskin.pipeline.voxel import VOXEL_FIGURES
    from laserskin.plotting.simulation import SIMULATION_FIGURES

    assert output_names("voxels") == ["result.nc", *(f"{name}.png" for name in VOXEL_FIGURES)]
    assert output_names("rz") == ["result.nc", *(f"{name}.png" for name in SIMULATION_FIGURES)]


def test_the_typed_summary_states_the_geometry(run):
    """``geometry`` was an ad-hoc key added to the r–z summary dict after the run; the typed
    summary (the stable JSON interface) now holds it, "rz" or "voxels" and nothing else."""
    from pydantic import ValidationError

    summary, _ = run
    typed = {key: value for key, value in summary.items() if key in SimulationSummary.model_fields}
    assert SimulationSummary.model_validate(typed).geometry == "voxels"
    assert SimulationSummary.model_fields["geometry"].default == "rz"
    assert set(SimulationSummary.model_json_schema()["properties"]["geometry"]["enum"]) == {"rz", "voxels"}
    with pytest.raises(ValidationError):
        SimulationSummary.model_validate({**typed, "geometry": "xyz"})
