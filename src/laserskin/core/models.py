"""Base class of every input model: strict keys, immutable, populated by TOML key or field name."""

from __future__ import annotations

import types
import typing
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator

from laserskin.core.errors import InputError, describe_field, register_model


def _numeric(annotation: Any) -> bool:
    """Whether a field holds numbers but not booleans (int, float, their optionals and tuples)."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, tuple):
        arguments = [a for a in typing.get_args(annotation) if a not in (type(None), Ellipsis)]
        return bool(arguments) and all(_numeric(a) for a in arguments)
    return False


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

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        # pydantic would read true as 1: "passes = true" or "n = true" is a typo, not a number
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                for key in {name, field.alias} - {None}:
                    if isinstance(data.get(key), bool) and _numeric(field.annotation):
                        allowed = describe_field(field) or "a number"
                        raise InputError(str(key), data[key], f"{allowed} (true/false is not a number)")
        return data

    @classmethod
    def from_si(cls, data: dict[str, Any] | None = None, /, **fields: Any) -> Self:
        """Validate SI values for internal use: dimensional fields take bare floats in their
        SI unit (``pulse_duration_s=3e-3``), so nothing is re-serialised into unit strings.
        Bounds and every other check still apply."""
        return cls.model_validate({**(data or {}), **fields}, context={"si": True})
