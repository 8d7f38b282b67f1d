"""``laserskin sweep``: the command-line shell over :func:`laserskin.sweep.run_sweep`.

Wire up in ``laserskin.cli``::

    from laserskin.cli.sweep import sweep_command
    app.command("sweep")(_handles_bad_input(sweep_command))
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer


def sweep_command(
    sweep_file: Path = typer.Argument(..., help="Sweep file (TOML): [sweep], [base], [axes], [population], [cluster]."),
    out: Path = typer.Option(..., "--out", help="Output folder; re-running into it resumes the sweep."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="LocalCluster workers (default: cores)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Existing dask scheduler, e.g. tcp://HOST:8786."),
    json_output: bool = typer.Option(False, "--json", help="Print only the final JSON line (no progress bar)."),
    table: Optional[Path] = typer.Option(
        None, "--table", help="Also write a tidy table, one row per case: results.parquet or results.csv."
    ),
) -> None:
    """Run a parameter / population sweep on dask.distributed; resume by re-running.

    Prints a final JSON line with ``cases``, ``succeeded``, ``failed``,
    ``skipped_already_done``, ``wall_time_s`` (plus ``out``, ``dataset``, ``figures``).
    Bad input (file, axes, population, scheduler address) exits with status 2 and
    writes nothing.
    """
    from laserskin.sweep import load_sweep, run_sweep

    spec = load_sweep(sweep_file)
    report = run_sweep(spec, out, workers=workers, scheduler=scheduler,
                       progress=not json_output and sys.stderr.isatty(), table=table)
    payload = report.to_json()
    if not json_output:
        typer.echo(f"{report.succeeded} succeeded, {report.failed} failed, "
                   f"{report.skipped_already_done} already done of {report.cases} cases "
                   f"in {report.wall_time_s:.1f} s -> {report.dataset}", err=True)
    typer.echo(json.dumps({k: payload[k] for k in ("cases", "succeeded", "failed", "skipped_already_done",
                                                   "wall_time_s", "out", "dataset", "figures", "table")}))
