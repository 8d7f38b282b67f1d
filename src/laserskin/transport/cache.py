"""Disk cache of transport results: one Monte Carlo run per (optics, beam, grid, photons, seed).

Light transport is linear in the incident energy, so one run serves every fluence
and every later stage (heat, damage, planning). Results are keyed on a sha256 of
the optical layers (not their names), the beam, the grid edges, photons, seed, and
the package and kernel versions. The thread count is not part of the key: results
are bit-identical on any number of threads.

Files are NetCDF under ``$LASERSKIN_CACHE_DIR`` or ``~/.cache/laserskin/transport``,
written atomically, so concurrent processes at worst compute the same run twice.

Stores that heal
----------------
Every file written here (and every sweep case file, see :mod:`laserskin.sweep.store`)
carries a sha256 of its decoded content in the global attribute ``laserskin_sha256``,
set inside the temporary file before it is moved into place, so the checksum and the
data it covers appear together or not at all. :func:`read_netcdf_checked` recomputes the
checksum; a missing, unreadable (truncated, empty, garbage) or mismatching file (bytes
flipped but still parseable) raises :class:`DamagedFileError`, and the callers recompute
it instead of trusting it. Temporary files orphaned by a killed writer
(``.NAME.XXXX.tmp.nc``) are removed once they are older than any live write could be.

Bounded size: with ``$LASERSKIN_CACHE_MAX_BYTES`` set (or by calling :func:`prune_cache`,
as a server does for its data folder) the least recently used entries are evicted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from laserskin import __version__
from laserskin.core.callbacks import Callback
from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.core.io import NETCDF_LOCK, read_netcdf, write_atomic
from laserskin.grid import RZGrid
from laserskin.optics.layers import LayerStack
from laserskin.transport.beam import Beam
from laserskin.transport.driver import KERNEL_VERSION, TRANSPORT_CITATIONS, _check_inputs, simulate_transport
from laserskin.transport.result import TransportResult
from laserskin.transport.statistics import TALLY_GROUPS

if TYPE_CHECKING:
    import xarray as xr

logger = logging.getLogger(__name__)

#: Global attribute holding the sha256 of a file's decoded content (all other attributes,
#: every variable's name, dimensions, dtype, attributes and values).
CHECKSUM_ATTR = "laserskin_sha256"
#: A temporary file older than this in the transport cache is an orphan of a killed writer
#: (a cache write takes well under a second; workers on several hosts may share the folder).
CACHE_ORPHAN_AGE_S = 600.0


class DamagedFileError(OSError):
    """A stored file is missing, unreadable or does not match its checksum."""


# --------------------------------------------------------------------------------------------
# Checked NetCDF files
# --------------------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return repr(value)


def content_digest(dataset: xr.Dataset) -> str:
    """sha256 hex digest of a dataset's content (the checksum attribute itself excluded).

    Covers the global attributes and, for every variable (coordinates included) in name
    order, its name, dimensions, dtype, shape, attributes and values, as decoded by xarray,
    so a file and its round trip through :func:`read_netcdf` give the same digest.
    """
    digest = hashlib.sha256()

    def add(item: Any) -> None:
        digest.update(json.dumps(item, sort_keys=True, default=_jsonable).encode())
        digest.update(b"\0")

    add({str(k): v for k, v in dataset.attrs.items() if k != CHECKSUM_ATTR})
    for name in sorted(str(n) for n in dataset.variables):
        variable = dataset.variables[name]
        values = np.asarray(variable.values)
        add([name, list(variable.dims), values.dtype.kind, list(values.shape), dict(variable.attrs)])
        if values.dtype.kind in "OUSM":
            add([str(v) for v in values.ravel()])
        else:
            digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def write_netcdf_checked(dataset: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``dataset`` to ``path`` (NetCDF-4) atomically, with its checksum inside.

    The data go to a temporary file in the same folder; it is read back, its content
    digest stored as the global attribute :data:`CHECKSUM_ATTR`, and only then moved onto
    ``path`` (:func:`os.replace`), so a reader sees either the old file or the new file
    with its checksum, never a part. A killed writer leaves at most an orphaned temporary
    file (see :func:`remove_orphaned_temporaries`).

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    import netCDF4

    def write(temporary: str) -> None:
        dataset.to_netcdf(temporary, format="NETCDF4", engine="netcdf4")
        digest = content_digest(read_netcdf(temporary))
        with netCDF4.Dataset(temporary, "a") as handle:
            handle.setncattr(CHECKSUM_ATTR, digest)

    with NETCDF_LOCK:
        return write_atomic(path, write)


def read_netcdf_checked(path: str | os.PathLike) -> xr.Dataset:
    """Read a file written by :func:`write_netcdf_checked` and verify its checksum.

    Raises
    ------
    DamagedFileError
        When the file is missing, is not a readable NetCDF file (empty, truncated,
        garbage), has no checksum, or its content does not match the checksum.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DamagedFileError(f"{path}: missing (or not a file)")
    try:
        dataset = read_netcdf(path)
    except Exception as error:  # netCDF4/HDF5 report damage as OSError, RuntimeError, ValueError, ...
        raise DamagedFileError(f"{path}: unreadable ({type(error).__name__}: {error})") from None
    expected = dataset.attrs.get(CHECKSUM_ATTR)
    if not isinstance(expected, str):
        raise DamagedFileError(f"{path}: no {CHECKSUM_ATTR} checksum")
    try:
        actual = content_digest(dataset)
    except Exception as error:
        raise DamagedFileError(f"{path}: content cannot be checked ({type(error).__name__})") from None
    if actual != expected:
        raise DamagedFileError(f"{path}: checksum mismatch (content changed after it was written)")
    return dataset


