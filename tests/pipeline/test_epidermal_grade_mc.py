"""``laserskin simulate`` states the epidermal grade by the pigment risk's rule: the grade at the upper Monte Carlo bound.

The grade (:func:`laserskin.damage.injury.classify_epidermal_injury`) steps at basal Henriques Ω = 1 ("blister"); at
smoothbeam_1450, 16.3 J/cm² (52 F, type III cheek) the nominal basal Ω sits on it and the grade followed the seed
(20 000 photons on 40 rings, seeds 1-5: Ω 1.29, 0.68, 0.55, 0.48, 0.55 → "blister", then "erythema" ×4). The summary
now reads the grade at the rise × (1 + 2 s) of the axis read-out (the gravest grade the Monte Carlo error cannot
exclude, a safety statement as ``pigment_risk``; :func:`laserskin.damage.injury.epidermal_grade_within_error`, one rule
with the pigment risk, :func:`laserskin.damage.injury.risk_within_error`) and the grade at × (1 − 2 s) in
``epidermal_injury_beyond_error``. Reference: the nominal grade over the seeds (they disagree: the setting is within
the error of the blister step). s is measured over the transport's groups of batches (``epidermal_mc_relative_error``,
:mod:`laserskin.pipeline.readout_error`), which matches the seed-to-seed scatter of the basal read-out at 1064, 1320
and 1450 nm (tests/planning/test_mc_error.py); the former 1/√N understated it ~1.7× at 1064 nm, where the stated
grade then still flipped with the seed.
"""

from __future__ import annotations

import pytest

from laserskin.damage.injury import GRADES, EpidermalInjury, PigmentRisk, epidermal_grade_within_error
from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

SEEDS = (1, 2, 3, 4, 5)


def _injury(omega_basal: float, omega_living_max: float, necrosis_depth_m: float) -> EpidermalInjury:
    risk = PigmentRisk(level="low", score=0.0, type_points=0.0, exposure_points=0.0)
    return EpidermalInjury(omega_basal, 330.0, "none", risk, necrosis_depth_m, omega_living_max)


def test_the_grade_is_stated_at_the_upper_bound_and_established_at_the_lower():
    # basal Omega 0.66 within a factor ~3.5 of the blister step: blister within the error, none established
    assert epidermal_grade_within_error(_injury(0.66, 0.66, 0.0), (0.19, 2.3)) == ("blister", "none")
    assert epidermal_grade_within_error(_injury(0.66, 0.66, 0.0), (0.55, 0.8)) == ("erythema", "erythema")
    # necrotic living epidermis above the basal cell: kept at the upper bound, required at the lower bound
    assert epidermal_grade_within_error(_injury(0.3, 40.0, 30e-6), (0.1, 0.9)) == (
        "superficial necrosis",
        "superficial necrosis",
    )
    assert epidermal_grade_within_error(_injury(0.3, 1.5, 30e-6), (0.1, 0.9)) == ("superficial necrosis", "none")
    # the upper bound raises a living Omega 0.5 (x3) to necrosis
    assert epidermal_grade_within_error(_injury(0.1, 0.5, 0.0), (0.03, 0.3))[0] == "superficial necrosis"


def test_the_stated_grade_is_never_below_the_established_one():
    for omega in (0.0, 0.2, 0.6, 0.99, 1.0, 3.0, 2e4):
        for living, depth in ((omega, 0.0), (max(omega, 1.2), 20e-6)):
            for factor in (1.0, 1.5, 5.0):
                stated, established = epidermal_grade_within_error(
                    _injury(omega, living, depth), (omega / factor, omega * factor)
                )
                assert GRADES.index(stated) >= GRADES.index(established)


def _summaries(device: str, fluence: str, tmp_path) -> list[dict]:
    person = Person(age=52, sex="female", fitzpatrick="III", site="cheek", laxity=2)
    preset = load_device(device)
    summaries = []
    for seed in SEEDS:
        settings = SimulationSettings(photons=20_000, seed=seed, grid={"nr": 40})
        laser = preset.laser(fluence=fluence)
        sim = Simulation(person, laser, dict(preset.cooling), settings=settings, cache_dir=tmp_path, progress=None)
        summaries.append(sim.run(grid_warning=False).summary)
    assert {s["thermal_model"] for s in summaries} == {"linear"}
    omegas = [s["epidermal_omega"] for s in summaries]
    assert min(omegas) < 1.0 < max(omegas), omegas  # the nominal basal Omega on both sides of the blister step
    return summaries


@pytest.mark.slow  # five runs at 20 000 photons on 40 rings, ~20 s
def test_simulate_epidermal_grade_does_not_follow_the_seed(tmp_path):
    summaries = _summaries("smoothbeam_1450", "16.3 J/cm^2", tmp_path)
    # before: the nominal grade, "blister" (seed 1) or "erythema" (seeds 2-5)
    assert [s["epidermal_injury"] for s in summaries] == ["blister"] * len(SEEDS)
    assert [s["epidermal_injury_beyond_error"] for s in summaries] == ["none"] * len(SEEDS)
    for s in summaries:
        low, high = s["epidermal_omega_band"]
        assert low < s["epidermal_omega"] < high
        assert low < 1.0 <= high  # the step lies within the error for every seed


@pytest.mark.slow  # five runs at 20 000 photons on 40 rings, ~20 s
def test_simulate_epidermal_grade_at_1064_nm_does_not_follow_the_seed(tmp_path):
    # genesis_1064 at 25 J/cm^2: nominal Omega 0.18, 1.03, 0.38, 0.68, 0.42 over seeds 1-5 (nominal grade: blister
    # at seed 2 only). With s = 1/sqrt(N) (2.7 %, half the noise at 1064 nm) seed 1's upper bound was 0.56 and the
    # stated grade "superficial necrosis" there, "blister" at seeds 2-5; with s measured over the transport's groups
    # (4.1-5.8 %) the upper bounds are 1.7-10
    summaries = _summaries("genesis_1064", "25 J/cm^2", tmp_path)
    assert [s["epidermal_injury"] for s in summaries] == ["blister"] * len(SEEDS)
    assert len({s["epidermal_injury_beyond_error"] for s in summaries}) == 1, summaries
    for s in summaries:
        low, high = s["epidermal_omega_band"]
        assert low < s["epidermal_omega"] < high
        assert low < 1.0 <= high
