import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid


def test_uniform_grid_geometry():
    grid = RZGrid.uniform(nr=10, dr_m=1e-4, nz=20, dz_m=5e-5)
    assert grid.nr == 10 and grid.nz == 20
    # annulus volumes add up to the cylinder volume exactly
    assert grid.cell_volume_m3.sum() == pytest.approx(np.pi * (1e-3) ** 2 * 1e-3)


def test_graded_grid_puts_interfaces_on_edges_and_grows():
    interfaces = [20e-6, 80e-6, 300e-6, 2e-3]
    grid = RZGrid.graded(
        r_max_m=5e-3,
        nr=50,
        z_max_m=5e-3,
        dz_surface_m=2e-6,
        dz_max_m=50e-6,
        growth=1.1,
        interfaces_m=interfaces,
        fine_depth_m=100e-6,
    )
    for depth in interfaces:
        assert np.min(np.abs(grid.z_edges_m - depth)) < 1e-15
    assert grid.dz_m.min() == pytest.approx(2e-6, rel=0.3)
    assert grid.dz_m.max() <= 50e-6 * (1 + 1e-9)
    assert grid.z_edges_m[-1] == 5e-3
    assert np.all(np.diff(grid.z_edges_m) > 0)


def test_layer_index():
    grid = RZGrid.uniform(nr=2, dr_m=1e-4, nz=4, dz_m=1e-4)
    assert grid.layer_index([1e-4, 3e-4, 1.0]).tolist() == [0, 1, 1, 2]


@pytest.mark.parametrize(
    "r, z",
    [([0.0, 1.0, 0.5], [0.0, 1.0]), ([0.1, 1.0], [0.0, 1.0]), ([0.0, 1.0, 3.0], [0.0, 1.0]), ([0.0], [0.0, 1.0])],
)
def test_bad_edges_rejected(r, z):
    with pytest.raises(InputError):
        RZGrid(np.array(r), np.array(z))


def test_digest_changes_with_edges():
    a = RZGrid.uniform(nr=10, dr_m=1e-4, nz=20, dz_m=5e-5)
    b = RZGrid.uniform(nr=10, dr_m=1e-4, nz=21, dz_m=5e-5)
    assert a.digest() != b.digest()
    assert a.digest() == RZGrid.uniform(nr=10, dr_m=1e-4, nz=20, dz_m=5e-5).digest()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"z_max_m": 1e9, "dz_surface_m": 5e-6, "dz_max_m": 50e-6, "growth": 1.08},  # a layer "1e9 m" thick
        {"z_max_m": 5e-3, "dz_surface_m": 1e-9, "dz_max_m": 1e-9, "growth": 1.0},  # 1 nm cells
        {"z_max_m": 1.0, "dz_surface_m": 2e-7, "dz_max_m": 50e-6, "growth": 1.0},
    ],
)
def test_absurd_depth_grids_are_refused_before_any_allocation(kwargs):
    with pytest.raises(InputError, match="depth cells"):
        RZGrid.graded(r_max_m=1e-3, nr=10, fine_depth_m=150e-6, **kwargs)


def test_the_cell_bound_is_an_upper_bound():
    from laserskin.grid import _depth_cell_bound

    for growth in (1.0, 1.05, 1.2):
        grid = RZGrid.graded(
            r_max_m=1e-3,
            nr=4,
            z_max_m=8e-3,
            dz_surface_m=3e-6,
            dz_max_m=80e-6,
            growth=growth,
            interfaces_m=[20e-6, 100e-6, 2e-3],
            fine_depth_m=150e-6,
        )
        assert grid.nz <= _depth_cell_bound(8e-3, 3e-6, 80e-6, growth, 150e-6, 5)
