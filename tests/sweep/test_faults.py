"""Fault injection on sweeps (issue 11): damaged case files, a damaged manifest, a client
killed with SIGKILL mid-write, orphaned temporary files, and a scheduler that accepts the
connection but never answers. Asserts that nothing is lost and nothing wrong is used.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
import xarray as xr

from laserskin.core.errors import InputError
from laserskin.core.io import read_netcdf
from laserskin.sweep import Sweep, SweepStore, run_sweep, sweep_from_dict
from laserskin.transport.cache import DamagedFileError, read_netcdf_checked

BASE = {
    "person": {"age": 50, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
    "laser": {"device": "genesis_1064"},
    "transport": {"photons": 1000},
    "grid": {"nr": 12, "dz_surface": "20 um", "dz_max": "200 um"},
    "heat": {"relaxation": "0.05 s"},
}
SPEC = {"sweep": {"name": "faults", "seed": 3}, "base": BASE, "axes": {"laser.fluence": ["10 J/cm^2", "16 J/cm^2"]}}
OMEGA = [0.00216, 0.0317]  # stand-in results of the two cases (store-level tests)


def fake_record(index: int) -> dict:
    return {"status": "ok", "data": {"epidermal_omega": OMEGA[index], "peak_C": 40.0 + index}}


def filled_store(out) -> SweepStore:
    store = SweepStore(out, Sweep(sweep_from_dict(SPEC)))
    store.check_or_create()
    for case in store.sweep.cases():
        store.write(case, fake_record(case.index))
    return store


def flip_value(path, value: float) -> None:
    data = bytearray(path.read_bytes())
    offset = data.find(np.float64(value).tobytes())
    assert offset >= 0
    data[offset + 5] ^= 0x10  # 0.00216 -> 0.00216...: plausible, wrong, still parses
    path.write_bytes(bytes(data))


def damage(path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(2000))
    elif how == "bit_flip":
        flip_value(path, OMEGA[0])
        assert float(read_netcdf(path)["epidermal_omega"]) != OMEGA[0]  # parses, wrong
    elif how == "other_case":  # a valid file of case 1 copied over case 0
        path.write_bytes(path.with_name("c000001.nc").read_bytes())
    elif how == "other_sweep":
        other = SweepStore(path.parent.parent.parent / "other", Sweep(sweep_from_dict({**SPEC, "sweep": {"seed": 4}})))
        other.check_or_create()
        other.write(other.sweep.case(0), fake_record(0))
        path.write_bytes(other.result_path(0).read_bytes())


@pytest.mark.parametrize("how", ["truncated", "empty", "garbage", "bit_flip", "other_case", "other_sweep"])
def test_damaged_case_file_is_not_done_and_is_removed(tmp_path, how):
    store = filled_store(tmp_path / "out")
    damage(store.result_path(0), how)
    again = SweepStore(tmp_path / "out", Sweep(sweep_from_dict(SPEC)))
    again.check_or_create()
    assert again.done() == {1}  # case 0 will be recomputed, case 1 is kept
    assert again.damaged == {0} and not store.result_path(0).exists()
    dataset = again.combine()  # never fatal: the damaged case is a hole until recomputed
    assert dataset["succeeded"].values.tolist() == [0, 1]
    assert np.isnan(dataset["epidermal_omega"].values[0]) and dataset["epidermal_omega"].values[1] == OMEGA[1]


@pytest.mark.parametrize("how", ["garbage", "empty", "missing"])
def test_damaged_manifest_is_rewritten_from_the_case_files(tmp_path, how):
    store = filled_store(tmp_path / "out")
    if how == "missing":
        store.manifest_path.unlink()
    else:
        store.manifest_path.write_bytes(b"" if how == "empty" else b"\x00{not json")
    again = SweepStore(tmp_path / "out", Sweep(sweep_from_dict(SPEC)))
    again.check_or_create()
    assert json.loads(store.manifest_path.read_text())["fingerprint"] == again.fingerprint
    assert again.done() == {0, 1}


def test_damaged_manifest_of_a_folder_with_another_sweep_is_still_refused(tmp_path):
    store = filled_store(tmp_path / "out")
    store.manifest_path.write_text("garbage")
    other = SweepStore(tmp_path / "out", Sweep(sweep_from_dict({**SPEC, "sweep": {"seed": 99}})))
    with pytest.raises(InputError, match="sweep.json"):
        other.check_or_create()


def test_orphaned_temporaries_are_removed_on_the_next_run(tmp_path):
    store = filled_store(tmp_path / "out")
    orphan = store.cases_dir / ".c000000.nc.ab12cd.tmp.nc"
    orphan.write_bytes(b"half a file")
    fresh = store.cases_dir / ".c000001.nc.ef34gh.tmp.nc"
    fresh.write_bytes(b"a write in progress")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    SweepStore(tmp_path / "out", Sweep(sweep_from_dict(SPEC))).check_or_create()
    assert not orphan.exists() and fresh.exists()


CLIENT = textwrap.dedent("""
    import json, sys
    from laserskin.sweep import Sweep, SweepStore, sweep_from_dict
    spec = json.loads(sys.argv[2])
    store = SweepStore(sys.argv[1], Sweep(sweep_from_dict(spec)))
    store.check_or_create()
    big = [[float(i + j) for j in range(400)] for i in range(400)]  # a saved field makes writes slow enough
    generation = 0
    while True:  # keep rewriting both cases until killed
        generation += 1
        for case in store.sweep.cases():
            store.write(case, {"status": "ok", "data": {"epidermal_omega": 0.001 * case.index + generation},
                               "fields": {"peak_temperature": big}})
        print(generation, flush=True)
