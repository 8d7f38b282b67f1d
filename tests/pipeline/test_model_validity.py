"""A run that leaves what the model represents says so in a machine-readable key (QA8 #2).

Before: fraxel_1550 at 70 mJ (inside its preset range) reported ``peak_temperature_C`` 705 °C with exit 0 and only
the prose ``pyrolysis_note``. Now every summary carries ``within_model_validity`` (false where a note of
:data:`~laserskin.pipeline.summary.OUTSIDE_MODEL_NOTES` is present: pyrolysis, vaporised tissue kept in place,
freezing) and ``model_validity_reason``; the CLI table, the web result and the NetCDF show them. And the pooled peak
of a run that boiled never reads below boiling (before: 87.7 °C with ``boiling`` true at 2000 photons).

The non-linear stage is driven with the fixed source of tests/pipeline/test_pyrolysis_note.py (fast, deterministic).
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.cli._shell import WARNING_NOTES
from laserskin.cli.simulate import summary_table
from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import PyrolysisWarning, _boiled_peak_floor, run_nonlinear
from laserskin.pipeline.simulation import Simulation
from laserskin.pipeline.summary import OUTSIDE_MODEL_NOTES, model_validity
from laserskin.report.labels import SIMULATION_ROWS, display_value
from laserskin.skin import Person
from laserskin.thermal.enthalpy import phase_change_parameters
from laserskin.treatment.laser import Laser


def _run(source_scale_per_m3: float):
    laser = Laser(wavelength="1064 nm", fluence="100 J/cm^2", pulse_duration="30 ms", spot_diameter="10 mm")
    simulation = Simulation(
        Person(age=40, sex="female", fitzpatrick="VI", site="cheek"), laser, {"kind": "none"}, progress=None
    )
    grid = RZGrid.uniform(nr=1, dr_m=5e-3, nz=80, dz_m=10e-6)
    source = source_scale_per_m3 * np.exp(-grid.z_centers_m / 300e-6)[None, :]
    return run_nonlinear(simulation, reason="test", source_per_J=source, grid=grid).summary


def test_a_run_past_the_pyrolysis_temperature_is_flagged_outside_the_model():
    with pytest.warns(PyrolysisWarning):
        hot = _run(4e7)  # ~600 °C: the pyrolysis note
    assert hot["within_model_validity"] is False
    assert "pyrolysis_note" in hot["model_validity_reason"]
    cool = _run(3e7)  # 222 °C, boiled, no note: inside the model
    assert cool["within_model_validity"] is True and cool["model_validity_reason"] is None


def test_the_flag_is_one_rule_over_the_warning_notes():
    assert set(OUTSIDE_MODEL_NOTES) == set(WARNING_NOTES)  # the notes the CLI and the web show as warnings
    for key in OUTSIDE_MODEL_NOTES:
        assert model_validity({key: "text"})["within_model_validity"] is False
    assert model_validity({"grid_note": "text"}) == {"within_model_validity": True, "model_validity_reason": None}


def test_the_flag_is_shown_in_the_cli_table_and_the_web_result():
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(summary_table({"run": {"within_model_validity": False}}, "t"))
    row = next(line for line in console.export_text().splitlines() if "within what the model represents" in line)
    assert row.rstrip(" │").endswith("no")
    assert "within_model_validity" in SIMULATION_ROWS
    assert display_value("within_model_validity", False) == "no"


def test_the_pooled_peak_of_a_run_that_boiled_never_reads_below_boiling():
    parameters = phase_change_parameters(1550e-9, 3e-3, material_removal=False)
    boiling_C = parameters.boiling_temperature_K - 273.15
    summary = {"peak_temperature_C": 87.7, "peak_cell_temperature_C": 663.0, "boiling": True}
    note = _boiled_peak_floor(summary, parameters, photons=2000)
    assert summary["peak_temperature_C"] == pytest.approx(boiling_C)
    assert "87.7 degC at 2000 photons" in note and "663 degC" in note and "lower bound" in note
    unchanged = {"peak_temperature_C": 87.7, "boiling": False}
    assert _boiled_peak_floor(unchanged, parameters, photons=2000) is None and unchanged["peak_temperature_C"] == 87.7
    above = {"peak_temperature_C": 250.0, "boiling": True}
    assert _boiled_peak_floor(above, parameters, photons=2000) is None and above["peak_temperature_C"] == 250.0
    assert _boiled_peak_floor(dict(summary, peak_temperature_C=80.0), parameters, photons=None) is None
