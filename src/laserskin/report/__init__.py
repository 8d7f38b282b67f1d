"""Self-contained HTML report of a treatment plan: the person's inputs, the plan, the risks,
the expected improvement with its uncertainty band, the alternatives as a table, the figures
(embedded PNG with title, caption and alt text), the assumptions (thresholds read from the
planner's rule file, so they match the reasons) and the citations of the models the plan used.
No external files or scripts; readable on a phone (fluid layout) and printable.

Labels and units come from :mod:`laserskin.report.labels`, the table the web pages and the
CLI share.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from laserskin.report.labels import (
    ALTERNATIVE_PAIN_HEADER,
    BAND,
    BAND_SOURCES_HEADING,
    BLISTER_BAND_CAPTION,
    OUTCOME_BAND_CAPTION,
    OUTCOME_EVIDENCE_CAPTION,
    OUTCOME_EVIDENCE_HEADER,
    OUTCOME_EVIDENCE_HEADING,
    alternative_fluence_text,
    alternative_goal_text,
    alternative_improvement_text,
    alternative_pain_text,
    alternatives_note,
    band_text,
    blister_band_rows,
    choice,
    display_value,
    explain,
    figure_text,
    goal_headline,
    label,
    name,
    outcome_band_includes_text,
    outcome_band_rows,
    outcome_evidence_rows,
    plan_risk_keys,
    readable_units,
    unavailable_text,
)

__all__ = ["STYLE", "assumptions", "plan_citations", "plan_report_html"]

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:0 1rem;color:#1d2329;line-height:1.45}"
    "table{border-collapse:collapse;margin:.5rem 0;max-width:100%}"
    "th,td{border:1px solid #c5ccd3;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#eef2f6;font-weight:600}.wide{overflow-x:auto;max-width:100%}"
    "img{max-width:100%;height:auto}figure{margin:1rem 0}figcaption{font-size:.95rem;color:#3d4650}"
    "p,li,figcaption,h1,h2,h3{overflow-wrap:anywhere}"
    ".note{color:#3d4650}.risk{border-left:4px solid #a35200;padding-left:.6rem}"
    "summary{cursor:pointer;font-weight:600}@media print{.wide{overflow:visible}}"
)

PLAN_ROWS = (
    "modality",
    "device",
    "sessions",
    "interval_weeks",
    "visits_per_session",
    "area_per_visit_cm2",
    "session_minutes",
    "session_total_minutes",
    "laser_minutes",
    "anesthetic",
)
SETTING_ROWS = (
    "wavelength_nm",  # a broadband source: its emitted bands and mean (labels.wavelength_text), its band in that row
    "fluence_J_per_cm2",
    "pulse_energy_mJ",
    "pulse_duration_ms",
    "spot_diameter_mm",
    "repetition_rate_Hz",
    "pulses_per_spot",
    "fluence_per_spot_J_per_cm2",
    "passes",
    "profile",
    "microbeam_diameter_um",
    "coverage_percent",
    "binding_constraint",
    "note",
)
RISK_ROWS = (
    "pigment_risk",
    "epidermal_injury",
    "epidermal_injury_beyond_error",
    "epidermal_wound",
    "epidermal_omega",
    "blister_fluence_J_per_cm2",
    "fluence_fraction_of_blister",
    "safety_margin",
    "pain_index_with_anesthetic",
    "pain_index_without_anesthetic",
    "pain_with_plan",
    "pain_without_anaesthetic",
    "anaesthetic_choice_note",
    "downtime_days",
    "reepithelialization_days",
    "thermal_model",
    "long_session",
    "session_limit_not_met",
    "anaesthesia_note",
    "referral_note",
)
INPUT_ROWS = (
    "age",
    "sex",
    "fitzpatrick",
    "site",
    "sun_exposure",
    "laxity",
    "goal",
    "area",
    "devices",
    "max_sessions",
    "max_downtime_days",
    "max_session_minutes",
    "max_fraction_of_blister",
    "anesthetic",
    "cooling",
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _rows(pairs, caption: str = "") -> str:
    body = "".join(f"<tr><th scope='row'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<div class='wide' tabindex='0'><table>{cap}{body}</table></div>"


def _labelled(data: dict, keys, context=None) -> list[tuple[str, str]]:
    return [(name(k), display_value(k, data[k], context)) for k in keys if k in data and data[k] is not None]


def _plan_rows(data: dict) -> list[tuple[str, str]]:
    """The plan rows; a session split into visits states its minutes per visit and in total (QA6 #1)."""
    split = (data.get("visits_per_session") or 1) > 1
    rows = []
    for key, text in _labelled(data, [k for k in PLAN_ROWS if split or k != "session_total_minutes"]):
        if split and key == name("session_minutes"):
            text = f"{text} per visit"
        elif split and key == name("laser_minutes"):
            text = f"{text} per visit"
        rows.append((key, text))
    return rows


def _rules() -> dict:
    try:
        from laserskin.planning.request import planner_rules

        return planner_rules()
    except Exception:  # noqa: BLE001 (a report without the rule file still renders)
        return {}


def assumptions() -> list[str]:
    """The planner's assumptions, with the thresholds of ``contraindications.toml``."""
    from laserskin.planning.uncertainty import PERTURBATION_NAMES

    rules = _rules()
    safety, target = rules.get("safety", {}), rules.get("target", {})
    fraction = safety.get("max_fraction_of_blister", 0.85)
    blister = safety.get("blister_omega", 1.0)
    pain = safety.get("pain_index_limit", 6.0)
    band = target.get("min_band_um", 100.0)
    target_omega = target.get("omega", 1.0)
    return [
        (
            f"Epidermal safety: the fluence is at most {fraction:g} × the lower end of the blister-fluence band "
            f"[low, nominal, high]; the blister fluence is where the basal epidermal damage integral Ω (all passes "
            f"added) reaches {blister:g}, and its band combines Monte Carlo noise with melanin, epidermal and dermal "
            f"thickness, {PERTURBATION_NAMES['scattering_set']} and cooling uncertainty (not applicable to "
            "ablative and fractional devices, which injure the epidermis by design)."
        ),
        (
            f"Collagen target (non-ablative tightening): a band of dermal thermal injury (Ω ≥ {target_omega:g}) at least "
            f"{band:g} µm thick on the beam axis; 'at the target' when the fluence it needs is within ±10 % of the "
            "safe fluence (the Monte Carlo resolution), reported when not reached; not checked for ablative and "
            "fractional devices planned at their preset setting. A band through "
            f"{target.get('max_dermis_fraction', 0.75):.0%} of the dermis or more is a full-thickness dermal burn, "
            "not a target: a fluence that makes one is unsafe."
        ),
        (
            "Below 100 °C passes are thermally independent (minutes between passes ≫ the ~1 s the skin needs to "
            "cool): Ω adds over passes; where tissue water boils or is ablated the non-linear model carries the heat, "
            "the dried layer and the crater from pass to pass at the pass interval."
        ),
        (
            "Temperature rise proportional to pulse energy (constant tissue properties) wherever no tissue reaches "
            "100 °C; above it the enthalpy model (boiling, drying, ablation) runs instead (risks: thermal model)."
        ),
        f"Pain (0–10) is tolerable up to {pain:g}/10 with the planned topical anaesthetic.",
        (
            f"Improvement and its {BAND}: healing model of docs/healing.md, fitted on published laxity, shrinkage and "
            "wrinkle outcomes and checked on held-out studies; laxity and rhytid (wrinkle) grades are separate measures."
        ),
        "Treatable area per site: contraindications.toml (full face 300–500 cm²).",
    ]


def plan_citations(data: dict) -> list[str]:
    """Citations of the models this plan used, each once: the plan's ``citations`` (keys of
    ``data/bibliography.toml``, recorded with :func:`laserskin.core.citations.recording` while the
    plan ran, or texts), sorted by key. Empty when the plan does not say (never the whole library)."""
    from laserskin.core import citations as registry

    entries: list[str] = []
    for item in data.get("citations") or []:
        if isinstance(item, dict):
            entries.append(str(item.get("text") or item.get("key")))
            continue
        try:
            entries.append(str(registry.get(str(item))))
        except (KeyError, ValueError):
            entries.append(str(item))
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = " ".join(entry.lower().split())
        if key and key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique


def _alternatives_table(alternatives: list[dict], plan: dict | None = None) -> str:
    plan = plan or {}
    if not alternatives:
        return f"<p>{_e(alternatives_note(plan))}</p>"
    # what each band includes, where the plan says (an older plan's alternatives carry no outcome_dose_uncertainty)
    includes = any(alt.get("outcome_dose_uncertainty") for alt in alternatives)
    head = (
        "<tr><th scope='col'>Device</th><th scope='col'>Type</th><th scope='col'>Goal</th>"
        "<th scope='col'>Fluence (J/cm²)</th>"
        "<th scope='col'>Sessions</th><th scope='col'>Improvement at 6 months, in the measure of its goal</th>"
        f"<th scope='col'>{_e(ALTERNATIVE_PAIN_HEADER)}</th><th scope='col'>Downtime (days)</th>"
        "<th scope='col'>Epidermal injury</th>"
        + ("<th scope='col'>What its improvement band includes</th>" if includes else "")
        + "</tr>"
    )
    rows = []
    for alt in alternatives:
        if alt.get("available") is False:  # never planned: say why, no numbers that look computed (QA5 #2)
            rows.append(
                f"<tr><td>{_e(alt.get('device', ''))}</td><td>{_e(choice('modality', alt.get('modality')))}</td>"
                f"<td>{_e(alternative_goal_text(alt, plan.get('goal')))}</td>"
                f"<td colspan='{7 if includes else 6}'>{_e(unavailable_text(alt))}</td></tr>"
            )
            continue
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{_e(v)}</td>"
                for v in (
                    alt.get("device", ""),
                    choice("modality", alt.get("modality")),
                    alternative_goal_text(alt, plan.get("goal")),
                    alternative_fluence_text(alt),
                    alt.get("sessions", "—"),
                    alternative_improvement_text(alt),
                    alternative_pain_text(alt),
                    display_value("downtime_days", alt.get("downtime_days")).removesuffix(" days"),
                    display_value("epidermal_injury", alt.get("epidermal_injury"), alt),
                    *([outcome_band_includes_text(alt)] if includes else []),
                )
            )
            + "</tr>"
        )
    return f"<div class='wide' tabindex='0'><table><caption>Other devices considered</caption>{head}{''.join(rows)}</table></div>"


