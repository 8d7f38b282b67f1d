"""The laser: wavelength(s), pulse energy or fluence, pulse duration, spot, repetition, fractional mode.

A :class:`Laser` is the treatment input that turns the transport result (absorbed
energy per incident joule) into heat sources: the simulation runs one light
transport per wavelength of :meth:`Laser.wavelength_weights`, scales it by
:attr:`Laser.pulse_energy_J` and switches the source on and off with
:meth:`Laser.pulse_train`.

TOML schema of the ``[laser]`` table (clinical units at the edge, SI inside)::

    [laser]                       # explicit fields
    wavelength = "1064 nm"        # or: spectrum = [{wavelength = "1200 nm", weight = 0.2}, ...]
    fluence = "14 J/cm^2"         # or: pulse_energy = "2.7 J"   (exactly one)
    pulse_duration = "0.3 ms"
    spot_diameter = "5 mm"        # gaussian: 1/e^2 diameter; or spot_fwhm = "3 mm"
    profile = "flat_top"          # "flat_top" | "gaussian"; unset: flat_top, or gaussian for a fractional micro-beam
    repetition_rate = "10 Hz"     # needed when pulses > 1
    pulses = 1                    # pulses stacked on one spot
    ablative = true               # optional: unset = decided by the physics (see Ablative below)
    fractional = { microbeam_diameter = "120 um", density = "10 %" }   # optional

    [laser]                       # or a device preset with optional overrides
    device = "co2_fractional"
    pulse_energy = "20 mJ"

Conventions
-----------
* **Fluence** is the *nominal* fluence a device displays: pulse energy divided by the
  area of the nominal beam diameter, ``F = E / (pi d^2 / 4)``. For a flat-top beam it is
  the fluence everywhere in the spot. For a Gaussian beam ``d`` is the **1/e^2 diameter**
  ``2w`` and the peak (on-axis) fluence is ``2E / (pi w^2) = 2F``. A Gaussian beam may
  instead be given by its full width at half maximum, ``spot_fwhm``; it is converted with
  ``d = 2 * FWHM / sqrt(2 ln 2)`` (≈ 1.699 FWHM) and stored as ``spot_diameter``.
* **Temporal profile**: every pulse is a top-hat in time (constant power
  ``E / pulse_duration`` for ``pulse_duration``). Real flash-lamp / diode pulses have
  rise and fall times and sub-pulse structure; at equal energy and duration the
  top-hat is the usual modelling choice (as in mcxyz/MCmatlab heat simulations).
* **Fractional mode** (``fractional`` table): the beam is split into microbeams that each
  make one microscopic treatment zone (MTZ). Then ``fluence`` / ``pulse_energy`` and
  ``profile`` describe **one microbeam** (the clinical setting "15 mJ per MTZ"), the beam
  whose transport and heating are simulated is the microbeam, and ``spot_diameter`` is the
  footprint of the scan pattern / handpiece over which the MTZs are spread. The micro-beam of
  a scanned fractional device is a focused laser beam, near-Gaussian at the skin (Hantash's CO2
  beam "was focused to a 1/e² spot size of 120 µm"), so an **unset** ``profile`` is
  ``"gaussian"`` in fractional mode (``microbeam_diameter`` is then its 1/e² diameter); an
  explicit ``profile = "flat_top"`` is honoured (a top-hat micro-beam of that diameter, e.g. a
  mask- or micro-lens-projected pattern) in the r–z, voxel and ablative stages alike.
  ``density`` is either an **area coverage fraction** (``"10 %"``: the fraction of the
  skin surface covered by microbeam footprints, each of area ``pi d_mb^2 / 4`` with the
  same diameter convention as the beam), or a **number of MTZ per area**
  (``"200 /cm^2"``). One determines the other: ``coverage = n_MTZ * pi d_mb^2 / 4``;
  e.g. 120 µm microbeams at 10 % coverage are 884 MTZ/cm² (docs/reference §9).
* **Ablative** lasers must be strongly absorbed by water: ``ablative = true`` is allowed
  only where liquid water absorbs at least 100 /cm (Segelstein 1981 table, interpolated
  log-linearly). In 400–11000 nm that is 1.91–1.96 µm and 2.52–11 µm (Er:YSGG 2790 nm,
  Er:YAG 2940 nm, CO2 9.3–10.6 µm, Tm 1927/1940 nm); Nd:YAG 1064 nm (0.15 /cm) or a
  1550 nm fibre laser (11 /cm) cannot vaporise tissue at clinical fluences.
  Ablation is physics, not a switch: **left unset**, ``ablative`` follows the same rule (true
  where every wavelength is strongly water-absorbed, else false; :attr:`Laser.ablative_given`
  tells the two apart). The pipeline then lets the ablation stage's own removal criterion decide
  whether a crater forms at the given fluence (none below the ablation threshold), and keeps a
  water-absorbed wavelength whose light still scatters more than the ablation stage allows in the
  tissue (Tm 1927/1940 nm) non-ablative (``laserskin.pipeline.ablative.resolve_ablative``). An
  explicit ``ablative = false`` at an ablative wavelength is simulated as tissue drying in place,
  and the result says so when that setting vaporises tissue. Every device preset sets the flag.

References
----------
Segelstein DJ (1981). The complex refractive index of water. M.S. thesis, University of
Missouri-Kansas City (table as compiled by S. Prahl, omlc.org).
Manstein D, Herron GS, Sink RK, Tanner H, Anderson RR (2004). Fractional photothermolysis:
a new concept for cutaneous remodeling using microscopic patterns of thermal injury.
Lasers Surg Med 34:426-438 (definition of MTZ density / coverage).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StrictBool,
    field_validator,
    model_serializer,
    model_validator,
)

from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel, bare_fraction_refusal, percent_spec
from laserskin.core.units import Quantity, TypedQuantity, echo, format_quantity, to_si, typed_text
from laserskin.optics.chromophores import (
    ABLATIVE_WATER_MUA_PER_M,
    WAVELENGTH_MAX_M,
    WAVELENGTH_MIN_M,
    mua_water_per_m,
)
from laserskin.treatment.presets import preset_data
from laserskin.treatment.protocol import MAX_WITHIN_SESSION_S, beyond_session, session_refusal

__all__ = [
    "ABLATIVE_WATER_MUA_PER_M",
    "FractionalSpec",
    "Laser",
    "MIN_PULSE_DURATION_S",
    "SpectralLine",
    "water_mua_per_m",
]


_WAVELENGTH_LE = WAVELENGTH_MAX_M * (1 + 1e-12)  # "11000 nm" parses to 1.1000000000000001e-05
_WAVELENGTH_GE = WAVELENGTH_MIN_M * (1 - 1e-12)


#: 1/e^2 diameter = FWHM_TO_1E2_DIAMETER * FWHM for a Gaussian beam.
FWHM_TO_1E2_DIAMETER = 2.0 / math.sqrt(2.0 * math.log(2.0))

MAX_PULSES_PER_SPOT = 10_000
#: Longest explicit pulse, s (60 s): the longest preset pulse is Titan's 10 s; a longer "pulse" is a unit slip
#: ("1 d" for "1 ms", QA5 #21), not a device.
MAX_PULSE_DURATION_S = 60.0
#: Shortest pulse, s (10 ns): the models are thermal (heat conduction, water boiling, thermal blow-off) and hold only
#: where the pulse outlasts stress confinement and stays below optical breakdown (Vogel & Venugopalan 2003, Chem Rev
#: 103:577, sections 2-3). At 10 ns the stress-transit time of the thinnest heated layer (Er:YAG, 1/mu_a ~ 1 um of
#: tissue at ~1.5 km/s: ~1 ns) is 10x shorter than the pulse, and a clinical fluence (<= 100 J/cm^2) is <= 1e10
#: W/cm^2, the low end of the breakdown irradiance of ns pulses in water and tissue (1e10-1e11 W/cm^2). Shorter
#: pulses (ps: 10 J/cm^2 in 1 ps is 1e13 W/cm^2) ablate by plasma and stress waves, which nothing here describes.
#: The shortest published setting the models are checked against is Q-switched Er:YAG at 90 ns (Walsh et al. 1989).
MIN_PULSE_DURATION_S = 10e-9

Profile = Literal["flat_top", "gaussian"]


# --------------------------------------------------------------------------- water
def water_mua_per_m(wavelength_m: float) -> float:
    """Absorption coefficient of pure liquid water at one wavelength, 1/m (Segelstein 1981;
    the one water spectrum of :func:`laserskin.optics.chromophores.mua_water_per_m`)."""
    return float(mua_water_per_m(wavelength_m))


# --------------------------------------------------------------------------- helpers
class _DerivedFields(InputModel):
    """Input model that fills some fields from others and leaves them out when dumped.

    The user gives one of several equivalent inputs (fluence or pulse energy); the
    other is computed and stored so that consumers can always read both. Dumping
    writes only what was given, so ``model_validate(model_dump(by_alias=True))``
    returns the same model.
    """

    _derived: frozenset[str] = PrivateAttr(default=frozenset())

    def _fill(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)
        self._derived = self._derived | frozenset(values)

    @model_serializer(mode="wrap")
    def _drop_derived(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict:
        data = handler(self)
        for name in self._derived:
            data.pop(name, None)
            alias = type(self).model_fields[name].alias
            if alias:
                data.pop(alias, None)
        return data


def _validated(value: float | None) -> float:
    """A setting that is optional on input and set on every validated laser: one of a pair is given and the other
    derived (``Laser._check``: pulse energy and fluence, spot diameter and FWHM; ``FractionalSpec._one_density``:
    coverage and MTZ density), or one of a pair is required (the wavelength where there is no spectrum). The one
    place that says so to the type checker."""
    assert value is not None, "set on every validated laser (Laser._check, FractionalSpec._one_density)"
    return value


def _circle_area(diameter_m: float) -> float:
    return math.pi * diameter_m**2 / 4.0


class _MessageOnly:
    """A note kept with a model for its messages only (the key a user typed), not part of the model's value: every
    note equals every other, so two specs of the same fields are equal however they were typed (a dumped and
    re-read spec says ``coverage`` where ``density`` was typed)."""

    __slots__ = ("value",)

    def __init__(self, value: str | None) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _MessageOnly)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"_MessageOnly({self.value!r})"


def _refuse_over_full_coverage(key: str, typed: Any, mtz_per_m2: float, microbeam_diameter: Any) -> None:
    """A number of MTZ per area whose microbeams cover more than the skin (100 % per pattern) is refused under the
    key typed, ``key`` (``density`` or ``mtz_density``), with the largest count for the microbeam diameter: a
    validated diameter (m) or the text typed; text that does not parse is left to its own field's message."""
    if isinstance(microbeam_diameter, str):
        try:
            diameter_m = to_si(microbeam_diameter, "m", field="microbeam_diameter")
        except InputError:
            return
    elif isinstance(microbeam_diameter, float) and not isinstance(microbeam_diameter, bool):
        diameter_m = microbeam_diameter
    else:
        return
    if not diameter_m > 0.0:
        return
    area = _circle_area(diameter_m)
    if mtz_per_m2 * area > 1.0 + 1e-12:
        raise InputError(  # the text typed, a typed quantity as core.errors.shown echoes it, else the density
            key,
            typed if isinstance(typed, str | TypedQuantity) else mtz_per_m2,
            f"at most {format_quantity(1.0 / area, '1/m^2', '1/cm^2')} for microbeams of {diameter_m * 1e6:g} um "
            f"(they would cover {mtz_per_m2 * area:.0%} of the skin; at most 100 % per pattern: use more passes)",
        )


