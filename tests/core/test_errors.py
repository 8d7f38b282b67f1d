"""QA #18: input errors name the field, the value and what is allowed, in plain words, never pydantic's
or pint's own text. The translation lives once in core (InputError, describe_validation_error), so
scenario files, the CLI and the web JSON all read the same line."""

from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from laserskin.core.errors import InputError, describe_validation_error
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity
from laserskin.pipeline.scenario import scenario_from_dict

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"}
RAW_TEXTS = ("Input should", "Field required", "Input tag", "dimension", "[mass]", "Value error", "valid integer")


def scenario_error(laser: dict, **tables) -> str:
    with pytest.raises(InputError) as info:
        scenario_from_dict({"person": PERSON, "laser": laser, **tables})
    message = str(info.value)
    assert "\n" not in message, message
    for raw in RAW_TEXTS:
        assert raw not in message, message
    return message


def test_wrong_dimension_says_what_kind_of_quantity_is_expected():
    message = scenario_error({"device": "er_yag_2940", "fluence": "10 J"})
    assert message.startswith("laser.fluence: got '10 J', an energy; expected an areal energy density")
    assert "such as '10 J/cm^2'" in message


def test_fractional_pulses_ask_for_a_whole_number():
    message = scenario_error({"device": "er_yag_2940", "pulses": 2.5})
    assert message == "laser.pulses: got 2.5; expected a whole number from 1 to 10000"


def test_unknown_cooling_kind_lists_the_kinds():
    message = scenario_error({"device": "er_yag_2940"}, cooling={"kind": "ice"})
    assert message == "cooling.kind: got 'ice'; expected one of none, cold_air, contact, cryogen"


def test_missing_required_field_says_what_it_needs_and_its_range():
    message = scenario_error({"wavelength": "1064 nm", "fluence": "30 J/cm^2", "spot_diameter": "5 mm"})
    assert (
        message
        == "laser.pulse_duration: required; expected a duration more than 0 ms and at most 60000 ms, such as '1 ms'"
    )


def test_boolean_is_not_a_quantity():
    message = scenario_error({"device": "er_yag_2940", "fluence": True})
    assert message.startswith("laser.fluence: got true; expected an areal energy density")
    assert "true/false is not a quantity" in message


def test_boolean_is_not_a_whole_number():
    message = scenario_error({"device": "er_yag_2940", "pulses": True})
    assert message == "laser.pulses: got true; expected a whole number from 1 to 10000 (true/false is not a number)"


def test_device_range_names_the_field_the_user_set_not_the_derived_one():
    """fraxel_1550's range is in pulse energy; the user gave the fluence of the microbeam."""
    message = scenario_error({"device": "fraxel_1550", "fluence": "10 J/cm^2"})
    assert message.startswith("laser.fluence: got '10 J/cm^2' (pulse energy 0.7854 mJ on the 100 um microbeam)")
    # 4-70 mJ on a 100 um microbeam: E / (pi d^2 / 4) = 50.93-891.3 J/cm^2
    assert "expected from 50.93 to 891.3 J/cm^2" in message
    assert "allows pulse energy from 4 to 70 mJ" in message


def test_device_range_of_a_given_setting():
    message = scenario_error({"device": "er_yag_2940", "fluence": "5000 J/cm^2"})
    assert message == (
        "laser.fluence: got '5000 J/cm^2'; expected from 1 to 30 J/cm^2 (the range of device 'er_yag_2940')"
    )


def test_device_range_echoes_the_typed_value():
    """QA5 #16: ``30.001 J/cm^2`` was echoed rounded (``got 30 J/cm^2; expected from 1 to 30``, unquoted)."""
    message = scenario_error({"device": "er_yag_2940", "fluence": "30.001 J/cm^2"})
    assert message.startswith("laser.fluence: got '30.001 J/cm^2'; expected from 1 to 30 J/cm^2")


