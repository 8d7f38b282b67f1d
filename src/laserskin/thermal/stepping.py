"""Time-step planning and the TR-BDF2 coefficients of the heat solvers.

TR-BDF2 with γ = 2 − √2 (Bank et al. 1985; Hosea & Shampine 1996), written as an ESDIRK
scheme: both stages use the same matrix M + D Δt L with D = γ/2 = 1 − 1/√2, and the last
row of the tableau weighs the first two stages with W = √2/4. Steps land exactly on every
breakpoint of the schedules; see :func:`plan_steps`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from laserskin.core.errors import InputError
from laserskin.thermal.schedule import Schedule

__all__ = ["D_STAGE", "GAMMA", "W_STAGE", "merge_close", "plan_steps", "pulse_runs"]

#: γ of TR-BDF2 (the trapezoidal stage ends at γ Δt).
GAMMA = 2.0 - math.sqrt(2.0)
#: Diagonal coefficient of the ESDIRK form, γ/2 = 1 − 1/√2.
D_STAGE = GAMMA / 2.0
#: Weight of each of the first two stages in the last row of the tableau, √2/4.
W_STAGE = math.sqrt(2.0) / 4.0


def merge_close(times: np.ndarray, t_end: float) -> np.ndarray:
    """Drop landing points closer than ~1e-12 t_end to the previous one (round-off twins).

    ``t_end`` itself is always kept; a dropped twin's sub-femtosecond sliver of schedule
    is absorbed by the neighbouring step.
    """
    tolerance = 1e-12 * t_end
    kept: list[float] = []
    for t in times:
        if kept and t - kept[-1] <= tolerance:
            if t == t_end:
                kept[-1] = t
            continue
        if t <= tolerance:
            continue
        kept.append(float(t))
    return np.array(kept)


def pulse_runs(power: Schedule, t_end: float) -> list[tuple[float, float]]:
    """Contiguous intervals in [0, t_end) where the power is > 0."""
    runs: list[tuple[float, float]] = []
    for a, b, value in power.on_intervals(0.0, t_end):
        if value < 0:
            raise InputError("power", value, "power >= 0 W at all times")
        if value > 0:
            if runs and runs[-1][1] == a:
                runs[-1] = (runs[-1][0], b)
            else:
                runs.append((a, b))
    return runs


def plan_steps(
    t_end: float,
    landings: np.ndarray,
    resets: set[float],
    power: Schedule,
    runs: list[tuple[float, float]],
    steps_per_pulse: int,
    first_step: float,
    max_step: float,
    steps_per_level: int,
) -> list[tuple[float, float]]:
    """List of (t_start, t_end) steps covering [0, t_end], landing on every landing point.

    While the laser is on, steps are uniform with at least ``steps_per_pulse`` per pulse.
    Otherwise step sizes come from one ladder ``first_step * 2**k`` shared by every
    segment (so factorisations are reused across segments and pulses): after each change
    of a schedule the ladder restarts at the bottom (or at the pulse step after a pulse)
    and climbs one rung every ``steps_per_level`` steps; a single shorter step lands each
    segment exactly on its end.
    """
    steps: list[tuple[float, float]] = []
    level = 0
    count = 0
    after_pulse_level = None
    a = 0.0
    for b in landings:
        length = b - a
        if length <= 0:
            continue
        p = power.value_on(a, b)
        if p > 0:
            run = next(r for r in runs if r[0] <= a + 0.5 * length < r[1])
            dt_p = min((run[1] - run[0]) / steps_per_pulse, max_step)
            n = max(1, math.ceil(length / dt_p * (1 - 1e-9)))
            edges = [a + length * i / n for i in range(n)] + [b]
            steps.extend(itertools.pairwise(edges))
            after_pulse_level = max(0, math.floor(math.log2(dt_p / first_step) + 1e-9))
            a = b
            continue
        if a == 0.0 or a in resets:
            level = after_pulse_level if after_pulse_level is not None else 0
            count = 0
        after_pulse_level = None
        t = a
        while True:
            dt = min(first_step * 2.0**level, max_step)
            if t + dt >= b * (1 - 1e-13) - 1e-300 or b - (t + dt) < 1e-9 * dt:
                steps.append((t, b))
                break
            steps.append((t, t + dt))
            t = t + dt
            count += 1
            if count >= steps_per_level:
                level += 1
                count = 0
        a = b
    return steps
