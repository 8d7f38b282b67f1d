"""No laxity-grade improvement for laxity grade 0: the plan keeps the goal's measure and says why; a graded laxity keeps
its bands.
"""

import importlib

import pytest

from laserskin.planning import plan
from laserskin.skin.person import Person

plan_module = importlib.import_module("laserskin.planning.plan")


#: QA10 #4's person: light skin, forehead, laxity 1; cooltouch_1320 is the device it is planned with (1 pass).
FOREHEAD = {"age": 30, "sex": "male", "fitzpatrick": "I", "site": "forehead", "laxity": 1}


@pytest.fixture(scope="module")
def eryag_laxity0(tmp_path_factory):
    """QA10 #8's plan (~4 CPU s: a preset Er:YAG setting, deterministic)."""
    return plan(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek", laxity=0, sun_exposure=2),
        devices=["er_yag_2940"],
        progress=None,
        cache_dir=tmp_path_factory.mktemp("qa10_eryag_cache"),
    )


def test_laxity_grade_zero_has_no_laxity_improvement(eryag_laxity0):
    """Before: ``improvement_percent.month_6`` [41.9, 57.9, 77.8], identical to laxity 2, for a grade already 0."""
    out = eryag_laxity0.to_dict()
    assert out["goal_measure"] == "rhytid"
    assert "improvement_percent" in out and out["improvement_percent"] is None  # the key of issue 10 stays
    assert out["rhytid_improvement_percent"]["month_6"][1] > 0  # the goal's measure stays
    assert any("laxity grade 0" in note for note in out["outcome_notes"])
    for entry in out["candidates"] + out["alternatives"]:
        assert entry["improvement_percent"] is None


def test_laxity_bands_kept_for_a_graded_laxity():
    bands = {"month_6": [1.0, 2.0, 3.0]}
    assert plan_module._laxity_bands(bands, Person(**FOREHEAD)) is bands