# --------------------------------------------------------------------------- parts
class SpectralLine(InputModel):
    """One wavelength of a broadband source with its relative weight (share of the energy)."""

    wavelength_m: Annotated[float, Quantity("m", display="nm", ge=_WAVELENGTH_GE, le=_WAVELENGTH_LE)] = Field(
        alias="wavelength"
    )
    weight: float = Field(gt=0.0, allow_inf_nan=False)


class FractionalSpec(_DerivedFields):
    """Fractional (microbeam) mode: microbeam diameter and MTZ density.

    Give ``microbeam_diameter`` and one of ``density`` (``"10 %"`` = area coverage
    fraction, or ``"200 /cm^2"`` = MTZ per area), ``coverage`` (fraction or percent) or
    ``mtz_density`` (per area). A bare number is a fraction of 1 (``coverage = 0.05`` and
    ``density = 0.05`` are 5 %); a percentage is typed with its unit (``"5 %"``). A bare
    number out of range (``coverage = 5``) is refused saying what it was read as (500 %;
    :func:`laserskin.core.models.bare_fraction_refusal`, QA13 #10). The other is derived with
    ``coverage = mtz_per_m2 * pi * microbeam_diameter^2 / 4`` (Manstein et al. 2004).
    Coverage per pulse pattern must be at most 100 %.
    """

    microbeam_diameter_m: Annotated[float, Quantity("m", display="um", gt=0.0, le=2e-3)] = Field(
        alias="microbeam_diameter"
    )
    coverage: Annotated[float, Quantity("", display="%", gt=0.0, le=1.0)] | None = None
    mtz_per_m2: Annotated[float, Quantity("1/m^2", display="1/cm^2", gt=0.0)] | None = Field(
        default=None, alias="mtz_density"
    )

    #: the density key typed (``density``, ``coverage`` or ``mtz_density``; ``None``: not known), for messages only
    _density_key: _MessageOnly = PrivateAttr(default_factory=lambda: _MessageOnly(None))

    @model_validator(mode="before")
    @classmethod
    def _density(cls, data: Any) -> Any:
        if isinstance(data, dict):
            # `density` is a key of the TOML table but no field, so pydantic's unknown-key message would
            # leave it out of the keys it lists: name them here (QA4 #6)
            known = {"density"} | {f.alias or n for n, f in cls.model_fields.items()} | set(cls.model_fields)
            for key in data:
                if key not in known:
                    raise InputError(
                        str(key),
                        data[key],
                        "",
                        message="unknown key; expected one of microbeam_diameter, density, coverage, mtz_density",
                    )
        if not isinstance(data, dict) or "density" not in data:
            return data
        data = dict(data)
        present = {("mtz_density" if key == "mtz_per_m2" else key) for key, v in data.items() if v is not None}
        given = [key for key in _DENSITY_KEYS if key in present]
        if len(given) > 1:  # as the spot and energy pairs say it (QA5 #5)
            raise ValueError(f"density: give exactly one of {' and '.join(given)}")
        value = data.pop("density")
        try:
            coverage = to_si(value, "", field="density")
        except InputError:
            coverage = None
        if coverage is not None:
            # a bare number is a fraction of 1, as for `coverage` (its field's rule and range; QA13 #10)
            spec = percent_spec(cls.model_fields["coverage"].annotation)
            per_area = "a number of MTZ per area such as '200 /cm^2'"
            refusal = bare_fraction_refusal(value, spec, "density", also=per_area)
            if refusal is not None:
                raise refusal
            if not 0.0 < coverage <= 1.0:
                raise InputError("density", value, "an area coverage more than 0 % and at most 100 %, such as '10 %'")
            data["coverage"] = value
            return data
        try:
            per_m2 = to_si(value, "1/m^2", field="density")
        except InputError:
            raise InputError(
                "density", value, "an area coverage such as '10 %' or a number of MTZ per area such as '200 /cm^2'"
            ) from None
        # checked here, under the key typed: the mtz_density field would name itself (QA9 #7a)
        if not per_m2 > 0.0:
            raise InputError("density", value, "a number of MTZ per area more than 0 1/cm^2, such as '200 /cm^2'")
        diameter = data.get("microbeam_diameter", data.get("microbeam_diameter_m"))
        _refuse_over_full_coverage("density", value, per_m2, diameter if isinstance(diameter, str) else None)
        data["mtz_density"] = value
        return data

    @model_validator(mode="wrap")
    @classmethod
    def _remember_density_key(cls, data: Any, handler: ModelWrapValidatorHandler[FractionalSpec]) -> FractionalSpec:
        """Keep the density key the user typed (``density``, ``coverage`` or ``mtz_density``) for the messages of
        later checks (a device's range, :meth:`Laser._check`), which see only the fields (QA9 #7a)."""
        typed = None
        if isinstance(data, dict):
            typed = next((k for k in (*_DENSITY_KEYS, "mtz_per_m2") if data.get(k) is not None), None)
        model = handler(data)
        if typed is not None:
            model._density_key = _MessageOnly("mtz_density" if typed == "mtz_per_m2" else typed)
        return model

    @property
    def density_key(self) -> str | None:
        """The density key the user typed: ``"density"``, ``"coverage"`` or ``"mtz_density"`` (``None``: not known,
        e.g. a spec built from SI fields). Only messages read it; it is not part of the spec's value."""
        return self._density_key.value

    @model_validator(mode="after")
    def _one_density(self) -> FractionalSpec:
        cite("manstein2004")
        area = _circle_area(self.microbeam_diameter_m)
        if (self.coverage is None) == (self.mtz_per_m2 is None):
            raise ValueError("density: give exactly one of density, coverage and mtz_density")
        coverage, per_m2 = self.coverage, self.mtz_per_m2
        if coverage is not None:
            self._fill(mtz_per_m2=coverage / area)
        elif per_m2 is not None:
            # mtz_density as typed (a typed density was checked under its own key before)
            _refuse_over_full_coverage("mtz_density", per_m2, per_m2, self.microbeam_diameter_m)
            self._fill(coverage=per_m2 * area)
        return self

    @property
    def microbeam_area_m2(self) -> float:
        """Area of one microbeam footprint, ``pi d^2 / 4`` (m²)."""
        return _circle_area(self.microbeam_diameter_m)


