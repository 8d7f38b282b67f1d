"""Device presets as data: one TOML file per device class in ``laserskin/data/devices``.

Each file describes one device class ("Fraxel-type", "Titan-type" — generic presets, not
the manufacturers' specifications)::

    name = "genesis_1064"                       # key used in scenarios: [laser] device = "genesis_1064"
    display_name = "Long-pulse Nd:YAG 1064 nm (Genesis-style)"
    class = "non_ablative"                      # non_ablative | fractional_non_ablative | ablative | fractional_ablative
    confidence = "R/U"                          # tag of docs/reference/physics_data.md
    notes = "..."
    sources = ["genesis_settings"]              # keys of data/bibliography.toml
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

This module holds the data and the range rules; :mod:`laserskin.treatment.laser` expands a
``device`` key with them, and :mod:`laserskin.treatment.devices` builds and checks the
preset's :class:`~laserskin.treatment.laser.Laser`.
"""

from __future__ import annotations

import tomllib
from functools import cache, lru_cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from laserskin.core.citations import bibliography
from laserskin.core.errors import InputError, shown
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, echo, format_quantity, from_si

__all__ = [
    "DEVICE_CLASSES",
    "PRESET_FILES",
    "DeviceRanges",
    "PresetData",
    "SessionSpec",
    "device_names",
    "preset_data",
    "raw_presets",
]

#: Folder of the preset files inside the package (read with importlib.resources).
_PRESET_FOLDER = ("data", "devices")
#: Where the preset files live, for people (titles, help): ``laserskin/data/devices/*.toml``.
PRESET_FILES = "laserskin/" + "/".join(_PRESET_FOLDER) + "/*.toml"

DEVICE_CLASSES = ("non_ablative", "fractional_non_ablative", "ablative", "fractional_ablative")
DeviceClass = Literal["non_ablative", "fractional_non_ablative", "ablative", "fractional_ablative"]

_REL_TOL = 1e-9  # range checks tolerate round-off of unit conversion only


# the [min, max] of a device's settings, each end a quantity of the setting's kind
_Fluence = Annotated[float, Quantity("J/m^2", gt=0.0)]
_Energy = Annotated[float, Quantity("J", display="mJ", gt=0.0)]
_PulseDuration = Annotated[float, Quantity("s", display="ms", gt=0.0)]
_SpotDiameter = Annotated[float, Quantity("m", display="mm", gt=0.0)]
_Rate = Annotated[float, Quantity("Hz", gt=0.0)]
_MicrobeamDiameter = Annotated[float, Quantity("m", display="um", gt=0.0)]
_Coverage = Annotated[float, Quantity("", display="%", gt=0.0, le=1.0)]
_Interval = Annotated[float, Quantity("s", display="week", gt=0.0)]


class DeviceRanges(InputModel):
    """Allowed ``[min, max]`` of a device's settings (inclusive), in SI inside."""

    fluence_J_per_m2: tuple[_Fluence, _Fluence] | None = Field(default=None, alias="fluence")
    pulse_energy_J: tuple[_Energy, _Energy] | None = Field(default=None, alias="pulse_energy")
    pulse_duration_s: tuple[_PulseDuration, _PulseDuration] | None = Field(default=None, alias="pulse_duration")
    spot_diameter_m: tuple[_SpotDiameter, _SpotDiameter] | None = Field(default=None, alias="spot_diameter")
    repetition_rate_Hz: tuple[_Rate, _Rate] | None = Field(default=None, alias="repetition_rate")
    pulses: tuple[int, int] | None = None
    microbeam_diameter_m: tuple[_MicrobeamDiameter, _MicrobeamDiameter] | None = Field(
        default=None, alias="microbeam_diameter"
    )
    coverage: tuple[_Coverage, _Coverage] | None = None

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
    interval_s: tuple[_Interval, _Interval] | None = Field(default=None, alias="interval")

    @field_validator("count")
    @classmethod
    def _count(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1]:
            raise ValueError("count: need 1 <= min <= max")
        return value


# (range key, Laser attribute, SI unit, display unit)
_RANGE_CHECKS = (
    ("fluence", "fluence_J_per_m2", "J/m^2", "J/cm^2"),
    ("pulse_energy", "pulse_energy_J", "J", "mJ"),
    ("pulse_duration", "pulse_duration_s", "s", "ms"),
    ("spot_diameter", "spot_diameter_m", "m", "mm"),
    ("repetition_rate", "repetition_rate_Hz", "Hz", "Hz"),
    ("pulses", "pulses", "", ""),
    ("microbeam_diameter", "fractional.microbeam_diameter_m", "m", "um"),
    ("coverage", "fractional.coverage", "", "%"),
)


_RANGE_FIELD = {(field.alias or name): name for name, field in DeviceRanges.model_fields.items()}


