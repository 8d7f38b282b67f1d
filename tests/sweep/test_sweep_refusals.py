"""Sweep files that every case would fail, or that repeat a case, are refused before anything runs (QA13 #3, #4).

QA13 #3: ``[base.transport] photons = 10`` passed the sweep's check (the cases' scenarios validated; the 1000-photon
floor of a simulation is checked when the simulation is built), so ``laserskin sweep`` ran all 9 cases into error
records, wrote ``sweep.nc`` and exited 0. A case is now checked by building its simulation, the check
``laserskin simulate`` makes, and the refusal names the key where the file sets the value.

QA13 #4: an axis that gives one input twice (``[{ kind = "none" }, { kind = "none" }]``, or ``"10 J/cm^2"`` and
``"100 kJ/m^2"``) ran the same case twice and wrote a repeated coordinate into ``sweep.nc``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError
from laserskin.sweep import sweep_from_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweep_fluence_cooling.toml"
FLOOR = "expected a whole number from 1000 to 10000000000 for a simulation"


def _example(**tables) -> dict:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.update(tables)
    return data


def _sweep(tmp_path, text: str):
    path = tmp_path / "sweep.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1", "--json"])
    return result, " ".join(result.output.split()), out


# --- QA13 #3: what a case's simulation refuses is refused up front -----------------------------------------------
def test_the_reviewers_file_exits_2_naming_the_base_key_and_writes_nothing(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("photons = 20000", "photons = 10")
    assert "photons = 10\n" in text
    result, line, out = _sweep(tmp_path, text)
    assert result.exit_code == 2, result.output
    assert f"base.transport.photons: got 10; {FLOOR}" in line
    assert "Traceback" not in result.output
    assert not out.exists()


def test_an_axis_that_sets_too_few_photons_is_named():
    with pytest.raises(InputError) as refused:
        sweep_from_dict(_example(axes={"transport.photons": [20000, 10]}))
    assert refused.value.field == "axes.transport.photons"
    assert str(refused.value).startswith(f"axes.transport.photons: got 10; {FLOOR}")


def test_a_relation_the_simulation_checks_is_refused_up_front():
    """Contact cooling with an ablative laser is refused when a simulation is built (Simulation.__init__), not by
    the scenario's schema: the sweep's check is that same check, so the contact value of the axis is refused."""
    data = _example(axes={"cooling": [{"kind": "none"}, {"kind": "contact"}]})
    data["base"]["laser"] = {"device": "er_yag_2940"}
    with pytest.raises(InputError) as refused:
        sweep_from_dict(data)
    assert refused.value.field == "axes.cooling.kind"
    assert str(refused.value).startswith('axes.cooling.kind: got \'contact\'; expected "none", "cold_air" or')


def test_a_key_inside_a_table_axis_is_named_under_the_axis():
    """The device's fluence range refuses the second value of an axis over the whole [laser] table: the refusal
    names the key under the axis that sets it."""
    data = _example(axes={"laser": [{"device": "genesis_1064"}, {"device": "genesis_1064", "fluence": "60 J/cm^2"}]})
    with pytest.raises(InputError) as refused:
        sweep_from_dict(data)
    assert refused.value.field == "axes.laser.fluence"
    assert str(refused.value).startswith("axes.laser.fluence: got '60 J/cm^2'")


def test_a_base_value_refused_with_one_axis_value_names_both():
    """[base] sets contact cooling, which holds with the first laser of the axis and not with the ablative second:
    the refusal names the base key and the axis value it fails with."""
    data = _example(axes={"laser.device": ["genesis_1064", "er_yag_2940"]})
    data["base"]["cooling"] = {"kind": "contact"}
    with pytest.raises(InputError) as refused:
        sweep_from_dict(data)
    text = str(refused.value)
    assert text.startswith("base.cooling.kind: got 'contact'; expected"), text
    assert text.endswith("(with axes.laser.device = 'er_yag_2940')"), text


def test_a_base_value_no_drawn_person_takes_names_the_base_key():
    """A plan sweep whose fixed area exceeds the forehead's cap, for a population of forehead people only (laxity
    4: every plan would be a referral, so nothing is computed)."""
    data = {
        "sweep": {"name": "foreheads", "seed": 3, "case": "plan"},
        "base": {"goal": "tighten", "area": "150 cm^2", "photons": 1000},
        "population": {"n": 3, "site": "forehead", "laxity": 4, "age": 50, "fitzpatrick": "II"},
    }
    with pytest.raises(InputError) as refused:
        sweep_from_dict(data)
    text = str(refused.value)
    assert refused.value.field == "base.area"
    assert text.startswith("base.area: got '150 cm^2'; expected at most 120 cm^2"), text
    assert text.endswith("(for every person the [population] draws)"), text


def test_the_example_still_validates():
    assert sweep_from_dict(_example()).n_cases == 9


# --- QA13 #4: an axis that repeats a value ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("axis", "values", "given", "repeats"),
    [
        ("cooling", [{"kind": "none"}, {"kind": "none"}], '{ kind = "none" } twice', "value 2 repeats value 1,"),
        ("laser.fluence", ["10 J/cm^2", "10 J/cm^2"], "'10 J/cm^2' twice", "value 2 repeats value 1,"),
        (
            "laser.fluence",
            ["10 J/cm^2", "14 J/cm^2", "100 kJ/m^2"],
            "'100 kJ/m^2'",
            "value 3 repeats value 1 ('10 J/cm^2', the same laser.fluence)",
        ),
        (
            "cooling",
            [{"kind": "cold_air"}, {"kind": "none"}, {"kind": "cold_air", "h": "0.1 kW/(m^2*K)"}],
            '{ kind = "cold_air", h = "0.1 kW/(m^2*K)" }',
            "value 3 repeats value 1",
        ),
    ],
)
def test_an_axis_that_gives_one_input_twice_is_refused(axis, values, given, repeats):
    with pytest.raises(InputError) as refused:
        sweep_from_dict(_example(axes={axis: values}))
    assert refused.value.field == f"axes.{axis}"
    text = str(refused.value)
    assert text.startswith(f"axes.{axis}: got {given}; expected values that differ: {repeats}"), text
    assert "drop one" in text


def test_an_axis_with_a_repeat_exits_2_and_writes_nothing(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        '"cooling" = [{ kind = "none" }, { kind = "cold_air" }, { kind = "contact" }]',
        '"cooling" = [{ kind = "none" }, { kind = "none" }]',
    )
    result, line, out = _sweep(tmp_path, text)
    assert result.exit_code == 2, result.output
    assert 'axes.cooling: got { kind = "none" } twice; expected values that differ' in line
    assert not out.exists()


def test_values_that_differ_only_in_rounding_are_one_value_and_distinct_values_are_kept():
    with pytest.raises(InputError, match=r"value 2 repeats value 1 \('1\.45 um'"):
        sweep_from_dict(_example(axes={"laser.wavelength": ["1.45 um", "1450 nm"]}))
    assert sweep_from_dict(_example(axes={"laser.fluence": ["10 J/cm^2", "10.5 J/cm^2"]})).n_cases == 2
