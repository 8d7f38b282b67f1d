"""Tests of laserskin.treatment.laser: derived quantities, pulse trains, fractional mode, validation, schema."""

import csv
import math
import tomllib
from importlib import resources

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scipy import integrate

from laserskin.core.errors import InputError, describe_validation_error
from laserskin.treatment.laser import (
    ABLATIVE_WATER_MUA_PER_M,
    FWHM_TO_1E2_DIAMETER,
    Laser,
    merge_laser_tables,
    water_mua_per_m,
)

BASE = {"wavelength": "1064 nm", "pulse_duration": "3 ms", "spot_diameter": "5 mm"}


def make(**fields):
    return Laser.model_validate({**BASE, **fields})


# ------------------------------------------------------------------ energy <-> fluence
def test_flat_top_energy_from_fluence():
    laser = make(fluence="10 J/cm^2")
    # 10 J/cm^2 over a 5 mm disc: 10 * pi * 0.25^2 cm^2 = 1.963495 J
    assert laser.pulse_energy_J == pytest.approx(10 * math.pi * 0.25**2, rel=1e-12)
    assert laser.fluence_J_per_m2 == pytest.approx(1e5, rel=1e-12)
    assert laser.peak_fluence_J_per_m2 == pytest.approx(1e5, rel=1e-12)
    assert laser.spot_area_m2 == pytest.approx(math.pi * 2.5e-3**2, rel=1e-12)


def test_fluence_from_pulse_energy_in_mJ_and_J():
    a = make(pulse_energy="500 mJ")
    b = make(pulse_energy="0.5 J")
    assert a.pulse_energy_J == b.pulse_energy_J == pytest.approx(0.5)
    assert a.fluence_J_per_m2 == pytest.approx(0.5 / (math.pi * 2.5e-3**2), rel=1e-12)


def test_gaussian_peak_fluence_is_2E_over_pi_w2_and_integrates_to_E():
    energy, w = 1.0, 2e-3  # 1 J, 1/e^2 radius 2 mm
    laser = make(pulse_energy="1 J", spot_diameter="4 mm", profile="gaussian")
    assert laser.beam_radius_m == pytest.approx(w)
    assert laser.peak_fluence_J_per_m2 == pytest.approx(2 * energy / (math.pi * w**2), rel=1e-12)
    # nominal fluence is E / (pi w^2), half the peak
    assert laser.fluence_J_per_m2 == pytest.approx(laser.peak_fluence_J_per_m2 / 2, rel=1e-12)
    # independent check: integrating the profile F0 exp(-2 r^2 / w^2) over the plane gives E
    f0 = laser.peak_fluence_J_per_m2
    total, error = integrate.quad(lambda r: f0 * math.exp(-2 * r**2 / w**2) * 2 * math.pi * r, 0, 20 * w)
    assert total == pytest.approx(energy, rel=1e-9)


def test_spot_fwhm_converts_to_1e2_diameter():
    laser = make(pulse_energy="1 J", spot_diameter=None, spot_fwhm="3 mm", profile="gaussian")
    w = laser.spot_diameter_m / 2
    # at r = FWHM/2 the Gaussian exp(-2 r^2 / w^2) is at half maximum
    assert math.exp(-2 * (1.5e-3) ** 2 / w**2) == pytest.approx(0.5, rel=1e-12)
    assert laser.spot_diameter_m == pytest.approx(3e-3 * FWHM_TO_1E2_DIAMETER)
    assert FWHM_TO_1E2_DIAMETER == pytest.approx(1.6986, abs=1e-4)


def test_power_and_average_power():
    laser = make(pulse_energy="2 J", repetition_rate="10 Hz")
    assert laser.pulse_power_W == pytest.approx(2 / 3e-3)
    assert laser.average_power_W == pytest.approx(20.0)
    assert make(pulse_energy="2 J").average_power_W is None


