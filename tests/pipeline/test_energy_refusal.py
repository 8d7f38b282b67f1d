"""A refusal caused by the pulse energy names ``laser.pulse_energy`` and the value typed (QA8 #3).

Before, 1 J into a 100 µm gaussian spot at 1550 nm said "laser.fluence: got '12732.4 J/cm^2'; expected a peak
fluence of one pulse <= 1000 J/cm^2 (... 25464.8 J/cm^2 here)": a field and a (mean) value the user never typed,
so the web's 422 pointed at ``body.laser.fluence``. Now the refusal names the field given, its value as typed and
its limit at this spot (the energy whose peak fluence reaches the limit: ``E_max = F_max π w² / 2`` for a gaussian
beam, ``F_max π d² / 4`` flat-top), with the derived peak fluence as the reason. Exact arithmetic, no statistics.
"""

from __future__ import annotations

import math

import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.ablative import MAX_MICROBEAM_FLUENCE_J_PER_M2, peak_fluence_refusal, refused_setting
from laserskin.pipeline.setting_limit import _value, _with_value
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

PERSON = Person(age=52, sex="female", fitzpatrick="III", site="cheek")


def _er_yag(**energy):
    return Laser(wavelength="2940 nm", pulse_duration="250 us", spot_diameter="1 mm", **energy)


def test_an_er_yag_pulse_energy_over_the_limit_is_refused_on_the_field_given():
    # 10 J into 1 mm flat-top: 1273.24 J/cm^2; the limit 1000 J/cm^2 x pi (0.5 mm)^2 = 7.854 J
    with pytest.raises(InputError) as refused:
        Simulation(PERSON, _er_yag(pulse_energy="10 J")).run()
    assert refused.value.field == "laser.pulse_energy"
    line = str(refused.value)
    assert line.startswith("laser.pulse_energy: got '10 J'; expected a pulse energy <= 7.85 J into this 1 mm")
    assert "1273.24 J/cm^2" in line and "12732" not in line


def test_a_gaussian_spot_states_the_energy_that_reaches_the_peak_limit():
    laser = Laser(
        wavelength="1550 nm", pulse_energy="1 J", pulse_duration="3 ms", spot_diameter="100 um", profile="gaussian"
    )
    # a 100 um spot is a narrow beam: the micro-beams' limit (2000 J/cm^2; 1000 before the limits were one rule)
    limit_J = MAX_MICROBEAM_FLUENCE_J_PER_M2 * math.pi * (50e-6) ** 2 / 2.0  # 78.54 mJ
    error = peak_fluence_refusal(laser, laser.peak_fluence_J_per_m2)
    assert error.field == "laser.pulse_energy" and error.value == "1 J"
    assert f"a pulse energy <= {limit_J * 1e3:.3g} mJ into this 100 um gaussian spot" in error.allowed
    assert "is 25464.8 J/cm^2" in error.allowed


def test_a_fluence_given_is_still_named_as_the_fluence():
    laser = _er_yag(fluence="5000 J/cm^2")
    assert refused_setting(laser) == ("laser.fluence", "5000 J/cm^2")
    assert peak_fluence_refusal(laser, laser.peak_fluence_J_per_m2).allowed.startswith("a fluence <= 1000 J/cm^2")


def test_the_burnt_tissue_limit_search_scales_the_pulse_energy_given():
    laser = Laser(wavelength="1450 nm", pulse_energy="2 J", pulse_duration="100 ms", spot_diameter="6 mm")
    assert refused_setting(laser) == ("laser.pulse_energy", "2 J")
    assert _value(laser) == pytest.approx(2.0)
    scaled = _with_value(laser, 0.5)
    assert scaled.energy_setting == "pulse_energy" and scaled.pulse_energy_J == pytest.approx(0.5)
