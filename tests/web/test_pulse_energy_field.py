"""The simulate form's pulse-energy field (QA4 #32): fractional devices are set in mJ per micro-beam.

Before, the form offered only a fluence, so ``co2_fractional`` at 15 mJ had to be typed as 132.6 J/cm² (per MTZ);
``15 mJ`` in the fluence field was refused. Now a Pulse energy field takes it; both fields at once are refused (as
in a scenario file: before, a device with both overrides kept the last one silently). No simulation runs here
(the browser test in test_browser.py runs one).
"""

from __future__ import annotations

import re
import warnings

import pytest

from laserskin.pipeline.scenario import Scenario
from laserskin.web import WebSettings, create_app
from laserskin.web.forms import scenario_from_simulate_form

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PERSON = {"age": "56", "sex": "female", "fitzpatrick": "III", "site": "cheek", "photons": "1000"}


@pytest.fixture(scope="module")
def app_and_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("web")
    return TestClient(create_app(data, WebSettings(max_photons=2000))), data


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="(\w+)-error"[^>]*>([^<]*)', html))


def test_the_form_has_a_labelled_pulse_energy_field(app_and_data):
    client, _ = app_and_data
    page = client.get("/simulate").text
    assert '<label for="pulse_energy">Pulse energy (mJ)</label>' in page
    assert re.search(r'<input[^>]*id="pulse_energy"', page)


def test_a_pulse_energy_sets_a_fractional_device_per_micro_beam():
    data = scenario_from_simulate_form({**PERSON, "device": "co2_fractional", "pulse_energy": "15 mJ"})
    laser = Scenario.model_validate(data).laser_model()
    assert laser.microbeam_energy_J == pytest.approx(0.015, rel=1e-12)
    # the per-MTZ fluence the user had to work out by hand before: E / (pi w^2) of the 120 um micro-beam
    assert laser.fluence_J_per_m2 * 1e-4 == pytest.approx(132.6, abs=0.05)


def test_the_form_takes_a_pulse_energy_and_refuses_it_in_the_fluence_field_or_beside_a_fluence(app_and_data):
    client, data = app_and_data
    jobs = data / "jobs"
    before = set(jobs.iterdir()) if jobs.exists() else set()
    typed_as_fluence = client.post(
        "/simulate", data={**PERSON, "device": "co2_fractional", "fluence": "15 mJ"}, follow_redirects=False
    )
    assert typed_as_fluence.status_code == 422
    assert "Pulse energy" in _errors(typed_as_fluence.text)["fluence"]
    both = client.post(
        "/simulate",
        data={**PERSON, "device": "co2_fractional", "fluence": "100 J/cm^2", "pulse_energy": "15 mJ"},
        follow_redirects=False,
    )
    assert both.status_code == 422  # before: 303, the pulse energy kept and the fluence dropped
    assert "exactly one of fluence and pulse_energy" in _errors(both.text)["fluence"]
    assert (set(jobs.iterdir()) if jobs.exists() else set()) == before
