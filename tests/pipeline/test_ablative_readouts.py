"""QA15 #7, #8, #9: what the ablative path's read-outs say.

#8: Er:YAG 25 J/cm², 500 µs, 3 mm Gaussian, 3 pulses × 2 passes on a type VI male forehead cuts a 1573 µm crater
(65 % of its 2298 µm dermis) with a 44 µm Henriques band under it; ``dermal_injury_fraction`` read 0.055 = 44 / 802
µm, the band over the dermis *left* under the crater. Now the removed dermis counts as lost: (removed + band) /
dermis = 0.67, from the depth keys themselves (``crater_depth_um``, ``dermal_injury_depth_um``).

#7: that run's peak is the 300 °C pyrolysis temperature; the note cited the CO2 surface measurements (Choi et al.
1999) as if they were Er:YAG's. Now the evidence is the wavelength's.

#9: the linear reason said "constant properties, the linear response is exact"; it now says what the check covers
(boiling, drying, removal) and what it does not (coagulated dermis scattering more, not modelled).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from laserskin.core.constants import CELSIUS_K
from laserskin.damage.injury import FULL_THICKNESS_DERMIS_FRACTION
from laserskin.pipeline.ablative import _removal_peak_note, needs_nonlinear
from laserskin.pipeline.scenario import load_scenario
from laserskin.pipeline.simulation import Simulation

SCENARIO = """
[person]
age = 30
sex = "male"
fitzpatrick = "VI"
site = "forehead"

[laser]
wavelength = "2940 nm"
fluence = "25 J/cm^2"
pulse_duration = "500 us"
spot_fwhm = "3 mm"
profile = "gaussian"
pulses = 3
repetition_rate = "5 Hz"
ablative = true

[protocol]
passes = 2
pass_interval = "20 s"
"""

PARAMETERS = SimpleNamespace(
    boiling_temperature_K=100.0 + CELSIUS_K,
    pyrolysis_temperature_K=300.0 + CELSIUS_K,
    spinodal_temperature_K=305.0 + CELSIUS_K,
    regime="steady_state",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("qa15") / "er_yag_deep.toml"
    path.write_text(SCENARIO)
    simulation = Simulation.from_scenario(load_scenario(path), progress=None)
    return simulation.geometry(), simulation.run(grid_warning=False).summary


def test_the_dermal_share_counts_the_crater_as_lost(run):
    geometry, s = run
    top_um, bottom_um = geometry.junction_depth_m * 1e6, geometry.dermis_bottom_m * 1e6
    crater = s["crater_depth_um"]
    band_top, band_bottom = s["dermal_injury_depth_um"]
    assert top_um < crater < bottom_um and band_top >= crater - 1e-9  # the band lies below the floor
    expected = (crater - top_um + band_bottom - band_top) / (bottom_um - top_um)
    assert s["dermal_injury_fraction"] == pytest.approx(expected, rel=1e-9)
    assert 0.6 < s["dermal_injury_fraction"] < FULL_THICKNESS_DERMIS_FRACTION  # 0.67 (was 0.055)
    assert s["dermal_injury"] == "partial thickness"


def test_an_er_yag_pyrolysis_peak_is_not_read_as_a_measured_co2_surface(run):
    _, s = run
    assert s["peak_temperature_C"] == 300.0
    note = s["peak_temperature_note"]
    assert "cap on dried matrix" in note and "neither computed nor measured" in note and "2940 nm" in note
    assert "measured on CO2 resurfacing scans" in note  # the 400 degC is named as CO2's, not this run's
    assert "surfaces of CO2 resurfacing scans were measured approaching" not in note


@pytest.mark.parametrize("wavelength_m", [10.6e-6, 9.3e-6])
def test_a_co2_peak_note_keeps_the_measured_surfaces(wavelength_m):
    note = _removal_peak_note(300.0 + CELSIUS_K, PARAMETERS, wavelength_m)
    assert "surfaces of CO2 resurfacing scans were measured approaching 400 degC (Choi et al. 1999)" in note


@pytest.mark.parametrize("wavelength_m", [2.94e-6, 2.79e-6, None])
def test_any_other_wavelength_has_no_measured_surface(wavelength_m):
    for held_C in (300.0, 100.0):
        note = _removal_peak_note(held_C + CELSIUS_K, PARAMETERS, wavelength_m)
        assert "neither computed nor measured" in note and "were measured approaching" not in note


def test_the_linear_reason_says_what_the_check_does_not_cover():
    need, reason = needs_nonlinear(70.0 + CELSIUS_K)
    assert not need
    assert "exact" not in reason and "constant properties" not in reason
    assert "peak 70.0 °C below the onset of vaporisation (100 °C)" in reason
    assert "coagulated dermis scattering more is not modelled" in reason
