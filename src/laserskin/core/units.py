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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pint
from annotated_types import GroupedMetadata
from pydantic import BeforeValidator, PlainSerializer, ValidationInfo, WithJsonSchema, WrapValidator

from laserskin.core.errors import InputError, range_words, shown

ureg: pint.UnitRegistry = pint.UnitRegistry()
# One number and (optionally) its unit. The unit starts with a letter, a slash, °, % or "1/" (as in "60 1/cm")
# and holds digits only as exponents ("cm^-2", "cm**2", "cm²"): anything else - a comma ("1,5", which pint
# reads as 15), brackets, an operator or a second number ("(10 ± 5)", "3*10", "2 3") - is refused rather than
# evaluated by pint's expression parser (QA6 #8: "1,5 J/cm^2" ran 15 J/cm^2).
_NUMBER_AND_UNIT = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf)\s*(.*)$")
_UNIT_START = re.compile(r"^(?:[A-Za-z°%/]|1\s*/)")
_UNIT_EXPONENT = re.compile(r"(?:\^|\*\*)\s*\(?\s*[-+]?\d+(?:\.\d+)?\s*\)?")
_UNIT_CHARACTERS = re.compile(r"^[A-Za-z°%/*^()\s.\-+0-9²³·]*$")
# An exponent written right after a unit symbol, as most people type it ("J/cm2", "W/m2/K", "cm-1"; QA7 #9: "10 J/cm2"
# was refused as arithmetic): read as "^2" (pint itself does not know "cm2").
_BARE_EXPONENT = re.compile(r"(?<=[A-Za-z])(-?[1-4])(?=$|[\s/*·)])")


def _unit_text(text: str) -> str | None:
    """The unit of ``text`` (after its number) if it is a plain unit expression, else None; an exponent typed
    right after a unit symbol (``cm2``) is returned as pint reads it (``cm^2``)."""
    if not text:
        return ""
    if not _UNIT_START.match(text) or not _UNIT_CHARACTERS.match(text):
        return None
    text = _BARE_EXPONENT.sub(r"^\1", text)
    rest = _UNIT_EXPONENT.sub("", re.sub(r"^1\s*/", "/", text))
    return None if re.search(r"[0-9]", rest) else text


def _comma_note(text: str) -> str:
    """Why a number with a comma is refused, in the number typed (QA7 #9): ``'1,450' is 1.45 or 1450: write one of
    them`` (pint would read it as 1450; ``1,5`` as 15)."""
    found = re.search(r"\d*,\d+(?:,\d+)*", text)
    typed = found.group(0) if found else text
    whole = typed.replace(",", "")
    if typed.count(",") == 1:
        point = typed.replace(",", ".")
        return f"a decimal point and no comma: '{typed}' may be {point} or {whole}; write the one meant"
    return f"no comma: write '{typed}' as {whole}"


ureg.define("percent_vol = 0.01 = vol_percent")


def _unit_words(text: str) -> list[str]:
    """The units written side by side in a unit text (``'nm nm'`` -> ``['nm', 'nm']``; ``'J / cm^2'`` is one):
    pint reads a space between them as a product."""
    joined = re.sub(r"\s*([/*^·])\s*", r"\1", text.strip())
    return joined.split()


def _side_by_side(value: str, target: pint.Unit) -> str | None:
    """Why a unit of the wrong kind is wrong, where it is two or more units written side by side (QA16 #10:
    ``'1450 nm nm'`` was refused as "an area", pint's product nm·nm): the unit typed twice, or the units one of
    which is the field's kind; ``None`` otherwise (a unit of another kind, said as such)."""
    match = _NUMBER_AND_UNIT.match(value.strip().replace("µ", "u").replace("μ", "u"))
    words = _unit_words(match.group(2)) if match else []
    if len(words) < 2:
        return None
    if len(set(words)) == 1:
        times = "twice" if len(words) == 2 else f"{len(words)} times"
        return f"{shown(value)}, the unit {words[0]} typed {times}"
    fitting = []
    for word in words:
        try:
            if _unit(_unit_text(word) or word).dimensionality == target.dimensionality:
                fitting.append(word)
        except Exception:
            continue
    if fitting:
        return f"{shown(value)}, units side by side ({' and '.join(words)}, read as their product)"
    return None


