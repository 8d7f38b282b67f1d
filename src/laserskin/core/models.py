"""Base class of every input model: strict keys, immutable, populated by TOML key or field name.

Numbers are numbers (one rule for every input model, :class:`InputModel`): ``true``/``false`` is no number, and text
is no whole number. Pydantic's lax ``int`` reads the text ``"2"`` as 2, so ``laxity = "2"``, ``photons = "2000"`` or
``passes = "2"`` in a scenario ran without a word (QA9 #6 for the treatment counts; session 12 for every other
whole-number field: ``person.laxity``, ``person.sun_exposure``, ``transport.photons``, ``transport.seed``,
``grid.nr``, ...). A whole number is a TOML/JSON integer, or a float with no fractional part (``2.0`` reads as 2);
text, even ``"2"``, and a fraction (``2.5``) are refused naming the field's range, in the words of every other
whole-number refusal (``got '2'; expected a whole number from 0 to 4``, as ``got 'two'``; before, ``person.laxity =
2.5`` read "expected an integer grade", without the range).

Interfaces where every value arrives as text have no other way to type a number: the web forms read their numbers
with :func:`number_from_text` before validation (``2`` typed in a form is the number 2), and command-line options read
as text (``laserskin plan --laxity 2``) pass :class:`TypedText`, which the rule reads as pydantic does (a refusal
then echoes the option as typed, ``got '9'``).
"""

from __future__ import annotations

import math
import types
import typing
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from laserskin.core.errors import InputError, _unwrap, describe_field, register_model


def _numeric(annotation: Any) -> bool:
    """Whether a field holds numbers but not booleans (int, float, their optionals and tuples)."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, tuple):
        arguments = [a for a in typing.get_args(annotation) if a not in (type(None), Ellipsis)]
        return bool(arguments) and all(_numeric(a) for a in arguments)
    return False


class TypedText(str):
    """Text typed where every value is text (a command-line option read as text): a whole-number field reads it as
    pydantic's lax ``int`` does (``"2"`` is 2; ``"2.5"`` and ``"two"`` are refused naming the range), since there
    no number can be typed otherwise. Plain text (a scenario file, a JSON body) in a whole-number field is refused."""

    __slots__ = ()


def typed_text(value: Any) -> Any:
    """``value`` as :class:`TypedText` where it is text (``None`` and numbers unchanged)."""
    return TypedText(value) if isinstance(value, str) else value


def _not_whole_numbers(annotation: Any, value: Any) -> bool:
    """Whether ``value`` puts text, or a float with a fractional part, where ``annotation`` holds whole numbers: an
    ``int`` field (optional or not), an item of a tuple of ints or a value of a mapping to ints."""
    annotation, _ = _unwrap(annotation)
    if annotation is int:
        if isinstance(value, str):
            return not isinstance(value, TypedText)
        return isinstance(value, float) and not value.is_integer()
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and isinstance(value, list | tuple):
        items = [arguments[0]] * len(value) if arguments[-1:] == (Ellipsis,) else list(arguments)
        return any(_not_whole_numbers(a, v) for a, v in zip(items, value, strict=False))
    if origin is dict and isinstance(value, dict) and len(arguments) == 2:
        return any(_not_whole_numbers(arguments[1], v) for v in value.values())
    return False


def _number_problems(model: Any, data: dict) -> list[tuple[str, Any, InputError]]:
    """``(key, value, refusal)`` of every value of ``data`` that is no number of its ``model`` field: a boolean in a
    number field, text or a fraction in a whole-number field."""
    problems = []
    for name, field in model.model_fields.items():
        for key in {name, field.alias} - {None}:
            if key not in data:
                continue
            value = data[key]
            if isinstance(value, bool) and _numeric(field.annotation):
                allowed = describe_field(field) or "a number"
                problems.append((str(key), value, InputError("", value, f"{allowed} (true/false is not a number)")))
            elif _not_whole_numbers(field.annotation, value):
                allowed = describe_field(field) or "whole numbers, not text"
                problems.append((str(key), value, InputError("", value, allowed)))
    return problems


def number_from_text(value: Any) -> Any:
    """A number typed as text, read as one: ``"12"`` is 12, ``" 1.5 "`` is 1.5; anything else (``"1e400"``,
    ``"nan"``, ``"55 year"``, text of more than 30 characters, a value that is no text) is returned unchanged for the
    model to judge, so non-finite numbers never reach a model as floats.

    For the interfaces where every value arrives as text (the web forms; command-line options read as text): a
    scenario file or a JSON body writes a number as a number, and there text in a whole-number field is refused
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
        or ``n = true`` is a typo, not a number), text or a fraction in a whole-number field (pydantic reads ``"2"``
        as 2). Each is refused at its field, naming its range, next to every other problem of the table."""
        problems = _number_problems(cls, data) if isinstance(data, dict) else []
        if not problems:
            return handler(data)
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
            others = [item for item in error.errors() if item["loc"] and item["loc"][0] not in refused]
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
