"""QA9 #7b, #8, #9 at the command line: what ``laserskin simulate`` prints for a too-deep Er:YAG pulse count, a
blow-off peak at the spinodal and a burning setting's limit (``error: FIELD: got '...'; expected ...`` kept)."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError

ER_YAG = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"
[laser]
wavelength = "2940 nm"
fluence = "10 J/cm^2"
pulse_duration = "{duration}"
spot_diameter = "5 mm"
profile = "flat_top"
ablative = true
{extra}
[protocol]
passes = 1
"""

HOT = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"
[laser]
wavelength = "1450 nm"
fluence = "900 J/cm^2"
pulse_duration = "1 ms"
spot_diameter = "6 mm"
[cooling]
kind = "none"
"""


def _simulate(tmp_path, text: str, *args: str):
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    return CliRunner().invoke(app, ["simulate", str(path), "--json", *args])


def test_ten_thousand_er_yag_pulses_are_refused_by_count_before_any_heat_solve(tmp_path, monkeypatch):
    """QA9 #7b: the refusal named laser.fluence, after 28 s (60 pulses) or minutes (10 000 pulses)."""
    from laserskin.thermal import enthalpy

    def no_solve(*_, **__):
        raise AssertionError("the heat solve ran")

    monkeypatch.setattr(enthalpy, "solve_enthalpy", no_solve)
    result = _simulate(
        tmp_path,
        ER_YAG.format(duration="0.25 ms", extra='pulses = 10000\nrepetition_rate = "10 Hz"'),
        "--photons",
        "1000",
    )
    assert result.exit_code == 2
    assert re.search(r"error: laser\.pulses: got '10000'; expected at most \d+ pulses at 10 J/cm\^2", result.output)


def test_a_blow_off_peak_at_the_spinodal_is_noted_on_stderr_and_in_the_json(tmp_path):
    """QA9 #8: 90 ns Er:YAG read 305.0 degC, a parameter, with no note (the 250 us run at 300 degC had one)."""
    import json

    result = _simulate(tmp_path, ER_YAG.format(duration="90 ns", extra=""), "--photons", "1000")
    assert result.exit_code == 0, result.output
    assert "note: peak 305 degC is the limit of superheat (spinodal" in result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    summary = summary.get("summary", summary)
    assert summary["peak_temperature_C"] == 305.0 and "spinodal" in summary["peak_temperature_note"]


def test_the_burn_limit_quotes_the_hottest_cell_on_both_sides(tmp_path, monkeypatch):
    """QA9 #9: '186 J/cm^2, which runs at a peak of 219 degC' was the pooled peak, the limit the hottest cell's.
    The runs are stand-ins (a hottest cell that reaches 1000 degC at 190 J/cm^2), the search and message real."""
    from laserskin.pipeline.simulation import Simulation

    def run(self, **_):
        fluence = float(self.laser.fluence_J_per_m2)
        if fluence > 190e4:
            refusal = InputError(
                "laser.fluence",
                "900 J/cm^2",
                "a setting that keeps the tissue below 1000 degC: this one heats it past 1000 degC, where it "
                "would have charred and burnt (no carbonisation or combustion in this model)",
            )
            refusal.burnt_tissue, refusal.delivered_share = True, 0.05
            raise refusal
        cell = 1000.0 * fluence / 190e4
        summary = {"thermal_model": "nonlinear", "peak_temperature_C": 0.23 * cell, "peak_cell_temperature_C": cell}
        summary["photons"] = self.settings.photons
        return type("Result", (), {"summary": summary})()

    monkeypatch.setattr(Simulation, "run", run)
    result = _simulate(tmp_path, HOT, "--photons", "2000", "--seed", "3")
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if line.startswith("error:"))
    assert line.startswith("error: laser.fluence: got '900 J/cm^2'; expected a setting that keeps the tissue below")
    assert re.search(r"whose hottest cell peaks at 9\d\d degC, and [0-9.]+ J/cm\^2, which burns \(its hottest", line)
    assert "runs at a peak of" not in line
    assert "at its 2000 photons and seed 3" in line and "approximate at this photon count" in line