def _improvement_sections(data: dict) -> list[str]:
    """The laxity and rhytid improvement tables, the measure of the plan's goal first and named as such (QA6 #2)."""
    laxity = [
        f"<h2>Expected improvement of laxity, laxity grade (nominal, {BAND})"
        + (" — the measure of this tightening plan" if data.get("goal") == "tighten" else "")
        + "</h2>",
        _rows([(label(k), band_text(v)) for k, v in (data.get("improvement_percent") or {}).items()]),
    ]
    rhytid = (
        [
            f"<h2>Expected improvement of wrinkles, rhytid grade (nominal, {BAND})"
            + (" — the measure of this resurfacing plan" if data.get("goal") == "resurface" else "")
            + "</h2>",
            _rows([(label(k), band_text(v)) for k, v in data["rhytid_improvement_percent"].items()]),
        ]
        if data.get("rhytid_improvement_percent")
        else []
    )
    return [*rhytid, *laxity] if data.get("goal") == "resurface" and rhytid else [*laxity, *rhytid]


def _band_sources_section(data: dict) -> list[str]:
    """What the [low, high] of the outcome and blister-fluence bands include: the rows of
    :func:`~laserskin.report.labels.outcome_band_rows` and :func:`~laserskin.report.labels.blister_band_rows`, the
    plan JSON's numbers (``risks.outcome_dose_uncertainty``, ``risks.blister_uncertainty``); nothing for a plan
    without them (an older plan)."""
    risks = data.get("risks") or {}
    outcome, blister = outcome_band_rows(data), blister_band_rows(risks)
    if not outcome and not blister:
        return []
    parts = [f"<h2 id='band-sources'>{BAND_SOURCES_HEADING}</h2>"]
    if outcome:
        parts.append(_rows(outcome, OUTCOME_BAND_CAPTION))
        if data.get("alternatives"):
            parts.append(
                "<p class='note'>The alternatives' improvement bands follow the same rule (their last column).</p>"
            )
    if blister:
        parts.append(_rows(blister, BLISTER_BAND_CAPTION))
    return parts


