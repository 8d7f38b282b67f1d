"""Server limits and the one cost estimate they are checked against, before any work starts.

A request is priced from its typed inputs alone (no grid is built, no array allocated):

* ``cells``   = radial cells × depth cells, the depth cells counted analytically from the
  graded-grid rule of :meth:`laserskin.grid.RZGrid.graded` (fine cells, geometric growth, one
  refinement per layer interface);
* ``heat_steps`` ≈ 20 steps per pulse + the step ladder of every relaxation gap (steps double
  every 3 steps from the first step up to ``max_step``), as :func:`laserskin.thermal.solve_bioheat`
  plans them;
* ``history_bytes`` = 2 heat runs × (steps + 1) × cells × 8 B (the temperature history kept for
  the damage read-outs) — the memory that grows without bound on an absurd grid;
* ``photons`` × wavelengths of the Monte Carlo runs.

Every problem is ``(field, value, allowed)`` and becomes one 422 naming the field.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "RESTATED_ONLY",
    "SERVER_LIMITED",
    "Cost",
    "FieldLimit",
    "WebSettings",
    "available_threads",
    "broadband_photons_problem",
    "field_limits",
    "input_limit_problems",
    "plan_limit_problem",
    "scenario_cost",
    "scenario_limit_problem",
    "server_range",
    "with_server_ranges",
]

STEPS_PER_PULSE = 20
STEPS_PER_LEVEL = 3
FIRST_STEP_S = 1e-4


@dataclass(frozen=True)
class WebSettings:
    """Limits and capacity of one server.

    Attributes
    ----------
    max_photons : int
        Largest Monte Carlo photon count per transport run (× wavelengths).
    max_nr : int
        Largest radial cell count of a simulation grid.
    max_cells : int
        Largest grid (radial × depth cells). 56 000: a simulation holds the LU factors of all its step sizes while it
        runs, so its address space grows with the cells: 55 400 cells (cooltouch_1320, cryogen) peak at 7.7 GB and fit
        ``job_memory_bytes``; 74 800 cells peak at 9.8 GB and failed under it (session 10; 80 000 before).
    max_heat_steps : int
        Largest number of heat-solver steps of one simulation (estimate).
    max_history_bytes : int
        Largest temperature history kept in memory (2 runs × steps × cells × 8 B).
    max_pulses : int
        Most pulses at one spot over all passes.
    max_store_times : int
        Most ``heat.store_times``.
    max_relaxation_s : float
        Longest heat relaxation after the last pulse (s).
    max_passes : int
        Most passes per simulated session.
    max_threads : int
        Most Monte Carlo threads a request may ask for.
    job_workers : int
        Jobs computed at once (one worker process each).
    max_queued_jobs : int
        Jobs waiting for a worker; more get a 503 with ``Retry-After``.
    max_body_bytes : int
        Largest request body; more get a 413.
    job_memory_bytes : int
        Address-space limit of a worker process (0 = none): a job over it fails alone. 8 GiB: a plan (one device at
        a time under it) peaks at 4.7-5.7 GB of address space and fits 5 GiB (``PLAN_SERIAL_ADDRESS_BYTES`` in
        laserskin.planning.optimise), but a simulation on a large grid holds the LU factors of all its step sizes
        while it runs (~3.6 kB of address space per cell each): 55 400 cells (200 x 277, cooltouch_1320 with
        cryogen) peak at 7.7 GB and fail under 6 GiB.
    max_cache_bytes : int
        Transport cache in the data folder; the least recently used entries go first.
    max_jobs_kept : int
        Finished jobs kept on disk; the oldest go first.
    dry_run_s : float or None
        Testing the server machinery (load tests, benchmarks): every job sleeps this long in its
        worker process and writes an empty result instead of computing. ``None`` = compute.
    """

    max_photons: int = 200_000
    max_nr: int = 200
    max_cells: int = 56_000
    max_heat_steps: int = 20_000
    max_history_bytes: int = 1 << 30
    max_pulses: int = 200
    max_store_times: int = 50
    max_relaxation_s: float = 5.0
    max_passes: int = 5
    max_threads: int = 4
    job_workers: int = 1
    max_queued_jobs: int = 8
    max_body_bytes: int = 1 << 20
    job_memory_bytes: int = 8 << 30
    max_cache_bytes: int = 512 << 20
    max_jobs_kept: int = 200
    dry_run_s: float | None = None


@dataclass(frozen=True)
class Cost:
    """Estimated size of one simulation (see the module docstring)."""

    nr: int
    nz: int
    cells: int
    pulses: int
    heat_steps: int
    history_bytes: int
    photons: int
    wavelengths: int = 1


def _segment_cells(length: float, dz_fine: float, dz_max: float, growth: float, fine_length: float) -> float:
    """Number of cells :func:`laserskin.grid._growing_sizes` makes, counted without a loop."""
    if length <= 0:
        return 0.0
    fine = min(max(fine_length, 0.0), length)
    cells = math.ceil(fine / dz_fine) if fine > 0 else 0
    rest = length - fine
    if rest <= 0:
        return float(max(cells, 1))
    if growth <= 1.0 + 1e-12 or dz_max <= dz_fine:
        return cells + math.ceil(rest / dz_fine) if growth <= 1.0 + 1e-12 else cells + math.ceil(rest / dz_max)
    ramp = math.ceil(math.log(dz_max / dz_fine) / math.log(growth))  # cells until dz_max
    ramp_length = dz_fine * (growth ** (ramp + 1) - growth) / (growth - 1.0)
    if ramp_length >= rest:
        n = math.log(1.0 + rest * (growth - 1.0) / (dz_fine * growth)) / math.log(growth)
        return cells + math.ceil(n)
    return cells + ramp + math.ceil((rest - ramp_length) / dz_max)


def estimate_nz(
    z_max_m: float,
    dz_surface_m: float,
    dz_max_m: float,
    growth: float,
    interfaces_m: list[float],
    fine_depth_m: float,
) -> int:
    """Depth cells of :meth:`RZGrid.graded` with these arguments (estimate within a few cells)."""
    anchors = sorted({0.0, z_max_m, *[z for z in interfaces_m if 0.0 < z < z_max_m]})
    total = 0.0
    for top, bottom in itertools.pairwise(anchors):
        length = bottom - top
        fine_length = max(fine_depth_m - top, 0.0)
        if bottom < z_max_m:
            total += _segment_cells(length / 2, dz_surface_m, dz_max_m, growth, fine_length)
            total += _segment_cells(
                length / 2,
                dz_surface_m,
                dz_max_m,
                growth,
                length / 2 if bottom <= fine_depth_m else 0,
            )
        else:
            total += _segment_cells(length, dz_surface_m, dz_max_m, growth, fine_length)
        if total > 1e12:
            break
    return int(min(total, 1e15))


def _heat_steps(starts, ends, t_end: float, max_step_s: float | None) -> int:
    """Steps of the heat solver: uniform steps in each pulse, a doubling ladder in each gap."""
    import numpy as np

    starts, ends = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
    if starts.size == 0:
        return 1
    durations = np.maximum(ends - starts, 1e-12)
    pulse_dt = float(durations.min()) / STEPS_PER_PULSE
    max_step = math.inf if max_step_s is None else float(max_step_s)
    first = max(min(pulse_dt, FIRST_STEP_S, max_step, t_end / 10.0), 1e-15)
    steps = STEPS_PER_PULSE * starts.size
    if max_step < pulse_dt:
        steps += float(np.sum(durations)) / max_step
    gaps = np.append(starts[1:] - ends[:-1], t_end - ends[-1])
    gaps = gaps[gaps > 0]
    if gaps.size:
        ladder_top = min(max_step, float(gaps.max()))
        levels = max(0.0, math.log2(ladder_top / first))
        ladder_time = first * STEPS_PER_LEVEL * (2.0 ** (levels + 1) - 1.0)  # time the full ladder covers
        for gap in gaps:
            if gap <= ladder_time or not math.isfinite(max_step):
                steps += STEPS_PER_LEVEL * (math.log2(max(gap / first, 1.0)) + 1.0)
            else:
                steps += STEPS_PER_LEVEL * (levels + 1.0) + (gap - ladder_time) / max_step
            if steps > 1e12:
                break
    return int(min(steps, 1e15))


def scenario_cost(scenario) -> Cost:
    """Price a :class:`laserskin.pipeline.scenario.Scenario` (a person or explicit layers) without running it.

    Raises
    ------
    InputError
        From building the models (bad person, laser, protocol or cooling).
    """
    from laserskin.pipeline.scenario import default_extent
    from laserskin.pipeline.simulation import Simulation

    simulation = Simulation.from_scenario(scenario, progress=None)  # priced, not run
    spec = simulation.settings.grid
    stacks = simulation._stacks()
    stack = stacks[0][1]
    _, z_max, interfaces = default_extent(stack, simulation.beam().outer_radius_m, spec)  # the grid's own rule
    nr = spec.nr or 100
    dz_max = max(spec.dz_max_m, spec.dz_surface_m)
    nz = estimate_nz(z_max, spec.dz_surface_m, dz_max, spec.growth, interfaces, min(z_max, 150e-6))
    n_pulses = simulation.protocol.effective_pulses_per_spot(simulation.laser) * simulation.protocol.passes
    if n_pulses <= 10_000:
        starts, ends, _ = simulation.pulse_schedule()
        t_end = float(ends.max()) + simulation.settings.relaxation_s
        steps = _heat_steps(starts, ends, t_end, simulation.settings.max_step_s)
    else:
        steps = STEPS_PER_PULSE * n_pulses
    cells = nr * nz
    return Cost(
        nr=nr,
        nz=nz,
        cells=cells,
        pulses=n_pulses,
        heat_steps=steps,
        history_bytes=2 * (steps + 1) * cells * 8,
        photons=simulation.settings.photons * len(stacks),
        wavelengths=len(stacks),
    )


def _bytes(n: float) -> str:
    return f"{n / 2**30:.3g} GiB" if n >= 2**30 else f"{n / 2**20:.3g} MiB"


def scenario_limit_problem(scenario, settings: WebSettings) -> tuple[str, Any, str] | None:
    """``(field, value, allowed)`` of the first scenario value over the server's limits.

    Cheap fields are checked first; then the cost estimate (which validates the person, laser,
    protocol and cooling tables and may raise :class:`laserskin.core.errors.InputError`).
    """
    transport, heat, grid = scenario.transport, scenario.heat, scenario.grid
    if transport.photons > settings.max_photons:
        return "transport.photons", transport.photons, _allowed("scenario", "transport.photons", settings)
    if grid.nr is not None and grid.nr > settings.max_nr:
        return "grid.nr", grid.nr, _allowed("scenario", "grid.nr", settings)
    if heat.relaxation_s > settings.max_relaxation_s:
        from laserskin.core.units import TypedQuantity

        # as typed, with its value in the message's unit where typed in another ("'2 h' (7200 s)"): the schema's
        # messages' one rule, TypedQuantity.echo (QA14 #3: this path quoted the text alone)
        relaxation = heat.relaxation_s
        value = relaxation.echo("s") if isinstance(relaxation, TypedQuantity) else f"{relaxation:g} s"
        return "heat.relaxation", value, _allowed("scenario", "heat.relaxation", settings)
    if len(heat.store_times_s) > settings.max_store_times:
        return (
            "heat.store_times",
            f"{len(heat.store_times_s)} times",
            f"at most {settings.max_store_times} times on this server",
        )
    if transport.threads is not None and transport.threads > available_threads(settings):
        return "transport.threads", transport.threads, _allowed("scenario", "transport.threads", settings)
    if scenario.person is None and scenario.layers is None:
        return "person", None, "a [person] table or explicit [[layers]] with optics and thermal properties"
    protocol = scenario.protocol
    passes = protocol.passes if protocol is not None else 1
    if passes > settings.max_passes:
        return "protocol.passes", passes, _allowed("scenario", "protocol.passes", settings)
    cost = scenario_cost(scenario)
    if cost.pulses > settings.max_pulses:
        per_spot = getattr(protocol, "pulses_per_spot", None)
        field = "protocol.pulses_per_spot" if per_spot is not None else "laser.pulses"
        return (
            field,
            f"{cost.pulses} pulses per spot over all passes",
            f"at most {settings.max_pulses} pulses per spot over all passes on this server",
        )
    if cost.photons > settings.max_photons:  # a broadband source: one transport run per wavelength
        return broadband_photons_problem(scenario, cost, settings)
    if cost.cells > settings.max_cells:
        return (
            "grid",
            f"{cost.nr} × {cost.nz} = {cost.cells} cells (z_max, dz_surface, dz_max, growth)",
            f"at most {settings.max_cells} cells on this server",
        )
    if cost.heat_steps > settings.max_heat_steps:
        return (
            "heat.max_step",
            f"about {cost.heat_steps} heat steps",
            (
                f"at most {settings.max_heat_steps} steps on this server (a larger max_step, fewer pulses "
                "or a shorter relaxation)"
            ),
        )
    if cost.history_bytes > settings.max_history_bytes:
        return (
            "grid",
            (f"{_bytes(cost.history_bytes)} of temperature history ({cost.cells} cells × {cost.heat_steps} steps)"),
            f"at most {_bytes(settings.max_history_bytes)} on this server",
        )
    return None


def broadband_photons_problem(scenario, cost: Cost, settings: WebSettings) -> tuple[str, Any, str]:
    """``(field, value, allowed)`` of a broadband source whose photons over all its wavelengths exceed the server's
    ``max_photons``.

    Every wavelength is its own transport run, and each run takes the simulation's floor,
    :data:`~laserskin.pipeline.settings.MIN_PHOTONS` (the read-out regions are built from the photons of one run:
    ``Simulation.readout_rings``), so the floor is per wavelength. Where ``max_photons`` over the wavelengths still
    leaves that floor, the photons are refused with the range per wavelength this server takes (``transport.photons:
    ... from 1000 to 28571 per wavelength``); where it does not (``titan_ir``, 6 wavelengths, on a server of 2000
    photons: 333 per wavelength), no photon count can run the source here, and the source itself is refused, naming
    the server's limit and the limit that would run it (session 13: the message read "at most 285", a count that
    the simulation then refused for its floor)."""
    from laserskin.pipeline.settings import MIN_PHOTONS

    waves, photons = cost.wavelengths, scenario.transport.photons
    per_wavelength = settings.max_photons // waves
    if per_wavelength >= MIN_PHOTONS:
        return (
            "transport.photons",
            f"{photons} (× {waves} wavelengths = {cost.photons} photons)",
            (
                f"a whole number from {MIN_PHOTONS} to {per_wavelength} per wavelength for a source of {waves} "
                f"wavelengths on this server ({settings.max_photons} photons over all wavelengths)"
            ),
        )
    laser = scenario.laser
    device = getattr(laser, "device", None)
    field, value = ("laser.device", repr(device)) if device else ("laser.spectrum", f"{waves} lines")
    needed = MIN_PHOTONS * waves
    return (
        field,
        f"{value} ({waves} wavelengths)",
        (
            f"a source this server can simulate: a simulation takes at least {MIN_PHOTONS} photons per wavelength "
            f"({needed} for {waves} wavelengths) and this server at most {settings.max_photons} photons over all "
            f"wavelengths (at most {settings.max_photons // MIN_PHOTONS} wavelengths): a server started with "
            f"laserskin serve --max-photons {needed} or more runs it"
        ),
    )


def _allowed(kind: str, field: str, settings: WebSettings) -> str:
    """What ``field`` takes on this server (:attr:`FieldLimit.allowed`)."""
    found = field_limits(kind, settings).get(field)
    return found.allowed if found is not None else "a value within the schema's range"


def plan_limit_problem(request, settings: WebSettings) -> tuple[str, Any, str] | None:
    """``(field, value, allowed)`` of the first plan-request value over the server's limits or one
    the planner is certain to refuse (checked here so no job starts for it)."""
    if request.photons > settings.max_photons:
        return "photons", request.photons, _allowed("plan", "photons", settings)
    if request.max_sessions is not None and request.max_sessions < 1:
        return (
            "max_sessions",
            request.max_sessions,
            "at least 1 session (or leave it empty)",
        )
    return None


#: Fields whose server limit (a :class:`WebSettings` attribute) may lie below the schema's upper end, per kind of
#: input: ``"plan"`` (a PlanRequest) or ``"scenario"`` (a Scenario).
SERVER_LIMITED: dict[str, dict[tuple[str, ...], str]] = {
    "plan": {("photons",): "max_photons"},
    "scenario": {
        ("transport", "photons"): "max_photons",
        ("grid", "nr"): "max_nr",
        ("transport", "threads"): "max_threads",
        ("protocol", "passes"): "max_passes",
        ("heat", "relaxation"): "max_relaxation_s",
        # pulses per spot × passes is checked on the cost estimate; these only restate the schema's range
        ("laser", "pulses"): "max_pulses",
        ("protocol", "pulses_per_spot"): "max_pulses",
    },
}
#: Limits that are not a field's own: a value is checked elsewhere, its range only restated (words added).
RESTATED_ONLY: dict[str, str] = {"max_pulses": " per spot over all passes"}


def _floors(kind: str) -> dict[tuple[str, ...], int]:
    """Lower ends above the field's own, per field of ``kind``: the scenario's ``[transport]`` table takes photons
    from 1 (``laserskin transport``), but every scenario the server runs is a coupled simulation, which takes from
    :data:`~laserskin.pipeline.settings.MIN_PHOTONS` (its read-outs pool regions of that many launched photons), so
    the range a form states is the simulation's ("from 1000 to 2000 on this server", not "from 1 to 2000" beside a
    refusal of 500 "from 1000")."""
    if kind != "scenario":
        return {}
    from laserskin.pipeline.settings import MIN_PHOTONS

    return {("transport", "photons"): MIN_PHOTONS}


@dataclass(frozen=True)
class FieldLimit:
    """A field of which this server accepts less than the schema.

    Attributes
    ----------
    schema_range, server_range : str
        The schema's range as its messages word it (``"from 1000 to 10000000"``) and the range this server
        accepts (``"from 1000 to 200000 on this server"``).
    allowed : str
        What the field takes on this server, the schema's words with its range restated
        (``"a whole number from 1000 to 200000 on this server"``).
    limit : float
        The server's upper end (SI for a quantity).
    si_unit : str or None
        SI unit of a quantity field, ``None`` for a plain number.
    checked : bool
        Whether :func:`input_limit_problems` checks a value against ``limit`` (else a check of the whole request
        does: pulses per spot over all passes).
    example : str
        The example of a quantity's messages that lies in this server's range (``"'1 s'"``), or ``""``.
    other_ranges : tuple of str
        Other wordings of the field's range that messages on it restate as ``server_range``: the simulation's
        (``"from 1000 to 10000000000"``) where the server states a floor above the field's own (:func:`_floors`).
    display : str or None
        The unit the range's words are in (the field's display unit), ``None`` for a plain number.
    """

    schema_range: str
    server_range: str
    allowed: str
    limit: float
    si_unit: str | None
    checked: bool = True
    example: str = ""
    other_ranges: tuple[str, ...] = ()
    display: str | None = None

    def echo(self, value: Any) -> str:
        """The ``got`` of a value over this limit: a quantity typed as text as typed, with its value in the unit of
        the range's words where typed in another (``'2 h' (7200 s)``, :meth:`TypedQuantity.echo`, the one rule of
        the schema's messages; QA14 #3), anything else as :func:`~laserskin.core.errors.shown` writes it."""
        from laserskin.core.errors import shown
        from laserskin.core.units import TypedQuantity

        if self.si_unit is not None and isinstance(value, str):
            number = _magnitude(value, self.si_unit)
            if number is not None:
                return TypedQuantity(number, value.strip(), self.si_unit, self.display).echo()
        return shown(value)


