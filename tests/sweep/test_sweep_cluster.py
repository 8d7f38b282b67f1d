"""Sweeps on a real dask LocalCluster: results, worker death, interruption and resume."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest
import xarray as xr

from laserskin.sweep import Sweep, run_case, run_sweep, sweep_from_dict

BASE = {
    "person": {"age": 50, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
    "laser": {"device": "genesis_1064"},
    "transport": {"photons": 1000},
    "grid": {"nr": 12, "dz_surface": "20 um", "dz_max": "200 um"},
    "heat": {"relaxation": "0.05 s"},
}
SPEC = {
    "sweep": {"name": "cluster_test", "seed": 3},
    "base": BASE,
    "axes": {
        "laser.fluence": ["10 J/cm^2", "16 J/cm^2", "22 J/cm^2"],
        "cooling": [{"kind": "none"}, {"kind": "contact"}],
    },
}
N_CASES = 6


@pytest.fixture(scope="module")
def client():
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.CRITICAL
    )
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def reference(client, tmp_path_factory):
    """The sweep run undisturbed; other tests must reproduce it exactly."""
    out = tmp_path_factory.mktemp("reference")
    report = run_sweep(sweep_from_dict(SPEC), out / "sweep", client=client, cache_dir=str(out / "cache"))
    return report, xr.load_dataset(out / "sweep" / "sweep.nc")


def case_files(folder):
    return sorted(p.name for p in (folder / "cases").iterdir())


def test_small_sweep_writes_every_case_and_a_combined_dataset(reference, tmp_path):
    report, dataset = reference
    assert (report.cases, report.succeeded, report.failed, report.skipped_already_done) == (N_CASES, N_CASES, 0, 0)
    assert dataset["epidermal_omega"].dims == ("laser__fluence", "cooling")
    assert list(dataset["laser__fluence"].values) == [10.0, 16.0, 22.0]
    assert dataset["laser__fluence"].attrs["units"] == "J/cm^2"
    assert list(dataset["cooling"].values) == ["none", "contact"]
    assert int(dataset["succeeded"].sum()) == N_CASES
    # the grid matches the inputs: fluence read back from each case's own summary
    np.testing.assert_allclose(dataset["fluence_J_per_cm2"].values, [[10, 10], [16, 16], [22, 22]])
    assert report.figures and all(os.path.getsize(p) > 0 for p in report.figures)
    # ready for analysis: units and long names on every variable, text and flags kept
    for name, variable in dataset.data_vars.items():
        assert variable.attrs.get("units") and variable.attrs.get("long_name"), name
    assert dataset["peak_epidermis_temperature_C"].attrs["units"] == "degC"
    assert dataset["pigment_risk"].dtype.kind == "U" and dataset["boiling"].dtype == bool
    assert dataset.attrs["laserskin_version"] and "base" in dataset.attrs


def test_case_result_does_not_depend_on_where_it_ran(reference, tmp_path):
    """Case 3 run in this process with its spawned seed equals the cluster's result."""
    _, dataset = reference
    case = Sweep(sweep_from_dict(SPEC)).case(3)
    record = run_case(case, cache_dir=str(tmp_path / "cache"))
    assert record["status"] == "ok"
    assert case.position == (1, 1)
    for key in ("epidermal_omega", "peak_epidermis_temperature_C", "peak_dermis_temperature_C"):
        assert record["data"][key] == dataset[key].values[1, 1]


def _inject_failure(fluence_J_per_m2):
    """Make Simulation.run raise at one fluence (runs inside each worker process)."""
    from laserskin.pipeline.simulation import Simulation

    original = getattr(Simulation, "_unpatched_run", Simulation.run)
    Simulation._unpatched_run = original

    def run_or_fail(self, **keywords):
        if abs(self.laser.fluence_J_per_m2 - fluence_J_per_m2) < 1:
            raise RuntimeError("injected solver failure")
        return original(self, **keywords)

    Simulation.run = run_or_fail


def _remove_failure():
    from laserskin.pipeline.simulation import Simulation

    Simulation.run = Simulation._unpatched_run


def test_failing_case_is_recorded_and_the_sweep_goes_on(client, tmp_path):
    """A case that raises on the worker becomes an error record; the others finish."""
    import sys

    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    client.run(_inject_failure, 16e4)
    try:
        report = run_sweep(
            sweep_from_dict(SPEC), tmp_path / "out", client=client, figures=False, cache_dir=str(tmp_path / "cache")
        )
    finally:
        client.run(_remove_failure)
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert (report.succeeded, report.failed) == (4, 2)
    errors = sorted(p.name for p in (tmp_path / "out" / "cases").glob("*.error.json"))
    assert errors == ["c000002.error.json", "c000003.error.json"]  # fluence index 1 = 16 J/cm^2
    record = json.loads((tmp_path / "out" / "cases" / errors[0]).read_text())
    assert record["error"] == "injected solver failure" and record["inputs"]["laser"]["fluence"] == "16 J/cm^2"
    dataset = xr.load_dataset(tmp_path / "out" / "sweep.nc")
    assert dataset["succeeded"].values.tolist() == [[1, 1], [0, 0], [1, 1]]
    assert np.isnan(dataset["epidermal_omega"].values[1]).all()


