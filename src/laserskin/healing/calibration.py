"""Calibration of the remodelling gains against published clinical outcomes.

Up to five gains are fitted (weighted least squares, deterministic):

* ``gain_neo`` — % linear contraction per unit of new collagen (fraction of dermal
  collagen), anchored by the geometric shrinkage after fractional photothermolysis
  (2.1 % linear shrinkage at 3 months after 4 treatments; Manstein et al. 2004);
* ``laxity_per_linear`` — clinical laxity-score improvement per % of linear contraction,
  anchored by the 1310 nm non-ablative course (laxity −7.9 % at 1 month and −11 % at
  3 months; Alexiades-Armenakas 2007 J Drugs Dermatol 6:1096);
* ``gain_wound`` — % linear contraction per unit of open-wound exposure (area fraction ×
  days until re-epithelialisation), anchored by full-field pulsed CO2 resurfacing (persistent
  vertical shrinkage of the upper eyelid at 6 months; Fitzpatrick, Rostan & Marchell 2000
  Lasers Surg Med 27:395). Fitted only when a target's course has an open wound;
* ``gain_renewal`` — rhytid (wrinkle/texture) grade improvement per unit renewed fraction of the
  superficial layer (epidermis and photodamaged papillary dermis replaced by fractional zones or
  open wounds), anchored by ONE rhytid point: the wrinkle score after fractional photothermolysis
  (−18 % at 3 months; Manstein et al. 2004). Fitted only when a rhytid target's course renews skin;
* ``thermal_persistence`` — share of the immediate thermal collagen contraction of an ablative session
  that persists (the wound heals in the contracted state), anchored by ONE derived point: the difference
  CO2 − Er:YAG of the 6-month vertical shrinkage of contralateral upper eyelids (Fitzpatrick, Rostan &
  Marchell 2000, a study designed to separate thermal collagen contraction from wound contracture; the
  Er:YAG wound has almost no thermal contraction). Fitted only when a target is such a difference
  (``minus_course``): the CO2 level alone cannot determine it, because ``gain_wound`` is fitted on a
  CO2 course too (Harris 1999) and trades against it almost one for one.

Published outcomes not used in the fit are *held out* (``[[calibration.held_out]]``) and
compared with the model by the tests and the docs' calibration table.

The damage doses of the reference courses are the Simulation's output for the reference
clinical settings (``reference_courses.toml``), stored in ``reference_doses.toml`` by
:mod:`laserskin.tools.reference_courses` and checked against a fresh simulation by the
tests; the gains are fitted to them at first use, never hard-coded. Everything else (time constants, replacement ratio, ageing)
comes from the literature ranges in ``healing.toml``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import scipy.linalg
from pydantic import Field, ValidationError
from scipy.optimize import least_squares

from laserskin.core.citations import cached, cite
from laserskin.core.constants import MONTH_DAYS
from laserskin.core.data import load_parameters as load_parameter_file
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity
from laserskin.healing.dose import SessionDose
from laserskin.healing.model import MAX_GRADE_IMPROVEMENT_PCT, tightening_components
from laserskin.healing.parameters import (
    HealingParameters,
    healing_toml,
    load_parameters,
)

CITATIONS = ("alexiades2007", "manstein2004", "harris1999_eyelid", "fitzpatrick2000_tightening")  # the gains' anchors
#: Held-out outcomes and what their measures are (``instrument``): Tierney et al. 2011 (J Am Acad Dermatol 64:730)
#: shows that the group's "% improvement" is the decrease of a physician severity score, the same kind of measure as
#: the % decrease of the laxity/rhytid grade.
HELD_OUT_CITATIONS = (
    "alexiades2007",
    "hardaway2002",
    "chua2007_titan",
    "tierney2011_laxity",
    "tierney2009_neck",
    "tierney2011_eyelid",
    "fitzpatrick2000_tightening",
)

MEASURES = ("laxity_improvement", "linear_shrinkage")
#: Measures on a clinical grade scale (Alexiades-Armenakas laxity or rhytid grade, % improvement):
#: the model maps linear contraction onto both with ``laxity_per_linear`` (Alexiades-Armenakas 2007
#: reports laxity −7.9/−11 % and rhytides −10.6/−11.7 % at 1/3 months for one bulk course); the
#: rhytid grade adds ``gain_renewal`` × the renewed superficial fraction.
GRADE_MEASURES = ("laxity_improvement", "rhytid_improvement")


class ReferenceCourse(InputModel):
    """A reference treatment course: the person and the per-session damage summaries."""

    description: str = ""
    age_years: Annotated[float, Quantity("year", ge=18.0, le=100.0, bare_unit="year", display="year")] = Field(
        alias="age"
    )
    sun_exposure: float = Field(ge=0.0, le=3.0)
    sessions: tuple[SessionDose, ...] = Field(min_length=1)
    dermis_thickness_m: Annotated[float, Quantity("m", gt=0.0, display="mm")] | None = Field(
        default=None, alias="dermis_thickness"
    )

    @property
    def last_session_days(self) -> float:
        """Time of the last session, days."""
        return max(s.time_days for s in self.sessions)


class CalibrationTarget(InputModel):
    """A published outcome: value ± sigma (%) of a measure at a follow-up after the last session."""

    course: str
    measure: Literal["laxity_improvement", "rhytid_improvement", "linear_shrinkage"]
    months: float = Field(ge=0.0, le=60.0)
    value_pct: float
    sigma_pct: float = Field(gt=0.0)
    tag: str = "U"
    source: str = ""
    study: str = ""
    note: str = ""
    criterion: Literal["value", "at_least"] = "value"
    minus_course: str = ""
    """If set, the target is the difference course − minus_course of a ``linear_shrinkage`` (a contrast)."""
    instrument: str = ""
    """What the study measured (its scale or physical quantity), as opposed to ``measure``, the model quantity
    it is compared with: e.g. a physician severity score's % decrease vs the laxity grade's."""


@dataclass(frozen=True)
class CalibratedGains:
    """Result of :func:`calibrate`.

    Attributes
    ----------
    gain_neo : float
        % linear contraction per unit of new collagen (fraction of dermal collagen).
    laxity_per_linear : float
        Laxity-score improvement (%) per % linear contraction.
    covariance_log : ndarray (n, n)
        Covariance of (ln gain_neo, ln laxity_per_linear[, ln gain_wound]) from the target sigmas.
    predictions_pct : ndarray
        Fitted model value of each target, %.
    residuals : ndarray
        (prediction − value)/sigma per target.
    chi2 : float
        Generalised χ² (residuals whitened with :func:`target_covariance`; the sum of squared
        ``residuals`` when the targets are independent).
    dof : int
        Number of targets minus the number of fitted gains.
    gain_wound : float
        % linear contraction per unit of open-wound exposure (0 when not fitted).
    gain_renewal : float
        Rhytid-grade improvement (%) per unit renewed fraction of the superficial layer (0 when not fitted).
    thermal_persistence : float
        Persistent share of the immediate thermal contraction of ablative sessions (the given value when
        not fitted).
    names : tuple of str
        The fitted gains, in the order of ``covariance_log``.
    """

    gain_neo: float
    laxity_per_linear: float
    covariance_log: np.ndarray
    predictions_pct: np.ndarray
    residuals: np.ndarray
    chi2: float
    dof: int
    gain_wound: float = 0.0
    gain_renewal: float = 0.0
    thermal_persistence: float = 0.0
    names: tuple[str, ...] = ("gain_neo", "laxity_per_linear", "gain_wound")

    def ranges(self, n_sigma: float = 2.0) -> dict[str, tuple[float, float]]:
        """Gain ranges ``exp(ln g ± n_sigma·SE)`` for the uncertainty band (a share is capped at 1)."""
        se = np.sqrt(np.diag(self.covariance_log))
        out = {}
        for name, s in zip(self.names, se):
            value = getattr(self, name)
            high = value * math.exp(n_sigma * s)
            out[name] = (value * math.exp(-n_sigma * s), min(high, 1.0) if name == "thermal_persistence" else high)
        return out


def load_reference_courses(table: Mapping | None = None) -> dict[str, ReferenceCourse]:
    """Reference courses (or a given table).

    By default: the cohort of ``healing.toml`` ``[reference_courses]`` with the per-session
    doses that the Simulation produced for the reference settings
    (``reference_doses.toml``, written by :mod:`laserskin.tools.reference_courses`).
    """
    if table is None:
        doses = load_parameter_file("reference_doses")
        table = {
            name: {**entry, "sessions": doses[name]} for name, entry in healing_toml()["reference_courses"].items()
        }
    try:
        return {name: ReferenceCourse(**entry) for name, entry in table.items()}
    except ValidationError as error:
        raise InputError.from_validation(error, "reference_courses") from None


def load_held_out(entries: Sequence[Mapping] | None = None) -> list[CalibrationTarget]:
    """Held-out published outcomes (``healing.toml`` ``[[calibration.held_out]]``): checked, not fitted."""
    cite(*HELD_OUT_CITATIONS)
    return load_targets(healing_toml()["calibration"].get("held_out", []) if entries is None else entries)


def load_targets(entries: Sequence[Mapping] | None = None) -> list[CalibrationTarget]:
    """Calibration targets from ``healing.toml`` ``[[calibration.targets]]`` (or given entries)."""
    entries = healing_toml()["calibration"]["targets"] if entries is None else entries
    try:
        return [CalibrationTarget(**entry) for entry in entries]
    except ValidationError as error:
        raise InputError.from_validation(error, "calibration.targets") from None


def target_components(
    reference_courses: Mapping[str, ReferenceCourse],
    targets: Sequence[CalibrationTarget],
    parameters: HealingParameters,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Immediate (%), neo (fraction), wound (area-days), renewal (fraction) and persistent (% per unit share)
    components at each target's time; for a difference target (``minus_course``) course minus minus_course."""
    parts = np.zeros((5, len(targets)))
    by_course: dict[str, list[tuple[int, float]]] = {}
    for j, target in enumerate(targets):
        for key, name, sign in (("course", target.course, 1.0), ("minus_course", target.minus_course, -1.0)):
            if key == "minus_course" and not name:
                continue
            if name not in reference_courses:
                raise InputError(f"targets[{j}].{key}", name, f"one of {sorted(reference_courses)}")
            by_course.setdefault(name, []).append((j, sign))
    for name, entries in by_course.items():
        course = reference_courses[name]
        times = [course.last_session_days + targets[j].months * MONTH_DAYS for j, _ in entries]
        components = tightening_components(
            course.sessions,
            course.age_years,
            course.sun_exposure,
            times,
            parameters,
            course.dermis_thickness_m,
        )
        for k, values in enumerate(components):
            for (j, sign), value in zip(entries, values):
                parts[k, j] += sign * value
    # the five rows (views, as tuple(parts) gave them), spelled out so that mypy sees five
    return parts[0], parts[1], parts[2], parts[3], parts[4]


