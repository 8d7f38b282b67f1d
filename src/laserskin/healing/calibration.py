"""Calibration of the remodelling gains against published clinical outcomes.

Up to four gains are fitted (weighted least squares, deterministic):

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
  (−18 % at 3 months; Manstein et al. 2004). Fitted only when a rhytid target's course renews skin.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import Field, ValidationError
from scipy.optimize import least_squares

from laserskin.core.citations import cite
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

CITATIONS = ("alexiades2007", "manstein2004", "harris1999_eyelid")  # the four gains' anchors

MEASURES = ("laxity_improvement", "linear_shrinkage")
#: Measures on a clinical grade scale (Alexiades-Armenakas laxity or rhytid grade, % improvement):
#: the model maps linear contraction onto both with ``laxity_per_linear`` (Alexiades-Armenakas 2007
#: reports laxity −7.9/−11 % and rhytides −10.6/−11.7 % at 1/3 months for one bulk course); the
#: rhytid grade adds ``gain_renewal`` × the renewed superficial fraction.
GRADE_MEASURES = ("laxity_improvement", "rhytid_improvement")


class ReferenceCourse(InputModel):
    """A reference treatment course: the person and the per-session damage summaries."""

    description: str = ""
    age_years: Quantity("year", ge=18.0, le=100.0, bare_unit="year", display="year") = Field(alias="age")
    sun_exposure: float = Field(ge=0.0, le=3.0)
    sessions: tuple[SessionDose, ...] = Field(min_length=1)
    dermis_thickness_m: Quantity("m", gt=0.0, display="mm") | None = Field(default=None, alias="dermis_thickness")

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
        Sum of squared residuals.
    dof : int
        Number of targets minus the number of fitted gains.
    gain_wound : float
        % linear contraction per unit of open-wound exposure (0 when not fitted).
    gain_renewal : float
        Rhytid-grade improvement (%) per unit renewed fraction of the superficial layer (0 when not fitted).
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
    names: tuple[str, ...] = ("gain_neo", "laxity_per_linear", "gain_wound")

    def ranges(self, n_sigma: float = 2.0) -> dict[str, tuple[float, float]]:
        """Gain ranges ``exp(ln g ± n_sigma·SE)`` for the uncertainty band."""
        se = np.sqrt(np.diag(self.covariance_log))
        out = {}
        for name, s in zip(self.names, se):
            value = getattr(self, name)
            out[name] = (value * math.exp(-n_sigma * s), value * math.exp(n_sigma * s))
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Immediate (%), neo (fraction), wound (area-days) and renewal (fraction) components at each target's time."""
    immediate = np.empty(len(targets))
    neo = np.empty(len(targets))
    wound = np.empty(len(targets))
    renewal = np.empty(len(targets))
    by_course: dict[str, list[int]] = {}
    for j, target in enumerate(targets):
        if target.course not in reference_courses:
            raise InputError(
                f"targets[{j}].course",
                target.course,
                f"one of {sorted(reference_courses)}",
            )
        by_course.setdefault(target.course, []).append(j)
    for name, indices in by_course.items():
        course = reference_courses[name]
        times = [course.last_session_days + targets[j].months * MONTH_DAYS for j in indices]
        e, u, w, r = tightening_components(
            course.sessions,
            course.age_years,
            course.sun_exposure,
            times,
            parameters,
            course.dermis_thickness_m,
        )
        immediate[indices] = e
        neo[indices] = u
        wound[indices] = w
        renewal[indices] = r
    return immediate, neo, wound, renewal


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
) -> np.ndarray:
    """Model value (%) of each target's measure for given gains.

    Laxity grade ``min(κ·T, 100)``; rhytid grade ``min(κ·T + gain_renewal·R, 100)``; linear
    shrinkage ``T`` (T: tightening index, R: renewed fraction of the superficial layer).
    """
    linear = immediate + gain_neo * neo + (0.0 if wound is None else gain_wound * np.asarray(wound))
    grade = np.array([t.measure in GRADE_MEASURES for t in targets])
    rhytid = np.array([t.measure == "rhytid_improvement" for t in targets])
    texture = 0.0 if renewal is None else np.where(rhytid, gain_renewal * np.asarray(renewal), 0.0)
    return np.where(grade, np.minimum(laxity_per_linear * linear + texture, MAX_GRADE_IMPROVEMENT_PCT), linear)