# ------------------------------------------------------------------ pulse train
def test_pulse_train_timing_and_energy():
    laser = make(pulse_energy="1.5 J", pulses=3, repetition_rate="10 Hz")
    train = laser.pulse_train(start_s=0.5)
    assert len(train) == 3
    for k, (t0, t1, power) in enumerate(train):
        assert t0 == pytest.approx(0.5 + 0.1 * k, abs=1e-15)
        assert t1 - t0 == pytest.approx(3e-3, rel=1e-12)
        assert power == pytest.approx(1.5 / 3e-3)
    assert sum((t1 - t0) * p for t0, t1, p in train) == pytest.approx(3 * 1.5, rel=1e-12)


def test_single_pulse_needs_no_repetition_rate():
    assert make(fluence="10 J/cm^2").pulse_train() == [
        (0.0, 3e-3, pytest.approx(make(fluence="10 J/cm^2").pulse_power_W))
    ]


# ------------------------------------------------------------------ fractional
def test_fractional_coverage_to_mtz_density_matches_reference_table():
    # docs/reference/physics_data.md section 9: 120 um MTZ (1.13e-4 cm^2), 10 % -> 885 MTZ/cm^2
    laser = make(
        wavelength="10600 nm",
        pulse_energy="15 mJ",
        pulse_duration="1 ms",
        spot_diameter="10 mm",
        profile="gaussian",
        ablative=True,
        fractional={"microbeam_diameter": "120 um", "density": "10 %"},
    )
    assert laser.mtz_per_m2 / 1e4 == pytest.approx(885, rel=1e-3)  # table rounded to 3 digits
    assert laser.fractional.microbeam_area_m2 * 1e4 == pytest.approx(1.13e-4, rel=5e-3)
    assert laser.microbeam_energy_J == pytest.approx(15e-3)
    # per-microbeam nominal and peak fluence: E / (pi w^2), 2E / (pi w^2) with w = 60 um
    assert laser.microbeam_fluence_J_per_m2 == pytest.approx(15e-3 / (math.pi * 60e-6**2), rel=1e-12)
    assert laser.peak_fluence_J_per_m2 == pytest.approx(2 * 15e-3 / (math.pi * 60e-6**2), rel=1e-12)
    assert laser.microbeams_per_spot == pytest.approx(laser.mtz_per_m2 * math.pi * 5e-3**2, rel=1e-12)
    assert laser.energy_per_area_J_per_m2 == pytest.approx(15e-3 * laser.mtz_per_m2, rel=1e-12)
    assert laser.beam_diameter_m == pytest.approx(120e-6)


def test_fractional_density_per_area():
    laser = make(pulse_energy="10 mJ", fractional={"microbeam_diameter": "100 um", "density": "200 /cm^2"})
    assert laser.mtz_per_m2 == pytest.approx(2e6)
    assert laser.coverage_fraction == pytest.approx(200 * math.pi * 0.005**2, rel=1e-12)


def test_full_field_coverage_is_one():
    laser = make(fluence="10 J/cm^2")
    assert laser.coverage_fraction == 1.0 and laser.mtz_per_m2 is None and laser.microbeam_energy_J is None


# ------------------------------------------------------------------ spectrum
def test_spectrum_weights_normalised():
    laser = Laser.model_validate(
        {
            "spectrum": [{"wavelength": "1200 nm", "weight": 0.2}, {"wavelength": "1.6 um", "weight": 0.6}],
            "fluence": "30 J/cm^2",
            "pulse_duration": "5 s",
            "spot_diameter": "10 mm",
        }
    )
    weights = laser.wavelength_weights()
    assert [w for _, w in weights] == pytest.approx([0.25, 0.75], rel=1e-12)
    assert [lam for lam, _ in weights] == pytest.approx([1.2e-6, 1.6e-6])
    assert laser.centroid_wavelength_m == pytest.approx(0.25 * 1.2e-6 + 0.75 * 1.6e-6)
    assert laser.wavelength_m is None


def test_single_line_weights():
    assert make(fluence="1 J/cm^2").wavelength_weights() == [(pytest.approx(1.064e-6), 1.0)]


# ------------------------------------------------------------------ ablative rule
def _hale_querry():
    path = resources.files("laserskin") / "data" / "spectra" / "water_HaleQuerry1973.csv"
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    return [(float(r["wavelength_nm"]) * 1e-9, float(r["mua_per_cm"]) * 100) for r in rows]