""")


def test_client_killed_mid_write_loses_nothing_and_leaves_nothing_wrong(tmp_path):
    """SIGKILL while a case file is being written: every case file left is complete and
    verified (or absent and recomputed); the orphaned temporary is removed next time."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", CLIENT, str(out), json.dumps(SPEC)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert process.stdout.readline().strip() == "1"
        deadline = time.monotonic() + 60  # a hang guard, not a speed assertion
        while not list((out / "cases").glob(".c*")) and time.monotonic() < deadline:
            time.sleep(0.0005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
    store = SweepStore(out, Sweep(sweep_from_dict(SPEC)))
    for path in (out / "cases").glob(".c*"):
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    store.check_or_create()
    assert not list((out / "cases").glob(".*"))  # orphan removed
    done = store.done()
    assert done == {0, 1} and not store.damaged  # atomic replace: old or new, never a part
    for index in done:
        dataset = read_netcdf_checked(store.result_path(index))
        assert float(dataset["epidermal_omega"]) % 1 == pytest.approx(0.001 * index)


class SilentScheduler:
    """A loopback TCP server that accepts connections and never sends a byte."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.connections = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
                self.connections.append(connection)
            except TimeoutError:
                continue
            except OSError:
                return

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        for connection in self.connections:
            connection.close()
        self.server.close()


def test_scheduler_that_accepts_but_never_answers_gives_a_clear_error(tmp_path):
    silent = SilentScheduler()
    spec = sweep_from_dict({**SPEC, "cluster": {"connect_timeout_s": 1.0}})
    outcome = {}

    def attempt():
        try:
            run_sweep(spec, tmp_path / "out", scheduler=silent.address)
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=attempt, daemon=True)
    try:
        thread.start()
        thread.join(60)  # a hang guard (main: > 125 s), not a speed assertion
        assert not thread.is_alive(), "sweep --scheduler hung on a silent scheduler"
    finally:
        silent.close()
    assert silent.connections  # it did accept the connection
    error = outcome.get("error")
    assert isinstance(error, InputError) and "reachable dask scheduler" in str(error) and "1 s" in str(error)
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    # in-process (inproc:// transport): nothing listens on a network port
    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.CRITICAL
    )
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize("how", ["truncated", "bit_flip"])
def test_sweep_recomputes_a_damaged_case_and_reproduces_it_exactly(client, tmp_path, how):
    out, cache = tmp_path / "out", str(tmp_path / "cache")
    first = run_sweep(sweep_from_dict(SPEC), out, client=client, figures=False, cache_dir=cache)
    expected = xr.load_dataset(out / "sweep.nc")
    path = out / "cases" / "c000000.nc"
    if how == "truncated":
        damage(path, "truncated")
    else:
        flip_value(path, float(expected["epidermal_omega"].values[0]))
    with pytest.raises(DamagedFileError):
        read_netcdf_checked(path)
    again = run_sweep(sweep_from_dict(SPEC), out, client=client, figures=False, cache_dir=cache)
    assert (first.succeeded, again.recomputed_damaged, again.succeeded, again.skipped_already_done) == (2, 1, 1, 1)
    dataset = xr.load_dataset(out / "sweep.nc")
    np.testing.assert_array_equal(dataset["epidermal_omega"].values, expected["epidermal_omega"].values)
    read_netcdf_checked(path)


def test_folder_in_place_of_a_case_file_fails_that_case_not_the_sweep(client, tmp_path):
    out, cache = tmp_path / "out", str(tmp_path / "cache")
    SweepStore(out, Sweep(sweep_from_dict(SPEC))).check_or_create()
    blocked = out / "cases" / "c000000.nc"
    blocked.mkdir()
    report = run_sweep(sweep_from_dict(SPEC), out, client=client, figures=False, cache_dir=cache)
    assert (report.succeeded, report.failed) == (1, 1)
    assert "could not store" in json.loads((out / "cases" / "c000000.error.json").read_text())["error"]
    blocked.rmdir()
    again = run_sweep(sweep_from_dict(SPEC), out, client=client, figures=False, cache_dir=cache)
    assert (again.succeeded, again.failed, again.skipped_already_done) == (1, 0, 1)


def test_progress_reports_stages_failures_and_throughput(client, tmp_path):
    events = []
    run_sweep(
        sweep_from_dict(SPEC),
        tmp_path / "out",
        client=client,
        figures=True,
        on_progress=events.append,
        cache_dir=str(tmp_path / "cache"),
    )
    stages = [event["stage"] for event in events]
    assert stages[0] == "running on 1 workers" and stages[-1] == "done"
    assert stages.index("combining") < stages.index("figures") < stages.index("done")
    finished = [event for event in events if event["stage"].startswith("running")]
    assert [event["done"] for event in finished][-1] == 2 and all(event["total"] == 2 for event in events)
    assert finished[-1]["failed"] == 0 and finished[-1]["cases_per_s"] > 0


def test_progress_speaks_the_shared_callback_protocol(client, tmp_path):
    from laserskin.core.callbacks import Callback

    class Recorder(Callback):
        def __init__(self):
            self.events = []

        def on_start(self, stage, total, unit):
            self.events.append(("start", stage, total, unit))

        def on_progress(self, stage, done, elapsed_s):
            self.events.append(("progress", stage, done))

        def on_end(self, stage, elapsed_s):
            self.events.append(("end", stage))

    recorder = Recorder()
    run_sweep(
        sweep_from_dict(SPEC),
        tmp_path / "out",
        client=client,
        figures=False,
        on_progress=recorder,
        cache_dir=str(tmp_path / "cache"),
    )
    assert recorder.events[0] == ("start", "running on 1 workers", 2, "cases")
    assert [e for e in recorder.events if e[0] == "progress"] == [
        ("progress", "running on 1 workers", 1),
        ("progress", "running on 1 workers", 2),
    ]
    starts = [e[1] for e in recorder.events if e[0] == "start"]
    ends = [e[1] for e in recorder.events if e[0] == "end"]
    assert starts == ends  # every stage that started ended


def test_a_live_scheduler_passes_the_probe_and_runs_the_sweep(client, tmp_path):
    """The bounded handshake probe lets a real scheduler through (here the in-process one)."""
    address = client.scheduler.address
    report = run_sweep(
        sweep_from_dict(SPEC), tmp_path / "out", scheduler=address, figures=False, cache_dir=str(tmp_path / "cache")
    )
    assert (report.succeeded, report.failed) == (2, 0)
