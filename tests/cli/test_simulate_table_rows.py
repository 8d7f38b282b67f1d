"""The table of ``laserskin simulate`` states every key of ``simulate --json`` in clinician units, or the key is
listed as JSON-only with its reason (``JSON_ONLY_KEYS``) or is a ``*_note`` said on stderr: the Monte Carlo bounds
added to the summary (``epidermal_injury_beyond_error``, ``pigment_risk_beyond_error``, ``epidermal_omega_band``,
``residual_damage_possible_depth_um``, ...) were in the JSON only, and the next key cannot be forgotten."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.cli.simulate import JSON_ONLY_KEYS, SUMMARY_ROWS, summary_table, unlisted_keys
from laserskin.pipeline.summary import SimulationSummary

EXAMPLES = Path(__file__).parents[2] / "examples"
ROW_KEYS = [key for key, _, _ in SUMMARY_ROWS]


def test_rows_and_json_only_keys_are_one_list_each():
    assert len(ROW_KEYS) == len(set(ROW_KEYS))
    assert not set(ROW_KEYS) & set(JSON_ONLY_KEYS)
    assert all(reason.strip() for reason in JSON_ONLY_KEYS.values())


def test_every_typed_summary_key_is_a_row_or_json_only():
    """Every field of SimulationSummary (the typed keys of every thermal model) and the shell's own keys."""
    assert unlisted_keys([*SimulationSummary.model_fields, "cooling", "version", "inputs"]) == []


def test_a_key_nobody_listed_is_found():
    assert unlisted_keys(["epidermal_injury", "grid_note", "version", "some_new_key_um"]) == ["some_new_key_um"]


def test_every_key_of_a_voxel_run_is_a_row_or_json_only(tmp_path):
    """The voxel path adds its own keys (voxels, per-region read-outs, the array); 1000 photons: only keys are read."""
    result = CliRunner().invoke(
        app, ["simulate", str(EXAMPLES / "fractional_array_1550.toml"), "--photons", "1000", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert unlisted_keys(json.loads(result.stdout)) == []


def _table(summary: dict) -> list[str]:
    console = Console(record=True, width=240)
    console.print(summary_table({"run": summary}, "t"))
    return console.export_text().splitlines()


def _row(lines: list[str], label: str) -> str:
    found = [line for line in lines if line.count("│") > 2 and line.split("│")[1].strip() == label]
    assert len(found) == 1, (label, lines)
    return found[0]


def test_the_monte_carlo_bounds_are_rows_in_clinician_units():
    summary = {
        "epidermal_omega": 0.9,
        "epidermal_omega_band": [0.6, 1.3],
        "epidermal_injury": "blister",
        "epidermal_injury_beyond_error": "superficial necrosis",
        "epidermal_necrosis_depth_um": 25.0,
        "pigment_risk": "high",
        "pigment_risk_beyond_error": "moderate",
        "peak_basal_temperature_band_C": [48.4, 51.7],
        "dermal_injury_depth_um": None,
        "dermal_injury_possible_depth_um": [157.6, 459.2],
        "dermal_injury_fraction": 0.1674,
        "residual_damage_depth_um": 0.0,
        "residual_damage_possible_depth_um": 564.0,
        "crater_depth_per_pass_um": [50.0, 51.6],
        "mtz_area_fraction": 0.004535,
    }
    lines = _table(summary)
    assert "0.6 – 1.3" in _row(lines, "epidermal (basal) Ω, Monte Carlo error range")
    assert "superficial necrosis" in _row(lines, "epidermal injury established beyond the Monte Carlo error")
    assert "blister" in _row(lines, "epidermal injury")
    assert "25" in _row(lines, "necrotic (or removed) epidermis, depth of its bottom")
    assert "moderate" in _row(lines, "pigmentary risk established beyond the Monte Carlo error")
    assert "48.4 – 51.7" in _row(lines, "peak basal-layer temperature, Monte Carlo error range")
    assert "157.6 – 459.2" in _row(lines, "dermal injury depth range possible within the Monte Carlo error")
    assert "564" in _row(lines, "residual thermal necrosis depth possible within the Monte Carlo error")
    share = _row(lines, "share of the dermis thickness injured or removed")
    assert " % " in share and "16.74" in share  # a fraction 0-1 in the JSON, % here
    assert " % " in _row(lines, "MTZ share of the area") and "0.4535" in _row(lines, "MTZ share of the area")
    assert "50, 51.6" in _row(lines, "crater depth added by each pass")  # one value per pass, not a range


def test_a_possible_depth_equal_to_the_established_one_is_not_repeated():
    """Where no Monte Carlo error is estimated (non-linear stage, voxels) the possible depth equals the depth."""
    lines = _table({"residual_damage_depth_um": 14.6, "residual_damage_possible_depth_um": 14.6})
    assert not [line for line in lines if "possible within" in line]
    assert "14.6" in _row(lines, "residual thermal necrosis depth")