def _attribute(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


class PresetData(InputModel):
    """A device preset as data: default laser table, allowed ranges, default cooling, course, sources.

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
    sources : tuple of str
        Bibliography keys (``data/bibliography.toml``) of the settings' sources.
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
    sources: tuple[str, ...] = Field(min_length=1)

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
            raise ValueError(f"kind: got {shown(table.get('kind'))}; expected one of {', '.join(kinds)}")
        return table

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [key for key in keys if key not in bibliography()]
        if unknown:
            raise ValueError(f"got {', '.join(unknown)}; expected keys of data/bibliography.toml")
        return keys

    def range_problem(self, laser: Any) -> str | None:
        """First setting of ``laser`` outside this device's ranges, as a one-line message, or ``None``.

        The message names the setting the user gave: when the checked setting was derived
        from another (a pulse energy from the fluence on the beam, a coverage from the MTZ
        density, a 1/e² diameter from the FWHM), the range is translated to the given one
        (``"fluence: got 10 J/cm^2 (0.7854 mJ ...); expected from 50.93 to 891.3 J/cm^2 ..."``).
        """
        for key, attribute, si_unit, display in _RANGE_CHECKS:
            pair = getattr(self.ranges, _RANGE_FIELD[key])
            value = _attribute(laser, attribute)
            if pair is None or value is None:
                continue
            lo, hi = pair
            if lo * (1 - _REL_TOL) <= value <= hi * (1 + _REL_TOL):
                continue
            device = f"the range of device {self.name!r}"
            if key == "pulses":
                return f"pulses: got {value}; expected a whole number from {lo} to {hi} ({device})"
            given = _given_instead(laser, attribute)
            if given is not None:
                given_key, given_attribute, given_si, given_display = given
                given_key = _typed_key(laser, given_key)
                given_value = _attribute(laser, given_attribute)
                factor = value / given_value  # derived = factor * given (linear)
                where = _where(laser, key)
                return (
                    f"{given_key}: got {_typed(given_value, given_si, given_display)} "
                    f"({key.replace('_', ' ')} {format_quantity(value, si_unit, display)}{where}); expected "
                    f"from {_fmt(lo / factor, given_si, given_display)} to "
                    f"{format_quantity(hi / factor, given_si, given_display)} "
                    f"(device {self.name!r} allows {key.replace('_', ' ')} from {_fmt(lo, si_unit, display)} to "
                    f"{format_quantity(hi, si_unit, display)})"
                )
            shown = _typed(value, si_unit, display)
            return (
                f"{_typed_key(laser, ('fractional.' if attribute.startswith('fractional.') else '') + key)}: got "
                f"{shown}; expected from {_fmt(lo, si_unit, display)} to "
                f"{format_quantity(hi, si_unit, display)} ({device})"
            )
        return None


def _typed(value: float, si_unit: str, display: str) -> str:
    """A refused value as the user typed it, quoted like every other message's ``got '...'`` (QA5 #16: a typed
    ``'30.001 J/cm^2'`` read ``got 30 J/cm^2; expected from 1 to 30``); a value given as a number in the
    display unit."""
    return echo(value, si_unit, display)  # the one rule of core.units (session 14)


# a derived setting -> the setting the user gave instead (TOML key, attribute, SI unit, display unit)
_GIVEN_INSTEAD = {
    "pulse_energy_J": ("fluence", "fluence_J_per_m2", "J/m^2", "J/cm^2"),
    "fluence_J_per_m2": ("pulse_energy", "pulse_energy_J", "J", "mJ"),
    "spot_diameter_m": ("spot_fwhm", "spot_fwhm_m", "m", "mm"),
    "fractional.coverage": ("fractional.mtz_density", "fractional.mtz_per_m2", "1/m^2", "1/cm^2"),
}


def _typed_key(laser: Any, key: str) -> str:
    """The key of a checked setting as the user typed it: a fractional table's settings under ``fractional.``, its
    density under the key typed (``density``, ``coverage`` or ``mtz_density``; QA9 #7a: a ``density`` out of a
    device's range was refused as ``laser.coverage``)."""
    if key in ("fractional.coverage", "fractional.mtz_density"):
        typed = getattr(getattr(laser, "fractional", None), "density_key", None)
        return f"fractional.{typed}" if typed else key
    return key


def _given_instead(laser: Any, attribute: str) -> tuple[str, str, str, str] | None:
    """The setting given by the user from which ``attribute`` was derived, or ``None`` if it was given."""
    owner_path, _, name = attribute.rpartition(".")
    owner = _attribute(laser, owner_path) if owner_path else laser
    if name not in getattr(owner, "_derived", frozenset()):
        return None
    given = _GIVEN_INSTEAD.get(attribute)
    if given is None or not _attribute(laser, given[1]):
        return None
    return given


def _where(laser: Any, key: str) -> str:
    if key not in ("pulse_energy", "fluence"):
        return ""
    fractional = getattr(laser, "fractional", None)
    if fractional is not None:
        return f" on the {fractional.microbeam_diameter_m * 1e6:g} um microbeam"
    return f" on the {laser.spot_diameter_m * 1e3:g} mm spot"


def _fmt(value_si: float, si_unit: str, display: str) -> str:
    """Number only, in the display unit (for 'a-b unit' ranges)."""
    return f"{from_si(value_si, si_unit, display):.4g}" if display else f"{value_si:.4g}"


@lru_cache(maxsize=1)
def raw_presets() -> dict[str, dict[str, Any]]:
    """Every preset file, parsed (not validated), by name."""
    folder = resources.files("laserskin").joinpath(*_PRESET_FOLDER)
    raw = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        stem = entry.name.removesuffix(".toml")
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        if data.get("name") != stem:
            raise InputError(f"devices/{stem}.toml name", data.get("name"), f"{stem!r} (the file name)")
        raw[stem] = data
    return raw


def device_names() -> list[str]:
    """Names of all presets, sorted."""
    return sorted(raw_presets())


def preset_data(name: str) -> PresetData:
    """The validated data of preset ``name``.

    Raises
    ------
    InputError
        Unknown name (the message lists the known names), or an invalid preset file.
    """
    raw = raw_presets()
    if not isinstance(name, str) or name not in raw:
        raise InputError("laser.device", name, "one of " + ", ".join(sorted(raw)))
    return _validated(PresetData, name)


@cache
def _validated(model: type[PresetData], name: str) -> PresetData:
    try:
        return model.model_validate(raw_presets()[name])
    except ValidationError as error:
        raise InputError.from_validation(error, f"devices/{name}.toml") from None
