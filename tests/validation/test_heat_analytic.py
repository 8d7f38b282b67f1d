"""Heat solver against analytic solutions (Carslaw & Jaeger 1959, Conduction of Heat in Solids).

Tolerances: the finite-volume scheme is second order in space and TR-BDF2 second order in
time; on the default-like graded grid (5 µm surface cells growing by 8 % to 50 µm) the
discretisation error of these smooth problems is a few 0.1 % of the temperature change,
so every comparison uses the issue's bound of 1 % of the temperature change.
"""

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erfc

from laserskin.grid import RZGrid
from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium, solve_bioheat, steady_state_temperature

K = 0.45  # W/m/K (dermis, Jiang 2002)
RHO_C = 1200.0 * 3300.0  # J/m^3/K
ALPHA = K / RHO_C
T0 = 310.15


def default_like_grid(nr=4, r_max=1e-3, z_max=5e-3):
    """Depth grid like scenario.default_grid: 5 µm cells to 150 µm, then growing 8 % to 50 µm."""
    return RZGrid.graded(
        r_max_m=r_max, nr=nr, z_max_m=z_max, dz_surface_m=5e-6, dz_max_m=50e-6, growth=1.08, fine_depth_m=150e-6
    )


def test_constant_surface_flux_semi_infinite():
    """ΔT = (2q/k) √(αt) ierfc(z / 2√(αt)) for a constant flux q into a semi-infinite solid (C&J §2.9)."""
    grid = default_like_grid()
    medium = ThermalMedium(grid, K, RHO_C, 0.0)
    # radially uniform source confined to the surface cell = a surface flux q = P / (π r_max²)
    source = np.zeros((grid.nr, grid.nz))
    source[:, 0] = 1.0 / (np.pi * grid.r_max_m**2 * grid.dz_m[0])
    flux = 2e4  # W/m²
    t_end = 0.2
    power = Schedule.pulse_train(0.0, t_end, flux * np.pi * grid.r_max_m**2)
    times = (0.02, 0.2)
    result = solve_bioheat(
        medium,
        source,
        power,
        SurfaceBoundary.insulated(),
        t_end,
        initial_temperature_K=T0,
        store_times_s=times,
        steps_per_pulse=400,
    )
    z = grid.z_centers_m
    for t in times:
        s = math.sqrt(ALPHA * t)
        x = z / (2 * s)
        ierfc = np.exp(-(x**2)) / math.sqrt(math.pi) - x * erfc(x)
        exact = 2 * flux / K * s * ierfc
        numeric = result.stored(t)[0] - T0
        assert np.max(np.abs(numeric - exact)) < 0.01 * exact[0], t
        # radially uniform: no radial gradients
        assert np.ptp(result.stored(t), axis=0).max() < 1e-9 * exact[0]


def test_instantaneous_gaussian_source_in_infinite_medium():
    """A Gaussian blob on the axis spreads as (t0/(t0+t))^{3/2} exp(−ρ²/4α(t0+t)) (3-D point source)."""
    grid = RZGrid.graded(
        r_max_m=3e-3, nr=120, z_max_m=5e-3, dz_surface_m=5e-6, dz_max_m=50e-6, growth=1.08, fine_depth_m=150e-6
    )
    medium = ThermalMedium(grid, K, RHO_C, 0.0)
    z0 = 2.5e-3
    t0 = (300e-6) ** 2 / (4 * ALPHA)  # initial 1/e radius 300 µm
    amplitude = 20.0

    def blob(t):
        rho2 = grid.r_centers_m[:, None] ** 2 + (grid.z_centers_m[None, :] - z0) ** 2
        return amplitude * (t0 / t) ** 1.5 * np.exp(-rho2 / (4 * ALPHA * t))

    t_run = 0.3
    result = solve_bioheat(
        medium,
        None,
        Schedule.constant(0.0),
        SurfaceBoundary.insulated(),
        t_run,
        initial_temperature_K=T0 + blob(t0),
        store_times_s=(t_run,),
    )
    exact = blob(t0 + t_run)
    numeric = result.stored(t_run) - T0
    assert np.max(np.abs(numeric - exact)) < 0.01 * exact.max()
    # heat is conserved (no flux reaches the boundaries)
    volume = grid.cell_volume_m3
    assert np.sum(numeric * volume) == pytest.approx(np.sum(blob(t0) * volume), rel=1e-6)


def pennes_steady_exact(z, length, k, perfusion_coefficient, h, t_air, t_arterial, t_core):
    """1-D steady Pennes: k u'' = W u, u = T − T_a, k u'(0) = h (u(0) − u_air), u(L) = T_core − T_a."""
    m = math.sqrt(perfusion_coefficient / k)
    u_air, a = t_air - t_arterial, t_core - t_arterial
    ch, sh = math.cosh(m * length), math.sinh(m * length)
    b = -(h * a * ch + k * m * a * sh - h * u_air) / (k * m * ch + h * sh)
    return t_arterial + a * np.cosh(m * (length - z)) + b * np.sinh(m * (length - z))


