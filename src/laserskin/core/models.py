"""Base class of every input model: strict keys, immutable, populated by TOML key or field name.

Numbers are numbers (one rule for every input model, :class:`InputModel`): ``true``/``false`` is no number, and text
is no number in a plain number field (whole or not). Pydantic's lax ``int`` reads the text ``"2"`` as 2, so ``laxity = "2"``, ``photons = "2000"`` or
``passes = "2"`` in a scenario ran without a word (QA9 #6 for the treatment counts; session 12 for every other
whole-number field: ``person.laxity``, ``person.sun_exposure``, ``transport.photons``, ``transport.seed``,
``grid.nr``, ...). A whole number is a TOML/JSON integer, or a float with no fractional part (``2.0`` reads as 2);
text, even ``"2"``, and a fraction (``2.5``) are refused naming the field's range, in the words of every other
whole-number refusal (``got '2'; expected a whole number from 0 to 4``, as ``got 'two'``; before, ``person.laxity =
2.5`` read "expected an integer grade", without the range).

The same holds for the plain (dimensionless) float fields since session 13: pydantic's lax ``float`` read
``[ambient] n_above = "1.0"``, a layer's ``g = "0.9"`` or a plan's ``max_fraction_of_blister = "0.5"`` as numbers;
now text there is refused naming the field and its range (``ambient.n_above: got '1.0'; expected a number from 1 to
4``). A quantity field (:func:`laserskin.core.units.Quantity`) is no plain number: it reads text with its unit
(``"10 J/cm^2"``, ``"50 %"``) as before.

Interfaces where every value arrives as text have no other way to type a number: the web forms read their numbers
with :func:`number_from_text` before validation (``2`` typed in a form is the number 2), and command-line options read
as text (``laserskin plan --laxity 2``) pass :class:`TypedText`, which the rule reads as pydantic does (a refusal
then echoes the option as typed, ``got '9'``).
"""

from __future__ import annotations

import math
import re
import types
import typing
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from laserskin.core.errors import (
    InputError,
    _field_of,
    _models_in,
    _unwrap,
    describe_field,
    range_words,
    register_model,
    shown,
)


