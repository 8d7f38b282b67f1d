"""QA16 #10: a value not given reads ``got nothing`` (never Python's ``None``), and a malformed unit is refused for
what is wrong with it (a unit typed twice, units side by side, a word that is not a unit), not for the kind of
quantity pint's product of the words happens to be (``'1450 nm nm'`` was "an area")."""

import pytest

from laserskin.core.errors import InputError, describe_validation_error, shown
from laserskin.core.units import to_si
from laserskin.pipeline.layers import explicit_stack, require_water
from laserskin.pipeline.scenario import scenario_from_dict

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"}


def test_a_value_not_given_is_nothing():
    assert shown(None) == "nothing"
    error = InputError("laser.repetition_rate", None, "a repetition rate")
    assert str(error) == "laser.repetition_rate: got nothing; expected a repetition rate"


def test_an_explicit_layer_without_its_water_fraction_says_got_nothing():
    """The QA16 case: explicit [[layers]] without water_fraction where the non-linear model runs (2940 nm)."""
    layer = dict(n=1.4, mua="18 1/cm", mus="200 1/cm", g=0.8, k="0.21 W/m/K", density="1200 kg/m^3")
    layers = [
        dict(layer, name="epidermis", thickness="100 um", specific_heat="3.6 J/g/K"),
        dict(layer, name="dermis", thickness="inf cm", specific_heat="3.4 J/g/K", water_fraction=0.65),
    ]
    with pytest.raises(InputError) as info:
        require_water(explicit_stack(layers), "an ablative laser vaporises tissue water")
    message = str(info.value)
    assert message.startswith("layers[0].water_fraction: got nothing; expected a tissue water fraction 0-1 (e.g. 0.65)")
    assert "None" not in message


@pytest.mark.parametrize(
    ("text", "si_unit", "given"),
    [
        ("1450 nm nm", "m", "got '1450 nm nm', the unit nm typed twice; expected a length"),
        ("1450nmnm", "m", "got '1450nmnm', the unit nm typed twice; expected a length"),
        ("1450 nm nm nm", "m", "got '1450 nm nm nm', the unit nm typed 3 times; expected a length"),
        ("3 ms ms", "s", "got '3 ms ms', the unit ms typed twice; expected a duration"),
        ("10 J/cm^2 J/cm^2", "J/m^2", "got '10 J/cm^2 J/cm^2', the unit J/cm^2 typed twice; expected an areal"),
        ("10 J J/cm^2", "J/m^2", "got '10 J J/cm^2', units side by side (J and J/cm^2, read as their product)"),
        ("1450 nmx", "m", "got '1450 nmx', with 'nmx', not a unit; expected a length"),
    ],
)
def test_a_malformed_unit_is_refused_for_what_is_wrong_with_it(text, si_unit, given):
    with pytest.raises(InputError) as info:
        to_si(text, si_unit, field="laser.x")
    message = str(info.value)
    assert message.startswith(f"laser.x: {given}")
    assert message.endswith("(one number and one unit)")
    assert ", an area;" not in message


def test_a_unit_of_no_named_kind_is_said_as_its_unit():
    with pytest.raises(InputError) as info:
        to_si("10 J/cm^2/cm^2", "J/m^2", field="laser.fluence")
    assert str(info.value).startswith("laser.fluence: got '10 J/cm^2/cm^2', a quantity in J/cm^4; expected an areal")


@pytest.mark.parametrize("text", ["10 J cm^-2", "10 J / cm^2", "10 J/cm2"])
def test_units_written_together_on_purpose_still_parse(text):
    assert to_si(text, "J/m^2", field="laser.fluence") == pytest.approx(1e5)
    assert to_si("0.37 W m^-1 K^-1", "W/m/K", field="k") == pytest.approx(0.37)


def test_the_scenario_names_the_field_and_its_range():
    """The QA16 scenario (smoothbeam_1450 with wavelength = "1450 nm nm"): refused at validation, before any run."""
    table = {"person": PERSON, "laser": {"device": "smoothbeam_1450", "wavelength": "1450 nm nm"}}
    with pytest.raises(Exception) as info:
        scenario_from_dict(table)
    assert describe_validation_error(info.value) == (
        "laser.wavelength: got '1450 nm nm', the unit nm typed twice; expected a length from 400 nm to 11000 nm, "
        "such as '1450 nm' (one number and one unit)"
    )


def test_a_device_preset_without_its_cooling_kind_says_got_nothing():
    """A preset's [cooling] table without kind read ``cooling.cooling.kind: got None``."""
    from laserskin.treatment.presets import PresetData

    table = {"name": "x", "display_name": "x", "class": "ablative", "confidence": "low", "laser": {}, "cooling": {}}
    with pytest.raises(Exception) as info:
        PresetData.model_validate({**table, "sources": ["fitzpatrick2000_tightening"]})
    lines = describe_validation_error(info.value).splitlines()
    assert "cooling.kind: got nothing; expected one of none, cold_air, contact, cryogen" in lines
