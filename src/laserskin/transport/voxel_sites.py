"""Lattice sites fired in turn: the firing order and each site's absorbed map.

A finite (``boundary = "escape"``) volume holding several lattice sites (microbeams of a
fractional laser, or full spots of a scanner: spacing below the spot diameter = overlap) fires
them ``simultaneous``-ly (today's behaviour), or one after another ``site_interval`` apart in
``raster`` order (row by row: increasing y, and along each row increasing x) or in a seeded
``random`` order.

Light transport is linear in the source, so the absorbed map of the whole pattern is the sum of
the maps of its sites, and a site's map needs its own Monte Carlo only where the volume is not
the same seen from every site. In a laterally uniform volume (every depth one medium: layers and
no inclusions, :func:`laterally_uniform`), a site's absorbed map is the map of any other site
translated by the vector between them: exact in x–y when the vector is a whole number of voxels
and the light of the site stays inside the volume (the translated map loses what falls off the
volume's side and lacks what the shifted-in side would hold: keep sites a few transport lengths
from the sides). :func:`site_maps` then runs the Monte Carlo once, for the site nearest the
centre, and translates it; otherwise (inclusions, or sites off the voxel grid) it runs one
Monte Carlo per site.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from laserskin.core.errors import InputError

__all__ = ["ORDERS", "firing_order", "laterally_uniform", "site_maps", "translate_map"]

ORDERS = ("simultaneous", "raster", "random")


def firing_order(centers_m: Sequence[tuple[float, float]], order: str, seed: int = 0) -> list[int]:
    """Indices of ``centers_m`` in firing order (``simultaneous``: as given; all fire at once).

    ``raster``: row by row, rows of increasing y (to a hundredth of the smallest spacing),
    each row by increasing x. ``random``: a permutation from ``numpy.random.default_rng(seed)``.
    """
    centers = np.asarray(centers_m, dtype=np.float64).reshape(-1, 2)
    if order == "simultaneous":
        return list(range(len(centers)))
    if order == "raster":
        scale = _min_spacing(centers)
        rows = np.round(centers[:, 1] / (0.01 * scale)) if scale > 0 else centers[:, 1]
        return [int(i) for i in np.lexsort((centers[:, 0], rows))]
    if order == "random":
        return [int(i) for i in np.random.default_rng(seed).permutation(len(centers))]
    raise InputError("order", order, "one of " + ", ".join(ORDERS))


def _min_spacing(centers: np.ndarray) -> float:
    if len(centers) < 2:
        return 0.0
    d = np.hypot(*(centers[:, None, :] - centers[None, :, :]).transpose(2, 0, 1))
    return float(d[d > 0].min()) if np.any(d > 0) else 0.0


def laterally_uniform(volume) -> bool:
    """Whether every depth of ``volume`` is one medium (so a translated map is exact in x–y)."""
    labels = volume.labels
    return bool(np.all(labels == labels[:1, :1, :]))


def translate_map(field: np.ndarray, shift_voxels: tuple[int, int]) -> np.ndarray:
    """``field`` (nx, ny, nz) moved by whole voxels in x and y; what leaves the volume is dropped,
    what enters is zero (an ``escape`` volume: no wrap-around)."""
    sx, sy = (int(v) for v in shift_voxels)
    out = np.zeros_like(field)
    nx, ny = field.shape[:2]
    if abs(sx) >= nx or abs(sy) >= ny:
        return out
    src_x = slice(max(0, -sx), nx - max(0, sx))
    dst_x = slice(max(0, sx), nx - max(0, -sx))
    src_y = slice(max(0, -sy), ny - max(0, sy))
    dst_y = slice(max(0, sy), ny - max(0, -sy))
    out[dst_x, dst_y] = field[src_x, src_y]
    return out


def _whole_shifts(centers: np.ndarray, reference: int, voxel_m: float) -> np.ndarray | None:
    """Shifts in voxels from the reference site to each site, or None if any is not whole (1e-6)."""
    shifts = (centers - centers[reference]) / voxel_m
    whole = np.round(shifts)
    return whole.astype(int) if np.all(np.abs(shifts - whole) <= 1e-6) else None


def site_maps(volume, beam, centers_m, photons: int, seed: int, *, threads=None, progress=None, method="auto"):
    """Absorbed energy density per joule into each site (1/m³), one map per site of ``centers_m``.

    Parameters
    ----------
    volume : VoxelVolume
        An ``escape`` volume (periodic volumes fire their unit cell at once).
    beam : Beam
        The profile at every site.
    centers_m : sequence of (x, y)
        Site centres in m.
    photons, seed, threads, progress
        Of each Monte Carlo run (:func:`laserskin.transport.voxel.simulate_voxel_transport`).
    method : {"auto", "translate", "per-site"}
        ``auto``: translate one run where exact (laterally uniform volume, whole-voxel shifts),
        else one run per site; ``translate`` refuses where not exact.

    Returns
    -------
    maps : list of ndarray (nx, ny, nz)
    runs : list of VoxelTransportResult
        The Monte Carlo runs (one when translated: the reference site's).
    method : str
        ``"translate"`` or ``"per-site"``, the method used.
    """
    from laserskin.transport.voxel import VoxelSource, simulate_voxel_transport

    if volume.periodic:
        raise InputError("geometry.boundary", "periodic", '"escape" for sites fired in turn')
    centers = np.asarray(centers_m, dtype=np.float64).reshape(-1, 2)
    if method not in ("auto", "translate", "per-site"):
        raise InputError("method", method, "'auto', 'translate' or 'per-site'")
    reference = int(np.argmin(np.hypot(centers[:, 0], centers[:, 1])))
    shifts = _whole_shifts(centers, reference, volume.voxel_m)
    exact = shifts is not None and laterally_uniform(volume)
    if method == "translate" and not exact:
        raise InputError(
            "method",
            method,
            "'per-site' here: translation needs a laterally uniform volume (no inclusions) and sites a whole "
            "number of voxels apart",
        )
    if method != "per-site" and exact:
        assert shifts is not None  # (exact says so)
        x0, y0 = centers[reference]
        run = simulate_voxel_transport(
            volume, VoxelSource.spot(beam, x0, y0), photons, seed, threads=threads, progress=progress
        )
        base = run.absorbed_energy_density_per_J
        return [translate_map(base, tuple(s)) for s in shifts], [run], "translate"
    runs = [
        simulate_voxel_transport(volume, VoxelSource.spot(beam, x, y), photons, seed + k, threads=threads)
        for k, (x, y) in enumerate(centers)
    ]
    return [r.absorbed_energy_density_per_J for r in runs], runs, "per-site"
