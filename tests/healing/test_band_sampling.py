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
