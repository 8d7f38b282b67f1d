"""QA5 #24: a value over the server's limit is answered with the server's limit, whichever bound fires; and every
message on a server-limited field states the range this server accepts, a value below the minimum or one that is
no number included.

The schema's ranges are wider than a server's (passes 1-20, photons up to 1e10 for a simulation and 1e7 for a
plan); before QA5 #24, a value over both read "expected a whole number from 1 to 20", the schema's range, while a
value over the server's limit only read "at most 5 on this server"; after it, a value below the minimum still read
the schema's range (plan photons 10: "from 1000 to 10000000" on a server that takes at most 200000).
"""

from __future__ import annotations

import html
import re
import warnings

import numba
import pytest

from laserskin.web import WebSettings, create_app
from laserskin.web.limits import field_limits, input_limit_problems

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SETTINGS = WebSettings(max_photons=2000)  # max_passes 5, max_relaxation 5 s (defaults)
PERSON = {"age": "56", "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2"}
SCENARIO = {
    "person": {"age": 50, "sex": "male", "fitzpatrick": "II", "site": "forehead"},
    "laser": {"device": "genesis_1064", "fluence": "12 J/cm^2"},
    "transport": {"photons": 1000, "seed": 4},
    "grid": {"nr": 16},
    "heat": {"relaxation": "0.05 s"},
}
PLAN = {"age": 55, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 2, "photons": 1000}
THREADS = min(4, numba.config.NUMBA_NUM_THREADS)  # the server's 4, or the cores numba may use where fewer
PLAN_PHOTONS = "a whole number from 1000 to 2000 on this server"  # the schema's 1000 to 10000000


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
    assert _field_error(response.text, "passes") == f"got {passes}; expected a whole number from 1 to 5 on this server"


@pytest.mark.parametrize("photons", ["5000", "5000000", "100000000000"])
def test_simulate_form_photons_over_the_limit_say_the_servers_limit(client, photons):
    response = client.post(
        "/simulate", data={**PERSON, "device": "er_yag_2940", "photons": photons}, follow_redirects=False
    )
    assert response.status_code == 422
    assert (
        _field_error(response.text, "photons")
        == f"got {photons}; expected a whole number from 1000 to 2000 on this server"
    )


@pytest.mark.parametrize("photons", ["5000", "100000000", "100000000000"])
def test_plan_form_photons_over_the_limit_say_the_servers_limit(client, photons):
    response = client.post("/plan", data={**PERSON, "photons": photons}, follow_redirects=False)
    assert response.status_code == 422
    assert _field_error(response.text, "photons") == f"got {photons}; expected {PLAN_PHOTONS}"


def test_other_form_errors_stay_next_to_the_limit(client):
    response = client.post("/plan", data={**PERSON, "age": "150", "photons": "100000000"}, follow_redirects=False)
    assert response.status_code == 422
    assert _field_error(response.text, "photons") == f"got 100000000; expected {PLAN_PHOTONS}"
    assert "on this server" not in _field_error(response.text, "age")  # the schema's own error on age


@pytest.mark.parametrize("photons", [5000, 100_000_000, 10**11])
def test_api_plan_photons_over_the_limit_say_the_servers_limit(client, photons):
    response = client.post("/api/plan", json={**PLAN, "photons": photons})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["msg"] == f"photons: got {photons}; expected {PLAN_PHOTONS}"
    assert detail[0]["type"] == "limit" and detail[0]["loc"] == ["body", "photons"]


