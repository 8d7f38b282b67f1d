"""The plan's ``settings`` state every laser setting the simulation used (QA7 #4).

The default plan (cooltouch_1320) was simulated and timed with 3 pulses stacked per spot at 2 Hz, but its
``settings`` (and the terminal table, report.html) said one pulse of 14.2 J/cm²: the blister margin and the
outcome belong to the triple. The list of what a clinician sets is derived from the fields of the
:class:`~laserskin.treatment.laser.Laser` model, so a field added later fails here until the plan states it
(or this file says why it is not a setting of the plan).
"""

from types import SimpleNamespace

import pytest

from laserskin.planning.plan import _settings
from laserskin.treatment.devices import list_devices, load_device
from laserskin.treatment.laser import FractionalSpec, Laser

#: Each Laser field -> the ``settings`` key(s) that state it; ``None``: stated elsewhere in the plan (why).
LASER_FIELDS = {
    "wavelength_m": ("wavelength_nm",),
    "spectrum": ("wavelength_nm", "wavelength_band_nm"),  # the centroid and the band (test_planning_plan.py)
    "fluence_J_per_m2": ("fluence_J_per_cm2",),
    "pulse_energy_J": ("pulse_energy_mJ",),
    "pulse_duration_s": ("pulse_duration_ms",),
    "spot_diameter_m": ("spot_diameter_mm",),
    "spot_fwhm_m": ("spot_diameter_mm",),  # an input alternative, converted to the 1/e² diameter
    "profile": ("profile",),
    "repetition_rate_Hz": ("repetition_rate_Hz",),
    "pulses": ("pulses_per_spot", "fluence_per_spot_J_per_cm2"),
    "fractional": ("microbeam_diameter_um", "coverage_percent"),
    "device": None,  # the plan's top-level ``device``
    "ablative": None,  # follows from the device (the plan's ``modality``), not a knob on the laser
}
#: Each FractionalSpec field -> the ``settings`` key that states it (coverage and MTZ density determine each
#: other through the micro-beam diameter).
FRACTIONAL_FIELDS = {
    "microbeam_diameter_m": "microbeam_diameter_um",
    "coverage": "coverage_percent",
    "mtz_per_m2": "coverage_percent",
}


def _plan_settings(laser, passes=1):
    return _settings(
        SimpleNamespace(laser=laser, passes=passes, binding="test", safe_energy_J=None, target_energy_J=None)
    )


def test_every_laser_field_has_its_settings_key():
    assert set(Laser.model_fields) == set(LASER_FIELDS), "a Laser field is not stated in the plan's settings"
    assert set(FractionalSpec.model_fields) == set(FRACTIONAL_FIELDS)


@pytest.mark.parametrize("device", [preset.name for preset in list_devices()])
def test_the_plan_settings_state_what_was_simulated(device):
    laser = load_device(device).laser()
    settings = _plan_settings(laser)
    for field, keys in LASER_FIELDS.items():
        if keys is None or getattr(laser, field) is None:
            continue
        for key in keys:
            if key == "wavelength_band_nm" and laser.spectrum is None:
                continue
            assert settings.get(key) is not None, f"{device}: {field} is simulated but settings has no {key}"
    if laser.is_fractional:
        for field, key in FRACTIONAL_FIELDS.items():
            assert settings.get(key) is not None, f"{device}: fractional.{field} is simulated but settings has no {key}"
    assert settings["pulses_per_spot"] == laser.pulses
    assert settings["fluence_per_spot_J_per_cm2"] == pytest.approx(laser.pulses * settings["fluence_J_per_cm2"])
    assert settings["repetition_rate_Hz"] == laser.repetition_rate_Hz


def test_the_1320_triple_is_in_the_settings_and_the_reason():
    """QA7 #4: 3 pulses at 2 Hz per spot (the preset's stacking in session 9); 3 × 14.22 = 42.66 J/cm² per spot."""
    from laserskin.planning.plan import _stacked_pulses

    laser = load_device("cooltouch_1320").laser(fluence="14.22 J/cm^2", pulses=3, repetition_rate="2 Hz")
    settings = _plan_settings(laser)
    assert settings["pulses_per_spot"] == 3 and settings["repetition_rate_Hz"] == 2.0
    assert settings["fluence_per_spot_J_per_cm2"] == pytest.approx(42.66)
    assert _stacked_pulses(laser) == " of 3 pulses stacked per spot at 2 Hz (42.7 J/cm^2 per spot)"
    assert _stacked_pulses(load_device("cooltouch_1320").laser(pulses=1)) == ""


def test_a_sweep_of_plans_keeps_the_pulse_keys_with_their_units():
    """sweep/variables.py flattens ``settings``: the new keys become variables with their units."""
    from laserskin.sweep.variables import case_variables

    settings = _plan_settings(load_device("genesis_1064").laser(pulses=5))
    variables = case_variables({"settings": settings})
    assert variables["settings_pulses_per_spot"].value == 5.0
    assert variables["settings_fluence_per_spot_J_per_cm2"].units == "J/cm^2"
