"""QA6 #23 (issue 10 item 4): the minimum-benefit cut and the pigment-risk step decided beyond the Monte Carlo error."""

from types import SimpleNamespace

import numpy as np
import pytest

from laserskin.core.constants import CELSIUS_K
from laserskin.damage.injury import READOUT_COVERAGE, basal_exposure_bounds, pigment_risk_within_error
from laserskin.planning.noise_rules import benefit_verdict, month6_relative_error

STEP = READOUT_COVERAGE * 0.2  # k s at the plan default photons (s = 0.2, noise_rules.MONTH6_MC_RELATIVE_ERROR)


@pytest.mark.parametrize(
    ("nominal", "verdict"),
    [
        (5.0 / (1 + STEP) * 0.999, "below"),  # below the cut even at the top of its error: not offered
        (5.0 / (1 + STEP) * 1.001, "within"),
        (5.0, "within"),  # on the cut: offered, and the plan says it is within the error
        (5.0 / (1 - STEP) * 0.999, "within"),
        (5.0 / (1 - STEP) * 1.001, "above"),
    ],
)
def test_benefit_verdict_at_its_boundaries(nominal, verdict):
    assert benefit_verdict(nominal, 20_000) == verdict


def test_benefit_error_scales_as_one_over_sqrt_photons():
    assert month6_relative_error(80_000) == pytest.approx(0.1, rel=1e-12)
    assert benefit_verdict(4.0, 20_000) == "within" and benefit_verdict(4.0, 320_000) == "below"


@pytest.mark.parametrize(
    ("bounds_C", "level", "established"),
    [
        ((49.5, 50.5), "high", "moderate"),  # straddles the 50 degC step: "high" within the error, "moderate" beyond it
        ((48.0, 49.9), "moderate", "moderate"),
        ((49.0, 50.0), "high", "moderate"),  # the upper bound reaches the step (side="right": 50 degC is 2 points)
        ((50.0, 51.0), "high", "high"),
    ],
)
def test_pigment_level_is_the_upper_bounds_level(bounds_C, level, established):
    """QA7 #1: the stated level is the highest the Monte Carlo error cannot exclude; the established one beside it."""
    risk, below = pigment_risk_within_error("VI", (0.0, 0.0), tuple(t + CELSIUS_K for t in bounds_C))
    assert (risk.level, below) == (level, established)


def test_basal_exposure_bounds_shift_the_peak_by_k_s_of_the_rise():
    """A 310 K base and a 16 K triangular rise on the basal row: the bounds are the peak -+ k s x 16 K exactly."""
    z = np.array([20e-6, 60e-6, 100e-6])  # basal cell: the last centre above the 80 um junction (index 1)
    grid = SimpleNamespace(z_centers_m=z)
    times = np.linspace(0.0, 1e-2, 11)
    rise = np.zeros((11, 1, 3))
    rise[:, 0, 1] = 16.0 * (1 - np.abs(times - 5e-3) / 5e-3)
    base = np.full_like(rise, 310.0)
    (o_low, o_high), (t_low, t_high) = basal_exposure_bounds(
        times,
        base,
        rise,
        grid,
        None,
        junction_depth_m=80e-6,
        omega_basal=0.05,
        peak_basal_temperature_K=326.0,
        relative_error=0.03,
    )
    assert (t_low, t_high) == pytest.approx((326.0 - 2 * 0.03 * 16.0, 326.0 + 2 * 0.03 * 16.0), abs=1e-9)
    assert o_low < 0.05 < o_high


@pytest.mark.slow
def test_type_vi_neck_same_pigment_level_for_five_seeds(tmp_path, side_by_side):
    """QA7 #1: 70 F, type VI, neck, laxity 3 (cooltouch_1320, ~13.3-13.7 J/cm^2): the lower bound of the basal peak sat
    on the 50 degC step (49.96-50.52 degC over seeds 1-5), so the level read there gave "high" x3, "moderate", "high";
    the stated level (upper bound, 53.95-54.58 degC) must be the same for every seed."""
    from laserskin.planning import plan
    from laserskin.skin.person import Person

    person = Person(age=70, sex="female", fitzpatrick="VI", site="neck", laxity=3)
    plans = side_by_side(
        lambda seed: plan(person, photons=20_000, seed=seed, cache_dir=tmp_path, devices=["cooltouch_1320"]),
        (1, 2, 3, 4, 5),
    )
    levels = [p.risks.get("pigment_risk") for p in plans]
    print(levels, [p.settings.get("fluence_J_per_cm2") for p in plans])
    assert len(set(levels)) == 1 and levels[0] is not None
