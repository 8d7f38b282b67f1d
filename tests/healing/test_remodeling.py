"""Unit tests of the healing / neocollagenesis model (laserskin.healing.model and friends).

The model is propagated with matrix exponentials, so the analytic comparisons below are
exact up to floating-point round-off (tolerances ~1e-9 relative); every other check is a
structural property (mass balance, monotonicity, ordering) or a bound derived in the test.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from laserskin.core.constants import DAY_S, MONTH_DAYS
from laserskin.core.errors import InputError
from laserskin.healing import (
    HealingResult,
    SessionDose,
    baseline_collagen_relative,
    calibrated_parameters,
    load_parameters,
    reepithelialization_days,
    simulate_course,
)

RTOL_EXACT = 1e-9  # matrix-exponential propagation: round-off only


@pytest.fixture(scope="module")
def params():
    return calibrated_parameters()


def bulk_dose(day=0.0, fraction=0.1, top="0.3 mm", bottom="0.8 mm", tightening=1.0, **kw):
    return SessionDose(
        time=f"{day} day",
        denatured_fraction=fraction,
        depth_top=top,
        depth_bottom=bottom,
        immediate_tightening=tightening,
        **kw,
    )


def run(doses, params, age=40.0, sun=0.0, t_end=365.0, band=0, **kw):
    return simulate_course(doses, age, sun, t_end, params, band_samples=band, **kw)


# --- no dose: ageing only ---------------------------------------------------------------


def test_no_dose_creates_nothing_and_declines_one_percent_per_year(params):
    result = run([], params, age=40.0, sun=0.0, t_end=3 * 365.25)
    years = result.time_days / 365.25
    # Shuster 1975: ~1 %/yr relative loss -> C(t) = 0.99^t (exactly, by construction of λ)
    np.testing.assert_allclose(result.collagen_content[1], 0.99**years, rtol=RTOL_EXACT)
    assert result.collagen_content[1][-1] == pytest.approx(0.99**3, rel=RTOL_EXACT)
    for name in ("new_collagen", "denatured_collagen", "tightening_pct", "laxity_improvement_pct"):
        assert np.all(getattr(result, name)[1] == 0.0), name
    assert np.all(result.states["synthesised"] == 0.0)


def test_sun_exposure_speeds_the_decline(params):
    plain = run([], params, sun=0.0)
    sunny = run([], params, sun=2.0)
    expected = 0.99 ** (1.0 + 2.0 * params.sun_loss_per_grade)  # after 365 days
    assert sunny.collagen_content[1][-1] == pytest.approx(expected ** (365 / 365.25), rel=RTOL_EXACT)
    assert sunny.collagen_content[1][-1] < plain.collagen_content[1][-1]


def test_baseline_collagen_relative_to_age_20(params):
    assert baseline_collagen_relative(20, 0, params) == pytest.approx(1.0)
    assert baseline_collagen_relative(60, 0, params) == pytest.approx(0.99**40, rel=1e-12)
    assert baseline_collagen_relative(60, 3, params) < baseline_collagen_relative(60, 0, params)


# --- analytic solution of the linear chain ------------------------------------------------


def test_single_session_matches_bateman_solution(params):
    """I -> F -> Y -> M is a linear decay chain: compare with the Bateman solution."""
    p = params.model_copy(update=dict(collagen_loss_per_year=0.0))
    dermis = p.dermis_thickness_m
    dose = bulk_dose(fraction=0.3, tightening=4.0)
    result = run([dose], p, age=p.age_reference_years, t_end=400.0, dt_days=0.5)  # age factors = 1
    t = result.time_days * DAY_S
    q = 0.3 * (0.5e-3 / dermis)  # denatured amount (fraction of dermal collagen)
    stimulus = q / (1.0 + q / p.saturation_fraction)
    ki, kf, km, kr = (1 / p.tau_inflammation_s, 1 / p.tau_fibroblast_s, 1 / p.tau_maturation_s, 1 / p.tau_removal_s)
    rho = p.replacement_ratio
    s = result.states
    fibro = stimulus * ki / (kf - ki) * (np.exp(-ki * t) - np.exp(-kf * t))
    synthesised = rho * stimulus * (1 - (kf * np.exp(-ki * t) - ki * np.exp(-kf * t)) / (kf - ki))
    rates = (ki, kf, km)
    immature = (
        rho * stimulus * ki * kf * sum(np.exp(-k * t) / np.prod([kl - k for kl in rates if kl != k]) for k in rates)
    )
    np.testing.assert_allclose(s["fibroblasts"], fibro, rtol=1e-8, atol=1e-15)
    np.testing.assert_allclose(s["synthesised"], synthesised, rtol=1e-8, atol=1e-15)
    np.testing.assert_allclose(s["immature"], immature, rtol=1e-8, atol=1e-15)
    np.testing.assert_allclose(result.new_collagen[1], synthesised, rtol=1e-8, atol=1e-15)  # λ = 0
    np.testing.assert_allclose(s["denatured"], q * np.exp(-kr * t), rtol=1e-8)
    linear = 100 * (1 - math.sqrt(1 - 0.04))
    np.testing.assert_allclose(s["immediate_linear_pct"], linear * np.exp(-kr * t), rtol=1e-8)


def test_output_step_does_not_change_values(params):
    doses = [bulk_dose(0.0), bulk_dose(30.3)]
    coarse = run(doses, params, t_end=120.0, dt_days=2.0)
    fine = run(doses, params, t_end=120.0, dt_days=0.5)
    np.testing.assert_allclose(fine.tightening_pct[1][::4], coarse.tightening_pct[1], rtol=RTOL_EXACT)
    np.testing.assert_allclose(fine.collagen_content[1][::4], coarse.collagen_content[1], rtol=RTOL_EXACT)


# --- mass balance and positivity ------------------------------------------------------------


def _mass_balance_residual(result: HealingResult) -> np.ndarray:
    s = result.states
    total = s["native"] + s["immature"] + s["mature"] + s["denatured"]
    return total - (1.0 + s["synthesised"] - s["removed"] - s["aging_loss"] - s["ablated"])


def test_mass_balance_with_ablation_and_denaturation(params):
    doses = [
        bulk_dose(0.0, fraction=0.4, top="0.1 mm", bottom="0.6 mm", epidermal_injury_grade=3, ablated_depth="150 um"),
        SessionDose.fractional("40 day", 0.2, "0.05 mm", "0.8 mm", ablated_depth="300 um"),
    ]
    result = run(doses, params, age=55, sun=2, t_end=500)
    np.testing.assert_allclose(_mass_balance_residual(result), 0.0, atol=1e-12)
    s = result.states
    assert s["removed"][-1] <= s["removed"][-1] + s["denatured"][-1]  # removal only of what was denatured
    # at the first session: ablated fraction of the dermis = (150 um - junction) / dermis, the junction
    # at min(band top 100 um, epidermis thickness)
    junction_m = min(100e-6, params.epidermis_thickness_m)
    assert s["ablated"][0] == pytest.approx((150e-6 - junction_m) / params.dermis_thickness_m, rel=1e-12)
    # all denatured collagen is eventually removed (τ_rem << 460 days)
    created = s["removed"][-1] + s["denatured"][-1]
    assert s["denatured"][-1] / created < 1e-6


@settings(max_examples=25, deadline=None)
@given(
    fractions=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4),
    gap=st.floats(1.0, 60.0),
    ablation_um=st.floats(0.0, 900.0),
    coverage=st.floats(0.0, 1.0),
    age=st.floats(18.0, 100.0),
    sun=st.floats(0.0, 3.0),
)
def test_no_negative_collagen_and_balance_holds(fractions, gap, ablation_um, coverage, age, sun):
    params = calibrated_parameters()
    doses = [
        SessionDose(
            time=f"{i * gap} day",
            denatured_fraction=f,
            depth_top="0.1 mm",
            depth_bottom="1.0 mm",
            immediate_tightening=10 * f,
            coverage=coverage,
            ablated_depth=f"{ablation_um} um",
        )
        for i, f in enumerate(fractions)
    ]
    result = simulate_course(doses, age, sun, 300.0, params, band_samples=8, dt_days=3.0)
    for name in ("collagen_content", "new_collagen", "denatured_collagen", "tightening_pct"):
        assert np.all(getattr(result, name) >= 0.0), name
    for name, values in result.states.items():
        assert np.all(values >= -1e-15), name
    np.testing.assert_allclose(_mass_balance_residual(result), 0.0, atol=1e-12)


# --- dose response, age, superposition --------------------------------------------------------


def test_more_denaturation_more_new_collagen_up_to_saturation(params):
    fractions = [0.05, 0.1, 0.2, 0.4, 0.7, 1.0]
    new = np.array(
        [
            run([bulk_dose(fraction=f, top="0.1 mm", bottom="1.5 mm")], params, age=30, t_end=1500).states[
                "synthesised"
            ][-1]
            for f in fractions
        ]
    )
    assert np.all(np.diff(new) > 0)  # monotone
    slopes = np.diff(new) / np.diff(fractions)
    assert np.all(np.diff(slopes) < 0)  # concave: saturating
    # the total made after the wound has settled is rho * q/(1 + q/q_sat) (q: injured amount),
    # bounded by rho * q_sat
    q = np.array(fractions) * 1.4e-3 / params.dermis_thickness_m
    expected = params.replacement_ratio * q / (1 + q / params.saturation_fraction)
    np.testing.assert_allclose(new, expected, rtol=1e-6)  # exp(-1500 d / τ_F) residue is < 1e-6
    assert np.all(new < params.replacement_ratio * params.saturation_fraction)


def test_age_reduces_and_slows_the_response(params):
    dose = [bulk_dose(fraction=0.2)]
    young = run(dose, params, age=30, t_end=720)
    old = run(dose, params, age=70, t_end=720)
    assert old.new_collagen[1][-1] < young.new_collagen[1][-1]
    assert old.improvement_at(3, "tightening")[1] < young.improvement_at(3, "tightening")[1]

    def half_time(result):
        syn = result.states["synthesised"]
        return np.interp(0.5 * syn[-1], syn, result.time_days)

    assert half_time(old) > half_time(young)


def test_sessions_superpose_to_first_order(params):
    """Two sessions vs the sum of single-session responses (responses relative to no treatment).

    The only coupling is that session b acts on the collagen left by session a. Its relative
    size is c = |ΔC_a(t_b)| + d·w (collagen change from session a, plus denaturation of
    session a's new collagen by session b), so the superposition error is bounded by
    c × (max|Δa| + max|Δb|) and shrinks quadratically with the dose.
    """
    base = run([], params)

    def residual(fraction):
        a, b = bulk_dose(0.0, fraction=fraction), bulk_dose(30.0, fraction=fraction)
        ra, rb, rab = run([a], params), run([b], params), run([a, b], params)
        w = 0.5e-3 / params.dermis_thickness_m
        coupling = abs(ra.collagen_content[1][30] - base.collagen_content[1][30]) + fraction * w
        out = {}
        for name in ("collagen_content", "new_collagen", "tightening_pct"):
            da, db, dab = (getattr(r, name)[1] - getattr(base, name)[1] for r in (ra, rb, rab))
            err = np.abs(dab - da - db).max()
            assert err <= coupling * (np.abs(da).max() + np.abs(db).max()), name
            out[name] = err
        return out

    residual(0.1)  # the bound holds at a clinical dose
    # second order: halving the dose quarters the error, up to a next-order correction that
    # itself vanishes with the dose (the ratio converges to 4)
    e4, e2, e1 = residual(0.04), residual(0.02), residual(0.01)
    for name in e4:
        coarse, fine = e4[name] / e2[name], e2[name] / e1[name]
        assert abs(fine - 4.0) <= abs(coarse - 4.0) + 1e-3, name
        assert fine == pytest.approx(4.0, rel=0.1), name


def test_bands_are_ordered_and_open_after_treatment(params):
    result = run([bulk_dose(0.0), bulk_dose(30.0), bulk_dose(60.0)], params, band=32, t_end=240)
    for name in ("collagen_content", "new_collagen", "denatured_collagen", "tightening_pct", "laxity_improvement_pct"):
        low, mid, high = getattr(result, name)
        assert np.all(low <= mid) and np.all(mid <= high), name
    low, mid, high = result.improvement_at(3)
    assert low < mid < high


# --- re-epithelialisation -----------------------------------------------------------------------


def test_reepithelialisation_of_fractional_zones_about_a_day(params):
    mtz = SessionDose.fractional("0 day", 0.15, "0.06 mm", "0.36 mm")
    t_ref = reepithelialization_days(mtz, params.age_reference_years, params)
    # Stumpp 2009: ED50 10-22 h; ED84 up to 28 h
    assert 10 / 24 <= t_ref <= 22 / 24
    assert reepithelialization_days(mtz, 80, params) > t_ref
    assert reepithelialization_days(mtz, 80, params) <= 28 / 24 * (1 + 5 * 0.15)  # max slowing at 80 y
    bulk = bulk_dose(epidermal_injury_grade=3, ablated_depth="100 um")
    assert 5 <= reepithelialization_days(bulk, 30, params) <= 10
    assert reepithelialization_days(bulk_dose(epidermal_injury_grade=1), 30, params) == 0.0
    result = run([mtz], params, t_end=10)
    assert result.reepithelialization_days.tolist() == [pytest.approx(t_ref * (1 + params.slowing_per_decade))]


# --- API, inputs, dataset ---------------------------------------------------------------------


def test_improvement_at_counts_from_last_session(params):
    doses = [bulk_dose(0.0), bulk_dose(30.0), bulk_dose(60.0)]
    result = run(doses, params, t_end=300, band=8)
    t = 60.0 + 3 * MONTH_DAYS
    assert result.improvement_at(3)[1] == pytest.approx(
        np.interp(t, result.time_days, result.laxity_improvement_pct[1])
    )
    assert result.improvement_at(3, "tightening")[1] * params.laxity_per_linear == pytest.approx(
        result.improvement_at(3)[1]
    )
    assert result.improvement_at(1, after_last_session=False)[1] == pytest.approx(
        np.interp(MONTH_DAYS, result.time_days, result.laxity_improvement_pct[1])
    )
    with pytest.raises(InputError):
        result.improvement_at(12)  # beyond t_end
    with pytest.raises(InputError):
        result.improvement_at(1, measure="wrinkles")


def test_to_dataset_has_units(params):
    ds = run([bulk_dose(0.0), bulk_dose(30.0)], params, t_end=90, band=8).to_dataset()
    assert ds["time"].attrs["units"] == "day"
    assert list(ds["band"].values) == ["low", "mid", "high"]
    assert ds["tightening_pct"].dims == ("band", "time")
    assert ds["tightening_pct"].attrs["units"] == "percent"
    assert "fraction" in ds["collagen_content"].attrs["units"]
    assert ds["session_time"].values.tolist() == [0.0, 30.0]
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs, name


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(person_age_years=10),
        dict(person_age_years=130),
        dict(sun_exposure=4),
        dict(sun_exposure=-1),
        dict(t_end_days=0),
        dict(t_end_days=float("nan")),
        dict(t_end_days=20),
        dict(dermis_thickness_m=1.5),
        dict(band_samples=-1),
        dict(dt_days=0),
    ],
)
def test_bad_inputs_raise_input_error(params, kwargs):
    args = dict(
        doses=[bulk_dose(0.0), bulk_dose(30.0)],
        person_age_years=40,
        sun_exposure=1,
        t_end_days=100,
        parameters=params,
        band_samples=0,
    )
    args.update(kwargs)
    with pytest.raises(InputError):
        simulate_course(**args)


def test_session_dose_validation():
    with pytest.raises(ValidationError):
        bulk_dose(top="0.8 mm", bottom="0.3 mm")
    with pytest.raises(ValidationError):
        bulk_dose(fraction=1.5)
    with pytest.raises(ValidationError):
        SessionDose(time=3, denatured_fraction=0.1, depth_top="0.1 mm", depth_bottom="0.2 mm")  # no unit
    with pytest.raises(InputError):
        simulate_course(
            [dict(time="0 day", denatured_fraction=0.1, depth_top="1 mm", depth_bottom="0.5 mm")],
            40,
            0,
            30,
            calibrated_parameters(),
            band_samples=0,
        )
    dose = SessionDose.fractional("2 day", 0.2, "60 um", "360 um", zone_denatured_fraction=0.9)
    assert dose.denatured_fraction == pytest.approx(0.18)
    assert dose.time_days == pytest.approx(2.0)


def test_load_parameters_reads_ranges_in_si():
    p = load_parameters()
    assert p.tau_inflammation_s == pytest.approx(2 * DAY_S)
    assert p.ranges["tau_inflammation_s"] == pytest.approx((DAY_S, 4 * DAY_S))
    assert "tau_inflammation_s" in p.log_sampled
    assert "dermis_thickness_m" not in p.ranges
    with pytest.raises(InputError):
        load_parameters({"tau_unknown": {"value": "1 day"}})
    with pytest.raises(InputError):
        load_parameters({"tau_removal": {"value": 3}})  # bare number for a time


# --- superficial renewal (rhytid / texture grade) -----------------------------------------


def test_renewal_accumulates_as_random_zones_on_unrenewed_skin(params):
    """Renewed fraction after maturation = 1 - prod(1 - a_i), a_i = area x min(1, depth / layer depth):
    zones of each session fall at random, so they partly land on skin already renewed (exact, the
    renewal chain conserves what enters it)."""
    layer_m = params.renewal_layer_depth_m
    doses = [
        SessionDose.fractional(f"{d} day", coverage=0.2, zone_depth_top="0.1 mm", zone_depth_bottom="0.6 mm")
        for d in (0, 30)
    ] + [
        SessionDose(
            time="60 day",
            denatured_fraction=1.0,
            depth_top="0.05 mm",
            depth_bottom="0.1 mm",
            epidermal_injury_grade=3,
            ablated_depth="50 um",
            wound_area_fraction=0.3,
            wound_depth="0.1 mm",
        )
    ]
    a = [0.2 * min(1.0, 0.6e-3 / layer_m)] * 2 + [0.3 * min(1.0, 0.1e-3 / layer_m)]
    expected = 1.0 - math.prod(1.0 - x for x in a)
    s = run(doses, params, t_end=3000.0).states
    total = s["renewal_signal"] + s["renewal_fibroblasts"] + s["renewed_fraction"]
    assert total[-1] == pytest.approx(expected, rel=RTOL_EXACT)
    assert s["renewed_fraction"][-1] == pytest.approx(expected, rel=1e-6)  # matured after ~8 years


def test_no_renewal_when_the_epidermis_stays_in_place(params):
    """A bulk non-ablative session (cooling keeps the epidermis) renews nothing: rhytid grade = laxity grade."""
    result = run([bulk_dose(), bulk_dose(day=30)], params, t_end=200.0)
    assert np.all(result.states["renewed_fraction"] == 0.0)
    np.testing.assert_allclose(result.rhytid_improvement_pct, result.laxity_improvement_pct, rtol=1e-12)
    assert SessionDose.fractional("0 day", 0.1, "0.1 mm", "0.4 mm", epidermal_injury_grade=1).renewed_area_fraction == 0


def test_open_wounds_keep_a_share_of_the_immediate_thermal_contraction(params):
    """Persistent thermal contraction (Fitzpatrick, Rostan & Marchell 2000; Ross et al. 2000; Chen, Wright &
    Humphrey 1998: heat-shrunk collagen recovers only partly): after a session that leaves an open wound the
    share p of the immediate linear contraction e stays, the rest relaxes with the removal time,
    E + E_p = e (1 − p) exp(−t/τ_rem) + p e (exact); with the epidermis in place all of it relaxes."""
    p = 0.4
    parameters = params.with_gains(0.0, 1.0, None, gain_wound=0.0, gain_renewal=0.0, thermal_persistence=p)
    linear = 100 * (1 - math.sqrt(1 - 0.2))
    kr = DAY_S / parameters.tau_removal_s
    wounded = dict(epidermal_injury_grade=3, ablated_depth="50 um", wound_area_fraction=1.0, wound_depth="0.1 mm")
    for open_wound in (True, False):
        dose = bulk_dose(0.0, fraction=0.0, tightening=20.0, **(wounded if open_wound else {}))
        result = run([dose], parameters, t_end=400.0)
        s, t = result.states, result.time_days
        kept = p if open_wound else 0.0
        np.testing.assert_allclose(s["immediate_linear_pct"], linear * (1 - kept) * np.exp(-kr * t), rtol=1e-8)
        np.testing.assert_allclose(s["persistent_linear_pct"], linear * kept, rtol=1e-12)
        assert result.tightening_pct[1][0] == pytest.approx(linear, rel=1e-12)  # all of it right after the session
        assert result.tightening_pct[1][-1] == pytest.approx(linear * (kept + (1 - kept) * np.exp(-kr * 400)), rel=1e-8)


def test_contraction_band_stays_below_the_geometric_bound(params):
    """The full-field CO2 3-pass course (the largest dose of the reference courses) had an upper
    tightening band above 100 % at 6 months; a linear contraction cannot reach 100 %, a grade
    cannot improve by more than 100 %."""
    from laserskin.healing.calibration import load_reference_courses

    course = load_reference_courses()["ablative_co2"]
    result = simulate_course(list(course.sessions), course.age_years, course.sun_exposure, 400.0, params)
    for name in ("tightening_pct", "laxity_improvement_pct", "rhytid_improvement_pct"):
        values = getattr(result, name)
        assert np.all(values <= 100.0) and np.all(values >= 0.0), name
        assert np.all(values[0] <= values[1]) and np.all(values[1] <= values[2]), name
