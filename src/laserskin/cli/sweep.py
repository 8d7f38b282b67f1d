"""``laserskin sweep``: the command-line shell over :func:`laserskin.sweep.run_sweep`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from laserskin.cli._shell import check_threads, note, print_json

#: Endings ``--table`` writes (pandas: parquet through pyarrow, or CSV).
TABLE_SUFFIXES = (".parquet", ".csv")


class SweepBar:
    """Sweep progress events (dicts: stage, done, total, failed) drawn by the one progress renderer.

    Each stage (``starting cluster``, ``waiting for workers``, ``running on N workers``,
    ``combining``, ``figures`` …) gets its own bar: counted in cases while running, with the
    throughput and the failures beside it; indeterminate otherwise.
    """

    def __init__(self, renderer: Any):
        self.renderer = renderer
        self.stage: str | None = None
        self.started = time.perf_counter()

    def __call__(self, event: dict[str, Any]) -> None:
        stage = f"sweep: {event.get('stage', '')}"
        now = time.perf_counter()
        if stage != self.stage:
            self.close()
            running = str(event.get("stage", "")).startswith("running")
            self.renderer.on_start(stage, event.get("total", 0) if running else 0, "cases")
            self.stage, self.started = stage, now
        self.renderer.on_progress(stage, int(event.get("done", 0)), now - self.started)
        failed = int(event.get("failed", 0))
        self.renderer.status(stage, f"{failed} failed" if failed else "")

    def close(self) -> None:
        if self.stage is not None:
            self.renderer.on_end(self.stage, time.perf_counter() - self.started)
            self.stage = None


def _check_local_threads(spec: Any) -> None:
    """Thread counts of a sweep run on this machine, checked against the cores numba may use here before anything
    runs: the schema takes 1 to 1024, and every case over the cores failed in its worker."""
    if spec.sweep.case != "simulate":
        return
    transport = spec.base.get("transport")
    if isinstance(transport, dict) and isinstance(transport.get("threads"), int):
        check_threads(transport["threads"], "base.transport.threads")
    for value in spec.axes.get("transport.threads", []):
        if isinstance(value, int):
            check_threads(value, 'axes."transport.threads"')


def command(
    sweep_file: Path = typer.Argument(..., help="Sweep file (TOML): [sweep], [base], [axes], [population], [cluster]."),
    out: Path = typer.Option(..., "--out", help="Output folder; re-running into it resumes the sweep."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="LocalCluster workers (default: cores)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Existing dask scheduler, e.g. tcp://HOST:8786."),
    table: Path | None = typer.Option(
        None, "--table", help="Also write a tidy table, one row per case: results.parquet or results.csv."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print only the final JSON line on stdout (no progress bar)."
    ),
) -> None:
    """Run a parameter / population sweep on dask.distributed; resume by re-running.

    Prints a final JSON line with cases, succeeded, failed, skipped_already_done,
    wall_time_s (plus out, dataset, figures, table). Bad input (file, axes, population,
    scheduler address) exits with status 2 and writes nothing. Re-running into the same
    --out folder resumes: finished cases are kept, the rest are computed (and the
    dataset, figures and table are written again).
    """
    from laserskin.cli._shell import Outputs
    from laserskin.plotting.progress import RichProgress, interactive
    from laserskin.sweep import load_sweep, run_sweep

    spec = load_sweep(sweep_file)
    if scheduler is None and spec.cluster.address is None and spec.cluster.kind == "local":
        _check_local_threads(spec)
    outputs = Outputs(force=True)  # resuming into the folder, and rewriting its table, is intended
    outputs.folder(out, "--out", ())
    outputs.file(table, "--table", suffixes=TABLE_SUFFIXES)
    bar = SweepBar(RichProgress(True)) if not json_output and interactive() else None
    try:
        report = run_sweep(spec, out, workers=workers, scheduler=scheduler, table=table, on_progress=bar)
    finally:
        if bar is not None:
            bar.close()
    payload = report.to_json()
    if not json_output:
        note(
            f"{report.succeeded} succeeded, {report.failed} failed, "
            f"{report.skipped_already_done} already done of {report.cases} cases "
            f"in {report.wall_time_s:.1f} s -> {report.dataset}"
        )
        if report.errors:  # e.g. a case whose inputs fail for its person: say why, and where the others are
            note(f"first failure: {report.errors[0]['error']} (each failed case: {report.out}/cases/*.error.json)")
    for path in [payload.get("dataset"), *(payload.get("figures") or []), payload.get("table")]:
        if path:
            note(f"wrote {path}")
    keys = ("cases", "succeeded", "failed", "skipped_already_done", "wall_time_s", "out", "dataset", "figures", "table")
    print_json({key: payload.get(key) for key in keys})


sweep_command = command  # the name the sweep tests use
