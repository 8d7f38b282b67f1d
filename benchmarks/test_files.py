"""CPU seconds of test files, each in its own serial pytest process (for tests/conftest.py ``LONG_FILES_S``).

    python benchmarks/test_files.py                      # the files of LONG_FILES_S
    python benchmarks/test_files.py tests/a.py tests/b.py

Each file runs as ``python -m pytest FILE -n0 -p no:randomly -q --durations=5`` (one process, one BLAS thread as in
``make test``, an empty transport cache of its own: a file's own cost, without what other files leave in the run's
shared caches). A file's time is the user + system CPU seconds of that process and its children (subprocesses of the
CLI and documentation tests included), not wall time: on the shared 2-core machine wall time follows the load, CPU
time much less. The table printed at the end is in CPU seconds; ``LONG_FILES_S`` holds seconds on one ``make test``
worker, which only orders the files (any common scale will do).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def long_files() -> list[str]:
    """The files of ``LONG_FILES_S`` (tests/conftest.py), longest first."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import conftest  # tests/conftest.py, for its table
    finally:
        sys.path.pop(0)
    return [f"tests/{name}" for name in sorted(conftest.LONG_FILES_S, key=lambda n: -conftest.LONG_FILES_S[n])]


def measure(path: str) -> tuple[float, float, str]:
    """``(cpu_s, wall_s, last line of pytest's output)`` of one file in its own pytest process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", path, "-n0", "-p", "no:randomly", "-p", "no:cacheprovider", "-q"]
        + ["--durations=5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return cpu, wall, lines[-1] if lines else f"exit {done.returncode}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="test files (default: those of LONG_FILES_S)")
    args = parser.parse_args(argv)
    files = args.files or long_files()
    rows = []
    for path in files:
        cpu, wall, outcome = measure(path)
        rows.append((path, cpu))
        print(f"{path}: {cpu:.1f} CPU s ({wall:.0f} s wall): {outcome}", flush=True)
    print("\nlongest first (CPU s):")
    for path, cpu in sorted(rows, key=lambda row: -row[1]):
        print(f'    "{path.removeprefix("tests/")}": {cpu:.0f},')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
