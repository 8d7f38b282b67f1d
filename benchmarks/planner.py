"""Time of the default plan (cold and warm transport cache) and work of a few plans (printed, no asserts).

Default plan (issues 9 and 10: at most 30 s on the 2-core machine), run as a user runs it::

    laserskin plan --age 52 --sex F --fitzpatrick 4 --site cheek --laxity 2 --json

in a fresh process, first with an empty transport cache (cold: every Monte Carlo transport
runs; numba kernels come from their on-disk cache when it is writable), then again with the
cache the first run filled (warm). Wall time and the CPU time of the process (user + system)
are printed: on a shared machine the wall time grows with the load, the CPU time much less.

Then three plans in this process (wall time, device, work counters).

Run: .venv/bin/python benchmarks/planner.py  (``--default-only``: only the default plan)
"""

import os
import subprocess
import sys
import tempfile
import time

from laserskin.planning import plan
from laserskin.skin.person import Person

DEFAULT_PLAN = ["plan", "--age", "52", "--sex", "F", "--fitzpatrick", "4", "--site", "cheek", "--laxity", "2", "--json"]
PLAN_TARGET_S = 30.0

CASES = {
    "fair skin, mild laxity": dict(fitzpatrick="II", laxity=1),
    "dark skin (VI), moderate laxity": dict(fitzpatrick="VI", laxity=2),
    "fair skin, severe laxity (referral)": dict(fitzpatrick="II", laxity=4),
}


def timed_cli(args: list[str], cache_dir: str) -> tuple[float, float, int]:
    """(wall s, CPU s of the child, exit status) of ``python -m laserskin ARGS``."""
    env = dict(os.environ, LASERSKIN_CACHE_DIR=cache_dir)
    before = os.times()
    clock = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "laserskin", *args], env=env, capture_output=True, check=False)
    wall = time.perf_counter() - clock
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, done.returncode


def default_plan() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"default plan (target <= {PLAN_TARGET_S:g} s; {os.cpu_count()} CPUs, load average {load:.1f})")
    with tempfile.TemporaryDirectory(prefix="laserskin_bench_") as cache_dir:
        for label in ("cold (empty transport cache)", "warm (cache filled by the cold run)"):
            wall, cpu, status = timed_cli(DEFAULT_PLAN, cache_dir)
            note = "" if status == 0 else f"  EXIT {status}"
            print(f"  {label:38s} {wall:6.1f} s wall  {cpu:6.1f} s CPU{note}")


if __name__ == "__main__":
    default_plan()
    if "--default-only" in sys.argv[1:]:
        sys.exit(0)
    for label, fields in CASES.items():
        person = Person(age=55, sex="female", site="cheek", **fields)
        clock = time.perf_counter()
        try:
            result = plan(person, goal="tighten", area="150 cm^2")
            what = f"{result.device or 'referral'}; work {result.simulations_run}"
        except Exception as error:  # infeasible plans raise InputError: report it
            what = f"no plan: {error}"
        print(f"{label:38s} {time.perf_counter() - clock:6.1f} s  {what}")
