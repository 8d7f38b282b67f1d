"""QA6 planner findings, round 2: the anaesthetic of full-field ablative resurfacing (#14), one visit for a
full-field resurfacing (#15), the alternatives' pain on the plan's basis (#9), resurfacing with a laxity referral
(#10), the fractional wording of the web plan page (#17), the immediate value of ablative fractional plans (#19)."""

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


def test_full_field_ablative_gets_at_least_the_strongest_topical():
    """QA6 #14: Er:YAG 10 J/cm^2 pain 9.21 without a topical x 0.62 (cold-air factor fitted on fractional 1550 nm,
    Fisher 2005) = 5.71 < 6 chose no anaesthetic; topical alone is not sufficient for resurfacing (Yun et al. 2002),
    so full-field ablative takes the strongest topical whatever the index; the other classes keep the lightest."""
    strongest = plan_module.STRONGEST_TOPICAL
    assert plan_module._auto_anesthetic({"pain_index": 9.21}, "cold_air", "ablative") == strongest
    assert plan_module._auto_anesthetic({"pain_index": 0.5}, "cold_air", "ablative") == strongest
    assert plan_module._auto_anesthetic({"pain_index": 8.3187}, "cold_air", "fractional_non_ablative") == "none"


def test_er_yag_plan_states_topical_is_not_enough():
    p = plan(person(), goal="resurface", devices=["er_yag_2940"], photons=PHOTONS, seed=1)
    assert p.modality == "ablative"
    assert p.anesthetic == plan_module.STRONGEST_TOPICAL  # before: "none"
    note = p.risks["anaesthesia_note"]
    assert note in p.reasons and "Yun et al. 2002" in note and "nerve blocks" in note
    assert "yun2002" in p.citations
    from laserskin.report import plan_report_html

    assert "<th>Anaesthesia</th>" in plan_report_html(p.to_dict()).replace(" scope='row'", "")


def test_one_sitting_note_gives_the_options():
    """QA6 #15 (the plan: tests/planning/test_plan_qa5.py, co2_full_field over 500 cm^2, ~71 min at the laser)."""
    note = plan_module._one_sitting_note("co2_full_field", 101.0, 71.0, 60.0)
    assert "one sitting" in note and "cosmetic units" in note and "--max-session-minutes to 101" in note
    assert "fractional" in note and "patches" in note


def test_alternatives_pain_is_on_the_plans_basis_with_its_anaesthetic():
    """QA6 #9: the alternatives' "Pain (0-10)" read the pain with the topical only (fraxel_1550 8.31, co2_fractional
    9.33: no cold-air analgesia) next to the plan's pain with topical and cooling (5.3); now each alternative's pain
    with its own plan (topical x cold-air factor, band) and the topical it would use."""
    from laserskin.report import plan_report_html
    from laserskin.report.labels import ALTERNATIVE_PAIN_HEADER, alternative_pain_text

    alt = {"pain_index": 5.16, "pain_with_plan": [2.9, 5.16, 8.1], "anesthetic": "none"}
    assert alternative_pain_text(alt) == "5.2 (2.9–8.1), no topical"
    cream = {"pain_index": 5.45, "pain_with_plan": [3.0, 5.45, 8.0], "anesthetic": "lidocaine_tetracaine_7_7"}
    assert alternative_pain_text(cream).startswith("5.5 (3.0–8.0), Lidocaine/tetracaine")
    assert alternative_pain_text({"pain_index": 5.0}) == "5.0"  # a stored plan without the band
    html = plan_report_html({"eligible": True, "alternatives": [{"device": "fraxel_1550", **alt}]})
    assert ALTERNATIVE_PAIN_HEADER.replace("–", "–") in html and "5.2 (2.9–8.1), no topical" in html


def test_web_plan_page_shows_a_fractional_plan_by_its_energy_per_micro_beam():
    """QA6 #17: the page read "255 J/cm^2" in the headline and "Spot diameter 15.0 mm" for fraxel_1550; now the
    CLI's wording (QA5 #22): energy per micro-beam, the fluence in it, the scan pattern."""
    import copy
    import json
    from pathlib import Path

    import jinja2

    from laserskin.report import labels

    stored = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))
    templates = Path(labels.__file__).parents[1] / "web" / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True)
    env.globals.update(labels.template_globals())
    fractional = copy.deepcopy(stored)
    fractional["settings"].update(
        {
            "fluence_J_per_cm2": 255.0,
            "pulse_energy_mJ": 20.0,
            "spot_diameter_mm": 15.0,
            "microbeam_diameter_um": 100.0,
            "coverage_percent": 5.0,
        }
    )
    page = env.get_template("plan_result.html").render(plan=fractional, job={"id": "x"}, figures=[])
    assert "Energy per micro-beam" in page and "Scan pattern" in page and "Fluence in a micro-beam (MTZ)" in page
    assert "per micro-beam (255" in page and "Spot diameter" not in page
    plain = env.get_template("plan_result.html").render(plan=stored, job={"id": "x"}, figures=[])
    assert "Spot diameter" in plain and "micro-beam" not in plain and "referral-note" not in plain
    # QA6 #10: an eligible plan with a referral beside it shows the referral
    referred = env.get_template("plan_result.html").render(
        plan={**stored, "referral": "severe laxity: refer for surgical consultation"}, job={"id": "x"}, figures=[]
    )
    assert 'id="referral-note">Referral: severe laxity: refer for surgical consultation' in referred


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
