"""The absorbed-energy tallies kept per group of batches (the Monte Carlo error of linear read-outs, issue 10 item 3).

The groups are consecutive batches with their own random streams; they add up to the run's map (float32 rounding,
relative 1e-6 of the largest cell), do not depend on the thread count, survive the disk cache bit for bit, and a
read-out's relative error over them is the batch standard error of the ratio estimator (checked exactly against
the run's own per-batch standard error of the absorbed fraction where one group is one batch).
"""

import numba
import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, simulate_transport, statistics
from laserskin.transport.cache import simulate_transport_cached

SLAB = LayerStack(layers=(OpticalLayer(n=1.0, mua="10 1/cm", mus="90 1/cm", g=0.75, thickness="0.02 cm"),))
# wide and deep enough that every absorbed photon is tallied in the map
GRID = RZGrid.uniform(nr=30, dr_m=1e-3, nz=20, dz_m=1e-5)


def test_groups_add_up_to_the_map_and_their_photons_to_the_run():
    result = simulate_transport(SLAB, GRID, Beam(kind="pencil"), 5000, 3)
    groups = result.absorbed_by_group_per_J
    assert groups.shape == (statistics.TALLY_GROUPS, GRID.nr, GRID.nz) and groups.dtype == np.float32
    assert result.photons_by_group.sum() == 5000
    total = result.absorbed_energy_density_per_J
    assert np.abs(groups.astype(float).sum(axis=0) - total).max() <= 1e-6 * total.max()


def test_a_read_out_error_over_the_groups_is_the_batch_standard_error():
    result = simulate_transport(SLAB, GRID, Beam(kind="pencil"), 3200, 5)  # 32 batches: one group each
    assert result.absorbed_outside_grid_fraction == 0.0
    absorbed = (result.absorbed_by_group_per_J.astype(float) * GRID.cell_volume_m3).sum(axis=(1, 2))
    relative = statistics.relative_error_from_groups(absorbed, result.photons_by_group)
    assert relative == pytest.approx(result.absorbed_fraction_stderr / result.absorbed_fraction, rel=1e-5)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 threads")
def test_groups_do_not_depend_on_threads_and_survive_the_cache(tmp_path):
    beam = Beam(kind="pencil")
    one = simulate_transport(SLAB, GRID, beam, 2000, 11, threads=1)
    two = simulate_transport_cached(SLAB, GRID, beam, 2000, 11, threads=2, cache_dir=tmp_path)
    again = simulate_transport_cached(SLAB, GRID, beam, 2000, 11, threads=1, cache_dir=tmp_path)  # a cache hit
    for result in (two, again):
        assert np.array_equal(result.absorbed_by_group_per_J, one.absorbed_by_group_per_J)
        assert np.array_equal(result.photons_by_group, one.photons_by_group)


def test_group_count_follows_the_batches_and_the_memory_budget():
    assert statistics.tally_groups(5, 100).tolist() == [0, 1, 2, 3, 4]  # fewer batches: one group each
    many = statistics.tally_groups(100, 100)  # 10 million photons: 100 batches in 32 consecutive groups
    assert many[0] == 0 and many[-1] == 31 and np.all(np.diff(many) >= 0) and np.unique(many).size == 32
    cells = statistics.GROUP_TALLY_BYTES // (4 * 10)  # room for 10 groups
    assert np.unique(statistics.tally_groups(32, cells)).size == 10
    assert statistics.tally_groups(32, statistics.GROUP_TALLY_BYTES // 4).size == 0  # room for 1: none kept


def test_relative_error_from_groups_edge_cases():
    assert statistics.relative_error_from_groups(np.ones(8), np.full(8, 10)) == 0.0
    assert statistics.relative_error_from_groups(np.zeros(8), np.full(8, 10)) == np.inf
    assert np.isnan(statistics.relative_error_from_groups(np.ones(1), np.ones(1)))
    # two equal groups of one value each: se = sqrt(2/1 * ((1-2)^2 + (3-2)^2)) / 20 photons, relative to the mean 4/20
    assert statistics.relative_error_from_groups(np.array([1.0, 3.0]), np.array([10, 10])) == pytest.approx(0.5)


def test_a_grid_too_large_for_the_groups_keeps_none(monkeypatch):
    monkeypatch.setattr(statistics, "GROUP_TALLY_BYTES", 4 * GRID.nr * GRID.nz)  # room for one group only
    result = simulate_transport(SLAB, GRID, Beam(kind="pencil"), 500, 3)
    assert result.absorbed_by_group_per_J.shape[0] == 0 and result.photons_by_group.size == 0
    assert result.absorbed_energy_density_per_J.sum() > 0
    from laserskin.transport.result import TransportResult

    back = TransportResult.from_dataset(result.to_dataset())
    assert back.absorbed_by_group_per_J.shape[0] == 0 and back.photons_by_group.size == 0
