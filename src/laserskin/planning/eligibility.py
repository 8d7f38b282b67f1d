"""Eligibility: laxity referral and contraindications of modality / wavelength by skin type.

Rules are data (``data/parameters/contraindications.toml``) with their sources:
severe laxity (Alexiades-Armenakas 2006 grade 4) is referred for surgical consultation
(physics_data §8); ablative resurfacing in Fitzpatrick V-VI (and full-field ablation in IV),
melanin-absorbed wavelengths below 1000 nm in V-VI, and a coverage cap of fractional
treatments in IV-VI (Kaushik & Alexis 2017, PMC5605208; Pikkula et al. 2004 Ann Biomed
Eng 32:1131; physics_data §7.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from laserskin.core.citations import cite
from laserskin.planning.request import planner_rules

__all__ = ["DeviceVerdict", "device_verdict", "referral_reason"]


@dataclass(frozen=True)
class DeviceVerdict:
    """Whether a device may be used for a person, and under which limits."""

    device: str
    allowed: bool
    reasons: tuple[str, ...] = ()
    max_coverage: float | None = None
    rules: tuple[str, ...] = field(default=())


def referral_reason(person) -> str | None:
    """Reason for surgical referral (laxity grade at or above the rule's grade), else ``None``."""
    cite("alexiades2006")
    rule = planner_rules()["referral"]
    if person.laxity >= rule["min_laxity_grade"]:
        return rule["reason"]
    return None


def device_verdict(person, preset) -> DeviceVerdict:
    """Apply every contraindication rule to ``preset`` (a DevicePreset) for ``person``.

    Returns
    -------
    DeviceVerdict
        ``allowed = False`` with the reasons when an ``exclude`` rule matches; the smallest
        ``max_coverage`` of matching ``limit_coverage`` rules otherwise.
    """
    cite("kaushik_alexis2017")
    laser = preset.default_laser()
    wavelengths_nm = [w * 1e9 for w, _ in laser.wavelength_weights()]
    allowed, reasons, ids, cap = True, [], [], None
    for rule in planner_rules().get("rule", []):
        if preset.device_class not in rule["classes"] or person.fitzpatrick not in rule["fitzpatrick"]:
            continue
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
    return DeviceVerdict(preset.name, allowed, tuple(reasons), cap, tuple(ids))
