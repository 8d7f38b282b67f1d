"""Validation of the 3-D voxel bioheat solver: analytic Gaussian blob, energy conservation, Arrhenius.

* A Gaussian temperature blob of variance σ₀² in an infinite uniform medium stays Gaussian
  with σ² = σ₀² + 2αt and peak rise ΔT₀ (σ₀²/σ²)^{3/2} (Carslaw & Jaeger 1959, §10.2).
  Insulated faces 4.5 σ away change the centre by < 1e-4; the voxel sampling of the initial
  blob (h = σ₀/4) and the time steps give < 1 %: tolerance 1 %.
* Insulated, non-perfused tissue stores exactly the deposited laser energy (to the CG tolerance).
* Ω of a constant-temperature hold equals rate × time.
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.damage.arrhenius import arrhenius_rate, omega_increment
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.voxel_heat import VoxelDamage, VoxelThermalMedium, solve_voxel_bioheat

H = 10e-6
K = 0.5
RHO_C = 4.0e6


def _uniform_medium(n, nz=None, periodic=False):
    labels = np.zeros((n, n, nz or n), dtype=np.uint8)
    return VoxelThermalMedium(labels, H, [K], [RHO_C], [0.0], periodic=periodic)


def test_gaussian_blob_spreads_as_the_analytic_solution():
    n = 51
    medium = _uniform_medium(n)
    c = (np.arange(n) - n // 2) * H
    r2 = c[:, None, None] ** 2 + c[None, :, None] ** 2 + c[None, None, :] ** 2
    sigma0 = 4 * H
    t0 = 310.0
    rise = 10.0
    initial = t0 + rise * np.exp(-r2 / (2 * sigma0**2))
    t_end = 6e-3
    result = solve_voxel_bioheat(
        medium,
        None,
        Schedule.constant(0.0),
        t_end,
        surface_h_W_per_m2K=0.0,
        bottom="insulated",
        initial_temperature_K=initial,
        max_step_s=2e-4,
    )
    alpha = K / RHO_C
    sigma2 = sigma0**2 + 2 * alpha * t_end
    expected = t0 + rise * (sigma0**2 / sigma2) ** 1.5 * np.exp(-r2 / (2 * sigma2))
    centre = (n // 2,) * 3
    assert result.temperature_K[centre] - t0 == pytest.approx(expected[centre] - t0, rel=0.01)
    profile = result.temperature_K[:, n // 2, n // 2] - t0
    assert profile == pytest.approx(expected[:, n // 2, n // 2] - t0, abs=0.01 * (expected[centre] - t0))
    # heat is conserved with insulated faces
    assert result.stored_change_J == pytest.approx(0.0, abs=1e-9 * RHO_C * rise * H**3 * n**3)


def test_insulated_tissue_stores_the_deposited_energy():
    medium = _uniform_medium(12, 10, periodic=True)
    source = np.zeros(medium.shape)
    source[4:8, 4:8, :3] = 1.0 / (48 * H**3)  # 1 J spread over 48 voxels
    power = Schedule.pulse_train([0.0], [1e-3], [10.0])  # 10 mJ
    result = solve_voxel_bioheat(medium, source, power, 5e-3, surface_h_W_per_m2K=0.0, bottom="insulated")
    assert result.deposited_J == pytest.approx(0.01, rel=1e-12)
    assert result.stored_change_J == pytest.approx(result.deposited_J, rel=1e-6)  # CG residual 1e-9 per solve


def test_arrhenius_per_voxel_at_a_constant_temperature():
    medium = _uniform_medium(4, 4)
    hold = 335.0
    damage = VoxelDamage(lambda a, b, dt: omega_increment(a, b, dt, "henriques_moritz_1947"), medium.shape)
    solve_voxel_bioheat(
        medium,
        None,
        Schedule.constant(0.0),
        0.5,
        surface_h_W_per_m2K=0.0,
        bottom="insulated",
        initial_temperature_K=hold,
        observers=[damage],
    )
    expected = float(arrhenius_rate(hold, "henriques_moritz_1947")) * 0.5
    assert damage.omega == pytest.approx(np.full(medium.shape, expected), rel=1e-6)
    assert np.all(damage.peak_temperature_K == pytest.approx(hold))
