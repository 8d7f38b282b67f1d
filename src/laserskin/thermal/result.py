"""Results of a heat run: the energy ledger and the fields, probes and peaks of :func:`solve_bioheat`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid

__all__ = ["EnergyLedger", "HeatResult"]


@dataclass(frozen=True)
class EnergyLedger:
    """Energy bookkeeping of a heat run, all in J over the whole run.

    ``deposited_J = stored_change_J + surface_loss_J + deep_loss_J + perfusion_loss_J``
    holds to round-off (see :attr:`residual_J`). Losses are signed: a negative loss is a
    gain (e.g. heat flowing in from the core, or warm blood heating cooled tissue). The
    resting steady state has non-zero flows that cancel each other.
    """

    deposited_J: float
    stored_change_J: float
    surface_loss_J: float
    deep_loss_J: float
    perfusion_loss_J: float

    @property
    def residual_J(self) -> float:
        """Deposited − stored change − all losses, J."""
        return self.deposited_J - self.stored_change_J - self.surface_loss_J - self.deep_loss_J - self.perfusion_loss_J


@dataclass(frozen=True, eq=False)
class HeatResult:
    """Result of :func:`solve_bioheat`. Temperatures in K, times in s, fields shape (nr, nz).

    Attributes
    ----------
    grid : RZGrid
    times_s : ndarray, shape (n_steps + 1,)
        Start (0) and end of every time step.
    probe_points_m : ndarray, shape (n_probes, 2)
        Requested (r, z) points in m.
    probe_cells : ndarray of int, shape (n_probes, 2)
        (i_r, i_z) of the cell holding each point; ``i_z = -1`` marks a surface probe (z = 0),
        which reports the temperature of the surface face.
    probe_temperatures_K : ndarray, shape (n_probes, n_steps + 1)
        Temperature at each probe at every time of ``times_s``.
    stored_times_s : ndarray, shape (n_store,)
    stored_temperatures_K : ndarray, shape (n_store, nr, nz)
        Full fields at the requested storage times (steps land on them exactly).
    initial_temperature_K, final_temperature_K : ndarray, shape (nr, nz)
    peak_temperature_K : ndarray, shape (nr, nz)
        Per-cell maximum over all step ends (including the initial field).
    peak_time_s : ndarray, shape (nr, nz)
        Time at which each cell reached its maximum.
    global_peak_temperature_K, global_peak_time_s : float
        Hottest cell temperature over the run and when it occurred.
    global_peak_field_K : ndarray, shape (nr, nz)
        The whole field at ``global_peak_time_s``.
    energy : EnergyLedger
    n_steps, n_factorizations : int
        Time steps taken and sparse LU factorisations made (including the steady state).
    outer_edge_rise_fraction : float
        Largest temperature change (either sign) in the outermost radial column divided by
        the largest change anywhere; small (< 1e-3) when the insulated outer boundary does
        not matter.
    """

    grid: RZGrid
    times_s: np.ndarray
    probe_points_m: np.ndarray
    probe_cells: np.ndarray
    probe_temperatures_K: np.ndarray
    stored_times_s: np.ndarray
    stored_temperatures_K: np.ndarray
    initial_temperature_K: np.ndarray
    final_temperature_K: np.ndarray
    peak_temperature_K: np.ndarray
    peak_time_s: np.ndarray
    global_peak_temperature_K: float
    global_peak_time_s: float
    global_peak_field_K: np.ndarray
    energy: EnergyLedger
    n_steps: int
    n_factorizations: int
    outer_edge_rise_fraction: float
    step_sizes_s: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))

    def stored(self, time_s: float) -> np.ndarray:
        """The stored field at ``time_s`` (must be one of ``stored_times_s``)."""
        index = np.flatnonzero(np.isclose(self.stored_times_s, time_s, rtol=0, atol=1e-12))
        if index.size == 0:
            raise InputError(
                "time_s",
                time_s,
                f"one of the stored times {self.stored_times_s.tolist()}",
            )
        return self.stored_temperatures_K[index[0]]

    def to_dataset(self):
        """The run as an :class:`xarray.Dataset`: fields on the r–z grid (initial, final, peak,
        peak time, stored), probe traces, units on every variable, the energy ledger in the
        attributes."""
        import xarray as xr

        grid = self.grid
        field_dims = ("r", "z")
        data: dict[str, tuple[Any, ...]] = {
            "initial_temperature": (field_dims, self.initial_temperature_K, {"units": "K"}),
            "final_temperature": (field_dims, self.final_temperature_K, {"units": "K"}),
            "peak_temperature": (field_dims, self.peak_temperature_K, {"units": "K"}),
            "peak_time": (field_dims, self.peak_time_s, {"units": "s"}),
            "global_peak_field": (
                field_dims,
                self.global_peak_field_K,
                {"units": "K", "long_name": "the field when the hottest cell peaks", "time_s": self.global_peak_time_s},
            ),
            "stored_temperature": (("stored_time", "r", "z"), self.stored_temperatures_K, {"units": "K"}),
            "probe_temperature": (("probe", "time"), self.probe_temperatures_K, {"units": "K"}),
            "probe_r": (("probe",), self.probe_points_m[:, 0] if len(self.probe_points_m) else [], {"units": "m"}),
            "probe_z": (("probe",), self.probe_points_m[:, 1] if len(self.probe_points_m) else [], {"units": "m"}),
            "r_edges": (("r_edge",), grid.r_edges_m, {"units": "m"}),
            "z_edges": (("z_edge",), grid.z_edges_m, {"units": "m"}),
        }
        coords = {
            "r": ("r", grid.r_centers_m, {"units": "m", "long_name": "radius (cell centre)"}),
            "z": ("z", grid.z_centers_m, {"units": "m", "long_name": "depth (cell centre)"}),
            "time": ("time", self.times_s, {"units": "s"}),
            "stored_time": ("stored_time", self.stored_times_s, {"units": "s"}),
        }
        ledger = {f"energy_{key}": float(value) for key, value in vars(self.energy).items()}
        attrs = {**ledger, "energy_residual_J": float(self.energy.residual_J), "n_steps": int(self.n_steps)}
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def save(self, path) -> Path:
        """Write :meth:`to_dataset` as NetCDF, atomically."""
        from laserskin.core.io import write_netcdf_atomic

        return write_netcdf_atomic(self.to_dataset(), Path(path))
