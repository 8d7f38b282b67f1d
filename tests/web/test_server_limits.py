"""QA5 #24: a value over the server's limit is answered with the server's limit, whichever bound fires.

The schema's ranges are wider than a server's (passes 1-20, photons up to 1e10 for a simulation and 1e7 for a
plan); before, a value over both read "expected a whole number from 1 to 20", the schema's range, while a value
over the server's limit only read "at most 5 on this server".
"""

from __future__ import annotations

import html
import re
import warnings

import pytest

from laserskin.web import WebSettings, create_app
from laserskin.web.limits import input_limit_problems

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SETTINGS = WebSettings(max_photons=2000)  # max_passes 5, max_relaxation 5 s (defaults)
PERSON = {"age": "56", "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2"}
SCENARIO = {
    "person": {"age": 50, "sex": "male", "fitzpatrick": "II", "site": "forehead"},
    "laser": {"device": "genesis_1064", "fluence": "12 J/cm^2"},
    "transport": {"photons": 500, "seed": 4},
    "grid": {"nr": 16},
    "heat": {"relaxation": "0.05 s"},
}
PLAN = {"age": 55, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 2, "photons": 1000}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(tmp_path_factory.mktemp("web"), SETTINGS)) as client:
        yield client


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'id="{name}-error">([^<]*)<', page)
    assert found, f"no error on {name}"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("passes", ["10", "100", "1000000"])
def test_simulate_form_passes_over_the_limit_say_the_servers_limit(client, passes):
    response = client.post(
        "/simulate", data={**PERSON, "device": "er_yag_2940", "passes": passes}, follow_redirects=False
    )
    assert response.status_code == 422
    assert _field_error(response.text, "passes") == f"at most 5 on this server (got {passes})"


@pytest.mark.parametrize("photons", ["5000", "5000000", "100000000000"])
def test_simulate_form_photons_over_the_limit_say_the_servers_limit(client, photons):
    response = client.post(
        "/simulate", data={**PERSON, "device": "er_yag_2940", "photons": photons}, follow_redirects=False
    )
    assert response.status_code == 422
    assert _field_error(response.text, "photons") == f"at most 2000 on this server (got {photons})"


@pytest.mark.parametrize("photons", ["5000", "100000000", "100000000000"])
def test_plan_form_photons_over_the_limit_say_the_servers_limit(client, photons):
    response = client.post("/plan", data={**PERSON, "photons": photons}, follow_redirects=False)
    assert response.status_code == 422
    assert _field_error(response.text, "photons") == f"at most 2000 on this server (got {photons})"


def test_other_form_errors_stay_next_to_the_limit(client):
    response = client.post("/plan", data={**PERSON, "age": "150", "photons": "100000000"}, follow_redirects=False)
    assert response.status_code == 422
    assert _field_error(response.text, "photons") == "at most 2000 on this server (got 100000000)"
    assert "on this server" not in _field_error(response.text, "age")  # the schema's own error on age


@pytest.mark.parametrize("photons", [5000, 100_000_000, 10**11])
def test_api_plan_photons_over_the_limit_say_the_servers_limit(client, photons):
    response = client.post("/api/plan", json={**PLAN, "photons": photons})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["msg"] == f"photons: got {photons}; at most 2000 on this server"
    assert detail[0]["type"] == "limit" and detail[0]["loc"] == ["body", "photons"]


def test_api_plan_limit_is_reported_with_the_schemas_other_problems(client):
    detail = client.post("/api/plan", json={**PLAN, "age": 12, "photons": 100_000_000}).json()["detail"]
    by_field = {item["loc"][-1]: item for item in detail}
    assert by_field["photons"]["msg"] == "photons: got 100000000; at most 2000 on this server"
    assert by_field["age"]["type"] != "limit"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"protocol": {"passes": 9}}, "protocol.passes: got 9; at most 5 on this server"),
        ({"protocol": {"passes": 100}}, "protocol.passes: got 100; at most 5 on this server"),
        (
            {"transport": {"photons": 10**11, "seed": 4}},
            "transport.photons: got 100000000000; at most 2000 on this server",
        ),
        ({"grid": {"nr": 5000}}, "grid.nr: got 5000; at most 200 on this server"),
        ({"heat": {"relaxation": "2 h"}}, "heat.relaxation: got 2 h; at most 5 s on this server"),
    ],
)
def test_api_simulate_values_over_the_limit_say_the_servers_limit(client, change, message):
    response = client.post("/api/simulate", json={**SCENARIO, **change})
    assert response.status_code == 422
    assert [item["msg"] for item in response.json()["detail"]] == [message]


def test_values_within_the_limit_or_not_numbers_are_left_to_the_schema():
    assert input_limit_problems({"photons": 2000}, "plan", SETTINGS) == []
    assert input_limit_problems({"photons": "lots"}, "plan", SETTINGS) == []
    assert input_limit_problems({"photons": True}, "plan", SETTINGS) == []
    assert input_limit_problems({"heat": {"relaxation": "5 s"}}, "scenario", SETTINGS) == []
    assert input_limit_problems({"heat": {"relaxation": "5 kg"}}, "scenario", SETTINGS) == []
    assert input_limit_problems(["not", "an", "object"], "scenario", SETTINGS) == []
