"""The stored reference-course doses are what the current pipeline produces.

The healing calibration fits its gains to ``reference_doses.toml``; if optics, heat or
damage change, those doses must be regenerated
(``python -m laserskin.tools.reference_courses --write``). Same photons and seed give
the same Monte Carlo result (bit-identical for any thread count), so the comparison is
tight: only floating-point formatting separates the file from a fresh run.
"""

import pytest

from laserskin.healing.calibration import load_reference_courses
from laserskin.tools.reference_courses import PHOTONS, SEED, simulate_reference_doses


def test_stored_doses_match_a_fresh_simulation(tmp_path):
    fresh = simulate_reference_doses(PHOTONS, SEED, cache_dir=tmp_path)
    stored = load_reference_courses()
    assert set(fresh) == set(stored)
    for name, sessions in fresh.items():
        course = stored[name]
        assert len(course.sessions) == len(sessions)
        for table, dose in zip(sessions, course.sessions):
            assert dose.denatured_fraction == pytest.approx(table["denatured_fraction"], rel=1e-6)
            assert dose.immediate_tightening_pct == pytest.approx(table["immediate_tightening"], rel=1e-6)
            assert dose.epidermal_injury_grade == table["epidermal_injury_grade"]
