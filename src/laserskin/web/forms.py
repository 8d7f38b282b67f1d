"""The HTML forms: their fields, typed parsing of what was typed, and errors mapped onto fields.

Everything is validated with the same models as the JSON API and the CLI
(:class:`laserskin.planning.PlanRequest`, :class:`laserskin.pipeline.scenario.Scenario`) plus the
server limits of :mod:`laserskin.web.limits`, before a job is created.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from laserskin.core.errors import InputError
from laserskin.report import INPUT_ROWS

__all__ = [
    "MAX_FIELD_CHARS",
    "PLAN_FORM_FIELDS",
    "SIM_FORM_FIELDS",
    "SIM_PREFIXES",
    "clean",
    "field_errors",
    "hint_pulse_energy",
    "number_or_text",
    "plan_data_from_form",
    "scenario_from_simulate_form",
    "server_limit_errors",
]

#: The plan form: the request fields the report echoes (one list), then the Monte Carlo settings.
PLAN_FORM_FIELDS = (*INPUT_ROWS, "photons", "seed")
SIM_FORM_FIELDS = (
    "age",
    "sex",
    "fitzpatrick",
    "site",
    "sun_exposure",
    "laxity",
    "device",
    "fluence",
    "pulse_energy",
    "pulse_duration",
    "spot_diameter",
    "cooling",
    "passes",
    "photons",
    "seed",
)
SIM_PREFIXES = {
    "transport.photons": "photons",
    "transport.seed": "seed",
    "laser.device": "device",
    "protocol.passes": "passes",
    "cooling": "cooling",
    "laser.pulses": "passes",
}
NUMERIC_PLAN_FIELDS = (
    "age",
    "sun_exposure",
    "laxity",
    "max_sessions",
    "photons",
    "seed",
    "max_downtime_days",
    "max_session_minutes",
    "max_fraction_of_blister",
)
MAX_FIELD_CHARS = 200
"""Longest value accepted in one form field (longer: an error on that field, nothing parsed)."""


def field_errors(error: Exception, fields: tuple[str, ...], prefixes: dict[str, str] | None = None) -> dict[str, str]:
    """Map a validation error onto form fields (unknown locations go under ``_form``)."""
    errors: dict[str, str] = {}
    prefixes = prefixes or {}
    if isinstance(error, ValidationError):
        error = InputError.from_validation(error)  # one reading of pydantic's errors (union tags dropped)
    if isinstance(error, InputError):
        items = []
        for line in str(error).splitlines():
            parts = line.split(": ")
            location = next(
                (".".join(parts[: i + 1]) for i in range(len(parts) - 2, -1, -1) if parts[i].split(".")[-1] in fields),
                parts[0] if len(parts) > 1 else "",
            )
            items.append((location, parts[-1] if len(parts) > 1 else line))
    else:
        items = [("", str(error))]
    for location, message in items:
        message = message[:300]
        target = prefixes.get(location, location)
        name = next((f for f in fields if target == f or target.endswith("." + f)), None) or next(
            (f for f in fields if target.startswith(f + ".")), "_form"
        )
        errors.setdefault(name, message if name != "_form" else f"{location}: {message}")
    return errors


def server_limit_errors(problems: list, prefixes: dict[str, str] | None = None) -> dict[str, str]:
    """Form errors of the values over the server's limits (:func:`laserskin.web.limits.input_limit_problems`),
    worded as the other limit errors: ``"at most 5 on this server (got 100)"``."""
    prefixes = prefixes or {}
    return {prefixes.get(field, field): f"{allowed} (got {value})" for field, value, allowed in problems}


def hint_pulse_energy(errors: dict[str, str]) -> dict[str, str]:
    """``errors`` with a pointer to the pulse-energy field where an energy was typed as the fluence (QA4 #32:
    fractional devices are set in mJ per micro-beam)."""
    message = errors.get("fluence", "")
    if ", an energy;" in message:
        return {**errors, "fluence": f"{message} (an energy per pulse or per micro-beam goes in Pulse energy)"}
    return errors


def clean(form: dict[str, Any]) -> dict[str, Any]:
    """Drop empty fields."""
    return {k: v for k, v in form.items() if v is not None and not (isinstance(v, str) and v.strip() == "")}


def too_long(form: dict[str, Any]) -> dict[str, str]:
    """Errors for fields longer than :data:`MAX_FIELD_CHARS` characters."""
    return {
        k: f"at most {MAX_FIELD_CHARS} characters (got {len(v)})"
        for k, v in form.items()
        if isinstance(v, str) and len(v) > MAX_FIELD_CHARS
    }


def number_or_text(value):
    """``"12"`` → 12, ``"1.5"`` → 1.5, anything else (``"1e400"``, ``"nan"``, ``"55 year"``) as text
    for the model to judge: non-finite numbers never reach a model as floats."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) > 30:
        return text
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def plan_data_from_form(form: dict[str, Any], devices: list[str]) -> dict[str, Any]:
    """The PlanRequest dict of the planner form."""
    data = {k: number_or_text(v) if k in NUMERIC_PLAN_FIELDS else v for k, v in clean(form).items() if k != "devices"}
    if devices:
        data["devices"] = devices
    return data


def scenario_from_simulate_form(form: dict[str, Any]) -> dict[str, Any]:
    """The Scenario dict of the simulate form (strings with units, as typed)."""
    form = clean(form)
    person = {
        k: number_or_text(form[k]) for k in ("age", "sex", "fitzpatrick", "site", "sun_exposure", "laxity") if k in form
    }
    laser = {"device": form.get("device", "")}
    for key in ("fluence", "pulse_energy", "pulse_duration", "spot_diameter"):
        if key in form:
            laser[key] = form[key]
    data: dict[str, Any] = {
        "person": person,
        "laser": laser,
        "transport": {
            "photons": number_or_text(form.get("photons", "20000")),
            "seed": number_or_text(form.get("seed", "1")),
        },
        "grid": {"nr": 60},
        "heat": {"relaxation": "1 s"},
    }
    if form.get("cooling") and form["cooling"] != "device default":
        data["cooling"] = {"kind": form["cooling"]}
    if "passes" in form:
        data["protocol"] = {"passes": number_or_text(form["passes"])}
    return data
