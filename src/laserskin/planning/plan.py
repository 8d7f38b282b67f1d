"""The treatment planner: eligibility → modality → settings under safety limits → sessions.

``plan(person, goal="recommend", area="150 cm^2", ...) -> TreatmentPlan``. See
:mod:`laserskin.planning.optimise` for the safety and target criteria and how linearity
keeps a plan to a few heat solves, and :mod:`laserskin.planning.sessions` for the course.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from threadpoolctl import threadpool_limits

import laserskin
from laserskin.core.citations import cite, deferred, recording
from laserskin.core.errors import InputError
from laserskin.healing import OUTCOME_MEASURES
from laserskin.healing.calibration import device_evidence
from laserskin.pipeline.progress import DEFAULT_PROGRESS, progress_scope
from laserskin.pipeline.summary import wavelength_band_nm, wavelength_bands_nm
from laserskin.planning.eligibility import device_verdict, goal_indicated, no_indication_reason, referral_reason
from laserskin.planning.modality import (
    CLASSES_FOR_GOAL,
    DEFAULT_DEVICES,
    candidate_devices,
    primary_goal,
)
from laserskin.planning.optimise import (
    ANESTHETIC_ORDER,
    READOUT_DAMAGE_SETS,
    STRONGEST_TOPICAL,
    Counter,
    NotExpectedToWork,
    damage_readout,
    finalise,
    lightest_anesthetic,
    memo_key,
    memoised,
    optimise_device,
    plan_each,
    plan_workers,
    planning_settings,
)
from laserskin.planning.request import PlanRequest, cooling_for, planner_rules
from laserskin.planning.sessions import (
    MIN_EXPECTED_IMPROVEMENT_PCT,
    band_error_um,
    plan_course,
    session_dose_from_summary,
    session_timing,
)
from laserskin.planning.uncertainty import PERTURBATION_NAMES

__all__ = ["TreatmentPlan", "plan", "plan_request"]

#: What ``improvement_percent`` measures (the healing model's clinical output).
OUTCOME_MEASURE = (
    f"improvement_percent: {OUTCOME_MEASURES['laxity']}; rhytid_improvement_percent: {OUTCOME_MEASURES['rhytid']}; "
    "months after the last session; goal_measure names the one the plan was ranked on (laxity for tightening, "
    "rhytid for resurfacing). Calibrated on graded laxity and wrinkle scores and on physical linear shrinkage "
    "across non-ablative, fractional and ablative courses, each compared as the measure its study used "
    "(docs/healing.md calibration table)"
)

#: |z| = |model − published| / sigma up to which the model is said to be *within* a published outcome in
#: ``outcome_evidence``: 2 published sigmas, the tolerance of the held-out checks (tests/validation/
#: test_healing_calibration.py, ~95 % for a normal error); beyond it the model over-predicts (z > 2: the plan's
#: improvement is an upper estimate for the device) or under-predicts (z < −2: a lower estimate).
OUTCOME_EVIDENCE_Z = 2.0

MAX_PASSES = 3
#: Relative difference of the predicted 6-month improvement treated as a tie between devices: the
#: improvement's own seed-to-seed spread (the chosen fluence moves with the Monte Carlo estimate of the
#: blister band and the dermal dose is steep in fluence: 9.4-14.3 % month-6 nominal over seeds 1-5 for the
#: issue's person at 1450 nm; 20 % taken, U), so that the choice does not follow the seed.
DEVICE_TIE_TOLERANCE = 0.20
#: Relative difference of improvement per downtime day treated as a tie between full-field pass counts.
PASS_TIE_TOLERANCE = 0.10
#: Most visits one session is split into to keep each visit under the session limit (planner rule, U; QA5 #9).
#: Every visit repeats the topical anaesthetic's lead time (its label time, anesthetics.toml), so when that lead
#: time takes most of the limit the visit count diverges (a 16-minute laser job in 32 visits under a 46-min
#: limit): a split that needs more visits is not a plan a clinician carries out, and the session stays one
#: visit, flagged over the limit (``risks.session_limit_not_met``) with the options (cream applied before the
#: timed visit, a longer limit). A split is made only when the laser time alone exceeds the limit (QA6 #1,
#: :func:`_visits`).
MAX_VISITS_PER_SESSION = 3


@dataclass
class TreatmentPlan:
    """A treatment plan (or a referral). :meth:`to_dict` / :meth:`to_json` give the stable interface."""

    eligible: bool
    referral: str | None
    request: dict
    #: Why the request (devices restricted, cooling overridden) has no feasible setting although the person
    #: is eligible (``eligible`` true, no ``device``, no ``referral``; QA5 #19); None otherwise.
    infeasible_request: str | None = None
    #: The goal the plan serves (``tighten`` or ``resurface``; ``recommend`` resolved), whose measure ranks,
    #: headlines and gives the reasons (QA6 #2): laxity grade for tightening, rhytid grade for resurfacing.
    goal: str | None = None
    #: The measure the plan was ranked and headlined on (QA8 #7): ``"laxity"`` (tightening; its bands are
    #: ``improvement_percent``) or ``"rhytid"`` (resurfacing; ``rhytid_improvement_percent``). ``improvement_percent``
    #: is the laxity grade in every plan (issue 10's acceptance key keeps its meaning).
    goal_measure: str | None = None
    modality: str | None = None
    device: str | None = None
    settings: dict = field(default_factory=dict)
    cooling: dict | None = None
    anesthetic: str | None = None
    sessions: int | None = None
    interval_weeks: float | None = None
    session_minutes: float | None = None
    laser_minutes: float | None = None
    improvement_percent: dict | None = None
    rhytid_improvement_percent: dict | None = None
    epidermal_omega: float | None = None
    #: Pain /10 with the plan's anaesthetic and cooling (``pain.with_plan[1]``): simulate's ``pain_index_with_plan``
    #: (QA10 #3: the key was ``pain_index``, which in ``summary`` and in ``simulate --json`` is the pain without
    #: anaesthetic).
    pain_index_with_plan: float | None = None
    blister_fluence_J_per_cm2: list | None = None
    fluence_fraction_of_blister: float | None = None
    safety_margin: float | None = None
    outcome_measure: str | None = None
    #: Caveats of the predicted outcome (QA6 #19: the immediate value of an ablative fractional plan is a lower bound).
    outcome_notes: list[str] = field(default_factory=list)
    #: How well the healing model meets the published outcomes of the plan's device (QA15 #4, issue 10 "the report
    #: says how good the fit is"): ``{"device", "points", "summary"}`` (:func:`outcome_evidence`); None without a device.
    outcome_evidence: dict | None = None
    pain: dict | None = None
    visits_per_session: int = 1
    area_per_visit_cm2: float | None = None
    #: Minutes per session over all its visits (``visits_per_session`` x ``session_minutes``; QA6 #1).
    session_total_minutes: float | None = None
    risks: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    alternatives: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)
    simulations_run: int = 0
    simulation_work: dict = field(default_factory=dict)
    wall_time_s: float = 0.0
    seed: int = 1
    photons: int = 0
    version: str = laserskin.__version__
    summary: dict = field(default_factory=dict)
    margin_curve: dict = field(default_factory=dict)
    citations: list[str] = field(default_factory=list)
    # objects for figures / NetCDF (not serialised)
    support: Any = field(default=None, repr=False)

    @property
    def pain_index(self) -> float | None:
        """Python alias of :attr:`pain_index_with_plan` (not in the JSON: there ``pain_index`` is simulate's pain
        without anaesthetic, ``summary.pain_index``)."""
        return self.pain_index_with_plan

    def to_dict(self) -> dict:
        keys = (
            "eligible",
            "referral",
            "infeasible_request",
            "goal",
            "goal_measure",
            "modality",
            "device",
            "settings",
            "cooling",
            "anesthetic",
            "sessions",
            "interval_weeks",
            "session_minutes",
            "laser_minutes",
            "improvement_percent",
            "rhytid_improvement_percent",
            "epidermal_omega",
            "blister_fluence_J_per_cm2",
            "fluence_fraction_of_blister",
            "safety_margin",
            "outcome_measure",
            "outcome_notes",
            "outcome_evidence",
            "pain",
            "visits_per_session",
            "area_per_visit_cm2",
            "session_total_minutes",
            "pain_index_with_plan",
            "simulations_run",
            "simulation_work",
            "wall_time_s",
            "reasons",
            "risks",
            "alternatives",
            "candidates",
            "summary",
            "margin_curve",
            "citations",
            "seed",
            "photons",
            "version",
        )
        out = {key: getattr(self, key) for key in keys}
        out["inputs"] = self.request
        return _round_floats(json.loads(json.dumps(out, default=_jsonable)))

    def to_json(self, indent: int | None = 2) -> str:
        """The plan as one JSON object (keys of the acceptance interface, inputs, seed, version)."""
        return json.dumps(self.to_dict(), indent=indent)


#: Significant digits of floats in the plan JSON: unit conversions leave binary noise in the last digits
#: (1550.0000000000002 nm, 99.99999999999999 um); 12 digits keep every computed digit that means something.
JSON_SIGNIFICANT_DIGITS = 12


def _round_floats(value):
    """``value`` (parsed JSON) with every float rounded to :data:`JSON_SIGNIFICANT_DIGITS` significant digits."""
    if isinstance(value, float):
        return float(f"{value:.{JSON_SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: _round_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_floats(v) for v in value]
    return value


def _jsonable(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def plan(
    person,
    goal: str = "recommend",
    area: str | None = None,
    *,
    devices: list[str] | None = None,
    max_sessions: int | None = None,
    max_downtime_days: float | None = None,
    max_session_minutes: float | None = None,
    max_fraction_of_blister: float | None = None,
    anesthetic: str = "auto",
    cooling: str = "auto",
    photons: int = 20_000,
    seed: int = 1,
    cache_dir=None,
    progress=DEFAULT_PROGRESS,
) -> TreatmentPlan:
    """Plan a treatment for ``person`` (a :class:`laserskin.skin.Person`).

    ``area``: the treated area per session (``None``: 150 cm², or the site's whole area where smaller).
    ``max_fraction_of_blister``: the epidermal margin, the highest allowed fraction of the
    *lower* blister fluence (default 0.85 from contraindications.toml ``[safety]``).
    ``progress``: a callback for the simulations' progress; by default a rich bar in a
    terminal or notebook (nothing otherwise); ``None`` silences it.

    Returns
    -------
    TreatmentPlan
        Referral (``eligible=False``) for severe laxity; otherwise the chosen modality,
        device, settings (clinical units), sessions and predicted improvement.

    Raises
    ------
    InputError
        Bad input, or an infeasible goal (the message names the binding constraint).
    """
    request = PlanRequest.validated(
        age=person.age_years,
        sex=person.sex,
        fitzpatrick=person.fitzpatrick,
        site=person.site,
        sun_exposure=person.sun_exposure,
        laxity=person.laxity,
        goal=goal,
        area=area,
        devices=devices,
        max_sessions=max_sessions,
        max_downtime_days=max_downtime_days,
        max_session_minutes=max_session_minutes,
        anesthetic=anesthetic,
        max_fraction_of_blister=max_fraction_of_blister,
        cooling=cooling,
        photons=photons,
        seed=seed,
    )
    return plan_request(request, cache_dir=cache_dir, progress=progress)


def plan_request(request: PlanRequest, *, cache_dir=None, progress=DEFAULT_PROGRESS) -> TreatmentPlan:
    """Plan from a validated :class:`PlanRequest` (see :func:`plan`); the plan records the
    bibliography keys its models cited (``citations``)."""
    # one BLAS thread: a plan's dense linear algebra is many tiny products (the healing model's
    # 11×11 propagators, scipy.linalg.expm of its parameter stack), on which OpenBLAS threads cost
    # 10-50× the work on a busy 2-core machine (expm of the stack: ~2 ms instead of ~100 ms). The
    # numbers do not change: the threads split a product's output, not its sums.
    with recording() as cited, progress_scope(progress), threadpool_limits(limits=1, user_api="blas"):
        plan = _plan_request(request, cache_dir=cache_dir)
    plan.citations = sorted(cited)
    return plan


def _plan_request(request: PlanRequest, *, cache_dir=None) -> TreatmentPlan:
    from laserskin.treatment.devices import load_device

    clock = time.perf_counter()
    person = request.person()
    inputs = request.model_dump(mode="json", by_alias=True)
    # every plan's request, seed and photons, spread into each TreatmentPlan below (values of three types)
    base: dict[str, Any] = {"request": inputs, "seed": request.seed, "photons": request.photons}
    referral = referral_reason(person)
    laxity_referral = None
    if referral and _resurface_beside_referral(request.goal, person, request.devices):  # QA6 #10
        laxity_referral, referral = _laxity_referral_note(referral, person), None
    if referral:
        return TreatmentPlan(
            eligible=False,
            referral=referral,
            reasons=[referral],
            risks=_no_treatment_risks(person, referral_reason=referral, referral_note=referral),
            wall_time_s=time.perf_counter() - clock,
            **base,
        )
    unindicated = no_indication_reason(request.goal, person)
    if unindicated:  # nothing to treat (QA4 #28): an answer, as a referral is, not sessions of a grade already 0
        return TreatmentPlan(
            eligible=False,
            referral=unindicated,
            reasons=[unindicated],
            risks=_no_treatment_risks(
                person, referral_reason=unindicated, referral_note=unindicated, indication="none"
            ),
            wall_time_s=time.perf_counter() - clock,
            **base,
        )
    if request.max_sessions == 0:
        raise InputError(
            "max_sessions",
            0,
            f"at least 1 session: goal {request.goal!r} needs a treatment (the max_sessions constraint binds)",
        )
    goal = "resurface" if laxity_referral else primary_goal(request.goal, person)
    reasons = [_goal_reason(request.goal, goal, person)]
    if laxity_referral:
        if request.goal == "recommend":
            reasons[0] = (
                f"recommend -> resurface: laxity grade {person.laxity} is referred for surgery, photoaging grade "
                f"{person.sun_exposure} is treated by resurfacing"
            )
        reasons.append(laxity_referral)
    names = candidate_devices(goal, request.devices)
    swapped = _other_goal(goal)
    if not names and request.devices and candidate_devices(swapped, request.devices):
        if request.goal == "recommend":  # the requested devices say which treatment is wanted: follow them
            reasons.append(
                f"recommend -> {swapped} instead: the requested device(s) {', '.join(request.devices)} are of class "
                f"{' or '.join(CLASSES_FOR_GOAL[swapped])}, which serves {swapped!r}"
            )
            goal, names = swapped, candidate_devices(swapped, request.devices)
        else:
            raise InputError(
                "devices",
                request.devices,
                f"at least one device of class {' or '.join(CLASSES_FOR_GOAL[goal])} for goal {goal!r} "
                f"(the device(s) given serve goal {swapped!r}: use --goal {swapped} or --goal recommend)",
            )
    other = _other_goal(goal)
    counter = Counter()
    if not names:
        raise InputError(
            "devices",
            request.devices,
            f"at least one device of class {' or '.join(CLASSES_FOR_GOAL[goal])} for goal {goal!r}",
        )
    options, rejected = [], []
    # the other modality, for the trade-off (first device of that class), unless it has nothing to treat (QA4 #28)
    # or is tightening of a laxity referred to surgery (QA6 #10)
    other_names = candidate_devices(other, request.devices) if request.devices else list(DEFAULT_DEVICES[other])
    alternative = _Alternative(other_names[0], other) if other_names else None
    if alternative and (not goal_indicated(other, person) or (laxity_referral and other == "tighten")):
        alternative.why_unavailable = [
            referral_reason(person) if laxity_referral else no_indication_reason(other, person)
        ]
    # the candidates and the alternative are independent: planned side by side (plan_each; the same plan as one by
    # one); the alternative last, its work and sources counted only where the plan lists it

    def plan_one(item: str | _Alternative, own: Counter) -> tuple[list, list]:
        if isinstance(item, _Alternative):
            return item.plan(person, request, cache_dir)
        return _plan_device(load_device(item), person, request, own, cache_dir, goal)

    jobs: list[str | _Alternative] = [*names]
    if alternative is not None and not alternative.why_unavailable and plan_workers(len(names) + 1) > 1:
        jobs.append(alternative)  # one device at a time, it is planned where the plan lists it, as before
    planned = plan_each(
        plan_one,
        jobs,
        counter,
        start_first=lambda item: isinstance(item, str) and load_device(item).device_class in PRESET_PLANNED_CLASSES,
    )[: len(names)]
    for options_, why in planned:
        options.extend(options_)
        rejected.extend(why)
    if not options and goal == "resurface" and request.devices is None:
        # no ablative device for this person (e.g. types V-VI): the fractional non-ablative preset is the
        # resurfacing offered to skin of colour (low density; Kaushik & Alexis 2017) (QA4 #20)
        cite("kaushik_alexis2017")
        for name in RESURFACE_FALLBACK:
            options_, why = _plan_device(load_device(name), person, request, counter, cache_dir, goal)
            options.extend(options_)
            rejected.extend(why)
            if options_:
                names = [*names, name]
                reasons.append(
                    f"resurface: no ablative candidate is offered ({' | '.join(rejected)}); {name} (fractional "
                    "non-ablative, coverage capped by skin type) is planned instead: the fractional resurfacing "
                    "recommended for skin of colour (Kaushik & Alexis 2017)"
                )
                rejected = []
                break
    if not options and request.cooling != "auto" and request.devices:
        infeasible = _infeasible_cooling_request(names, person, request, counter, cache_dir, rejected)
        if infeasible is not None:  # the person is eligible: what is infeasible is the requested cooling
            return TreatmentPlan(
                eligible=True,
                referral=None,
                infeasible_request=infeasible,
                reasons=[*reasons, infeasible, *(f"rejected: {r}" for r in rejected)],
                risks=_no_treatment_risks(person, infeasible_request=infeasible),
                wall_time_s=time.perf_counter() - clock,
                **base,
            )
    if not options:  # a user constraint no candidate meets (QA16 #8): the person is eligible, the request is not
        infeasible = _infeasible_constraint_request(
            rejected,
            request,
            goal,
            _other_goal(goal) if not request.devices and goal_indicated(_other_goal(goal), person) else None,
        )
        if infeasible is not None:
            return TreatmentPlan(
                eligible=True,
                referral=None,
                infeasible_request=infeasible,
                goal=goal,
                goal_measure=_goal_measure(goal),
                reasons=[*reasons, infeasible, *(f"rejected: {r}" for r in rejected)],
                risks=_no_treatment_risks(person, infeasible_request=infeasible),
                wall_time_s=time.perf_counter() - clock,
                **base,
            )
    if not options:  # an answer, not an input error: say why no device is offered (e.g. resurfacing type VI)
        referral = (
            f"no {goal} treatment is offered {_for_whom(request)}: every candidate is contraindicated or infeasible "
            f"({' | '.join(rejected)}); consider {_consider(request)}the other goal or a specialist's assessment"
        )
        return TreatmentPlan(
            eligible=False,
            referral=referral,
            reasons=[*reasons, *(f"rejected: {r}" for r in rejected)],
            risks=_no_treatment_risks(person, referral_reason=referral, referral_note=referral),
            wall_time_s=time.perf_counter() - clock,
            **base,
        )
    for option in options:  # one outcome band rule for every option the plan lists (the nominal is unchanged)
        _with_outcome_dose_band(option, person, counter)
    options, below = _split_by_expected_benefit(options, goal, request.photons)
    rejected.extend(_below_minimum_reason(o, goal) for o in below)
    if not options:  # every feasible course predicts less than a detectable improvement (QA4 #23)
        cite("alexiades2007")
        referral = (
            f"no {goal} course is expected to work {_for_whom(request)}: every feasible option predicts less than "
            f"the minimum {MIN_EXPECTED_IMPROVEMENT_PCT:g} % improvement at 6 months ({' | '.join(rejected)}); "
            f"consider {_consider(request) or 'other devices, '}the other goal or a specialist's assessment"
        )
        return TreatmentPlan(
            eligible=False,
            referral=referral,
            reasons=[*reasons, *(f"rejected: {r}" for r in rejected)],
            goal=goal,
            goal_measure=_goal_measure(goal),
            risks=_no_treatment_risks(
                person,
                referral_reason=referral,
                referral_note=referral,
                not_expected_to_work=[_below_minimum_reason(o, goal) for o in below],
            ),
            # the numbers computed for each rejected option, under the keys of an available one (QA8 #6)
            candidates=[_rejected_option(o, goal, [_below_minimum_reason(o, goal)]) for o in below],
            wall_time_s=time.perf_counter() - clock,
            **base,
        )
    options = _order_options(options, names, goal)
    best = options[0]
    alternatives = []
    if alternative is not None:
        name = alternative.name
        if alternative.why_unavailable:
            alternatives.append(
                _unavailable_option(load_device(name).device_class, name, other, alternative.why_unavailable)
            )
        else:
            alt, why = alternative.result(counter, person, request, cache_dir)
            # the chosen plan's band rule (QA: the bands of the plan and its alternatives compare)
            for option in alt[:1]:
                _with_outcome_dose_band(option, person, counter)
            alternatives.extend(_option_numbers(o, other) for o in alt[:1])
            if not alt:
                alternatives.append(_unavailable_option(load_device(name).device_class, name, other, why))
    alternatives.extend(_option_numbers(o, goal) for o in options[1:3])
    setting, course = best["setting"], best["course"]
    # the outcome band with the dose's uncertainty (QA9 #11; applied to every option above, the nominal and every
    # decision unchanged)
    outcome_dose = _with_outcome_dose_band(best, person, counter)
    summary = setting.summary
    reasons += best["reasons"]
    reasons.append(_choice_reason(options, goal))
    reasons.extend(_near_minimum_note(best, goal, request.photons))
    reasons.extend(_pigment_within_error_note(best["setting"].summary))
    reasons.extend(_epidermal_within_error_note(best["setting"]))
    reasons.extend(f"rejected: {r}" for r in rejected)
    blister = _blister_band_cm2(setting)
    fluence = summary["fluence_J_per_cm2"]
    fraction = None if not blister else fluence / blister[1]
    margin = None if not blister else 1.0 - fluence / blister[0]
    pain = _pain_bands(summary, setting.anesthetic, (setting.cooling or {}).get("kind"))
    ablative = setting.device_class in ("ablative", "fractional_ablative")
    margin_note = (
        "not applicable: the epidermis is removed by design (ablative)"
        if setting.device_class == "ablative"
        else "not applicable: focal epidermal injury of the micro-zones by design (fractional)"
        if blister is None
        else f"fluence <= {getattr(setting, 'max_fraction_of_blister', 0.85):g} x the lower blister fluence"
    )
    risks = {
        "epidermal_omega": summary["epidermal_omega"],
        "epidermal_omega_limit": planner_rules()["safety"]["epidermal_omega_limit"],
        "blister_fluence_J_per_cm2": blister,
        "fluence_fraction_of_blister": fraction,
        "safety_margin": margin,
        "blister_margin": {
            "blister_fluence_J_per_cm2": blister,
            "fluence_fraction_of_blister": fraction,
            "safety_margin": margin,
            "note": margin_note,
        },
        "max_fraction_of_lower_blister": getattr(setting, "max_fraction_of_blister", None),
        "blister_uncertainty": None if setting.uncertainty is None else setting.uncertainty.as_dict(),
        "outcome_dose_uncertainty": outcome_dose,
        "epidermal_injury": _epidermal_grade(setting),
        # simulate's rule: the grade the Monte Carlo error cannot exclude, the one established beyond it beside it
        "epidermal_injury_beyond_error": summary.get("epidermal_injury_beyond_error"),
        "epidermal_omega_band": summary.get("epidermal_omega_band"),
        **_epidermal_grade_note(setting),
        **_epidermal_wound(setting),
        "pigment_risk": summary["pigment_risk"],
        **_pigment_risk_notes(person, summary, setting.device_class),
        "pain_index_without_anesthetic": summary["pain_index"],
        "pain_index_with_anesthetic": pain["with_plan"][1] if pain.get("with_plan") else None,
        "pain_without_anaesthetic": pain.get("without_anaesthetic"),
        "pain_with_plan": pain.get("with_plan"),
        "pain": pain,
        "downtime_days": course.downtime_days,
        "reepithelialization_days": course.downtime_days if course.downtime_days > 0 else 0.0,
        "downtime_note": (
            "open wound until re-epithelialised (ablative); erythema may last weeks"
            if ablative
            else "micro-zones close within ~1-2 days (fractional)"
            if course.downtime_days > 0
            else "no open wound (epidermis intact); transient erythema/oedema"
        ),
        "thermal_model": summary.get("thermal_model"),
        "long_session": best["visits"] > 1 or best["session_minutes"] > best["limit_minutes"],
        "fractional_coverage": fractional_coverage(
            setting, device_verdict(person, load_device(setting.device)).max_coverage
        ),
        "referral_reason": laxity_referral,
        "referral_note": laxity_referral
        or f"no referral: laxity grade {person.laxity} is within the range of non-surgical treatment",
    }
    if summary["pigment_risk"] != "low":
        reasons.append(
            f"pigment risk {summary['pigment_risk']}: {risks['pigment_risk_reason']}"
            + "".join(f"; {line}" for line in risks["pigment_risk_mitigation"])
        )
    if risks.get("epidermal_injury_note"):
        reasons.append(risks["epidermal_injury_note"])
    if risks["fractional_coverage"] and risks["fractional_coverage"]["cap_percent"] is not None:
        reasons.append(f"{setting.device}: {risks['fractional_coverage']['note']}")  # QA16 #2
    if setting.device_class == "fractional_ablative":  # QA6 #19: the immediate value is a lower bound
        cite("hantash2007_invivo")
        reasons.append(FRACTIONAL_ABLATIVE_IMMEDIATE_NOTE)
    if setting.device_class == "ablative":  # QA6 #14: topical alone is not sufficient (Yun et al. 2002)
        cite("yun2002")
        reasons.append(ABLATIVE_ANAESTHESIA_NOTE)
        risks["anaesthesia_note"] = ABLATIVE_ANAESTHESIA_NOTE
        if pain.get("with_plan"):  # QA16 #5: no verbal band ("mild") for a number the note says is not validated
            pain["with_plan_category"] = ABLATIVE_PAIN_CATEGORY
            pain["with_plan_note"] = ABLATIVE_PAIN_BAND_NOTE
    choice_note = _no_topical_note(setting, request, best)
    if choice_note is not None:  # QA9 #4: why the auto rule chose no topical, and what the lightest would give
        pain["anaesthetic_choice_note"] = choice_note
        risks["anaesthetic_choice_note"] = choice_note
        reasons.append(choice_note)
    if best.get("anaesthetic_note"):
        reasons.append(best["anaesthetic_note"])
        risks["anaesthetic_dropped_for_session_limit"] = best["anaesthetic_note"]
    if best.get("anaesthetic_kept_note"):
        reasons.append(best["anaesthetic_kept_note"])
        risks["session_limit_not_met"] = best["anaesthetic_kept_note"]
    if best["visits"] > 1:
        reasons.append(_split_reason(best, request.area_m2 * 1e4, setting.anesthetic))
        if setting.device_class == "ablative":  # never patches without their downtime (QA5 #9)
            patches = _patch_note(
                setting.device, best["visits"], course.downtime_days, request.area_m2 * 1e4, best["unsplit_minutes"]
            )
            reasons.append(patches)
            risks["downtime_note"] += f"; {patches}"
    elif best["session_minutes"] > best["limit_minutes"] and not best.get("anaesthetic_kept_note"):
        reasons.append(
            f"flag: the session takes {best['session_minutes']:.0f} min (> {best['limit_minutes']:g} "
            "min): the anaesthetic lead time alone exceeds the limit"
        )
    overrun = best["session_minutes"] - best["limit_minutes"]
    if overrun > best["limit_minutes"] * 1e-9:  # QA7 #5: say plainly that the limit is not met and by how much
        risks["session_limit_overrun_minutes"] = overrun
        reasons.append(_limit_overrun_reason(options, goal))
    return TreatmentPlan(
        eligible=True,
        referral=laxity_referral,
        goal=goal,
        goal_measure=_goal_measure(goal),
        modality=setting.device_class,
        device=setting.device,
        settings=_settings(setting),
        cooling=setting.cooling,
        anesthetic=setting.anesthetic,
        sessions=course.sessions,
        interval_weeks=course.interval_weeks,
        session_minutes=best["session_minutes"],
        laser_minutes=best["laser_minutes"],
        improvement_percent=_laxity_bands(course.improvement_percent, person),
        rhytid_improvement_percent=course.rhytid_improvement_percent,
        epidermal_omega=summary["epidermal_omega"],
        pain_index_with_plan=pain["with_plan"][1] if pain.get("with_plan") else summary["pain_index_with_anesthetic"],
        blister_fluence_J_per_cm2=blister,
        fluence_fraction_of_blister=fraction,
        safety_margin=margin,
        outcome_measure=OUTCOME_MEASURE,
        outcome_notes=([FRACTIONAL_ABLATIVE_IMMEDIATE_NOTE] if setting.device_class == "fractional_ablative" else [])
        + ([laxity_grade_zero_note(person)] if person.laxity == 0 else []),
        outcome_evidence=outcome_evidence(setting.device),
        pain=pain,
        visits_per_session=best["visits"],
        area_per_visit_cm2=request.area_m2 * 1e4 / best["visits"],
        session_total_minutes=best["visits"] * best["session_minutes"],
        risks=risks,
        reasons=reasons,
        alternatives=[_with_laxity_bands(a, person) for a in alternatives],
        candidates=[_with_laxity_bands(_option_numbers(o, goal), person) for o in options],
        simulations_run=counter.as_dict()["total"],
        simulation_work=counter.as_dict(),
        wall_time_s=time.perf_counter() - clock,
        summary=_summary_as_simulate(summary, setting.device_class),
        margin_curve=setting.curve,
        support={
            "setting": setting,
            "course": course.course,
            "protocol": _plan_protocol(best, course),
            "person": person,
        },
        **base,
    )


#: How the outcome band combines the dose's uncertainty with the healing model's (``risks.outcome_dose_uncertainty``).
OUTCOME_DOSE_BAND_RULE = (
    "low = the healing band's low end of the course at the low end of the dose band, high = its high end at the "
    "high end of the dose band, the nominal unchanged (the course at the planned fluence); the dose band is the "
    "delivered dermal dose's relative uncertainty as an equivalent fluence change, measured in the blister band's "
    "perturbed runs (melanin, epidermal and dermal thickness, the ex-vivo optical set (scattering and absorption), "
    "cooling h) and combined in quadrature "
    "with twice the Monte Carlo relative error; the session count and interval are the plan's"
)


MEASURE_WORDS = {
    "laxity_improvement": "laxity grade",
    "rhytid_improvement": "rhytid grade",
    "linear_shrinkage": "linear shrinkage",
}


def _evidence_point_text(point: dict) -> str:
    """``Fitzpatrick et al. 2000, linear shrinkage at 6 months`` (a difference says so)."""
    what = MEASURE_WORDS.get(point["measure"], point["measure"])
    if point.get("difference"):
        what = f"{what} difference {point['course']} − {point['minus_course']}"
    return f"{point['study']}, {what} at {point['months']:g} months"


def _evidence_values_text(point: dict) -> str:
    """``27.2 % vs 10 ± 5 %`` (a lower bound: ``0.1 % vs ≥ 5 %``)."""
    published = (
        f"≥ {point['value_pct']:.3g}"
        if point.get("criterion") == "at_least"
        else f"{point['value_pct']:.3g} ± {point['sigma_pct']:.2g}"
    )
    return f"{point['model_pct']:.1f} % vs {published} %"


def evidence_verdict(point: dict) -> str:
    """``"within"``, ``"over"`` or ``"under"``: the model against one published point, by :data:`OUTCOME_EVIDENCE_Z`
    (a lower bound, ``criterion`` ``"at_least"``, is under-predicted whenever the model is below it)."""
    if point.get("criterion") == "at_least" and point["model_pct"] < point["value_pct"]:
        return "under"
    if point["z"] > OUTCOME_EVIDENCE_Z:
        return "over"
    if point["z"] < -OUTCOME_EVIDENCE_Z:
        return "under"
    return "within"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _roles_text(points: list[dict]) -> str:
    roles = [p["role"] for p in points]
    kinds = sorted(set(roles), key=["fitted", "held out"].index)
    return kinds[0] if len(kinds) == 1 else ", ".join(f"{roles.count(r)} {r}" for r in kinds)


def outcome_evidence_summary(device: str, points: list[dict]) -> str:
    """One sentence on how the healing model meets the published outcomes of ``device`` (``points``, as given by
    :func:`laserskin.healing.calibration.device_evidence`); a pure function of its arguments.

    The device's own points (not the differences between two devices' courses) decide: all within
    :data:`OUTCOME_EVIDENCE_Z` sigmas, "within"; some above, the model over-predicts and ``improvement_percent`` is
    an upper estimate for the device; some below, a lower estimate; both, neither. The point furthest out is named
    with its values. Without points: the plan's outcome is the model's transfer from the calibrated devices.
    """
    if not points:
        return (
            f"no published outcome for {device} in the calibration: improvement_percent is the model's transfer "
            "from other devices"
        )
    levels = [p for p in points if not p.get("difference")]
    differences = [p for p in points if p.get("difference")]
    judged = levels or differences
    head = f"{_count(len(levels), 'published point')} for {device} ({_roles_text(levels)})" if levels else ""
    if differences:
        tail = f"{_count(len(differences), 'published difference')} between {device} and another device"
        tail += f" ({_roles_text(differences)})"
        head = f"{head} and {tail}" if head else tail
    verdicts = [evidence_verdict(p) for p in judged]
    over = [p for p, v in zip(judged, verdicts) if v == "over"]
    under = [p for p, v in zip(judged, verdicts) if v == "under"]

    def missed(kind: str, misses: list[dict]) -> str:
        worst = max(misses, key=lambda p: abs(p["z"]))
        which = "it" if len(judged) == 1 else ("one of them" if len(misses) == 1 else f"{len(misses)} of them")
        by = "by" if len(misses) == 1 else "by up to"
        return (
            f"the model {kind}-predicts {which} {by} {worst['z']:+.1f} σ ({_evidence_point_text(worst)}: "
            f"{_evidence_values_text(worst)})"
        )

    if over and under:
        return (
            f"{head}: {missed('over', over)} and {missed('under', under)}: improvement_percent is neither an upper "
            "nor a lower estimate for this device"
        )
    if over:
        return f"{head}: {missed('over', over)}: read improvement_percent as an upper estimate for this device"
    if under:
        return f"{head}: {missed('under', under)}: read improvement_percent as a lower estimate for this device"
    largest = max(abs(p["z"]) for p in judged)
    each = "it" if len(judged) == 1 else "each"
    return f"{head}: the model is within {OUTCOME_EVIDENCE_Z:g} σ of {each} (largest |z| {largest:.1f} σ)"


def outcome_evidence(device: str | None) -> dict | None:
    """The plan's ``outcome_evidence``: ``{"device", "points", "summary"}``, the published outcomes of the
    calibration whose reference course uses ``device`` with the model's value and z
    (:func:`laserskin.healing.calibration.device_evidence`, from healing.toml) and one sentence
    (:func:`outcome_evidence_summary`); None without a device (a referral, nothing planned)."""
    if not device:
        return None
    points = device_evidence(device)
    return {"device": device, "points": points, "summary": outcome_evidence_summary(device, points)}


def _fixed_course_bands(dose, sessions: int, interval_weeks: float, person) -> tuple[dict, dict]:
    """``(improvement_percent, rhytid_improvement_percent)`` of ``sessions`` sessions of ``dose`` every
    ``interval_weeks`` (the bands of :func:`~laserskin.planning.sessions.plan_course` at a given count: the same
    course, the same single-session immediate value)."""
    from laserskin.core.constants import MONTH_DAYS
    from laserskin.healing import simulate_course

    interval_s = interval_weeks * 7.0 * 86400.0
    doses = [dose.model_copy(update={"time_s": k * interval_s}) for k in range(sessions)]
    t_end = (sessions - 1) * interval_s / 86400.0 + 6 * MONTH_DAYS + 2
    course = simulate_course(doses, person.age_years, person.sun_exposure, t_end)
    single = simulate_course([dose], person.age_years, person.sun_exposure, 2.0)
    laxity = {"immediate": list(single.improvement_at(1.0 / MONTH_DAYS))}
    rhytid = {"immediate": list(single.improvement_at(1.0 / MONTH_DAYS, "rhytid"))}
    for months in (1, 3, 6):
        laxity[f"month_{months}"] = list(course.improvement_at(months))
        rhytid[f"month_{months}"] = list(course.improvement_at(months, "rhytid"))
    return laxity, rhytid


def _setting_at_dose(setting, factor: float, counter):
    """``setting`` re-read with ``factor`` times its dose per joule: the planned energy on a linear response whose
    laser rise is scaled by ``factor``, i.e. the dose of the fluence ``factor × F`` (the response is linear in the
    energy; no new transport or heat solve). The scaled response, not a moved energy, because the dose's ends may lie
    beyond the device's fluence range (a setting at the device maximum: titan_ir at 46 J/cm^2), which a laser at that
    energy would refuse.

    Its summary is :func:`~laserskin.planning.optimise.damage_readout` of the scaled response: the damage read-outs of
    :func:`~laserskin.planning.optimise.finalise`, the same numbers, which hold all that :func:`outcome_dose_band`
    reads (the healing dose of :func:`~laserskin.planning.sessions.session_dose_from_summary` and
    :data:`EPIDERMAL_AT_DOSE_END_KEYS`). Only the Arrhenius sets those read are integrated
    (:data:`~laserskin.planning.optimise.READOUT_DAMAGE_SETS`), with no pain, anaesthetic choice or margin curve
    (``curve`` stays empty): half the CPU time of the ``finalise`` the ends took until session 18. The laser is the
    setting's, which ``finalise`` made at the same energy."""
    import dataclasses

    response = setting.response.scaled(factor)
    damage = response.damage(setting.read_energy_J, sets=READOUT_DAMAGE_SETS)
    counter.evaluations += 1  # one damage evaluation, as finalise counts its own
    moved = dataclasses.replace(setting, response=response, summary={}, curve={}, reasons=[], outcome=damage)
    moved.summary = damage_readout(moved, damage)
    return moved


