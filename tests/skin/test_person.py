"""Person schema: valid inputs accepted, invalid ones rejected with the field named."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from laserskin.skin import FITZPATRICK_TYPES, SITES, Person

BASE = {"age": 55, "sex": "female", "fitzpatrick": "IV", "site": "cheek", "sun_exposure": 2, "laxity": 2}


def _error_fields(error: ValidationError) -> set[str]:
    return {str(item["loc"][0]) for item in error.errors()}


def test_toml_form():
    doc = tomllib.loads(
        '[person]\nage = 55\nsex = "female"\nfitzpatrick = "IV"\nsite = "cheek"\nsun_exposure = 2\nlaxity = 2\n'
    )
    person = Person.model_validate(doc["person"])
    assert person.age_years == 55.0
    assert person.fitzpatrick == "IV" and person.fitzpatrick_number == 4
    assert person.site == "cheek" and person.sun_exposure == 2 and person.laxity == 2
    assert person.melanin_fraction is None


def test_round_trip_by_alias():
    person = Person.model_validate(BASE | {"melanin_fraction": 0.1})
    assert Person.model_validate(person.model_dump(by_alias=True)) == person


@pytest.mark.parametrize("age", ["55 year", "55 years", 55, 55.0])
def test_age_forms(age):
    assert Person.model_validate(BASE | {"age": age}).age_years == pytest.approx(55.0)


def test_age_bounds_inclusive():
    assert Person.model_validate(BASE | {"age": 18}).age_years == 18
    assert Person.model_validate(BASE | {"age": 100}).age_years == 100
    for bad in (17.99, 100.01, -5, "55 m", "abc"):
        with pytest.raises(ValidationError) as info:
            Person.model_validate(BASE | {"age": bad})
        assert _error_fields(info.value) == {"age"}


@pytest.mark.parametrize("value, expected", [(1, "I"), (6, "VI"), ("iv", "IV"), (" II ", "II"), ("3", "III")])
def test_fitzpatrick_forms(value, expected):
    assert Person.model_validate(BASE | {"fitzpatrick": value}).fitzpatrick == expected


@pytest.mark.parametrize("bad", ["VII", 7, 0, "0", "X", True, 2.5, None])
def test_fitzpatrick_invalid(bad):
    with pytest.raises(ValidationError) as info:
        Person.model_validate(BASE | {"fitzpatrick": bad})
    assert _error_fields(info.value) == {"fitzpatrick"}
    if bad == "VII":
        assert "I, II, III, IV, V, VI" in str(info.value)


def test_unknown_site_lists_allowed():
    with pytest.raises(ValidationError) as info:
        Person.model_validate(BASE | {"site": "elbow"})
    assert _error_fields(info.value) == {"site"}
    for site in SITES:
        assert site in str(info.value)


@pytest.mark.parametrize(
    "field, bad",
    [
        ("sex", "other"),
        ("sun_exposure", 4),
        ("sun_exposure", -1),
        ("sun_exposure", 1.5),
        ("laxity", 5),
        ("laxity", -1),
        ("laxity", 2.5),
        ("melanin_fraction", -0.01),
        ("melanin_fraction", 1.5),
    ],
)
def test_invalid_fields_named(field, bad):
    with pytest.raises(ValidationError) as info:
        Person.model_validate(BASE | {field: bad})
    assert _error_fields(info.value) == {field}


def test_unknown_key_rejected():
    with pytest.raises(ValidationError) as info:
        Person.model_validate(BASE | {"height": 170})
    assert _error_fields(info.value) == {"height"}


def test_required_fields():
    with pytest.raises(ValidationError) as info:
        Person.model_validate({"age": 40})
    assert _error_fields(info.value) == {"sex", "fitzpatrick", "site"}


valid_people = st.fixed_dictionaries(
    {
        "age": st.floats(min_value=18, max_value=100, allow_nan=False),
        "sex": st.sampled_from(["female", "male", "Female", "MALE"]),
        "fitzpatrick": st.one_of(st.sampled_from(FITZPATRICK_TYPES), st.integers(1, 6)),
        "site": st.sampled_from(SITES),
        "sun_exposure": st.integers(0, 3),
        "laxity": st.integers(0, 4),
    },
    optional={"melanin_fraction": st.floats(min_value=0, max_value=1)},
)


@settings(max_examples=60, deadline=None)
@given(valid_people)
def test_valid_people_accepted(data):
    person = Person.model_validate(data)
    assert 18 <= person.age_years <= 100
    assert person.fitzpatrick in FITZPATRICK_TYPES
    assert person.sex in ("female", "male")
    assert Person.model_validate(person.model_dump(by_alias=True)) == person


invalid_fields = st.one_of(
    st.tuples(st.just("age"), st.one_of(st.floats(max_value=17.999), st.floats(min_value=100.001))),
    st.tuples(st.just("fitzpatrick"), st.one_of(st.integers(max_value=0), st.integers(min_value=7))),
    st.tuples(st.just("sun_exposure"), st.one_of(st.integers(max_value=-1), st.integers(min_value=4))),
    st.tuples(st.just("laxity"), st.one_of(st.integers(max_value=-1), st.integers(min_value=5))),
    st.tuples(st.just("melanin_fraction"), st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=1.000001))),
    st.tuples(st.just("site"), st.text(max_size=12).filter(lambda s: s.strip().lower() not in SITES)),
)


@settings(max_examples=80, deadline=None)
@given(invalid_fields)
def test_invalid_rejected_with_field_named(item):
    field, value = item
    with pytest.raises(ValidationError) as info:
        Person.model_validate(BASE | {field: value})
    assert field in _error_fields(info.value)


def test_sex_takes_the_one_letter_forms_and_names_the_allowed_values_otherwise():
    from laserskin.planning.request import PlanRequest

    assert Person(**{**BASE, "sex": " F "}).sex == "female"
    assert Person(**{**BASE, "sex": "m"}).sex == "male"
    assert PlanRequest(age=52, sex="F", fitzpatrick="IV", site="cheek").sex == "female"
    with pytest.raises(ValidationError) as info:
        Person(**{**BASE, "sex": "x"})
    assert "female" in str(info.value) and "male" in str(info.value)
