"""A form posts every field as text: the web layer reads the numbers typed in it as numbers
(``laserskin.core.models.number_from_text``), so a form's laxity of "2" plans and simulates, while the same text
in a scenario file (``laxity = "2"``) or a JSON body (``"laxity": "2"``) is refused naming the field and its range
(session 12: pydantic's lax ``int`` read it as 2 without a word)."""

from __future__ import annotations

import html
import tomllib
import warnings

import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.web.app import create_app
from laserskin.web.limits import WebSettings

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FORM = {"age": "56", "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2", "sun_exposure": "1"}
REFUSED = "laxity: got '2'; expected a whole number from 0 to 4"


@pytest.fixture(scope="module")
def dry(tmp_path_factory):
    # dry_run_s: every job sleeps instead of computing (the form's reading is what is tested)
    app = create_app(tmp_path_factory.mktemp("dry"), WebSettings(max_photons=2000, dry_run_s=0.0))
    with TestClient(app) as client:
        yield client


def test_a_form_laxity_of_2_plans(dry):
    response = dry.post("/plan", data={**FORM, "photons": "1000", "seed": "3"}, follow_redirects=False)
    assert response.status_code == 303, response.text[-2000:]
    assert response.headers["location"].startswith("/jobs/")


def test_a_form_laxity_of_2_simulates(dry):
    data = {**FORM, "device": "genesis_1064", "photons": "1000", "seed": "3", "passes": "1"}
    response = dry.post("/simulate", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[-2000:]


def test_a_form_laxity_that_is_no_whole_number_is_a_field_error(dry):
    for typed, got in (("two", "'two'"), ("2.5", "2.5")):
        response = dry.post("/plan", data={**FORM, "laxity": typed}, follow_redirects=False)
        assert response.status_code == 422
        assert f"got {got}; expected a whole number from 0 to 4" in html.unescape(response.text)
        assert 'id="laxity-error"' in response.text


def test_a_toml_laxity_of_2_is_refused():
    table = tomllib.loads(
        '[person]\nage = 56\nsex = "female"\nfitzpatrick = "III"\nsite = "cheek"\nlaxity = "2"\n'
        '[laser]\nwavelength = "1064 nm"\n'
    )
    with pytest.raises(InputError) as refused:
        scenario_from_dict(table)
    assert str(refused.value) == f"person.{REFUSED}"
    table["person"]["laxity"] = 2
    assert scenario_from_dict(table).person.laxity == 2


def test_a_json_body_laxity_of_2_is_refused(dry):
    body = {"age": 56, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2", "photons": 1000}
    response = dry.post("/api/plan", json=body)
    assert response.status_code == 422
    assert [item["msg"] for item in response.json()["detail"]] == [REFUSED]
    from laserskin.planning.request import PlanRequest

    assert PlanRequest.model_validate({**body, "laxity": 2}).laxity == 2  # the number: read as the body's laxity
    assert PlanRequest.model_validate({**body, "laxity": 2.0}).laxity == 2  # a float without a fraction too
