"""``contraction_note`` (QA7 #7): said above the top of the calibrated 20–40 % linear immediate contraction
(collagen.toml ``[calibration] target_range``), as one more ``*_note`` of the summary that the CLI and the web
show; for a non-ablative laser (not fractional) above the published non-ablative range, below 2 % of area
(QA15 #2b); the simulated cases are in tests/validation/test_collagen_contraction.py."""

import math

from laserskin.cli._shell import summary_notes
from laserskin.core.data import load_parameters
from laserskin.pipeline.summary import (
    NON_ABLATIVE_CONTRACTION_MAX_AREA_PERCENT,
    contraction_note,
    contraction_range,
    run_contraction_note,
)


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


def test_non_ablative_note_above_the_published_non_ablative_range():
    """QA15 #2b: a non-ablative run (not fractional) above the published non-ablative immediate contraction (below
    2 % of area, docs/collagen.md section 1 row 7, section 5 B4/B5) is said: the range, its source, that the dermis is
    coagulated (a burn) and that the value is the model's extrapolation. The value is not clamped."""
    top = NON_ABLATIVE_CONTRACTION_MAX_AREA_PERCENT
    assert top == 2.0
    assert contraction_note(top, ablative=False) is None
    assert contraction_note(0.19, ablative=False) is None  # the 1450 nm reference course
    note = contraction_note(62.2, ablative=False, coagulation_depth_um=200.0)  # smoothbeam, generic cryogen
    assert note is not None
    assert note.startswith("immediate contraction 62.2 % of area (38.5 % linear) is above the range published for ")
    assert "non-ablative lasers: below 2 % of area" in note
    assert "Alexiades-Armenakas 2007; Hardaway 2002" in note and "B4 and B5" in note
    assert "the dermis is coagulated 200 um deep (a burn" in note and "model's extrapolation" in note
    below_threshold = contraction_note(3.0, ablative=False, coagulation_depth_um=0.0)
    assert below_threshold is not None and "denatured far beyond non-ablative heating (a burn" in below_threshold
    # the same value under an ablative laser is inside the calibrated CO2 range: no note
    assert contraction_note(62.2, ablative=True) is None and contraction_note(62.2) is None
    # a fractional non-ablative laser coagulates columns by design: it is read against the calibrated range only
    assert contraction_note(4.41, ablative=False, fractional=True) is None  # the nafl_1550 reference course
    assert "20-40 % linear" in contraction_note(72.3, ablative=False, fractional=True)


def test_the_range_table_names_one_range_per_run():
    low, high = load_parameters("collagen")["calibration"]["target_range"]
    assert contraction_range(ablative=True).max_area_percent == _area_percent(high)
    assert contraction_range().max_area_percent == _area_percent(high)
    assert contraction_range(ablative=False).max_area_percent == 2.0
    assert contraction_range(ablative=False, fractional=True).max_area_percent == _area_percent(high)


def test_the_run_reads_its_lasers_range():
    """The stages pass the laser's ablative and fractional flags (:func:`run_contraction_note`)."""
    from types import SimpleNamespace

    yag = SimpleNamespace(laser=SimpleNamespace(ablative=False, is_fractional=False))
    co2 = SimpleNamespace(laser=SimpleNamespace(ablative=True, is_fractional=False))
    assert "non-ablative lasers" in run_contraction_note(yag, 10.0, 50.0)
    assert run_contraction_note(co2, 10.0, 50.0) is None


def test_the_bad_cooling_run_carries_the_note():
    """The QA15 case: smoothbeam_1450 at 14 J/cm² with the generic cryogen timing (no parallel spray, 20 ms delay)
    burns the dermis; its summary says the contraction is above the non-ablative range (a coarse grid here)."""
    from laserskin.pipeline.settings import SimulationSettings
    from laserskin.pipeline.simulation import Simulation
    from laserskin.skin import Person
    from laserskin.treatment.laser import Laser

    simulation = Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        Laser.from_device("smoothbeam_1450", fluence="14 J/cm^2"),
        {"kind": "cryogen", "parallel": False, "delay": "20 ms"},
        settings=SimulationSettings(photons=2_000, seed=1, grid={"nr": 12}, relaxation="0.5 s"),
        progress=None,
    )
    summary = simulation.run(grid_warning=False).summary
    assert summary["immediate_tightening_percent"] > 2.0
    assert summary["coagulation_depth_um"] > 0.0
    note = summary["contraction_note"]
    assert note is not None and "non-ablative lasers: below 2 % of area" in note and "(a burn" in note
