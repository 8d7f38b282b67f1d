"""Command-line interface: a thin shell over the library.

Every command validates its inputs first; bad input prints one line naming the
field, the value and what is allowed, and exits with status 2 without writing
anything. Progress bars go to stderr so ``--json`` output on stdout stays clean.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.console import Console
from rich.table import Table

from laserskin.core.callbacks import Callback

app = typer.Typer(
    help="laserskin: laser skin tightening and resurfacing simulator and planner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

EXIT_BAD_INPUT = 2


def _handles_bad_input(command: Callable) -> Callable:
    """Turn input errors into one line on stderr and exit status 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from pydantic import ValidationError

        from laserskin.core.errors import InputError, describe_validation_error

        try:
            return command(*args, **kwargs)
        except InputError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        except ValidationError as error:
            err_console.print(f"[red]error:[/red] {describe_validation_error(error)}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)

    return wrapper


class RichProgress(Callback):
    """Renders progress events as a rich progress bar on stderr (rate in units/s)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and err_console.is_terminal
        self._progress = None
        self._tasks: dict[str, Any] = {}

    def on_start(self, stage: str, total: float, unit: str) -> None:
        if not self.enabled:
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%"),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self._progress.start()
        self._tasks[stage] = (self._progress.add_task(stage, total=total, rate=""), unit)

    def on_progress(self, stage: str, done: float, elapsed_s: float) -> None:
        if self._progress is None or stage not in self._tasks:
            return
        task, unit = self._tasks[stage]
        rate = f"{done / elapsed_s:,.0f} {unit}/s" if elapsed_s > 0 else ""
        self._progress.update(task, completed=done, rate=rate)

    def on_end(self, stage: str, elapsed_s: float) -> None:
        if self._progress is None or stage not in self._tasks:
            return
        task, _ = self._tasks.pop(stage)
        self._progress.remove_task(task)
        if not self._tasks:
            self._progress.stop()
            self._progress = None


def _print_json(payload: dict | list) -> None:
    """One line of strict JSON (NaN and infinities become null)."""
    sys.stdout.write(json.dumps(_finite(payload), indent=None, default=_json_default, allow_nan=False) + "\n")


def _finite(value: Any) -> Any:
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalars
        return _finite(value.item()) if getattr(value, "ndim", 0) == 0 else _finite(value.tolist())
    return value


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# --- optics -------------------------------------------------------------------------
@app.command()
@_handles_bad_input
def optics(
    age: str = typer.Option(..., help="Age in years, e.g. 55."),
    sex: str = typer.Option(..., help="female | male"),
    fitzpatrick: str = typer.Option(..., help="Fitzpatrick skin type I-VI."),
    site: str = typer.Option(..., help="Body site, e.g. cheek, forehead, neck."),
    wavelength: str = typer.Option(..., help='Laser wavelength with unit, e.g. "1064 nm".'),
    sun_exposure: int = typer.Option(1, help="Photoaging grade (see `laserskin.skin.Person`)."),
    laxity: int = typer.Option(1, help="Laxity grade 0-4."),
    scattering: str = typer.Option("jacques2013", help="Scattering parameter set name."),
    as_json: bool = typer.Option(False, "--json", help="Print the layer table as JSON."),
) -> None:
    """Print the layer table of a person's skin at one wavelength."""
    from laserskin.skin import Person, optics_table
    from laserskin.core.units import to_si

    person = Person.model_validate(
        {"age": _number(age, "age"), "sex": sex, "fitzpatrick": fitzpatrick, "site": site,
         "sun_exposure": sun_exposure, "laxity": laxity}
    )
    wavelength_m = to_si(wavelength, "m", field="wavelength")
    rows = optics_table(person, wavelength_m, scattering=scattering)
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"Skin optics at {wavelength_m * 1e9:g} nm ({scattering})")
    for column in ("layer", "thickness (µm)", "μa (1/cm)", "μs (1/cm)", "μs' (1/cm)", "g", "n"):
        table.add_column(column, justify="right" if column != "layer" else "left", no_wrap=column == "layer")
    for row in rows:
        table.add_row(
            row["name"], f"{row['thickness_um']:.1f}", f"{row['mua_per_cm']:.4g}", f"{row['mus_per_cm']:.4g}",
            f"{row['musp_per_cm']:.4g}", f"{row['g']:.3f}", f"{row['n']:.3f}",
        )
    console.print(table)


