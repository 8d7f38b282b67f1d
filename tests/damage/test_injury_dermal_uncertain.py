"""QA6 finding 11: the dermal injury band (``dermal_injury_depth_um``) is reported only where Henriques Ω ≥ 1 holds with
the Monte Carlo error of the axis read-out taken into account, so it does not flip with the seed near Ω = 1.

The error model: the axis read-out region holds N ≈ 1000 expected launched photons, and its temperature rise has a
relative standard error s = 1/√N (:func:`laserskin.damage.injury.readout_relative_error`). The band is reported where
Ω ≥ 1 at the rise × (1 − 2 s); the zone where Ω ≥ 1 at the rise × (1 + 2 s) is ``dermal_injury_possible_depth_um``.
Measured on the QA case (smoothbeam_1450 preset, 52 F type III cheek, 20 000 photons, N = 1152, seeds 1-16): the
axis region's peak rise scatters by 2.3-3.0 % between seeds over the dermis (3.0 % at the band depth), 1/√N = 2.95 %.
Before: [264, 341] µm with seed 1, null with seeds 2-4; now null with seeds 1-5 (possible band: seeds 1-4).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from laserskin.damage.injury import (
    READOUT_COVERAGE,
    dermal_injury,
    pooled_ring,
    readout_region_photons,
    readout_relative_error,
)
from laserskin.grid import RZGrid
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation

SEEDS = (1, 2, 3, 4, 5)
PHOTONS = 20_000  # the QA reproduction


def _grid() -> RZGrid:
    return RZGrid.uniform(nr=4, dr_m=1e-4, nz=10, dz_m=1e-4)


def test_relative_error_is_one_over_root_of_the_region_photons():
    grid = _grid()
    cdf = np.clip(grid.r_edges_m**2 / grid.r_edges_m[-1] ** 2, 0.0, 1.0)  # a flat top over the grid
    rings = np.array([0, 0, 1, 1])
    assert readout_region_photons(cdf, 1000, rings) == pytest.approx(250.0)
    assert readout_relative_error(cdf, 1000, rings) == pytest.approx(1.0 / math.sqrt(250.0))
    assert readout_relative_error(cdf, 1000, None, ring=3) == pytest.approx(1.0 / math.sqrt(1000 * 7 / 16))


def test_a_band_within_the_error_is_only_possible_and_a_band_beyond_it_is_reported():
    grid = _grid()
    omega = np.zeros((grid.nr, grid.nz))
    omega[0, 3:6] = 2.0  # nominal band: rows 3-5
    low, high = np.zeros(grid.nz), np.zeros(grid.nz)
    high[2:7] = 2.0  # reached within the error: rows 2-6
    kw = {"dermis_top_m": 1e-4, "dermis_bottom_m": 9e-4}
    within = dermal_injury(omega, grid, axis_omega_bounds=(low, high), relative_error=0.03, **kw)
    assert within.depth_range_um is None and within.grade == "none" and within.dermis_fraction == 0.0
    assert within.possible_range_um == pytest.approx((200.0, 700.0))
    assert within.relative_error == 0.03
    low[4] = 1.5  # Ω ≥ 1 holds at the lower bound: the nominal band stands
    beyond = dermal_injury(omega, grid, axis_omega_bounds=(low, high), relative_error=0.03, **kw)
    assert beyond.depth_range_um == pytest.approx((300.0, 600.0))
    assert beyond.grade == "partial thickness"
    plain = dermal_injury(omega, grid, **kw)  # no error given: as before, possible = the band
    assert plain.depth_range_um == plain.possible_range_um == pytest.approx((300.0, 600.0))


def _simulation(seed: int, fluence: str | None = None) -> Simulation:
    laser = {"device": "smoothbeam_1450"} | ({"fluence": fluence} if fluence else {})
    spec = scenario_from_dict(
        {
            "person": {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
            "laser": laser,
            "transport": {"photons": PHOTONS, "seed": seed},
        }
    )
    return Simulation.from_scenario(spec, progress=None)


@pytest.fixture(scope="module")
def preset_runs():
    """Per seed: the summary and the axis region's peak rise at the depth of the hottest dermal axis cell."""
    out = {}
    for seed in SEEDS:
        simulation = _simulation(seed)
        _, source, grid = simulation.transport()
        response, _ = simulation.thermal_response(source, grid)
        rise = simulation.pulse_energy_J() * pooled_ring(response.rise_per_J, grid, response.readout_rings, axis=1)
        summary = simulation.run(grid_warning=False).summary  # the transport and the base run are cached
        out[seed] = (summary, rise.max(axis=0))
    return out