def predict(
    gain_neo: float,
    laxity_per_linear: float,
    targets: Sequence[CalibrationTarget],
    immediate: np.ndarray,
    neo: np.ndarray,
    wound: np.ndarray | None = None,
    gain_wound: float = 0.0,
    renewal: np.ndarray | None = None,
    gain_renewal: float = 0.0,
    persistent: np.ndarray | None = None,
    thermal_persistence: float = 0.0,
) -> np.ndarray:
    """Model value (%) of each target's measure for given gains.

    Laxity grade ``min(κ·T, 100)``; rhytid grade ``min(κ·T + gain_renewal·R, 100)``; linear
    shrinkage ``T`` (T: tightening index, R: renewed fraction of the superficial layer). ``immediate``
    is the relaxing contraction without persistence; ``persistent`` (from :func:`target_components`)
    times ``thermal_persistence`` adds the kept share.
    """
    linear = immediate + gain_neo * neo + (0.0 if wound is None else gain_wound * np.asarray(wound))
    linear = linear + (0.0 if persistent is None else thermal_persistence * np.asarray(persistent))
    grade = np.array([t.measure in GRADE_MEASURES for t in targets])
    rhytid = np.array([t.measure == "rhytid_improvement" for t in targets])
    texture = 0.0 if renewal is None else np.where(rhytid, gain_renewal * np.asarray(renewal), 0.0)
    return np.where(grade, np.minimum(laxity_per_linear * linear + texture, MAX_GRADE_IMPROVEMENT_PCT), linear)