def test_api_plan_limit_is_reported_with_the_schemas_other_problems(client):
    detail = client.post("/api/plan", json={**PLAN, "age": 12, "photons": 100_000_000}).json()["detail"]
    by_field = {item["loc"][-1]: item for item in detail}
    assert by_field["photons"]["msg"] == f"photons: got 100000000; expected {PLAN_PHOTONS}"
    assert by_field["age"]["type"] != "limit"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"protocol": {"passes": 9}}, "protocol.passes: got 9; expected a whole number from 1 to 5 on this server"),
        ({"protocol": {"passes": 100}}, "protocol.passes: got 100; expected a whole number from 1 to 5 on this server"),
        (
            {"transport": {"photons": 10**11, "seed": 4}},
            "transport.photons: got 100000000000; expected a whole number from 1000 to 2000 on this server",
        ),
        ({"grid": {"nr": 5000}}, "grid.nr: got 5000; expected a whole number from 2 to 200 on this server"),
        (
            {"heat": {"relaxation": "2 h"}},
            "heat.relaxation: got '2 h' (7200 s); expected a duration more than 0 s and at most 5 s on this server, such as '1 s'",
        ),
        (
            {"heat": {"relaxation": "10 s"}},  # within the schema's 3600 s: the server's own check
            "heat.relaxation: got '10 s'; expected a duration more than 0 s and at most 5 s on this server, such as '1 s'",
        ),
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


# --- below the minimum, or no number: the range is still this server's (before: the schema's) -------------------
@pytest.mark.parametrize("photons", ["10", "999", "-5", "abc", "1.5"])
def test_plan_form_photons_below_the_minimum_say_the_servers_range(client, photons):
    response = client.post("/plan", data={**PERSON, "photons": photons}, follow_redirects=False)
    assert response.status_code == 422
    message = _field_error(response.text, "photons")
    assert message.endswith(f"; expected {PLAN_PHOTONS}"), message
    assert "10000000" not in message


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("passes", "0", "a whole number from 1 to 5 on this server"),
    ("passes", "two", "a whole number from 1 to 5 on this server"),
    ("photons", "0", "a whole number from 1000 to 2000 on this server"),
])  # fmt: skip
def test_simulate_form_below_the_minimum_says_the_servers_range(client, field, value, expected):
    response = client.post("/simulate", data={**PERSON, "device": "er_yag_2940", field: value}, follow_redirects=False)
    assert response.status_code == 422
    assert _field_error(response.text, field).endswith(f"; expected {expected}")


@pytest.mark.parametrize("photons", ["1", "999"])
def test_simulate_form_photons_below_the_simulations_floor_say_the_servers_range(client, photons):
    """QA10 #11: a simulation takes from 1000 photons (the [transport] table from 1): the refusal states this server's
    range from that floor, as the form's help does, with the reason."""
    response = client.post(
        "/simulate", data={**PERSON, "device": "er_yag_2940", "photons": photons}, follow_redirects=False
    )
    assert response.status_code == 422
    message = _field_error(response.text, "photons")
    assert message.startswith(f"got {photons}; expected a whole number from 1000 to 2000 on this server for a "), (
        message
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"protocol": {"passes": 0}}, "protocol.passes: got 0; expected a whole number from 1 to 5 on this server"),
        (
            {"transport": {"photons": 0}},
            "transport.photons: got 0; expected a whole number from 1000 to 2000 on this server",
        ),
        ({"grid": {"nr": 1}}, "grid.nr: got 1; expected a whole number from 2 to 200 on this server"),
        (
            {"transport": {"threads": 0}},
            f"transport.threads: got 0; expected a whole number from 1 to {THREADS} on this server",
        ),
        (
            {"heat": {"relaxation": "0 s"}},
            "heat.relaxation: got '0 s'; expected more than 0 s and at most 5 s on this server",
        ),
        (
            {"heat": {"relaxation": "3"}},  # a bare number: the schema's reason stays, with the server's range
            "heat.relaxation: got '3'; expected a duration more than 0 s and at most 5 s on this server, "
            "such as '3 s' (a number needs its unit)",
        ),
        (
            {"heat": {"relaxation": "10"}},  # the schema's example, the typed number, is over the server's limit
            "heat.relaxation: got '10'; expected a duration more than 0 s and at most 5 s on this server, "
            "such as '1 s' (a number needs its unit)",
        ),
    ],
)
def test_api_simulate_values_below_the_minimum_say_the_servers_range(client, change, message):
    response = client.post("/api/simulate", json={**SCENARIO, **change})
    assert response.status_code == 422
    assert [item["msg"] for item in response.json()["detail"]] == [message]


