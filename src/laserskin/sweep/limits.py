"""Bounds on the size of a sweep, checked before any case runs or anything is written."""

from __future__ import annotations

#: Most cases in one sweep (population × axis values).
MAX_CASES = 100_000
#: Most values along one axis.
MAX_AXIS_VALUES = 1_000
#: Most axes.
MAX_AXES = 16
