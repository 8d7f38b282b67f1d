"""QA5 finding 25: cooling that freezes living tissue says so (``freezing_note``, a ``warning:`` line).

Before: a 500 ms cryogen spurt (``spurt_duration`` accepts up to 1 s) took the epidermis to −22 °C and the
papillary dermis below 0 °C and the run read "epidermal injury none" with no note. The model has no latent heat
of freezing (334 J/g) and no cold injury; tissue water freezes from about −0.5 °C (Gage & Baust 1998). Now the
summary carries ``freezing_note`` and ``simulate`` prints it once as a ``warning:`` line (like ``pyrolysis_note``).
"""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.constants import CELSIUS_K
from laserskin.thermal.cooling import TISSUE_FREEZING_POINT_K, freezing_note

SCENARIO = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"
[laser]
wavelength = "1450 nm"
pulse_duration = "210 ms"
spot_diameter = "6 mm"
fluence = "1e-3 J/cm^2"
[cooling]
kind = "cryogen"
spurt_duration = "500 ms"
delay = "0 ms"
[transport]
photons = 2000
seed = 1
"""


def test_freezing_note_reads_living_tissue_below_the_freezing_point():
    """The note names the coldest living cell and how deep tissue froze; the stratum corneum is left out."""
    z_edges = np.arange(0.0, 101e-6, 10e-6)
    z = 0.5 * (z_edges[1:] + z_edges[:-1])
    coldest = np.full((2, z.size), CELSIUS_K + 20.0)
    assert freezing_note(coldest, z, z_edges) is None
    coldest[1, 0] = CELSIUS_K - 15.0  # the corneum only: not living tissue
    assert freezing_note(coldest, z, z_edges, living_from_m=10e-6) is None
    coldest[1, 1:4] = [CELSIUS_K - 5.0, CELSIUS_K - 1.0, TISSUE_FREEZING_POINT_K + 0.1]
    note = freezing_note(coldest, z, z_edges, living_from_m=10e-6)
    assert "coldest -5.0 degC (at 15 um depth)" in note and "down to 30 um" in note
    assert "latent heat" in note and "cold injury" in note and "not assessed" in note
    assert abs(TISSUE_FREEZING_POINT_K - CELSIUS_K + 0.5) < 1e-12


def test_a_long_cryogen_spurt_is_noted_once(tmp_path):
    """The QA reproduction (photons cut to 2000: the cooling does not depend on them): −22 °C at the surface before,
    no note; now ``freezing_note`` in the JSON and one ``warning:`` line, no Python warning text."""
    path = tmp_path / "cryo.toml"
    path.write_text(SCENARIO)
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    note = json.loads(result.stdout)["freezing_note"]
    assert note.startswith("living tissue fell below the freezing point of tissue water")
    lines = [line for line in result.stderr.splitlines() if "freezing point" in line]
    assert len(lines) == 1 and lines[0] == f"warning: {note}"
    assert "FreezingWarning" not in result.stderr
