"""The plan's dose band computes the Monte Carlo bounds of a basal read-out once.

The outcome band re-reads a setting at the two ends of its dose band on a copy of its linear response with the rise
scaled (:func:`laserskin.planning.plan._setting_at_dose`). For that copy the read-out's Monte Carlo error is "not
estimated" (:func:`laserskin.pipeline.readout_error.basal_readout_relative_errors`: the groups' rises do not add up
to the scaled rise), but telling so took a backward heat run, and the result was not kept, so each re-read ran it
twice (the pigment and the epidermal-grade bounds), with the same inputs as the setting's own read-out: about half
the band's cost. Now a backward run is kept per value of its inputs and the "not estimated" result is kept too. The
checks here count the backward runs by their inputs (a fingerprint made here, not the module's key) and compare the
kept results with a recomputation from empty stores. Since session 13 a copy that is a positive multiple of a run's
response reads that run's estimate (its relative error is the run's, group by group), so the copies make no backward
run and no group split of their own.
"""

import hashlib
import importlib
from types import SimpleNamespace

import numpy as np
import pytest

from laserskin.pipeline import readout_error
from laserskin.pipeline.readout_error import basal_readout_relative_errors
from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.planning import plan
from laserskin.planning.optimise import clear_plan_memo
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

plan_module = importlib.import_module("laserskin.planning.plan")

#: The dose band's ends in these checks: a rise scaled by 0.8 and 1.2 (the cooltouch band of QA9 #11 is -18 %).
FACTORS = (0.8, 1.2)


def _fingerprint(medium, power, surface, times_s, weights) -> str:
    """The inputs of one backward run, by value (the medium's properties, the schedules, times and weights)."""
    digest = hashlib.sha256()
    for array in (
        medium.grid.r_edges_m,
        medium.grid.z_edges_m,
        medium.conductivity_W_per_mK,
        medium.volumetric_heat_capacity_J_per_m3K,
        medium.perfusion_per_s,
        power.breakpoints_s,
        power.values,
        surface.h_W_per_m2K.breakpoints_s,
        surface.h_W_per_m2K.values,
        times_s,
        weights,
    ):
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    return digest.hexdigest()


@pytest.fixture
def backward_runs(monkeypatch):
    """The fingerprints of the backward runs made (one entry per run), from an empty planner memo
    (:func:`laserskin.planning.optimise.memoised`): a setting another test of this process planned (the same request
    in test_alternative_bands.py, test_plan_trust.py) would be read from it, with no backward run to count."""
    clear_plan_memo()
    runs: list[str] = []
    run = readout_error.readout_sensitivity

    def counted(medium, power, surface, times_s, weights):
        runs.append(_fingerprint(medium, power, surface, times_s, weights))
        return run(medium, power, surface, times_s, weights)

    monkeypatch.setattr(readout_error, "readout_sensitivity", counted)
    return runs


def _forget(monkeypatch):
    """Empty stores: what follows recomputes as a first call would."""
    import weakref

    monkeypatch.setattr(readout_error, "_ERRORS", weakref.WeakKeyDictionary())
    monkeypatch.setattr(readout_error, "_SENSITIVITIES", weakref.WeakKeyDictionary())


def _scaled(response, factor: float):
    """The copy the dose band reads (:func:`laserskin.planning.plan._setting_at_dose`)."""
    return response.scaled(factor)


def test_a_scaled_copy_reads_its_responses_estimate(tmp_path, monkeypatch, backward_runs):
    preset = load_device("genesis_1064")
    settings = SimulationSettings(photons=4000, seed=3, grid={"nr": 20})  # as tests/pipeline/test_readout_error.py
    person = Person(age=52, sex="female", fitzpatrick="III", site="cheek", laxity=2)
    sim = Simulation(person, preset.laser(), dict(preset.cooling), settings=settings, cache_dir=tmp_path)
    results, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    _forget(monkeypatch)

    errors = basal_readout_relative_errors(sim, response, (0,), results)
    assert errors is not None and np.isfinite(errors[0]) and len(backward_runs) == 1

    split_calls = []  # an estimate's first step: the transport's groups
    split = readout_error.source_groups

    def counted_split(stacks, transport_results):
        split_calls.append(1)
        return split(stacks, transport_results)

    monkeypatch.setattr(readout_error, "source_groups", counted_split)
    copies = [_scaled(response, f) for f in FACTORS]
    for copy in copies:
        # f x the run's rise: the run's relative error (session 13; before: "not estimated"), then kept
        first = basal_readout_relative_errors(sim, copy, (0,))
        assert np.array_equal(first, errors) and basal_readout_relative_errors(sim, copy, (0,)) is first
    # the copies read the response's estimate: no backward run, no split of the groups
    assert len(backward_runs) == 1 and len(split_calls) == 0
    assert basal_readout_relative_errors(sim, response, (0,), results) is errors

    # the kept results are those of a recomputation from empty stores (a new backward run per read-out)
    _forget(monkeypatch)
    again = basal_readout_relative_errors(sim, response, (0,), results)
    assert again is not errors and np.array_equal(again, errors)
    assert len(backward_runs) == 2 and backward_runs[1] == backward_runs[0]
    _forget(monkeypatch)
    assert all(np.array_equal(basal_readout_relative_errors(sim, copy, (0,)), errors) for copy in copies)
    assert len(backward_runs) == 3  # recomputed: the response's run for the first copy, which the second then reads


def test_the_plans_dose_band_makes_no_backward_run_twice(person_transport_cache, monkeypatch, backward_runs):
    """A plan (52 F, type IV, cheek, laxity 2, cooltouch_1320, 20 000 photons, seed 1: its dose band applies) makes
    each backward run once; its dose band's re-reads make none; a re-read from empty stores gives the same setting."""
    p = plan(
        Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2),
        goal="tighten",
        devices=["cooltouch_1320"],
        photons=20_000,
        seed=1,
        cache_dir=person_transport_cache,
        progress=None,
    )
    assert p.risks["outcome_dose_uncertainty"]["applied"], p.risks["outcome_dose_uncertainty"]
    assert backward_runs and len(set(backward_runs)) == len(backward_runs), "a backward run made twice"

    setting = p.support["setting"]
    made = len(backward_runs)
    counter = SimpleNamespace(evaluations=0, transports=0, heat_solves=0, full_simulations=0)
    kept = [plan_module._setting_at_dose(setting, f, counter) for f in FACTORS]
    assert len(backward_runs) == made  # the re-reads read the setting's own backward run
    _forget(monkeypatch)
    fresh = [plan_module._setting_at_dose(setting, f, counter) for f in FACTORS]
    assert len(backward_runs) == made + 1  # from empty stores: one run, then read by the other end
    for a, b in zip(kept, fresh, strict=True):
        assert a.summary == b.summary and a.curve == b.curve == {}  # a re-read makes no margin curve (session 19)
        # the copy's bounds: the run's relative error (session 13; before: not estimated)
        assert a.summary["epidermal_mc_relative_error"] == setting.summary["epidermal_mc_relative_error"]
