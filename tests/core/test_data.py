"""The one parameter-set loader: cached, read-only, errors name the file."""

import pytest
from pydantic import BaseModel, ConfigDict

from laserskin.core.data import load_parameters, parameter_set_names
from laserskin.core.errors import InputError


def test_every_shipped_parameter_file_parses_and_is_read_only():
    names = parameter_set_names()
    assert "arrhenius" in names and "skin_anatomy" in names
    for name in names:
        document = load_parameters(name)
        assert document, name
        with pytest.raises(TypeError):
            document["new"] = 1  # type: ignore[index]
    assert load_parameters("arrhenius") is load_parameters("arrhenius")


def test_unknown_set_lists_the_known_ones():
    with pytest.raises(InputError, match="arrhenius"):
        load_parameters("no_such_set")


def test_validation_error_names_the_file():
    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")
        nothing: int = 0

    with pytest.raises(InputError, match="data/parameters/arrhenius.toml"):
        load_parameters("arrhenius", Strict)
