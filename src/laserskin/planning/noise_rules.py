"""Noise-aware threshold decisions of the planner: the minimum-benefit cut and the pigment-risk level (QA6 #23, issue 10 item 4: a discrete choice must not follow the seed).

The predicted 6-month improvement is a Monte Carlo estimate: the blister band (the fluence the plan runs at) and the
dermal injury read at that fluence (the healing dose) both come from the photon tally, and the dose is steep in the
fluence. Measured (QA6 #23: 20 M type VI abdomen, laxity 1, smoothbeam_1450, 20 000 photons): month-6
nominal 6.07, 9.73, 9.02, 8.28 % for seeds 1-4 (mean 8.3 %, relative standard deviation 19 %) while the fluence moved
only 11.92-12.16 J/cm^2 (2 %) (QA6 report); on main of 06:55 UTC seeds 1-5: 8.20, 11.03, 8.94, 9.78, 12.36 %
(relative standard deviation 17 %) at 12.09-12.44 J/cm^2 (2.9 %): log(month-6) vs log(fluence) has slope 14.0 and a
3.5 % residual, i.e. the fluence's own spread (1.15 %) times the dose curve's steepness is the source; the issue-10 cheek person (52 F type IV): 9.4-14.3 % over seeds 1-5
(:data:`laserskin.planning.plan.DEVICE_TIE_TOLERANCE` takes the same 20 % spread for device ties).
:data:`MONTH6_MC_RELATIVE_ERROR` takes 0.2 at :data:`REFERENCE_PHOTONS`, scaled as 1/sqrt(photons) (a tally's error).

Rule: the nominal n is compared with :data:`~laserskin.planning.sessions.MIN_EXPECTED_IMPROVEMENT_PCT` c within
k = :data:`~laserskin.damage.injury.READOUT_COVERAGE` Monte Carlo errors: ``"below"`` when n (1 + k s) < c (the
option is not offered: below the cut even at the top of its Monte Carlo error), ``"within"`` when n (1 - k s) < c <=
n (1 + k s) (offered, and the plan says that its benefit is within the Monte Carlo error of the cut), ``"above"``
otherwise. A seed moves n by ~s, so a decision flips only for an option whose nominal lies ~k s from c (3.6 % here,
where n (1 + k s) = c), not for one that sits on the cut.
"""

from __future__ import annotations

import math

from laserskin.core.errors import InputError
from laserskin.damage.injury import READOUT_COVERAGE
from laserskin.planning.sessions import MIN_EXPECTED_IMPROVEMENT_PCT

__all__ = [
    "MONTH6_MC_RELATIVE_ERROR",
    "REFERENCE_PHOTONS",
    "benefit_verdict",
    "epidermal_grade_keys",
    "month6_relative_error",
    "pigment_risk_keys",
]

#: Relative Monte Carlo standard error of the month-6 nominal improvement at :data:`REFERENCE_PHOTONS` (see module).
MONTH6_MC_RELATIVE_ERROR = 0.2
#: Photons of the measurement behind :data:`MONTH6_MC_RELATIVE_ERROR` (the plan default).
REFERENCE_PHOTONS = 20_000


def month6_relative_error(photons: int) -> float:
    """Relative Monte Carlo error of the month-6 nominal at ``photons``: 0.2 x sqrt(20 000 / photons)."""
    if not photons > 0:
        raise InputError("photons", photons, "a photon count > 0")
    return MONTH6_MC_RELATIVE_ERROR * math.sqrt(REFERENCE_PHOTONS / photons)


def benefit_verdict(
    nominal_pct: float,
    photons: int = REFERENCE_PHOTONS,
    *,
    cut_pct: float = MIN_EXPECTED_IMPROVEMENT_PCT,
    coverage: float = READOUT_COVERAGE,
) -> str:
    """``"below"`` | ``"within"`` | ``"above"``: the month-6 nominal against the cut within ``coverage`` Monte Carlo
    errors (module docstring)."""
    step = coverage * month6_relative_error(photons)
    if nominal_pct * (1.0 + step) < cut_pct:
        return "below"
    if nominal_pct * (1.0 - step) < cut_pct:
        return "within"
    return "above"


def pigment_risk_keys(simulation, response, outcome, injury) -> dict:
    """``{"pigment_risk", "pigment_risk_beyond_error", "peak_basal_temperature_band_C"}`` of a planner setting: the
    rule of :func:`laserskin.pipeline.summary.pigment_risk_bounds` (the points rule at the upper Monte Carlo bounds of
    the basal exposure of the axis read-out, the level established beyond the error beside it; ``laserskin simulate``
    states the same), with the setting's
    :class:`~laserskin.damage.injury.EpidermalInjury` ``injury`` (its worst-column basal values). ``{}`` for a run
    without read-out regions (no Monte Carlo error estimated: the nominal level stands)."""
    from laserskin.pipeline.summary import pigment_risk_bounds

    return pigment_risk_bounds(simulation, response, outcome, injury)


def epidermal_grade_keys(simulation, response, outcome, injury) -> dict:
    """``{"epidermal_injury", "epidermal_injury_beyond_error", "epidermal_omega_band"}`` of a planner setting: the rule
    of :func:`laserskin.pipeline.summary.epidermal_grade_bounds` (the grade at the upper Monte Carlo bound of the basal
    Ω of the axis read-out, the gravest grade the error cannot exclude, with the grade established beyond the error
    beside it), as ``laserskin simulate`` states it. The bounds scale the setting's ``injury`` (its basal Ω of all
    passes) by the bound-to-nominal ratio, so the planner's passes x Ω carries over. ``{}`` for a run without
    read-out regions (the nominal grade stands)."""
    from laserskin.pipeline.summary import epidermal_grade_bounds

    return epidermal_grade_bounds(simulation, response, outcome, injury)
