"""``laserskin simulate`` refuses an energy or a pulse duration on the field the user gave (QA8 #3, #8).

One line, exit 2, naming ``laser.pulse_energy`` and the value typed (before: ``laser.fluence`` and a derived mean
fluence), or ``laser.pulse_duration`` below 10 ns (before: 1 ps ran, exit 0). Er:YAG is refused before any heat
solve, so nothing expensive runs.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from laserskin.cli import app

SCENARIO = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"

[laser]
wavelength = "2940 nm"
{energy}
pulse_duration = "{duration}"
spot_diameter = "1 mm"
"""


@pytest.mark.parametrize(
    ("energy", "duration", "line"),
    [
        (
            'pulse_energy = "10 J"',
            "250 us",
            "error: laser.pulse_energy: got '10 J'; expected a pulse energy <= 7.85 J into this 1 mm flat-top spot",
        ),
        (
            'fluence = "10 J/cm^2"',
            "1 ps",
            "error: laser.pulse_duration: got '1 ps' (0.001 ns); expected a duration from 10 ns to 60 s",
        ),
    ],
)
def test_the_refusal_names_the_field_and_value_given(tmp_path, energy, duration, line):
    path = tmp_path / "refused.toml"
    path.write_text(SCENARIO.format(energy=energy, duration=duration))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["simulate", str(path), "--json", "--out", str(out)])
    assert result.exit_code == 2
    assert line in result.output
    assert "laser.fluence" not in result.output and "Traceback" not in result.output
    assert not out.exists()
