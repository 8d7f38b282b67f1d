"""Fixtures of the planner tests."""

import importlib

import pytest


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
