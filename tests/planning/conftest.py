"""Fixtures of the planner tests."""

import fcntl
import hashlib
import importlib
import json
import os
import pickle
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def person_transport_cache(run_transport_cache):
    """One transport cache for the planner tests of the issue's person (52 F, type IV, cheek, laxity 2) at the plan
    defaults (20 000 photons, seeds 1-6): test_plan_trust, test_session_limit_trade, test_session_limit_eligibility and
    test_mc_error's basal read-out runs start the same Monte Carlo transports (cooltouch_1320, smoothbeam_1450,
    fraxel_1550, genesis_1064). A transport is keyed on its optics, beam, grid, photons, seed and the package and
    kernel versions (:mod:`laserskin.transport.cache`), and a cached one is bit-identical to a fresh one
    (tests/pipeline/test_readout_error.py), so sharing it changes no result, only skips repeated runs. Heat solves
    are not cached here, and plans only where a test asks :func:`plan_store` for them. It is the run's shared
    transport cache (tests/conftest.py), so the documented examples that plan this person reuse these transports too."""
    return run_transport_cache


class PlanStore:
    """Plans computed once per pytest run and read by every test that asks for the same plan.

    ``store.plan(person_fields, **kwargs)`` is ``plan(Person(**person_fields), **kwargs)`` (transports from the run's
    shared cache, no progress bar). A plan is a deterministic computation of its inputs (same person, devices,
    photons and seed: the same transports, bit-identical on any thread, and the same heat solves; the seeds are
    compared with each other by the tests, never a plan with itself), so the first test that asks computes it and
    stores it (pickled, in the run's folder that both ``make test`` workers share); a later one, in this file or
    another, on this worker or the other, reads it. Each caller gets its own copy (unpickled), so a test may change
    what it got. Two callers asking for one plan at once: the second waits for the first (a lock file per plan,
    ``flock``, released by the system if the process dies; it then computes the plan itself).

    The key holds the inputs, the planner's rules (``contraindications.toml``, as loaded now) and its minimum-benefit
    cut, so a test that changes either (``monkeypatch``) gets a plan of its own rules; a test that patches anything
    else in the planner must call ``plan`` itself.

    Plans read by more than one file (the issue's person, tighten, 20 000 photons): smoothbeam_1450 alone, seeds 1-5
    (test_plan_trust.py ``cheek_plans``; seed 1 also test_alternative_bands.py's device planned alone), and
    cooltouch_1320 + smoothbeam_1450, seeds 1-5 (test_plan_trust.py's recommendation; seed 1 also
    test_alternative_bands.py's pair). cooltouch_1320 alone at seed 1 (test_plan_summary_dermal_keys.py) is read by
    test_plan_readout.py too.
    """

    def __init__(self, folder: Path, transport_cache: Path):
        self.folder = folder
        self.transport_cache = transport_cache

    def _key(self, person_fields: dict, kwargs: dict) -> str:
        from laserskin import __version__
        from laserskin.planning.request import planner_rules

        plan_module = importlib.import_module("laserskin.planning.plan")
        inputs = {
            "person": person_fields,
            "plan": kwargs,
            "rules": planner_rules(),
            "minimum_benefit_pct": plan_module.MIN_EXPECTED_IMPROVEMENT_PCT,
            "version": __version__,
        }
        return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=repr).encode()).hexdigest()[:32]

    def plan(self, person_fields: dict, **kwargs):
        """``plan(Person(**person_fields), **kwargs)``, computed once per run (see the class)."""
        from laserskin.planning import plan
        from laserskin.skin.person import Person

        assert "cache_dir" not in kwargs and "progress" not in kwargs, "the store sets them"
        key = self._key(person_fields, kwargs)
        stored = self.folder / f"{key}.pickle"
        with open(self.folder / f"{key}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not stored.exists():
                result = plan(Person(**person_fields), **kwargs, cache_dir=self.transport_cache, progress=None)
                partial = stored.with_name(f"{key}.{os.getpid()}.partial")
                partial.write_bytes(pickle.dumps(result))
                os.replace(partial, stored)
            return pickle.loads(stored.read_bytes())


@pytest.fixture(scope="session")
def plan_store(tmp_path_factory, run_transport_cache) -> PlanStore:
    """:class:`PlanStore` of this pytest run (a folder beside the run's transport cache, shared by xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "plan-store"
    folder.mkdir(exist_ok=True)
    return PlanStore(folder, run_transport_cache)


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
    (QA4 #23, ``MIN_EXPECTED_IMPROVEMENT_PCT``, tested in test_plan_choice.py) would answer "not expected to work"
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
