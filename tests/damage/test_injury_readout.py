"""The statistical read-out: rings pooled from the axis until each region holds READOUT_MIN_PHOTONS launched
photons; Ω from the pooled temperature (QA4 finding 29: the epidermal verdict and the 100 °C switch; QA5 finding
18: the dermal injury depth and the residual damage read from the same map)."""

import numpy as np
import pytest

from laserskin.core.constants import CELSIUS_K
from laserskin.damage.arrhenius import arrhenius_omega
from laserskin.damage.injury import (
    READOUT_MIN_PHOTONS,
    dermal_injury,
    epidermal_injury,
    pool_rings,
    pooled_ring,
    readout_maps,
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
    maps = readout_maps(TIMES, history, omega, peak, GRID, rings=rings)
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


def test_pooled_ring_is_one_ring_of_pool_rings():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(5, GRID.nr, 3))
    for photons in (20_000, 200_000):
        rings = readout_rings(GRID, CDF, photons)
        for ring in (0, 11, 40):
            np.testing.assert_allclose(
                pooled_ring(values, GRID, rings, ring=ring, axis=1), pool_rings(values, GRID, rings, axis=1)[:, ring]
            )
    np.testing.assert_array_equal(pooled_ring(values, GRID, None, axis=1), values[:, 0])


# the dermal read-out: 40 rows of 20 µm, dermis from 70 µm (Henriques: Ω = 1 in 1 s at 60.3 °C)
DERMAL_GRID = RZGrid.uniform(nr=60, dr_m=52e-6, nz=40, dz_m=20e-6)
DERMAL_CDF = np.clip((DERMAL_GRID.r_edges_m / 2.5e-3) ** 2, 0.0, 1.0)


def _dermal(hot_rings):
    """Dermal injury (per cell, read-out) of a history whose rows 10-14 (200-300 µm) reach 63 °C in ``hot_rings``
    for 1 s (Henriques Ω ≈ 6: a band) and 57 °C elsewhere (Ω ≈ 0.1: none)."""
    times = np.linspace(0.0, 1.5, 31)
    on = ((times > 0.2) & (times < 1.2))[:, None, None]
    plateau = np.full((DERMAL_GRID.nr, DERMAL_GRID.nz), 37.0 + CELSIUS_K)
    plateau[:, 10:15] = 57.0 + CELSIUS_K
    plateau[np.ix_(hot_rings, range(10, 15))] = 63.0 + CELSIUS_K
    history = np.where(on, plateau[None], 37.0 + CELSIUS_K)
    omega = arrhenius_omega(times, history, parameters="henriques_moritz_1947")
    rings = readout_rings(DERMAL_GRID, DERMAL_CDF, 20_000)
    pooled, _ = readout_maps(times, history, omega, history.max(axis=0), DERMAL_GRID, rings=rings)
    read = {"dermis_top_m": 70e-6, "dermis_bottom_m": 800e-6}
    return (
        dermal_injury(omega, DERMAL_GRID, **read),
        dermal_injury(omega, DERMAL_GRID, readout_omega=pooled, **read),
        omega,
    )


def test_a_hot_axis_ring_does_not_make_a_dermal_band():
    """QA5 finding 18: the band of Ω ≥ 1 was read on the axis ring (0.04 % of the beam), so a hot axis cell made a
    [283, 364] µm band with one seed and none with the others. Read over the axis region (rings 0-10), a 63 °C axis
    ring in a 57 °C dermis pools to 57 + 6/121 °C: no band."""
    per_cell, pooled, omega = _dermal([0])
    assert omega[0, 12] > 1.0 > omega[1, 12]  # the case: Ω ≥ 1 in the axis ring alone
    assert per_cell.depth_range_um == pytest.approx((200.0, 300.0), abs=10.0)  # the old read-out: the hot rows
    assert pooled.depth_range_um is None
    assert pooled.volume_mm3 == per_cell.volume_mm3  # the volume: summed per cell (the noise averages in the sum)


def test_a_hot_region_of_meaningful_area_still_makes_the_dermal_band():
    per_cell, pooled, _ = _dermal(list(range(16)))  # 63 °C over 16 rings (11 % of the beam)
    assert pooled.depth_range_um == pytest.approx(per_cell.depth_range_um, rel=1e-12)
    assert pooled.depth_range_um == pytest.approx((200.0, 300.0), abs=10.0)  # within half a cell (interpolated)


def _response(hot_rings, rings):
    """A :class:`ThermalResponse` whose rise per joule is the ``_dermal`` plateau (1 J: 57 °C in the band, 63 °C in
    ``hot_rings``), on DERMAL_GRID, read over ``rings``."""
    from laserskin.pipeline.response import SkinGeometry, ThermalResponse

    times = np.linspace(0.0, 1.5, 31)
    on = ((times > 0.2) & (times < 1.2))[:, None, None]
    rise = np.zeros((DERMAL_GRID.nr, DERMAL_GRID.nz))
    rise[:, 10:15] = 20.0
    rise[np.ix_(hot_rings, range(10, 15))] = 26.0
    geometry = SkinGeometry(("epidermis", "dermis"), (70e-6, 800e-6), 70e-6, 800e-6, "III")
    return ThermalResponse(
        grid=DERMAL_GRID,
        times_s=times,
        base_K=np.full((times.size, DERMAL_GRID.nr, DERMAL_GRID.nz), 37.0 + CELSIUS_K),
        rise_per_J=np.where(on, rise[None], 0.0),
        nociceptor_base_K=np.full(times.size, 37.0 + CELSIUS_K),
        nociceptor_rise_per_J=np.zeros(times.size),
        geometry=geometry,
        readout_rings=rings,
    )


def test_the_planner_target_band_reads_the_axis_region():
    """The planner's dermal remodelling target (Ω ≥ 1 band ≥ 100 µm on the axis, ``FastEvaluator.band_um``) reads the
    same axis region as ``dermal_injury_depth_um`` (QA5 #18): a hot axis ring alone gives no band, a hot region the
    five hot rows (100 µm)."""
    from laserskin.planning.optimise import FastEvaluator

    rings = readout_rings(DERMAL_GRID, DERMAL_CDF, 20_000)
    assert FastEvaluator(_response([0], None)).band_um(1.0, 1) == pytest.approx(100.0)  # per ring: the old read-out
    assert FastEvaluator(_response([0], rings)).band_um(1.0, 1) == 0.0
    assert FastEvaluator(_response(list(range(16)), rings)).band_um(1.0, 1) == pytest.approx(100.0)