def _outcome_evidence_section(data: dict) -> list[str]:
    """The plan's ``outcome_evidence``: its summary sentence and the table of the device's published outcomes
    (study | measure | months | published | model | role | z; :func:`~laserskin.report.labels.outcome_evidence_rows`);
    nothing for a plan without it (an older plan)."""
    evidence = data.get("outcome_evidence") or {}
    if not evidence.get("summary"):
        return []
    parts = [
        f"<h3 id='outcome-evidence'>{_e(OUTCOME_EVIDENCE_HEADING)}</h3>",
        f"<p class='note outcome-evidence'>{_e(evidence['summary'])}.</p>",
    ]
    rows = outcome_evidence_rows(data)
    if rows:
        head = "<tr>" + "".join(f"<th scope='col'>{_e(h)}</th>" for h in OUTCOME_EVIDENCE_HEADER) + "</tr>"
        body = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
        parts.append(
            f"<div class='wide' tabindex='0'><table><caption>{_e(OUTCOME_EVIDENCE_CAPTION)}</caption>"
            f"{head}{body}</table></div>"
        )
    return parts


def _figure_key(name: str) -> str:
    """``improvement``/``margin``/``maps``/... from a figure name or a caption that mentions it."""
    text = name.lower()
    for key in ("temperature_map", "depth_profiles", "improvement", "margin", "maps"):
        if text == key:
            return key
    for word, key in (("improvement", "improvement"), ("margin", "margin"), ("map", "maps")):
        if word in text:
            return key
    return name


