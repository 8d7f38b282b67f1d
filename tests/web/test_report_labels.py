"""QA5 #2 and #10: an alternative that was never planned reads "contraindicated: <reason>" (never a 0 that looks
computed) on the plan page and in the report; the epidermal "necrosis" grade is worded by device class, and a
run without a crater reads "no crater". From the stored plan of test_report.py (no computation here)."""

from __future__ import annotations

import copy
import json
from html import unescape
from pathlib import Path

import jinja2
import pytest

from laserskin.report import labels, plan_report_html
from laserskin.report.labels import display_value, epidermal_injury_text, name

PLAN = json.loads((Path(__file__).parent / "data" / "plan.json").read_text(encoding="utf-8"))
TEMPLATES = Path(labels.__file__).parents[1] / "web" / "templates"
WHY = (
    "co2_fractional: contraindicated: ablative resurfacing in Fitzpatrick V-VI carries a high risk of "
    "post-inflammatory hyper/hypopigmentation and scarring [Kaushik & Alexis 2017]"
)


def _with_contraindicated_alternative() -> dict:
    """The QA5 #2 page: a type V person, co2_fractional contraindicated (the plan JSON as the web job stores it)."""
    plan = copy.deepcopy(PLAN)
    plan["alternatives"][0] = {"modality": "fractional_ablative", "device": "co2_fractional", "available": False,
                               "reasons": [WHY]}  # fmt: skip
    return plan


def _plan_page(plan: dict) -> str:
    """plan_result.html rendered with the globals the web app gives it (web/app.py)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.globals.update(labels.template_globals())
    return env.get_template("plan_result.html").render(plan=plan, job={"id": "x"}, figures=[])


def _row(html: str, device: str) -> str:
    table = html.split("alternatives-table")[1] if "alternatives-table" in html else html.split("Other devices")[1]
    return next(row for row in table.split("<tr>") if row.startswith(f"<td>{device}</td>"))


@pytest.mark.parametrize("render", [_plan_page, plan_report_html], ids=["page", "report"])
def test_a_contraindicated_alternative_says_why_and_shows_no_numbers(render):
    """Before: the page showed `co2_fractional | Fractional ablative | 0 | | — | 0.0 | 0.0`, the report all "—"."""
    row = _row(render(_with_contraindicated_alternative()), "co2_fractional")
    assert "contraindicated: ablative resurfacing in Fitzpatrick V-VI" in row
    assert "co2_fractional: contraindicated" not in row  # the device is in its own column
    assert ">0<" not in row and "0.0" not in row


def test_the_plan_page_lists_planned_alternatives_with_their_epidermal_injury():
    html = _plan_page(PLAN)
    row = _row(html, "co2_fractional")
    assert "132.6" in row or "133" in row
    assert "Focal necrosis in the micro-zones (by design)" in row
    assert "Epidermal injury</th>" in html.split("alternatives-table")[1]


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ("non_ablative", "a burn (overdose), with a risk of scarring and pigment change"),
        ("fractional_non_ablative", "Focal necrosis in the micro-zones (by design)"),
        ("fractional_ablative", "Focal necrosis in the micro-zones (by design)"),
        ("ablative", "Epidermis removed (by design: full-field ablative resurfacing)"),
        # simulation summaries carry no class: it is read from the crater and the micro-zones
        ({"crater_depth_um": 0.0, "mtz_area_fraction": None}, "a burn (overdose)"),
        ({"crater_depth_um": 0.0, "mtz_area_fraction": 0.1}, "Focal necrosis in the micro-zones"),
        ({"crater_depth_um": 120.0, "mtz_area_fraction": None}, "Epidermis removed"),
    ],
)
def test_epidermal_necrosis_is_worded_by_device_class(context, expected):
    """Before: "Epidermis destroyed (by design for ablative lasers)" for a 25 J/cm^2 burn of type VI skin with
    genesis_1064 and for fraxel_1550 alike."""
    assert expected in epidermal_injury_text("necrosis", context)
    assert expected in display_value("epidermal_injury", "necrosis", context)
    assert "by design for ablative lasers" not in display_value("epidermal_injury", "necrosis", context)
    assert display_value("epidermal_injury", "blister", context) == "Blister"  # other grades unchanged


def test_a_bare_necrosis_grade_is_true_for_every_class_and_no_crater_reads_as_such():
    bare = display_value("epidermal_injury", "necrosis")
    assert "burn for a non-ablative laser" in bare and "by design for ablative and fractional" in bare
    assert display_value("crater_depth_um", 0.0) == "no crater" and display_value("crater_depth_um", 49.0) == "49.0 µm"
    assert "or the surface" in name("residual_damage_depth_um") and "or the surface" in name("coagulation_depth_um")


def test_the_report_words_the_plan_grade_by_its_modality():
    plan = copy.deepcopy(PLAN)
    plan["modality"], plan["risks"]["epidermal_injury"] = "ablative", "necrosis"
    risks = plan_report_html(plan).split("<h2>Risks</h2>")[1].split("</table>")[0]
    assert "Epidermis removed (by design: full-field ablative resurfacing)" in risks


@pytest.mark.parametrize("render", [_plan_page, plan_report_html], ids=["page", "report"])
def test_the_device_s_published_outcomes_are_shown_on_the_page_and_in_the_report(render):
    """QA15 #4: the plan's ``outcome_evidence`` (the device's published outcomes, the model's value and z) is shown
    with its summary sentence on the web page as in report.html: an Er:YAG plan says it over-predicts the held-out
    Fitzpatrick 2000 arm and reads as an upper estimate."""
    from laserskin.planning.plan import outcome_evidence

    plan = copy.deepcopy(PLAN)
    plan["outcome_evidence"] = outcome_evidence("er_yag_2940")
    html = unescape(render(plan))
    assert labels.OUTCOME_EVIDENCE_HEADING in html
    assert "upper estimate" in html
    assert "Fitzpatrick et al. 2000" in html and "+3.4" in html
