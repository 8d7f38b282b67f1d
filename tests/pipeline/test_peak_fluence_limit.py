"""One peak-fluence rule for every beam and path, checked when a Simulation is built (before any transport).

Before: only the r–z ablative stage checked the peak fluence, and only of a non-fractional spot; so 150 mJ into a
120 µm CO2 micro-beam (peak 2 E / (π w²) = 2653 J/cm²) ran and reported an 862 µm crater per pulse, the voxel path
ran any setting unchecked, and a non-ablative over-limit pulse (1 J into a 100 µm spot at 1550 nm, 1200 J/cm² at
1450 nm) was refused only after its Monte Carlo transport had run (the check sat in the non-linear stage). Now
:func:`require_peak_fluence_within_model` refuses them in ``Simulation(...)``, naming the field, the value typed and
the limit at this spot: 2000 J/cm² for a beam up to 500 µm wide (a micro-beam or a focused spot), 1000 J/cm² for a
wider one. The published clinical settings (fractional CO2 5–40 mJ, 1550 nm 5–70 mJ, Er:YAG to 80 J/cm², CO2 full
field to 20 J/cm²) are accepted. Exact arithmetic on the settings, no statistics.
"""

from __future__ import annotations

import math

import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.ablative import (
    MAX_FULL_FIELD_FLUENCE_J_PER_M2,
    MAX_MICROBEAM_FLUENCE_J_PER_M2,
    max_peak_fluence_J_per_m2,
)
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.transport.voxel_geometry import GeometrySpec
from laserskin.treatment.laser import Laser

PERSON = Person(age=52, sex="female", fitzpatrick="III", site="cheek")
VOXELS = GeometrySpec(
    kind="voxels",
    size=["0.4 mm", "0.4 mm", "1 mm"],
    voxel="10 um",
    boundary="periodic",
    lattice="square",
    spacing="400 um",
)


def test_an_over_limit_fractional_co2_micro_beam_is_refused_with_its_limit(no_transport):
    laser = Laser(
        wavelength="10600 nm",
        pulse_energy="150 mJ",
        pulse_duration="1 ms",
        spot_diameter="10 mm",
        profile="gaussian",
        ablative=True,
        fractional={"microbeam_diameter": "120 um", "density": "10 %"},
    )
    peak = 2 * 0.150 / (math.pi * 60e-6**2)  # 2652.6 J/cm^2
    assert laser.peak_fluence_J_per_m2 == pytest.approx(peak)
    limit_J = MAX_MICROBEAM_FLUENCE_J_PER_M2 * math.pi * 60e-6**2 / 2  # 113.1 mJ
    with pytest.raises(InputError) as refused:
        Simulation(PERSON, laser)  # built, not run: the refusal is part of the input check
    line = str(refused.value)
    assert refused.value.field == "laser.pulse_energy" and refused.value.value == "150 mJ"
    assert f"a pulse energy <= {limit_J * 1e3:.3g} mJ into this 120 um gaussian micro-beam" in line
    assert f"limit of {MAX_MICROBEAM_FLUENCE_J_PER_M2 * 1e-4:g} J/cm^2 for beams up to 500 um wide" in line
    assert f"is {peak * 1e-4:.6g} J/cm^2" in line


def test_the_voxel_path_refuses_the_same_micro_beam_before_its_transport(no_transport):
    laser = Laser.from_device("fraxel_1550")
    laser = Laser(**{**laser.model_dump(by_alias=True), "device": None, "pulse_energy": "200 mJ"})
    with pytest.raises(InputError) as refused:
        Simulation(PERSON, laser, voxel_geometry=VOXELS)
    assert refused.value.field == "laser.pulse_energy" and refused.value.value == "200 mJ"
    assert "100 um gaussian micro-beam" in str(refused.value)


def test_a_1550_nm_over_limit_pulse_is_refused_before_the_monte_carlo(no_transport):
    """QA8 #3's case (a 100 µm full-field spot, a narrow beam) now comes before the transport (it came after)."""
    laser = Laser(
        wavelength="1550 nm", pulse_energy="1 J", pulse_duration="3 ms", spot_diameter="100 um", profile="gaussian"
    )
    with pytest.raises(InputError) as refused:
        Simulation(PERSON, laser)
    line = str(refused.value)
    assert line.startswith("laser.pulse_energy: got '1 J'; expected a pulse energy <= 78.5 mJ into this 100 um")
    assert f"limit of {MAX_MICROBEAM_FLUENCE_J_PER_M2 * 1e-4:g} J/cm^2 for beams up to 500 um" in line
    assert "is 25464.8 J/cm^2" in line


def test_a_wide_1450_nm_spot_over_the_full_field_limit_is_refused_before_the_monte_carlo(no_transport):
    """Before: the Monte Carlo ran, then the non-linear stage refused it (same message)."""
    laser = Laser(wavelength="1450 nm", fluence="1200 J/cm^2", pulse_duration="200 ms", spot_diameter="6 mm")
    with pytest.raises(InputError) as refused:
        Simulation(PERSON, laser)
    line = str(refused.value)
    assert line.startswith("laser.fluence: got '1200 J/cm^2'; expected a fluence <= 1000 J/cm^2 into this 6 mm")
    assert f"limit of {MAX_FULL_FIELD_FLUENCE_J_PER_M2 * 1e-4:g} J/cm^2 (this setting" in line


def test_a_focused_spot_and_a_micro_beam_of_one_width_share_one_limit():
    spot = Laser(wavelength="1550 nm", pulse_energy="70 mJ", pulse_duration="1 ms", spot_diameter="120 um")
    micro = Laser.from_device("fraxel_1550", pulse_energy="70 mJ")
    assert max_peak_fluence_J_per_m2(spot) == max_peak_fluence_J_per_m2(micro) == MAX_MICROBEAM_FLUENCE_J_PER_M2
    wide = Laser.from_device("er_yag_2940")
    assert max_peak_fluence_J_per_m2(wide) == MAX_FULL_FIELD_FLUENCE_J_PER_M2


@pytest.mark.parametrize(
    ("device", "setting"),
    [
        ("co2_fractional", {"pulse_energy": "5 mJ"}),
        ("co2_fractional", {"pulse_energy": "30 mJ"}),
        ("co2_fractional", {"pulse_energy": "40 mJ"}),  # Hantash et al. 2007's top setting
        ("fraxel_1550", {"pulse_energy": "5 mJ"}),
        ("fraxel_1550", {"pulse_energy": "70 mJ"}),  # the largest published micro-beam peak, 1783 J/cm^2
        ("co2_full_field", {"fluence": "20 J/cm^2"}),
        ("er_yag_2940", {"fluence": "30 J/cm^2"}),
    ],
)
def test_published_clinical_settings_are_accepted(device, setting):
    laser = Laser.from_device(device, **setting)
    assert laser.peak_fluence_J_per_m2 <= max_peak_fluence_J_per_m2(laser)
    Simulation(PERSON, laser)  # no refusal


def test_er_yag_at_the_largest_published_experimental_fluence_is_accepted():
    # Walsh et al. 1989: up to 80 J/cm^2 (an explicit [laser] table, outside the preset's range)
    laser = Laser(wavelength="2940 nm", fluence="80 J/cm^2", pulse_duration="200 us", spot_diameter="2 mm")
    Simulation(PERSON, laser)
