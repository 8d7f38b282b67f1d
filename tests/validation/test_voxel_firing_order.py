"""Validation of lattice sites fired in turn: the summed source Σ_k S_k(x) P_k(t) of the voxel heat
solver and the translated single-site absorbed map.

* (a) Sites fired 0 s apart are the simultaneous pattern (to the CG tolerance); a small interval δ
  changes no temperature by more than the heat a site puts into its hottest voxel in δ
  (max S · P · δ / ρc): shifting a pulse by δ moves at most that energy in time.
* (b) Sites fired far apart (interval ≫ the volume's relaxation time L²/α) each reach the peak of
  the same site fired alone (what is left of the earlier site's heat: e^{-interval·π²α/(4L²)}), to
  1e-6 K with CG solves to 1e-12.
* (c) Insulated, non-perfused tissue stores Σ_k (energy of site k's pulses) × (its absorbed
  fraction) (to the CG tolerance, 1e-12 here: 1e-6 of the stored energy), also with pulses of different sites overlapping in time.
* (d) Light transport is linear and translation-invariant in a layered volume: the Monte Carlo of
  one site translated to another equals a direct Monte Carlo there (per-layer absorbed fraction
  within 3 combined batch σ; the absorbed-energy centroid within 3 σ of its sampling error).
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.voxel_heat import VoxelThermalMedium, solve_voxel_bioheat
from laserskin.transport.beam import Beam
from laserskin.transport.voxel import Medium, VoxelSource, VoxelVolume, simulate_voxel_transport
from laserskin.transport.voxel_sites import firing_order, site_maps, translate_map

H = 10e-6
K = 0.5
RHO_C = 4.0e6
PULSE_S = 1e-3
POWER_W = 0.05
NX, NY, NZ = 24, 12, 10


def _medium():
    return VoxelThermalMedium(np.zeros((NX, NY, NZ), dtype=np.uint8), H, [K], [RHO_C], [0.0])


def _blob(ix: int) -> np.ndarray:
    """A Gaussian absorbed map per J (1/m³) centred on column (ix, NY/2), absorbing 0.5 of each J."""
    x = np.arange(NX)[:, None, None] - ix
    y = np.arange(NY)[None, :, None] - NY / 2 + 0.5
    z = np.arange(NZ)[None, None, :]
    field = np.exp(-(x**2 + y**2) / (2 * 2.0**2) - z / 3.0)
    return 0.5 * field / (field.sum() * H**3)


def _pulse(start_s: float, count: int = 1) -> Schedule:
    return Schedule.pulse_train(start_s + 2 * PULSE_S * np.arange(count), PULSE_S, POWER_W)


SITES = (_blob(6), _blob(17))


def test_raster_with_zero_interval_is_simultaneous():
    medium = _medium()
    together = solve_voxel_bioheat(medium, SITES[0] + SITES[1], _pulse(0.0), 5e-3)
    turn = solve_voxel_bioheat(medium, None, None, 5e-3, sources=[(s, _pulse(0.0)) for s in SITES])
    rise = float(together.peak_temperature_K.max() - together.initial_temperature_K.max())
    assert turn.peak_temperature_K == pytest.approx(together.peak_temperature_K, abs=1e-6 * rise)
    assert turn.temperature_K == pytest.approx(together.temperature_K, abs=1e-6 * rise)
    delta = 1e-3 * PULSE_S
    close = solve_voxel_bioheat(medium, None, None, 5e-3, sources=[(SITES[0], _pulse(0.0)), (SITES[1], _pulse(delta))])
    bound = float(SITES[1].max()) * POWER_W * delta / RHO_C
    assert np.abs(close.peak_temperature_K - together.peak_temperature_K).max() <= bound


def test_sites_far_apart_in_time_each_reach_the_isolated_peak():
    medium = _medium()  # top insulated (h = 0), bottom at the core temperature: relaxes in ~L²/α
    interval = 2.0  # L²/α = (100 µm)² / 1.25e-7 m²/s = 0.08 s; e^{-2·π²/4/0.08} ≈ 1e-27
    turn = solve_voxel_bioheat(
        medium,
        None,
        None,
        interval + 10 * PULSE_S,
        surface_h_W_per_m2K=0.0,
        sources=[(SITES[0], _pulse(0.0)), (SITES[1], _pulse(interval))],
        max_step_s=0.05,
        rtol=1e-12,
    )
    for k, site in enumerate(SITES):
        alone = solve_voxel_bioheat(medium, site, _pulse(0.0), 10 * PULSE_S, surface_h_W_per_m2K=0.0, rtol=1e-12)
        zone = np.zeros((NX, NY, NZ), dtype=bool)
        zone[: NX // 2] = k == 0
        zone[NX // 2 :] = k == 1
        peak_alone = float(alone.peak_temperature_K[zone].max())
        assert float(turn.peak_temperature_K[zone].max()) == pytest.approx(peak_alone, abs=1e-6)


def test_deposited_energy_is_the_pulses_times_the_absorbed_fraction():
    medium = _medium()
    maps = [_blob(5), translate_map(_blob(5), (7, 0)), translate_map(_blob(5), (14, 0))]
    order = firing_order([(5, 0), (12, 0), (19, 0)], "random", seed=3)
    pulses = 2
    sources = [(maps[i], _pulse(0.5 * PULSE_S * rank, pulses)) for rank, i in enumerate(order)]  # overlapping
    result = solve_voxel_bioheat(
        medium, None, None, 8e-3, sources=sources, surface_h_W_per_m2K=0.0, bottom="insulated", rtol=1e-12
    )
    expected = sum(POWER_W * PULSE_S * pulses * float(m.sum()) * H**3 for m in maps)
    assert result.deposited_J == pytest.approx(expected, rel=1e-9)
    assert result.stored_change_J == pytest.approx(expected, rel=1e-6)


def test_firing_orders():
    centres = [(0.0, 1.0), (1.0, 0.0), (0.0, 0.0), (1.0, 1.0)]
    assert firing_order(centres, "simultaneous") == [0, 1, 2, 3]
    assert firing_order(centres, "raster") == [2, 1, 0, 3]
    random = firing_order(centres, "random", seed=1)
    assert sorted(random) == [0, 1, 2, 3] and random == firing_order(centres, "random", seed=1)
    with pytest.raises(InputError):
        firing_order(centres, "spiral")


def _layered(inclusion: bool = False) -> VoxelVolume:
    h = 40e-6
    labels = np.zeros((30, 30, 10), dtype=np.uint8)
    labels[:, :, 3:] = 1
    media = [Medium("epidermis", 1.4, 50e2, 100e2, 0.8), Medium("dermis", 1.4, 20e2, 150e2, 0.8)]
    if inclusion:
        labels[20:24, :, 4:6] = 2
        media.append(Medium("vessel", 1.4, 200e2, 300e2, 0.9))
    return VoxelVolume(labels, h, tuple(media), n_above=1.0, n_below=1.4, layer_count=2)


def test_translated_map_equals_a_direct_monte_carlo_at_the_site():
    volume = _layered()
    beam = Beam(kind="flat_top", diameter="120 um")
    photons = 20_000
    maps, runs, method = site_maps(volume, beam, [(0.0, 0.0), (200e-6, 0.0)], photons, seed=5)
    assert method == "translate" and len(runs) == 1
    direct = simulate_voxel_transport(volume, VoxelSource.spot(beam, 200e-6, 0.0), photons, seed=11)
    h3 = volume.voxel_m**3
    translated = maps[1]
    layers = [translated[:, :, :3].sum() * h3, translated[:, :, 3:].sum() * h3]
    sigma = np.hypot(runs[0].absorbed_fraction_by_region_stderr[:2], direct.absorbed_fraction_by_region_stderr[:2])
    assert np.all(np.abs(np.array(layers) - direct.absorbed_fraction_by_region[:2]) <= 3 * sigma)
    x = np.arange(30)[:, None, None] * volume.voxel_m
    centroid = [float((f * x).sum() / f.sum()) for f in (translated, direct.absorbed_energy_density_per_J)]
    spread = float(
        np.sqrt(
            ((x - centroid[1]) ** 2 * direct.absorbed_energy_density_per_J).sum()
            / direct.absorbed_energy_density_per_J.sum()
        )
    )
    assert abs(centroid[0] - centroid[1]) <= 3 * np.sqrt(2) * spread / np.sqrt(photons)
    # an inclusion breaks translation symmetry: one run per site, or a refusal when asked to translate
    maps, runs, method = site_maps(_layered(True), beam, [(0.0, 0.0), (200e-6, 0.0)], 200, seed=5)
    assert method == "per-site" and len(runs) == 2
    with pytest.raises(InputError):
        site_maps(_layered(True), beam, [(0.0, 0.0), (200e-6, 0.0)], 100, seed=5, method="translate")
