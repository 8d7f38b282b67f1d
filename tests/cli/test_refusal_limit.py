"""``laserskin simulate`` restates a burning setting's refusal with the real limit of its field (QA4 #5).

The search itself is tested in tests/pipeline/test_setting_limit.py; here the wiring: the CLI hands the refusal and
its simulation to :func:`laserskin.pipeline.setting_limit.refusal_with_limit` and prints what that returns (one
line, exit 2), with a note on stderr while it runs. Both are stand-ins, so no simulation runs.
"""

from __future__ import annotations

from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError

SCENARIO = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"

[laser]
wavelength = "1450 nm"
fluence = "900 J/cm^2"
pulse_duration = "100 ms"
spot_diameter = "6 mm"
"""


def test_the_cli_prints_the_refusal_with_the_limit_found(tmp_path, monkeypatch):
    from laserskin.pipeline import setting_limit
    from laserskin.pipeline.simulation import Simulation

    def burns(self, **_):
        refusal = InputError("laser.fluence", "900 J/cm^2", "a setting that keeps the tissue below 1000 degC")
        refusal.burnt_tissue, refusal.delivered_share = True, 0.012
        raise refusal

    seen = []

    def restate(simulation, refusal):
        seen.append((simulation.laser.fluence_J_per_m2, refusal.delivered_share))
        return InputError("laser.fluence", "900 J/cm^2", "the limit found, 299 J/cm^2 or less")

    monkeypatch.setattr(Simulation, "run", burns)
    monkeypatch.setattr(setting_limit, "refusal_with_limit", restate)
    path = tmp_path / "burns.toml"
    path.write_text(SCENARIO)
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 2
    assert seen == [(900e4, 0.012)]
    assert "laser.fluence: got '900 J/cm^2'; expected the limit found, 299 J/cm^2 or less" in result.output
    assert "finding the limit" in result.output  # the note (stderr) while the runs go
