"""Every place that names an optical set (the plan JSON's ``perturbations``, report.html, ``laserskin optics --help``,
docs/planning.md) says what it sets, from one source (each set's TOML ``label``,
``skin.parameter_sets.optical_set_text``).

The blister and dose bands' ``scattering_set`` perturbation swaps in the Salomatina 2006 set, whose file takes the
measured, ex-vivo absorption as well as the scattering (``absorption = "measured"``): it reads "the ex-vivo optical set
(scattering and absorption)"; the JSON keys stay.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.planning.uncertainty import PERTURBATION_NAMES, BlisterUncertainty
from laserskin.report import plan_report_html
from laserskin.skin.parameter_sets import available_scattering_sets, get_scattering_set, optical_set_text

OPTICAL_SETS = {name: optical_set_text(name) for name in available_scattering_sets()}


ROOT = Path(__file__).parents[2]


PLAN = json.loads((ROOT / "tests" / "web" / "data" / "plan.json").read_text(encoding="utf-8"))


EX_VIVO = "the ex-vivo optical set (scattering and absorption), Salomatina et al. 2006"


runner = CliRunner()


def _words(text: str) -> str:
    """``text`` with its white space (line breaks of help text and Markdown) as single spaces."""
    return " ".join(text.split())


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
