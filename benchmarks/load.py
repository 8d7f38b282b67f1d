"""Load benchmark of the web planner on 127.0.0.1: requests/s, p50/p95 latency, refusals, peak RSS.

Starts ``python -m laserskin.web`` (its own data folder under a temporary directory), then for
``--duration`` seconds runs ``--clients`` concurrent clients, each looping over: a plan request
(``POST /api/plan``, real physics unless ``--dry-run-s``), then the static pages (``/``,
``/static/app.css``, ``/health``). Every loop is bounded in time; the server is stopped with
SIGTERM at the end (the time it takes is printed too).

    python benchmarks/load.py                      # real plans, 8 clients, 60 s
    python benchmarks/load.py --dry-run-s 2 --clients 32 --duration 20   # server machinery only

Prints one table and a last line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

PLAN = {
    "age": 56,
    "sex": "female",
    "fitzpatrick": "III",
    "site": "cheek",
    "laxity": 2,
    "goal": "tighten",
    "area": "100 cm^2",
}
STATIC = ("/", "/static/app.css", "/health")
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (at most 600)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--queue", type=int, default=4)
    parser.add_argument("--photons", type=int, default=2000)
    parser.add_argument("--dry-run-s", type=float, default=None)
    args = parser.parse_args(argv)
    duration = min(max(args.duration, 1.0), 600.0)

    with tempfile.TemporaryDirectory(prefix="laserskin-load-") as folder:
        port = _port()
        command = [
            sys.executable,
            "-m",
            "laserskin.web",
            "--port",
            str(port),
            "--data-dir",
            folder,
            "--workers",
            str(args.workers),
            "--queue",
            str(args.queue),
            "--max-photons",
            str(args.photons),
        ]
        if args.dry_run_s is not None:
            command += ["--dry-run-s", str(args.dry_run_s)]
        env = {
            **os.environ,
            "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
        }
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            server.kill()
            raise SystemExit("server did not start")
        watched = psutil.Process(server.pid)
        peak_rss = [_tree_rss(watched)]
        records: list[tuple[str, int, float]] = []  # (kind, status, seconds)
        lock = threading.Lock()
        stop_at = time.monotonic() + duration

        def sample():
            while time.monotonic() < stop_at + 1:
                peak_rss[0] = max(peak_rss[0], _tree_rss(watched))
                time.sleep(0.25)

        def client(n: int):
            body = {**PLAN, "photons": args.photons, "seed": n}
            with httpx.Client(base_url=url, timeout=duration + 300) as http:
                while time.monotonic() < stop_at:
                    start = time.perf_counter()
                    try:
                        status = http.post("/api/plan", json=body).status_code
                    except httpx.HTTPError:
                        status = -1
                    with lock:
                        records.append(("plan", status, time.perf_counter() - start))
                    if status == 503:
                        time.sleep(0.5)  # a polite client waits before trying again
                    for path in STATIC:
                        start = time.perf_counter()
                        try:
                            status = http.get(path).status_code
                        except httpx.HTTPError:
                            status = -1
                        with lock:
                            records.append(("static", status, time.perf_counter() - start))

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
        sampler = threading.Thread(target=sample, daemon=True)
        wall = time.perf_counter()
        sampler.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=duration + 330)
        wall = time.perf_counter() - wall
        sampler.join(timeout=5)
        recovered = httpx.get(url + "/health", timeout=10).status_code == 200
        stop = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        stop_s = time.perf_counter() - stop

    figures: dict = {
        "clients": args.clients,
        "duration_s": round(wall, 1),
        "workers": args.workers,
        "queue": args.queue,
        "photons": args.photons,
        "dry_run_s": args.dry_run_s,
        "requests": len(records),
        "requests_per_s": round(len(records) / wall, 2),
        "peak_rss_MiB": round(peak_rss[0] / 2**20, 1),
        "sigterm_stop_s": round(stop_s, 2),
        "health_after_load": recovered,
    }
    print(f"{'kind':8s} {'status':>6s} {'n':>6s} {'p50 s':>8s} {'p95 s':>8s} {'max s':>8s}")
    for kind in ("plan", "static"):
        for status in sorted({s for k, s, _ in records if k == kind}):
            times = [t for k, s, t in records if k == kind and s == status]
            print(
                f"{kind:8s} {status:6d} {len(times):6d} {_percentile(times, 50):8.3f} {_percentile(times, 95):8.3f} "
                f"{max(times):8.3f}"
            )
            figures[f"{kind}_{status}"] = {
                "n": len(times),
                "p50_s": round(_percentile(times, 50), 3),
                "p95_s": round(_percentile(times, 95), 3),
                "max_s": round(max(times), 3),
            }
    print(
        f"requests/s {figures['requests_per_s']}, peak RSS (server + workers) {figures['peak_rss_MiB']} MiB, "
        f"SIGTERM stop {figures['sigterm_stop_s']} s"
    )
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
