"""``laserskin plan``'s echo and text table: the age echoed as typed (``plan --age 150`` echoed ``150.0``), and the
safety and risk rows of the JSON and the HTML report in the table (checked on a stored plan).
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from laserskin.cli import app

runner = CliRunner()


PLAN_PERSON = ["--age", "52", "--sex", "female", "--fitzpatrick", "IV", "--site", "cheek", "--laxity", "2"]


def _refusal(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    return line


@pytest.mark.parametrize("age", ["150", "17", "1e3"])
def test_plan_echoes_the_age_as_typed(age):
    args = ["plan", *PLAN_PERSON]
    args[args.index("52")] = age
    line = _refusal(runner.invoke(app, args))
    assert line == f"error: plan.age: got '{age}'; expected from 18 year to 100 year", line


#: ``risks`` of the QA10 demo plan (52 F IV cheek laxity 2, 150 cm², seed 1: cooltouch_1320 at 14.2 J/cm²,
#: /tmp/qa10/plan/p1_s1.json), the keys the rows read, as the plan stored them.
RISKS = {
    "pigment_risk": "moderate",
    "epidermal_injury": "none",
    "epidermal_injury_beyond_error": "none",
    "epidermal_omega": 0.000342110997475,
    "blister_fluence_J_per_cm2": [16.7346, 19.519126609, 20.7978],
    "fluence_fraction_of_blister": 0.7288,
    "safety_margin": 0.15,
    "pain_index_with_anesthetic": 5.348,
    "pain_index_without_anesthetic": 9.7,
    "pain_with_plan": [3.1, 5.34818510561, 8.2],
    "pain_without_anaesthetic": [6.8, 9.7, 10.0],
    "downtime_days": 0.0,
    "reepithelialization_days": 0.0,
    "thermal_model": "linear",
    "long_session": False,
}


def _plan(**changes):
    plan = {
        "eligible": True,
        "referral": None,
        "infeasible_request": None,
        "modality": "non_ablative",
        "device": "cooltouch_1320",
        "settings": {
            "wavelength_nm": 1320.0,
            "fluence_J_per_cm2": 14.2249777006,
            "pulse_duration_ms": 50.0,
            "spot_diameter_mm": 10.0,
            "passes": 1,
        },
        "cooling": {"kind": "cryogen"},
        "anesthetic": "lidocaine_tetracaine_7_7",
        "sessions": 5,
        "interval_weeks": 2.0,
        "visits_per_session": 1,
        "area_per_visit_cm2": None,
        "session_minutes": 40.0,
        "laser_minutes": 10.0,
        "epidermal_omega": RISKS["epidermal_omega"],
        "pain_index": 5.34818510561,
        "improvement_percent": {"month_6": [7.7, 20.2, 43.8]},
        "rhytid_improvement_percent": None,
        "outcome_evidence": None,
        "session_total_minutes": None,
        "risks": dict(RISKS),
        "reasons": [],
    }
    plan.update(changes)
    return SimpleNamespace(**plan)


def _printed(monkeypatch, plan) -> dict[str, str]:
    """The table's rows as ``{item: value}``."""
    from rich.console import Console

    import laserskin.cli.plan as cli_plan

    out = io.StringIO()
    console = Console(file=out, width=400, markup=False, highlight=False)
    monkeypatch.setattr(cli_plan, "console", lambda: console)
    cli_plan.print_plan(plan)
    rows = {}
    for line in out.getvalue().splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if len(cells) == 2 and cells[0]:
            rows[cells[0]] = cells[1]
    return rows


def test_the_plan_table_states_the_safety_and_risk_rows_of_the_report(monkeypatch):
    rows = _printed(monkeypatch, _plan())
    assert rows["Fluence that would blister (Ω = 1)"] == "19.5 J/cm² (16.7 J/cm² – 20.8 J/cm²)"
    assert rows["Planned fluence as a share of the blister fluence"] == "73 %"
    assert rows["Safety margin"] == "0.15"
    # the pain with the planned anaesthetic and cooling, and without anaesthetic, each with its band
    assert rows["Pain with the planned anaesthetic and cooling"] == "5.3/10 (3.1/10 – 8.2/10)"
    assert rows["Pain without anaesthetic (cooling's temperature only)"] == "9.7/10 (6.8/10 – 10/10)"
    assert rows["Risk of pigment change"] == "Moderate"
    assert rows["Downtime"] == "0 days"
    assert rows["Session over the limit or split into visits"] == "no"
    # no row twice: the epidermal Ω keeps its own row, the unlabelled pain index gives way to the labelled bands
    assert rows["epidermal Ω"] == "0.000342 (blisters at 1)" and "Epidermal damage integral Ω" not in rows
    assert "pain index" not in rows and "pain with the plan" not in rows


def test_the_plan_table_rows_are_the_reports_rows():
    """One list and one wording: every risk row of the table is the HTML report's row for the same plan."""
    from laserskin.cli.plan import risk_rows
    from laserskin.report import RISK_ROWS
    from laserskin.report.labels import display_value, name, plan_risk_keys

    context = {"modality": "non_ablative"}
    report = {name(k): display_value(k, RISKS[k], context) for k in plan_risk_keys(RISKS, RISK_ROWS) if k in RISKS}
    table = risk_rows(RISKS, "non_ablative")
    assert len(table) >= 12
    assert {label: value for _, label, value in table}.items() <= report.items()


def test_an_ablative_plan_shows_its_wound_not_the_blister_rows(monkeypatch):
    risks = {k: v for k, v in RISKS.items() if k not in ("pain_with_plan", "pain_without_anaesthetic")}
    risks["epidermal_wound"] = "crater 40 µm, necrosis to 60 µm"
    rows = _printed(monkeypatch, _plan(modality="ablative", risks=risks))
    assert rows["epidermis"] == "crater 40 µm, necrosis to 60 µm"
    for label in ("Fluence that would blister (Ω = 1)", "Safety margin", "epidermal Ω", "pain index"):
        assert label not in rows, label
    assert rows["Pain with anaesthetic"] == "5.3/10" and rows["Pain without anaesthetic"] == "9.7/10"
