"""``laserskin devices``: the laser device presets."""

from __future__ import annotations

import typer

from laserskin.cli._shell import console, print_json


def command(
    as_json: bool = typer.Option(False, "--json", help="Print the presets as JSON (SI numbers and display text)."),
) -> None:
    """List the laser device presets (names as used by --device and [laser] device = ...)."""
    from laserskin.treatment.devices import TABLE_COLUMNS, json_rows, table_rows
    from laserskin.treatment.presets import PRESET_FILES

    if as_json:
        print_json(json_rows())  # defaults and ranges as SI numbers, the table's text under "display"
        return
    print_table(table_rows(), TABLE_COLUMNS, title=f"Device presets ({PRESET_FILES})")


def print_table(rows: list[dict[str, str]], columns: tuple[str, ...], title: str = "Device presets") -> None:
    """The presets as a table that never cuts a name users must type.

    A terminal wide enough gets one column per field; a narrower one (80 columns) gets the
    name, then the other fields as wrapped ``label value`` text beside it.
    """
    from rich.table import Table

    labels = {"fluence_J_per_cm2": "fluence J/cm^2", "spot_mm": "spot mm", "class": "class"}
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
