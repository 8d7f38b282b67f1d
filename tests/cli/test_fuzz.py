"""The CLI attacked with hypothesis: NaN, infinities, huge numbers, wrong types, random bytes.

Every bad value must give exactly one ``error:`` line on stderr, exit status 2, no traceback
and no file written. The physics is replaced by a tripwire where a test only feeds values
that must be refused, so a value that slipped through fails the test (exit 1) instead of
starting a long computation.
"""

import importlib
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from laserskin.cli import app

runner = CliRunner()
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# values that no quantity, count or name accepts: each must be refused with a one-line error
BAD_TEXT = st.one_of(
    st.sampled_from(
        [
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "1e400",
            "-1e400",
            "",
            " ",
            "[]",
            "[person]",
            "1e400 nm",
            "nan nm",
            "inf J/cm^2",
            "55 kg",
            "12 parsec",
            "0x1F",
            "None",
            "true",
        ]
    ),
    # 400- to 5000-digit numbers; a leading non-zero digit, or "000...0" is the valid number 0 (a seed)
    st.builds(
        lambda lead, rest: lead + rest,
        st.sampled_from("123456789"),
        st.text(alphabet="0123456789", min_size=399, max_size=4999),
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30).filter(
        lambda text: not _number_like(text)
    ),
)


def _number_like(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value)


# TOML values of the wrong kind for a quantity, a count or a name (strings with units are expected)
BAD_TOML_VALUES = [
    "nan",
    "inf",
    "-inf",
    "1e400",
    "-1",
    "0",
    "99999999999999999999",
    "true",
    "[1, 2]",
    '["a", "b"]',
    "{ x = 1 }",
    '"abc"',
    '"nan m"',
    '"inf ms"',
    '"1e400 J/cm^2"',
    '"1e-400 ms"',
    '"-5 ms"',
    '"5 kg"',
    '""',
    '"[length]"',
    "1979-05-27T07:32:00Z",
]


def one_error_line(result, value: str = "") -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: "), result.output
    if not any(character.isspace() for character in value):  # a value with blanks may echo a double space
        assert "  " not in lines[0], lines[0]  # nothing eaten out of the text (markup would leave double spaces)
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def tripwires(monkeypatch):
    """No simulation, transport or plan may start: the inputs of these tests are all bad."""

    def tripwire(*args, **kwargs):
        raise AssertionError("the computation started on bad input")

    monkeypatch.setattr(importlib.import_module("laserskin.pipeline.simulation").Simulation, "run", tripwire)
    monkeypatch.setattr(importlib.import_module("laserskin.planning.plan"), "plan_request", tripwire)
    monkeypatch.setattr(importlib.import_module("laserskin.transport"), "simulate_transport", tripwire)


OPTICS = {
    "--age": "55",
    "--sex": "female",
    "--fitzpatrick": "IV",
    "--site": "cheek",
    "--wavelength": "1064 nm",
    "--sun-exposure": "1",
    "--laxity": "1",
}


@FUZZ
@given(option=st.sampled_from(sorted(OPTICS)), value=BAD_TEXT)
def test_optics_refuses_bad_option_values(option, value):
    args = dict(OPTICS, **{option: value})
    result = runner.invoke(app, ["optics", *(item for pair in args.items() for item in pair), "--json"])
    assert result.exit_code == 2, result.output
    one_error_line(result, value)
    assert result.stdout == ""


PLAN = {
    "--age": "52",
    "--sex": "female",
    "--fitzpatrick": "IV",
    "--site": "cheek",
    "--laxity": "2",
    "--area": "150 cm^2",
    "--max-sessions": "3",
    "--max-downtime-days": "7",
    "--max-session-minutes": "60",
    "--photons": "20000",
    "--seed": "1",
    "--goal": "tighten",
    "--cooling": "auto",
    "--anesthetic": "auto",
    "--device": "smoothbeam_1450",
}


@FUZZ
@given(option=st.sampled_from(sorted(PLAN)), value=BAD_TEXT)
def test_plan_refuses_bad_option_values_before_planning(tmp_path, tripwires, option, value):
    out = tmp_path / "out"
    args = dict(PLAN, **{option: value})
    result = runner.invoke(app, ["plan", *(item for pair in args.items() for item in pair), "--out", str(out)])
    assert result.exit_code == 2, result.output
    one_error_line(result, value)
    assert not out.exists()


SCENARIO = """[person]
age = {age}
sex = "female"
fitzpatrick = "III"
site = "cheek"
[laser]
device = "smoothbeam_1450"
fluence = {fluence}
pulse_duration = {pulse_duration}
spot_diameter = {spot_diameter}
[protocol]
passes = {passes}
"""
GOOD = {"age": "52", "fluence": '"12 J/cm^2"', "pulse_duration": '"100 ms"', "spot_diameter": '"6 mm"', "passes": "1"}


@pytest.mark.parametrize("value", BAD_TOML_VALUES)
@pytest.mark.parametrize("field", sorted(GOOD))
def test_simulate_refuses_bad_scenario_values_before_computing(tmp_path, tripwires, field, value):
    """Every (field, bad value) pair: a complete grid, cheaper and surer than sampling it."""
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO.format(**dict(GOOD, **{field: value})))
    out = tmp_path / "out"
    result = runner.invoke(app, ["simulate", str(path), "--out", str(out), "--photons", "1000"])
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert not out.exists()


@FUZZ
@given(content=st.binary(min_size=0, max_size=300), command=st.sampled_from(["transport", "simulate", "plan"]))
def test_random_bytes_as_input_files(tmp_path, tripwires, content, command):
    path = tmp_path / "input.toml"
    path.write_bytes(content)
    out = tmp_path / "out"
    result = runner.invoke(app, [command, str(path), "--out", str(out / "r.nc" if command == "transport" else out)])
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert not out.exists()


@FUZZ
@given(photons=st.sampled_from(["0", "-5", "nan", "inf", "1e400", "99999999999999999999999", "abc", "1.5"]))
def test_transport_refuses_bad_photon_counts(tmp_path, tripwires, photons):
    path = tmp_path / "slab.toml"
    path.write_text('[[layers]]\nn = 1.0\nmua = "10 1/cm"\nmus = "90 1/cm"\ng = 0.75\nthickness = "0.02 cm"\n')
    result = runner.invoke(app, ["transport", str(path), "--photons", photons])
    assert result.exit_code == 2, result.output
    assert "photons" in one_error_line(result)


LAYER = "[[layers]]\nn = {n}\nmua = {mua}\nmus = {mus}\ng = {g}\nthickness = {thickness}\n"
GOOD_LAYER = {"n": "1.4", "mua": '"10 1/cm"', "mus": '"90 1/cm"', "g": "0.75", "thickness": '"0.02 cm"'}
VALID_LAYER_VALUES = {("g", "0")}  # isotropic scattering is a valid layer


@pytest.mark.parametrize("value", BAD_TOML_VALUES)
@pytest.mark.parametrize("field", sorted(GOOD_LAYER))
def test_transport_refuses_bad_layer_values_before_computing(tmp_path, tripwires, field, value):
    if (field, value) in VALID_LAYER_VALUES:
        return
    path = tmp_path / "layers.toml"
    path.write_text(LAYER.format(**dict(GOOD_LAYER, **{field: value})))
    out = tmp_path / "r.nc"
    result = runner.invoke(app, ["transport", str(path), "--photons", "1000", "--out", str(out)])
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert not out.exists()