def test_water_table_classification_agrees_with_hale_querry():
    """Independent table (Hale & Querry 1973): wherever it is clearly (x1.5) above or below
    100 /cm, the Segelstein-based rule must classify the wavelength the same way."""
    checked = 0
    for wavelength_m, mua_hq in _hale_querry():
        if not 400e-9 <= wavelength_m <= 11000e-9:
            continue
        if ABLATIVE_WATER_MUA_PER_M / 1.5 < mua_hq < 1.5 * ABLATIVE_WATER_MUA_PER_M:
            continue  # near the threshold the two tables may legitimately disagree
        checked += 1
        assert (water_mua_per_m(wavelength_m) >= ABLATIVE_WATER_MUA_PER_M) == (mua_hq >= ABLATIVE_WATER_MUA_PER_M)
    assert checked > 50


def test_water_mua_at_er_yag_and_nd_yag():
    # Segelstein table values (rows 2940 nm: ~1.2e4 /cm; 1064 nm: ~0.15 /cm)
    assert water_mua_per_m(2940e-9) / 100 == pytest.approx(1.2e4, rel=0.05)
    assert water_mua_per_m(1064e-9) / 100 == pytest.approx(0.15, rel=0.1)


@pytest.mark.parametrize("wavelength", ["1940 nm", "2790 nm", "2940 nm", "10600 nm", "9.3 um"])
def test_ablative_allowed_where_water_absorbs_strongly(wavelength):
    assert make(wavelength=wavelength, fluence="10 J/cm^2", pulse_duration="0.3 ms", ablative=True).ablative


@pytest.mark.parametrize("wavelength", ["1064 nm", "1550 nm", "2100 nm", "1450 nm"])
def test_ablative_refused_for_weakly_absorbed_wavelengths(wavelength):
    with pytest.raises(ValidationError) as info:
        make(wavelength=wavelength, fluence="10 J/cm^2", ablative=True)
    message = describe_validation_error(info.value)
    assert "ablative" in message and "water mua" in message


# ------------------------------------------------------------------ bad input
BAD = [
    ({"fluence": "0 J/cm^2"}, "fluence"),
    ({"fluence": "-5 J/cm^2"}, "fluence"),
    ({"fluence": 10}, "fluence"),  # bare number: unit required
    ({"pulse_energy": "-1 mJ"}, "pulse_energy"),
    ({"fluence": "10 J/cm^2", "pulse_duration": "0 ms"}, "pulse_duration"),
    ({"fluence": "10 J/cm^2", "pulse_duration": "3 kg"}, "pulse_duration"),
    ({"fluence": "10 J/cm^2", "spot_diameter": "0 mm"}, "spot_diameter"),
    ({"fluence": "10 J/cm^2", "spot_diameter": "-2 mm"}, "spot_diameter"),
    ({"fluence": "10 J/cm^2", "wavelength": "300 nm"}, "wavelength"),
    ({"fluence": "10 J/cm^2", "wavelength": "12 um"}, "wavelength"),
    ({"fluence": "10 J/cm^2", "pulse_energy": "1 J"}, "fluence"),
    ({}, "fluence"),
    ({"fluence": "10 J/cm^2", "profile": "tophat"}, "profile"),
    ({"fluence": "10 J/cm^2", "pulses": 0}, "pulses"),
    ({"fluence": "10 J/cm^2", "pulses": 3}, "repetition_rate"),
    ({"fluence": "10 J/cm^2", "repetition_rate": "1 kHz"}, "pulse_duration"),  # 3 ms > 1 ms period
    ({"fluence": "10 J/cm^2", "repetition_rate": "0 Hz"}, "repetition_rate"),
    ({"fluence": "10 J/cm^2", "spot_fwhm": "3 mm"}, "spot_diameter"),  # both given
    ({"fluence": "10 J/cm^2", "colour": "red"}, "colour"),
    ({"fluence": "10 J/cm^2", "fractional": {"microbeam_diameter": "120 um", "density": "150 %"}}, "density"),
    ({"fluence": "10 J/cm^2", "fractional": {"microbeam_diameter": "120 um", "density": "3 kg"}}, "density"),
    ({"fluence": "10 J/cm^2", "fractional": {"microbeam_diameter": "120 um"}}, "density"),
    ({"fluence": "10 J/cm^2", "fractional": {"microbeam_diameter": "6 mm", "density": "5 %"}}, "microbeam_diameter"),
    ({"fluence": "10 J/cm^2", "fractional": {"microbeam_diameter": "100 um", "density": "2e5 /cm^2"}}, "density"),
]


