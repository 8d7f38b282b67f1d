"""Boiling plateau of the 3-D voxel heat (``solve_voxel_bioheat(..., water_kg_per_m3=...)``).

References: the analytic enthalpy of an insulated, uniformly heated block (no gradients, so
conduction and the time discretisation are exact): T = T0 + E/ρc until E = ρc(T_b − T0),
T = T_b until E = ρc(T_b − T0) + w L, then T = T_b + (E − ρc(T_b − T0) − w L)/ρc, with E the
deposited energy per volume (Vogel & Venugopalan 2003 §V: the plateau of tissue water).
Tolerances: the CG solves (rtol 1e-12) and round-off only.
"""

import numpy as np
import pytest

from laserskin.thermal.enthalpy import phase_change_data
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.voxel_heat import VoxelThermalMedium, solve_voxel_bioheat

WATER = phase_change_data()["water"]
T_B = WATER["boiling_temperature_K"]
LATENT = WATER["latent_heat_J_per_kg"]
RHO_C = 4.0e6  # J/m³/K
T0 = 310.15
W = 700.0  # kg/m³
Q = 1.0e9  # W/m³
H = 10e-6
SHAPE = (3, 3, 3)


def _medium():
    return VoxelThermalMedium(np.zeros(SHAPE, np.uint8), H, [0.5], [RHO_C], [0.0])


def _block(t_end, water, store=(), source=None, rtol=1e-12):
    volume = H**3 * np.prod(SHAPE)
    source = np.full(SHAPE, 1.0 / volume) if source is None else source
    return solve_voxel_bioheat(
        _medium(),
        source,
        Schedule.constant(Q * volume),
        t_end,
        surface_h_W_per_m2K=0.0,
        bottom="insulated",
        initial_temperature_K=T0,
        store_times_s=store,
        max_step_s=0.05,
        rtol=rtol,
        water_kg_per_m3=None if water is None else np.full(SHAPE, water),
    )


def _analytic(t):
    e = Q * t
    onset = RHO_C * (T_B - T0)
    if e < onset:
        return T0 + e / RHO_C
    if e < onset + W * LATENT:
        return T_B
    return T_B + (e - onset - W * LATENT) / RHO_C


def test_insulated_block_holds_the_plateau_then_heats_with_the_dry_slope():
    onset_s = RHO_C * (T_B - T0) / Q
    dry_s = onset_s + W * LATENT / Q
    times = [0.5 * onset_s, 0.3, 1.0, 0.99 * dry_s, 2.0, 2.5]
    result = _block(2.5, W, store=times)
    assert result.reached_boiling
    for t, field in zip(result.stored_times_s, result.stored_temperature_K):
        if onset_s < t < dry_s:
            assert np.all(field == T_B), t  # exactly on the plateau
        else:
            np.testing.assert_allclose(field, _analytic(t), rtol=1e-10, atol=0)
    # after drying the slope is that of the dry rise, q/ρc
    t1, t2 = result.stored_times_s[-2:]
    slope = (result.stored_temperature_K[-1] - result.stored_temperature_K[-2]).mean() / (t2 - t1)
    assert slope == pytest.approx(Q / RHO_C, rel=1e-9)
    assert result.vaporised_water_kg == pytest.approx(W * H**3 * np.prod(SHAPE), rel=1e-12)
    assert np.all(result.water_kg_per_m3 == 0.0)


@pytest.mark.parametrize("uniform", [True, False])
def test_energy_balance_deposited_equals_sensible_plus_latent(uniform):
    source = None
    if not uniform:  # a hot spot in one corner: conduction and partial boiling
        x = np.indices(SHAPE).sum(axis=0).astype(float)
        source = np.exp(-x)
        source /= source.sum() * H**3
    result = _block(1.0, W, source=source)
    assert result.latent_J > 0
    total = result.stored_change_J + result.latent_J
    assert total == pytest.approx(result.deposited_J, rel=1e-9)
    assert result.vaporised_water_kg * LATENT == pytest.approx(result.latent_J, rel=1e-12)


def test_below_boiling_identical_with_and_without_water():
    t_end = 0.2  # 50 K rise: below 100 °C
    linear = _block(t_end, None, rtol=1e-8)
    wet = _block(t_end, W, rtol=1e-8)
    assert not wet.reached_boiling and wet.latent_J == 0.0
    assert np.array_equal(linear.temperature_K, wet.temperature_K)
    assert np.array_equal(linear.peak_temperature_K, wet.peak_temperature_K)
    assert linear.steps == wet.steps and linear.cg_iterations == wet.cg_iterations
