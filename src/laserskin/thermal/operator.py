"""Finite-volume Pennes operator on the shared r–z grid (flat index i_r * nz + i_z).

Cell-centred finite volumes (second order in space on smooth grids); the conductance
between two cells is the harmonic mean of their half-cell resistances in series, so layer
jumps conserve flux. With ``M dT/dt = −L T + b`` the operator ``L(h)`` (W/K) holds the
conduction couplings, perfusion ω_b ρ_b c_b V, the deep boundary (core temperature on the
bottom face, a half-cell conductance 2k/Δz) and the surface conductance to the cooling
medium (half-cell 2k/Δz in series with 1/h), placed on the uppermost cell of each column.
The outer radius is insulated and r = 0 a symmetry line.

The non-linear solver (:mod:`laserskin.thermal.enthalpy`) builds the same operator with
per-cell conductivity, perfusion and capacity that change with dehydration, and with the
surface on the crater floor of each column (``floor_index``).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from laserskin.thermal.medium import ThermalMedium

__all__ = ["Operator"]


class Operator:
    """Finite-volume pieces of the Pennes operator on an RZGrid (flat index i_r * nz + i_z)."""

    def __init__(
        self,
        medium: ThermalMedium,
        *,
        conductivity_W_per_mK: np.ndarray | None = None,
        perfusion_W_per_m3K: np.ndarray | None = None,
        capacity_J_per_m3K: np.ndarray | None = None,
        floor_index: np.ndarray | None = None,
    ):
        """Assemble from ``medium``; the keyword arrays (nr, nz) override its k, ω_b ρ_b c_b and ρc,
        and ``floor_index`` (nr,) puts the surface boundary on cell ``floor_index[i]`` of column
        ``i`` (``nz``: no surface in that column) instead of on the top row."""
        grid = medium.grid
        nr, nz = grid.nr, grid.nz
        self.nr, self.nz, self.n = nr, nz, nr * nz
        k = medium.conductivity_W_per_mK if conductivity_W_per_mK is None else conductivity_W_per_mK
        perfusion = medium.perfusion_coefficient_W_per_m3K if perfusion_W_per_m3K is None else perfusion_W_per_m3K
        capacity = medium.volumetric_heat_capacity_J_per_m3K if capacity_J_per_m3K is None else capacity_J_per_m3K
        floor = np.zeros(nr, dtype=int) if floor_index is None else np.asarray(floor_index, dtype=int)
        dr = grid.dr_m
        dz = grid.dz_m
        volume = grid.cell_volume_m3
        ring = grid.ring_area_m2
        index = np.arange(self.n).reshape(nr, nz)

        rows, cols, vals = [], [], []

        def couple(a, b, g):
            rows.extend([a.ravel(), b.ravel(), a.ravel(), b.ravel()])
            cols.extend([a.ravel(), b.ravel(), b.ravel(), a.ravel()])
            vals.extend([g.ravel(), g.ravel(), -g.ravel(), -g.ravel()])

        if nr > 1:  # radial faces at r_edges[1:-1]
            face_area = 2.0 * np.pi * grid.r_edges_m[1:-1, None] * dz[None, :]
            g_r = face_area / (0.5 * dr / k[:-1, :] + 0.5 * dr / k[1:, :])
            couple(index[:-1, :], index[1:, :], g_r)
        if nz > 1:  # axial faces at z_edges[1:-1]
            g_z = ring[:, None] / (0.5 * dz[None, :-1] / k[:, :-1] + 0.5 * dz[None, 1:] / k[:, 1:])
            couple(index[:, :-1], index[:, 1:], g_z)
        self.perfusion_W_per_K = (perfusion * volume).ravel()
        self.deep_W_per_K = np.zeros(self.n)
        self.deep_W_per_K[index[:, -1]] = ring * 2.0 * k[:, -1] / dz[-1]
        # surface: series of half-cell conduction (per area) and 1/h, on each column's floor cell
        columns = np.flatnonzero(floor < nz)
        self.surface_cells = index[columns, floor[columns]]
        self.surface_area_m2 = ring[columns]
        self.surface_half_cell_W_per_m2K = 2.0 * k[columns, floor[columns]] / dz[floor[columns]]
        diag = self.perfusion_W_per_K + self.deep_W_per_K
        rows.append(np.arange(self.n))
        cols.append(np.arange(self.n))
        vals.append(diag)
        self.base = sp.csc_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self.n, self.n),
        )
        self.base.sum_duplicates()
        self.capacity_J_per_K = (capacity * volume).ravel()
        self.volume_m3 = volume.ravel()
        self._with_h: dict[float, sp.csc_matrix] = {}
        self._surface_full: dict[float, np.ndarray] = {}

    def surface_conductance(self, h: float) -> np.ndarray:
        """Surface conductance per ring with a surface (W/K), shape (nr,) unless columns are gone."""
        if h == 0.0:
            return np.zeros(self.surface_cells.size)
        if math.isinf(h):
            return self.surface_area_m2 * self.surface_half_cell_W_per_m2K
        kh = self.surface_half_cell_W_per_m2K
        return self.surface_area_m2 * h * kh / (h + kh)

    def surface_full(self, h: float) -> np.ndarray:
        if h not in self._surface_full:
            full = np.zeros(self.n)
            full[self.surface_cells] = self.surface_conductance(h)
            self._surface_full[h] = full
        return self._surface_full[h]

    def matrix(self, h: float) -> sp.csc_matrix:
        """Full operator L(h) (W/K): M dT/dt = −L T + b."""
        if h not in self._with_h:
            self._with_h[h] = (self.base + sp.diags(self.surface_full(h))).tocsc()
        return self._with_h[h]

    def face_temperature(self, t_cells: np.ndarray, h: float, medium_K: float) -> np.ndarray:
        """Temperature of the surface face for surface-cell temperatures ``t_cells`` (nr,)."""
        kh = self.surface_half_cell_W_per_m2K
        if math.isinf(h):
            return np.full_like(t_cells, medium_K)
        return (kh * t_cells + h * medium_K) / (kh + h)
