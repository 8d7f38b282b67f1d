"""Published benchmarks of layered-tissue Monte Carlo (MCML manual, Wang, Jacques & Zheng 1995).

Tolerance: |MC − reference| ≤ 3σ, σ the run's own batch standard error; photon counts
are chosen so that σ < 0.5 % of the value (asserted). The deviation in σ is printed
(``pytest -s``) for quoting.
"""

import math

import pytest

from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, simulate_transport

GRID = RZGrid.uniform(nr=20, dr_m=1e-4, nz=20, dz_m=1e-4)


def _layer(n, mua, mus, g, thickness):
    return OpticalLayer(n=n, mua=f"{mua} 1/cm", mus=f"{mus} 1/cm", g=g, thickness=thickness)


CASES = [
    # id, stack, photons, [(quantity, reference, source)]
    (
        "vandehulst_slab",
        LayerStack(layers=(_layer(1.0, 10, 90, 0.75, "0.02 cm"),)),
        600_000,
        [("diffuse_reflectance", 0.09739, "van de Hulst 1980"), ("total_transmittance", 0.66096, "van de Hulst 1980")],
    ),
    (
        "semi_infinite_matched",
        LayerStack(layers=(_layer(1.0, 10, 90, 0.0, "inf cm"),)),
        300_000,
        [("diffuse_reflectance", 0.41495, "adding-doubling (iadpython N=24)")],
    ),
    (
        "semi_infinite_n1.5",
        LayerStack(layers=(_layer(1.5, 10, 90, 0.0, "inf cm"),)),
        300_000,
        [("total_reflectance", 0.2600, "Giovanelli 1955")],
    ),
]


@pytest.mark.parametrize("name, stack, photons, references", CASES, ids=[c[0] for c in CASES])
def test_published_benchmarks(name, stack, photons, references):
    result = simulate_transport(stack, GRID, Beam(kind="pencil"), photons, seed=20250101)
    assert abs(result.energy_balance()) < 1e-12
    for quantity, reference, source in references:
        value = getattr(result, quantity)
        sigma = (
            result.diffuse_reflectance_stderr
            if quantity == "total_reflectance"
            else getattr(result, quantity + "_stderr")
        )
        deviation = (value - reference) / sigma
        print(f"\n{name}: {quantity} = {value:.5f} ± {sigma:.5f} vs {reference} ({source}): {deviation:+.2f} σ")
        assert sigma < 0.005 * reference  # the test is sharp enough to mean something
        assert abs(value - reference) <= 3 * sigma


def test_specular_reflectance_is_fresnel():
    stack = LayerStack(layers=(_layer(1.4, 1, 10, 0.9, "1 mm"),))
    result = simulate_transport(stack, GRID, Beam(kind="pencil"), 10, seed=1)
    assert result.specular_reflectance == pytest.approx(((1.4 - 1) / (1.4 + 1)) ** 2, rel=1e-14)
    assert math.isclose(result.specular_reflectance, 0.02778, abs_tol=5e-6)


def _incoherent_stack(reflectances):
    """R, T of interfaces at normal incidence with incoherent multiple reflections (lossless)."""
    r_total, t_total = reflectances[0], 1.0 - reflectances[0]
    for r in reflectances[1:]:
        t = 1.0 - r
        denominator = 1.0 - r_total * r
        r_total, t_total = r_total + t_total**2 * r / denominator, t_total * t / denominator
    return r_total, t_total


def test_clear_layers_with_index_steps_match_multiple_reflection_formula():
    """Non-scattering layers n = 1.5 and 2.0 in air: every crossing is at normal incidence, so
    R and T follow from Fresnel and the incoherent sum of multiple reflections (exact)."""
    stack = LayerStack(layers=(_layer(1.5, 0, 0, 0.0, "0.1 mm"), _layer(2.0, 0, 0, 0.0, "0.2 mm")))
    result = simulate_transport(stack, GRID, Beam(kind="pencil"), 200_000, seed=5)

    def fresnel(a, b):
        return ((a - b) / (a + b)) ** 2

    r_exact, t_exact = _incoherent_stack([fresnel(1.0, 1.5), fresnel(1.5, 2.0), fresnel(2.0, 1.0)])
    assert result.absorbed_fraction == 0.0
    assert abs(result.energy_balance()) < 1e-12
    for value, sigma, exact, name in (
        (result.total_reflectance, result.diffuse_reflectance_stderr, r_exact, "R"),
        (result.total_transmittance, result.total_transmittance_stderr, t_exact, "T"),
    ):
        print(f"\nclear stack {name}: {value:.5f} ± {sigma:.5f} vs exact {exact:.5f}: {(value - exact) / sigma:+.2f} σ")
        assert abs(value - exact) <= 3 * sigma


def test_batch_standard_errors_are_calibrated():
    """z = (MC − exact)/σ over 100 independent runs of the van de Hulst slab.

    With 32 batches, z follows Student's t with 31 degrees of freedom: E[z²] = 31/29 and
    Var[z²] = 3·31²/(29·27) − (31/29)², so the mean of 100 z² lies within
    31/29 ± 4 sqrt(Var/100) = 1.07 ± 0.64 unless σ is mis-estimated (a factor 1.5 gives 2.4).
    """
    from laserskin.transport.statistics import MIN_BATCHES

    stack = CASES[0][1]
    nu = MIN_BATCHES - 1
    mean_z2 = nu / (nu - 2)
    sd_mean = math.sqrt((3 * nu**2 / ((nu - 2) * (nu - 4)) - mean_z2**2) / 100)
    for quantity, exact in (("diffuse_reflectance", 0.09739), ("total_transmittance", 0.66096)):
        z2 = []
        for seed in range(100):
            result = simulate_transport(stack, GRID, Beam(kind="pencil"), 20_000, seed=seed)
            z2.append(((getattr(result, quantity) - exact) / getattr(result, quantity + "_stderr")) ** 2)
        observed = sum(z2) / len(z2)
        print(f"\n{quantity}: mean z² over 100 runs {observed:.3f} (expected {mean_z2:.3f} ± {sd_mean:.3f})")
        assert abs(observed - mean_z2) <= 4 * sd_mean
