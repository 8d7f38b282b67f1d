import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.damage.collagen import (
    CollagenParameters,
    area_contraction,
    collagen_response,
    denatured_fraction,
    linear_shrinkage,
    omega_depth_range,
)
from laserskin.grid import RZGrid

TOP, BOTTOM = 100e-6, 1100e-6  # dermis between the junction and 1.1 mm


def _grid():
    return RZGrid.uniform(nr=20, dr_m=50e-6, nz=150, dz_m=10e-6)  # 1 mm radius, 1.5 mm deep


def test_shrinkage_saturates_at_s_max():
    assert denatured_fraction(0.0) == 0.0
    assert linear_shrinkage(denatured_fraction(50.0), 0.6) == pytest.approx(0.6)
    assert linear_shrinkage(denatured_fraction(1.0), 0.6) == pytest.approx(0.6 * (1 - np.exp(-1)))
    assert area_contraction(0.5) == pytest.approx(0.75)
    with pytest.raises(InputError):
        linear_shrinkage(0.5, 1.5)


def test_fully_denatured_slab_gives_analytic_tightening_and_volume():
    grid = _grid()
    z = grid.z_centers_m
    slab = (z > 300e-6) & (z < 500e-6)  # 200 µm fully denatured, all radii
    omega = np.where(slab[None, :], 200.0, 0.0) * np.ones((grid.nr, 1))
    s_max, k = 0.6, 40.0
    res = collagen_response(
        omega,
        grid,
        dermis_top_m=TOP,
        dermis_bottom_m=BOTTOM,
        spot_radius_m=1e-3,
        parameters=CollagenParameters(max_shrinkage=s_max, stiffness_ratio=k),
    )
    # layers in parallel: 200 µm coagulated (stiffness k) over 800 µm native dermis
    eps = s_max * k * 200e-6 / (k * 200e-6 + 800e-6)
    expected = (1 - (1 - eps) ** 2) * 100  # % area
    assert res.tightening_percent == pytest.approx(expected, rel=1e-9)
    assert res.coagulated_thickness_m == pytest.approx(200e-6)
    # k = 1: the thickness-weighted mean of the free shrinkage (no stiffening)
    soft = collagen_response(
        omega,
        grid,
        dermis_top_m=TOP,
        dermis_bottom_m=BOTTOM,
        spot_radius_m=1e-3,
        parameters=CollagenParameters(max_shrinkage=s_max, stiffness_ratio=1.0),
    )
    assert soft.tightening_percent == pytest.approx((1 - (1 - s_max * 0.2) ** 2) * 100, rel=1e-9)
    cylinder_mm3 = np.pi * 1.0**2 * 0.2
    assert res.denatured_volume_mm3 == pytest.approx(cylinder_mm3, rel=1e-9)
    assert res.coagulated_volume_mm3 == pytest.approx(cylinder_mm3, rel=1e-9)
    top, bottom = res.coagulated_depth_range_um
    # Ω jumps from 200 to 0: the edges of the slab cells
    assert top == pytest.approx(300.0) and bottom == pytest.approx(500.0)


def test_exponential_profile_crossing_depth_is_exact():
    grid = _grid()
    z = grid.z_centers_m
    omega0, length = 30.0, 80e-6
    profile = np.where(z > TOP, omega0 * np.exp(-(z - TOP) / length), 0.0)
    omega = np.tile(profile, (grid.nr, 1))
    res = collagen_response(omega, grid, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, spot_radius_m=5e-4)
    top, bottom = res.coagulated_depth_range_um
    assert top == pytest.approx(TOP * 1e6)  # zone starts at the junction (neighbour outside the dermis)
    assert bottom == pytest.approx((TOP + length * np.log(omega0)) * 1e6, rel=1e-9)


