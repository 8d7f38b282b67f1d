"""Fixtures of the planner tests."""

import importlib

import pytest


@pytest.fixture(scope="session")
def person_transport_cache(run_transport_cache):
    """One transport cache for the planner tests of the issue's person (52 F, type IV, cheek, laxity 2) at the plan
    defaults (20 000 photons, seeds 1-6): test_plan_trust, test_plan_qa7_session_limit, test_plan_qa8_session_limit and
    test_mc_error's basal read-out runs start the same Monte Carlo transports (cooltouch_1320, smoothbeam_1450,
    fraxel_1550, genesis_1064). A transport is keyed on its optics, beam, grid, photons, seed and the package and
    kernel versions (:mod:`laserskin.transport.cache`), and a cached one is bit-identical to a fresh one
    (tests/pipeline/test_readout_error.py), so sharing it changes no result, only skips repeated runs. Heat solves
    and plans are not cached here: each test computes its own. It is the run's shared transport cache
    (tests/conftest.py), so the documented examples that plan this person reuse these transports too."""
    return run_transport_cache


@pytest.fixture(scope="session")
def side_by_side():
    """``side_by_side(f, seeds)``: ``[f(seed) for seed in seeds]``, computed as the planner computes its candidate
    devices (:func:`laserskin.planning.optimise.plan_each`: worker threads, results in the order of ``seeds``, the
    first error in that order raised; one at a time on one core, or where numba's threading layer is not
    thread-safe). Each seed's run is the one the serial loop makes (same inputs, seed and photons; transports are
    bit-identical on any thread, tests/planning/test_plan_each.py), so no number a test reads changes, only its wall
    time: a single-device plan or a heat solve keeps about one core busy, and two seeds side by side use both cores
    of the 2-core CI machine. For the seed loops of one device (several devices are already planned side by side)."""
    from laserskin.planning.optimise import Counter, plan_each

    def run(f, seeds):
        return plan_each(lambda seed, _counter: f(seed), list(seeds), Counter())

    return run


@pytest.fixture
def without_minimum_benefit(monkeypatch):
    """Plans that tests read for their safety limits or wiring, whatever they predict: the minimum-benefit rule
    (QA4 #23, ``MIN_EXPECTED_IMPROVEMENT_PCT``, tested in test_plan_round2.py) would answer "not expected to work"
    for devices that predict almost nothing (genesis_1064 ~1e-4 %, titan_ir ~3 %, smoothbeam_1450 at 0.7 of the
    blister fluence 0.9 %)."""
    monkeypatch.setattr(importlib.import_module("laserskin.planning.plan"), "MIN_EXPECTED_IMPROVEMENT_PCT", 0.0)


#: The top-level keys of issue 10's acceptance interface of ``laserskin plan --json`` (copied from the issue, not
#: from the code, so that a key the code drops is caught).
PLAN_ACCEPTANCE_KEYS = (
    "eligible",
    "referral",
    "device",
    "modality",
    "settings",
    "session_minutes",
    "sessions",
    "epidermal_omega",
    "blister_fluence_J_per_cm2",
    "fluence_fraction_of_blister",
    "safety_margin",
    "improvement_percent",
    "outcome_measure",
    "pain",
    "risks",
)


@pytest.fixture
def plan_acceptance_keys():
    """:data:`PLAN_ACCEPTANCE_KEYS`."""
    return PLAN_ACCEPTANCE_KEYS
