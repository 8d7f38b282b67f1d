"""``contraction_note`` (QA7 #7): said above the top of the calibrated 20–40 % linear immediate contraction
(collagen.toml ``[calibration] target_range``), as one more ``*_note`` of the summary that the CLI and the web
show; the simulated cases are in tests/validation/test_collagen_contraction.py."""

import math

from laserskin.cli._shell import summary_notes
from laserskin.core.data import load_parameters
from laserskin.pipeline.summary import contraction_note


def _area_percent(linear: float) -> float:
    return 100.0 * (1.0 - (1.0 - linear) ** 2)


def test_note_only_above_the_top_of_the_calibrated_range():
    low, high = load_parameters("collagen")["calibration"]["target_range"]
    assert contraction_note(_area_percent(high) - 1e-6) is None  # 40 % linear = 64 % of area: inside
    assert contraction_note(_area_percent(low)) is None
    assert contraction_note(0.0) is None
    assert contraction_note(None) is None
    assert contraction_note(math.nan) is None
    note = contraction_note(72.3)  # QA7 #7: one 20 J/cm², 50 ms CO2 pulse
    assert note is not None
    assert "72.3 % of area" in note and "47.4 % linear" in note and "20-40 % linear" in note


def test_the_note_reaches_the_shells_note_list():
    summary = {"immediate_tightening_percent": 72.3, "contraction_note": contraction_note(72.3)}
    assert [(key, level) for key, level, _ in summary_notes(summary)] == [("contraction_note", "note")]
