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
and seed. Heat solves are not cached, nor are plans, except the planner tests' that ask the run's plan store
(tests/planning/conftest.py ``plan_store``) for the same plan: every other test computes its own.

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
    "planning/test_plan_memory.py": "memory of a plan that computes its transports",
    "plotting/test_progress.py": "progress output",
}


def _relative(path: Path) -> str | None:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return None


def _private_reason(path: Path) -> str | None:
    relative = _relative(path)
    if relative is None:
        return None
    for prefix, reason in PRIVATE_TRANSPORT_CACHE.items():
        if relative == prefix or (prefix.endswith("/") and relative.startswith(prefix)):
            return reason
    return None


#: Test files that run long, in seconds on one of the two workers of ``make test`` (sums of the test durations,
#: ``--durations``, of fresh-clone runs on the 2-core machine, the sources in the table's comment; approximate, for the
#: order only). Under pytest-xdist's
#: ``--dist loadfile`` (Makefile) a worker takes one file at a time, in the workers' collection order
#: (:func:`pytest_configure`), so these are collected first, longest first, and the short files fill both workers'
#: ends: xdist's own order (files with the most tests first) left long files of one or two tests (qa8's session
#: limit, the reference doses) for the end, where one worker ran them while the other had nothing left. A file
#: missing here, or a stale number, changes only the order, never a test; the other files follow in xdist's order.
#: test_alternative_bands.py is left out: its plans come from the plan store (tests/planning/conftest.py), where
#: test_plan_trust.py, started early, has usually computed them already.
LONG_FILES_S = {
    # session 21: the fresh-clone durations of the 40 longest tests (``--durations``, summed per file) on the 2-core
    # machine of that session (an AVX-512 EPYC ~1.75x slower than session 19's); a file with none of those tests
    # keeps session 19's figure x 1.5
    "planning/test_noise_rules_abdomen.py": 411,
    "test_docs_examples.py": 241,
    "validation/test_tissue_response.py": 226,
    "planning/test_plan_trust.py": 163,
    "planning/test_session_limit_trade.py": 107,
    "validation/test_reference_doses.py": 102,
    "planning/test_session_limit_eligibility.py": 84,
    "planning/test_session_count.py": 78,
    "planning/test_noise_rules.py": 68,
    "web/test_browser.py": 61,
    "planning/test_mc_error.py": 59,
    "transport/test_voxel_fractional_array.py": 41,
    "sweep/test_sweep.py": 37,
    "validation/test_voxel_skin_vessel.py": 32,
    "validation/test_healing_calibration.py": 30,
    "test_examples_smoke.py": 29,
    "test_examples_tightening.py": 28,
    "pipeline/test_ablative_defaults.py": 27,
    "planning/test_plan_readout.py": 25,
    "planning/test_dose_band_cost.py": 25,
    "pipeline/test_summary_dermal_grade.py": 25,
    "planning/test_outcome_dose_band.py": 24,
    "pipeline/test_nonlinear_outputs.py": 22,
    "web/test_routes.py": 21,
    "pipeline/test_dried_column_guard.py": 20,
    "damage/test_injury_dermal_uncertain.py": 20,
    "web/test_load.py": 19,
    "cli/test_cli.py": 19,
    "validation/test_dermal_histology.py": 18,
    "validation/test_collagen_contraction.py": 17,
}


def _long_files_first(items: list) -> None:
    """Reorder ``items`` in place: the files of :data:`LONG_FILES_S` first (longest first), then the others by their
    number of tests (most first, xdist's own order); a file's tests stay together and in their order."""
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(str(item.path), []).append(item)

    def cost(path: str) -> tuple[float, int]:
        return (-LONG_FILES_S.get(_relative(Path(path)) or "", 0), -len(files[path]))

    items[:] = [item for path in sorted(files, key=cost) for item in files[path]]


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = _private_reason(Path(str(item.path)))
        if reason is not None:
            item.add_marker(pytest.mark.private_transport_cache(reason=reason))
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the order the workers take the files in (a serial run keeps its own)
        _long_files_first(items)


def pytest_configure(config):
    """Under ``--dist loadfile`` (or ``loadscope``) xdist hands the files out in the workers' collection order
    (:func:`_long_files_first`) instead of sorting them by their number of tests (``--no-loadscope-reorder``,
    pytest-xdist >= 3.8; an older xdist sorts them by count, and this order only breaks its ties)."""
    if getattr(config.option, "dist", "no") in ("loadfile", "loadscope") and hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


#: Test files that run with the BLAS libraries' own thread count, and why (every other test runs with one BLAS thread:
#: :func:`_one_blas_thread`).
DEFAULT_BLAS_THREADS = {
    "planning/test_blas_threads.py": "compares one BLAS thread with the library's default thread count",
}


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread():
    """One BLAS thread in the test processes, as a plan runs (:func:`laserskin.planning.plan.plan_request`).

    Tests call the planner's and the healing model's functions directly (``plan_course``, ``_plan_device``, the
    outcome bands), outside ``plan_request``'s one-thread limit: their dense linear algebra is many tiny products
    (``scipy.linalg.expm`` of 11 x 11 parameter stacks), on which OpenBLAS's threads, spinning beside the other pytest
    worker and the numba kernels on a 2-core machine, cost ~10x the work (``plan_course`` of the QA10 forehead dose:
    10.8 CPU s with the default 2 threads, 0.97 with one; tests/healing with test_outcome_dose_band.py: 34.2 -> 21.2
    CPU s). The numbers do not change (OpenBLAS splits a product's output between threads, never a sum;
    tests/planning/test_blas_threads.py, which runs with the default count, :data:`DEFAULT_BLAS_THREADS`).
    Subprocesses (the command line, the web server, the documented examples) keep their own thread count.
    Returns the libraries' default counts (``{filepath: threads}``)."""
    import scipy.linalg  # noqa: F401  (load numpy's and scipy's BLAS libraries before limiting them)
    import scipy.sparse.linalg  # noqa: F401
    from threadpoolctl import threadpool_info, threadpool_limits

    defaults = {lib["filepath"]: lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}
    with threadpool_limits(limits=1, user_api="blas"):
        yield defaults


