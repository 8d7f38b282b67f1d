"""The web plan page and report.html: the split session's total minutes, one measure per goal in the headline, the
pain rows of the planned anaesthetic and cooling, and the alternatives of a plan restricted to requested devices. No
simulation here: texts and pages on stored plans."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from laserskin.report import labels, plan_report_html

PLAN = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))
TEMPLATES = Path(labels.__file__).parents[1] / "web" / "templates"


def _page(plan: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.globals.update(labels.template_globals())
    return env.get_template("plan_result.html").render(plan=plan, job={"id": "x"}, figures=[])


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
