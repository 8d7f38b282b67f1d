"""The HTML forms: their fields, typed parsing of what was typed, and errors mapped onto fields.

Everything is validated with the same models as the JSON API and the CLI
(:class:`laserskin.planning.PlanRequest`, :class:`laserskin.pipeline.scenario.Scenario`) plus the
server limits of :mod:`laserskin.web.limits`, before a job is created.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from laserskin.core.errors import InputError, key_terms, name_controls
from laserskin.core.models import number_from_text
from laserskin.report import INPUT_ROWS
from laserskin.report.labels import CHOICES, choice, label, unit

__all__ = [
    "MAX_FIELD_CHARS",
    "PLAN_FORM_FIELDS",
    "SIM_FORM_FIELDS",
    "SIM_PREFIXES",
    "LABEL_KEYS",
    "clean",
    "field_errors",
    "form_label",
    "form_unit",
    "form_unit_help",
    "hint_pulse_energy",
    "in_form_terms",
    "read_in_label_unit",
    "restate_server_ranges",
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
#: Form field -> key of its label in :data:`laserskin.report.labels.LABELS` where the two differ (every other
#: field is labelled by its own name). The label's unit is the unit of a bare number typed in the field.
LABEL_KEYS = {
    "fluence": "fluence_J_per_cm2",
    "pulse_energy": "pulse_energy_mJ",
    "pulse_duration": "pulse_duration_ms",
    "spot_diameter": "spot_diameter_mm",
}
#: How a unit printed in a label is typed for :mod:`laserskin.core.units`.
_TYPED_UNIT = str.maketrans({"²": "^2", "³": "^3", "µ": "u", "°": "deg"})
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
            at = next((i for i in range(len(parts) - 2, -1, -1) if parts[i].split(".")[-1] in fields), 0)
            if len(parts) < 2:
                items.append(("", line))
            else:  # the message is all after the location, ": " inside it included ("expected names from: ...")
                items.append((".".join(parts[: at + 1]), ": ".join(parts[at + 1 :])))
    else:
        items = [("", str(error))]
    for location, message in items:
        # the form's labels, not the CLI's options: "“Goal”: “Resurface (…)”", not "--goal resurface" (QA6 #20)
        message = name_controls(message, in_form_terms)[:300]
        target = prefixes.get(location, location)
        name = next((f for f in fields if target == f or target.endswith("." + f)), None) or next(
            (f for f in fields if target.startswith(f + ".")), "_form"
        )
        errors.setdefault(name, message if name != "_form" else f"{location}: {message}")
    return errors


def server_limit_errors(
    problems: list, kind: str, settings: Any, prefixes: dict[str, str] | None = None
) -> dict[str, str]:
    """Form errors of the values over the server's limits (:func:`laserskin.web.limits.input_limit_problems`),
    worded as every other field error: ``"got 100; expected a whole number from 1 to 5 on this server"``; a quantity
    as typed with its value in the range's unit (``got '2 h' (7200 s)``, :meth:`FieldLimit.echo`, QA14 #3)."""
    from laserskin.web.limits import field_limits

    prefixes = prefixes or {}
    limits = field_limits(kind, settings)
    return {
        prefixes.get(field, field): f"got {limits[field].echo(value)}; expected {allowed}"
        for field, value, allowed in problems
    }


def restate_server_ranges(errors: dict[str, str], kind: str, settings, prefixes: dict[str, str] | None = None):
    """``errors`` with the schema's range of every server-limited field restated as this server's
    (:func:`laserskin.web.limits.with_server_ranges`): photons 10 on the plan form reads "expected a whole number
    from 1000 to 200000 on this server", not the schema's "from 1000 to 10000000"."""
    from laserskin.web.limits import field_limits, with_server_ranges

    prefixes = prefixes or {}
    out = dict(errors)
    for field in field_limits(kind, settings):
        name = prefixes.get(field, field)
        if name in out:
            out[name] = with_server_ranges(out[name], field, kind, settings)
    return out


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


def form_label(name: str) -> str:
    """The label of a form field, ``"Area per session (cm²)"``: the text the page shows next to the field."""
    return label(LABEL_KEYS.get(name, name))


def in_form_terms(key: str, value: str | None) -> str:
    """A control named as the web forms show it (:func:`laserskin.core.errors.name_controls`): a form field by
    its label in quotes, ``“Longest acceptable session (min)”``, with a value as its option reads,
    ``“Goal”: “Resurface (remove the surface layer)”``; a control no form has by the request's key."""
    if key not in PLAN_FORM_FIELDS and key not in SIM_FORM_FIELDS:
        return key_terms(key, value)
    named = f"“{form_label(key)}”"
    if not value:
        return named
    return f"{named}: “{choice(key, value) if key in CHOICES else value}”"


def form_unit(name: str) -> str:
    """The unit the label of a form field states (``"cm²"``), or ``""`` where it states none."""
    return unit(LABEL_KEYS.get(name, name))


def form_unit_help(name: str) -> str:
    """The help text's part on units of a field whose label states one: ``"a number in cm², or with a unit"``."""
    shown = form_unit(name)
    return f"a number in {shown}, or with a unit" if shown else ""


def read_in_label_unit(name: str, value: Any) -> Any:
    """``value`` as the field's label promises (QA6 #7): a bare finite number typed in a field whose label states
    a unit, ``"150"`` under "Area per session (cm²)", is that many of the unit (``"150 cm^2"``); anything else
    (a number with its own unit, text, an unlabelled field) is returned unchanged for the model to judge.

    The forms only: the CLI, scenario files and the JSON API keep refusing bare numbers for dimensional
    quantities (docs/cli.md), since there no label says which unit a number is in."""
    shown = form_unit(name)
    if not shown or not isinstance(value, str) or shown in ("%", "/10"):
        return value
    text = value.strip()
    if not text or len(text) > 30:
        return value
    try:
        number = float(text)
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    return f"{text} {shown.translate(_TYPED_UNIT)}"


def _in_label_units(form: dict[str, Any]) -> dict[str, Any]:
    return {k: read_in_label_unit(k, v) for k, v in form.items()}


def plan_data_from_form(form: dict[str, Any], devices: list[str]) -> dict[str, Any]:
    """The PlanRequest dict of the planner form."""
    form = _in_label_units(clean({k: v for k, v in form.items() if k != "devices"}))
    data = {k: number_from_text(v) if k in NUMERIC_PLAN_FIELDS else v for k, v in form.items()}
    if devices:
        data["devices"] = devices
    return data


def scenario_from_simulate_form(form: dict[str, Any]) -> dict[str, Any]:
    """The Scenario dict of the simulate form (strings with units, as typed; a bare number in the unit of its
    field's label)."""
    form = _in_label_units(clean(form))
    person = {
        k: number_from_text(form[k])
        for k in ("age", "sex", "fitzpatrick", "site", "sun_exposure", "laxity")
        if k in form
    }
    laser = {"device": form.get("device", "")}
    for key in ("fluence", "pulse_energy", "pulse_duration", "spot_diameter"):
        if key in form:
            laser[key] = form[key]
    data: dict[str, Any] = {
        "person": person,
        "laser": laser,
        "transport": {
            "photons": number_from_text(form.get("photons", "20000")),
            "seed": number_from_text(form.get("seed", "1")),
        },
        "grid": {"nr": 60},
        "heat": {"relaxation": "1 s"},
    }
    if form.get("cooling") and form["cooling"] != "device default":
        data["cooling"] = {"kind": form["cooling"]}
    if "passes" in form:
        data["protocol"] = {"passes": number_from_text(form["passes"])}
    return data
