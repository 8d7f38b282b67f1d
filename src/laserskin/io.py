"""NetCDF files written atomically: a reader never sees a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import xarray as xr


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
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        dataset.to_netcdf(temporary, format="NETCDF4", engine="netcdf4")
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    return path


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
    with xr.open_dataset(Path(path).expanduser(), engine="netcdf4") as dataset:
        return dataset.load()
