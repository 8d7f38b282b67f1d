"""Result of a light-transport run: fractions with standard errors, maps per incident joule.

Everything is per incident joule of the beam (the Monte Carlo is linear in the
incident energy): multiply by the pulse energy in J to get J/m³ and J/m².
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import xarray as xr

from laserskin.grid import RZGrid
from laserskin.optics.layers import LayerStack
from laserskin.transport.beam import Beam

_SCALARS = {
    # name: (units, description)
    "specular_reflectance": ("1", "specular (Fresnel) reflectance at entry"),
    "diffuse_reflectance": ("1", "diffuse reflectance Rd (all radii)"),
    "diffuse_reflectance_stderr": ("1", "batch standard error of Rd"),
    "total_transmittance": ("1", "total transmittance Tt incl. unscattered (all radii)"),
    "total_transmittance_stderr": ("1", "batch standard error of Tt"),
    "absorbed_fraction": ("1", "absorbed fraction A (all layers, all radii)"),
    "absorbed_fraction_stderr": ("1", "batch standard error of A"),
    "absorbed_outside_grid_fraction": ("1", "absorbed fraction at r >= r_max or z >= z_max (not in the maps)"),
    "roulette_balance": ("1", "net weight added by Russian roulette (zero on average)"),
    "roulette_balance_stderr": ("1", "batch standard error of the roulette balance"),
    "photons_per_second": ("1/s", "photon packets per second (kernel time)"),
    "wall_time_s": ("s", "wall time of the run"),
}
_MAPS = {
    "absorbed_energy_density_per_J": ("1/m^3", ("r", "z"), "absorbed energy density per incident joule (J/m^3 per J)"),
    "fluence_per_J": ("1/m^2", ("r", "z"), "fluence per incident joule (J/m^2 per J)"),
    "diffuse_reflectance_per_area": ("1/m^2", ("r",), "diffuse reflectance per unit area Rd(r) per incident joule"),
    "transmittance_per_area": ("1/m^2", ("r",), "total transmittance per unit area Tt(r) per incident joule"),
    "absorbed_fraction_by_layer": ("1", ("layer",), "absorbed fraction per layer"),
    "absorbed_fraction_by_layer_stderr": ("1", ("layer",), "batch standard error of the absorbed fraction per layer"),
}


def region_names(names: list[str]) -> list[str]:
    """Distinct region names from layer names: repeats get ``_2``, ``_3``, ... appended."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def outside_grid_share(outside_fraction: float, on_grid_fraction: float) -> float:
    """``absorbed_outside_grid_share``: of the light the tissue absorbs, the share not absorbed on the grid,
    ``outside / (outside + on the grid)`` (0 where both are 0); the fractions are of the incident light.

    The one rule of every path (QA session 14: the r–z run took the outside over A, the voxel run the light leaving
    over itself plus what the box absorbs, two formulas for one quantity): on rings ``outside`` is the light absorbed
    at r ≥ r_max or z ≥ z_max and ``on_grid`` the rest of A (:attr:`TransportResult.absorbed_on_grid_fraction`); in
    a voxel box ``outside`` is the light leaving through its floor and open sides (an upper bound: part of it would
    come back) and ``on_grid`` what the box absorbs. Neither heats the tissue of the model, so the share is what the
    1 % grid note (``grid_note``, :func:`laserskin.pipeline.simulation.note_grid_capture`) calls "the absorbed light
    [that] falls outside the grid"."""
    total = outside_fraction + on_grid_fraction
    return float(outside_fraction / total) if total > 0 else 0.0


def _exact_stack_json(stack: LayerStack) -> str:
    """Layer stack as JSON with SI values written exactly (``repr``) and units, so it re-validates bit-exactly."""
    layers = [
        {
            "name": l.name,
            "n": l.n,
            "mua": f"{l.mua_per_m!r} 1/m",
            "mus": f"{l.mus_per_m!r} 1/m",
            "g": l.g,
            "thickness": f"{l.thickness_m!r} m",
        }
        for l in stack.layers
    ]
    return json.dumps({"layers": layers, "n_above": stack.n_above, "n_below": stack.n_below})