@pytest.mark.parametrize("photons", [1, 500, 999])
def test_api_simulate_photons_below_the_simulations_floor_say_the_servers_range(client, photons):
    """A count the [transport] table accepts (from 1) but a simulation refuses (from 1000, the read-outs' region):
    the API states this server's range, as the form does (was "from 1000 to 10000000000")."""
    response = client.post("/api/simulate", json={**SCENARIO, "transport": {"photons": photons}})
    assert response.status_code == 422
    [message] = [item["msg"] for item in response.json()["detail"]]
    assert message.startswith(
        f"transport.photons: got {photons}; expected a whole number from 1000 to 2000 on this server"
    ), message


@pytest.mark.parametrize("photons", [10, 999, "many"])
def test_api_plan_photons_below_the_minimum_say_the_servers_range(client, photons):
    detail = client.post("/api/plan", json={**PLAN, "photons": photons}).json()["detail"]
    assert [item["msg"].split("; ", 1)[1] for item in detail] == [f"expected {PLAN_PHOTONS}"]


#: titan_ir's refusal on a server of 2000 photons: 333 per wavelength, below the simulation's floor of 1000 per run
TITAN_IR_REFUSED = (
    "got 'titan_ir' (6 wavelengths); expected a source this server can simulate: a simulation takes at least 1000 "
    "photons per wavelength (6000 for 6 wavelengths) and this server at most 2000 photons over all wavelengths (at "
    "most 2 wavelengths): a server started with laserskin serve --max-photons 6000 or more runs it"
)


def test_a_broadband_source_the_server_cannot_run_is_refused_as_a_source(client):
    """titan_ir is launched at 6 wavelengths, one transport run each, and each run takes the simulation's floor of
    1000 photons (pipeline.settings.MIN_PHOTONS): the server's 2000 photons are 333 per run, so no photon count runs
    it here (session 13: it read "at most 285", a count the simulation refuses). The source is refused, naming the
    server's limit and the one that would run it."""
    for photons in (1000, 2000):
        body = {**SCENARIO, "laser": {"device": "titan_ir"}, "transport": {"photons": photons, "seed": 1}}
        (item,) = client.post("/api/simulate", json=body).json()["detail"]
        assert item["msg"] == f"laser.device: {TITAN_IR_REFUSED}"
        assert item["loc"] == ["body", "laser", "device"]


def test_the_simulate_form_marks_the_device_the_server_cannot_run(client):
    response = client.post(
        "/simulate", data={**PERSON, "device": "titan_ir", "photons": "1000"}, follow_redirects=False
    )
    assert response.status_code == 422
    assert _field_error(response.text, "device") == TITAN_IR_REFUSED


def test_a_broadband_source_is_told_its_photons_per_wavelength(tmp_path):
    """On a server of 20000 photons titan_ir runs from 1000 to 3333 photons per wavelength: a count over it is told
    that range (the floor included), not the single-wavelength range."""
    with TestClient(create_app(tmp_path, WebSettings(max_photons=20_000))) as larger:
        body = {**SCENARIO, "laser": {"device": "titan_ir"}, "transport": {"photons": 3500, "seed": 1}}
        (item,) = larger.post("/api/simulate", json=body).json()["detail"]
    assert item["msg"] == (
        "transport.photons: got 3500 (× 6 wavelengths = 21000 photons); expected a whole number from 1000 to 3333 "
        "per wavelength for a source of 6 wavelengths on this server (20000 photons over all wavelengths)"
    )


