"""The whole-number fields of every input model are numbers (and an unknown scattering set is refused at its key).

Whole numbers (laserskin.core.models, one rule of InputModel): pydantic's lax ``int`` read the text ``"2"`` as 2, so
``[person] laxity = "2"``, ``[transport] photons = "2000"`` or ``[grid] nr = "60"`` ran without a word while the
treatment counts (``passes = "2"``, QA9 #6) were refused. Now text in any whole-number field is refused with the
field, the value and its range, in the counts' words; a float with no fractional part still reads as the count, and
a fraction (``laxity = 2.5``) reads the range too (before: "expected an integer grade").
"""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from laserskin.core.errors import _MODELS, InputError, describe_validation_error
from laserskin.core.models import InputModel, _not_whole_numbers, number_from_text
from laserskin.pipeline.scenario import scenario_from_dict

SCENARIO = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"
sun_exposure = 2
laxity = 2

[laser]
device = "er_yag_2940"
fluence = "10 J/cm^2"

[protocol]
passes = 1

[transport]
photons = 2000
seed = 3

[grid]
nr = 60

[geometry]
order_seed = 1
"""


def _scenario(table: str, key: str, value: str) -> dict:
    """The scenario with ``[table] key = value`` (TOML text)."""
    data = tomllib.loads(SCENARIO)
    data.setdefault(table, {})[key] = tomllib.loads(f"v = {value}")["v"]
    return data


def _refusal(table: str, key: str, value: str) -> str:
    with pytest.raises(InputError) as refused:
        scenario_from_dict(_scenario(table, key, value))
    return str(refused.value)


@pytest.mark.parametrize(
    ("table", "key", "allowed"),
    [
        ("person", "laxity", "a whole number from 0 to 4"),
        ("person", "sun_exposure", "a whole number from 0 to 3"),
        (
            "transport",
            "photons",
            "a whole number from 1 to 10000000000 (a simulation takes from 1000: its read-outs pool regions of 1000 launched photons)",
        ),
        ("transport", "seed", "a whole number at least 0 and less than 9223372036854775808"),
        ("transport", "threads", "a whole number from 1 to 1024"),
        ("grid", "nr", "a whole number from 2 to 2000"),
        ("geometry", "order_seed", "a whole number at least 0"),
        ("protocol", "passes", "a whole number from 1 to 20"),
        ("protocol", "sessions", "a whole number from 1 to 20"),
        ("protocol", "pulses_per_spot", "a whole number from 1 to 10000"),
        ("laser", "pulses", "a whole number from 1 to 10000"),
    ],
)
def test_text_in_a_whole_number_field_of_a_scenario_is_refused(table, key, allowed):
    assert _refusal(table, key, '"2"') == f"{table}.{key}: got '2'; expected {allowed}"
    assert _refusal(table, key, "2.5") == f"{table}.{key}: got 2.5; expected {allowed}"
    accepted = scenario_from_dict(_scenario(table, key, "2.0"))  # a float without a fraction is the count
    value = getattr(getattr(accepted, table), key)
    assert value == 2 and type(value) is int


def test_every_whole_number_field_of_every_input_model_refuses_text():
    """Not a list kept by hand: every registered input model's int fields (optional or not), by the key they are
    typed as. A model of its own that bypasses InputModel's rule would read "2" as 2 and fail here."""
    checked = []
    for name, model in list(_MODELS.items()):
        if not (isinstance(model, type) and issubclass(model, InputModel)):
            continue
        for field_name, field in model.model_fields.items():
            if not _not_whole_numbers(field.annotation, "2"):
                continue
            key = field.alias or field_name
            with pytest.raises(ValidationError) as refused:
                model.model_validate({key: "2"})
            lines = describe_validation_error(refused.value).splitlines()
            assert any(line.startswith(f"{key}: got '2'; expected ") for line in lines), (name, key, lines)
            checked.append(f"{name}.{key}")
    assert {"Person.laxity", "TransportSettings.photons", "GridSpec.nr", "Protocol.passes"} <= set(checked)


def test_the_other_problems_of_the_table_are_still_said():
    """The refusal is at its field, next to every other problem of the table (not only the first)."""
    data = _scenario("person", "laxity", '"2"')
    data["person"]["site"] = "elbow"
    data["transport"]["photons"] = "2000"
    with pytest.raises(InputError) as refused:
        scenario_from_dict(data)
    lines = str(refused.value).splitlines()
    assert lines[0].startswith("person.site: got 'elbow' (unknown body site)")  # the fields' order
    assert lines[1] == "person.laxity: got '2'; expected a whole number from 0 to 4"
    assert lines[2] == "transport.photons: got '2000'; expected a whole number from 1 to 10000000000"
    assert len(lines) == 3


