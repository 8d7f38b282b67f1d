"""QA8 #6 and #7: a stable schema for acceptance checks and API clients.

#6: a plan without a treatment (referral, nothing to treat, not expected to work) kept only ``risks.referral_reason``
(``pigment_risk`` absent), rejected ``candidates`` lacked the keys of the available ones (``improvement_month_6``:
KeyError), and a plan restricted by ``--device`` said "not expected to work for this person". #7: a resurfacing plan
is ranked on the rhytid grade while ``improvement_percent`` is the laxity grade, and only the prose said so: now a
top-level ``goal_measure`` names it (``improvement_percent`` keeps its meaning: the laxity grade in every plan).
The referral plans run no simulation; the restricted plan is a stub option (wiring only).
"""

import importlib
from types import SimpleNamespace

from laserskin.planning import plan
from laserskin.planning.plan import OPTION_KEYS, RISK_KEYS, TreatmentPlan, _goal_measure, _option_numbers
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

plan_module = importlib.import_module("laserskin.planning.plan")


def test_a_referral_keeps_the_acceptance_keys(plan_acceptance_keys):
    """70 F, type III, cheek, laxity 4: the surgical referral (before: ``risks`` = {"referral_reason": ...})."""
    out = plan(Person(age=70, sex="female", fitzpatrick="III", site="cheek", laxity=4), progress=None).to_dict()
    assert out["eligible"] is False and out["referral"]
    assert set(plan_acceptance_keys) <= set(out) and "goal_measure" in out
    risks = out["risks"]
    assert set(RISK_KEYS) <= set(risks)
    assert risks["pigment_risk"] is None and "not assessed" in risks["pigment_risk_reason"]
    assert risks["referral_reason"] == out["referral"]


def _stub_option(device: str, month6: float) -> dict:
    return {
        "setting": SimpleNamespace(device=device, device_class="non_ablative", target_verdict="reached", summary={}),
        "course": SimpleNamespace(improvement_percent={"month_6": [0.0, month6, 2 * month6]}, sessions=5),
        "session_minutes": 40.0,
    }


def test_a_restricted_plan_below_the_benefit_names_the_devices_and_keeps_the_keys(monkeypatch, plan_acceptance_keys):
    """52 F, type IV, cheek, laxity 2, ``--device genesis_1064`` (stubbed at 1e-4 % at month 6): the referral says
    "with the requested device (genesis_1064)", not "for this person", and the rejected candidate carries every key
    of an available one (null where nothing was computed)."""

    def genesis_only(preset, person, request, counter, cache_dir, goal=None):
        return [_stub_option(preset.name, 1e-4)], []

    monkeypatch.setattr(plan_module, "_plan_device", genesis_only)
    p = plan(
        Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2),
        devices=["genesis_1064"],
        progress=None,
    )
    assert p.eligible is False
    assert "with the requested device (genesis_1064)" in p.referral and "for this person" not in p.referral
    assert "leave out --device" in p.referral
    assert set(RISK_KEYS) <= set(p.risks) and p.risks["pigment_risk"] is None and p.risks["not_expected_to_work"]
    candidate = p.to_dict()["candidates"][0]
    assert set(OPTION_KEYS) <= set(candidate)
    assert candidate["available"] is False and candidate["improvement_month_6"][1] == 1e-4
    assert candidate["goal_measure"] == "laxity" and p.goal_measure == "laxity"


def test_unavailable_alternatives_carry_the_option_keys():
    entry = plan_module._unavailable_option("ablative", "co2_full_field", "resurface", ["contraindicated"])
    assert set(OPTION_KEYS) <= set(entry) and entry["improvement_month_6"] is None and entry["available"] is False
    assert entry["goal_measure"] == "rhytid"


def test_option_keys_are_the_keys_of_a_planned_option():
    """OPTION_KEYS is the key list of :func:`_option_numbers` (a planned option's entry), checked on a stub."""

    laser = load_device("cooltouch_1320").laser()
    setting = SimpleNamespace(
        device="cooltouch_1320",
        device_class="non_ablative",
        summary={"pain_index": 3.0},
        anesthetic="none",
        cooling=None,
        laser=laser,
        passes=1,
        safe_energy_J=None,
        target_energy_J=None,
        binding="",
        target_verdict="reached",
    )
    course = SimpleNamespace(
        improvement_percent={"month_6": [1.0, 2.0, 3.0]}, sessions=5, interval_weeks=2.0, downtime_days=0.0
    )
    entry = _option_numbers({"setting": setting, "course": course, "session_minutes": 30.0}, "tighten")
    assert tuple(entry) == OPTION_KEYS


def test_goal_measure_names_the_measure_of_the_goal():
    """QA8 #7: ``goal_measure`` is "rhytid" for resurfacing (ranked on ``rhytid_improvement_percent``) and "laxity" for
    tightening (``improvement_percent``, the laxity grade in every plan)."""
    assert _goal_measure("resurface") == "rhytid" and _goal_measure("tighten") == "laxity"
    assert "goal_measure" in plan_module.OUTCOME_MEASURE


def test_a_resurfacing_plan_names_its_measure(tmp_path):
    """55 F, type II, cheek, laxity 2, photoaging 3, ``--goal resurface`` with er_yag_2940 (Beer-Lambert: no Monte
    Carlo): ranked on the rhytid grade, so ``goal_measure`` is "rhytid"; ``improvement_percent`` stays the laxity
    grade (before: only the prose of ``outcome_measure`` said which was which)."""
    person = Person(age=55, sex="female", fitzpatrick="II", site="cheek", laxity=2, sun_exposure=3)
    p = plan(person, goal="resurface", devices=["er_yag_2940"], cache_dir=tmp_path, progress=None)
    assert p.goal == "resurface" and p.goal_measure == "rhytid"
    assert p.rhytid_improvement_percent and p.improvement_percent != p.rhytid_improvement_percent
    assert any("rhytid (wrinkle) grade" in r for r in p.reasons if " chosen: " in r)


def test_plan_json_has_no_binary_float_noise():
    """QA3 #22: 1550.0000000000002 nm, 99.99999999999999 um in the plan JSON."""
    from laserskin.planning.plan import TreatmentPlan

    p = TreatmentPlan(
        eligible=True,
        referral=None,
        request={},
        settings={"wavelength_nm": 1550.0000000000002, "microbeam_diameter_um": 99.99999999999999, "f": 13.123456},
    )
    settings = p.to_dict()["settings"]
    assert settings == {"wavelength_nm": 1550.0, "microbeam_diameter_um": 100.0, "f": 13.123456}


def test_pain_keys_have_one_meaning():
    """``pain_index`` is simulate's pain without anaesthetic (``summary.pain_index``); the plan's pain with its
    anaesthetic and cooling is ``pain_index_with_plan`` (simulate's name for that value), at the top level and in
    every option."""
    out = TreatmentPlan(eligible=True, referral=None, request={}, pain_index_with_plan=5.3).to_dict()
    assert "pain_index" not in out and out["pain_index_with_plan"] == 5.3
    assert "pain_index" not in OPTION_KEYS and "pain_index_with_plan" in OPTION_KEYS
