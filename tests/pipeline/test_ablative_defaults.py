"""QA round 3 (items 2, 7, 18): ablation follows the physics, collagen is dermal, refusals name a value.

Each test failed on main before the fix (values before are in the docstrings).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import AblativeSettingWarning
from laserskin.pipeline.scenario import load_scenario
from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol


def person():
    return Person(age=52, sex="female", fitzpatrick="III", site="cheek")


def _co2(**extra) -> Laser:
    return Laser(wavelength="10600 nm", fluence="8 J/cm^2", pulse_duration="1 ms", spot_diameter="3 mm", **extra)


def test_collagen_coagulation_below_an_epidermal_floor_counts_only_dermal_cells():
    """CO2 8 J/cm², 1 ms, one pass: the crater floor (25 µm) lies inside the epidermis. The collagen Arrhenius
    set reaches Ω ≥ 1 in epidermal cells below the floor, which hold no collagen; no dermal cell does. Before:
    coagulation_depth_um 8.4 (the epidermal cells); now 0.0, the deepest coagulated dermal cell (none)."""
    simulation = Simulation(person(), _co2(ablative=True), protocol=Protocol(passes=1), progress=None)
    result = simulation.run()
    s, ds = result.summary, result.dataset
    geometry = simulation.geometry()
    floor_m = s["crater_depth_um"] * 1e-6
    assert 0.0 < floor_m < geometry.junction_depth_m  # the case: floor inside the epidermis
    grid = RZGrid(r_edges_m=ds["r_edges"].values, z_edges_m=ds["z_edges"].values)
    z = grid.z_centers_m
    omega = np.nan_to_num(ds["omega_collagen"].values[0], nan=0.0)
    below = z > floor_m
    epidermal = below & (z < geometry.junction_depth_m)
    dermal = below & (z > geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    assert (omega[epidermal] >= 1.0).any()  # what was counted before
    assert not (omega[dermal] >= 1.0).any()
    assert s["coagulation_depth_um"] == 0.0


# ----------------------------------------------------------------------------- item 2: ablation is physics
QA_SCENARIO = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"
[laser]
wavelength = "{wavelength}"
fluence = "{fluence}"
pulse_duration = "1 ms"
spot_diameter = "3 mm"
{flag}
"""


@pytest.mark.parametrize("wavelength", ["2940 nm", "10600 nm", "9.3 um", "2790 nm"])
def test_an_unset_ablative_flag_follows_the_water_absorption(wavelength):
    laser = Laser(wavelength=wavelength, fluence="8 J/cm^2", pulse_duration="1 ms", spot_diameter="3 mm")
    assert laser.ablative is True and not laser.ablative_given
    # the decided flag is not an input: a dump leaves it out and reads back the same laser
    dumped = laser.model_dump(by_alias=True, exclude_none=True)
    assert "ablative" not in dumped
    assert Laser.model_validate(dumped).ablative is True


@pytest.mark.parametrize("wavelength", ["1064 nm", "1320 nm", "1450 nm", "1550 nm"])
def test_an_unset_ablative_flag_is_false_for_penetrating_light(wavelength):
    laser = Laser(wavelength=wavelength, fluence="8 J/cm^2", pulse_duration="1 ms", spot_diameter="3 mm")
    assert laser.ablative is False and not laser.ablative_given


def test_device_presets_keep_their_flags():
    """Every preset sets the flag; the fractional non-ablative 1550 nm laser stays non-ablative."""
    from laserskin.treatment.presets import device_names

    for name in device_names():
        laser = Laser.from_device(name)
        assert laser.ablative_given, name
    assert Laser.from_device("fraxel_1550").ablative is False
    assert Laser.from_device("co2_full_field").ablative is True and Laser.from_device("er_yag_2940").ablative


