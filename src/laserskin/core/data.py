"""One loader for the parameter sets shipped as data (``laserskin/data/parameters/*.toml``).

Every parameter set is a TOML file with its source, confidence tags and (where it has one) a
``citation`` key of ``data/bibliography.toml``. :func:`load_parameters` parses a file once
and, given a pydantic model, validates it, naming the file in any error.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from laserskin.core.errors import InputError

__all__ = ["load_parameters", "parameter_set_names"]

Model = TypeVar("Model", bound=BaseModel)


def _folder():
    return resources.files("laserskin").joinpath("data", "parameters")


def parameter_set_names() -> list[str]:
    """Names of the shipped parameter files (without ``.toml``), sorted."""
    return sorted(entry.name.removesuffix(".toml") for entry in _folder().iterdir() if entry.name.endswith(".toml"))


@cache
def _parsed(name: str) -> MappingProxyType:
    entry = _folder().joinpath(f"{name}.toml")
    if not entry.is_file():
        raise InputError("parameters", name, "one of " + ", ".join(parameter_set_names()))
    try:
        return MappingProxyType(tomllib.loads(entry.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as error:  # a packaging error, reported with the file
        raise InputError(f"data/parameters/{name}.toml", name, f"valid TOML ({error})") from None


def load_parameters(name: str, model: type[Model] | None = None) -> Any:
    """The parameter set ``name`` (``data/parameters/<name>.toml``), parsed once.

    Parameters
    ----------
    name : str
        File name without ``.toml``, e.g. ``"arrhenius"``.
    model : pydantic model class, optional
        Validate the document with it and return the model instance.

    Returns
    -------
    Mapping or model
        A read-only mapping of the top-level tables (do not mutate nested values), or the
        validated model.

    Raises
    ------
    InputError
        Unknown name, invalid TOML, or a document that does not match ``model``.
    """
    document = _parsed(name)
    if model is None:
        return document
    try:
        return model.model_validate(dict(document))
    except ValidationError as error:
        raise InputError.from_validation(error, f"data/parameters/{name}.toml") from None
