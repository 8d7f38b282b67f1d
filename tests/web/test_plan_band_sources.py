"""The web plan page states what the [low, high] of its bands include, the rows report.html's section "What the bands
include" shows (session 13: the page showed the bands without them).

One row source for both: ``laserskin.report.labels.outcome_band_rows`` and ``blister_band_rows`` read the plan's
``risks.outcome_dose_uncertainty`` and ``risks.blister_uncertainty``. A finished plan job is written to the data
folder by hand with distinctive numbers in those records (no planning): the page must show those numbers, in the
same rows as the report.
"""

from __future__ import annotations

import copy
import html
import json
import re
import warnings
from pathlib import Path

import pytest

from laserskin.report import plan_report_html
from laserskin.report.labels import blister_band_rows, outcome_band_rows
from laserskin.web import WebSettings, create_app

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PLAN = json.loads((Path(__file__).parent / "data" / "plan.json").read_text(encoding="utf-8"))
BLISTER = {
    "relative_low": 0.1432,
    "relative_high": 0.0671,
    "mc_relative_error": 0.01734,
    "contributions": {"melanin": -0.0431, "scattering_set": -0.1264},
    "runs": 3,
    "notes": {"epidermis_thickness": "not varied: web stub"},
    "perturbations": {"melanin": "melanin to the top of the band", "scattering_set": "the other scattering set"},
}
DOSE = {
    "applied": True,
    "relative_low": 0.0503,
    "relative_high": 0.1078,
    "mc_relative_error": 0.01734,
    "contributions": {"melanin": 0.0343, "scattering_set": 0.0957},
    "sources": {"melanin": "measured", "scattering_set": "measured"},
    "fluence_J_per_cm2": [13.51, 14.22, 15.76],
    "healing_only_improvement_percent": {"month_6": [11.386, 20.236, 37.34]},
    "band_includes": "the healing model and the delivered dermal dose: web stub",
}
JOB = "b" * 32
BARE = "c" * 32  # the stored plan without the records (an older plan): no section


def _plan() -> dict:
    data = copy.deepcopy(PLAN)
    data["improvement_percent"] = {"month_6": [7.702, 20.236, 43.828]}
    data["risks"] = {**data["risks"], "blister_uncertainty": BLISTER, "outcome_dose_uncertainty": DOSE}
    data["risks"]["blister_fluence_J_per_cm2"] = [16.71, 19.5, 20.81]
    return data


@pytest.fixture(scope="module")
def client(tmp_path_factory, write_done_job):
    data = tmp_path_factory.mktemp("web_band_sources")
    write_done_job(data, JOB, _plan(), kind="plan")
    write_done_job(data, BARE, copy.deepcopy(PLAN), kind="plan")
    with TestClient(create_app(data, WebSettings(max_photons=2000))) as client:
        yield client


def _table_rows(page: str, table_id: str) -> list[tuple[str, str]]:
    table = page.split(f'id="{table_id}"')[1].split("</table>")[0]
    found = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', table, re.S)
    return [(html.unescape(a), html.unescape(b)) for a, b in found]


def test_the_plan_page_shows_the_rows_of_the_report(client):
    page = client.get(f"/jobs/{JOB}/result")
    assert page.status_code == 200
    assert 'id="band-sources">What the bands include<' in page.text
    plan = _plan()
    outcome, blister = _table_rows(page.text, "outcome-band-table"), _table_rows(page.text, "blister-band-table")
    assert outcome == outcome_band_rows(plan) and blister == blister_band_rows(plan["risks"])
    report = html.unescape(plan_report_html(plan))
    for row, text in outcome + blister:  # the same rows as report.html's section
        assert f"<th scope='row'>{row}</th><td>{text}</td>" in report, row


def test_the_rows_carry_the_plans_numbers(client):
    page = client.get(f"/jobs/{JOB}/result").text
    outcome, blister = dict(_table_rows(page, "outcome-band-table")), dict(_table_rows(page, "blister-band-table"))
    assert outcome["What the band includes"] == "the healing model and the delivered dermal dose: web stub"
    assert outcome["Dose band, relative to the nominal (low / high)"] == "-5.0 % / +10.8 %"
    assert outcome["Dose change with the other scattering set"] == "+9.6 %"
    assert blister["Band, relative to the nominal (low / high)"] == "-14.3 % / +6.7 %"
    assert blister["Change with melanin to the top of the band"] == "-4.3 % of the blister fluence"
    assert blister["Not included: epidermis thickness"] == "not varied: web stub"
    assert blister["Perturbed light-transport and heat runs"] == "3"


def test_a_plan_without_the_records_has_no_section(client):
    page = client.get(f"/jobs/{BARE}/result")
    assert page.status_code == 200 and 'id="plan-table"' in page.text
    assert "band-sources" not in page.text
