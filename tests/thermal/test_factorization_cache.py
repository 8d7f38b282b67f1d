"""The process-wide LU cache of the heat solver gives the numbers of fresh factorisations.

A cached factor is the SuperLU factor of a matrix with exactly the same contents, so a solve
that takes its factors from the cache must reproduce a solve that factorises everything itself
to the last bit (tolerance 0), and a matrix that differs in one value must not hit the cache.

The same holds for runs solved together (:func:`solve_bioheat_runs`, one SuperLU call per run with the step's factor):
each run's fields, probes, peaks, stored fields, observer calls and ledger equal its own :func:`solve_bioheat` exactly.
"""

import dataclasses
import gc
import threading

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.thermal import (
    Schedule,
    SurfaceBoundary,
    ThermalMedium,
    solve_bioheat,
    solve_bioheat_runs,
    solver,
    steady_state_temperature,
)
from laserskin.thermal.solver import clear_factorization_cache


class _Recorder:
    def __init__(self):
        self.calls = []

    def on_step(self, time_s, dt_s, old, new):
        self.calls.append((time_s, dt_s, old.copy(), new.copy()))


def _case():
    grid = RZGrid.graded(r_max_m=2e-3, nr=12, z_max_m=2e-3, dz_surface_m=10e-6, dz_max_m=100e-6, growth=1.2)
    medium = ThermalMedium.jiang2002(grid, [80e-6, 2e-3])
    r, z = grid.r_centers_m[:, None], grid.z_centers_m[None, :]
    source = 2 / (np.pi * 0.5e-3**2) * np.exp(-2 * r**2 / 0.5e-3**2) * 3000.0 * np.exp(-3000.0 * z)
    power = Schedule.pulse_train([0.01, 0.03], 2e-3, 20.0)
    surface = SurfaceBoundary(
        Schedule([0.005, 0.02], [10.0, 5000.0, 10.0]), Schedule([0.005, 0.02], [298.15, 250.0, 298.15])
    )
    return medium, source, power, surface


def _solve(medium, source, power, surface):
    recorder = _Recorder()
    result = solve_bioheat(medium, source, power, surface, 0.1, probes=[(0.0, 0.0)], observers=[recorder])
    return result, recorder


def test_cached_factors_reproduce_fresh_factorisations_exactly():
    medium, source, power, surface = _case()
    clear_factorization_cache()
    fresh, fresh_steps = _solve(medium, source, power, surface)
    assert fresh.n_factorizations > 2
    cached, cached_steps = _solve(medium, source, power, surface)  # same operators: all from the cache
    assert cached.n_factorizations == 0
    for name in (
        "times_s",
        "final_temperature_K",
        "peak_temperature_K",
        "probe_temperatures_K",
        "initial_temperature_K",
    ):
        assert np.array_equal(getattr(fresh, name), getattr(cached, name)), name
    assert fresh.energy == cached.energy
    for a, b in zip(fresh_steps.calls, cached_steps.calls):
        assert a[:2] == b[:2] and np.array_equal(a[3], b[3])
    # a medium with another conductivity somewhere: other matrices, factorised afresh
    changed = ThermalMedium(
        medium.grid,
        np.where(np.arange(medium.grid.nz) == 3, 0.5, medium.conductivity_W_per_mK),
        medium.volumetric_heat_capacity_J_per_m3K,
        medium.perfusion_per_s,
    )
    other, _ = _solve(changed, source, power, surface)
    assert other.n_factorizations == fresh.n_factorizations
    assert not np.array_equal(other.final_temperature_K, fresh.final_temperature_K)


def test_steady_state_from_the_cache_is_unchanged():
    medium = _case()[0]
    clear_factorization_cache()
    first = steady_state_temperature(medium)
    assert np.array_equal(first, steady_state_temperature(medium))


def test_factorise_matches_splu_and_keys_on_exact_contents():
    clear_factorization_cache()
    rng = np.random.default_rng(5)
    n = 60
    a = sp.random(n, n, density=0.08, random_state=rng, format="csc") + sp.diags(np.full(n, 4.0))
    b = rng.normal(size=n)
    lu, computed = solver.factorise(a)
    assert computed
    assert np.array_equal(lu.solve(b), splu(a.tocsc(), permc_spec="MMD_AT_PLUS_A").solve(b))
    again, computed = solver.factorise(a.tocsr())  # same contents in another format: a hit
    assert again is lu and not computed
    nudged = a.tocsc(copy=True)
    nudged.data[0] = np.nextafter(nudged.data[0], np.inf)
    _, computed = solver.factorise(nudged)
    assert computed


# a tridiagonal 200 x 200 factor is counted as SuperLU allocates it: 30 x 598 entries x 24 B + 7 x 200 ints
_TRIDIAGONAL_200_BYTES = 24 * 30 * 598 + 4 * (5 * 201 + 2 * 200)
_BUDGET = 3 * _TRIDIAGONAL_200_BYTES  # three such factors


