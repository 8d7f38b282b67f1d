"""Session 14 leftovers (tidy2): the planner's non-linear re-run, early refusals, unit and field fixes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from laserskin.skin.person import Person

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "II", "site": "cheek", "laxity": 2}


# --- 1. the planner's non-linear re-run: its summary alone, on the plan's area ----------------------------------------


@pytest.fixture(scope="module")
def smoothbeam_setting():
    """The best one-pass smoothbeam_1450 setting for 52 F, type II cheek (20 000 photons, seed 1), linear read-outs,
    planned over 100 cm^2."""
    from laserskin.planning.eligibility import device_verdict
    from laserskin.planning.optimise import Counter, optimise_device
    from laserskin.treatment.devices import load_device

    person, preset = Person(**PERSON), load_device("smoothbeam_1450")
    settings = optimise_device(
        person,
        preset,
        verdict=device_verdict(person, preset),
        anesthetic="none",
        max_passes=1,
        photons=20_000,
        seed=1,
        counter=Counter(),
        area_m2=0.01,
    )
    assert settings[0].feasible, settings[0].reasons
    return settings[0]


def test_the_nonlinear_rerun_summary_has_no_linear_leftover(smoothbeam_setting, monkeypatch):
    """Where the linear read-out reaches the onset of vaporisation (forced here), finalise re-runs the setting
    non-linearly; its summary is that run's (the chosen energy and fluence kept), and no linear key survives beside it:
    before, the linear ``dermal_injury_band_um`` stayed and set the healing dose, so the plan's dose was not the dose
    of a ``simulate`` run of its setting."""
    import dataclasses

    from laserskin.pipeline import ablative
    from laserskin.planning.optimise import Counter, finalise
    from laserskin.planning.sessions import session_dose_from_summary

    linear = finalise(dataclasses.replace(smoothbeam_setting, summary={}, curve={}, reasons=[]), "none", Counter())
    assert linear.summary["thermal_model"] == "linear"  # a 1450 nm setting at the blister margin: below 100 degC
    assert linear.summary["dermal_injury_band_um"]  # the planner's linear dose band

    monkeypatch.setattr(ablative, "needs_nonlinear", lambda peak, onset_K=None: (True, "forced by the test"))
    counter = Counter()
    setting = finalise(dataclasses.replace(smoothbeam_setting, summary={}, curve={}, reasons=[]), "none", counter)
    run = setting.supporting_result
    assert counter.full_simulations == 1 and setting.summary["thermal_model"] == "nonlinear"
    assert set(setting.summary) <= set(run.summary), set(setting.summary) - set(run.summary)
    assert "dermal_injury_band_um" not in setting.summary
    for key, value in run.summary.items():
        if key not in ("pulse_energy_J", "fluence_J_per_cm2", "wall_time_s"):
            assert setting.summary[key] == value, key
    # the plan's dose is the dose of the non-linear run's summary (the Omega >= 1 range), as a preset's single run
    assert session_dose_from_summary(setting.summary, setting.laser) == session_dose_from_summary(
        run.summary, setting.laser
    )


def _spied_rerun(monkeypatch, *, passes: int, area_m2: float | None):
    """Call the planner's thermal-model rule above the onset with a recording stand-in for Simulation; the protocol
    of its re-run."""
    from laserskin.pipeline import simulation as simulation_module
    from laserskin.planning.optimise import Counter, SettingResult, _apply_thermal_model_rule

    made = []

    class Recording:
        def __init__(self, person, laser, cooling, protocol, settings, **kwargs):
            made.append(protocol)

        def run(self):
            return SimpleNamespace(summary={"thermal_model": "nonlinear", "thermal_model_reason": "test"})

    monkeypatch.setattr(simulation_module, "Simulation", Recording)
    result = SettingResult(
        device="smoothbeam_1450",
        device_class="non_ablative",
        laser=None,
        cooling={"kind": "cryogen"},
        passes=passes,
        energy_range_J=(1.0, 2.0),
        safe_energy_J=1.5,
        target_energy_J=None,
        blister_energy_J=None,
        binding="",
        feasible=True,
        anesthetic="lidocaine_4",
        simulation=SimpleNamespace(person=Person(**PERSON), settings=None, cache_dir=None),
        treated_area_m2=area_m2,
    )
    _apply_thermal_model_rule(result, 400.0, 1.5, Counter())
    assert len(made) == 1
    return made[0]


def test_the_nonlinear_rerun_takes_the_plans_area(monkeypatch):
    """The re-run's protocol is the plan's: its passes, anaesthetic and area (before: Protocol's 400 cm^2 default)."""
    protocol = _spied_rerun(monkeypatch, passes=2, area_m2=0.01)
    assert (protocol.passes, protocol.anesthetic) == (2, "lidocaine_4")
    assert protocol.treated_area_m2 == pytest.approx(0.01, rel=1e-12)


def test_the_nonlinear_rerun_without_an_area_takes_the_planners_default(monkeypatch):
    from laserskin.planning.request import default_area_m2

    protocol = _spied_rerun(monkeypatch, passes=1, area_m2=None)
    assert protocol.treated_area_m2 == pytest.approx(default_area_m2("cheek"), rel=1e-12)
    assert protocol.treated_area_m2 != pytest.approx(0.04)  # not Protocol's own default


def test_optimise_device_keeps_the_plans_area(smoothbeam_setting):
    assert smoothbeam_setting.treated_area_m2 == 0.01


# --- 2. a pulse train faster than the cryogen cycle is refused before any transport --------------------------------

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


@pytest.fixture
def no_transport(monkeypatch):
    """Every Monte Carlo transport entry of the pipeline fails the test if called."""
    from laserskin.pipeline import stages

    def refuse(*args, **kwargs):
        raise AssertionError("the Monte Carlo transport ran")

    monkeypatch.setattr(stages, "transport", refuse)
    monkeypatch.setattr(stages, "simulate_transport_cached", refuse)


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


# --- 4. no Hypothesis test asserts wall-clock time ------------------------------------------------------------------


def _keyword_is_none(call, name: str) -> bool:
    import ast

    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is None for k in call.keywords)


