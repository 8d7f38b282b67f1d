"""Scenarios refused before any Monte Carlo transport, on the command line, the Python API and the web: a pulse train
faster than the cryogen cycle, a unit with an angle or a count in it, a preset setting outside its device's range."""

from __future__ import annotations

import pytest

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "II", "site": "cheek", "laxity": 2}


#: A 1320 nm train at 50 Hz (20 ms apart) under 30 ms spurts and 20 ms delays: a 53 ms cycle per pulse.
FAST_CRYOGEN_TRAIN = {
    "person": PERSON,
    "laser": {
        "wavelength": "1320 nm",
        "fluence": "14 J/cm^2",
        "pulse_duration": "3 ms",
        "spot_diameter": "10 mm",
        "pulses": 3,
        "repetition_rate": "50 Hz",
    },
    "cooling": {"kind": "cryogen", "spurt_duration": "30 ms", "delay": "20 ms"},
    "transport": {"photons": 1000},
}


CRYOGEN_REFUSAL = (
    "laser.repetition_rate: got '50 Hz', with cryogen cooling.spurt_duration '30 ms', delay '20 ms' and post_spurt "
    "'0 ms', for pulses of 3 ms"
)


def _toml(data: dict) -> str:
    def value(v):
        return f'"{v}"' if isinstance(v, str) else str(v)

    return "\n".join(
        f"[{table}]\n" + "\n".join(f"{k} = {value(v)}" for k, v in fields.items()) for table, fields in data.items()
    )


