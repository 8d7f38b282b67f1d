"""The band sample (laserskin.healing.uncertainty): fitted gains jointly from the fit, other ranges by hypercube.

Statistical tolerances are stated where used: a sample moment of n draws is compared with its exact value
within 4 standard errors of that moment (fails with probability < 1e-4 per comparison for a correct sampler;
fixed seeds make every run identical).
"""

import math

import numpy as np
import pytest
from scipy.stats import norm

from laserskin.core.errors import InputError
from laserskin.healing import calibrated_parameters, load_parameters
from laserskin.healing.uncertainty import joint_gain_sample, parameter_arrays

N = 4096  # large sample for moment checks (the model's band uses 64)


def _joint(names, cov, **gains):
    params = load_parameters().with_gains(
        gains.pop("gain_neo", 20.0),
        gains.pop("laxity_per_linear", 2.0),
        None,
        joint_names=names,
        joint_covariance_log=cov,
    )
    return params.model_copy(update=gains) if gains else params


def test_band_sample_is_reproducible_and_keeps_the_physiological_hypercube():
    params = calibrated_parameters()
    first, second = parameter_arrays(params, 64), parameter_arrays(params, 64)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    # the same parameters sampled independently (no joint covariance): only the fitted gains' columns differ
    independent = parameter_arrays(params.model_copy(update={"joint_names": (), "joint_covariance_log": ()}), 64)
    assert set(params.joint_names) >= {"gain_neo", "laxity_per_linear", "gain_wound", "thermal_persistence"}
    for name in first:
        if name in params.joint_names:
            assert not np.array_equal(first[name][1:], independent[name][1:]), name
        else:
            np.testing.assert_array_equal(first[name], independent[name])
    for name, values in first.items():  # row 0 is the nominal set
        assert values[0] == getattr(params, name)


def test_joint_sample_has_the_fit_covariance_on_the_log_scale():
    cov = np.array([[0.04, -0.045, 0.0], [-0.045, 0.09, 0.02], [0.0, 0.02, 0.25]])  # correlation -0.75 as g_neo/kappa
    params = _joint(("gain_neo", "laxity_per_linear", "gain_wound"), cov, gain_wound=5.0)
    x = np.log(joint_gain_sample(params, N))
    assert x.shape == (N, 3)
    mean = np.log([20.0, 2.0, 5.0])
    se_mean = np.sqrt(np.diag(cov) / N)
    assert np.all(np.abs(x.mean(axis=0) - mean) <= 4 * se_mean)
    sample = np.cov(x, rowvar=False)
    se_cov = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / N)  # normal theory, var of s_ij
    assert np.all(np.abs(sample - cov) <= 4 * se_cov)


def test_the_persistent_share_is_truncated_at_one():
    """ln p ~ N(ln 0.9, 0.5²) truncated at p <= 1: every draw <= 1, and the share below the nominal value is
    Φ(0)/Φ(z_1) with z_1 = ln(1/0.9)/0.5 (binomial tolerance, 4 SE)."""
    params = _joint(("thermal_persistence",), [[0.25]], thermal_persistence=0.9)
    p = joint_gain_sample(params, N)[:, 0]
    assert p.shape == (N,) and np.all(p <= 1.0) and np.all(p > 0.0)
    share = 0.5 / norm.cdf(math.log(1 / 0.9) / 0.5)
    assert abs(np.mean(p < 0.9) - share) <= 4 * math.sqrt(share * (1 - share) / N)
    # the model's band sample keeps the bound too (64 rows, the shipped fit: p = 0.46 with SE 0.86 on the log scale)
    arrays = parameter_arrays(calibrated_parameters(), 64)
    assert np.all(arrays["thermal_persistence"] <= 1.0)


def test_a_share_at_its_bound_and_a_gain_at_zero():
    params = _joint(
        ("gain_wound", "thermal_persistence"), [[0.3, -0.1], [-0.1, 0.3]], thermal_persistence=1.0, gain_wound=0.0
    )
    draws = joint_gain_sample(params, 256)
    assert np.all(draws[:, 0] == 0.0)  # a gain set to 0 has no multiplicative uncertainty
    assert np.all(draws[:, 1] <= 1.0) and np.all(np.isfinite(draws))
    assert np.unique(draws[:, 1]).size > 200  # truncated, not clipped onto the bound


