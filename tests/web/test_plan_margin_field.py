"""The plan form's safety-margin field (max_fraction_of_blister): shown, parsed as a number,
validated like the CLI and the JSON API, echoed in the report's inputs."""

import warnings

import pytest

from laserskin.report import INPUT_ROWS
from laserskin.report.labels import LABELS
from laserskin.web.forms import PLAN_FORM_FIELDS, plan_data_from_form

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PERSON = {"age": "52", "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2"}


def test_the_field_is_a_form_field_an_input_row_and_labelled():
    assert "max_fraction_of_blister" in PLAN_FORM_FIELDS and "max_fraction_of_blister" in INPUT_ROWS
    assert "blister" in LABELS["max_fraction_of_blister"].text
    data = plan_data_from_form({**PERSON, "max_fraction_of_blister": "0.7"}, [])
    assert data["max_fraction_of_blister"] == 0.7


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from laserskin.web.app import create_app
    from laserskin.web.limits import WebSettings

    with TestClient(create_app(tmp_path_factory.mktemp("web"), WebSettings(max_photons=2000))) as client:
        yield client


def test_the_form_shows_it_and_refuses_values_outside_0_1(client):
    page = client.get("/").text
    assert 'name="max_fraction_of_blister"' in page
    response = client.post("/plan", data={**PERSON, "max_fraction_of_blister": "1.5"}, follow_redirects=False)
    assert response.status_code == 422 and 'id="max_fraction_of_blister-error"' in response.text
