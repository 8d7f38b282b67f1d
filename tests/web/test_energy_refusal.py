"""The web's 422 for a refused energy or pulse duration points at the request field given (QA8 #3, #8).

Before, a pulse energy over the peak-fluence limit gave ``loc ["body", "laser", "fluence"]`` (not a field of the
request) with a mean fluence nobody typed, and a 1 ps pulse ran. Cheap: Er:YAG is refused before any heat solve.
"""

from __future__ import annotations

import warnings

import pytest

from laserskin.web import WebSettings, create_app

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SCENARIO = {
    "person": {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
    "laser": {"wavelength": "2940 nm", "pulse_energy": "10 J", "pulse_duration": "250 us", "spot_diameter": "1 mm"},
    "transport": {"photons": 1000},
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(tmp_path_factory.mktemp("web"), WebSettings(max_photons=2000))) as client:
        yield client


def test_a_pulse_energy_over_the_limit_is_a_422_on_body_laser_pulse_energy(client):
    response = client.post("/api/simulate", json=SCENARIO)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "laser", "pulse_energy"]
    assert detail["msg"].startswith("laser.pulse_energy: got '10 J'; expected a pulse energy <= 7.85 J")


def test_a_picosecond_pulse_is_a_422_on_body_laser_pulse_duration(client):
    laser = {**SCENARIO["laser"], "pulse_energy": "100 mJ", "pulse_duration": "1 ps"}
    response = client.post("/api/simulate", json={**SCENARIO, "laser": laser})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "laser", "pulse_duration"]
    assert "from 10 ns to 60 s" in detail["msg"]


def test_an_over_limit_micro_beam_is_a_422_before_the_job_runs(client):
    """150 mJ into a 120 µm CO2 micro-beam (peak 2653 J/cm² > the micro-beam limit of 2000): refused when the request
    is read (the job is priced by building its Simulation), not run (before: an 862 µm crater per pulse)."""
    laser = {
        "wavelength": "10600 nm",
        "pulse_energy": "150 mJ",
        "pulse_duration": "1 ms",
        "spot_diameter": "10 mm",
        "ablative": True,
        "fractional": {"microbeam_diameter": "120 um", "density": "10 %"},
    }
    response = client.post("/api/simulate", json={**SCENARIO, "laser": laser})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "laser", "pulse_energy"]
    assert detail["msg"].startswith("laser.pulse_energy: got '150 mJ'; expected a pulse energy <= 113 mJ into this")