def test_simulate_refuses_a_train_faster_than_the_cryogen_cycle_before_the_transport(tmp_path, no_transport):
    from typer.testing import CliRunner

    from laserskin.cli import app

    scenario = tmp_path / "fast_cryogen.toml"
    scenario.write_text(_toml(FAST_CRYOGEN_TRAIN))
    result = CliRunner().invoke(
        app, ["simulate", str(scenario), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: " + CRYOGEN_REFUSAL), result.output


def test_the_python_api_refuses_a_train_faster_than_the_cryogen_cycle_when_the_simulation_is_built():
    """Simulation(...) checks the schedule in its constructor (before: only when run() reached the heat stage, after
    the transport)."""
    from laserskin.core.errors import InputError
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    with pytest.raises(InputError) as refused:
        Simulation.from_scenario(scenario_from_dict(FAST_CRYOGEN_TRAIN))
    assert str(refused.value).startswith(CRYOGEN_REFUSAL)


def test_the_web_refuses_a_train_faster_than_the_cryogen_cycle_before_the_transport(tmp_path, no_transport):
    import warnings

    from laserskin.web.app import create_app
    from laserskin.web.limits import WebSettings

    with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(create_app(tmp_path, WebSettings(max_photons=2000, dry_run_s=0.0))) as client:
        response = client.post("/api/simulate", json=FAST_CRYOGEN_TRAIN)
    assert response.status_code == 422, response.text
    messages = [item["msg"] for item in response.json()["detail"]]
    assert len(messages) == 1 and messages[0].startswith(CRYOGEN_REFUSAL), messages


def _simulate_line(tmp_path, data: dict) -> str:
    """The one line ``laserskin simulate`` prints for the scenario ``data`` (exit 2)."""
    from typer.testing import CliRunner

    from laserskin.cli import app

    scenario = tmp_path / "scenario.toml"
    scenario.write_text(_toml(data))
    result = CliRunner().invoke(
        app, ["simulate", str(scenario), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0].removeprefix("error: ")


@pytest.mark.parametrize(
    ("rate", "what", "read_as"),
    [("60 rpm", "an angle", "6.28319 Hz"), ("1 rad/s", "an angle", "1 Hz"), ("1 Bq", "a count", "1 Hz")],
)
def test_a_repetition_rate_in_angle_or_count_units_is_refused(tmp_path, no_transport, rate, what, read_as):
    """pint takes radians and counts as dimensionless: '60 rpm' ran as 6.283 Hz (a revolution is 2 pi rad), '1 rad/s'
    and '1 Bq' as 1 Hz."""
    data = {**FAST_CRYOGEN_TRAIN, "laser": {**FAST_CRYOGEN_TRAIN["laser"], "repetition_rate": rate}}
    line = _simulate_line(tmp_path, data)
    assert line.startswith(f"laser.repetition_rate: got '{rate}', a unit with {what} in it; expected a frequency "), (
        line
    )
    assert line.endswith(f"(a unit without angles, counts or information: pint would read '{rate}' as {read_as})")


def test_a_fluence_per_steradian_is_refused(tmp_path, no_transport):
    data = {**FAST_CRYOGEN_TRAIN, "laser": {**FAST_CRYOGEN_TRAIN["laser"], "fluence": "14 J/cm^2/sr"}}
    line = _simulate_line(tmp_path, data)
    assert line.startswith("laser.fluence: got '14 J/cm^2/sr', a unit with an angle in it; expected an areal energy")


def test_the_web_api_refuses_a_repetition_rate_in_rpm(tmp_path, no_transport):
    import warnings

    from laserskin.web.app import create_app
    from laserskin.web.limits import WebSettings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    body = {**FAST_CRYOGEN_TRAIN, "laser": {**FAST_CRYOGEN_TRAIN["laser"], "repetition_rate": "60 rpm"}}
    with TestClient(create_app(tmp_path, WebSettings(max_photons=2000, dry_run_s=0.0))) as client:
        response = client.post("/api/simulate", json=body)
    assert response.status_code == 422, response.text
    messages = [item["msg"] for item in response.json()["detail"]]
    assert len(messages) == 1, messages
    assert messages[0].startswith("laser.repetition_rate: got '60 rpm', a unit with an angle in it; expected"), messages


SMOOTHBEAM_3_S = {"person": PERSON, "laser": {"device": "smoothbeam_1450", "pulse_duration": "3 s"}}


def test_a_preset_pulse_duration_outside_the_device_range_is_refused_as_the_pulse_duration(tmp_path, no_transport):
    """Before, the pulse-period relation ran first and named the preset's rate, which the user never typed:
    "laser.repetition_rate: got '1 Hz'; expected at most 0.333333 Hz with pulse_duration 3 s"."""
    line = _simulate_line(tmp_path, SMOOTHBEAM_3_S)
    assert line == (
        "laser.pulse_duration: got '3 s' (3000 ms); expected from 50 to 300 ms (the range of device 'smoothbeam_1450')"
    )


def test_without_a_device_the_pulse_period_relation_still_names_the_rate():
    from pydantic import ValidationError

    from laserskin.core.errors import InputError
    from laserskin.treatment.laser import Laser

    with pytest.raises(ValidationError) as refused:
        Laser(
            wavelength="1450 nm",
            fluence="10 J/cm^2",
            pulse_duration="3 s",
            spot_diameter="6 mm",
            repetition_rate="1 Hz",
        )
    message = str(InputError.from_validation(refused.value, "laser"))
    assert message.startswith("laser.repetition_rate: got '1 Hz'; expected at most 0.333333 Hz with pulse_duration 3 s")


def test_the_web_form_shows_the_device_range_refusal_at_its_pulse_duration_field(tmp_path, no_transport):
    import re
    import warnings

    from laserskin.web.app import create_app
    from laserskin.web.limits import WebSettings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    form = {"age": "52", "sex": "female", "fitzpatrick": "II", "site": "cheek", "photons": "1000"}
    with TestClient(create_app(tmp_path, WebSettings(max_photons=2000, dry_run_s=0.0))) as client:
        response = client.post(
            "/simulate", data={**form, "device": "smoothbeam_1450", "pulse_duration": "3 s"}, follow_redirects=False
        )
    assert response.status_code == 422, response.text[-2000:]
    errors = dict(re.findall(r'id="(\w+)-error"[^>]*>([^<]*)', response.text))
    assert errors.pop("form") == "Please correct the 1 field marked below.", errors  # not a banner of its own
    assert set(errors) == {"pulse_duration"}, errors
    assert errors["pulse_duration"].startswith("got &#39;3 s&#39; (3000 ms); expected from 50 to 300 ms"), errors
