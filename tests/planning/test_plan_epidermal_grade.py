"""The plan's epidermal grade follows ``laserskin simulate``'s rule (QA8 follow-up of QA6 #23 / QA7 #1).

``simulate`` states ``epidermal_injury`` at the upper Monte Carlo bound of the basal Henriques Omega (the gravest grade
the error cannot exclude) with ``epidermal_injury_beyond_error`` (the lower bound's grade) beside it; the plan stated
the nominal grade. Now the planner's settings take the same rule (``noise_rules.epidermal_grade_keys`` in
``optimise.finalise``), and ``risks``, the candidates and the alternatives read it. smoothbeam_1450 at 2000 photons
on a 10-ring planning grid (the wiring and the rule, not the physics; ~4 s a plan); the minimum-benefit rule lifted
(2000 photons widen its Monte Carlo error).
"""

import importlib

import pytest

from laserskin.damage.injury import GRADES, classify_epidermal_injury
from laserskin.planning import plan
from laserskin.skin.person import Person

optimise = importlib.import_module("laserskin.planning.optimise")
noise_rules = importlib.import_module("laserskin.planning.noise_rules")


def _plan(monkeypatch, cache):
    monkeypatch.setattr(optimise, "PLANNING_GRID_NR", 10)  # cheap heat solves
    return plan(
        Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2),
        devices=["smoothbeam_1450"],
        photons=2000,
        max_fraction_of_blister=1.0,  # the closest the margin allows to the blister step
        cache_dir=cache,
        progress=None,
    )


def test_the_plan_states_the_grade_at_the_upper_bound_of_the_basal_omega(
    monkeypatch, tmp_path, without_minimum_benefit
):
    p = _plan(monkeypatch, tmp_path)
    risks = p.risks
    low, high = risks["epidermal_omega_band"]
    assert low <= risks["epidermal_omega"] <= high
    # no necrosis of the living epidermis at this setting: the grades are those of the basal Omega's bounds
    assert risks["epidermal_injury"] == classify_epidermal_injury(high)
    assert risks["epidermal_injury_beyond_error"] == classify_epidermal_injury(low)
    order = GRADES.index
    assert order(risks["epidermal_injury_beyond_error"]) <= order(classify_epidermal_injury(risks["epidermal_omega"]))
    assert p.candidates[0]["epidermal_injury"] == risks["epidermal_injury"]


def test_the_plan_follows_the_rule_where_it_differs_from_the_nominal_grade(
    monkeypatch, tmp_path, without_minimum_benefit
):
    """Where the bounds straddle a grade step (here forced: the planned setting sits below erythema), the plan says
    the graver grade, the established one beside it, and why."""

    def straddling(sim, response, outcome, injury):
        return {
            "epidermal_injury": "blister",
            "epidermal_injury_beyond_error": "none",
            "epidermal_omega_band": [0.2, 1.5],
        }

    monkeypatch.setattr(noise_rules, "epidermal_grade_keys", straddling)
    p = _plan(monkeypatch, tmp_path)
    assert p.risks["epidermal_injury"] == "blister" and p.risks["epidermal_injury_beyond_error"] == "none"
    assert p.candidates[0]["epidermal_injury"] == "blister"
    line = next(r for r in p.reasons if r.startswith("epidermal injury blister within the Monte Carlo error"))
    assert "none established beyond the error" in line
    assert p.risks["epidermal_omega"] == pytest.approx(p.summary["epidermal_omega"])  # the nominal Omega stays
