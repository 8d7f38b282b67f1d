"""Disk cache of transport results: one Monte Carlo run per (optics, beam, grid, photons, seed).

Light transport is linear in the incident energy, so one run serves every fluence
and every later stage (heat, damage, planning). Results are keyed on a sha256 of
the optical layers (not their names), the beam, the grid edges, photons, seed, and
the package and kernel versions. The thread count is not part of the key: results
are bit-identical on any number of threads.

Files are NetCDF under ``$LASERSKIN_CACHE_DIR`` or ``~/.cache/laserskin/transport``,
written atomically, so concurrent processes at worst compute the same run twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

from laserskin import __version__
from laserskin.core.callbacks import Callback
from laserskin.grid import RZGrid
from laserskin.core.io import read_netcdf, write_netcdf_atomic
from laserskin.transport.beam import Beam
from laserskin.optics.layers import LayerStack
from laserskin.transport.montecarlo import KERNEL_VERSION, _check_inputs, simulate_transport
from laserskin.transport.result import TransportResult


def default_cache_dir() -> Path:
    """``$LASERSKIN_CACHE_DIR`` if set, else ``~/.cache/laserskin/transport``."""
    env = os.environ.get("LASERSKIN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "laserskin" / "transport"


def transport_cache_key(stack: LayerStack, grid: RZGrid, beam: Beam, photons: int, seed: int) -> str:
    """sha256 hex digest of everything that determines a transport result."""
    payload = json.dumps(
        {
            "stack": stack.digest(),
            "grid": grid.digest(),
            "beam": beam.digest(),
            "photons": int(photons),
            "seed": int(seed),
            "laserskin": __version__,
            "kernel": KERNEL_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def simulate_transport_cached(
    stack: LayerStack,
    grid: RZGrid,
    beam: Beam,
    photons: int,
    seed: int,
    threads: int | None = None,
    progress: Callback | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> TransportResult:
    """:func:`laserskin.transport.simulate_transport` with a disk cache.

    Parameters are those of ``simulate_transport``, plus ``cache_dir`` (default
    :func:`default_cache_dir`). A cached result is returned with the caller's
    ``stack`` (layer names), ``grid`` and ``beam`` objects; its ``threads``,
    ``photons_per_second`` and ``wall_time_s`` are those of the run that made it.
    An unreadable cache file is recomputed and overwritten.

    Returns
    -------
    TransportResult
    """
    _check_inputs(stack, grid, beam, photons, seed, threads)
    directory = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    path = directory / f"{transport_cache_key(stack, grid, beam, photons, seed)}.nc"
    if path.exists():
        try:
            cached = TransportResult.from_dataset(read_netcdf(path))
        except Exception:  # a damaged or foreign file: recompute
            cached = None
        if cached is not None:
            return dataclasses.replace(cached, stack=stack, grid=grid, beam=beam)
    result = simulate_transport(stack, grid, beam, photons, seed, threads=threads, progress=progress)
    write_netcdf_atomic(result.to_dataset(), path)
    return result
