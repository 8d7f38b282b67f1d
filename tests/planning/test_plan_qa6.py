"""QA6 planner findings: lead time per cream and splits that shorten the patient's time (#1), one measure per goal
(#2), pigment mitigation by type and device class (#5), the pain label of the plan page (#6), and the alternatives
of a plan restricted to requested devices (#7). No simulation here: rules, texts and pages on stored plans."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from laserskin.core.data import load_parameters
from laserskin.planning.plan import _pigment_risk_notes
from laserskin.report import labels, plan_report_html

PLAN = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))
TEMPLATES = Path(labels.__file__).parents[1] / "web" / "templates"


def _page(plan: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.globals.update(labels.template_globals())
    return env.get_template("plan_result.html").render(plan=plan, job={"id": "x"}, figures=[])


def test_every_cream_has_its_label_lead_time_and_source():
    """QA6 #1: the lead time is the product label's, per cream, with its bibliography key (before: 45 min for all)."""
    from laserskin.core import citations

    table = load_parameters("anesthetics")
    assert {k: table[k]["lead_time_min"] for k in table} == {
        "none": 0,
        "lidocaine_4": 30,  # LMX 4 label
        "lidocaine_tetracaine_7_7": 30,  # Pliaglis label: 20-30 min before non-ablative laser procedures
        "emla": 60,  # EMLA label: at least 1 h under occlusion
    }
    for key, entry in table.items():
        assert entry["lead_time_tag"] in ("V", "R", "D", "U") and entry["lead_time_source"]
        if key != "none":
            assert citations.get(entry["lead_time_key"])  # a bibliography entry


def _person(fitzpatrick):
    return SimpleNamespace(fitzpatrick=fitzpatrick)


SUMMARY = {"pigment_risk": "moderate", "epidermal_omega": 1.2e8, "peak_epidermis_temperature_C": 300.0}


def test_full_field_co2_in_light_skin_names_its_own_pigment_risks():
    """QA6 #5: a type II full-field CO2 plan read the type IV-VI test-spot and fractional-coverage lines and the basal
    Omega 1.2e8 / 300 degC as its exposure; now prolonged erythema and delayed hypopigmentation, no basal Omega."""
    notes = _pigment_risk_notes(_person("II"), SUMMARY, "ablative")
    text = notes["pigment_risk_reason"] + " ".join(notes["pigment_risk_mitigation"])
    assert "delayed hypopigmentation" in text and "prolonged erythema" in text and "Nanni & Alster 1998" in text
    for wrong in ("IV-VI", "coverage", "Omega 1.2e+08", "300 degC"):
        assert wrong not in text, wrong
    assert "removed by design" in notes["pigment_risk_reason"]


@pytest.mark.parametrize(
    "skin, device_class, present, absent",
    [
        ("III", "non_ablative", ["test spot", "titration practice"], ["IV-VI", "coverage", "Nanni"]),
        ("V", "non_ablative", ["type IV-VI", "lower energy lowers"], ["coverage", "Nanni"]),
        ("V", "fractional_non_ablative", ["type IV-VI", "caps fractional coverage at 10 %"], ["Nanni"]),
        ("II", "fractional_ablative", ["test spot"], ["IV-VI", "coverage", "Nanni"]),
    ],
)
def test_pigment_mitigation_matches_type_and_device_class(skin, device_class, present, absent):
    notes = _pigment_risk_notes(_person(skin), {**SUMMARY, "epidermal_omega": 0.003}, device_class)
    text = " ".join(notes["pigment_risk_mitigation"])
    for words in present:
        assert words in text, words
    for words in absent:
        assert words not in text, words
    if device_class == "non_ablative":  # the epidermis is spared: the basal exposure is the exposure
        assert "basal epidermal Omega 0.003" in notes["pigment_risk_reason"]


def test_light_skin_low_risk_has_no_mitigation_lines():
    notes = _pigment_risk_notes(
        _person("II"), {**SUMMARY, "pigment_risk": "low", "epidermal_omega": 0.0}, "non_ablative"
    )
    assert notes["pigment_risk_mitigation"] == []


