"""The planner plans as many devices side by side as the memory it may use holds
(:func:`laserskin.planning.optimise.memory_plan_workers`): under an address-space limit (the web server's
per-job ``RLIMIT_AS``, ``ulimit -v`` at the CLI) that holds one device only, one at a time in the caller's
thread, where three side by side failed their allocations at 6 GiB. The plan does not depend on it
(tests/planning/test_plan_each.py: side by side = one by one to the last digit)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap

from laserskin.planning import optimise
from laserskin.planning.optimise import (
    PLAN_DEVICE_ADDRESS_BYTES,
    PLAN_SERIAL_ADDRESS_BYTES,
    memory_plan_workers,
)

GIB = 1 << 30


def _used_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) << 10 for line in status if line.startswith("VmSize:"))


def test_the_address_space_limit_decides_how_many_devices_run_side_by_side(monkeypatch):
    unlimited = memory_plan_workers(4)  # no RLIMIT_AS here: only the available memory counts
    assert 1 <= unlimited <= 4

    def limited(limit):
        monkeypatch.setattr(resource, "getrlimit", lambda which: (limit, resource.RLIM_INFINITY))
        return memory_plan_workers(4)

    assert limited(6 * GIB) == 1  # the web server's jobs: one device at a time
    # room for the serial plan and exactly k - 1 devices more (the used address space barely moves meanwhile)
    for k in (1, 2, 3):
        room = _used_bytes() + PLAN_SERIAL_ADDRESS_BYTES + (k - 1) * PLAN_DEVICE_ADDRESS_BYTES + GIB // 2
        assert limited(room) == min(k, unlimited), k
    assert limited(resource.RLIM_INFINITY) == unlimited


def test_under_ulimit_the_devices_are_planned_in_the_callers_thread():
    """A real limit, in a fresh process (as ``ulimit -v 6291456; laserskin plan ...``): plan_each needs no
    switch from its caller to plan one device at a time."""
    code = textwrap.dedent(
        """
        import json, resource, threading
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))
        from laserskin.planning import optimise
        optimise.os.cpu_count = lambda: 2
        names = optimise.plan_each(lambda item, c: threading.current_thread().name, [1, 2, 3], optimise.Counter())
        print(json.dumps([names, threading.current_thread().name]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    names, caller = json.loads(done.stdout.strip().splitlines()[-1])
    assert names == [caller] * 3


def test_without_a_limit_devices_still_run_side_by_side(monkeypatch):
    """The memory rule adds nothing where the room holds them (here: the machine's available memory)."""
    import threading

    monkeypatch.setattr(optimise.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(optimise, "MAX_PLAN_WORKERS", 2)
    monkeypatch.setattr(optimise, "memory_plan_workers", lambda workers: workers)
    names = optimise.plan_each(lambda item, c: threading.current_thread().name, [1, 2], optimise.Counter())
    assert all(name.startswith("laserskin-plan") for name in names)
