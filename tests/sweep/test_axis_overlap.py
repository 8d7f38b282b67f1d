"""Sweep axes that would overwrite one another are refused before anything runs (QA11 #5).

``[axes] "cooling.spurt_duration" = ["20 ms"]`` beside ``"cooling" = [{kind = "none"}, ...]`` ran 3 cases whose inputs
held no spurt at all (the table axis, applied after it, replaced the whole ``cooling`` table), while ``sweep.nc`` had
the dimension ``cooling__spurt_duration`` labelling every result "spurt 20 ms". The same holds for an axis over a trait
that the ``[population]`` draws: the drawn trait the results are labelled with would be replaced.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError
from laserskin.sweep import Sweep, SweepSpec, load_sweep, sweep_from_dict

PERSON = {"age": 50, "sex": "female", "fitzpatrick": "III", "site": "cheek", "sun_exposure": 2, "laxity": 2}
BASE = {"person": PERSON, "laser": {"device": "genesis_1064"}, "transport": {"photons": 1000}}
COOLING_KINDS = [{"kind": "none"}, {"kind": "cold_air"}, {"kind": "contact"}]

# the reviewer's file (/tmp/qa11/swb.toml): examples/sweep_fluence_cooling.toml with its fluence axis replaced
QA11_FILE = """
[sweep]
name = "fluence_cooling"
seed = 2024
case = "simulate"

[base.person]
age = 50
sex = "female"
fitzpatrick = "III"
site = "cheek"
sun_exposure = 2
laxity = 2

[base.laser]
device = "genesis_1064"

[base.transport]
photons = 20000

[axes]
"cooling.spurt_duration" = ["20 ms"]
"cooling" = [{ kind = "none" }, { kind = "cold_air" }, { kind = "contact" }]
"""


def test_the_reviewers_sweep_file_is_refused_naming_both_axes_and_nothing_is_written(tmp_path):
    path = tmp_path / "swb.toml"
    path.write_text(QA11_FILE)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1", "--json"])
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert "axes: got 'cooling.spurt_duration' and 'cooling'; expected axes that do not overlap" in line
    assert "give spurt_duration inside each value of axis 'cooling'" in line
    assert not out.exists()


@pytest.mark.parametrize(
    "axes",
    [
        {"cooling.spurt_duration": ["20 ms"], "cooling": COOLING_KINDS},  # the table axis after the dotted one
        {"cooling": [{"kind": "cryogen"}], "cooling.spurt_duration": ["20 ms", "40 ms"]},  # and before it
        {"laser": [{"device": "genesis_1064"}], "laser.fluence": ["10 J/cm^2"]},
        {"laser.fluence": ["10 J/cm^2"], "cooling": COOLING_KINDS, "laser": [{"device": "genesis_1064"}]},
    ],
)
def test_an_axis_under_another_axis_table_is_refused_in_either_order(axes):
    with pytest.raises(InputError) as refused:
        sweep_from_dict({"base": BASE, "axes": axes})
    outer = min((key for key in axes if any(other.startswith(key + ".") for other in axes)), key=len)
    inner = next(key for key in axes if key.startswith(outer + "."))
    assert refused.value.field == "axes"
    message = str(refused.value)
    assert f"'{outer}'" in message and f"'{inner}'" in message and "do not overlap" in message


def test_axes_under_one_table_or_sharing_a_prefix_without_a_dot_are_not_an_overlap():
    """Siblings (``laser.fluence``, ``laser.pulse_duration``) both apply to every case; the check goes by dotted
    parts, not text (``grid.nr`` is not under ``grid.n``)."""
    spec = sweep_from_dict(
        {"base": BASE, "axes": {"laser.fluence": ["10 J/cm^2", "14 J/cm^2"], "laser.pulse_duration": ["0.3 ms"]}}
    )
    sweep = Sweep(spec)
    lasers = [case.inputs["laser"] for case in sweep.cases()]
    assert [(laser["fluence"], laser["pulse_duration"]) for laser in lasers] == [
        ("10 J/cm^2", "0.3 ms"),
        ("14 J/cm^2", "0.3 ms"),
    ]
    assert all(laser["device"] == "genesis_1064" for laser in lasers)
    # the overlap check alone (the spec model): keys that share text but not a table pass it
    SweepSpec.model_validate({"base": BASE, "axes": {"grid.n": [1], "grid.nr": [12]}})
    with pytest.raises(Exception, match="do not overlap"):
        SweepSpec.model_validate({"base": BASE, "axes": {"grid": [{"nr": 12}], "grid.nr": [12]}})


@pytest.mark.parametrize(
    ("case", "base", "axis", "drawn"),
    [
        ("simulate", {"laser": {"device": "genesis_1064"}}, {"person.age": [30, 60]}, "age"),
        ("simulate", {"laser": {"device": "genesis_1064"}}, {"person": [PERSON]}, "age, fitzpatrick, laxity"),
        ("plan", {"goal": "tighten", "photons": 1000}, {"laxity": [1, 3]}, "laxity"),
    ],
)
def test_an_axis_over_a_trait_the_population_draws_is_refused(case, base, axis, drawn):
    """The population's traits label the results (``sweep.nc`` coordinates, table columns): an axis that would
    replace one of them is refused, naming the axis and the trait."""
    data = {"sweep": {"case": case, "seed": 3}, "base": base, "population": {"n": 2}, "axes": axis}
    with pytest.raises(InputError) as refused:
        sweep_from_dict(data)
    message = str(refused.value)
    key = next(iter(axis))
    assert refused.value.field == "axes" and f"'{key}' beside a [population]" in message
    assert f"the drawn {drawn}" in message


def test_axes_the_population_does_not_draw_still_run_beside_it():
    plan = sweep_from_dict(
        {
            "sweep": {"case": "plan", "seed": 3},
            "base": {"goal": "tighten", "photons": 1000},
            "population": {"n": 2, "site": "cheek"},
            "axes": {"max_sessions": [2, 4]},
        }
    )
    assert plan.dims == ("person", "max_sessions")


def test_the_example_sweeps_still_load():
    assert load_sweep("examples/sweep_fluence_cooling.toml").dims == ("laser__fluence", "cooling")
    assert load_sweep("examples/population.toml").dims == ("person",)
