"""The terminal table of ``laserskin plan`` says the pulses stacked per spot (QA7 #4: "settings | 1320 nm,
14.2 J/cm^2, 50 ms, 10 mm, 1 pass(es)" for a plan simulated and timed as 3 pulses at 2 Hz per spot)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import laserskin.cli.plan as cli_plan


def _printed(monkeypatch, settings) -> str:
    from rich.console import Console

    plan = SimpleNamespace(
        eligible=True,
        referral=None,
        infeasible_request=None,
        modality="non_ablative",
        device="cooltouch_1320",
        settings=settings,
        cooling={"kind": "cryogen"},
        anesthetic="none",
        sessions=3,
        interval_weeks=2.0,
        visits_per_session=1,
        area_per_visit_cm2=None,
        session_minutes=10.0,
        laser_minutes=9.55,
        epidermal_omega=0.05,
        pain_index=3.0,
        improvement_percent={},
        rhytid_improvement_percent=None,
        outcome_evidence=None,
        session_total_minutes=None,
        risks={},
        reasons=[],
    )
    out = io.StringIO()
    console = Console(file=out, width=400, markup=False, highlight=False)
    monkeypatch.setattr(cli_plan, "console", lambda: console)
    cli_plan.print_plan(plan)
    return out.getvalue()


def test_the_plan_table_says_three_pulses_at_2_hz_per_spot(monkeypatch, settings_1320):
    text = _printed(monkeypatch, settings_1320)
    assert "1320 nm, 14.2 J/cm^2, 50 ms, 10 mm, 1 pass(es), 3 pulses at 2 Hz per spot (42.7 J/cm^2 per spot)" in text


def test_one_pulse_is_said_too_and_a_fractional_plan_counts_per_micro_zone(monkeypatch, settings_1320):
    assert "1 pass(es), 1 pulse per spot" in _printed(monkeypatch, {**settings_1320, "pulses_per_spot": 1})
    fractional = {**settings_1320, "microbeam_diameter_um": 120.0, "coverage_percent": 10.0, "pulses_per_spot": 1}
    assert "scan pattern, 1 pass(es), 1 pulse per micro-zone" in _printed(monkeypatch, fractional)