def test_form_help_states_the_servers_ranges(client):
    simulate, plan = client.get("/simulate").text, client.get("/").text
    assert 'id="passes-help">from 1 to 5 on this server<' in simulate
    # a simulation's floor (MIN_PHOTONS, the read-outs' pooling), not the [transport] table's 1 (QA10 #11)
    assert "from 1000 to 2000 on this server" in simulate.partition('id="photons-help"')[2]
    assert "from 1 to 2000" not in simulate
    assert "from 1000 to 2000 on this server" in plan


def test_a_server_that_takes_the_whole_schema_range_says_the_schemas():
    generous = WebSettings(
        max_photons=10**10, max_passes=20, max_nr=2000, max_threads=1024, max_relaxation_s=3600, max_pulses=10_000
    )
    cores = numba.config.NUMBA_NUM_THREADS  # threads: the cores numba may use, where fewer than the server's limit
    # photons: a simulation's floor (1000) lies above the [transport] table's own (1, laserskin transport), so the
    # range is restated as the simulation's whole range even where the server takes all of it
    assert set(field_limits("scenario", generous)) == {"transport.photons"} | (
        {"transport.threads"} if cores < 1024 else set()
    )
    assert field_limits("scenario", generous)["transport.photons"].server_range == (
        "from 1000 to 10000000000 on this server"
    )
    assert list(field_limits("plan", generous)) == []
    assert set(field_limits("scenario", WebSettings())) == {
        "transport.photons",
        "grid.nr",
        "transport.threads",
        "protocol.passes",
        "heat.relaxation",
        "laser.pulses",
        "protocol.pulses_per_spot",
    }


def test_threads_over_the_cores_are_refused_before_a_job_starts(client):
    """A job asking for more threads than numba may use failed in its worker ("from 1 to 2 (cores available to
    numba)") after a 'from 1 to 4 on this server' check had let it through."""
    threads = THREADS + 1
    (item,) = client.post(
        "/api/simulate", json={**SCENARIO, "transport": {"photons": 1000, "threads": threads}}
    ).json()["detail"]
    assert item["msg"] == (
        f"transport.threads: got {threads}; expected a whole number from 1 to {THREADS} on this server"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"laser": {"device": "genesis_1064", "pulses": 0}},  # the loc holds a union tag, body.laser.<laser>.pulses
            "laser.pulses: got 0; expected a whole number from 1 to 200 per spot over all passes on this server",
        ),
        (
            {"protocol": {"pulses_per_spot": 20000}},
            "protocol.pulses_per_spot: got 20000; expected a whole number from 1 to 200 per spot over all passes on "
            "this server",
        ),
        (
            {"protocol": {"pulses_per_spot": 300}},  # within the schema: the cost estimate's check
            "protocol.pulses_per_spot: got 300 pulses per spot over all passes; expected at most 200 pulses per spot "
            "over all passes on this server",
        ),
    ],
)
def test_pulses_say_the_servers_range(client, change, message):
    """Pulses per spot are limited over all passes (200 here): the schema's "from 1 to 10000" is restated."""
    response = client.post("/api/simulate", json={**SCENARIO, **change})
    assert [item["msg"] for item in response.json()["detail"]] == [message]


def test_a_body_validators_message_names_its_key_bare(client):
    """A message of a validator of the whole body that names its key reads "area: ...", as every other field
    (before: "body.area: ..."); one about the body itself still reads "body: ..."."""
    (item,) = client.post("/api/plan", json={**PLAN, "area": "1 m^2"}).json()["detail"]
    assert item["msg"].startswith("area: got ") and "at most 500 cm^2 per session for site cheek" in item["msg"]
    assert item["loc"] == ["body", "area"]  # QA15 #6: at the key (before: ["body"]; core.errors.located_at)
    (item,) = client.post("/api/plan", json=[1, 2]).json()["detail"]
    assert item["msg"] == "body: got [1, 2]; expected an object"


