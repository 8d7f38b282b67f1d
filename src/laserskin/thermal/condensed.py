"""Exact re-use of a factorisation when a heat matrix changes only near the surface (static condensation).

The non-linear heat solver (:mod:`laserskin.thermal.enthalpy`) factorises a new matrix
``A = C + (γ/2) Δt (L + G)`` (capacity ``C``, operator ``L``, pin conductances ``G`` of the boiling cells)
whenever a cell starts or stops boiling or dries: every release attempt of a boiling step and every step
after vaporisation changed a cell's water. Those changes sit in the rows of the cells near the surface or
the crater floor; the deep tissue's rows stay as they were for many steps. On a 100 × 250 r–z grid a full
SuperLU factorisation costs ~75 ms, so the heat stage of a boiling run spends most of its time there.

Method (block elimination, static condensation; Saad 2003, *Iterative Methods for Sparse Linear Systems*,
2nd ed., §14.2 "Direct solution and the Schur complement"; George 1973, SIAM J Numer Anal 10:345, for the
separator view). Split the cells into the *active* set ``R``, a box at the top and the axis (rows ``j < J`` of
the columns ``i < K``: where the matrix changes), and the *static* set ``I`` (all other cells)::

    [A_RR  A_RI] [x_R]   [b_R]
    [A_IR  A_II] [x_I] = [b_I]

With the five-point stencil ``A_RI`` couples only the box's bottom row and outer column to their static
neighbours (one entry each: an interface Γ of ``K + J`` cells, ``K`` where the box spans every column).
Eliminating ``x_I`` gives the Schur complement

    S = A_RR − A_RI A_II⁻¹ A_IR,      S x_R = b_R − A_RI A_II⁻¹ b_I,      A_II x_I = b_I − A_IR x_R,

which is the unique solution of the full system (block Gaussian elimination, no approximation). As long as
every entry in a row or column of ``I`` is unchanged, ``A_II``'s factor and the dense ``|Γ| × |Γ|`` interface
term ``X = A_RI A_II⁻¹ A_IR`` are those of the reference matrix and are re-used; per new matrix only ``S``
(the ``J K`` active unknowns, ``X`` added on Γ × Γ) is factorised, and each solve is two solves with
``A_II``'s factor and one with ``S``'s. The answer differs from the full factorisation's only by floating-point
round-off (a different order of the same eliminations; ``A`` is symmetric positive definite and diagonally
dominant, so neither elimination needs pivoting for stability): tests/thermal/test_condensed.py compares a
boiling run both ways to 1e-10 (they agree to ~1e-14), the 1450 nm benchmark case agrees to 5e-14.

Fallback: when an entry in a static row or column changed (a drying or boiling front, or the crater floor,
left the box; another step size), a new box is made around what changed since the last matrix (and the old
box), with a margin for the front's advance; when the box would hold more than half the cells (a new step
size changes every row), the matrix is factorised whole, as before. Matrices of fewer than :data:`MIN_CELLS`
unknowns are factorised whole, one radial column (a tridiagonal matrix) by LAPACK's LDLᵀ.

Measured (2-core machine, benchmarks/nonlinear.py, 1450 nm 30 J/cm² 50 ms × 3 on 100 × 250 cells): the enthalpy
stage's 298 factorisations (~75 ms each) became 26 whole ones, 5 splits (~0.3 s each: ``A_II``'s factor and
one solve per interface cell) and 266 condensed ones (~15-20 ms and ~3 ms more per solve).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from scipy.sparse.linalg import splu

__all__ = ["MIN_CELLS", "STATS", "CondensedFactorizer"]

#: Counters of the paths, summed over every :class:`CondensedFactorizer` of the process (benchmarks read
#: them): ``full`` whole-matrix factorisations, ``split`` new splits (a static factor and its interface built),
#: ``condensed`` factorisations of the active block only, ``tridiagonal`` LDLᵀ factorisations of one radial column.
STATS = {"full": 0, "split": 0, "condensed": 0, "tridiagonal": 0}

_PERMC = "MMD_AT_PLUS_A"
#: Matrices with fewer unknowns are factorised whole (the default of :class:`CondensedFactorizer`'s ``min_cells``).
MIN_CELLS = 12000


class _FullFactor:
    """A whole-matrix SuperLU factor (the plain path)."""

    __slots__ = ("lu",)

    def __init__(self, a: sp.csc_matrix) -> None:
        self.lu = splu(a, permc_spec=_PERMC)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        return self.lu.solve(rhs)


class _TridiagonalFactor:
    """LDLᵀ of a symmetric positive definite tridiagonal matrix (one radial column: LAPACK ``dpttrf``/``dpttrs``).

    The same elimination as SuperLU's on this matrix (no pivoting, no fill) in O(n) without its set-up: SuperLU
    spent ~5 ms per factorisation of a 1418-cell column, mostly allocating for fill that a tridiagonal matrix
    does not have.
    """

    __slots__ = ("d", "e")

    def __init__(self, a: sp.csc_matrix) -> None:
        d, e, info = lapack.dpttrf(a.diagonal(), a.diagonal(1))
        if info != 0:  # not positive definite (cannot happen for the heat matrices): the general path
            raise np.linalg.LinAlgError(f"dpttrf: info {info}")
        self.d, self.e = d, e

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        x, info = lapack.dpttrs(self.d, self.e, rhs)
        if info != 0:
            raise np.linalg.LinAlgError(f"dpttrs: info {info}")
        return x


class _Split:
    """The static part of a reference matrix split at depth row ``J``: ``A_II``'s factor and the interface."""

    def __init__(self, a: sp.csc_matrix, nr: int, nz: int, J: int, K: int) -> None:
        n = nr * nz
        cell = np.arange(n)
        active = (cell % nz < J) & (cell // nz < K)
        self.J, self.K = J, K
        self.uses = 0
        self.R = np.flatnonzero(active)
        self.I = np.flatnonzero(~active)
        self.indptr = a.indptr.copy()
        self.indices = a.indices.copy()
        # positions of the entries in a.data, by block (a matrix of positions sliced like a)
        pos = sp.csc_matrix((np.arange(1, a.nnz + 1, dtype=float), a.indices, a.indptr), shape=a.shape)
        cols = np.repeat(np.arange(n), np.diff(a.indptr))
        static = ~active[a.indices] | ~active[cols]
        self.static_pos = np.flatnonzero(static)
        self.static_data = a.data[self.static_pos].copy()

        def block(rows: np.ndarray, columns: np.ndarray) -> tuple[sp.csc_matrix, np.ndarray]:
            sub = pos[:, columns][rows, :].tocsc()
            sub.sort_indices()
            where = sub.data.astype(np.int64) - 1
            return sp.csc_matrix((a.data[where], sub.indices, sub.indptr), shape=sub.shape), where

        a_ii, _ = block(self.I, self.I)
        a_ri, _ = block(self.R, self.I)
        a_rr, self.rr_pos = block(self.R, self.R)
        self.a_ri = a_ri.tocsr()
        self.a_ir = a_ri.T.tocsr() if _symmetric(a) else block(self.I, self.R)[0].tocsr()
        self.lu_ii = splu(a_ii, permc_spec=_PERMC)
        # interface: the active cells coupled to static ones (the last active row) and X = A_RI A_II⁻¹ A_IR there
        gamma = np.flatnonzero(np.diff(self.a_ri.indptr))
        coupling = self.a_ir[:, gamma].toarray()
        # one right-hand side at a time: SuperLU solves several through BLAS level 3, whose threads crawl on a busy
        # machine (2.6 s for 100 columns on 2 loaded cores, against 0.16 s for 100 single solves)
        w = np.empty((self.I.size, gamma.size))
        for k in range(gamma.size):
            w[:, k] = self.lu_ii.solve(np.ascontiguousarray(coupling[:, k]))
        x = self.a_ri[gamma, :] @ w  # (|Γ|, |Γ|)
        # pattern of S = A_RR − X (X dense on Γ × Γ) and where A_RR's and X's entries go in S.data
        m = self.R.size
        rr_keys = np.repeat(np.arange(m), np.diff(a_rr.indptr)) * m + a_rr.indices
        gc, gr = np.meshgrid(gamma, gamma, indexing="ij")  # column-major: X[gr, gc]
        x_keys = (gc * m + gr).ravel()
        keys = np.union1d(rr_keys, x_keys)
        self.s_indices = (keys % m).astype(np.int32)
        self.s_indptr = np.searchsorted(keys, np.arange(m + 1) * m).astype(np.int32)
        self.s_rr = np.searchsorted(keys, rr_keys)
        self.s_x = np.searchsorted(keys, x_keys)
        self.x_values = np.ascontiguousarray(x.T).ravel()  # X[gr, gc] in x_keys order
        self.m = m

    def matches(self, a: sp.csc_matrix) -> bool:
        """Whether ``a`` has the reference's pattern and the same value in every static row and column."""
        return (
            a.nnz == self.indices.size
            and np.array_equal(a.indptr, self.indptr)
            and np.array_equal(a.indices, self.indices)
            and np.array_equal(a.data[self.static_pos], self.static_data)
        )

    def condense(self, a: sp.csc_matrix) -> _CondensedFactor:
        data = np.zeros(self.s_indices.size)
        data[self.s_rr] = a.data[self.rr_pos]
        data[self.s_x] -= self.x_values
        s = sp.csc_matrix((data, self.s_indices, self.s_indptr), shape=(self.m, self.m))
        return _CondensedFactor(self, splu(s, permc_spec=_PERMC))


class _CondensedFactor:
    """Solves with the static block's factor and the Schur complement's (see the module docstring)."""

    __slots__ = ("split", "lu_s", "shape")

    def __init__(self, split: _Split, lu_s: Any) -> None:
        self.split = split
        self.lu_s = lu_s
        n = split.R.size + split.I.size
        self.shape = (n, n)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        sp_ = self.split
        b_r = rhs[sp_.R]
        b_i = rhs[sp_.I]
        y_i = sp_.lu_ii.solve(b_i)
        x_r = self.lu_s.solve(b_r - sp_.a_ri @ y_i)
        x_i = sp_.lu_ii.solve(b_i - sp_.a_ir @ x_r)
        out = np.empty(rhs.shape[0])
        out[sp_.R] = x_r
        out[sp_.I] = x_i
        return out


def _tridiagonal(a: sp.csc_matrix) -> bool:
    """Whether ``a`` (sorted CSC) is symmetric and tridiagonal."""
    rows = a.indices
    cols = np.repeat(np.arange(a.shape[1]), np.diff(a.indptr))
    return bool(np.all(np.abs(rows - cols) <= 1)) and np.array_equal(a.diagonal(1), a.diagonal(-1))


def _symmetric(a: sp.csc_matrix) -> bool:
    t = a.T.tocsc()
    t.sort_indices()
    return (
        np.array_equal(t.indptr, a.indptr) and np.array_equal(t.indices, a.indices) and np.array_equal(t.data, a.data)
    )


class CondensedFactorizer:
    """Factors of a sequence of heat matrices on an (nr, nz) grid (flat index ``i_r * nz + i_z``).

    :meth:`factorise` returns an object with ``solve(rhs)`` for each matrix: from the reference split's static
    factor and a factorisation of the active block when only active rows changed (see the module docstring),
    else from a new split or a whole factorisation. Every choice depends on the matrices alone (not on timings),
    so a run gives the same numbers every time.

    A split costs about four whole factorisations (the static block's and one solve per interface cell) and
    saves about two thirds of one each time it is re-used, so: a new split is made only where the matrix changed
    in the top rows and inner columns alone (since the last matrix, and within the previous split's part), and
    after a split that was re-used fewer than ``min_reuse`` times (a crater floor that moves on every step), the
    next 1, 2, 4, … chances of a split are skipped (whole factorisations instead).

    Parameters
    ----------
    nr, nz : int
        The grid.
    margin_rows, margin_fraction : int, float
        Margin of the active part beyond the deepest row and the outermost column that changed when a split is
        (re)built: the larger of ``margin_rows`` and ``margin_fraction`` times the extent (room for the front's
        advance).
    max_active_fraction : float
        The largest share of the cells the active part may take; beyond it the matrix is factorised whole.
    min_cells : int, optional
        (Default :data:`MIN_CELLS`.) Smaller matrices are factorised whole: a whole factorisation is cheap there (one radial column; the
        fractional CO2 preset's 32 × 277 grid, whose moving crater floor re-used its splits 0-6 times and made the
        run ~15 % slower).
    min_reuse : int
        Re-uses below which a split did not pay (see above).
    enabled : bool
        ``False``: every matrix is factorised whole (the reference path the tests compare with).
    """

    def __init__(
        self,
        nr: int,
        nz: int,
        *,
        margin_rows: int = 8,
        margin_fraction: float = 0.25,
        max_active_fraction: float = 0.5,
        min_cells: int | None = None,
        min_reuse: int = 6,
        enabled: bool = True,
    ) -> None:
        self.nr, self.nz = nr, nz
        self.enabled = enabled
        self.min_cells = MIN_CELLS if min_cells is None else min_cells
        self.min_reuse = min_reuse
        self.margin_rows = margin_rows
        self.margin_fraction = margin_fraction
        self.max_active_fraction = max_active_fraction
        self.split: _Split | None = None
        self._last: sp.csc_matrix | None = None
        self._judged = False  # whether the current split's re-use was counted against the back-off
        self._backoff = 0
        self._wait = 0
        self.counts = {"full": 0, "split": 0, "condensed": 0, "tridiagonal": 0}
        self.splits: list[tuple[int, int, int]] = []  # (rows, columns, re-uses) of the active part of every split

    def _count(self, path: str) -> None:
        self.counts[path] += 1
        STATS[path] += 1

    def _extent_of_change(self, a: sp.csc_matrix) -> tuple[int, int]:
        """Deepest row and outermost column of the cells whose entries differ from the last matrix's (``(nz, nr)``
        if not comparable, ``(-1, -1)`` if equal)."""
        last = self._last
        if (
            last is None
            or last.nnz != a.nnz
            or not np.array_equal(last.indptr, a.indptr)
            or not np.array_equal(last.indices, a.indices)
        ):
            return self.nz, self.nr
        changed = np.flatnonzero(last.data != a.data)
        if changed.size == 0:
            return -1, -1
        cells = np.concatenate([a.indices[changed], np.searchsorted(a.indptr, changed, side="right") - 1])
        return int((cells % self.nz).max()), int((cells // self.nz).max())

    def remember(self, matrix: sp.spmatrix) -> None:
        """Note ``matrix`` as the last one (factorised elsewhere): the next split is sized by what changed since."""
        if self.enabled:
            a = sp.csc_matrix(matrix)
            a.sort_indices()
            self._last = a

    def _full(self, a: sp.csc_matrix) -> _FullFactor:
        self._count("full")
        return _FullFactor(a)

    def factorise(self, matrix: sp.spmatrix) -> Any:
        """A factor of ``matrix`` (symmetric positive definite, the grid's five-point pattern)."""
        a = sp.csc_matrix(matrix)
        a.sort_indices()
        if not self.enabled:
            return self._full(a)
        if self.nr == 1 and self.nz > 1 and _tridiagonal(a):
            try:
                factor = _TridiagonalFactor(a)
            except np.linalg.LinAlgError:
                return self._full(a)
            self._count("tridiagonal")
            return factor
        if a.shape[0] < self.min_cells:
            return self._full(a)
        try:
            split = self.split
            if split is not None and split.matches(a):
                split.uses += 1
                self._count("condensed")
                return split.condense(a)
            deepest, outermost = self._extent_of_change(a)
            J = deepest + 1 + max(self.margin_rows, int(self.margin_fraction * (deepest + 1)))
            K = outermost + 1 + max(self.margin_rows, int(self.margin_fraction * (outermost + 1)))
            if split is not None:  # the part that changes grows (drying, boiling fronts): keep the old one's
                J, K = max(J, split.J), max(K, split.K)
            J, K = min(max(J, 2), self.nz), min(max(K, 2), self.nr)
            if J * K > self.max_active_fraction * a.shape[0]:
                return self._full(a)
            if split is not None and not self._judged:
                self._judged = True
                self._backoff = 0 if split.uses >= self.min_reuse else max(1, 2 * self._backoff)
                self._wait = self._backoff
            if self._wait > 0:
                self._wait -= 1
                return self._full(a)
            if split is not None:
                self.splits.append((split.J, split.K, split.uses))
            self.split = split = _Split(a, self.nr, self.nz, J, K)
            self._judged = False
            self._count("split")
            return split.condense(a)
        finally:
            self._last = a
