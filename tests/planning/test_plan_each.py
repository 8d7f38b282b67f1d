"""The candidate devices planned side by side give the plan of the one-by-one loop.

:func:`laserskin.planning.optimise.plan_each` plans a plan's candidate devices in worker threads
(issue 9: a plan within 30 s on the 2-core machine). The reference is the serial loop it replaced
(one worker): the plan must be the same to the last digit (tolerance 0, the wall time
aside), since each device makes the same computation (same inputs, seeds and photon counts; transports
are bit-identical on any thread; the LU and base-run caches return what a fresh computation gives). The
citations are left out: a process cites the healing calibration's sources only the first time it computes it.
Two cheap candidates at 2000 photons on a 10-ring planning grid (smoothbeam_1450: strong water absorption;
genesis_1064, whose noise rule raises its photons, here to at most 8000): the check is the wiring, not the
physics.
"""

import importlib
import threading

import pytest

from laserskin.core.citations import cite, recording
from laserskin.planning.optimise import Counter, plan_each
from laserskin.planning.request import PlanRequest

optimise = importlib.import_module("laserskin.planning.optimise")
plan_module = importlib.import_module("laserskin.planning.plan")


def test_plan_each_keeps_order_counters_and_context(monkeypatch):
    monkeypatch.setattr(optimise, "MAX_PLAN_WORKERS", 2)
    monkeypatch.setattr(optimise.os, "cpu_count", lambda: 2)
    threads = set()

    def one(item, counter):
        threads.add(threading.current_thread().name)
        cite("pennes1948")
        counter.transports += item
        counter.heat_solves += 2 * item
        return item * 10

    counter = Counter(transports=1)
    with recording() as cited:
        assert plan_each(one, [3, 1, 2], counter) == [30, 10, 20]
        assert plan_each(one, [3, 1, 2], Counter(), start_first=lambda item: item == 2) == [30, 10, 20]
    assert (counter.transports, counter.heat_solves) == (7, 12)
    assert cited == {"pennes1948"}  # the worker threads record into the caller's citations
    assert all(name.startswith("laserskin-plan") for name in threads)


def test_plan_each_raises_the_first_error_in_order(monkeypatch):
    monkeypatch.setattr(optimise, "MAX_PLAN_WORKERS", 2)
    monkeypatch.setattr(optimise.os, "cpu_count", lambda: 2)

    def one(item, counter):
        if item > 0:
            raise ValueError(f"device {item}")
        return item

    with pytest.raises(ValueError, match="device 1"):
        plan_each(one, [0, 1, 2], Counter())


def _plan(workers, monkeypatch, tmp_path) -> dict:
    monkeypatch.setattr(optimise, "MAX_PLAN_WORKERS", workers)
    monkeypatch.setattr(optimise, "PLANNING_GRID_NR", 10)  # cheap heat solves
    monkeypatch.setattr(optimise, "MAX_PHOTONS", 8000)  # genesis_1064's noise rule would ask for 2.6e5
    monkeypatch.setattr(optimise.os, "cpu_count", lambda: 2)
    request = PlanRequest.model_validate(
        dict(
            age="52",
            sex="F",
            fitzpatrick="4",
            site="cheek",
            laxity=2,
            goal="tighten",
            devices=["smoothbeam_1450", "genesis_1064", "co2_fractional"],  # the last: the resurfacing alternative
            photons=2000,
        )
    )
    out = plan_module.plan_request(request, cache_dir=tmp_path / f"cache{workers}", progress=None).to_dict()
    out.pop("wall_time_s")
    # healing's calibration is computed once per process (lru_cache) and cites its sources only then: the
    # second plan of a process lists fewer works, whichever way it is planned
    out.pop("citations")
    return out


def test_devices_side_by_side_give_the_serial_plan(monkeypatch, tmp_path):
    """The same plan, the alternative of the other goal included (planned beside the candidates side by side, where
    the plan lists it one at a time)."""
    serial = _plan(1, monkeypatch, tmp_path)
    side_by_side = _plan(2, monkeypatch, tmp_path)
    assert serial["simulation_work"]["transport_runs"] > 0
    assert [a["device"] for a in serial["alternatives"]][:1] == ["co2_fractional"]
    assert side_by_side == serial


def test_plan_each_is_serial_where_numba_kernels_are_not_threadsafe(monkeypatch):
    """numba's workqueue threading layer aborts on a kernel launched while another runs: one device at a time."""
    import numba

    from laserskin.transport import driver

    monkeypatch.setattr(numba.config, "THREADING_LAYER", "workqueue")
    assert driver.kernels_threadsafe() is False
    monkeypatch.setattr(optimise, "MAX_PLAN_WORKERS", 2)
    monkeypatch.setattr(optimise.os, "cpu_count", lambda: 2)
    threads = []
    counter = Counter()
    assert plan_each(lambda item, c: threads.append(threading.current_thread()) or item, [1, 2], counter) == [1, 2]
    assert threads == [threading.current_thread()] * 2


def test_plan_each_is_serial_on_one_core(monkeypatch):
    monkeypatch.setattr(optimise.os, "cpu_count", lambda: 1)
    threads = []
    assert plan_each(lambda item, c: threads.append(threading.current_thread()) or item, [1, 2], Counter()) == [1, 2]
    assert threads == [threading.current_thread()] * 2


def test_serial_planning_runs_the_devices_in_the_callers_thread():
    """The web server's jobs run under an address-space limit, where the threads' arenas and concurrent LU
    factorisations do not fit: inside ``serial_planning`` every device is planned in the calling thread."""
    import threading

    from laserskin.planning.optimise import Counter, plan_each, serial_planning

    def where(item, counter):
        return threading.current_thread().name

    with serial_planning():
        names = plan_each(where, ["a", "b", "c"], Counter())
    assert names == [threading.current_thread().name] * 3
