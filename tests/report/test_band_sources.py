"""report.html states what the [low, high] of the outcome and blister-fluence bands include (session 12).

The report read ``risks.blister_fluence_J_per_cm2`` and ``improvement_percent`` but showed none of what their bands
hold (the blister band's perturbations and Monte Carlo error, ``risks.blister_uncertainty``; the delivered dose's band,
``risks.outcome_dose_uncertainty``), nor which band an alternative carries. Stored plan data with distinctive numbers
written into the records: the report must show those numbers (never others recomputed from elsewhere). No computation.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from laserskin.report import plan_report_html
from laserskin.report.labels import blister_band_rows, outcome_band_includes_text, outcome_band_rows

PLAN = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))

BLISTER = {
    "relative_low": 0.1432,
    "relative_high": 0.0671,
    "mc_relative_error": 0.01734,
    "contributions": {"melanin": -0.0431, "scattering_set": -0.1264, "cooling_h": 0.0089},
    "runs": 4,
    "notes": {"epidermis_thickness": "not varied: stub reason"},
    "perturbations": {
        "melanin": "melanin to the top of the band",
        "scattering_set": "the other scattering set",
        "cooling_h": "cooling h at its low end",
    },
}
HEALING_ONLY = {"immediate": [0.135, 0.213, 0.319], "month_6": [11.386, 20.236, 37.34]}
WITH_DOSE = {"immediate": [0.087, 0.213, 0.811], "month_6": [7.702, 20.236, 43.828]}
DOSE = {
    "applied": True,
    "relative_low": 0.0503,
    "relative_high": 0.1078,
    "mc_relative_error": 0.01734,
    "contributions": {"melanin": 0.0343, "scattering_set": 0.0957, "cooling_h": -0.0092},
    "sources": {"melanin": "measured", "scattering_set": "measured", "cooling_h": "blister band (proxy)"},
    "fluence_J_per_cm2": [13.51, 14.22, 15.76],
    "healing_only_improvement_percent": HEALING_ONLY,
    "healing_only_rhytid_improvement_percent": HEALING_ONLY,
    "band_includes": "the healing model and the delivered dermal dose: stub",
}


def _plan(**changes) -> dict:
    data = copy.deepcopy(PLAN)
    data["improvement_percent"] = WITH_DOSE
    data["risks"] = {**data.get("risks", {}), "blister_uncertainty": BLISTER, "outcome_dose_uncertainty": DOSE}
    data["risks"]["blister_fluence_J_per_cm2"] = [16.71, 19.5, 20.81]
    data.update(changes)
    return data


def _section(html: str) -> str:
    return html.split("id='band-sources'")[1].split("<h2>Alternatives</h2>")[0]


def test_the_blister_band_rows_show_the_json_numbers():
    section = _section(plan_report_html(_plan()))
    for row in (
        "<th scope='row'>Band, relative to the nominal (low / high)</th><td>-14.3 % / +6.7 %</td>",
        "<td>1.73 %</td>",
        "<th scope='row'>Change with melanin to the top of the band</th><td>-4.3 % of the blister fluence</td>",
        "<th scope='row'>Change with the other scattering set</th><td>-12.6 % of the blister fluence</td>",
        "<th scope='row'>Change with cooling h at its low end</th><td>+0.9 % of the blister fluence</td>",
        "<th scope='row'>Not included: epidermal thickness</th><td>not varied: stub reason</td>",
        "<th scope='row'>Perturbed light-transport and heat runs</th><td>4</td>",
        "<td>19.5 J/cm² (16.7 J/cm² – 20.8 J/cm²)</td>",
    ):
        assert row in section, row


def test_the_outcome_band_rows_show_the_json_numbers():
    section = _section(plan_report_html(_plan()))
    for row in (
        "<th scope='row'>What the band includes</th><td>the healing model and the delivered dermal dose: stub</td>",
        "<td>14.2 J/cm² (13.5 J/cm² – 15.8 J/cm²)</td>",
        "<th scope='row'>Dose band, relative to the nominal (low / high)</th><td>-5.0 % / +10.8 %</td>",
        "<th scope='row'>Dose change with melanin to the top of the band</th><td>+3.4 %</td>",
        "<th scope='row'>Dose change with the other scattering set</th><td>+9.6 %</td>",
        "<th scope='row'>Dose change with cooling h at its low end</th><td>-0.9 % (blister band (proxy))</td>",
        "<th scope='row'>After 6 months, laxity grade</th><td>healing model alone 20.2 % (11.4–37.3 %); with the "
        "delivered dose 20.2 % (7.7–43.8 %)</td>",
        "<th scope='row'>Right after the course, laxity grade</th><td>healing model alone 0.2 % (0.1–0.3 %); with "
        "the delivered dose 0.2 % (0.1–0.8 %)</td>",
    ):
        assert row in section, row


def test_a_resurfacing_plan_states_the_rhytid_band():
    """The rows follow the measure of the plan's goal (the rhytid grade for resurfacing, QA6 #2)."""
    rhytid = {"month_6": [30.1, 40.2, 55.3]}
    dose = {**DOSE, "healing_only_rhytid_improvement_percent": {"month_6": [33.3, 40.2, 50.5]}}
    data = _plan(goal="resurface", rhytid_improvement_percent=rhytid)
    data["risks"]["outcome_dose_uncertainty"] = dose
    rows = dict(outcome_band_rows(data))
    assert rows["After 6 months, rhytid (wrinkle) grade"] == (
        "healing model alone 40.2 % (33.3–50.5 %); with the delivered dose 40.2 % (30.1–55.3 %)"
    )


def test_a_band_without_the_dose_says_it_is_the_healing_models():
    record = {"applied": False, "note": "not applied: stub", "band_includes": "the healing model only: stub"}
    data = _plan()
    data["risks"] = {**data["risks"], "outcome_dose_uncertainty": record, "blister_uncertainty": None}
    assert outcome_band_rows(data) == [("What the band includes", "the healing model only: stub")]
    assert blister_band_rows(data["risks"]) == []
    assert outcome_band_includes_text({"outcome_dose_uncertainty": record}) == "healing model only: stub"


def test_the_alternatives_say_which_band_they_carry():
    with_dose = {**PLAN["alternatives"][1], "outcome_dose_uncertainty": DOSE}
    healing = {**PLAN["alternatives"][0], "outcome_dose_uncertainty": {"applied": False, "note": "not applied: why"}}
    html = plan_report_html(_plan(alternatives=[healing, with_dose]))
    table = html.split("<h2>Alternatives</h2>")[1].split("</table>")[0]
    assert "<th scope='col'>What its improvement band includes</th>" in table
    assert "<td>healing model and delivered dose (-5.0 % / +10.8 %)</td>" in table
    assert "<td>healing model only: why</td>" in table
    assert "follow the same rule" in _section(html)


def test_an_older_plan_renders_without_the_rows():
    """A plan written before the records (tests/web/data/plan.json): no section, no column, no error."""
    html = plan_report_html(PLAN)
    assert "band-sources" not in html and "What its improvement band includes" not in html
    assert outcome_band_includes_text(PLAN["alternatives"][0]) == "—"