def outcome_dose_band(setting, course, person, counter=None) -> tuple[dict, dict | None, dict | None]:
    """The outcome bands of ``course`` (the plan's course of ``setting``) with the uncertainty of the delivered dose.

    Issue 10 item 3 asks to propagate the Monte Carlo noise and the parameter uncertainty to the outcome. The
    healing model's band (:mod:`laserskin.healing.uncertainty`: its fitted gains and physiological ranges) is taken
    at a fixed dose, but the outcome is steep in the dose (log-log slope of the month-6 improvement vs fluence ≈ 14,
    docs/planning.md), so the dose's own uncertainty matters as much:

    * dose band: :func:`laserskin.planning.uncertainty.dermal_dose_uncertainty` — the relative change of the dermal
      ∫Ω dz at the planned energy in each perturbed run of the blister band (melanin to the top of the Fitzpatrick
      band, Norvang 1997; epidermis +20 %, Sandby-Møller 2003; dermis −20 %, Chopra 2015; the ex-vivo optical set
      (scattering and absorption), Salomatina 2006; cooling h at its range's low end, Aguilar 2001), expressed as
      an equivalent fluence change, with twice the Monte Carlo relative error ``s_MC`` in quadrature: ``δ_low``, ``δ_high``;
    * the course (the plan's session count and interval) is re-evaluated at the dose of the fluence ``F (1 − δ_low)``
      and ``F (1 + δ_high)`` from the setting's linear thermal response (no new transport; :func:`_setting_at_dose`:
      the rise per joule scaled, so that an end beyond the device's fluence range is evaluated too, and only the
      damage read-outs that the healing dose and :data:`EPIDERMAL_AT_DOSE_END_KEYS` take);
    * combination (:data:`OUTCOME_DOSE_BAND_RULE`): low = the healing band's low end at the low-dose end, high = its
      high end at the high-dose end, nominal unchanged. The two sources are independent, so taking the corners
      gives a band somewhat wider than a joint 90 % band (conservative); quadrature in log space was not used
      because the healing band is a quantile band of a bounded, skewed sample (its low end can be 0, where the log
      is undefined) and the dose-response is far from log-linear near the dermal injury threshold (the month-6
      improvement at F·0.82 falls from 22 % to 2.3 % for the cooltouch example of QA9 #11). Where the outcome is
      not monotone in the dose the ends are also widened to hold the healing band (``min``/``max``).

    Returns ``(record, improvement_percent, rhytid_improvement_percent)``: the record for
    ``risks.outcome_dose_uncertainty`` and the new bands, or ``(record, None, None)`` where the dose band does not
    apply (no blister band: ablative and fractional settings; a non-linear thermal read-out; no dermal dose at the
    planned energy), the record saying why; the healing model's band then stands.
    """
    from laserskin.planning.uncertainty import dermal_dose_uncertainty

    counter = counter or Counter()
    if getattr(setting, "device_class", None) in (
        "ablative",
        "fractional_ablative",
        "fractional_non_ablative",
    ) or not getattr(setting, "blister_band_J", None):
        return _dose_band_not_applied("no blister band for this modality (ablative or fractional)"), None, None
    if setting.summary.get("thermal_model") not in (None, "linear"):
        return _dose_band_not_applied("the setting's read-out is the non-linear thermal model"), None, None
    dose = dermal_dose_uncertainty(
        getattr(setting, "uncertainty", None), getattr(setting, "response", None), setting.safe_energy_J
    )
    if dose is None:
        return _dose_band_not_applied("no dermal thermal injury at the planned fluence"), None, None
    fluence = setting.summary["fluence_J_per_cm2"]
    ends, epidermal = {}, {}
    for side, factor in (("low", 1.0 - dose["relative_low"]), ("high", 1.0 + dose["relative_high"])):
        moved = _setting_at_dose(setting, factor, counter)
        # the epidermis at each end of the dose band, with its Monte Carlo bounds (the nominal run's relative error:
        # a scaled copy's is exactly that, pipeline.readout_error; session 13)
        epidermal[side] = {key: moved.summary.get(key) for key in EPIDERMAL_AT_DOSE_END_KEYS}
        ends[side] = _fixed_course_bands(
            session_dose_from_summary(moved.summary, moved.laser), course.sessions, course.interval_weeks, person
        )
    healing = (course.improvement_percent, course.rhytid_improvement_percent)
    combined: list[dict[str, list[float]] | None] = []
    for i, bands in enumerate(healing):
        if bands is None:
            combined.append(None)
            continue
        out = {}
        for key, (h_low, nominal, h_high) in bands.items():
            low_end, high_end = ends["low"][i][key], ends["high"][i][key]
            out[key] = [min(h_low, low_end[0]), nominal, max(h_high, high_end[2])]
        combined.append(out)
    record = {
        "applied": True,
        **dose,
        "fluence_J_per_cm2": [fluence * (1.0 - dose["relative_low"]), fluence, fluence * (1.0 + dose["relative_high"])],
        "improvement_percent_at_dose_ends": {
            "low": {k: v[1] for k, v in ends["low"][0].items()},
            "high": {k: v[1] for k, v in ends["high"][0].items()},
        },
        "epidermal_at_dose_ends": epidermal,
        "healing_only_improvement_percent": healing[0],
        "healing_only_rhytid_improvement_percent": healing[1],
        "band_includes": BAND_INCLUDES_DOSE
        + ", ".join(_SOURCE_TEXT.get(k, k.replace("_", " ")) for k in dose["contributions"]),
        "rule": OUTCOME_DOSE_BAND_RULE,
    }
    return record, combined[0], combined[1]


