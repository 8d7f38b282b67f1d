"""Session 13 (QA11 F-J, F-H, F-E): labels and echoes that say what a run did.

* F-J: the blister and dose bands' ``scattering_set`` perturbation swaps in the Salomatina 2006 set, whose file takes
  the measured, ex-vivo absorption as well as the scattering (``absorption = "measured"``). Every place that names it
  (the plan JSON's ``perturbations``, report.html, ``laserskin optics --help``, docs/planning.md) now says "the
  ex-vivo optical set (scattering and absorption)", from one source (each set's TOML ``label``, ``skin.parameter_sets.optical_set_text``); the JSON keys stay.
* F-H: ``optics --json`` carries ``version`` and the ``inputs`` that reproduce it (before: a bare list of layers).
* F-E: ``inputs`` (and the NetCDF provenance) echo every quantity of ``[laser]``, ``[cooling]`` and ``[protocol]``
  as typed; the echo reads back to the same floats.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import laserskin
from laserskin.cli import app
from laserskin.planning.uncertainty import PERTURBATION_NAMES, BlisterUncertainty
from laserskin.report import plan_report_html
from laserskin.skin.parameter_sets import available_scattering_sets, get_scattering_set, optical_set_text

OPTICAL_SETS = {name: optical_set_text(name) for name in available_scattering_sets()}
ROOT = Path(__file__).parents[2]
PLAN = json.loads((ROOT / "tests" / "web" / "data" / "plan.json").read_text(encoding="utf-8"))
EX_VIVO = "the ex-vivo optical set (scattering and absorption), Salomatina et al. 2006"
PERSON = ["--age", "45", "--sex", "female", "--fitzpatrick", "I", "--site", "cheek"]
runner = CliRunner()


def _words(text: str) -> str:
    """``text`` with its white space (line breaks of help text and Markdown) as single spaces."""
    return " ".join(text.split())


# ----------------------------------------------------------------------------------------------------------- F-J
def test_each_optical_set_is_named_by_what_it_sets():
    """The label is true to the data: a set with its own measured absorption is called an optical set of
    scattering and absorption; a set on the mixing model's absorption is not."""
    assert set(OPTICAL_SETS) == set(available_scattering_sets())
    for name, text in OPTICAL_SETS.items():
        measured = get_scattering_set(name).absorption == "measured"
        assert ("scattering and absorption" in text) == measured, (name, text)
    assert OPTICAL_SETS["salomatina2006"] == EX_VIVO
    assert PERTURBATION_NAMES["scattering_set"] == "ex-vivo optical set (scattering and absorption)"


def _band() -> BlisterUncertainty:
    """A band record as the planner makes it (numbers of QA11's CoolTouch 1320 nm plan), its labels from the code."""
    return BlisterUncertainty(
        relative=0.1432,
        mc_relative_error=0.01734,
        relative_high=0.0671,
        contributions={"melanin": -0.0435, "scattering_set": -0.1257, "cooling_h": -0.0339},
        runs=3,
    )


def test_the_plan_json_names_the_set_by_what_it_changes():
    perturbations = _band().as_dict()["perturbations"]
    assert set(perturbations) == {"melanin", "scattering_set", "cooling_h"}  # the keys stay
    assert perturbations["scattering_set"].startswith(EX_VIVO)
    assert "scattering set" not in perturbations["scattering_set"]
    # a nominal run on the ex-vivo set perturbs to the mixing-model set, and says so
    other = BlisterUncertainty(0.1, 0.01, 0.1, {"scattering_set": 0.05}, optical_set="jacques2013").as_dict()
    assert other["perturbations"]["scattering_set"].startswith(OPTICAL_SETS["jacques2013"])


