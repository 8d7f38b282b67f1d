"""Incident beams for light transport: pencil, flat top and Gaussian, normal incidence.

Width conventions (always say which one):

* flat top: ``diameter`` of the uniformly lit disc (radius ``R = diameter / 2``);
  irradiance per incident joule ``E(r) = 1 / (π R²)`` for ``r ≤ R``, 0 outside.
* Gaussian: the **1/e² intensity radius** ``w`` (``radius_1e2``), where the
  irradiance has fallen to ``e⁻² ≈ 13.5 %`` of its peak:
  ``E(r) = 2 / (π w²) · exp(−2 r² / w²)`` per incident joule. Equivalent inputs
  are ``diameter_1e2 = 2 w`` and the intensity full width at half maximum
  ``fwhm = w · sqrt(2 ln 2) ≈ 1.1774 w`` (so ``w = FWHM / sqrt(2 ln 2)``).
  Internally only ``radius_1e2_m`` is stored (a dumped beam echoes the width under the
  key it was given, see ``_echo_width_as_typed``). The launch distribution is truncated
  at ``r = 3 w`` (``GAUSSIAN_TRUNCATION``), which leaves out ``exp(−18) ≈ 1.5e-8``
  of the energy; the truncated profile is renormalised to 1 J.

Because all beams are axisymmetric and the tissue is laterally homogeneous, photon
packets are launched at a sampled radius on the x axis and tallied on the
cylindrical r–z grid; the tallies remain exact for the axisymmetric beam.

TOML form::

    [beam]
    kind = "gaussian"
    fwhm = "5 mm"
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
    model_validator,
)

from laserskin.core.errors import InputError, shown
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, TypedQuantity, format_quantity, to_si, ureg

GAUSSIAN_TRUNCATION = 3.0
"""Gaussian launch radii are sampled within ``GAUSSIAN_TRUNCATION × w`` (1/e² radius)."""

FWHM_PER_RADIUS_1E2 = math.sqrt(2.0 * math.log(2.0))
"""Intensity FWHM divided by the 1/e² radius: ``FWHM = w sqrt(2 ln 2)``."""

BEAM_KIND_CODES = {"pencil": 0, "flat_top": 1, "gaussian": 2}

_GAUSSIAN_WIDTH_KEYS = {
    "radius_1e2": ("radius_1e2", "radius_1e2_m"),
    "diameter_1e2": ("diameter_1e2", "diameter_1e2_m"),
    "fwhm": ("fwhm", "fwhm_m"),
}
_RADIUS_PER_WIDTH = {"diameter_1e2": 0.5, "fwhm": 1.0 / FWHM_PER_RADIUS_1E2}
"""The 1/e² radius per unit of each other Gaussian width (``w = D / 2``, ``w = FWHM / sqrt(2 ln 2)``)."""
_WIDTH = TypeAdapter(Annotated[float, Quantity("m", gt=0.0)])
"""A width field's own (de)serialisation: a typed ``fwhm``/``diameter_1e2`` echoes as a ``radius_1e2`` would."""


