"""QA10 #12 (and the depth keys of #3): the plan's supporting ``summary`` reads the dermal keys by ``laserskin
simulate``'s rule (issue 9 item 2 "the planner uses the same rule"; issue 10 "`laserskin simulate` keeps its keys").

Before: for 52 F type IV cheek, laxity 2, cooltouch_1320 at the planned 14.22 J/cm^2, 20 000 photons, seed 1, the plan
said dermal injury "partial thickness" [560, 1051] um (fraction 0.317) where simulate of the same setting said "none"
(possible [443, 1209] um, Monte Carlo error 3 %): the plan read the band without the Monte Carlo gate. Its
``peak_dermis_temperature_C`` was the hottest single cell (63.70 degC), not the pooled read-out simulate reports and the
plan's own ``thermal_model_reason`` quotes (63.43 degC), and ``crater_depth_um`` / ``residual_damage_depth_um`` were
null where simulate reports 0.0 ("Numbers, not null", docs/tissue_physics.md).

The check re-runs the plan's own setting through :class:`~laserskin.pipeline.simulation.Simulation`: the same person,
laser (the planned pulse energy), cooling, anaesthetic, grid (:func:`~laserskin.planning.optimise.planning_settings`),
photons and seed, hence the same cached transport (bit-identical, tests/pipeline/test_readout_error.py) and the same
heat solves. The numbers must then agree to floating-point rounding (rel 1e-6, as test_planning_plan.py's re-run of
the epidermal Omega), not within a Monte Carlo tolerance: both read one field.
"""

import importlib
import warnings

import pytest

from laserskin.pipeline.simulation import GridCaptureWarning, Simulation
from laserskin.planning.optimise import planning_settings
from laserskin.skin.person import Person
from laserskin.treatment.protocol import Protocol

PHOTONS = 20_000  # the plan default, at which QA10 #12 was found (the planner may raise it; the re-run reads its own)
SEED = 1
PERSON = {"age": 52, "sex": "female", "fitzpatrick": "IV", "site": "cheek", "laxity": 2}
REL = 1e-6  # same transport, same heat solves: rounding only


@pytest.fixture(scope="module")
def plan_and_simulation(plan_store, person_transport_cache):
    """The plan, from the run's plan store (conftest; test_plan_readout.py plans the same request, and
    test_dose_band_cost.py too, which counts its own backward runs), and the simulation of its setting."""
    person = Person(**PERSON)
    result = plan_store.plan(PERSON, goal="tighten", devices=["cooltouch_1320"], photons=PHOTONS, seed=SEED)
    assert result.eligible and result.device == "cooltouch_1320", result.reasons
    setting = result.support["setting"]
    # one pass: simulate of ``passes`` > 1 fires them in one schedule, the planner adds the passes' Omega
    assert setting.passes == 1, setting.passes
    sim = Simulation(
        person,
        setting.laser,
        setting.cooling,
        Protocol(passes=1, anesthetic=result.anesthetic),
        planning_settings(setting.simulation.settings.photons, SEED, setting.laser),
        cache_dir=person_transport_cache,
        progress=None,
    )
    with warnings.catch_warnings():  # the planning grid's 2.4 % beyond the grid: the plan reads the same grid
        warnings.simplefilter("ignore", GridCaptureWarning)
        simulated = sim.run().summary
    return result.summary, simulated


def _pair(values):
    return None if values is None else pytest.approx(list(values), rel=REL)


def test_plan_summary_is_read_with_simulates_monte_carlo_rule(plan_and_simulation):
    planned, simulated = plan_and_simulation
    assert planned["thermal_model"] == simulated["thermal_model"] == "linear"
    assert planned["fluence_J_per_cm2"] == pytest.approx(simulated["fluence_J_per_cm2"], rel=REL)
    assert planned["dermal_injury"] == simulated["dermal_injury"]
    assert planned["dermal_injury_depth_um"] == _pair(simulated["dermal_injury_depth_um"])
    assert planned["dermal_injury_possible_depth_um"] == _pair(simulated["dermal_injury_possible_depth_um"])
    assert planned["dermal_injury_fraction"] == pytest.approx(simulated["dermal_injury_fraction"], rel=REL, abs=1e-12)
    assert planned["dermal_injury_mc_relative_error"] == pytest.approx(
        simulated["dermal_injury_mc_relative_error"], rel=REL
    )


def test_plan_summary_peak_dermis_is_the_pooled_readout(plan_and_simulation):
    planned, simulated = plan_and_simulation
    assert planned["peak_dermis_temperature_C"] == pytest.approx(simulated["peak_dermis_temperature_C"], rel=REL)
    # the field the plan's own thermal_model_reason quotes (the pooled peak, never below the dermal one)
    assert planned["peak_dermis_temperature_C"] <= simulated["peak_temperature_C"] * (1 + REL)


def test_plan_summary_depth_keys_are_numbers_as_in_simulate(plan_and_simulation):
    planned, simulated = plan_and_simulation
    for key in ("crater_depth_um", "residual_damage_depth_um", "residual_damage_possible_depth_um"):
        assert isinstance(simulated[key], float), key
        assert isinstance(planned[key], float), (key, planned.get(key))
        assert planned[key] == pytest.approx(simulated[key], rel=REL, abs=1e-9), key


plan_module = importlib.import_module("laserskin.planning.plan")


def test_plan_summary_follows_simulates_depth_convention():
    """The linear read-out leaves the depths of a non-ablative setting null; ``simulate --json`` gives 0.0."""
    linear = {"crater_depth_um": None, "residual_damage_depth_um": None, "epidermal_injury": "erythema"}
    out = plan_module._summary_as_simulate(linear, "non_ablative")
    assert out["crater_depth_um"] == 0.0 and out["residual_damage_depth_um"] == 0.0
    necrotic = plan_module._summary_as_simulate({**linear, "epidermal_injury": "blister"}, "non_ablative")
    assert necrotic["crater_depth_um"] == 0.0 and necrotic["residual_damage_depth_um"] is None  # not read: not 0
    ablative = {"crater_depth_um": 48.8, "residual_damage_depth_um": 14.0}
    assert plan_module._summary_as_simulate(ablative, "ablative") == ablative