def target_covariance(targets: Sequence[CalibrationTarget]) -> np.ndarray:
    """Covariance (%²) of the published target values.

    Diagonal ``sigma²``, except where a level target and a difference target (``minus_course``) of the
    same study at the same follow-up share an arm: the level of course X and the difference X − Y
    share X's error, ``Cov = +sigma_X²``; the level of Y and X − Y share Y's error, ``Cov = −sigma_Y²``
    (the level's sigma is that arm's). Fitting both with this covariance is the same as fitting the two
    arms as independent levels; with a diagonal covariance the shared arm would count twice.
    """
    sigma = np.array([t.sigma_pct for t in targets])
    cov = np.diag(sigma**2)
    for i, level in enumerate(targets):
        if level.minus_course or not level.study:
            continue
        for j, diff in enumerate(targets):
            if not diff.minus_course or diff.study != level.study or diff.months != level.months:
                continue
            if diff.measure != level.measure:
                continue
            sign = 1.0 if level.course == diff.course else (-1.0 if level.course == diff.minus_course else 0.0)
            cov[i, j] = cov[j, i] = sign * sigma[i] ** 2
    return cov


def calibrate(
    reference_courses: Mapping[str, ReferenceCourse] | None = None,
    targets: Sequence[CalibrationTarget] | None = None,
    parameters: HealingParameters | None = None,
) -> CalibratedGains:
    """Fit ``gain_neo``, ``laxity_per_linear`` (and ``gain_wound``, ``gain_renewal``,
    ``thermal_persistence`` where the targets determine them) to published outcomes.

    Minimises ``Σ ((model_j − value_j)/sigma_j)²`` over the logarithms of the gains
    (so all stay positive) with :func:`scipy.optimize.least_squares` from a closed-form
    starting point; deterministic. The model is linear in ``gain_neo`` for geometric
    targets and bilinear for laxity targets, so the fit is well posed when there is at
    least one target of each measure.

    Parameters
    ----------
    reference_courses : mapping of str -> ReferenceCourse, optional
        Default: ``healing.toml`` ``[reference_courses]``.
    targets : sequence of CalibrationTarget, optional
        Default: ``healing.toml`` ``[[calibration.targets]]``.
    parameters : HealingParameters, optional
        Non-gain parameters; default :func:`load_parameters`.

    Returns
    -------
    CalibratedGains
        Gains, their log-covariance, residuals and χ².
    """
    cite(*CITATIONS)
    reference_courses = load_reference_courses() if reference_courses is None else reference_courses
    targets = load_targets() if targets is None else list(targets)
    parameters = load_parameters() if parameters is None else parameters
    measures = {"laxity_improvement" if t.measure in GRADE_MEASURES else t.measure for t in targets}
    if measures != set(MEASURES):
        raise InputError(
            "targets",
            sorted(measures),
            f"at least one target of each measure {MEASURES}",
        )
    for j, t in enumerate(targets):
        if t.minus_course and t.measure != "linear_shrinkage":
            raise InputError(f"targets[{j}].minus_course", t.minus_course, "only for a linear_shrinkage target")
    immediate, neo, wound, renewal, persistent = target_components(reference_courses, targets, parameters)
    value = np.array([t.value_pct for t in targets])
    sigma = np.array([t.sigma_pct for t in targets])
    is_lax = np.array([t.measure in GRADE_MEASURES for t in targets])
    is_rhytid = np.array([t.measure == "rhytid_improvement" for t in targets])
    is_diff = np.array([bool(t.minus_course) for t in targets])
    if np.any(neo[~is_diff] <= 0.0):
        raise InputError(
            "reference_courses",
            "no new collagen at a target time",
            "courses that injure the dermis",
        )
    has_wound = (wound > 0.0) & ~is_diff
    fit_wound = bool(np.any(has_wound))
    # the persistent share is determined only by a contrast of two ablative courses with different
    # thermal contraction (a level alone trades against gain_wound)
    fit_persistence = bool(np.any(is_diff & (persistent != 0.0)))
    renewed = is_rhytid & (renewal > 0.0)
    fit_renewal = bool(np.any(renewed))

    # closed-form start, one gain at a time: g_neo from geometric targets without open wounds,
    # kappa from grade targets without wounds or renewal, the renewal gain from rhytid targets
    # without wounds, then the wound gain from the wound targets given the others
    w = 1.0 / sigma**2
    geo = ~is_lax & ~has_wound & ~is_diff
    if not np.any(geo):
        geo = ~is_lax & ~is_diff
    g0 = np.sum(w[geo] * neo[geo] * (value[geo] - immediate[geo])) / np.sum(w[geo] * neo[geo] ** 2)
    g0 = max(g0, 1e-6)
    plain = is_lax & ~renewed & ~has_wound
    plain = plain if np.any(plain) else is_lax
    lin = immediate[plain] + g0 * neo[plain]
    k0 = max(np.sum(w[plain] * lin * value[plain]) / np.sum(w[plain] * lin**2), 1e-6)
    r0 = 0.0
    if fit_renewal:
        only = renewed & ~has_wound
        only = only if np.any(only) else renewed
        lin_r = k0 * (immediate[only] + g0 * neo[only])
        r0 = max(float(np.mean((value[only] - lin_r) / renewal[only])), 1e-6)
    c0, p0 = 0.0, parameters.thermal_persistence
    if fit_wound or fit_persistence:
        # wound gain and persistent share together (linear in both): the linear contraction left to explain
        rows = has_wound | (is_diff & (persistent != 0.0))
        texture = np.where(is_rhytid[rows], r0 * renewal[rows], 0.0)
        factor = np.where(is_lax[rows], k0, 1.0)
        rest = (value[rows] - texture) / factor - immediate[rows] - g0 * neo[rows]
        if fit_wound and fit_persistence:
            c0, p0 = np.linalg.lstsq(np.column_stack([wound[rows], persistent[rows]]), rest, rcond=None)[0]
        elif fit_wound:
            c0 = float(np.mean((rest - p0 * persistent[rows]) / wound[rows]))
        else:
            p0 = float(np.mean((rest - c0 * wound[rows]) / persistent[rows]))
        c0, p0 = max(float(c0), 1e-6), min(max(float(p0), 1e-3), 1.0)

    names = (
        ["gain_neo", "laxity_per_linear"]
        + ["gain_wound"] * fit_wound
        + ["gain_renewal"] * fit_renewal
        + ["thermal_persistence"] * fit_persistence
    )

    def gains(theta: np.ndarray) -> dict[str, float]:
        out = {"gain_wound": 0.0, "gain_renewal": 0.0, "thermal_persistence": parameters.thermal_persistence}
        out.update({name: math.exp(t) for name, t in zip(names, theta)})
        return out

    def model(theta: np.ndarray) -> np.ndarray:
        gd = gains(theta)
        return predict(
            gd["gain_neo"],
            gd["laxity_per_linear"],
            targets,
            immediate,
            neo,
            wound,
            gd["gain_wound"],
            renewal,
            gd["gain_renewal"],
            persistent,
            gd["thermal_persistence"],
        )

    # generalised least squares: whiten with the Cholesky factor of the targets' covariance (diagonal
    # unless a level and a difference of the same study share an arm, target_covariance)
    try:
        chol = np.linalg.cholesky(target_covariance(targets))
    except np.linalg.LinAlgError:
        raise InputError(
            "targets",
            "a difference target with a sigma below its shared arm's",
            "a difference sigma >= the sigma of each level it shares an arm with",
        ) from None

    def residuals(theta: np.ndarray) -> np.ndarray:
        return scipy.linalg.solve_triangular(chol, model(theta) - value, lower=True)

    start = {"gain_neo": g0, "laxity_per_linear": k0, "gain_wound": c0, "gain_renewal": r0, "thermal_persistence": p0}
    x0 = np.log([start[name] for name in names])
    fit = least_squares(residuals, x0=x0, method="lm", xtol=1e-14, ftol=1e-14, gtol=1e-14)
    jac = fit.jac
    try:
        covariance = np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:
        raise InputError(
            "targets",
            f"gains {dict(zip(names, np.exp(fit.x).round(6)))}",
            "targets that determine every fitted gain (one went to 0: the others already explain its targets)",
        ) from None
    gd = gains(fit.x)
    if gd["thermal_persistence"] > 1.0:
        raise InputError(
            "targets",
            f"thermal_persistence {gd['thermal_persistence']:.3f}",
            "targets consistent with a persistent share of the thermal contraction <= 1",
        )
    r = residuals(fit.x)  # whitened: chi2 = r.r
    return CalibratedGains(
        gain_neo=gd["gain_neo"],
        laxity_per_linear=gd["laxity_per_linear"],
        covariance_log=covariance,
        predictions_pct=model(fit.x),
        residuals=(model(fit.x) - value) / sigma,
        chi2=float(r @ r),
        dof=len(targets) - len(x0),
        gain_wound=gd["gain_wound"],
        gain_renewal=gd["gain_renewal"],
        thermal_persistence=gd["thermal_persistence"],
        names=tuple(names),
    )


