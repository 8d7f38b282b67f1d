"""Eligibility: laxity referral and contraindications of modality / wavelength by skin type.

Rules are data (``data/parameters/contraindications.toml``) with their sources:
severe laxity (Alexiades-Armenakas 2006 grade 4) is referred for surgical consultation
(physics_data §8); ablative resurfacing in Fitzpatrick V-VI (and full-field ablation in IV),
melanin-absorbed wavelengths below 1000 nm in V-VI, and a coverage cap of fractional
treatments in IV-VI (Kaushik & Alexis 2017, PMC5605208; Pikkula et al. 2004 Ann Biomed
Eng 32:1131; physics_data §7.4). Site rules: full-field ablative resurfacing off the face
(neck, forearm, abdomen) is excluded, few adnexa to re-epithelialise from (Tierney & Hanke 2009,
J Drugs Dermatol 8:723; Avram et al. 2009, Lasers Surg Med 41:185, neck scarring after
fractional CO2, which is why fractional ablative on the neck carries a caution).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from laserskin.core.citations import cite
from laserskin.planning.request import planner_rules

__all__ = ["DeviceVerdict", "device_verdict", "goal_indicated", "no_indication_reason", "referral_reason"]


@dataclass(frozen=True)
class DeviceVerdict:
    """Whether a device may be used for a person, and under which limits."""

    device: str
    allowed: bool
    reasons: tuple[str, ...] = ()
    max_coverage: float | None = None
    rules: tuple[str, ...] = field(default=())


#: Bibliography keys of the site rules (contraindications.toml ``[[rule]]`` with ``sites``), cited when they apply.
SITE_RULE_CITATIONS = {
    "full_field_ablative_off_face": ("tierney2009_neck", "avram2009_neck_scarring"),
    "fractional_ablative_neck_caution": ("avram2009_neck_scarring",),
}


def referral_reason(person) -> str | None:
    """Reason for surgical referral (laxity grade at or above the rule's grade), else ``None``."""
    cite("alexiades2006")
    rule = planner_rules()["referral"]
    if person.laxity >= rule["min_laxity_grade"]:
        return rule["reason"]
    return None


def goal_indicated(goal: str, person) -> bool:
    """Whether ``goal`` (``tighten`` or ``resurface``) has something to treat in ``person``.

    Tightening treats laxity (Alexiades-Armenakas grade >= ``min_laxity_grade_tighten``, 1), resurfacing
    treats photoaging (grade >= ``min_photoaging_grade_resurface``, 1); grade 0 is "none" on both scales
    (contraindications.toml ``[indication]``, QA4 #28).
    """
    rule = planner_rules()["indication"]
    if goal == "tighten":
        return person.laxity >= rule["min_laxity_grade_tighten"]
    if goal == "resurface":
        return person.sun_exposure >= rule["min_photoaging_grade_resurface"]
    raise ValueError(f"goal {goal!r}: expected 'tighten' or 'resurface'")


def no_indication_reason(goal: str, person) -> str | None:
    """Why no treatment is planned for ``goal`` (``recommend``, ``tighten`` or ``resurface``), else ``None``.

    ``recommend``: neither tightening nor resurfacing is indicated. An explicit goal: that goal is not
    indicated (the reason names the other goal when that one is).
    """
    cite("alexiades2006", "glogau1996")
    rule = planner_rules()["indication"]
    grades = f"laxity grade {person.laxity}, photoaging grade {person.sun_exposure}"
    if goal == "recommend":
        if goal_indicated("tighten", person) or goal_indicated("resurface", person):
            return None
        return f"{rule['reason']} ({grades}) [{rule['source']}]"
    if goal_indicated(goal, person):
        return None
    other = "resurface" if goal == "tighten" else "tighten"
    what = (
        f"laxity grade {person.laxity} (below {rule['min_laxity_grade_tighten']}: no laxity to tighten)"
        if goal == "tighten"
        else f"photoaging grade {person.sun_exposure} (below {rule['min_photoaging_grade_resurface']}: "
        "no photoaging to resurface)"
    )
    hint = (
        f"; {other} is indicated ({grades}): use --goal {other} or --goal recommend"
        if goal_indicated(other, person)
        else "; neither goal is indicated"
    )
    return (
        f"no treatment is indicated for goal {goal!r}: {what}; a predicted % improvement of a grade that is "
        f"already 0 has no meaning, so no laser sessions are planned{hint} [{rule['source']}]"
    )


def device_verdict(person, preset) -> DeviceVerdict:
    """Apply every contraindication rule to ``preset`` (a DevicePreset) for ``person``.

    A rule matches when the device class is in its ``classes`` and, where the rule has them, the
    person's type is in its ``fitzpatrick`` and the site in its ``sites`` (site rules, QA4 #34:
    full-field ablative resurfacing off the face is excluded, fractional ablative on the neck comes
    with a caution).

    Returns
    -------
    DeviceVerdict
        ``allowed = False`` with the reasons when an ``exclude`` rule matches; the smallest
        ``max_coverage`` of matching ``limit_coverage`` rules otherwise; ``caution`` rules add their
        reason only.
    """
    cite("kaushik_alexis2017")
    laser = preset.default_laser()
    wavelengths_nm = [w * 1e9 for w, _ in laser.wavelength_weights()]
    allowed, reasons, ids, cap = True, [], [], None
    for rule in planner_rules().get("rule", []):
        if preset.device_class not in rule["classes"]:
            continue
        if "fitzpatrick" in rule and person.fitzpatrick not in rule["fitzpatrick"]:
            continue
        if "sites" in rule and person.site not in rule["sites"]:
            continue
        key = rule["id"]
        if key in SITE_RULE_CITATIONS:
            cite(*SITE_RULE_CITATIONS[key])
        below = rule.get("wavelength_below_nm")
        if below is not None and min(wavelengths_nm) >= below:
            continue
        text = f"{rule['reason']} [{rule['source']}]"
        if rule["action"] == "exclude":
            allowed = False
            reasons.append(text)
            ids.append(rule["id"])
        elif rule["action"] == "limit_coverage":
            cap = rule["max_coverage"] if cap is None else min(cap, rule["max_coverage"])
            reasons.append(text)
            ids.append(rule["id"])
        elif rule["action"] == "caution":  # allowed; the plan states the caution with the device's reasons
            reasons.append(text)
            ids.append(rule["id"])
    return DeviceVerdict(preset.name, allowed, tuple(reasons), cap, tuple(ids))