class Beam(InputModel):
    """Axisymmetric beam at normal incidence.

    Parameters
    ----------
    kind : {"pencil", "flat_top", "gaussian"}
        Beam profile.
    diameter : quantity, flat top only
        Diameter of the uniformly lit disc (stored as ``diameter_m`` in m).
    radius_1e2, diameter_1e2, fwhm : quantity, Gaussian only (exactly one)
        1/e² intensity radius ``w``, 1/e² diameter ``2w``, or intensity FWHM
        ``w sqrt(2 ln 2)``. Stored as ``radius_1e2_m`` (m).
    """

    kind: Literal["pencil", "flat_top", "gaussian"] = "pencil"
    diameter_m: Annotated[float, Quantity("m", gt=0.0)] | None = Field(
        default=None, alias="diameter", description="flat-top diameter"
    )
    radius_1e2_m: Annotated[float, Quantity("m", gt=0.0)] | None = Field(
        default=None, alias="radius_1e2", description="Gaussian 1/e² intensity radius w"
    )

    _width_typed: tuple[str, float] | None = PrivateAttr(default=None)
    """``(key, width in m)`` of a Gaussian width typed as ``fwhm`` or ``diameter_1e2`` (the width a
    :class:`~laserskin.core.units.TypedQuantity` when typed as text), so that a dumped beam echoes that key and
    text (QA12 #3); ``None`` when ``radius_1e2`` was given or no width."""

    @model_validator(mode="wrap")
    @classmethod
    def _gaussian_width_to_radius(cls, data: Any, handler: ModelWrapValidatorHandler[Beam]) -> Beam:
        """Convert ``diameter_1e2`` or ``fwhm`` into the stored 1/e² radius, remembering the key and width typed."""
        if not isinstance(data, dict):
            return handler(data)
        data = dict(data)
        given = {name: [k for k in keys if k in data] for name, keys in _GAUSSIAN_WIDTH_KEYS.items()}
        present = [name for name, keys in given.items() if keys]
        if len(present) > 1 or any(len(keys) > 1 for keys in given.values()):
            raise ValueError(
                "give exactly one Gaussian width: radius_1e2, diameter_1e2 or fwhm "
                f"(got {', '.join(k for keys in given.values() for k in keys)})"
            )
        typed: tuple[str, float] | None = None
        if present and present[0] != "radius_1e2":
            name = present[0]
            key = given[name][0]
            value = data.pop(key)
            try:
                width_m = to_si(value, "m", field=f"beam.{name}")
            except InputError as error:
                raise ValueError(f"{name}: expected {error.allowed}") from None
            if not width_m > 0:
                # the wording and unit of the fields' own range (radius_1e2: "expected more than 0 mm", QA10 #13)
                raise ValueError(f"{name}: got {shown(value)}; expected more than {format_quantity(0.0, 'm', 'mm')}")
            data["radius_1e2"] = ureg.Quantity(width_m * _RADIUS_PER_WIDTH[name], "m")
            if isinstance(value, str) and math.isfinite(width_m):
                width_m = TypedQuantity(width_m, value.strip())
            typed = (name, width_m)
        beam = handler(data)
        if typed is not None:
            beam._width_typed = typed
        return beam

    @model_serializer(mode="wrap")
    def _echo_width_as_typed(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        """Dump the Gaussian width under the key it was given (``fwhm``, ``diameter_1e2`` or ``radius_1e2``), with
        its text by the rule of every quantity (:func:`laserskin.core.units.Quantity`: the typed text where it is the
        shorter exact text, else the display unit), so it reads back to the same radius bit for bit (QA12 #3)."""
        dumped = handler(self)
        typed = self._width_typed
        if not isinstance(dumped, dict) or typed is None or self.radius_1e2_m is None:
            return dumped
        name, width_m = typed
        radius_key = "radius_1e2" if info.by_alias else "radius_1e2_m"
        if radius_key not in dumped or float(width_m) * _RADIUS_PER_WIDTH[name] != self.radius_1e2_m:
            return dumped  # the radius changed since (model_copy): the stored radius is the truth
        key = _GAUSSIAN_WIDTH_KEYS[name][0 if info.by_alias else 1]
        return {
            (key if k == radius_key else k): (_WIDTH.dump_python(width_m) if k == radius_key else v)
            for k, v in dumped.items()
        }

    def __eq__(self, other: object) -> bool:
        """The same beam: the same kind and widths (the floats), whichever width key was typed, as a quantity's
        typed text does not enter its equality either (:class:`~laserskin.core.units.TypedQuantity`)."""
        if not isinstance(other, Beam):
            return NotImplemented
        return (self.kind, self.diameter_m, self.radius_1e2_m) == (other.kind, other.diameter_m, other.radius_1e2_m)

    def __hash__(self) -> int:
        return hash((self.kind, self.diameter_m, self.radius_1e2_m))

    @model_validator(mode="after")
    def _widths_match_kind(self) -> Beam:
        if self.kind == "pencil" and (self.diameter_m is not None or self.radius_1e2_m is not None):
            raise ValueError("a pencil beam takes no width (diameter / radius_1e2 / diameter_1e2 / fwhm)")
        if self.kind == "flat_top":
            if self.diameter_m is None:
                raise ValueError('a flat_top beam needs a diameter, e.g. diameter = "5 mm"')
            if self.radius_1e2_m is not None:
                raise ValueError("a flat_top beam takes a diameter, not a Gaussian width")
        if self.kind == "gaussian":
            if self.radius_1e2_m is None:
                raise ValueError('a gaussian beam needs one of radius_1e2, diameter_1e2 or fwhm, e.g. fwhm = "5 mm"')
            if self.diameter_m is not None:
                raise ValueError("a gaussian beam takes radius_1e2, diameter_1e2 or fwhm, not diameter")
        return self

    # --- derived widths -----------------------------------------------------------------
    @property
    def fwhm_m(self) -> float | None:
        """Intensity FWHM in m (Gaussian), ``None`` otherwise."""
        return None if self.radius_1e2_m is None else self.radius_1e2_m * FWHM_PER_RADIUS_1E2

    @property
    def diameter_1e2_m(self) -> float | None:
        """1/e² intensity diameter ``2w`` in m (Gaussian), ``None`` otherwise."""
        return None if self.radius_1e2_m is None else 2.0 * self.radius_1e2_m

    @property
    def outer_radius_m(self) -> float:
        """Largest launch radius in m: 0 (pencil), ``diameter/2`` (flat top), ``3 w`` (Gaussian)."""
        if self.kind == "flat_top":
            assert self.diameter_m is not None  # _widths_match_kind: a flat top has its diameter
            return 0.5 * self.diameter_m
        if self.kind == "gaussian":
            assert self.radius_1e2_m is not None  # _widths_match_kind: a Gaussian has its radius
            return GAUSSIAN_TRUNCATION * self.radius_1e2_m
        return 0.0

    def kernel_parameters(self) -> tuple[int, float, float]:
        """``(kind code, width, truncation radius)`` in m for the Monte Carlo kernel.

        Width is the flat-top radius or the Gaussian 1/e² radius (0 for a pencil).
        """
        if self.kind == "flat_top":
            assert self.diameter_m is not None  # _widths_match_kind: a flat top has its diameter
            return BEAM_KIND_CODES["flat_top"], 0.5 * self.diameter_m, 0.5 * self.diameter_m
        if self.kind == "gaussian":
            assert self.radius_1e2_m is not None  # _widths_match_kind: a Gaussian has its radius
            return BEAM_KIND_CODES["gaussian"], self.radius_1e2_m, self.outer_radius_m
        return BEAM_KIND_CODES["pencil"], 0.0, 0.0

    # --- analytic profile ---------------------------------------------------------------
    def irradiance_per_J(self, r_m: np.ndarray) -> np.ndarray:
        """Incident irradiance per incident joule ``E(r)`` in 1/m² (integrates to 1 over the plane).

        The Gaussian includes the 3 w truncation and renormalisation used for launching.
        A pencil beam has no finite profile and raises :class:`InputError`.
        """
        r = np.asarray(r_m, dtype=float)
        if self.kind == "flat_top":
            assert self.diameter_m is not None  # _widths_match_kind: a flat top has its diameter
            radius = 0.5 * self.diameter_m
            return np.where(r <= radius, 1.0 / (math.pi * radius**2), 0.0)
        if self.kind == "gaussian":
            w = self.radius_1e2_m
            assert w is not None  # _widths_match_kind: a Gaussian has its radius
            kept = -math.expm1(-2.0 * GAUSSIAN_TRUNCATION**2)
            return np.where(r <= self.outer_radius_m, 2.0 / (math.pi * w**2) * np.exp(-2.0 * r**2 / w**2) / kept, 0.0)
        raise InputError("beam.kind", self.kind, "a beam with a finite profile (flat_top or gaussian)")

    def launch_radius_cdf(self, r_m: np.ndarray) -> np.ndarray:
        """Cumulative distribution of launch radii ``P(R ≤ r)`` (dimensionless).

        Flat top: ``(r/R)²``; Gaussian: ``(1 − exp(−2r²/w²)) / (1 − exp(−18))`` within 3 w;
        pencil: a step at 0.
        """
        r = np.asarray(r_m, dtype=float)
        if self.kind == "flat_top":
            assert self.diameter_m is not None  # _widths_match_kind: a flat top has its diameter
            radius = 0.5 * self.diameter_m
            return np.clip((r / radius) ** 2, 0.0, 1.0)
        if self.kind == "gaussian":
            w = self.radius_1e2_m
            assert w is not None  # _widths_match_kind: a Gaussian has its radius
            kept = -math.expm1(-2.0 * GAUSSIAN_TRUNCATION**2)
            rr = np.minimum(r, self.outer_radius_m)
            return np.where(r >= 0, -np.expm1(-2.0 * rr**2 / w**2) / kept, 0.0)
        return np.where(r >= 0, 1.0, 0.0)

    def digest(self) -> str:
        """Canonical JSON of the beam (SI), for cache keys."""
        _code, width, outer = self.kernel_parameters()
        return f"{self.kind}|{width!r}|{outer!r}"