def calibrated_parameters() -> HealingParameters:
    """Shipped parameters with gains fitted by :func:`calibrate` to the shipped targets.

    The uncertainty band samples the gains jointly from the fit (``joint_names``, ``joint_covariance_log``:
    normal on the log scale with the fit's covariance, :mod:`laserskin.healing.uncertainty`); their
    ``ranges`` are the ±2 standard errors (log scale) the docs quote. The fit runs once per process; its sources
    are recorded on every use (:func:`~laserskin.core.citations.cached`), so a second plan in a process lists the
    same works as the first.
    """
    return _calibrated_parameters()


@cached(maxsize=1)
def _calibrated_parameters() -> HealingParameters:
    parameters = load_parameters()
    gains = calibrate(load_reference_courses(), load_targets(), parameters)
    return parameters.with_gains(
        gains.gain_neo,
        gains.laxity_per_linear,
        gains.ranges(),
        gain_wound=gains.gain_wound,
        gain_renewal=gains.gain_renewal,
        thermal_persistence=gains.thermal_persistence,
        joint_names=gains.names,
        joint_covariance_log=gains.covariance_log,
    )


#: What each role of a published point means in :func:`device_evidence`.
EVIDENCE_ROLES = {
    "fitted": "a calibration target (healing.toml [[calibration.targets]]): the gains are fitted to it",
    "held out": "a held-out outcome (healing.toml [[calibration.held_out]]), or an arm derived from a held-out level "
    "and a fitted difference of the same study: checked, never fitted",
}


