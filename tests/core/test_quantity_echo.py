"""Refusals echo a quantity as typed (core.errors.shown, core.units.echo), with its value in the message's unit when
the typed unit converts."""

from __future__ import annotations

from typing import Annotated

import pytest


@pytest.mark.parametrize("typed", ["30 J/cm2", "30 J/cm²", "30 J / cm^2", "30 J/cm^2"])
def test_a_refusal_echoes_the_messages_unit_spelled_another_way_without_a_conversion(typed):
    from laserskin.treatment.laser import Laser

    with pytest.raises(ValueError) as caught:
        Laser.from_config({"device": "genesis_1064", "fluence": typed})
    assert f"fluence: got '{typed}'; expected from 5 to 25 J/cm^2" in str(caught.value)


def test_a_unit_that_converts_is_still_echoed_with_its_value_in_the_messages_unit():
    from laserskin.treatment.laser import Laser

    with pytest.raises(ValueError, match=r"fluence: got '300 kJ/m\^2' \(30 J/cm\^2\); expected from 5 to 25"):
        Laser.from_config({"device": "genesis_1064", "fluence": "300 kJ/m^2"})


def test_offset_and_scaled_units_are_not_the_same_unit():
    from laserskin.core.units import _same_unit

    assert _same_unit("°C", "degC") and _same_unit("um", "µm") and _same_unit("J/cm²", "J/cm^2")
    assert not _same_unit("K", "degC") and not _same_unit("degF", "degC") and not _same_unit("ms", "s")


@pytest.mark.parametrize(
    ("typed", "got"),
    [
        ("10 mm^2", "'10 mm^2' (0.1 cm^2)"),
        ("1e-6 m^2", "'1e-6 m^2' (0.01 cm^2)"),
        ("0.5 cm^2", "'0.5 cm^2'"),
        ("0.5 cm2", "'0.5 cm2'"),
    ],
)
def test_the_parse_time_range_refusal_gives_the_value_in_the_unit_of_its_words(typed, got):
    """Before: "got '10 mm^2'; expected at least 1 cm^2" while '1 m^2' read "got '1 m^2' (10000 cm^2)"."""
    from pydantic import BaseModel

    from laserskin.core.units import Quantity

    class Request(BaseModel):
        area_m2: Annotated[float, Quantity("m^2", display="cm^2", ge=1e-4)]

    with pytest.raises(ValueError) as caught:
        Request(area_m2=typed)
    assert f"got {got}; expected at least 1 cm^2" in str(caught.value), str(caught.value)


def test_a_laser_spot_in_metres_is_refused_with_its_value_in_mm():
    from laserskin.treatment.laser import Laser

    with pytest.raises(ValueError) as caught:
        Laser(wavelength="1064 nm", fluence="10 J/cm^2", pulse_duration="3 ms", spot_diameter="0.2 m")
    message = str(caught.value)
    assert "spot_diameter" in message and "got '0.2 m' (200 mm); expected more than 0 mm and at most 100 mm" in message


def test_the_plan_area_refusal_converts_below_the_range_as_above_it(tmp_path):
    from typer.testing import CliRunner

    from laserskin.cli import app

    base = ["plan", "--age", "55", "--sex", "female", "--site", "cheek", "--fitzpatrick", "II"]
    result = CliRunner().invoke(
        app, [*base, "--area", "10 mm^2", "--out", str(tmp_path / "p.json")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2, result.output
    assert "got '10 mm^2' (0.1 cm^2); expected at least 1 cm^2" in result.output, result.output


def test_plan_refuses_an_area_echoing_it_as_typed():
    """Before: ``got '1e+04 cm^2'`` for ``--area "1 m^2"``."""
    from typer.testing import CliRunner

    from laserskin.cli import app

    person = ["plan", "--age", "50", "--sex", "female", "--fitzpatrick", "II", "--site", "cheek", "--laxity", "2"]
    runner = CliRunner()
    metres = runner.invoke(app, [*person, "--area", "1 m^2"])
    assert metres.exit_code == 2
    assert (
        metres.stderr.strip()
        .splitlines()[-1]
        .startswith("error: plan.area: got '1 m^2' (10000 cm^2); expected at most 500 cm^2 per session for site cheek")
    )
    same_unit = runner.invoke(app, [*person, "--area", "600 cm^2"])
    assert same_unit.exit_code == 2
    assert "plan.area: got '600 cm^2'; expected at most 500 cm^2" in same_unit.stderr  # no conversion to add


def test_every_quantity_field_is_echoed_as_typed():
    """The one rule: a value parsed from text keeps it (and its field's units), and InputError shows it so."""
    import pickle

    from pydantic import BaseModel

    from laserskin.core.errors import InputError
    from laserskin.core.units import Quantity, echo

    class Setting(BaseModel):
        depth_m: Annotated[float, Quantity("m", display="um", gt=0)]
        fluence_J_per_m2: Annotated[float, Quantity("J/m^2", gt=0)]

    setting = Setting(depth_m="0.2 mm", fluence_J_per_m2="30 J/cm^2")
    assert str(InputError("depth", setting.depth_m, "at most 150 um")) == (
        "depth: got '0.2 mm' (200 um); expected at most 150 um"
    )
    assert str(InputError("fluence", setting.fluence_J_per_m2, "at most 20 J/cm^2")) == (
        "fluence: got '30 J/cm^2'; expected at most 20 J/cm^2"
    )
    assert echo(setting.depth_m, "m", "mm") == "'0.2 mm'"  # in the message's own unit: nothing to add
    assert echo(2e-4, "m", "um") == "'200 um'"  # a value built inside (no text): in the message's unit
    again = pickle.loads(pickle.dumps(setting.depth_m))  # sweeps pickle scenarios
    assert (again.text, again.si_unit, again.display) == ("0.2 mm", "m", "um")


def test_laser_refusals_echo_the_settings_as_typed():
    from laserskin.core.errors import InputError
    from laserskin.treatment.laser import Laser

    def refusal(**fields) -> str:
        with pytest.raises(Exception) as caught:
            Laser.model_validate(fields)
        return str(InputError.from_validation(caught.value, "laser"))

    base = {"wavelength": "1550 nm", "pulse_energy": "10 mJ", "pulse_duration": "3 ms"}
    # before: "fractional.microbeam_diameter: 1200 um must be smaller than the spot (scan pattern) diameter 1 mm"
    line = refusal(
        **base, spot_diameter="1 mm", fractional={"microbeam_diameter": "1.2 mm", "mtz_density": "10 1/cm^2"}
    )
    assert line.startswith("laser.fractional.microbeam_diameter: got '1.2 mm' (1200 um); expected a diameter smaller")
    assert "spot_diameter 1 mm" in line
    line = refusal(**base, spot_diameter="5 mm", pulses=2, repetition_rate="0.5 kHz")
    assert line.startswith("laser.repetition_rate: got '0.5 kHz' (500 Hz); expected at most 333.333 Hz")