def test_cache_stays_within_its_budget(monkeypatch):
    clear_factorization_cache()
    monkeypatch.setattr(solver, "FACTORIZATION_CACHE_BYTES", _BUDGET)
    n = 200
    for k in range(12):
        solver.factorise(sp.diags([np.full(n - 1, -1.0), np.full(n, 4.0 + k), np.full(n - 1, -1.0)], [-1, 0, 1]))
        assert solver._lu_cache_bytes <= _BUDGET
        assert solver._lu_cache_bytes == len(solver._lu_cache) * _TRIDIAGONAL_200_BYTES
    assert 0 < len(solver._lu_cache) < 12
    clear_factorization_cache()
    assert solver._lu_cache_bytes == 0 and not solver._lu_cache


class _TracedLU:
    """A real SuperLU factor that records the threads that made and freed it."""

    made: list = []
    freed: list = []

    def __init__(self, lu):
        self.lu, self.nnz, self.shape = lu, lu.nnz, lu.shape
        self.born = threading.get_ident()
        _TracedLU.made.append(self.born)

    def solve(self, rhs, trans="N"):
        return self.lu.solve(rhs, trans)

    def __del__(self):
        _TracedLU.freed.append((self.born, threading.get_ident()))


def _settle():
    """Wait until factors dropped so far are freed (they are freed on the solver's owner thread)."""
    owner = getattr(solver, "_owner_thread", None)
    if owner is not None:
        owner().submit(solver._release_dropped).result()


def test_factors_are_freed_on_the_thread_that_made_them(monkeypatch):
    # SciPy's SuperLU returns a factor's memory only when it is freed on the thread that
    # allocated it (thread-local allocation tracker, scipy/scipy#15921): the planner factorises
    # on short-lived worker threads and the cache evicts or is cleared on others, which leaked
    # ~1 GB per plan. Every factor must be freed, and on the thread that made it.
    monkeypatch.setattr(solver, "splu", lambda a, **kw: _TracedLU(splu(a, **kw)))
    monkeypatch.setattr(solver, "FACTORIZATION_CACHE_BYTES", _BUDGET)
    _TracedLU.made.clear()
    _TracedLU.freed.clear()
    clear_factorization_cache()
    n = 200

    def work(offset):
        for k in range(4):
            solver.factorise(
                sp.diags([np.full(n - 1, -1.0), np.full(n, 4.0 + offset + k), np.full(n - 1, -1.0)], [-1, 0, 1])
            )

    for offset in (0, 10, 20):  # short-lived worker threads, as the planner's thread pool
        thread = threading.Thread(target=work, args=(offset,))
        thread.start()
        thread.join()
    work(30)  # and the calling thread
    clear_factorization_cache()
    gc.collect()
    _settle()
    assert len(_TracedLU.made) == 16
    assert len(_TracedLU.freed) == 16, "factors still alive after the cache was cleared"
    wrong = [(born, freed) for born, freed in _TracedLU.freed if born != freed]
    assert not wrong, f"{len(wrong)} of 16 factors freed on another thread than the one that made them"


@pytest.fixture(autouse=True)
def _empty_cache_afterwards():
    yield
    clear_factorization_cache()


def _equal(a, b):
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.array_equal(a, b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return a == b


@pytest.mark.parametrize("order", [("base", "laser"), ("laser", "base", "half")])
def test_runs_together_equal_runs_alone_bit_for_bit(order):
    medium, source, power, surface = _case()
    sources = {"base": None, "laser": source, "half": 0.5 * source}
    options = dict(probes=[(0.0, 0.0), (0.2e-3, 0.1e-3)], store_times_s=[0.012, 0.05])
    alone = {}
    for label in order:
        recorder = _Recorder()
        result = solve_bioheat(medium, sources[label], power, surface, 0.1, observers=[recorder], **options)
        alone[label] = (result, recorder)
    recorders = [_Recorder() for _ in order]
    together = solve_bioheat_runs(
        medium, [sources[label] for label in order], power, surface, 0.1, observers=[[r] for r in recorders], **options
    )
    assert len(together) == len(order)
    for label, result, recorder in zip(order, together, recorders, strict=True):
        # n_factorizations counts what the process-wide LU cache did not hold yet: it depends on the order of the calls
        fields = [f.name for f in dataclasses.fields(result) if f.name not in ("grid", "n_factorizations")]
        differing = [name for name in fields if not _equal(getattr(result, name), getattr(alone[label][0], name))]
        assert differing == [], f"{label}: {differing}"
        assert len(recorder.calls) == len(alone[label][1].calls) == result.n_steps
        for (t, dt, old, new), (t_a, dt_a, old_a, new_a) in zip(recorder.calls, alone[label][1].calls, strict=True):
            assert (t, dt) == (t_a, dt_a)
            assert np.array_equal(old, old_a) and np.array_equal(new, new_a)
    assert (
        together[order.index("laser")].global_peak_temperature_K
        > together[order.index("base")].global_peak_temperature_K
    )


def test_runs_need_one_observer_list_per_source():
    medium, source, power, surface = _case()
    with pytest.raises(InputError, match="observers"):
        solve_bioheat_runs(medium, [None, source], power, surface, 0.1, observers=[[]])
    with pytest.raises(InputError, match="sources_per_J"):
        solve_bioheat_runs(medium, [], power, surface, 0.1)
