"""The plan's alternatives carry the chosen plan's outcome band rule, and the report states what the bands
include.

Before, the chosen plan's ``improvement_percent`` band held the uncertainty of the delivered dermal dose
(:func:`laserskin.planning.plan.outcome_dose_band`, QA9 #11) while its alternatives and candidates kept the healing
model's band alone, so the bands of the options were not comparable (52 F, type IV, cheek, laxity 2, seed 1, 20 000
photons: smoothbeam_1450 month 6 [8.9, 15.8, 29.5] % beside cooltouch_1320 [7.7, 20.2, 43.8] %). Now every planned
option goes through the same rule (``_with_outcome_dose_band``) and carries its record (``outcome_dose_uncertainty``,
with ``band_includes``). The checks here compare an alternative with the plan of the same device alone (where it is
the chosen plan: the rule the plan applies to its own band), not with stored numbers.
"""

from types import SimpleNamespace

import pytest

from laserskin.planning.plan import BAND_INCLUDES_HEALING, OPTION_KEYS, outcome_dose_band
from laserskin.skin.person import Person

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "IV", "site": "cheek", "laxity": 2}
PHOTONS = 20_000  # the plan default
DEVICES = ["cooltouch_1320", "smoothbeam_1450"]  # the two contending tightening devices of the person
TIMES = ("immediate", "month_1", "month_3", "month_6")
#: The same deterministic computation read twice (a device planned beside another or alone: the same transports,
#: bit-identical on any thread, tests/planning/test_plan_each.py); floating point of the JSON's 12 digits only.
SAME_RTOL = 1e-9


@pytest.fixture(scope="module")
def pair_plan(plan_store):
    """The pair's plan at seed 1, from the run's plan store (conftest): test_plan_trust.py's recommendation test plans
    the same request (its seed-1 plan), so whichever file asks first computes it and the other reads it."""
    return plan_store.plan(PERSON, goal="tighten", devices=DEVICES, photons=PHOTONS, seed=1)


@pytest.fixture(scope="module")
def planned_alone(pair_plan, plan_store):
    """The alternative's device planned alone: there it is the chosen plan, whose band the plan's rule sets (from the
    plan store: smoothbeam_1450 alone at seed 1 is test_plan_trust.py's ``cheek_plans`` seed-1 plan)."""
    alternative = pair_plan.alternatives[0]["device"]
    return plan_store.plan(PERSON, goal="tighten", devices=[alternative], photons=PHOTONS, seed=1)


def test_the_alternative_carries_the_band_of_the_chosen_plan_rule(pair_plan, planned_alone):
    alt = pair_plan.alternatives[0]
    assert alt["available"] is True and alt["device"] == planned_alone.device
    record = alt["outcome_dose_uncertainty"]
    assert record["applied"] is True, record
    # the rule of the chosen plan, applied to the same option: the same record and the same bands
    alone = planned_alone.risks["outcome_dose_uncertainty"]
    assert alone["applied"] is True
    assert record["relative_low"] == pytest.approx(alone["relative_low"], rel=SAME_RTOL)
    assert record["relative_high"] == pytest.approx(alone["relative_high"], rel=SAME_RTOL)
    for key in TIMES:
        assert alt["improvement_percent"][key] == pytest.approx(planned_alone.improvement_percent[key], rel=SAME_RTOL)
    assert alt["improvement_month_6"] == pytest.approx(planned_alone.improvement_percent["month_6"], rel=SAME_RTOL)
    assert record["band_includes"] == alone["band_includes"]


