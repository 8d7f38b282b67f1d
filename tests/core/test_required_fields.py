"""Every "required" says what is expected: a missing skin type or site in every interface, an array field, a
check's required key.

Before, ``laserskin plan`` without ``--fitzpatrick`` (and the web plan form) read ``plan.fitzpatrick: required;
expected text`` while ``POST /api/plan`` read "one of I, ..., VI", and a missing ``site`` read "expected text"
everywhere. Cause: ``PlanRequest.fitzpatrick``, ``PlanRequest.site`` and ``Person.site`` are typed ``str`` and checked
by a validator, so the words of a missing field (:func:`~laserskin.core.errors.describe_field`) said "text"; only
the JSON API's describer looked up Person's ``Literal`` fitzpatrick, and no model said more for ``site``. Now the
fields carry their choices (:class:`~laserskin.core.errors.Choices`) and every path words them as the check of a
wrong value does.

Also the QA12 nit: ``python -m laserskin.planning.thresholds`` with a bad option prints one ``error:`` line and exits
with status 2 (before: a traceback).
"""

from __future__ import annotations

import re
import tomllib
import warnings
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import _MODELS, Choices, InputError, describe_field, describe_validation_error
from laserskin.core.models import InputModel, expected_words
from laserskin.pipeline.scenario import Scenario, scenario_from_dict
from laserskin.planning import PlanRequest
from laserskin.skin.person import FITZPATRICK_TYPES, SITES, Person

TYPES = "one of " + ", ".join(FITZPATRICK_TYPES)


def _site_words() -> str:
    """What the check of a wrong site expects (the words a missing site must use too)."""
    with pytest.raises(InputError) as refused:
        PlanRequest.validated(age=52, sex="female", fitzpatrick="III", site="nose")
    return str(refused.value).rpartition("; expected ")[2]


def _refuse(model, data: dict, prefix: str) -> None:
    """Validate ``data`` as ``model`` and raise its problems as one :class:`InputError`, as the interfaces do."""
    from pydantic import ValidationError

    try:
        model.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error, prefix) from None


SITE_WORDS = _site_words()


def test_the_site_words_list_every_site():
    assert SITE_WORDS == "one of " + ", ".join(SITES)


# --- the Python models ----------------------------------------------------------------------------------------------
def test_plan_request_missing_type_and_site_say_what_is_expected():
    with pytest.raises(InputError) as refused:
        PlanRequest.validated(age=52, sex="female", site="cheek")
    assert str(refused.value) == f"plan.fitzpatrick: required; expected {TYPES}"
    with pytest.raises(InputError) as refused:
        PlanRequest.validated(age=52, sex="female", fitzpatrick="III")
    assert str(refused.value) == f"plan.site: required; expected {SITE_WORDS}"


def test_person_missing_site_says_what_is_expected():
    with pytest.raises(InputError) as refused:
        _refuse(Person, {"age": 52, "sex": "female", "fitzpatrick": "III"}, "person")
    assert str(refused.value) == f"person.site: required; expected {SITE_WORDS}"


def test_a_scenario_without_a_site_says_what_is_expected():
    person = {"age": 52, "sex": "female", "fitzpatrick": "III"}
    laser = {"wavelength": "1450 nm", "fluence": "10 J/cm^2", "pulse_duration": "1 ms", "spot_diameter": "6 mm"}
    with pytest.raises(InputError) as refused:
        _refuse(Scenario, {"person": person, "laser": laser}, "")
    assert f"person.site: required; expected {SITE_WORDS}" in str(refused.value).splitlines()


# --- the command line -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "line"),
    [
        (["--site", "cheek"], f"error: plan.fitzpatrick: required; expected {TYPES}"),
        (["--fitzpatrick", "III"], f"error: plan.site: required; expected {SITE_WORDS}"),
    ],
)
def test_cli_plan_missing_type_or_site(options, line):
    result = CliRunner().invoke(app, ["plan", "--age", "52", "--sex", "female", *options, "--json"])
    assert result.exit_code == 2
    assert line in result.output.splitlines()


# --- the web form and the JSON API ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from laserskin.web import WebSettings, create_app

    with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    settings = WebSettings(max_photons=2000, dry_run_s=0.01)  # a valid form would start a job that computes nothing
    with TestClient(create_app(tmp_path_factory.mktemp("web"), settings)) as client:
        yield client


FORM = {"age": "52", "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2", "photons": "1000"}
BODY = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek", "photons": 1000}


@pytest.mark.parametrize(("key", "words"), [("fitzpatrick", TYPES), ("site", SITE_WORDS)])
def test_web_form_missing_type_or_site(client, key, words):
    response = client.post("/plan", data={k: v for k, v in FORM.items() if k != key}, follow_redirects=False)
    assert response.status_code == 422
    errors = dict(re.findall(r'id="(\w+)-error"[^>]*>([^<]*)', response.text))
    assert errors[key] == f"required; expected {words}"


@pytest.mark.parametrize(("key", "words"), [("fitzpatrick", TYPES), ("site", SITE_WORDS)])
def test_json_api_missing_type_or_site(client, key, words):
    response = client.post("/api/plan", json={k: v for k, v in BODY.items() if k != key})
    assert response.status_code == 422
    assert [item["msg"] for item in response.json()["detail"]] == [f"{key}: required; expected {words}"]


