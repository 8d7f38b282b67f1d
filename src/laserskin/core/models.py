"""Base class of every input model: strict keys, immutable, populated by TOML key or field name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InputModel(BaseModel):
    """Pydantic base for inputs: unknown keys are errors; instances are frozen.

    Fields that hold dimensional values are SI floats named with their unit
    (``thickness_m``) and carry the TOML/CLI key as alias (``thickness``), so the
    same schema reads scenario files, CLI options, web forms and Python calls.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, validate_default=True)
