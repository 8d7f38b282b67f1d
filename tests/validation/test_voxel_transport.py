"""Validation of the voxel Monte Carlo against the r–z (MCML-equivalent) engine and itself.

* Layers only: a periodic voxel volume under uniform light is a laterally infinite slab, so
  its Rd, Tt and absorption per layer must equal the r–z engine's (which integrates the
  same slab over all radii) within the statistics: |Δ| < 3 σ (σ² = sum of both batch
  variances), and the depth profile of absorption slice by slice.
* A periodic unit cell with one microbeam against an explicitly tiled 9 × 9 array with
  escaping sides: the mean absorption of the central 3 × 3 cells per microbeam must equal
  the unit cell's (three rings of cells shield the centre from the edge losses; with two,
  light guided by total internal reflection under the surface still leaks 1 %).
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.optics.layers import LayerStack, OpticalLayer
from laserskin.transport import Beam, simulate_transport
from laserskin.transport.voxel import Medium, VoxelSource, VoxelVolume, simulate_voxel_transport

H = 20e-6
LAYERS = [  # n, mua 1/m, mus 1/m, g, thickness m — refractive-index steps at every face
    (1.45, 2000.0, 30000.0, 0.8, 60e-6),
    (1.37, 150.0, 15000.0, 0.9, 240e-6),
]


def _within(a, sa, b, sb, k=3.0):
    return abs(a - b) <= k * np.hypot(sa, sb)


@pytest.fixture(scope="module")
def slab_pair():
    stack = LayerStack(
        layers=tuple(
            OpticalLayer(name=f"l{i}", n=n, mua=f"{a} 1/m", mus=f"{s} 1/m", g=g, thickness=f"{t} m")
            for i, (n, a, s, g, t) in enumerate(LAYERS)
        ),
        n_above=1.0,
        n_below=1.33,
    )
    grid = RZGrid.uniform(nr=50, dr_m=1e-4, nz=15, dz_m=H)
    rz = simulate_transport(stack, grid, Beam(kind="pencil"), 40_000, 2, threads=2)
    nz = round(sum(t for *_, t in LAYERS) / H)
    labels = np.zeros((3, 3, nz), dtype=np.uint8)
    labels[:, :, round(LAYERS[0][4] / H) :] = 1
    media = tuple(Medium(f"l{i}", n, a, s, g) for i, (n, a, s, g, _) in enumerate(LAYERS))
    volume = VoxelVolume(labels, H, media, n_above=1.0, n_below=1.33, periodic=True, layer_count=2)
    vox = simulate_voxel_transport(volume, VoxelSource.uniform(), 40_000, 2, threads=2)
    return rz, vox


def test_layers_only_matches_the_rz_engine(slab_pair):
    rz, vox = slab_pair
    assert vox.specular_reflectance == pytest.approx(rz.specular_reflectance, rel=1e-12)
    assert _within(
        vox.diffuse_reflectance, vox.diffuse_reflectance_stderr, rz.diffuse_reflectance, rz.diffuse_reflectance_stderr
    )
    assert _within(
        vox.total_transmittance, vox.total_transmittance_stderr, rz.total_transmittance, rz.total_transmittance_stderr
    )
    for k in range(2):
        assert _within(
            vox.absorbed_fraction_by_region[k],
            vox.absorbed_fraction_by_region_stderr[k],
            rz.absorbed_fraction_by_layer[k],
            rz.absorbed_fraction_by_layer_stderr[k],
        )
    assert abs(vox.energy_balance()) < 1e-12


def test_layers_only_depth_profile_matches_the_rz_engine(slab_pair):
    rz, vox = slab_pair
    rz_slices = (rz.absorbed_energy_density_per_J * rz.grid.cell_volume_m3).sum(axis=0)
    vox_slices = vox.depth_profile_per_J() * H
    assert rz.absorbed_outside_grid_fraction < 1e-3 * rz.absorbed_fraction
    # each slice holds > 1 % of the absorption; relative error of a slice ~ 1/sqrt(absorbing events),
    # a few thousand events per slice with 40 000 packets: 10 % is > 4 sigma for the smallest slice
    assert vox_slices == pytest.approx(rz_slices, rel=0.10)
    # the profile's first moment (mean absorption depth) to 2 %
    z = vox.volume.z_centers_m
    assert (z * vox_slices).sum() / vox_slices.sum() == pytest.approx((z * rz_slices).sum() / rz_slices.sum(), rel=0.02)


def test_periodic_unit_cell_equals_an_explicitly_tiled_array():
    cell = 8  # voxels: a 160 um lattice
    nz = 15
    media = (Medium("tissue", 1.4, 4000.0, 15000.0, 0.8),)
    beam = Beam(kind="flat_top", diameter="60 um")
    unit = VoxelVolume(np.zeros((cell, cell, nz), dtype=np.uint8), H, media, periodic=True, layer_count=1)
    one = simulate_voxel_transport(unit, VoxelSource.spot(beam), 30_000, 4, threads=2)
    tiles = 9
    big = VoxelVolume(np.zeros((cell * tiles, cell * tiles, nz), dtype=np.uint8), H, media, layer_count=1)
    pitch = cell * H
    centres = tuple(((i - tiles // 2) * pitch, (j - tiles // 2) * pitch) for i in range(tiles) for j in range(tiles))
    many = simulate_voxel_transport(big, VoxelSource(beam=beam, centers_m=centres), 6_000 * tiles * tiles, 4, threads=2)
    per_beam = many.absorbed_energy_density_per_J * tiles * tiles  # per joule of one microbeam
    inner = slice(cell * 3, cell * 6)
    block = per_beam[inner, inner, :].reshape(3, cell, 3, cell, nz).mean(axis=(0, 2))
    unit_map = one.absorbed_energy_density_per_J
    # cell totals: the unit cell's absorbed fraction vs the central block's mean cell; the block
    # averages 9 × 6000 packets, so its error is at most the unit cell's (30 000 packets)
    a_block = block.sum() * H**3
    assert _within(a_block, one.absorbed_fraction_stderr, one.absorbed_fraction, one.absorbed_fraction_stderr)
    # depth profiles of the cell agree to 5 % where they hold > 2 % of the energy
    p_unit = unit_map.sum(axis=(0, 1))
    p_block = block.sum(axis=(0, 1))
    keep = p_unit > 0.02 * p_unit.sum()
    assert p_block[keep] == pytest.approx(p_unit[keep], rel=0.05)
    assert many.escaped_sides_fraction > 0.0 and one.escaped_sides_fraction == 0.0