def _numeric(annotation: Any) -> bool:
    """Whether a field holds numbers but not booleans (int, float, their optionals and tuples)."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, tuple):
        arguments = [a for a in typing.get_args(annotation) if a not in (type(None), Ellipsis)]
        return bool(arguments) and all(_numeric(a) for a in arguments)
    return False


class TypedText(str):
    """Text typed where every value is text (a command-line option read as text): a number field reads it as
    pydantic's lax ``int`` or ``float`` does (``"2"`` is 2, ``"0.5"`` is 0.5; ``"2.5"`` in a whole-number field and
    ``"two"`` are refused naming the range), since there no number can be typed otherwise. Plain text (a scenario
    file, a JSON body) in a number field is refused."""

    __slots__ = ()


def typed_text(value: Any) -> Any:
    """``value`` as :class:`TypedText` where it is text (``None`` and numbers unchanged)."""
    return TypedText(value) if isinstance(value, str) else value


def _is_quantity(metadata: Any) -> bool:
    """Whether ``metadata`` (of an ``Annotated`` type or a field) holds a :func:`laserskin.core.units.Quantity`'s spec:
    a quantity reads text with its unit (``"10 J/cm^2"``), the one kind of number typed as text."""
    return any(hasattr(item, "si_unit") and hasattr(item, "describe") for item in metadata)


def _plain_number(annotation: Any, kinds: tuple[type, ...]) -> bool:
    """Whether ``annotation`` holds plain numbers of ``kinds`` alone (their optionals and unions), no quantity."""
    if annotation in kinds:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
        return bool(members) and all(_plain_number(a, kinds) and not _is_quantity(m) for a, m in members)
    return False


def _not_numbers(annotation: Any, value: Any, metadata: Any = (), kinds: tuple[type, ...] = (int, float)) -> bool:
    """Whether ``value`` is no number where ``annotation`` holds plain numbers of ``kinds``: text in an ``int`` or
    ``float`` field (optional or not; :class:`TypedText` excepted), a float with a fractional part in an ``int``
    field, each also as an item of a tuple or a value of a mapping of them. A quantity (``metadata``, a field's, or
    the annotation holds its spec) reads text with its unit and is left to its own parser."""
    annotation, inner = _unwrap(annotation)
    if _is_quantity([*metadata, *inner]):
        return False
    if isinstance(value, str) and _plain_number(annotation, kinds):
        return not isinstance(value, TypedText)
    if annotation is int:
        return isinstance(value, float) and not value.is_integer()
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and isinstance(value, list | tuple):
        items = [arguments[0]] * len(value) if arguments[-1:] == (Ellipsis,) else list(arguments)
        return any(_not_numbers(a, v, kinds=kinds) for a, v in zip(items, value, strict=False))
    if origin is dict and isinstance(value, dict) and len(arguments) == 2:
        return any(_not_numbers(arguments[1], v, kinds=kinds) for v in value.values())
    return False


def _not_whole_numbers(annotation: Any, value: Any) -> bool:
    """:func:`_not_numbers` of the whole-number fields alone (text or a fraction where ``annotation`` holds ints)."""
    return _not_numbers(annotation, value, kinds=(int,))


def _number_problems(model: Any, data: dict) -> list[tuple[str, Any, InputError]]:
    """``(key, value, refusal)`` of every value of ``data`` that is no number of its ``model`` field: a boolean in a
    number field, text in a number field (a quantity's text with its unit excepted), a fraction in a whole-number
    field."""
    problems = []
    for name, field in model.model_fields.items():
        for key in {name, field.alias} - {None}:
            if key not in data:
                continue
            value = data[key]
            if isinstance(value, bool) and _numeric(field.annotation):
                allowed = describe_field(field) or "a number"
                problems.append((str(key), value, InputError("", value, f"{allowed} (true/false is not a number)")))
            elif _not_numbers(field.annotation, value, field.metadata):
                whole = _unwrap(field.annotation)[0] is int
                allowed = describe_field(field) or ("a whole number" if whole else "a number")
                problems.append((str(key), value, InputError("", value, allowed)))
    return problems


def number_from_text(value: Any) -> Any:
    """A number typed as text, read as one: ``"12"`` is 12, ``" 1.5 "`` is 1.5; anything else (``"1e400"``,
    ``"nan"``, ``"55 year"``, text of more than 30 characters, a value that is no text) is returned unchanged for the
    model to judge, so non-finite numbers never reach a model as floats.

    For the interfaces where every value arrives as text (the web forms; command-line options read as text): a
    scenario file or a JSON body writes a number as a number, and there text in a plain number field is refused
    (:class:`InputModel`)."""
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


# --- a bare number in a field shown in % ----------------------------------------------------------------------------
def percent_spec(annotation: Any, metadata: Any = (), item: bool = False) -> Any:
    """The spec of a dimensionless quantity shown in % (``Quantity("", display="%")``: a coverage, an overlap) that
    ``annotation`` holds (optional or not; with ``item``, as the items of a tuple), else ``None``."""
    annotation, inner = _unwrap(annotation)
    if item and typing.get_origin(annotation) is tuple:
        members = {a for a in typing.get_args(annotation) if a is not Ellipsis}
        return percent_spec(members.pop()) if len(members) == 1 else None
    return next(
        (m for m in [*metadata, *inner] if _is_quantity([m]) and m.si_unit == "" and getattr(m, "display", "") == "%"),
        None,
    )


def bare_number(value: Any) -> float | None:
    """``value`` as a finite number where it is a bare one (``5``, ``1.5``, the text ``"5"``), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def bare_fraction_refusal(value: Any, spec: Any, field: str = "", *, also: str = "") -> InputError | None:
    """The refusal of a bare number outside the range of a dimensionless quantity shown in % (``spec``, a
    :func:`percent_spec`), saying what it was read as; ``None`` where ``value`` is no bare finite number or is inside.

    The one rule of these fields (QA13 #10): a bare number is a fraction of 1 (``0.05`` is 5 %), a percentage is
    typed with its unit (``"5 %"``). Before, ``coverage = 5`` was refused as ``got 5; expected more than 0 % and at
    most 100 %``, which 5 seems to be; now ``got 5 (a bare number is a fraction of 1: 500 %); expected a fraction
    more than 0 and at most 1, or a percentage such as '5 %'``. ``also`` adds another kind of value the field takes
    (``density``: "a number of MTZ per area such as '200 /cm^2'")."""
    number = bare_number(value)
    if number is None:
        return None
    bounds = {"gt": spec.gt, "ge": spec.ge, "lt": spec.lt, "le": spec.le}

    def inside(fraction: float) -> bool:
        return (
            (spec.gt is None or fraction > spec.gt)
            and (spec.ge is None or fraction >= spec.ge)
            and (spec.lt is None or fraction < spec.lt)
            and (spec.le is None or fraction <= spec.le)
        )

    if inside(number):
        return None
    # the number typed, as the percentage it may have meant where it is no fraction of 1 and that is inside (5 as
    # '5 %'; 0.95, 95 % of a field up to 90 %, is no 0.95 %); else one that is inside
    meant = number / 100.0 if abs(number) > 1.0 else None
    candidates = [meant, 0.1, spec.le, spec.ge, None if spec.lt is None else spec.lt / 2]
    example = next((c for c in candidates if c is not None and inside(c)), None)
    percentage = "a percentage" if example is None else f"a percentage such as '{example * 100:.6g} %'"
    kinds = [f"a fraction {range_words(**bounds)}".strip(), percentage, *([also] if also else [])]
    allowed = f"{kinds[0]}, or {kinds[1]}" if len(kinds) == 2 else f"{', '.join(kinds[:-1])}, or {kinds[-1]}"
    given = f"{shown(value)} (a bare number is a fraction of 1: {number * 100:.6g} %)"
    return InputError(field, value, allowed, given=given)


def _fractions_said(model: Any, items: list[Any]) -> list[Any] | None:
    """``items`` (pydantic's errors of ``model``) where a bare number refused by a field of ``model`` shown in % (or
    an item of one, a device's coverage range) says what it was read as (:func:`bare_fraction_refusal`); ``None``
    where nothing changed."""
    changed = False
    out = []
    for item in items:
        loc = tuple(item.get("loc", ()))
        field = _field_of(model, loc[0]) if loc and item.get("type") == "value_error" else None
        spec = None
        if field is not None and len(loc) == 1:
            spec = percent_spec(field.annotation, field.metadata)
        elif field is not None and len(loc) == 2 and isinstance(loc[1], int):
            spec = percent_spec(field.annotation, item=True)
        refusal = bare_fraction_refusal(item.get("input"), spec) if spec is not None else None
        if refusal is not None:
            item = InitErrorDetails(type="value_error", loc=loc, input=item.get("input"), ctx={"error": refusal})
            changed = True
        out.append(item)
    return out if changed else None


# --- what a required field takes ------------------------------------------------------------------------------------
#: A check's message that a key is required (``"spot_diameter: required (or spot_fwhm for a gaussian beam)"``).
_REQUIRED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*): required\b(.*)$", re.S)


