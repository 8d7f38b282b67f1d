"""Running (or resuming) a whole sweep: submit, collect, store, combine, draw."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from laserskin.sweep.cases import Case, Sweep
from laserskin.sweep.cluster import connect
from laserskin.sweep.figures import sweep_figures
from laserskin.sweep.spec import SweepSpec, check_size
from laserskin.sweep.store import SweepStore
from laserskin.sweep.worker import run_case


@dataclass
class SweepReport:
    """Outcome of :func:`run_sweep` (``succeeded``/``failed`` count this run's cases)."""

    cases: int
    succeeded: int
    failed: int
    skipped_already_done: int
    wall_time_s: float
    out: str
    dataset: str | None = None
    figures: list[str] = field(default_factory=list)
    #: Cases whose stored result was damaged or foreign (removed and recomputed by this run).
    recomputed_damaged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = data["errors"][:20]
        return data


class _RichBar:
    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("sweep"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("sweep", total=total)
            self.bar.start()

    def advance(self):
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


def run_sweep(
    spec: SweepSpec,
    out_dir: str | Path,
    *,
    client=None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    figures: bool = True,
    on_case: Callable[[Case, dict[str, Any]], None] | None = None,
    cache_dir: str | None = None,
) -> SweepReport:
    """Run (or resume) a sweep into ``out_dir``.

    Parameters
    ----------
    spec : SweepSpec
        The validated sweep.
    out_dir : path
        Output folder (created; must be empty or hold this same sweep).
    client : distributed.Client, optional
        Use this client; otherwise one is made from ``scheduler`` / ``spec.cluster``.
    workers : int, optional
        Workers of a LocalCluster (default ``[cluster].workers`` or the number of cores).
    scheduler : str, optional
        Address of an existing scheduler (overrides ``[cluster].address``).
    progress : bool
        Show a rich progress bar on stderr.
    figures : bool
        Write summary figures (SVG) to ``out_dir/figures``.
    on_case : callable, optional
        Called as ``on_case(case, record)`` after each case's file is written (tests use it
        to interrupt a sweep or kill a worker).
    cache_dir : str, optional
        Transport cache folder on the workers (default: theirs).

    Returns
    -------
    SweepReport
    """
    started = time.perf_counter()
    check_size(spec)
    sweep = Sweep(spec)
    store = SweepStore(out_dir, sweep)
    store.check()
    done = store.done()
    todo = [index for index in range(spec.n_cases) if index not in done]
    report = SweepReport(
        cases=spec.n_cases,
        succeeded=0,
        failed=0,
        skipped_already_done=len(done),
        wall_time_s=0.0,
        out=str(store.root),
        recomputed_damaged=len(store.damaged),
    )
    owned = None
    if todo and client is None:  # connect before writing anything: a bad scheduler leaves no trace
        client, owned = connect(spec.cluster, scheduler=scheduler, workers=workers)
    try:
        store.check_or_create()
    except BaseException:
        if owned is not None:
            client.close()
            owned.close()
        raise
    if todo:
        bar = _RichBar(len(todo), progress)
        futures = {}
        try:
            import uuid

            from distributed import as_completed

            # one key per run: a resumed run must not meet the cancelled futures of the last one
            token = f"{spec.fingerprint()[:12]}-{uuid.uuid4().hex[:8]}"
            for index in todo:
                case = sweep.case(index)
                future = client.submit(
                    run_case,
                    case,
                    cache_dir,
                    spec.sweep.save_fields,
                    key=f"laserskin-{token}-{case.case_id}",
                    pure=False,
                )
                futures[future] = case
            written: set[int] = set()
            for future in as_completed(list(futures), loop=client.loop):
                case = futures[future]
                try:
                    record = future.result()
                except Exception as error:  # e.g. KilledWorker after repeated worker deaths
                    record = {"status": "error", "error_type": type(error).__name__, "error": str(error)[:2000]}
                if case.index in written:
                    continue
                written.add(case.index)
                store.write(case, record)
                if record["status"] == "ok":
                    report.succeeded += 1
                else:
                    report.failed += 1
                    report.errors.append({"case": case.index, "error": record.get("error")})
                bar.advance()
                if on_case is not None:
                    on_case(case, record)
        finally:
            bar.close()
            if futures:
                client.cancel(list(futures), force=True)
            if owned is not None:
                client.close()
                owned.close()
    dataset = store.combine()
    report.dataset = str(store.root / "sweep.nc")
    if figures:
        report.figures = [str(p) for p in sweep_figures(dataset, store.root / "figures")]
    report.wall_time_s = time.perf_counter() - started
    return report
