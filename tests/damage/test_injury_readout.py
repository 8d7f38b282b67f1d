"""The statistical epidermal read-out: rings pooled from the axis until each region holds
READOUT_MIN_PHOTONS launched photons; Ω from the pooled temperature (QA4 finding 29)."""

import numpy as np

from laserskin.core.constants import CELSIUS_K
from laserskin.damage.arrhenius import arrhenius_omega
from laserskin.damage.injury import (
    READOUT_MIN_PHOTONS,
    epidermal_injury,
    epidermal_readout_maps,
    pool_rings,
    readout_rings,
)
from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import needs_nonlinear

# 5 mm flat top on 52 µm rings (the QA case): the axis ring holds (52/2500)² = 0.04 % of the photons
GRID = RZGrid.uniform(nr=60, dr_m=52e-6, nz=4, dz_m=20e-6)
JUNCTION_M = 70e-6  # rows 0-2 epidermal, row 2 basal
CDF = np.clip((GRID.r_edges_m / 2.5e-3) ** 2, 0.0, 1.0)
TIMES = np.linspace(0.0, 2e-3, 21)


def _history(hot_rings, hot_C=103.0, base_C=65.0):
    """Temperature history (nt, nr, nz): a 1 ms plateau at ``base_C``, ``hot_C`` in ``hot_rings``."""
    peak = np.full((GRID.nr, GRID.nz), base_C + CELSIUS_K)
    peak[hot_rings, :] = hot_C + CELSIUS_K
    on = ((TIMES > 0.4e-3) & (TIMES < 1.4e-3))[:, None, None]
    return np.where(on, peak[None], 37.0 + CELSIUS_K)


def _readout(history, rings):
    omega = arrhenius_omega(TIMES, history, parameters="henriques_moritz_1947")
    peak = history.max(axis=0)
    maps = epidermal_readout_maps(TIMES, history, omega, peak, GRID, junction_depth_m=JUNCTION_M, rings=rings)
    injury = epidermal_injury(*maps, GRID, junction_depth_m=JUNCTION_M, fitzpatrick="VI")
    switch, _ = needs_nonlinear(pool_rings(peak, GRID, rings))
    return injury, switch


def test_regions_hold_the_minimum_photon_count():
    rings = readout_rings(GRID, CDF, 20_000)
    counts = np.bincount(rings, weights=20_000 * np.diff(CDF))
    inside = counts > 0
    assert np.all(counts[inside] >= READOUT_MIN_PHOTONS)  # every region in the beam
    # rings 0-10: (11·52/2500)² · 2e4 = 1047 photons (rings 0-9: 865)
    assert list(rings[:12]) == [0] * 11 + [1]
    assert np.all(np.diff(rings) >= 0) and rings[-1] == rings.max()
    # ten times the photons: fewer rings per region; a pencil beam (all on the axis): one ring each
    assert list(readout_rings(GRID, CDF, 200_000)[:5]) == [0, 0, 0, 0, 1]
    pencil = readout_rings(GRID, (GRID.r_edges_m >= 0).astype(float), 20_000)
    assert list(pencil) == list(range(GRID.nr))


def test_one_hot_axis_cell_does_not_set_the_grade_or_the_switch():
    rings = readout_rings(GRID, CDF, 20_000)
    history = _history([0])  # 103 °C in the axis ring alone (0.04 % of the beam, ~8 photons)
    per_cell, per_cell_switch = _readout(history, None)  # the old per-cell read-out
    assert per_cell.grade == "necrosis" and per_cell_switch  # one cell decides: Ω ~ 1e6, non-linear
    pooled, switch = _readout(history, rings)
    # pooled over rings 0-10 (area 1:3:...:21): 65 + 38/121 = 65.3 °C; Ω(1 ms at 65 °C) ~ 1e-2
    assert pooled.peak_basal_temperature_K - CELSIUS_K < 65.5
    assert pooled.grade == "none" and not switch


def test_a_hot_region_of_meaningful_area_still_sets_the_grade_and_the_switch():
    rings = readout_rings(GRID, CDF, 20_000)
    pooled, switch = _readout(_history(list(range(16))), rings)  # a hot disc of 16 rings (11 % of the beam)
    assert pooled.grade == "necrosis" and switch
    assert abs(pooled.peak_basal_temperature_K - (103.0 + CELSIUS_K)) < 1e-9