def _number(text: str, field: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text  # let the model parse units such as "55 year"


# --- transport ----------------------------------------------------------------------
@app.command()
@_handles_bad_input
def transport(
    scenario: Path = typer.Argument(..., help="Scenario TOML file (person + laser + beam, or layers)."),
    photons: Optional[int] = typer.Option(None, help="Number of photon packets."),
    seed: Optional[int] = typer.Option(None, help="Random seed (recorded in the output)."),
    threads: Optional[int] = typer.Option(None, help="Worker threads (default: all cores)."),
    out: Optional[Path] = typer.Option(None, help="Write the result as NetCDF to this file."),
    figure: Optional[Path] = typer.Option(None, help="Write the absorption figure (PNG/SVG) to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Run Monte Carlo light transport for a scenario and print Rd, Tt and absorption per layer."""
    from laserskin.pipeline.scenario import load_scenario
    from laserskin.transport import simulate_transport

    spec = load_scenario(scenario)
    settings = spec.transport.model_copy(
        update={k: v for k, v in {"photons": photons, "seed": seed, "threads": threads}.items() if v is not None}
    )
    settings = type(settings).model_validate(settings.model_dump())  # re-check CLI overrides
    _check_output_path(out, "--out")
    _check_output_path(figure, "--figure")
    stack = spec.layer_stack()
    beam = spec.beam_model()
    if spec.geometry.kind == "voxels":
        from laserskin.transport.voxel_geometry import run_voxel_scenario

        result = run_voxel_scenario(
            stack, beam, spec.geometry, spec.inclusions, spec.wavelength_m() if spec.laser else None,
            photons=settings.photons, seed=settings.seed, threads=settings.threads, progress=RichProgress(enabled=True),
        )
    else:
        grid = spec.rz_grid(stack, beam.outer_radius_m)
        result = simulate_transport(
            stack, grid, beam, photons=settings.photons, seed=settings.seed, threads=settings.threads,
            progress=RichProgress(enabled=True),
        )
    if out is not None:
        from laserskin.core.io import write_netcdf_atomic

        write_netcdf_atomic(result.to_dataset(), out)
    if figure is not None and spec.geometry.kind == "voxels":
        from laserskin.transport.voxel_figures import plot_voxel_absorption

        plot_voxel_absorption(result, path=figure)
    elif figure is not None:
        from laserskin.plotting import plot_absorption

        plot_absorption(result, path=figure)
    summary = result.summary()
    if as_json:
        _print_json(summary)
        return
    _print_transport_summary(summary, list(summary["absorbed_fraction_by_region"]))
    if out is not None:
        console.print(f"wrote {out}")


def _print_transport_summary(summary: dict, names: list[str]) -> None:
    table = Table(title=f"Light transport: {summary['photons']:,} photons, seed {summary['seed']}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("± std. error", justify="right")
    for key, label in (
        ("specular_reflectance", "specular reflectance"),
        ("diffuse_reflectance", "diffuse reflectance Rd"),
        ("total_transmittance", "total transmittance Tt"),
        ("absorbed_fraction", "absorbed (total)"),
    ):
        table.add_row(label, f"{summary[key]:.5f}", f"{summary.get(key + '_stderr', 0.0):.5f}")
    regions = summary["absorbed_fraction_by_region"]
    errors = summary["absorbed_fraction_by_region_stderr"]
    for name, value, error in zip(names, regions.values(), errors.values()):
        table.add_row(f"  absorbed in {name}", f"{value:.5f}", f"{error:.5f}")
    console.print(table)
    console.print(f"{summary['photons_per_second']:,.0f} photons/s on {summary['threads']} thread(s)")


def _check_output_path(path: Optional[Path], option: str) -> None:
    """Fail before any computation if an output cannot be written."""
    from laserskin.core.errors import InputError

    if path is None:
        return
    parent = path.expanduser().resolve().parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not _writable(probe):
        raise InputError(option, str(path), "a path in a writable directory")
    if path.exists() and path.is_dir():
        raise InputError(option, str(path), "a file path, not a directory")


def _writable(directory: Path) -> bool:
    import os

    return os.access(directory, os.W_OK)


# --- simulate ---------------------------------------------------------------------
SUMMARY_ROWS = (
    ("peak_epidermis_temperature_C", "peak epidermal temperature", "°C"),
    ("peak_dermis_temperature_C", "peak dermal temperature", "°C"),
    ("denaturation_depth_um", "collagen Ω ≥ 1 depth range", "µm"),
    ("denatured_volume_mm3", "denatured collagen volume", "mm³"),
    ("immediate_tightening_percent", "immediate tightening", "%"),
    ("epidermal_omega", "epidermal (basal) Ω, Henriques", ""),
    ("epidermal_injury", "epidermal injury", ""),
    ("pigment_risk", "pigmentary risk", ""),
    ("pain_index", "pain index (0-10), no anaesthetic", ""),
    ("pain_index_with_anesthetic", "pain index with anaesthetic", ""),
    ("crater_depth_um", "crater depth", "µm"),
    ("residual_damage_depth_um", "residual thermal necrosis depth", "µm"),
    ("mtz_width_um", "MTZ width", "µm"),
    ("mtz_depth_um", "MTZ depth", "µm"),
    ("wall_time_s", "wall time", "s"),
)


def _format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return " – ".join(_format_value(v) for v in value)
    return str(value)


def summary_table(summaries: dict[str, dict], title: str) -> Table:
    """A rich table with one column per named simulation summary."""
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("unit")
    for name in summaries:
        table.add_column(name, justify="right")
    for key, label, unit in SUMMARY_ROWS:
        if any(key in summary and summary[key] is not None for summary in summaries.values()):
            table.add_row(label, unit, *(_format_value(summary.get(key)) for summary in summaries.values()))
    return table


@app.command()
@_handles_bad_input
def simulate(
    scenario: Path = typer.Argument(..., help="Scenario TOML file ([person], [laser], [cooling], [protocol])."),
    photons: Optional[int] = typer.Option(None, help="Number of photon packets."),
    seed: Optional[int] = typer.Option(None, help="Random seed (recorded in the output)."),
    threads: Optional[int] = typer.Option(None, help="Worker threads for the Monte Carlo."),
    out: Optional[Path] = typer.Option(None, help="Directory for result.nc and the figures."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Simulate one treatment pass: light → heat → damage; print the summary."""
    from laserskin.pipeline.scenario import load_scenario
    from laserskin.pipeline.simulation import Simulation

    spec = load_scenario(scenario)
    if spec.geometry.kind == "voxels":  # parsed, not yet simulated: say so rather than run r-z silently
        from laserskin.core.errors import InputError

        raise InputError(
            "geometry.kind", "voxels", '"rz" for simulate (3-D: transport here, heat via laserskin.thermal.voxel_heat)'
        )
    if out is not None:
        _check_output_path(out / "result.nc", "--out")
    simulation = Simulation.from_scenario(
        spec, photons=photons, seed=seed, threads=threads, progress=RichProgress(enabled=True)
    )
    result = simulation.run()
    if out is not None:
        from laserskin.plotting import plot_simulation

        out.mkdir(parents=True, exist_ok=True)
        result.save(out / "result.nc")
        plot_simulation(result, out)
    if as_json:
        _print_json(result.summary)
        return
    console.print(summary_table({scenario.stem: result.summary}, f"Simulation: {simulation.laser.describe()}"))
    if out is not None:
        console.print(f"wrote {out / 'result.nc'} and figures in {out}")


# --- devices ------------------------------------------------------------------------
@app.command()
def devices(as_json: bool = typer.Option(False, "--json", help="Print the presets as JSON.")) -> None:
    """List the laser device presets."""
    from laserskin.treatment.devices import TABLE_COLUMNS, table_rows

    rows = table_rows()
    if as_json:
        _print_json(rows)
        return
    table = Table(title="Device presets (laserskin/devices/*.toml)")
    for key in TABLE_COLUMNS:
        table.add_column(key.replace("_", " "))
    for row in rows:
        table.add_row(*(str(row[key]) for key in TABLE_COLUMNS))
    console.print(table)


# --- plan ---------------------------------------------------------------------------
def _register_plan() -> None:
    from laserskin.cli.plan import plan_command

    app.command("plan", help=plan_command.__doc__)(_handles_bad_input(plan_command))


_register_plan()


# --- sweep and serve ------------------------------------------------------------------
def _register_sweep_and_serve() -> None:
    from laserskin.cli.sweep import sweep_command
    from laserskin.cli.serve import serve_command

    app.command("sweep", help=sweep_command.__doc__)(_handles_bad_input(sweep_command))
    app.command("serve", help=serve_command.__doc__)(_handles_bad_input(serve_command))


_register_sweep_and_serve()


# --- cite ---------------------------------------------------------------------------
@app.command()
def cite() -> None:
    """Print the bibliography: the source of every model and parameter set."""
    from laserskin.core.citations import all_citations

    for citation in all_citations():
        console.print(f"[bold]{citation.key}[/bold]: {citation}", highlight=False)


# --- schema -------------------------------------------------------------------------
@app.command()
def schema() -> None:
    """Print the JSON schemas of the input files: scenario and its tables, plan request."""
    from pydantic import TypeAdapter

    from laserskin.treatment.laser import Laser
    from laserskin.planning import PlanRequest
    from laserskin.treatment.protocol import Protocol
    from laserskin.pipeline.scenario import Scenario
    from laserskin.skin import Person
    from laserskin.thermal.cooling import CoolingConfig
    from laserskin.transport import Beam

    _print_json({
        "scenario": Scenario.model_json_schema(by_alias=True),
        "person": Person.model_json_schema(by_alias=True),
        "laser": Laser.model_json_schema(by_alias=True),
        "beam": Beam.model_json_schema(by_alias=True),
        "cooling": TypeAdapter(CoolingConfig).json_schema(by_alias=True),
        "protocol": Protocol.model_json_schema(by_alias=True),
        "plan_request": PlanRequest.model_json_schema(by_alias=True),
    })


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    start = time.perf_counter()
    app()
