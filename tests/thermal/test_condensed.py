"""Static condensation of the heat matrices (laserskin.thermal.condensed) gives the full factorisation's answer.

The condensed path solves the same linear systems by block elimination (the deep tissue's factor re-used, the
rows near the surface factorised anew with the Schur complement of the deep block): only the round-off differs
from a whole SuperLU factorisation, so a boiling run must agree with the plain path to ~1e-10 relative in every
temperature and ledger item, and a change that reaches the re-used block must not re-use it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from laserskin.grid import RZGrid
from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium, condensed, enthalpy
from laserskin.thermal.condensed import CondensedFactorizer
from laserskin.thermal.enthalpy import BeerLambertSource, FixedSource, solve_enthalpy
from laserskin.thermal.operator import Operator
from laserskin.thermal.solver import clear_factorization_cache
from laserskin.thermal.stepping import D_STAGE

BOTTOMS = (20e-6, 100e-6, 1.5e-3, 4e-3)


def _medium(nr=16):
    grid = RZGrid.graded(
        r_max_m=3e-3, nr=nr, z_max_m=BOTTOMS[-1], dz_surface_m=10e-6, dz_max_m=100e-6, growth=1.1,
        interfaces_m=BOTTOMS[:-1],
    )  # fmt: skip
    medium = ThermalMedium.from_layers(
        grid, BOTTOMS, [0.24, 0.37, 0.45, 0.2], [1100] * 3 + [900], [3590, 3600, 3300, 2300], [0, 0, 0.00125, 0.0005]
    )
    water = np.array([150.0, 700.0, 650.0, 150.0])[grid.layer_index(BOTTOMS)]
    return grid, medium, water


def _boiling_run(monkeypatch, condense: bool):
    """Two 1450 nm-like pulses (30 J/cm², 20 ms, 1/e depth 350 µm) on a 1.5 mm radius: the surface layer boils and
    dries during both pulses and goes on vaporising after them."""
    monkeypatch.setattr(enthalpy, "CONDENSE", condense)
    monkeypatch.setattr(condensed, "MIN_CELLS", 0)  # the test grid is small
    grid, medium, water = _medium()
    r, z = np.meshgrid(grid.r_centers_m, grid.z_centers_m, indexing="ij")
    source = np.where(r < 1.5e-3, 1.0, 0.0) * np.exp(-z / 0.35e-3)
    source = source / (source * grid.cell_volume_m3).sum()
    energy_J = 30e4 * math.pi * 1.5e-3**2
    clear_factorization_cache()  # the base operator's factors would come from the first run's in the second
    before = dict(condensed.STATS)
    result = solve_enthalpy(
        medium,
        water,
        FixedSource(source),
        Schedule.pulse_train([0.0, 0.1], 0.02, energy_J / 0.02),
        SurfaceBoundary.resting_air(),
        0.2,
    )
    used = {path: condensed.STATS[path] - before[path] for path in before}
    return result, used


def test_condensed_boiling_run_matches_full_factorisations(monkeypatch):
    full, full_paths = _boiling_run(monkeypatch, condense=False)
    fast, fast_paths = _boiling_run(monkeypatch, condense=True)
    assert full_paths["split"] == full_paths["condensed"] == 0
    assert fast_paths["condensed"] > 2 * fast_paths["split"] > 0  # the re-use happened, and often
    assert fast.onset_reached and fast.n_boiling_steps > 10
    assert fast.n_steps == full.n_steps and fast.n_factorizations == full.n_factorizations
    assert fast.n_boiling_steps == full.n_boiling_steps
    for name in ("final_temperature_K", "peak_temperature_K", "vaporised_water_kg_per_m3", "water_fraction"):
        a, b = getattr(fast, name), getattr(full, name)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * np.abs(b).max(), err_msg=name)
    assert np.array_equal(fast.removed, full.removed)
    for item in ("deposited_J", "stored_change_J", "surface_loss_J", "deep_loss_J", "perfusion_loss_J", "vapour_J"):
        a, b = getattr(fast.energy, item), getattr(full.energy, item)
        assert a == pytest.approx(b, rel=1e-10, abs=1e-10 * full.energy.deposited_J), item
    assert abs(fast.energy.residual_J) < 1e-9 * fast.energy.deposited_J


def _step_matrix(op: Operator, dt: float, pinned: np.ndarray) -> sp.csc_matrix:
    """The enthalpy solver's matrix for one step with the cells ``pinned`` held at the boiling point."""
    lm = op.matrix(10.0)
    g_pin = np.where(pinned.ravel(), 1e9 * (op.capacity_J_per_K / dt + np.abs(lm.diagonal())), 0.0)
    return ((lm + sp.diags(g_pin)) * (D_STAGE * dt) + sp.diags(op.capacity_J_per_K)).tocsc()


