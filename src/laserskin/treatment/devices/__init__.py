"""Device presets: treatment lasers as data files (TOML), selectable by name, overridable per field.

Each ``*.toml`` file in this package describes one device class ("Fraxel-type",
"Titan-type" — generic presets, not the manufacturers' specifications)::

    name = "genesis_1064"                       # key used in scenarios: [laser] device = "genesis_1064"
    display_name = "Long-pulse Nd:YAG 1064 nm (Genesis-style)"
    class = "non_ablative"                      # non_ablative | fractional_non_ablative | ablative | fractional_ablative
    confidence = "R/U"                          # tag of docs/reference/physics_data.md
    notes = "..."
    [laser]                                     # default settings: a [laser] table (see laserskin.treatment.laser)
    wavelength = "1064 nm"
    ...
    [ranges]                                    # allowed [min, max] of settings; overrides outside raise
    fluence = ["10 J/cm^2", "20 J/cm^2"]        # keys: fluence, pulse_energy, pulse_duration, spot_diameter,
    ...                                         #       repetition_rate, pulses, microbeam_diameter, coverage
    [cooling]                                   # default surface cooling: stored as data for
    kind = "none"                               # laserskin.thermal.cooling (none|cold_air|contact|cryogen)
    [sessions]
    count = [5, 6]                              # typical number of sessions
    interval = ["4 week", "4 week"]             # typical interval between sessions
    [[sources]]
    key = "devices.xyz"; text = "..."; doi = "..."

Loading a preset validates its default laser against the laser schema and its
own ranges and registers its sources with :mod:`laserskin.core.citations`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from laserskin.core import citations
from laserskin.core.models import InputModel
from laserskin.core.errors import InputError
from laserskin.core.units import Quantity, format_quantity

__all__ = ["DEVICE_CLASSES", "DevicePreset", "list_devices", "load_device", "table_rows"]

DEVICE_CLASSES = ("non_ablative", "fractional_non_ablative", "ablative", "fractional_ablative")
DeviceClass = Literal["non_ablative", "fractional_non_ablative", "ablative", "fractional_ablative"]

_REL_TOL = 1e-9  # range checks tolerate round-off of unit conversion only


def _pair(kind: Any) -> Any:
    return tuple[kind, kind]


class DeviceRanges(InputModel):
    """Allowed ``[min, max]`` of a device's settings (inclusive), in SI inside."""

    fluence_J_per_m2: _pair(Quantity("J/m^2", gt=0.0)) | None = Field(default=None, alias="fluence")
    pulse_energy_J: _pair(Quantity("J", display="mJ", gt=0.0)) | None = Field(default=None, alias="pulse_energy")
    pulse_duration_s: _pair(Quantity("s", display="ms", gt=0.0)) | None = Field(default=None, alias="pulse_duration")
    spot_diameter_m: _pair(Quantity("m", display="mm", gt=0.0)) | None = Field(default=None, alias="spot_diameter")
    repetition_rate_Hz: _pair(Quantity("Hz", gt=0.0)) | None = Field(default=None, alias="repetition_rate")
    pulses: tuple[int, int] | None = None
    microbeam_diameter_m: _pair(Quantity("m", display="um", gt=0.0)) | None = Field(
        default=None, alias="microbeam_diameter"
    )
    coverage: _pair(Quantity("", display="percent", gt=0.0, le=1.0)) | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DeviceRanges:
        for name in type(self).model_fields:
            pair = getattr(self, name)
            if pair is not None and not pair[0] <= pair[1]:
                raise ValueError(f"{type(self).model_fields[name].alias or name}: min must not exceed max")
        return self


class SessionSpec(InputModel):
    """Typical treatment course: number of sessions and interval between them (ranges)."""

    count: tuple[int, int] = (1, 1)
    interval_s: _pair(Quantity("s", display="week", gt=0.0)) | None = Field(default=None, alias="interval")

    @field_validator("count")
    @classmethod
    def _count(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1]:
            raise ValueError("count: need 1 <= min <= max")
        return value


class Source(InputModel):
    """A literature source of a preset (registered with laserskin.core.citations)."""

    key: str = Field(pattern=r"^devices\.[a-z0-9_.]+$")
    text: str = Field(min_length=10)
    doi: str | None = None


# (range key, Laser attribute, SI unit, display unit)
_RANGE_CHECKS = (
    ("fluence", "fluence_J_per_m2", "J/m^2", "J/cm^2"),
    ("pulse_energy", "pulse_energy_J", "J", "mJ"),
    ("pulse_duration", "pulse_duration_s", "s", "ms"),
    ("spot_diameter", "spot_diameter_m", "m", "mm"),
    ("repetition_rate", "repetition_rate_Hz", "Hz", "Hz"),
    ("pulses", "pulses", "", ""),
    ("microbeam_diameter", "fractional.microbeam_diameter_m", "m", "um"),
    ("coverage", "fractional.coverage", "", "percent"),
)


