"""Background jobs of the web app: a small thread pool, progress kept in memory, outputs on disk.

Every job owns the folder ``<data_dir>/jobs/<id>/`` (``id`` = 32 hex digits); nothing is
written anywhere else. The page of a job polls ``/api/jobs/<id>`` for its progress.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from laserskin.core.callbacks import Callback

JOB_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Job:
    """State of one background computation (``progress`` in [0, 1])."""

    id: str
    kind: str
    folder: Path
    status: str = "queued"  # queued | running | done | error
    stage: str = "queued"
    progress: float = 0.0
    message: str = ""
    started_s: float = field(default_factory=time.monotonic)
    finished_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        end = self.finished_s if self.finished_s is not None else time.monotonic()
        return {"id": self.id, "kind": self.kind, "status": self.status, "stage": self.stage,
                "progress": round(self.progress, 4), "message": self.message,
                "elapsed_s": round(end - self.started_s, 2)}


class JobProgress(Callback):
    """Maps laserskin progress events onto a job's stage and progress fraction."""

    def __init__(self, job: Job, weights: dict[str, tuple[float, float]] | None = None):
        self.job = job
        self.weights = weights or {"transport": (0.0, 0.6), "heat": (0.6, 0.95)}
        self.totals: dict[str, float] = {}

    def on_start(self, stage, total, unit):
        self.totals[stage] = float(total) or 1.0
        self.job.stage = stage

    def on_progress(self, stage, done, elapsed_s):
        low, high = self.weights.get(stage, (self.job.progress, self.job.progress))
        fraction = min(1.0, float(done) / self.totals.get(stage, 1.0))
        self.job.progress = max(self.job.progress, low + (high - low) * fraction)

    def on_end(self, stage, elapsed_s):
        low, high = self.weights.get(stage, (self.job.progress, self.job.progress))
        self.job.progress = max(self.job.progress, high)


class JobManager:
    """Runs jobs on ``workers`` threads; keeps at most ``max_jobs`` in memory."""

    def __init__(self, root: Path, workers: int = 1, max_queued: int = 8, max_jobs: int = 200):
        self.root = Path(root)
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="laserskin-job")
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.max_queued = max_queued
        self.max_jobs = max_jobs

    def pending(self) -> int:
        return sum(job.status in ("queued", "running") for job in self.jobs.values())

    def submit(self, kind: str, work: Callable[[Job], None]) -> Job:
        """Start ``work(job)`` in the background; raises ``RuntimeError`` when the queue is full."""
        with self.lock:
            if self.pending() >= self.max_queued:
                raise RuntimeError(f"the server is busy ({self.max_queued} jobs queued); try again later")
            job_id = uuid.uuid4().hex
            job = Job(job_id, kind, self.root / job_id)
            job.folder.mkdir(parents=True, exist_ok=False)
            self.jobs[job_id] = job
            finished = [j for j in self.jobs.values() if j.status in ("done", "error")]
            for old in finished[: max(0, len(self.jobs) - self.max_jobs)]:
                self.jobs.pop(old.id, None)
        self.executor.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        job.status, job.stage, job.started_s = "running", "starting", time.monotonic()
        try:
            work(job)
            job.status, job.stage, job.progress = "done", "done", 1.0
        except Exception as error:  # shown to the user; the server keeps running
            from pydantic import ValidationError

            from laserskin.core.errors import InputError, describe_validation_error

            job.status, job.stage = "error", "error"
            if isinstance(error, (InputError, ValidationError)):
                job.message = describe_validation_error(error)
            else:
                job.message = f"internal error: {type(error).__name__}: {error}"
                traceback.print_exc()
        finally:
            job.finished_s = time.monotonic()

    def get(self, job_id: str) -> Job | None:
        if not JOB_ID.match(job_id or ""):
            return None
        return self.jobs.get(job_id)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
