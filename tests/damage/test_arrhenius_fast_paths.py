"""Fast paths of the Arrhenius integral pinned against the reference computations.

* ``arrhenius_omega`` (``linear_T``) integrates all steps of a history at once; the reference
  is the step-by-step sum of :func:`omega_increment` it replaced. Same increments, added in the
  same order, so the results are equal to the last bit (tolerance 0), whether the primitives
  are taken at every sample (most steps exact) or gathered where needed (few).
* ``_g(x) = 1 − x eˣ E₁(x)`` comes from the continued fraction of eˣ E₁(x) for 20 ≤ x ≤ 600.
  References: a 50-digit evaluation of the same fraction with 4000 terms (truncation far below
  1e-30), and scipy's E₁ in the old formula ``1 − x eˣ E₁(x)``, whose cancellation costs about
  x · 1e-16 relative (≤ 6e-14 at x = 600, hence the 1e-12 tolerance there). The compiled loop
  that evaluates it is pinned bit for bit against the numpy loop it replaced.
"""

import zlib
from decimal import Decimal, getcontext

import numpy as np
import pytest
from scipy import special

from laserskin.damage import arrhenius
from laserskin.damage.arrhenius import arrhenius_omega, omega_increment, parameter_set_names


def _stepwise(times, temps, name):
    omega = np.zeros(temps.shape[1:])
    for i in range(times.size - 1):
        omega = omega + omega_increment(temps[i], temps[i + 1], float(times[i + 1] - times[i]), parameters=name)
    return omega


def _history(rng, nt, shape):
    times = np.cumsum(rng.uniform(1e-5, 1e-2, nt))
    temps = np.clip(315.0 + np.cumsum(rng.normal(0.0, 4.0, (nt, *shape)), axis=0), 285.0, 420.0)
    temps[5:9] = temps[4]  # constant stretches: the midpoint branch
    return times, temps


@pytest.mark.parametrize("name", parameter_set_names())
@pytest.mark.parametrize("shape", [(), (7,), (4, 6)])
def test_vectorised_history_equals_stepwise_sum_exactly(name, shape):
    rng = np.random.default_rng(zlib.crc32(f"{name}{shape}".encode()))
    times, temps = _history(rng, 40, shape)
    fast = np.asarray(arrhenius_omega(times, temps, parameters=name))
    assert np.array_equal(fast, _stepwise(times, temps, name))


def test_vectorised_history_in_chunks_equals_stepwise_sum_exactly(monkeypatch):
    monkeypatch.setattr(arrhenius, "_HISTORY_CHUNK", 25)  # several steps per chunk, several chunks
    times, temps = _history(np.random.default_rng(3), 60, (6,))
    for name in ("henriques_moritz_1947", "weaver_stoll_1969"):
        assert np.array_equal(arrhenius_omega(times, temps, parameters=name), _stepwise(times, temps, name))
    monkeypatch.setattr(arrhenius, "_HISTORY_CHUNK", 1)  # one step per chunk
    assert np.array_equal(
        arrhenius_omega(times, temps, parameters="takata_1974"), _stepwise(times, temps, "takata_1974")
    )


def _g_reference(x: float, terms: int = 4000) -> float:
    getcontext().prec = 50
    xd, tail = Decimal(x), Decimal(0)
    for k in range(terms, 0, -1):
        tail = Decimal(k * k) / (xd + 2 * k + 1 - tail)
    return float((1 - tail) / (xd + 1 - tail))


def test_g_continued_fraction_matches_high_precision_and_exp1():
    rng = np.random.default_rng(7)
    x = np.concatenate([[20.0, 20.0 + 1e-9, 75.0, 240.0, 599.9, 600.0], rng.uniform(20.0, 600.0, 40)])
    reference = np.array([_g_reference(v) for v in x])
    assert np.max(np.abs(arrhenius._g(x) - reference) / reference) < 1e-15
    old = 1.0 - x * np.exp(x) * special.exp1(x)
    assert np.max(np.abs(arrhenius._g(x) - old) / old) < 1e-12
    # the E1 branch below 20 and the asymptotic series above 600 are unchanged
    low = np.array([0.05, 1.0, 19.99])
    np.testing.assert_array_equal(arrhenius._g(low), 1.0 - low * np.exp(low) * special.exp1(low))
    high = np.array([600.5, 2000.0])
    np.testing.assert_allclose(arrhenius._g(high), [_g_reference(v) for v in high], rtol=1e-15)


@pytest.mark.parametrize("dense_fraction", [0.0, 2.0])  # always whole-array / always gathered primitives
@pytest.mark.parametrize("moving", [0.05, 0.6, 1.0])  # share of cells whose temperature changes in a step
def test_history_paths_equal_stepwise_sum_exactly(monkeypatch, dense_fraction, moving):
    monkeypatch.setattr(arrhenius, "_HISTORY_DENSE_FRACTION", dense_fraction)
    rng = np.random.default_rng(int(100 * moving))
    times = np.cumsum(rng.uniform(1e-5, 1e-2, 30))
    steps = rng.normal(0.0, 3.0, (30, 40)) * (rng.random((30, 40)) < moving)
    temps = np.clip(318.0 + np.cumsum(steps, axis=0), 285.0, 420.0)  # crosses the 50 °C switch
    for name in ("henriques_moritz_1947", "weaver_stoll_1969", "takata_1974"):
        assert np.array_equal(arrhenius_omega(times, temps, parameters=name), _stepwise(times, temps, name))


def test_g_compiled_loop_equals_the_numpy_loop_it_replaced():
    """The compiled continued fraction does the numpy loop's operations in its order: equal bits."""
    x = np.concatenate([[20.0, 75.0, 600.0], np.random.default_rng(11).uniform(20.0, 600.0, 1001)])
    tail = np.zeros_like(x)
    for k in range(arrhenius._G_CF_TERMS, 0, -1):
        tail = (k * k) / (x + (2 * k + 1) - tail)
    np.testing.assert_array_equal(arrhenius._g(x), (1.0 - tail) / (x + 1.0 - tail))
    mixed = np.array([[0.5, 30.0], [700.0, 250.0]])  # the other branches, any shape
    np.testing.assert_array_equal(arrhenius._g(mixed).ravel(), arrhenius._g(mixed.ravel()))
