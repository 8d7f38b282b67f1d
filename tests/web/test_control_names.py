"""The web names a control of the request by the label of its form field, the JSON by the body's key, never by
the CLI's option: the planner writes its advice with the CLI's options (``raise --max-session-minutes to 88``,
the one convention, :func:`laserskin.core.errors.name_controls`) and each interface renames them.

A finished plan job is written to the data folder by hand (no planning): the page is a view of its ``plan.json``.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from pathlib import Path

import pytest

from laserskin.core.errors import controls_named, in_field_terms, key_terms, name_controls
from laserskin.report import plan_report_html
from laserskin.web import WebSettings, create_app
from laserskin.web.forms import form_label, in_form_terms

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PLAN = json.loads((Path(__file__).parent / "data" / "plan.json").read_text(encoding="utf-8"))
#: Advice as the planner writes it (planning/plan.py: _limit_not_met_note, _one_sitting_note; eligibility.py)
SESSION_NOTE = (
    "session limit 45 min not met: smoothbeam_1450 ... the session is one visit of 88 min (40.0 min at the laser): "
    "raise --max-session-minutes to 88, treat a smaller area (--area), or choose an option that fits"
)
GOAL_NOTE = "no laxity to tighten; resurface is indicated (photoaging 3): use --goal resurface or --goal recommend"
JOB = "e" * 32
FAILED = "f" * 32
#: An InputError of the planner, as a job keeps it (devices.py + plan.py: the devices serve the other goal)
REFUSAL = (
    "devices: got ['er_yag_2940']; expected at least one device of class non_ablative for goal 'tighten' "
    "(the device(s) given serve goal 'resurface': use --goal resurface or --goal recommend)"
)


def _plan() -> dict:
    plan = copy.deepcopy(PLAN)
    plan["reasons"] = [*plan["reasons"], SESSION_NOTE]
    plan["risks"]["session_limit_not_met"] = SESSION_NOTE
    plan["alternatives"][0]["reasons"] = [GOAL_NOTE]
    return plan


@pytest.fixture(scope="module")
def client(tmp_path_factory, write_done_job):
    data = tmp_path_factory.mktemp("web_controls")
    record = write_done_job(data, JOB, _plan(), kind="plan")
    failed = data / "jobs" / FAILED
    failed.mkdir(parents=True)
    record = {**record, "id": FAILED, "status": "error", "stage": "error", "message": REFUSAL}
    (failed / "job.json").write_text(json.dumps(record), encoding="utf-8")
    with TestClient(create_app(data, WebSettings(max_photons=2000))) as client:
        yield client


def test_the_plan_page_names_the_form_field_the_user_sees(client):
    page = client.get(f"/jobs/{JOB}/result")
    assert page.status_code == 200
    reasons = page.text.split('id="reasons"')[1].split("</ul>")[0]
    label = form_label("max_session_minutes")
    assert label == "Longest acceptable session (min)"
    assert f"raise “{label}” to 88" in reasons
    assert f"a smaller area (“{form_label('area')}”)" in reasons
    assert "--max-session-minutes" not in page.text and "--area" not in page.text
    assert label in client.get("/").text  # the label is the one the form shows


def test_the_json_download_names_the_body_keys(client):
    response = client.get(f"/jobs/{JOB}/download/plan.json")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert "raise max_session_minutes to 88, treat a smaller area (area)" in data["reasons"][-1]
    assert "use goal: resurface or goal: recommend" in data["alternatives"][0]["reasons"][0]
    assert not re.search(r"(?<![\w-])--[a-z]", json.dumps(data))


def test_one_mechanism_names_controls_for_each_interface():
    assert name_controls(GOAL_NOTE, key_terms) == in_field_terms(GOAL_NOTE)
    assert in_field_terms(GOAL_NOTE).endswith("use goal: resurface or goal: recommend")
    web = name_controls(GOAL_NOTE, in_form_terms)
    assert web.endswith("use “Goal”: “Resurface (remove the surface layer)” or “Goal”: “Recommend (compare both)”")
    assert name_controls("own cooling (--cooling auto)", in_form_terms) == (
        "own cooling (“Skin cooling”: “Each device's own cooling”)"
    )
    assert name_controls("choose another --out", in_form_terms) == "choose another out"  # no form field: its key
    # the CLI keeps its options; nested plans are renamed everywhere, other values untouched
    named = controls_named(_plan(), in_form_terms)
    assert named["risks"]["session_limit_not_met"] == named["reasons"][-1]
    assert (
        "--" not in json.dumps(named, ensure_ascii=False)
        and named["risks"]["epidermal_omega"] == PLAN["risks"]["epidermal_omega"]
    )
    html = plan_report_html(named, {})
    assert "--max-session-minutes" not in html and "Longest acceptable session (min)" in html


def test_a_failed_job_names_the_body_keys_in_json_and_the_labels_on_its_page(client):
    state = client.get(f"/api/jobs/{FAILED}").json()
    assert state["message"].endswith("use goal: resurface or goal: recommend)")
    label = "“Goal”: “Resurface (remove the surface layer)”"
    assert state["form_message"].endswith(f"use {label} or “Goal”: “Recommend (compare both)”)")
    page = client.get(f"/jobs/{FAILED}").text
    error = page.split('id="job-error"')[1].split("</p>")[0]
    assert "use “Goal”: “Resurface (remove the surface layer)”" in error and "--goal" not in page
    assert "form_message" in (Path(__file__).parents[2] / "src/laserskin/web/static/app.js").read_text()
