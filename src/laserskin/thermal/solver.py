"""Pennes bioheat equation on the shared axisymmetric r–z grid, implicit and adaptive in time.

Model (Pennes 1948, J Appl Physiol 1:93)::

    ρc ∂T/∂t = ∇·(k ∇T) − ω_b ρ_b c_b (T − T_a) + S(r, z) P(t)

with S the absorbed energy density per joule of incident pulse energy (1/m³, the
light-transport tally on the same grid) and P(t) the pulse power (W).

Boundaries
----------
* surface z = 0: convection to the cooling medium, flux out = h(t) (T_surface − T_medium(t)),
  with the surface temperature on the cell face (a half-cell conduction resistance in series
  with 1/h), for every cooling kind (resting room air, cold air, contact window, cryogen);
* deep boundary z = z_max: core temperature (Dirichlet, on the cell face);
* outer radius r = r_max: insulated (the grid must be wide enough; see
  :attr:`HeatResult.outer_edge_rise_fraction`); the axis r = 0 is a symmetry line.

Discretisation
--------------
Cell-centred finite volumes (second order in space on smooth grids), conductivity between
cells as the harmonic mean (series resistances) so layer jumps conserve flux. Time stepping
is TR-BDF2 with γ = 2 − √2 (Bank et al. 1985; Hosea & Shampine 1996): second order,
L-stable (no ringing after a pulse switches off), and both stages use the same matrix
M + (γ/2) Δt L, which is factorised once per distinct (Δt, h) with SuperLU and cached.
Steps land exactly on every breakpoint of the power, h and medium-temperature schedules
(and on the requested storage times), are uniform and at least ``steps_per_pulse`` per
pulse while the laser is on, and after each change restart small and double every
``steps_per_level`` steps (fine during pulses and cooling spurts, coarse in relaxation).

Energy is conserved by the discrete scheme: the ledger of :class:`EnergyLedger` integrates
every boundary and perfusion flux with the same stage weights as the scheme, so
deposited = stored change + losses up to the linear-solver round-off.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import threading
import time as _time
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from laserskin.core.callbacks import Callback
from laserskin.core.citations import cite
from laserskin.core.constants import ROOM_TEMPERATURE_K
from laserskin.core.errors import InputError
from laserskin.thermal.boundary import RESTING_H_W_PER_M2K, SurfaceBoundary
from laserskin.thermal.medium import ThermalMedium, _per_cell
from laserskin.thermal.operator import Operator
from laserskin.thermal.result import EnergyLedger, HeatResult
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.stepping import D_STAGE as _D
from laserskin.thermal.stepping import W_STAGE as _W
from laserskin.thermal.stepping import merge_close as _merge_close
from laserskin.thermal.stepping import plan_steps as _plan_steps
from laserskin.thermal.stepping import pulse_runs as _pulse_runs

__all__ = [
    "clear_factorization_cache",
    "factor_bytes",
    "factorise",
    "solve_bioheat",
    "solve_bioheat_runs",
    "steady_state_temperature",
]

#: Memory the process-wide cache of LU factors may hold (least recently used evicted first), bytes, counted
#: as SuperLU allocates it (:func:`factor_bytes`): ~36 MB a factor on the planning grid (~10 000 cells), ~90 MB
#: on a fractional device's default grid (25 000), of which only the filled ~1/9 is resident. The default plan
#: (52 F type IV cheek, 2-core machine) factorises 220 distinct operators (8.9 GB if all were kept), a device's
#: heat solves walking the same ladder of ~25-30 step sizes again and again. One device at a time (the web's
#: jobs) 1.5 GiB keeps that ladder: 275 factorisations (512 MiB: 438, 1 GiB: 367-429, 2 GiB: 274) and a peak address
#: space of 4.7-5.7 GB, where the old count (nonzeros × 12 B, 6-15× too few bytes, under 512 MiB: ~4 GB of
#: factors really held) made 220 and peaked at 7.4-7.5 GB. Three devices side by side (the CLI) make 375 (228):
#: ~1.8 CPU s more of ~25-29 (~12 ms a factorisation), peak 5.8-7.0 GB (9.0-9.4 GB). docs/design.md.
FACTORIZATION_CACHE_BYTES = 1536 * 2**20
#: SuperLU's first guess of a factor's fill (``sp_ienv(6)`` in SciPy's copy of SuperLU): it allocates the
#: arrays of L and U for this many times the matrix's nonzeros, and grows an array by half
#: (:data:`_SUPERLU_EXPAND`) whenever the factor needs more.
SUPERLU_FILL_RATIO = 30
_SUPERLU_EXPAND = 1.5
_lu_cache: OrderedDict[bytes, tuple[Any, int]] = OrderedDict()
_lu_cache_bytes = 0
_lu_lock = threading.Lock()

# SciPy's SuperLU frees a factor's memory only on the thread that allocated it: its allocation
# tracker is thread-local, and a factor freed on another thread (or after its thread ended) is never
# returned to the allocator (scipy/scipy#15921, open in SciPy 1.17). The planner factorises on its
# worker threads and the LRU cache evicts on whichever thread inserts, so every factor is made and
# freed on one long-lived thread, the owner below; callers hold an _OwnedFactor, a handle.
_owner: ThreadPoolExecutor | None = None
_owner_pid = 0
_owner_lock = threading.Lock()
_owned: dict[int, Any] = {}  # handle id → SuperLU; entries are added and removed on the owner thread only
_owned_ids = itertools.count()
_dropped: deque[int] = deque()  # ids of factors whose handles were dropped, to be freed on the owner thread


def _owner_thread() -> ThreadPoolExecutor:
    """The single thread that creates and frees every SuperLU factor (a new one after a fork)."""
    global _owner, _owner_pid
    with _owner_lock:
        if _owner is None or _owner_pid != os.getpid():
            _owner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="laserskin-lu")
            _owner_pid = os.getpid()
        return _owner


def _splu_owned(a: sp.csc_matrix) -> int:
    """(On the owner thread.) Free the factors whose handles were dropped; factorise ``a`` and keep
    the factor under a new id."""
    _release_dropped()
    ident = next(_owned_ids)
    _owned[ident] = splu(a, permc_spec="MMD_AT_PLUS_A")
    return ident


def _release_dropped() -> None:
    """(On the owner thread.) Drop the factors whose handles were dropped: SuperLU frees their memory here."""
    while _dropped:
        _owned.pop(_dropped.popleft(), None)


class _OwnedFactor:
    """Handle of a SuperLU factor kept on the owner thread: ``solve`` like SuperLU's; freed with the handle."""

    __slots__ = ("_id", "nnz", "shape", "__weakref__")

    def __init__(self, ident: int) -> None:
        self._id = ident
        lu = _owned[ident]
        self.nnz = int(lu.nnz)
        self.shape = lu.shape

    def solve(self, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
        return _owned[self._id].solve(rhs, trans)

    def __del__(self) -> None:
        # no locks here (a collection may run this inside a lock): the owner thread frees the
        # factor before its next factorisation, or when the cache is cleared
        _dropped.append(self._id)


def factor_bytes(n: int, matrix_nnz: int, factor_nnz: int) -> int:
    """Bytes SciPy's SuperLU keeps allocated for the factor of an n × n matrix, from its counts alone.

    SuperLU (``dLUMemInit``, SciPy's copy; Li 2005, ACM TOMS 31:302) allocates the supernodal L values
    (``lusup``, 8 B an entry), U values (``ucol``, 8 B), L row indices (``lsub``, 4 B) and U row indices
    (``usub``, 4 B) for :data:`SUPERLU_FILL_RATIO` × ``matrix_nnz`` entries each before it factorises, and
    keeps them, filled or not, with the factor; an array that runs out grows by half (the old one freed).
    Add the column pointers and supernode maps (five int arrays of n + 1) and the two permutations (n ints
    each): 720 B per nonzero of the matrix and 28 B per row, as measured. While ``factor_nnz`` (SuperLU's
    ``nnz``, L's and U's nonzeros together: at least what ``lusup`` or ``ucol`` holds) fits the first guess
    no array grew, and the count is exact (every factor of the heat operators: fill 6-9;
    tests/thermal/test_solver_memory.py checks it against glibc's ``mallinfo2`` within 1 %: 0.02-0.2 %);
    beyond it this is an upper bound (every array taken to hold ``factor_nnz``).

    The resident part is smaller: only the filled pages are touched (~``factor_nnz`` × 12 B), but the
    whole allocation counts against an address-space limit (``RLIMIT_AS``, the web server's jobs).
    """
    entries = SUPERLU_FILL_RATIO * matrix_nnz
    if factor_nnz > entries:
        grown = math.ceil(math.log(factor_nnz / entries) / math.log(_SUPERLU_EXPAND) - 1e-9)
        entries = int(entries * _SUPERLU_EXPAND**grown)
    return (8 + 8 + 4 + 4) * entries + 4 * (5 * (n + 1) + 2 * n)


def _live_factors() -> int:
    """Number of SuperLU factors alive (cached or still held by a caller)."""
    return len(_owned)


def clear_factorization_cache() -> None:
    """Drop every LU factor kept by the process-wide cache of :func:`factorise`."""
    global _lu_cache_bytes
    with _lu_lock:
        _lu_cache.clear()
        _lu_cache_bytes = 0
    _owner_thread().submit(_release_dropped).result()


def factorise(matrix: sp.spmatrix) -> tuple[Any, bool]:
    """SuperLU factor of ``matrix`` (MMD on AᵀA + A) and whether it was computed (False: cached).

    The planner solves the same operators many times over (the run without the laser is the
    same for every optical set-up; pulse trains of equal duration share their step ladder), so
    factors are kept in a process-wide LRU cache keyed by the matrix's exact contents (shape,
    structure and values, hashed with BLAKE2b): a cached factor is the one a fresh factorisation
    of the same matrix gives (SuperLU is deterministic), so results do not change.
    """
    global _lu_cache_bytes
    a = matrix.tocsc()
    a.sort_indices()
    digest = hashlib.blake2b(digest_size=32)
    digest.update(np.asarray(a.shape, dtype=np.int64).tobytes())
    for part in (a.indptr, a.indices, a.data):
        digest.update(np.ascontiguousarray(part).tobytes())
    key = digest.digest()
    with _lu_lock:
        hit = _lu_cache.get(key)
        if hit is not None:
            _lu_cache.move_to_end(key)
            return hit[0], False
    lu = _OwnedFactor(_owner_thread().submit(_splu_owned, a).result())
    size = factor_bytes(a.shape[0], a.nnz, lu.nnz)
    with _lu_lock:
        if key not in _lu_cache and size <= FACTORIZATION_CACHE_BYTES:
            _lu_cache[key] = (lu, size)
            _lu_cache_bytes += size
            while _lu_cache_bytes > FACTORIZATION_CACHE_BYTES:
                _, (_, dropped) = _lu_cache.popitem(last=False)
                _lu_cache_bytes -= dropped
    return lu, True


def steady_state_temperature(
    medium: ThermalMedium,
    surface_h_W_per_m2K: float = RESTING_H_W_PER_M2K,
    surface_temperature_K: float = ROOM_TEMPERATURE_K,
) -> np.ndarray:
    """Steady Pennes temperature with no laser: convection to a medium at the surface, core below.

    Solves ∇·(k∇T) − ω_b ρ_b c_b (T − T_a) = 0 with −k ∂T/∂z = h (T_medium − T) at z = 0,
    T = T_core at z_max and an insulated outer radius — the same discrete operator the
    transient solver uses, so the resting state does not drift. With laterally uniform
    properties the result is the 1-D depth profile broadcast over r. With the default
    resting boundary (10 W m⁻² K⁻¹, 25 °C) and a domain reaching ≳ 1 cm into perfused
    tissue, the surface sits near 33–34 °C (Jiang et al. 2002); a shallower domain with
    the deep boundary at 37 °C gives a warmer surface.

    Parameters
    ----------
    medium : ThermalMedium
    surface_h_W_per_m2K : float
        Heat-transfer coefficient at the surface, W m⁻² K⁻¹ (default 10).
    surface_temperature_K : float
        Temperature of the air (or medium) above the surface, K (default 25 °C).

    Returns
    -------
    ndarray, shape (nr, nz)
        Temperature in K.
    """
    cite("pennes1948")
    op = Operator(medium)
    return _steady(op, medium, surface_h_W_per_m2K, surface_temperature_K)[0].reshape(op.nr, op.nz)


def _steady(op: Operator, medium: ThermalMedium, h: float, medium_K: float) -> tuple[np.ndarray, bool]:
    """Steady temperature (flat) and whether its factorisation was computed (False: cached)."""
    if h < 0 or not math.isfinite(h):
        raise InputError("surface_h_W_per_m2K", h, ">= 0 W/(m^2*K) and finite")
    rhs = (
        op.surface_full(h) * medium_K
        + op.deep_W_per_K * medium.core_temperature_K
        + op.perfusion_W_per_K * medium.arterial_temperature_K
    )
    lu, computed = factorise(op.matrix(h))
    return lu.solve(rhs), computed


# ---------------------------------------------------------------------------------------
# the solver
# ---------------------------------------------------------------------------------------
def solve_bioheat(
    medium: ThermalMedium,
    source_per_J: np.ndarray | None,
    power: Schedule,
    surface: SurfaceBoundary,
    t_end_s: float,
    *,
    initial_temperature_K: float | np.ndarray | None = None,
    probes: Sequence[tuple[float, float]] = (),
    store_times_s: Sequence[float] = (),
    observers: Iterable[Any] = (),
    max_step_s: float | None = None,
    first_step_s: float | None = None,
    steps_per_pulse: int = 20,
    steps_per_level: int = 3,
    progress: Callback | None = None,
    factorizations: dict | None = None,
) -> HeatResult:
    """Solve the Pennes bioheat equation from t = 0 to ``t_end_s`` (Pennes 1948).

    Parameters
    ----------
    medium : ThermalMedium
        Per-cell properties on the shared grid.
    source_per_J : ndarray, shape (nr, nz), or None
        Absorbed energy density per joule of incident pulse energy, 1/m³ (the transport
        tally on the same grid); ``None`` for no laser. The heat source is
        ``source_per_J * P(t)`` in W/m³.
    power : Schedule
        Pulse power P(t) in W (>= 0), e.g. :meth:`Schedule.pulse_train`.
    surface : SurfaceBoundary
        h(t) in W m⁻² K⁻¹ and medium temperature T(t) in K at z = 0
        (see :meth:`laserskin.thermal.cooling.Cooling.surface_boundary`).
    t_end_s : float
        End of the simulation, s (> 0).
    initial_temperature_K : float or ndarray, optional
        Initial field in K (scalar, (nz,) or (nr, nz)); ``None`` = steady state with the
        resting surface boundary (:func:`steady_state_temperature`).
    probes : sequence of (r_m, z_m)
        Points whose temperature is recorded at every step: the value of the cell that holds
        the point, or the surface-face temperature for z = 0.
    store_times_s : sequence of float
        Times in [0, t_end_s] at which the full field is stored (steps land on them).
    observers : iterable
        Objects with ``on_step(time_s, dt_s, temperature_old_K, temperature_new_K)``, called
        after every step with the step's end time (s), its size (s) and read-only (nr, nz)
        fields in K (e.g. the Arrhenius damage integrator).
    max_step_s : float, optional
        Largest step in s; must resolve every pulse (<= a tenth of the shortest pulse).
    first_step_s : float, optional
        Step after each change of the schedules (default: the pulse step, at most 100 µs).
    steps_per_pulse : int
        Uniform steps per pulse (>= 10, default 20).
    steps_per_level : int
        Steps taken at each step size before doubling in relaxation (>= 1, default 3: the
        step grows by 2^(1/3) ≈ 1.26 per step on average).
    progress : object, optional
        Progress sink with ``on_start(stage, total, unit)``, ``on_progress(stage, done,
        elapsed_s)`` and ``on_end(stage, elapsed_s)``; stage ``"heat"``, unit ``"s"`` of
        simulated time.
    factorizations : dict, optional
        Cache of LU factorisations shared between calls on the same ``medium`` (e.g. runs
        with and without the laser, or several pulse trains): pass the same empty dict to
        each call. A dict that was used with another medium is refused. Factors not in it are
        taken from a process-wide cache keyed by the matrix's contents when the same operator
        was factorised before (see :func:`factorise`; ``HeatResult.n_factorizations`` counts
        only those computed by this call).

    Returns
    -------
    HeatResult

    Raises
    ------
    InputError
        On a source whose shape does not match the grid, negative power or source,
        a step that would not resolve the pulse, probes or storage times outside the domain.
    """
    return solve_bioheat_runs(
        medium,
        [source_per_J],
        power,
        surface,
        t_end_s,
        initial_temperature_K=initial_temperature_K,
        probes=probes,
        store_times_s=store_times_s,
        observers=[observers],
        max_step_s=max_step_s,
        first_step_s=first_step_s,
        steps_per_pulse=steps_per_pulse,
        steps_per_level=steps_per_level,
        progress=progress,
        factorizations=factorizations,
    )[0]


def solve_bioheat_runs(
    medium: ThermalMedium,
    sources_per_J: Sequence[np.ndarray | None],
    power: Schedule,
    surface: SurfaceBoundary,
    t_end_s: float,
    *,
    initial_temperature_K: float | np.ndarray | None = None,
    probes: Sequence[tuple[float, float]] = (),
    store_times_s: Sequence[float] = (),
    observers: Sequence[Iterable[Any]] | None = None,
    max_step_s: float | None = None,
    first_step_s: float | None = None,
    steps_per_pulse: int = 20,
    steps_per_level: int = 3,
    progress: Callback | None = None,
    factorizations: dict | None = None,
) -> list[HeatResult]:
    """:func:`solve_bioheat` for several sources at once: one :class:`HeatResult` per entry of ``sources_per_J``.

    The runs share the medium, schedules, probes, storage times and therefore every step and LU factor; each
    step's two TR-BDF2 systems are solved for every run with that step's factor (one SuperLU call per run: a call
    with several right-hand sides rounds differently on some CPUs, :func:`_solve_columns`). Each column is solved with
    the same arithmetic as a single right-hand side, so every result is bit for bit what :func:`solve_bioheat`
    gives for its source (tests/thermal/test_factorization_cache.py). The linear pipeline solves its runs with and
    without the laser this way (:func:`laserskin.pipeline.stages.thermal_response`).

    ``observers``: one iterable of observers per run (``None``: none); the other parameters are those of
    :func:`solve_bioheat`, and ``progress`` reports the simulated time once for all runs.
    """
    cite("pennes1948", "bank1985trbdf2", "hosea1996trbdf2")
    clock = _time.perf_counter()
    grid = medium.grid
    nr, nz = grid.nr, grid.nz
    if not (isinstance(t_end_s, (int, float)) and math.isfinite(t_end_s) and t_end_s > 0):
        raise InputError("t_end_s", t_end_s, "a finite time > 0 s")
    t_end = float(t_end_s)
    if not isinstance(power, Schedule):
        raise InputError("power", type(power).__name__, "a Schedule of power in W")
    if not isinstance(surface, SurfaceBoundary):
        raise InputError("surface", type(surface).__name__, "a SurfaceBoundary")
    if not sources_per_J:
        raise InputError("sources_per_J", "no source", "one source (or None) per run")
    sources = [_source_vector(source_per_J, nr, nz) for source_per_J in sources_per_J]
    observer_lists = [list(obs) for obs in observers] if observers is not None else [[] for _ in sources]
    if len(observer_lists) != len(sources):
        raise InputError("observers", f"{len(observer_lists)} lists", f"one list per source ({len(sources)})")
    for obs in itertools.chain.from_iterable(observer_lists):
        if not callable(getattr(obs, "on_step", None)):
            raise InputError(
                "observers",
                type(obs).__name__,
                "objects with an on_step(time_s, dt_s, T_old, T_new) method",
            )
    if not (isinstance(steps_per_pulse, int) and steps_per_pulse >= 10):
        raise InputError("steps_per_pulse", steps_per_pulse, "an integer >= 10")
    if not (isinstance(steps_per_level, int) and steps_per_level >= 1):
        raise InputError("steps_per_level", steps_per_level, "an integer >= 1")

    runs = _pulse_runs(power, t_end)
    shortest_pulse = min((b - a for a, b in runs), default=math.inf)
    if max_step_s is not None:
        if not (math.isfinite(max_step_s) and max_step_s > 0):
            raise InputError("max_step_s", max_step_s, "a finite step > 0 s")
        if max_step_s > shortest_pulse / 10.0 * (1 + 1e-12):
            raise InputError(
                "max_step_s",
                max_step_s,
                f"<= {shortest_pulse / 10.0:.6g} s (a tenth of the shortest pulse, {shortest_pulse:.6g} s)",
            )
    max_step = math.inf if max_step_s is None else float(max_step_s)
    pulse_dt = min((b - a) / steps_per_pulse for a, b in runs) if runs else math.inf
    if first_step_s is None:
        first_step = min(pulse_dt, 1e-4, max_step, t_end / 10.0)
    else:
        if not (math.isfinite(first_step_s) and first_step_s > 0):
            raise InputError("first_step_s", first_step_s, "a finite step > 0 s")
        first_step = min(float(first_step_s), max_step)

    store = np.asarray(sorted({float(t) for t in store_times_s}), dtype=float)
    if store.size and (store[0] < 0 or store[-1] > t_end):
        raise InputError("store_times_s", store.tolist(), f"times within [0, {t_end:g}] s")

    probe_points = np.asarray(probes, dtype=float).reshape(-1, 2)
    probe_cells = np.zeros((probe_points.shape[0], 2), dtype=int)
    for n, (r, z) in enumerate(probe_points):
        if not (0 <= r <= grid.r_max_m and 0 <= z <= grid.z_max_m):
            raise InputError(
                "probes",
                (r, z),
                f"points with 0 <= r <= {grid.r_max_m:g} m and 0 <= z <= {grid.z_max_m:g} m",
            )
        i_r = min(int(np.searchsorted(grid.r_edges_m, r, side="right")) - 1, nr - 1)
        i_z = -1 if z == 0 else min(int(np.searchsorted(grid.z_edges_m, z, side="right")) - 1, nz - 1)
        probe_cells[n] = (i_r, i_z)
    probe_flat_depth = [(i_r * nz + max(i_z, 0), i_r, i_z) for i_r, i_z in probe_cells]

    op = Operator(medium)
    n_factorizations = 0
    if initial_temperature_K is None:
        resting_h, resting_K = surface.resting_h_W_per_m2K, surface.resting_temperature_K
        assert resting_h is not None and resting_K is not None  # SurfaceBoundary.__post_init__ fills both
        temperature, computed = _steady(op, medium, resting_h, resting_K)
        n_factorizations += computed
    else:
        temperature = _per_cell(initial_temperature_K, (nr, nz), "initial_temperature_K").ravel()
        if np.any(temperature <= 0):
            raise InputError("initial_temperature_K", float(temperature.min()), "> 0 K")
    temperature.setflags(write=False)
    initial = temperature

    # --- step plan ---------------------------------------------------------------------
    schedules = (power, surface.h_W_per_m2K, surface.medium_temperature_K)

    def inside(ts):
        return [float(t) for t in ts if 0.0 < t < t_end]

    landings = _merge_close(
        np.unique(
            np.array(
                [t_end] + [t for s in schedules for t in inside(s.breakpoints_s)] + [t for t in store if t > 0],
                dtype=float,
            )
        ),
        t_end,
    )
    resets = {float(landings[np.argmin(np.abs(landings - t))]) for s in schedules for t in inside(s.change_points())}
    plan = _plan_steps(
        t_end,
        landings,
        resets,
        power,
        runs,
        steps_per_pulse,
        first_step,
        max_step,
        steps_per_level,
    )

    # --- bookkeeping ---------------------------------------------------------------------
    capacity = op.capacity_J_per_K
    field0 = initial.reshape(nr, nz)
    tracks = [
        _RunTrack(op, medium, source, observers_of_run, len(plan), probe_flat_depth, store, field0)
        for source, observers_of_run in zip(sources, observer_lists, strict=True)
    ]
    for track in tracks:
        track.record_probes(0, initial, surface.resting_h_W_per_m2K, surface.resting_temperature_K)
    deep_rhs = op.deep_W_per_K * medium.core_temperature_K
    perf_rhs = op.perfusion_W_per_K * medium.arterial_temperature_K
    factors: dict[Any, Any] = {} if factorizations is None else factorizations
    if factors.setdefault("medium", medium) is not medium:
        raise InputError(
            "factorizations",
            "a cache of another medium",
            "a dict used only with this medium",
        )
    times = np.empty(len(plan) + 1)
    times[0] = 0.0
    step_sizes = np.empty(len(plan))

    if progress is not None:
        progress.on_start("heat", t_end, "s")
    last_report = 0.0
    temperatures = [initial] * len(tracks)

    for n_step, (t0, t1) in enumerate(plan, start=1):
        dt_exact = t1 - t0
        dt = float(f"{dt_exact:.12e}")
        p = power.value_on(t0, t1)
        h = surface.h_W_per_m2K.value_on(t0, t1)
        medium_K = surface.medium_temperature_K.value_on(t0, t1)
        key = (dt, h)
        lu = factors.get(key)
        L = op.matrix(h)
        if lu is None:
            lu, computed = factorise(L * (_D * dt) + sp.diags(capacity))
            factors[key] = lu
            n_factorizations += computed
        g_surf = op.surface_full(h)
        g_rest = g_surf * medium_K + deep_rhs + perf_rhs
        gs = [p * track.source_power_per_W + g_rest for track in tracks]

        f1s = [g - L @ temperature for g, temperature in zip(gs, temperatures, strict=True)]
        y2s = _solve_columns(
            lu, [capacity * T + (_D * dt) * (f1 + g) for T, f1, g in zip(temperatures, f1s, gs, strict=True)]
        )
        f2s = [g - L @ y2 for g, y2 in zip(gs, y2s, strict=True)]
        y3s = _solve_columns(
            lu,
            [
                capacity * T + dt * (_W * (f1 + f2) + _D * g)
                for T, f1, f2, g in zip(temperatures, f1s, f2s, gs, strict=True)
            ],
        )
        times[n_step] = t1
        step_sizes[n_step - 1] = dt
        for track, temperature, y2, y3 in zip(tracks, temperatures, y2s, y3s, strict=True):
            track.after_step(n_step, t0, t1, dt, dt_exact, p, h, medium_K, g_surf, temperature, y2, y3)
        temperatures = y3s
        if progress is not None and (t1 - last_report >= 0.01 * t_end or n_step == len(plan)):
            progress.on_progress("heat", t1, _time.perf_counter() - clock)
            last_report = t1

    if progress is not None:
        progress.on_end("heat", _time.perf_counter() - clock)
    return [
        track.result(grid, times, probe_points, probe_cells, initial, temperature, n_factorizations, step_sizes)
        for track, temperature in zip(tracks, temperatures, strict=True)
    ]


def _source_vector(source_per_J: np.ndarray | None, nr: int, nz: int) -> np.ndarray:
    """A run's source map, checked, as a flat copy (zeros for ``None``: no laser)."""
    if source_per_J is None:
        return np.zeros(nr * nz)
    source_arr = np.asarray(source_per_J, dtype=np.float64)
    if source_arr.shape != (nr, nz):
        raise InputError(
            "source_per_J",
            f"shape {source_arr.shape}",
            f"shape {(nr, nz)} (the grid's nr, nz)",
        )
    if not np.all(np.isfinite(source_arr)) or np.any(source_arr < 0):
        raise InputError(
            "source_per_J",
            "negative or non-finite values",
            "finite values >= 0 1/m^3",
        )
    return source_arr.ravel().copy()


def _solve_columns(lu: Any, right_hand_sides: list[np.ndarray]) -> list[np.ndarray]:
    """``[lu.solve(b) for b in right_hand_sides]``: one SuperLU call per column, never one call with several.

    SuperLU solves a single right-hand side with BLAS's ``dtrsv``/``dgemv`` and several with ``dtrsm``/``dgemm``,
    whose rounding differs (OpenBLAS picks its kernels by CPU at run time: the same on session 18's machine, ~1e-14
    apart on an AVX-512 EPYC). A column's result would then depend on whether another run was solved beside it
    (the cached run without the laser, the other device's runs), so a result would depend on the process's history;
    one column per call keeps every run bit for bit what :func:`solve_bioheat` gives alone, on any CPU."""
    return [lu.solve(rhs) for rhs in right_hand_sides]


class _RunTrack:
    """What one run of :func:`solve_bioheat_runs` records as it steps: probes, stored fields, peaks, the energy
    ledger (with the scheme's stage weights: an exact discrete balance) and the edge-rise check."""

    def __init__(self, op, medium, source, observers, n_steps, probe_flat_depth, store, field0) -> None:
        self.op = op
        self.core_K, self.arterial_K = medium.core_temperature_K, medium.arterial_temperature_K
        self.observers = observers
        self.probe_flat_depth = probe_flat_depth
        self.store = store
        self.probe_T = np.empty((len(probe_flat_depth), n_steps + 1))
        self.stored: dict[float, np.ndarray] = {}
        if store.size and store[0] == 0.0:
            self.stored[0.0] = field0.copy()
        initial = field0.ravel()
        self.initial = initial
        self.peak = initial.copy()
        self.peak_time = np.zeros(op.n)
        self.global_peak = float(initial.max())
        self.global_peak_time = 0.0
        self.global_peak_field = initial
        nr, nz = field0.shape
        self.outer = slice((nr - 1) * nz, nr * nz)
        self.shape = (nr, nz)
        self.max_change = 0.0
        self.max_outer_change = 0.0
        self.deposited = self.surface_loss = self.deep_loss = self.perfusion_loss = 0.0
        self.source_power_per_W = source * op.volume_m3  # W per cell per W of laser power
        self.source_total_per_W = float(self.source_power_per_W.sum())

    def record_probes(self, col, vec, h, medium_K) -> None:
        for p, (flat, _i_r, i_z) in enumerate(self.probe_flat_depth):
            if i_z == -1:
                self.probe_T[p, col] = self.op.face_temperature(np.array([vec[flat]]), h, medium_K)[0]
            else:
                self.probe_T[p, col] = vec[flat]

    def after_step(self, n_step, t0, t1, dt, dt_exact, p, h, medium_K, g_surf, temperature, y2, y3) -> None:
        op = self.op
        T_core, T_art = self.core_K, self.arterial_K
        # elementwise sums, not BLAS dot products, which start threads and crawl on a busy shared machine
        for weight, y in ((_W, temperature), (_W, y2), (_D, y3)):
            self.surface_loss += dt * weight * float((g_surf * (y - medium_K)).sum())
            self.deep_loss += dt * weight * float((op.deep_W_per_K * (y - T_core)).sum())
            self.perfusion_loss += dt * weight * float((op.perfusion_W_per_K * (y - T_art)).sum())
        self.deposited += dt * p * self.source_total_per_W

        y3.setflags(write=False)
        self.record_probes(n_step, y3, h, medium_K)
        hotter = y3 > self.peak
        if np.any(hotter):
            self.peak = np.where(hotter, y3, self.peak)
            self.peak_time = np.where(hotter, t1, self.peak_time)
        y_max = float(y3.max())
        if y_max > self.global_peak:
            self.global_peak, self.global_peak_time, self.global_peak_field = y_max, t1, y3
        change = np.abs(y3 - self.initial)
        self.max_change = max(self.max_change, float(change.max()))
        self.max_outer_change = max(self.max_outer_change, float(change[self.outer].max()))
        if t1 in self.store:
            self.stored[t1] = y3.reshape(self.shape).copy()
        old_field, new_field = temperature.reshape(self.shape), y3.reshape(self.shape)
        for obs in self.observers:
            obs.on_step(t1, dt_exact, old_field, new_field)

    def result(self, grid, times, probe_points, probe_cells, initial, temperature, n_factorizations, step_sizes):
        shape = self.shape
        capacity = self.op.capacity_J_per_K
        stored_change = float((capacity * (temperature - initial)).sum())
        ledger = EnergyLedger(self.deposited, stored_change, self.surface_loss, self.deep_loss, self.perfusion_loss)
        stored_times = np.array(sorted(self.stored))
        stored_fields = np.stack([self.stored[t] for t in stored_times]) if stored_times.size else np.empty((0, *shape))
        return HeatResult(
            grid=grid,
            times_s=times,
            probe_points_m=probe_points,
            probe_cells=probe_cells,
            probe_temperatures_K=self.probe_T,
            stored_times_s=stored_times,
            stored_temperatures_K=stored_fields,
            initial_temperature_K=initial.reshape(shape).copy(),
            final_temperature_K=temperature.reshape(shape).copy(),
            peak_temperature_K=self.peak.reshape(shape).copy(),
            peak_time_s=self.peak_time.reshape(shape).copy(),
            global_peak_temperature_K=self.global_peak,
            global_peak_time_s=self.global_peak_time,
            global_peak_field_K=np.asarray(self.global_peak_field).reshape(shape).copy(),
            energy=ledger,
            n_steps=len(step_sizes),
            n_factorizations=n_factorizations,
            outer_edge_rise_fraction=(self.max_outer_change / self.max_change) if self.max_change > 0 else 0.0,
            step_sizes_s=step_sizes,
        )
