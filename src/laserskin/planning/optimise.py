"""Settings optimisation under safety limits, exploiting the linearity of transport and heat.

For each candidate device the planner runs **one transport** per optical set-up (cached on
disk) and **two heat solves** per (pulse duration, cooling) combination
(:meth:`Simulation.thermal_response`: cooling only, cooling + laser). The temperature at any
pulse energy is then ``T = T_base + E·θ`` (:mod:`laserskin.pipeline.response`), so fluence is a 1-D
bisection on cheap read-outs of that history, without re-solving:

* **epidermal safety**: the pulse fluence is at most ``max_fraction_of_blister`` (default
  0.85, contraindications.toml ``[safety]``) of the *lower* end of the blister fluence band.
  The blister fluence is where the basal-layer Henriques Ω (Henriques & Moritz 1947) summed
  over the passes reaches 1 (transepidermal necrosis); its band comes from Monte Carlo noise
  and parameter uncertainty (:mod:`laserskin.planning.uncertainty`). (The former rule,
  Ω_basal ≤ 0.5, looked like a factor-2 margin but Ω rises about threefold per 1 % of fluence,
  so it sat at ~98 % of the blister fluence.) Boiling does not exclude a fluence: as in the
  pipeline (:func:`laserskin.pipeline.ablative.apply_thermal_model_rule`), where the linear
  read-out at the chosen fluence reaches the onset of vaporisation the setting is re-run with
  the non-linear (enthalpy) model and its read-outs are reported (``thermal_model``);
  fractional and ablative devices are planned at their preset setting by one
  :meth:`Simulation.run`, which applies the same rule;
* **pain**: pain index with the anaesthetic ≤ ``pain_index_limit`` = 6 / 10 (U);
* **dermal remodelling target**: on the beam axis, a dermal band of thermal injury —
  Ω of the target Arrhenius set (Henriques & Moritz 1947, the skin cell-death integral, by
  default) summed over the passes ≥ 1 — at least ``min_band_um`` thick
  (contraindications.toml ``[target]``, U), and thinner than ``max_dermis_fraction`` (75 %) of the dermis: a band
  through more is a full-thickness dermal burn (physics_data §4.1; the "full thickness" grade of
  :func:`laserskin.damage.injury.classify_dermal_injury`), so a fluence that makes one is a safety violation
  (:meth:`FastEvaluator.full_thickness`; QA5 #26), not "target reached". This is the histological endpoint of
  non-ablative dermal remodelling (a zone of dermal thermal injury under an intact, cooled
  epidermis, heated to ~60–70 °C; physics_data.md §4.4) that starts the wound response of
  :mod:`laserskin.healing`. Collagen denaturation proper (Pearce 2010 set) needs far
  longer or hotter exposures than millisecond pulses give and is reported, not targeted.

Passes: the default pass interval is the time to treat the whole area (minutes), far
longer than the thermal relaxation of the heated dermis (~1 s), so passes are thermally
independent and their Arrhenius integrals add: Ω(n passes) = n·Ω(1 pass). The planner uses
this instead of solving n passes (the verification test re-runs :class:`Simulation` with the
planned protocol).

Chosen fluence: the highest safe fluence in the device range — the largest dermal effect
(and predicted improvement) that keeps the safety margin, as clinicians treat to the highest
tolerated fluence. A setting is feasible when a safe fluence exists.

Target verdict (noise-aware, so that it does not change with the seed or the photon count):
the target ratio ``q = E_target / E_safe`` (fluence the dermal band needs / highest safe
fluence) is a ratio of two Monte Carlo estimates; the target fluence comes from the cells on
the beam axis and scatters by ±4-6 % (1 SD) over seeds at 20 000 photons (measured for the
issue's 52 F type IV cheek at 1450 nm: q = 0.94-1.06 over seeds 1-5 and 100 000 photons).
``q <= 1 - TARGET_TOLERANCE`` is "reached", ``q >= 1 + TARGET_TOLERANCE`` (or a target beyond
the device range) "NOT reached", and in between "at the target within the Monte Carlo
resolution" (:data:`TARGET_TOLERANCE` = 10 %, about twice that spread), which counts as reached
for the ranking. The tolerance is fixed, not a multiple of the run's noise, so the verdict
does not move with the photon count.

Passes (noise-aware as well): one pass unless more passes lower the target ratio by more than
the noise of the ratio, ``q_n < q_1 · exp(-k σ)`` with k = :data:`PASS_NOISE_K` and
``σ = 2√2 s_MC`` (twice the basal Monte Carlo error for each of the two estimates, as in the
blister band), and then the fewest such passes. Passes are thermally independent and their
Arrhenius integrals add for the epidermis and the dermis alike, so the ratio moves by ~1 % per
pass; before this rule "the fewest passes whose safe fluence reaches the target" flipped
between 1 and 3 passes with the seed. Where no pass count has a target within the device
range, the fewest passes whose dermal band is within :data:`BAND_TOLERANCE` (relative) or two
grid cells of the thickest band.
Monotonicity in E (needed by the bisection) holds because θ ≥ 0 wherever the laser heats.

In-process memo (session 14): a device's optimised settings and a preset-planned setting are computed once per
process for the same inputs (:func:`memoised`, at most :data:`PLAN_MEMO_SIZE` results, :func:`clear_plan_memo`): a
plan that asks again (the other goal's alternatives, the session-limit re-plans, the same request twice, the test
suite's plans of one person) gets a private copy, without a transport or a heat solve, and its JSON is the one a
fresh process writes (the work and citations of the first computation are counted again). Session 16: the runs of a
device's set-up (its transports, heat responses and blister band, :func:`_setup_runs`) are kept as well, on the
inputs they read, so an optimisation that differs only in what the runs do not read (the anaesthetic of the
session-limit re-optimisation without the cream, the margin, the passes, the benefit screen, the planner's rules)
re-runs only the cheap fluence search on them; the Monte Carlo read-outs of a response (basal Ω, the axis Ω, pain) are
computed once per energy.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import dataclasses
import gc
import hashlib
import json
import math
import os
import threading
import types
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from laserskin.core.constants import CELSIUS_K
from laserskin.damage.arrhenius import arrhenius_omega
from laserskin.damage.injury import pool_rings, pooled_ring, viable_epidermis_top_m
from laserskin.damage.pain import nociceptor_cells, pain_from_cells
from laserskin.planning.request import planner_rules
from laserskin.planning.uncertainty import basal_omega as _basal_omega
from laserskin.planning.uncertainty import blister_uncertainty

__all__ = [
    "PLANNING_GRID_NR",
    "READOUT_DAMAGE_SETS",
    "Counter",
    "FastEvaluator",
    "NotExpectedToWork",
    "SettingResult",
    "benefit_bound_setting",
    "clear_plan_memo",
    "damage_readout",
    "memo_key",
    "memoised",
    "optimise_device",
    "plan_each",
    "plan_workers",
    "plan_memo_info",
    "planning_settings",
    "target_verdict",
]

#: Radial cells of the planning grid (default grid uses 100): the radial profile of a
#: full-field spot is resolved by ~10 cells inside the beam. Not used for fractional lasers (see
#: :func:`planning_settings`): a ~100 µm microbeam on a ~2 mm grid would lie in one 50 µm ring.
PLANNING_GRID_NR = 40
#: Monte Carlo relative error of the basal temperature rise the safety decision accepts, and the
#: most photons the planner spends to reach it (see :func:`photons_for_noise`).
MC_TARGET = 0.03
MAX_PHOTONS = 320_000
#: Relative band-thickness difference treated as a tie between pass counts (noise-aware rule).
BAND_TOLERANCE = 0.15
#: Resolution of the target verdict: target ratios within ±10 % of 1 are "at the target" (see module docstring).
TARGET_TOLERANCE = 0.10
#: More passes must lower the target ratio by more than this many standard deviations of its noise.
PASS_NOISE_K = 2.0
STRONGEST_TOPICAL = "lidocaine_tetracaine_7_7"
ANESTHETIC_ORDER = ("none", "lidocaine_4", "emla", "lidocaine_tetracaine_7_7")
#: Candidate devices planned at once (threads; issue 9: a plan within 30 s on the 2-core machine): one
#: more than the machine has cores (a device waiting for its transports, which use every core, leaves
#: its core to another device's heat solves), at most this many; one at a time on a single core.
MAX_PLAN_WORKERS = 4
#: Margin of the benefit screen's fluence bound (:func:`benefit_bound_setting`) over the nominal one-pass blister
#: fluence of the first (cheapest) run, in units of that run's basal Monte Carlo error: the fluence the full
#: optimisation sets is at most 0.85 x the lower blister fluence of its own (quieter) run, which differs from the
#: first run's by its Monte Carlo noise (genesis_1064, 20 000 vs 160 000 photons, 52 F IV and 45 F VI cheek, seeds
#: 1-3: -4.5 ... +2 %, first-run errors 2.5-6.4 %); 4 errors and the 0.85 left out give >= 25 % of room.
SCREEN_NOISE_K = 4.0
#: Memory a plan needs (:func:`memory_plan_workers`), measured on the 2-core machine with the default plan (52 F,
#: type IV cheek, tighten: four candidates; warm transport cache), from the peaks of /proc/self/status sampled
#: every 10 ms: one device at a time, address space (VmSize) 0.43 -> 7.17 GB and resident (VmRSS) 0.11 -> 1.84 GB
#: above the start of planning; three side by side 12.53 GB and 2.43 GB, i.e. 2.68 GB and 0.30 GB per device more.
#: Under RLIMIT_AS (the peaks reserve more than they need): one at a time fits 6 GiB, not 4.5 GiB; three side by
#: side fail at 6 GiB, two at 8 GiB, three fit 10 GiB. Since every LU factor is made and freed on one owner thread
#: (thermal/solver.py, the SciPy leak) a one-at-a-time plan peaks at 7.46 GB of address space (a 55 F type III cheek
#: web plan, 1000 photons: 6.59 GB before) and no longer fits 6 GiB. Since session 10 the LU cache counts a factor as
#: SuperLU allocates it (1.5 GiB of them; the old count, nonzeros x 12 B, let it hold ~4 GB): one device at a time
#: peaks at 4.87-5.74 GB above the start (that web plan, two runs; VmPeak, no limit) and 4.75-5.64 GB (the default
#: plan, cold, three runs; 7.41 GB before), hence 6.0 GB (4 % over the highest), and fits 5 GiB (the web plan) and
#: 6 GiB (the web plan for types II, III and VI, the default plan); three side by side 5.79-6.96 GB (default plan,
#: 45 F type II and VI; 9.02-9.37 GB before), so the per-device figures above, kept, are upper bounds. The web's job
#: cap stays 8 GiB (a large-grid simulation needs it: web/limits.py).
PLAN_SERIAL_ADDRESS_BYTES = 6_000_000_000
PLAN_DEVICE_ADDRESS_BYTES = 2_680_000_000
PLAN_SERIAL_RESIDENT_BYTES = 1_730_000_000
PLAN_DEVICE_RESIDENT_BYTES = 300_000_000
#: Set by :func:`serial_planning`: the devices of a plan are planned one at a time.
_SERIAL_PLANNING: contextvars.ContextVar[bool] = contextvars.ContextVar("laserskin_serial_planning", default=False)

_T = TypeVar("_T")
_R = TypeVar("_R")


def planning_settings(photons: int, seed: int, laser=None):
    """:class:`SimulationSettings` used by the planner: a coarser radial grid
    (:data:`PLANNING_GRID_NR` rings), except for a fractional ``laser``, which gets the pipeline's
    default grid, the one ``laserskin simulate`` uses (the planner uses the same rule as a simulation).
    The coarse grid's 50 µm rings held the whole 100 µm (1/e²) microbeam of fraxel_1550 in one ring:
    its MTZ width read 100 or 200 µm with the seed and the dried column never coagulated collagen
    (fraxel_1550 20 mJ, 52 F type III cheek, 2·10⁴ photons, seeds 1–3: 469 µm × 100 / 200 / 200 µm,
    coagulation 0 µm, against 490–539 µm × 160 µm, coagulation 291–306 × 40 µm on the default 20 µm
    rings; 514 µm × 160 µm for every seed at 2·10⁵ photons)."""
    from laserskin.pipeline.settings import SimulationSettings

    grid = {} if getattr(laser, "is_fractional", False) else {"nr": PLANNING_GRID_NR}
    return SimulationSettings(photons=photons, seed=seed, grid=grid)


@contextlib.contextmanager
def serial_planning() -> Iterator[None]:
    """Plan the candidate devices one at a time inside the ``with`` block (same plan, more wall time).

    For a process under an address-space limit (the web server's per-job ``RLIMIT_AS``): side by side, each
    worker thread's malloc arena and the concurrent LU factorisations reserve more address space than one
    device at a time, and a default plan that fits 6 GiB serially fails its allocations in threads."""
    token = _SERIAL_PLANNING.set(True)
    try:
        yield
    finally:
        _SERIAL_PLANNING.reset(token)


def memory_plan_workers(workers: int) -> int:
    """How many devices to plan side by side, at most ``workers``, within the memory this process may use.

    A plan planned one device at a time needs :data:`PLAN_SERIAL_ADDRESS_BYTES` of address space above what the
    process holds when it starts, and every device planned beside it :data:`PLAN_DEVICE_ADDRESS_BYTES` more (its
    worker thread's stack and malloc arena, its transports, its LU factorisations); in resident memory
    :data:`PLAN_SERIAL_RESIDENT_BYTES` and :data:`PLAN_DEVICE_RESIDENT_BYTES`. The room is the address-space limit
    (``RLIMIT_AS``: the web server's jobs, ``ulimit -v``) less the address space in use, and the memory the
    system has available (``MemAvailable``; a cgroup's ``memory.max`` less its ``memory.current``). Where the
    room holds no second device the devices are planned one at a time (the same plan, more wall time): a
    default plan that fits 6 GiB one by one failed its allocations with three devices side by side.
    Linux reads only; elsewhere (nothing to read) ``workers``.
    """
    rooms = []  # (bytes free, serial need, per extra device)
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit != resource.RLIM_INFINITY:
            with open("/proc/self/status", encoding="ascii") as status:
                used = next(int(line.split()[1]) << 10 for line in status if line.startswith("VmSize:"))
            rooms.append((limit - used, PLAN_SERIAL_ADDRESS_BYTES, PLAN_DEVICE_ADDRESS_BYTES))
    except (ImportError, OSError, ValueError, StopIteration):
        pass
    free = []
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            free += [int(line.split()[1]) << 10 for line in meminfo if line.startswith("MemAvailable:")]
        with (
            open("/sys/fs/cgroup/memory.max", encoding="ascii") as cap,
            open("/sys/fs/cgroup/memory.current", encoding="ascii") as current,
        ):
            if (text := cap.read().strip()) != "max":
                free.append(int(text) - int(current.read()))
    except (OSError, ValueError):
        pass
    if free:
        rooms.append((min(free), PLAN_SERIAL_RESIDENT_BYTES, PLAN_DEVICE_RESIDENT_BYTES))
    for room, serial, per_device in rooms:
        workers = min(workers, 1 + max(0, int((room - serial) // per_device)))
    return max(1, workers)


def plan_workers(n_items: int) -> int:
    """How many of ``n_items`` devices :func:`plan_each` plans side by side (1: one at a time): one more than the
    cores, at most :data:`MAX_PLAN_WORKERS`, within the memory this process may use; 1 under :func:`serial_planning`
    or where numba's threading layer runs one kernel at a time."""
    from laserskin.transport.driver import kernels_threadsafe

    cores = os.cpu_count() or 1
    workers = min(n_items, MAX_PLAN_WORKERS, cores + 1) if cores > 1 else 1
    workers = memory_plan_workers(workers)  # as many as the memory this process may use holds
    # numba's workqueue layer runs one kernel at a time: one device at a time
    if _SERIAL_PLANNING.get() or not kernels_threadsafe():
        return 1
    return workers


def plan_each(
    plan_one: Callable[[_T, Counter], _R],
    items: Sequence[_T],
    counter: Counter,
    *,
    start_first: Callable[[_T], bool] | None = None,
) -> list[_R]:
    """``[plan_one(item, counter) for item in items]``, up to :data:`MAX_PLAN_WORKERS` items at a time.

    The candidate devices of a plan are independent: each is planned in a worker thread with its
    own :class:`Counter` (added to ``counter`` in the order of ``items``) and a copy of the caller's
    context (citation records, progress scope). What runs in parallel: the heat solves (SuperLU
    releases the GIL) of one device beside another's transports (the numba kernels release it and
    take turns on the cores, :data:`laserskin.transport.driver._KERNEL_LOCK`) or its non-linear
    run. Every device's computation is the one a serial loop makes (same inputs, seeds and photon
    counts; transports are bit-identical on any thread; the LU and base-run caches return what a
    fresh computation gives), so the plan does not change, only its wall time (issue 9). The
    results come in the order of ``items``; the first error in that order is raised.

    ``start_first``: items for which it is true are started before the others (the order of the
    results does not change): the planner starts the devices planned by one long single-threaded
    run (fractional and ablative presets: the non-linear model) first, so that a device whose work is
    mostly Monte Carlo transport (both cores) is left for the end rather than a one-core run.
    """
    workers = plan_workers(len(items))
    if workers <= 1:
        return [plan_one(item, counter) for item in items]
    counters = [Counter() for _ in items]
    order = sorted(range(len(items)), key=lambda i: not start_first(items[i])) if start_first else range(len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="laserskin-plan") as pool:
        futures: dict[int, Any] = {
            i: pool.submit(contextvars.copy_context().run, plan_one, items[i], counters[i]) for i in order
        }
        try:
            results = [futures[i].result() for i in range(len(items))]
        finally:
            for future in futures.values():  # on an error: no device left to start for nothing
                future.cancel()
    for own in counters:
        counter.add(own)
    return results


@dataclass
class Counter:
    """How much work a plan did."""

    transports: int = 0
    heat_solves: int = 0
    evaluations: int = 0
    full_simulations: int = 0

    def add(self, other: Counter) -> None:
        """Add the work counted by ``other``."""
        self.transports += other.transports
        self.heat_solves += other.heat_solves
        self.evaluations += other.evaluations
        self.full_simulations += other.full_simulations

    def as_dict(self) -> dict[str, int]:
        return {
            "transport_runs": self.transports,
            "heat_solves": self.heat_solves,
            "evaluations": self.evaluations,
            "full_simulations": self.full_simulations,
            "total": self.transports + self.heat_solves + self.full_simulations,
        }


class FastEvaluator:
    """Cheap read-outs of a :class:`ThermalResponse` at a pulse energy (J).

    Only the slices the constraints need are integrated: the basal epidermal cell of every
    column (Henriques), the dermal cells on the beam axis (collagen), the nociceptor trace
    (pain) and the maximum temperature (boiling).
    """

    def __init__(
        self,
        response,
        counter: Counter | None = None,
        *,
        treated_radius_m: float | None = None,
        cell_area_m2=None,
        cooling_factor: float = 1.0,
    ):
        self.response = response
        self.counter = counter or Counter()
        grid, geometry = response.grid, response.geometry
        # pain: nociceptor cells of the nerve band over the treated area (laserskin.damage.pain.pain_from_field)
        rows, cols, weights = nociceptor_cells(grid, min(treated_radius_m or grid.r_max_m, grid.r_max_m), cell_area_m2)
        self._pain_base = response.base_K[:, rows][:, :, cols]
        self._pain_rise = response.rise_per_J[:, rows][:, :, cols]
        self._pain_weights = weights
        self._cooling_factor = cooling_factor
        z = grid.z_centers_m
        above = np.flatnonzero(z < geometry.junction_depth_m)
        self.basal = int(above[-1])
        self.dermis = np.flatnonzero((z >= geometry.junction_depth_m) & (z < geometry.dermis_bottom_m))
        self.dz_um = np.diff(grid.z_edges_m)[self.dermis] * 1e6
        self.dermis_um = (geometry.dermis_bottom_m - geometry.junction_depth_m) * 1e6
        # the dermal column of the target read on the axis read-out region (the pooled temperature of the pipeline's
        # dermal keys, laserskin.damage.injury.readout_maps; QA5 #18): linear in energy, pooled once here
        self._axis_base = pooled_ring(response.base_K[:, :, self.dermis], grid, response.readout_rings, axis=1)
        self._axis_rise = pooled_ring(response.rise_per_J[:, :, self.dermis], grid, response.readout_rings, axis=1)
        self._axis_omegas: dict[tuple[float, str], np.ndarray] = {}  # (energy, set) -> axis Ω, one pass
        self._pains: dict[tuple[float, str], float] = {}  # (energy, anaesthetic) -> pain index

    def basal_omega(self, energy_J: float) -> float:
        """Worst basal-layer Henriques Ω over the read-out regions (:func:`laserskin.damage.injury.pool_rings`), one
        pass: :func:`laserskin.planning.uncertainty.basal_omega` (the same read-out, kept per response and energy,
        so the bisections of the pass counts, the bound and the blister band share it). Each call counts as an
        evaluation, kept or not (the plan's ``simulation_work`` does not depend on what a process kept)."""
        self.counter.evaluations += 1
        return _basal_omega(self.response, energy_J)

    def axis_dermal_omega(self, energy_J: float, parameter_set: str | None = None) -> np.ndarray:
        """Ω of ``parameter_set`` (default: the target set) in the dermal cells on the beam axis (the temperature
        pooled over the axis read-out region, :func:`laserskin.damage.injury.pooled_ring`), one pass. Computed once
        per energy and set (the pass counts' bisections, the safety and target checks read the same energies; Ω of n
        passes is n times it), a read-only array."""
        name = parameter_set or planner_rules()["target"]["parameter_set"]
        key = (float(energy_J), name)
        omega = self._axis_omegas.get(key)
        if omega is None:
            history = self._axis_base + energy_J * self._axis_rise
            omega = np.asarray(arrhenius_omega(self.response.times_s, history, parameters=name))
            omega.setflags(write=False)
            self._axis_omegas[key] = omega
        return omega

    def band_um(self, energy_J: float, passes: int) -> float:
        """Thickness of the axial dermal band with passes·Ω_target ≥ target Ω, µm."""
        target = planner_rules()["target"]
        omega = passes * self.axis_dermal_omega(energy_J)
        return float(self.dz_um[omega >= target["omega"]].sum())

    def peak_K(self, energy_J: float) -> float:
        """Peak temperature over the read-out regions (the pipeline's 100 °C switch), K."""
        r = self.response
        return float(pool_rings((r.base_K + energy_J * r.rise_per_J).max(axis=0), r.grid, r.readout_rings).max())

    def pain_result(self, energy_J: float, anesthetic: str):
        """Pain (:class:`~laserskin.damage.pain.PainResult`) averaged over the nerve band and the treated area."""
        cells = self._pain_base + energy_J * self._pain_rise
        return pain_from_cells(self.response.times_s, cells, self._pain_weights, anesthetic=anesthetic)

    def pain(self, energy_J: float, anesthetic: str) -> float:
        """Pain index with ``anesthetic`` and the cooling's analgesia at ``energy_J``, 0-10 (computed once per energy
        and anaesthetic)."""
        key = (float(energy_J), anesthetic)
        if key not in self._pains:
            self._pains[key] = (
                float(self.pain_result(energy_J, anesthetic).index_with_anesthetic) * self._cooling_factor
            )
        return self._pains[key]

    def violations(self, energy_J: float, passes: int, anesthetic: str, max_energy_J: float | None = None) -> list[str]:
        """Safety constraints violated at ``energy_J`` (empty list: safe).

        ``max_energy_J``: the epidermal cap (margin × lower blister energy), if known.
        """
        safety = planner_rules()["safety"]
        out = []
        # no boiling exclusion: above the onset of vaporisation the pipeline's rule runs the
        # non-linear model (laserskin.pipeline.ablative.apply_thermal_model_rule), see finalise()
        if self.pain(energy_J, anesthetic) > safety["pain_index_limit"]:
            out.append(f"pain (index with {anesthetic} > {safety['pain_index_limit']})")
        if max_energy_J is not None and energy_J > max_energy_J * (1 + 1e-12):
            out.append(
                f"epidermal safety (fluence > {safety['max_fraction_of_blister']:g} x the lower blister fluence)"
            )
        if self.full_thickness(energy_J, passes):
            out.append(dermal_burn_text())
        return out

    def full_thickness(self, energy_J: float, passes: int) -> bool:
        """Whether the axial target band spans ``[target] max_dermis_fraction`` of the dermis or more: a
        full-thickness dermal burn, not a remodelling target (QA5 #26; physics_data §4.1)."""
        return self.band_um(energy_J, passes) >= planner_rules()["target"]["max_dermis_fraction"] * self.dermis_um

    def blister_energy_J(self, passes: int, lo: float, hi: float) -> float | None:
        """Energy at which passes × basal Ω reaches the blister Ω (log bisection in [lo, hi]), J."""
        omega = planner_rules()["safety"]["blister_omega"]

        def below(e):
            return passes * self.basal_omega(e) < omega

        if not below(lo):
            return lo
        if below(hi):
            return None
        for _ in range(24):
            mid = math.sqrt(lo * hi)
            if below(mid):
                lo = mid
            else:
                hi = mid
        return math.sqrt(lo * hi)


def dermal_burn_text() -> str:
    """The violation of the target band's upper bound (contraindications.toml ``[target] max_dermis_fraction``)."""
    share = planner_rules()["target"]["max_dermis_fraction"]
    return f"dermal burn (Omega >= 1 band through >= {share:.0%} of the dermis: full thickness, not a target)"


def _pain_area(sim, laser) -> dict:
    """Area over which pain is averaged (the spot, or one micro-beam zone's skin area) and the cooling's analgesia."""
    from laserskin.damage.pain import cooling_analgesia_factor

    return {
        "treated_radius_m": sim.beam().outer_radius_m or None,
        "cell_area_m2": 1.0 / laser.mtz_per_m2 if laser.is_fractional else None,
        "cooling_factor": cooling_analgesia_factor(sim.cooling.kind),
    }


def _bisect_log(predicate, lo: float, hi: float, iterations: int = 10) -> float:
    """Largest x in [lo, hi] with predicate(x) True, for predicate True at lo and False at hi."""
    for _ in range(iterations):
        mid = math.sqrt(lo * hi)
        if predicate(mid):
            lo = mid
        else:
            hi = mid
    return lo


@dataclass
class SettingResult:
    """Outcome of optimising one (device, cooling, passes) combination."""

    device: str
    device_class: str
    laser: Any
    cooling: dict
    passes: int
    energy_range_J: tuple[float, float]
    safe_energy_J: float | None
    target_energy_J: float | None
    blister_energy_J: float | None
    binding: str
    feasible: bool
    band_um: float = 0.0
    anesthetic: str = "none"
    response: Any = None
    simulation: Any = None
    summary: dict = field(default_factory=dict)
    curve: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    overrides: dict = field(default_factory=dict)
    target_reached: bool = False
    target_omega_max: float = 0.0
    outcome: Any = None
    blister_band_J: list | None = None
    uncertainty: Any = None
    max_fraction_of_blister: float = 0.85
    #: E_target / E_safe (None: the target is beyond the device range, or no safe fluence)
    target_ratio: float | None = None
    #: "reached", "at the target within the Monte Carlo resolution", "NOT reached" or "not checked (...)"
    target_verdict: str = "NOT reached"
    #: why this pass count (preset-planned devices)
    passes_reason: str = ""
    #: the plan's treated area per session, m² (``PlanRequest.area_m2``): the protocol of the non-linear re-run
    #: (:func:`finalise`; with passes > 1 it sets the time between passes at a spot); None: the planner's default for
    #: the person's site (:func:`~laserskin.planning.request.default_area_m2`, what a plan without ``area`` takes)
    treated_area_m2: float | None = None
    #: the full Simulation.run() result behind the setting (:func:`finalise`'s non-linear re-run, plan.py's
    #: ``_ablative_setting``), set after construction; None: none (readers take ``getattr(..., None)``). Not an
    #: ``__init__`` argument, so ``dataclasses.replace`` leaves it None as before; out of repr and comparison
    supporting_result: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def energy_to_fluence(self) -> float:
        """Nominal fluence per joule of simulated pulse energy, J/m² per J."""
        return 1.0 / self.laser.beam_area_m2

    @property
    def read_energy_J(self) -> float:
        """The pulse energy :func:`finalise` reads the setting at: the safe energy, else the low end of the range."""
        return self.safe_energy_J if self.safe_energy_J is not None else self.energy_range_J[0]


def _energy_range(preset, laser) -> tuple[float, float]:
    """Allowed pulse energy of the simulated beam (microbeam for fractional), J."""
    if laser.is_fractional and preset.ranges.pulse_energy_J is not None:
        return preset.ranges.pulse_energy_J
    fluence = preset.fluence_range_J_per_m2()
    if fluence is None:
        e = laser.pulse_energy_J
        return (e, e)
    return (fluence[0] * laser.beam_area_m2, fluence[1] * laser.beam_area_m2)


# --------------------------------------------------------------------------------------------
# In-process memo
# --------------------------------------------------------------------------------------------
#: Results the in-process memo keeps (:func:`memoised`), least recently used dropped first; 0 turns it off. An entry is
#: one device's optimised settings (:func:`optimise_device`: one to nine :class:`SettingResult` sharing one or two
#: heat responses) or one preset-planned setting (plan.py's ``_preset_setting``: the :class:`Simulation` result
#: behind it). Measured (session 14, the default plan of the issue's person, 52 F type IV cheek: five entries, 82 MB
#: of arrays in all): 49 MB for cooltouch_1320 (photons raised), 12.5 MB smoothbeam_1450, 15 MB genesis_1064 (the
#: screen's bound), 5 MB fraxel_1550, 0.6 MB co2_fractional (:data:`PLAN_MEMO_BYTES` bounds the sum). 12 covers the
#: devices a plan runs and five seeds of a two-device plan (tests/planning/test_plan_trust.py's recommendation reads
#: cheek_plans' five smoothbeam_1450 optimisations).
PLAN_MEMO_SIZE = 12
#: Bytes of arrays the memo keeps at most (those its entries reach, :func:`_array_bytes`), least recently used dropped
#: first: 12 entries of a larger person (tests/planning/test_noise_rules_abdomen.py, type VI abdomen, three devices,
#: five seeds) raised the peak resident memory of that test from 3.6 to 5.0 GB; 512 MiB holds the plans above
#: (five smoothbeam_1450 and five cooltouch_1320 optimisations: ~310 MB).
PLAN_MEMO_BYTES = 512 * 2**20
#: Stages of a set-up's runs the in-process memo keeps (:func:`_setup_runs`: a device's first transport and heat
#: response, and its final response with the blister band; least recently used dropped first; off with
#: :data:`PLAN_MEMO_SIZE` <= 0), and the bytes of arrays they may hold (:func:`_array_bytes`). They serve the
#: optimisations that differ from a kept one only in what the runs do not read (session 16): the anaesthetic (the
#: session-limit re-optimisation without the cream, ``_plan_device``'s ``optimised("none")``), the margin, the passes,
#: the benefit screen and the planner's rules (a test's lowered pain limit). The entries share the heat responses of
#: the :func:`memoised` results, so most of their bytes are counted by both. Six keep the stages of a default plan's
#: fluence-optimised candidates (cooltouch_1320 and smoothbeam_1450: two each; genesis_1064, screened out: one); the
#: bytes are the smaller bound (the type VI abdomen's five seeds of tests/planning/test_noise_rules_abdomen.py: peak
#: resident 4.71 GB on main, 5.87 GB with 8 entries / 384 MiB here and an 8 GiB LU cache in the tests).
RUNS_MEMO_SIZE = 6
RUNS_MEMO_BYTES = 256 * 2**20


@dataclass
class _MemoEntry:
    """What :func:`memoised` keeps of one computation (private copies, :func:`_private_copy`)."""

    value: Any
    work: Counter
    cited: frozenset[str]
    #: the benefit screen's bound (:func:`benefit_bound_setting`), with the work and citations up to it; ``None``:
    #: no screen ran
    bound: SettingResult | None = None
    bound_work: Counter | None = None
    bound_cited: frozenset[str] = frozenset()
    #: False: the screen rejected the device, and only its bound is kept
    complete: bool = True
    #: bytes of the arrays the entry reaches (:func:`_array_bytes`)
    nbytes: int = 0


class _Memo:
    """A thread-safe least-recently-used map of :class:`_MemoEntry` (at most :data:`PLAN_MEMO_SIZE` entries holding
    :data:`PLAN_MEMO_BYTES` of arrays; another memo names its own bounds: the module constants ``size`` and
    ``max_bytes``, read at every insertion, so that a test's ``monkeypatch`` of them applies)."""

    def __init__(self, size: str = "PLAN_MEMO_SIZE", max_bytes: str = "PLAN_MEMO_BYTES") -> None:
        self._size, self._max_bytes = size, max_bytes
        self._entries: OrderedDict[str, _MemoEntry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> _MemoEntry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: _MemoEntry) -> None:
        entry.nbytes = _array_bytes(entry)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            size, max_bytes = globals()[self._size], globals()[self._max_bytes]
            while self._entries and (
                len(self._entries) > max(0, size) or sum(e.nbytes for e in self._entries.values()) > max_bytes
            ):
                self._entries.popitem(last=False)

    def nbytes(self) -> int:
        with self._lock:
            return sum(e.nbytes for e in self._entries.values())

    def count(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


_MEMO = _Memo()
#: The runs of one set-up (:func:`_setup_runs`): its transport and heat response, and its final (photons raised)
#: response with the blister band.
_RUNS = _Memo("RUNS_MEMO_SIZE", "RUNS_MEMO_BYTES")


def clear_plan_memo() -> None:
    """Empty the in-process memos (:func:`memoised` and the set-up runs of :func:`_setup_runs`) and reset the hit
    and miss counts."""
    _MEMO.clear()
    _RUNS.clear()


def plan_memo_info() -> dict[str, int]:
    """The memo's ``entries``, ``size`` (:data:`PLAN_MEMO_SIZE`), ``nbytes`` (arrays held) and ``max_bytes``
    (:data:`PLAN_MEMO_BYTES`), ``hits`` and ``misses`` since it was last cleared; the same of the set-up runs' memo
    (:func:`_setup_runs`) with the prefix ``runs_``."""
    return {
        "entries": len(_MEMO),
        "size": PLAN_MEMO_SIZE,
        "nbytes": _MEMO.nbytes(),
        "max_bytes": PLAN_MEMO_BYTES,
        "hits": _MEMO.hits,
        "misses": _MEMO.misses,
        "runs_entries": len(_RUNS),
        "runs_size": RUNS_MEMO_SIZE,
        "runs_nbytes": _RUNS.nbytes(),
        "runs_max_bytes": RUNS_MEMO_BYTES,
        "runs_hits": _RUNS.hits,
        "runs_misses": _RUNS.misses,
    }


_NOT_DATA = (type, types.ModuleType, types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.CodeType)


def _array_bytes(root: Any) -> int:
    """Bytes of the distinct NumPy arrays (their base buffers) reachable from ``root`` through its data (not through
    modules, classes or functions)."""
    seen: set[int] = set()
    bases: set[int] = set()
    stack, total = [root], 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _NOT_DATA):
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            base = obj
            while isinstance(base.base, np.ndarray):
                base = base.base
            if id(base) not in bases:
                bases.add(id(base))
                total += base.nbytes
            continue
        stack.extend(gc.get_referents(obj))
    return total


#: Module constants of the optimisation that a key holds (a test may change them with ``monkeypatch``).
_KEY_CONSTANTS = (
    "PLANNING_GRID_NR",
    "MC_TARGET",
    "MAX_PHOTONS",
    "BAND_TOLERANCE",
    "TARGET_TOLERANCE",
    "PASS_NOISE_K",
    "STRONGEST_TOPICAL",
    "ANESTHETIC_ORDER",
    "SCREEN_NOISE_K",
)


def _key_part(value: Any) -> Any:
    """A JSON-able stand-in for ``value`` in :func:`memo_key` (``json.dumps``'s ``default``)."""
    if hasattr(value, "model_dump"):  # pydantic: the content (a device preset by its every field, not its name)
        return {"type": type(value).__qualname__, "fields": value.model_dump(mode="json")}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__qualname__, "fields": dataclasses.asdict(value)}
    if isinstance(value, type) or callable(value):  # a class or function by its identity (a test's stand-in differs)
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}@{id(value)}"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(map(repr, value))
    return repr(value)


def memo_key(kind: str, *, cache_dir=None, rules: bool = True, **inputs: Any) -> str:
    """Key of :func:`memoised`: a digest of ``kind``, the ``inputs`` (models and dataclasses by their content, classes
    and functions by their identity), the transport cache folder (``None``: ``$LASERSKIN_CACHE_DIR`` or the default,
    as :class:`Simulation` resolves it; a cached transport is bit-identical to a fresh one, but the results keep their
    :class:`Simulation`, whose later runs use that folder), the planner's rules (``contraindications.toml`` as loaded
    now; ``rules=False``: not, for a computation that reads none of them) and this module's constants
    (:data:`_KEY_CONSTANTS`)."""
    from laserskin.transport.cache import default_cache_dir

    folder = os.path.abspath(os.path.expanduser(os.fspath(cache_dir if cache_dir is not None else default_cache_dir())))
    payload = {
        "kind": kind,
        "inputs": inputs,
        "cache_dir": folder,
        "rules": planner_rules() if rules else None,
        "constants": {name: globals()[name] for name in _KEY_CONSTANTS},
    }
    text = json.dumps(payload, sort_keys=True, default=_key_part)
    return hashlib.sha256(text.encode()).hexdigest()


def _private_copy(value: _T) -> _T:
    """A deep copy of a :class:`SettingResult` or a list of them that shares only the heavy read-only objects they
    point to (heat response, :class:`Simulation`, blister uncertainty, evaluation outcome, supporting simulation
    result: nothing in the planner writes to them) and copies everything a caller reassigns or changes in place
    (``summary``, ``curve``, ``reasons``, ``cooling``, ``overrides``, the laser, ...)."""
    shared: dict[int, Any] = {}
    for setting in value if isinstance(value, list) else [value]:
        for name in ("response", "simulation", "uncertainty", "outcome", "supporting_result"):
            heavy = getattr(setting, name, None)
            if heavy is not None:
                shared[id(heavy)] = heavy
    return copy.deepcopy(value, shared)


def memoised(
    key: str,
    compute: Callable[[Counter, Callable[[SettingResult], str | None] | None], _R],
    counter: Counter,
    *,
    screen: Callable[[SettingResult], str | None] | None = None,
) -> _R:
    """``compute(counter, screen)``, computed once per ``key`` in this process (an in-process memo of at most
    :data:`PLAN_MEMO_SIZE` results holding at most :data:`PLAN_MEMO_BYTES` of arrays, least recently used dropped
    first; :func:`clear_plan_memo` empties it).

    The rule: ``key`` (:func:`memo_key`) holds everything that determines the result — the person and device preset
    by their content, anaesthetic, photons, seed, cooling, margin, passes, area, the transport cache folder, the
    planner's rules and this module's constants — so a hit returns what the computation would return. The memo
    assumes that the code and the package's data files do not change within the process; a test that replaces a
    physics function with ``monkeypatch`` (other than the :class:`Simulation` class, which the keys hold) calls
    :func:`clear_plan_memo`. A hit:

    * returns a private copy (:func:`_private_copy`): a caller that changes its result (``finalise`` does) changes
      neither the memo nor a later hit;
    * adds to ``counter`` the work the first computation counted, and cites the works it cited, so that a plan's
      ``simulation_work``, ``simulations_run`` and ``citations`` are those of the work its results stand for, the
      same in a fresh process and after a hit (no transport or heat solve runs on a hit);
    * with a ``screen`` (:func:`optimise_device`'s benefit screen), calls it on a copy of the first computation's
      bound, as the computation does, and raises :class:`NotExpectedToWork` when it rejects the device.
    """
    from laserskin.core.citations import cite, recording

    if PLAN_MEMO_SIZE <= 0:  # off: neither read nor kept
        return compute(counter, screen)
    entry = _MEMO.get(key)
    if entry is not None:
        if screen is not None and entry.bound is not None:
            why = screen(_private_copy(entry.bound))
            if why:
                _MEMO.count(hit=True)
                counter.add(entry.bound_work or Counter())
                cite(*entry.bound_cited)
                raise NotExpectedToWork(why)
        if entry.complete:
            _MEMO.count(hit=True)
            counter.add(entry.work)
            cite(*entry.cited)
            return _private_copy(entry.value)
    _MEMO.count(hit=False)
    own = Counter()
    seen: dict[str, Any] = {}
    with recording() as used:

        def on_bound(bound: SettingResult) -> str | None:
            seen.update(bound=_private_copy(bound), work=dataclasses.replace(own), cited=frozenset(used))
            return screen(bound) if screen is not None else None

        try:
            value = compute(own, on_bound if screen is not None else None)
        except NotExpectedToWork:
            if "bound" in seen:
                _MEMO.put(
                    key, _MemoEntry(None, Counter(), frozenset(), seen["bound"], seen["work"], seen["cited"], False)
                )
            raise
        finally:
            counter.add(own)
    _MEMO.put(
        key,
        _MemoEntry(
            _private_copy(value),
            own,
            frozenset(used),
            seen.get("bound"),
            seen.get("work"),
            seen.get("cited", frozenset()),
        ),
    )
    return value


def _kept_runs(key: str, compute: Callable[[Counter], _R], counter: Counter) -> _R:
    """``compute(counter)``, computed once per ``key`` in this process (the set-up runs' memo, :data:`_RUNS`): a hit
    returns the first computation's value itself (heat responses, simulations, transports and blister bands, which
    nothing writes to), adds to ``counter`` the work it counted and cites the works it cited (so a plan's
    ``simulation_work`` and ``citations`` are those of a fresh process), without a transport or a heat solve."""
    from laserskin.core.citations import cite, recording

    if PLAN_MEMO_SIZE <= 0:  # off with the plan memo
        return compute(counter)
    entry = _RUNS.get(key)
    if entry is not None:
        _RUNS.count(hit=True)
        counter.add(entry.work)
        cite(*entry.cited)
        return entry.value
    _RUNS.count(hit=False)
    own = Counter()
    with recording() as used:
        try:
            value = compute(own)
        finally:
            counter.add(own)
    _RUNS.put(key, _MemoEntry(value, own, frozenset(used)))
    return value


def _setup_runs(person, laser, cooling: dict, photons: int, seed: int, cache_dir, energy_range_J, counter, *, bound):
    """The runs of one optical and thermal set-up of :func:`_optimise_device`, kept in the process (:func:`_kept_runs`)
    on everything they read, which is neither the anaesthetic, the margin, the passes, the screen nor the planner's
    rules: the person, the laser (the content of its model), the cooling, photons, seed, transport cache folder, the
    device's pulse-energy range (the blister band's search range), the :class:`Simulation` class, the functions called
    (a test's stand-in is another key) and the constants of this module and of :mod:`laserskin.planning.uncertainty`.

    ``bound(sim, response)`` runs between the first run and the rest, on every call, hit or miss (the benefit screen:
    it raises :class:`NotExpectedToWork` before the photons are raised and the blister band is run, as before).
    Returns ``(sim, response, source, uncertainty)`` of the final run: the first run's, or where the basal Monte Carlo
    error needs more photons (:func:`photons_for_noise`) a run with them, and the blister band of that run."""
    from laserskin.pipeline import simulation as simulation_module
    from laserskin.planning import uncertainty as uncertainty_module

    Simulation = simulation_module.Simulation
    first_key = memo_key(
        "setup_first_run",
        rules=False,
        person=person,
        laser=laser,
        cooling=cooling,
        photons=photons,
        seed=seed,
        cache_dir=cache_dir,
        simulation=Simulation,
        planning_settings=planning_settings,
    )

    def first(own: Counter):
        sim = Simulation(person, laser, cooling, settings=planning_settings(photons, seed, laser), cache_dir=cache_dir)
        transport = sim.transport()
        own.transports += len(transport[0])
        _, source, grid = transport
        response, _ = sim.thermal_response(source, grid)
        own.heat_solves += 2
        return sim, response, source

    sim, response, source = _kept_runs(first_key, first, counter)
    bound(sim, response)
    final_key = memo_key(
        "setup_final_run",
        rules=False,
        first=first_key,
        energy_range_J=list(energy_range_J),
        photons_for_noise=photons_for_noise,
        blister_uncertainty=blister_uncertainty,
        uncertainty_constants={
            name: getattr(uncertainty_module, name)
            for name in ("EPIDERMIS_THICKNESS_REL", "DERMIS_THICKNESS_REL", "MAX_RELATIVE_UNCERTAINTY", "MC_FALLBACK")
        },
    )

    def final(own: Counter):
        run_sim, run_response, run_source = sim, response, source
        more = photons_for_noise(sim, response, photons)
        if more > sim.settings.photons:  # the decision needs a quieter basal layer: more photons
            run_sim = Simulation(
                person, laser, cooling, settings=planning_settings(more, seed, laser), cache_dir=cache_dir
            )
            transport = run_sim.transport()
            own.transports += len(transport[0])
            _, run_source, grid = transport
            run_response, _ = run_sim.thermal_response(run_source, grid)
            own.heat_solves += 2
        band = blister_uncertainty(run_sim, run_response, run_source, tuple(energy_range_J), counter=own)
        return run_sim, run_response, run_source, band

    return _kept_runs(final_key, final, counter)


def optimise_device(
    person,
    preset,
    *,
    verdict,
    anesthetic: str,
    max_passes: int,
    photons: int,
    seed: int,
    cooling: dict | None = None,
    max_fraction: float | None = None,
    counter: Counter,
    cache_dir=None,
    screen: Callable[[SettingResult], str | None] | None = None,
    area_m2: float | None = None,
) -> list[SettingResult]:
    """Optimise the fluence at each number of passes of one non-ablative device, at its preset's pulse duration and the
    given cooling (the preset's where ``None``).

    The result is memoised within the process (:func:`memoised`; the rule, the key and the copies: the section
    "In-process memo" of this module): the same call again returns copies of the first call's settings, adds the
    work that call counted to ``counter`` and cites what it cited, without a transport or a heat solve. With a
    ``screen``, the memo keeps the first run's bound (:func:`benefit_bound_setting`) and calls ``screen`` on a copy
    of it at every call, so the screen's own inputs (the plan's goal, its minimum benefit) need not be in the key.

    Parameters
    ----------
    person : Person
    preset : DevicePreset
    verdict : DeviceVerdict
        Contraindication verdict (coverage cap for fractional devices).
    anesthetic : str
        ``"auto"`` or a fixed anaesthetic key.
    max_passes : int
        Passes tried, 1..max_passes.
    photons, seed : int
        Monte Carlo settings of the transport run.
    cooling : dict, optional
        Surface cooling (the preset's where ``None``).
    counter : Counter
        Incremented with the work done.
    screen : callable, optional
        The planner's benefit screen (cheap bound first): called with :func:`benefit_bound_setting` of the first
        run; a reason string means the device cannot reach the planner's minimum benefit at any setting the
        optimisation could choose, and :class:`NotExpectedToWork` is raised with it before the photons are raised
        and the blister band is run (genesis_1064: ~1.5 of 9-15 CPU s).
    area_m2 : float, optional
        The plan's treated area per session, m² (``PlanRequest.area_m2``), kept on each
        :class:`SettingResult` (``treated_area_m2``) for the protocol of the non-linear re-run of
        :func:`finalise`; None: the planner's default area for the person's site.

    Returns
    -------
    list of SettingResult
        One per number of passes, best first (:func:`order_settings`).

    Raises
    ------
    NotExpectedToWork
        When ``screen`` rejects the device.
    """
    from laserskin.pipeline import simulation as simulation_module

    if max_fraction is None:
        max_fraction = planner_rules()["safety"]["max_fraction_of_blister"]
    cooling = dict(preset.cooling if cooling is None else cooling)
    key = memo_key(
        "optimise_device",
        person=person,
        preset=preset,
        max_coverage=verdict.max_coverage,  # the only field of the verdict the optimisation reads
        anesthetic=anesthetic,
        max_passes=max_passes,
        photons=photons,
        seed=seed,
        cooling=cooling,
        max_fraction=max_fraction,
        cache_dir=cache_dir,
        screened=screen is not None,
        area_m2=area_m2,
        simulation=simulation_module.Simulation,
    )

    def compute(own: Counter, on_bound: Callable[[SettingResult], str | None] | None) -> list[SettingResult]:
        return _optimise_device(
            person,
            preset,
            verdict=verdict,
            anesthetic=anesthetic,
            max_passes=max_passes,
            photons=photons,
            seed=seed,
            cooling=cooling,
            max_fraction=max_fraction,
            counter=own,
            cache_dir=cache_dir,
            screen=on_bound,
            area_m2=area_m2,
        )

    return memoised(key, compute, counter, screen=screen)


def _optimise_device(
    person,
    preset,
    *,
    verdict,
    anesthetic: str,
    max_passes: int,
    photons: int,
    seed: int,
    cooling: dict,
    max_fraction: float,
    counter: Counter,
    cache_dir,
    screen: Callable[[SettingResult], str | None] | None,
    area_m2: float | None,
) -> list[SettingResult]:
    """:func:`optimise_device` without the memo (``cooling`` and ``max_fraction`` resolved)."""
    overrides = {}
    base_laser = preset.laser()
    if (
        base_laser.is_fractional
        and verdict.max_coverage is not None
        and base_laser.fractional.coverage > verdict.max_coverage
    ):
        overrides["fractional"] = {
            "microbeam_diameter": f"{base_laser.fractional.microbeam_diameter_m} m",
            "coverage": verdict.max_coverage,
        }
    pain_anesthetic = STRONGEST_TOPICAL if anesthetic == "auto" else anesthetic
    setting_overrides = {**overrides, "pulse_duration": f"{base_laser.pulse_duration_s} s"}
    laser = preset.laser(**setting_overrides)
    lo, hi = _energy_range(preset, laser)

    def bound(sim, response) -> None:
        if screen is not None:
            setting = benefit_bound_setting(
                sim, response, preset, laser, cooling, lo, hi, max_passes, counter, setting_overrides
            )
            why = None if setting is None else screen(setting)
            if why:
                raise NotExpectedToWork(why)

    sim, response, _, uncertainty = _setup_runs(
        person, laser, cooling, photons, seed, cache_dir, (lo, hi), counter, bound=bound
    )
    fast = FastEvaluator(response, counter, **_pain_area(sim, laser))
    results: list[SettingResult] = []
    for passes in range(1, max_passes + 1):
        setting = _optimise_fluence(
            fast, sim, preset, laser, cooling, passes, lo, hi, pain_anesthetic, uncertainty, max_fraction
        )
        setting.overrides = dict(setting_overrides)
        setting.treated_area_m2 = area_m2
        results.append(setting)
    return order_settings(results)


class NotExpectedToWork(Exception):
    """A device rejected by the planner's benefit screen before its blister band (the reason is ``args[0]``)."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


def benefit_bound_setting(
    sim, response, preset, laser, cooling, lo: float, hi: float, max_passes: int, counter: Counter, overrides=None
) -> SettingResult | None:
    """A setting whose heat dose is at least that of any setting :func:`optimise_device` could choose, from the
    first run alone (no photons raised, no blister band), or ``None`` where it would not be a useful bound.

    The optimised fluence is at most ``max_fraction`` (<= 1) x the lower blister fluence of the final run, so at
    most its nominal one-pass blister fluence, and at most the device maximum; the first run estimates that
    blister fluence within its Monte Carlo noise, hence the bound fluence ``min(hi, E_b (1 + K s_MC))``
    (:data:`SCREEN_NOISE_K`; the 0.85 margin left out as well). The dose rises with the fluence (θ >= 0) and the
    passes (Ω adds), so the bound takes ``max_passes`` passes, and the linear read-outs (no latent heat: above the
    onset of vaporisation they overstate the dose). ``None`` where a dermal target band already forms at the
    bound (the device plainly works: no screen is worth its cost) or the bound is below the device minimum."""
    from laserskin.planning.uncertainty import mc_relative_error

    fast = FastEvaluator(response, counter, **_pain_area(sim, laser))
    error = mc_relative_error(sim, response)
    e_blister = fast.blister_energy_J(1, lo / 10.0, hi * 10.0)
    energy = hi if e_blister is None else min(hi, e_blister * (1.0 + SCREEN_NOISE_K * error))
    if not math.isfinite(energy) or energy < lo or fast.band_um(energy, max_passes) > 0.0:
        return None  # below the device minimum the full optimisation may find no safe fluence: its reason stands
    bound = SettingResult(
        device=preset.name,
        device_class=preset.device_class,
        laser=laser,
        cooling=cooling,
        passes=max_passes,
        energy_range_J=(lo, hi),
        safe_energy_J=energy,
        target_energy_J=None,
        blister_energy_J=e_blister,
        binding="benefit screen bound",
        feasible=True,
        response=response,
        simulation=sim,
        overrides=dict(overrides or {}),
    )
    return finalise(bound, "none", counter, thermal_model_rule=False)


def photons_for_noise(sim, response, photons: int) -> int:
    """Photons that bring the basal Monte Carlo error to :data:`MC_TARGET` (at most :data:`MAX_PHOTONS`).

    The error of a Monte Carlo tally falls as 1/sqrt(photons): ``photons · (s/target)²``,
    rounded up to a power-of-two multiple of ``photons`` so that the cache is reused.
    """
    from laserskin.planning.uncertainty import mc_relative_error

    error = mc_relative_error(sim, response)
    if error <= MC_TARGET:
        return photons
    factor = 2 ** math.ceil(math.log2((error / MC_TARGET) ** 2))
    return int(min(MAX_PHOTONS, max(photons, photons * factor)))


def order_settings(results: list[SettingResult]) -> list[SettingResult]:
    """Best first, by the noise-aware rule of the module docstring (feasible settings first)."""
    feasible = [s for s in results if s.feasible]
    rest = [s for s in results if not s.feasible]
    if not feasible:
        return sorted(rest, key=lambda s: s.passes)
    rated = sorted((s for s in feasible if s.target_ratio is not None), key=lambda s: s.passes)
    if rated:
        best = rated[0]
        for s in rated[1:]:
            sigma = 2.0 * math.sqrt(2.0) * (s.uncertainty.mc_relative_error if s.uncertainty is not None else 0.05)
            ratio, best_ratio = s.target_ratio, best.target_ratio
            assert ratio is not None and best_ratio is not None  # rated holds only settings with a target ratio
            if math.log(ratio) < math.log(best_ratio) - PASS_NOISE_K * sigma:
                best = s
    else:
        top = max(s.band_um for s in feasible)
        cell_um = max(2.0 * float(np.max(np.diff(s.response.grid.z_edges_m))) * 1e6 for s in feasible)
        tolerance = max(BAND_TOLERANCE * top, cell_um)
        best = min((s for s in feasible if s.band_um >= top - tolerance), key=lambda s: s.passes)
    others = sorted((s for s in feasible if s is not best), key=lambda s: (not s.target_reached, s.passes, -s.band_um))
    return [best, *others, *sorted(rest, key=lambda s: s.passes)]


def _optimise_fluence(
    fast, sim, preset, laser, cooling, passes, lo, hi, pain_anesthetic, uncertainty, max_fraction
) -> SettingResult:
    target = planner_rules()["target"]
    e_blister = fast.blister_energy_J(passes, lo / 10.0, hi * 10.0)
    band = uncertainty.band(e_blister)
    e_cap = None if band is None else max_fraction * band[0]

    def safe(e):
        return not fast.violations(e, passes, pain_anesthetic, e_cap)

    def other_ok(e):
        return not fast.violations(e, passes, pain_anesthetic)

    def reached(e):
        return fast.band_um(e, passes) >= target["min_band_um"]

    if safe(hi):
        e_safe, binding = hi, "device maximum fluence"
    elif not safe(lo):
        e_safe, binding = (
            None,
            "; ".join(fast.violations(lo, passes, pain_anesthetic, e_cap)) + " at the device minimum",
        )
    else:
        e_other = hi if other_ok(hi) else _bisect_log(other_ok, lo, hi)
        if e_cap is not None and e_cap <= e_other:
            e_safe = e_cap
            binding = (
                f"epidermal safety (fluence <= {max_fraction:g} x the lower blister fluence "
                f"{_per_cm2(band[0], laser):.3g} J/cm^2)"
            )
        else:
            e_safe = e_other
            binding = "; ".join(fast.violations(e_safe * 1.05, passes, pain_anesthetic)) or "safety limit"
    if reached(lo):
        e_target = lo
    elif reached(hi) or (e_safe is not None and reached(e_safe)):
        e_target = _bisect_log(lambda e: not reached(e), lo, hi)
        e_target *= 1.0 + 1e-9
        if not reached(e_target):  # bisection returns the last "not reached" point: step up one resolution
            e_target *= (hi / lo) ** (1 / 2**10)
    else:
        e_target = None
    feasible = e_safe is not None
    ratio = e_target / e_safe if e_safe is not None and e_target is not None else None
    verdict = target_verdict(ratio)
    target_reached = verdict != "NOT reached"
    result = SettingResult(
        device=preset.name,
        device_class=preset.device_class,
        laser=laser,
        cooling=cooling,
        passes=passes,
        energy_range_J=(lo, hi),
        safe_energy_J=e_safe,
        target_energy_J=e_target,
        blister_energy_J=e_blister,
        binding=binding,
        feasible=feasible,
        band_um=fast.band_um(e_safe, passes) if e_safe else 0.0,
        anesthetic=pain_anesthetic,
        response=fast.response,
        simulation=sim,
        target_reached=target_reached,
        target_omega_max=passes * float(fast.axis_dermal_omega(e_safe).max()) if e_safe else 0.0,
        blister_band_J=band,
        uncertainty=uncertainty,
        max_fraction_of_blister=max_fraction,
        target_ratio=ratio,
        target_verdict=verdict,
    )
    if e_safe is None:
        result.reasons.append(f"no safe fluence in the device range: {binding}")
    elif e_target is None:
        result.reasons.append(
            "dermal remodelling target not reached within the device range; "
            f"best safe dermal Omega ({target['parameter_set']}) = {result.target_omega_max:.2g}"
        )
    elif not target_reached:
        result.reasons.append(f"the dermal remodelling target needs more energy than is safe ({binding} binds)")
    if ratio is not None:
        result.reasons.append(
            f"target fluence {_per_cm2(e_target, laser):.3g} J/cm^2 vs safe fluence {_per_cm2(e_safe, laser):.3g} "
            f"J/cm^2 (ratio {ratio:.2f}; within 1 +- {TARGET_TOLERANCE:g} counts as at the target: the target "
            "fluence is a Monte Carlo estimate on the beam axis)"
        )
    return result


def target_verdict(ratio: float | None) -> str:
    """Verdict on the dermal target from ``E_target / E_safe`` (module docstring; ``None``: not reached)."""
    if ratio is None or ratio >= 1.0 + TARGET_TOLERANCE:
        return "NOT reached"
    if ratio <= 1.0 - TARGET_TOLERANCE:
        return "reached"
    return "at the target within the Monte Carlo resolution"


def _apply_thermal_model_rule(result: SettingResult, linear_peak_K: float, energy: float, counter: Counter) -> None:
    """The pipeline's rule (:func:`laserskin.pipeline.ablative.needs_nonlinear`): where the linear
    read-out at the chosen energy leaves the linear model's range (a cell at the onset of
    vaporisation), the setting is re-run by :class:`Simulation` (non-linear enthalpy model, the
    planned passes, the plan's area: :attr:`SettingResult.treated_area_m2`) and its summary replaces the linear one
    (the chosen ``pulse_energy_J`` and ``fluence_J_per_cm2`` kept); else the linear read-outs stand.

    A linear key the non-linear summary lacks is dropped, not kept beside the non-linear read-outs (session 14): the
    linear ``dermal_injury_band_um`` (the planner's dose band, central 90 % of the linear injured volume) stayed
    beside the non-linear ``dermal_injury_depth_um`` and set the healing dose
    (:func:`~laserskin.planning.sessions.session_dose_from_summary` reads it first). Without it the dose is read
    from the non-linear Ω ≥ 1 range, as that of a preset's single :class:`Simulation` run and of ``simulate``."""
    from laserskin.pipeline.ablative import needs_nonlinear
    from laserskin.pipeline.simulation import Simulation
    from laserskin.planning.request import default_area_m2
    from laserskin.treatment.protocol import Protocol

    nonlinear, reason = needs_nonlinear(linear_peak_K)
    result.summary["thermal_model"] = "nonlinear" if nonlinear else "linear"
    result.summary["thermal_model_reason"] = reason
    if not nonlinear:
        return
    sim = result.simulation
    area_m2 = result.treated_area_m2 if result.treated_area_m2 is not None else default_area_m2(sim.person.site)
    protocol = Protocol.model_validate(
        {"passes": result.passes, "anesthetic": result.anesthetic, "treated_area": f"{area_m2!r} m^2"}
    )
    run = Simulation(
        sim.person, result.laser, result.cooling, protocol, sim.settings, cache_dir=getattr(sim, "cache_dir", None)
    ).run()
    counter.full_simulations += 1
    keep = ("pulse_energy_J", "fluence_J_per_cm2")
    linear = result.summary
    result.summary = {k: v for k, v in linear.items() if k in run.summary or k in keep}
    result.summary.update({k: v for k, v in run.summary.items() if k not in keep and k != "wall_time_s"})
    result.supporting_result = run
    result.reasons.append(f"thermal model: non-linear ({reason})")


def _per_cm2(energy_J: float, laser) -> float:
    return energy_J / laser.beam_area_m2 * 1e-4


def lightest_anesthetic(pain_with) -> str:
    """The ``--anesthetic auto`` rule, for every device class: the lightest topical of
    :data:`ANESTHETIC_ORDER` (none first) whose nominal pain ``pain_with(name)`` (0-10, with the plan's
    cooling) is within the planner's pain limit; the strongest topical where none is."""
    limit = planner_rules()["safety"]["pain_index_limit"]
    return next((a for a in ANESTHETIC_ORDER if pain_with(a) <= limit), STRONGEST_TOPICAL)


#: The Arrhenius sets :func:`damage_readout` reads (of :data:`laserskin.pipeline.response.DAMAGE_SETS`): the others
#: are no read-out of a setting's summary, and each costs as much as one of these.
READOUT_DAMAGE_SETS = ("henriques", "collagen")


def damage_readout(result: SettingResult, damage) -> dict:
    """The damage read-outs of :func:`finalise`'s summary from ``damage`` (the
    :class:`~laserskin.pipeline.response.TissueDamage` of ``result.response`` at the chosen energy, one pass; the sets
    :data:`READOUT_DAMAGE_SETS` at least), ``result.passes`` passes applied: the dermal and surface keys of
    ``laserskin simulate``, the healing dose's band, the tightening, the epidermal grade and pigment level with their
    Monte Carlo bounds. What a re-read of the setting at another dose reads (the ends of the plan's dose band,
    :func:`laserskin.planning.plan._setting_at_dose`, which evaluate only those sets); :func:`finalise` adds the pain,
    the energy and the margin curve."""
    from laserskin.damage.collagen import collagen_response
    from laserskin.damage.injury import epidermal_injury
    from laserskin.pipeline.summary import dermal_readout, surface_readout
    from laserskin.planning.noise_rules import epidermal_grade_keys, pigment_risk_keys  # beyond the MC error (QA6 #23)
    from laserskin.planning.sessions import injured_volume_band_um

    sim, response, n = result.simulation, result.response, result.passes
    geometry = response.geometry
    collagen = collagen_response(
        n * damage.omega["collagen"],
        response.grid,
        dermis_top_m=geometry.junction_depth_m,
        dermis_bottom_m=geometry.dermis_bottom_m,
        spot_radius_m=sim.collagen_readout_radius_m(response.grid),  # the one read-out radius rule (QA14 #5)
    )
    injury = epidermal_injury(
        n * damage.readout_omega_henriques,
        damage.readout_peak_temperature_K,
        response.grid,
        junction_depth_m=geometry.junction_depth_m,
        fitzpatrick=geometry.fitzpatrick,
        viable_top_m=viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m),  # as simulate reads it
    )
    epi = response.grid.z_centers_m < geometry.junction_depth_m
    tightening = sim.tightening_percent(float(collagen.tightening_percent))
    depth = collagen.coagulated_depth_range_um
    summary = {
        "peak_epidermis_temperature_C": float(damage.readout_peak_temperature_K[:, epi].max() - CELSIUS_K),
        "denaturation_depth_um": None if depth is None else [float(depth[0]), float(depth[1])],
        "denatured_volume_mm3": float(collagen.denatured_volume_mm3),
        # the dermal read-outs by simulate's rule (QA10 #12, #3): the pooled peak, the band beyond the Monte Carlo
        # error, 0.0 depths without a crater
        **dermal_readout(sim, response, damage, passes=n),
        # simulate's issue-9 keys of a linear run by its rule (session 13): the pooled peak anywhere, the collagen
        # coagulation depth on the axis, 0.0 crater depths (and a fractional laser's MTZ keys)
        **surface_readout(sim, response, damage, passes=n),
        # the healing dose's band: the central 90 % of the injured volume, not gated (a band, not a verdict;
        # planning.sessions.session_dose_from_summary reads it before dermal_injury_depth_um)
        "dermal_injury_band_um": injured_volume_band_um(
            n * damage.omega["henriques"],
            response.grid,
            dermis_top_m=geometry.junction_depth_m,
            dermis_bottom_m=geometry.dermis_bottom_m,
        ),
        "immediate_tightening_percent": float(tightening),
        "epidermal_omega": float(injury.omega_basal),
        "epidermal_injury": injury.grade,
        "pigment_risk": injury.pigment_risk.level,
    }
    summary.update(pigment_risk_keys(sim, response, damage, injury))
    # the epidermal grade by simulate's rule: at the upper Monte Carlo bound of the basal Omega, the grade established
    # beyond the error beside it (before, the plan graded from the nominal read-out)
    summary.update(epidermal_grade_keys(sim, response, damage, injury))
    return summary


def finalise(
    result: SettingResult, anesthetic: str, counter: Counter, *, thermal_model_rule: bool = True
) -> SettingResult:
    """Full evaluation at the chosen energy (passes applied), anaesthetic choice, margin curve.

    ``thermal_model_rule=False`` (the benefit screen's bound, :func:`benefit_bound_setting`): the linear read-outs
    stand even above the onset of vaporisation (the linear model has no latent heat, so it overstates the heat
    dose there: a bound), and a fractional laser's 3-D array is not run."""
    sim, response, laser = result.simulation, result.response, result.laser
    energy = result.read_energy_J
    fast = FastEvaluator(response, counter, **_pain_area(sim, laser))
    chosen = lightest_anesthetic(lambda a: fast.pain(energy, a)) if anesthetic == "auto" else anesthetic
    result.anesthetic = chosen
    spot_radius = sim.collagen_readout_radius_m(response.grid)  # the one read-out radius rule (QA14 #5)
    outcome = response.evaluate(
        energy, spot_radius_m=spot_radius, anesthetic=chosen, pain_cell_area_m2=_pain_area(sim, laser)["cell_area_m2"]
    )
    counter.evaluations += 1
    n = result.passes
    fluence = energy / laser.beam_area_m2
    from laserskin.treatment.devices import load_device

    result.laser = load_device(result.device).laser(**result.overrides, pulse_energy=f"{energy} J")
    result.summary = {
        **damage_readout(result, outcome),
        "pain_index": float(outcome.pain.index_without_anesthetic),
        "pain_index_with_anesthetic": float(outcome.pain.index_with_anesthetic),
        "boiling": bool(outcome.boiling),
        "pulse_energy_J": float(energy),
        "fluence_J_per_cm2": float(fluence * 1e-4),
    }
    lo, hi = result.energy_range_J
    energies = np.geomspace(lo, hi, 9) if hi > lo else np.array([lo])
    if thermal_model_rule:
        _apply_thermal_model_rule(result, fast.peak_K(energy), energy, counter)
    else:
        result.summary["thermal_model"] = "linear"
        result.summary["thermal_model_reason"] = "benefit screen bound: linear read-outs (an upper bound of the dose)"
    result.curve = {
        "fluence_J_per_cm2": (energies / laser.beam_area_m2 * 1e-4).tolist(),
        "epidermal_omega": [n * fast.basal_omega(e) for e in energies],
        "target_band_um": [fast.band_um(e, n) for e in energies],
        "chosen_fluence_J_per_cm2": float(fluence * 1e-4),
    }
    if laser.is_fractional and thermal_model_rule:  # the array in 3-D: one periodic unit cell at the chosen setting
        from laserskin.planning.fractional_array import fractional_array

        result.summary["fractional_array"] = fractional_array(
            sim.person,
            result.laser,
            sim.cooling,
            passes=n,
            anesthetic=chosen,
            photons=min(sim.settings.photons, 20_000),
            seed=sim.settings.seed,
        ).as_dict()
    result.outcome = outcome
    return result
