"""The HTML report and the shared label table, from a stored plan (``data/plan.json``: the
``plan --json`` object of a 56-year-old, cheek, tighten; no computation here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from laserskin.report import assumptions, plan_citations, plan_report_html
from laserskin.report.labels import BAND, band_text, display_value, figure_text, label, name

PLAN = json.loads((Path(__file__).parent / "data" / "plan.json").read_text(encoding="utf-8"))


def test_report_has_inputs_risks_bands_alternatives_table_and_only_the_cited_works():
    html = plan_report_html(PLAN, {"improvement": b"\x89PNG fake"})
    for expected in (
        "The person and the request",
        "Risks",
        "Risk of pigment change",
        "5.9/10",
        BAND,
        "Alternatives",
        "<th scope='col'>Device</th>",
        "co2_fractional",
        "Expected improvement over time",
        "alt='Line chart",
    ):
        assert expected in html, expected
    alternatives = html.split("<h2>Alternatives</h2>")[1].split("</table>")[0]
    assert "{" not in alternatives  # a table, not JSON
    sources = html.split("<h2>Sources</h2>")[1]
    assert sources.count("<li>") == 1 and "Pennes" in sources
    assert "month_1" not in html and "lidocaine_tetracaine_7_7" not in html
    assert "<script" not in html and "http" not in html.split("<h2>Sources</h2>")[0]


def test_assumptions_use_the_planner_thresholds_that_the_reasons_use():
    band = re.search(r"band >= (\d+) um", " ".join(PLAN["reasons"])).group(1)
    assert any(f"at least {band} µm" in line for line in assumptions())


def test_assumptions_state_the_margin_rule_the_planner_applies():
    """QA3 #15: the margin is a fraction of the lower blister fluence, not 'basal Omega <= 0.5'."""
    from laserskin.planning.request import planner_rules

    fraction = planner_rules()["safety"]["max_fraction_of_blister"]
    text = " ".join(assumptions())
    assert f"at most {fraction:g} × the lower end of the blister-fluence band" in text
    assert "≤ 0.5" not in text


def test_citations_are_deduplicated_and_never_the_whole_library():
    assert plan_citations({"citations": ["pennes1948", "pennes1948"]}) == plan_citations({"citations": ["pennes1948"]})
    assert plan_citations({}) == []


def test_labels_have_units_and_plain_words():
    assert label("fluence_J_per_cm2") == "Fluence (J/cm²)" and name("fluence_J_per_cm2") == "Fluence"
    assert display_value("pain_index", 5.94) == "5.9/10"
    assert display_value("anesthetic", "lidocaine_tetracaine_7_7") == "Lidocaine/tetracaine 7 %/7 % cream"
    assert display_value("pulse_energy_mJ", 4807.3) == "4.81 J"  # QA8 #5: 1000 mJ and over in J
    assert display_value("fluence_fraction_of_blister", 0.976) == "98 %"
    # a [from, to] pair is a range with one unit, not two values
    assert display_value("wavelength_band_nm", [1100.0, 1800.0]) == "1,100–1,800 nm"
    assert display_value("dermal_injury_band_um", [828.2, 1525.9]) == "828–1,526 µm"
    assert label("month_6") == "After 6 months" and label("peak_dermis_temperature_C").endswith("(°C)")
    assert band_text([4.7, 12.9, 28.3]) == f"12.9 % ({BAND} 4.7–28.3 %)"
    for figure in ("improvement", "margin", "maps", "temperature_map", "depth_profiles"):
        text = figure_text(figure, PLAN)
        assert text["title"] and text["caption"] and len(text["alt"]) > 30


def test_cli_style_captions_and_explicit_citations():
    html = plan_report_html(
        {**PLAN, "citations": []}, {"safety margin vs fluence": b"png"}, citations=["pennes1948", "pennes1948"]
    )
    assert "Safety margin against fluence" in html and "1 work cited" in html


def test_rhytid_grade_and_pain_bands_read_as_a_person_reads_them():
    rhytid = {"month_6": [10.0, 20.0, 40.0]}
    risks = {**PLAN.get("risks", {}), "pain_with_plan": [1.46, 3.14, 5.84], "reepithelialization_days": 6.45}
    html = plan_report_html({**PLAN, "rhytid_improvement_percent": rhytid, "risks": risks})
    assert "Expected improvement of wrinkles, rhytid grade" in html and "20.0 %" in html
    assert "3.1/10 (1.5/10 – 5.8/10)" in html  # [low, nominal, high] as nominal (low – high), with the unit
    assert "Open wound until re-epithelialised" in html and "Reepithelialization" not in html
    assert html.count(name("pain_with_plan")) == 1