def plan_report_html(plan, figures: dict[str, bytes] | None = None, citations=None) -> str:
    """HTML text of the report of ``plan`` (a Plan or its ``to_dict()``).

    Parameters
    ----------
    plan : Plan or dict
    figures : dict, optional
        Figure name (``improvement``, ``margin``, ``maps``; a caption naming one works too) →
        PNG bytes, embedded as base64 with the title, caption and alt text of
        :func:`laserskin.report.labels.figure_text`.
    citations : iterable of str, optional
        Bibliography keys the plan's models cited (``with laserskin.core.citations.recording()
        as used: plan = ...``); default: the plan's own ``citations``.
    """
    data = dict(plan) if isinstance(plan, dict) else plan.to_dict()
    if citations is not None:
        data["citations"] = sorted(set(citations))
    inputs = data.get("inputs") or {}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>laserskin treatment plan</title><style>{STYLE}</style></head><body><main>",
        "<h1>Treatment plan</h1>",
        (
            "<p class='note'>Research software, not a medical device: every number is a model estimate for a "
            "clinician to judge.</p>"
        ),
        "<h2>The person and the request</h2>",
        _rows(_labelled(inputs, INPUT_ROWS)),
    ]
    if not data.get("eligible"):
        parts += [
            "<h2>Referral</h2>",
            f"<p>{_e(data.get('referral') or 'not eligible')}</p>",
        ]
    elif data.get("infeasible_request"):  # the person is eligible; the requested combination is not (QA5 #19)
        parts += [
            "<h2>Request not feasible</h2>",
            f"<p>{_e(data['infeasible_request'])}</p>",
        ]
    else:
        risks = data.get("risks") or {}
        settings = data.get("settings") or {}
        parts += [
            f"<h2>Plan: {_e(data.get('device'))} ({_e(choice('modality', data.get('modality')))})</h2>",
            *(
                [
                    f"<p id='plan-headline'>Goal: {_e(choice('goal', data['goal']))}; expected improvement at 6 "
                    f"months {_e(goal_headline(data))}.</p>"
                ]
                if data.get("goal")
                else []
            ),
            _rows(_plan_rows(data)),
            "<h3>Laser settings</h3>",
            _rows(_labelled(settings, SETTING_ROWS, settings)),  # context: the wavelength row reads the bands
            "<h3>Cooling</h3>",
            _rows(
                [
                    (name(k), choice("cooling", v) if k == "kind" else display_value(k, v))
                    for k, v in (data.get("cooling") or {}).items()
                ]
                or [("Cooling", "none")]
            ),
            "<h2>Risks</h2><div class='risk'>",
            # a plan with pain bands shows them, not the single numbers they contain as well
            _rows(_labelled(risks, plan_risk_keys(risks, RISK_ROWS), {"modality": data.get("modality")})),
            # ablative / fractional: the epidermal wound by design, not the blister criterion (QA5 #20)
            "</div>" if risks.get("epidermal_wound") else f"<p class='note'>{_e(explain('epidermal_omega'))}</p></div>",
            *_improvement_sections(data),
            *([f"<p class='note'>Measure: {_e(data['outcome_measure'])}</p>"] if data.get("outcome_measure") else []),
            *(f"<p class='note outcome-note'>{_e(note)}</p>" for note in data.get("outcome_notes") or []),
            *_outcome_evidence_section(data),
            *_band_sources_section(data),
            "<h2>Alternatives</h2>",
            _alternatives_table(data.get("alternatives") or [], data),
        ]
    parts += [
        "<h2>Why this plan</h2><ul>",
        *(f"<li>{_e(readable_units(r))}</li>" for r in data.get("reasons") or []),
        "</ul>",
    ]
    if figures:
        parts.append("<h2>Figures</h2>")
        for figure_name, png in figures.items():
            text = figure_text(_figure_key(figure_name), data)
            encoded = base64.b64encode(png).decode("ascii")
            parts.append(
                f"<figure><img alt='{_e(text['alt'])}' src='data:image/png;base64,{encoded}'>"
                f"<figcaption><b>{_e(text['title'])}.</b> {_e(text['caption'])}</figcaption></figure>"
            )
    work = data.get("simulation_work") or {}
    sources = plan_citations(data)
    parts += [
        "<h2>Assumptions</h2><ul>",
        *(f"<li>{_e(a)}</li>" for a in assumptions()),
        "</ul>",
        "<h2>How it was computed</h2>",
        _rows(
            [
                ("laserskin version", data.get("version", "?")),
                ("Random seed", data.get("seed", "?")),
                ("Photons per light-transport run", data.get("photons", "?")),
                *[(label(k), v) for k, v in work.items()],
                (
                    "Computing time",
                    display_value("wall_time_s", data.get("wall_time_s")),
                ),
            ]
        ),
        "<h2>Sources</h2>",
        f"<details><summary>{len(sources)} work{'s' if len(sources) != 1 else ''} cited by the models this plan ran</summary><ol>"
        if sources
        else "<p>This plan does not list its sources (see <code>laserskin cite</code>).</p><details><ol>",
        *(f"<li>{_e(c)}</li>" for c in sources),
        "</ol></details>",
        "</main></body></html>",
    ]
    return "".join(parts)