#: The epidermal read-outs of the setting re-read at each end of the dose band (``epidermal_at_dose_ends`` of
#: ``risks.outcome_dose_uncertainty``), each with its Monte Carlo bounds.
EPIDERMAL_AT_DOSE_END_KEYS = (
    "epidermal_injury",
    "epidermal_injury_beyond_error",
    "epidermal_omega",
    "epidermal_omega_band",
    "epidermal_mc_relative_error",
    "pigment_risk",
    "pigment_risk_beyond_error",
    "peak_basal_temperature_band_C",
)


#: ``band_includes`` of an outcome band (``risks.outcome_dose_uncertainty`` and each option's
#: ``outcome_dose_uncertainty``): what its ``[low, high]`` holds.
BAND_INCLUDES_HEALING = "the healing model only (its fitted gains and physiological ranges, at the planned dose)"
BAND_INCLUDES_DOSE = (
    "the healing model (its fitted gains and physiological ranges) and the delivered dermal dose: 2 x the Monte "
    "Carlo error, "
)
#: How the perturbations of the blister band are named in ``band_includes``: the one label table (QA11 F-J).
_SOURCE_TEXT = PERTURBATION_NAMES


def _dose_band_not_applied(why: str) -> dict:
    """The record of an outcome band that stays the healing model's: why, and what the band includes."""
    return {"applied": False, "note": f"not applied: {why}", "band_includes": f"{BAND_INCLUDES_HEALING}: {why}"}


def _apply_outcome_dose_band(setting, course, person, counter) -> dict:
    """:func:`outcome_dose_band` applied to the plan's course in place (its nominal values unchanged); the record."""
    record, laxity, rhytid = outcome_dose_band(setting, course, person, counter)
    if laxity is not None:
        course.improvement_percent = laxity
    if rhytid is not None:
        course.rhytid_improvement_percent = rhytid
    return record


def _with_outcome_dose_band(option: dict, person, counter) -> dict:
    """The outcome band rule of the chosen plan (:func:`outcome_dose_band`) applied once to a planned option: its
    course's bands widened in place, the record kept as ``option["outcome_dose_uncertainty"]`` (a second call
    returns it: the healing-only band is read before the first widening only). One rule for the plan, its
    candidates and its alternatives, so that their bands compare; the nominal values, and so every decision, are
    unchanged."""
    if "outcome_dose_uncertainty" not in option:
        option["outcome_dose_uncertainty"] = _apply_outcome_dose_band(
            option["setting"], option["course"], person, counter
        )
    return option["outcome_dose_uncertainty"]


def _plan_protocol(option: dict, course):
    """The plan's :class:`~laserskin.treatment.protocol.Protocol`: the timed session of ``option`` (its passes,
    anaesthetic and area per visit) with the course's session count and interval (QA8 #4: the ``simulation.nc`` of
    ``plan --out`` recorded the class default, 400 cm^2, 1 session, 4 weeks)."""
    from laserskin.treatment.protocol import Protocol

    data = option["protocol"].model_dump(mode="json", by_alias=True)
    data.update(
        treated_area=f"{option['protocol'].treated_area_m2 * 1e4:.6g} cm^2",
        sessions=course.sessions,
        session_interval=f"{course.interval_weeks:.6g} week",
    )
    return Protocol(**data)


def _epidermal_grade(setting) -> str | None:
    """The plan's epidermal injury grade: "necrosis" (the epidermis removed by design) for every ablative or
    fractional ablative option that makes a crater, whatever the simulation's basal read-out says (QA4 #16: an
    Er:YAG pass with a 49 um crater in a 71 um epidermis read "none", a shallower CO2 crater "blister"); otherwise
    the grade by ``laserskin simulate``'s rule: at the upper Monte Carlo bound of the basal Omega (the gravest grade
    the error cannot exclude, ``epidermal_injury_beyond_error`` beside it; :func:`~laserskin.planning.noise_rules.
    epidermal_grade_keys` in :func:`~laserskin.planning.optimise.finalise`), the nominal grade where no error is
    estimated."""
    summary = setting.summary
    crater = summary.get("crater_depth_um")
    if setting.device_class in ("ablative", "fractional_ablative") and isinstance(crater, (int, float)) and crater > 0:
        return "necrosis"
    return summary.get("epidermal_injury")


#: What the epidermal wound of each device class with a focal or full-field epidermal injury by design is.
WOUND_BY_DESIGN = {
    "ablative": "removed by design",
    "fractional_ablative": "in the ablated micro-columns, by design",
    "fractional_non_ablative": "in the micro-zones, by design",
}


def _epidermal_wound(setting) -> dict:
    """``{"epidermal_wound": text, "epidermis_thickness_um": um}`` for ablative and fractional options (QA5 #20,
    #22): the crater and the depth of epidermal necrosis against the epidermal thickness, what such an option
    does to the epidermis by design; the basal Omega (blister onset at 1) is the non-ablative criterion and
    reads as a severe burn here (1.9e8 for fraxel_1550). ``{}`` for non-ablative options."""
    if setting.device_class not in WOUND_BY_DESIGN:
        return {}
    summary = setting.summary
    crater = summary.get("crater_depth_um") or 0.0
    necrosis = summary.get("epidermal_necrosis_depth_um")
    thickness = None
    if setting.simulation is not None:
        thickness = setting.simulation.geometry().junction_depth_m * 1e6
    parts = [f"crater {crater:.0f} um" if crater > 0 else "no crater"]
    if isinstance(necrosis, (int, float)):
        deepest = max(necrosis, crater)
        epidermis = f"the {thickness:.0f} um epidermis" if thickness is not None else "the epidermis"
        full = thickness is not None and deepest >= thickness - 1.0
        parts.append(
            f"{epidermis} necrotic to {deepest:.0f} um below the surface" + (" (its full thickness)" if full else "")
        )
    residual = summary.get("residual_damage_depth_um")
    if isinstance(residual, (int, float)) and residual > 0:
        parts.append(f"thermal damage {residual:.0f} um below the {'crater floor' if crater > 0 else 'surface'}")
    return {
        "epidermal_wound": ", ".join(parts) + f": {WOUND_BY_DESIGN[setting.device_class]}",
        "epidermis_thickness_um": thickness,
    }


def _epidermal_grade_note(setting) -> dict:
    """``{"epidermal_injury_note": ...}`` where the plan's grade differs from the simulation's read-out."""
    summary = setting.summary
    grade, read = _epidermal_grade(setting), summary.get("epidermal_injury")
    if grade == read:
        return {}
    residual = summary.get("residual_damage_depth_um") or 0.0
    return {
        "epidermal_injury_note": (
            f"ablative: a {summary['crater_depth_um']:.0f} um crater (+ {residual:.0f} um of residual thermal damage) "
            f"opens the epidermis by design; the simulation's basal-cell read-out ({read}) grades the tissue left "
            "under the floor, not the wound"
        )
    }