def _course_setting(entry: Mapping) -> str:
    """A one-line summary of a reference course's settings (``reference_courses.toml``)."""
    laser = dict(entry.get("laser", {}))
    device = laser.pop("device", "?")
    days = list(entry.get("session_days", []))
    settings = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in laser.items()) or "preset"
    parts = [f"{device} ({settings})"]
    passes = (entry.get("protocol") or {}).get("passes")
    if passes:
        parts.append(f"{passes} passes")
    if days:
        parts.append(
            f"{len(days)} session"
            + ("s" if len(days) > 1 else "")
            + (f" (days {', '.join(str(d) for d in days)})" if len(days) > 1 else "")
        )
    site = (entry.get("person") or {}).get("site")
    if site:
        parts.append(str(site))
    return "; ".join(parts)


def _study_of(source: str) -> str:
    """The study a source string starts with (its authors and year: "Alexiades-Armenakas 2007 J Drugs ..." gives
    "Alexiades-Armenakas 2007"); the source's first clause if it names no year."""
    match = re.match(r"^(.+?\b(?:19|20)\d\d)\b", source)
    return match.group(1) if match else source.split(":")[0]


def _derived_arms(
    fitted: Sequence[CalibrationTarget], held_out: Sequence[CalibrationTarget]
) -> list[tuple[CalibrationTarget, str]]:
    """Arms of a two-arm study that the stored points imply but do not list: a difference ``X − Y`` and a level of one
    arm (same study, measure and follow-up) give the other arm's level, value ``level ∓ difference`` and sigma
    ``sqrt(sigma_difference² − sigma_level²)`` (the difference's sigma is the two arms' in quadrature). The Er:YAG arm
    of Fitzpatrick et al. 2000 (10 ± 5.04 %: the held-out CO2 level 25 ± 10 minus the fitted CO2 − Er:YAG difference
    15 ± 11.2) is such an arm, checked by ``test_the_er_yag_arm_of_fitzpatrick_2000``. Each comes with a note saying
    how it was derived."""
    out = []
    for diff in [*fitted, *held_out]:
        if not diff.minus_course:
            continue
        for level in [*fitted, *held_out]:
            if level.minus_course or level.study != diff.study or level.measure != diff.measure:
                continue
            if level.months != diff.months or level.sigma_pct >= diff.sigma_pct:
                continue
            if level.course == diff.course:
                course, value = diff.minus_course, level.value_pct - diff.value_pct
            elif level.course == diff.minus_course:
                course, value = diff.course, level.value_pct + diff.value_pct
            else:
                continue
            arm = diff.model_copy(
                update=dict(
                    course=course,
                    minus_course="",
                    value_pct=value,
                    sigma_pct=math.sqrt(diff.sigma_pct**2 - level.sigma_pct**2),
                )
            )
            note = (
                f"derived: the {level.course} level ({level.value_pct:g} ± {level.sigma_pct:g} %) and the "
                f"{diff.course} − {diff.minus_course} difference ({diff.value_pct:g} ± {diff.sigma_pct:g} %) of the "
                "same study; not independent of them"
            )
            out.append((arm, note))
    return out


