"""The wall light of a fractional micro-beam (thermal.enthalpy.BeerLambertSource ``wall_spread_rad``,
``wall_refractive_index``) against closed forms.

A hole of radius a through the whole grid (void at every depth), lit uniformly: the beam widens as a self-similar
cone, r → r (1 + θ z / w), so the light still in the hole at depth z is (1 + θ z / w)^−2 of it (the same power over
an area (1 + θ z / w)² larger); the rest has entered the wall. In the wall
the light refracts to sin θ_t = 1/n (Snell, grazing incidence) and is absorbed along the radius with μa / cos θ_t,
so the share absorbed within a radius r is 1 − exp(−μa (r − a) / cos θ_t), whatever the ring width. Both hold to
round-off: the remap moves a ring's light exactly, however many rings it crosses in one cell height (the outward
march it replaces, first order in dz, drilled the rim of fine rings: docs/collagen.md, "Wall light across rings").
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.thermal.enthalpy import BeerLambertSource, TissueState

HOLE_RADIUS_M = 20e-6
BEAM_RADIUS_M = 60e-6
SPREAD_RAD = 0.175  # the fractional CO2 preset's (tissue_phase_change.toml)
MUA_PER_M = 8.0e4  # CO2 in dermis, ~800 /cm
INDEX = 1.18  # water at 10.6 µm (Segelstein 1981)


def _hole(ring_width_m: float, nz: int = 60, dz_m: float = 5e-6, outer_m: float = 400e-6):
    """Grid, absorbed W per W per cell and the hole's ring count for a hole of HOLE_RADIUS_M lit on its rings."""
    hole_rings = round(HOLE_RADIUS_M / ring_width_m)
    grid = RZGrid.uniform(nr=round(outer_m / ring_width_m), dr_m=ring_width_m, nz=nz, dz_m=dz_m)
    removed = np.zeros((grid.nr, nz), dtype=bool)
    removed[:hole_rings] = True
    state = TissueState(
        np.full(removed.shape, 310.0), np.full(removed.shape, 650.0), removed, np.full(removed.shape, 4e6)
    )
    r = grid.r_edges_m
    beam = np.where(np.arange(grid.nr) < hole_rings, r[1:] ** 2 - r[:-1] ** 2, 0.0)
    source = BeerLambertSource(
        np.full(nz, MUA_PER_M),
        beam / beam.sum(),  # uniform over the hole
        wall_spread_rad=SPREAD_RAD,
        beam_radius_m=BEAM_RADIUS_M,
        wall_refractive_index=INDEX,
    )
    absorbed = source.power_density_per_W(grid, state, np.ones(removed.shape)) * grid.cell_volume_m3
    return grid, absorbed, hole_rings


@pytest.mark.parametrize("ring_width_m", [20e-6, 2.5e-6, 0.5e-6])
def test_the_hole_loses_its_light_to_the_wall_at_the_closed_form_rate(ring_width_m):
    grid, absorbed, hole_rings = _hole(ring_width_m)
    z = grid.z_edges_m
    in_hole = (1.0 + SPREAD_RAD * z / BEAM_RADIUS_M) ** -2
    expected = in_hole[:-1] - in_hole[1:]
    into_wall = absorbed[hole_rings:].sum(axis=0)
    assert np.allclose(into_wall, expected, rtol=1e-10, atol=1e-15)
    assert absorbed[:hole_rings].sum() == 0.0  # a void cell takes nothing
    # what the wall did not take is still in the hole at the bottom: nothing created or lost
    assert absorbed.sum() == pytest.approx(1.0 - in_hole[-1], rel=1e-12)


def test_the_wall_absorbs_along_the_refracted_ray_whatever_the_ring_width():
    cosine = math.sqrt(1.0 - 1.0 / INDEX**2)
    depth_m = cosine / MUA_PER_M  # ~6.6 µm: the wall takes the light over a few µm of radius
    for ring_width_m in (4e-6, 1e-6, 0.25e-6):
        grid, absorbed, hole_rings = _hole(ring_width_m)
        wall = absorbed[hole_rings:].sum(axis=1)
        within = np.cumsum(wall) / wall.sum()
        distance = grid.r_edges_m[hole_rings + 1 :] - HOLE_RADIUS_M
        shown = distance < 10 * depth_m
        assert np.allclose(within[shown], -np.expm1(-distance[shown] / depth_m), rtol=1e-10, atol=1e-13)


def test_a_refractive_index_of_one_puts_the_wall_light_in_the_first_tissue_ring():
    """n = 1 (the default): no refraction, the first tissue ring takes the light whole (the model before session 22)."""
    grid = RZGrid.uniform(nr=8, dr_m=1e-6, nz=30, dz_m=2e-6)
    removed = np.zeros((8, 30), dtype=bool)
    removed[:2] = True
    state = TissueState(np.full((8, 30), 310.0), np.full((8, 30), 650.0), removed, np.full((8, 30), 4e6))
    source = BeerLambertSource(np.full(30, 5e4), [1.0] + [0.0] * 7, wall_spread_rad=0.2, beam_radius_m=4e-6)
    absorbed = source.power_density_per_W(grid, state, np.ones((8, 30))) * grid.cell_volume_m3
    assert absorbed[2].sum() > 0.0 and absorbed[3:].sum() == 0.0


def test_a_refractive_index_below_one_is_refused():
    with pytest.raises(InputError, match="wall_refractive_index"):
        BeerLambertSource(np.full(3, 1e4), [1.0], wall_spread_rad=0.1, wall_refractive_index=0.9)