def _count_words(low: int | None, high: int | None) -> str:
    """``"2 or 3"``, ``"2 to 5"``, ``"3"``, ``"at least 1"``, ``"at most 20"``, or ``""`` (any number)."""
    if low is not None and high is not None:
        return str(low) if low == high else f"{low} or {high}" if high == low + 1 else f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    return f"at most {high}" if high is not None else ""


def expected_words(field: Any) -> str:
    """What a field takes, in plain words, for every field (the words of a "required" message): the words of
    :func:`laserskin.core.errors.describe_field`, and for an array its items, how many and an example
    (``center``: "an array of 2 or 3 items, each a length, such as ['1 mm', '1 mm', '1 mm']"; before, a missing
    ``inclusions[0].center`` read "required" alone)."""
    from pydantic.fields import FieldInfo

    annotation, metadata = _unwrap(field.annotation)
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (tuple, list, set, frozenset) and arguments and not _models_in(annotation):
        metadata = [*field.metadata, *metadata]
        low: int | None
        high: int | None
        if origin is tuple and arguments[-1:] != (Ellipsis,):  # a fixed tuple: its count
            items, low, high = list(arguments), len(arguments), len(arguments)
        else:
            low = next((m.min_length for m in metadata if hasattr(m, "min_length")), None)
            high = next((m.max_length for m in metadata if hasattr(m, "max_length")), None)
            items = [arguments[0]] * (high or low or 2)
        words = [expected_words(FieldInfo.from_annotation(item)) for item in items]
        kind, _, example = words[0].partition(", such as ")
        if not example:
            kind, _, example = words[0].partition(" such as ")
        count = _count_words(low, high)
        noun = "item" if count == "1" or count.endswith(" 1") else "items"
        head = f"an array of {count} {noun}" if count else "an array of items"
        each = f"{head}, each {kind}" if len(set(words)) == 1 else f"{head}: {', '.join(words)}"
        example = example.partition(" or ")[0]  # "'0.5' or '50 %'": one of them
        if example and len(set(words)) == 1:
            return f"{each}, such as [{', '.join([example] * len(items))}]"
        return each
    if _models_in(annotation) and origin in (tuple, list):
        return "an array of tables"
    described = describe_field(field)
    if described:
        return described
    if origin is dict or annotation is dict:
        return "a table"
    return "a value as the documentation of this table describes"


