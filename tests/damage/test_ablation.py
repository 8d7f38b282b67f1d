import math

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.damage.ablation import (
    crater_depth,
    fractional_mtz,
    get_laser,
    post_ablation_temperature_profile,
    residual_damage_depth,
    wall_damage_thickness,
)
from laserskin.grid import RZGrid


def test_post_ablation_profile_is_beer_lambert_of_the_threshold_dose():
    mua = 550e2
    z = np.array([0.0, 1.0 / mua, 5.0 / mua])
    t = post_ablation_temperature_profile(z, mua, ablation_temperature_K=373.15, baseline_temperature_K=310.15)
    np.testing.assert_allclose(t, 310.15 + 63.0 * np.exp([0.0, -1.0, -5.0]))
    z_in = z.copy()
    post_ablation_temperature_profile(z_in, mua)
    np.testing.assert_array_equal(z_in, z)
    with pytest.raises(InputError):
        post_ablation_temperature_profile(-1e-6, mua)


def test_residual_damage_depth_below_crater():
    grid = RZGrid.uniform(nr=3, dr_m=1e-4, nz=100, dz_m=2e-6)
    z = grid.z_centers_m
    crater, omega0, length = 41e-6, 1e3, 10e-6
    omega = np.tile(omega0 * np.exp(-(z - crater) / length), (3, 1))
    omega[:, z < crater] = 1e9  # removed tissue: ignored
    depth = residual_damage_depth(omega, grid, crater)
    assert depth == pytest.approx(length * math.log(omega0), rel=1e-9)
    assert residual_damage_depth(np.zeros((3, 100)), grid, crater) == 0.0
    with pytest.raises(InputError):
        residual_damage_depth(omega, grid, 1.0)


def test_crater_inputs_and_plateau_rule():
    with pytest.raises(InputError):
        crater_depth(1e5, "co2_10600", passes=0)
    with pytest.raises(InputError):
        get_laser("nd_yag")
    res = crater_depth(12e4, "co2_10600", passes=3)
    first = res.depth_per_pass_m[0]
    plateau = get_laser("co2_10600").plateau_depth_m
    assert res.total_depth_m == pytest.approx(plateau * (1 - (1 - first / plateau) ** 3))


def test_mtz_below_threshold_and_energy_conservation():
    tiny = fractional_mtz(1e-6, 120e-6, "co2_10600")  # peak fluence below threshold
    assert tiny.ablation_depth_m == 0.0 and tiny.width_m == 0.0
    p = get_laser("co2_10600")
    mtz = fractional_mtz(20e-3, 120e-6, p)
    # numerically integrate the above-threshold Gaussian energy: ∫ (F(r) - F_th)+ 2πr dr
    w = 60e-6
    r = np.linspace(0, 5 * w, 200001)
    f = 2 * 20e-3 / (np.pi * w**2) * np.exp(-2 * r**2 / w**2)
    above = np.trapezoid(np.maximum(f - p.threshold_fluence_J_per_m2, 0) * 2 * np.pi * r, r)
    assert mtz.ablated_volume_m3 == pytest.approx(above / p.heat_of_ablation_J_per_m3, rel=1e-6)
    assert mtz.ablated_volume_m3 == pytest.approx(math.pi * mtz.ablation_radius_m**2 * mtz.ablation_depth_m / 3)


def _crater(wall_r_of_z, thickness_m, depth_m):
    """Synthetic crater on 2 µm cells: removed where r < wall(z) and z < depth; Ω = 2 within a horizontal
    distance ``thickness_m`` outside the wall, 0 elsewhere."""
    grid = RZGrid.uniform(nr=100, dr_m=2e-6, nz=100, dz_m=2e-6)
    r, z = np.meshgrid(grid.r_centers_m, grid.z_centers_m, indexing="ij")
    wall = wall_r_of_z(z)
    removed = (r < wall) & (z < depth_m)
    omega = np.where(~removed & (r < wall + thickness_m) & (z < depth_m), 2.0, 0.0)
    depth_by_ring = np.array(
        [grid.z_edges_m[np.flatnonzero(col)].max() + 2e-6 if col.any() else 0.0 for col in removed]
    )
    return grid, omega, removed, depth_by_ring


def test_wall_damage_of_a_vertical_wall_is_its_lateral_width():
    """A cylindrical hole 100 µm deep with a 10 µm damaged sleeve: 10 µm (one 2 µm ring of resolution; the slope
    read over five rings makes sin α = 0.997)."""
    grid, omega, removed, depth = _crater(lambda z: np.full_like(z, 60e-6), 10e-6, 100e-6)
    assert wall_damage_thickness(omega, removed, grid, depth) == pytest.approx(10e-6, abs=2e-6)


def test_wall_damage_of_a_45_degree_wall_is_normal_to_it():
    """A cone with a 45° wall and 10 µm of damage measured horizontally: 10 µm / √2 normal to the wall
    (± one ring × sin 45°)."""
    grid, omega, removed, depth = _crater(lambda z: 150e-6 - z, 10e-6, 140e-6)
    assert wall_damage_thickness(omega, removed, grid, depth) == pytest.approx(10e-6 / math.sqrt(2), abs=1.5e-6)


def test_wall_damage_needs_rings_and_a_crater():
    grid, omega, removed, depth = _crater(lambda z: np.full_like(z, 60e-6), 10e-6, 100e-6)
    assert wall_damage_thickness(omega, np.zeros_like(removed), grid, np.zeros(grid.nr)) is None
    column = RZGrid.uniform(nr=1, dr_m=1e-4, nz=10, dz_m=2e-6)
    assert wall_damage_thickness(np.zeros((1, 10)), np.zeros((1, 10), bool), column, np.array([5e-6])) is None
    with pytest.raises(InputError):
        wall_damage_thickness(omega, removed, grid, depth, depth_fraction=1.5)
