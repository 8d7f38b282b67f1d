"""``laserskin sweep``: the command-line shell over :func:`laserskin.sweep.run_sweep`."""

from __future__ import annotations

from pathlib import Path

import typer

from laserskin.cli._shell import note, print_json


def command(
    sweep_file: Path = typer.Argument(..., help="Sweep file (TOML): [sweep], [base], [axes], [population], [cluster]."),
    out: Path = typer.Option(..., "--out", help="Output folder; re-running into it resumes the sweep."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="LocalCluster workers (default: cores)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Existing dask scheduler, e.g. tcp://HOST:8786."),
    json_output: bool = typer.Option(
        False, "--json", help="Print only the final JSON line on stdout (no progress bar)."
    ),
) -> None:
    """Run a parameter / population sweep on dask.distributed; resume by re-running.

    Prints a final JSON line with cases, succeeded, failed, skipped_already_done,
    wall_time_s (plus out, dataset, figures). Bad input (file, axes, population,
    scheduler address) exits with status 2 and writes nothing. Re-running into the same
    --out folder resumes: finished cases are kept, the rest are computed.
    """
    from laserskin.cli._shell import Outputs
    from laserskin.plotting.progress import interactive
    from laserskin.sweep import load_sweep, run_sweep

    spec = load_sweep(sweep_file)
    Outputs(force=True).folder(out, "--out", ())  # a writable folder (resuming into it is intended)
    report = run_sweep(spec, out, workers=workers, scheduler=scheduler, progress=not json_output and interactive())
    payload = report.to_json()
    if not json_output:
        note(
            f"{report.succeeded} succeeded, {report.failed} failed, "
            f"{report.skipped_already_done} already done of {report.cases} cases "
            f"in {report.wall_time_s:.1f} s -> {report.dataset}"
        )
    for path in [payload.get("dataset"), *(payload.get("figures") or [])]:
        if path:
            note(f"wrote {path}")
    print_json(
        {
            k: payload[k]
            for k in (
                "cases",
                "succeeded",
                "failed",
                "skipped_already_done",
                "wall_time_s",
                "out",
                "dataset",
                "figures",
            )
        }
    )


sweep_command = command  # the name the sweep tests use