def _models_at(model: Any, loc: tuple) -> list[Any]:
    """The input models that may sit at ``loc`` of ``model`` (``()``: the model itself; indices of arrays and the tags
    of unions, ``"<laser>"``, skipped)."""
    models = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((f for m in models if (f := _field_of(m, part)) is not None), None)
        if field is None:
            if str(part).startswith("<"):  # a union's tag
                continue
            return []
        models = _models_in(field.annotation)
    return models


def _required_said(model: Any, items: list[Any]) -> list[Any] | None:
    """``items`` (pydantic's errors of ``model``) where every "required" says what is expected: a missing field of the
    model (its own location) with :func:`expected_words` where they say more than the describer of errors
    (:func:`laserskin.core.errors.describe_field`, which words every other missing field), and a check's ``"KEY: required ..."`` (``spot_diameter:
    required (or spot_fwhm for a gaussian beam)``) for a field ``KEY`` of the model at its location with the field's
    words added; ``None`` where nothing changed.

    A model's checks after validation (``mode="after"``) run outside its own wrap validator, so their messages are
    restated by the table that holds the model (``[laser]`` by the scenario)."""
    changed = False
    out = []
    for item in items:
        loc, error = tuple(item.get("loc", ())), (item.get("ctx") or {}).get("error")
        field = _field_of(model, loc[0]) if item.get("type") == "missing" and len(loc) == 1 else None
        if field is not None and (allowed := expected_words(field)) != describe_field(field):
            # only where the describer of errors says less (an array): it says the rest; a text field checked by a
            # validator names its values with errors.Choices (PlanRequest's fitzpatrick and site, QA12 #5)
            error = InputError("", None, allowed, message=f"required; expected {allowed}")
            item = InitErrorDetails(type="value_error", loc=loc, input=item.get("input"), ctx={"error": error})
            changed = True
        elif item.get("type") == "value_error" and isinstance(error, ValueError) and not isinstance(error, InputError):
            found = _REQUIRED.match(str(error))
            key = found.group(1) if found else ""
            field = next((f for m in _models_at(model, loc) if (f := _field_of(m, key)) is not None), None)
            if found and field is not None and "expected" not in found.group(2):
                allowed = expected_words(field)
                message = f"{key}: required{found.group(2)}; expected {allowed}"
                error = InputError(key, None, allowed, message=message)
                item = InitErrorDetails(type="value_error", loc=loc, input=item.get("input"), ctx={"error": error})
                changed = True
        out.append(item)
    return out if changed else None