def test_booleans_are_refused_at_their_field_too():
    assert _refusal("grid", "nr", "true") == (
        "grid.nr: got true; expected a whole number from 2 to 2000 (true/false is not a number)"
    )


def test_the_interfaces_of_typed_text_read_numbers():
    assert number_from_text("2") == 2 and type(number_from_text("2")) is int
    assert number_from_text(" 1.5 ") == 1.5
    assert number_from_text("-3") == -3
    for kept in ("two", "1e400", "nan", "55 year", "9" * 31):
        assert number_from_text(kept) == kept.strip()
    assert number_from_text(7) == 7


def test_the_cli_refuses_text_in_a_scenario_whole_number(tmp_path):
    from laserskin.cli import app

    path = tmp_path / "laxity.toml"
    path.write_text(SCENARIO.replace("laxity = 2", 'laxity = "2"'))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["simulate", str(path), "--photons", "2000", "--json", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == "error: person.laxity: got '2'; expected a whole number from 0 to 4"
    assert not out.exists()


def test_text_typed_on_a_command_line_reads_as_a_whole_number():
    """A command-line option read as text (``laserskin plan --laxity 2``) has no other way to type a number:
    TypedText is read as pydantic reads text, and a refusal echoes the option as typed."""
    from laserskin.core.models import TypedText, typed_text
    from laserskin.planning.request import PlanRequest

    person = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"}
    request = PlanRequest.validated(**person, laxity=typed_text("2"), seed=typed_text(" 3 "))
    assert (request.laxity, request.seed) == (2, 3) and type(request.laxity) is int
    for typed in ("2.5", "9", "two"):
        with pytest.raises(InputError) as refused:
            PlanRequest.validated(**person, laxity=typed_text(typed))
        assert str(refused.value) == f"plan.laxity: got '{typed}'; expected a whole number from 0 to 4"
    with pytest.raises(InputError, match=r"^plan\.laxity: got '2'; expected a whole number from 0 to 4$"):
        PlanRequest.validated(**person, laxity="2")  # plain text: a person file's laxity = "2"
    assert typed_text(None) is None and typed_text(2) == 2 and isinstance(typed_text("2"), TypedText)


def test_the_cli_options_typed_as_text_read_as_whole_numbers():
    """``laserskin optics`` and ``laserskin plan`` read their whole-number options as text (a bad value reads like
    every input error): they pass it as TypedText, so ``--laxity 2`` (and optics' default "1") is the number. Needs
    cli/optics.py and cli/plan.py to pass ``typed_text`` (session 12, robust's report)."""
    import json

    from laserskin.cli import app

    person = ["--age", "55", "--sex", "female", "--fitzpatrick", "II", "--site", "cheek"]
    optics = CliRunner().invoke(app, ["optics", *person, "--wavelength", "1064 nm", "--json"])
    assert optics.exit_code == 0, optics.output
    assert json.loads(optics.stdout)["layers"][0]["name"] == "stratum_corneum"
    optics = CliRunner().invoke(app, ["optics", *person, "--wavelength", "1064 nm", "--laxity", "3", "--json"])
    assert optics.exit_code == 0, optics.output
    # the plan's whole-number options: accepted, so only the one bad option is refused (before the planner runs)
    options = ["--laxity", "2", "--sun-exposure", "1", "--photons", "2000", "--seed", "3", "--max-sessions", "0"]
    plan = CliRunner().invoke(app, ["plan", *person, *options], env={"COLUMNS": "200"})
    assert plan.exit_code == 2, plan.output
    assert plan.output.strip() == "error: plan.max_sessions: got '0'; expected a whole number from 1 to 20"


def test_an_unknown_scattering_set_is_refused_at_its_key_when_the_file_is_read():
    """Session 12 (QA of the input messages): ``[transport] scattering = "foo"`` was read, and refused only when the
    light transport started, as "scattering: got 'foo'" (no table)."""
    assert _refusal("transport", "scattering", '"foo"') == (
        "transport.scattering: got 'foo'; expected one of jacques2013, salomatina2006"
    )
    read = scenario_from_dict(_scenario("transport", "scattering", '"salomatina2006"'))
    assert read.transport.scattering == "salomatina2006"