@pytest.mark.parametrize("fields, field", BAD)
def test_bad_input_names_the_field(fields, field):
    with pytest.raises(ValidationError) as info:
        make(**fields)
    assert field in describe_validation_error(info.value)


def test_unknown_fractional_key_lists_density():
    """QA4 #6: a typo in the fractional table listed microbeam_diameter, coverage, mtz_density but not density,
    the key the docs and every preset use."""
    with pytest.raises(ValidationError) as info:
        make(fluence="10 J/cm^2", fractional={"microbeam_diameter": "100 um", "densty": "5 %"})
    message = describe_validation_error(info.value)
    assert (
        message == "fractional.densty: unknown key; expected one of microbeam_diameter, density, coverage, mtz_density"
    )


def test_spot_fwhm_needs_gaussian():
    table = {"wavelength": "1064 nm", "pulse_duration": "3 ms", "fluence": "1 J/cm^2", "spot_fwhm": "3 mm"}
    with pytest.raises(ValidationError, match="spot_fwhm"):
        Laser.model_validate(table)


def test_wavelength_and_spectrum_are_exclusive():
    with pytest.raises(ValidationError, match="wavelength"):
        make(fluence="1 J/cm^2", spectrum=[{"wavelength": "1200 nm", "weight": 1.0}])
    with pytest.raises(ValidationError, match="weight"):
        Laser.model_validate(
            {**BASE, "wavelength": None, "fluence": "1 J/cm^2", "spectrum": [{"wavelength": "1200 nm", "weight": 0}]}
        )
    with pytest.raises(ValidationError, match="only once"):
        spectrum = [{"wavelength": "1200 nm", "weight": 1}, {"wavelength": "1.2 um", "weight": 1}]
        Laser.model_validate({**BASE, "wavelength": None, "fluence": "1 J/cm^2", "spectrum": spectrum})


def test_boundary_wavelengths_accepted():
    assert make(wavelength="400 nm", fluence="1 J/cm^2").wavelength_m == pytest.approx(4e-7)
    assert make(wavelength="11000 nm", fluence="1 J/cm^2").wavelength_m == pytest.approx(1.1e-5)


def test_pulse_train_rejects_non_finite_start():
    with pytest.raises(InputError, match="start_s"):
        make(fluence="1 J/cm^2").pulse_train(start_s=float("nan"))


# ------------------------------------------------------------------ schema / config
EXAMPLES = [
    {**BASE, "fluence": "14 J/cm^2"},
    {**BASE, "pulse_energy": "250 mJ", "profile": "gaussian", "repetition_rate": "10 Hz", "pulses": 4},
    {
        "wavelength": "1064 nm",
        "pulse_duration": "3 ms",
        "spot_fwhm": "3 mm",
        "profile": "gaussian",
        "fluence": "5 J/cm^2",
    },
    {
        "wavelength": "10600 nm",
        "pulse_energy": "20 mJ",
        "pulse_duration": "1 ms",
        "spot_diameter": "10 mm",
        "profile": "gaussian",
        "repetition_rate": "300 Hz",
        "ablative": True,
        "fractional": {"microbeam_diameter": "120 um", "density": "300 /cm^2"},
    },
    {
        "spectrum": [{"wavelength": "1150 nm", "weight": 1}, {"wavelength": "1650 nm", "weight": 3}],
        "fluence": "36 J/cm^2",
        "pulse_duration": "6 s",
        "spot_diameter": "13.82 mm",
    },
]


@pytest.mark.parametrize("table", EXAMPLES)
def test_round_trip_by_alias_and_by_name(table):
    laser = Laser.model_validate(table)
    again = Laser.model_validate(laser.model_dump(by_alias=True))
    assert again == laser
    assert Laser.model_validate(laser.model_dump(by_alias=True, exclude_none=True)) == laser
    assert Laser.model_validate(laser.model_dump()) == laser  # field names (populate_by_name)
    assert Laser.from_config(laser.model_dump(by_alias=True, exclude_none=True)) == laser