def _unit_problem(value: Any, unit: str) -> str:
    """What is wrong with a unit pint cannot read: a unit typed twice without a space (``'1450nmnm'``), else the
    unit pint does not know."""
    glued = re.fullmatch(r"(.+?)\1+", unit.replace(" ", ""))
    if glued is not None:
        try:
            _unit(glued.group(1))
        except Exception:
            pass
        else:
            count = len(unit.replace(" ", "")) // len(glued.group(1))
            times = "twice" if count == 2 else f"{count} times"
            return f"{shown(value)}, the unit {glued.group(1)} typed {times}"
    words = _unit_words(unit)
    unknown = []
    for word in re.split(r"[/*^·()]+", " ".join(words)):
        for part in word.split():
            if part and not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", part):
                try:
                    _unit(part)
                except Exception:
                    unknown.append(part)
    if unknown:
        return f"{shown(value)}, with {', '.join(repr(u) for u in unknown)}, not a unit"
    return f"{shown(value)}, a unit pint cannot read"


@lru_cache(maxsize=256)
def _unit(text: str) -> pint.Unit:
    return ureg.Unit(text)


def to_si(
    value: Any,
    si_unit: str,
    *,
    field: str,
    bare_unit: str | None = None,
    allow_inf: bool = False,
    display: str | None = None,
    example: float | Callable[[], float] | None = None,
) -> float:
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
    display, example : str and float (or a function returning it), optional
        Unit and number of the example in error messages (default: the display unit of
        ``si_unit``, and the number given or 1).

    Returns
    -------
    float
        The value in ``si_unit``.

    Raises
    ------
    InputError
        On malformed text, wrong dimensionality or a refused bare number; ``allowed`` says in
        plain words what kind of quantity is expected, with an example ("an areal energy
        density such as '10 J/cm^2'").
    """
    target = _unit(si_unit)
    if isinstance(value, bool):
        raise InputError(field, value, f"{expected_quantity(si_unit, example, display)} (true/false is not a quantity)")
    if isinstance(value, (int, float)):
        if math.isnan(value) or (math.isinf(value) and not (allow_inf and value > 0)):
            raise InputError(field, value, "a finite number")
        if bare_unit is None:
            if target.dimensionless:
                return float(value)
            raise InputError(field, value, f"{expected_quantity(si_unit, value, display)} (a number needs its unit)")
        return float(ureg.Quantity(float(value), bare_unit).to(target).magnitude)
    if isinstance(value, pint.Quantity):
        quantity = value
    elif isinstance(value, str):
        text = value.strip().replace("µ", "u").replace("μ", "u")

        def bare(number: float) -> float:  # a bare number written as text: the rules of bare numbers apply
            return to_si(
                number, si_unit, field=field, bare_unit=bare_unit, allow_inf=allow_inf, display=display, example=example
            )

        try:
            number = float(text)
        except ValueError:
            pass
        else:  # "400"
            try:
                return bare(number)
            except InputError as error:  # name the text as given
                raise InputError(field, value, error.allowed) from None
        match = _NUMBER_AND_UNIT.match(text)
        unit = None if match is None else _unit_text(match.group(2).strip())
        if match is None or unit is None:
            if "," in text:
                note = _comma_note(text)
            else:
                note = "one number and its unit: no arithmetic, brackets, ranges or ±"
            raise InputError(field, value, f"{expected_quantity(si_unit, example, display)} ({note})")
        if not unit:  # "400." or "+5": a bare number written as text
            return bare(float(match.group(1)))
        try:
            # number and unit apart, so offset units ("37 degC") parse too
            quantity = ureg.Quantity(float(match.group(1)), "1" + unit if unit.startswith("/") else unit)
        except Exception:
            expected = expected_quantity(si_unit, float(match.group(1)), display)
            problem = _unit_problem(value, unit)
            raise InputError(field, value, f"{expected} (one number and one unit)", given=problem) from None
    else:
        raise InputError(field, value, expected_quantity(si_unit, example, display))
    try:
        magnitude = float(quantity.to(target).magnitude)
    except pint.DimensionalityError:
        words = _side_by_side(value, target) if isinstance(value, str) else None
        kind = quantity_kind(quantity.units)
        if words is not None:
            given = words
        elif kind:
            given = f"{shown(value)}, {kind}"
        else:  # a unit of no kind with a name ('10 J/cm^2/cm^2'): the unit it is
            given = f"{shown(value)}, a quantity in {format(quantity.units, '~C').replace('**', '^')}"
        raise InputError(
            field,
            value,
            expected_quantity(si_unit, quantity.magnitude, display) + (" (one number and one unit)" if words else ""),
            given=given,
        ) from None
    hidden = _hidden_dimensionless(str(quantity.units), si_unit)
    if hidden:
        read_as = format_quantity(magnitude, si_unit, display or _example_unit(si_unit), digits=6).strip()
        raise InputError(
            field,
            value,
            f"{expected_quantity(si_unit, example, display)} (a unit without angles, counts or information: pint "
            f"would read {shown(value)} as {read_as})",
            given=f"{shown(value)}, a unit with {hidden} in it",
        )
    if math.isnan(magnitude) or (math.isinf(magnitude) and not (allow_inf and magnitude > 0)):
        raise InputError(field, value, "a finite number")
    return magnitude


#: pint's dimensionless base units, in words: an angle (rad; deg, revolutions, rpm and sr are made of it), a count
#: (Bq, cps) and information (bit, baud). pint takes them as dimensionless, so it converts '60 rpm' to 6.283 Hz (a
#: revolution is 2π rad), '1 rad/s' and '1 Bq' to 1 Hz and '10 J/cm^2/sr' to 10 J/cm^2 (QA13 #1). No laserskin
#: quantity holds one: :func:`to_si` refuses a unit whose root units hold one the field's SI unit does not.
HIDDEN_DIMENSIONLESS: dict[str, str] = {"radian": "an angle", "count": "a count", "bit": "information"}


@lru_cache(maxsize=256)
def _hidden_dimensionless(unit: str, si_unit: str) -> str | None:
    """What ``unit`` holds that pint's dimension check lets through (:data:`HIDDEN_DIMENSIONLESS`, in words, e.g.
    "an angle") and ``si_unit`` does not, or None."""
    typed = dict(ureg.Quantity(1.0, unit).to_root_units().unit_items())
    wanted = dict(ureg.Quantity(1.0, si_unit).to_root_units().unit_items())
    words = [word for name, word in HIDDEN_DIMENSIONLESS.items() if typed.get(name, 0) != wanted.get(name, 0)]
    return " or ".join(words) or None


# SI unit -> what people call such a quantity (error messages say what is expected in plain words)
QUANTITY_KINDS: dict[str, str] = {
    "J/m^2": "an areal energy density",
    "J/m^3": "an energy per volume",
    "J/mol": "an energy per mole",
    "J": "an energy",
    "W": "a power",
    "s": "a duration",
    "year": "an age in years",
    "Hz": "a frequency",
    "1/s": "a rate (per time)",
    "m": "a length",
    "m^2": "an area",
    "1/m": "a coefficient per length",
    "1/m^2": "a number per area",
    "K": "a temperature",
    "K*s": "a temperature-time dose",
    "W/(m^2*K)": "a heat transfer coefficient",
    "kg": "a mass",
    "kg/m^3": "a mass density",
    "W/m^2": "an irradiance",
    "W/m^3": "a power density",
    "Pa": "a pressure",
    "m/s": "a speed",
    "": "a plain number or a percentage",
}


def quantity_kind(unit: Any) -> str | None:
    """Plain name of the kind of quantity of ``unit`` ("an energy" for J or mJ), or ``None``."""
    try:
        dimensionality = _unit(str(unit)).dimensionality if not isinstance(unit, pint.Unit) else unit.dimensionality
    except Exception:
        return None
    for si_unit, kind in QUANTITY_KINDS.items():
        if si_unit not in ("year", "Hz") and _unit(si_unit).dimensionality == dimensionality:
            return kind
    return None


def expected_quantity(si_unit: str, magnitude: Any = None, display: str | None = None) -> str:
    """What a quantity field expects, in plain words with an example in its display unit.

    ``expected_quantity("J/m^2", 10)`` is ``"an areal energy density such as '10 J/cm^2'"``.
    """
    display = display or _example_unit(si_unit)
    if callable(magnitude):
        magnitude = magnitude()
    kind = QUANTITY_KINDS.get(si_unit) or quantity_kind(si_unit) or "a quantity"
    number = magnitude if isinstance(magnitude, int | float) and math.isfinite(magnitude) and magnitude > 0 else 1
    example = f"{number:g} {display}".strip() if display not in ("", "1") else f"{number:g}"
    if si_unit == "":
        return f"{kind} such as '0.5' or '50 %'"
    return f"{kind} such as '{example}'"


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


class TypedQuantity(float):
    """An SI float that remembers the text it was parsed from (``"1.45 um"``), so that a dumped model echoes
    what was typed: that text parses back to exactly this value, where the display unit may need 17 digits
    (1.45 µm is ``1449.9999999999998 nm``, QA5 #8). Arithmetic gives plain floats; equality and hashing are the
    float's.

    With its SI and display units (``si_unit``, ``display``; set by :func:`Quantity`) it also says how a refusal
    echoes it (:meth:`echo`): :func:`laserskin.core.errors.shown`, the one place an error message writes the value
    it got, writes the text as typed, with the value in the field's display unit where the text is in another unit
    (session 14: ``--area "1 m^2"`` was refused as ``got '1e+04 cm^2'``)."""

    __slots__ = ("display", "si_unit", "text")
    text: str
    si_unit: str | None
    display: str | None

    def __new__(cls, value: float, text: str, si_unit: str | None = None, display: str | None = None) -> TypedQuantity:
        self = super().__new__(cls, value)
        self.text = text
        self.si_unit = si_unit
        self.display = display
        return self

    def __reduce__(self):
        return (TypedQuantity, (float(self), self.text, self.si_unit, self.display))

    def echo(self, unit: str | None = None) -> str:
        """The value as the user typed it, quoted, and where the text is in another unit than ``unit`` (default: the
        field's display unit; a message passes the unit of its own words), the value in it: ``'1 m^2' (10000 cm^2)``,
        ``'150 cm^2'``."""
        typed = repr(self.text)
        unit = unit or self.display
        if self.si_unit is None or unit is None or not math.isfinite(self):
            return typed
        match = _NUMBER_AND_UNIT.match(self.text.replace("µ", "u").replace("μ", "u"))
        written = match.group(2).strip() if match else None
        if written is not None and _same_unit(written, unit):
            return typed
        if written == "" and match is not None:  # a bare number, read in the field's bare unit: that unit is
            try:  # the message's where the number is the value in it ('1e3' for an age in years)
                if math.isclose(float(match.group(1)), from_si(float(self), self.si_unit, unit), rel_tol=1e-9):
                    return typed
            except Exception:
                return typed
        try:
            converted = format_quantity(float(self), self.si_unit, unit, digits=6)
        except Exception:  # a unit pint cannot convert to the display unit: the text alone
            return typed
        return f"{typed} ({converted})"


@lru_cache(maxsize=256)
def _same_unit(written: str, unit: str) -> bool:
    """Whether the unit typed (``J/cm2``, ``J/cm²``, ``J / cm^2``) is ``unit`` spelled another way: the parsed units
    convert with factor 1 (QA14 #13: the echo compared the text and added ``(30 J/cm^2)`` to ``'30 J/cm2'``)."""
    if written.replace(" ", "") == unit.replace(" ", ""):
        return True
    text = _unit_text(written)
    if not text:
        return False
    try:
        typed = _unit("1" + text if text.startswith("/") else text)
        wanted = _unit(unit)
        if typed == wanted:
            return True
        if typed.dimensionality != wanted.dimensionality or not (typed.is_compatible_with(wanted)):
            return False
        zero = float(ureg.Quantity(0.0, typed).to(wanted).magnitude)  # offset units (degC, degF) shift zero
        one = float(ureg.Quantity(1.0, typed).to(wanted).magnitude)
    except Exception:  # a unit pint cannot read or convert: not the same
        return False
    return math.isclose(zero, 0.0, abs_tol=1e-12) and math.isclose(one, 1.0, rel_tol=1e-12)


def echo(value: float, si_unit: str, unit: str | None = None, *, digits: int = 6) -> str:
    """A refused quantity, quoted, for a message's ``got``: as typed (:meth:`TypedQuantity.echo`, with the value in
    the field's display unit where typed in another), else formatted in ``unit`` (default: the display unit of
    ``si_unit``)."""
    if isinstance(value, TypedQuantity) and value.text:
        return value.echo(unit or _example_unit(si_unit))
    return repr(typed_text(value, si_unit, unit, digits=digits))


def typed_text(value: float, si_unit: str, unit: str | None = None, *, digits: int = 6) -> str:
    """A quantity in a message, unquoted, as the user typed it (:class:`TypedQuantity`), else formatted in ``unit``
    (default: the display unit of ``si_unit``) to ``digits`` significant figures: the one rule for the text of a
    value inside a message's words (a refusal's ``got`` is :func:`laserskin.core.errors.shown`'s)."""
    text = getattr(value, "text", None)
    if isinstance(text, str) and text:
        return text
    return format_quantity(float(value), si_unit, unit, digits=digits)


def _is_bare_number(text: str) -> bool:
    """Whether ``text`` is a number without a unit (``"5"``, ``" 1e3 "``)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _keep_typed_text(si_unit: str, display: str) -> Callable[[Any, Callable[[Any], float]], float]:
    """Wrap validator of :func:`Quantity`: the parsed SI float, carrying the typed text (and the field's units)
    when text was typed."""

    def keep(value: Any, handler: Callable[[Any], float]) -> float:
        parsed = handler(value)
        if isinstance(value, str) and isinstance(parsed, float) and math.isfinite(parsed):
            return TypedQuantity(parsed, value.strip(), si_unit, display)
        return parsed

    return keep


@dataclass(frozen=True)
class QuantitySpec:
    """What a :func:`Quantity` field accepts (kept in its ``Annotated`` metadata), so that an error
    for a missing or wrong value can say in plain words what is allowed."""

    si_unit: str
    display: str
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None

    def bound(self, value_si: float) -> str:
        return format_quantity(value_si, self.si_unit, self.display, digits=6)

    def range_text(self) -> str:
        """The allowed range in words: "from 18 year to 100 year", "more than 0 ms", ""."""
        return range_words(self.gt, self.ge, self.lt, self.le, self.bound)

    def holds(self, value_si: float) -> bool:
        """Whether an SI value lies inside the bounds."""
        return (
            (self.gt is None or value_si > self.gt)
            and (self.ge is None or value_si >= self.ge)
            and (self.lt is None or value_si < self.lt)
            and (self.le is None or value_si <= self.le)
        )

    def example_magnitude(self) -> float:
        """A value in the display unit that lies inside the range (1 when it does, else a bound)."""
        try:
            one_si = to_si(f"1 {self.display}", self.si_unit, field="value") if self.display else 1.0
        except InputError:
            return 1.0
        inside = all(
            ok
            for ok in (
                self.gt is None or one_si > self.gt,
                self.ge is None or one_si >= self.ge,
                self.lt is None or one_si < self.lt,
                self.le is None or one_si <= self.le,
            )
        )
        if inside:
            return 1.0
        for candidate, factor in ((self.ge, 1.0), (self.le, 1.0), (self.gt, 2.0), (self.lt, 0.5)):
            if candidate is not None and math.isfinite(candidate) and candidate > 0:
                value = candidate * factor
                return float(f"{from_si(value, self.si_unit, self.display):.3g}") if self.display else value
        return 1.0

    def describe(self, magnitude: Any = None) -> str:
        """E.g. "a duration more than 0 ms, such as '3 ms'" (the example takes ``magnitude`` when given)."""
        example = magnitude if magnitude is not None else self.example_magnitude()
        text = expected_quantity(self.si_unit, example, self.display)
        bounds = self.range_text()
        if not bounds:
            return text
        kind, _, such = text.partition(" such as ")
        return f"{kind} {bounds}, such as {such}" if such else f"{kind} {bounds}"


@dataclass(frozen=True, init=False)
class Quantity(QuantitySpec, GroupedMetadata):
    """Pydantic field metadata: the field accepts a quantity with units and stores an SI float.

    Annotate the field as ``Annotated[float, Quantity(si_unit, ...)]``: to type checkers the field is a float (the SI
    value), to pydantic this object stands for its validators, serialiser and JSON schema (``annotated_types``'
    grouped metadata, expanded by pydantic), and it is itself the field's :class:`QuantitySpec`, which error messages,
    forms and echoes read from the field's metadata.

    Bounds are given in SI and reported in the display unit. Serialisation writes the value back as a string in the
    display unit, so a model dumped to TOML or JSON reads back unchanged. A bad value raises an :class:`InputError`
    (inside pydantic's error, where :func:`laserskin.core.errors.describe_validation_error` finds it) that says in
    plain words what is allowed. A default is typed text as well, validated like any input: ``Field(default=
    unit_default("3 ms"))``.

    Examples
    --------
    >>> from typing import Annotated
    >>> from pydantic import BaseModel
    >>> class Pulse(BaseModel):
    ...     duration_s: Annotated[float, Quantity("s", gt=0)]
    >>> Pulse(duration_s="3 ms").duration_s
    0.003
    """

    bare_unit: str | None = None
    allow_inf: bool = False

    def __init__(
        self,
        si_unit: str,
        *,
        display: str | None = None,
        bare_unit: str | None = None,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        allow_inf: bool = False,
    ) -> None:
        display = display or _example_unit(si_unit)
        fields = dict(
            si_unit=si_unit, display=display, gt=gt, ge=ge, lt=lt, le=le, bare_unit=bare_unit, allow_inf=allow_inf
        )
        for name, value in fields.items():  # frozen: set once, here
            object.__setattr__(self, name, value)

    def __iter__(self) -> Iterator[Any]:
        yield BeforeValidator(self._validate)
        yield WrapValidator(_keep_typed_text(self.si_unit, self.display))  # outside the parse: typed value, SI float
        yield PlainSerializer(self._serialize, return_type=str)
        yield WithJsonSchema({"type": "string", "description": f"quantity with units, e.g. '1 {self.display}'"})

    def _validate(self, value: Any, info: ValidationInfo) -> float:
        # Internal construction passes SI floats (InputModel.from_si, context {"si": True});
        # at the edges a bare number for a dimensional field is refused.
        si = bool(info.context and info.context.get("si")) and isinstance(value, int | float)
        try:
            v = to_si(
                value,
                self.si_unit,
                field="value",
                bare_unit=self.si_unit if si else self.bare_unit,
                allow_inf=self.allow_inf,
                display=self.display,
                example=lambda: _example_magnitude(self),  # worked out only for an error message
            )
        except InputError as error:  # pydantic adds the field location
            raise InputError("", value, _with_range(error.allowed, self), given=error.given) from None
        if not self.holds(v):
            # as typed, with its value in the unit of the range's words where typed in another (QA14 #3: '10 mm^2'
            # was refused as "got '10 mm^2'; expected at least 1 cm^2", with no cm^2 value): TypedQuantity.echo,
            # the one rule of every refusal's got
            typed = TypedQuantity(v, value.strip(), self.si_unit, self.display) if isinstance(value, str) else None
            raise InputError(
                "", value, self.range_text(), given=typed.echo(self.display) if typed is not None else None
            )
        return v

    def _serialize(self, v: float) -> str:
        text = exact_quantity_text(v, self.si_unit, self.display)
        # what was typed, where it is the shorter exact text ("1.45 um", not "1449.9999999999998 nm"; QA5 #8);
        # the display unit otherwise, also for SI text built inside ("0.003 s" reads "3 ms"), and for a bare number
        # typed into a field that names its unit: "5" typed as --max-session-minutes reads "5 min", as the web's
        # "5" typed under its label "(min)" and its JSON 5 do, so an echo does not depend on the interface
        if isinstance(v, TypedQuantity) and len(v.text) < len(text) and not _is_bare_number(v.text):
            return v.text
        return text


def unit_default(text: str) -> Any:
    """A :class:`Quantity` field's default, typed with its unit (``"3 ms"``) and validated as any input is (the
    models validate their defaults): typed ``Any`` because the field holds the SI float it parses to."""
    return text


@lru_cache(maxsize=512)
def _example_magnitude(spec: QuantitySpec) -> float:
    return spec.example_magnitude()


def _with_range(allowed: str, spec: QuantitySpec) -> str:
    """Add the field's range to a "what kind of quantity" text from :func:`to_si`."""
    bounds = spec.range_text()
    if not bounds or " such as " not in allowed:
        return allowed
    kind, _, rest = allowed.partition(" such as ")
    typed = re.match(r"'([^']*)'", rest)
    # the typed number with the field's unit is the example where the field takes it ("'10 J'" for a fluence: "such
    # as '10 J/cm^2'"), else the field's own, inside the range (QA13 #6: '0.855 eV' read "such as '0.855 nm'")
    if typed is not None and spec.display:
        try:
            inside = spec.holds(to_si(typed.group(1), spec.si_unit, field="value"))
        except InputError:
            inside = False
        if not inside:
            rest = f"'{_example_magnitude(spec):g} {spec.display}'{rest[typed.end() :]}"
    return f"{kind} {bounds}, such as {rest}"
