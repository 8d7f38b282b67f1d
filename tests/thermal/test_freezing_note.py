"""QA5 finding 25: cooling that freezes living tissue says so (``freezing_note``, a ``warning:`` line).

Before: a 500 ms cryogen spurt (``spurt_duration`` accepts up to 1 s) took the epidermis to −22 °C and the
papillary dermis below 0 °C and the run read "epidermal injury none" with no note. The model has no latent heat
of freezing (334 J/g) and no cold injury; tissue water freezes from about −0.5 °C (Gage & Baust 1998). Now the
summary carries ``freezing_note`` and ``simulate`` prints it once as a ``warning:`` line (like ``pyrolysis_note``).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.constants import CELSIUS_K
from laserskin.pipeline.simulation import Simulation, SimulationSettings
from laserskin.skin import Person
from laserskin.thermal.cooling import TISSUE_FREEZING_POINT_K, FreezingWarning, freezing_note
from laserskin.treatment.laser import Laser

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


def test_freezing_note_reads_tissue_at_and_below_the_basal_layer():
    """The note names the coldest cell, the basal layer's temperature and how deep tissue froze; a sub-zero of the
    superficial epidermis alone (clinical spurts: the junction stays above zero, doi 10.1002/lsm.20297) is not noted."""
    z_edges = np.arange(0.0, 101e-6, 10e-6)
    z = 0.5 * (z_edges[1:] + z_edges[:-1])
    coldest = np.full((2, z.size), CELSIUS_K + 20.0)
    assert freezing_note(coldest, z, z_edges, basal_depth_m=35e-6) is None
    coldest[1, 0:2] = [CELSIUS_K - 15.0, CELSIUS_K - 4.0]  # above the basal layer only
    assert freezing_note(coldest, z, z_edges, basal_depth_m=35e-6) is None
    coldest[1, 2:5] = [CELSIUS_K - 3.0, CELSIUS_K - 1.0, TISSUE_FREEZING_POINT_K + 0.1]  # the basal cell (30-40 um)
    note = freezing_note(coldest, z, z_edges, basal_depth_m=35e-6)
    assert "coldest -15.0 degC (at 5 um depth)" in note and "-1.0 degC at the basal layer" in note
    assert "down to 40 um" in note
    assert "latent heat" in note and "cold injury" in note and "not assessed" in note
    assert abs(TISSUE_FREEZING_POINT_K - CELSIUS_K + 0.5) < 1e-12


def test_a_long_cryogen_spurt_is_noted_once(tmp_path):
    """The QA reproduction (photons cut to 2000: the cooling does not depend on them): −22 °C at the surface and
    −7.6 °C at the basal layer before, no note; now ``freezing_note`` in the JSON and one ``warning:`` line, no
    Python warning text."""
    path = tmp_path / "cryo.toml"
    path.write_text(SCENARIO)
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    note = json.loads(result.stdout)["freezing_note"]
    assert note.startswith("tissue in the spot fell below the freezing point of tissue water")
    assert "-7.6 degC at the basal layer" in note
    lines = [line for line in result.stderr.splitlines() if "freezing point" in line]
    assert len(lines) == 1 and lines[0] == f"warning: {note}"
    assert "FreezingWarning" not in result.stderr


def test_the_clinical_smoothbeam_cryogen_sequence_is_not_noted():
    """SmoothBeam 1450 nm preset (30 ms spurt, spray during the 210 ms pulse): the model keeps the basal layer in
    the spot at ~19 °C, as the ex-vivo measurements of such sequences found (no sub-zero at the junction,
    doi 10.1002/lsm.20297), so no note (the superficial epidermis dips to about −8 °C; outside the spot, where the
    model's spray goes on without the laser, the basal layer reaches −2 °C and is not read)."""
    person = Person(age=50, sex="female", fitzpatrick="II", site="cheek")
    simulation = Simulation(
        person, Laser.from_device("smoothbeam_1450"), settings=SimulationSettings(photons=2000), progress=None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", FreezingWarning)
        summary = simulation.run(grid_warning=False).summary
    assert summary["freezing_note"] is None
