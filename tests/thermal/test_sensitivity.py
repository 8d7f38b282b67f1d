"""The read-out sensitivity (discrete adjoint of the heat solver) against the forward solver.

Independent reference: :func:`laserskin.thermal.solve_bioheat` run with the laser and without it; the read-out
(area-weighted rise over a few cells at a chosen step) must equal ``Σ a · S`` for any source ``S``. Both are the same
linear map, so they agree to the linear solver's round-off (tolerance 1e-9 relative: ~10⁵ × machine epsilon for a
few hundred triangular solves). Two pulses, a time-varying surface coefficient (a cryogen-like spurt) and
perfusion: every term of the step.
"""

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium, solve_bioheat
from laserskin.thermal.sensitivity import readout_sensitivity


class _History:
    def __init__(self):
        self.times, self.fields = [0.0], []

    def on_step(self, time_s, dt_s, temperature_old_K, temperature_new_K):
        if not self.fields:
            self.fields.append(np.array(temperature_old_K))
        self.times.append(time_s)
        self.fields.append(np.array(temperature_new_K))


def _run(medium, source, power, surface, t_end):
    history = _History()
    solve_bioheat(medium, source, power, surface, t_end, observers=[history])
    return np.array(history.times), np.stack(history.fields)


@pytest.fixture(scope="module")
def case():
    grid = RZGrid.graded(r_max_m=1e-3, nr=12, z_max_m=1e-3, dz_surface_m=10e-6, dz_max_m=80e-6, growth=1.2)
    medium = ThermalMedium.from_layers(grid, [80e-6, 1e-3], [0.2, 0.45], [1100, 1050], [3500, 3700], [0.0, 2e-3])
    power = Schedule.pulse_train([2e-3, 8e-3], 1e-3, 40.0)
    h = Schedule.from_intervals([(0.0, 3e-3, 5000.0)], default=10.0)
    surface = SurfaceBoundary(h, Schedule.constant(280.0), resting_h_W_per_m2K=10.0, resting_temperature_K=305.0)
    return grid, medium, power, surface


def test_sensitivity_reproduces_the_forward_rise(case):
    grid, medium, power, surface = case
    rng = np.random.default_rng(7)
    source = rng.random((grid.nr, grid.nz)) * 1e6
    times, hot = _run(medium, source, power, surface, 0.02)
    _, base = _run(medium, None, power, surface, 0.02)
    weights = np.zeros((2, grid.nr, grid.nz))
    weights[0, :3, 7] = [0.2, 0.3, 0.5]  # a pooled read-out region at one depth
    weights[1, 5, 2] = 1.0
    for step in (5, 30, times.size - 1):  # during a pulse, between the pulses, at the end
        a = readout_sensitivity(medium, power, surface, times[: step + 1], weights)
        forward = np.tensordot(weights, hot[step] - base[step], axes=2)
        assert np.tensordot(a, source, axes=((1, 2), (0, 1))) == pytest.approx(forward, rel=1e-9)
    # linear in the source: another source needs no other run
    other = rng.random((grid.nr, grid.nz)) * 1e6
    _, hot2 = _run(medium, other, power, surface, 0.02)
    a = readout_sensitivity(medium, power, surface, times, weights)
    assert np.tensordot(a, other, axes=((1, 2), (0, 1))) == pytest.approx(
        np.tensordot(weights, hot2[-1] - base[-1], axes=2), rel=1e-9
    )


def test_bad_inputs(case):
    grid, medium, power, surface = case
    with pytest.raises(InputError, match="weights"):
        readout_sensitivity(medium, power, surface, [0.0, 1e-3], np.zeros((grid.nr, grid.nz)))
    with pytest.raises(InputError, match="times_s"):
        readout_sensitivity(medium, power, surface, [1e-3, 2e-3], np.zeros((1, grid.nr, grid.nz)))


def test_each_read_out_is_computed_on_its_own(case):
    """A row of ``a`` does not depend on the other read-outs of the run, bit for bit (the transposed SuperLU solve
    takes the right-hand sides one by one; the sparse products and sums act per column): what lets
    :func:`laserskin.pipeline.readout_error._sensitivity` keep ``a`` one read-out at a time and run backwards only
    the read-outs not kept."""
    grid, medium, power, surface = case
    rng = np.random.default_rng(11)
    times, _ = _run(medium, None, power, surface, 0.02)
    weights = rng.random((5, grid.nr, grid.nz))
    weights[2] = 0.0
    weights[2, :4, 6] = 0.25
    together = readout_sensitivity(medium, power, surface, times[:31], weights)
    for j in range(weights.shape[0]):
        alone = readout_sensitivity(medium, power, surface, times[:31], weights[j : j + 1])
        assert np.array_equal(alone[0], together[j]), j
    pair = readout_sensitivity(medium, power, surface, times[:31], weights[[3, 1]])
    assert np.array_equal(pair, together[[3, 1]])