def test_round_trip_in_other_units_is_a_fixed_point():
    """units.Quantity writes 10 significant digits in the display unit and pint's conversion of
    "10.6 um" differs from "10600 nm" by one ulp, so the first round trip agrees to ~1e-15
    relative and the dump is reproduced exactly from then on."""
    laser = make(wavelength="10.6 um", fluence="0.01 kJ/cm^2", pulse_duration="300 us", ablative=True)
    again = Laser.model_validate(laser.model_dump(by_alias=True))
    assert again.model_dump(by_alias=True) == laser.model_dump(by_alias=True)
    assert Laser.model_validate(again.model_dump(by_alias=True)) == again
    assert again.wavelength_m == pytest.approx(laser.wavelength_m, rel=1e-14)
    assert again.fluence_J_per_m2 == pytest.approx(1e5, rel=1e-14)


def test_dump_writes_only_given_alternative():
    dumped = make(fluence="14 J/cm^2").model_dump(by_alias=True, exclude_none=True)
    assert dumped["fluence"] == "14 J/cm^2" and "pulse_energy" not in dumped
    fwhm = Laser.model_validate(EXAMPLES[2]).model_dump(by_alias=True, exclude_none=True)
    assert "spot_fwhm" in fwhm and "spot_diameter" not in fwhm


def test_from_config_reads_toml():
    text = """
    [laser]
    wavelength = "1550 nm"
    pulse_energy = "20 mJ"
    pulse_duration = "3 ms"
    spot_diameter = "15 mm"
    profile = "gaussian"
    repetition_rate = "200 Hz"
    fractional = { microbeam_diameter = "100 um", density = "5 %" }
    """
    laser = Laser.from_config(tomllib.loads(text)["laser"])
    assert laser.microbeam_energy_J == pytest.approx(0.02)
    assert laser.coverage_fraction == pytest.approx(0.05)


def test_merge_replaces_alternatives_and_merges_fractional():
    base = {
        "fluence": "10 J/cm^2",
        "spot_diameter": "5 mm",
        "fractional": {"microbeam_diameter": "120 um", "density": "10 %"},
    }
    merged = merge_laser_tables(
        base, {"pulse_energy_J": "1 J", "spot_fwhm": "3 mm", "fractional": {"mtz_density": "100 /cm^2"}}
    )
    assert "fluence" not in merged and merged["pulse_energy"] == "1 J"
    assert "spot_diameter" not in merged and merged["spot_fwhm"] == "3 mm"
    assert merged["fractional"] == {"microbeam_diameter": "120 um", "mtz_density": "100 /cm^2"}
    assert base["fluence"] == "10 J/cm^2"  # input not modified
    assert "fractional" not in merge_laser_tables(base, {"fractional": False})