def _exact_beam_json(beam: Beam) -> str:
    data: dict = {"kind": beam.kind}
    if beam.diameter_m is not None:
        data["diameter"] = f"{beam.diameter_m!r} m"
    if beam.radius_1e2_m is not None:
        data["radius_1e2"] = f"{beam.radius_1e2_m!r} m"
    return json.dumps(data)


@dataclass(frozen=True, eq=False)
class TransportResult:
    """Monte Carlo transport result; all fractions are of the incident energy.

    Attributes
    ----------
    stack, grid, beam : LayerStack, RZGrid, Beam
        The inputs.
    photons, seed, threads, batches : int
        Run settings (batches: independent random streams, used for standard errors).
    specular_reflectance : float
        Fresnel reflection at entry (exact, no error).
    diffuse_reflectance, total_transmittance, absorbed_fraction : float
        Rd, Tt (incl. unscattered light) and A, each with a ``*_stderr`` twin (batch
        standard error). ``specular + Rd + Tt + A − roulette_balance = 1`` to rounding.
    absorbed_fraction_by_layer : ndarray, shape (n_layers,)
        Exact per-layer absorption (independent of the grid), with ``*_stderr``.
    absorbed_outside_grid_fraction : float
        Part of A deposited at r ≥ r_max or z ≥ z_max (not in the maps).
    roulette_balance : float
        Net weight added by Russian roulette per incident packet (expectation 0), with stderr.
    absorbed_energy_density_per_J : ndarray, shape (nr, nz)
        Absorbed energy density per incident joule, 1/m³ (J/m³ per J).
    fluence_per_J : ndarray, shape (nr, nz)
        Fluence per incident joule, 1/m² (J/m² per J): collision estimator Σw/μt, equal
        to A/μa of the cell's layer.
    diffuse_reflectance_per_area, transmittance_per_area : ndarray, shape (nr,)
        Rd(r) and Tt(r) per incident joule, 1/m² (exits beyond r_max are only in the totals).
    photons_per_second : float
        Packets per second during the kernel (after compilation).
    wall_time_s : float
        Wall time of the whole call in s.
    version, kernel_version : str
        laserskin version and kernel version that produced the result.
    absorbed_by_group_per_J : ndarray (float32), shape (groups, nr, nz)
        ``absorbed_energy_density_per_J`` split by the groups of batches that deposited it (independent random
        streams, :func:`laserskin.transport.statistics.tally_groups`; they add up to it to float32 rounding), 1/m³
        per incident joule of the whole run: the Monte Carlo error of any linear read-out of the deposition is the
        scatter of its value over the groups (:func:`~laserskin.transport.statistics.relative_error_from_groups`).
        Empty (0 groups) where the grid is too large to keep them.
    photons_by_group : ndarray (int64), shape (groups,)
        Photons launched in each group.
    """

    stack: LayerStack
    grid: RZGrid
    beam: Beam
    photons: int
    seed: int
    threads: int
    batches: int
    specular_reflectance: float
    diffuse_reflectance: float
    diffuse_reflectance_stderr: float
    total_transmittance: float
    total_transmittance_stderr: float
    absorbed_fraction: float
    absorbed_fraction_stderr: float
    absorbed_fraction_by_layer: np.ndarray
    absorbed_fraction_by_layer_stderr: np.ndarray
    absorbed_outside_grid_fraction: float
    roulette_balance: float
    roulette_balance_stderr: float
    absorbed_energy_density_per_J: np.ndarray
    fluence_per_J: np.ndarray
    diffuse_reflectance_per_area: np.ndarray
    transmittance_per_area: np.ndarray
    photons_per_second: float
    wall_time_s: float
    version: str
    kernel_version: str
    absorbed_by_group_per_J: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0, 0), np.float32))
    photons_by_group: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        for name in _MAPS:
            array = np.array(getattr(self, name), dtype=np.float64)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        for name, dtype in (("absorbed_by_group_per_J", np.float32), ("photons_by_group", np.int64)):
            array = np.array(getattr(self, name), dtype=dtype)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    # --- derived ------------------------------------------------------------------------
    @property
    def total_reflectance(self) -> float:
        """Specular + diffuse reflectance."""
        return self.specular_reflectance + self.diffuse_reflectance

    @property
    def absorbed_on_grid_fraction(self) -> float:
        """The part of A deposited on the grid (in the maps, heating the tissue): A − the light absorbed outside."""
        return float(self.absorbed_fraction - self.absorbed_outside_grid_fraction)

    @property
    def absorbed_outside_grid_share(self) -> float:
        """Share of the absorbed light that falls outside the grid (:func:`outside_grid_share`)."""
        return outside_grid_share(float(self.absorbed_outside_grid_fraction), self.absorbed_on_grid_fraction)

    def energy_balance(self) -> float:
        """``specular + Rd + Tt + A − roulette_balance − 1``: zero to rounding."""
        return (
            self.specular_reflectance
            + self.diffuse_reflectance
            + self.total_transmittance
            + self.absorbed_fraction
            - self.roulette_balance
            - 1.0
        )

    def summary(self) -> dict:
        """Scalar results as plain floats / lists / ints (JSON-ready; standard errors are NaN for photons = 1)."""
        names = region_names(self.stack.names)
        out = {
            "geometry": "rz",
            "specular_reflectance": float(self.specular_reflectance),
            "specular_reflectance_stderr": 0.0,
            "diffuse_reflectance": float(self.diffuse_reflectance),
            "diffuse_reflectance_stderr": float(self.diffuse_reflectance_stderr),
            "total_transmittance": float(self.total_transmittance),
            "total_transmittance_stderr": float(self.total_transmittance_stderr),
            "absorbed_fraction": float(self.absorbed_fraction),
            "absorbed_fraction_stderr": float(self.absorbed_fraction_stderr),
            "absorbed_fraction_by_layer": [float(v) for v in self.absorbed_fraction_by_layer],
            "absorbed_fraction_by_layer_stderr": [float(v) for v in self.absorbed_fraction_by_layer_stderr],
            "absorbed_fraction_by_region": dict(zip(names, (float(v) for v in self.absorbed_fraction_by_layer))),
            "absorbed_fraction_by_region_stderr": dict(
                zip(names, (float(v) for v in self.absorbed_fraction_by_layer_stderr))
            ),
            "absorbed_outside_grid_fraction": float(self.absorbed_outside_grid_fraction),
            "absorbed_outside_grid_share": self.absorbed_outside_grid_share,
            "roulette_balance": float(self.roulette_balance),
            "roulette_balance_stderr": float(self.roulette_balance_stderr),
            "photons": int(self.photons),
            "seed": int(self.seed),
            "threads": int(self.threads),
            "batches": int(self.batches),
            "photons_per_second": float(self.photons_per_second),
            "wall_time_s": float(self.wall_time_s),
        }
        # a single-batch run (photons = 1) has no standard error: NaN (float, so tables still format)
        return out

    # --- xarray / NetCDF ----------------------------------------------------------------
    def to_dataset(self) -> xr.Dataset:
        """The result as an :class:`xarray.Dataset` with units and provenance.

        Dims ``r``, ``z`` (cell centres, m), ``layer`` (index), ``r_edge``, ``z_edge``.
        Every variable has a ``units`` attribute. Attributes hold the inputs as JSON
        (``stack``: ``model_dump(by_alias=True)``; ``beam``; ``grid``: ``RZGrid.to_dict``;
        plus exact SI forms used by :meth:`from_dataset`), seed, photons, threads,
        batches and versions.
        """
        grid = self.grid
        data_vars: dict[str, tuple[Any, ...]] = {}
        for name, (units, dims, description) in _MAPS.items():
            data_vars[name] = (dims, np.asarray(getattr(self, name)), {"units": units, "long_name": description})
        for name, (units, description) in _SCALARS.items():
            data_vars[name] = ((), float(getattr(self, name)), {"units": units, "long_name": description})
        data_vars["absorbed_by_group_per_J"] = (
            ("group", "r", "z") if self.absorbed_by_group_per_J.size else ("group", "r_g", "z_g"),
            self.absorbed_by_group_per_J,
            {"units": "1/m^3", "long_name": "absorbed energy density per incident joule by group of batches"},
            {"zlib": True, "complevel": 1},
        )
        data_vars["photons_by_group"] = (("group",), self.photons_by_group, {"units": "1", "long_name": "photons"})
        data_vars["r_edges"] = (("r_edge",), grid.r_edges_m, {"units": "m", "long_name": "radial cell edges"})
        data_vars["z_edges"] = (("z_edge",), grid.z_edges_m, {"units": "m", "long_name": "depth cell edges"})
        coords = {
            "r": ("r", grid.r_centers_m, {"units": "m", "long_name": "radius (cell centre)"}),
            "z": ("z", grid.z_centers_m, {"units": "m", "long_name": "depth below the surface (cell centre)"}),
            "layer": ("layer", np.arange(len(self.stack.layers)), {"units": "1", "long_name": "layer index"}),
        }
        attrs = {
            "title": "laserskin Monte Carlo light transport (MCML-equivalent)",
            "laserskin_version": self.version,
            "kernel_version": self.kernel_version,
            "photons": np.int64(self.photons),
            "seed": np.int64(self.seed),
            "threads": np.int64(self.threads),
            "batches": np.int64(self.batches),
            "layer_names": json.dumps(self.stack.names),
            "stack": self.stack.model_dump_json(by_alias=True),
            "beam": self.beam.model_dump_json(by_alias=True),
            "grid": json.dumps(grid.to_dict()),
            "stack_si": _exact_stack_json(self.stack),
            "beam_si": _exact_beam_json(self.beam),
            "normalisation": "per incident joule of the beam (Monte Carlo is linear in the incident energy)",
        }
        return xr.Dataset(data_vars=data_vars, coords=coords, attrs=attrs)

    @classmethod
    def from_dataset(cls, dataset: xr.Dataset) -> TransportResult:
        """Rebuild a result written by :meth:`to_dataset` (bit-exact inputs and arrays)."""
        attrs = dataset.attrs
        stack = LayerStack.model_validate(json.loads(attrs["stack_si"]))
        beam = Beam.model_validate(json.loads(attrs["beam_si"]))
        grid = RZGrid(np.asarray(dataset["r_edges"].values), np.asarray(dataset["z_edges"].values))
        values: dict[str, Any] = {}
        for name in _MAPS:
            values[name] = np.asarray(dataset[name].values, dtype=np.float64)
        for name in _SCALARS:
            values[name] = float(dataset[name].values)
        values["absorbed_by_group_per_J"] = np.asarray(dataset["absorbed_by_group_per_J"].values, dtype=np.float32)
        values["photons_by_group"] = np.asarray(dataset["photons_by_group"].values, dtype=np.int64)
        names = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = dict(
            stack=stack,
            grid=grid,
            beam=beam,
            photons=int(attrs["photons"]),
            seed=int(attrs["seed"]),
            threads=int(attrs["threads"]),
            batches=int(attrs["batches"]),
            version=str(attrs["laserskin_version"]),
            kernel_version=str(attrs["kernel_version"]),
            **values,
        )
        return cls(**{k: v for k, v in kwargs.items() if k in names})