def _pigment_risk_notes(person, summary: dict, device_class: str | None = None) -> dict:
    """Why the pigmentary risk has its level, and what lowers it, for this person's type and this device class
    (sourced statements only; QA6 #5: the type IV-VI and fractional lines were printed for every plan).

    The level is the points rule of :func:`laserskin.damage.injury.pigment_risk` (type points + basal
    exposure; U). The exposure is the basal epidermal Omega and peak temperature for a device that spares the
    epidermis; for one that injures it by design (ablative, fractional) the basal Omega is not the exposure
    (QA5 #20), the wound is. Mitigation, by type and class:

    * types IV-VI: a test spot at the planned setting before the full area (how the type IV-VI cohort of
      Garcia et al. 2000 was treated: fluence titrated on test spots); lower energy (and, fractional, density)
      lowers the post-inflammatory hyperpigmentation risk (Kaushik & Alexis 2017), with the planner's coverage
      cap where the device is fractional;
    * full-field ablative, any type: prolonged erythema and a delayed hypopigmentation that appears months after
      re-epithelialisation are the pigmentary complications of full-field CO2 resurfacing (Nanni & Alster 1998);
    * types I-III, other classes, risk above low: a test spot at the planned setting (the titration practice of
      Garcia et al. 2000), without the type IV-VI claims.

    Pre-/post-treatment bleaching agents are clinical practice but not sourced here, so the plan does not state
    them.
    """
    from laserskin.core.citations import cite

    level = summary["pigment_risk"]
    dark = person.fitzpatrick in ("IV", "V", "VI")
    by_design = device_class in WOUND_BY_DESIGN
    fractional = device_class in ("fractional_ablative", "fractional_non_ablative")
    if dark:
        cite("kaushik_alexis2017", "pikkula2004")
    exposure = (
        ("the epidermis is removed by design" if device_class == "ablative" else "focal epidermal injury by design")
        + ": the risk follows the wound and its healing, not the basal epidermal Omega"
        if by_design
        else f"basal epidermal Omega {summary['epidermal_omega']:.2g}, peak epidermal temperature "
        f"{summary['peak_epidermis_temperature_C']:.0f} degC"
    )
    reason = (
        f"Fitzpatrick {person.fitzpatrick}: "
        + (
            "more epidermal melanin heats the basal layer more (cryogen spray does not protect type V-VI epidermis, "
            "Pikkula et al. 2004) and the same injury leaves post-inflammatory hyperpigmentation more often "
            "(Kaushik & Alexis 2017)"
            if dark
            else "light skin: the level follows the epidermal exposure of the planned setting alone"
        )
        + f"; exposure at the planned setting: {exposure}"
    )
    mitigation = []
    if device_class == "ablative":
        cite("nanni_alster1998")
        mitigation.append(
            "full-field ablative resurfacing: prolonged erythema and a delayed hypopigmentation, appearing months "
            "after the wound has re-epithelialised, are the pigmentary complications to follow up (CO2 resurfacing, "
            "Nanni & Alster 1998)"
        )
    if dark:
        cite("garcia2000_alexandrite_iv_vi")
        mitigation.append(
            "a test spot at the planned setting, read before the full area is treated, is advised "
            "(type IV-VI fluences were titrated on test spots in Garcia et al. 2000)"
        )
        mitigation.append(
            ("lower density (coverage) and energy lower" if fractional else "lower energy lowers")
            + " the post-inflammatory hyperpigmentation risk in types IV-VI (Kaushik & Alexis 2017)"
            + ("; the planner already caps fractional coverage at 10 % there" if fractional else "")
        )
    elif level != "low" and device_class != "ablative":
        cite("garcia2000_alexandrite_iv_vi")
        mitigation.append(
            "a test spot at the planned setting, read before the full area is treated, shows this skin's response "
            "(the titration practice of Garcia et al. 2000)"
        )
    return {"pigment_risk_reason": reason, "pigment_risk_mitigation": mitigation}


def _goal_measure(goal: str) -> str:
    """The outcome measure of a goal: ``rhytid`` (wrinkle grade) for resurfacing, ``laxity`` for tightening."""
    return "rhytid" if goal == "resurface" else "laxity"


#: How each measure is named in the reasons and pages (QA6 #2: every number says which measure it is).
MEASURE_TEXT = {"laxity": "laxity grade", "rhytid": "rhytid (wrinkle) grade"}


def _goal_bands(course, goal: str) -> dict:
    """The course's improvement bands in the goal's measure (the laxity bands where no rhytid bands exist)."""
    rhytid = getattr(course, "rhytid_improvement_percent", None)
    if goal == "resurface" and rhytid:
        return rhytid
    return course.improvement_percent


def _expected_benefit(option, goal: str) -> float:
    """The option's predicted mid improvement at 6 months, %, in the goal's measure (rhytid grade for resurfacing,
    laxity grade for tightening): the one number that ranks, headlines and gives the choice's reason (QA6 #2)."""
    return _goal_bands(option["course"], goal)["month_6"][1]


def _split_by_expected_benefit(options: list[dict], goal: str, photons: int = 20_000) -> tuple[list[dict], list[dict]]:
    """``(kept, below)``: options whose predicted 6-month improvement reaches
    :data:`~laserskin.planning.sessions.MIN_EXPECTED_IMPROVEMENT_PCT`, and those below it (one rule for every
    device: a course below a detectable improvement is not offered as a treatment that works, QA4 #23)."""
    from laserskin.planning.noise_rules import benefit_verdict  # noise-aware cut (QA6 #23)

    works = [
        benefit_verdict(_expected_benefit(o, goal), photons, cut_pct=MIN_EXPECTED_IMPROVEMENT_PCT) != "below"
        for o in options
    ]
    return [o for o, w in zip(options, works) if w], [o for o, w in zip(options, works) if not w]


#: The benefit screen rejects a device only when this many times the upper end of its bound's month-6 band is still
#: below the minimum benefit beyond the Monte Carlo error (room for the healing model's response to the dose).
SCREEN_BENEFIT_FACTOR = 10.0


def _benefit_screen(preset, person, request, goal: str):
    """The benefit screen of :func:`~laserskin.planning.optimise.optimise_device` for ``preset`` (a reason or None).

    Its setting (:func:`~laserskin.planning.optimise.benefit_bound_setting`) holds at least the heat dose of any
    setting the optimisation could choose; when even :data:`SCREEN_BENEFIT_FACTOR` times the upper end of the
    course's month-6 band there is below the minimum benefit beyond the Monte Carlo error (the rule of
    :func:`_split_by_expected_benefit`, which the full optimisation would end in), the device is rejected without
    raising its photons and running its blister band (genesis_1064 for every skin type: ~1e-4 % against 5 %)."""
    from laserskin.planning.noise_rules import benefit_verdict

    def screen(bound) -> str | None:
        course, band = _month6_band(bound, preset, person, request, goal)
        cut = MIN_EXPECTED_IMPROVEMENT_PCT
        if benefit_verdict(SCREEN_BENEFIT_FACTOR * band[2], request.photons, cut_pct=cut) != "below":
            return None
        measure = "rhytid" if goal == "resurface" and getattr(course, "rhytid_improvement_percent", None) else "laxity"
        return (
            f"{preset.name}: not expected to work: predicted {measure} grade improvement at 6 months at most "
            f"{band[1]:.2g} % [{band[0]:.2g}-{band[2]:.2g}] after {course.sessions} session(s), at "
            f"{bound.summary['fluence_J_per_cm2']:.3g} J/cm^2 and {bound.passes} passes (above any fluence and pass "
            f"count the epidermal margin allows), is below the minimum {cut:g} % (about twice the standard error of "
            "the graded change the healing model is calibrated on, Alexiades-Armenakas 2007: a smaller mean change is "
            "not told apart from none)"
        )

    return screen


def _below_minimum_reason(option, goal: str) -> str:
    course = option["course"]
    measure = "rhytid" if goal == "resurface" and getattr(course, "rhytid_improvement_percent", None) else "laxity"
    band = (course.rhytid_improvement_percent if measure == "rhytid" else course.improvement_percent)["month_6"]
    text = (
        f"{option['setting'].device}: not expected to work: predicted {measure} grade improvement at 6 months "
        f"{band[1]:.2g} % [{band[0]:.2g}-{band[2]:.2g}] after {course.sessions} session(s) is below the minimum "
        f"{MIN_EXPECTED_IMPROVEMENT_PCT:g} % (about twice the standard error of the graded change the healing model "
        "is calibrated on, Alexiades-Armenakas 2007: a smaller mean change is not told apart from none)"
    )
    if option.get("anaesthetic_note"):  # the fluence was lowered for the session limit: say so, and what helps
        text += f"; {option['anaesthetic_note']}"
    return text


def _near_minimum_note(option, goal: str, photons: int) -> list[str]:
    """A reason line when the option's 6-month nominal is within the Monte Carlo error of the minimum benefit
    (:func:`laserskin.planning.noise_rules.benefit_verdict`, QA6 #23), else none."""
    from laserskin.planning.noise_rules import benefit_verdict, month6_relative_error

    nominal = _expected_benefit(option, goal)
    if benefit_verdict(nominal, photons, cut_pct=MIN_EXPECTED_IMPROVEMENT_PCT) != "within":
        return []
    return [
        f"predicted 6-month improvement {nominal:.1f} % is within the Monte Carlo error (+-{200 * month6_relative_error(photons):.0f} %, "
        f"2 standard errors at {photons} photons) of the minimum {MIN_EXPECTED_IMPROVEMENT_PCT:g} %: offered, "
        "because it is not below the minimum beyond that error (more photons narrow it)"
    ]


def _pigment_within_error_note(summary: dict) -> list[str]:
    """A reason line when the pigment level established beyond the Monte Carlo error of the basal read-out is below the
    stated level (the level the error cannot exclude, :func:`laserskin.damage.injury.pigment_risk_within_error`,
    QA6 #23, QA7 #1), else none."""
    established, band = summary.get("pigment_risk_beyond_error"), summary.get("peak_basal_temperature_band_C")
    if not established or established == summary.get("pigment_risk") or not band:
        return []
    return [
        f"pigment risk {summary['pigment_risk']} within the Monte Carlo error (points rule at the upper Monte Carlo "
        f"bound of the basal exposure; basal peak {band[0]:.1f}-{band[1]:.1f} degC within 2 standard errors): "
        f"{established} established beyond the error"
    ]


def _epidermal_within_error_note(setting) -> list[str]:
    """A reason line when the epidermal grade established beyond the Monte Carlo error of the basal read-out is
    milder than the stated grade (the grade at the upper bound of the basal Omega, simulate's rule,
    :func:`laserskin.pipeline.summary.epidermal_grade_bounds`), else none. Not for a grade set by design (an ablative
    crater: :func:`_epidermal_grade`)."""
    summary = setting.summary
    established, band = summary.get("epidermal_injury_beyond_error"), summary.get("epidermal_omega_band")
    grade = _epidermal_grade(setting)
    if not established or established == grade or not band or grade != summary.get("epidermal_injury"):
        return []
    return [
        f"epidermal injury {grade} within the Monte Carlo error (grade at the upper Monte Carlo bound of the basal "
        f"Omega; basal Omega {band[0]:.2g}-{band[1]:.2g} within 2 standard errors, nominal "
        f"{summary.get('epidermal_omega', float('nan')):.2g}): {established} established beyond the error"
    ]


def _other_goal(goal: str) -> str:
    """The goal a plan did not take (tighten <-> resurface)."""
    return "resurface" if goal == "tighten" else "tighten"


def _goal_reason(goal, primary, person) -> str:
    if goal != "recommend":
        return f"goal {goal!r} requested"
    return (
        f"recommend -> {primary}: laxity grade {person.laxity}, photoaging grade {person.sun_exposure} "
        "(tightening when laxity >= 2 or photoaging <= 1, else resurfacing; a goal whose grade is 0 has nothing "
        "to treat and gives way to the other)"
    )


def _fluence(setting, energy):
    return None if energy is None else energy / setting.laser.beam_area_m2 * 1e-4


def _blister_band_cm2(setting) -> list | None:
    band = getattr(setting, "blister_band_J", None)
    return None if band is None else [_fluence(setting, e) for e in band]


def _pigment_rank(option) -> int:
    """0 low, 1 moderate, 2 high pigmentary risk (unknown: moderate)."""
    return {"low": 0, "moderate": 1, "high": 2}.get(option["setting"].summary.get("pigment_risk"), 1)


def _choice_reason(options: list[dict], goal: str = "tighten") -> str:
    """Why ``options[0]`` was chosen: the highest 6-month improvement in the goal's measure (rhytid grade for
    resurfacing, laxity grade for tightening; QA6 #2), or the tie-break that preferred it."""
    best = options[0]
    measure = MEASURE_TEXT[_goal_measure(goal)]

    def month6(o):
        return _expected_benefit(o, goal)

    if best.get("pigment_preference"):
        return (
            f"{best['setting'].device} chosen: {month6(best):.1f} % ({measure}) at month 6; "
            + best["pigment_preference"]
        )
    name, value = best["setting"].device, month6(best)
    contenders = [o for o in options[1:] if o["setting"].target_verdict != "NOT reached"] or options[1:]
    higher = max(contenders, key=month6, default=None)
    if higher is None or month6(higher) <= value:
        return (
            f"{name} chosen: highest predicted 6-month improvement of the {measure} ({value:.1f} %) among "
            f"{len(options)} feasible {goal} candidates"
        )
    other = month6(higher)
    risks = (best["setting"].summary.get("pigment_risk"), higher["setting"].summary.get("pigment_risk"))
    why = f"the lower pigment risk ({risks[0]} vs {risks[1]})" if risks[0] != risks[1] else "the candidate order"
    return (
        f"{name} chosen: predicted 6-month improvement of the {measure} {value:.1f} %, within "
        f"{DEVICE_TIE_TOLERANCE:.0%} of the highest ({higher['setting'].device} {other:.1f} %), a tie within the "
        "seed-to-seed spread of the prediction; ties go to the lower pigment risk, then the candidate order (session "
        f"counts and minutes follow the Monte Carlo estimate and would make the choice follow the seed); decided by {why}"
    )


def _order_options(options: list[dict], names: list[str], goal: str = "tighten") -> list[dict]:
    """Best option first: target reached (or at it, or not checked), then the highest 6-month improvement in the
    goal's measure (rhytid grade for resurfacing, laxity grade for tightening; QA6 #2),
    where options within :data:`DEVICE_TIE_TOLERANCE` of the best count as tied and the tie goes to the
    lower pigment risk, then the candidate order (a noise-aware rule: the choice must not follow the seed;
    session counts and minutes follow the noisy dose, so they do not break ties). When every tied option has a high pigment risk and another option
    that reaches its target has a lower one, the choice is made among the lower-risk options (QA3 #12)."""

    def month6(o):
        return _expected_benefit(o, goal)

    measure = MEASURE_TEXT[_goal_measure(goal)]
    reached = [o for o in options if o["setting"].target_verdict != "NOT reached"] or options
    top = max(month6(o) for o in reached)
    tied = [o for o in reached if month6(o) >= top * (1.0 - DEVICE_TIE_TOLERANCE)]
    note = None
    if all(_pigment_rank(o) == 2 for o in tied):  # prefer an effective option with a lower pigmentary risk
        safer = [o for o in reached if _pigment_rank(o) < 2]
        if safer:
            passed = max(tied, key=month6)
            top = max(month6(o) for o in safer)
            tied = [o for o in safer if month6(o) >= top * (1.0 - DEVICE_TIE_TOLERANCE)]
            note = (
                f"{passed['setting'].device} ({month6(passed):.1f} % {measure} at month 6) passed over: its pigment "
                "risk is high and an option with a lower pigment risk reaches its target (the planner prefers the "
                "lower pigmentary risk when one is available)"
            )

    def order(o):  # noise-free keys only: session counts and minutes follow the Monte Carlo estimate of the dose
        name = o["setting"].device
        return (_pigment_rank(o), names.index(name) if name in names else 99)

    best = min(tied, key=order)
    best["pigment_preference"] = note
    rest = sorted(
        (o for o in options if o is not best), key=lambda o: (o["setting"].target_verdict == "NOT reached", -month6(o))
    )
    return [best, *rest]


def _pain_bands(summary: dict, anesthetic: str | None, cooling: str | None = None) -> dict:
    """Pain /10 without anaesthetic and with the plan (anaesthetic + cooling), each ``[low, nominal, high]``."""
    from laserskin.damage.pain import pain_band

    return pain_band(summary.get("pain_index"), anesthetic or "none", cooling)


def _stacked_pulses(laser) -> str:
    """``" of 3 pulses stacked per spot at 2 Hz (42.7 J/cm^2 per spot)"`` for the reasons, ``""`` for one pulse
    (QA7 #4: the margin and the outcome are for all the pulses on a spot together)."""
    if laser.pulses == 1:
        return ""
    where = "micro-zone" if laser.is_fractional else "spot"
    rate = "" if laser.is_fractional else f" at {laser.repetition_rate_Hz:g} Hz"
    dose = laser.pulses * laser.fluence_J_per_m2 * 1e-4
    return f" of {laser.pulses} pulses stacked per {where}{rate} ({dose:.3g} J/cm^2 per {where})"


def _settings(setting) -> dict:
    """The plan's ``settings``: every laser setting the simulation used, in clinical units (a test derives the
    list from the :class:`~laserskin.treatment.laser.Laser` fields), and the planner's fluence limits."""
    laser = setting.laser
    out = {
        "wavelength_nm": laser.centroid_wavelength_m * 1e9,
        "fluence_J_per_cm2": laser.fluence_J_per_m2 * 1e-4,
        "pulse_energy_mJ": laser.pulse_energy_J * 1e3,
        "pulse_duration_ms": laser.pulse_duration_s * 1e3,
        "spot_diameter_mm": laser.spot_diameter_m * 1e3,
        "repetition_rate_Hz": laser.repetition_rate_Hz,
        # pulses stacked on one spot, and the dose they deliver there (QA7 #4: the 1320 nm preset's triple was
        # simulated and timed but the settings said one pulse); in fractional mode per micro-beam (MTZ)
        "pulses_per_spot": laser.pulses,
        "fluence_per_spot_J_per_cm2": laser.pulses * laser.fluence_J_per_m2 * 1e-4,
        "passes": setting.passes,
        "profile": laser.profile,
        "safe_fluence_J_per_cm2": _fluence(setting, setting.safe_energy_J),
        "target_fluence_J_per_cm2": _fluence(setting, setting.target_energy_J),
        "binding_constraint": setting.binding,
    }
    band = wavelength_band_nm(laser)
    if band[0] != band[1]:
        # a broadband source: wavelength_nm is the energy-weighted centroid of this band
        out["wavelength_band_nm"] = band
        out["wavelength_bands_nm"] = wavelength_bands_nm(laser)  # the parts of it emitted (QA14 #9)
    if laser.is_fractional:
        out["microbeam_diameter_um"] = laser.fractional.microbeam_diameter_m * 1e6
        out["coverage_percent"] = laser.fractional.coverage * 100
        out["note"] = "fluence and pulse energy are per micro-beam (MTZ)"
    return out