# ------------------------------------------------------------------ hypothesis: schema
def _tables():
    wavelength_nm = st.floats(400, 11000)
    diameter_mm = st.floats(0.05, 50)
    return st.fixed_dictionaries(
        {
            "wavelength": wavelength_nm.map(lambda v: f"{v!r} nm"),
            "pulse_duration": st.floats(1e-3, 1e3).map(lambda v: f"{v!r} ms"),
            "spot_diameter": diameter_mm.map(lambda v: f"{v!r} mm"),
            "profile": st.sampled_from(["flat_top", "gaussian"]),
            "pulses": st.integers(1, 50),
        }
    ).flatmap(
        lambda t: st.tuples(
            st.just(t),
            st.one_of(
                st.floats(1e-3, 1e3).map(lambda v: {"fluence": f"{v!r} J/cm^2"}),
                st.floats(1e-3, 1e4).map(lambda v: {"pulse_energy": f"{v!r} mJ"}),
            ),
            # a repetition rate whose period is longer than the pulse, and whose pulse train lasts at most 1 h
            # (QA9 #1: (pulses - 1) / rate within one session)
            st.floats(1e-3, 1.0).map(
                lambda duty: {
                    "repetition_rate": (
                        f"{max(duty / (float(t['pulse_duration'].split()[0]) * 1e-3), (t['pulses'] - 1) / 3500.0)!r} Hz"
                    )
                }
            ),
        ).map(lambda parts: {**parts[0], **parts[1], **parts[2]})
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_schema_random_valid_tables(table):
    laser = Laser.model_validate(table)
    # energy and fluence consistent with the nominal area, peak factor by profile
    area = math.pi * laser.spot_diameter_m**2 / 4
    assert laser.pulse_energy_J == pytest.approx(laser.fluence_J_per_m2 * area, rel=1e-12)
    factor = 2.0 if laser.profile == "gaussian" else 1.0
    assert laser.peak_fluence_J_per_m2 == pytest.approx(factor * laser.fluence_J_per_m2, rel=1e-12)
    # pulse train: pulses non-overlapping, evenly spaced, total energy = pulses * E
    train = np.array(laser.pulse_train())
    assert len(train) == laser.pulses
    if laser.pulses > 1:
        assert np.all(train[1:, 0] >= train[:-1, 1] * (1 - 1e-12))
        assert np.allclose(np.diff(train[:, 0]), 1 / laser.repetition_rate_Hz, rtol=1e-9)
    assert float(np.sum((train[:, 1] - train[:, 0]) * train[:, 2])) == pytest.approx(
        laser.pulses * laser.pulse_energy_J, rel=1e-9
    )
    # round trip: serialisation is 10 significant digits, so values agree to that, and a
    # second round trip reproduces the dump exactly
    dumped = laser.model_dump(by_alias=True)
    again = Laser.model_validate(dumped)
    assert again.model_dump(by_alias=True) == dumped
    for name in ("wavelength_m", "pulse_energy_J", "fluence_J_per_m2", "spot_diameter_m", "pulse_duration_s"):
        assert getattr(again, name) == pytest.approx(getattr(laser, name), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-1e3, 0.0).map(lambda v: f"{v!r} J/cm^2") | st.sampled_from(["nan J/cm^2", "inf J/cm^2", "10 W", "ten"])
)
def test_schema_bad_fluence_always_refused_naming_field(fluence):
    with pytest.raises(ValidationError) as info:
        make(fluence=fluence)
    assert "fluence" in describe_validation_error(info.value)


def test_fractional_false_means_full_field():
    laser = Laser.model_validate({**BASE, "fluence": "10 J/cm^2", "fractional": False})
    assert not laser.is_fractional
    with pytest.raises(ValidationError):
        Laser.model_validate({**BASE, "fluence": "10 J/cm^2", "fractional": True})


# ------------------------------------------------------------------ fractional micro-beam profile
def test_fractional_micro_beam_profile_defaults_to_gaussian_and_flat_top_is_honoured():
    """An unset profile of a fractional laser is the focused (Gaussian) micro-beam the pipeline launches;
    an explicit flat_top is kept. Before: unset gave "flat_top" (and a flat-top peak fluence E/(pi r^2))
    while the pipeline launched a Gaussian micro-beam."""
    from laserskin.pipeline.stages import treatment_beam

    fractional = {"microbeam_diameter": "120 um", "density": "10 %"}
    unset = make(pulse_energy="15 mJ", fractional=fractional)
    assert unset.profile == "gaussian"
    assert unset.peak_fluence_J_per_m2 == pytest.approx(2 * 15e-3 / (math.pi * 60e-6**2), rel=1e-12)
    assert "profile" not in unset.model_dump(by_alias=True)  # derived: the dump round-trips
    assert Laser.model_validate(unset.model_dump(by_alias=True)) == unset
    beam = treatment_beam(unset)
    assert (beam.kind, beam.radius_1e2_m) == ("gaussian", pytest.approx(60e-6, rel=1e-12))

    flat = make(pulse_energy="15 mJ", profile="flat_top", fractional=fractional)
    assert flat.profile == "flat_top"
    assert flat.peak_fluence_J_per_m2 == pytest.approx(15e-3 / (math.pi * 60e-6**2), rel=1e-12)
    beam = treatment_beam(flat)
    assert (beam.kind, beam.diameter_m) == ("flat_top", pytest.approx(120e-6, rel=1e-12))
    # the profile is named with the micro-beam, not with the scan pattern (before: "10 mm flat_top")
    assert "120 um flat_top" in flat.describe() and "5 mm pattern" in flat.describe()
    assert "120 um gaussian" in unset.describe()

    # the full-field default is unchanged, and a preset's gaussian stays
    assert make(fluence="10 J/cm^2").profile == "flat_top"
    assert Laser.from_device("fraxel_1550", fractional={"density": "10 %"}).profile == "gaussian"


