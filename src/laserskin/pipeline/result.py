"""The result of a simulation: summary, fields with provenance, grid and layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

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
    grid: RZGrid
    layer_names: list[str]
    layer_bottoms_m: np.ndarray
    transport: list[Any] = field(default_factory=list)

    def save(self, path: str | Path) -> Path:
        """Write the dataset (with the summary in its attributes) as NetCDF, atomically."""
        from laserskin.core.io import write_netcdf_atomic

        return write_netcdf_atomic(self.dataset, Path(path))


def pair(values) -> list[float] | None:
    """``[top, bottom]`` as plain floats, or ``None``."""
    return None if values is None else [float(values[0]), float(values[1])]
