"""Device presets: treatment lasers selectable by name, overridable per field.

The presets are data (``laserskin/data/devices/*.toml``, read by
:mod:`laserskin.treatment.presets`). :class:`DevicePreset` adds what needs the laser
model: the preset's default :class:`~laserskin.treatment.laser.Laser` (checked against the
preset's class and ranges when it is loaded), lasers with overrides and the rows of
``laserskin devices``. Using a preset cites its sources.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError, model_validator

from laserskin.core.citations import cite
from laserskin.core.units import format_quantity
from laserskin.treatment.laser import Laser
from laserskin.treatment.presets import (
    DEVICE_CLASSES,
    PresetData,
    _fmt,
    _validated,
    device_names,
    preset_data,
)

__all__ = ["DEVICE_CLASSES", "DevicePreset", "device_names", "json_rows", "list_devices", "load_device", "table_rows"]


class DevicePreset(PresetData):
    """A device preset (see :class:`~laserskin.treatment.presets.PresetData`) with its laser."""

    @model_validator(mode="after")
    def _consistent(self) -> DevicePreset:
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
        overrides = {k: v for k, v in overrides.items() if k != "device"}
        return Laser.model_validate({**overrides, "device": self.name})

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
            bands = ", ".join(f"{low * 1e9:.5g}-{high * 1e9:.5g}" for low, high in laser.emitted_bands_m)
            wavelength = f"{bands} nm ({len(laser.spectrum)} lines)"  # the emitted bands (QA14 #9)
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

    def json_record(self) -> dict[str, Any]:
        """The preset for ``laserskin devices --json``: numbers in SI plus the display strings.

        Keys: ``name``, ``display_name``, ``class``, ``default`` (the default laser's
        settings, SI, unit in the key: ``wavelength_m``, ``fluence_J_per_m2``,
        ``pulse_energy_J``, ``pulse_duration_s``, ``spot_diameter_m``, ``repetition_rate_Hz``,
        ``pulses``, ``microbeam_diameter_m``, ``coverage``), ``ranges`` (``[min, max]`` in SI,
        ``fluence_J_per_m2`` per microbeam for fractional devices), ``cooling_kind``,
        ``sessions`` (``count``, ``interval_s``) and ``display`` (the row of the table, as
        strings in clinical units).
        """
        laser = self.default_laser()
        default: dict[str, Any] = {
            "wavelength_m": laser.wavelength_m,
            "fluence_J_per_m2": laser.fluence_J_per_m2,
            "pulse_energy_J": laser.pulse_energy_J,
            "pulse_duration_s": laser.pulse_duration_s,
            "spot_diameter_m": laser.spot_diameter_m,
            "repetition_rate_Hz": laser.repetition_rate_Hz,
            "pulses": laser.pulses,
        }
        if laser.spectrum is not None:
            default["wavelength_lines_m"] = [lam for lam, _ in laser.wavelength_weights()]
        if laser.is_fractional:
            default["microbeam_diameter_m"] = laser.fractional.microbeam_diameter_m
            default["coverage"] = laser.fractional.coverage
        ranges = {
            name: [float(v) if name != "pulses" else int(v) for v in pair]
            for name in type(self.ranges).model_fields
            if (pair := getattr(self.ranges, name)) is not None
        }
        fluence_range = self.fluence_range_J_per_m2()
        if fluence_range is not None:
            ranges["fluence_J_per_m2"] = list(fluence_range)
        return {
            "name": self.name,
            "display_name": self.display_name,
            "class": self.device_class,
            "default": default,
            "ranges": ranges,
            "cooling_kind": str(self.cooling.get("kind", "none")),
            "sessions": {
                "count": list(self.sessions.count),
                "interval_s": list(self.sessions.interval_s) if self.sessions.interval_s is not None else None,
            },
            "display": self.table_row(),
        }


def load_device(name: str) -> DevicePreset:
    """The preset called ``name`` (validated once, cached); cites its sources.

    Raises
    ------
    InputError
        Unknown name (the message lists the known names), or an invalid preset file.
    """
    preset_data(name)  # the name check and its message
    preset = _validated(DevicePreset, name)
    assert isinstance(preset, DevicePreset)  # _validated returns the model it is given (typed as its base)
    cite(*preset.sources)
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


def json_rows() -> list[dict[str, Any]]:
    """One :meth:`DevicePreset.json_record` per preset (numbers in SI plus display strings)."""
    return [preset.json_record() for preset in list_devices()]