_RANGE_FIELD = {(field.alias or name): name for name, field in DeviceRanges.model_fields.items()}


def _attribute(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


class DevicePreset(InputModel):
    """A device preset: default laser settings, allowed ranges, default cooling, course, sources.

    Attributes
    ----------
    name : str
        Key used in scenarios (``[laser] device = name``).
    display_name : str
        Human-readable name.
    device_class : str
        ``non_ablative``, ``fractional_non_ablative``, ``ablative`` or ``fractional_ablative``
        (TOML key ``class``); must agree with the laser's ``ablative`` and ``fractional``.
    confidence : str
        Confidence tag of the settings (V, R, D, U as in docs/reference/physics_data.md).
    laser_table : dict
        Default ``[laser]`` table (TOML keys, clinical units); TOML key ``laser``.
    ranges : DeviceRanges
        Allowed setting ranges (inclusive).
    cooling : dict
        Default ``[cooling]`` table (``kind`` plus fields), stored as data for the
        cooling model of ``laserskin.thermal.cooling``.
    sessions : SessionSpec
        Typical number of sessions and interval.
    sources : tuple of Source
        Citations of the settings.
    """

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    display_name: str
    device_class: DeviceClass = Field(alias="class")
    confidence: str
    notes: str = ""
    laser_table: dict[str, Any] = Field(alias="laser")
    ranges: DeviceRanges = DeviceRanges()
    cooling: dict[str, Any] = Field(default_factory=lambda: {"kind": "none"})
    sessions: SessionSpec = SessionSpec()
    sources: tuple[Source, ...] = Field(min_length=1)

    @field_validator("laser_table")
    @classmethod
    def _no_nested_device(cls, table: dict[str, Any]) -> dict[str, Any]:
        if "device" in table:
            raise ValueError("laser: a preset's [laser] table must not name a device")
        return table

    @field_validator("cooling")
    @classmethod
    def _cooling_kind(cls, table: dict[str, Any]) -> dict[str, Any]:
        kinds = ("none", "cold_air", "contact", "cryogen")
        if table.get("kind") not in kinds:
            raise ValueError(f"cooling.kind: got {table.get('kind')!r}; expected one of {', '.join(kinds)}")
        return table

    @model_validator(mode="after")
    def _consistent(self) -> DevicePreset:
        from laserskin.treatment.laser import Laser

        try:
            laser = Laser.model_validate(self.laser_table)
        except ValidationError as error:
            raise ValueError(f"laser: default settings invalid: {error}") from None
        fractional = self.device_class.startswith("fractional")
        ablative = self.device_class in ("ablative", "fractional_ablative")
        if laser.is_fractional != fractional:
            raise ValueError(f"class: {self.device_class!r} disagrees with the [laser] fractional table")
        if laser.ablative != ablative:
            raise ValueError(f"class: {self.device_class!r} disagrees with [laser] ablative = {laser.ablative}")
        problem = self.range_problem(laser)
        if problem:
            raise ValueError(f"laser: default settings outside the preset's ranges: {problem}")
        return self

    # ------------------------------------------------------------------ use
    def default_laser(self) -> Any:
        """The preset's default :class:`laserskin.treatment.laser.Laser`."""
        return self.laser()

    def laser(self, **overrides: Any) -> Any:
        """The preset's laser with ``overrides`` (TOML keys or field names, clinical units).

        A key replaces its alternatives (``pulse_energy`` replaces the preset's
        ``fluence``; ``spot_fwhm`` replaces ``spot_diameter``); a ``fractional`` table
        is merged key by key.

        Returns
        -------
        laserskin.treatment.laser.Laser

        Raises
        ------
        pydantic.ValidationError
            Invalid override or a setting outside the device's ranges (the message names
            the field and the allowed range).
        """
        from laserskin.treatment.laser import Laser

        overrides = {k: v for k, v in overrides.items() if k != "device"}
        return Laser.model_validate({**overrides, "device": self.name})

    def range_problem(self, laser: Any) -> str | None:
        """First setting of ``laser`` outside this device's ranges, as a one-line message, or ``None``."""
        for key, attribute, si_unit, display in _RANGE_CHECKS:
            pair = getattr(self.ranges, _RANGE_FIELD[key])
            value = _attribute(laser, attribute)
            if pair is None or value is None:
                continue
            lo, hi = pair
            if lo * (1 - _REL_TOL) <= value <= hi * (1 + _REL_TOL):
                continue
            if key == "pulses":
                return f"pulses: {value} is outside the range of device {self.name!r} ({lo}-{hi})"
            shown = format_quantity(value, si_unit, display)
            return (
                f"{key}: {shown} is outside the range of device {self.name!r} "
                f"({_fmt(lo, si_unit, display)}-{format_quantity(hi, si_unit, display)})"
            )
        return None

    def fluence_range_J_per_m2(self) -> tuple[float, float] | None:
        """Nominal fluence range of the simulated beam (microbeam for fractional devices), J/m².

        Taken from the ``fluence`` range, or derived from the ``pulse_energy`` range and the
        default beam area.
        """
        if self.ranges.fluence_J_per_m2 is not None:
            return self.ranges.fluence_J_per_m2
        if self.ranges.pulse_energy_J is not None:
            area = self.default_laser().beam_area_m2
            return (self.ranges.pulse_energy_J[0] / area, self.ranges.pulse_energy_J[1] / area)
        return None

    def table_row(self) -> dict[str, str]:
        """One row of ``laserskin devices`` (clinical units); see :func:`table_rows`."""
        laser = self.default_laser()
        if laser.spectrum is None:
            wavelength = f"{laser.wavelength_m * 1e9:.5g} nm"
        else:
            lines = [lam for lam, _ in laser.wavelength_weights()]
            wavelength = f"{min(lines) * 1e9:.5g}-{max(lines) * 1e9:.5g} nm ({len(lines)} lines)"
        fluence_range = self.fluence_range_J_per_m2()
        fluence = "-" if fluence_range is None else f"{fluence_range[0] / 1e4:.3g}-{fluence_range[1] / 1e4:.3g}"
        if laser.is_fractional:
            fluence += " per MTZ"
            if self.ranges.pulse_energy_J is not None:
                lo, hi = self.ranges.pulse_energy_J
                fluence += f" ({lo * 1e3:.3g}-{hi * 1e3:.3g} mJ)"
        pulse_range = self.ranges.pulse_duration_s or (laser.pulse_duration_s, laser.pulse_duration_s)
        unit = "s" if pulse_range[0] >= 1.0 else "ms"
        pulse = f"{_fmt(pulse_range[0], 's', unit)}-{format_quantity(pulse_range[1], 's', unit)}"
        spot = f"{laser.spot_diameter_m * 1e3:.3g}"
        if laser.is_fractional:
            spot += f" (microbeam {laser.fractional.microbeam_diameter_m * 1e6:.3g} um)"
        cooling = str(self.cooling.get("kind", "none"))
        return {
            "name": self.name,
            "class": self.device_class,
            "wavelength": wavelength,
            "fluence_J_per_cm2": fluence,
            "pulse": pulse,
            "spot_mm": spot,
            "cooling": cooling,
        }


def _fmt(value_si: float, si_unit: str, display: str) -> str:
    """Number only, in the display unit (for 'a-b unit' ranges)."""
    from laserskin.core.units import from_si

    return f"{from_si(value_si, si_unit, display):.4g}" if display else f"{value_si:.4g}"


# ---------------------------------------------------------------------- loading
def _preset_files() -> dict[str, Any]:
    return {
        entry.name.removesuffix(".toml"): entry
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(".toml")
    }


@lru_cache(maxsize=1)
def _raw_presets() -> dict[str, dict[str, Any]]:
    raw = {}
    for stem, entry in sorted(_preset_files().items()):
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        if data.get("name") != stem:
            raise InputError(f"devices/{stem}.toml name", data.get("name"), f"{stem!r} (the file name)")
        raw[stem] = data
    return raw


_CACHE: dict[str, DevicePreset] = {}


def device_names() -> list[str]:
    """Names of all presets, sorted."""
    return sorted(_raw_presets())


def load_device(name: str) -> DevicePreset:
    """The preset called ``name``.

    Raises
    ------
    InputError
        Unknown name (the message lists the known names), or an invalid preset file.
    """
    raw = _raw_presets()
    if not isinstance(name, str) or name not in raw:
        raise InputError("laser.device", name, "one of " + ", ".join(sorted(raw)))
    preset = _CACHE.get(name)
    if preset is None:
        try:
            preset = DevicePreset.model_validate(raw[name])
        except ValidationError as error:
            raise InputError.from_validation(error, f"devices/{name}.toml") from None
        for source in preset.sources:
            citations.register(source.key, source.text, source.doi)
        _CACHE[name] = preset
    return preset


def list_devices() -> list[DevicePreset]:
    """All presets, sorted by name."""
    return [load_device(name) for name in device_names()]


TABLE_COLUMNS = ("name", "class", "wavelength", "fluence_J_per_cm2", "pulse", "spot_mm", "cooling")


def table_rows() -> list[dict[str, str]]:
    """Rows for ``laserskin devices``: one dict per preset with the keys of :data:`TABLE_COLUMNS`.

    ``fluence_J_per_cm2`` is the allowed nominal fluence range (per microbeam for
    fractional devices, with the energy range in mJ); ``pulse`` the pulse-duration range;
    ``spot_mm`` the default spot (and microbeam) diameter; ``cooling`` the default cooling kind.
    """
    return [preset.table_row() for preset in list_devices()]


# Validate every preset and register its sources at import (``laserskin cite`` imports this module).
list_devices()
