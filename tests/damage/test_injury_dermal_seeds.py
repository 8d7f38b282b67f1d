"""QA5 finding 18: the dermal injury band (Henriques Ω ≥ 1, ``dermal_injury_depth_um``) is read from the statistical
read-out map (rings pooled from the axis until each region holds READOUT_MIN_PHOTONS launched photons, Ω from the
pooled temperature; :func:`laserskin.damage.injury.readout_maps`), not from the axis ring, so it does not move with
the seed beyond the Monte Carlo tolerance of that region.

The tolerance, from the pooled statistics: a tally over N launched photons has a relative error 1/sqrt(N), i.e. the
rise of the axis region is known to (1 ± 1/sqrt(N)) — the same as a pulse energy known to that factor. So the band
at the energy × (1 ± k/sqrt(N)) brackets the band of another seed at k standard errors; two independent estimates
(two seeds, or a seed and the reference, whose axis region holds ~1000 photons too) differ by √2 of that.
k = 3. Case: the Smoothbeam-type 1450 nm preset (6 mm flat top, cryogen) on a 52 F type III cheek, 16 J/cm² (a band
of ~400 µm) and 10 J/cm² (none), 5000 photons, a coarse grid and 0.2 s of relaxation (seconds per run).
"""

from __future__ import annotations

import math

import pytest

from laserskin.damage.injury import dermal_injury
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation

PHOTONS = 5000
SEEDS = (1, 2, 3, 4)
K = 3.0  # standard errors
#: The band at 16 J/cm² on this grid with 200 000 photons, seed 1 (µm; seed 2: [137.2, 503.8]), this read-out.
REFERENCE_16_UM = (134.8, 518.5)


def _run(fluence: str, seed: int):
    """``(band, photons)``: ``band(factor)`` the dermal band (µm) at the pulse energy × ``factor`` (one transport and
    heat solve, the response is linear), ``photons`` the launched photons expected in the axis read-out region."""
    spec = scenario_from_dict(
        {
            "person": {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
            "laser": {"device": "smoothbeam_1450", "fluence": fluence},
            "transport": {"photons": PHOTONS, "seed": seed},
            "heat": {"relaxation": "0.2 s"},
            "grid": {"dz_surface": "10 um", "growth": 1.25, "dz_max": "100 um"},
        }
    )
    simulation = Simulation.from_scenario(spec, progress=None)
    _, source, grid = simulation.transport()
    response, _ = simulation.thermal_response(source, grid)
    geometry = response.geometry

    def band(factor: float = 1.0):
        outcome = response.evaluate(simulation.pulse_energy_J() * factor, spot_radius_m=3e-3)
        return dermal_injury(
            outcome.readout_omega_henriques,
            grid,
            dermis_top_m=geometry.junction_depth_m,
            dermis_bottom_m=geometry.dermis_bottom_m,
        ).depth_range_um

    launched = simulation.beam().launch_radius_cdf(grid.r_edges_m)[int((response.readout_rings == 0).sum())]
    return band, PHOTONS * launched


@pytest.fixture(scope="module")
def runs_16():
    return {seed: _run("16 J/cm^2", seed) for seed in SEEDS}


def test_the_dermal_band_agrees_between_seeds_within_the_pooled_tolerance(runs_16):
    """Before (axis ring): bands [170, 496], [190, 536], [140, 393], [111, 505] µm — the bottom 143 µm apart, ~10
    standard errors. Now [128, 526], [123, 530], [126, 511], [143, 516] µm (the region holds ~1060 photons, the
    tolerance below is ±39 µm at the top and ±63 µm at the bottom; the reference: [135, 518] µm)."""
    band, n0 = runs_16[1]
    assert n0 >= 1000  # the axis region's photons
    step = K * math.sqrt(2.0) / math.sqrt(n0)
    nominal, hot, cold = band(), band(1.0 + step), band(1.0 - step)
    top_tolerance, bottom_tolerance = (cold[0] - hot[0]) / 2.0, (hot[1] - cold[1]) / 2.0  # half the bracket
    assert 0.0 < top_tolerance < 50.0 and 0.0 < bottom_tolerance < 80.0  # a statement, not a free pass
    for seed in SEEDS:
        other = runs_16[seed][0]()
        assert other is not None
        assert abs(other[0] - nominal[0]) <= top_tolerance
        assert abs(other[1] - nominal[1]) <= bottom_tolerance
        assert abs(other[0] - REFERENCE_16_UM[0]) <= top_tolerance  # the high-photon reference
        assert abs(other[1] - REFERENCE_16_UM[1]) <= bottom_tolerance


def test_no_seed_reads_a_band_where_the_tolerance_holds_none():
    """10 J/cm²: no band even at the rise + 3√2 standard errors, so no seed may read one (before: the axis ring
    could; QA5 #18's 12 J/cm² preset is within the tolerance of Ω = 1 at 20 000 photons: see docs/tissue_physics.md)."""
    for seed in SEEDS:
        band, n0 = _run("10 J/cm^2", seed)
        assert band() is None and band(1.0 + K * math.sqrt(2.0) / math.sqrt(n0)) is None
