"""QA8 #4: the NetCDF of ``plan --out`` records the inputs that produced it.

Before, ``simulation.nc`` recorded the :class:`Protocol` class default (400 cm^2, 1 session, 4 weeks) beside a plan of
150 cm^2, 5 sessions every 2 weeks, and an Er:YAG run (Beer-Lambert, no Monte Carlo) recorded ``photons`` 200000.
Now the planner's protocol carries the plan's area (the area per visit; with passes > 1 it sets the time between
passes, so the full-field ablative run simulates it too), sessions and interval, and ``photons`` is what ran.
Er:YAG plans run no Monte Carlo (~1 s); the fluence-optimised plan is smoothbeam_1450 at 2000 photons on a 10-ring
planning grid (the wiring, not the physics).
"""

import importlib
import json

import pytest

from laserskin.cli.plan import _supporting_dataset
from laserskin.planning import plan
from laserskin.skin.person import Person

optimise = importlib.import_module("laserskin.planning.optimise")


def _protocol(dataset) -> dict:
    return json.loads(dataset.attrs["protocol"])


def _area_cm2(text: str) -> float:
    from laserskin.core.units import to_si

    return to_si(text, "m^2", field="treated_area") * 1e4


def test_an_er_yag_plan_records_its_protocol_and_no_photons(tmp_path):
    person = Person(age=55, sex="female", fitzpatrick="II", site="cheek", laxity=2, sun_exposure=3)
    p = plan(person, goal="resurface", devices=["er_yag_2940"], area="120 cm^2", cache_dir=tmp_path, progress=None)
    run = p.support["setting"].supporting_result
    assert run.summary["photons"] == 0
    assert run.dataset.attrs["photons"] == "0"  # before: "20000", the request, though no Monte Carlo ran
    assert json.loads(run.dataset.attrs["settings"])["photons"] == 20_000  # the request stays recorded
    ran = _protocol(run.dataset)
    assert _area_cm2(ran["treated_area"]) == pytest.approx(120.0) and ran["passes"] == p.settings["passes"]
    written = _protocol(_supporting_dataset(p, tmp_path))
    assert written["sessions"] == p.sessions and _area_cm2(written["treated_area"]) == pytest.approx(120.0)
    assert written["passes"] == p.settings["passes"]


def test_a_fluence_optimised_plan_records_its_protocol(monkeypatch, tmp_path, without_minimum_benefit):
    monkeypatch.setattr(optimise, "PLANNING_GRID_NR", 10)  # cheap heat solves
    p = plan(
        Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2),
        devices=["smoothbeam_1450"],
        photons=2000,
        cache_dir=tmp_path,
        progress=None,
    )
    written = _protocol(_supporting_dataset(p, tmp_path))
    # before: {"treated_area": "400 cm^2", "sessions": 1, "session_interval": "4 week"}, the class default
    assert _area_cm2(written["treated_area"]) == pytest.approx(p.area_per_visit_cm2)
    assert written["sessions"] == p.sessions > 1
    assert written["session_interval"] == f"{p.interval_weeks:g} week"
    assert written["anesthetic"] == p.anesthetic and written["passes"] == 1  # one pass simulated (the note says so)
