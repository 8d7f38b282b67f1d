"""Counts of the treatment tables (``passes``, ``pulses``, ``pulses_per_spot``, ``sessions``) are numbers, never text.

Pydantic's lax ``int`` reads the text ``"2"`` as 2, so ``passes = "2"`` ran two passes without a word, while
``passes = true`` is refused (``laserskin.core.models.InputModel``) and ``ablative = "yes"`` too (QA9 #6). A count
is a whole number given as a number: a TOML/JSON integer, or a float with no fractional part (``2.0``: read as 2,
as ``person.laxity`` and pydantic's ``int`` read it). Text, even ``"2"``, is refused with the field's range.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo

from laserskin.core.errors import InputError, describe_field

__all__ = ["whole_number"]


def whole_number(model: Any, value: Any, info: ValidationInfo) -> Any:
    """``field_validator(mode="before")`` body for a count field of ``model``: text is refused naming the field's
    range (``got '2'; expected a whole number from 1 to 20``: the quotes show the text, and the words are those of
    every other count's refusal, ``got 'two'`` included, so a web form's restated range still reads right); numbers
    pass on to the field's own checks (bounds, a fractional part)."""
    if isinstance(value, str):
        field = model.model_fields[info.field_name] if info.field_name else None
        raise InputError("", value, describe_field(field) or "a whole number")
    return value
