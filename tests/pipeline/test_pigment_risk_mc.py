"""``laserskin simulate`` states the pigmentary risk by the planner's rule: the level at the upper Monte Carlo bounds.

The points rule (:func:`laserskin.damage.injury.pigment_risk`) steps at a basal peak of 50 °C; a type VI person under
smoothbeam_1450 at 12.2 J/cm² sits on it (the QA6 #23 person: 20 M, abdomen), so the nominal level followed the seed
(20 000 photons on 40 rings, seeds 1-5: basal peak 49.5, 49.8, 50.1, 50.3, 50.8 °C → "moderate", "moderate", "high",
"high", "high"). The simulate summary now reads the level at the rise × (1 + 2 s) of the axis read-out (the highest
level the error cannot exclude, QA7 #1), as the planner does (:func:`laserskin.pipeline.summary.pigment_risk_bounds`,
called by ``planning.noise_rules.pigment_risk_keys``), and the level at × (1 − 2 s) in ``pigment_risk_beyond_error``.
Reference: the nominal level over the seeds.
"""

from __future__ import annotations

import pytest

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

SEEDS = (1, 2, 3, 4, 5)


@pytest.mark.slow  # five runs at 20 000 photons on 40 rings, ~15 s
def test_simulate_pigment_level_is_the_upper_bound_level_for_every_seed(tmp_path):
    person = Person(age=20, sex="male", fitzpatrick="VI", site="abdomen", laxity=1)
    preset = load_device("smoothbeam_1450")
    summaries = []
    for seed in SEEDS:
        settings = SimulationSettings(photons=20_000, seed=seed, grid={"nr": 40})
        laser = preset.laser(fluence="12.2 J/cm^2")
        sim = Simulation(person, laser, dict(preset.cooling), settings=settings, cache_dir=tmp_path, progress=None)
        summaries.append(sim.run(grid_warning=False).summary)
    assert {s["thermal_model"] for s in summaries} == {"linear"}
    # before: moderate, moderate, high, high, high (the nominal basal peak on both sides of 50 degC)
    assert [s["pigment_risk"] for s in summaries] == ["high"] * len(SEEDS)
    assert [s["pigment_risk_beyond_error"] for s in summaries] == ["moderate"] * len(SEEDS)
    for s in summaries:
        low, high = s["peak_basal_temperature_band_C"]
        assert low < 50.0 < high  # the step lies within the error for every seed