# --------------------------------------------------------------------------- laser
_EXCLUSIVE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"wavelength", "spectrum"}),
    frozenset({"fluence", "pulse_energy"}),
    frozenset({"spot_diameter", "spot_fwhm"}),
    frozenset({"density", "coverage", "mtz_density"}),
)


#: The alternatives of a fractional table's density, in the order the messages name them.
_DENSITY_KEYS = ("density", "coverage", "mtz_density")


def merge_laser_tables(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Apply ``overrides`` to a ``[laser]`` table (TOML keys).

    A key that belongs to a group of alternatives (``wavelength``/``spectrum``,
    ``fluence``/``pulse_energy``, ``spot_diameter``/``spot_fwhm``, and within
    ``fractional`` ``density``/``coverage``/``mtz_density``) replaces the other members
    of its group. A ``fractional`` table is merged key by key; ``fractional = false``
    (or ``None``) removes it.

    Returns
    -------
    dict
        A new table; the inputs are not modified.
    """
    merged = dict(base)
    overrides = _to_aliases(Laser, overrides)
    for group in _EXCLUSIVE_GROUPS:  # two alternatives given at once: say so, never keep one silently
        given = sorted(group & {k for k, v in overrides.items() if v is not None})
        if len(given) > 1:
            raise ValueError(f"{given[0]}: give exactly one of {' and '.join(given)}")
    fractional = overrides.get("fractional")
    if isinstance(fractional, dict):  # the same within the fractional table (QA5 #5: one silently won)
        inner = _to_aliases(FractionalSpec, fractional)
        given = [key for key in _DENSITY_KEYS if inner.get(key) is not None]
        if len(given) > 1:
            raise ValueError(f"fractional.{given[0]}: give exactly one of {' and '.join(given)}")
    for key, value in overrides.items():
        for group in _EXCLUSIVE_GROUPS:
            if key in group:
                for other in group - {key}:
                    merged.pop(other, None)
        if key == "fractional":
            if value is None or value is False:
                merged.pop("fractional", None)
                continue
            if isinstance(value, dict) and isinstance(merged.get("fractional"), dict):
                inner = dict(merged["fractional"])
                for inner_key, inner_value in _to_aliases(FractionalSpec, value).items():
                    for group in _EXCLUSIVE_GROUPS:
                        if inner_key in group:
                            for other in group - {inner_key}:
                                inner.pop(other, None)
                    inner[inner_key] = inner_value
                value = inner
        merged[key] = value
    return merged


def _to_aliases(model: type[InputModel], table: dict[str, Any]) -> dict[str, Any]:
    """Rename field names (``fluence_J_per_m2``) to their TOML keys (``fluence``)."""
    if isinstance(table, InputModel):
        table = table.model_dump(by_alias=True, exclude_none=True)
    out = {}
    for key, value in table.items():
        field = model.model_fields.get(key)
        out[field.alias if field is not None and field.alias else key] = value
    return out


class Laser(_DerivedFields):
    """A treatment laser: wavelength(s), energy, pulse, spot, repetition and fractional mode.

    See the module docstring for the TOML schema and the conventions (nominal fluence,
    1/e² diameter of a Gaussian, top-hat pulses, fractional microbeams, ablative rule).
    After validation both ``fluence_J_per_m2`` and ``pulse_energy_J`` are set (the one
    not given is derived), and ``spot_diameter_m`` is set even when ``spot_fwhm`` was given.

    Attributes
    ----------
    device : str or None
        Name of the device preset this laser came from (``laserskin.treatment.devices``); its
        allowed ranges are then enforced.
    wavelength_m : float or None
        Vacuum wavelength (m), 400-11000 nm; ``None`` for a broadband ``spectrum``.
    spectrum : tuple of SpectralLine or None
        Broadband source as weighted wavelengths; weights are normalised to sum to 1.
    fluence_J_per_m2 : float
        Nominal fluence (J/m²) of one pulse of the simulated beam (the microbeam in
        fractional mode): pulse energy / (pi d² / 4).
    pulse_energy_J : float
        Energy of one pulse of the simulated beam (J).
    pulse_duration_s : float
        Duration of one (top-hat) pulse (s).
    spot_diameter_m : float
        Spot diameter (m): flat-top diameter or Gaussian 1/e² diameter; in fractional
        mode the diameter of the scanned pattern.
    spot_fwhm_m : float or None
        Gaussian FWHM (m) when the spot was given that way (input only).
    profile : {"flat_top", "gaussian"}
        Spatial profile of the simulated beam (the microbeam in fractional mode). Unset in the
        input: ``"flat_top"``, or ``"gaussian"`` for a fractional micro-beam (a focused beam).
    repetition_rate_Hz : float or None
        Pulse repetition rate (Hz); required when ``pulses > 1``. In fractional mode the
        rate at which microbeams are fired. With ``pulses > 1`` at least ``(pulses - 1) / 1 h``:
        the stacked pulses are fired within one session
        (:data:`laserskin.treatment.protocol.MAX_WITHIN_SESSION_S`, QA9 #1).
    pulses : int
        Pulses stacked on one spot (1 to 10 000; a number: text such as ``"2"`` is refused).
    ablative : bool
        Whether the laser vaporises tissue (only for strongly water-absorbed light). Unset in the
        input: decided from the water absorption of the wavelength(s) (see the module docstring);
        always a bool after validation. Only a boolean is accepted (``true``/``false``; not ``"yes"``/``"no"``
        or 1/0, which a lax bool would coerce).
    fractional : FractionalSpec or None
        Microbeam diameter and density for fractional lasers.
    """

    device: str | None = None
    wavelength_m: Annotated[float, Quantity("m", display="nm", ge=_WAVELENGTH_GE, le=_WAVELENGTH_LE)] | None = Field(
        default=None, alias="wavelength"
    )
    spectrum: tuple[SpectralLine, ...] | None = Field(default=None, min_length=1, max_length=200)
    fluence_J_per_m2: Annotated[float, Quantity("J/m^2", gt=0.0)] | None = Field(default=None, alias="fluence")
    pulse_energy_J: Annotated[float, Quantity("J", display="mJ", gt=0.0)] | None = Field(
        default=None, alias="pulse_energy"
    )
    pulse_duration_s: Annotated[float, Quantity("s", display="ms", gt=0.0, le=MAX_PULSE_DURATION_S)] = Field(
        alias="pulse_duration"
    )
    spot_diameter_m: Annotated[float, Quantity("m", display="mm", gt=0.0, le=0.1)] | None = Field(
        default=None, alias="spot_diameter"
    )
    spot_fwhm_m: Annotated[float, Quantity("m", display="mm", gt=0.0, le=0.1)] | None = Field(
        default=None, alias="spot_fwhm"
    )
    profile: Profile = "flat_top"
    repetition_rate_Hz: Annotated[float, Quantity("Hz", gt=0.0, le=1e6)] | None = Field(
        default=None, alias="repetition_rate"
    )
    pulses: int = Field(default=1, ge=1, le=MAX_PULSES_PER_SPOT)
    ablative: StrictBool | None = None  # a TOML/JSON boolean only: "no", "yes", 1, 0 are refused (QA5 #6)
    fractional: FractionalSpec | None = None

    PROFILES: ClassVar[tuple[str, ...]] = ("flat_top", "gaussian")

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_config(cls, table: dict[str, Any]) -> Laser:
        """Build a laser from a ``[laser]`` TOML table.

        Parameters
        ----------
        table : dict
            Either explicit fields, or ``device = "NAME"`` plus optional overrides of
            any field (TOML keys or field names).

        Returns
        -------
        Laser

        Raises
        ------
        InputError
            Unknown device name (the message lists the known names).
        pydantic.ValidationError
            Any other invalid field; each problem names its field.
        """
        table = dict(table)
        if table.get("device") is not None:
            name = table.pop("device")
            return cls.from_device(name, **table)
        return cls.model_validate(table)

    @classmethod
    def from_device(cls, name: str, **overrides: Any) -> Laser:
        """The laser of device preset ``name`` with ``overrides`` (TOML keys or field names).

        Raises
        ------
        InputError
            Unknown device name, or an override outside the device's allowed range.
        """
        preset_data(name)  # an unknown name is an InputError listing the known ones
        overrides = {k: v for k, v in overrides.items() if k != "device"}
        return cls.model_validate({**overrides, "device": name})

    @model_validator(mode="before")
    @classmethod
    def _expand_device(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("device") is None:
            return data
        name = data["device"]
        try:
            preset = preset_data(name)
        except InputError as error:
            raise ValueError(f"device: got {name!r}; expected {error.allowed}") from None
        overrides = {k: v for k, v in data.items() if k != "device"}
        merged = merge_laser_tables(preset.laser_table, overrides)
        merged["device"] = preset.name
        return merged

    @field_validator("fractional", mode="before")
    @classmethod
    def _fractional_off(cls, value: Any) -> Any:
        """``fractional = false`` in a TOML table means a full-field beam."""
        return None if value is False else value

    @field_validator("pulse_duration_s", mode="after")
    @classmethod
    def _thermal_regime(cls, value: float) -> float:
        """A pulse shorter than :data:`MIN_PULSE_DURATION_S` is outside the thermal models' regime (QA8 #8)."""
        if value < MIN_PULSE_DURATION_S * (1 - 1e-12):
            cite("vogel_venugopalan2003")
            raise InputError(
                "",
                value,
                f"a duration from {MIN_PULSE_DURATION_S * 1e9:g} ns to {MAX_PULSE_DURATION_S:g} s: shorter pulses "
                "ablate by plasma formation and stress waves (irradiance near or above optical breakdown, "
                "1e10-1e11 W/cm^2; Vogel & Venugopalan 2003), which this thermal model does not describe",
                given=echo(value, "s", "ns"),
            )
        return value

    @field_validator("spectrum", mode="after")
    @classmethod
    def _normalise_spectrum(cls, spectrum: tuple[SpectralLine, ...] | None) -> tuple[SpectralLine, ...] | None:
        if spectrum is None:
            return None
        wavelengths = sorted(line.wavelength_m for line in spectrum)
        if any(b - a <= 1e-9 * b for a, b in zip(wavelengths, wavelengths[1:])):
            raise ValueError("each wavelength may appear only once in the spectrum")
        total = math.fsum(line.weight for line in spectrum)
        if abs(total - 1.0) <= 1e-12:
            return spectrum
        return tuple(line.model_copy(update={"weight": line.weight / total}) for line in spectrum)

    @model_validator(mode="after")
    def _check(self) -> Laser:
        if (self.wavelength_m is None) == (self.spectrum is None):
            raise ValueError("wavelength: give exactly one of wavelength and spectrum")
        if (self.fluence_J_per_m2 is None) == (self.pulse_energy_J is None):
            raise ValueError("fluence: give exactly one of fluence and pulse_energy")
        if self.fractional is not None and "profile" not in self.model_fields_set:
            self._fill(profile="gaussian")  # a focused micro-beam (dropped again when dumped)
        if self.spot_fwhm_m is not None:
            if self.spot_diameter_m is not None:
                raise ValueError("spot_diameter: give exactly one of spot_diameter and spot_fwhm")
            if self.profile != "gaussian":
                raise ValueError('spot_fwhm: only for profile = "gaussian" (a flat-top has no FWHM)')
            if self.fractional is not None:
                raise ValueError("spot_fwhm: in fractional mode give spot_diameter (the scan pattern)")
            self._fill(spot_diameter_m=self.spot_fwhm_m * FWHM_TO_1E2_DIAMETER)
        elif self.spot_diameter_m is None:
            raise ValueError("spot_diameter: required (or spot_fwhm for a gaussian beam)")
        spot_diameter = self.spot_diameter_m
        assert spot_diameter is not None  # given, or set from spot_fwhm just above
        if self.fractional is not None and self.fractional.microbeam_diameter_m >= spot_diameter:
            raise InputError(  # both as typed (session 14: converted, "1.2e+04 um must be smaller than ... 10 mm")
                "fractional.microbeam_diameter",
                self.fractional.microbeam_diameter_m,
                f"a diameter smaller than the spot (scan pattern) diameter, spot_diameter "
                f"{typed_text(spot_diameter, 'm', 'mm')}",
            )
        area = self.beam_area_m2
        if self.pulse_energy_J is None:
            fluence = self.fluence_J_per_m2
            assert fluence is not None  # exactly one of fluence and pulse_energy (checked above)
            self._fill(pulse_energy_J=fluence * area)
        else:
            self._fill(fluence_J_per_m2=self.pulse_energy_J / area)
        if self.device is not None:
            # the device's ranges before the relations between settings (pulse train, pulse period): a value outside
            # its device's range is refused under its own key and range (QA13 #2: smoothbeam_1450 with pulse_duration
            # '3 s', range 50-300 ms, was refused as "laser.repetition_rate: got '1 Hz'", the preset's rate, which the
            # user never typed)
            try:
                preset = preset_data(self.device)
            except InputError as error:
                raise ValueError(f"device: got {self.device!r}; expected {error.allowed}") from None
            problem = preset.range_problem(self)
            if problem:
                raise ValueError(problem)
        if self.pulses > 1 and self.repetition_rate_Hz is None:
            raise ValueError(f"repetition_rate: required when pulses > 1 (got pulses = {self.pulses})")
        rate = self.repetition_rate_Hz
        train = (self.pulses - 1) / rate if rate else 0.0
        if beyond_session(train):  # the pulses stacked within one session (QA9 #1: 1e-8 Hz ran); worded only then
            assert rate is not None  # without a rate the train is 0
            raise session_refusal(
                "repetition_rate",
                rate,
                train,
                f"at least {format_quantity((self.pulses - 1) / MAX_WITHIN_SESSION_S, 'Hz', digits=4)} with "
                f"pulses = {self.pulses}",
                "the pulse train on a spot",
                formula="(pulses - 1) / repetition_rate",
                given=echo(rate, "Hz", "Hz"),
            )
        if rate is not None and self.pulse_duration_s * rate > 1.0 + 1e-9:
            # the rate is named (QA10 #13): the pulse duration is the device's, a rate above 1/duration a slip
            duration = self.pulse_duration_s
            raise InputError(
                "repetition_rate",
                rate,
                f"at most {format_quantity(1.0 / duration, 'Hz', digits=6)} with pulse_duration "
                f"{typed_text(duration, 's', 'us')} (each pulse "
                "ends before the next starts: the pulse period 1/repetition_rate is at least the pulse duration)",
                given=echo(rate, "Hz", "Hz"),
            )
        if self.ablative is None:  # not given: the physics decides (dropped again when dumped)
            self._fill(ablative=self.strongly_water_absorbed)
        elif self.ablative:
            for wavelength_m, _ in self.wavelength_weights():
                mua = water_mua_per_m(wavelength_m)
                if mua < ABLATIVE_WATER_MUA_PER_M:
                    raise ValueError(
                        f"ablative: true needs strongly water-absorbed light (water mua >= 100 /cm, i.e. "
                        f"1.91-1.96 um or 2.52-11 um, Segelstein 1981); {wavelength_m * 1e9:g} nm has "
                        f"water mua = {mua / 100:.3g} /cm"
                    )
        return self

    # ---------------------------------------------------------------- derived
    @property
    def ablative_given(self) -> bool:
        """Whether ``ablative`` was given (by the user or a device preset) rather than decided by the physics."""
        return "ablative" not in self._derived

    @property
    def energy_setting(self) -> str:
        """The energy setting the user (or the device preset) gave, ``"pulse_energy"`` or ``"fluence"`` (the other
        is derived from it): what a refusal of the energy names (QA8 #3)."""
        return "fluence" if "pulse_energy_J" in self._derived else "pulse_energy"

    @property
    def strongly_water_absorbed(self) -> bool:
        """Whether every wavelength is absorbed by liquid water at least ``ABLATIVE_WATER_MUA_PER_M``
        (100 /cm): the rule that allows ``ablative = true`` and decides it when it is unset."""
        return all(water_mua_per_m(wl) >= ABLATIVE_WATER_MUA_PER_M for wl, _ in self.wavelength_weights())

    @property
    def is_fractional(self) -> bool:
        """True in fractional (microbeam) mode."""
        return self.fractional is not None

    @property
    def spot_area_m2(self) -> float:
        """Area of the spot, ``pi d^2 / 4`` with ``d = spot_diameter_m`` (m²).

        In fractional mode this is the scan-pattern footprint, not the microbeam.
        """
        return _circle_area(_validated(self.spot_diameter_m))

    @property
    def beam_diameter_m(self) -> float:
        """Diameter of the simulated beam (m): the spot, or the microbeam in fractional mode.

        Flat-top diameter, or 1/e² diameter for ``profile = "gaussian"``.
        """
        return self.fractional.microbeam_diameter_m if self.fractional else _validated(self.spot_diameter_m)

    @property
    def beam_radius_m(self) -> float:
        """Half of :attr:`beam_diameter_m` (m): flat-top radius or Gaussian 1/e² radius w."""
        return self.beam_diameter_m / 2.0

    @property
    def beam_area_m2(self) -> float:
        """Nominal area of the simulated beam, ``pi d^2 / 4`` (m²); fluence = energy / this area."""
        return _circle_area(self.beam_diameter_m)

    @property
    def peak_fluence_J_per_m2(self) -> float:
        """Peak (on-axis) fluence of one pulse (J/m²).

        Flat-top: ``E / (pi r^2)``. Gaussian with 1/e² radius ``w``: ``2 E / (pi w^2)``.
        """
        factor = 2.0 if self.profile == "gaussian" else 1.0
        return factor * _validated(self.pulse_energy_J) / (math.pi * self.beam_radius_m**2)

    @property
    def pulse_power_W(self) -> float:
        """Power during one top-hat pulse, pulse energy / pulse duration (W)."""
        return _validated(self.pulse_energy_J) / self.pulse_duration_s

    @property
    def average_power_W(self) -> float | None:
        """Time-averaged power, pulse energy × repetition rate (W); ``None`` without a rate."""
        if self.repetition_rate_Hz is None:
            return None
        return _validated(self.pulse_energy_J) * self.repetition_rate_Hz

    @property
    def microbeam_energy_J(self) -> float | None:
        """Energy per microbeam (per MTZ) in fractional mode (J); ``None`` otherwise."""
        return self.pulse_energy_J if self.fractional else None

    @property
    def microbeam_fluence_J_per_m2(self) -> float | None:
        """Nominal fluence of one microbeam, E_mb / (pi d_mb^2 / 4) (J/m²); ``None`` if not fractional."""
        return self.fluence_J_per_m2 if self.fractional else None

    @property
    def mtz_per_m2(self) -> float | None:
        """Microscopic treatment zones per m² of skin per pattern; ``None`` if not fractional."""
        return self.fractional.mtz_per_m2 if self.fractional else None

    @property
    def coverage_fraction(self) -> float:
        """Fraction of the skin surface hit per pattern: MTZ coverage, or 1 for full-field lasers."""
        return _validated(self.fractional.coverage) if self.fractional else 1.0

    @property
    def microbeams_per_spot(self) -> float | None:
        """Number of microbeams in one scan pattern, mtz_per_m2 × spot area; ``None`` if not fractional."""
        return _validated(self.fractional.mtz_per_m2) * self.spot_area_m2 if self.fractional else None

    @property
    def energy_per_area_J_per_m2(self) -> float:
        """Energy delivered per skin area by one pattern / one pulse, averaged over the spot (J/m²).

        Full-field: the nominal fluence. Fractional: E_mb × mtz_per_m2.
        """
        if self.fractional:
            return _validated(self.pulse_energy_J) * _validated(self.fractional.mtz_per_m2)
        return _validated(self.fluence_J_per_m2)

    @property
    def centroid_wavelength_m(self) -> float:
        """Energy-weighted mean wavelength (m); the wavelength itself for a single line. For a ``spectrum`` with a
        gap (:attr:`emitted_bands_m`) it may fall where nothing is emitted (titan_ir: 1450 nm, in its water filter's
        1400-1500 nm): :attr:`centroid_is_emitted` says so."""
        return math.fsum(w * lam for lam, w in self.wavelength_weights())

    @property
    def emitted_bands_m(self) -> list[tuple[float, float]]:
        """The wavelength bands the source emits, ``[(low_m, high_m), ...]`` shortest first; ``[(λ, λ)]`` for a
        single line.

        A ``spectrum`` samples its band by the midpoint rule: each line stands for the band of the sampling step
        around it, the step being the smallest spacing of adjacent lines (the spectrum's own data: titan_ir's
        100 nm). Lines one step apart merge into one band; a wider gap is a band not emitted. titan_ir's lines
        1150, 1250, 1350, 1550, 1650, 1750 nm give 1100-1400 and 1500-1800 nm: its water filter removes
        1400-1500 nm (Tanaka & Gale 2013, V). Lines the step apart within 1e-6 of it count as one step (the
        wavelengths are parsed from nm text: 1250e-9 - 1150e-9 is not exactly 100e-9).
        """
        lines = sorted(lam for lam, _ in self.wavelength_weights())
        if len(lines) == 1:
            return [(lines[0], lines[0])]
        step = min(b - a for a, b in zip(lines, lines[1:]))
        bands = [[lines[0], lines[0]]]
        for previous, lam in zip(lines, lines[1:]):
            if lam - previous <= step * (1.0 + 1e-6):
                bands[-1][1] = lam
            else:
                bands.append([lam, lam])
        return [(low - step / 2.0, high + step / 2.0) for low, high in bands]

    @property
    def centroid_is_emitted(self) -> bool:
        """Whether :attr:`centroid_wavelength_m` lies in an emitted band (:attr:`emitted_bands_m`, edges
        included); ``False`` where it falls in a gap of the spectrum, so it is no wavelength of the source."""
        centroid = self.centroid_wavelength_m
        tolerance = 1e-9 * centroid
        return any(low - tolerance <= centroid <= high + tolerance for low, high in self.emitted_bands_m)

    # ---------------------------------------------------------------- methods
    def wavelength_weights(self) -> list[tuple[float, float]]:
        """Wavelengths and their share of the pulse energy.

        Returns
        -------
        list of (float, float)
            ``[(wavelength_m, weight), ...]``; weights sum to 1. One entry for a single
            line. The simulation runs one transport per entry and sums the absorbed
            energy weighted by ``weight``.
        """
        if self.spectrum is None:
            return [(_validated(self.wavelength_m), 1.0)]
        return [(line.wavelength_m, line.weight) for line in self.spectrum]

    def pulse_train(self, start_s: float = 0.0) -> list[tuple[float, float, float]]:
        """The pulses that hit one spot (one microbeam site in fractional mode).

        Parameters
        ----------
        start_s : float
            Start of the first pulse (s).

        Returns
        -------
        list of (float, float, float)
            ``(t_start_s, t_end_s, power_W)`` for each of the ``pulses`` pulses: pulse
            ``k`` starts at ``start_s + k / repetition_rate`` and lasts ``pulse_duration``
            at constant power ``pulse_energy / pulse_duration`` (top-hat in time).
        """
        if not math.isfinite(start_s):
            raise InputError("start_s", start_s, "a finite time in s")
        period = 1.0 / self.repetition_rate_Hz if self.repetition_rate_Hz else 0.0
        power = self.pulse_power_W
        starts = [start_s + k * period for k in range(self.pulses)]
        # a pulse as long as the period (allowed: duty cycle 1) ends where the next one starts; k * period
        # and start + duration round differently (3 * 0.1 + 0.1 > 4 * 0.1), so never past that start
        ends = [
            min(t + self.pulse_duration_s, starts[k + 1]) if k + 1 < len(starts) else t + self.pulse_duration_s
            for k, t in enumerate(starts)
        ]
        return [(t, end, power) for t, end in zip(starts, ends)]

    def describe(self) -> str:
        """One line in clinical units, e.g. ``"1064 nm, 14 J/cm^2, 0.3 ms, 5 mm flat_top, 10 Hz"``; a fractional
        laser's profile is named with its micro-beam (``"20 mJ per MTZ (100 um gaussian, 5 % coverage, ...)"``, ``"15 mm
        pattern"``)."""
        if self.spectrum is None:
            wl = f"{_validated(self.wavelength_m) * 1e9:.6g} nm"
        else:
            bands = ", ".join(f"{lo * 1e9:.6g}-{hi * 1e9:.6g}" for lo, hi in self.emitted_bands_m)
            wl = f"{bands} nm ({len(self.spectrum)} lines)"
        parts = [wl]
        if self.fractional:
            parts.append(
                f"{format_quantity(_validated(self.pulse_energy_J), 'J', 'mJ')} per MTZ "
                f"({self.fractional.microbeam_diameter_m * 1e6:.4g} um {self.profile}, "
                f"{(self.fractional.coverage or 0.0) * 100:.3g} % coverage, "  # in %, as typed and planned (QA16 #10: "0.1 coverage")
                f"{format_quantity(_validated(self.fractional.mtz_per_m2), '1/m^2', '1/cm^2')})"
            )
        else:
            parts.append(format_quantity(_validated(self.fluence_J_per_m2), "J/m^2"))
        parts.append(format_quantity(self.pulse_duration_s, "s", "s" if self.pulse_duration_s >= 1 else "ms"))
        # fractional: the profile is the micro-beam's (above); the spot is the scan pattern
        parts.append(
            f"{_validated(self.spot_diameter_m) * 1e3:.4g} mm " + ("pattern" if self.fractional else self.profile)
        )
        if self.repetition_rate_Hz:
            parts.append(format_quantity(self.repetition_rate_Hz, "Hz"))
        if self.pulses > 1:
            parts.append(f"{self.pulses} pulses")
        if self.ablative:
            parts.append("ablative")
        return ", ".join(parts)
