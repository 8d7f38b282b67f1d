"""The enthalpy solver's LU factors follow the heat solver's memory rules (thermal/solver.py, docs/design.md).

Before: ``solve_enthalpy`` called SciPy's ``splu`` itself, on the caller's thread (SciPy frees SuperLU memory only
on the allocating thread, scipy/scipy#15921, which is why the solver makes every factor on one owner thread),
outside the solver's cache and its byte count. Now every factor is made on the owner thread; the untouched
tissue's operators (the same in every run) come from the solver's LRU cache, and a second run reproduces the first
to the last bit (tolerance 0: a cached factor is the factor of a matrix with exactly the same contents); the factors
of a changing operator are one-off and counted in ``peak_factor_bytes`` with ``solver.factor_bytes``.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from laserskin.grid import RZGrid
from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium, solver
from laserskin.thermal.enthalpy import BeerLambertSource, PhaseChangeParameters, solve_enthalpy
from laserskin.thermal.solver import clear_factorization_cache

BOTTOMS = (20e-6, 100e-6, 400e-6, 1.5e-3)


def _co2_column():
    """A 1 mm radius column with CO2-like absorption (≈ 800 /cm), two 1 ms pulses at 12 J/cm²: it boils and
    ablates, so its operator changes (one-off factors) after steps on the untouched operator (cached factors)."""
    grid = RZGrid.graded(
        r_max_m=1e-3,
        nr=1,
        z_max_m=BOTTOMS[-1],
        dz_surface_m=1e-6,
        dz_max_m=50e-6,
        growth=1.08,
        interfaces_m=BOTTOMS[:-1],
        fine_depth_m=150e-6,
    )
    medium = ThermalMedium.from_layers(
        grid, BOTTOMS, [0.24, 0.24, 0.45, 0.45], [1200] * 4, [3590, 3590, 3300, 3300], [0, 0, 0.00125, 0.00125]
    )
    index = grid.layer_index(BOTTOMS)
    water = np.array([350.0, 750.0, 650.0, 650.0])[index]
    mua = np.array([800e2, 800e2, 820e2, 820e2])[index]
    energy_J = 12.0 * 1e4 * math.pi * 1e-6
    power = Schedule.pulse_train([0.02, 0.12], 1e-3, energy_J / 1e-3)
    p = PhaseChangeParameters(dry_absorption_fraction=0.33, heat_of_ablation_J_per_m3=2.75e9)
    return solve_enthalpy(
        medium, water, BeerLambertSource(mua, [1.0]), power, SurfaceBoundary.resting_air(), 0.25, parameters=p
    )


def test_every_factor_is_made_on_the_owner_thread_and_the_untouched_ones_are_cached(monkeypatch):
    threads: list[str] = []
    splu = solver.splu

    def recording_splu(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return splu(*args, **kwargs)

    monkeypatch.setattr(solver, "splu", recording_splu)
    clear_factorization_cache()
    first = _co2_column()
    assert first.onset_reached and first.crater_depth_m[0] > 0  # the operator changed during the run
    assert len(threads) == first.n_factorizations > 0  # every factor through the solver's owner thread
    assert all(name.startswith("laserskin-lu") for name in threads)
    again = _co2_column()
    assert again.n_factorizations < first.n_factorizations  # the untouched tissue's factors came from the cache
    # (the initial steady state, counted by the solve, also comes from the cache: one made fewer than counted)
    assert len(threads) == first.n_factorizations + again.n_factorizations - 1
    assert all(name.startswith("laserskin-lu") for name in threads)
    for name in ("times_s", "final_temperature_K", "peak_temperature_K", "crater_depth_m", "water_fraction"):
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    assert first.energy == again.energy
    clear_factorization_cache()


def test_the_solves_own_factors_are_counted_as_superlu_allocates_them():
    clear_factorization_cache()
    result = _co2_column()
    n = result.grid.nr * result.grid.nz
    one = solver.factor_bytes(n, 1, 0)  # the smallest factor of this size (its int arrays alone)
    assert result.peak_factor_bytes > one
    # at most every factor made (and the cached ones it holds) at once, each counted at SuperLU's fill bound
    assert result.peak_factor_bytes <= (result.n_factorizations + 64) * solver.factor_bytes(n, 7 * n, 0)
    clear_factorization_cache()