def _resurfacing_plan() -> dict:
    """The QA6 #2 web plan as stored: fraxel_1550 resurfacing type VI (laxity 7.2 %, rhytid 24.2 %), with the
    tightening alternative cooltouch_1320 at 10.1 % laxity."""
    plan = copy.deepcopy(PLAN)
    plan.update(
        goal="resurface",
        device="fraxel_1550",
        modality="fractional_non_ablative",
        anesthetic="none",
        improvement_percent={"month_6": [4.0, 7.2, 12.0]},
        rhytid_improvement_percent={"month_6": [19.7, 24.2, 31.8]},
    )
    plan["risks"].update(pain_with_plan=[4.0, 5.2, 6.5], pain_without_anaesthetic=[6.6, 8.3, 9.6])
    plan["risks"].update(pain_index_with_anesthetic=5.2, pain_index_without_anesthetic=8.3)
    plan["alternatives"] = [
        {
            **PLAN["alternatives"][1],
            "goal": "tighten",
            "goal_measure": "laxity",
            "improvement_month_6": [6.2, 10.1, 17.5],
            "improvement_percent": {"month_6": [6.2, 10.1, 17.5]},
        }
    ]
    return plan


@pytest.mark.parametrize("render", [_page, plan_report_html], ids=["page", "report"])
def test_a_resurfacing_plan_headlines_the_rhytid_grade_and_labels_the_other_goal(render):
    """QA6 #2: the headline read the laxity 7.2 % next to a tightening alternative at 10.1 % in the same column."""
    html = render(_resurfacing_plan())
    assert "24.2 % (uncertainty band 19.7–31.8 %), rhytid (wrinkle) grade" in html
    row = next(r for r in html.split("Other devices considered")[1].split("<tr>") if r.startswith("<td>cooltouch_1320"))
    assert "Tightening option (the other goal)" in row and "10.1 %" in row and "laxity grade" in row


@pytest.mark.parametrize("render", [_page, plan_report_html], ids=["page", "report"])
def test_pain_rows_name_the_planned_anaesthetic_and_cooling(render):
    """QA6 #6: the page said "Pain with anaesthetic 5.2/10" where the topical was "None"; page and report now read
    the same rows (report/labels.py plan_risk_keys)."""
    html = render(_resurfacing_plan())
    assert "Pain with the planned anaesthetic and cooling" in html
    assert "Pain with anaesthetic<" not in html and "Pain with anaesthetic 5" not in html


def test_a_split_session_states_its_total_minutes_everywhere():
    """QA6 #1 (c): the report, the page and the CLI table say the minutes per visit and per session in total."""
    from laserskin.cli.plan import _minutes_text

    plan = copy.deepcopy(PLAN)
    plan.update(visits_per_session=3, area_per_visit_cm2=167.0, session_minutes=53.6, laser_minutes=23.6)
    plan["session_total_minutes"] = 160.8
    for html in (_page(plan), plan_report_html(plan)):
        assert "Total time per session, all visits" in html and "161 min" in html and "per visit" in html
    text = _minutes_text(SimpleNamespace(**{k: plan[k] for k in ("visits_per_session", "session_minutes",
                                                                  "laser_minutes", "session_total_minutes")}))  # fmt: skip
    assert text == "54 per visit (at the laser 24), 161 in total"
    one = copy.deepcopy(PLAN)
    one.update(visits_per_session=1, session_total_minutes=one["session_minutes"])
    assert "Total time per session" not in plan_report_html(one) and "Total time per session" not in _page(one)


def test_a_plan_restricted_to_a_device_says_only_it_was_requested():
    """QA6 #7: report.html of `--device smoothbeam_1450` said "No alternative device was feasible"."""
    plan = copy.deepcopy(PLAN)
    plan["alternatives"] = []
    plan["inputs"]["devices"] = ["smoothbeam_1450"]
    assert "Only smoothbeam_1450 was requested: no other device was planned." in plan_report_html(plan)
    assert "Only smoothbeam_1450 was requested" in _page(plan)
    plan["inputs"]["devices"] = None
    assert "No alternative device was feasible." in plan_report_html(plan)


def test_the_session_count_reads_the_goal_measure():
    """QA6 #2: the session count of a resurfacing course follows the saturation of the rhytid grade (its measure),
    a tightening course that of the laxity grade, and the reason names which (the count rule itself: QA4)."""
    from laserskin.healing import SessionDose
    from laserskin.planning.sessions import plan_course
    from laserskin.treatment.devices import load_device

    dose = SessionDose(
        time="0 day", denatured_fraction=0.3, depth_top="0.1 mm", depth_bottom="0.6 mm", immediate_tightening=1.0
    )
    preset, person = load_device("co2_fractional"), SimpleNamespace(age_years=55.0, sun_exposure=3)
    for measure in ("laxity", "rhytid"):
        course = plan_course(dose, preset, person, max_sessions=None, measure=measure)
        assert 1 <= course.sessions <= 3 and f"of the {measure} grade at month 6" in course.sessions_reason