@cached(maxsize=64)  # one entry per device preset
def _device_evidence(device: str) -> tuple[dict, ...]:
    courses = load_reference_courses()
    settings = load_parameter_file("reference_courses")
    device_of = {name: (entry.get("laser") or {}).get("device") for name, entry in settings.items()}
    fitted, held_out = load_targets(), load_held_out()
    candidates: list[tuple[CalibrationTarget, str, str]] = [(t, "fitted", "") for t in fitted]
    candidates += [(t, "held out", "") for t in held_out]
    candidates += [(t, "held out", note) for t, note in _derived_arms(fitted, held_out)]
    chosen = [
        (t, role, note)
        for t, role, note in candidates
        if device_of.get(t.course) == device or (t.minus_course and device_of.get(t.minus_course) == device)
    ]
    if not chosen:
        return ()
    # the model value at the calibrated gains, as calibrate() and the validation tests compute it
    params = calibrated_parameters()
    targets = [t for t, _, _ in chosen]
    immediate, neo, wound, renewal, persistent = target_components(courses, targets, params)
    model = predict(
        params.gain_neo,
        params.laxity_per_linear,
        targets,
        immediate,
        neo,
        wound,
        params.gain_wound,
        renewal,
        params.gain_renewal,
        persistent,
        params.thermal_persistence,
    )
    out = []
    for (t, role, note), value in zip(chosen, model):
        names = [t.course, *([t.minus_course] if t.minus_course else [])]
        out.append(
            {
                "study": t.study or _study_of(t.source),
                "measure": t.measure,
                "instrument": t.instrument or None,
                "months": t.months,
                "value_pct": t.value_pct,
                "sigma_pct": t.sigma_pct,
                "criterion": t.criterion,
                "model_pct": float(value),
                "z": float((value - t.value_pct) / t.sigma_pct) + 0.0,  # no -0.0
                "role": role,
                "course": t.course,
                "minus_course": t.minus_course or None,
                "difference": bool(t.minus_course),
                "derived": note or None,
                "setting": " − ".join(_course_setting(settings[n]) for n in names if n in settings) or None,
                "source": t.source,
            }
        )
    return tuple(out)