@functools.lru_cache(maxsize=16)
def field_limits(kind: str, settings: WebSettings) -> dict[str, FieldLimit]:
    """``{dotted field: FieldLimit}`` of the fields of ``kind`` (``"plan"`` or ``"scenario"``) whose server limit lies
    below the schema's upper end; the bounds are read from the input model, so the words are the schema's own."""
    from laserskin.core.errors import describe_field, field_at, field_range, range_words

    model: type[BaseModel]
    if kind == "plan":
        from laserskin.planning import PlanRequest as model
    else:
        from laserskin.pipeline.scenario import Scenario as model
    limits = {}
    floors = _floors(kind)
    for path, attribute in SERVER_LIMITED[kind].items():
        field = field_at(model, path)
        if field is None:
            continue
        bounds, spec = field_range(field)
        limit = available_threads(settings) if attribute == "max_threads" else getattr(settings, attribute)
        upper = bounds.get("le", bounds.get("lt", math.inf))
        floor = floors.get(path)
        if limit >= upper and floor is None:
            continue  # this server accepts the schema's whole range
        fmt = spec.bound if spec is not None else None
        server = {k: v for k, v in bounds.items() if k not in ("le", "lt")} | {"le": min(limit, upper)}
        other_ranges: tuple[str, ...] = ()
        if floor is not None:  # the simulation's floor, as its refusal words it (SimulationSettings.from_tables)
            server = {k: v for k, v in server.items() if k not in ("ge", "gt")} | {"ge": floor}
            lower = {k: v for k, v in bounds.items() if k not in ("ge", "gt")} | {"ge": floor}
            other_ranges = (range_words(**lower, fmt=fmt),)
        schema_range = range_words(**bounds, fmt=fmt)
        server_range = f"{range_words(**server, fmt=fmt)}{RESTATED_ONLY.get(attribute, '')} on this server"
        described = describe_field(field) or schema_range
        allowed = described.replace(schema_range, server_range) if schema_range in described else server_range
        limits[".".join(path)] = FieldLimit(
            schema_range,
            server_range,
            allowed,
            float(limit),
            spec.si_unit if spec is not None else None,
            checked=attribute not in RESTATED_ONLY,
            example=allowed.partition(" such as ")[2] if spec is not None else "",
            other_ranges=other_ranges,
            display=spec.display if spec is not None else None,
        )
    return limits


