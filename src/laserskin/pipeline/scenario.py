"""Scenario files: the serialised form of the input models (TOML).

A scenario describes the skin (a ``[person]`` or explicit ``[[layers]]``), the
laser (``[laser]``: a wavelength for light transport alone, or a full laser /
device preset for a treatment simulation), the beam, cooling, protocol, grid and
Monte Carlo settings. CLI, web and sweeps all read this one schema.

Example (explicit layers; ``laserskin simulate`` also needs ``k``, ``density`` and
``specific_heat`` in every layer and a full ``[laser]``, see :mod:`laserskin.pipeline.layers`)::

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
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity
from laserskin.grid import RZGrid
from laserskin.optics.chromophores import WAVELENGTH_MAX_M, WAVELENGTH_MIN_M
from laserskin.optics.layers import LayerStack, OpticalLayer
from laserskin.pipeline.layers import ExplicitLayer, require_resolved_on, validate_layers
from laserskin.pipeline.settings import GridSpec, HeatSettings, SimulationSettings, TransportSettings
from laserskin.skin import Person
from laserskin.thermal.cooling import CoolingConfig
from laserskin.transport import Beam
from laserskin.transport.voxel_geometry import GeometrySpec, InclusionSpec
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

__all__ = ["Ambient", "LightOnly", "Scenario", "default_extent", "default_grid", "load_scenario", "scenario_from_dict"]


class Ambient(InputModel):
    """Refractive indices of the media above and below the layers (explicit-layer scenarios)."""

    n_above: float = Field(default=1.0, ge=1.0, le=4.0)
    n_below: float = Field(default=1.0, ge=1.0, le=4.0)


class LightOnly(InputModel):
    """A ``[laser]`` table with only a wavelength: enough for light transport alone."""

    wavelength_m: Annotated[
        float, Quantity("m", display="nm", ge=WAVELENGTH_MIN_M * (1 - 1e-12), le=WAVELENGTH_MAX_M * (1 + 1e-12))
    ] = Field(alias="wavelength")

    def wavelength_weights(self) -> list[tuple[float, float]]:
        return [(self.wavelength_m, 1.0)]


def _laser_kind(value: Any) -> str:
    if isinstance(value, LightOnly) or (isinstance(value, dict) and set(value) == {"wavelength"}):
        return "<wavelength only>"
    return "<laser>"


#: ``[laser]``: a wavelength (light transport alone) or a full laser / device preset with overrides.
LaserTable = Annotated[
    Annotated[LightOnly, Tag("<wavelength only>")] | Annotated[Laser, Tag("<laser>")], Discriminator(_laser_kind)
]


class Scenario(InputModel):
    """Everything one run needs, typed: exactly one of ``person`` and ``layers``.

    The tables of a scenario file map one to one onto these fields (TOML keys as aliases),
    so CLI, web, sweeps and Python validate through this one model and its JSON schema
    shows every field.
    """

    person: Person | None = None
    layers: tuple[ExplicitLayer, ...] | None = None
    ambient: Ambient = Ambient()
    laser: LaserTable | None = None
    beam: Beam | None = None
    cooling: CoolingConfig | None = None
    protocol: Protocol | None = None
    grid: GridSpec = GridSpec()
    transport: TransportSettings = TransportSettings()
    heat: HeatSettings = HeatSettings()
    geometry: GeometrySpec = GeometrySpec()
    inclusions: tuple[InclusionSpec, ...] = ()

    @field_validator("layers", mode="before")
    @classmethod
    def _layers_one_by_one(cls, value: Any) -> Any:
        """Each layer validated on its own so that problems read ``layers[1].k`` (README's style), not
        pydantic's ``layers.1.k``; only the last layer may be semi-infinite."""
        if value is None:
            return value
        try:
            return validate_layers(value)
        except InputError as error:  # pydantic puts this under "layers": the field is relative to it
            field = error.field.removeprefix("layers")
            if not field:  # the list itself
                raise InputError("", error.value, error.allowed, given=error.given) from None
            raise InputError(field, error.value, error.allowed, message=str(error).removeprefix("layers")) from None

    @model_validator(mode="after")
    def _layers_resolved(self) -> Scenario:
        """A layer thinner than the grid's smallest cell is refused (QA6 #13)."""
        if self.layers is not None:
            require_resolved_on(self.layers, self.grid, self.geometry)  # as Simulation(layers=...) does
        return self

    @model_validator(mode="after")
    def _scattering_set_known(self) -> Scenario:
        """``[transport] scattering`` names a shipped set, refused at its key when the file is read (session 12: an
        unknown name read "scattering: got 'foo'" without its table, and only when the light transport started)."""
        from laserskin.skin.parameter_sets import available_scattering_sets

        available = available_scattering_sets()
        if self.transport.scattering not in available:
            raise InputError("transport.scattering", self.transport.scattering, f"one of {', '.join(available)}")
        return self

    @model_validator(mode="after")
    def _skin_given_once(self) -> Scenario:
        if (self.person is None) == (self.layers is None):
            raise ValueError("give exactly one of the tables [person] or [[layers]]")
        if self.person is not None and self.laser is None:
            raise ValueError("a [person] scenario needs a [laser] table with at least a wavelength")
        if self.inclusions and self.geometry.kind != "voxels":
            raise ValueError('[[inclusions]] need [geometry] kind = "voxels"')
        if self.protocol is not None and isinstance(self.laser, Laser):
            self.protocol.effective_pulses_per_spot(self.laser)  # [laser] pulses against pulses_per_spot (QA4 #30)
            self.protocol.pass_start_times_s(self.laser)  # the default wait between passes within 1 h (QA9 #1)
        return self

    # --- derived inputs -------------------------------------------------------------
    def person_model(self) -> Person | None:
        """The :class:`laserskin.skin.Person`, or ``None`` for explicit layers."""
        return self.person

    def wavelength_m(self) -> float:
        """Laser wavelength in m (the first of a broadband spectrum), from ``[laser]``."""
        return self.wavelength_weights()[0][0]

    def wavelength_weights(self) -> list[tuple[float, float]]:
        """``[(wavelength_m, weight), ...]`` of the laser; one entry for a single line."""
        if self.laser is None:
            raise InputError("laser.wavelength", None, 'a wavelength such as "1064 nm"')
        return self.laser.wavelength_weights()

    def laser_model(self) -> Laser:
        """The :class:`laserskin.treatment.laser.Laser` (needs a full ``[laser]`` table)."""
        if not isinstance(self.laser, Laser):
            raise InputError("laser", "a wavelength only", "a full [laser] table (fluence, pulse, spot) or a device")
        return self.laser

    def beam_model(self) -> Beam:
        """The :class:`laserskin.transport.Beam` (pencil if no ``[beam]`` table)."""
        return self.beam if self.beam is not None else Beam(kind="pencil")

    def settings(self, **updates: Any) -> SimulationSettings:
        """The ``[transport]``, ``[heat]`` and ``[grid]`` tables as one :class:`SimulationSettings`."""
        return SimulationSettings.from_tables(self.transport, self.heat, self.grid, **updates)

    def layer_stack(self, wavelength_m: float | None = None) -> LayerStack:
        """Optical layers at ``wavelength_m`` (default: the laser's)."""
        if self.layers is not None:
            return LayerStack(layers=self.layers, n_above=self.ambient.n_above, n_below=self.ambient.n_below)
        from laserskin.skin import tissue_at

        person = self.person
        assert person is not None  # _skin_given_once: exactly one of person and layers
        wavelength = self.wavelength_m() if wavelength_m is None else wavelength_m
        tissue = tissue_at(person, wavelength, scattering=self.transport.scattering)
        return tissue.optical_stack(n_above=self.ambient.n_above)

    def rz_grid(self, stack: LayerStack, beam_radius_m: float) -> RZGrid:
        """Grid for this scenario: the [grid] table where set, defaults chosen from the inputs."""
        return default_grid(stack, beam_radius_m, self.grid)


#: The default grid reaches this far past the last finite layer into a semi-infinite one, in
#: units of the light's decay length there: ln(100) lengths leave about 1 % of what enters it.
CAPTURE_DECAY_LENGTHS = math.log(100.0)
#: ... but at most this deep (a nearly transparent last layer would need metres), m.
MAX_CAPTURE_EXTENSION_M = 20e-3


def light_decay_length_m(layer: OpticalLayer) -> float:
    """Depth over which the light in a thick layer decays by 1/e, m (``inf`` without absorption).

    The diffuse light decays with μeff = √(3 μa (μa + μs')) (diffusion theory, e.g. Welch &
    van Gemert 2011, ch. 6); the collimated light with μt = μa + μs. The slower one sets the length.
    """
    mua, musp = layer.mua_per_m, layer.musp_per_m
    mu_eff = math.sqrt(3.0 * mua * (mua + musp))
    rate = min(mu_eff, mua + layer.mus_per_m)
    return math.inf if rate <= 0 else 1.0 / rate


def default_extent(stack: LayerStack, beam_radius_m: float, spec: GridSpec = GridSpec()):
    """``(r_max_m, z_max_m, interfaces_m)`` of :func:`default_grid` (cheap: nothing allocated)."""
    boundaries = [b for b in stack.boundaries_m if math.isfinite(b)]
    depth = boundaries[-1] if boundaries else 0.0
    z_default = depth if depth > 0 else 5e-3
    r_default = max(1.5 * beam_radius_m + 1.5e-3, 2e-3)
    if math.isinf(stack.layers[-1].thickness_m):
        reach = min(CAPTURE_DECAY_LENGTHS * light_decay_length_m(stack.layers[-1]), MAX_CAPTURE_EXTENSION_M)
        z_default = max(z_default, depth + reach)
    z_max = spec.z_max_m or z_default
    r_max = spec.r_max_m or r_default
    interfaces = boundaries[:-1] if boundaries and boundaries[-1] >= z_max else boundaries
    return r_max, z_max, interfaces


def default_grid(stack: LayerStack, beam_radius_m: float, spec: GridSpec = GridSpec()) -> RZGrid:
    """A graded r–z grid covering the beam and the light's spread, with layer interfaces as edges.

    With a semi-infinite last layer the grid reaches ``CAPTURE_DECAY_LENGTHS`` decay lengths of
    the light (:func:`light_decay_length_m`, at most ``MAX_CAPTURE_EXTENSION_M``) below the last
    finite layer, so that no more than about 1 % of the absorbed light passes below it. The
    radius stays 1.5 beam radii + 1.5 mm (uniform radial cells: a wider default would coarsen the
    beam's own cells); weakly absorbing tissue (1064 nm) spreads light beyond it, and a
    simulation says how much (``absorbed_outside_grid_share``, a warning above 1 %): a larger
    ``[grid] r_max`` and ``nr`` capture it.

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
    r_max, z_max, interfaces = default_extent(stack, beam_radius_m, spec)
    nr = spec.nr or 100
    dz_max = max(spec.dz_max_m, spec.dz_surface_m)
    return RZGrid.graded(
        r_max_m=r_max,
        nr=nr,
        z_max_m=z_max,
        dz_surface_m=spec.dz_surface_m,
        dz_max_m=dz_max,
        growth=spec.growth,
        interfaces_m=interfaces,
        fine_depth_m=min(z_max, 150e-6),
    )


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
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error) from None
