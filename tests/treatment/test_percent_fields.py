"""A bare number in a field shown in % is a fraction of 1, and a refusal of one says so (QA13 #10).

``fractional.coverage = 5`` was refused as ``got 5; expected more than 0 % and at most 100 %``, which 5 seems to be,
while ``coverage = 0.05`` ran as 5 %. The documented interface keeps reading a bare number as a fraction of 1 (``0.1``,
``"0.1"`` and ``"10 %"`` are all 10 %); a bare number out of range is refused saying what it was read as and how to
type a percentage (:func:`laserskin.core.models.bare_fraction_refusal`), for ``coverage``, for ``density`` given as a
coverage, and for every other dimensionless quantity shown in % (a protocol's ``overlap``, a device's coverage range).
The web forms have no coverage, density or overlap field; the JSON API reads the scenario with the same model.
"""

from __future__ import annotations

import warnings

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError
from laserskin.treatment.laser import FractionalSpec, Laser
from laserskin.treatment.presets import DeviceRanges
from laserskin.treatment.protocol import Protocol

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SCENARIO = """\
[person]
age = 45
sex = "female"
fitzpatrick = "II"
site = "cheek"

[laser]
wavelength = "1550 nm"
pulse_energy = "10 mJ"
pulse_duration = "3 ms"
spot_diameter = "15 mm"
profile = "gaussian"
fractional = {{ microbeam_diameter = "100 um", {key} = {value} }}
"""

RULE = "expected a fraction more than 0 and at most 1, or a percentage such as"
PER_AREA = "or a number of MTZ per area such as '200 /cm^2'"


def _refusal(model, data) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(InputError.from_validation(caught.value))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("5", f"got 5 (a bare number is a fraction of 1: 500 %); {RULE} '5 %'"),
        ("1.5", f"got 1.5 (a bare number is a fraction of 1: 150 %); {RULE} '1.5 %'"),
        ('"5"', f"got '5' (a bare number is a fraction of 1: 500 %); {RULE} '5 %'"),
        ('"1.5"', f"got '1.5' (a bare number is a fraction of 1: 150 %); {RULE} '1.5 %'"),
    ],
)
def test_the_cli_refuses_a_bare_coverage_above_1_saying_what_it_was_read_as(tmp_path, toml, message):
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO.format(key="coverage", value=toml), encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(path), "--photons", "1000", "--json"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == f"error: laser.fractional.coverage: {message}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, f"got 5 (a bare number is a fraction of 1: 500 %); {RULE} '5 %'"),
        ("1.5", f"got '1.5' (a bare number is a fraction of 1: 150 %); {RULE} '1.5 %'"),
        # no fraction of 1 either way: the example is a percentage inside the range, not '-1 %' or '500 %'
        (-1, f"got -1 (a bare number is a fraction of 1: -100 %); {RULE} '10 %'"),
        (500, f"got 500 (a bare number is a fraction of 1: 50000 %); {RULE} '10 %'"),
    ],
)
def test_a_bare_coverage_out_of_range_is_refused_with_the_rule(value, message):
    refusal = _refusal(FractionalSpec, {"microbeam_diameter": "100 um", "coverage": value})
    assert refusal == f"coverage: {message}"


@pytest.mark.parametrize(
    ("value", "example"), [(5, "5 %"), ("5", "5 %"), (1.5, "1.5 %"), (200, "10 %")], ids=["5", "'5'", "1.5", "200"]
)
def test_a_bare_density_out_of_range_is_refused_with_the_same_rule(value, example):
    refusal = _refusal(FractionalSpec, {"microbeam_diameter": "100 um", "density": value})
    fraction = f"{float(value) * 100:g} %"
    expected = (
        f"density: got {value!r} (a bare number is a fraction of 1: {fraction}); expected a fraction more than 0 "
        f"and at most 1, a percentage such as '{example}', {PER_AREA}"
    )
    assert refusal == expected


@pytest.mark.parametrize("key", ["coverage", "density"])
@pytest.mark.parametrize("value", [0.05, "0.05", "5 %"])
def test_a_fraction_and_a_percentage_are_both_read(key, value):
    spec = FractionalSpec.model_validate({"microbeam_diameter": "100 um", key: value})
    assert spec.coverage == pytest.approx(0.05, rel=1e-12)  # round-off of the unit conversion only


@pytest.mark.parametrize("value", [0.1, "0.1", "10 %"])
def test_a_laser_reads_a_tenth_of_the_area_as_10_percent(value):
    laser = Laser.model_validate(
        {"wavelength": "1550 nm", "pulse_energy": "10 mJ", "pulse_duration": "3 ms", "spot_diameter": "15 mm"}
        | {"profile": "gaussian", "fractional": {"microbeam_diameter": "100 um", "density": value}}
    )
    assert laser.fractional is not None
    assert laser.fractional.coverage == pytest.approx(0.1, rel=1e-12)


def test_a_percentage_out_of_range_keeps_its_own_message():
    # typed with its unit, it was read as meant: the range in % says what is wrong
    refusal = _refusal(FractionalSpec, {"microbeam_diameter": "100 um", "coverage": "500 %"})
    assert refusal == "coverage: got '500 %'; expected more than 0 % and at most 100 %"


def test_every_field_shown_in_percent_takes_the_rule():
    # a protocol's overlap (0 to 90 %); 0.95 is a fraction of 1 read as 95 %: its example is no '0.95 %'
    assert _refusal(Protocol, {"overlap": 50}) == (
        "overlap: got 50 (a bare number is a fraction of 1: 5000 %); expected a fraction from 0 to 0.9, "
        "or a percentage such as '50 %'"
    )
    assert _refusal(Protocol, {"overlap": 0.95}) == (
        "overlap: got 0.95 (a bare number is a fraction of 1: 95 %); expected a fraction from 0 to 0.9, "
        "or a percentage such as '10 %'"
    )
    assert Protocol.model_validate({"overlap": 0.5}).overlap == 0.5
    # a device's coverage range: each item of the pair
    assert _refusal(DeviceRanges, {"coverage": [0.05, 30]}) == (
        f"coverage[1]: got 30 (a bare number is a fraction of 1: 3000 %); {RULE} '30 %'"
    )


def test_the_json_api_gives_the_same_message(tmp_path):
    from laserskin.web.app import create_app
    from laserskin.web.limits import WebSettings

    body = {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"}
    laser = {"wavelength": "1550 nm", "pulse_energy": "10 mJ", "pulse_duration": "3 ms", "spot_diameter": "15 mm"}
    laser |= {"profile": "gaussian", "fractional": {"microbeam_diameter": "100 um", "coverage": 5}}
    scenario = {"person": body, "laser": laser, "transport": {"photons": 1000}}
    app_ = create_app(tmp_path, WebSettings(max_photons=2000, dry_run_s=0.0))
    with TestClient(app_) as client:
        response = client.post("/api/simulate", json=scenario)
    assert response.status_code == 422, response.text
    messages = [item["msg"] for item in response.json()["detail"]]
    assert messages == [f"laser.fractional.coverage: got 5 (a bare number is a fraction of 1: 500 %); {RULE} '5 %'"]
