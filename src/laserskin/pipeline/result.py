"""The result of a simulation: summary, fields with provenance, grid and layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid

__all__ = ["Result", "pair"]


@dataclass
class Result:
    """Outcome of a :class:`Simulation`.

    Attributes
    ----------
    summary : dict
        Scalar outcomes in clinical units (see :meth:`Simulation.run`).
    dataset : xarray.Dataset
        Fields on the r–z grid (peak temperature, Ω per parameter set, denatured
        fraction) and probe traces vs time, with units and provenance.
    """

    summary: dict[str, Any]
    dataset: Any
    grid: RZGrid | None  # None for a voxel run (VoxelResult: fields on x, y, z)
    layer_names: list[str]
    layer_bottoms_m: np.ndarray
    transport: list[Any] = field(default_factory=list)
    citations: tuple[str, ...] = ()

    def save(self, path: str | Path, format: Literal["netcdf", "mat"] = "netcdf") -> Path:
        """Write the dataset (with the summary and provenance in its attributes) atomically.

        Parameters
        ----------
        path : path
            Destination file.
        format : {"netcdf", "mat"}
            NetCDF-4 (units on every variable), or a MATLAB ``.mat`` file (scipy.io.savemat:
            one array per variable and coordinate, attributes as a ``provenance`` struct).
        """
        from laserskin.core.io import write_atomic, write_netcdf_atomic

        if format == "netcdf":
            return write_netcdf_atomic(self.dataset, Path(path))
        if format != "mat":
            raise InputError("format", format, "netcdf or mat")
        from scipy.io import savemat

        # one array per variable and coordinate, then the units and provenance as structs (dicts)
        arrays: dict[str, Any] = {
            name: np.asarray(self.dataset[name].values) for name in (*self.dataset.data_vars, *self.dataset.coords)
        }
        arrays["units"] = {name: str(self.dataset[name].attrs.get("units", "")) for name in arrays}
        arrays["provenance"] = {key: str(value) for key, value in self.dataset.attrs.items()}
        return write_atomic(path, lambda temporary: savemat(temporary, arrays, do_compression=True))

    def plot(self, path: str | Path | None = None, *, title: str | None = None):
        """One overview figure (map, axis profiles of T and Ω, temperature traces); saved to
        ``path`` when given; in a notebook it displays itself (:func:`laserskin.plotting.plot_result`)."""
        from laserskin.plotting import plot_result

        return plot_result(self, path, title=title)

    def movie(self, path: str | Path, **options: Any) -> Path:
        """Write the temperature history as a movie (GIF, or MP4 with ffmpeg); see
        :func:`laserskin.plotting.write_temperature_movie`."""
        from laserskin.plotting import write_temperature_movie

        return write_temperature_movie(self, path, **options)


def pair(values) -> list[float] | None:
    """``[top, bottom]`` as plain floats, or ``None``."""
    return None if values is None else [float(values[0]), float(values[1])]
