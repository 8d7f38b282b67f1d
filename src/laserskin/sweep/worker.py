"""Running one case on a worker: a simulation or a plan, reduced to a result record."""

from __future__ import annotations

import math
import time
from typing import Any

from laserskin.sweep.cases import Case, _planning_api


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
        ``{"status": "ok", "numbers": {...}, "labels": {...}, "fields": {...} | None}`` or
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


def _simulate_case(case: Case, cache_dir: str | None, save_fields: bool) -> dict[str, Any]:
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    result = Simulation.from_scenario(scenario_from_dict(case.inputs), cache_dir=cache_dir).run()
    summary = result.summary
    labels = {k: v for k, v in summary.items() if isinstance(v, str)}
    fields = None
    if save_fields:
        fields = {name: result.dataset[name].values for name in ("peak_temperature",)}
    return {"numbers": flatten_numbers(summary), "labels": labels, "fields": fields}


def _plan_case(case: Case, cache_dir: str | None) -> dict[str, Any]:
    request_cls, function = _planning_api()
    request = request_cls.model_validate(case.inputs)
    plan = function(request, cache_dir=cache_dir)
    data = plan.to_dict()
    labels = {k: v for k, v in data.items() if isinstance(v, str)}
    numbers = flatten_numbers({k: v for k, v in data.items() if k not in ("settings",)})
    numbers.update(flatten_numbers(data.get("settings") or {}, "settings_"))
    return {"numbers": numbers, "labels": labels, "fields": None}