def test_steady_pennes_with_perfusion_and_convective_surface():
    grid = default_like_grid(z_max=8e-3)
    perfusion = 0.00125
    medium = ThermalMedium(grid, K, RHO_C, perfusion, arterial_temperature_K=309.65, core_temperature_K=310.15)
    W = perfusion * medium.blood_volumetric_heat_capacity_J_per_m3K
    steady = steady_state_temperature(medium, 10.0, 298.15)
    exact = pennes_steady_exact(grid.z_centers_m, grid.z_max_m, K, W, 10.0, 298.15, 309.65, 310.15)
    scale = exact.max() - exact.min()
    assert np.max(np.abs(steady[0] - exact)) < 0.01 * scale
    # the resting state does not drift in time
    result = solve_bioheat(medium, None, Schedule.constant(0.0), SurfaceBoundary.resting_air(), 1.0)
    assert np.max(np.abs(result.final_temperature_K - steady)) < 1e-9


def test_steady_pennes_space_convergence_is_second_order():
    """Uniform grids halved twice: the error falls by ~4 each time (order 2 of the finite volumes)."""
    perfusion, h, length = 0.00125, 2000.0, 2e-3
    errors = []
    for dz in (100e-6, 50e-6, 25e-6):
        grid = RZGrid.uniform(nr=2, dr_m=1e-4, nz=round(length / dz), dz_m=dz)
        medium = ThermalMedium(grid, K, RHO_C, perfusion)
        W = perfusion * medium.blood_volumetric_heat_capacity_J_per_m3K
        numeric = steady_state_temperature(medium, h, 278.15)[0]
        exact = pennes_steady_exact(grid.z_centers_m, length, K, W, h, 278.15, T0, T0)
        errors.append(np.max(np.abs(numeric - exact)))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all((orders > 1.8) & (orders < 2.2)), orders


def slab_convection_exact(z, t, length, k, alpha, h, u_medium, n_terms=400):
    """Slab 0<z<L at T_core, from t=0 convecting at z=0 to a medium, T=T_core at z=L (C&J §3.11).

    u = T − T_core = u_ss + Σ c_n sin(λ_n (L − z)) exp(−α λ_n² t), with β = λL solving
    β cot β = −Bi, Bi = hL/k, and c_n projecting −u_ss on the eigenfunctions.
    """
    bi = h * length / k
    a = u_medium * bi / (1 + bi)  # u_ss = a (L − z) / L
    u = a * (length - z) / length
    for n in range(1, n_terms + 1):
        beta = brentq(lambda b: b * math.cos(b) + bi * math.sin(b), (n - 0.5) * math.pi + 1e-12, n * math.pi - 1e-12)
        lam = beta / length
        num = -(a / length) * (math.sin(beta) / lam**2 - length * math.cos(beta) / lam)
        den = length / 2 - math.sin(2 * beta) / (4 * lam)
        u = u + num / den * np.sin(lam * (length - z)) * math.exp(-alpha * lam**2 * t)
    return u


@pytest.mark.parametrize("h", [5000.0, 20000.0])
def test_surface_convection_into_slab(h):
    length = 1e-3
    grid = default_like_grid(z_max=length)
    medium = ThermalMedium(grid, K, RHO_C, 0.0)
    t_medium = 247.15  # cryogen
    surface = SurfaceBoundary(
        Schedule([0.0], [0.0, h]), Schedule.constant(t_medium), resting_h_W_per_m2K=0.0, resting_temperature_K=t_medium
    )
    times = (0.01, 0.1, 1.0)
    result = solve_bioheat(
        medium,
        None,
        Schedule.constant(0.0),
        surface,
        1.0,
        initial_temperature_K=T0,
        store_times_s=times,
        probes=[(0.0, 0.0)],
    )
    for t in times:
        exact = slab_convection_exact(grid.z_centers_m, t, length, K, ALPHA, h, t_medium - T0)
        numeric = result.stored(t)[0] - T0
        assert np.max(np.abs(numeric - exact)) < 0.01 * np.max(np.abs(exact)), t
    # surface-face probe against the exact surface temperature at the end
    surface_exact = slab_convection_exact(np.array([0.0]), 1.0, length, K, ALPHA, h, t_medium - T0)[0]
    assert result.probe_temperatures_K[0, -1] - T0 == pytest.approx(surface_exact, abs=0.01 * abs(surface_exact))


def test_time_convergence_is_second_order():
    """Fixed grid, uniform steps dt, 2dt, 4dt: the error against a dt/16 run falls by ~4 per halving."""
    grid = RZGrid.uniform(nr=2, dr_m=1e-4, nz=100, dz_m=10e-6)
    medium = ThermalMedium(grid, K, RHO_C, 0.00125)
    z = grid.z_centers_m
    initial = T0 + 10 * np.exp(-(((z - 0.4e-3) / 100e-6) ** 2))
    surface = SurfaceBoundary(Schedule.constant(5000.0), Schedule.constant(T0))

    def run(dt):
        return solve_bioheat(
            medium,
            None,
            Schedule.constant(0.0),
            surface,
            0.08,
            initial_temperature_K=initial,
            first_step_s=dt,
            max_step_s=dt,
        ).final_temperature_K[0]

    reference = run(0.25e-3)
    errors = [np.max(np.abs(run(dt) - reference)) for dt in (16e-3, 8e-3, 4e-3)]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all((orders > 1.7) & (orders < 2.3)), orders