def test_pulse_as_long_as_the_period_makes_a_valid_train():
    """QA4 #4: duty cycle 1 (100 ms at 10 Hz) is allowed, and 1000 such pulses must not overlap by rounding
    (before: 3 * 0.1 + 0.1 > 4 * 0.1, refused as 'pulse_train.start_times_s: ... non-overlapping pulses')."""
    import numpy as np

    from laserskin.thermal.schedule import Schedule

    laser = make(fluence="12 J/cm^2", pulse_duration="100 ms", repetition_rate="10 Hz", pulses=1000)
    for lead in (0.0, 0.03):
        train = np.array(laser.pulse_train(start_s=lead))
        starts, ends, power = train.T
        assert np.all(ends[:-1] <= starts[1:])
        Schedule.pulse_train(starts, ends - starts, power)  # the heat solver's schedule accepts it
        energy = float(np.sum((ends - starts) * power))
        assert energy == pytest.approx(1000 * laser.pulse_energy_J, rel=1e-9)


def test_a_device_with_two_alternative_overrides_is_refused_not_resolved_by_their_order():
    """QA4 #32: ``device`` + ``fluence`` + ``pulse_energy`` kept the last one silently (the web form has both)."""
    with pytest.raises(ValidationError, match="give exactly one of fluence and pulse_energy"):
        Laser.from_device("co2_fractional", fluence="100 J/cm^2", pulse_energy="15 mJ")
    assert Laser.from_device("co2_fractional", pulse_energy="15 mJ").microbeam_energy_J == pytest.approx(0.015)


@pytest.mark.parametrize("device", ["co2_fractional", None])
def test_density_and_coverage_together_are_one_error_line(device):
    """QA5 #5: ``fractional = { density = "10 %", coverage = "30 %" }`` on a preset kept the coverage silently
    (mtz_area_fraction 0.79); now one line, as the spot and energy pairs say it, with or without a preset. The
    coverage is echoed as typed ("30 %", before "30 percent")."""
    from laserskin.core.errors import describe_validation_error

    table = {"fractional": {"microbeam_diameter": "120 um", "density": "10 %", "coverage": "30 %"}}
    if device is None:
        table.update(wavelength="10600 nm", pulse_energy="15 mJ", pulse_duration="1 ms", spot_diameter="10 mm")
    else:
        table["device"] = device
    with pytest.raises(ValidationError) as error:
        Laser.model_validate(table)
    assert describe_validation_error(error.value, prefix="laser") == (
        "laser.fractional.density: give exactly one of density and coverage"
    )
    del table["fractional"]["density"]
    echoed = Laser.model_validate(table).model_dump(mode="json", by_alias=True)["fractional"]["coverage"]
    assert echoed == "30 %"


@pytest.mark.parametrize("value", ["yes", "no", "true", 1, 0, "maybe", 2])
def test_ablative_takes_a_boolean_only(value):
    """QA5 #6: ``ablative = "yes"``/``"no"``/``1``/``0`` were coerced (true/false) while ``"maybe"`` and 2 got
    "expected true or false"; a safety-relevant flag takes a TOML/JSON boolean only, with that same message."""
    from laserskin.core.errors import describe_validation_error

    with pytest.raises(ValidationError) as error:
        Laser.from_device("er_yag_2940", ablative=value)
    assert describe_validation_error(error.value, prefix="laser").endswith("; expected true or false")
    assert describe_validation_error(error.value, prefix="laser").startswith("laser.ablative: got ")
    assert Laser.from_device("er_yag_2940", ablative=True).ablative is True
    assert Laser.from_device("smoothbeam_1450", ablative=False).ablative is False
