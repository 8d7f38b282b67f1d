"""report.html and the label table say the pulses stacked per spot (QA7 #4: the default 1320 nm plan is
3 pulses at 2 Hz per spot, and the report said one pulse of 14.2 J/cm²). Stored plan data, no computation."""

from __future__ import annotations

import json
from pathlib import Path

from laserskin.report import SETTING_ROWS, plan_report_html
from laserskin.report.labels import LABELS, alternative_fluence_text, pulses_text

PLAN = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))


def test_pulses_text(settings_1320):
    assert pulses_text(settings_1320) == "3 pulses at 2 Hz per spot (42.7 J/cm² per spot)"
    assert pulses_text(settings_1320, "J/cm^2") == "3 pulses at 2 Hz per spot (42.7 J/cm^2 per spot)"
    assert pulses_text({**settings_1320, "pulses_per_spot": 1}) == "1 pulse per spot"
    fractional = {**settings_1320, "microbeam_diameter_um": 120.0, "repetition_rate_Hz": 300.0}
    assert pulses_text(fractional) == "3 pulses per micro-zone (42.7 J/cm² per micro-zone)"  # 300 Hz: the scanner's
    assert pulses_text({"passes": 1}) == ""  # a plan written before the key


def test_the_settings_rows_of_the_report_have_labels():
    for key in ("pulses_per_spot", "fluence_per_spot_J_per_cm2"):
        assert key in SETTING_ROWS and key in LABELS


def test_report_html_states_the_stacked_pulses_of_the_plan_and_of_an_alternative(settings_1320):
    alternative = {**PLAN["alternatives"][1], "settings": settings_1320}
    data = {**PLAN, "settings": settings_1320, "alternatives": [PLAN["alternatives"][0], alternative]}
    html = plan_report_html(data)
    settings = html.split("<h3>Laser settings</h3>")[1].split("</table>")[0]
    assert "<th scope='row'>Pulses stacked per spot</th><td>3</td>" in settings
    assert "<th scope='row'>Fluence per spot, all stacked pulses</th><td>42.7 J/cm²</td>" in settings
    assert "<th scope='row'>Repetition rate</th><td>2.00 Hz</td>" in settings
    alternatives = html.split("<h2>Alternatives</h2>")[1].split("</table>")[0]
    assert "<td>14.2, 3 pulses at 2 Hz per spot (42.7 J/cm² per spot)</td>" in alternatives
    assert alternative_fluence_text(PLAN["alternatives"][0]) == "133"  # one pulse: the fluence alone


def test_an_older_plan_without_the_keys_still_renders():
    html = plan_report_html(PLAN)
    assert "Pulses stacked per spot" not in html and "Laser settings" in html


def test_the_web_plan_page_shows_them_from_the_label_table(settings_1320):
    """plan_result.html with the globals the web app gives it: the rows are named by LABELS."""
    import jinja2

    from laserskin.report import labels

    templates = Path(labels.__file__).parents[1] / "web" / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True)
    env.globals.update(labels.template_globals())
    page = env.get_template("plan_result.html").render(
        plan={**PLAN, "settings": settings_1320}, job={"id": "x"}, figures=[]
    )
    settings = page.split("<caption>Settings</caption>")[1].split("</table>")[0]
    for row in (
        '<th scope="row">Pulses stacked per spot</th><td>3</td>',
        '<th scope="row">Repetition rate</th><td>2.00 Hz</td>',
        '<th scope="row">Fluence per spot, all stacked pulses</th><td>42.7 J/cm²</td>',
    ):
        assert row in settings, row


def test_the_web_alternatives_table_states_an_alternatives_stacked_pulses(settings_1320):
    """The web page's alternatives column (J/cm²) carries the alternative's stacked pulses, as report.html does."""
    import jinja2

    from laserskin.report import labels

    templates = Path(labels.__file__).parents[1] / "web" / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True)
    env.globals.update(labels.template_globals())
    alternative = {**PLAN["alternatives"][1], "settings": settings_1320}
    plan = {**PLAN, "alternatives": [PLAN["alternatives"][0], alternative]}
    page = env.get_template("plan_result.html").render(plan=plan, job={"id": "x"}, figures=[])
    table = page.split('id="alternatives-table"')[1].split("</table>")[0]
    assert "3 pulses at 2 Hz per spot (42.7 J/cm² per spot)" in table