def test_no_coagulation_gives_none_and_untreated_ring_not_averaged():
    grid = _grid()
    omega = np.zeros((grid.nr, grid.nz))
    omega[:5, 20:40] = 0.5  # Ω < 1 only in the central 250 µm
    res = collagen_response(omega, grid, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, spot_radius_m=250e-6)
    assert res.coagulated_depth_range_um is None
    assert res.coagulated_volume_mm3 == 0.0
    # scattered denatured fibrils (Ω < 1) shrink without stiffening: thickness-weighted mean
    expected = area_contraction(0.6 * (1 - np.exp(-0.5)) * 200e-6 / (BOTTOM - TOP)) * 100
    assert res.tightening_percent == pytest.approx(expected, rel=1e-9)
    res_big = collagen_response(omega, grid, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, spot_radius_m=1e-3)
    assert res_big.tightening_percent == pytest.approx(expected * (250e-6 / 1e-3) ** 2, rel=1e-9)


def test_bad_inputs():
    grid = _grid()
    omega = np.zeros((grid.nr, grid.nz))
    with pytest.raises(InputError):
        collagen_response(omega, grid, dermis_top_m=TOP, dermis_bottom_m=TOP / 2, spot_radius_m=1e-4)
    with pytest.raises(InputError):
        collagen_response(omega, grid, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, spot_radius_m=5e-3)
    omega[0, 50] = np.nan
    with pytest.raises(InputError):
        collagen_response(omega, grid, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, spot_radius_m=1e-4)
    with pytest.raises(InputError):
        omega_depth_range(np.zeros((2, 2)), grid)


def test_load_and_recovery_reduce_the_shrinkage_proportionally():
    """s = s_max · F · load_factor · (1 − recovery) (Chen, Wright & Humphrey 1998: load lowers shrinkage,
    part of it recovers at 37 °C)."""
    import numpy as np

    from laserskin.damage.collagen import CollagenParameters, collagen_response
    from laserskin.grid import RZGrid

    grid = RZGrid.uniform(nr=4, dr_m=100e-6, nz=20, dz_m=50e-6)
    omega = np.full((4, 20), 2.0)
    kwargs = dict(dermis_top_m=100e-6, dermis_bottom_m=1e-3, spot_radius_m=400e-6)
    free = collagen_response(omega, grid, **kwargs)
    loaded = collagen_response(
        omega, grid, parameters=CollagenParameters(load_factor=0.5, recovery_fraction=0.2), **kwargs
    )
    np.testing.assert_allclose(loaded.linear_shrinkage, 0.4 * free.linear_shrinkage)
    assert loaded.tightening_percent < free.tightening_percent


def test_laminate_rises_with_the_coagulated_layer_and_saturates():
    """Ross et al. 2000 (live pig, V abstract): immediate contraction rises with the residual
    thermal damage and then levels off; none without thermal damage (mechanical ablation)."""
    from laserskin.damage.collagen import calibrate_stiffness_ratio, laminate_contraction

    k, s = 265.0, 0.6
    layers = np.array([0.0, 1e-6, 5e-6, 20e-6, 100e-6, 400e-6])
    eps = laminate_contraction(layers, 1e-3 - layers, k, s)
    assert eps[0] == 0.0
    assert np.all(np.diff(eps) > 0)
    assert eps[-1] < s and eps[-1] > 0.95 * s  # saturates at s_max
    assert eps[1] < 0.5 * eps[-1]  # rises from zero
    # the calibration inverts the balance
    k_back = calibrate_stiffness_ratio(5e-6, 995e-6, float(eps[2]), s)
    assert k_back == pytest.approx(k, rel=1e-12)
    with pytest.raises(InputError):
        calibrate_stiffness_ratio(5e-6, 995e-6, 0.7, s)


def test_removed_cells_neither_shrink_nor_hold_back():
    grid = _grid()
    z = grid.z_centers_m
    omega = np.where((z > 300e-6) & (z < 400e-6), 50.0, 0.0)[None, :] * np.ones((grid.nr, 1))
    removed = np.zeros(omega.shape, dtype=bool)
    removed[:, z < 300e-6] = True  # crater floor at 300 µm
    params = CollagenParameters(stiffness_ratio=10.0)
    kw = dict(dermis_top_m=TOP, dermis_bottom_m=BOTTOM, spot_radius_m=1e-3, parameters=params)
    res = collagen_response(omega, grid, removed=removed, **kw)
    assert res.dermis_thickness_m[0] == pytest.approx(800e-6)
    eps = 0.6 * 10 * 100e-6 / (10 * 100e-6 + 700e-6)
    assert res.column_linear_contraction[0] == pytest.approx(eps, rel=1e-9)
