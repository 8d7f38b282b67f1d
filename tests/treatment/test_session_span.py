"""The treatment of one spot spans at most one session, 1 h (QA9 #1), and counts are numbers, not text (QA9 #6).

Before, ``[protocol] pass_interval = "1e7 s"`` or two pulses at ``1e-8 Hz`` ran: the damage integrals counted
months at body temperature as heating (1.5-2.5 mm of "coagulation", 84 % tightening, reported valid). The bound,
its clinical source and the Arrhenius numbers behind it are in ``laserskin.treatment.protocol.MAX_WITHIN_SESSION_S``;
the first test recomputes those numbers with the package's own damage integral.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from laserskin.core.constants import CORE_TEMPERATURE_K
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError, describe_validation_error
from laserskin.damage.arrhenius import arrhenius_omega
from laserskin.pipeline.response import DAMAGE_SETS
from laserskin.treatment.laser import Laser
from laserskin.treatment.presets import device_names, preset_data
from laserskin.treatment.protocol import MAX_WITHIN_SESSION_S, Protocol

BODY_K = CORE_TEMPERATURE_K  # 37 degC: the warmest tissue at rest

ER_YAG = {"wavelength": "2940 nm", "fluence": "10 J/cm^2", "pulse_duration": "0.25 ms", "spot_diameter": "5 mm"}


def _refusal(model, data) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return describe_validation_error(info.value)


def _omega_at_rest(parameters: str, duration_s: float) -> float:
    times = np.array([0.0, duration_s])
    return float(np.asarray(arrhenius_omega(times, np.full(2, BODY_K), parameters=parameters)).ravel()[-1])


@pytest.mark.parametrize("name", ["henriques", "collagen"])
def test_an_hour_at_body_temperature_adds_no_damage_but_months_do(name):
    """The bound is physically safe: over 1 h at 37 degC the epidermal (Henriques 1947) and dermal collagen (Pearce
    2010) integrals of the pipeline stay below 1 % of their threshold Omega = 1 (computed: 1.9e-4 and 1.7e-3, the
    numbers the constant's comment gives); over the 1e7 s QA9 ran they reach half the threshold or more, which is
    why a longer wait must not reach the damage integrals."""
    parameters = DAMAGE_SETS[name]
    omega_hour = _omega_at_rest(parameters, MAX_WITHIN_SESSION_S)
    assert omega_hour < 0.01
    expected = {"henriques": 1.9e-4, "collagen": 1.7e-3}[name]  # the comment's two-digit numbers
    assert omega_hour == pytest.approx(expected, rel=0.05)
    assert _omega_at_rest(parameters, 1e7) >= 0.5


@pytest.mark.parametrize(
    "fields, line",
    [
        ({"passes": 2, "pass_interval": "1e7 s"}, "pass_interval: got '1e7 s'; expected from 0 s to 3600 s"),
        ({"passes": 2, "pass_interval": "2 h"}, "pass_interval: got '2 h' (7200 s); expected from 0 s to 3600 s"),
        ({"passes": 2, "cooling_pause": "1 d"}, "cooling_pause: got '1 d' (86400 s); expected from 0 s to 3600 s"),
        (
            {"passes": 2, "pass_interval": "40 min", "cooling_pause": "30 min"},
            "pass_interval: got '40 min'; expected at most 30 min with cooling_pause = 30 min: the wait between "
            "passes at a spot (pass_interval + cooling_pause, here 70 min) lasts at most 1 h, within one session",
        ),
    ],
)
def test_a_wait_between_passes_longer_than_a_session_is_refused(fields, line):
    assert _refusal(Protocol, fields) == line


def test_an_hour_between_passes_is_accepted():
    laser = Laser.from_device("co2_full_field")
    assert Protocol(passes=2, pass_interval="1 h").pass_start_times_s(laser)[1] > 3600.0
    assert Protocol(passes=2, pass_interval="30 min", cooling_pause="30 min").time_between_passes_s(laser) == 3600.0


def test_the_default_wait_one_pass_over_a_large_area_is_refused_naming_pass_interval():
    """With passes > 1 and no pass_interval the wait at a spot is one pass over the treated area: titan_ir at 0.1 Hz
    over 2000 cm^2 takes 3.7 h. Refused where the schedule is built, saying what to give instead."""
    laser = Laser.from_device("titan_ir")
    protocol = Protocol(passes=2, treated_area="2000 cm^2")
    with pytest.raises(InputError) as info:
        protocol.pass_start_times_s(laser)
    assert str(info.value) == (
        "protocol.pass_interval: got nothing (the default: the time of one pass over treated_area 2000 cm^2 at "
        "0.1 Hz); expected a pass_interval of at most 1 h, or a smaller treated_area: the wait between passes at a "
        "spot (3.704 h) lasts at most 1 h, within one session"
    )
    # one pass, a given interval or a smaller area: no wait of that length
    assert Protocol(treated_area="2000 cm^2").pass_start_times_s(laser) == [0.0]
    assert len(Protocol(passes=2, treated_area="2000 cm^2", pass_interval="5 min").pass_start_times_s(laser)) == 2
    assert len(Protocol(passes=2, treated_area="400 cm^2").pass_start_times_s(laser)) == 2  # 44 min


def test_a_pulse_train_longer_than_a_session_is_refused_naming_the_rate_or_the_count():
    line = _refusal(Laser, {**ER_YAG, "pulses": 2, "repetition_rate": "1e-8 Hz"})
    assert line == (
        "repetition_rate: got '1e-8 Hz'; expected at least 0.0002778 Hz with pulses = 2: the pulse train on a spot "
        "((pulses - 1) / repetition_rate, here 2.778e+04 h) lasts at most 1 h, within one session"
    )
    assert Laser.model_validate({**ER_YAG, "pulses": 2, "repetition_rate": "0.0002778 Hz"}).pulses == 2
    laser = Laser.model_validate({**ER_YAG, "repetition_rate": "1 Hz"})
    with pytest.raises(InputError) as info:
        Protocol(pulses_per_spot=3602).effective_pulses_per_spot(laser)
    assert str(info.value) == (
        "protocol.pulses_per_spot: got 3602; expected at most 3601 pulses at laser.repetition_rate = 1 Hz: the pulse "
        "train on a spot ((pulses_per_spot - 1) / repetition_rate, here 60.02 min) lasts at most 1 h, within one "
        "session"
    )
    assert Protocol(pulses_per_spot=3601).effective_pulses_per_spot(laser) == 3601


@pytest.mark.parametrize("name", device_names())
def test_no_device_range_asks_for_a_train_or_pass_longer_than_a_session(name):
    """Every setting a device allows keeps its pulse train within the bound (most pulses at the slowest rate), and
    its own preset times 2 passes over the default 400 cm^2 within it: the bound refuses nothing a device does."""
    ranges = preset_data(name).ranges
    if ranges.pulses is not None and ranges.repetition_rate_Hz is not None:
        assert (ranges.pulses[1] - 1) / ranges.repetition_rate_Hz[0] <= MAX_WITHIN_SESSION_S
    laser = Laser.from_device(name)
    assert len(Protocol(passes=2).pass_start_times_s(laser)) == 2


def test_the_planners_multi_pass_resurfacing_is_within_a_session_at_every_site():
    """The planner simulates full-field ablative resurfacing at 1-3 passes over the plan's whole area (the default
    wait: one pass over it); at the largest area any site allows, the wait stays within the bound."""
    from laserskin.planning.plan import MAX_PASSES
    from laserskin.planning.request import planner_rules

    largest_cm2 = max(planner_rules()["site_max_area_cm2"].values())
    for name in device_names():
        if preset_data(name).device_class != "ablative":
            continue
        protocol = Protocol(passes=MAX_PASSES, treated_area=f"{largest_cm2} cm^2")
        assert len(protocol.pass_start_times_s(Laser.from_device(name))) == MAX_PASSES


def test_every_reference_course_is_within_a_session():
    courses = {name: c for name, c in load_parameters("reference_courses").items() if isinstance(c, dict)}
    checked = 0
    for course in courses.values():
        if "laser" not in course:
            continue
        laser = Laser.from_config(dict(course["laser"]))
        protocol = Protocol(**course.get("protocol", {}))
        assert len(protocol.pass_start_times_s(laser)) == protocol.passes
        checked += 1
    assert checked >= 5


# ------------------------------------------------------------------ counts are numbers (QA9 #6)
@pytest.mark.parametrize(
    "model, fields, line",
    [
        (Protocol, {"passes": "2"}, "passes: got '2'; expected a whole number from 1 to 20"),
        (Protocol, {"sessions": "3"}, "sessions: got '3'; expected a whole number from 1 to 20"),
        (
            Protocol,
            {"pulses_per_spot": "2"},
            "pulses_per_spot: got '2'; expected a whole number from 1 to 10000",
        ),
        (
            Laser,
            {**ER_YAG, "pulses": "2", "repetition_rate": "10 Hz"},
            "pulses: got '2'; expected a whole number from 1 to 10000",
        ),
    ],
)
def test_a_count_given_as_text_is_refused(model, fields, line):
    assert _refusal(model, fields) == line


def test_a_count_given_as_a_number_is_read_as_before():
    """A whole number as a number: an integer, or a float without a fractional part (read as pydantic's int and
    person.laxity read it); a fractional count and a boolean stay refused."""
    assert Protocol(passes=2).passes == 2 and Protocol.model_validate({"passes": 2.0}).passes == 2
    assert _refusal(Protocol, {"passes": 2.5}) == "passes: got 2.5; expected a whole number from 1 to 20"
    assert "true/false is not a number" in _refusal(Protocol, {"passes": True})
    assert Laser.model_validate({**ER_YAG, "pulses": 2, "repetition_rate": "10 Hz"}).pulses == 2


# ------------------------------------------------------------------ one message rule, worded only when refused
def test_the_spans_within_a_session_are_worded_only_when_refused(monkeypatch):
    """The refusals of a span longer than a session are formatted where they are raised (session 12: the pulse
    train's and the default wait's words were formatted on every call of effective_pulses_per_spot,
    pass_start_times_s and every Laser with stacked pulses). Counted through format_quantity, which each wording
    calls."""
    from laserskin.treatment import laser as laser_module
    from laserskin.treatment import protocol as protocol_module

    calls: list = []
    real = protocol_module.format_quantity

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(protocol_module, "format_quantity", counted)
    monkeypatch.setattr(laser_module, "format_quantity", counted)
    laser = Laser.model_validate({**ER_YAG, "pulses": 3, "repetition_rate": "10 Hz"})
    protocol = Protocol(passes=2, pulses_per_spot=3, treated_area="10 cm^2")
    assert protocol.effective_pulses_per_spot(laser) == 3
    assert len(protocol.pass_start_times_s(laser)) == 2
    Protocol(passes=2, pass_interval="30 min", cooling_pause="30 min")
    assert calls == []
    slow = Laser.model_validate({**ER_YAG, "repetition_rate": "1 Hz"})
    with pytest.raises(InputError, match="within one session"):  # a refusal is still worded
        Protocol(pulses_per_spot=3602).effective_pulses_per_spot(slow)
    assert calls


def test_every_span_beyond_a_session_reads_the_one_message():
    """The wait between passes (pass_interval + cooling_pause), the pulse train and the default wait: one rule
    (protocol.session_refusal), "...: SPAN (FORMULA, here VALUE) lasts at most 1 h, within one session"."""
    lines = [
        _refusal(Protocol, {"passes": 2, "pass_interval": "50 min", "cooling_pause": "20 min"}),
        _refusal(Laser, {**ER_YAG, "pulses": 2, "repetition_rate": "1e-4 Hz"}),
    ]
    with pytest.raises(InputError) as info:
        Protocol(pulses_per_spot=3602).effective_pulses_per_spot(
            Laser.model_validate({**ER_YAG, "repetition_rate": "1 Hz"})
        )
    lines.append(str(info.value))
    for line in lines:
        assert line.endswith(") lasts at most 1 h, within one session"), line
        assert ", here " in line, line