def calibrate(
    reference_courses: Mapping[str, ReferenceCourse] | None = None,
    targets: Sequence[CalibrationTarget] | None = None,
    parameters: HealingParameters | None = None,
) -> CalibratedGains:
    """Fit ``gain_neo``, ``laxity_per_linear`` (and ``gain_wound``, ``gain_renewal`` where the
    targets determine them) to published outcomes.

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
    immediate, neo, wound, renewal = target_components(reference_courses, targets, parameters)
    value = np.array([t.value_pct for t in targets])
    sigma = np.array([t.sigma_pct for t in targets])
    is_lax = np.array([t.measure in GRADE_MEASURES for t in targets])
    is_rhytid = np.array([t.measure == "rhytid_improvement" for t in targets])
    if np.any(neo <= 0.0):
        raise InputError(
            "reference_courses",
            "no new collagen at a target time",
            "courses that injure the dermis",
        )
    has_wound = wound > 0.0
    fit_wound = bool(np.any(has_wound))
    renewed = is_rhytid & (renewal > 0.0)
    fit_renewal = bool(np.any(renewed))

    # closed-form start, one gain at a time: g_neo from geometric targets without open wounds,
    # kappa from grade targets without wounds or renewal, the renewal gain from rhytid targets
    # without wounds, then the wound gain from the wound targets given the others
    w = 1.0 / sigma**2
    geo = ~is_lax & ~has_wound
    if not np.any(geo):
        geo = ~is_lax
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
    c0 = 0.0
    if fit_wound:
        lin_w = immediate[has_wound] + g0 * neo[has_wound]
        texture = np.where(is_rhytid[has_wound], r0 * renewal[has_wound], 0.0)
        factor_w = np.where(is_lax[has_wound], k0, 1.0)
        c0 = max(float(np.mean(((value[has_wound] - texture) / factor_w - lin_w) / wound[has_wound])), 1e-6)

    names = ["gain_neo", "laxity_per_linear"] + ["gain_wound"] * fit_wound + ["gain_renewal"] * fit_renewal

    def gains(theta: np.ndarray) -> dict[str, float]:
        out = {"gain_wound": 0.0, "gain_renewal": 0.0}
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
        )

    def residuals(theta: np.ndarray) -> np.ndarray:
        return (model(theta) - value) / sigma

    start = {"gain_neo": g0, "laxity_per_linear": k0, "gain_wound": c0, "gain_renewal": r0}
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
    r = residuals(fit.x)
    return CalibratedGains(
        gain_neo=gd["gain_neo"],
        laxity_per_linear=gd["laxity_per_linear"],
        covariance_log=covariance,
        predictions_pct=model(fit.x),
        residuals=r,
        chi2=float(r @ r),
        dof=len(targets) - len(x0),
        gain_wound=gd["gain_wound"],
        gain_renewal=gd["gain_renewal"],
        names=tuple(names),
    )


@lru_cache(maxsize=1)
def calibrated_parameters() -> HealingParameters:
    """Shipped parameters with gains fitted by :func:`calibrate` to the shipped targets.

    Gain ranges for the uncertainty band are ±2 standard errors (log scale) of the fit.
    """
    parameters = load_parameters()
    gains = calibrate(load_reference_courses(), load_targets(), parameters)
    return parameters.with_gains(
        gains.gain_neo,
        gains.laxity_per_linear,
        gains.ranges(),
        gain_wound=gains.gain_wound,
        gain_renewal=gains.gain_renewal,
    )
