"""Beam input model: width conventions, validation, and launch-radius sampling of the kernel."""

import math

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import stats

from laserskin.transport import Beam
from laserskin.transport.beam import FWHM_PER_RADIUS_1E2, GAUSSIAN_TRUNCATION
from laserskin.transport.kernel import sample_launch_radii
from laserskin.transport.rng import batch_state


def test_fwhm_and_diameter_convert_to_1e2_radius():
    # w = FWHM / sqrt(2 ln 2): an intensity exp(-2 r^2/w^2) is 1/2 at r = FWHM/2
    beam = Beam.model_validate({"kind": "gaussian", "fwhm": "5 mm"})
    w = beam.radius_1e2_m
    assert w == pytest.approx(5e-3 / math.sqrt(2 * math.log(2)), rel=1e-15)
    assert math.exp(-2 * (2.5e-3) ** 2 / w**2) == pytest.approx(0.5, rel=1e-12)
    assert beam.fwhm_m == pytest.approx(5e-3, rel=1e-15)
    assert FWHM_PER_RADIUS_1E2 == pytest.approx(1.1774100225154747, rel=1e-15)
    assert Beam(kind="gaussian", diameter_1e2="4 mm").radius_1e2_m == pytest.approx(2e-3, rel=1e-15)
    assert Beam(kind="gaussian", radius_1e2="2 mm").diameter_1e2_m == pytest.approx(4e-3, rel=1e-15)
    assert Beam(kind="gaussian", radius_1e2="2 mm").outer_radius_m == pytest.approx(GAUSSIAN_TRUNCATION * 2e-3)
    assert Beam(kind="flat_top", diameter="6 mm").outer_radius_m == pytest.approx(3e-3)
    assert Beam(kind="pencil").outer_radius_m == 0.0


def test_dump_round_trips_and_is_toml_form():
    beam = Beam.model_validate({"kind": "gaussian", "fwhm": "5 mm"})
    dumped = beam.model_dump(by_alias=True, exclude_none=True)
    assert dumped == {"kind": "gaussian", "fwhm": "5 mm"}  # the key typed, as typed (QA12 #3)
    again = Beam.model_validate(dumped)
    assert again.radius_1e2_m == beam.radius_1e2_m  # bit for bit


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "gaussian"},
        {"kind": "gaussian", "fwhm": "5 mm", "radius_1e2": "2 mm"},
        {"kind": "gaussian", "fwhm": "5 mm", "diameter_1e2": "2 mm"},
        {"kind": "gaussian", "fwhm": "5"},  # bare number: unit required
        {"kind": "gaussian", "fwhm": "5 J"},
        {"kind": "gaussian", "fwhm": "-1 mm"},
        {"kind": "gaussian", "diameter": "5 mm"},
        {"kind": "flat_top"},
        {"kind": "flat_top", "diameter": "0 mm"},
        {"kind": "flat_top", "diameter": "5 mm", "fwhm": "5 mm"},
        {"kind": "pencil", "diameter": "5 mm"},
        {"kind": "donut", "diameter": "5 mm"},
        {"kind": "pencil", "colour": "green"},
    ],
)
def test_bad_beams_rejected(data):
    with pytest.raises(ValidationError):
        Beam.model_validate(data)


def test_irradiance_integrates_to_one():
    for beam in (Beam(kind="flat_top", diameter="4 mm"), Beam(kind="gaussian", fwhm="3 mm")):
        r = np.linspace(0, beam.outer_radius_m * 1.2, 200_001)
        integrand = beam.irradiance_per_J(r) * 2 * np.pi * r
        # trapezoid error on the flat-top step is at most one cell's share: 2 dr / R
        assert np.trapezoid(integrand, r) == pytest.approx(1.0, abs=2 * (r[1] - r[0]) / beam.outer_radius_m + 1e-9)


@pytest.mark.parametrize(
    "beam",
    [
        Beam(kind="flat_top", diameter="4 mm"),
        Beam(kind="gaussian", fwhm="3 mm"),
        Beam(kind="gaussian", radius_1e2="0.1 mm"),
    ],
)
def test_kernel_launch_radii_follow_the_analytic_cdf(beam):
    """Kolmogorov-Smirnov test of the radii drawn by the kernel's own sampler and RNG (alpha = 1e-3)."""
    code, width, outer = beam.kernel_parameters()
    radii = sample_launch_radii(code, width, outer, batch_state(11, 0), 200_000)
    assert radii.max() <= beam.outer_radius_m
    result = stats.kstest(radii, beam.launch_radius_cdf)
    assert result.pvalue > 1e-3, result
    # a deliberately wrong width is detected (the test has power)
    wrong = Beam(
        kind=beam.kind,
        **(
            {"diameter": f"{beam.diameter_m * 1.02} m"}
            if beam.kind == "flat_top"
            else {"radius_1e2": f"{beam.radius_1e2_m * 1.02} m"}
        ),
    )
    assert stats.kstest(radii, wrong.launch_radius_cdf).pvalue < 1e-3


def test_binned_chi2_of_gaussian_launch():
    beam = Beam(kind="gaussian", radius_1e2="1 mm")
    code, width, outer = beam.kernel_parameters()
    radii = sample_launch_radii(code, width, outer, batch_state(3, 5), 100_000)
    edges = np.linspace(0, beam.outer_radius_m, 31)
    observed, _ = np.histogram(radii, edges)
    expected = np.diff(beam.launch_radius_cdf(edges)) * radii.size
    keep = expected > 5
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3
