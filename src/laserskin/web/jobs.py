"""Background jobs of the web app: a bounded pool of worker processes, jobs persisted on disk.

* Every job owns ``<data_dir>/jobs/<id>/`` (``id`` = 32 hex digits); its state is
  ``job.json`` there (written atomically at every change of status), so a restarted server
  still shows finished jobs; a job that was queued or running when the server stopped is
  shown as interrupted.
* Heavy work never runs on a request thread: each job runs in its own worker process
  (forked from a forkserver that has imported the simulation stack once), at most
  ``workers`` at a time, at most ``max_queued`` waiting. A full queue raises :class:`Busy`
  (the app answers 503 with ``Retry-After``).
* Cancelling a job (its page, ``DELETE /api/jobs/{id}``, or the client of a JSON request
  going away) kills its process at once; so does stopping the server. A worker has an
  address-space limit, so one absurd job fails alone instead of taking the server's memory.
* Finished jobs beyond ``max_kept`` are deleted oldest first; the transport cache in the data
  folder is trimmed to ``max_cache_bytes`` (least recently used entries first) after each job.
"""

from __future__ import annotations

import collections
import json
import logging
import multiprocessing
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from laserskin.core.errors import in_field_terms, name_controls
from laserskin.web.forms import in_form_terms

__all__ = ["JOB_ID", "Busy", "Job", "JobManager"]

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
FINISHED = ("done", "error", "cancelled")


class Busy(RuntimeError):
    """The queue is full; ``retry_after_s`` is a guess of when a slot frees."""

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class Job:
    """State of one background computation (``progress`` in [0, 1])."""

    id: str
    kind: str
    folder: Path
    status: str = "queued"  # queued | running | done | error | cancelled
    stage: str = "queued"
    progress: float = 0.0
    message: str = ""
    created_unix: float = field(default_factory=time.time)
    started_unix: float | None = None
    finished_unix: float | None = None
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_json(self) -> dict[str, Any]:
        start = self.started_unix or self.created_unix
        end = self.finished_unix if self.finished_unix is not None else time.time()
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "stage": self.stage,
            "progress": round(self.progress, 4),
            "message": in_field_terms(self.message),  # the API's words: "goal: resurface", not "--goal resurface"
            "form_message": name_controls(self.message, in_form_terms),  # the page's: the form field's label
            "elapsed_s": round(max(0.0, end - start), 2),
        }

    def record(self) -> dict[str, Any]:
        return {
            **self.to_json(),
            "message": self.message,
            "created_unix": self.created_unix,
            "started_unix": self.started_unix,
            "finished_unix": self.finished_unix,
            "inputs": self.inputs,
        }


# --------------------------------------------------------------------------------------------
# Worker process side
# --------------------------------------------------------------------------------------------
def _child(conn, kind: str, payload: dict, folder: str, cache_dir: str, memory_bytes: int) -> None:
    """Entry point of a worker process: run one job, report progress and the outcome on ``conn``."""
    if memory_bytes:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        from laserskin.web import render

        def report(stage: str, progress: float) -> None:
            conn.send(("progress", stage, float(progress)))

        # under the address-space limit the planner plans as many devices side by side as the limit holds
        # (laserskin.planning.optimise.memory_plan_workers: one at a time under the default 8 GiB; the same plan)
        render.run_job(kind, payload, Path(folder), Path(cache_dir), report)
        conn.send(("done", "", 1.0))
    except MemoryError:
        conn.send(
            (
                "error",
                "the computation needed more memory than this server allows per job",
                0.0,
            )
        )
    except Exception as error:  # noqa: BLE001 (the message goes to the user; the server keeps running)
        from pydantic import ValidationError

        from laserskin.core.errors import InputError, describe_validation_error

        if isinstance(error, (InputError, ValidationError)):
            # kept as phrased (controls as CLI options): each output names them its way (Job.to_json; QA6 #20)
            message = describe_validation_error(error)
        else:
            import traceback

            traceback.print_exc()
            message = f"internal error: {type(error).__name__}: {str(error)[:500]}"
        conn.send(("error", message, 0.0))
    finally:
        conn.close()


_CONTEXT = None


def _context():
    """A forkserver context that has imported the simulation stack once (fast, clean forks)."""
    global _CONTEXT
    if _CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["laserskin.web.render"])
        _CONTEXT = context
    return _CONTEXT


# --------------------------------------------------------------------------------------------
# Server side
# --------------------------------------------------------------------------------------------
@dataclass
class _Running:
    process: Any
    conn: Any
    thread: threading.Thread


