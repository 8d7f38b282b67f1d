"""A setting that would burn the tissue is refused, never reported as thousands of degrees (issue 9 item 6)."""

import re

import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import MAX_TISSUE_TEMPERATURE_C, Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

PERSON = Person(age=52, sex="female", fitzpatrick="III", site="cheek")
SETTINGS = SimulationSettings(photons=5_000, seed=3)  # noisy on purpose: the solver stops at the ceiling


def _laser(fluence):
    return Laser(wavelength="1450 nm", fluence=fluence, pulse_duration="200 ms", spot_diameter="6 mm")


def test_a_burning_fluence_is_refused_naming_the_field_and_the_temperature():
    with pytest.raises(InputError) as info:
        Simulation(PERSON, _laser("1000 J/cm^2"), settings=SETTINGS).run()
    message = str(info.value)
    assert info.value.field == "laser.fluence" and "1000 J/cm^2" in message
    assert f"below {MAX_TISSUE_TEMPERATURE_C:g} degC" in message and "charred" in message


def test_a_boiling_but_physical_setting_still_runs():
    summary = Simulation(PERSON, _laser("40 J/cm^2"), settings=SETTINGS).run().summary
    assert summary["thermal_model"] == "nonlinear"
    assert 100.0 <= summary["peak_temperature_C"] <= MAX_TISSUE_TEMPERATURE_C


def test_the_refusal_names_an_allowed_value_of_the_field():
    """QA3 item 18: the refusal names a value of the refused field, measured by the refused run (the energy it
    had delivered when the tissue reached the ceiling), and that value is indeed allowed. Before: only the
    temperature ("keeps the tissue below 1000 degC: this one heats it to 5103 degC")."""
    with pytest.raises(InputError) as info:
        Simulation(PERSON, _laser("1000 J/cm^2"), settings=SETTINGS).run()
    found = re.search(
        r"the limit is at least ([0-9.]+) J/cm\^2 \(a lower bound only", str(info.value)
    )  # QA4 #5: said as a bound
    assert found, str(info.value)
    allowed = float(found.group(1))
    assert 1.0 < allowed < 1000.0
    summary = Simulation(PERSON, _laser(f"{allowed} J/cm^2"), settings=SETTINGS).run().summary
    assert summary["peak_temperature_C"] <= MAX_TISSUE_TEMPERATURE_C
