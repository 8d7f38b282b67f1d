"""``laserskin plan --max-fraction-of-blister F``: in (0, 1], default 0.85, reaches the planner."""

import importlib

import pytest
from typer.testing import CliRunner

from laserskin.cli import app

PERSON = ["--age", "52", "--sex", "female", "--fitzpatrick", "IV", "--site", "cheek", "--laxity", "2"]


@pytest.fixture
def requests(monkeypatch):
    """Record the PlanRequest the command builds instead of planning (the planner has its own tests)."""
    plan_module = importlib.import_module("laserskin.planning.plan")
    seen = []

    def fake(request, **kwargs):
        seen.append(request)
        return plan_module.TreatmentPlan(eligible=False, referral="recorded", seed=1, photons=1, request={})

    monkeypatch.setattr(plan_module, "plan_request", fake)
    return seen


@pytest.mark.parametrize(("given", "expected"), [(None, 0.85), ("0.7", 0.7), ("1", 1.0)])
def test_the_margin_reaches_the_plan_request(requests, given, expected):
    extra = [] if given is None else ["--max-fraction-of-blister", given]
    result = CliRunner().invoke(app, ["plan", *PERSON, *extra, "--json"])
    assert result.exit_code == 0, result.output
    assert requests[-1].max_fraction_of_blister == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["0", "1.2", "-0.5"])
def test_a_margin_outside_0_1_is_refused_naming_the_field(requests, bad):
    result = CliRunner().invoke(app, ["plan", *PERSON, "--max-fraction-of-blister", bad])
    assert result.exit_code == 2
    assert "max_fraction_of_blister" in result.output
    assert not requests  # refused before any planning


def test_help_documents_it():
    result = CliRunner().invoke(app, ["plan", "--help"], env={"COLUMNS": "200"})
    assert "--max-fraction-of-blister" in result.output and "0.85" in result.output