def test_out_of_range_and_integer_bounds_in_words():
    assert scenario_error({"device": "er_yag_2940", "fluence": "-10 J/cm^2"}) == (
        "laser.fluence: got '-10 J/cm^2'; expected more than 0 J/cm^2"
    )
    message = scenario_error({"device": "co2_full_field"}, protocol={"passes": 1000})
    assert message == "protocol.passes: got 1000; expected a whole number from 1 to 20"


def test_validator_messages_join_their_key_to_the_location():
    message = scenario_error(
        {"device": "co2_fractional", "fractional": {"microbeam_diameter": "120 um", "density": "200 %"}}
    )
    assert (
        message
        == "laser.fractional.density: got '200 %'; expected an area coverage more than 0 % and at most 100 %, such as '10 %'"
    )


class _Probe(InputModel):
    duration_s: Annotated[float, Quantity("s", gt=0.0)] = Field(alias="duration")
    count: int = Field(default=1, ge=1, le=5)
    mode: str = "a"


def test_describer_on_a_model_of_its_own():
    with pytest.raises(ValidationError) as info:
        _Probe.model_validate({"count": "many"})
    lines = describe_validation_error(info.value, "probe").splitlines()
    assert lines == [
        "probe.duration: required; expected a duration more than 0 ms, such as '1 ms'",
        "probe.count: got 'many'; expected a whole number from 1 to 5",
    ]


def test_number_written_as_text_needs_its_unit_too():
    """QA #18: --area 400 said "got '400', a plain number or a percentage"; it is a number without a unit."""
    from laserskin.core.units import to_si

    with pytest.raises(InputError) as info:
        to_si("400", "m^2", field="area")
    assert str(info.value) == "area: got '400'; expected an area such as '400 cm^2' (a number needs its unit)"
    assert to_si("55", "year", field="age", bare_unit="year") == to_si(55, "year", field="age", bare_unit="year")


def test_whole_number_bounds_are_written_out():
    class Photons(InputModel):
        photons: int = Field(ge=1000, le=10_000_000)

    with pytest.raises(ValidationError) as info:
        Photons(photons=0)
    assert describe_validation_error(info.value) == "photons: got 0; expected a whole number from 1000 to 10000000"


