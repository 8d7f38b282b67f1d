"""Session 14, QA14 findings 2, 3, 4, 6, 7 and 13: refusals keyed at the input that makes them, one echo per field."""

from __future__ import annotations

import pytest

from laserskin.core.errors import InputError

# --- QA14 #2: the cryogen-cycle refusal names the input that makes the clash ----------------------------------------


def _schedule(rate: str, protocol: dict, cooling: dict | None = None, *, duration: str = "50 ms", pulses: int = 3):
    from laserskin.pipeline.stages import pulse_schedule
    from laserskin.thermal.cooling import CryogenCooling
    from laserskin.treatment.laser import Laser
    from laserskin.treatment.protocol import Protocol

    laser = Laser(
        wavelength="1320 nm",
        fluence="14 J/cm^2",
        pulse_duration=duration,
        spot_diameter="10 mm",
        pulses=pulses,
        repetition_rate=rate,
    )
    return pulse_schedule(laser, Protocol(**protocol), CryogenCooling(**(cooling or {})))


def test_a_train_faster_than_the_cryogen_cycle_is_keyed_at_the_typed_rate_not_a_default_spurt():
    """All cooling defaults (30 ms spurt, 20 ms delay): 12 Hz (83.3 ms apart) under a 100 ms cycle. Before, the
    refusal was keyed at cooling.spurt_duration, a default the user never typed."""
    with pytest.raises(InputError) as caught:
        _schedule("12 Hz", {})
    assert caught.value.field == "laser.repetition_rate"
    message = str(caught.value)
    assert message.startswith(
        "laser.repetition_rate: got '12 Hz', with cryogen cooling.spurt_duration '30 ms', delay '20 ms' and "
        "post_spurt '0 ms', for pulses of 50 ms; expected spurt_duration + delay + pulse duration + post_spurt "
        "(100 ms here)"
    ), message
    assert "(the pulse period 1/repetition_rate, 83.33 ms here), i.e. a laser.repetition_rate of at most 10 Hz" in (
        message
    )


def test_passes_too_close_for_the_cryogen_cycle_are_keyed_at_the_pass_interval_with_its_remedy():
    """2 Hz is slow enough for the train; the clash is the 10 ms from the end of one pass to the next. Before: "a
    laser.repetition_rate of at most 10 Hz" (the rate was 2 Hz already) and "the pass interval" for the 60 ms from
    start to start."""
    with pytest.raises(InputError) as caught:
        _schedule("2 Hz", {"passes": 2, "pass_interval": "10 ms"})
    message = str(caught.value)
    assert caught.value.field == "protocol.pass_interval", message
    assert message.startswith("protocol.pass_interval: got '10 ms', with cryogen cooling.spurt_duration '30 ms'")
    assert "(pass_interval: 10 ms here) at least post_spurt + spurt_duration + delay (50 ms here)" in message
    assert "i.e. a protocol.pass_interval of at least 50 ms" in message
    assert "repetition_rate" not in message
    _schedule("2 Hz", {"passes": 2, "pass_interval": "50 ms"})  # the next spurt starts as the last pulse ends


def test_the_cooling_pause_counts_towards_the_wait_between_passes():
    with pytest.raises(InputError, match="a protocol.pass_interval of at least 45 ms") as caught:
        _schedule("2 Hz", {"passes": 2, "pass_interval": "10 ms", "cooling_pause": "5 ms"})
    assert "(pass_interval + cooling_pause 5 ms: 15 ms here)" in str(caught.value)
    _schedule("2 Hz", {"passes": 2, "pass_interval": "45 ms", "cooling_pause": "5 ms"})


def test_a_single_pulse_per_pass_is_never_refused_at_the_rate():
    """QA14 #2's CLI case: 1 pulse at 1 Hz, 2 passes 20 ms apart was told "at most 11.11 Hz"."""
    with pytest.raises(InputError) as caught:
        _schedule("1 Hz", {"passes": 2, "pass_interval": "20 ms"}, pulses=1)
    assert caught.value.field == "protocol.pass_interval"
    assert "Hz" not in str(caught.value)


def test_times_from_elsewhere_are_keyed_at_the_pulse_starts():
    """surface_schedule with bare times (no pass or rate known) names its own argument."""
    from laserskin.thermal.cooling import CryogenCooling

    with pytest.raises(InputError) as caught:
        CryogenCooling().surface_schedule([0.1, 0.12], [0.11, 0.13], 1.0)
    assert caught.value.field == "pulse_start_s"
    assert "starting 20 ms apart" in str(caught.value)


# --- QA14 #13: the message's unit spelled another way is not a conversion -------------------------------------------


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


# --- QA14 #3: a field's own range refusal echoes as every other refusal of it ---------------------------------------


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
        area_m2: Quantity("m^2", display="cm^2", ge=1e-4)

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


# --- QA14 #4: the voxel path spreads one zone over the array by the r-z stages' rule ----------------------------------


def test_one_fractional_zone_in_an_open_voxel_volume_is_spread_over_the_area_the_read_out_averaged(monkeypatch):
    """A 1550 nm fractional zone in an open 0.3 × 0.3 × 0.6 mm box of 20 µm voxels (5000 photons, ~1 s CPU): the
    skin's contraction is the zone's read-out × the area of the square columns it averaged (177 × (20 µm)² here)
    × zones per area, as the r–z stages' ``skin_tightening_percent``; before, × π r² (0.16 % less here)."""
    import math

    import numpy as np

    import laserskin.pipeline.voxel as voxel
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    seen = {}
    original = voxel.collagen_response

    def recording(*args, **kwargs):
        response = original(*args, **kwargs)
        seen.update(columns=args[1], radius=kwargs["spot_radius_m"], zone=float(response.tightening_percent))
        return response

    monkeypatch.setattr(voxel, "collagen_response", recording)
    data = {
        "person": {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
        "laser": {
            "wavelength": "1550 nm",
            "pulse_energy": "10 mJ",
            "pulse_duration": "3 ms",
            "spot_diameter": "10 mm",
            "fractional": {"microbeam_diameter": "100 um", "density": "10 %"},
        },
        "cooling": {"kind": "none"},
        "geometry": {"kind": "voxels", "size": ["0.3 mm", "0.3 mm", "0.6 mm"], "voxel": "20 um"},
        "transport": {"seed": 3},
    }
    simulation = Simulation.from_scenario(scenario_from_dict(data), photons=5000, progress=None)
    with pytest.warns(Warning):  # most of the light leaves this small box: the grid-capture warning
        result = simulation.run()
    columns, radius = seen["columns"], seen["radius"]
    averaged = int(np.sum(columns.r_centers_m < radius)) * columns.voxel_m**2
    mtz = float(simulation.laser.mtz_per_m2)
    assert seen["zone"] > 0 and abs(averaged / (math.pi * radius**2) - 1) > 1e-3  # the two rules differ here
    assert result.summary["immediate_tightening_percent"] == pytest.approx(seen["zone"] * averaged * mtz, rel=1e-12)


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
