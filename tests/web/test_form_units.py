"""QA6 #7: a form field whose label states a unit reads a bare number in that unit.

Before, "Area per session (cm²)" refused ``150`` ("a number needs its unit") while its neighbours "(days)" and
"(min)" took bare numbers. Now every field of both forms whose label states a unit takes a bare number in the unit
of its label (one rule, :func:`laserskin.web.forms.read_in_label_unit`); a number with its own unit is read as
typed. The JSON API, the CLI and scenario files keep refusing bare numbers for dimensional quantities
(docs/cli.md): no label says which unit such a number is in. No simulation runs here (dry-run server).
"""

from __future__ import annotations

import re
import warnings

import pytest

from laserskin.pipeline.scenario import Scenario
from laserskin.planning import PlanRequest
from laserskin.web import WebSettings, create_app
from laserskin.web.forms import (
    PLAN_FORM_FIELDS,
    SIM_FORM_FIELDS,
    form_label,
    form_unit,
    plan_data_from_form,
    read_in_label_unit,
    scenario_from_simulate_form,
)

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PERSON = {"age": "56", "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2", "photons": "1000"}

# field -> (bare number, the same value with the label's unit written out), per form
PLAN_FIELDS = {
    "age": ("56", "56 year"),
    "area": ("150", "150 cm^2"),
    "max_downtime_days": ("3", "3 day"),
    "max_session_minutes": ("45", "45 min"),
}
SIM_FIELDS = {
    "age": ("56", "56 year"),
    "fluence": ("14", "14 J/cm^2"),
    "pulse_energy": ("15", "15 mJ"),
    "pulse_duration": ("0.3", "0.3 ms"),
    "spot_diameter": ("5", "5 mm"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = WebSettings(max_photons=2000, dry_run_s=0.01)  # a valid form starts a job that computes nothing
    with TestClient(create_app(tmp_path_factory.mktemp("web"), settings)) as client:
        yield client


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="(\w+)-error"[^>]*>([^<]*)', html))


def test_the_fields_whose_label_states_a_unit_are_these():
    """A new labelled field shows up here (and must be added to the table above, so it is tested)."""
    assert {f for f in PLAN_FORM_FIELDS if form_unit(f)} == set(PLAN_FIELDS)
    assert {f for f in SIM_FORM_FIELDS if form_unit(f)} == set(SIM_FIELDS)
    assert form_label("area") == "Area per session (cm²)"
    assert form_label("fluence") == "Fluence (J/cm²)"


@pytest.mark.parametrize(("field", "typed"), PLAN_FIELDS.items())
def test_a_bare_number_in_a_plan_field_is_read_in_the_unit_of_its_label(field, typed):
    bare, with_unit = typed
    read = PlanRequest.model_validate(plan_data_from_form({**PERSON, field: bare}, []))
    written = PlanRequest.model_validate(plan_data_from_form({**PERSON, field: with_unit}, []))
    assert read == written


@pytest.mark.parametrize(("field", "typed"), SIM_FIELDS.items())
def test_a_bare_number_in_a_simulate_field_is_read_in_the_unit_of_its_label(field, typed):
    bare, with_unit = typed
    device = "co2_fractional" if field == "pulse_energy" else "genesis_1064"
    read = Scenario.model_validate(scenario_from_simulate_form({**PERSON, "device": device, field: bare}))
    written = Scenario.model_validate(scenario_from_simulate_form({**PERSON, "device": device, field: with_unit}))
    assert read.laser_model() == written.laser_model() and read.person_model() == written.person_model()


def test_only_bare_finite_numbers_take_the_labels_unit():
    assert read_in_label_unit("area", " 150 ") == "150 cm^2"
    assert read_in_label_unit("area", "1.5e2") == "1.5e2 cm^2"
    assert read_in_label_unit("area", "1.5 dm^2") == "1.5 dm^2"  # its own unit: as typed
    assert read_in_label_unit("area", "0.015 m^2") == "0.015 m^2"
    for text in ("nan", "inf", "1e400", "lots", ""):  # left for the model to judge
        assert read_in_label_unit("area", text) == text
    assert read_in_label_unit("photons", "5000") == "5000"  # no unit in its label
    assert read_in_label_unit("max_fraction_of_blister", "0.8") == "0.8"


def test_the_plan_form_takes_a_bare_area_and_a_number_with_another_unit(client):
    for area in ("150", "0.015 m^2"):
        response = client.post("/plan", data={**PERSON, "area": area}, follow_redirects=False)
        assert response.status_code == 303, _errors(response.text)


def test_a_bare_area_out_of_range_says_how_it_was_read(client):
    response = client.post("/plan", data={**PERSON, "area": "0.5"}, follow_redirects=False)
    assert response.status_code == 422
    assert _errors(response.text)["area"] == "got &#39;0.5 cm^2&#39;; expected at least 1 cm^2"


def test_the_simulate_form_takes_bare_numbers_in_its_labelled_units(client):
    form = {**PERSON, "device": "genesis_1064", "fluence": "14", "pulse_duration": "0.3", "spot_diameter": "5"}
    response = client.post("/simulate", data=form, follow_redirects=False)
    assert response.status_code == 303, _errors(response.text)


def test_the_help_texts_say_so(client):
    plan, simulate = client.get("/").text, client.get("/simulate").text
    assert '<label for="area">Area per session (cm²)</label>' in plan
    assert "a number in cm², or with a unit" in plan
    for unit in ("J/cm²", "mJ", "ms", "mm"):
        assert f"a number in {unit}, or with a unit" in simulate


def test_the_json_api_keeps_refusing_a_bare_area(client):
    body = {"age": 55, "sex": "female", "fitzpatrick": "III", "site": "cheek", "photons": 1000, "area": 150}
    (item,) = client.post("/api/plan", json=body).json()["detail"]
    assert item["msg"].endswith("(a number needs its unit)")


def test_a_field_message_with_a_colon_is_shown_whole(client):
    """The message after the field's name is kept whole (before, only the text after its last ': ' was shown: the
    devices field read just the list of names, without "unknown device(s) no_such; expected names from")."""
    response = client.post("/plan", data={**PERSON, "devices": "no_such"}, follow_redirects=False)
    assert _errors(response.text)["devices"].startswith("unknown device(s) no_such; expected names from: co2_")


def test_the_inputs_a_simulation_echoes_carry_the_unit_a_bare_number_was_read_in(client):
    """The result page lists the typed inputs under labels without units ("Fluence"): "14" is shown as read."""
    form = {**PERSON, "device": "genesis_1064", "fluence": "14", "spot_diameter": "5 mm"}
    response = client.post("/simulate", data=form, follow_redirects=False)
    job = client.app.state.jobs.get(response.headers["location"].rsplit("/", 1)[-1])
    assert job.inputs["fluence"] == "14 J/cm^2" and job.inputs["spot_diameter"] == "5 mm"