def fractional_coverage(setting, max_coverage: float | None) -> dict | None:
    """``risks.fractional_coverage`` of a fractional plan (QA16 #2), else None: the nominal coverage (the
    micro-beams' share of the area, the setting the planner caps), the injured share of the area it makes
    (``mtz_area_fraction`` of the r–z run and, for a non-ablative array, of its 3-D unit cell: the dermal zones are
    wider than the beams), the skin-of-colour cap where one applies, and a note.

    The cap (contraindications.toml ``fractional_density_skin_of_colour``, Kaushik & Alexis 2017) is applied to the
    nominal coverage; the note says so and by how much the injured share exceeds it."""
    laser = setting.laser
    if not laser.is_fractional:
        return None
    nominal = laser.fractional.coverage
    summary = setting.summary
    rz = summary.get("mtz_area_fraction")
    array = (summary.get("fractional_array") or {}).get("mtz_area_fraction")
    injured = [v for v in (rz, array) if v is not None]
    text = (
        f"nominal coverage {nominal * 100:.3g} % (the area of the {laser.fractional.microbeam_diameter_m * 1e6:.0f} um "
        "micro-beams)"
    )
    if injured:
        shares = [f"{rz * 100:.3g} % in the r-z run"] if rz is not None else []
        if array is not None:
            shares.append(f"{array * 100:.3g} % in the 3-D array")
        ratios = [v / nominal for v in injured]
        text += (
            f"; injured share of the area (mtz_area_fraction: the zones' width) {', '.join(shares)}, "
            f"{min(ratios):.2g}-{max(ratios):.2g}x the nominal"
            if len(ratios) > 1
            else f"; injured share of the area (mtz_area_fraction: the zones' width) {shares[0]}, "
            f"{ratios[0]:.2g}x the nominal"
        )
    if max_coverage is not None:
        cite("kaushik_alexis2017")
        text += (
            f"; the skin-of-colour cap {max_coverage * 100:g} % (Kaushik & Alexis 2017) is applied to the nominal "
            "coverage"
            + (
                f", so the injured share is above it (up to {max(injured) * 100:.3g} %)"
                if injured and max(injured) > max_coverage
                else ""
            )
        )
    return {
        "coverage_percent": nominal * 100,
        "injured_area_percent": None if rz is None else rz * 100,
        "injured_area_percent_3d": None if array is None else array * 100,
        "cap_percent": None if max_coverage is None else max_coverage * 100,
        "cap_applies_to": None if max_coverage is None else "coverage_percent (the micro-beams' nominal coverage)",
        "note": text,
    }


def laxity_grade_zero_note(person) -> str:
    """The outcome note of a plan for a person without laxity (QA10 #8)."""
    return (
        f"laxity grade {person.laxity}: there is no laxity to improve, so the laxity-grade improvement "
        "(improvement_percent, % decrease of the graded laxity) is not applicable: null; "
        "the resurfacing outcome is rhytid_improvement_percent"
    )


def _laxity_bands(bands: dict | None, person) -> dict | None:
    """``bands`` (laxity-grade improvement, ``improvement_percent``), or None for laxity grade 0 (QA10 #8: a % decrease
    of a grade that is already 0 was reported, equal to laxity 2's). The key stays (issue 10's interface) with the
    value null, as a plan without a treatment has it, and every reader of the plan (CLI table, report, web page)
    already reads a null as "no rows"; a dict of null time points would break each of them. The reason is in
    ``outcome_notes`` (:func:`laxity_grade_zero_note`)."""
    if bands is None or person.laxity != 0:
        return bands
    return None


def _with_laxity_bands(entry: dict, person) -> dict:
    """An option entry (alternative, candidate) with :func:`_laxity_bands` applied to its ``improvement_percent``;
    ``improvement_month_6`` too where the entry's measure is laxity."""
    if person.laxity != 0 or not entry.get("improvement_percent"):
        return entry
    out = dict(entry, improvement_percent=_laxity_bands(entry["improvement_percent"], person))
    if out.get("goal_measure") == "laxity":
        out["improvement_month_6"] = None
    return out


#: Non-ablative device classes: the planner's linear read-out (``optimise.finalise``) removes no tissue.
NON_ABLATIVE_CLASSES = ("non_ablative", "fractional_non_ablative")


def _summary_as_simulate(summary: dict, device_class: str | None) -> dict:
    """``summary`` with simulate's depth convention (docs/tissue_physics.md "Numbers, not null"; QA10 #3): the
    linear read-out of a non-ablative setting leaves ``crater_depth_um`` and ``residual_damage_depth_um`` null,
    ``simulate --json`` gives 0.0. A non-ablative laser removes nothing (crater 0.0); the residual damage (Henriques
    Omega >= 1 contiguous with the surface) is 0.0 under a spared epidermis (epidermal grade none or erythema: basal
    Omega below the necrosis threshold), and stays null where the epidermis is necrotic (its depth is not read)."""
    out = dict(summary)
    if device_class not in NON_ABLATIVE_CLASSES:
        return out
    if out.get("crater_depth_um", 0.0) is None:
        out["crater_depth_um"] = 0.0
    if out.get("residual_damage_depth_um", 0.0) is None and out.get("epidermal_injury") in ("none", "erythema"):
        out["residual_damage_depth_um"] = 0.0
    return out


def _option_numbers(option, goal: str | None = None) -> dict:
    """The numbers of a planned option; ``goal``: the goal it serves, whose measure ``improvement_month_6``
    holds (``goal_measure``; QA6 #2: an alternative of the other goal is labelled as such by its ``goal``)."""
    setting, course = option["setting"], option["course"]
    s = setting.summary
    # the pain on the chosen plan's basis: its own topical and its cooling's cold-air analgesia (QA6 #9)
    pain = _pain_bands(s, setting.anesthetic, (setting.cooling or {}).get("kind")).get("with_plan")
    goal = goal or ("resurface" if setting.device_class in CLASSES_FOR_GOAL["resurface"] else "tighten")
    return {
        "modality": setting.device_class,
        "device": setting.device,
        "goal": goal,
        "goal_measure": _goal_measure(goal),
        "improvement_month_6": _goal_bands(course, goal).get("month_6"),
        "available": True,
        "settings": _settings(setting),
        "sessions": course.sessions,
        "interval_weeks": course.interval_weeks,
        "improvement_percent": course.improvement_percent,
        "rhytid_improvement_percent": getattr(course, "rhytid_improvement_percent", None),
        # what the [low, high] of the bands above include: the chosen plan's rule (``risks.outcome_dose_uncertainty``)
        "outcome_dose_uncertainty": option.get("outcome_dose_uncertainty"),
        # how well the healing model meets its device's published outcomes (the plan's ``outcome_evidence.summary``)
        "outcome_evidence_summary": outcome_evidence_summary(setting.device, device_evidence(setting.device)),
        "immediate_tightening_percent": s.get("immediate_tightening_percent"),
        "epidermal_omega": s.get("epidermal_omega"),
        "epidermal_injury": _epidermal_grade(setting),
        "pigment_risk": s.get("pigment_risk"),
        "target_verdict": setting.target_verdict,
        "downtime_days": course.downtime_days,
        "crater_depth_um": _summary_as_simulate(s, setting.device_class).get("crater_depth_um"),
        "pain_index_with_plan": pain[1] if pain else s.get("pain_index_with_anesthetic"),
        "pain_with_plan": pain,
        "anesthetic": setting.anesthetic,
        "cooling_kind": (setting.cooling or {}).get("kind", "none"),
        "session_minutes": option["session_minutes"],
        **_option_visits(option),
    }


def _option_visits(option: dict) -> dict:
    """An option's visits under the session limit, with the chosen plan's keys (QA10 #6: an alternative split into
    visits showed only its per-visit ``session_minutes``): ``visits_per_session``, ``area_per_visit_cm2`` (the timed
    protocol's area), ``session_total_minutes`` (visits x minutes per visit), ``long_session`` (split, or over the
    limit, as ``risks.long_session``) and ``session_limit_note`` (why: the split, or the limit not met; null when
    one visit fits)."""
    visits = int(option.get("visits") or 1)
    minutes, limit = option.get("session_minutes"), option.get("limit_minutes")
    protocol = option.get("protocol")
    area = getattr(protocol, "treated_area_m2", None)
    over = minutes is not None and limit is not None and minutes > limit * (1 + 1e-9)
    note = None
    if visits > 1:
        # only a planned option (_device_options) has visits: it carries its timed session minutes too
        assert minutes is not None
        note = (
            f"split into {visits} visits of {area * 1e4:.0f} cm^2 ({minutes:.0f} min each, "
            f"{visits * minutes:.0f} min per session in total) to keep each visit within the {limit:g}-min limit"
            if area
            else f"split into {visits} visits ({minutes:.0f} min each) to keep each visit within the {limit:g}-min limit"
        )
    if over:
        why = option.get("anaesthetic_kept_note") or "the session is kept as one visit"
        note = (
            f"{note}; " if note else ""
        ) + f"session limit {limit:g} min not met: {minutes:.0f} min per visit ({why})"
    return {
        "visits_per_session": visits,
        "area_per_visit_cm2": None if area is None else area * 1e4,
        "session_total_minutes": None if minutes is None else visits * minutes,
        "long_session": visits > 1 or over,
        "session_limit_note": note,
    }


#: The keys of a planned option (:func:`_option_numbers`); an option never planned carries them as null (QA8 #6).
OPTION_KEYS = (
    "modality",
    "device",
    "goal",
    "goal_measure",
    "improvement_month_6",
    "available",
    "settings",
    "sessions",
    "interval_weeks",
    "improvement_percent",
    "rhytid_improvement_percent",
    "outcome_dose_uncertainty",
    "outcome_evidence_summary",
    "immediate_tightening_percent",
    "epidermal_omega",
    "epidermal_injury",
    "pigment_risk",
    "target_verdict",
    "downtime_days",
    "crater_depth_um",
    "pain_index_with_plan",
    "pain_with_plan",
    "anesthetic",
    "cooling_kind",
    "session_minutes",
    "visits_per_session",
    "area_per_visit_cm2",
    "session_total_minutes",
    "long_session",
    "session_limit_note",
)


def _unavailable_option(modality: str, device: str, goal: str, reasons: list) -> dict:
    """An option that was not planned (contraindicated, infeasible, nothing to treat): the keys of a planned option
    (:data:`OPTION_KEYS`), null where nothing was computed, ``available`` false and the ``reasons`` (QA8 #6: a
    client reading ``improvement_month_6`` of every entry got a KeyError)."""
    out = dict.fromkeys(OPTION_KEYS)
    out.update(
        modality=modality, device=device, goal=goal, goal_measure=_goal_measure(goal), available=False, reasons=reasons
    )
    return out


def _rejected_option(option: dict, goal: str, reasons: list) -> dict:
    """A planned option that is not offered (below the minimum benefit): the numbers computed for it under the keys
    of an available one (:func:`_option_numbers`; null where a setting has no laser read-out), ``available`` false and
    the ``reasons`` (QA8 #6)."""
    setting, course = option["setting"], option["course"]
    out = dict.fromkeys(OPTION_KEYS)
    if getattr(setting, "laser", None) is not None:
        out.update(_option_numbers(option, goal))
    else:
        out.update(
            device=setting.device,
            modality=getattr(setting, "device_class", None),
            goal=goal,
            goal_measure=_goal_measure(goal),
            improvement_month_6=_goal_bands(course, goal).get("month_6"),
            sessions=course.sessions,
            improvement_percent=course.improvement_percent,
            rhytid_improvement_percent=getattr(course, "rhytid_improvement_percent", None),
            outcome_dose_uncertainty=option.get("outcome_dose_uncertainty"),
            session_minutes=option.get("session_minutes"),
            **_option_visits(option),
        )
    out.update(available=False, reasons=reasons)
    return out


#: The keys of a treatment plan's ``risks`` that every plan carries (issue 10's acceptance interface lists
#: ``risks (pigment_risk, ...)``); a plan without a treatment (referral, nothing to treat, not expected to work,
#: an infeasible request) carries them as null (QA8 #6: before, ``risks`` held only the referral).
RISK_KEYS = (
    "epidermal_omega",
    "epidermal_omega_limit",
    "blister_fluence_J_per_cm2",
    "fluence_fraction_of_blister",
    "safety_margin",
    "blister_margin",
    "max_fraction_of_lower_blister",
    "blister_uncertainty",
    "outcome_dose_uncertainty",
    "epidermal_injury",
    "epidermal_injury_beyond_error",
    "epidermal_omega_band",
    "pigment_risk",
    "pigment_risk_reason",
    "pigment_risk_mitigation",
    "pain_index_without_anesthetic",
    "pain_index_with_anesthetic",
    "pain_without_anaesthetic",
    "pain_with_plan",
    "pain",
    "downtime_days",
    "reepithelialization_days",
    "downtime_note",
    "thermal_model",
    "long_session",
    "fractional_coverage",
    "referral_reason",
    "referral_note",
)


def _no_treatment_risks(person, **given) -> dict:
    """``risks`` of a plan without a treatment: every key of :data:`RISK_KEYS`, null where it belongs to a setting
    (no setting, no exposure: the pigment risk is a property of the setting and the skin type together, so it is null
    and ``pigment_risk_reason`` says why), and the ``given`` keys (the referral and its reason)."""
    out = dict.fromkeys(RISK_KEYS)
    out["pigment_risk_reason"] = (
        f"not assessed: no treatment is planned (the level is the skin type, Fitzpatrick {person.fitzpatrick}, "
        "with the basal exposure of a setting)"
    )
    out.update(given)
    return out


def _for_whom(request) -> str:
    """``"for this person"``, or ``"with the requested devices (X, Y)"`` when ``--device`` narrowed the candidates
    (QA8 #6: a plan restricted to one device read as a verdict on the person)."""
    if request.devices:
        return f"with the requested device{'s' if len(request.devices) > 1 else ''} ({', '.join(request.devices)})"
    return "for this person"


def _consider(request) -> str:
    """What the referral of a plan restricted by ``--device`` suggests first: the other devices."""
    return "the default candidates (leave out --device), " if request.devices else ""


class ConstraintRejection(str):
    """A candidate's rejection by a user constraint alone (``--max-downtime-days``; QA16 #8): the person is eligible
    for it, so a plan left without options by such rejections is an infeasible request, not a referral
    (docs/planning.md "Infeasible request"). ``downtime_days``: the candidate's downtime."""

    downtime_days: float

    def __new__(cls, text: str, downtime_days: float):
        out = super().__new__(cls, text)
        out.downtime_days = float(downtime_days)
        return out


def _infeasible_constraint_request(rejected: list, request, goal: str, other: str | None = None) -> str | None:
    """What the plan says when no candidate meets the user's downtime limit although at least one is offered to the
    person without it (QA16 #8): the limit, the shortest downtime of the candidates it rejected, and how to get a
    plan (``other``: the other goal where it is indicated); None where no candidate was rejected by the constraint
    alone."""
    bound = [r for r in rejected if isinstance(r, ConstraintRejection)]
    if not bound:
        return None
    shortest = min(bound, key=lambda r: r.downtime_days)
    device = shortest.split(":", 1)[0]
    return (
        f"the requested max_downtime_days {request.max_downtime_days:g} is infeasible for goal {goal!r}: no candidate "
        f"meets it ({' | '.join(rejected)}); the person is eligible: the shortest downtime is {device}'s "
        f"{shortest.downtime_days:.1f} d: raise --max-downtime-days to at least {math.ceil(shortest.downtime_days):d} "
        "or leave it out for a plan" + (f", or plan the other goal (--goal {other})" if other else "")
    )


#: Resurfacing when every ablative candidate is contraindicated or infeasible (default candidates only).
RESURFACE_FALLBACK = ("fraxel_1550",)


@dataclass
class _Alternative:
    """The first device of the goal a plan did not take, planned beside the candidates where they are planned side by
    side (its options and rejection reasons, or the error it raised, kept until the plan lists it), else where the plan
    lists it; or unavailable for a reason."""

    name: str
    goal: str
    why_unavailable: list = field(default_factory=list)  # reasons (text) the plan lists it without planning it
    counter: Counter = field(default_factory=Counter)
    _planned: tuple[list, list] | None = None
    _error: Exception | None = None
    _cited: set[str] = field(default_factory=set)

    def plan(self, person, request, cache_dir) -> tuple[list, list]:
        """Plan the device with its own counter and citation record; an error is raised by :meth:`result`, where the
        plan lists the alternative (a plan that ends before, e.g. with a referral, shows none of it). Returns no
        candidate option and no rejection (the alternative is not a candidate)."""
        from laserskin.treatment.devices import load_device

        with deferred() as self._cited:
            try:
                self._planned = _plan_device(
                    load_device(self.name), person, request, self.counter, cache_dir, self.goal
                )
            except Exception as error:  # noqa: BLE001 (kept and raised where the alternative is used)
                self._error = error
        return [], []

    def result(self, counter: Counter, person, request, cache_dir) -> tuple[list, list]:
        """The options and rejection reasons (planned now where the devices were planned one at a time); the work is
        added to ``counter`` and the works it used are cited."""
        if self._planned is None and self._error is None:
            self.plan(person, request, cache_dir)
        if self._error is not None:
            raise self._error
        assert self._planned is not None  # set by plan() unless it kept an error
        counter.add(self.counter)
        cite(*sorted(self._cited))
        return self._planned


