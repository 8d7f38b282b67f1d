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
