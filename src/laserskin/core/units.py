"""Units at the edges: parse quantities such as ``"10 J/cm^2"`` into SI floats.

Inside laserskin every number is SI and carries its unit in its name
(``thickness_m``, ``mua_per_m``). Config files, the CLI and the web form accept
strings with units, parsed here with :mod:`pint`; output is formatted in the
units clinicians and optics people use (J/cm^2, ms, mm, 1/cm, µm).

Bare numbers are refused for dimensional quantities, because "mua = 10" could
mean 1/cm, 1/mm or 1/m. Fields whose unit is unambiguous by convention (age in
years) declare ``bare_unit`` and then accept plain numbers.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator, PlainSerializer, ValidationInfo, WithJsonSchema

from laserskin.core.errors import InputError

ureg: pint.UnitRegistry = pint.UnitRegistry()
_NUMBER_AND_UNIT = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf)\s+(.*)$")
ureg.define("percent_vol = 0.01 = vol_percent")


@lru_cache(maxsize=256)
def _unit(text: str) -> pint.Unit:
    return ureg.Unit(text)


def to_si(value: Any, si_unit: str, *, field: str, bare_unit: str | None = None, allow_inf: bool = False) -> float:
    """Convert ``value`` to a float in ``si_unit``.

    Parameters
    ----------
    value : str, float, int or pint.Quantity
        ``"10 J/cm^2"``, a pint quantity, or a bare number when ``bare_unit`` is set.
    si_unit : str
        Target SI unit, e.g. ``"J/m^2"``.
    field : str
        Name of the input, used in error messages.
    bare_unit : str, optional
        Unit assumed for bare numbers; when ``None`` bare numbers are refused.
    allow_inf : bool
        Accept ``+inf`` (e.g. a semi-infinite layer thickness).

    Returns
    -------
    float
        The value in ``si_unit``.

    Raises
    ------
    InputError
        On malformed text, wrong dimensionality or a refused bare number.
    """
    target = _unit(si_unit)
    if isinstance(value, bool):
        raise InputError(field, value, f"a quantity in units of {target:~P}")
    if isinstance(value, (int, float)):
        if math.isnan(value) or (math.isinf(value) and not (allow_inf and value > 0)):
            raise InputError(field, value, "a finite number")
        if bare_unit is None:
            if target.dimensionless:
                return float(value)
            raise InputError(field, value, f'a quantity with units, e.g. "{value} {_example_unit(si_unit)}"')
        return float(ureg.Quantity(float(value), bare_unit).to(target).magnitude)
    if isinstance(value, pint.Quantity):
        quantity = value
    elif isinstance(value, str):
        text = value.strip().replace("µ", "u").replace("μ", "u")
        try:
            match = _NUMBER_AND_UNIT.match(text)
            if match and match.group(2):
                # number and unit apart, so offset units ("37 degC") parse too
                unit = match.group(2).strip()
                quantity = ureg.Quantity(float(match.group(1)), "1" + unit if unit.startswith("/") else unit)
            else:
                quantity = ureg.Quantity(text)
        except Exception:
            raise InputError(field, value, f'a quantity such as "1 {_example_unit(si_unit)}"') from None
        if not isinstance(quantity, pint.Quantity):  # a bare number written as text
            return to_si(float(quantity), si_unit, field=field, bare_unit=bare_unit, allow_inf=allow_inf)
    else:
        raise InputError(field, value, f'a quantity such as "1 {_example_unit(si_unit)}"')
    try:
        magnitude = float(quantity.to(target).magnitude)
    except pint.DimensionalityError:
        raise InputError(
            field, value, f"a quantity in units of {_example_unit(si_unit)} (dimension {target.dimensionality})"
        ) from None
    if math.isnan(magnitude) or (math.isinf(magnitude) and not (allow_inf and magnitude > 0)):
        raise InputError(field, value, "a finite number")
    return magnitude


def _example_unit(si_unit: str) -> str:
    return DISPLAY_UNITS.get(si_unit, si_unit)


# SI unit -> unit printed for people (clinical/optics conventions)
DISPLAY_UNITS: dict[str, str] = {
    "m": "mm",
    "1/m": "1/cm",
    "J/m^2": "J/cm^2",
    "s": "ms",
    "J": "mJ",
    "W": "W",
    "Hz": "Hz",
    "K": "degC",
    "m^2": "cm^2",
    "W/(m^2*K)": "W/(m^2*K)",
    "year": "year",
}


def from_si(value_si: float, si_unit: str, unit: str) -> float:
    """Convert an SI float to ``unit`` (e.g. ``from_si(1e-3, "m", "mm") == 1.0``)."""
    return float(ureg.Quantity(value_si, si_unit).to(unit).magnitude)


def format_quantity(value_si: float, si_unit: str, unit: str | None = None, digits: int = 4) -> str:
    """Format an SI value in a display unit, e.g. ``"10 J/cm^2"`` (round-trips through :func:`to_si`)."""
    unit = unit or _example_unit(si_unit)
    return f"{from_si(value_si, si_unit, unit):.{digits}g} {unit}"


def exact_quantity_text(value_si: float, si_unit: str, unit: str) -> str:
    """The shortest text in ``unit`` that parses back to exactly ``value_si`` (else SI, exact).

    Provenance and dumped inputs must reproduce the run: ``to_si(text) == value_si`` bit for bit.
    """
    if not math.isfinite(value_si):
        return f"{value_si} {si_unit or ''}".strip()
    for digits in range(6, 18):
        text = format_quantity(value_si, si_unit, unit, digits=digits)
        try:
            if to_si(text, si_unit, field="value") == value_si:
                return text
        except InputError:
            break
    return f"{value_si!r} {si_unit}".strip() if si_unit else repr(value_si)


def Quantity(
    si_unit: str,
    *,
    display: str | None = None,
    bare_unit: str | None = None,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    allow_inf: bool = False,
) -> Any:
    """Pydantic field type: accepts a quantity with units, stores an SI float.

    Bounds are given in SI and reported in the display unit. Serialisation writes
    the value back as a string in the display unit, so a model dumped to TOML or
    JSON reads back unchanged.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> class Pulse(BaseModel):
    ...     duration_s: Quantity("s", gt=0)
    >>> Pulse(duration_s="3 ms").duration_s
    0.003
    """
    display = display or _example_unit(si_unit)

    def _bound(v: float) -> str:
        return format_quantity(v, si_unit, display, digits=6)

    def validate(value: Any, info: ValidationInfo) -> float:
        # Internal construction passes SI floats (InputModel.from_si, context {"si": True});
        # at the edges a bare number for a dimensional field is refused.
        si = bool(info.context and info.context.get("si")) and isinstance(value, int | float)
        try:
            v = to_si(value, si_unit, field="value", bare_unit=si_unit if si else bare_unit, allow_inf=allow_inf)
        except InputError as error:  # pydantic adds the field location
            raise ValueError(f"expected {error.allowed}") from None
        problems = []
        if gt is not None and not v > gt:
            problems.append(f"> {_bound(gt)}")
        if ge is not None and not v >= ge:
            problems.append(f">= {_bound(ge)}")
        if lt is not None and not v < lt:
            problems.append(f"< {_bound(lt)}")
        if le is not None and not v <= le:
            problems.append(f"<= {_bound(le)}")
        if problems:
            allowed = " and ".join(
                f"{op} {_bound(b)}" for op, b in (("> ", gt), (">=", ge), ("< ", lt), ("<=", le)) if b is not None
            )
            allowed = allowed.replace("  ", " ")
            raise ValueError(f"{format_quantity(v, si_unit, display)} is out of range; allowed: {allowed}")
        return v

    def serialize(v: float) -> str:
        return exact_quantity_text(v, si_unit, display)

    return Annotated[
        float,
        BeforeValidator(validate),
        PlainSerializer(serialize, return_type=str),
        WithJsonSchema({"type": "string", "description": f"quantity with units, e.g. '1 {display}'"}),
    ]