def test_killing_a_worker_mid_sweep_loses_and_duplicates_nothing(client, reference, tmp_path):
    _, expected = reference
    pids_before = client.run(os.getpid)
    killed = []

    def kill_one_worker(case, record):
        if not killed:
            address, pid = sorted(pids_before.items())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(address)

    out = tmp_path / "out"
    report = run_sweep(
        sweep_from_dict(SPEC),
        out,
        client=client,
        on_case=kill_one_worker,
        figures=False,
        cache_dir=str(tmp_path / "cache"),
    )
    assert killed
    assert (report.succeeded, report.failed) == (N_CASES, 0)
    assert case_files(out) == [f"c{i:06d}.nc" for i in range(N_CASES)]
    dataset = xr.load_dataset(out / "sweep.nc")
    for key in ("epidermal_omega", "peak_epidermis_temperature_C", "denatured_volume_mm3"):
        np.testing.assert_array_equal(dataset[key].values, expected[key].values)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker
    assert set(client.run(os.getpid).values()) != set(pids_before.values())


class Interrupt(Exception):
    pass


def test_interrupted_sweep_resumes_and_skips_finished_cases(client, reference, tmp_path):
    _, expected = reference
    out = tmp_path / "out"

    seen = []

    def stop_after_two(case, record):
        seen.append(case.index)
        if len(seen) == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_sweep(sweep_from_dict(SPEC), out, client=client, on_case=stop_after_two, cache_dir=str(tmp_path / "c"))
    finished = case_files(out)
    assert len(finished) >= 2 and not (out / "sweep.nc").exists()
    assert not list((out / "cases").glob(".*tmp"))  # nothing half-written
    report = run_sweep(sweep_from_dict(SPEC), out, client=client, figures=False, cache_dir=str(tmp_path / "c"))
    assert report.skipped_already_done == len(finished)
    assert report.succeeded == N_CASES - len(finished) and report.failed == 0
    dataset = xr.load_dataset(out / "sweep.nc")
    np.testing.assert_array_equal(dataset["epidermal_omega"].values, expected["epidermal_omega"].values)
    again = run_sweep(sweep_from_dict(SPEC), out, client=client, figures=False)
    assert (again.skipped_already_done, again.succeeded) == (N_CASES, 0)


SWEEP_TOML = """
[sweep]
name = "cli"
seed = 1
[base]
person = { age = 40, sex = "male", fitzpatrick = "II", site = "forehead" }
laser = { device = "genesis_1064" }
transport = { photons = 1000 }
grid = { nr = 12, dz_surface = "20 um", dz_max = "200 um" }
heat = { relaxation = "0.05 s" }
[axes]
"laser.fluence" = ["12 J/cm^2", "15 J/cm^2"]
"""


def test_sweep_command_on_its_own_local_cluster_then_resume(tmp_path, monkeypatch):
    import typer
    from typer.testing import CliRunner

    from laserskin.cli.sweep import sweep_command

    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path / "cache"))
    app = typer.Typer()
    app.command()(sweep_command)
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP_TOML)
    out = tmp_path / "out"
    runner = CliRunner()
    table = tmp_path / "results.csv"
    first = runner.invoke(app, [str(sweep_file), "--out", str(out), "--workers", "1", "--json", "--table", str(table)])
    assert first.exit_code == 0, first.output
    line = json.loads(first.stdout.strip().splitlines()[-1])
    assert line["table"] == str(table)
    rows = table.read_text().splitlines()
    assert len(rows) == 3 and rows[0].startswith("laser__fluence,succeeded")  # header + one row per case
    assert {k: line[k] for k in ("cases", "succeeded", "failed", "skipped_already_done")} == {
        "cases": 2,
        "succeeded": 2,
        "failed": 0,
        "skipped_already_done": 0,
    }
    assert line["wall_time_s"] > 0
    second = runner.invoke(app, [str(sweep_file), "--out", str(out), "--json"])
    assert second.exit_code == 0, second.output
    line = json.loads(second.stdout.strip().splitlines()[-1])
    assert (line["skipped_already_done"], line["succeeded"]) == (2, 0)
