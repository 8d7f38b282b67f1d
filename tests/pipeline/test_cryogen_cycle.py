"""A cryogen device fires one spurt per pulse: a pulse train or passes faster than its cycle (spurt, delay, pulse,
post-spurt) are refused, keyed at the input that makes the clash."""

from __future__ import annotations

import pytest

from laserskin.core.errors import InputError


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


def _cryogen_schedule(laser, protocol, cooling):
    from laserskin.pipeline.stages import pulse_schedule

    starts, ends, _ = pulse_schedule(laser, protocol, cooling)
    return cooling.surface_schedule(starts, ends, float(ends.max()) + 1.0)


def _laser(rate: str, duration: str = "3 ms", pulses: int = 3):
    from laserskin.treatment.laser import Laser

    return Laser(
        wavelength="1320 nm",
        fluence="14 J/cm^2",
        pulse_duration=duration,
        spot_diameter="10 mm",
        pulses=pulses,
        repetition_rate=rate,
    )


def test_a_train_faster_than_the_cryogen_cycle_is_refused_naming_fields_values_and_relation():
    """50 Hz (20 ms apart) under 30 ms spurts and 20 ms delays: before, each pulse's spurt began before the previous
    pulse (and the later phases silently won)."""
    from laserskin.core.errors import InputError
    from laserskin.thermal.cooling import CryogenCooling
    from laserskin.treatment.protocol import Protocol

    cooling = CryogenCooling(spurt_duration="30 ms", delay="20 ms")
    with pytest.raises(InputError) as caught:
        _cryogen_schedule(_laser("50 Hz"), Protocol(), cooling)
    message = str(caught.value)
    assert message.startswith(
        "laser.repetition_rate: got '50 Hz', with cryogen cooling.spurt_duration '30 ms', delay '20 ms' and "
        "post_spurt '0 ms', for pulses of 3 ms; expected spurt_duration + delay + pulse duration + post_spurt (53 ms "
        "here) at most the time from one pulse's start to the next's (the pulse period 1/repetition_rate, 20 ms here)"
    )
    assert "laser.repetition_rate of at most 18.87 Hz" in message
    # the post-spurt belongs to the cycle: 10 Hz (100 ms) holds 30 + 20 + 3 ms, not with a 50 ms post-spurt
    _cryogen_schedule(_laser("10 Hz"), Protocol(), cooling)
    with pytest.raises(InputError, match=r"\(103 ms here\)"):
        _cryogen_schedule(_laser("10 Hz"), Protocol(), cooling.model_copy(update={"post_spurt_s": 0.05}))


def test_the_cycle_that_just_fits_runs_and_passes_too_close_are_refused():
    from laserskin.core.errors import InputError
    from laserskin.thermal.cooling import CryogenCooling
    from laserskin.treatment.protocol import Protocol

    cooling = CryogenCooling(spurt_duration="30 ms", delay="10 ms")
    h, _ = _cryogen_schedule(_laser("20 Hz", duration="10 ms"), Protocol(), cooling)  # 30 + 10 + 10 = 50 ms = 1/20 Hz
    assert h.value_at(0.0) == cooling.h_W_per_m2K
    single = _laser("1 Hz", pulses=1)
    _cryogen_schedule(single, Protocol(passes=2, pass_interval="40 ms"), cooling)  # the next spurt at the pulse's end
    with pytest.raises(InputError, match="a protocol.pass_interval of at least 40 ms"):
        _cryogen_schedule(single, Protocol(passes=2, pass_interval="39 ms"), cooling)


def test_the_clinical_cryogen_presets_run():
    """CoolTouch 1320 nm (30 ms spurt, 10 ms delay, 50 ms pulse, 30 ms post-spurt: 120 ms of a 500 ms period) and
    Smoothbeam 1450 nm (spray through its 210 ms pulse) at their rates, and at the top of their ranges."""
    from laserskin.pipeline.simulation import default_cooling
    from laserskin.treatment.devices import load_device
    from laserskin.treatment.protocol import Protocol

    for name, top in (
        ("cooltouch_1320", {"pulse_duration": "100 ms", "repetition_rate": "2 Hz", "pulses": 3}),
        ("smoothbeam_1450", {"pulse_duration": "300 ms", "repetition_rate": "2 Hz", "pulses": 2}),
    ):
        device = load_device(name)
        for laser in (device.laser(), device.laser(**top)):
            _cryogen_schedule(laser, Protocol(), default_cooling(laser))