#: Device classes planned at their preset setting by one :class:`Simulation` run (the rest: fluence optimised).
PRESET_PLANNED_CLASSES = ("ablative", "fractional_ablative", "fractional_non_ablative")


def _plan_device(preset, person, request, counter, cache_dir, goal: str | None = None):
    """Feasible options ([dict]) and rejection reasons ([str]) for one device; ``goal``: the goal it is planned for,
    whose measure sets the session count (:func:`~laserskin.planning.sessions.plan_course`; default: the goal its
    device class serves)."""
    goal = goal or ("resurface" if preset.device_class in CLASSES_FOR_GOAL["resurface"] else "tighten")
    verdict = device_verdict(person, preset)
    if not verdict.allowed:
        return [], [f"{preset.name}: contraindicated: " + "; ".join(verdict.reasons)]
    if preset.device_class in ("ablative", "fractional_ablative") and cooling_for(request, preset)["kind"] == "contact":
        # Simulation refuses it (QA5 #23): not offered, rather than failing the whole plan
        return [], [f"{preset.name}: no contact cooling with an ablative laser (ablation needs a free surface)"]
    if preset.device_class in ("ablative", "fractional_ablative", "fractional_non_ablative"):
        # preset setting, one Simulation.run(): its rule picks the linear or the non-linear model
        if preset.device_class == "ablative":  # full-field: 1-3 passes, chosen by outcome per downtime day
            settings = [_full_field_passes(preset, person, request, verdict, counter, cache_dir)]
        else:
            settings = [_preset_setting(preset, person, request, verdict, counter, cache_dir)]
    else:

        def optimised(anesthetic: str, screen=None) -> list:
            return optimise_device(
                person,
                preset,
                verdict=verdict,
                anesthetic=anesthetic,
                max_passes=MAX_PASSES,
                photons=request.photons,
                seed=request.seed,
                cooling=cooling_for(request, preset),
                counter=counter,
                cache_dir=cache_dir,
                max_fraction=request.max_fraction_of_blister,
                screen=screen,
                area_m2=request.area_m2,
            )

        # among the default candidates, a device that cannot reach the minimum benefit at any setting the optimisation
        # could choose is rejected from its first run (cheap bound first; issue 9: plan time)
        screen = _benefit_screen(preset, person, request, goal) if request.devices is None else None
        try:
            settings = optimised(request.anesthetic, screen)
        except NotExpectedToWork as rejected:
            return [], [rejected.reason]
        feasible = [s for s in settings if s.feasible]
        if not feasible:
            return [], [_infeasible_reason(preset, settings[0])]
        settings = [finalise(feasible[0], request.anesthetic, counter)]
    options, why = [], []
    for setting in settings:
        protocol, minutes, at_laser = session_timing(
            setting.laser, passes=setting.passes, area_m2=request.area_m2, anesthetic=setting.anesthetic
        )
        limit = request.max_session_minutes or planner_rules()["safety"]["max_session_minutes"]
        note = kept_note = None
        # (the lead time is minutes - at_laser: 30 min of cream under a 30-min limit reaches it, rounding aside)
        if request.anesthetic == "auto" and setting.anesthetic != "none" and minutes - at_laser >= limit * (1 - 1e-9):
            # the topical's lead time alone reaches the limit: no split helps, so (anaesthetic on auto) the
            # session is timed without the topical — at a fluence whose pain without it stays within the
            # planner's pain limit (re-optimised with no anaesthetic where the fluence is the planner's
            # choice) — or, where no such setting exists, the topical is kept and the limit is flagged as not met
            # (never for full-field ablative resurfacing nor a fractional device: the topical is their minimum,
            # QA6 #14, QA16 #5).
            # QA7 #5: dropping the cream and lowering the fluence cost outcome, so they are made only where the
            # session then fits the limit (with the visit cap); otherwise the option keeps its full setting
            # (cream, fluence) and the limit is flagged as not met (:func:`_limit_not_met_anyway_note`)
            _, minutes_none, at_none = session_timing(
                setting.laser, passes=setting.passes, area_m2=request.area_m2, anesthetic="none"
            )
            fits_none = _fits_limit(minutes_none, at_none, limit, preset.device_class)
            minimum = auto_minimum_topical(preset.device_class)  # never dropped below it (QA6 #14, QA16 #5)
            if minimum is None and fits_none and not _pain_above_limit(setting.summary, "none", setting.cooling):
                setting, protocol, minutes, at_laser, note = _without_topical(setting, request, minutes, limit)
            else:
                lowered = None
                # the re-optimised setting may choose other passes: it is tried unless even one pass without the
                # cream overruns the limit
                _, minutes_one, at_one = session_timing(
                    setting.laser, passes=1, area_m2=request.area_m2, anesthetic="none"
                )
                could_fit = _fits_limit(minutes_one, at_one, limit, preset.device_class)
                if could_fit and preset.device_class not in (
                    "ablative",
                    "fractional_ablative",
                    "fractional_non_ablative",
                ):
                    feasible_none = [s for s in optimised("none") if s.feasible]
                    if feasible_none:
                        lowered = finalise(feasible_none[0], "none", counter)
                        if _pain_above_limit(lowered.summary, "none", lowered.cooling):
                            lowered = None
                below_note = None
                if lowered is not None:
                    _, minutes_low, at_low = session_timing(
                        lowered.laser, passes=lowered.passes, area_m2=request.area_m2, anesthetic="none"
                    )
                    if not _fits_limit(minutes_low, at_low, limit, preset.device_class):
                        lowered = None
                if lowered is not None:
                    # QA8 #1: a session limit is a scheduling constraint, never a contraindication: the lowered
                    # fluence is taken only where the option still clears the minimum benefit; otherwise the
                    # option keeps its full setting and the cream, and the limit is flagged as not met
                    below_note = _traded_below_benefit_note(
                        setting, lowered, preset, person, request, goal, minutes, at_laser, minutes_low, limit
                    )
                    if below_note is not None:
                        lowered = None
                if below_note is not None:
                    kept_note = below_note
                elif lowered is not None:
                    before = setting.summary["fluence_J_per_cm2"]
                    setting, protocol, minutes, at_laser, note = _without_topical(
                        lowered, request, minutes, limit, chosen=setting.anesthetic, with_cream_summary=setting.summary
                    )
                    note += (
                        f"; the fluence is lowered to {setting.summary['fluence_J_per_cm2']:.3g} J/cm^2 (from "
                        f"{before:.3g} with the cream) so that the pain without the cream stays within the limit"
                    )
                elif not fits_none and minimum is None:
                    kept_note = _limit_not_met_anyway_note(setting, minutes, at_laser, minutes_none, at_none, limit)
                else:
                    kept_note = _kept_topical_note(setting, minutes, at_laser, limit)
        dose = session_dose_from_summary(setting.summary, setting.laser)
        course = plan_course(
            dose,
            preset,
            person,
            max_sessions=request.max_sessions,
            measure=_goal_measure(goal),
            band_error_um=_dose_band_error(setting),
        )
        visits, unsplit = _visits(minutes, at_laser, limit), minutes
        area_cm2 = request.area_m2 * 1e4
        if visits > 1 and preset.device_class == "ablative":  # one sitting, by cosmetic units (QA6 #15)
            one_sitting = _one_sitting_note(preset.name, minutes, at_laser, limit)
            visits, kept_note = 1, f"{kept_note}; {one_sitting}" if kept_note else one_sitting
        elif kept_note is None:
            kept_note = _limit_not_met_note(setting.anesthetic, minutes, at_laser, limit, area_cm2)
        elif preset.device_class != "ablative":  # the cream kept before the timed visit: its laser time (QA9 #5)
            kept_note += _laser_time_clause(minutes, at_laser, limit, area_cm2)
        if visits > 1:
            protocol, minutes, at_laser = session_timing(
                setting.laser, passes=setting.passes, area_m2=request.area_m2 / visits, anesthetic=setting.anesthetic
            )
        if request.max_downtime_days is not None and course.downtime_days > request.max_downtime_days:
            why.append(
                ConstraintRejection(
                    f"{preset.name}: downtime {course.downtime_days:.1f} d exceeds max_downtime_days "
                    f"{request.max_downtime_days:g} (binding constraint)",
                    course.downtime_days,
                )
            )
            continue
        if setting.target_verdict.startswith("not checked"):
            reasons = [_preset_reason(preset, setting)] + list(setting.reasons)
        else:
            reasons = [
                f"{preset.name}: fluence {setting.summary['fluence_J_per_cm2']:.3g} J/cm^2 set by "
                f"{setting.binding}; {setting.passes} pass(es){_stacked_pulses(setting.laser)}; dermal remodelling target "
                f"(thermal-injury Omega >= 1 band >= {planner_rules()['target']['min_band_um']:g} um, through "
                f"< {planner_rules()['target']['max_dermis_fraction']:.0%} of the dermis): "
                + target_verdict_text(setting)
            ] + list(setting.reasons)
        if verdict.reasons:
            reasons.append(f"{preset.name}: " + "; ".join(verdict.reasons))
        if course.sessions_reason:
            reasons.append(f"{preset.name}: {course.sessions_reason}")
        options.append(
            {
                "setting": setting,
                "course": course,
                "protocol": protocol,
                "session_minutes": minutes,
                "laser_minutes": at_laser,
                "reasons": reasons,
                "visits": visits,
                "unsplit_minutes": unsplit,
                "limit_minutes": limit,
                "anaesthetic_note": note,
                "anaesthetic_kept_note": kept_note,
            }
        )
    return options, why


def _infeasible_cooling_request(names, person, request, counter, cache_dir, rejected) -> str | None:
    """Why a plan restricted to ``request.devices`` with a cooling override has no feasible setting, when
    the devices' own cooling has one (QA5 #19): the request is infeasible, not the person's treatment.
    None when a device is contraindicated or its own cooling is infeasible too (the answer is then a referral)."""
    from laserskin.treatment.devices import load_device

    if any(": contraindicated:" in r for r in rejected):
        return None
    own = request.model_copy(update={"cooling": "auto"})
    allowed = []
    for name in names:
        preset = load_device(name)
        kind = (preset.cooling or {}).get("kind", "none")
        if kind == request.cooling:
            continue
        options, _ = _plan_device(preset, person, own, counter, cache_dir)
        if options:
            fluence = options[0]["setting"].summary.get("fluence_J_per_cm2")
            allowed.append(f"{name} with its own cooling ({kind}) allows {fluence:.3g} J/cm^2")
    if not allowed:
        return None
    return (
        f"the requested device/cooling combination is infeasible ({' | '.join(rejected)}); "
        + "; ".join(allowed)
        + ": use the device's own cooling (--cooling auto) for a plan"
    )


def target_verdict_text(setting) -> str:
    """The dermal target's verdict as the plan's reason states it (QA16 #7): the optimiser's verdict (the target
    fluence, a Monte Carlo estimate on the beam axis, vs the safe fluence) and, where the plan's summary resolves no
    Omega >= 1 band beyond the Monte Carlo error (``dermal_injury`` "none", ``dermal_injury_depth_um`` null: the rule
    of ``laserskin simulate``), that the band is possible, not resolved, with its possible depth and the volume — so a
    user checking the setting with ``simulate`` reads what the plan says."""
    verdict = setting.target_verdict
    summary = setting.summary or {}
    if verdict == "NOT reached" or summary.get("dermal_injury_depth_um") is not None:
        return verdict
    if "dermal_injury_depth_um" not in summary:  # no dermal read-out to compare (a stub or a summary without it)
        return verdict
    possible = summary.get("dermal_injury_possible_depth_um")
    volume = summary.get("dermal_injury_volume_mm3")
    text = (
        f"{verdict} on the target-fluence estimate (beam axis), but no band is resolved beyond the Monte Carlo error "
        f"(summary dermal_injury {summary.get('dermal_injury')!r}, dermal_injury_depth_um null)"
    )
    if possible:
        text += (
            f": an Omega >= 1 band is possible, not resolved, at {possible[0]:.0f}-{possible[1]:.0f} um "
            "(dermal_injury_possible_depth_um)"
        )
    if volume:
        text += f"; the Omega >= 1 volume summed over the cells (dermal_injury_volume_mm3) is {volume:.3g} mm^3"
    return text


def _infeasible_reason(preset, setting) -> str:
    """Why the fluence-optimised ``setting`` is infeasible, with the blister fluence found and the device minimum."""
    why = setting.reasons[0] if setting.reasons else "infeasible"
    laser, band = setting.laser, getattr(setting, "blister_band_J", None)
    per_cm2 = laser.beam_area_m2 * 1e4
    found = []
    if band is not None:
        found.append(f"blister fluence {band[0] / per_cm2:.3g}-{band[1] / per_cm2:.3g} J/cm^2")
    elif setting.blister_energy_J is not None:
        found.append(f"blister fluence {setting.blister_energy_J / per_cm2:.3g} J/cm^2")
    found.append(f"device minimum {setting.energy_range_J[0] / per_cm2:.3g} J/cm^2")
    kind = (setting.cooling or {}).get("kind", "none")
    cooling = "no cooling" if kind == "none" else f"{kind} cooling"
    return f"{preset.name}: with {cooling}: {why} ({', '.join(found)})"


def _preset_reason(preset, setting) -> str:
    """What was set for an ablative / fractional device planned at its preset, and why (no target claimed)."""
    summary, laser = setting.summary, setting.laser
    parts = [f"{preset.name}: preset setting, fluence {summary['fluence_J_per_cm2']:.3g} J/cm^2"]
    if laser.is_fractional:
        injured = summary.get("mtz_area_fraction")
        parts.append(
            f"{laser.fractional.microbeam_diameter_m * 1e6:.0f} um micro-beams at {laser.fractional.coverage * 100:.0f} % "
            "coverage"
            + (f" (injured area {injured * 100:.1f} %, mtz_area_fraction: QA16 #2)" if injured is not None else "")
        )
    parts.append(f"{setting.passes} pass(es) ({setting.passes_reason}){_stacked_pulses(laser)}")
    depth = summary.get("dermal_injury_depth_um")
    crater = summary.get("crater_depth_um")
    measured = []
    if crater:
        measured.append(f"crater {crater:.0f} um" if isinstance(crater, (int, float)) else f"crater {crater} um")
    if depth:
        measured.append(f"dermal thermal injury {depth[0]:.0f}-{depth[1]:.0f} um deep")
    text = ", ".join(parts)
    if measured:
        text += "; predicted " + ", ".join(measured)
    return text + f"; dermal remodelling target {setting.target_verdict}"


def _without_topical(setting, request, minutes_with: float, limit: float, chosen=None, with_cream_summary=None):
    """The setting timed without its topical anaesthetic, and the note that says so (pain consequence).

    Rule (anaesthetic on ``auto`` only): when the topical's lead time alone reaches the session
    limit, splitting the area into visits cannot help (every visit waits for the cream), so the
    planner drops the topical, keeps the cooling, and reports the pain without it against the pain
    limit the auto choice aimed at, with the clinician's alternative (cream applied before the
    timed visit, or a longer limit). A fixed ``--anesthetic`` is never overridden. ``chosen`` and
    ``with_cream_summary``: the topical and the summary of the setting planned with it, when ``setting`` is
    the one re-optimised without it (its pain with the cream is then quoted from that setting).
    """
    chosen = chosen or setting.anesthetic
    _, minutes_cream, at_cream = session_timing(
        setting.laser, passes=setting.passes, area_m2=request.area_m2, anesthetic=chosen
    )
    protocol, minutes, at_laser = session_timing(
        setting.laser, passes=setting.passes, area_m2=request.area_m2, anesthetic="none"
    )
    setting.anesthetic = "none"
    summary = dict(setting.summary)
    if summary.get("pain_index") is not None:
        summary["pain_index_with_anesthetic"] = summary["pain_index"]
    setting.summary = summary
    pain = _pain_bands(summary, "none", (setting.cooling or {}).get("kind"))
    with_cream = _pain_bands(with_cream_summary or summary, chosen, (setting.cooling or {}).get("kind"))
    limit_pain = planner_rules()["safety"]["pain_index_limit"]

    def words(band):
        return "not computed" if not band else f"{band[1]:.1f}/10 [{band[0]:.1f}-{band[2]:.1f}]"

    above = pain.get("with_plan") and pain["with_plan"][1] > limit_pain
    note = (
        f"session limit {limit:g} min: the {chosen} lead time ({minutes_cream - at_cream:.0f} min) alone "
        f"reaches it, so the session is planned without topical anaesthetic ({minutes:.0f} min instead of "
        f"{minutes_with:.0f}); pain with the plan's cooling {words(pain.get('with_plan'))} instead of "
        f"{words(with_cream.get('with_plan'))} with {chosen}"
        + (f", above the planner's pain limit {limit_pain:g}" if above else "")
        + f"; to keep the cream, apply it before the timed visit or raise --max-session-minutes to "
        f"{math.ceil(minutes_with):d}"
    )
    return setting, protocol, minutes, at_laser, note


