"""A plan's answers where a user constraint binds or a read-out is unresolved (QA16 #2, #7, #8; no simulation is run).

#8: ``--max-downtime-days 0`` with an ablative device answered ``eligible: false`` and a referral; a user constraint no
candidate meets is an infeasible request (docs/planning.md "Infeasible request", QA5 #19): ``eligible: true``,
``referral`` null, ``infeasible_request`` set. #7: the reason said the dermal target is reached "within the Monte Carlo
resolution" where the summary says ``dermal_injury`` "none" (a band possible within the error, not resolved). #2: the
skin-of-colour coverage cap is applied to the micro-beams' nominal coverage while the injured share of the area is 2-4x
it: the plan states both.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from laserskin.planning import plan
from laserskin.planning.plan import RISK_KEYS, ConstraintRejection, fractional_coverage, target_verdict_text
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

plan_module = importlib.import_module("laserskin.planning.plan")


def test_a_downtime_limit_no_candidate_meets_is_an_infeasible_request(monkeypatch, plan_acceptance_keys):
    """55 F, type II cheek, laxity 2, ``--device co2_full_field --max-downtime-days 0`` (QA16 #8: eligible false,
    referral "no resurface treatment is offered ..."). The candidate is stubbed as rejected by the downtime alone
    (its real downtime, 7-10 d, is the healing model's): the person is eligible, the request is not."""

    def rejected_by_downtime(preset, person, request, counter, cache_dir, goal=None):
        text = f"{preset.name}: downtime 7.5 d exceeds max_downtime_days 0 (binding constraint)"
        return [], [ConstraintRejection(text, 7.5)]

    monkeypatch.setattr(plan_module, "_plan_device", rejected_by_downtime)
    p = plan(
        Person(age=55, sex="female", fitzpatrick="II", site="cheek", laxity=2),
        goal="resurface",
        devices=["co2_full_field"],
        max_downtime_days=0,
        progress=None,
    )
    assert p.eligible is True and p.referral is None and p.device is None
    assert "max_downtime_days 0 is infeasible" in p.infeasible_request
    assert "co2_full_field's 7.5 d" in p.infeasible_request and "at least 8" in p.infeasible_request
    assert p.infeasible_request in p.reasons and p.risks["infeasible_request"] == p.infeasible_request
    assert p.risks["referral_reason"] is None
    out = p.to_dict()
    assert set(plan_acceptance_keys) <= set(out) and set(RISK_KEYS) <= set(out["risks"])


def test_a_contraindicated_candidate_stays_a_referral(monkeypatch):
    """Only rejections by a user constraint make an infeasible request: every candidate contraindicated is still
    ``eligible: false`` with the referral."""

    def contraindicated(preset, person, request, counter, cache_dir, goal=None):
        return [], [f"{preset.name}: contraindicated: stub"]

    monkeypatch.setattr(plan_module, "_plan_device", contraindicated)
    p = plan(
        Person(age=55, sex="female", fitzpatrick="II", site="cheek", laxity=2),
        goal="resurface",
        devices=["co2_full_field"],
        max_downtime_days=0,
        progress=None,
    )
    assert p.eligible is False and p.referral and p.infeasible_request is None


def test_a_constraint_rejection_is_a_string_with_its_downtime():
    r = ConstraintRejection("er_yag_2940: downtime 5.0 d exceeds max_downtime_days 2 (binding constraint)", 5.0)
    assert isinstance(r, str) and r.downtime_days == 5.0 and r.startswith("er_yag_2940:")
    assert " | ".join([r, "x"]).endswith("| x")


def _setting(verdict, **summary):
    return SimpleNamespace(target_verdict=verdict, summary=summary)


def test_the_target_reason_says_what_the_summary_says():
    """QA16 #7: the default plan (cooltouch_1320, 52 F IV cheek, 14.22 J/cm^2) read "at the target within the Monte
    Carlo resolution" beside dermal_injury "none", depth null, possible depth [440.5, 1217.8] um, volume 15.80 mm^3."""
    at = "at the target within the Monte Carlo resolution"
    text = target_verdict_text(
        _setting(
            at,
            dermal_injury="none",
            dermal_injury_depth_um=None,
            dermal_injury_possible_depth_um=[440.5, 1217.8],
            dermal_injury_volume_mm3=15.80,
        )
    )
    assert text.startswith(at)
    for words in (
        "no band is resolved beyond the Monte Carlo error",
        "dermal_injury 'none'",
        "possible, not resolved, at 440-1218 um",
        "15.8 mm^3",
    ):
        assert words in text, words
    # a resolved band, a target not reached, or no dermal read-out: the verdict as it was
    resolved = _setting(at, dermal_injury="partial thickness", dermal_injury_depth_um=[300.0, 700.0])
    assert target_verdict_text(resolved) == at
    assert target_verdict_text(_setting("NOT reached", dermal_injury_depth_um=None)) == "NOT reached"
    assert target_verdict_text(_setting("reached")) == "reached"


def _fractional_setting(device: str, coverage: float, **summary):
    preset = load_device(device)
    base = preset.laser()
    laser = preset.laser(
        fractional={"microbeam_diameter": f"{base.fractional.microbeam_diameter_m} m", "coverage": coverage}
    )
    return SimpleNamespace(laser=laser, summary=summary, device=device)


def test_the_injured_share_is_stated_next_to_the_capped_coverage():
    """QA16 #2: 61 F, type VI cheek, resurface: fraxel_1550 at the 10 % cap's 5 % coverage (100 um beams) injured
    12.8 % of the area in the r-z run and 19.75 % in its 3-D array (mtz_width 198.7 um x 636.6 zones/cm^2)."""
    setting = _fractional_setting(
        "fraxel_1550", 0.05, mtz_area_fraction=0.128, fractional_array={"mtz_area_fraction": 0.1975}
    )
    out = fractional_coverage(setting, 0.10)
    assert out["coverage_percent"] == 5.0
    assert out["injured_area_percent"] == 12.8 and out["injured_area_percent_3d"] == 19.75
    assert out["cap_percent"] == 10.0 and "coverage_percent" in out["cap_applies_to"]
    for words in (
        "nominal coverage 5 %",
        "12.8 % in the r-z run, 19.8 % in the 3-D array",
        "2.6-4x the nominal",
        "cap 10 % (Kaushik & Alexis 2017) is applied to the nominal coverage",
        "injured share is above it (up to 19.8 %)",
    ):
        assert words in out["note"], words
    # no cap (type III): the shares without the cap clause; a bulk laser: null
    plain = fractional_coverage(_fractional_setting("co2_fractional", 0.10, mtz_area_fraction=0.189), None)
    assert plain["cap_percent"] is None and "cap" not in plain["note"] and "1.9x the nominal" in plain["note"]
    assert fractional_coverage(SimpleNamespace(laser=load_device("cooltouch_1320").laser(), summary={}), None) is None
    assert "fractional_coverage" in RISK_KEYS
