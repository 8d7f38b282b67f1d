"""Shared fixtures: the transport cache of the test run, and the stored settings of the default 1320 nm plan,
shared by the CLI and report tests of its stacked pulses.

The transport cache
-------------------
``LASERSKIN_CACHE_DIR`` points every test at a cache folder, never at the user's ~/.cache/laserskin, so no test
reads a result that this run did not compute. By default that folder is ONE temporary folder for the whole pytest
run (:func:`run_transport_cache`): a transport is keyed on a sha256 of its optics, beam, grid, photons, seed and the
package and kernel versions, written atomically and checksummed (:mod:`laserskin.transport.cache`), and a cached
result is bit-identical to a fresh run (tests/transport/test_cache.py, tests/pipeline/test_readout_error.py), so
sharing it changes no number a test reads; it only skips the repeated Monte Carlo runs of tests (and of the
documented examples, which run in subprocesses that inherit the variable) that simulate the same person, device
and seed. Heat solves and plans are not cached: every test computes its own.

Tests whose subject depends on the cache being empty (hits and misses, cache files, damaged entries, counted or
forbidden transport runs, progress that only a miss reports, a cached result compared with a fresh one, workers
killed while they write) get their own empty folder in ``tmp_path``, as every test did before: mark them
``@pytest.mark.private_transport_cache`` or list their path in :data:`PRIVATE_TRANSPORT_CACHE` with the reason.
A test that sets ``LASERSKIN_CACHE_DIR`` itself or passes ``cache_dir=`` keeps that folder either way.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

#: Test paths (relative to tests/; a folder ends with "/") that run with a private, empty transport cache, and why.
PRIVATE_TRANSPORT_CACHE = {
    "transport/": "the cache itself (entries, checksums, damaged files, orphans, pruning), counted misses "
    "(test_cache.py, test_transport_result.py) and cached-vs-fresh comparisons",
    "cli/": "command lines whose output depends on a miss (progress of the transport stage) and errors naming "
    "LASERSKIN_CACHE_DIR (test_shell.py)",
    "web/": "the server's data folder, jobs and progress pages, its cache pruning and limits",
    "sweep/": "workers killed while they write, stores healed, per-case wall times: a case must run its transport",
    "pipeline/test_progress_default.py": "the progress a run reports by default (the transport stage reports only "
    "on a miss)",
    "pipeline/test_readout_error.py": "the read-out error from a fresh and from a cached transport",
    "pipeline/test_base_run_reuse.py": "counts the runs a simulation makes",
    "pipeline/test_peak_fluence_limit.py": "forbids the transport stage (a refusal before any Monte Carlo run)",
    "planning/test_plan_each.py": "devices side by side vs one by one: each must run its own transports",
    "planning/test_blister_band_prefetch.py": "background transports vs the sequential reference",
    "thermal/test_factorization_cache.py": "process-wide caches compared with fresh computations",
    "thermal/test_solver_memory.py": "memory of a run that computes its transport",
    "planning/test_plan_memory.py": "memory of a plan that computes its transports",
    "plotting/test_progress.py": "progress output",
}


def _private_reason(path: Path) -> str | None:
    try:
        relative = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return None
    for prefix, reason in PRIVATE_TRANSPORT_CACHE.items():
        if relative == prefix or (prefix.endswith("/") and relative.startswith(prefix)):
            return reason
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = _private_reason(Path(str(item.path)))
        if reason is not None:
            item.add_marker(pytest.mark.private_transport_cache(reason=reason))


@pytest.fixture(scope="session")
def run_transport_cache(tmp_path_factory) -> Path:
    """The transport cache folder shared by the tests of this pytest run (a fresh temporary folder). Under
    pytest-xdist (``make test`` runs two workers) every worker has its own base folder inside the run's: the cache
    sits in the run's folder, so the workers share it (writes are atomic; two workers at worst compute one run twice)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "transport-cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def _transport_cache(request, run_transport_cache, monkeypatch):
    """``LASERSKIN_CACHE_DIR``: the run's shared folder, or a private empty one for a test marked
    ``private_transport_cache`` (see the module docstring)."""
    if request.node.get_closest_marker("private_transport_cache") is not None:
        folder = request.getfixturevalue("tmp_path") / "transport-cache"
    else:
        folder = run_transport_cache
    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(folder))


@pytest.fixture
def settings_1320() -> dict:
    """``settings`` of the default 1320 nm plan (cooltouch_1320): 3 pulses at 2 Hz per spot, 14.2 J/cm² each
    (QA7 #4). Stored plan data, no computation; a fresh dict per test, so a test may change its copy."""
    return {
        "wavelength_nm": 1320.0,
        "fluence_J_per_cm2": 14.22,
        "pulse_energy_mJ": 11169.0,
        "pulse_duration_ms": 50.0,
        "spot_diameter_mm": 10.0,
        "repetition_rate_Hz": 2.0,
        "pulses_per_spot": 3,
        "fluence_per_spot_J_per_cm2": 42.66,
        "passes": 1,
        "profile": "flat_top",
    }