def test_every_hypothesis_test_sets_deadline_none():
    """Hypothesis's default deadline (200 ms per example) is a wall-clock assert, which the project's rules forbid
    (CONTRIBUTING: no wall-clock assertions); tests/core/test_units.py's round trip had it and failed once under load.
    Every ``@given`` test carries ``@settings(..., deadline=None)``, directly or through a module-level settings
    object."""
    import ast
    from pathlib import Path

    def called(node, name: str) -> bool:
        func = node.func if isinstance(node, ast.Call) else None
        return (isinstance(func, ast.Name) and func.id == name) or (
            isinstance(func, ast.Attribute) and func.attr == name
        )

    missing = []
    for path in sorted(Path(__file__).parent.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        no_deadline = {  # module-level ``NAME = settings(..., deadline=None)``
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            and called(node.value, "settings")
            and _keyword_is_none(node.value, "deadline")
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not any(called(d, "given") for d in node.decorator_list):
                continue
            ok = any(
                (called(d, "settings") and _keyword_is_none(d, "deadline"))
                or (isinstance(d, ast.Name) and d.id in no_deadline)
                for d in node.decorator_list
            )
            if not ok:
                missing.append(f"{path.relative_to(Path(__file__).parent)}::{node.name}")
    assert not missing, missing


# --- 5. angle, count and information units do not pass as dimensionless (QA13 #1) ----------------------------------


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


def test_every_quantity_kind_refuses_an_angle_and_keeps_its_own_units():
    """The rule is one, in core.units.to_si: for every kind of quantity a field can have, its display unit parses and
    the same unit times rad, sr, rpm-style revolutions or counts is refused."""
    from laserskin.core.errors import InputError
    from laserskin.core.units import DISPLAY_UNITS, QUANTITY_KINDS, to_si

    for si_unit in QUANTITY_KINDS:
        unit = DISPLAY_UNITS.get(si_unit, si_unit)
        to_si(f"2 {unit}" if unit else "2", si_unit, field="x")  # the field's own unit parses
        for extra in ("rad", "sr", "revolution", "count"):
            if si_unit.startswith("1/"):
                text = f"2 {extra}/{si_unit[2:]}"
            else:
                text = f"2 {si_unit}*{extra}" if si_unit else f"2 {extra}"
            with pytest.raises(InputError, match="a unit without angles, counts or information"):
                to_si(text, si_unit, field="x")


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


# --- 6. a preset setting outside its device's range is refused under its own key (QA13 #2) -------------------------

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
