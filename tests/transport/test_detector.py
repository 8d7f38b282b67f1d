"""Collection fibre on Rd(r): exact disc overlap areas and the Lambertian NA acceptance.

References (independent of the code under test):
* a Gaussian Rd(r) = exp(-r²/w²) collected by a disc of radius a at distance d integrates to
  π w² · P(|X| ≤ a) for X a 2-D normal vector with per-axis variance w²/2 centred at d, i.e.
  π w² · F_ncx2(a²/σ²; 2, d²/σ²) with σ² = w²/2 (scipy's non-central χ² with 2 dof);
* on-axis disc: 2π ∫₀ᵃ Rd(r) r dr = π w² (1 − exp(−a²/w²));
* a uniform Rd collected by a disc inside the grid is Rd · π a².
The binned Rd of a fine grid approximates the smooth profile to O(Δr²); with Δr = w/2000 the
tolerance 1e-5 (relative) is generous.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.stats import ncx2

from laserskin.core.errors import InputError
from laserskin.transport.detector import FibreDetector, disc_overlap_area_m2, fibre_collection

W = 1e-3  # Gaussian width of the synthetic Rd(r), m


def synthetic_result(profile, r_max=8e-3, nr=16000, n_above=1.0):
    edges = np.linspace(0.0, r_max, nr + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    return SimpleNamespace(
        grid=SimpleNamespace(r_edges_m=edges),
        diffuse_reflectance_per_area=profile(centres),
        stack=SimpleNamespace(n_above=n_above),
    )


def gaussian(r):
    return np.exp(-((r / W) ** 2))


@pytest.mark.parametrize("radius, distance", [(1e-4, 0.0), (2e-4, 5e-4), (3e-4, 1.5e-3), (1e-3, 2e-3), (5e-5, 3e-3)])
def test_gaussian_profile_matches_the_noncentral_chi_square(radius, distance):
    result = synthetic_result(gaussian)
    sigma2 = W * W / 2.0
    expected = math.pi * W * W * ncx2.cdf(radius**2 / sigma2, 2, distance**2 / sigma2)
    collected = fibre_collection(result, core_radius=radius, numerical_aperture=1.0, distance=distance)
    assert collected == pytest.approx(expected, rel=1e-5)


def test_on_axis_disc_is_the_radial_integral():
    result = synthetic_result(gaussian)
    a = 7e-4
    collected = fibre_collection(result, core_radius=f"{a * 1e6} um", numerical_aperture=1.0)
    assert collected == pytest.approx(math.pi * W * W * (1 - math.exp(-((a / W) ** 2))), rel=1e-5)


def test_uniform_profile_and_na_acceptance():
    result = synthetic_result(lambda r: np.full_like(r, 3.0), n_above=1.0)
    a = 2e-4
    full = fibre_collection(result, core_radius=a, numerical_aperture=1.0, distance="2 mm")
    assert full == pytest.approx(3.0 * math.pi * a * a, rel=1e-12)
    for na in (0.22, 0.39, 0.5):
        assert fibre_collection(result, core_radius=a, numerical_aperture=na, distance="2 mm") == pytest.approx(
            full * na * na, rel=1e-12
        )
    # in contact with a medium of index 1.45 the same NA accepts a smaller solid angle
    glass = fibre_collection(result, core_radius=a, numerical_aperture=0.22, distance="2 mm", n_outside=1.45)
    assert glass == pytest.approx(full * (0.22 / 1.45) ** 2, rel=1e-12)


def test_lens_area_limits():
    a = 1.0
    assert disc_overlap_area_m2(0.0, a, 0.5) == 0.0
    assert disc_overlap_area_m2(10.0, a, 0.5) == pytest.approx(math.pi)
    assert disc_overlap_area_m2(1.0, 1.0, 2.0) == 0.0  # touching circles
    # two unit circles one radius apart share 2π/3 − √3/2
    assert disc_overlap_area_m2(1.0, 1.0, 1.0) == pytest.approx(2 * math.pi / 3 - math.sqrt(3) / 2, rel=1e-12)
    radii = np.linspace(0, 3, 50)
    assert np.all(np.diff(disc_overlap_area_m2(radii, a, 1.2)) >= -1e-15)  # grows with the radius


def test_inputs_are_checked():
    result = synthetic_result(gaussian, r_max=2e-3)
    with pytest.raises(InputError, match="distance"):
        fibre_collection(result, core_radius="0.5 mm", numerical_aperture=0.22, distance="1.8 mm")
    with pytest.raises(InputError, match="numerical_aperture"):
        FibreDetector(core_radius_m=1e-4, numerical_aperture=0.0)
    with pytest.raises(InputError, match="core_radius"):
        fibre_collection(result, core_radius="-1 um", numerical_aperture=0.22)
    with pytest.raises(InputError, match="core_radius"):
        fibre_collection(result, core_radius="1 kg", numerical_aperture=0.22)


def test_dataset_form_matches_the_result_form():
    import json

    import xarray as xr

    result = synthetic_result(gaussian, nr=400)
    dataset = xr.Dataset(
        {
            "r_edges": (("r_edge",), result.grid.r_edges_m),
            "diffuse_reflectance_per_area": (("r",), result.diffuse_reflectance_per_area),
        },
        attrs={"stack_si": json.dumps({"n_above": 1.33})},
    )
    kwargs = dict(core_radius="200 um", numerical_aperture=0.5, distance="1 mm")
    result.stack.n_above = 1.33
    assert fibre_collection(dataset, **kwargs) == pytest.approx(fibre_collection(result, **kwargs), rel=1e-12)