class InputModel(BaseModel):
    """Pydantic base for inputs: unknown keys are errors; instances are frozen.

    Fields that hold dimensional values are SI floats named with their unit
    (``thickness_m``) and carry the TOML/CLI key as alias (``thickness``), so the
    same schema reads scenario files, CLI options, web forms and Python calls.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, validate_default=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        register_model(cls)  # so that errors can say what a missing or wrong field accepts

    @model_validator(mode="wrap")
    @classmethod
    def _numbers_are_numbers(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """The one rule of numbers (module doc): ``true`` in a number field (pydantic reads it as 1: ``passes = true``
        or ``n = true`` is a typo, not a number), text in a plain number field (pydantic reads ``"2"`` as 2 and
        ``"1.0"`` as 1.0), a fraction in a whole-number field. Each is refused at its field, naming its range, next
        to every other problem of the table. A required field that is missing says what it takes
        (:func:`_required_said`)."""
        problems = _number_problems(cls, data) if isinstance(data, dict) else []
        if not problems:
            try:
                return handler(data)
            except ValidationError as error:
                required = _required_said(cls, error.errors())
                restated = _fractions_said(cls, required or error.errors()) or required
                if restated is None:
                    raise
                try:
                    failure = ValidationError.from_exception_data(cls.__name__, restated)
                except (KeyError, TypeError, ValueError):  # a problem pydantic cannot restate: as it was
                    raise error from None
                raise failure from None
        refusals: list[Any] = [
            InitErrorDetails(type="value_error", loc=(key,), input=value, ctx={"error": error})
            for key, value, error in problems
        ]
        keys = {key for key, _, _ in problems}
        refused = keys | {k for n, f in cls.model_fields.items() if keys & {n, f.alias} for k in (n, f.alias) if k}
        others: list[Any] = []
        try:  # the other fields' problems too, validated without the refused values
            handler({k: v for k, v in data.items() if k not in refused})
        except ValidationError as error:
            # a field's own problems only: the table's checks across fields (loc ()) ran without the refused values
            items = error.errors()
            items = _required_said(cls, items) or items
            items = _fractions_said(cls, items) or items
            others = [item for item in items if item["loc"] and item["loc"][0] not in refused]
        except Exception:  # noqa: BLE001 (a table check that needs a refused value: the refusals say what is wrong)
            others = []
        order = {key: i for i, (name, field) in enumerate(cls.model_fields.items()) for key in (name, field.alias)}
        lines = sorted(refusals + others, key=lambda item: order.get(item["loc"][0], len(order)))  # the fields' order
        try:
            failure = ValidationError.from_exception_data(cls.__name__, lines)
        except (KeyError, TypeError, ValueError):  # a problem pydantic cannot restate: the refusals alone
            failure = ValidationError.from_exception_data(cls.__name__, refusals)
        raise failure

    @classmethod
    def from_si(cls, data: dict[str, Any] | None = None, /, **fields: Any) -> Self:
        """Validate SI values for internal use: dimensional fields take bare floats in their
        SI unit (``pulse_duration_s=3e-3``), so nothing is re-serialised into unit strings.
        Bounds and every other check still apply."""
        return cls.model_validate({**(data or {}), **fields}, context={"si": True})