@pytest.mark.parametrize(("wavelength", "fluence"), [("10600 nm", "12 J/cm^2"), ("2940 nm", "10 J/cm^2")])
def test_the_qa_scenarios_without_the_flag_make_a_crater(tmp_path, wavelength, fluence):
    """QA3 item 2: /tmp/qa3/co2_noflag.toml (CO2 8 J/cm², 1 ms, 3 mm) and er_noflag.toml (Er:YAG 10 J/cm²)
    without ``ablative``. Before: crater 0.0 µm (CO2: epidermis 296 °C, "blister"; Er:YAG: 371 °C); now the
    ablation stage runs: CO2 25 µm, Er:YAG 50 µm, and nothing is noted. CO2 at 12 J/cm² since the removal enthalpy of
    QA7 #2 (8 J/cm² removes ≈ 10 µm there, the stratum corneum only: no necrosis of the viable epidermis to read)."""
    path = tmp_path / "scenario.toml"
    path.write_text(QA_SCENARIO.format(wavelength=wavelength, fluence=fluence, flag=""))
    with warnings.catch_warnings():
        warnings.simplefilter("error", AblativeSettingWarning)
        s = Simulation.from_scenario(load_scenario(path), progress=None).run().summary
    assert s["crater_depth_um"] > 10.0
    assert s["ablation_regime"] != "none (intact surface)" and "ablative" in s["thermal_model_reason"]
    assert s["epidermal_injury"] == "necrosis" and "ablative_note" not in s


def test_an_explicit_false_at_an_ablative_setting_is_stated(tmp_path):
    """The CO2 QA scenario with ``ablative = false``: simulated drying in place (no crater), and the summary,
    a Python warning and the CLI's stderr say that the setting vaporises tissue, naming the field."""
    path = tmp_path / "scenario.toml"
    path.write_text(QA_SCENARIO.format(wavelength="10600 nm", fluence="8 J/cm^2", flag="ablative = false"))
    with pytest.warns(AblativeSettingWarning, match="laser.ablative = false"):
        s = Simulation.from_scenario(load_scenario(path), progress=None).run().summary
    assert s["crater_depth_um"] == 0.0
    assert "laser.ablative = false" in s["ablative_note"] and "vaporises tissue" in s["ablative_note"]
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: laser.ablative = false" in result.stderr
    assert "laser.ablative = false" in json.loads(result.stdout)["ablative_note"]


def test_an_explicit_false_below_vaporisation_is_not_noted():
    """CO2 at 0.5 J/cm² with ablative = false stays wet: no note."""
    laser = Laser(
        wavelength="10600 nm", fluence="0.5 J/cm^2", pulse_duration="1 ms", spot_diameter="3 mm", ablative=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", AblativeSettingWarning)
        s = Simulation(person(), laser, settings=SimulationSettings(photons=2000, seed=1), progress=None).run().summary
    assert "ablative_note" not in s


def test_an_unset_flag_stays_non_ablative_where_the_tissue_scatters_too_much():
    """Tm 1940 nm: water absorbs 124 /cm (the rule allows ``ablative = true``), but skin scatters more than
    the ablation stage allows (μa ≈ 90 /cm < 20 μs′ ≈ 200 /cm): unset, it runs the Monte Carlo path without
    tissue removal, as clinical Tm fractional lasers are non-ablative (an explicit true is refused there)."""
    laser = Laser(wavelength="1940 nm", fluence="2 J/cm^2", pulse_duration="1 ms", spot_diameter="3 mm")
    assert laser.ablative
    simulation = Simulation(person(), laser, settings=SimulationSettings(photons=2000, seed=1), progress=None)
    assert simulation.laser.ablative is False and not simulation.laser.ablative_given
    s = simulation.run().summary
    assert s["crater_depth_um"] == 0.0 and s["photons"] == 2000


def test_dermal_depth_below_the_floor_ignores_epidermal_cells():
    """Synthetic axis: Ω ≥ 1 only in epidermal cells below the floor → 0; a coagulated dermal cell → the depth
    of its bottom edge (its neighbour below is Ω = 0) below the floor."""
    from laserskin.pipeline.summary import dermal_depth_below_m as _dermal_depth_below_m

    edges = np.arange(0.0, 201e-6, 10e-6)  # 20 cells of 10 µm
    grid = RZGrid(r_edges_m=np.array([0.0, 50e-6]), z_edges_m=edges)
    z = grid.z_centers_m
    dermis = (z > 60e-6) & (z < 180e-6)  # junction at 60 µm
    omega = np.zeros((1, z.size))
    omega[0, 2:6] = 5.0  # 20-60 µm: epidermis
    assert _dermal_depth_below_m(omega, grid, 20e-6, dermis) == 0.0
    omega[0, 6:8] = 5.0  # 60-80 µm: dermis
    assert _dermal_depth_below_m(omega, grid, 20e-6, dermis) == pytest.approx(60e-6)
