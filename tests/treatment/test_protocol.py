"""Tests of laserskin.treatment.protocol: defaults, validation, timing against docs/reference section 9."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from laserskin.core.errors import InputError, describe_validation_error
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import ANESTHETICS, Protocol

AREA = "400 cm^2"  # section 9 computes session times for 400 cm^2


def test_defaults():
    protocol = Protocol()
    assert protocol.passes == 1 and protocol.pulses_per_spot is None
    assert protocol.anesthetic == "none"
    # the lead time is the cream's label time unless given (anesthetics.toml lead_time_min; QA6 #1)
    assert protocol.anesthetic_lead_time_s is None and protocol.effective_anesthetic_lead_time_s() == 0.0
    minutes = {name: Protocol(anesthetic=name).effective_anesthetic_lead_time_s() / 60 for name in ANESTHETICS}
    assert minutes == {"none": 0.0, "lidocaine_4": 30.0, "lidocaine_tetracaine_7_7": 30.0, "emla": 60.0}
    assert protocol.treated_area_m2 == pytest.approx(0.04)
    assert protocol.cooling_pause_s == 0.0 and protocol.overlap == 0.0


def test_anesthetic_names_are_stable():
    assert set(ANESTHETICS) == {"none", "lidocaine_4", "lidocaine_tetracaine_7_7", "emla"}
    for name in ANESTHETICS:
        assert Protocol(anesthetic=name).anesthetic_description == ANESTHETICS[name]


def test_clinical_units_at_the_edge():
    protocol = Protocol(
        passes=3,
        cooling_pause="30 s",
        pass_interval="2 min",
        treated_area="150 cm^2",
        anesthetic_lead_time="1 h",
        session_interval="3 week",
        overlap="10 %",
    )
    assert protocol.cooling_pause_s == 30.0 and protocol.pass_interval_s == 120.0
    assert protocol.treated_area_m2 == pytest.approx(0.015)
    assert protocol.anesthetic_lead_time_s == 3600.0
    assert protocol.session_interval_s == pytest.approx(21 * 86400)
    assert protocol.overlap == pytest.approx(0.1)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"treated_area": "0 cm^2"}, "treated_area"),
        ({"treated_area": "-150 cm^2"}, "treated_area"),
        ({"treated_area": 150}, "treated_area"),
        ({"treated_area": "150 cm"}, "treated_area"),
        ({"anesthetic": "cocaine"}, "anesthetic"),
        ({"anesthetic_lead_time": "5 h"}, "anesthetic_lead_time"),
        ({"anesthetic_lead_time": "-1 min"}, "anesthetic_lead_time"),
        ({"passes": 0}, "passes"),
        ({"pulses_per_spot": 0}, "pulses_per_spot"),
        ({"cooling_pause": "-1 s"}, "cooling_pause"),
        ({"pass_interval": "1 J"}, "pass_interval"),
        ({"passes": 3, "pass_interval": "0 s"}, "pass_interval"),  # QA4 #12: passes merged silently before
        ({"overlap": "95 %"}, "overlap"),
        ({"sessions": 0}, "sessions"),
        ({"session_interval": "0 week"}, "session_interval"),
        ({"passs": 2}, "passs"),
    ],
)
def test_bad_input_names_the_field(fields, field):
    with pytest.raises(ValidationError) as info:
        Protocol.model_validate(fields)
    assert field in describe_validation_error(info.value)


def test_round_trip():
    protocol = Protocol(passes=2, pulses_per_spot=3, cooling_pause="20 s", anesthetic="emla", overlap="30 %")
    assert Protocol.model_validate(protocol.model_dump(by_alias=True)) == protocol
    assert Protocol.model_validate(protocol.model_dump(by_alias=True, exclude_none=True)) == protocol
    assert Protocol.model_validate(protocol.model_dump()) == protocol


# --------------------------------------------------------------- timing vs section 9 (D)
def test_genesis_pulses_per_coverage_pass():
    # 5 mm spot (0.196 cm^2) over 400 cm^2: 5000-10000 pulses are 2.5-5 coverage passes
    laser = Laser.from_device("genesis_1064")
    spots = Protocol(treated_area=AREA).spots_per_pass(laser)
    assert 5000 / spots == pytest.approx(2.5, abs=0.05)  # "2.5": half of the last digit
    assert 10000 / spots == pytest.approx(5, abs=0.5)  # "5": one significant digit


def test_er_yag_pulses_and_time_per_pass():
    # 5 mm spot, 30 % overlap, 10 Hz: ~2900 pulses and ~5 min per pass
    laser = Laser.from_device("er_yag_2940", repetition_rate="10 Hz", spot_diameter="5 mm")
    protocol = Protocol(treated_area=AREA, overlap="30 %")
    assert protocol.spots_per_pass(laser) == pytest.approx(2900, abs=50)  # table rounded to 2 digits
    assert protocol.pass_duration_s(laser) / 60 == pytest.approx(5, abs=0.5)


@pytest.mark.parametrize("rate, minutes, half_digit", [("300 Hz", 20, 0.5), ("1 kHz", 6, 0.5), ("100 Hz", 60, 5)])
def test_fractional_co2_time_per_pass(rate, minutes, half_digit):
    # 120 um MTZ at 10 % density = 885 MTZ/cm^2 over 400 cm^2
    laser = Laser.from_device("co2_fractional", repetition_rate=rate)
    assert Protocol(treated_area=AREA).pass_duration_s(laser) / 60 == pytest.approx(minutes, abs=half_digit)


def test_pass_start_times_and_session_duration():
    laser = Laser.from_device("genesis_1064")  # 10 Hz, 0.3 ms
    protocol = Protocol(
        passes=3, pulses_per_spot=4, pass_interval="60 s", cooling_pause="30 s", anesthetic="lidocaine_4"
    )
    train = 3 * 0.1 + 0.3e-3
    assert protocol.effective_pulses_per_spot(laser) == 4
    assert protocol.pass_start_times_s(laser) == pytest.approx([0.0, train + 90.0, 2 * (train + 90.0)])
    one_pass = protocol.pass_duration_s(laser)
    assert one_pass == pytest.approx(protocol.spots_per_pass(laser) * 4 / 10.0)
    # the 90 s wait is shorter than a pass, so passes run back to back
    # lidocaine 4 %: the LMX 4 label's 30 min (anesthetics.toml, QA6 #1)
    assert protocol.session_duration_s(laser) == pytest.approx(30 * 60 + 3 * one_pass)
    assert protocol.session_duration_s(laser, include_anesthetic=False) == pytest.approx(3 * one_pass)


def test_pulses_per_spot_defaults_to_laser():
    laser = Laser.from_device("titan_ir", pulses=3)
    assert Protocol().effective_pulses_per_spot(laser) == 3


def test_pass_duration_needs_repetition_rate():
    laser = Laser.model_validate(
        {"wavelength": "1064 nm", "fluence": "10 J/cm^2", "pulse_duration": "1 ms", "spot_diameter": "5 mm"}
    )
    with pytest.raises(InputError, match="repetition_rate"):
        Protocol().pass_duration_s(laser)


@settings(max_examples=40, deadline=None)
@given(
    passes=st.integers(1, 20),
    pause_s=st.floats(0, 600),
    area_cm2=st.floats(1, 2000),
    anesthetic=st.sampled_from(sorted(ANESTHETICS)),
    overlap=st.floats(0, 0.9),
)
def test_session_duration_identity(passes, pause_s, area_cm2, anesthetic, overlap):
    laser = Laser.from_device("co2_full_field")
    protocol = Protocol(
        passes=passes,
        cooling_pause=f"{pause_s!r} s",
        treated_area=f"{area_cm2!r} cm^2",
        anesthetic=anesthetic,
        overlap=overlap,
    )
    one_pass = protocol.pass_duration_s(laser)
    lead = {"none": 0.0, "lidocaine_4": 30.0, "lidocaine_tetracaine_7_7": 30.0, "emla": 60.0}[anesthetic] * 60  # labels
    expected = lead + passes * one_pass + (passes - 1) * protocol.cooling_pause_s
    assert protocol.session_duration_s(laser) == pytest.approx(expected, rel=1e-9)
    again = Protocol.model_validate(protocol.model_dump(by_alias=True))
    assert again.model_dump(by_alias=True) == protocol.model_dump(by_alias=True)


def test_anesthetic_names_known_to_the_pain_model():
    from laserskin.damage import pain

    assert set(ANESTHETICS) <= set(pain.ANESTHETICS)


def test_back_to_back_passes_are_refused_but_a_pause_or_one_pass_is_not():
    """QA4 #12: 3 passes with pass_interval 0 s reached the heat solver as one long pulse (one
    crater_depth_per_pass_um entry for three passes); now refused, naming the field. A cooling pause, a
    single pass or any interval > 0 is accepted."""
    with pytest.raises(ValidationError) as info:
        Protocol(passes=3, pass_interval="0 s")
    assert "pass_interval: got 0 s; expected more than 0 s" in describe_validation_error(info.value)
    assert Protocol(passes=3, pass_interval="0 s", cooling_pause="30 s").cooling_pause_s == 30.0
    assert Protocol(passes=1, pass_interval="0 s").passes == 1
    assert Protocol(passes=3, pass_interval="1 us").pass_interval_s == pytest.approx(1e-6)


def test_laser_pulses_and_pulses_per_spot_that_differ_are_refused_naming_both_fields():
    """QA4 #30: ``[laser] pulses = 2`` with ``[protocol] pulses_per_spot = 3`` ran 3 pulses without a word."""
    laser = Laser.model_validate(
        {
            "wavelength": "2940 nm",
            "fluence": "5 J/cm^2",
            "pulse_duration": "250 us",
            "spot_diameter": "5 mm",
            "repetition_rate": "10 Hz",
            "pulses": 2,
        }
    )
    with pytest.raises(InputError) as refused:
        Protocol(pulses_per_spot=3).effective_pulses_per_spot(laser)
    message = str(refused.value)
    assert message.startswith("protocol.pulses_per_spot: got 3;") and "laser.pulses = 2" in message
    # the same count, or only one of the two, is fine
    assert Protocol(pulses_per_spot=2).effective_pulses_per_spot(laser) == 2
    assert Protocol().effective_pulses_per_spot(laser) == 2
    # a device preset's pulses is a default that pulses_per_spot replaces; a typed override is not
    assert Protocol(pulses_per_spot=2).effective_pulses_per_spot(Laser.from_device("cooltouch_1320")) == 2
    with pytest.raises(InputError, match="protocol.pulses_per_spot"):
        Protocol(pulses_per_spot=3).effective_pulses_per_spot(Laser.from_device("cooltouch_1320", pulses=2))


def test_a_scenario_with_conflicting_pulse_counts_is_refused_when_it_is_read():
    from laserskin.pipeline.scenario import scenario_from_dict

    data = {
        "person": {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
        "laser": {
            "wavelength": "2940 nm",
            "fluence": "5 J/cm^2",
            "pulse_duration": "250 us",
            "spot_diameter": "5 mm",
            "repetition_rate": "10 Hz",
            "pulses": 2,
        },
        "protocol": {"pulses_per_spot": 3},
    }
    with pytest.raises((InputError, ValueError), match="pulses_per_spot: got 3; expected the same count as laser"):
        scenario_from_dict(data)
