"""Plain float fields in the web (session 13): a form posts every field as text and the web layer reads the numbers
typed in it (the safety margin "0.7" plans), while the same text in a JSON body is refused naming the field and its
range, as a scenario file's ``n_above = "1.0"`` is (core.models: one rule of numbers for every plain number field)."""

from __future__ import annotations

import warnings

import pytest

from laserskin.web.app import create_app
from laserskin.web.limits import WebSettings

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FORM = {"age": "56", "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2", "sun_exposure": "1"}
BODY = {"age": 56, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 2, "photons": 1000}


@pytest.fixture(scope="module")
def dry(tmp_path_factory):
    # dry_run_s: every job sleeps instead of computing (the reading of the input is what is tested)
    app = create_app(tmp_path_factory.mktemp("dry_floats"), WebSettings(max_photons=2000, dry_run_s=0.0))
    with TestClient(app) as client:
        yield client


def test_a_form_safety_margin_typed_as_text_plans(dry):
    response = dry.post(
        "/plan", data={**FORM, "photons": "1000", "max_fraction_of_blister": "0.7"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text[-2000:]


def test_a_json_safety_margin_written_as_text_is_refused(dry):
    response = dry.post("/api/plan", json={**BODY, "max_fraction_of_blister": "0.7"})
    assert response.status_code == 422
    messages = [item["msg"] for item in response.json()["detail"]]
    assert messages == ["max_fraction_of_blister: got '0.7'; expected a number more than 0 and at most 1"]


def test_a_json_scenarios_refractive_index_written_as_text_is_refused(dry):
    layer = {"n": 1.4, "mua": "1 1/cm", "mus": "100 1/cm", "g": "0.9", "thickness": "inf cm"}
    layer |= {"k": "0.5 W/(m*K)", "density": "1100 kg/m^3", "specific_heat": "3500 J/(kg*K)"}
    body = {"layers": [layer], "ambient": {"n_above": "1.0"}, "laser": {"wavelength": "1064 nm"}}
    response = dry.post("/api/simulate", json=body)
    assert response.status_code == 422
    lines = "\n".join(item["msg"] for item in response.json()["detail"]).splitlines()
    assert "ambient.n_above: got '1.0'; expected a number from 1 to 4" in lines, lines
    assert "layers[0].g: got '0.9'; expected a number more than -1 and less than 1" in lines, lines
    assert len(lines) == 2, lines
