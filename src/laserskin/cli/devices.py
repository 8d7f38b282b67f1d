"""``laserskin devices``: the laser device presets."""

from __future__ import annotations

from typing import Any

import typer

from laserskin.cli._shell import console, print_json


def command(
    as_json: bool = typer.Option(False, "--json", help="Print the presets as JSON (SI numbers and display text)."),
) -> None:
    """List the laser device presets (names as used by --device and [laser] device = ...)."""
    from laserskin.treatment.devices import TABLE_COLUMNS, list_devices

    presets = list_devices()
    if as_json:
        print_json([preset_json(preset) for preset in presets])
        return
    print_table([preset.table_row() for preset in presets], TABLE_COLUMNS)


def print_table(rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
    """The presets as a table that never cuts a name users must type.

    A terminal wide enough gets one column per field; a narrower one (80 columns) gets the
    name, then the other fields as wrapped ``label value`` text beside it.
    """
    from rich.table import Table

    labels = {"fluence_J_per_cm2": "fluence J/cm^2", "spot_mm": "spot mm", "class": "class"}
    title = "Device presets (laserskin/treatment/devices/*.toml)"
    widths = [max(len(labels.get(key, key)), *(len(str(row[key])) for row in rows)) for key in columns]
    if console().width >= sum(widths) + 3 * len(columns) + 1:
        table = Table(title=title)
        for key in columns:
            table.add_column(labels.get(key, key.replace("_", " ")), no_wrap=True)
        for row in rows:
            table.add_row(*(str(row[key]) for key in columns))
    else:
        table = Table(title=title, show_lines=True)
        table.add_column("name", no_wrap=True)
        table.add_column("settings")
        compact = {
            "fluence_J_per_cm2": "fluence (J/cm^2) {}",
            "spot_mm": "spot (mm) {}",
            "cooling": "default cooling {}",
        }
        for row in rows:
            details = "; ".join(
                compact.get(key, key.replace("_", " ") + " {}").format(row[key]) for key in columns if key != "name"
            )
            table.add_row(str(row["name"]), details)
    console().print(table)


def preset_json(preset: Any) -> dict[str, Any]:
    """One preset for ``devices --json``: the table's display strings plus numbers in SI units."""
    row = dict(preset.table_row())
    laser = preset.default_laser()
    if laser.spectrum is None:
        wavelengths = [laser.wavelength_m]
    else:
        wavelengths = [lam for lam, _ in laser.wavelength_weights()]
    fluence = preset.fluence_range_J_per_m2()
    pulse = preset.ranges.pulse_duration_s or (laser.pulse_duration_s, laser.pulse_duration_s)
    energy = preset.ranges.pulse_energy_J
    row.update(
        {
            "display_name": preset.display_name,
            "wavelengths_m": [float(value) for value in wavelengths],
            "fluence_range_J_per_m2": None if fluence is None else [float(value) for value in fluence],
            "pulse_duration_range_s": [float(value) for value in pulse],
            "spot_diameter_m": float(laser.spot_diameter_m),
            "microbeam_diameter_m": float(laser.fractional.microbeam_diameter_m) if laser.is_fractional else None,
            "pulse_energy_range_J": None if energy is None else [float(value) for value in energy],
            "cooling_kind": str(preset.cooling.get("kind", "none")),
            "default_fluence_J_per_m2": float(laser.fluence_J_per_m2) if hasattr(laser, "fluence_J_per_m2") else None,
        }
    )
    return row
