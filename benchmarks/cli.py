"""Command-line start-up and end-to-end wall times, as a user sees them.

Prints (never asserts):

* ``laserskin --help`` and ``laserskin --version``: wall time of a fresh process (median of
  ``--repeat`` runs), and the import time of ``laserskin.cli``;
* with ``--simulate``: ``laserskin simulate SCENARIO --photons N --json`` wall time including
  start-up, beside the simulation's own ``wall_time_s``, so the start-up overhead shows.

Run: .venv/bin/python benchmarks/cli.py [--repeat 5] [--simulate] [--photons 1000000] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def laserskin_command() -> list[str]:
    script = Path(sys.executable).with_name("laserskin")
    return [str(script)] if script.exists() else [sys.executable, "-m", "laserskin"]


def wall_s(command: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - start, completed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--simulate", action="store_true", help="also time a full simulate run")
    parser.add_argument("--photons", type=int, default=1_000_000)
    parser.add_argument("--scenario", default=str(ROOT / "examples" / "tightening_1450.toml"))
    args = parser.parse_args()
    command = laserskin_command()
    print(f"command: {' '.join(command)}")
    for extra in (["--help"], ["--version"]):
        times = []
        for _ in range(args.repeat):
            seconds, completed = wall_s([*command, *extra])
            if completed.returncode != 0:
                raise SystemExit(f"{extra} failed: {completed.stderr}")
            times.append(seconds)
        print(
            f"laserskin {extra[0]:<10} median {statistics.median(times):.3f} s  (min {min(times):.3f} s, "
            f"{args.repeat} runs)"
        )
    imports = [
        float(
            wall_s(
                [
                    sys.executable,
                    "-c",
                    "import time; t = time.perf_counter(); import laserskin.cli; print(time.perf_counter() - t)",
                ]
            )[1].stdout
        )
        for _ in range(args.repeat)
    ]
    print(f"import laserskin.cli    median {statistics.median(imports):.3f} s")
    if args.simulate:
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, LASERSKIN_CACHE_DIR=cache)
            seconds, completed = wall_s(
                [*command, "simulate", args.scenario, "--photons", str(args.photons), "--json"], env=env
            )
        if completed.returncode != 0:
            raise SystemExit(f"simulate failed: {completed.stderr}")
        inner = json.loads(completed.stdout)["wall_time_s"]
        print(
            f"simulate {Path(args.scenario).name} --photons {args.photons:,}: wall {seconds:.2f} s including "
            f"start-up; the simulation itself {inner:.2f} s; overhead {seconds - inner:.2f} s "
            f"(cold transport cache, os.cpu_count() = {os.cpu_count()})"
        )


if __name__ == "__main__":
    main()