def test_report_names_the_ex_vivo_optical_set():
    band = _band().as_dict()
    band["notes"] = {"scattering_set": "not varied: stub"}
    dose = {
        "applied": True,
        "relative_low": 0.05,
        "relative_high": 0.11,
        "mc_relative_error": 0.01734,
        "contributions": {"melanin": 0.0343, "scattering_set": 0.0957},
        "sources": {"melanin": "measured", "scattering_set": "measured"},
        "fluence_J_per_cm2": [13.5, 14.2, 15.8],
        "band_includes": "stub",
    }
    plan = copy.deepcopy(PLAN)
    plan["risks"] = {**plan["risks"], "blister_uncertainty": band, "outcome_dose_uncertainty": dose}
    html = _words(plan_report_html(plan))
    assert f"<th scope='row'>Change with {EX_VIVO} (counted on its own side only)</th><td>-12.6 %" in html
    assert f"<th scope='row'>Dose change with {EX_VIVO} (counted on its own side only)</th><td>+9.6 %" in html
    assert "<th scope='row'>Not included: ex-vivo optical set (scattering and absorption)</th>" in html
    assert "ex-vivo optical set (scattering and absorption) and cooling uncertainty" in html  # the assumptions
    assert "scattering set" not in html and "scattering-set" not in html


