"""Bounded load test of a real server process on 127.0.0.1 (issue 11).

The server runs ``python -m laserskin.web`` with one worker, a queue of two and dry-run jobs of
a few seconds (the worker process sleeps instead of computing), so the test measures the
server machinery and needs little CPU. Every loop here is bounded in count and time.

Asserted: while the worker is busy, static pages and ``/health`` answer within 2 s; the excess
of 12 concurrent plan requests is refused with 503 and ``Retry-After``; the server recovers (a
later plan succeeds); a JSON client that leaves cancels its job; SIGTERM stops the server
within a few seconds while a job runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

PLAN = {
    "age": 55,
    "sex": "female",
    "fitzpatrick": "III",
    "site": "cheek",
    "laxity": 2,
    "photons": 1000,
}
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(tmp_path, dry_run_s: float, queue: int = 2):
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    command = [
        sys.executable,
        "-m",
        "laserskin.web",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path / "data"),
        "--workers",
        "1",
        "--queue",
        str(queue),
        "--dry-run-s",
        str(dry_run_s),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):  # at most 60 s for the imports on a busy machine
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"server did not start: {process.stderr.read().decode()[-2000:]}")


@pytest.fixture
def server(tmp_path):
    process, url = _start(tmp_path, dry_run_s=3.0)
    yield process, url
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    process.stderr.close()


def _wait_idle(url: str, timeout_s: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        health = httpx.get(url + "/health", timeout=5).json()
        if health["running"] == 0 and health["queued"] == 0:
            return health
        time.sleep(0.1)
    raise AssertionError(f"server still busy: {health}")


def test_excess_is_refused_static_pages_answer_and_the_server_recovers(server):
    _, url = server
    results: list[httpx.Response | Exception] = []

    def plan():
        try:
            results.append(httpx.post(url + "/api/plan", json=PLAN, timeout=60))
        except httpx.HTTPError as error:
            results.append(error)

    threads = [threading.Thread(target=plan) for _ in range(12)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    slowest = 0.0
    for _ in range(10):  # while the worker sleeps and two jobs wait
        for path in ("/", "/static/app.css", "/health", "/devices"):
            start = time.perf_counter()
            assert httpx.get(url + path, timeout=10).status_code == 200
            slowest = max(slowest, time.perf_counter() - start)
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=60)
    assert slowest < 2.0, f"a static page took {slowest:.2f} s under load"
    statuses = sorted(r.status_code if isinstance(r, httpx.Response) else -1 for r in results)
    assert statuses.count(200) == 3, statuses  # one running + two queued
    refused = [r for r in results if isinstance(r, httpx.Response) and r.status_code == 503]
    assert len(refused) == 9 and all(int(r.headers["retry-after"]) >= 1 for r in refused), statuses
    _wait_idle(url)
    assert httpx.post(url + "/api/plan", json=PLAN, timeout=60).status_code == 200  # recovered


def test_a_client_that_leaves_cancels_its_job(server):
    _, url = server
    with pytest.raises(httpx.TimeoutException):
        httpx.post(url + "/api/plan", json=PLAN, timeout=0.8)
    _wait_idle(url, timeout_s=2.5)  # the 3 s job was killed when its client left


def test_sigterm_stops_the_server_within_seconds_while_a_job_runs(tmp_path):
    process, url = _start(tmp_path, dry_run_s=60.0)
    try:
        thread = threading.Thread(
            target=lambda: httpx.post(url + "/api/plan", json=PLAN, timeout=90),
            daemon=True,
        )
        thread.start()
        deadline = time.monotonic() + 20
        while httpx.get(url + "/health", timeout=5).json()["running"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        start = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        assert time.monotonic() - start < 8.0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stderr.close()
    jobs = list((tmp_path / "data" / "jobs").glob("*/job.json"))
    assert jobs and all('"running"' not in p.read_text() for p in jobs)  # recorded as interrupted
