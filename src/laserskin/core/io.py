"""Files in and out: input TOML read with clear errors; outputs written atomically, so a
reader never sees a half-written file."""

from __future__ import annotations

import glob
import os
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from laserskin.core.errors import InputError

if TYPE_CHECKING:
    import xarray as xr


def read_toml(path: str | os.PathLike, field: str) -> dict:
    """Parse a TOML input file.

    Raises
    ------
    InputError
        Naming ``field`` and the path when the file cannot be read or is not valid TOML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(field, str(path), f"a readable TOML file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(
            field, str(path), "a UTF-8 text file (TOML); this file is binary or in another encoding"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(field, str(path), f"valid TOML ({error})") from None


#: The HDF5 library behind NetCDF is not thread-safe: one NetCDF read or write at a time per
#: process (a web server or a Dask client with worker threads would otherwise crash).
NETCDF_LOCK = threading.RLock()


def write_atomic(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(temporary_path)`` and move the result onto ``path`` atomically.

    The temporary file lives in the same directory (so :func:`os.replace` is atomic on
    one file system); on any error it is removed and ``path`` is left as it was. Missing
    parent directories are created.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphaned_temporaries(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


#: A temporary file of an atomic write older than this was left by a killed writer.
ORPHAN_AGE_S = 600.0


def remove_orphaned_temporaries(path: str | os.PathLike, older_than_s: float = ORPHAN_AGE_S) -> int:
    """Delete the temporary files that writers of ``path`` killed mid-write left behind
    (``.NAME.*.tmp*`` beside it, older than ``older_than_s``); returns how many."""
    path = Path(path)
    removed = 0
    now = time.time()
    for orphan in path.parent.glob(f".{glob.escape(path.name)}.*.tmp*"):
        try:
            if now - orphan.stat().st_mtime > older_than_s:
                orphan.unlink()
                removed += 1
        except OSError:
            continue  # another writer's file, or gone already
    return removed


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic`)."""

    def write(temporary: str) -> None:
        Path(temporary).write_bytes(data)

    return write_atomic(path, write)


def write_netcdf_atomic(dataset: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``dataset`` to ``path`` as NetCDF-4, atomically.

    The data go to a temporary file in the same directory, which then replaces
    ``path`` with :func:`os.replace` (atomic on POSIX and Windows on one file
    system). On any error the temporary file is removed and ``path`` is left as it
    was. Missing parent directories are created.

    Parameters
    ----------
    dataset : xarray.Dataset
        Data to write.
    path : str or os.PathLike
        Destination file.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    with NETCDF_LOCK:
        return write_atomic(path, lambda temporary: dataset.to_netcdf(temporary, format="NETCDF4", engine="netcdf4"))


def read_netcdf(path: str | os.PathLike) -> xr.Dataset:
    """Read a NetCDF file fully into memory and close it.

    Parameters
    ----------
    path : str or os.PathLike
        File to read.

    Returns
    -------
    xarray.Dataset
        The data, loaded (no open file handle remains).
    """
    import xarray as xr

    with NETCDF_LOCK, xr.open_dataset(Path(path).expanduser(), engine="netcdf4") as dataset:
        return dataset.load()
