"""QA4 finding 3: a non-ablative run past the pyrolysis temperature says so (``pyrolysis_note``, a warning line).

Before: Fraxel 1550 nm 70 mJ (peak 706 °C) and 1064 nm 100 J/cm² 30 ms (724 °C) exited 0 with no note: a
non-removal run (``material_removal = false``) never chars or removes dried tissue above the phase-change data's
pyrolysis temperature (300 °C; Vogel & Venugopalan 2003), so such numbers are outside the model. Now the summary
carries ``pyrolysis_note`` (tissue passed 300 °C, how hot, how deep), the library warns (``PyrolysisWarning``, a
kind of ``AblativeSettingWarning``) and ``simulate`` prints it as one ``warning:`` line. The cases below drive the
non-linear stage with a fixed source (a one-column 1064 nm spot, energy decaying over 300 µm) to stay fast.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import AblativeSettingWarning, PyrolysisWarning, run_nonlinear
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

SCENARIO = """
[person]
age = 40
sex = "female"
fitzpatrick = "VI"
site = "cheek"

[laser]
wavelength = "1064 nm"
fluence = "100 J/cm^2"
pulse_duration = "30 ms"
spot_diameter = "10 mm"
profile = "flat_top"

[cooling]
kind = "none"
"""


def _run(simulation, source_scale_per_m3: float):
    grid = RZGrid.uniform(nr=1, dr_m=5e-3, nz=80, dz_m=10e-6)
    source = source_scale_per_m3 * np.exp(-grid.z_centers_m / 300e-6)[None, :]
    return run_nonlinear(simulation, reason="test", source_per_J=source, grid=grid)


def _simulation():
    laser = Laser(wavelength="1064 nm", fluence="100 J/cm^2", pulse_duration="30 ms", spot_diameter="10 mm")
    return Simulation(
        Person(age=40, sex="female", fitzpatrick="VI", site="cheek"), laser, {"kind": "none"}, progress=None
    )


def test_a_non_ablative_run_past_the_pyrolysis_temperature_is_noted():
    """Source 4e7 /m³ per J: ~600 °C at the top of the living epidermis (no note before); 3e7: 222 °C, no note."""
    with pytest.warns(PyrolysisWarning, match="pyrolysis temperature"):
        s = _run(_simulation(), 4e7).summary
    assert 300.0 < s["peak_temperature_C"] < 1000.0 and s["crater_depth_um"] == 0.0
    note = s["pyrolysis_note"]
    assert f"peak {s['peak_temperature_C']:.0f} degC" in note and "300 degC" in note and "charred" in note
    assert "ablative_note" not in s
    assert issubclass(PyrolysisWarning, AblativeSettingWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AblativeSettingWarning)
        cool = _run(_simulation(), 3e7).summary
    assert 100.0 < cool["peak_temperature_C"] < 300.0 and "pyrolysis_note" not in cool


def test_simulate_prints_the_pyrolysis_note_once(tmp_path, monkeypatch):
    """The CLI: exit 0, the note in the JSON and one ``warning:`` line on stderr (no Python warning text)."""
    monkeypatch.setattr(Simulation, "run", lambda self, **_: _run(self, 4e7))
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO)
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "pyrolysis temperature" in line]
    assert len(lines) == 1 and lines[0].startswith("warning: tissue passed the pyrolysis temperature")
    assert "PyrolysisWarning" not in result.stderr
    assert json.loads(result.stdout)["pyrolysis_note"] in lines[0]
