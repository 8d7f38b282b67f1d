"""Fixtures of the web tests."""

from __future__ import annotations

import json
import time

import pytest


def _write_done_job(data, job_id: str, result: dict, kind: str = "simulate") -> dict:
    """A finished ``kind`` job ("simulate": ``result`` is its summary; "plan": the plan) in the server's data folder
    ``data`` (as a worker leaves it), so that result pages can be rendered without running one; returns its job
    record."""
    folder = data / "jobs" / job_id
    folder.mkdir(parents=True)
    now = time.time()
    record = {"id": job_id, "kind": kind, "status": "done", "stage": "done", "progress": 1.0}
    record |= {"created_unix": now, "started_unix": now, "finished_unix": now, "inputs": {}}
    (folder / "job.json").write_text(json.dumps(record), encoding="utf-8")
    name = "summary.json" if kind == "simulate" else f"{kind}.json"
    (folder / name).write_text(json.dumps(result), encoding="utf-8")
    return record


@pytest.fixture(scope="session")
def write_done_job():
    """:func:`_write_done_job` (session scope: module-scoped page fixtures use it)."""
    return _write_done_job