def available_threads(settings: WebSettings) -> int:
    """Most Monte Carlo threads a request may ask for: the server's limit, or the cores numba may use where
    fewer (more fail in the job: "threads: ... from 1 to 2 (cores available to numba)")."""
    import numba

    # numba.config sets its NUMBA_* names at import (globals() from the environment): mypy cannot see them
    return max(1, min(settings.max_threads, int(numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]


def server_range(kind: str, field: str, settings: WebSettings) -> str:
    """The range of ``field`` in words where this server accepts less than the schema
    (``"from 1 to 5 on this server"``), else ``""``."""
    found = field_limits(kind, settings).get(field)
    return found.server_range if found is not None else ""


def with_server_ranges(message: str, field: str, kind: str, settings: WebSettings) -> str:
    """``message`` on ``field`` with the schema's range restated as this server's (QA5 #24 follow-up: photons 10
    read "expected a whole number from 1000 to 10000000" for a server that takes at most 200000)."""
    found = field_limits(kind, settings).get(field)
    if found is None:
        return message
    # the schema's range as a whole ("from 1 to 20", not the start of "from 1 to 200")
    for words in (found.schema_range, *found.other_ranges):
        message = re.sub(re.escape(words) + r"(?![\d.])", lambda _: found.server_range, message)
    if found.other_ranges:  # the range is the simulation's: the schema's note that a simulation takes more goes
        from laserskin.pipeline.settings import SIMULATION_FLOOR

        message = message.replace(f" ({SIMULATION_FLOOR.words})", "")
    example = re.search(r" such as ('[^']*')", message)
    if found.example and example and (_magnitude(example.group(1).strip("'"), found.si_unit) or 0) > found.limit:
        # the schema's example (the typed number with the unit, "'10 s'") is outside this server's range
        message = message[: example.start(1)] + found.example + message[example.end(1) :]
    return message


def _magnitude(value: Any, si_unit: str | None) -> float | None:
    """The number ``value`` stands for (a quantity in ``si_unit``), or ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if si_unit is not None:
        from laserskin.core.units import to_si

        try:  # a bare number is refused, as the schema does: its message says so (and gets the server's range)
            number = to_si(value, si_unit, field="value")
        except Exception:  # not a quantity: the schema says what is wrong with it
            return None
    elif isinstance(value, str) and len(value) > 40:  # not read: a number is never that long
        return None
    else:
        from laserskin.core.models import bare_number

        return bare_number(value)
    return number if math.isfinite(number) else None


def input_limit_problems(data: Any, kind: str, settings: WebSettings) -> list[tuple[str, Any, str]]:
    """``(field, value, allowed)`` of every value of the raw input ``data`` (a dict as sent, before the
    schema) that is over the server's limit (QA5 #24); ``allowed`` states the whole range this server accepts.

    The schema's range is wider than a server's (e.g. passes 1-20, 5 on this server): a value over both
    would otherwise be answered with the schema's range, and the message would depend on which bound fires.
    The form and API handlers put these messages in place of the schema's for the same fields, and restate the
    schema's range in its other messages on those fields (:func:`with_server_ranges`).
    """
    problems = []
    for field, limit in field_limits(kind, settings).items():
        if not limit.checked:
            continue
        value = data
        for key in field.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        number = _magnitude(value, limit.si_unit)
        if number is not None and number > limit.limit:
            problems.append((field, value, limit.allowed))
    return problems