def test_a_json_null_is_called_null(client):
    (item,) = client.post("/api/plan", json={**PLAN, "photons": None}).json()["detail"]
    assert item["msg"] == f"photons: got null; expected {PLAN_PHOTONS}"


@pytest.mark.parametrize(("dz_max", "refused"), [("40 um", False), ("25 um", True)])
def test_a_grid_whose_lu_factors_outgrow_the_job_memory_is_refused(dz_max, refused):
    """A simulation holds the LU factors of all its heat step sizes while it runs. Measured (session 10, cooltouch_1320
    with cryogen, 200 rings): 55 400 cells (dz_max 40 µm) peak at 7.7 GB of address space and run under the 8 GiB
    job cap; 74 800 cells (dz_max 25 µm) peak at 9.8 GB and failed under it, although the 80 000-cell limit of the
    time accepted them. The server now refuses the larger grid up front, naming the grid and its limit."""
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.web.limits import scenario_limit_problem

    scenario = scenario_from_dict(
        {
            "person": {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
            "laser": {"device": "cooltouch_1320", "fluence": "16 J/cm^2"},
            "cooling": {"kind": "cryogen", "spurt_duration": "30 ms", "delay": "10 ms", "post_spurt": "30 ms"},
            "transport": {"photons": 20000, "seed": 11},
            "grid": {"nr": 200, "dz_max": dz_max},
        }
    )
    problem = scenario_limit_problem(scenario, WebSettings())
    if refused:
        assert problem == (
            "grid",
            "200 × 374 = 74800 cells (z_max, dz_surface, dz_max, growth)",
            "at most 56000 cells on this server",
        )
    else:
        assert problem is None


@pytest.mark.parametrize(("typed", "got"), [("1 min", "'1 min' (60 s)"), ("30 s", "'30 s'")])
def test_the_web_server_limit_on_relaxation_converts_as_the_schema_does(tmp_path, typed, got):
    """The server-limit path of a scenario (web/limits.py scenario_limit_problem) quoted the text alone."""
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.web.limits import WebSettings, scenario_limit_problem

    scenario = scenario_from_dict(
        {
            "person": {"age": 55, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
            "laser": {"device": "genesis_1064"},
            "heat": {"relaxation": typed},
            "transport": {"photons": 2000},
        }
    )
    field, value, allowed = scenario_limit_problem(scenario, WebSettings(max_photons=2000))
    assert (field, value) == ("heat.relaxation", got)
    assert allowed.startswith("a duration more than 0 s and at most 5 s on this server")


@pytest.mark.parametrize(("typed", "got"), [("2 h", "'2 h' (7200 s)"), ("7200 s", "'7200 s'")])
def test_a_server_limit_echoes_a_typed_quantity_with_its_value_in_the_unit_of_its_words(typed, got):
    from laserskin.web.limits import WebSettings, field_limits

    limit = field_limits("scenario", WebSettings())["heat.relaxation"]
    assert limit.echo(typed) == got
    assert limit.echo(3) == "3"


def test_the_web_over_the_schema_range_echoes_the_typed_quantity_with_its_converted_value(tmp_path):
    """QA14 #3 remainder: a value beyond the field's own schema range (``heat.relaxation = "2 h"``, schema at most 1 h)
    is answered by the raw-input server-limit path, which now echoes as every other refusal does."""
    from fastapi.testclient import TestClient

    from laserskin.web.app import create_app

    body = {
        "person": {"age": 50, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
        "laser": {"wavelength": "1450 nm", "fluence": "10 J/cm^2", "pulse_duration": "50 ms", "spot_diameter": "6 mm"},
        "heat": {"relaxation": "2 h"},
    }
    response = TestClient(create_app(tmp_path)).post("/api/simulate", json=body)
    assert response.status_code == 422
    messages = [item["msg"] for item in response.json()["detail"]]
    assert any(m.startswith("heat.relaxation: got '2 h' (7200 s); expected") for m in messages), messages
