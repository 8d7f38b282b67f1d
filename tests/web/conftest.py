"""Fixtures of the web tests."""

from __future__ import annotations

import json
import time

import pytest


def _write_done_job(data, job_id: str, summary: dict) -> None:
    """A finished simulate job with ``summary`` in the server's data folder ``data`` (as a worker leaves it), so that
    result pages can be rendered without running a simulation."""
    folder = data / "jobs" / job_id
    folder.mkdir(parents=True)
    now = time.time()
    record = {"id": job_id, "kind": "simulate", "status": "done", "stage": "done", "progress": 1.0}
    record |= {"created_unix": now, "started_unix": now, "finished_unix": now, "inputs": {}}
    (folder / "job.json").write_text(json.dumps(record), encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


@pytest.fixture(scope="session")
def write_done_job():
    """:func:`_write_done_job` (session scope: module-scoped page fixtures use it)."""
    return _write_done_job