#: Largest budget of the heat solver's process-wide LU cache in the test processes (``FACTORIZATION_CACHE_BYTES``,
#: counted as SuperLU allocates; the library's default is 1.5 GiB, sized for the web server's jobs under an
#: address-space limit), where the machine's memory holds it (:func:`_test_lu_budget`); ``LASERSKIN_TEST_LU_CACHE_BYTES``
#: (bytes) sets it on any machine (the library's default: ``0``).
TEST_FACTORIZATION_CACHE_BYTES = 6 * 2**30
#: Peak resident memory of one ``make test`` worker besides its LU budget, rounded up: the largest worker of the
#: session-15 fresh clone peaked at 5.6 GB with the library's 1.5 GiB, session 16's at 10.6 GB with 6 GiB (~4.1 GiB
#: besides it, both on the 2-core machine).
TEST_WORKER_BASE_BYTES = int(4.5 * 2**30)
#: ``make test``'s workers (the Makefile's TEST_WORKERS) and the memory left to everything else.
TEST_WORKERS = 2
TEST_MEMORY_HEADROOM_BYTES = 2 * 2**30


def _memory_bytes() -> int | None:
    """The machine's memory (MemTotal), or the cgroup's ``memory.max`` where smaller; None where unreadable."""
    sizes = []
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            sizes += [int(line.split()[1]) << 10 for line in meminfo if line.startswith("MemTotal:")]
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as cap:
            if (text := cap.read().strip()) != "max":
                sizes.append(int(text))
    except (OSError, ValueError):
        pass
    return min(sizes) if sizes else None


def _test_lu_budget(default: int, memory: int | None = None) -> int:
    """The LU budget of a test process: what two workers at their peak leave of the machine's ``memory`` (default: this
    machine's, :func:`_memory_bytes`), at most :data:`TEST_FACTORIZATION_CACHE_BYTES` and never below the library's
    ``default`` (16 GiB: 2.5 GiB; 24 GiB: 6 GiB; 8 GiB: the default)."""
    given = os.environ.get("LASERSKIN_TEST_LU_CACHE_BYTES")
    if given is not None:
        return int(given) or default
    memory = _memory_bytes() if memory is None else memory
    if memory is None:
        return default
    fits = (memory - TEST_MEMORY_HEADROOM_BYTES) // TEST_WORKERS - TEST_WORKER_BASE_BYTES
    return int(max(default, min(TEST_FACTORIZATION_CACHE_BYTES, fits)))


@pytest.fixture(scope="session", autouse=True)
def _test_lu_cache_budget():
    """The heat solver's LU cache holds :data:`TEST_FACTORIZATION_CACHE_BYTES` in the test processes (session 16), on
    a machine with the memory for it (:func:`_test_lu_budget`).

    A cached factor is the one a fresh factorisation of the same matrix gives (SuperLU is deterministic; keyed on the
    matrix's exact contents, :func:`laserskin.thermal.solver.factorise`; tests/thermal/test_factorization_cache.py),
    so no number a test reads changes, only the work: the planner tests plan the same person and device for several
    seeds, and every seed solves heat on the same matrices (the medium, the cooling and the step ladder do not depend
    on the light), which the default 1.5 GiB (~40 factors on the planning grid) evicted between the devices and seeds.
    Measured on the 2-core machine (busy: CPU s): 20 M type VI abdomen, smoothbeam_1450 + cooltouch_1320, seeds 1 and
    2 in one process, 614 -> 307 factorisations, 87.6 -> 73.8 CPU s (8 GiB), peak resident memory 2.18 -> 2.51 GB;
    test_noise_rules_abdomen.py (five seeds, three devices) 368.6 -> 295.0 CPU s with the planner's set-up runs memo,
    peak resident 4.71 -> 5.98 GB; test_plan_trust.py 203.7 -> 167.9 CPU s, 3.24 -> 3.38 GB (SuperLU allocates a factor's first guess, ~36 MB on the planning grid, and writes a
    fraction of it; the address space, no limit here, grows by the budget). Tests of the cache's budget set their own
    (``monkeypatch``); subprocesses (the command line, the examples) keep the library's default."""
    from laserskin.thermal import solver

    default = solver.FACTORIZATION_CACHE_BYTES
    solver.FACTORIZATION_CACHE_BYTES = _test_lu_budget(default)
    yield
    solver.FACTORIZATION_CACHE_BYTES = default


@pytest.fixture(autouse=True)
def _default_blas_threads(request, _one_blas_thread):
    """The BLAS libraries' own thread count for the tests of :data:`DEFAULT_BLAS_THREADS`."""
    relative = _relative(Path(str(request.node.path)))
    if relative not in DEFAULT_BLAS_THREADS or not _one_blas_thread:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=max(_one_blas_thread.values()), user_api="blas"):
        yield


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
