"""Scenario files: the serialised form of the input models (TOML).

A scenario describes the skin (a ``[person]`` or explicit ``[[layers]]``), the
laser (``[laser]``: a wavelength for light transport alone, or a full laser /
device preset for a treatment simulation), the beam, cooling, protocol, grid and
Monte Carlo settings. CLI, web and sweeps all read this one schema.

Example (explicit layers)::

    [ambient]
    n_above = 1.0
    n_below = 1.0
    [[layers]]
    n = 1.0
    mua = "10 1/cm"
    mus = "90 1/cm"
    g = 0.75
    thickness = "0.02 cm"
    [beam]
    kind = "pencil"
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from laserskin.core.models import InputModel
from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.optics.layers import LayerStack, OpticalLayer
from laserskin.core.units import Quantity

MAX_PHOTONS = 10_000_000_000


class Ambient(InputModel):
    """Refractive indices of the media above and below the layers (explicit-layer scenarios)."""

    n_above: float = Field(default=1.0, ge=1.0, le=4.0)
    n_below: float = Field(default=1.0, ge=1.0, le=4.0)


class GridSpec(InputModel):
    """Optional grid settings; unset values are chosen from the beam and the skin.

    The radial spacing is uniform. Depth cells are ``dz_surface`` thick near the
    surface and at layer interfaces and grow by ``growth`` per cell up to ``dz_max``
    (set ``growth = 1`` and ``dz_surface = dz_max`` for a uniform grid).
    """

    r_max_m: Quantity("m", gt=0.0) | None = Field(default=None, alias="r_max")
    nr: int | None = Field(default=None, ge=2, le=2000)
    z_max_m: Quantity("m", gt=0.0) | None = Field(default=None, alias="z_max")
    dz_surface_m: Quantity("m", gt=0.0, display="um") = Field(default="5 um", alias="dz_surface")
    dz_max_m: Quantity("m", gt=0.0, display="um") = Field(default="50 um", alias="dz_max")
    growth: float = Field(default=1.08, ge=1.0, le=2.0)


class TransportSettings(InputModel):
    """Monte Carlo settings: photons, seed, threads and the scattering parameter set."""

    photons: int = Field(default=200_000, ge=1, le=MAX_PHOTONS)
    seed: int = Field(default=1, ge=0, lt=2**63)
    threads: int | None = Field(default=None, ge=1, le=1024)
    scattering: str = "jacques2013"


class HeatSettings(InputModel):
    """Heat-solver settings: how long to follow the tissue after the last pulse, largest step."""

    relaxation_s: Quantity("s", display="s", gt=0.0, le=3600.0) = Field(default="1 s", alias="relaxation")
    max_step_s: Quantity("s", display="ms", gt=0.0) | None = Field(default=None, alias="max_step")
    store_times_s: tuple[Quantity("s", display="ms", ge=0.0), ...] = Field(default=(), alias="store_times")


class Scenario(InputModel):
    """Everything one run needs; exactly one of ``person`` and ``layers``."""

    person: dict[str, Any] | None = None
    layers: tuple[OpticalLayer, ...] | None = None
    ambient: Ambient = Ambient()
    laser: dict[str, Any] | None = None
    beam: dict[str, Any] | None = None
    cooling: dict[str, Any] | None = None
    protocol: dict[str, Any] | None = None
    grid: GridSpec = GridSpec()
    transport: TransportSettings = TransportSettings()
    heat: HeatSettings = HeatSettings()

    @model_validator(mode="after")
    def _skin_given_once(self) -> "Scenario":
        if (self.person is None) == (self.layers is None):
            raise ValueError("give exactly one of [person] or [[layers]]")
        if self.person is not None and self.laser is None:
            raise ValueError("a [person] scenario needs a [laser] table with at least a wavelength")
        return self

    def check_treatment_tables(self) -> None:
        """Validate ``[laser]`` (when it is more than a wavelength), ``[cooling]`` and ``[protocol]``
        now, so bad input is reported before any computation."""
        from laserskin.treatment.protocol import Protocol
        from laserskin.thermal.cooling import Cooling

        if self.laser is not None and set(self.laser) - {"wavelength"}:
            self.laser_model()
        if self.cooling is not None:
            Cooling.from_config(dict(self.cooling))
        if self.protocol is not None:
            _validated(Protocol, self.protocol, "protocol")

    # --- derived inputs -------------------------------------------------------------
    def person_model(self):
        """The validated :class:`laserskin.skin.Person`, or ``None`` for explicit layers."""
        if self.person is None:
            return None
        from laserskin.skin import Person

        return _validated(Person, self.person, "person")

    def wavelength_m(self) -> float:
        """Laser wavelength in m (the first of a broadband spectrum), from ``[laser]``."""
        return self.wavelength_weights()[0][0]

    def wavelength_weights(self) -> list[tuple[float, float]]:
        """``[(wavelength_m, weight), ...]`` of the laser; one entry for a single line."""
        laser = dict(self.laser or {})
        if "device" in laser or "fluence" in laser or "pulse_energy" in laser:
            return self.laser_model().wavelength_weights()
        if "wavelength" not in laser:
            raise InputError("laser.wavelength", None, 'a wavelength such as "1064 nm"')
        from laserskin.core.units import to_si

        unknown = sorted(set(laser) - {"wavelength"})
        if unknown:
            raise InputError(
                f"laser.{unknown[0]}", laser[unknown[0]], "only 'wavelength' in a transport-only [laser] table"
            )
        wavelength = to_si(laser["wavelength"], "m", field="laser.wavelength")
        _check_wavelength(wavelength)
        return [(wavelength, 1.0)]

    def laser_model(self):
        """The validated :class:`laserskin.treatment.laser.Laser` (needs a full ``[laser]`` table)."""
        from laserskin.treatment.laser import Laser

        if self.laser is None:
            raise InputError("laser", None, "a [laser] table")
        try:
            return Laser.from_config(dict(self.laser))
        except ValidationError as error:
            raise InputError.from_validation(error, "laser") from None

    def beam_model(self):
        """The :class:`laserskin.transport.Beam` (pencil if no ``[beam]`` table)."""
        from laserskin.transport import Beam

        return _validated(Beam, self.beam or {"kind": "pencil"}, "beam")

    def layer_stack(self, wavelength_m: float | None = None) -> LayerStack:
        """Optical layers at ``wavelength_m`` (default: the laser's)."""
        if self.layers is not None:
            return LayerStack(layers=self.layers, n_above=self.ambient.n_above, n_below=self.ambient.n_below)
        from laserskin.skin import tissue_at

        wavelength = self.wavelength_m() if wavelength_m is None else wavelength_m
        tissue = tissue_at(self.person_model(), wavelength, scattering=self.transport.scattering)
        return tissue.optical_stack(n_above=self.ambient.n_above)

    def rz_grid(self, stack: LayerStack, beam_radius_m: float) -> RZGrid:
        """Grid for this scenario: the [grid] table where set, defaults chosen from the inputs."""
        return default_grid(stack, beam_radius_m, self.grid)


def default_grid(stack: LayerStack, beam_radius_m: float, spec: GridSpec = GridSpec()) -> RZGrid:
    """A graded r–z grid covering the beam and the light's spread, with layer interfaces as edges.

    Parameters
    ----------
    stack : LayerStack
        Optical layers (their interfaces become depth cell edges).
    beam_radius_m : float
        Outer radius of the beam in m (0 for a pencil beam).
    spec : GridSpec
        User settings; unset fields are chosen here.

    Returns
    -------
    RZGrid
    """
    boundaries = [b for b in stack.boundaries_m if math.isfinite(b)]
    depth = boundaries[-1] if boundaries else 0.0
    z_max = spec.z_max_m or (depth if depth > 0 else 5e-3)
    r_max = spec.r_max_m or max(1.5 * beam_radius_m + 1.5e-3, 2e-3)
    nr = spec.nr or 100
    dz_max = max(spec.dz_max_m, spec.dz_surface_m)
    return RZGrid.graded(
        r_max_m=r_max,
        nr=nr,
        z_max_m=z_max,
        dz_surface_m=spec.dz_surface_m,
        dz_max_m=dz_max,
        growth=spec.growth,
        interfaces_m=boundaries[:-1] if boundaries and boundaries[-1] >= z_max else boundaries,
        fine_depth_m=min(z_max, 150e-6),
    )


def _check_wavelength(wavelength_m: float) -> None:
    if not 400e-9 <= wavelength_m <= 11000e-9:
        raise InputError("laser.wavelength", f"{wavelength_m * 1e9:g} nm", "400 nm to 11000 nm")


def _validated(model, data: dict, name: str):
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error, name) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises
    ------
    InputError
        If the file is missing, is not valid TOML, or does not match the schema.
    """
    from laserskin.core.io import read_toml

    return scenario_from_dict(read_toml(path, "scenario"))


def scenario_from_dict(data: dict) -> Scenario:
    """Validate a scenario given as a dictionary (parsed TOML or JSON)."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error) from None
    scenario.check_treatment_tables()
    return scenario
