"""Piecewise-constant schedules in time: laser power P(t), surface h(t) and medium temperature T(t).

A :class:`Schedule` holds breakpoints ``t_1 < t_2 < … < t_n`` (s) and ``n + 1`` values:
``values[0]`` holds before ``t_1``, ``values[i]`` on ``[t_i, t_{i+1})`` and ``values[n]``
from ``t_n`` on (right-continuous). The heat solver lands a time step exactly on every
breakpoint, so within a step every schedule is constant.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from laserskin.core.errors import InputError


@dataclass(frozen=True, eq=False)
class Schedule:
    """Right-continuous piecewise-constant function of time.

    Parameters
    ----------
    breakpoints_s : array_like, shape (n,)
        Strictly increasing times in s where the value changes (may be empty).
    values : array_like, shape (n + 1,)
        ``values[0]`` before the first breakpoint, ``values[i]`` from ``breakpoints_s[i-1]``
        to ``breakpoints_s[i]``. Units are those of the quantity scheduled (W, W/(m²·K), K).
    """

    breakpoints_s: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        t = np.atleast_1d(np.asarray(self.breakpoints_s, dtype=np.float64)).ravel()
        v = np.atleast_1d(np.asarray(self.values, dtype=np.float64)).ravel()
        if v.size != t.size + 1:
            raise InputError(
                "schedule.values",
                v.size,
                f"{t.size + 1} values for {t.size} breakpoints",
            )
        if not np.all(np.isfinite(t)):
            raise InputError("schedule.breakpoints_s", "non-finite time", "finite times")
        if not np.all(np.isfinite(v)):
            raise InputError("schedule.values", "non-finite value", "finite values")
        if t.size > 1 and not np.all(np.diff(t) > 0):
            raise InputError(
                "schedule.breakpoints_s",
                "non-increasing times",
                "strictly increasing times",
            )
        t.setflags(write=False)
        v.setflags(write=False)
        object.__setattr__(self, "breakpoints_s", t)
        object.__setattr__(self, "values", v)

    # --- constructors -----------------------------------------------------------------
    @classmethod
    def constant(cls, value: float) -> Schedule:
        """A schedule with the same value at all times."""
        return cls(np.empty(0), np.array([float(value)]))

    @classmethod
    def from_intervals(cls, intervals: Iterable[tuple[float, float, float]], default: float = 0.0) -> Schedule:
        """Build a schedule from ``(start_s, end_s, value)`` intervals over a default value.

        Intervals are half-open ``[start, end)``; where they overlap, later ones win.
        Empty intervals (``end <= start``) are ignored.

        Parameters
        ----------
        intervals : iterable of (float, float, float)
            Start time (s), end time (s) and value on the interval.
        default : float
            Value outside every interval.
        """
        items = [(float(a), float(b), float(v)) for a, b, v in intervals]
        for a, b, v in items:
            if not (np.isfinite(a) and np.isfinite(b) and np.isfinite(v)):
                raise InputError("schedule.intervals", (a, b, v), "finite start, end and value")
        times = sorted({t for a, b, _ in items if b > a for t in (a, b)})
        if not times:
            return cls.constant(default)
        times_arr = np.array(times)
        # value on [times[i], times[i+1]) = last interval covering its midpoint
        mids = 0.5 * (times_arr[:-1] + times_arr[1:])
        seg = np.full(mids.size, float(default))
        for a, b, v in items:
            if b > a:
                seg[(mids >= a) & (mids < b)] = v
        values = np.concatenate([[default], seg, [default]])
        return cls(times_arr, values).simplified()

    @classmethod
    def pulse_train(
        cls,
        start_times_s: Sequence[float] | float,
        durations_s: Sequence[float] | float,
        power_W: Sequence[float] | float,
    ) -> Schedule:
        """Rectangular pulses: power ``power_W`` from each start for its duration, 0 otherwise.

        Parameters
        ----------
        start_times_s : float or sequence of float
            Pulse start times in s (>= 0, increasing).
        durations_s : float or sequence of float
            Pulse durations in s (> 0); a scalar applies to every pulse.
        power_W : float or sequence of float
            Pulse power in W (>= 0); a scalar applies to every pulse.

        Raises
        ------
        InputError
            On negative start times or power, non-positive durations or overlapping pulses.
        """
        starts = np.atleast_1d(np.asarray(start_times_s, dtype=float))
        durations = np.broadcast_to(np.asarray(durations_s, dtype=float), starts.shape)
        powers = np.broadcast_to(np.asarray(power_W, dtype=float), starts.shape)
        if np.any(starts < 0) or not np.all(np.isfinite(starts)):
            raise InputError("pulse_train.start_times_s", starts.tolist(), "finite times >= 0 s")
        if np.any(~(durations > 0)) or not np.all(np.isfinite(durations)):
            raise InputError("pulse_train.durations_s", durations.tolist(), "finite durations > 0 s")
        if np.any(~(powers >= 0)) or not np.all(np.isfinite(powers)):
            raise InputError("pulse_train.power_W", powers.tolist(), "finite powers >= 0 W")
        order = np.argsort(starts)
        ends = starts + durations
        if np.any(starts[order][1:] < ends[order][:-1]):
            raise InputError("pulse_train.start_times_s", starts.tolist(), "non-overlapping pulses")
        return cls.from_intervals(zip(starts, ends, powers), default=0.0)

    # --- queries ----------------------------------------------------------------------
    def value_at(self, time_s: float | np.ndarray) -> float | np.ndarray:
        """Value at ``time_s`` (right-continuous: the value that starts at a breakpoint)."""
        index = np.searchsorted(self.breakpoints_s, time_s, side="right")
        result = self.values[index]
        return float(result) if np.ndim(result) == 0 else result

    def value_on(self, start_s: float, end_s: float) -> float:
        """The value on ``[start_s, end_s)``, an interval with no breakpoint inside."""
        return float(self.value_at(0.5 * (start_s + end_s)))

    def integral(self, start_s: float, end_s: float) -> float:
        """∫ value dt from ``start_s`` to ``end_s`` (e.g. J for a power schedule)."""
        if end_s <= start_s:
            return 0.0
        inner = self.breakpoints_s[(self.breakpoints_s > start_s) & (self.breakpoints_s < end_s)]
        edges = np.concatenate([[start_s], inner, [end_s]])
        mids = 0.5 * (edges[:-1] + edges[1:])
        return float(np.sum(self.value_at(mids) * np.diff(edges)))

    def change_points(self) -> np.ndarray:
        """Breakpoints where the value actually changes, in s."""
        changes = self.values[1:] != self.values[:-1]
        return self.breakpoints_s[changes]

    def simplified(self) -> Schedule:
        """Same function without breakpoints where the value does not change."""
        keep = self.values[1:] != self.values[:-1]
        return Schedule(
            self.breakpoints_s[keep],
            np.concatenate([[self.values[0]], self.values[1:][keep]]),
        )

    def on_intervals(self, start_s: float, end_s: float) -> list[tuple[float, float, float]]:
        """``(start, end, value)`` pieces covering ``[start_s, end_s)``."""
        inner = self.breakpoints_s[(self.breakpoints_s > start_s) & (self.breakpoints_s < end_s)]
        edges = np.concatenate([[start_s], inner, [end_s]])
        return [(float(a), float(b), self.value_on(a, b)) for a, b in itertools.pairwise(edges)]

    def scaled(self, factor: float) -> Schedule:
        """The schedule with every value multiplied by ``factor``."""
        return Schedule(self.breakpoints_s, self.values * float(factor))

    def __repr__(self) -> str:
        return f"Schedule(breakpoints_s={self.breakpoints_s.tolist()}, values={self.values.tolist()})"
