"""Base class of every input model: strict keys, immutable, populated by TOML key or field name."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class InputModel(BaseModel):
    """Pydantic base for inputs: unknown keys are errors; instances are frozen.

    Fields that hold dimensional values are SI floats named with their unit
    (``thickness_m``) and carry the TOML/CLI key as alias (``thickness``), so the
    same schema reads scenario files, CLI options, web forms and Python calls.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, validate_default=True)

    @classmethod
    def from_si(cls, data: dict[str, Any] | None = None, /, **fields: Any) -> Self:
        """Validate SI values for internal use: dimensional fields take bare floats in their
        SI unit (``pulse_duration_s=3e-3``), so nothing is re-serialised into unit strings.
        Bounds and every other check still apply."""
        return cls.model_validate({**(data or {}), **fields}, context={"si": True})