def test_web_json_api_reads_errors_the_same_way(tmp_path):
    """The JSON API's request validation (FastAPI) gives the same plain line as the CLI and scenario files."""
    import warnings

    from laserskin.web import WebSettings, create_app

    with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import (as in tests/web)
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    scenario = {
        "person": {"age": 50, "sex": "male", "fitzpatrick": "II", "site": "forehead"},
        "laser": {"device": "er_yag_2940", "fluence": "10 J"},
    }
    with TestClient(create_app(tmp_path, WebSettings(max_photons=2000))) as client:
        response = client.post("/api/simulate", json=scenario)
        assert response.status_code == 422
        messages = [item["msg"] for item in response.json()["detail"]]
        assert any(
            m.startswith("laser.fluence: got '10 J', an energy; expected an areal energy density") for m in messages
        )
        response = client.post("/api/plan", json={"age": 55, "sex": "x", "fitzpatrick": "III", "site": "cheek"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "sex: got 'x'; expected one of female, male"
        for text in RAW_TEXTS:
            assert text not in response.text


def test_validator_texts_put_the_value_first():
    from laserskin.skin.person import Person

    with pytest.raises(ValidationError) as info:
        Person(age=55, sex="female", fitzpatrick="VII", site="elbow")
    lines = describe_validation_error(info.value, "person").splitlines()
    assert lines[0].startswith("person.fitzpatrick: got 'VII'; expected one of I, II, III, IV, V, VI")
    assert lines[1].startswith("person.site: got 'elbow' (unknown body site); expected one of forehead, cheek")


def test_unknown_key_lists_the_keys_of_its_table():
    message = scenario_error({"device": "genesis_1064", "fluense": "3 J/cm^2"})
    assert message.startswith("laser.fluense: unknown key; expected one of ")
    assert "fluence" in message and "pulse_duration" in message


def test_cooling_errors_name_the_field_not_the_union_tag():
    assert scenario_error({"device": "genesis_1064"}, cooling={"kind": "cryogen", "h": "-5 W/(m^2*K)"}) == (
        "cooling.h: got '-5 W/(m^2*K)'; expected from 0 W/(m^2*K) to 1e+06 W/(m^2*K)"
    )
    message = scenario_error({"device": "genesis_1064"}, cooling={"kind": "cryogen", "spurt": "30 ms"})
    assert message.startswith("cooling.spurt: unknown key; expected one of kind, spurt_duration")
    assert "window_temperature" not in message  # a contact-cooling key, not a cryogen one
    assert scenario_error({"device": "genesis_1064"}, cooling={"h": "5 W/(m^2*K)"}) == (
        "cooling.kind: required; expected one of none, cold_air, contact, cryogen"
    )


def test_a_float_too_large_for_a_whole_number_is_said_in_plain_words():
    """A float past the integer parser's size (1e30 typed as a seed in a web form) read pydantic's own "Unable to
    parse input string as an integer, exceeded maximum size"."""
    with pytest.raises(InputError) as info:
        scenario_from_dict({"person": PERSON, "laser": {"device": "genesis_1064"}, "transport": {"seed": 1e30}})
    assert str(info.value) == (
        "transport.seed: got 1e+30; expected a whole number at least 0 and less than 9223372036854775808"
    )


def test_cli_options_read_as_fields_in_the_web_and_api_terms():
    """QA6 #20: the planner's advice is phrased for the CLI; the JSON API and the forms say the field."""
    from laserskin.core.errors import in_field_terms

    assert in_field_terms("use --goal resurface or --goal recommend") == "use goal: resurface or goal: recommend"
    assert in_field_terms("raise --max-session-minutes to 88") == "raise max_session_minutes to 88"
    assert in_field_terms("own cooling (--cooling auto)") == "own cooling (cooling: auto)"
    assert in_field_terms("~10--20 % and 'a-b'") == "~10--20 % and 'a-b'"  # no option: unchanged


def test_an_empty_array_is_said_in_plain_words():
    """QA6 #20: not pydantic's "Tuple should have at least 1 item after validation, not 0 (got ())"."""
    import pydantic

    from laserskin.core.errors import describe_validation_error

    class Stack(pydantic.BaseModel):
        layers: tuple[int, ...] = pydantic.Field(min_length=1, max_length=2)

    with pytest.raises(pydantic.ValidationError) as empty:
        Stack(layers=())
    assert describe_validation_error(empty.value) == "layers: got an empty array; expected at least 1 item"
    with pytest.raises(pydantic.ValidationError) as long:
        Stack(layers=(1, 2, 3))
    assert describe_validation_error(long.value) == "layers: got 3 items; expected at most 2 items"


def test_an_array_given_as_something_else_is_said_in_plain_words():
    """Session 12: ``spectrum = "x"`` read pydantic's own "Input should be a valid tuple"."""
    message = scenario_error({"wavelength": "1064 nm", "fluence": "30 J/cm^2", "spot_diameter": "5 mm",
                              "pulse_duration": "3 ms", "spectrum": "x"})  # fmt: skip
    assert message == "laser.spectrum: got 'x'; expected an array of tables"


class _Item(InputModel):
    n: int = Field(ge=1, le=3)


class _Items(InputModel):
    items: tuple[_Item, ...]


def test_an_item_of_an_array_is_located_by_its_index_in_brackets():
    """Session 12: ``inclusions.0.kind`` (pydantic's) beside README's ``layers[0].thickness``: one style."""
    with pytest.raises(ValidationError) as info:
        _Items.model_validate({"items": [{"n": 1}, {"n": 9}]})
    assert (
        describe_validation_error(info.value, "probe") == "probe.items[1].n: got 9; expected a whole number from 1 to 3"
    )