# --- every required field of the input models -----------------------------------------------------------------------
def _input_models(*roots) -> list:
    """The input models reachable from ``roots`` through their fields (tables, arrays of tables, unions)."""
    from laserskin.core.errors import _models_in

    seen: list = []
    todo = list(roots)
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return seen


def test_every_required_field_of_the_inputs_says_what_it_takes():
    """Each input table validated empty: every "required" line says what is expected, never just "text" (a free
    text field of the inputs has a default; the choices of a checked text field are its words)."""
    from pydantic import ValidationError

    models = _input_models(Scenario, PlanRequest)
    assert Person in models
    lines = []
    for model in models:
        try:
            model.model_validate({})
        except ValidationError as error:
            lines += describe_validation_error(error, model.__name__).splitlines()
    required = [line for line in lines if ": required" in line]
    assert any(line.startswith("Person.site: required") for line in required)
    assert [line for line in required if "expected" not in line or line.endswith("expected text")] == []


# --- the marker ------------------------------------------------------------------------------------------------------
class _Chosen(InputModel):
    colour: Annotated[str, Choices(("red", "green"))]
    shade: Annotated[str, Choices(("dark", "light"))] | None = None
    plain: str = ""


def test_choices_give_a_text_field_its_words_and_change_nothing_else():
    fields = _Chosen.model_fields
    assert describe_field(fields["colour"]) == expected_words(fields["colour"]) == "one of red, green"
    assert describe_field(fields["shade"]) == "one of dark, light"  # an optional one too
    assert describe_field(fields["plain"]) == "text"
    assert _Chosen(colour="anything").colour == "anything"  # it words the check; it checks nothing
    assert _Chosen.model_json_schema()["properties"]["colour"] == {"title": "Colour", "type": "string"}


# --- the thresholds tool (QA12 nit) ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--melanin-spectrum", "nosuch"], "error: melanin_spectrum: got 'nosuch'; expected one of jacques2013, "),
        (["--type", "VII"], "error: type: got 'VII'; expected a Fitzpatrick type I, II, III, IV, V or VI"),
        (["--row", "no_such_row"], "error: row: got 'no_such_row'; expected one of "),
    ],
)
def test_thresholds_tool_refuses_in_one_line_with_status_2(capsys, argv, line):
    from laserskin.planning.thresholds import main

    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and captured.err.startswith(line)


EXAMPLES = Path(__file__).parents[2] / "examples"


def _example(name: str) -> dict:
    return tomllib.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _refusal(data: dict) -> str:
    with pytest.raises(InputError) as refused:
        scenario_from_dict(data)
    return str(refused.value)


# --- an array field and a check's required key ----------------------------------------------------------------------
def test_a_missing_inclusion_center_says_what_it_takes():
    data = _example("follicle_810_voxel.toml")
    del data["inclusions"][0]["center"]
    assert _refusal(data) == (
        "inclusions[0].center: required; expected an array of 2 or 3 items, each a length, such as "
        "['1 mm', '1 mm', '1 mm']"
    )


def test_a_checks_required_key_says_what_it_takes():
    """The laser's own checks ("spot_diameter: required (or spot_fwhm ...)") get the field's words."""
    data = _example("tightening_1320.toml")
    data["laser"] = {"wavelength": "1320 nm", "fluence": "10 J/cm^2", "pulse_duration": "3 ms"}
    message = _refusal(data)
    assert message.startswith("laser.spot_diameter: required (or spot_fwhm for a gaussian beam); expected a length ")
    assert "such as '" in message
    data["laser"] = {**data["laser"], "spot_diameter": "5 mm", "pulses": 3}
    message = _refusal(data)
    assert message.startswith("laser.repetition_rate: required when pulses > 1 (got pulses = 3); expected a frequency")


def test_every_required_field_of_every_input_model_says_what_it_takes():
    """Each registered input model validated without its required fields: every line that says "required" says
    what is expected (the words of expected_words, never the fallback)."""
    checked = 0
    for name, model in list(_MODELS.items()):
        if not (isinstance(model, type) and issubclass(model, InputModel)):
            continue
        required = [f for f in model.model_fields.values() if f.is_required()]
        if not required:
            continue
        try:
            model.model_validate({})
        except ValidationError as error:
            lines = describe_validation_error(error).splitlines()
        except (InputError, ValueError, TypeError, KeyError):  # a before-check that needs a key: not this subject
            continue
        else:
            continue
        for line in lines:
            if ": required" in line:
                assert "; expected " in line, (name, line)
                assert "as the documentation" not in line, (name, line)
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("annotation_of", "words"),
    [
        (("GeometrySpec", "size_m"), "an array of 3 items, each a length more than 0 mm, such as"),
        (("PlanRequest", "devices"), "an array of items, each text"),
        (("Scenario", "inclusions"), "an array of tables"),
    ],
)
def test_array_fields_are_described(annotation_of, words):
    model, field = annotation_of
    assert expected_words(_MODELS[model].model_fields[field]).startswith(words)