def test_joint_covariance_is_validated():
    base = load_parameters()
    with pytest.raises(InputError):
        base.with_gains(20.0, 2.0, None, joint_names=("gain_neo",), joint_covariance_log=[[0.1, 0.0]])
    with pytest.raises(InputError):
        base.with_gains(
            20.0, 2.0, None, joint_names=("gain_neo", "gain_wound"), joint_covariance_log=[[1, 0.5], [0, 1]]
        )
    with pytest.raises(InputError):
        base.with_gains(20.0, 2.0, None, joint_names=("gain_nope",), joint_covariance_log=[[0.1]])
    with pytest.raises(InputError):
        base.with_gains(20.0, 2.0, None, joint_names=("gain_neo",), joint_covariance_log=[[-0.1]])


def test_bounded_band_applies_each_sample_on_the_effect_scale():
    """QA4 #17: the band of a bounded measure took quantiles of sums clipped at 100 %, so where > 5 % of the sample
    passed 100 % the upper end read exactly 100.0. Now each sample's ratio k to the nominal moves the nominal on
    u = -ln(1 - y/100): y = 100 (1 - (1 - y0/100)^k). Checked against that closed form (exact arithmetic)."""
    from laserskin.healing.uncertainty import band, bounded_samples

    nominal = np.array([0.01, 10.0, 36.8, 0.0, 120.0])
    ratio = np.array([[0.5, 0.5, 0.46, 1.0, 1.0], [2.0, 2.0, 5.1, 2.0, 0.5]])
    values = np.vstack([nominal, nominal * ratio])
    values[1:, 3] = [1.0, 2.0]  # a nominal of 0 says nothing about the samples: their values are kept
    out = bounded_samples(values, 100.0)
    np.testing.assert_allclose(out[0], np.minimum(nominal, 100.0), rtol=0, atol=0)
    for j in (0, 1, 2):
        np.testing.assert_allclose(out[1:, j], 100.0 * (1.0 - (1.0 - nominal[j] / 100.0) ** ratio[:, j]), rtol=1e-12)
    np.testing.assert_allclose(out[1:, 3], [1.0, 2.0], rtol=0, atol=0)
    np.testing.assert_allclose(out[1:, 4], [100.0, 60.0], rtol=0, atol=0)  # nominal past the bound: clipped values
    assert out[1, 0] == pytest.approx(0.005, rel=1e-4)  # small improvements: the sample's own value (linear regime)
    assert np.all(band(values, 100.0)[2, :3] < 100.0)


def test_one_full_field_er_yag_pass_has_a_band_below_the_grade_bound():
    """QA4 #17 command (30 F type I forehead, goal resurface): one Er:YAG pass (49 um crater, 61 um open wound),
    month-6 laxity [17.0, 36.8, 100.0] % before; then [19.1, 36.8, 90.4] %; with the 1320 nm calibration course at
    14 J/cm^2 (docs/healing.md, "The 1320 nm calibration course") [8.5, 31.5, 97.3] %; with the CO2 removal enthalpy of
    session 10 (Harris's CO2 course contracts less at once, so the wound gain carries more of its wrinkle reduction:
    g_wound 3.29 -> 7.19, docs/healing.md "Session 10") [53.8, 68.5, 87.2] %. The nominal is the calibrated value; the
    width is the wound gain's fit uncertainty (sigma of ln 0.42; 1.32 before session 10, 1.03 with the former 18 J/cm^2
    course)."""
    from laserskin.healing import SessionDose, simulate_course

    dose = SessionDose(
        time="0 s",
        denatured_fraction=2.09e-7,
        depth_top="0.3 mm",
        depth_bottom="0.8 mm",
        immediate_tightening=0.0003,
        epidermal_injury_grade=3,
        ablated_depth="49 um",
        wound_area_fraction=1.0,
        wound_depth="61 um",
    )
    course = simulate_course([dose], 30.0, 1.0, 6 * 30.44 + 2)
    for measure in ("laxity", "rhytid", "tightening"):
        low, mid, high = course.improvement_at(6, measure)
        assert 0.0 < low < mid < high < 100.0, measure
    low, mid, high = course.improvement_at(6)
    assert mid == pytest.approx(68.5, abs=0.1) and high == pytest.approx(87.2, abs=0.1)


def test_the_fits_sources_are_recorded_on_every_use():
    """The fit is cached per process; its sources must still be recorded by every later use (a second plan in a
    process used to list fewer works)."""
    from laserskin.core.citations import recording
    from laserskin.healing.calibration import CITATIONS

    with recording() as first:
        calibrated_parameters()
    with recording() as second:
        calibrated_parameters()
    assert set(CITATIONS) <= first
    assert second == first
