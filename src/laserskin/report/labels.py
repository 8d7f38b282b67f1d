"""One table of plain-language labels with units, shared by the web pages, the HTML report and
the CLI (``from laserskin.report.labels import label, display_value``).

Keys are the field names of ``plan --json``, the simulation summary and the plan request;
values say what a clinician reads: the quantity, its unit, and where needed one sentence of
explanation. Nothing here imports the simulation stack.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BAND",
    "BAND_SOURCES_HEADING",
    "BLISTER_BAND_CAPTION",
    "BLISTER_KEYS",
    "CHOICES",
    "OUTCOME_BAND_CAPTION",
    "EPIDERMAL_NECROSIS",
    "IMPROVEMENT_TIMES",
    "LABELS",
    "MEASURES",
    "SIMULATION_ROWS",
    "Label",
    "alternative_fluence_text",
    "alternative_goal_text",
    "alternative_improvement_text",
    "alternatives_note",
    "band_text",
    "blister_band_rows",
    "choice",
    "display_value",
    "epidermal_injury_text",
    "explain",
    "figure_text",
    "goal_headline",
    "label",
    "name",
    "outcome_band_includes_text",
    "outcome_band_rows",
    "outcome_evidence_rows",
    "perturbation_name",
    "plan_risk_keys",
    "pulses_text",
    "readable_units",
    "simulation_row_shown",
    "unavailable_text",
    "unit",
    "wavelength_text",
]

#: The outcome band: the healing model's 5–95 % band, cornered with the delivered dose's uncertainty where the
#: plan has a blister band ("What the bands include" says which): not a 5–95 % band of one distribution.
BAND = "uncertainty band"
"""How the uncertainty ranges of the improvement are called everywhere."""


@dataclass(frozen=True)
class Label:
    """Display name, unit (``""`` for none) and an optional one-line explanation."""

    text: str
    unit: str = ""
    help: str = ""
    digits: int = 3

    def full(self) -> str:
        return (
            f"{self.text} ({self.unit})"
            if self.unit and self.unit != "/10"
            else (f"{self.text} (0–10)" if self.unit == "/10" else self.text)
        )


OMEGA_HELP = (
    "Ω is the Arrhenius (Henriques) thermal-damage integral: Ω = 1 is the onset of "
    "epidermal necrosis (a blister); the planner sets the fluence at most 85 % of the lowest "
    "fluence predicted to blister (the low end of its uncertainty band)."
)

LABELS: dict[str, Label] = {
    # person and request
    "age": Label("Age", "years"),
    "age_years": Label("Age", "years"),
    "sex": Label("Sex"),
    "fitzpatrick": Label("Skin type (Fitzpatrick I–VI)"),
    "site": Label("Treated site"),
    "sun_exposure": Label("Photoaging grade 0–3 (Glogau type I–IV)", help="0 = none, 3 = severe wrinkling at rest"),
    "laxity": Label("Laxity (Alexiades-Armenakas grade 0–4)", help="0 = none, 4 = marked sagging"),
    "goal": Label("Goal"),
    "area": Label("Area per session", "cm²"),
    "devices": Label("Candidate devices", help="empty = the planner's default set for the goal"),
    "max_sessions": Label("Most sessions", help="empty = no limit"),
    "max_downtime_days": Label("Longest acceptable downtime", "days"),
    "max_session_minutes": Label(
        "Longest acceptable session",
        "min",
        help="including the anaesthetic's waiting time",
    ),
    "max_fraction_of_blister": Label(
        "Safety margin: most fluence as a share of the lower blister fluence",
        help="a number in (0, 1]; default 0.85",
    ),
    "anesthetic": Label("Topical anaesthetic"),
    "cooling": Label("Skin cooling"),
    "photons": Label("Photons per light-transport run", help="more = smoother maps, slower"),
    "seed": Label("Random seed"),
    # plan
    "eligible": Label("Eligible for treatment"),
    "referral": Label("Referral"),
    "modality": Label("Treatment type"),
    "device": Label("Device"),
    "sessions": Label("Sessions"),
    "interval_weeks": Label("Interval between sessions", "weeks", digits=2),
    "session_minutes": Label("Session duration", "min", "including the anaesthetic's waiting time", digits=2),
    "laser_minutes": Label("Laser time per session", "min", digits=2),
    "visits_per_session": Label("Visits per session", help="the area split into visits under the session limit"),
    "area_per_visit_cm2": Label("Area per visit", "cm²"),
    "session_total_minutes": Label(
        "Total time per session, all visits", "min", "every visit waits for the anaesthetic again", digits=2
    ),
    "infeasible_request": Label("Request not feasible"),
    "epidermal_wound": Label("Epidermis (by design)", help="crater and depth of epidermal necrosis"),
    "epidermis_thickness_um": Label("Epidermal thickness", "µm"),
    "epidermal_omega": Label("Epidermal damage integral Ω", "", OMEGA_HELP),
    "epidermal_omega_limit": Label("Erythema line for epidermal Ω (reported; the limit is the fluence margin)"),
    "pain_index": Label(
        "Pain without anaesthetic", "/10", "simulate's pain index: the cooling's temperature only", digits=2
    ),
    "pain_index_with_anesthetic": Label("Pain with anaesthetic", "/10", digits=2),
    "pain_index_with_plan": Label("Pain with anaesthetic and cooling", "/10", digits=2),
    "pain_index_without_anesthetic": Label("Pain without anaesthetic", "/10", digits=2),
    "pain_with_plan": Label("Pain with the planned anaesthetic and cooling", "/10", digits=2),
    "pain_without_anaesthetic": Label("Pain without anaesthetic (cooling's temperature only)", "/10", digits=2),
    "reepithelialization_days": Label("Open wound until re-epithelialised", "days", digits=2),
    "blister_fluence_J_per_cm2": Label("Fluence that would blister (Ω = 1)", "J/cm²"),
    "fluence_fraction_of_blister": Label("Planned fluence as a share of the blister fluence", "%"),
    "epidermal_injury": Label("Epidermal injury"),
    "pigment_risk": Label("Risk of pigment change"),
    "downtime_days": Label("Downtime", "days", "until the skin looks healed", digits=2),
    "long_session": Label("Session over the limit or split into visits"),
    "session_limit_not_met": Label("Why the session limit is not met"),
    "anaesthetic_choice_note": Label(
        "Why no topical anaesthetic", help="the automatic choice, its pain limit and what the lightest topical gives"
    ),
    "anaesthesia_note": Label("Anaesthesia"),
    "crater_depth_um": Label("Ablation depth", "µm", '"no crater" where nothing is ablated'),
    "immediate_tightening_percent": Label("Immediate tightening", "%"),
    "simulations_run": Label("Simulations run"),
    "wall_time_s": Label("Computing time", "s", digits=2),
    "version": Label("laserskin version"),
    # settings
    "wavelength_nm": Label(
        "Wavelength",
        "nm",
        "a broadband source: its emitted bands and the energy-weighted mean of its lines, which may fall in a gap "
        "between the bands (not emitted)",
        digits=4,
    ),
    "wavelength_band_nm": Label("Spectral band", "nm", "from the shortest to the longest emitted wavelength"),
    "wavelength_bands_nm": Label("Emitted bands", "nm", "the parts of the spectral band the source emits"),
    "fluence_J_per_cm2": Label("Fluence", "J/cm²"),
    "pulse_energy_mJ": Label("Pulse energy", "mJ"),
    "pulse_energy_J": Label("Pulse energy", "J"),
    "pulse_duration_ms": Label("Pulse duration", "ms"),
    "spot_diameter_mm": Label("Spot diameter", "mm"),
    "repetition_rate_Hz": Label("Repetition rate", "Hz"),
    "pulses_per_spot": Label(
        "Pulses stacked per spot",
        help="fired on one spot at the repetition rate (in fractional mode: on one micro-zone); the blister margin, "
        "the session time and the outcome are those of all of them together",
    ),
    "fluence_per_spot_J_per_cm2": Label(
        "Fluence per spot, all stacked pulses", "J/cm²", "pulses per spot × fluence (fractional: in one micro-beam)"
    ),
    "passes": Label("Passes per session"),
    "profile": Label("Beam profile"),
    "safe_fluence_J_per_cm2": Label("Highest safe fluence", "J/cm²"),
    "target_fluence_J_per_cm2": Label("Lowest fluence reaching the collagen target", "J/cm²"),
    "binding_constraint": Label("What limits the fluence"),
    "microbeam_diameter_um": Label("Micro-beam diameter", "µm"),
    "coverage_percent": Label("Skin coverage per pass", "%"),
    "note": Label("Note"),
    # simulation summary
    "peak_epidermis_temperature_C": Label("Peak epidermis temperature", "°C"),
    "peak_dermis_temperature_C": Label("Peak dermis temperature", "°C"),
    "denaturation_depth_um": Label("Depth of collagen denaturation", "µm"),
    "dermal_injury_band_um": Label("Depth band of dermal thermal injury (Ω ≥ 1)", "µm"),
    "denatured_volume_mm3": Label("Denatured collagen volume", "mm³"),
    "dermal_injury_depth_um": Label("Depth of dermal thermal injury (Ω ≥ 1)", "µm"),
    "dermal_injury_volume_mm3": Label("Expected injured dermal volume, Σ (1 − e^−Ω) V", "mm³"),
    "dermal_injury_fraction": Label(
        "Share of the dermis thickness lost (Ω ≥ 1 band, and removed by a crater)", "", digits=2
    ),
    "dermal_injury": Label(
        "Dermal injury",
        help="burn grade of the dermis: full thickness where the Ω ≥ 1 band spans at least 75 % of the dermis "
        "(the dermal part of a third-degree burn)",
    ),
    "boiling": Label("Tissue water boils"),
    "residual_damage_depth_um": Label(
        "Residual thermal damage below the crater floor (or the surface)",
        "µm",
        "measured from the surface where there is no crater",
    ),
    "thermal_model": Label("Thermal model", "", "linear below the onset of vaporisation, nonlinear (enthalpy) above"),
    "peak_temperature_C": Label("Peak tissue temperature", "°C"),
    "within_model_validity": Label(
        "Within what the model represents",
        help="no: the setting left the model's physics (charring, vaporised tissue kept in place, freezing); the "
        "warnings say where, and the temperatures and damage past that point are not computed results",
    ),
    "coagulation_depth_um": Label(
        "Coagulated collagen below the crater floor (or the surface)",
        "µm",
        "measured from the surface where there is no crater",
    ),
    "epidermal_omega_band": Label(
        "Epidermal Ω, Monte Carlo error range", help="Ω at the lower and upper bounds of the simulation's own error"
    ),
    "epidermal_injury_beyond_error": Label(
        "Epidermal injury established beyond the Monte Carlo error",
        help="the grade above is the gravest one the simulation's error cannot exclude",
    ),
    "pigment_risk_beyond_error": Label(
        "Risk of pigment change established beyond the Monte Carlo error",
        help="the level above is the highest one the simulation's error cannot exclude",
    ),
    "peak_basal_temperature_band_C": Label("Peak basal-layer temperature, Monte Carlo error range", "°C"),
    "dermal_injury_possible_depth_um": Label(
        "Depth of dermal thermal injury possible within the Monte Carlo error", "µm"
    ),
    "residual_damage_possible_depth_um": Label("Residual thermal damage possible within the Monte Carlo error", "µm"),
    "mtz_depth_um": Label("Microscopic treatment zone depth", "µm"),
    "mtz_width_um": Label("Microscopic treatment zone width", "µm"),
    "mtz_area_fraction": Label("Share of the area covered by treatment zones", "%"),
    # work
    "transport_runs": Label("Light-transport runs"),
    "heat_solves": Label("Heat solves"),
    "evaluations": Label("Damage evaluations"),
    "full_simulations": Label("Full simulations"),
    "total": Label("Total"),
    "kind": Label("Kind"),
    "spurt_duration": Label("Cryogen spurt"),
    "delay": Label("Delay before the pulse"),
    "parallel": Label("Cooling during the pulse"),
    "temperature": Label("Cooling temperature"),
    # the other keys of a plan's cooling table (every setting of the cooling it simulated, session 16)
    "h": Label("Heat-transfer coefficient"),
    "liquid_temperature": Label("Cryogen temperature"),
    "post_spurt": Label("Cryogen spurt after the pulse"),
    "film_residence": Label("Cryogen film residence"),
    "film_h": Label("Cryogen film heat-transfer coefficient"),
    "air_temperature": Label("Air temperature"),
    "window_temperature": Label("Window temperature"),
    "precool": Label("Cooling before the pulse"),
    "postcool": Label("Cooling after the pulse"),
    "contact_between_pulses": Label("Window contact between pulses"),
}

IMPROVEMENT_TIMES = {
    "immediate": "Right after the course",
    "month_1": "After 1 month",
    "month_3": "After 3 months",
    "month_6": "After 6 months",
    "month_12": "After 12 months",
}

CHOICES: dict[str, dict[str, str]] = {
    "anesthetic": {
        "auto": "Lightest that keeps pain tolerable",
        "none": "None",
        "lidocaine_4": "Lidocaine 4 % cream",
        "lidocaine_tetracaine_7_7": "Lidocaine/tetracaine 7 %/7 % cream",
        "emla": "EMLA (lidocaine/prilocaine 2.5 %/2.5 %)",
    },
    "cooling": {
        "auto": "Each device's own cooling",
        "device default": "The device's own cooling",
        "none": "None",
        "cold_air": "Cold air",
        "contact": "Contact cooling (chilled window)",
        "cryogen": "Cryogen spray",
    },
    "goal": {
        "tighten": "Tighten (collagen remodelling)",
        "resurface": "Resurface (remove the surface layer)",
        "recommend": "Recommend (compare both)",
    },
    "modality": {
        "non_ablative": "Non-ablative",
        "fractional_ablative": "Fractional ablative",
        "ablative": "Ablative (full field)",
        "fractional_non_ablative": "Fractional non-ablative",
        "radiofrequency": "Radiofrequency",
        "infrared": "Broadband infrared",
    },
    "epidermal_injury": {
        "none": "None expected",
        "erythema": "Redness",
        "superficial necrosis": "Crusting (upper epidermis necrotic, basal layer intact)",
        "blister": "Blister",
        # without the device class (a page that shows a bare grade): true for every modality; with it,
        # EPIDERMAL_NECROSIS says which one (QA5 #10)
        "necrosis": "Full-thickness epidermal necrosis (a burn for a non-ablative laser; by design for ablative "
        "and fractional lasers)",
    },
    "dermal_injury": {
        "none": "None (no dermal cell layer reaches Ω = 1)",
        "partial thickness": "Partial thickness (a band of injured dermis under living dermis)",
        "full thickness": "Full thickness (≥ 75 % of the dermis injured: a deep burn, not a remodelling target)",
    },
    "pigment_risk": {"low": "Low", "moderate": "Moderate", "high": "High"},
    "sex": {"female": "Female", "male": "Male"},
    "site": {
        "cheek": "Cheek",
        "forehead": "Forehead",
        "periorbital": "Around the eyes",
        "perioral": "Around the mouth",
        "neck": "Neck",
        "forearm": "Forearm",
        "abdomen": "Abdomen",
    },
    "profile": {"flat_top": "Flat top", "gaussian": "Gaussian"},
}


#: What the "necrosis" grade of the epidermis means for each device class (QA5 #10): only a full-field
#: ablative laser removes the epidermis by design; a fractional laser kills it in its micro-zones by design and
#: spares the skin between them (Manstein et al. 2004); for a non-ablative laser (and radiofrequency, broadband
#: infrared) a necrotic epidermis is an overdose — a burn, with a risk of scarring and pigment change.
EPIDERMAL_NECROSIS = {
    "ablative": "Epidermis removed (by design: full-field ablative resurfacing)",
    "fractional_ablative": "Focal necrosis in the micro-zones (by design); the skin between them is spared",
    "fractional_non_ablative": "Focal necrosis in the micro-zones (by design); the skin between them is spared",
    "non_ablative": "Epidermal necrosis: a burn (overdose), with a risk of scarring and pigment change",
    "radiofrequency": "Epidermal necrosis: a burn (overdose), with a risk of scarring and pigment change",
    "infrared": "Epidermal necrosis: a burn (overdose), with a risk of scarring and pigment change",
}


def _modality(context: Any) -> str | None:
    """The device class of a plan, an alternative or a simulation summary (``None`` when it does not say).

    A summary carries no class: it is read from what the run made — micro-zones (``mtz_area_fraction``)
    are fractional, a crater without them full-field ablative, neither non-ablative."""
    if not isinstance(context, dict):
        return None
    if context.get("modality"):
        return str(context["modality"])
    if "mtz_area_fraction" not in context and "crater_depth_um" not in context:
        return None
    crater = context.get("crater_depth_um")
    ablated = isinstance(crater, (int, float)) and crater > 0
    if context.get("mtz_area_fraction"):
        return "fractional_ablative" if ablated else "fractional_non_ablative"
    return "ablative" if ablated else "non_ablative"


def epidermal_injury_text(grade: Any, context: Any = None) -> str:
    """Display text of an epidermal injury grade; "necrosis" depends on the device class (QA5 #10), given as
    ``context`` (a plan or alternative with ``modality``, a simulation summary, or the class itself)."""
    modality = context if isinstance(context, str) else _modality(context)
    if grade == "necrosis" and modality in EPIDERMAL_NECROSIS:
        return EPIDERMAL_NECROSIS[modality]
    return choice("epidermal_injury", grade)


def label(key: str) -> str:
    """``"Text (unit)"`` for a field name; an unknown name becomes readable text."""
    found = LABELS.get(key)
    if found is None:
        if key in IMPROVEMENT_TIMES:
            return IMPROVEMENT_TIMES[key]
        return key.replace("_", " ").strip().capitalize()
    return found.full()


def name(key: str) -> str:
    """The label without its unit, for rows whose value carries the unit (``display_value``)."""
    found = LABELS.get(key)
    if found is None:
        return label(key)
    return found.text if found.unit else found.full()


def unit(key: str) -> str:
    found = LABELS.get(key)
    return found.unit if found else ""


def explain(key: str) -> str:
    found = LABELS.get(key)
    return found.help if found else ""


def unavailable_text(option: dict) -> str:
    """``"contraindicated: <reason>"`` / ``"not available: <reason>"`` for a plan alternative that was not planned
    (``available`` false; QA5 #2): its numbers were never computed, so they must not read as values."""
    reasons = [str(r) for r in option.get("reasons") or []]
    device = str(option.get("device") or "")
    cleaned = [r.removeprefix(f"{device}: ") if device else r for r in reasons]
    contraindicated = any(r.startswith("contraindicated") for r in cleaned)
    cleaned = [r.removeprefix("contraindicated: ") for r in cleaned]
    head = "contraindicated" if contraindicated else "not available"
    return f"{head}: {'; '.join(cleaned)}" if cleaned else head


def choice(field: str, value: Any) -> str:
    """Display text of a choice (``choice("anesthetic", "emla")``); unknown values as given."""
    if value is None:
        return "—"
    return CHOICES.get(field, {}).get(str(value), str(value).replace("_", " "))


def _number(value: float, digits: int) -> str:
    """``digits`` significant digits without exponents for everyday magnitudes (4,807; 0.492; 17.0)."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e7 or magnitude < 1e-3:
        return f"{value:.{digits}g}"
    if magnitude >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if magnitude < 1 else f"{value:,.{digits - 1 - int(math.log10(magnitude))}f}"


def display_value(key: str, value: Any, context: Any = None) -> str:
    """A value with its unit as a person reads it (``"5.9/10"``, ``"17 J/cm²"``, ``"Moderate"``).

    ``context``: the plan, alternative or simulation summary the value belongs to, for the texts that
    depend on the device class (the epidermal "necrosis" grade, :func:`epidermal_injury_text`) and for an
    alternative that was not planned (``display_value("available", False, alt)``: :func:`unavailable_text`).
    """
    if value is None:
        return "—"
    if key == "available" and value is False and isinstance(context, dict):
        return unavailable_text(context)
    if key in ("epidermal_injury", "epidermal_injury_beyond_error") and isinstance(value, str):
        return epidermal_injury_text(value, context)
    if key == "pigment_risk_beyond_error" and isinstance(value, str):
        return choice("pigment_risk", value)
    if key == "wavelength_nm" and isinstance(context, dict) and context.get("wavelength_band_nm"):
        return wavelength_text({**context, "wavelength_nm": value})
    if key == "wavelength_bands_nm" and isinstance(value, (list, tuple)) and value:
        return _bands_text(value)
    if key == "crater_depth_um" and isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        return "no crater"
    if key in CHOICES and isinstance(value, str):
        return choice(key, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        if len(value) == 3 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            low, nominal, high = (display_value(key, v) for v in value)  # the [low, nominal, high] convention
            return f"{nominal} ({low} – {high})"
        if len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            unit_text = LABELS.get(key, Label(key)).unit
            low, high = (display_value(key, v).removesuffix(unit_text).strip() for v in value)
            return f"{low}–{high} {unit_text}".strip()  # a [from, to] range (depth band, spectral band)
        return ", ".join(display_value(key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {display_value(k, v)}" for k, v in value.items())
    found = LABELS.get(key, Label(key))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number):
            return "—"
        if key in ("fluence_fraction_of_blister", "mtz_area_fraction"):
            return f"{100 * number:.0f} %"
        if key == "pulse_energy_mJ" and abs(number) >= 1000.0:  # 11.2 J, not "11,169 mJ" (QA8 #5)
            return f"{_number(number / 1000.0, found.digits)} J"
        text = str(int(number)) if isinstance(value, int) else _number(number, found.digits)
        if found.unit == "/10":
            return f"{text}/10"
        return f"{text} {found.unit}".strip()
    return _text_with_unit(str(value), found.unit)


def _bands_text(bands: Any) -> str:
    """``"1100–1400, 1500–1800 nm"``: wavelength bands ``[[low, high], ...]`` (one line ``[λ, λ]``: ``"1064 nm"``)."""
    return ", ".join(f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}" for low, high in bands) + " nm"


def wavelength_text(settings: dict) -> str:
    """The wavelength of a plan's ``settings`` (or a simulation summary) as a clinician reads it: ``"1064 nm"`` for
    one line; for a broadband source its emitted bands and the energy-weighted mean of its lines, said to be no
    emitted wavelength where it falls in a gap between the bands (QA14 #9: titan_ir's water filter removes
    1400-1500 nm, where its mean 1450 nm falls): ``"1100–1400, 1500–1800 nm (energy-weighted mean of the lines
    1450 nm, not emitted)"``. The bands are ``wavelength_bands_nm``
    (:func:`laserskin.pipeline.summary.wavelength_bands_nm`), else the one ``wavelength_band_nm`` of a plan written
    before that key. One text for the plan's terminal table and report.html."""
    mean = float(settings["wavelength_nm"])
    band = settings.get("wavelength_band_nm")
    bands = settings.get("wavelength_bands_nm") or ([band] if band else [[mean, mean]])
    if len(bands) == 1 and bands[0][0] == bands[0][1]:
        return _bands_text(bands)
    tolerance = 1e-9 * mean
    emitted = any(low - tolerance <= mean <= high + tolerance for low, high in bands)
    return f"{_bands_text(bands)} (energy-weighted mean of the lines {mean:.0f} nm{'' if emitted else ', not emitted'})"


_BARE_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SINGULAR_UNIT = re.compile(r"^([+-]?\d+(?:\.\d*)?) (year|week|day|hour|minute)$")
_POWERS = (("^-1", "⁻¹"), ("^2", "²"), ("^3", "³"))


def _text_with_unit(text: str, unit_text: str) -> str:
    """A text value as a person reads it (QA8 #5): a bare number typed for a field with a unit gets the unit ("5"
    for the longest session is "5 min"), and units are written with superscripts ("150 cm^2" is "150 cm²", the
    spelling of every unit in the labels)."""
    stripped = text.strip()
    if unit_text and unit_text != "/10" and _BARE_NUMBER.match(stripped):
        return f"{stripped} {unit_text}"
    singular = _SINGULAR_UNIT.match(stripped)
    if singular and float(singular.group(1)) != 1.0:  # the echoed input "52 year" reads "52 years"
        return f"{stripped}s"
    return readable_units(text)


def readable_units(text: str) -> str:
    """``text`` with units written as the labels write them, with superscripts: "17 J/cm^2" is "17 J/cm²" (one
    spelling in HTML output, QA8 #5; reasons and notes are composed with ASCII carets for the terminal)."""
    for caret, superscript in _POWERS:
        text = text.replace(caret, superscript)
    return text


def pulses_text(settings: dict, fluence_unit: str = "J/cm²") -> str:
    """The pulses stacked on one spot as an operator sets them (QA7 #4): ``"3 pulses at 2 Hz per spot (42.7 J/cm²
    per spot)"``, ``"1 pulse per spot"``; in fractional mode per micro-zone (its rate is the micro-beam firing
    rate, not a rate on one zone). ``""`` for settings without ``pulses_per_spot`` (a plan written before it)."""
    pulses = settings.get("pulses_per_spot")
    if pulses is None:
        return ""
    fractional = settings.get("microbeam_diameter_um") is not None
    where = "per micro-zone" if fractional else "per spot"
    if pulses == 1:
        return f"1 pulse {where}"
    rate = settings.get("repetition_rate_Hz")
    at = f" at {rate:g} Hz" if rate and not fractional else ""
    dose = settings.get("fluence_per_spot_J_per_cm2")
    total = f" ({dose:.3g} {fluence_unit} {where})" if isinstance(dose, (int, float)) else ""
    return f"{pulses} pulses{at} {where}{total}"


def alternative_fluence_text(alt: dict) -> str:
    """An alternative's fluence in a column headed J/cm², with its stacked pulses where there is more than one
    (``"14.2, 3 pulses at 2 Hz per spot (42.7 J/cm² per spot)"``; QA7 #4)."""
    settings = alt.get("settings") or {}
    text = display_value("fluence_J_per_cm2", settings.get("fluence_J_per_cm2")).removesuffix(" J/cm²")
    pulses = settings.get("pulses_per_spot")
    return f"{text}, {pulses_text(settings)}" if isinstance(pulses, int) and pulses > 1 else text


def band_text(band) -> str:
    """``"12.9 % (uncertainty band 4.7–28.3 %)"`` from ``[low, mid, high]``."""
    low, mid, high = (float(x) for x in band)
    return f"{mid:.1f} % ({BAND} {low:.1f}–{high:.1f} %)"


def figure_text(name: str, data: dict) -> dict[str, str]:
    """Title, caption and alt text of a plan or simulation figure, from the plan/summary data."""
    device = data.get("device") or "the device"
    if name == "improvement":
        month6 = (data.get("improvement_percent") or {}).get("month_6")
        gain = f" Predicted at 6 months: {band_text(month6)}." if month6 else ""
        return {
            "title": "Expected improvement over time",
            "caption": f"Predicted laxity-grade improvement (% decrease of the grade) after each session with "
            f"{device}; the shaded area is the {BAND}, dotted lines mark the sessions.",
            "alt": f"Line chart of laxity improvement in percent against months from the first session, rising "
            f"after each of {data.get('sessions', '?')} sessions.{gain}",
        }
    if name == "margin":
        settings = data.get("settings") or {}
        fluence = settings.get("fluence_J_per_cm2")
        chosen = f" The chosen fluence is {fluence:.3g} J/cm²." if isinstance(fluence, (int, float)) else ""
        return {
            "title": "Safety margin against fluence",
            "caption": "Epidermal damage integral Ω (left axis, logarithmic; Ω = 1 blisters; the shaded band is "
            "the blister fluence with its uncertainty) and thickness of the dermal collagen injury band "
            "(right axis, µm) against fluence.",
            "alt": f"Chart of epidermal Ω and dermal injury-band thickness rising with fluence.{chosen}",
        }
    if name == "maps":
        return {
            "title": "Where the skin heats and where collagen is injured",
            "caption": "Left: peak temperature (°C) by depth and distance from the beam axis. Right: thermal "
            "injury (log₁₀ of Ω over all passes); Ω ≥ 1 marks injured collagen.",
            "alt": "Two colour maps of a skin cross-section, depth downwards: peak temperature, and the "
            "logarithm of the thermal-damage integral.",
        }
    if name == "temperature_map":
        peak = data.get("peak_dermis_temperature_C")
        peak_text = f" Peak dermis temperature {peak:.1f} °C." if isinstance(peak, (int, float)) else ""
        return {
            "title": "Temperature in the skin",
            "caption": "Temperature (°C) by depth and distance from the beam axis at the time of the peak.",
            "alt": f"Colour map of the skin cross-section, hottest near the beam axis.{peak_text}",
        }
    if name == "depth_profiles":
        return {
            "title": "Temperature and damage against depth",
            "caption": "Peak temperature and thermal-damage integral Ω on the beam axis against depth.",
            "alt": "Line charts of peak temperature and damage falling with depth below the surface.",
        }
    return {
        "title": name.replace("_", " ").capitalize(),
        "caption": "",
        "alt": name.replace("_", " "),
    }


#: The outcome measure of each goal and how it is named (QA6 #2: every number says which measure it is).
MEASURES = {"laxity": "laxity grade", "rhytid": "rhytid (wrinkle) grade"}
GOAL_OPTION = {"tighten": "Tightening", "resurface": "Resurfacing"}


def _goal_measure(goal: Any) -> str:
    return "rhytid" if goal == "resurface" else "laxity"


def goal_headline(plan: dict) -> str:
    """``"24.2 % (uncertainty band …), rhytid (wrinkle) grade"``: the plan's predicted 6-month improvement in the measure
    of its goal (rhytid grade for resurfacing, laxity grade for tightening; QA6 #2), or "—"."""
    measure = _goal_measure(plan.get("goal"))
    bands = plan.get("rhytid_improvement_percent") if measure == "rhytid" else None
    if not bands:
        measure, bands = "laxity", plan.get("improvement_percent")
    month6 = (bands or {}).get("month_6")
    return f"{band_text(month6)}, {MEASURES[measure]}" if month6 else "—"


def alternative_improvement_text(alt: dict) -> str:
    """An alternative's 6-month improvement in the measure of the goal it serves, with the measure named."""
    measure = alt.get("goal_measure") or "laxity"
    month6 = alt.get("improvement_month_6") or (alt.get("improvement_percent") or {}).get("month_6")
    return f"{band_text(month6)}, {MEASURES.get(measure, measure)}" if month6 else "—"


def alternative_pain_text(alt: dict) -> str:
    """An alternative's pain with its own plan, on the chosen plan's basis (its topical and its cooling's cold-air
    analgesia; QA6 #9): ``"5.2 (2.9–8.1), no topical"``."""
    band, value = alt.get("pain_with_plan"), alt.get("pain_index_with_plan", alt.get("pain_index"))
    if band:
        text = f"{float(band[1]):.1f} ({float(band[0]):.1f}–{float(band[2]):.1f})"
    elif value is not None:
        text = f"{float(value):.1f}"
    else:
        return "—"
    anesthetic = alt.get("anesthetic")
    if not anesthetic:
        return text
    return f"{text}, {'no topical' if anesthetic == 'none' else choice('anesthetic', anesthetic)}"


#: Header of the alternatives' pain column (QA6 #9: the basis is stated).
ALTERNATIVE_PAIN_HEADER = "Pain with its plan (0–10, band; its topical and cooling)"


def alternative_goal_text(alt: dict, plan_goal: Any) -> str:
    """``"Resurfacing (this plan's goal)"`` or ``"Tightening option (the other goal)"`` (QA6 #2: an alternative of
    the other goal is not a competitor of the chosen plan in the same measure)."""
    goal = alt.get("goal")
    if goal not in GOAL_OPTION:
        return "—"
    if goal == plan_goal:
        return f"{GOAL_OPTION[goal]} (this plan's goal)"
    return f"{GOAL_OPTION[goal]} option (the other goal)"


def alternatives_note(plan: dict) -> str:
    """What an empty list of alternatives means: only the requested device(s) were planned (QA6 #7), or none
    of the others was feasible."""
    devices = (plan.get("inputs") or {}).get("devices") or (plan.get("request") or {}).get("devices")
    if devices:
        names = ", ".join(str(d) for d in devices)
        return f"Only {names} {'was' if len(devices) == 1 else 'were'} requested: no other device was planned."
    return "No alternative device was feasible."


def _signed_percent(relative: Any) -> str:
    """A relative change as a signed percentage (``0.0343`` is ``"+3.4 %"``)."""
    return f"{100.0 * float(relative):+.1f} %"


def _half_widths(record: dict) -> str:
    """``"-5.0 % / +10.8 %"``: the low and high relative half-widths of a band (``relative_low``, ``relative_high``)."""
    return f"-{100.0 * float(record['relative_low']):.1f} % / +{100.0 * float(record['relative_high']):.1f} %"


def _plain_band(band) -> str:
    """``"20.2 % (7.7–43.8 %)"`` from ``[low, mid, high]`` (a band that is not the healing model's 5–95 % alone)."""
    low, mid, high = (float(x) for x in band)
    return f"{mid:.1f} % ({low:.1f}–{high:.1f} %)"


def perturbation_name(name: str) -> str:
    """The perturbation ``name`` in a few words (:data:`laserskin.planning.uncertainty.PERTURBATION_NAMES`; ``scattering_set:<set>`` is named by
    its set's label, :func:`laserskin.skin.parameter_sets.optical_set_text`)."""
    from laserskin.planning.uncertainty import PERTURBATION_NAMES  # here: the CLI's help imports this module
    from laserskin.skin.parameter_sets import optical_set_text

    base, _, which = name.partition(":")
    if base == "scattering_set" and which:
        return optical_set_text(which).removeprefix("the ")
    return PERTURBATION_NAMES.get(base, base.replace("_", " "))


def _perturbation(name: str, blister: dict | None) -> str:
    """What a perturbation is, as the plan's ``blister_uncertainty.perturbations`` says (its name otherwise)."""
    return str(((blister or {}).get("perturbations") or {}).get(name) or name.replace("_", " "))


def blister_band_rows(risks: dict) -> list[tuple[str, str]]:
    """Rows stating what the blister-fluence band ``[low, nominal, high]`` includes, read from the plan's
    ``risks.blister_uncertainty`` (its ``contributions``, ``mc_relative_error``, ``notes``), never recomputed; none
    where the plan has no blister band (ablative, fractional, no treatment)."""
    record, band = risks.get("blister_uncertainty"), risks.get("blister_fluence_J_per_cm2")
    if not record or not band:
        return []
    rows = [
        ("Fluence that would blister (Ω = 1)", display_value("blister_fluence_J_per_cm2", band)),
        ("Band, relative to the nominal (low / high)", _half_widths(record)),
        (
            "Monte Carlo error of the basal read-out (counted twice, in quadrature)",
            f"{100.0 * float(record['mc_relative_error']):.2f} %",
        ),
    ]
    for key, change in (record.get("contributions") or {}).items():
        rows.append((f"Change with {_perturbation(key, record)}", f"{_signed_percent(change)} of the blister fluence"))
    for key, why in (record.get("notes") or {}).items():
        rows.append((f"Not included: {perturbation_name(key)}", readable_units(str(why))))
    if record.get("runs") is not None:
        rows.append(("Perturbed light-transport and heat runs", str(record["runs"])))
    return rows


def _goal_bands(plan: dict) -> tuple[str, dict | None, str]:
    """``(measure, bands, healing-only key)`` of the measure of the plan's goal (rhytid for resurfacing)."""
    if _goal_measure(plan.get("goal")) == "rhytid" and plan.get("rhytid_improvement_percent"):
        return "rhytid", plan["rhytid_improvement_percent"], "healing_only_rhytid_improvement_percent"
    return "laxity", plan.get("improvement_percent"), "healing_only_improvement_percent"


def outcome_band_rows(plan: dict) -> list[tuple[str, str]]:
    """Rows stating what the outcome band's ``[low, high]`` includes, read from the plan's
    ``risks.outcome_dose_uncertainty`` (the delivered dose's band, each perturbation's change, the Monte Carlo error,
    the healing model's band alone beside the plan's band), never recomputed; none for a plan without the record."""
    risks = plan.get("risks") or {}
    record = risks.get("outcome_dose_uncertainty")
    if not record:
        return []
    rows = [("What the band includes", readable_units(str(record.get("band_includes") or record.get("note") or "—")))]
    if not record.get("applied"):
        return rows
    blister = risks.get("blister_uncertainty")
    rows += [
        (
            "Delivered dermal dose as an equivalent fluence",
            display_value("fluence_J_per_cm2", record.get("fluence_J_per_cm2")),
        ),
        ("Dose band, relative to the nominal (low / high)", _half_widths(record)),
        (
            "Monte Carlo error (counted twice, in quadrature)",
            f"{100.0 * float(record['mc_relative_error']):.2f} %",
        ),
    ]
    sources = record.get("sources") or {}
    for key, change in (record.get("contributions") or {}).items():
        proxy = "" if sources.get(key, "measured") == "measured" else f" ({sources[key]})"
        rows.append((f"Dose change with {_perturbation(key, blister)}", f"{_signed_percent(change)}{proxy}"))
    measure, bands, healing_key = _goal_bands(plan)
    healing = record.get(healing_key) or {}
    for key, band in (bands or {}).items():
        if key in healing:
            rows.append(
                (
                    f"{IMPROVEMENT_TIMES.get(key, key)}, {MEASURES[measure]}",
                    f"healing model alone {_plain_band(healing[key])}; with the delivered dose {_plain_band(band)}",
                )
            )
    return rows


#: Heading, caption and column headers of the published outcomes of the plan's device (the plan's ``outcome_evidence``,
#: QA15 #4: how well the healing model meets them; issue 10 "the report says how good the fit is").
OUTCOME_EVIDENCE_HEADING = "How well the model meets this device's published outcomes"
OUTCOME_EVIDENCE_CAPTION = "Published outcomes of the healing model's calibration for this device"
OUTCOME_EVIDENCE_HEADER = ("Study", "Measure", "Months", "Published (%)", "Model (%)", "Role", "z (σ)")
#: The measure each published point is compared as (``outcome_evidence.points[].measure``).
EVIDENCE_MEASURES = {
    "laxity_improvement": "laxity grade",
    "rhytid_improvement": "rhytid (wrinkle) grade",
    "linear_shrinkage": "linear shrinkage",
}


def outcome_evidence_rows(plan: dict) -> list[tuple[str, ...]]:
    """The rows of the published-outcome table (:data:`OUTCOME_EVIDENCE_HEADER`) from the plan's
    ``outcome_evidence.points``: study | measure | months | published | model | role | z. A difference of two
    devices' courses, a lower bound and an arm derived from a level and a difference say so. Empty without points
    (no device, an older plan, a device with no published outcome: the summary says which)."""
    evidence = plan.get("outcome_evidence") or {}
    rows: list[tuple[str, ...]] = []
    for point in evidence.get("points") or []:
        measure = EVIDENCE_MEASURES.get(point.get("measure"), str(point.get("measure")))
        if point.get("difference"):
            measure = f"{measure}, difference {point.get('course')} − {point.get('minus_course')}"
        role = str(point.get("role"))
        if point.get("derived"):
            role = f"{role} (derived from a level and a difference of the study)"
        value, sigma = float(point["value_pct"]), float(point["sigma_pct"])
        published = f"≥ {value:.3g}" if point.get("criterion") == "at_least" else f"{value:.3g} ± {sigma:.2g}"
        rows.append(
            (
                str(point.get("study")),
                measure,
                f"{float(point['months']):g}",
                published,
                f"{float(point['model_pct']):.1f}",
                role,
                f"{round(float(point['z']), 1) + 0.0:+.1f}",  # no "-0.0"
            )
        )
    return rows


def outcome_band_includes_text(option: dict) -> str:
    """What an option's outcome band includes (its ``outcome_dose_uncertainty``), short, for the alternatives table:
    ``"healing model and delivered dose (-5.0 % / +3.0 %)"`` or ``"healing model only: <why>"``; "—" where the
    option does not say (an older plan, an option never planned)."""
    record = option.get("outcome_dose_uncertainty")
    if not record:
        return "—"
    if record.get("applied"):
        return f"healing model and delivered dose ({_half_widths(record)})"
    return f"healing model only: {str(record.get('note') or '').removeprefix('not applied: ')}".rstrip(": ")


#: The pain rows of a plan's risks: the bands with and without the planned anaesthetic and cooling where the plan
#: has them, else the single numbers of an older plan (QA6 #6: the web page and the report read the same rows).
PAIN_BAND_KEYS = ("pain_with_plan", "pain_without_anaesthetic")
PAIN_INDEX_KEYS = ("pain_index_with_anesthetic", "pain_index_without_anesthetic")
BLISTER_KEYS = ("epidermal_omega", "blister_fluence_J_per_cm2", "fluence_fraction_of_blister", "safety_margin")


def plan_risk_keys(risks: dict, keys) -> list[str]:
    """``keys`` (risk rows in display order) as the plan shows them: the pain bands instead of the single pain
    numbers where the plan has bands, and no blister rows for an option that injures the epidermis by design
    (``epidermal_wound``; QA5 #20)."""
    bands = "pain_with_plan" in risks
    out = []
    for key in keys:
        if bands and key in PAIN_INDEX_KEYS:
            continue
        if not bands and key in PAIN_BAND_KEYS:
            continue
        if key in BLISTER_KEYS and risks.get("epidermal_wound"):
            continue
        out.append(key)
    return out


#: Rows of the web simulate result table (simulate_result.html), in order: keys of the simulation summary, each
#: Monte Carlo bound beside the value it bounds (docs/planning.md, "Monte Carlo error"). The text table of
#: ``laserskin simulate`` is ``cli.simulate.SUMMARY_ROWS``.
SIMULATION_ROWS = (
    "thermal_model",
    "within_model_validity",
    "peak_temperature_C",
    "peak_epidermis_temperature_C",
    "peak_dermis_temperature_C",
    "peak_basal_temperature_band_C",
    "epidermal_omega",
    "epidermal_omega_band",
    "epidermal_injury",
    "epidermal_injury_beyond_error",
    "pigment_risk",
    "pigment_risk_beyond_error",
    "dermal_injury_depth_um",
    "dermal_injury_possible_depth_um",
    "dermal_injury",
    "denatured_volume_mm3",
    "immediate_tightening_percent",
    "pain_index",
    "pain_index_with_anesthetic",
    "pain_index_with_plan",
    "crater_depth_um",
    "residual_damage_depth_um",
    "residual_damage_possible_depth_um",
    "coagulation_depth_um",
    "mtz_depth_um",
    "mtz_width_um",
    "mtz_area_fraction",
    "wall_time_s",
)
#: Rows that bound another (the Monte Carlo error): shown only with a value, and a "possible" depth only where it
#: differs from the depth it bounds (they are equal where no error is estimated: non-linear stage, voxels).
_BOUND_ROWS = {
    "peak_basal_temperature_band_C": None,
    "epidermal_omega_band": None,
    "epidermal_injury_beyond_error": None,
    "pigment_risk_beyond_error": None,
    "dermal_injury_possible_depth_um": "dermal_injury_depth_um",
    "residual_damage_possible_depth_um": "residual_damage_depth_um",
}


def simulation_row_shown(key: str, summary: dict) -> bool:
    """Whether the web simulate result shows the row ``key`` of :data:`SIMULATION_ROWS` for this summary."""
    if key not in summary:
        return False
    value = summary[key]
    if key.startswith("mtz_"):  # fractional lasers only
        return bool(value)
    if key in _BOUND_ROWS:
        bounded = _BOUND_ROWS[key]
        return value is not None and (bounded is None or value != summary.get(bounded))
    return True


#: The section on what the bands' [low, high] include, and its two tables' captions: the HTML report and the web plan
#: page show the same section from :func:`outcome_band_rows` and :func:`blister_band_rows`.
BAND_SOURCES_HEADING = "What the bands include"
OUTCOME_BAND_CAPTION = "Expected improvement: [low, high]"
BLISTER_BAND_CAPTION = "Fluence that would blister: [low, high]"


def template_globals() -> dict[str, Any]:
    """The names the HTML templates call (web pages and their tests render with the same set)."""
    return {
        "label": label,
        "name": name,
        "choice": choice,
        "value": display_value,
        "band": band_text,
        "explain": explain,
        "goal_headline": goal_headline,
        "alternative_improvement_text": alternative_improvement_text,
        "alternative_fluence_text": alternative_fluence_text,
        "alternative_goal_text": alternative_goal_text,
        "alternative_pain_text": alternative_pain_text,
        "ALTERNATIVE_PAIN_HEADER": ALTERNATIVE_PAIN_HEADER,
        "alternatives_note": alternatives_note,
        "blister_band_rows": blister_band_rows,
        "outcome_band_rows": outcome_band_rows,
        "outcome_evidence_rows": outcome_evidence_rows,
        "OUTCOME_EVIDENCE_HEADING": OUTCOME_EVIDENCE_HEADING,
        "OUTCOME_EVIDENCE_CAPTION": OUTCOME_EVIDENCE_CAPTION,
        "OUTCOME_EVIDENCE_HEADER": OUTCOME_EVIDENCE_HEADER,
        "BAND_SOURCES_HEADING": BAND_SOURCES_HEADING,
        "OUTCOME_BAND_CAPTION": OUTCOME_BAND_CAPTION,
        "BLISTER_BAND_CAPTION": BLISTER_BAND_CAPTION,
        "outcome_band_includes_text": outcome_band_includes_text,
        "plan_risk_keys": plan_risk_keys,
        "pulses_text": pulses_text,
        "BAND": BAND,
        "CHOICES": CHOICES,
        "SIMULATION_ROWS": SIMULATION_ROWS,
        "simulation_row_shown": simulation_row_shown,
    }
