"""Running one case on a worker: a simulation or a plan, reduced to a result record."""

from __future__ import annotations

import math
import time
from typing import Any

from laserskin.sweep.cases import Case, _planning_api, plan_request


def flatten_numbers(data: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a nested summary, keys joined by ``_``.

    Lists of 2 or 3 numbers get ``_low``/``_high`` or ``_low``/``_mid``/``_high``
    suffixes; booleans become 0/1; ``None`` becomes NaN; strings are dropped.
    """
    out: dict[str, float] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            out[name] = float(value)
        elif isinstance(value, int | float):
            out[name] = float(value)
        elif value is None:
            out[name] = math.nan
        elif isinstance(value, dict):
            out.update(flatten_numbers(value, f"{name}_"))
        elif (
            isinstance(value, list | tuple)
            and value
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            suffixes = {2: ("low", "high"), 3: ("low", "mid", "high")}.get(
                len(value), tuple(str(i) for i in range(len(value)))
            )
            for suffix, v in zip(suffixes, value):
                out[f"{name}_{suffix}"] = float(v)
    return out


def run_case(case: Case, cache_dir: str | None = None, save_fields: bool = False) -> dict[str, Any]:
    """Run one case and return a result record; never raises for a failing case.

    Returns
    -------
    dict
        ``{"status": "ok", "data": {...}, "fields": {...} | None}`` (``data``: the nested,
        JSON-ready summary of a simulation or the plan's dictionary) or
        ``{"status": "error", "error_type": ..., "error": message}``.
    """
    started = time.perf_counter()
    try:
        if case.kind == "simulate":
            record = _simulate_case(case, cache_dir, save_fields)
        else:
            record = _plan_case(case, cache_dir)
    except Exception as error:  # a failing case must not stop the sweep
        return {
            "status": "error",
            "error_type": type(error).__name__,
            "error": str(error)[:2000],
            "case": case.index,
            "elapsed_s": time.perf_counter() - started,
        }
    record.update(status="ok", case=case.index, elapsed_s=time.perf_counter() - started)
    return record


def _as_dict(value: Any) -> dict[str, Any]:
    """A summary as a plain dictionary (a dict, or a model/dataclass with ``to_dict``/``model_dump``)."""
    if isinstance(value, dict):
        return value
    for method in ("to_dict", "model_dump"):
        function = getattr(value, method, None)
        if callable(function):
            return function()
    raise TypeError(f"cannot read a summary of type {type(value).__name__}")


def _simulate_case(case: Case, cache_dir: str | None, save_fields: bool) -> dict[str, Any]:
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    scenario = scenario_from_dict(case.inputs)
    result = Simulation.from_scenario(scenario, cache_dir=cache_dir, progress=None).run(
        grid_warning=False
    )  # the sweep draws progress
    fields = None
    if save_fields:
        fields = {name: result.dataset[name].values for name in ("peak_temperature",)}
    return {"data": _jsonable(_as_dict(result.summary)), "fields": fields}


def _plan_case(case: Case, cache_dir: str | None) -> dict[str, Any]:
    function = _planning_api()[1]
    request = plan_request(case)  # a request that fails validation: an InputError naming the case and the field
    plan = function(request, cache_dir=cache_dir, progress=None)  # the sweep draws its own progress
    return {"data": _jsonable(plan.to_dict()), "fields": None}


def _jsonable(value: Any) -> Any:
    """Plain Python containers and scalars (numpy scalars and arrays converted)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalar or array
        return _jsonable(value.tolist())
    return value
