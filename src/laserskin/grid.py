"""Cylindrical r–z grid shared by the light-transport tallies and the heat solver.

One grid object serves both stages so that the absorbed energy density from the
Monte Carlo tally is the heat source cell for cell, with no interpolation. The
radial spacing is uniform (as in MCML, Wang, Jacques & Zheng 1995); the depth
spacing may be non-uniform: µm cells near the surface where melanin and cooling
act, coarser below, with every layer interface on a cell edge.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from laserskin.core.errors import InputError


@dataclass(frozen=True, eq=False)
class RZGrid:
    """Cell edges of an axisymmetric grid; z = 0 is the tissue surface, z points inward.

    Parameters
    ----------
    r_edges_m : array_like, shape (nr + 1,)
        Radial cell edges in m, starting at 0, strictly increasing, uniform spacing.
    z_edges_m : array_like, shape (nz + 1,)
        Depth cell edges in m, starting at 0, strictly increasing.
    """

    r_edges_m: np.ndarray
    z_edges_m: np.ndarray

    def __post_init__(self) -> None:
        r = np.ascontiguousarray(self.r_edges_m, dtype=np.float64)
        z = np.ascontiguousarray(self.z_edges_m, dtype=np.float64)
        for name, edges in (("r_edges_m", r), ("z_edges_m", z)):
            if edges.ndim != 1 or edges.size < 2:
                raise InputError(f"grid.{name}", edges.size, "at least two edges")
            if edges[0] != 0.0:
                raise InputError(f"grid.{name}", float(edges[0]), "the first edge at 0")
            if not np.all(np.diff(edges) > 0):
                raise InputError(f"grid.{name}", "non-increasing edges", "strictly increasing edges")
            if not np.all(np.isfinite(edges)):
                raise InputError(f"grid.{name}", "non-finite edge", "finite edges")
        dr = np.diff(r)
        if not np.allclose(dr, dr[0], rtol=1e-9, atol=0.0):
            raise InputError("grid.r_edges_m", "non-uniform spacing", "uniform radial spacing")
        r.setflags(write=False)
        z.setflags(write=False)
        object.__setattr__(self, "r_edges_m", r)
        object.__setattr__(self, "z_edges_m", z)

    # --- constructors -------------------------------------------------------------
    @classmethod
    def uniform(cls, *, nr: int, dr_m: float, nz: int, dz_m: float) -> RZGrid:
        """Uniform grid of ``nr`` × ``nz`` cells of size ``dr_m`` × ``dz_m``."""
        _check_positive("grid.nr", nr)
        _check_positive("grid.nz", nz)
        _check_positive("grid.dr", dr_m)
        _check_positive("grid.dz", dz_m)
        return cls(np.arange(nr + 1) * dr_m, np.arange(nz + 1) * dz_m)

    @classmethod
    def graded(
        cls,
        *,
        r_max_m: float,
        nr: int,
        z_max_m: float,
        dz_surface_m: float,
        dz_max_m: float,
        growth: float = 1.05,
        interfaces_m: Sequence[float] = (),
        fine_depth_m: float = 0.0,
    ) -> RZGrid:
        """Depth grid fine at the surface and growing geometrically below.

        Cells have size ``dz_surface_m`` down to ``fine_depth_m``; below they grow by
        ``growth`` per cell up to ``dz_max_m``. Every depth in ``interfaces_m``
        (layer boundaries) becomes a cell edge, and cells next to an interface are
        refined back towards ``dz_surface_m`` so steep property jumps are resolved.

        Parameters
        ----------
        r_max_m : float
            Outer radius of the grid in m.
        nr : int
            Number of uniform radial cells.
        z_max_m : float
            Depth of the grid in m.
        dz_surface_m, dz_max_m : float
            Smallest and largest depth cell in m.
        growth : float
            Ratio of neighbouring depth cells (> 1) away from the surface/interfaces.
        interfaces_m : sequence of float
            Depths that must be cell edges (layer boundaries), in m.
        fine_depth_m : float
            Depth down to which cells stay at ``dz_surface_m``.
        """
        _check_positive("grid.r_max", r_max_m)
        _check_positive("grid.nr", nr)
        _check_positive("grid.z_max", z_max_m)
        _check_positive("grid.dz_surface", dz_surface_m)
        if dz_max_m < dz_surface_m:
            raise InputError("grid.dz_max", dz_max_m, f">= dz_surface ({dz_surface_m})")
        if not growth >= 1.0:
            raise InputError("grid.growth", growth, ">= 1")
        anchors = sorted({0.0, z_max_m, *[float(z) for z in interfaces_m if 0.0 < z < z_max_m]})
        cells = _depth_cell_bound(z_max_m, dz_surface_m, dz_max_m, growth, fine_depth_m, len(anchors))
        if cells > MAX_DEPTH_CELLS:
            raise InputError(
                "grid",
                f"about {cells:.3g} depth cells (z_max {z_max_m:g} m, dz_surface {dz_surface_m:g} m, "
                f"dz_max {dz_max_m:g} m, growth {growth:g})",
                f"at most {MAX_DEPTH_CELLS} depth cells: a shallower grid, larger cells or growth > 1",
            )
        edges = [0.0]
        for top, bottom in zip(anchors[:-1], anchors[1:]):
            segment = _graded_segment(
                top, bottom, dz_surface_m, dz_max_m, growth, fine_depth_m, refine_bottom=bottom < z_max_m
            )
            edges.extend(segment[1:])
        r_edges = np.linspace(0.0, r_max_m, nr + 1)
        return cls(r_edges, np.asarray(edges))

    # --- geometry -----------------------------------------------------------------
    @property
    def nr(self) -> int:
        return self.r_edges_m.size - 1

    @property
    def nz(self) -> int:
        return self.z_edges_m.size - 1

    @property
    def dr_m(self) -> float:
        """Uniform radial cell size in m."""
        return float(self.r_edges_m[1] - self.r_edges_m[0])

    @cached_property
    def dz_m(self) -> np.ndarray:
        """Depth cell sizes in m, shape (nz,)."""
        return np.diff(self.z_edges_m)

    @cached_property
    def r_centers_m(self) -> np.ndarray:
        """Radial cell centres in m, shape (nr,)."""
        return 0.5 * (self.r_edges_m[1:] + self.r_edges_m[:-1])

    @cached_property
    def z_centers_m(self) -> np.ndarray:
        """Depth cell centres in m, shape (nz,)."""
        return 0.5 * (self.z_edges_m[1:] + self.z_edges_m[:-1])

    @cached_property
    def ring_area_m2(self) -> np.ndarray:
        """Area of each annulus π(r₂² − r₁²) in m², shape (nr,)."""
        return np.pi * np.diff(self.r_edges_m**2)

    @cached_property
    def cell_volume_m3(self) -> np.ndarray:
        """Volume of each annular cell in m³, shape (nr, nz)."""
        return np.outer(self.ring_area_m2, self.dz_m)

    @property
    def r_max_m(self) -> float:
        return float(self.r_edges_m[-1])

    @property
    def z_max_m(self) -> float:
        return float(self.z_edges_m[-1])

    def layer_index(self, layer_boundaries_m: Sequence[float] | np.ndarray) -> np.ndarray:
        """Layer number of each depth cell, shape (nz,).

        ``layer_boundaries_m`` are the depths of the bottoms of the layers (cumulative
        thicknesses). Cells below the last boundary get the last layer's index.
        """
        bottoms = np.asarray(layer_boundaries_m, dtype=float)
        index = np.searchsorted(bottoms, self.z_centers_m, side="right")
        return np.minimum(index, bottoms.size - 1)

    def digest(self) -> str:
        """Hash of the edges, for cache keys."""
        h = hashlib.sha256()
        h.update(self.r_edges_m.tobytes())
        h.update(b"|")
        h.update(self.z_edges_m.tobytes())
        return h.hexdigest()

    def to_dict(self) -> dict:
        """Plain description for provenance records."""
        return {
            "nr": self.nr,
            "nz": self.nz,
            "dr_m": self.dr_m,
            "r_max_m": self.r_max_m,
            "z_max_m": self.z_max_m,
            "dz_min_m": float(self.dz_m.min()),
            "dz_max_m": float(self.dz_m.max()),
            "digest": self.digest(),
        }


#: Most depth cells a grid may have: far above any skin grid (a few hundred to a few thousand),
#: low enough that a typo (a layer "1e9 m" thick, 1 nm cells) is refused before any allocation.
MAX_DEPTH_CELLS = 100_000


def _depth_cell_bound(z_max_m, dz_fine_m, dz_max_m, growth, fine_depth_m, n_anchors) -> float:
    """An upper bound of the number of depth cells :meth:`RZGrid.graded` makes (cheap, no loop)."""
    if growth <= 1.0 or dz_max_m <= dz_fine_m:
        return z_max_m / dz_fine_m
    growing = math.ceil(math.log(dz_max_m / dz_fine_m) / math.log(growth)) + 1
    return min(fine_depth_m, z_max_m) / dz_fine_m + 2 * n_anchors * growing + z_max_m / dz_max_m + 2 * n_anchors


def _check_positive(name: str, value: float) -> None:
    if not (value > 0):
        raise InputError(name, value, "> 0")


def _graded_segment(top, bottom, dz_fine, dz_max, growth, fine_depth, refine_bottom):
    """Edges from ``top`` to ``bottom``, fine at ``top`` (and at ``bottom`` if an interface)."""
    length = bottom - top
    fine_length = max(fine_depth - top, 0.0)
    if refine_bottom:
        sizes = _growing_sizes(length / 2.0, dz_fine, dz_max, growth, fine_length)
        bottom_fine = length / 2.0 if bottom <= fine_depth else 0.0
        sizes += _growing_sizes(length / 2.0, dz_fine, dz_max, growth, bottom_fine)[::-1]
    else:
        sizes = _growing_sizes(length, dz_fine, dz_max, growth, fine_length)
    edges = top + np.concatenate([[0.0], np.cumsum(sizes)])
    edges[-1] = bottom
    return list(edges)


def _growing_sizes(length, dz_fine, dz_max, growth, fine_length):
    """Cell sizes summing to ``length``: ``dz_fine`` over ``fine_length``, then growing."""
    sizes: list[float] = []
    total = 0.0
    dz = dz_fine
    while total < length * (1.0 - 1e-12):
        step = min(dz, length - total)
        if length - total - step < 0.5 * dz_fine:  # no sliver cell at the end
            step = length - total
        sizes.append(step)
        total += step
        if total >= fine_length:
            dz = min(dz * growth, dz_max)
    return sizes
