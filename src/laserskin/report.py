"""Self-contained HTML report of a treatment plan: inputs, plan, risks, reasons, figures
(embedded base64 PNG), assumptions and citations. No external files or scripts."""

from __future__ import annotations

import base64
import html
import json

__all__ = ["plan_report_html"]

ASSUMPTIONS = (
    "Epidermal safety: basal Henriques Omega (passes summed) <= 0.5, half the blister threshold (U).",
    "Collagen target: Omega >= 1 band >= 50 um on the beam axis in the dermis (U); reported when not reached.",
    "Passes are thermally independent (pass interval of minutes >> ~1 s relaxation): Omega adds over passes.",
    "Temperature rise linear in pulse energy (constant properties); invalid where tissue boils or ablates.",
    "Pain index tolerable <= 6/10 with the planned topical anaesthetic (U).",
    "Healing model and improvement bands: docs/healing.md (calibrated on two small studies).",
    "Treatable area per site: contraindications.toml (U, full face 300-500 cm^2).",
)


def _table(rows) -> str:
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v))}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def plan_report_html(plan, figures: dict[str, bytes] | None = None) -> str:
    """HTML text of the report; ``figures`` maps a caption to PNG bytes (embedded as base64)."""
    from laserskin.core.citations import all_citations

    data = plan.to_dict()
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>laserskin treatment plan</title>",
             "<style>body{font-family:sans-serif;max-width:960px;margin:auto}table{border-collapse:collapse}"
             "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left}</style></head><body>",
             "<h1>laserskin treatment plan</h1>",
             f"<p>laserskin {html.escape(str(data['version']))}, seed {data['seed']}, photons {data['photons']}, "
             f"wall time {data['wall_time_s']:.1f} s</p>", "<h2>Inputs</h2>", _table(data["inputs"].items())]
    if not data["eligible"]:
        parts += ["<h2>Referral</h2>", f"<p>{html.escape(data['referral'])}</p>"]
    else:
        parts += ["<h2>Plan</h2>", _table([(k, data[k]) for k in (
            "modality", "device", "anesthetic", "sessions", "interval_weeks", "session_minutes", "laser_minutes",
            "epidermal_omega", "pain_index")]),
            "<h3>Settings</h3>", _table(data["settings"].items()), "<h3>Cooling</h3>", _table(data["cooling"].items()),
            "<h3>Predicted improvement (laxity %, low / mid / high)</h3>",
            _table((k, " / ".join(f"{x:.2f}" for x in v)) for k, v in data["improvement_percent"].items()),
            "<h3>Risks</h3>", _table(data["risks"].items()),
            "<h3>Alternatives</h3>", _table((a["device"], a) for a in data["alternatives"]),
            "<h3>Work done</h3>", _table(data["simulation_work"].items())]
    parts += ["<h2>Reasons</h2><ul>", *(f"<li>{html.escape(r)}</li>" for r in data["reasons"]), "</ul>"]
    for caption, png in (figures or {}).items():
        encoded = base64.b64encode(png).decode("ascii")
        parts.append(f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{encoded}'>"
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts += ["<h2>Assumptions</h2><ul>", *(f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS), "</ul>",
              "<h2>Citations</h2><ul>", *(f"<li>{html.escape(str(c))}</li>" for c in all_citations()), "</ul>",
              "</body></html>"]
    return "".join(parts)
