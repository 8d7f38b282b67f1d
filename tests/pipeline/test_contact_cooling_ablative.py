"""QA5 finding 23: contact (sapphire-window) cooling is refused with an ablative laser.

Before: Er:YAG 3 J/cm² with ``[cooling] kind = "contact"`` ran (crater 14.1 µm against 14.7 µm uncooled, exit 0,
no note), but ablation needs a free surface: the window is taken off the skin before an ablative pulse. Now the
one place every driver passes through (``Simulation``: the CLI, the web and the planner) refuses it with one
``InputError`` naming ``cooling.kind``, the value and what is allowed. Only construction runs here (no transport).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

PERSON = Person(age=50, sex="female", fitzpatrick="II", site="cheek")


def test_contact_cooling_is_refused_for_an_ablative_laser():
    laser = Laser.from_device("er_yag_2940")
    with pytest.raises(InputError, match="cooling.kind") as refusal:
        Simulation(PERSON, laser, {"kind": "contact"}, progress=None)
    assert "'contact'" in str(refusal.value) and '"none", "cold_air" or "cryogen"' in str(refusal.value)
    assert "free surface" in str(refusal.value)
    for kind in ("none", "cold_air", "cryogen"):
        assert Simulation(PERSON, laser, {"kind": kind}, progress=None).cooling.kind == kind
    # a non-ablative laser keeps its contact window
    yag = Laser(wavelength="1064 nm", fluence="30 J/cm^2", pulse_duration="30 ms", spot_diameter="10 mm")
    assert Simulation(PERSON, yag, {"kind": "contact"}, progress=None).cooling.kind == "contact"


def test_simulate_refuses_contact_cooling_for_er_yag_in_one_line(tmp_path):
    path = tmp_path / "eryc.toml"
    path.write_text(
        '[person]\nage = 50\nsex = "female"\nfitzpatrick = "II"\nsite = "cheek"\n'
        '[laser]\ndevice = "er_yag_2940"\nfluence = "3 J/cm^2"\n[cooling]\nkind = "contact"\n'
    )
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cooling.kind: got 'contact'; expected")


def test_the_planner_does_not_offer_an_ablative_device_with_contact_cooling():
    """``plan --cooling contact`` leaves the ablative devices out with a reason (no simulation runs), rather than
    failing the whole plan on the refusal above; non-ablative devices keep the window."""
    from laserskin.planning.plan import _plan_device
    from laserskin.planning.request import PlanRequest
    from laserskin.treatment.devices import load_device

    request = PlanRequest(age=50, sex="female", fitzpatrick="II", site="cheek", cooling="contact", photons=1000)
    options, why = _plan_device(load_device("er_yag_2940"), PERSON, request, None, None)
    assert options == [] and why == [
        "er_yag_2940: no contact cooling with an ablative laser (ablation needs a free surface)"
    ]