def test_optics_help_names_what_each_set_sets():
    result = runner.invoke(app, ["optics", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = _words(result.output)
    assert f"salomatina2006: {EX_VIVO}" in text
    assert f"jacques2013: {OPTICAL_SETS['jacques2013']}" in text
    assert "Scattering parameter set" not in text


def test_docs_name_the_perturbation_by_the_label():
    text = _words((ROOT / "docs" / "planning.md").read_text(encoding="utf-8"))
    assert text.count(EX_VIVO) >= 2  # the blister band and the dose band
    assert "the other scattering set" not in text


# ----------------------------------------------------------------------------------------------------------- F-H
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


# ----------------------------------------------------------------------------------------------------------- F-E
PERSON_TABLE = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"}
#: Every quantity of [laser], [cooling] and [protocol], typed in a unit that is neither the SI unit nor the display
#: unit where one exists (QA11 F-E: fluence, spot diameter and the cooling times were echoed in display units).
FLAT_TOP = {
    "wavelength": "1.45 um",
    "fluence": "120 kJ/m^2",
    "pulse_duration": "0.2 s",
    "spot_diameter": "0.6 cm",
    "repetition_rate": "0.002 kHz",
    "pulses": 2,
}
GAUSSIAN = {
    "wavelength": "0.001064 mm",
    "pulse_energy": "0.5 J",
    "pulse_duration": "3000 us",
    "spot_fwhm": "0.3 cm",
    "profile": "gaussian",
}
FRACTIONAL = {
    "wavelength": "1.55 um",
    "pulse_energy": "0.02 J",
    "pulse_duration": "0.003 s",
    "spot_diameter": "1 cm",
    "fractional": {"microbeam_diameter": "0.12 mm", "mtz_density": "2000000 1/m^2"},
}
FRACTIONAL_COVERAGE = {**FRACTIONAL, "fractional": {"microbeam_diameter": "120000 nm", "coverage": "0.05"}}
CRYOGEN = {
    "kind": "cryogen",
    "spurt_duration": "30000 us",
    "delay": "0.01 s",
    "h": "2 W/(cm^2*K)",
    "liquid_temperature": "247.15 K",
    "post_spurt": "0.005 s",
    "film_residence": "100000 us",
    "film_h": "0.2 W/(cm^2*K)",
}
CONTACT = {
    "kind": "contact",
    "window_temperature": "278.15 K",
    "h": "0.5 W/(cm^2*K)",
    "precool": "1000 ms",
    "postcool": "0.0083 min",
}
COLD_AIR = {
    "kind": "cold_air",
    "air_temperature": "243.15 K",
    "h": "0.01 W/(cm^2*K)",
    "precool": "2000 ms",
    "postcool": "0.03 min",
}
PROTOCOL = {
    "passes": 2,
    "pass_interval": "500 ms",
    "cooling_pause": "0.1 min",
    "overlap": "10 %",
    "anesthetic": "emla",
    "anesthetic_lead_time": "3600 s",
    "treated_area": "0.01 m^2",
    "sessions": 2,
    "session_interval": "28 day",
}


def _typed_quantities(table: dict, prefix: str = "") -> dict:
    """``{key: text}`` of every quantity typed in ``table`` (nested tables by ``outer.inner``)."""
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_typed_quantities(value, f"{prefix}{key}."))
        elif isinstance(value, str) and value[:1].isdigit() and " " in value:
            out[f"{prefix}{key}"] = value
    return out


def _get(table: dict, dotted: str):
    for part in dotted.split("."):
        table = table[part]
    return table


CASES = [(FLAT_TOP, CRYOGEN), (GAUSSIAN, CONTACT), (FRACTIONAL, COLD_AIR), (FRACTIONAL_COVERAGE, CRYOGEN)]


@pytest.mark.parametrize(("laser", "cooling"), CASES)
def test_inputs_and_provenance_echo_every_quantity_exactly(laser, cooling):
    """Each quantity is echoed as typed, or in the display unit where that is no longer (docs/cli.md
    "Inputs as typed"; "120 kJ/m^2" reads "12 J/cm^2"), and the echo reads back to the same float."""
    from laserskin.pipeline.scenario import Scenario
    from laserskin.pipeline.simulation import Simulation

    data = {"person": PERSON_TABLE, "laser": laser, "cooling": cooling, "protocol": PROTOCOL}
    scenario = Scenario.model_validate(data)
    inputs = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    provenance = Simulation.from_scenario(scenario).provenance()
    for table in ("laser", "cooling", "protocol"):
        recorded = json.loads(provenance[table])
        for key, typed in _typed_quantities(data[table]).items():
            for echo in (_get(inputs[table], key), _get(recorded, key)):
                assert echo == typed or len(echo) <= len(typed), (table, key, echo)
    # the echo reads back to the same floats: the same models, field by field
    again = Scenario.model_validate(inputs)
    assert again.laser == scenario.laser and again.cooling == scenario.cooling and again.protocol == scenario.protocol
    for table in ("laser", "cooling", "protocol"):
        before, after = getattr(scenario, table), getattr(again, table)
        for name in type(before).model_fields:
            assert repr(getattr(after, name)) == repr(getattr(before, name)), (table, name)


def test_a_number_and_text_in_the_display_unit_echo_in_the_display_unit():
    """Unchanged: a bare number is echoed in the field's unit, and text in the display unit as the display unit
    spells it (``"52 years"`` → ``"52 year"``), so the CLI, the web form and the JSON API echo alike."""
    from laserskin.planning.request import PlanRequest
    from laserskin.treatment.protocol import Protocol

    assert Protocol(overlap=0.1, cooling_pause="2 s").model_dump(by_alias=True)["overlap"] == "10 %"
    request = PlanRequest.model_validate({**PERSON_TABLE, "age": "52 years", "laxity": 2})
    assert request.model_dump(mode="json", by_alias=True)["age"] == "52 year"


def test_simulate_json_echo_reproduces_the_scenario(tmp_path):
    """The QA11 F-E reproduction through the command: ``inputs`` of ``simulate --json`` give back the same floats."""
    scenario = tmp_path / "alt.toml"
    laser = {k: v for k, v in FLAT_TOP.items() if k not in ("repetition_rate", "pulses")}
    cooling = {k: CRYOGEN[k] for k in ("kind", "spurt_duration", "delay")}
    tables = {"person": PERSON_TABLE, "laser": laser, "cooling": cooling}
    scenario.write_text(
        "\n".join(
            f"[{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in t.items()) for name, t in tables.items()
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["simulate", str(scenario), "--photons", "2000", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    inputs = json.loads(result.stdout)["inputs"]
    from laserskin.pipeline.scenario import Scenario

    typed, echoed = Scenario.model_validate(tables), Scenario.model_validate(inputs)
    assert echoed.laser == typed.laser and echoed.cooling == typed.cooling
    for table in ("laser", "cooling"):
        for key, text in _typed_quantities(tables[table]).items():
            echo = _get(inputs[table], key)
            assert echo == text or len(echo) <= len(text), (table, key, echo)
