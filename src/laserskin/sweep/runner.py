"""Running (or resuming) a whole sweep: submit, collect, store, combine, draw."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from laserskin.core.callbacks import Callback
from laserskin.plotting.sweep import sweep_figures
from laserskin.sweep.cases import Case, Sweep
from laserskin.sweep.cluster import connect
from laserskin.sweep.spec import SweepSpec, check_size
from laserskin.sweep.store import SweepStore
from laserskin.sweep.table import check_table_path, write_table
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
    #: Cases run by this invocation per second of wall time (cluster start-up included).
    cases_per_s: float = 0.0
    table: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = data["errors"][:20]
        return data


class SweepProgress:
    """Progress of a sweep: stage, cases done of total, failures and throughput.

    Stages: ``starting cluster``, ``waiting for workers``, ``running on N workers``,
    ``combining``, ``figures``, ``table``, ``done``. Each change is passed to ``callback``
    as a dict (``stage``, ``done``, ``total``, ``failed``, ``cases_per_s``,
    ``elapsed_s``), or, when ``callback`` is a :class:`laserskin.core.callbacks.Callback`,
    as its ``on_start``/``on_progress``/``on_end`` events (unit ``cases``); when ``show`` is
    true it is also drawn as a rich bar on stderr.
    """

    def __init__(
        self, total: int, *, show: bool = False, callback: Callback | Callable[[dict[str, Any]], None] | None = None
    ):
        self.total, self.done, self.failed = total, 0, 0
        self.stage_name = "starting"
        # a laserskin Callback (the renderer the CLI, web and notebooks share) or a plain function of dicts
        self.events = callback if isinstance(callback, Callback) else None
        self.callback = None if isinstance(callback, Callback) else callback
        self.stage_started = time.perf_counter()
        self.started = time.perf_counter()
        self.running_since: float | None = None
        self.bar = None
        if show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("sweep: {task.fields[stage]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed, {task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("sweep", total=total or 1, stage=self.stage_name, failed=0, rate="")
            self.bar.start()

    @property
    def cases_per_s(self) -> float:
        if self.running_since is None or not self.done:
            return 0.0
        return self.done / max(time.perf_counter() - self.running_since, 1e-9)

    def stage(self, name: str) -> None:
        if self.events is not None:
            now = time.perf_counter()
            if self.stage_name != "starting":
                self.events.on_end(self.stage_name, now - self.stage_started)
            self.stage_started = now
            running = name.startswith("running")
            self.events.on_start(name, self.total if running else 0, "cases" if running else "")
        self.stage_name = name
        if name.startswith("running") and self.running_since is None:
            self.running_since = time.perf_counter()
        self._emit()

    def case_done(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        if self.events is not None:
            self.events.on_progress(self.stage_name, self.done, time.perf_counter() - self.stage_started)
        self._emit()

    def _emit(self) -> None:
        event = {
            "stage": self.stage_name,
            "done": self.done,
            "total": self.total,
            "failed": self.failed,
            "cases_per_s": self.cases_per_s,
            "elapsed_s": time.perf_counter() - self.started,
        }
        if self.bar is not None:
            rate = f"{self.cases_per_s:.3g} cases/s" if self.done else ""
            self.bar.update(self.task, completed=self.done, stage=self.stage_name, failed=self.failed, rate=rate)
        if self.callback is not None:
            self.callback(event)

    def close(self) -> None:
        if self.events is not None and self.stage_name != "starting":
            self.events.on_end(self.stage_name, time.perf_counter() - self.stage_started)
            self.events = None
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


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
    table: str | Path | None = None,
    on_progress: Callback | Callable[[dict[str, Any]], None] | None = None,
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
    table : path, optional
        Also write the results as a tidy table, one row per case (``.parquet`` or ``.csv``;
        see :mod:`laserskin.sweep.table`). The suffix is checked before any work.
    on_progress : Callback or callable, optional
        A :class:`laserskin.core.callbacks.Callback`, or a function called with a dict
        (``stage``, ``done``, ``total``, ``failed``, ``cases_per_s``, ``elapsed_s``) at every
        stage change and finished case (see :class:`SweepProgress`).

    Returns
    -------
    SweepReport
    """
    started = time.perf_counter()
    check_size(spec)
    if table is not None:
        check_table_path(table)
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
    tracker = SweepProgress(len(todo), show=progress, callback=on_progress)
    try:
        owned = None
        if todo and client is None:  # connect before writing anything: a bad scheduler leaves no trace
            tracker.stage("connecting to scheduler" if (scheduler or spec.cluster.address) else "starting cluster")
            client, owned = connect(spec.cluster, scheduler=scheduler, workers=workers)
        try:
            store.check_or_create()
        except BaseException:
            if owned is not None:
                client.close()
                owned.close()
            raise
        if todo:
            _run_cases(spec, sweep, store, todo, client, owned, tracker, report, cache_dir, on_case)
        tracker.stage("combining")
        dataset = store.combine()
        report.dataset = str(store.root / "sweep.nc")
        if table is not None:
            tracker.stage("table")
            report.table = str(write_table(dataset, table))
        if figures:
            tracker.stage("figures")
            report.figures = [str(p) for p in sweep_figures(dataset, store.root / "figures")]
        tracker.stage("done")
    finally:
        tracker.close()
    report.wall_time_s = time.perf_counter() - started
    report.cases_per_s = (report.succeeded + report.failed) / report.wall_time_s if report.wall_time_s else 0.0
    return report


def _run_cases(spec, sweep, store, todo, client, owned, tracker, report, cache_dir, on_case) -> None:
    """Submit the cases still to do, write each result as it arrives, then release the cluster."""
    futures = {}
    try:
        import uuid

        from distributed import as_completed

        workers = len(client.scheduler_info().get("workers", {}))
        tracker.stage(f"running on {workers} workers" if workers else "waiting for workers")
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
            if not tracker.stage_name.startswith("running"):
                workers = len(client.scheduler_info().get("workers", {}))
                tracker.stage(f"running on {workers} workers")
            try:
                store.write(case, record)
            except OSError as error:  # e.g. a folder where the case file goes: a failed case, not a failed sweep
                record = {
                    "status": "error",
                    "error_type": type(error).__name__,
                    "error": f"could not store the result: {error}"[:2000],
                }
                try:
                    store.write(case, record)
                except OSError:
                    pass
            if record["status"] == "ok":
                report.succeeded += 1
            else:
                report.failed += 1
                report.errors.append({"case": case.index, "error": record.get("error")})
            tracker.case_done(record["status"] == "ok")
            if on_case is not None:
                on_case(case, record)
    finally:
        if futures:
            client.cancel(list(futures), force=True)
        if owned is not None:
            client.close()
            owned.close()