@pytest.mark.slow
def test_the_preset_band_does_not_flip_with_the_seed(preset_runs):
    """The QA case: the key is the same (null) for seeds 1-5; the band Ω ≥ 1 possibly reaches is stated apart.

    Statistic behind it: a seed reports a band only where its rise exceeds the rise at Ω = 1 by 2 s; the preset's
    axis Ω peaks ~0.5 (seeds 2-5: 0.19-0.52, seed 1: 1.3, +1 s), so a flip needs a ≳ 3 s excursion (~0.1 % per
    seed). The error model itself is checked: the scatter of the axis rise over the seeds is within the 99 %
    chi-square interval of s (4 degrees of freedom)."""
    keys = [preset_runs[seed][0]["dermal_injury_depth_um"] for seed in SEEDS]
    assert keys == [None] * len(SEEDS), keys
    for seed in SEEDS:
        summary = preset_runs[seed][0]
        assert summary["dermal_injury"] == "none" and summary["dermal_injury_fraction"] == 0.0
        possible = summary["dermal_injury_possible_depth_um"]  # seeds 1-4: ~[210-240, 355-403] µm; seed 5: none
        assert possible is None or 59.9 < possible[0] < possible[1]  # in the dermis (59.9-1610 µm)
        assert summary["dermal_injury_mc_relative_error"] == pytest.approx(1.0 / math.sqrt(1152.0), rel=0.01)
    s = preset_runs[1][0]["dermal_injury_mc_relative_error"]
    peaks = np.array([preset_runs[seed][1] for seed in SEEDS])
    row = int(np.argmax(peaks.mean(axis=0)))
    relative_sd = peaks[:, row].std(ddof=1) / peaks[:, row].mean()
    dof = len(SEEDS) - 1
    low, high = (math.sqrt(stats.chi2.ppf(q, dof) / dof) for q in (0.005, 0.995))
    assert low * s <= relative_sd <= high * s, (relative_sd, s)


@pytest.mark.slow
def test_a_clearly_injuring_setting_keeps_its_band():
    """16 J/cm² (band bottom ~510-530 µm): Ω ≥ 1 holds far beyond the error, so every seed reports its band, inside
    its possible band; two seeds' bottoms agree within the shift of the bottom under the error: the bottom moves by
    Δ = possible − band for a rise 2 s higher, and two independent estimates differ by √2 s (1 standard error:
    √2 Δ / 2; the tolerance is 2 standard errors, √2 Δ)."""
    bands = []
    for seed in (1, 2):
        summary = _simulation(seed, "16 J/cm^2").run(grid_warning=False).summary
        band, possible = summary["dermal_injury_depth_um"], summary["dermal_injury_possible_depth_um"]
        assert band is not None and possible is not None
        assert possible[0] <= band[0] and band[1] <= possible[1]
        assert summary["dermal_injury"] == "partial thickness"
        bands.append((band, possible[1] - band[1], band[0] - possible[0]))
    (first, shift_bottom, shift_top), (second, _, _) = bands
    assert 0.0 < shift_bottom < 100.0 and 0.0 <= shift_top < 100.0  # a statement, not a free pass
    assert abs(first[1] - second[1]) <= math.sqrt(2.0) * shift_bottom
    assert abs(first[0] - second[0]) <= math.sqrt(2.0) * shift_top
    assert READOUT_COVERAGE == 2.0
