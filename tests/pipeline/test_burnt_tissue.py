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


def test_the_library_refusal_of_a_forced_non_ablative_co2_pulse_names_the_flag_and_its_fix():
    """QA15 #5 through the library API (what the planner and sweeps call): 10600 nm 40 J/cm² 1 ms with
    ``ablative = false`` burns (the tissue CO2 vaporises is simulated drying in place), while with ``ablative``
    unset the same setting runs as ablative. ``laserskin simulate`` and the web named ``laser.ablative`` and its fix;
    ``Simulation.run`` said ``laser.fluence`` only. Both now word it with one helper
    (``pipeline.simulation.burnt_tissue_refusal``), the library with the refused run's bound."""
    co2 = dict(wavelength="10600 nm", fluence="40 J/cm^2", pulse_duration="1 ms", spot_diameter="2 mm")
    with pytest.raises(InputError) as info:
        Simulation(PERSON, Laser(**co2, ablative=False), settings=SETTINGS, progress=None).run()
    refusal = info.value
    message = str(refusal)
    assert refusal.field == "laser.ablative" and refusal.burnt_tissue
    assert message.startswith("laser.ablative: got false; expected unset (or true) at 10600 nm with fluence 40 J/cm^2")
    assert "Leave laser.ablative unset (or set it to true)" in message
    bound = re.search(
        r"keep ablative = false with a lower fluence: a setting that keeps the tissue below 1000 degC; the limit is at "
        r"least ([0-9.]+) J/cm\^2 \(a lower bound only",
        message,
    )
    assert bound and 0.0 < float(bound.group(1)) < 40.0, message
    # the fix it names runs: unset, the model runs the setting as ablative (a crater, below the ceiling)
    summary = Simulation(PERSON, Laser(**co2), settings=SETTINGS, progress=None).run().summary
    assert summary["crater_depth_um"] > 0 and summary["peak_temperature_C"] <= MAX_TISSUE_TEMPERATURE_C
