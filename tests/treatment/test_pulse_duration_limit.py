"""An explicit ``pulse_duration`` has an upper bound (60 s) and a lower bound (10 ns).

Before: ``pulse_duration = "1 day"`` (a unit slip for "1 ms") ran, echoed "8.64e+07 ms", exit 0, no note. The
longest preset pulse is Titan's 10 s; now anything above 60 s is refused with the standard message naming
``laser.pulse_duration``, the value and the range.

Pulses shorter than the thermal models' regime are refused too. A 1 ps Er:YAG pulse at 10 J/cm² is 1e13 W/cm²,
plasma-mediated ablation (Vogel & Venugopalan 2003, Chem Rev 103:577), which the heat/boiling/blow-off models do not
describe; it was simulated silently (crater 23 µm, exit 0). The lower bound is
:data:`laserskin.treatment.laser.MIN_PULSE_DURATION_S` (10 ns, reasons in its comment); issue 9's shortest published
setting, Q-switched Er:YAG at 90 ns, stays inside. No simulation runs here.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.treatment.laser import MAX_PULSE_DURATION_S, MIN_PULSE_DURATION_S, Laser
from laserskin.treatment.presets import device_names, preset_data

FIELDS = {"wavelength": "1450 nm", "fluence": "10 J/cm^2", "spot_diameter": "6 mm"}


def test_a_pulse_longer_than_a_minute_is_refused():
    assert MAX_PULSE_DURATION_S == 60.0
    assert Laser.from_config({**FIELDS, "pulse_duration": "60 s"}).pulse_duration_s == 60.0
    assert Laser.from_config({"device": "titan_ir"}).pulse_duration_s <= MAX_PULSE_DURATION_S
    with pytest.raises((InputError, ValueError), match="at most 60000 ms"):
        Laser.from_config({**FIELDS, "pulse_duration": "1 day"})


def test_simulate_refuses_a_one_day_pulse_in_one_line(tmp_path):
    path = tmp_path / "day.toml"
    path.write_text(
        '[person]\nage = 52\nsex = "female"\nfitzpatrick = "III"\nsite = "cheek"\n'
        '[laser]\nwavelength = "1450 nm"\npulse_duration = "1 day"\nspot_diameter = "6 mm"\nfluence = "10 J/cm^2"\n'
    )
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "error: laser.pulse_duration: got '1 day' (8.64e+07 ms); expected more than 0 ms and at most 60000 ms"
    )


PERSON = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"}


def _er_yag(duration: str) -> dict:
    return {
        "person": PERSON,
        "laser": {
            "wavelength": "2940 nm",
            "fluence": "10 J/cm^2",
            "pulse_duration": duration,
            "spot_diameter": "5 mm",
            "ablative": True,
        },
    }


@pytest.mark.parametrize("duration", ["1 ps", "9 ns", "0.001 us"])
def test_a_pulse_shorter_than_the_thermal_regime_is_refused_naming_field_value_and_range(duration):
    with pytest.raises(InputError) as refused:
        scenario_from_dict(_er_yag(duration)).laser_model()
    line = str(refused.value)
    assert line.startswith(
        f"laser.pulse_duration: got '{duration}'"
    )  # as typed (session 14), then in ns if typed otherwise
    assert "; expected a duration from 10 ns to 60 s" in line
    assert "Vogel & Venugopalan 2003" in line


@pytest.mark.parametrize("duration", ["10 ns", "90 ns", "10 ms"])
def test_issue_9s_er_yag_range_stays_accepted(duration):
    laser = scenario_from_dict(_er_yag(duration)).laser_model()
    assert isinstance(laser, Laser)


def test_no_device_preset_goes_below_the_bound():
    for name in device_names():
        preset = preset_data(name)
        pair = preset.ranges.pulse_duration_s
        shortest = min(pair) if pair is not None else preset.laser().pulse_duration_s
        assert shortest >= MIN_PULSE_DURATION_S, name
