"""Units in the HTML report's request table and settings (QA8 #5; from the stored plan, no computation).

Before: "Longest acceptable session 5" (no unit: the CLI echoes the bare number of --max-session-minutes), "Area
per session 150 cm^2" beside "Area per visit 150 cm²", and the cooltouch pulse energy as "11,169 mJ".
"""

from __future__ import annotations

import json
from pathlib import Path

from laserskin.report import plan_report_html

PLAN = json.loads((Path(__file__).parent / "data" / "plan.json").read_text(encoding="utf-8"))


def _row(html: str, name: str) -> str:
    return html.split(f"<th scope='row'>{name}</th><td>")[1].split("</td>")[0]


def test_the_request_table_prints_every_number_with_its_unit_and_one_spelling_of_cm2():
    inputs = {**PLAN["inputs"], "max_session_minutes": "5", "area": "150 cm^2", "max_downtime_days": "7"}
    settings = {**PLAN["settings"], "pulse_energy_mJ": 11168.9}
    html = plan_report_html({**PLAN, "inputs": inputs, "settings": settings})
    assert _row(html, "Longest acceptable session") == "5 min"
    assert _row(html, "Longest acceptable downtime") == "7 days"
    assert _row(html, "Area per session") == "150 cm²"
    assert _row(html, "Age") == "56 years"
    assert _row(html, "Pulse energy") == "11.2 J"
    assert "cm^2" not in html and "J/cm^2" not in html
