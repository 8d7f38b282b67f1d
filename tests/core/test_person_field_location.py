"""QA15 #6: a problem of a plan's person is named at the field the user typed, in every shell.

The planner's request is flat (``age``, ``fitzpatrick``, ``site`` ...); its validator builds the
:class:`laserskin.skin.Person` and relayed that model's refusal as one value error of the whole request: the CLI
said ``plan.person.fitzpatrick`` (but ``plan.age``), the JSON API ``loc: ["body"]`` with ``person.fitzpatrick`` for
a body without a ``person`` key (but ``loc: ["body", "laxity"]``). One rule now (:func:`laserskin.core.errors.
located_in`): each of the person's problems is located at the request's own field.
"""

from __future__ import annotations

import warnings

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError, describe_validation_error, located_in
from laserskin.planning.request import PlanRequest

FITZPATRICK = "fitzpatrick: got 'VII'; expected one of I, II, III, IV, V, VI"
AGE = "age: got 15; expected from 18 year to 100 year"
SITE = "site: got 'elbow' (unknown body site); expected one of forehead, cheek"
CASES = [  # (the wrong field and value, the line that names it)
    ({"fitzpatrick": "VII"}, FITZPATRICK),
    ({"age": 15}, AGE),
    ({"site": "elbow"}, SITE),
]


def _request(**wrong):
    return {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 2, **wrong}


@pytest.mark.parametrize(("wrong", "line"), CASES)
def test_the_cli_names_the_option_as_plan_dot_field(wrong, line):
    ((key, value),) = wrong.items()
    options = {**_request(), key: value}
    args = ["plan", *(x for k, v in options.items() for x in (f"--{k}", str(v))), "--json"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    expected = line.replace("got 15", "got '15'")  # an option is text as typed
    assert text.startswith(f"error: plan.{expected}"), text
    assert "person." not in text


def test_every_problem_of_the_person_is_at_its_field_and_the_others_stay_at_theirs():
    with pytest.raises(InputError) as refused:
        PlanRequest.validated(**_request(fitzpatrick="VII", site="elbow"))
    lines = str(refused.value).splitlines()
    assert lines[0].startswith(f"plan.{FITZPATRICK}") and lines[1].startswith(f"plan.{SITE}")  # before: person.site


def test_a_field_the_outer_model_lacks_keeps_the_sub_models_prefix():
    from laserskin.skin.person import Person

    with pytest.raises(ValidationError) as info:
        Person(age=52, sex="female", fitzpatrick="III", site="cheek", melanin_fraction=2)  # no such plan field
    relocated = located_in(info.value, PlanRequest, "person")
    assert isinstance(relocated, ValidationError)
    assert [item["loc"] for item in relocated.errors()] == [("person", "melanin_fraction")]
    assert describe_validation_error(relocated).startswith("person.melanin_fraction: got 2; expected")
    other = ValueError("not a validation error")
    assert located_in(other, PlanRequest, "person") is other


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from laserskin.web import WebSettings, create_app

    with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import (as in tests/web)
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(create_app(tmp_path_factory.mktemp("web"), WebSettings(max_photons=2000))) as client:
        yield client


@pytest.mark.parametrize(("wrong", "line"), CASES)
def test_the_api_locates_the_body_key(client, wrong, line):
    response = client.post("/api/plan", json=_request(**wrong))
    assert response.status_code == 422, response.text
    (problem,) = response.json()["detail"]
    (key,) = wrong
    assert problem["loc"] == ["body", key]  # before: ["body"] for fitzpatrick and site
    assert problem["msg"].startswith(line) and "person." not in problem["msg"]
    assert problem["input"] == wrong[key]  # the field's value, not the whole body


def test_the_api_locates_two_person_problems_apart(client):
    response = client.post("/api/plan", json=_request(fitzpatrick="VII", site="elbow"))
    assert response.status_code == 422
    assert [(p["loc"], p["msg"][:24]) for p in response.json()["detail"]] == [
        (["body", "fitzpatrick"], FITZPATRICK[:24]),
        (["body", "site"], SITE[:24]),
    ]