class JobManager:
    """Queue, worker processes and on-disk records of the jobs of one data folder.

    Parameters
    ----------
    root : path
        ``<data_dir>/jobs``.
    cache_dir : path
        Transport cache handed to the workers (trimmed to ``max_cache_bytes``).
    workers, max_queued, max_kept, memory_bytes, max_cache_bytes : int
        See :class:`laserskin.web.limits.WebSettings`.
    """

    def __init__(
        self,
        root: Path,
        cache_dir: Path,
        workers: int = 1,
        max_queued: int = 8,
        max_kept: int = 200,
        memory_bytes: int = 0,
        max_cache_bytes: int = 512 << 20,
    ):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.cache_dir = Path(cache_dir)
        self.workers = max(1, int(workers))
        self.max_queued = max(0, int(max_queued))
        self.max_kept = max_kept
        self.memory_bytes = memory_bytes
        self.max_cache_bytes = max_cache_bytes
        self.jobs: dict[str, Job] = {}
        self.queue: collections.deque[tuple[Job, dict]] = collections.deque()
        self.running: dict[str, _Running] = {}
        self.lock = threading.RLock()
        self.closed = False
        self.recent_durations_s: collections.deque[float] = collections.deque(maxlen=20)
        self._load()

    # ---- records ---------------------------------------------------------------------------
    def _load(self) -> None:
        """Read ``job.json`` of every job folder (real folders only, no symlinks)."""
        for folder in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            if not JOB_ID.match(folder.name) or folder.is_symlink() or not folder.is_dir():
                continue
            record_path = folder / "job.json"
            try:
                if record_path.is_symlink():
                    continue
                record = json.loads(record_path.read_text(encoding="utf-8"))
                job = Job(
                    folder.name,
                    str(record["kind"]),
                    folder,
                    status=str(record["status"]),
                    stage=str(record.get("stage", "")),
                    progress=float(record.get("progress", 0.0)),
                    message=str(record.get("message", "")),
                    created_unix=float(record.get("created_unix") or folder.stat().st_mtime),
                    started_unix=record.get("started_unix"),
                    finished_unix=record.get("finished_unix"),
                    inputs=dict(record.get("inputs") or {}),
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # unreadable record: not shown (the folder is trimmed with the others)
            if not job.finished:
                job.status, job.stage = "error", "interrupted"
                job.message = "interrupted: the server stopped before this job finished; please submit it again"
                job.finished_unix = job.finished_unix or time.time()
                self._save(job)
            self.jobs[job.id] = job

    def _save(self, job: Job) -> None:
        from laserskin.core.io import write_bytes_atomic

        try:
            write_bytes_atomic(job.folder / "job.json", json.dumps(job.record(), indent=1).encode())
        except OSError:
            pass  # the job still runs; only its record after a restart is lost

    def warm(self) -> None:
        """Start the forkserver now (it imports the simulation stack once), not at the first job."""
        from multiprocessing import forkserver

        _context()
        try:
            forkserver.ensure_running()
        except Exception as error:  # noqa: BLE001 (the first job retries and reports the failure)
            logging.getLogger(__name__).warning("could not start the job forkserver: %s", error)

    # ---- queue -----------------------------------------------------------------------------
    def pending(self) -> int:
        with self.lock:
            return len(self.queue) + len(self.running)

    def retry_after_s(self) -> int:
        """Seconds until a queue slot is likely free (mean of recent job durations, 5-120 s)."""
        mean = sum(self.recent_durations_s) / len(self.recent_durations_s) if self.recent_durations_s else 10.0
        return int(min(120, max(5, round(mean))))

    def submit(
        self,
        kind: str,
        payload: dict,
        inputs: dict | None = None,
        shown_kind: str | None = None,
    ) -> Job:
        """Queue ``render.run_job(kind, payload, ...)``; raises :class:`Busy` when full.

        ``shown_kind`` is the kind the job pages show (default ``kind``)."""
        with self.lock:
            if self.closed:
                raise Busy("the server is stopping", 5)
            if len(self.running) >= self.workers and len(self.queue) >= self.max_queued:
                raise Busy(
                    f"the server is busy ({len(self.running)} running, {len(self.queue)} queued); try again later",
                    self.retry_after_s(),
                )
            job_id = uuid.uuid4().hex
            job = Job(
                job_id,
                shown_kind or kind,
                self.root / job_id,
                inputs=dict(inputs or {}),
            )
            job.folder.mkdir(parents=True, exist_ok=False)
            self.jobs[job_id] = job
            self._save(job)
            self.queue.append((job, {"kind": kind, "payload": payload}))
            self._trim_jobs()
            self._dispatch()
        return job

    def _dispatch(self) -> None:
        """Start queued jobs while workers are free (called with the lock held)."""
        while self.queue and len(self.running) < self.workers and not self.closed:
            job, work = self.queue.popleft()
            if job.finished:  # cancelled while queued
                continue
            parent, child = multiprocessing.Pipe(duplex=False)
            process = _context().Process(
                target=_child,
                name=f"laserskin-job-{job.id[:8]}",
                daemon=True,
                args=(
                    child,
                    work["kind"],
                    work["payload"],
                    str(job.folder),
                    str(self.cache_dir),
                    self.memory_bytes,
                ),
            )
            job.status, job.stage, job.started_unix = "running", "starting", time.time()
            try:
                process.start()
            except Exception as error:  # noqa: BLE001 (no worker: the job fails, the server stays)
                child.close()
                parent.close()
                self._finish(job, "error", f"internal error: could not start a worker ({error})")
                continue
            child.close()
            thread = threading.Thread(
                target=self._watch,
                args=(job, process, parent),
                daemon=True,
                name=f"laserskin-watch-{job.id[:8]}",
            )
            self.running[job.id] = _Running(process, parent, thread)
            self._save(job)
            thread.start()

    def _watch(self, job: Job, process, conn) -> None:
        """Relay progress messages of one worker until it ends."""
        outcome: tuple[str, str] | None = None
        try:
            while True:
                if conn.poll(0.2):
                    try:
                        kind, text, value = conn.recv()
                    except (EOFError, OSError):
                        break
                    if kind == "progress":
                        job.stage, job.progress = (
                            text,
                            max(job.progress, min(1.0, value)),
                        )
                    else:
                        outcome = ("done", "") if kind == "done" else ("error", text)
                        break
                elif not process.is_alive():
                    if conn.poll(0):
                        continue
                    break
        finally:
            conn.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        with self.lock:
            self.running.pop(job.id, None)
            if not job.finished:
                if outcome is None:
                    code = process.exitcode
                    outcome = (
                        "error",
                        "the computation was stopped: it needed more memory than this server "
                        f"allows per job (worker exit code {code})"
                        if code in (-9, 137)
                        else f"internal error: the worker ended unexpectedly (exit code {code})",
                    )
                self._finish(job, *outcome)
                if job.started_unix:
                    self.recent_durations_s.append(time.time() - job.started_unix)
            self._dispatch()
        self._trim_cache()

    def _finish(self, job: Job, status: str, message: str = "") -> None:
        job.status, job.message, job.finished_unix = status, message, time.time()
        job.stage = {"done": "done", "cancelled": "cancelled"}.get(status, "error")
        if status == "done":
            job.progress = 1.0
        self._save(job)

    def cancel(self, job_id: str, reason: str = "cancelled") -> bool:
        """Stop a queued or running job (its process is killed); ``False`` if it had finished."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None or job.finished:
                return False
            running = self.running.get(job_id)
            self._finish(job, "cancelled", reason)
            if running is not None:
                try:
                    running.process.kill()
                except (OSError, ValueError, AttributeError):
                    pass
            return True

    def delete(self, job_id: str) -> bool:
        """Cancel a job and remove its folder; ``False`` for an unknown job."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return False
            self.cancel(job_id, "deleted")
            self.jobs.pop(job_id, None)
        shutil.rmtree(job.folder, ignore_errors=True)
        return True

    def get(self, job_id: str) -> Job | None:
        if not JOB_ID.match(job_id or ""):
            return None
        return self.jobs.get(job_id)

    def shutdown(self, reason: str = "interrupted: the server stopped") -> None:
        """Kill every worker and drop the queue; returns at once (used on SIGTERM)."""
        with self.lock:
            self.closed = True
            for job, _ in list(self.queue):
                if not job.finished:
                    self._finish(job, "error", reason)
            self.queue.clear()
            for job_id, running in list(self.running.items()):
                running_job = self.jobs.get(job_id)
                if running_job is not None and not running_job.finished:
                    self._finish(running_job, "error", reason)
                try:
                    running.process.kill()
                except (OSError, ValueError, AttributeError):
                    pass

    # ---- bounded storage ------------------------------------------------------------------
    def _trim_jobs(self) -> None:
        """Delete the oldest finished jobs beyond ``max_kept`` (called with the lock held)."""
        finished = sorted((j for j in self.jobs.values() if j.finished), key=lambda j: j.created_unix)
        for old in finished[: max(0, len(self.jobs) - self.max_kept)]:
            self.jobs.pop(old.id, None)
            shutil.rmtree(old.folder, ignore_errors=True)

    def _trim_cache(self) -> None:
        """Delete the least recently used transport-cache files beyond ``max_cache_bytes``."""
        trim_folder(self.cache_dir, self.max_cache_bytes)


def trim_folder(folder: Path, max_bytes: int) -> int:
    """Delete the least recently used regular files under ``folder`` until it holds at most
    ``max_bytes`` (symbolic links are removed, never followed). Returns the bytes deleted."""
    entries = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = os.path.join(dirpath, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if os.path.islink(path):
                entries.append((0.0, 0, path))
                continue
            entries.append((max(info.st_atime, info.st_mtime), info.st_size, path))
            total += info.st_size
    deleted = 0
    for _used, size, path in sorted(entries):
        if total <= max_bytes and size:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size
        deleted += size
    return deleted