def _limit_overrun_reason(options: list[dict], goal: str) -> str:
    """The plan-level line when the chosen session overruns the session limit (QA7 #5): by how much, and how the
    candidates were ranked. Options over the limit keep their full setting (the cream and fluence are traded only
    where that makes the session fit, :func:`_fits_limit`), and the ranking is the one without the limit (the
    predicted 6-month improvement, :func:`_order_options`): a limit that no option meets separates none of them,
    and ranking by the least overrun would choose by session minutes, which follow the Monte Carlo dose and the
    cream's lead time rather than the outcome."""
    best = options[0]
    limit, minutes = best["limit_minutes"], best["session_minutes"]
    fitting = [o for o in options[1:] if o["session_minutes"] <= o["limit_minutes"] * (1 + 1e-9)]
    head = (
        f"session limit {limit:g} min not met: the chosen {best['setting'].device} session takes {minutes:.0f} min, "
        f"{minutes - limit:.0f} min over the limit"
    )
    if not fitting:
        shortest = min(options, key=lambda o: o["session_minutes"])
        which = (
            "the chosen session is also the shortest"
            if shortest is best
            else f"the shortest, {shortest['setting'].device}, takes {shortest['session_minutes']:.0f} min"
        )
        return (
            f"{head}; no candidate fits the limit ({which}), so each keeps its full setting (cream and fluence "
            "are traded only where that makes the session fit and the option still clears the minimum benefit) and "
            "they are ranked as without the limit, by the predicted "
            "6-month improvement: a limit that none meets separates none of them"
        )
    names = ", ".join(
        f"{o['setting'].device} ({_visits_text(o)}, {_expected_benefit(o, goal):.1f} % at month 6)" for o in fitting
    )
    return f"{head}; candidates that fit the limit: {names}, ranked below it by the predicted 6-month improvement"


def _visits_text(option: dict) -> str:
    """``"16 min"`` for one visit, ``"in 2 visits of 16 min, 32 min in all"`` for a split session (QA10 #6: the
    limit reason listed a split option's per-visit minutes as if one visit treated the whole area)."""
    visits, minutes = int(option.get("visits") or 1), option["session_minutes"]
    if visits == 1:
        return f"{minutes:.0f} min"
    return f"in {visits} visits of {minutes:.0f} min, {visits * minutes:.0f} min in all"


def _fits_limit(minutes: float, at_laser: float, limit: float, device_class: str) -> bool:
    """Whether a session of ``minutes`` (``at_laser`` of them at the laser) keeps each visit within ``limit``:
    as one visit, or split into at most :data:`MAX_VISITS_PER_SESSION` visits (:func:`_visits`; never for
    full-field ablative resurfacing, done in one sitting, QA6 #15)."""
    if minutes <= limit * (1 + 1e-9):
        return True
    return device_class != "ablative" and _visits(minutes, at_laser, limit) > 1


def _limit_not_met_anyway_note(
    setting, minutes: float, at_laser: float, minutes_none: float, at_none: float, limit: float
) -> str:
    """Why the topical and the full fluence are kept although the lead time alone reaches the limit (QA7 #5): the
    session would overrun the limit without the cream too, so dropping it (and lowering the fluence for the pain
    without it) would cost outcome and comfort without meeting the limit."""
    lead = minutes - at_laser
    needed = _visits_needed(minutes_none, at_none, limit)
    return (
        f"session limit {limit:g} min not met: the {setting.anesthetic} lead time ({lead:.0f} min) alone reaches it, "
        f"and without the cream the session would still take {minutes_none:.1f} min at the laser ({needed} visits "
        f"under the limit, more than the planner's {MAX_VISITS_PER_SESSION}); dropping the cream or lowering the "
        "fluence would cost comfort and outcome without meeting the limit, so the option keeps its full setting "
        f"and the cream ({minutes:.0f} min session, {at_laser:.1f} min at the laser): apply the cream before the "
        f"timed visit or raise --max-session-minutes to {math.ceil(minutes):d}"
    )


def _dose_band_error(setting) -> tuple[float, float] | None:
    """The Monte Carlo error of the ends of ``setting``'s dose band (:func:`~laserskin.planning.sessions.band_error_um`),
    read on its linear response's grid; None where the setting has none (a preset's single Simulation run: the band
    is then the Omega >= 1 range or a deterministic read-out) — the session count is then read at the band as is."""
    grid = getattr(getattr(setting, "response", None), "grid", None)
    return band_error_um(setting.summary.get("dermal_injury_band_um"), grid)


def _month6_band(setting, preset, person, request, goal: str) -> tuple[Any, list[float]]:
    """The course of ``setting``'s session dose (the planner's course rule, :func:`plan_course`) and its
    ``[low, nominal, high]`` month-6 improvement (%) of the goal's measure."""
    course = plan_course(
        session_dose_from_summary(setting.summary, setting.laser),
        preset,
        person,
        max_sessions=request.max_sessions,
        measure=_goal_measure(goal),
        band_error_um=_dose_band_error(setting),
    )
    return course, _goal_bands(course, goal)["month_6"]


def _traded_below_benefit_note(
    setting,
    lowered,
    preset,
    person,
    request,
    goal: str,
    minutes: float,
    at_laser: float,
    minutes_low: float,
    limit: float,
) -> str | None:
    """Why ``setting`` keeps its cream and full fluence although the session, without the cream at the ``lowered``
    fluence, would fit the limit (QA8 #1): the lowered option predicts less than the minimum benefit beyond the Monte
    Carlo error (the rule of :func:`_split_by_expected_benefit`). None where the lowered option clears it (the trade
    is then made). Before, the lowered option was kept and then rejected by the benefit cut, with no fall-back to the
    setting with the cream: a 20-min limit made the issue's person "not expected to work"."""
    from laserskin.planning.noise_rules import benefit_verdict

    month6 = _month6_band(lowered, preset, person, request, goal)[1][1]
    if benefit_verdict(month6, request.photons, cut_pct=MIN_EXPECTED_IMPROVEMENT_PCT) != "below":
        return None
    measure = MEASURE_TEXT[_goal_measure(goal)]
    visit = (
        f" (the visit is then {at_laser:.0f} min at the laser, within the limit)"
        if at_laser <= limit * (1 + 1e-9)
        else ""
    )
    return (
        f"session limit {limit:g} min not met: the {setting.anesthetic} lead time ({minutes - at_laser:.0f} min) alone "
        f"reaches it; without the cream the session would fit ({minutes_low:.0f} min) only at a fluence lowered to "
        f"{lowered.summary['fluence_J_per_cm2']:.3g} J/cm^2 (from {setting.summary['fluence_J_per_cm2']:.3g}, for the "
        f"pain without the cream), which predicts {month6:.2g} % ({measure}) at month 6, below the minimum "
        f"{MIN_EXPECTED_IMPROVEMENT_PCT:g} %; a session limit is a scheduling constraint, not a reason to offer a "
        f"course that does not work, so the option keeps its full setting and the cream ({minutes:.0f} min session, "
        f"{at_laser:.1f} min at the laser): apply the cream before the timed visit{visit} or raise "
        f"--max-session-minutes to {math.ceil(minutes):d}"
    )


def _pain_above_limit(summary: dict, anesthetic: str, cooling: dict | None) -> bool:
    """Whether the nominal pain with ``anesthetic`` and the plan's cooling is above the planner's pain limit."""
    band = _pain_bands(summary, anesthetic, (cooling or {}).get("kind")).get("with_plan")
    if not band:
        return False
    return band[1] > planner_rules()["safety"]["pain_index_limit"]


def _kept_topical_note(setting, minutes: float, at_laser: float, limit: float) -> str:
    """Why the topical is kept although its lead time alone exceeds the session limit (QA4 #13)."""
    if setting.device_class == "ablative":  # the strongest topical is the minimum there (QA6 #14)
        return (
            f"session limit {limit:g} min not met: the {setting.anesthetic} lead time ({minutes - at_laser:.0f} min) "
            f"alone reaches it; full-field ablative resurfacing needs at least the strongest topical (Yun et al. "
            f"2002), so the cream is kept ({minutes:.0f} min session, {at_laser:.0f} min at the laser): apply it "
            f"before the timed visit or raise --max-session-minutes to {math.ceil(minutes):d}"
        )
    if auto_minimum_topical(setting.device_class) is not None:  # fractional: the topical of its pain data (QA16 #5)
        return (
            f"session limit {limit:g} min not met: the {setting.anesthetic} lead time ({minutes - at_laser:.0f} min) "
            f"alone reaches it; every published pain score of fractional treatment was measured with a topical "
            f"(Fisher et al. 2005; Tierney & Hanke 2012), so on --anesthetic auto the cream is kept ({minutes:.0f} min "
            f"session, {at_laser:.0f} min at the laser): apply it before the timed visit, raise --max-session-minutes "
            f"to {math.ceil(minutes):d}, or plan without it with --anesthetic none"
        )
    pain = _pain_bands(setting.summary, "none", (setting.cooling or {}).get("kind")).get("with_plan")
    # the caller comes here with no minimum topical only where _pain_above_limit(setting.summary, "none",
    # setting.cooling) held: this same band, given
    assert pain is not None
    return (
        f"session limit {limit:g} min not met: the {setting.anesthetic} lead time ({minutes - at_laser:.0f} min) "
        f"alone reaches it, and without the cream the pain would be {pain[1]:.1f}/10 [{pain[0]:.1f}-{pain[2]:.1f}], "
        f"above the planner's pain limit {planner_rules()['safety']['pain_index_limit']:g}, at every setting the "
        f"planner may choose; the cream is kept ({minutes:.0f} min session, {at_laser:.0f} min at the laser): apply it "
        f"before the timed visit or raise --max-session-minutes to {math.ceil(minutes):d}"
    )


def _visits_needed(minutes: float, at_laser: float, limit: float) -> int:
    """Visits needed so that each (anaesthetic lead time + its share of the laser time) fits ``limit``.

    1 when the session fits; 0 when the lead time alone reaches the limit (no split helps).
    """
    if minutes <= limit * (1 + 1e-9):
        return 1
    if _lead_reaches_limit(minutes, at_laser, limit):
        return 0
    return math.ceil(at_laser / (limit - (minutes - at_laser)) - 1e-9)


def _lead_reaches_limit(minutes: float, at_laser: float, limit: float) -> bool:
    """Whether the anaesthetic's lead time (``minutes - at_laser``) alone reaches ``limit``: no visit that waits for
    the cream fits, so the plan's advice is to apply the cream before the timed visit."""
    return minutes - at_laser >= limit * (1 - 1e-9)


def _laser_visits_needed(at_laser: float, limit: float) -> int:
    """Visits needed so that each visit's share of the laser time alone fits ``limit`` (the cream applied before
    the timed visit; QA9 #5): :func:`_visits_needed` of a session without a lead time."""
    return _visits_needed(at_laser, at_laser, limit)


def _visits(minutes: float, at_laser: float, limit: float) -> int:
    """Visits the session is split into (QA6 #1: a split only where it shortens what the patient sits through).

    1 when the session fits, and 1 when the laser time alone fits the limit: the overrun is then the cream's
    lead time, which a split repeats at every visit (63 min of 45 min cream + 18 min of laser became 2 visits of
    54 min, 108 min per session); one visit, flagged (:func:`_limit_not_met_note`), with the cream applied before
    the timed visit instead. When the laser time alone exceeds the limit no single visit fits: the split of
    :func:`_visits_needed` when that is at most :data:`MAX_VISITS_PER_SESSION`, else 1 (kept whole and flagged).
    When the lead time alone reaches the limit the cream goes before the timed visit (the plan's advice), so the
    laser time alone is split (:func:`_laser_visits_needed`, QA9 #5: before, one 47-min visit was planned under a
    30-min limit with that advice), again at most :data:`MAX_VISITS_PER_SESSION` visits, else 1.
    """
    if at_laser <= limit * (1 + 1e-9):
        return 1
    if _lead_reaches_limit(minutes, at_laser, limit):
        needed = _laser_visits_needed(at_laser, limit)
    else:
        needed = _visits_needed(minutes, at_laser, limit)
    return needed if 1 <= needed <= MAX_VISITS_PER_SESSION else 1


def _laser_time_clause(minutes: float, at_laser: float, limit: float, area_cm2: float | None = None) -> str:
    """What a note that keeps the cream before the timed visit (its lead time alone reaches ``limit``) adds about the
    laser time itself (QA9 #5): "" where it fits the limit; else the split of the laser time into visits that each
    fit (:func:`_visits`), or, beyond :data:`MAX_VISITS_PER_SESSION` visits, that the laser time itself exceeds
    the limit. Starts with "; "."""
    if not _lead_reaches_limit(minutes, at_laser, limit) or at_laser <= limit * (1 + 1e-9):
        return ""
    lead = minutes - at_laser
    visits = _visits(minutes, at_laser, limit)
    if visits > 1:
        where = f" of {area_cm2 / visits:.0f} cm^2" if area_cm2 else ""
        return (
            f"; with the cream applied before the timed visit the laser time alone ({at_laser:.1f} min) still exceeds "
            f"the limit, so the area is treated in {visits} visits{where}, each {at_laser / visits:.1f} min at the "
            f"laser (within the limit; {lead + at_laser / visits:.0f} min with the cream's lead time)"
        )
    needed = _laser_visits_needed(at_laser, limit)
    smaller = (
        f"; about {area_cm2 * MAX_VISITS_PER_SESSION * limit / at_laser:.0f} cm^2 or less fits in "
        f"{MAX_VISITS_PER_SESSION} visits: the laser time is proportional to the area"
        if area_cm2
        else ""
    )
    return (
        f"; the laser time itself ({at_laser:.1f} min) exceeds the limit too: with the cream applied before the "
        f"timed visit the visit is still {at_laser:.1f} min at the laser, and fitting it under the limit would take "
        f"{needed} visits, more than the planner's {MAX_VISITS_PER_SESSION}, so it stays one visit: treat a smaller "
        f"area (--area{smaller}) or raise the limit"
    )


def _split_reason(option: dict, area_cm2: float, anesthetic: str | None) -> str:
    """Why and how a session is split into visits, with the total minutes per session (QA6 #1)."""
    visits, minutes, at_laser = option["visits"], option["session_minutes"], option["laser_minutes"]
    lead = minutes - at_laser
    total = visits * minutes
    cream = (
        f"; {total:.0f} min per session in total: the {anesthetic} lead time ({lead:.0f} min) is repeated at every visit"
        if lead > 0
        else f"; {total:.0f} min per session in total"
    )
    return (
        f"session limit: {option['unsplit_minutes']:.0f} min for the whole area exceeds {option['limit_minutes']:g} "
        f"min and the laser time alone ({visits * at_laser:.0f} min) exceeds it too, so no single visit fits; the "
        f"area is treated in {visits} visits of {area_cm2 / visits:.0f} cm^2 ({minutes:.0f} min each, {at_laser:.1f} "
        f"min at the laser{cream}; at most {MAX_VISITS_PER_SESSION} visits per session)"
    )


def _limit_not_met_note(
    anesthetic: str, minutes: float, at_laser: float, limit: float, area_cm2: float | None = None
) -> str | None:
    """Why a session is over ``limit`` (``risks.session_limit_not_met``): kept as one visit, or, when the lead time
    alone reaches the limit, split on its laser time alone (QA9 #5, :func:`_laser_time_clause`); None when the
    session fits or is split into visits that fit (:func:`_visits`). The lead-time-alone case with the anaesthetic
    on auto has its own note (:func:`_kept_topical_note`), to which :func:`_laser_time_clause` is added."""
    lead_alone = _lead_reaches_limit(minutes, at_laser, limit)
    if minutes <= limit * (1 + 1e-9) or (_visits(minutes, at_laser, limit) > 1 and not lead_alone):
        return None
    lead = minutes - at_laser
    needed = _visits_needed(minutes, at_laser, limit)
    if needed == 0:
        return (
            f"session limit {limit:g} min not met: the anaesthetic lead time alone exceeds the limit ({anesthetic}, "
            f"{lead:.0f} min); "
            + (
                f"the session is one visit of {minutes:.0f} min ({at_laser:.1f} min at the laser): "
                if _visits(minutes, at_laser, limit) == 1
                else ""
            )
            + f"apply the cream before the timed visit or raise --max-session-minutes to {math.ceil(minutes):d} "
            "(one visit)" + _laser_time_clause(minutes, at_laser, limit, area_cm2)
        )
    if at_laser <= limit * (1 + 1e-9):  # the overrun is the cream's lead time: a split would repeat it (QA6 #1)
        return (
            f"session limit {limit:g} min not met: the {anesthetic} lead time ({lead:.0f} min) and {at_laser:.1f} min "
            f"at the laser take {minutes:.1f} min; the session is one visit of {minutes:.1f} min: splitting the area "
            f"would not shorten what the patient sits through (every visit waits {lead:.0f} min for the cream again: "
            f"2 visits take {2 * lead + at_laser:.0f} min per session instead of {minutes:.0f}); apply the cream before "
            f"the timed visit (the visit is then {at_laser:.0f} min, within the limit) or raise --max-session-minutes "
            f"to {math.ceil(minutes):d}"
        )
    per_visit = limit - lead
    why = (
        f"the {anesthetic} lead time ({lead:.0f} min) leaves {per_visit:.1f} min of laser per visit, and every "
        "visit waits for the cream again (the lead time is not laser time)"
        if lead > 0
        else f"{at_laser:.0f} min at the laser"
    )
    fewest = lead + at_laser / MAX_VISITS_PER_SESSION
    return (
        f"session limit {limit:g} min not met: {why}; fitting {at_laser:.1f} min at the laser under the limit "
        f"would take {needed} visits, more than the planner's {MAX_VISITS_PER_SESSION}, so the session is one visit "
        f"of {minutes:.1f} min ({at_laser:.1f} min at the laser)"
        + (
            f"; apply the cream before the timed visit (the visit is then {at_laser:.0f} min at the laser, itself "
            f"over the limit)"
            if lead > 0
            else ""
        )
        + f"; or raise --max-session-minutes to {math.ceil(minutes):d} (one visit) or {math.ceil(fewest):d} "
        f"({MAX_VISITS_PER_SESSION} visits)"
    )


