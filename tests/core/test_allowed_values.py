"""Refusals that state the allowed values truthfully (QA13 #6).

Photons: the ``[transport]`` table takes photons from 1 (``laserskin transport``: tallies with their standard errors),
a simulation from 1000 (its read-outs pool regions of 1000 launched photons; pipeline/settings.py ``MIN_PHOTONS``).
Under ``laserskin simulate`` ``photons = 0`` read "expected a whole number from 1 to 10000000000" and then
``photons = 10`` "from 1000 to 10000000000 for a simulation": a user following the first was refused by the second.
Each refusal now states the range of each command (:class:`laserskin.core.errors.Floor`).

Examples: with a 1450 nm scenario, ``wavelength = "0.855 eV"`` read "expected a length from 400 nm to 11000 nm, such as
'0.855 nm'": the typed number with the field's unit, outside the stated range (and a different quantity).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from laserskin.core.errors import InputError, describe_field, field_range
from laserskin.core.units import to_si
from laserskin.pipeline.scenario import Scenario, scenario_from_dict
from laserskin.pipeline.settings import MIN_PHOTONS, TransportSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _scenario(**tables) -> dict:
    data = tomllib.loads((EXAMPLES / "tightening_1450.toml").read_text(encoding="utf-8"))
    for table, values in tables.items():
        data[table] = {**data.get(table, {}), **values}
    return data


def _refusal(data: dict) -> str:
    with pytest.raises(InputError) as refused:
        scenario_from_dict(data).settings()
    return str(refused.value)


# --- photons: each refusal states the range of each command --------------------------------------------------------
@pytest.mark.parametrize("photons", [0, -5, "2", 2.5, "many"])
def test_a_refusal_below_the_simulation_floor_states_both_ranges(photons):
    message = _refusal(_scenario(transport={"photons": photons}))
    assert message.startswith("transport.photons: got "), message
    assert "expected a whole number from 1 to 10000000000 (a simulation takes from 1000: " in message, message


@pytest.mark.parametrize("photons", [0, -5, "many"])
def test_following_the_first_refusal_is_not_refused_by_the_second(photons):
    """The number the first refusal gives for a simulation is one the simulation takes, and the transport table's
    own lower end is one ``laserskin transport`` takes."""
    message = _refusal(_scenario(transport={"photons": photons}))
    simulation = int(re.search(r"a simulation takes from (\d+)", message).group(1))
    transport = int(re.search(r"from (\d+) to \d+", message).group(1))
    assert simulation == MIN_PHOTONS
    assert scenario_from_dict(_scenario(transport={"photons": simulation})).settings().photons == simulation
    assert scenario_from_dict(_scenario(transport={"photons": transport})).transport.photons == transport
    second = _refusal(_scenario(transport={"photons": 10}))  # under the floor: the simulation's own refusal
    assert f"from {simulation} to 10000000000 for a simulation" in second and "transport takes from 1" in second


@pytest.mark.parametrize(
    ("photons", "refusal"),
    [
        (10**11, "transport.photons: got 100000000000; expected a whole number from 1 to 10000000000"),
        ("2000", "transport.photons: got '2000'; expected a whole number from 1 to 10000000000"),
    ],
)
def test_a_value_over_the_range_or_at_the_floor_gets_no_floor_note(photons, refusal):
    """Over the upper end (shared by both commands), or a count the simulation takes typed as text: the floor is
    not what stands in the way."""
    assert _refusal(_scenario(transport={"photons": photons})) == refusal


def test_the_floor_marker_leaves_the_tables_own_range_alone():
    field = TransportSettings.model_fields["photons"]
    assert field_range(field) == ({"ge": 1, "le": 10_000_000_000}, None)
    assert describe_field(field) == "a whole number from 1 to 10000000000"
    assert TransportSettings(photons=1).photons == 1  # laserskin transport takes from 1


# --- examples inside the stated range -------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["0.855 eV", "206 THz", "0.855"])
def test_the_example_of_a_wavelength_refusal_lies_inside_the_stated_range(typed):
    """The typed number with the field's unit is the example only where the field takes it (``'10 J'`` for a fluence
    reads "such as '10 J/cm^2'", tests/core/test_errors.py); else the field's own example, which lies in the range."""
    message = _refusal(_scenario(laser={"wavelength": typed}))
    assert message.startswith(f"laser.wavelength: got '{typed}'"), message
    assert "from 400 nm to 11000 nm" in message, message
    example = re.search(r"such as '([^']*)'", message)
    if example is not None:  # none is as good; one there lies in the range
        value_m = to_si(example.group(1), "m", field="example")
        assert 400e-9 <= value_m <= 11000e-9, message


def test_a_wavelength_of_the_right_kind_keeps_its_example():
    """A length typed without its unit: the typed number with the unit is the example where it lies in the range."""
    message = _refusal(_scenario(laser={"wavelength": "1450"}))
    assert "such as '1450 nm'" in message, message
    assert Scenario  # the model the refusals come from
