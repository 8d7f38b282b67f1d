"""From a case's nested result (a simulation summary or a plan) to typed, described variables.

Rules (so a sweep's ``sweep.nc`` is ready for analysis):

* numbers stay numbers, booleans stay booleans, strings become text variables;
  ``None`` is a missing value (NaN, or the fill of the variable's kind); a field the result's type
  declares as text (``referral: str | None``, :func:`text_fields`) is text even where it is
  ``None`` (``""``), so ``referral`` is a string variable in every case file and in ``sweep.nc``
  also when nobody was referred;
* a list of 3 numbers is a ``band`` (low, mid, high: the planner's 5th percentile,
  median and 95th percentile), a list of 2 a ``range`` (low, high);
* the lists of a table whose key ends in ``_curve`` share one dimension
  ``<key>_point`` (e.g. ``margin_curve_point``); any other list of numbers gets its own
  ``<name>_index`` dimension;
* lists of strings become one text variable (joined with ``"; "``), lists of tables one
  text variable holding their JSON, so nothing is dropped;
* nested tables are flattened into names joined with ``_`` (``risks_pigment_risk``).

Every variable gets ``units`` (from the unit suffix of its name: ``_C`` → ``degC``,
``_J_per_cm2`` → ``J/cm^2``, ``_um`` → ``um``; ``1`` for dimensionless numbers, flags and
text) and a ``long_name``.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

#: Top-level keys of a result that are kept in the attributes, not as variables.
SKIPPED_KEYS = frozenset({"inputs", "version"})
BAND = ("band", ("low", "mid", "high"))
RANGE = ("range", ("low", "high"))
DIMENSION_LONG_NAMES = {
    "band": "uncertainty band: low = 5th percentile, mid = median, high = 95th percentile",
    "range": "range: low and high end",
}

# unit suffix of a name (longest first) -> UDUNITS-style unit
_SUFFIX_UNITS = [
    ("_J_per_cm2", "J/cm^2"),
    ("_J_per_m2", "J/m^2"),
    ("_W_per_mK", "W/(m K)"),
    ("_percent", "%"),
    ("_minutes", "min"),
    ("_weeks", "week"),
    ("_days", "day"),
    ("_years", "year"),
    ("_mm3", "mm^3"),
    ("_mJ", "mJ"),
    ("_ms", "ms"),
    ("_mm", "mm"),
    ("_um", "um"),
    ("_nm", "nm"),
    ("_Hz", "Hz"),
    ("_C", "degC"),
    ("_K", "K"),
    ("_J", "J"),
    ("_s", "s"),
    ("_m", "m"),
]
_WORD_UNITS = {"min", "week", "day", "year", "%"}
_LONG_NAMES = {
    "epidermal_omega": "epidermal damage integral Omega (Henriques; 1 = onset of necrosis)",
    "pain_index": "pain index (0-10)",
    "pain_index_with_anesthetic": "pain index with anaesthetic (0-10)",
    "pain_index_without_anesthetic": "pain index without anaesthetic (0-10)",
    "eligible": "eligible for treatment (false: referred)",
    "boiling": "tissue water reached boiling",
    "seed": "Monte Carlo seed",
    "photons": "Monte Carlo photons",
    "succeeded": "the case has a result",
}


@dataclass(frozen=True)
class CaseVariable:
    """One variable of one case: dimensions, value, kind (number, bool, text) and description."""

    dims: tuple[str, ...]
    value: Any
    kind: str
    units: str
    long_name: str


def describe(name: str) -> tuple[str, str]:
    """``(units, long_name)`` of a variable from its name."""
    units = "1"
    stem = name
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            units, stem = unit, name[: -len(suffix)]
            break
    if units in _WORD_UNITS:  # "session_minutes": the unit word is part of the meaning
        stem = name
    long_name = _LONG_NAMES.get(name) or stem.replace("_", " ")
    if name.endswith("_omega") and name not in _LONG_NAMES:
        long_name = f"{stem.replace('_', ' ')} (Henriques damage integral; 1 = onset of necrosis)"
    return units, long_name


def _has_unit_suffix(key: str) -> bool:
    return any(key.endswith(suffix) for suffix, _ in _SUFFIX_UNITS)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: Text members of the plan's untyped tables (``risks`` is a plain dict): ``None`` there is missing text.
_PLAN_TABLE_TEXT = frozenset(
    {"risks_referral_reason", "risks_indication", "risks_epidermal_injury", "risks_pigment_risk"}
)


def _is_text(annotation: Any) -> bool:
    """True for ``str``, a ``Literal`` of strings, or either ``| None``."""
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return bool(args) and all(isinstance(a, str) for a in args)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        return bool(members) and all(_is_text(a) for a in members)
    return False


@cache
def text_fields(case_kind: str) -> frozenset[str]:
    """Names of the variables a case of this kind (``simulate`` or ``plan``) declares as text.

    Read from the result types' annotations, so a field that is ``None`` in every case still
    becomes a text variable: :class:`~laserskin.pipeline.summary.SimulationSummary` (the
    simulation summary, and a plan's ``summary_*``) and
    :class:`~laserskin.planning.plan.TreatmentPlan` (``referral``, ``infeasible_request``, ...),
    plus the text members of a plan's ``risks`` table.
    """
    from laserskin.pipeline.summary import SimulationSummary

    summary = {name for name, info in SimulationSummary.model_fields.items() if _is_text(info.annotation)}
    if case_kind == "simulate":
        return frozenset(summary)
    from laserskin.planning.plan import TreatmentPlan

    hints = typing.get_type_hints(TreatmentPlan)
    plan = {name for name, hint in hints.items() if _is_text(hint)}
    return frozenset(plan | {f"summary_{name}" for name in summary} | _PLAN_TABLE_TEXT)


def case_variables(
    data: dict[str, Any],
    prefix: str = "",
    curve_dim: str | None = None,
    parent_units: str = "1",
    text: frozenset[str] = frozenset(),
) -> dict[str, CaseVariable]:
    """The typed variables of one case's nested result (see the module docstring).

    A table whose name carries a unit (``improvement_percent = {month_6 = [...]}``) passes
    it to its members that carry none. ``text`` names the variables declared as text
    (:func:`text_fields`): their ``None`` is ``""``, a text variable.
    """
    out: dict[str, CaseVariable] = {}
    for key, value in data.items():
        if not prefix and key in SKIPPED_KEYS:
            continue
        name = f"{prefix}{key}"
        units, long_name = describe(name)
        if units == "1" and not _has_unit_suffix(key):
            units = parent_units
        if isinstance(value, dict):
            curve = f"{name}_point" if key.endswith("_curve") else None
            out.update(case_variables(value, f"{name}_", curve, units, text))
            continue
        if isinstance(value, bool):
            out[name] = CaseVariable((), value, "bool", "1", long_name)
        elif _is_number(value):
            out[name] = CaseVariable((), float(value), "number", units, long_name)
        elif value is None and name in text:
            out[name] = CaseVariable((), "", "text", "1", long_name)
        elif value is None:
            out[name] = CaseVariable((), math.nan, "missing", units, long_name)
        elif isinstance(value, str):
            out[name] = CaseVariable((), value, "text", "1", long_name)
        elif isinstance(value, list | tuple) and value and all(_is_number(v) for v in value):
            if curve_dim is not None:
                dim = curve_dim
            elif len(value) in (2, 3):
                dim = (RANGE if len(value) == 2 else BAND)[0]
            else:
                dim = f"{name}_index"
            out[name] = CaseVariable((dim,), [float(v) for v in value], "number", units, long_name)
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            out[name] = CaseVariable((), "; ".join(value), "text", "1", long_name)
        else:
            out[name] = CaseVariable(
                (), json.dumps(value, sort_keys=True, default=str), "text", "1", f"{long_name} (JSON)"
            )
    return out


def dimension_labels(dim: str) -> tuple[str, ...] | None:
    """Coordinate labels of a fixed dimension (``band``, ``range``), else None."""
    return {BAND[0]: BAND[1], RANGE[0]: RANGE[1]}.get(dim)


def safe_name(name: str) -> str:
    """A NetCDF-safe variable name."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name)