def test_the_alternatives_band_holds_its_healing_only_band(pair_plan):
    """At least as wide as the healing model's band at every time, the nominal unchanged, and wider at month 6 (the
    dose band is at least 2 s_MC wide and the month-6 improvement is steep in the dose)."""
    alt = pair_plan.alternatives[0]
    record = alt["outcome_dose_uncertainty"]
    healing = record["healing_only_improvement_percent"]
    for key in TIMES:
        low, nominal, high = alt["improvement_percent"][key]
        assert low <= healing[key][0] and high >= healing[key][2]
        assert nominal == healing[key][1]
    month6, healing6 = alt["improvement_percent"]["month_6"], healing["month_6"]
    assert month6[2] - month6[0] > healing6[2] - healing6[0]
    assert min(record["relative_low"], record["relative_high"]) >= 2.0 * record["mc_relative_error"] * (1 - 1e-12)


def test_candidates_and_the_plan_read_one_band(pair_plan):
    """The chosen plan's entry among the candidates is the plan's band; every candidate carries its record."""
    chosen = next(c for c in pair_plan.candidates if c["device"] == pair_plan.device)
    assert chosen["improvement_percent"] == pair_plan.improvement_percent
    assert chosen["outcome_dose_uncertainty"] == pair_plan.risks["outcome_dose_uncertainty"]
    for candidate in pair_plan.candidates:
        assert set(OPTION_KEYS) <= set(candidate) and candidate["outcome_dose_uncertainty"]["band_includes"]


def test_the_blister_band_names_its_perturbations(pair_plan):
    blister = pair_plan.risks["blister_uncertainty"]
    assert set(blister["perturbations"]) == set(blister["contributions"])
    assert "Norvang" in blister["perturbations"]["melanin"]


def test_the_report_states_the_plans_band_numbers(pair_plan):
    """report.html of the plan: the rows of the outcome and blister bands carry the numbers of the plan JSON."""
    from html import escape

    from laserskin.report import plan_report_html

    data = pair_plan.to_dict()
    html = plan_report_html(data)
    section = html.split("id='band-sources'")[1].split("<h2>Alternatives</h2>")[0]
    record, blister = data["risks"]["outcome_dose_uncertainty"], data["risks"]["blister_uncertainty"]
    for key, change in record["contributions"].items():
        assert f"{escape(blister['perturbations'][key])}</th><td>{100 * change:+.1f} %" in section, key
    for key, change in blister["contributions"].items():
        assert f"{100 * change:+.1f} % of the blister fluence" in section, key
    low, nominal, high = data["improvement_percent"]["month_6"]
    assert f"with the delivered dose {nominal:.1f} % ({low:.1f}–{high:.1f} %)" in section
    alternatives = html.split("<h2>Alternatives</h2>")[1].split("</table>")[0]
    alt = data["alternatives"][0]["outcome_dose_uncertainty"]
    half = f"-{100 * alt['relative_low']:.1f} % / +{100 * alt['relative_high']:.1f} %"
    assert f"healing model and delivered dose ({half})" in alternatives


def test_an_option_without_a_blister_band_says_its_band_is_the_healing_models():
    """A fractional option (no blister band): the band stays the healing model's and its record says so."""
    setting = SimpleNamespace(device_class="fractional_non_ablative", blister_band_J=None, summary={})
    record, laxity, rhytid = outcome_dose_band(setting, SimpleNamespace(), Person(**PERSON))
    assert (laxity, rhytid) == (None, None) and record["applied"] is False
    assert record["band_includes"].startswith(BAND_INCLUDES_HEALING) and "no blister band" in record["band_includes"]


def test_the_rule_is_applied_once_per_option(monkeypatch):
    """A second application would read the widened band as the healing model's and widen it again."""
    import importlib

    plan_module = importlib.import_module("laserskin.planning.plan")
    calls = []

    def apply(setting, course, person, counter):
        calls.append(setting)
        return {"applied": False, "note": "stub"}

    monkeypatch.setattr(plan_module, "_apply_outcome_dose_band", apply)
    option = {"setting": object(), "course": object()}
    first = plan_module._with_outcome_dose_band(option, None, None)
    second = plan_module._with_outcome_dose_band(option, None, None)
    assert first is second and len(calls) == 1 and option["outcome_dose_uncertainty"] is first
