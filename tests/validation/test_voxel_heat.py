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
    assert result.stored_change_J == pytest.approx(result.deposited_J, rel=1e-6)  # CG residual 1e-8 per solve


def test_arrhenius_per_voxel_at_a_constant_temperature():
    medium = _uniform_medium(4, 4)
    hold = 335.0
    damage = VoxelDamage(lambda a, b, dt: omega_increment(a, b, dt, parameters="henriques_moritz_1947"), medium.shape)
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
    expected = float(arrhenius_rate(hold, parameters="henriques_moritz_1947")) * 0.5
    assert damage.omega == pytest.approx(np.full(medium.shape, expected), rel=1e-6)
    assert np.all(damage.peak_temperature_K == pytest.approx(hold))


def test_axisymmetric_case_matches_the_rz_solver():
    """A Gaussian spot absorbed in epidermis + dermis (Jiang 2002 properties), 2 ms pulse:
    the voxel solver's centre column and its radial profile at the surface equal the r–z
    solver's (same source function sampled at the cell centres) within 2 % of the peak rise."""
    from laserskin.grid import RZGrid
    from laserskin.thermal import SurfaceBoundary, solve_bioheat
    from laserskin.thermal.medium import ThermalMedium

    h = 10e-6
    n, nz = 41, 40
    w, depth = 50e-6, 100e-6

    def source(r, z):
        return np.exp(-(r**2) / w**2) * np.exp(-z / depth) / (np.pi * w**2 * depth)

    bottoms = [60e-6, nz * h]
    grid = RZGrid.uniform(nr=60, dr_m=h, nz=nz, dz_m=h)
    rz_medium = ThermalMedium.jiang2002(grid, bottoms, names=["epidermis", "dermis"])
    s_rz = source(grid.r_centers_m[:, None], grid.z_centers_m[None, :])
    power = Schedule.pulse_train([0.0], [2e-3], [0.5])
    t_end = 4e-3
    rz = solve_bioheat(rz_medium, s_rz, power, SurfaceBoundary.insulated(), t_end, store_times_s=[t_end])

    labels = np.ones((n, n, nz), dtype=np.uint8)
    labels[:, :, :6] = 0
    from laserskin.thermal.medium import JIANG2002_LAYERS

    rows = np.array([JIANG2002_LAYERS["epidermis"], JIANG2002_LAYERS["dermis"]])
    medium = VoxelThermalMedium(labels, h, rows[:, 0], rows[:, 1] * rows[:, 2], rows[:, 3])
    c = (np.arange(n) - n // 2) * h
    z = (np.arange(nz) + 0.5) * h
    r = np.hypot(c[:, None, None], c[None, :, None])
    s_vox = source(r, z[None, None, :])
    vox = solve_voxel_bioheat(
        medium, s_vox, power, t_end, surface_h_W_per_m2K=0.0, initial_temperature_K=rz_medium.core_temperature_K
    )

    rise_rz = rz.stored(t_end) - rz_medium.core_temperature_K
    rise_vox = vox.temperature_K - rz_medium.core_temperature_K
    scale = rise_rz.max()
    assert scale > 1.0
    # centre column: voxel (0, 0, z) against the innermost ring (r = 5 um)
    assert rise_vox[n // 2, n // 2, :] == pytest.approx(rise_rz[0, :], abs=0.02 * scale)
    # surface row along x against the rings at the same radius (every voxel centre x = i h lies in ring i)
    radial = rise_vox[n // 2 :, n // 2, 0]
    ring = np.interp(c[n // 2 :], grid.r_centers_m, rise_rz[:, 0])
    assert radial == pytest.approx(ring, abs=0.02 * scale)


def test_cooling_schedule_and_resting_start_match_the_rz_solver():
    """Laterally uniform light (a periodic 2 × 2 column) under a cryogen spurt before a 1 ms pulse:
    the voxel solver with the cooling's surface schedule, started from its resting steady state,
    against the r–z solver (insulated outer radius: the same 1-D problem) on the same 10 um cells.
    Both discretise the same equation on the same cells (half-cell conduction to the surface medium,
    core temperature one half-cell below the last centre); they differ only in time stepping, so the
    steady state agrees to 0.01 K and the traces to 2 % of the peak rise (the existing r–z comparison's
    tolerance)."""
    from laserskin.grid import RZGrid
    from laserskin.thermal import solve_bioheat
    from laserskin.thermal.cooling import CryogenCooling
    from laserskin.thermal.medium import JIANG2002_LAYERS, ThermalMedium

    h, nz = 10e-6, 60
    bottoms = [60e-6, nz * h]
    grid = RZGrid.uniform(nr=3, dr_m=h, nz=nz, dz_m=h)
    rz_medium = ThermalMedium.jiang2002(grid, bottoms, names=["epidermis", "dermis"])
    z = grid.z_centers_m
    profile = np.exp(-z / 80e-6) / 80e-6 / 1e-6  # per joule over a 1 mm² area, 1/m³
    cooling = CryogenCooling()
    start = cooling.lead_time_s
    power = Schedule.pulse_train([start], [1e-3], [2.0])
    t_end = start + 30e-3
    surface = cooling.surface_boundary([start], [start + 1e-3], t_end)
    rz = solve_bioheat(
        rz_medium, np.broadcast_to(profile, (grid.nr, nz)), power, surface, t_end, probes=[(0.0, 5e-6), (0.0, 55e-6)]
    )

    labels = np.ones((2, 2, nz), dtype=np.uint8)
    labels[:, :, :6] = 0
    rows = np.array([JIANG2002_LAYERS["epidermis"], JIANG2002_LAYERS["dermis"]])
    medium = VoxelThermalMedium(labels, h, rows[:, 0], rows[:, 1] * rows[:, 2], rows[:, 3], periodic=True)

    class Trace:
        times, surface_K, basal_K = [], [], []

        def on_step(self, t, dt, old, new):
            self.times.append(t)
            self.surface_K.append(new[0, 0, 0])
            self.basal_K.append(new[0, 0, 5])

    trace = Trace()
    vox = solve_voxel_bioheat(
        medium,
        np.broadcast_to(profile, (2, 2, nz)),
        power,
        t_end,
        surface=surface,
        initial_temperature_K="steady",
        observers=[trace],
    )
    assert vox.initial_temperature_K[0, 0, :] == pytest.approx(rz.initial_temperature_K[0], abs=0.01)
    times = np.asarray(trace.times)
    surface_rz = np.interp(times, rz.times_s, rz.probe_temperatures_K[0])
    basal_rz = np.interp(times, rz.times_s, rz.probe_temperatures_K[1])
    scale = float(np.max(np.abs(basal_rz - rz.initial_temperature_K[0, 5])))
    assert scale > 5.0
    assert np.asarray(trace.surface_K) == pytest.approx(surface_rz, abs=0.02 * scale)
    assert np.asarray(trace.basal_K) == pytest.approx(basal_rz, abs=0.02 * scale)


def _layered_medium(periodic, inclusion=False):
    """Epidermis / dermis / subcutis-like layers (Jiang et al. 2002 orders of magnitude), perfused,
    optionally with a vessel-like block breaking the lateral uniformity."""
    labels = np.ones((10, 8, 14), dtype=np.uint8)
    labels[:, :, :2] = 0
    labels[:, :, 10:] = 2
    if inclusion:
        labels[3:6, 2:5, 4:8] = 3
    return VoxelThermalMedium(
        labels, H, [0.24, 0.45, 0.19, 0.52], [1.2e6, 3.8e6, 2.0e6, 3.8e6], [0.0, 1e-3, 1e-3, 0.0], periodic=periodic
    )


@pytest.mark.parametrize("periodic", [True, False])
def test_layer_preconditioner_is_exact_for_layers(periodic):
    """For a laterally uniform medium the layer-averaged operator (x–y FFT or DCT, tridiagonal in z)
    is the operator itself: CG converges in <= 3 iterations (1 in exact arithmetic) to the solution
    of the Jacobi-preconditioned CG and of a sparse direct solve. Both CG solutions have relative
    residual <= rtol, so their error is <= cond(A) · rtol · |x| (cond computed here): the tolerance."""
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    from laserskin.thermal.voxel_heat import (
        _LayerPreconditioner,
        _operator,
        _pcg,
        _pcg_layers,
        _surface_conductance,
    )

    medium = _layered_medium(periodic)
    L, g_bottom = _operator(medium, "core")
    c = 0.5 * 0.586 * 1e-2  # (γΔt/2) of a 10 ms step: a long relaxation step, CG's hardest
    g = np.zeros(medium.shape)
    g[:, :, 0] = _surface_conductance(medium, 20.0)
    rho_c = medium.volumetric_heat_capacity_J_per_m3K[medium.labels]
    a = (rho_c + c * g).ravel()
    local = medium.perfusion_per_s[medium.labels] * medium.blood_volumetric_heat_capacity_J_per_m3K
    local[:, :, -1] += g_bottom
    precond = _LayerPreconditioner.from_operator(L, medium, local)
    rng = np.random.default_rng(3)
    b = rng.normal(size=a.size) * 1e6 + 3e8
    rtol = 1e-8
    x_layers = np.zeros_like(b)
    iterations = _pcg_layers(L.indptr, L.indices, L.data, a, c, precond, precond.factor(a, c), b, x_layers, rtol, 100)
    x_jacobi = np.zeros_like(b)
    jacobi = _pcg(L.indptr, L.indices, L.data, a, c, 1.0 / (a + c * L.diagonal()), b, x_jacobi, rtol, 10_000)
    matrix = (c * L + sparse.diags(a)).tocsc()
    exact = spsolve(matrix, b)
    bound = np.linalg.cond(matrix.toarray()) * rtol * np.linalg.norm(exact)
    assert 1 <= iterations <= 3 < jacobi
    assert np.linalg.norm(x_layers - exact) <= bound
    assert np.linalg.norm(x_jacobi - exact) <= bound
    assert np.linalg.norm(x_layers - x_jacobi) <= 2 * bound


@pytest.mark.parametrize("periodic", [True, False])
def test_layer_and_jacobi_preconditioners_give_the_same_run(periodic):
    """A whole run (resting steady state, a 1 ms pulse, relaxation) with a vessel-like inclusion:
    the layer preconditioner (then approximate) and Jacobi agree to the CG tolerance — 1e-8 of
    the right-hand side per solve, ~1e-5 K at the source's peak of ~900 K, far below the
    discretisation error — and the layer one needs fewer iterations."""
    medium = _layered_medium(periodic, inclusion=True)
    x, y, z = np.meshgrid(*(np.arange(n) for n in medium.shape), indexing="ij")
    source = np.exp(-((x - 4.5) ** 2 + (y - 3.5) ** 2) / 8.0 - z / 4.0) * 1e12
    power = Schedule.pulse_train([0.0], [1e-3], [1.0])
    runs = {
        name: solve_voxel_bioheat(medium, source, power, 0.2, initial_temperature_K="steady", preconditioner=name)
        for name in ("layers", "jacobi")
    }
    rise = float(np.max(runs["jacobi"].peak_temperature_K - runs["jacobi"].initial_temperature_K))
    for field_ in ("temperature_K", "peak_temperature_K", "initial_temperature_K"):
        assert np.max(np.abs(getattr(runs["layers"], field_) - getattr(runs["jacobi"], field_))) <= 1e-6 * max(rise, 1)
    assert runs["layers"].cg_iterations < runs["jacobi"].cg_iterations