def device_evidence(device: str) -> list[dict]:
    """The published outcomes of the calibration whose reference course uses ``device``, each with the model's value.

    Sources: ``healing.toml`` ``[[calibration.targets]]`` (role ``"fitted"``) and ``[[calibration.held_out]]`` (role
    ``"held out"``), their courses' settings in ``reference_courses.toml`` (``laser.device``) and their doses in
    ``reference_doses.toml`` (:func:`load_reference_courses`). A difference target (``minus_course``: course −
    minus_course) is included when either course uses the device (``difference`` true); an arm that a difference and a
    level of the same study imply (the Er:YAG arm of Fitzpatrick et al. 2000) is included as a held-out point with a
    ``derived`` note (:func:`_derived_arms`). The model value is that of the validation tests
    (tests/validation/test_healing_calibration.py): :func:`target_components` and :func:`predict` at
    :func:`calibrated_parameters`, the nominal (mid) value; ``z = (model − published) / sigma``.

    Parameters
    ----------
    device : str
        A device preset name (``laserskin devices``).

    Returns
    -------
    list of dict
        One dict per point: ``study``, ``measure`` (the model quantity compared), ``instrument`` (what the study
        measured), ``months``, ``value_pct``, ``sigma_pct``, ``criterion`` (``"value"``, or ``"at_least"``: the value
        is a lower bound), ``model_pct``, ``z``, ``role``, ``course``, ``minus_course``, ``difference``, ``derived``,
        ``setting`` (the course's settings, one line) and ``source``; fitted points first. Empty when no reference
        course uses the device. Cached: it depends only on the data files; each call returns fresh copies.
    """
    return [dict(point) for point in _device_evidence(device)]
