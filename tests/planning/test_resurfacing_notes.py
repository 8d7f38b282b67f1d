"""Resurfacing plans: resurfacing planned beside a laxity referral, and the immediate value of an ablative fractional
plan stated as a lower bound."""

from __future__ import annotations

import importlib

from laserskin.planning import plan
from laserskin.skin.person import Person

plan_module = importlib.import_module("laserskin.planning.plan")

PHOTONS = 20_000


def person(**kw):
    base = {"age": 55, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 1, "sun_exposure": 3}
    base.update(kw)
    return Person(**base)


def test_resurfacing_is_planned_beside_the_laxity_referral():
    """QA6 #10: laxity grade 4 with photoaging 3 and --goal resurface was refused with the tightening referral; the
    referral is about tightening (a facelift does not treat photoaging): resurfacing is planned, the referral beside it."""
    severe = person(age=70, fitzpatrick="II", laxity=4, sun_exposure=3)
    p = plan(severe, goal="resurface", devices=["er_yag_2940"], photons=PHOTONS, seed=1)
    assert p.eligible and p.goal == "resurface" and p.device == "er_yag_2940"  # before: eligible false
    assert "refer for surgical" in p.referral and "photoaging (grade 3)" in p.referral
    assert p.risks["referral_reason"] == p.referral == p.risks["referral_note"] and p.referral in p.reasons
    for goal, grade in (("tighten", 3), ("recommend", 1)):  # tightening, or nothing else to treat: referred
        refused = plan(person(age=70, fitzpatrick="II", laxity=4, sun_exposure=grade), goal=goal)
        assert not refused.eligible and "refer for surgical" in refused.referral
    assert plan_module._resurface_beside_referral("recommend", severe)
    assert not plan_module._resurface_beside_referral("recommend", severe, ["cooltouch_1320"])


def test_ablative_fractional_plan_says_its_immediate_value_is_a_lower_bound():
    """QA6 #19 (docs/collagen.md section 7): no coagulation cuff around a CO2 channel in the model, so the immediate
    improvement of an ablative fractional plan (co2_fractional 0.39 % vs fraxel_1550 4.6 %) is a lower bound."""
    from laserskin.report import plan_report_html

    p = plan(person(), goal="resurface", devices=["co2_fractional"], photons=PHOTONS, seed=1)
    assert p.modality == "fractional_ablative"
    assert p.outcome_notes == [plan_module.FRACTIONAL_ABLATIVE_IMMEDIATE_NOTE] and p.outcome_notes[0] in p.reasons
    data = p.to_dict()
    assert "lower bound" in data["outcome_notes"][0] and "outcome-note" in plan_report_html(data)