def _one_sitting_note(device: str, minutes: float, at_laser: float, limit: float) -> str:
    """Why a full-field ablative resurfacing over the session limit is kept as one visit (QA6 #15)."""
    return (
        f"session limit {limit:g} min not met: {device} full-field ablative resurfacing is done in one sitting, "
        "treated by cosmetic units and feathered at their borders to avoid lines of demarcation, not as patches "
        f"healing on different days; the session is one visit of {minutes:.0f} min ({at_laser:.1f} min at the "
        f"laser): raise --max-session-minutes to {math.ceil(minutes):d}, treat a smaller area (--area), or choose "
        "an option that fits (fewer passes, Er:YAG, or fractional resurfacing: see the alternatives)"
    )


def _patch_note(device: str, visits: int, downtime_days: float, area_cm2: float, minutes_whole: float) -> str:
    """Downtime per patch when a full-field ablative session is split into visits (QA5 #9)."""
    return (
        f"{device}: full-field ablative resurfacing split into {visits} patches of {area_cm2 / visits:.0f} cm^2: "
        f"each patch is an open wound for ~{downtime_days:.1f} days (re-epithelialisation; the downtime is per "
        f"patch): visits on separate days stagger the healing (the whole area is healed ~{downtime_days:.1f} days "
        "after the last visit) and the patch borders must be matched; to resurface the area in one visit raise "
        f"--max-session-minutes to {math.ceil(minutes_whole):d}"
    )


def _full_field_passes(preset, person, request, verdict, counter, cache_dir):
    """Full-field ablative resurfacing at 1..MAX_PASSES passes (clinical protocols use 1-3 passes; Harris
    et al. 1999: two CO2 passes), one :class:`Simulation` run each; the chosen setting says why.

    Rule (stated in ``reasons``): passes whose downtime exceeds ``max_downtime_days`` are left out;
    among the rest, the highest predicted 6-month improvement of the rhytid grade (the resurfacing measure,
    QA6 #2; before, the laxity grade) per day of downtime
    (re-epithelialisation), where counts within :data:`PASS_TIE_TOLERANCE` of the best are tied and
    the tie goes to fewer passes. More passes ablate deeper and lengthen the open wound; the ratio
    weighs the gain against that cost without a free weight.
    """
    rows = []
    for n in range(1, MAX_PASSES + 1):
        setting = _preset_setting(preset, person, request, verdict, counter, cache_dir, passes=n)
        course = plan_course(
            session_dose_from_summary(setting.summary, setting.laser),
            preset,
            person,
            max_sessions=request.max_sessions,
            measure="rhytid",
        )
        # the resurfacing measure (rhytid grade), as the device ranking (QA6 #2)
        rows.append((n, setting, _expected_benefit({"course": course}, "resurface"), max(course.downtime_days, 1e-9)))
    limit = request.max_downtime_days
    allowed = [r for r in rows if limit is None or r[3] <= limit] or rows[:1]
    top = max(r[2] / r[3] for r in allowed)
    n, setting, _, _ = min((r for r in allowed if r[2] / r[3] >= top * (1.0 - PASS_TIE_TOLERANCE)), key=lambda r: r[0])
    table = "; ".join(f"{r[0]}: {r[2]:.1f} % at month 6, {r[3]:.1f} d downtime" for r in rows)
    setting.passes_reason = (
        f"chosen among 1-{MAX_PASSES} passes by the highest 6-month improvement of the {MEASURE_TEXT['rhytid']} per "
        "day of downtime, ties within "
        f"{PASS_TIE_TOLERANCE:.0%} to fewer passes"
        + (f", downtime <= {limit:g} d" if limit is not None else "")
        + f" ({table})"
    )
    return setting


#: The immediate value of an ablative fractional plan is a lower bound (QA6 #19; docs/collagen.md section 7).
FRACTIONAL_ABLATIVE_IMMEDIATE_NOTE = (
    "immediate improvement: a lower bound for ablative fractional CO2: the model coagulates no collagen cuff around "
    "the ablated channels (histology shows one, Hantash et al. 2007), so it contracts less than non-ablative "
    "fractional 1550 nm at its preset; the later values come mostly from the fitted wound response "
    "(docs/collagen.md section 7)"
)


def _resurface_beside_referral(goal: str, person, devices: list[str] | None = None) -> bool:
    """Whether a laxity referral (grade 4) leaves resurfacing to plan (QA6 #10): the referral is about
    tightening (a facelift removes redundant skin; it does not treat photoaging), so an explicit
    ``resurface`` with photoaging to treat, or ``recommend`` with photoaging grade >= 2, is planned as
    resurfacing with the referral stated beside it; tightening (or recommend without photoaging) is referred."""
    if goal == "resurface":
        return goal_indicated("resurface", person)
    return goal == "recommend" and person.sun_exposure >= 2 and bool(candidate_devices("resurface", devices))


def _laxity_referral_note(referral: str, person) -> str:
    """The surgical referral for the laxity, stated beside a resurfacing plan (QA6 #10)."""
    return (
        f"{referral}; resurfacing is planned for the photoaging (grade {person.sun_exposure}), which a facelift "
        "does not treat (wrinkles, texture, dyschromia): it is commonly combined with or done after the lift; "
        "energy-based tightening is not offered for this laxity"
    )


def _no_topical_note(setting, request, option: dict) -> str | None:
    """Why ``--anesthetic auto`` planned no topical anaesthetic (QA9 #4), or None (a topical is planned, ``none`` was
    asked for, or the cream was dropped for the session limit, whose note says so).

    The auto rule (:func:`~laserskin.planning.optimise.lightest_anesthetic`) takes the lightest option whose
    *nominal* pain with the plan's cooling is within the planner's pain limit; the note gives that nominal pain and
    its band, the limit, whether the band's upper end is above it, and what the lightest topical would give (and the
    session it makes, its lead time included). (The fractional devices, whose published pain scores were measured
    with a topical, never get none on auto since QA16 #5: :func:`auto_minimum_topical`.)"""
    if request.anesthetic != "auto" or setting.anesthetic != "none" or option.get("anaesthetic_note"):
        return None
    cooling = (setting.cooling or {}).get("kind")
    band = _pain_bands(setting.summary, "none", cooling).get("with_plan")
    if not band:
        return None
    limit = planner_rules()["safety"]["pain_index_limit"]
    lightest = next(a for a in ANESTHETIC_ORDER if a != "none")
    topical = _pain_bands(setting.summary, lightest, cooling)["with_plan"]
    visits = option["visits"]
    _, minutes_topical, at_laser = session_timing(
        setting.laser, passes=setting.passes, area_m2=request.area_m2 / visits, anesthetic=lightest
    )

    def words(b):
        return f"{b[1]:.1f}/10 [{b[0]:.1f}-{b[2]:.1f}]"

    cooled = f"the plan's cooling ({cooling})" if cooling and cooling != "none" else "no cooling"
    text = (
        f"no topical anaesthetic (--anesthetic auto): the nominal pain with {cooled} is {words(band)}, within the "
        f"planner's pain limit {limit:g}/10 (the auto rule takes the lightest option, none first, whose nominal pain is "
        "within the limit)"
    )
    if band[2] > limit:
        text += f"; the band's upper end ({band[2]:.1f}) is above the limit"
    per_visit = " per visit" if visits > 1 else ""
    text += (
        f"; the lightest topical, {lightest}, would give {words(topical)}, with a {minutes_topical - at_laser:.0f}-min "
        f"lead time ({minutes_topical:.0f} min{per_visit} instead of {option['session_minutes']:.0f}, session limit "
        f"{option['limit_minutes']:g} min)"
    )
    return text + f"; to plan with a topical: --anesthetic {lightest}"


def auto_minimum_topical(device_class: str | None) -> str | None:
    """The lightest topical ``--anesthetic auto`` may choose for ``device_class``, or None (none first).

    * full-field ablative (``"ablative"``): the strongest topical (QA6 #14; Yun et al. 2002: topical alone is not
      sufficient for laser resurfacing);
    * fractional (``"fractional_ablative"``, ``"fractional_non_ablative"``): the cream of ``pain.toml``
      ``[auto_minimum_topical]`` (QA16 #5): every published pain score of these devices, the points the pain index
      and its cold-air factor were fitted on, was measured with a topical (Fisher et al. 2005; Tierney & Hanke
      2012), so a plan without one is outside the data of the index and not the practice of those studies;
    * other classes: None."""
    from laserskin.core.data import load_parameters

    if device_class == "ablative":
        cite("yun2002")
        return STRONGEST_TOPICAL
    minimum = load_parameters("pain").get("auto_minimum_topical", {}).get(device_class or "")
    if minimum is not None:
        cite("fisher2005_cold_air", "tierney2012_pain")
    return minimum


def _auto_anesthetic(summary: dict, cooling_kind: str | None, device_class: str | None = None) -> str:
    """``--anesthetic auto`` for a preset setting: the rule of the fluence-optimised devices
    (:func:`~laserskin.planning.optimise.lightest_anesthetic`: the lightest topical, none first, whose
    nominal pain with the plan's cooling is within the planner's pain limit) on the simulated pain, never lighter
    than the class's :func:`auto_minimum_topical`.

    Full-field ablative resurfacing (``device_class == "ablative"``) always gets the strongest topical
    (QA6 #14): topical anaesthesia alone is not sufficient for laser resurfacing (Yun et al. 2002), so the
    pain index — whose cold-air factor was fitted on fractional 1550 nm under an intact epidermis (Fisher
    2005), with no ablative data point — may not choose a lighter cream or none; nerve blocks or sedation
    are usual on top (:data:`ABLATIVE_ANAESTHESIA_NOTE`). Fractional devices get at least the topical their
    published pain scores were measured with (QA16 #5), then the lightest within the pain limit from it on (the
    creams' factors fall along :data:`~laserskin.planning.optimise.ANESTHETIC_ORDER`, so a cream lighter than the
    minimum within the limit leaves the minimum within it)."""
    minimum = auto_minimum_topical(device_class)
    if minimum == STRONGEST_TOPICAL:
        return STRONGEST_TOPICAL

    def pain_with(anesthetic: str) -> float:
        band = _pain_bands(summary, anesthetic, cooling_kind).get("with_plan")
        return math.inf if not band else band[1]

    chosen = lightest_anesthetic(pain_with)
    if minimum is not None and ANESTHETIC_ORDER.index(chosen) < ANESTHETIC_ORDER.index(minimum):
        return minimum
    return chosen


#: What the plan says next to a full-field ablative option's anaesthetic (QA6 #14, Yun et al. 2002).
ABLATIVE_ANAESTHESIA_NOTE = (
    "full-field ablative resurfacing: topical anaesthesia alone is not sufficient (Yun et al. 2002); the strongest "
    "topical is the minimum, and regional nerve blocks, tumescent/infiltration anaesthesia or sedation are usual on "
    "top; the pain index's cold-air factor was fitted on non-ablative fractional 1550 nm (Fisher 2005) and is not "
    "validated for an open wound"
)


#: ``pain.with_plan_category`` of a full-field ablative plan (QA16 #5: Er:YAG read "mild" beside "topical alone is not
#: sufficient"): the pain with the plan is the index times the topical's and the cold air's factors, both measured
#: under an intact epidermis, so no verbal band is given for it.
ABLATIVE_PAIN_CATEGORY = "not validated for an ablative wound"

#: ``pain.with_plan_note`` of a full-field ablative plan: why the band with the plan carries no verbal band.
ABLATIVE_PAIN_BAND_NOTE = (
    "pain with the plan not validated for an ablative wound: it is the pain index times the topical's factor and the "
    "cold-air factor, both measured under an intact epidermis (the cold-air factor on fractional 1550 nm, Fisher et "
    "al. 2005; no ablative data point), so no verbal band (mild/moderate/severe) is given for it; topical anaesthesia "
    "alone is not sufficient for laser resurfacing (Yun et al. 2002): regional nerve blocks, tumescent/infiltration "
    "anaesthesia or sedation are usual on top"
)


def _summary_with_anesthetic(summary: dict, anesthetic: str, cooling_kind: str | None) -> dict:
    """A run's summary (made without a topical) with ``anesthetic`` applied to its pain read-outs."""
    from laserskin.damage.pain import anesthetic_factor, pain_band

    out = dict(summary)
    out["anesthetic"] = anesthetic
    if out.get("pain_index") is not None:
        out["pain_index_with_anesthetic"] = float(out["pain_index"]) * anesthetic_factor(anesthetic)
        band = pain_band(out["pain_index"], anesthetic, cooling_kind)["with_plan"]
        out["pain_index_with_plan"] = None if band is None else float(band[1])
    return out


def _preset_setting(preset, person, request, verdict, counter, cache_dir, passes: int = 1):
    """:func:`_ablative_setting`, memoised in this process (:func:`~laserskin.planning.optimise.memoised`: a copy of
    the first run's setting, its work added to ``counter``). The key holds what that run reads: the person, the
    preset's content, the coverage cap, the cooling, the requested anaesthetic, the passes, the plan's area, photons
    and seed, the transport cache folder (and the planner's rules and constants, :func:`memo_key`)."""
    from laserskin.pipeline import simulation as simulation_module

    key = memo_key(
        "preset_setting",
        person=person,
        preset=preset,
        max_coverage=verdict.max_coverage,  # the only field of the verdict the run reads
        cooling=cooling_for(request, preset),
        anesthetic=request.anesthetic,
        passes=passes,
        area_m2=request.area_m2,
        photons=request.photons,
        seed=request.seed,
        cache_dir=cache_dir,
        simulation=simulation_module.Simulation,
        setting=_ablative_setting,
    )
    return memoised(
        key, lambda own, _screen: _ablative_setting(preset, person, request, verdict, own, cache_dir, passes), counter
    )


def _ablative_setting(preset, person, request, verdict, counter, cache_dir, passes: int = 1):
    """One Simulation.run() at the preset's settings (coverage capped), ``passes`` passes; summary → SettingResult."""
    from laserskin.pipeline.simulation import Simulation
    from laserskin.planning.optimise import SettingResult

    overrides = {}
    laser = preset.laser()
    if laser.is_fractional and verdict.max_coverage is not None and laser.fractional.coverage > verdict.max_coverage:
        overrides["fractional"] = {
            "microbeam_diameter": f"{laser.fractional.microbeam_diameter_m} m",
            "coverage": verdict.max_coverage,
        }
        laser = preset.laser(**overrides)
    from laserskin.treatment.protocol import Protocol

    cooling = cooling_for(request, preset)
    # on auto the run is made without a topical (the simulated tissue does not depend on it) and the
    # topical is chosen from its pain by the rule of the fluence-optimised devices (QA5 #14)
    anesthetic = "none" if request.anesthetic == "auto" else request.anesthetic
    sim = Simulation(
        person,
        laser,
        cooling,
        # the plan's area: with passes > 1 it sets the time between passes at a spot (QA8 #4: the class default,
        # 400 cm^2, was simulated and recorded)
        Protocol.model_validate({"anesthetic": anesthetic, "passes": passes, "treated_area": f"{request.area_m2} m^2"}),
        planning_settings(request.photons, request.seed, laser),
        cache_dir=cache_dir,
    )
    result = sim.run()
    counter.full_simulations += 1
    if request.anesthetic == "auto":
        anesthetic = _auto_anesthetic(result.summary, (cooling or {}).get("kind"), preset.device_class)
        if anesthetic != "none":
            sim.protocol = Protocol.model_validate(
                {"anesthetic": anesthetic, "passes": passes, "treated_area": f"{request.area_m2} m^2"}
            )
            result.summary = _summary_with_anesthetic(result.summary, anesthetic, (cooling or {}).get("kind"))
    energy = laser.pulse_energy_J  # a fractional laser's is the micro-beam's
    setting = SettingResult(
        device=preset.name,
        device_class=preset.device_class,
        laser=laser,
        cooling=cooling,
        passes=passes,
        energy_range_J=(energy, energy),
        safe_energy_J=energy,
        target_energy_J=None,
        blister_energy_J=None,
        binding=(
            "preset default setting (fractional: focal injury of the micro-zones by design; "
            f"thermal model {result.summary.get('thermal_model', 'linear')})"
            if preset.device_class == "fractional_non_ablative"
            else "preset default setting (ablative: epidermis removed by design)"
        ),
        feasible=True,
        anesthetic=anesthetic,
        simulation=sim,
        overrides=overrides,
        target_reached=False,
        target_verdict=(
            "not checked: it is the non-ablative criterion (Omega >= 1 dermal band under an intact epidermis); "
            "the outcome is predicted from the simulated injury by the healing model"
        ),
    )
    setting.passes_reason = "the preset's single pass"
    setting.summary = dict(result.summary)
    setting.supporting_result = result
    if preset.device_class == "fractional_non_ablative":  # the array in 3-D, as optimise.finalise adds it
        from laserskin.planning.fractional_array import fractional_array

        setting.summary["fractional_array"] = fractional_array(
            person,
            laser,
            cooling,
            passes=1,
            anesthetic=anesthetic,
            photons=min(request.photons, 20_000),
            seed=request.seed,
        ).as_dict()
    return setting
