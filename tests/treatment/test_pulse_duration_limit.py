"""QA5 finding 21: an explicit ``pulse_duration`` has an upper bound (60 s).

Before: ``pulse_duration = "1 day"`` (a unit slip for "1 ms") ran, echoed "8.64e+07 ms", exit 0, no note. The
longest preset pulse is Titan's 10 s; now anything above 60 s is refused with the standard message naming
``laser.pulse_duration``, the value and the range.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError
from laserskin.treatment.laser import MAX_PULSE_DURATION_S, Laser

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