def remove_orphaned_temporaries(
    directory: str | os.PathLike, *, older_than_s: float, pattern: str = ".*.tmp*"
) -> list[Path]:
    """Remove temporary files left by killed writers; returns the paths removed.

    Only hidden ``.NAME.XXXX.tmp*`` files (the names :func:`laserskin.core.io.write_atomic`
    uses) whose last modification is more than ``older_than_s`` seconds ago are removed,
    so a write still in progress in another process is left alone.
    """
    directory = Path(directory)
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    now = time.time()
    for path in directory.glob(pattern):
        try:
            if path.is_file() and not path.is_symlink() and now - path.stat().st_mtime > older_than_s:
                path.unlink()
                removed.append(path)
        except OSError:  # raced with its writer or another cleaner: nothing to do
            continue
    return removed


# --------------------------------------------------------------------------------------------
# Transport cache
# --------------------------------------------------------------------------------------------
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
            "tally_groups": TALLY_GROUPS,  # entries without the group tallies are not found
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


_CLEANED: set[Path] = set()


def _cache_folder(cache_dir: str | os.PathLike | None) -> Path:
    directory = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    if directory.exists() and not directory.is_dir():
        raise InputError(
            "cache_dir",
            str(directory),
            "a folder for the transport cache (a file of that name exists; set LASERSKIN_CACHE_DIR to another path)",
        )
    if directory not in _CLEANED:  # once per process and folder
        _CLEANED.add(directory)
        for path in remove_orphaned_temporaries(directory, older_than_s=CACHE_ORPHAN_AGE_S):
            logger.info("transport cache: removed orphaned temporary file %s", path)
    return directory


#: Environment variable: most bytes the transport cache may hold (least recently used
#: entries are evicted after each write); unset = unbounded.
CACHE_MAX_BYTES_ENV = "LASERSKIN_CACHE_MAX_BYTES"


def prune_cache(directory: str | os.PathLike, *, max_bytes: int) -> list[Path]:
    """Evict the least recently used cache entries until the folder holds at most ``max_bytes``.

    "Used" is the modification time, which :func:`simulate_transport_cached` refreshes on
    every hit. Only ``<sha256>.nc`` entries are removed; returns the paths evicted.
    """
    directory = Path(directory)
    if max_bytes < 0:
        raise InputError("max_bytes", max_bytes, "a size in bytes >= 0")
    entries = []
    for path in directory.glob("*.nc") if directory.is_dir() else ():
        if len(path.stem) == 64 and path.is_file() and not path.is_symlink():
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    evicted = []
    for _, size, path in sorted(entries):  # oldest use first
        if total <= max_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        evicted.append(path)
    return evicted


def _max_cache_bytes() -> int | None:
    value = os.environ.get(CACHE_MAX_BYTES_ENV)
    if not value:
        return None
    try:
        limit = int(float(value))
    except ValueError:
        raise InputError(CACHE_MAX_BYTES_ENV, value, "a size in bytes, e.g. 2e9") from None
    if limit < 0:
        raise InputError(CACHE_MAX_BYTES_ENV, value, "a size in bytes >= 0")
    return limit


def load_cached_transport(path: Path) -> TransportResult | None:
    """The cached result at ``path``, or None when it is missing, damaged or foreign."""
    if not path.is_file():
        return None
    try:
        return TransportResult.from_dataset(read_netcdf_checked(path))
    except Exception as error:  # never trusted, never fatal: the caller recomputes
        logger.warning("transport cache: recomputing %s (%s)", path.name, error)
        return None


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
    ``photons_per_second`` and ``wall_time_s`` are those of the run that made it
    (:func:`transport_cached_or_run` also says whether it was read back).
    A missing, unreadable or mismatching cache file (see :func:`read_netcdf_checked`)
    is recomputed and overwritten; when the entry cannot be written (e.g. a folder of
    that name) the result is returned uncached.

    Raises
    ------
    InputError
        When ``cache_dir`` is an existing file.

    Returns
    -------
    TransportResult
    """
    return transport_cached_or_run(stack, grid, beam, photons, seed, threads, progress, cache_dir)[0]


def transport_cached_or_run(
    stack: LayerStack,
    grid: RZGrid,
    beam: Beam,
    photons: int,
    seed: int,
    threads: int | None = None,
    progress: Callback | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> tuple[TransportResult, bool]:
    """:func:`simulate_transport_cached` and whether the result was read from the cache (``True``: its
    ``threads``, ``photons_per_second`` and ``wall_time_s`` are the earlier run's, not this call's; QA12 #4)."""
    _check_inputs(stack, grid, beam, photons, seed, threads)
    directory = _cache_folder(cache_dir)
    path = directory / f"{transport_cache_key(stack, grid, beam, photons, seed)}.nc"
    max_bytes = _max_cache_bytes()
    cached = load_cached_transport(path)
    if cached is not None:
        try:
            os.utime(path)  # a hit: most recently used (see prune_cache)
        except OSError:
            pass
        cite(*TRANSPORT_CITATIONS)  # the result stands for the run: its sources are recorded as the run's are
        return dataclasses.replace(cached, stack=stack, grid=grid, beam=beam), True
    result = simulate_transport(stack, grid, beam, photons, seed, threads=threads, progress=progress)
    try:
        write_netcdf_checked(result.to_dataset(), path)
    except OSError as error:  # an unwritable cache costs a recomputation later, not this result
        logger.warning("transport cache: could not store %s (%s)", path, error)
    if max_bytes is not None:
        prune_cache(directory, max_bytes=max_bytes)
    return result, False