def _check(factor, a: sp.csc_matrix, rng) -> None:
    b = rng.random(a.shape[0]) * 1e3
    exact = splu(a, permc_spec="MMD_AT_PLUS_A").solve(b)
    np.testing.assert_allclose(factor.solve(b), exact, rtol=1e-12, atol=1e-12 * np.abs(exact).max())


def test_changes_near_the_surface_reuse_the_deep_factor_and_deeper_ones_fall_back():
    grid, medium, _ = _medium(nr=12)
    op = Operator(medium)
    nr, nz = grid.nr, grid.nz
    rng = np.random.default_rng(7)
    pinned = np.zeros((nr, nz), dtype=bool)
    factorizer = CondensedFactorizer(nr, nz, min_cells=0, margin_rows=4, margin_fraction=0.0, min_reuse=1)

    def step(expected_path: str, dt: float = 1e-3):
        before = dict(factorizer.counts)
        a = _step_matrix(op, dt, pinned)
        factor = factorizer.factorise(a)
        taken = [path for path in before if factorizer.counts[path] != before[path]]
        assert taken == [expected_path]
        _check(factor, a, rng)

    step("full")  # nothing to compare with: factorised whole
    pinned[:3, :2] = True
    step("split")  # changed rows 0-1 in columns 0-2: the active part is rows < 6, columns < 7
    split = factorizer.split
    assert split is not None and (split.J, split.K) == (6, 7)
    pinned[:3, :4] = True
    pinned[0, 0] = False
    step("condensed")  # within the active part: the deep factor re-used
    pinned[1, 5] = True
    step("condensed")
    assert factorizer.split is split and split.uses == 2
    pinned[2, 9] = True  # a change in a static row (the front passed row 6): a new, deeper split
    step("split")
    assert factorizer.split is not split and factorizer.split.J >= 10 and factorizer.split.K >= 7
    step("full", dt=2e-3)  # another step size changes every row: factorised whole, the split is kept
    step("condensed")  # back to the split's step size, nothing changed in its static part
    pinned[:, nz - 1] = True  # the deepest row: the active part would be the whole grid
    step("full")


def _ablating_column(monkeypatch, condense: bool):
    """Er:YAG-like: 10 J/cm² in 250 µs, twice, absorbed within microns (Beer–Lambert from the moving floor)."""
    monkeypatch.setattr(enthalpy, "CONDENSE", condense)
    grid = RZGrid.uniform(nr=1, dr_m=1e-3, nz=300, dz_m=1e-6)
    medium = ThermalMedium.from_layers(grid, (300e-6,), [0.45], [1100], [3300], [0.0])
    source = BeerLambertSource(np.full(grid.nz, 1.2e6), np.array([1.0]))
    energy_J = 10e4 * math.pi * 1e-6
    clear_factorization_cache()
    before = dict(condensed.STATS)
    result = solve_enthalpy(
        medium, 650.0, source, Schedule.pulse_train([0.0, 0.01], 250e-6, energy_J / 250e-6), SurfaceBoundary.resting_air(),
        0.02,
    )  # fmt: skip
    return result, {path: condensed.STATS[path] - before[path] for path in before}


def test_one_column_tridiagonal_factors_match_superlu(monkeypatch):
    full, full_paths = _ablating_column(monkeypatch, condense=False)
    fast, fast_paths = _ablating_column(monkeypatch, condense=True)
    assert full_paths["tridiagonal"] == 0 and fast_paths["full"] == 0 and fast_paths["tridiagonal"] > 20
    assert fast.removed.any() and np.array_equal(fast.removed, full.removed)
    np.testing.assert_allclose(fast.crater_depth_m, full.crater_depth_m, rtol=0, atol=0)
    for name in ("final_temperature_K", "peak_temperature_K", "water_fraction"):
        a, b = getattr(fast, name), getattr(full, name)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * np.abs(b).max(), err_msg=name)
    for item in ("deposited_J", "stored_change_J", "surface_loss_J", "vapour_J", "ablated_J"):
        a, b = getattr(fast.energy, item), getattr(full.energy, item)
        assert a == pytest.approx(b, rel=1e-9, abs=1e-10 * full.energy.deposited_J), item
    assert abs(fast.energy.residual_J) < 1e-9 * fast.energy.deposited_J
