"""Provenance of the JSON outputs (QA11 #10 and its nits).

``laserskin transport --json`` carried the tallies with ``photons`` and ``seed`` but no ``version`` and no scenario
echo, where ``simulate --json`` and ``plan --json`` record both. ``plan --json`` recorded
``inputs.max_session_minutes`` (and ``max_sessions``) as ``null`` where the default applied, so the record depended
on the version's defaults rather than stating the limit the plan was held to. ``GET /api/devices`` returns the rows
that ``laserskin devices --json`` carries under each preset's ``display`` (docs/web_and_sweeps.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import laserskin
from laserskin.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"

# a person under a Gaussian beam, with the other scattering set: what `inputs` must echo
SCENARIO = """
[person]
age = 47
sex = "male"
fitzpatrick = "II"
site = "forehead"
sun_exposure = 1
laxity = 3

[laser]
wavelength = "1.32 um"

[beam]
kind = "flat_top"
diameter = "4 mm"

[transport]
photons = 200000
seed = 7
scattering = "salomatina2006"
"""


def _invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _toml(data: dict) -> str:
    """``data`` (tables of scalars and lists, as a scenario echo holds them) as TOML."""

    def value(v):
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    top = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        f"[{k}]\n" + "\n".join(f"{key} = {value(x)}" for key, x in v.items())
        for k, v in data.items()
        if isinstance(v, dict)
    ]
    return "\n".join(top) + "\n\n" + "\n\n".join(tables) + "\n"


def test_transport_json_records_the_version_and_the_scenario_that_reproduces_it(tmp_path, monkeypatch):
    from laserskin.pipeline.scenario import load_scenario, scenario_from_dict

    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO)
    result = _invoke("transport", path, "--photons", 1000, "--seed", 3, "--threads", 1, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["version"] == laserskin.__version__
    inputs = payload["inputs"]
    # the scenario echo: person, wavelength, beam, scattering set, geometry; the photons and seed that ran
    assert inputs["person"] == {
        "age": 47.0,
        "sex": "male",
        "fitzpatrick": "II",
        "site": "forehead",
        "sun_exposure": 1,
        "laxity": 3,
    }
    assert inputs["laser"] == {"wavelength": "1320 nm"}  # the shorter exact text (core.units.Quantity)
    assert inputs["beam"]["kind"] == "flat_top"
    assert inputs["transport"] == {"photons": 1000, "seed": 3, "scattering": "salomatina2006"}  # --threads: not
    assert inputs["geometry"]["kind"] == "rz"
    read = load_scenario(path)
    ran = read.model_copy(update={"transport": read.transport.model_copy(update={"photons": 1000, "seed": 3})})
    assert scenario_from_dict(inputs) == ran
    # saved as a scenario file and run with no option, the echo gives the same tallies
    again = tmp_path / "inputs.toml"
    again.write_text(_toml(inputs))
    second = _invoke("transport", again, "--threads", 1, "--json")
    assert second.exit_code == 0, second.output
    rerun = json.loads(second.stdout)
    for key in ("diffuse_reflectance", "total_transmittance", "absorbed_fraction", "absorbed_fraction_by_region"):
        assert rerun[key] == payload[key], key
    assert rerun["inputs"] == inputs


def test_transport_json_of_the_example_echoes_its_own_seed_and_the_photons_given():
    result = _invoke("transport", EXAMPLES / "skin_1064.toml", "--photons", 1000, "--threads", 1, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["inputs"]["transport"] == {"photons": 1000, "seed": 7, "scattering": "jacques2013"}
    assert payload["inputs"]["laser"] == {"wavelength": "1064 nm"} and payload["inputs"]["person"]["age"] == 55.0


def test_plan_json_records_the_limits_the_plan_was_held_to():
    """No limit typed: the record says 60 min (contraindications.toml [safety]) and the 20-session ceiling, not null;
    a plan that returns early (nothing to treat) records them too."""
    from laserskin.planning.request import planner_rules

    result = _invoke(
        "plan", "--age", 30, "--sex", "female", "--fitzpatrick", "II", "--site", "cheek", "--laxity", 0,
        "--sun-exposure", 0, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    inputs = json.loads(result.stdout)["inputs"]
    assert inputs["max_session_minutes"] == f"{planner_rules()['safety']['max_session_minutes']:g} min" == "60 min"
    assert inputs["max_sessions"] == 20
    assert inputs["max_downtime_days"] is None  # no downtime limit is applied where none is given


@pytest.mark.parametrize(
    ("given", "echo"),
    [
        ({}, {"max_session_minutes": "60 min", "max_sessions": 20}),
        ({"max_session_minutes": "1.5 h", "max_sessions": 3}, {"max_session_minutes": "1.5 h", "max_sessions": 3}),
        ({"max_session_minutes": "45"}, {"max_session_minutes": "45 min", "max_sessions": 20}),
    ],
)
def test_the_request_echo_states_the_limits_and_reads_back_to_the_same_plan_limits(given, echo):
    from laserskin.planning.request import PlanRequest

    request = PlanRequest.validated(age=52, sex="female", fitzpatrick="III", site="cheek", **given)
    dumped = request.model_dump(mode="json", by_alias=True)
    assert {key: dumped[key] for key in echo} == echo
    again = PlanRequest.model_validate(dumped)
    assert again.resolved_limits() == request.resolved_limits()
    assert request.model_dump()["max_sessions"] == given.get("max_sessions")  # the model itself keeps None


def test_the_recorded_session_ceiling_caps_no_device():
    """Recording MAX_SESSIONS for "no limit" plans the same only while every preset's typical count is within it
    (planning.sessions.plan_course caps the device's typical count by max_sessions)."""
    from laserskin.planning.request import MAX_SESSIONS
    from laserskin.treatment.devices import list_devices

    assert max(preset.sessions.count[1] for preset in list_devices()) <= MAX_SESSIONS


def test_api_devices_rows_are_the_display_rows_of_devices_json():
    """docs/web_and_sweeps.md: ``GET /api/devices`` returns the rows of the ``laserskin devices`` table, which
    ``devices --json`` carries under each preset's ``display`` beside its SI numbers."""
    from laserskin.treatment.devices import table_rows

    result = _invoke("devices", "--json")
    assert result.exit_code == 0, result.output
    presets = json.loads(result.stdout)
    assert [preset["display"] for preset in presets] == table_rows()
    assert all("wavelength_m" in preset["default"] for preset in presets)


PERSON = ["--age", "45", "--sex", "female", "--fitzpatrick", "I", "--site", "cheek"]


runner = CliRunner()


# --- optics --json -------------------------------------------------------------------------------------------------
def test_optics_json_carries_version_and_the_inputs_that_reproduce_it():
    from laserskin.core.units import to_si
    from laserskin.skin import Person, optics_table

    args = [*PERSON, "--wavelength", "0.755 um", "--scattering", "salomatina2006", "--json"]
    result = runner.invoke(app, ["optics", *args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"version", "inputs", "layers"}
    assert data["version"] == laserskin.__version__
    inputs = data["inputs"]
    assert inputs["wavelength"] == "0.755 um" and inputs["scattering"] == "salomatina2006"
    assert inputs["person"]["fitzpatrick"] == "I" and inputs["person"]["site"] == "cheek"
    again = optics_table(
        Person.model_validate(inputs["person"]),
        to_si(inputs["wavelength"], "m", field="wavelength"),
        scattering=inputs["scattering"],
    )
    assert again == data["layers"]
    assert [row["name"] for row in data["layers"]][0] == "stratum_corneum"
