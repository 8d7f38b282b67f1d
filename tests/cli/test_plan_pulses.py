"""QA7 #4: a plan simulated and timed with pulses stacked on one spot (cooltouch_1320's preset: 3 at 2 Hz) said
one pulse everywhere: the plan JSON's ``settings`` had no pulse count, the terminal table read "14.2 J/cm^2, 50 ms,
10 mm, 1 pass(es)" and report.html and the web page listed no pulses. Now ``settings.pulses_per_spot`` is the
simulated laser's ``pulses`` and every shell shows it (no computation here: the settings of a preset's laser)."""

from __future__ import annotations

import copy
import json
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

from laserskin.cli.plan import _settings_text
from laserskin.planning.plan import _settings
from laserskin.report import plan_report_html
from laserskin.treatment.devices import load_device

PLAN = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))


def _settings_of(laser) -> dict:
    return _settings(SimpleNamespace(laser=laser, passes=1, binding="test", safe_energy_J=None, target_energy_J=None))


def _stacked() -> dict:
    laser = load_device("cooltouch_1320").laser()
    return _settings_of(laser.model_copy(update={"pulses": 3, "repetition_rate_Hz": 2.0}))


def test_the_settings_state_every_pulse_key_of_the_simulated_laser():
    laser = load_device("cooltouch_1320").laser()
    settings = _settings_of(laser)
    assert settings["pulses_per_spot"] == laser.pulses  # the preset's, as the planner simulates it
    stacked = _stacked()
    assert stacked["pulses_per_spot"] == 3 and stacked["repetition_rate_Hz"] == 2.0
    assert _settings_of(load_device("smoothbeam_1450").laser())["pulses_per_spot"] == 1


def test_the_terminal_table_says_the_pulses_their_rate_and_the_dose_per_spot():
    stacked = _stacked()
    text = _settings_text(stacked)
    dose = 3 * stacked["fluence_J_per_cm2"]
    assert f", 3 pulses per spot at 2 Hz ({dose:.3g} J/cm^2 per spot), 1 pass(es)" in text
    single = {**stacked, "pulses_per_spot": 1}
    assert "pulses per spot" not in _settings_text(single)
    assert "pulses per spot" not in _settings_text(PLAN["settings"])  # a plan JSON written before the key


def test_the_report_and_the_web_page_list_the_pulses_per_spot(tmp_path):
    plan = copy.deepcopy(PLAN)
    plan["settings"]["pulses_per_spot"] = 3
    html = plan_report_html(plan, {})
    assert "Pulses stacked per spot" in html.split("Laser settings")[1].split("</table>")[0]

    from laserskin.web import WebSettings, create_app

    with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    job = "a" * 32
    folder = tmp_path / "jobs" / job
    folder.mkdir(parents=True)
    now = time.time()
    record = {"id": job, "kind": "plan", "status": "done", "stage": "done", "progress": 1.0}
    record |= {"created_unix": now, "started_unix": now, "finished_unix": now, "inputs": {}}
    (folder / "job.json").write_text(json.dumps(record), encoding="utf-8")
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    with TestClient(create_app(tmp_path, WebSettings(max_photons=2000))) as client:
        page = client.get(f"/jobs/{job}/result").text
    table = page.split('id="plan-table"')[1].split("</table>")[0]
    assert "Pulses stacked per spot</th><td>3</td>" in table


@pytest.mark.parametrize("device", ["cooltouch_1320", "genesis_1064", "fraxel_1550"])
def test_every_preset_plan_settings_carry_a_pulse_count(device):
    assert isinstance(_settings_of(load_device(device).laser())["pulses_per_spot"], int)
