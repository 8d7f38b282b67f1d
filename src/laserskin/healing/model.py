"""Healing model: wound healing and neocollagenesis over days to months, for one or several sessions.

A reduced, linear compartment model adapted from the wound-healing ODEs of Segal,
Diegelmann, Ward & Reynolds (2012, Bull Math Biol, doi:10.1007/s11538-012-9751-z):
inflammation ``I`` drives fibroblast activation ``F``, activated fibroblasts synthesise
immature collagen ``Y`` that matures into ``M``, and thermally denatured collagen ``D``
is resorbed. Pathogens and the logistic fibroblast growth of Segal et al. are dropped
(clean laser wounds); the fibroblast capacity limit is kept as a per-session saturation
of the wound stimulus. Time constants follow the published time course of laser wounds
(physics_data §8): re-epithelialisation of fractional zones within ~1 day (Manstein
et al. 2004; Stumpp et al. 2009), fibroblast activation (HSP47) from day 7 to > 3 months
(Hantash et al. 2007), open (ablative) wounds contract while they heal (wound contracture,
Fitzpatrick, Rostan & Marchell 2000), a share of the immediate thermal collagen contraction of an
ablative session persists because the wound heals in the contracted state (the hypothesis Fitzpatrick
et al. 2000 tested with CO2 vs Er:YAG; in live pig skin immediate and final contraction of CO2 wounds
rise with the residual thermal damage, Ross et al. 2000; heat-shrunk collagen recovers only partly at
37 degC, Chen, Wright & Humphrey 1998), new collagen visible from 6 weeks and rising to 6–12 months (CO2
resurfacing histology, Plast Reconstr Surg 1999; Borges et al. 2020). The rhytid (wrinkle/texture)
grade adds superficial renewal to the dermal response: fractional zones that breach the epidermis
(extruded as MENDs and replaced within days, Manstein et al. 2004) and open ablative wounds replace
the epidermis and the photodamaged superficial dermis (solar elastosis and disorganised collagen,
Paithankar et al. 2003) in proportion to their area and depth (rhytid improvement grows with
fractional CO2 energy and density, J Cosmet Laser Ther 2009;11:190). Untreated dermal
collagen falls by about 1 %/yr (Shuster, Black & McVitie 1975); older patients respond
less (Varani et al. 2006; Gosain & DiPietro 2004).

All collagen amounts are fractions of the person's full-thickness dermal collagen at
the start of the course (per unit skin area). Between sessions the system is linear with
constant coefficients, so it is propagated exactly with matrix exponentials (stiff-safe,
no step-size control); sessions are jumps. See ``docs/healing.md`` for the equations,
the calibration and the uncertainty band.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import scipy.linalg
from pydantic import ValidationError

from laserskin.core.citations import cite
from laserskin.core.constants import DAY_S, YEAR_S
from laserskin.core.errors import InputError
from laserskin.healing.dose import SessionDose, _check_age, _check_sun, _is_number
from laserskin.healing.parameters import _NOT_PARAMETERS, HealingParameters, load_parameters
from laserskin.healing.result import HealingResult
from laserskin.healing.uncertainty import DEFAULT_BAND_SAMPLES, band, parameter_arrays

__all__ = [
    "STATE_NAMES",
    "baseline_collagen_relative",
    "reepithelialization_days",
    "simulate_course",
    "tightening_components",
]

CITATIONS = (
    "segal2012",
    "manstein2004",
    "stumpp2009",
    "hantash2007_invivo",
    "prs1999",
    "borges2020",
    "shuster1975",
    "varani2006",
    "gosain2004",
    "fisher2002",
    "fitzpatrick2000_tightening",
    "paithankar2003",
    "jclt2009_fractional_co2_histology",
    "ross2000_pig_contraction",
    "chen_wright_humphrey1998",
)


#: Upper bound of a clinical grade improvement, % (the whole grade).
MAX_GRADE_IMPROVEMENT_PCT = 100.0
#: Upper bound of the linear contraction (tightening index), %.
MAX_LINEAR_CONTRACTION_PCT = 100.0

# state indices
N, D, I, F, Y, M, E, SYN, REM, AGE, ABL, IW, FW, W, RS, RF, R, EP = range(18)
_NSTATE = 18
STATE_NAMES = (
    "native",
    "denatured",
    "inflammation",
    "fibroblasts",
    "immature",
    "mature",
    "immediate_linear_pct",
    "synthesised",
    "removed",
    "aging_loss",
    "ablated",
    "wound_signal",
    "wound_fibroblasts",
    "wound_contracture",
    "renewal_signal",
    "renewal_fibroblasts",
    "renewed_fraction",
    "persistent_linear_pct",
)


def _age_factors(age_years: float, p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    decades = max(0.0, age_years - float(p["age_reference_years"][0])) / 10.0
    response = (1.0 - p["response_loss_per_decade"]) ** decades
    slowing = 1.0 + p["slowing_per_decade"] * decades
    return response, slowing


def _loss_rate_per_s(sun_exposure: float, p: dict[str, np.ndarray]) -> np.ndarray:
    return -np.log1p(-p["collagen_loss_per_year"]) * (1.0 + p["sun_loss_per_grade"] * sun_exposure) / YEAR_S


def _system_matrix(age_years: float, sun_exposure: float, p: dict[str, np.ndarray]) -> np.ndarray:
    """Rate matrices A (ns, 11, 11) in 1/s of dx/dt = A x between sessions."""
    _, slowing = _age_factors(age_years, p)
    lam = _loss_rate_per_s(sun_exposure, p)
    k_i = 1.0 / p["tau_inflammation_s"]
    k_f = 1.0 / (p["tau_fibroblast_s"] * slowing)
    k_m = 1.0 / (p["tau_maturation_s"] * slowing)
    k_r = 1.0 / p["tau_removal_s"]
    rho = p["replacement_ratio"]
    a = np.zeros((lam.size, _NSTATE, _NSTATE))
    a[:, N, N] = -lam
    a[:, D, D] = -k_r
    a[:, I, I] = -k_i
    a[:, F, I] = k_i
    a[:, F, F] = -k_f
    a[:, Y, F] = rho * k_f
    a[:, Y, Y] = -k_m - lam
    a[:, M, Y] = k_m
    a[:, M, M] = -lam
    a[:, E, E] = -k_r
    a[:, SYN, F] = rho * k_f
    a[:, REM, D] = k_r
    a[:, AGE, N] = lam
    a[:, AGE, Y] = lam
    a[:, AGE, M] = lam
    # open-wound contracture: wound signal -> myofibroblasts -> contracture (area-days), persistent
    a[:, IW, IW] = -k_i
    a[:, FW, IW] = k_i
    a[:, FW, FW] = -k_f
    a[:, W, FW] = k_f
    # superficial renewal: replaced skin area -> remodelled (papillary dermis + epidermis), persistent
    a[:, RS, RS] = -k_i
    a[:, RF, RS] = k_i
    a[:, RF, RF] = -k_f
    a[:, R, RF] = k_f
    return a


def _apply_session(x: np.ndarray, dose: SessionDose, dermis_m: float, age_factors, p) -> np.ndarray:
    """State right after a session (x: (ns, 11)); returns a new array."""
    x = x.copy()
    _, slowing = age_factors
    pools = [N, Y, M]
    # 1) ablation removes dermis (all collagen pools, denatured included) below the dermal-epidermal
    #    junction: the band top, or the epidermis thickness where the band lies deeper (the coagulated
    #    sleeve below a fractional crater floor starts far below the junction)
    dermis_top_m = np.minimum(dose.depth_top_m, p["epidermis_thickness_m"])
    ablated_dermis_m = np.maximum(0.0, dose.ablated_depth_m - dermis_top_m)
    b = (dose.area_fraction * ablated_dermis_m / dermis_m)[:, None]
    ablated = b[:, 0] * x[:, [N, Y, M, D]].sum(axis=1)
    x[:, [N, Y, M, D]] *= 1.0 - b
    x[:, ABL] += ablated
    # 2) coagulation denatures a fraction of the remaining functional collagen in the band
    w = (dose.depth_bottom_m - dose.depth_top_m) / dermis_m
    dw = dose.denatured_fraction * w
    denatured = dw * x[:, pools].sum(axis=1)
    x[:, pools] *= 1.0 - dw
    x[:, D] += denatured
    # 3) wound stimulus, saturating (fibroblast capacity), reduced with age
    injured = denatured + ablated
    response = age_factors[0]
    x[:, I] += response * injured / (1.0 + injured / p["saturation_fraction"])
    # 4) immediate thermal contraction (linear %), held by the denatured fibrils; where the session leaves
    #    an open wound, the share p of it is kept: the wound heals and is remodelled in the contracted state
    #    (Fitzpatrick, Rostan & Marchell 2000; Ross et al. 2000: final contraction rises with the residual
    #    thermal damage), the rest relaxes as the shrunk collagen is resorbed (partial recovery, Chen et al. 1998)
    kept = p["thermal_persistence"] * (1.0 if dose.wound_area_fraction > 0.0 else 0.0)
    x[:, E] += dose.immediate_linear_pct * (1.0 - kept)
    x[:, EP] += dose.immediate_linear_pct * kept
    # 5) open wound (epidermis removed): wound exposure = area fraction x days open, saturating
    if dose.wound_area_fraction > 0.0:
        exposure = dose.wound_area_fraction * _reepithelialization_days(dose, slowing, p)
        x[:, IW] += response * exposure / (1.0 + exposure / p["wound_saturation_area_days"])
    # 6) superficial renewal: the session replaces a fraction a of the superficial (photodamaged) layer:
    #    area fraction x the share of the layer depth it reaches; zones fall at random on skin not yet
    #    renewed, so over sessions the renewed fraction is 1 - prod(1 - a_i)
    if dose.renewed_area_fraction > 0.0:
        a_new = dose.renewed_area_fraction * np.minimum(1.0, dose.renewal_depth_m / p["renewal_layer_depth_m"])
        committed = x[:, RS] + x[:, RF] + x[:, R]
        x[:, RS] += a_new * np.clip(1.0 - committed, 0.0, 1.0)
    return x


def _reepithelialization_days(dose: SessionDose, slowing, p) -> np.ndarray:
    """Days until the epidermis closes, per parameter row (0 when it stays intact)."""
    if dose.epidermal_injury_grade < 2 and dose.wound_area_fraction <= 0.0:
        return np.zeros_like(np.asarray(slowing, dtype=float))
    if dose.coverage > 0.0:
        base = (
            p["reepithelialization_fractional_ablative_s"]
            if dose.wound_area_fraction > 0.0
            else (p["reepithelialization_fractional_s"])
        )
    else:
        extra = p["reepithelialization_depth_slope_s_per_m"] * (
            dose.wound_depth_m - p["reepithelialization_reference_depth_m"]
        )
        base = p["reepithelialization_bulk_s"] + (extra if dose.wound_depth_m > 0.0 else 0.0)
        base = np.maximum(base, 0.5 * p["reepithelialization_bulk_s"])
    return base * slowing / DAY_S


#: Propagators exp(A h) already computed, keyed by the rate matrices' bytes and the step (s). The planner simulates
#: many courses of one person with one parameter sample (session counts, band ends moved), so the same A and the
#: same steps (the output step, the steps from a grid point to a session) recur; a hit returns the very array
#: scipy computed, so results are bit-identical. Small LRU: each entry is ~2 x 170 kB at 64 band samples.
_EXPM_CACHE: OrderedDict[tuple[bytes, float], np.ndarray] = OrderedDict()
_EXPM_CACHE_SIZE = 64


def _expm(a: np.ndarray, a_key: bytes, step: float) -> np.ndarray:
    """``scipy.linalg.expm(a * step)``, memoised on ``(a_key, step)`` (``a_key``: ``a.tobytes()``)."""
    key = (a_key, step)
    phi = _EXPM_CACHE.get(key)
    if phi is None:
        phi = scipy.linalg.expm(a * step)
        phi.flags.writeable = False
        _EXPM_CACHE[key] = phi
        if len(_EXPM_CACHE) > _EXPM_CACHE_SIZE:
            _EXPM_CACHE.popitem(last=False)
    else:
        _EXPM_CACHE.move_to_end(key)
    return phi


def _propagate(
    doses: Sequence[SessionDose],
    age_years: float,
    sun_exposure: float,
    dermis_m: float,
    p: dict[str, np.ndarray],
    time_days: np.ndarray,
) -> np.ndarray:
    """States (ns, nt, 11) on a uniform ``time_days`` grid; sessions act right-continuously."""
    ns = p["tau_removal_s"].size
    a = _system_matrix(age_years, sun_exposure, p)
    a_key = a.tobytes()
    factors = _age_factors(age_years, p)
    x = np.zeros((ns, _NSTATE))
    x[:, N] = 1.0
    events = sorted(doses, key=lambda d: d.time_s)
    h_s = (time_days[1] - time_days[0]) * DAY_S if time_days.size > 1 else 0.0
    phi = _expm(a, a_key, h_s)
    out = np.empty((ns, time_days.size, _NSTATE))
    t_cur = 0.0
    k = 0
    for i, t_day in enumerate(time_days):
        t_s = t_day * DAY_S
        while k < len(events) and events[k].time_s <= t_s * (1.0 + 1e-12):
            step = events[k].time_s - t_cur
            if step > 0.0:
                x = np.einsum("sij,sj->si", _expm(a, a_key, step), x)
                t_cur = events[k].time_s
            x = _apply_session(x, events[k], dermis_m, factors, p)
            k += 1
        step = t_s - t_cur
        if step > 0.0:
            prop = phi if abs(step - h_s) <= 1e-9 * h_s else _expm(a, a_key, step)
            x = np.einsum("sij,sj->si", prop, x)
        t_cur = max(t_cur, t_s)
        out[:, i] = x
    return out


def reepithelialization_days(dose: SessionDose, age_years: float, parameters: HealingParameters | None = None) -> float:
    """Time for the epidermis to close after a session, days (0 when it stays intact).

    Fractional zones (``coverage > 0``) close in about a day (ED50 10–22 h, Stumpp et al.
    2009; Manstein et al. 2004), ablated micro-columns in ~2 days (Hantash et al. 2007); a
    bulk epidermal wound (grade ≥ 2 or an open wound, ``coverage = 0``) takes the bulk time
    (7 d, 5–10 d, R) lengthened by ``reepithelialization_depth_slope`` per metre of wound
    depth beyond the reference depth (Er:YAG 5–7 d, CO2 7–10 d). All lengthen with age by
    the slowing factor.

    Parameters
    ----------
    dose : SessionDose
        The session's damage summary.
    age_years : float
        Age, years.
    parameters : HealingParameters, optional
        Default :func:`load_parameters`.

    Returns
    -------
    float
        Re-epithelialisation time, days.
    """
    parameters = parameters or load_parameters()
    names = [n for n in HealingParameters.model_fields if n not in _NOT_PARAMETERS]
    p = {k: np.atleast_1d(float(getattr(parameters, k))) for k in names}
    _, slowing = _age_factors(_check_age(age_years), p)
    return float(_reepithelialization_days(dose, slowing, p)[0])


def baseline_collagen_relative(
    age_years: float, sun_exposure: float, parameters: HealingParameters | None = None
) -> float:
    """Dermal collagen content relative to a 20-year-old, from the ~1 %/yr decline (Shuster 1975).

    Assumes the given photoaging grade applied throughout adult life.
    """
    parameters = parameters or load_parameters()
    p = {k: np.atleast_1d(float(getattr(parameters, k))) for k in ("collagen_loss_per_year", "sun_loss_per_grade")}
    lam_per_year = _loss_rate_per_s(_check_sun(sun_exposure), p)[0] * YEAR_S
    return float(math.exp(-lam_per_year * max(0.0, _check_age(age_years) - 20.0)))


def simulate_course(
    doses: Sequence[SessionDose | dict],
    person_age_years: float,
    sun_exposure: float,
    t_end_days: float,
    parameters: HealingParameters,
    *,
    dermis_thickness_m: float | None = None,
    baseline_collagen: float | None = None,
    dt_days: float = 1.0,
    band_samples: int = DEFAULT_BAND_SAMPLES,
) -> HealingResult:
    """Simulate healing and neocollagenesis after a course of sessions.

    Equations (per unit skin area, amounts as fractions of the dermal collagen at the
    start; τ_F, τ_mat lengthened by the age slowing factor; λ the ageing loss rate)::

        dN/dt = −λ N                     dD/dt = −D/τ_rem
        dI/dt = −I/τ_I                   dF/dt = I/τ_I − F/τ_F
        dY/dt = ρ F/τ_F − Y/τ_mat − λ Y  dM/dt = Y/τ_mat − λ M
        dE/dt = −E/τ_rem                 dE_p/dt = 0

    At a session: ablation removes a fraction ``b`` of all pools, then a fraction
    ``d·w`` (denatured fraction × band/dermis thickness) of N, Y, M moves to D, the
    inflammation jumps by ``f_age · q/(1 + q/q_sat)`` (q = injured amount) and E by
    the immediate linear contraction e — for a session that leaves an open wound E by (1 − p) e and
    the persistent part E_p by p e (p: ``thermal_persistence``). Outputs: tightening = E + E_p +
    g_neo (M + φ Y) + g_wound W,
    laxity improvement = κ · tightening, and rhytid improvement = κ · tightening + g_renew · R
    (R: renewed area fraction, ``1 − Π(1 − a_i)`` over sessions, matured with the fibroblast time).

    Parameters
    ----------
    doses : sequence of SessionDose (or dicts of its fields)
        One damage summary per session; may be empty (ageing only).
    person_age_years : float
        Age at the start of the course, years (18–100).
    sun_exposure : float
        Photoaging grade, 0–3.
    t_end_days : float
        End of the simulated period, days (> 0, not before the last session).
    parameters : HealingParameters
        The parameters (:func:`laserskin.healing.simulate_course` defaults to the calibrated set).
    dermis_thickness_m : float, optional
        Full dermal thickness, m; default ``parameters.dermis_thickness_m``.
    baseline_collagen : float, optional
        Dermal collagen content relative to a 20-year-old; default from age and sun
        exposure (:func:`baseline_collagen_relative`). Only scales the reported baseline.
    dt_days : float
        Output time step, days.
    band_samples : int
        Size of the parameter sample for the low/high band (0: band collapses to mid).

    Returns
    -------
    HealingResult
        Time courses (days; collagen relative to course start; tightening and laxity in %).
    """
    age = _check_age(person_age_years)
    sun = _check_sun(sun_exposure)
    cite(*CITATIONS)
    if not isinstance(parameters, HealingParameters):
        raise InputError(
            "parameters",
            parameters,
            "a HealingParameters (laserskin.healing.calibrated_parameters())",
        )
    try:
        # a new name, typed: the parameter takes dicts too, the rest reads SessionDose only
        sessions: list[SessionDose] = [d if isinstance(d, SessionDose) else SessionDose(**d) for d in doses]
    except ValidationError as error:
        raise InputError.from_validation(error, "doses") from None
    except TypeError:
        raise InputError("doses", doses, "a list of SessionDose or dicts of its fields") from None
    if not (_is_number(t_end_days) and t_end_days > 0):
        raise InputError("t_end_days", t_end_days, "a finite time > 0 days")
    if not (_is_number(dt_days) and 0 < dt_days <= t_end_days):
        raise InputError("dt_days", dt_days, f"a step > 0 and <= t_end_days ({t_end_days})")
    if not (isinstance(band_samples, int) and 0 <= band_samples <= 4096):
        raise InputError("band_samples", band_samples, "an integer 0-4096")
    dermis_m = parameters.dermis_thickness_m if dermis_thickness_m is None else dermis_thickness_m
    if not (_is_number(dermis_m) and 1e-4 <= dermis_m <= 1e-2):
        raise InputError(
            "dermis_thickness_m",
            dermis_m,
            "a thickness between 0.1 mm and 10 mm (in m)",
        )
    for i, dose in enumerate(sessions):
        if dose.time_days > t_end_days:
            raise InputError(
                f"doses[{i}].time",
                f"{dose.time_days} day",
                f"<= t_end_days = {t_end_days}",
            )
        if dose.depth_bottom_m - dose.depth_top_m > dermis_m:
            raise InputError(
                f"doses[{i}].depth_bottom",
                dose.depth_bottom_m,
                f"a band no thicker than the dermis ({dermis_m} m)",
            )
        if max(0.0, dose.ablated_depth_m - dose.depth_top_m) > dermis_m:
            raise InputError(
                f"doses[{i}].ablated_depth",
                dose.ablated_depth_m,
                "ablation not deeper than the dermis",
            )
    if baseline_collagen is None:
        baseline_collagen = baseline_collagen_relative(age, sun, parameters)
    elif not (_is_number(baseline_collagen) and 0 < baseline_collagen <= 2):
        raise InputError("baseline_collagen", baseline_collagen, "a relative content in (0, 2]")

    n_steps = max(1, math.ceil(t_end_days / dt_days - 1e-9))
    time_days = np.linspace(0.0, float(t_end_days), n_steps + 1)
    p = parameter_arrays(parameters, band_samples)
    x = _propagate(sessions, age, sun, dermis_m, p, time_days)

    functional = x[..., N] + x[..., Y] + x[..., M]
    new = x[..., Y] + x[..., M]
    # a linear contraction is below 100 % by geometry and a grade cannot improve by more than 100 %; the sums
    # of calibrated gains are not bounded (full-field ablative samples crossed 100 %), so the band takes each
    # sample's ratio to the nominal on the effect scale -ln(1 - y/ceiling) (uncertainty.band, QA4 #17): the
    # nominal is unchanged (clipped only where it passes the bound), the band stays below it
    tightening = (
        x[..., E]
        + x[..., EP]
        + p["gain_neo"][:, None] * (x[..., M] + p["immature_weight"][:, None] * x[..., Y])
        + p["gain_wound"][:, None] * x[..., W]
    )
    laxity = p["laxity_per_linear"][:, None] * tightening
    # rhytid (wrinkle) grade: the dermal part of the laxity grade plus superficial renewal
    rhytid = laxity + p["gain_renewal"][:, None] * x[..., R]

    return HealingResult(
        time_days=time_days,
        collagen_content=band(functional),
        new_collagen=band(new),
        denatured_collagen=band(x[..., D]),
        tightening_pct=band(tightening, MAX_LINEAR_CONTRACTION_PCT),
        laxity_improvement_pct=band(laxity, MAX_GRADE_IMPROVEMENT_PCT),
        rhytid_improvement_pct=band(rhytid, MAX_GRADE_IMPROVEMENT_PCT),
        states={name: x[0, :, j].copy() for j, name in enumerate(STATE_NAMES)},
        session_time_days=np.array(sorted(d.time_days for d in sessions)),
        reepithelialization_days=np.array(
            [reepithelialization_days(d, age, parameters) for d in sorted(sessions, key=lambda d: d.time_s)]
        ),
        age_years=age,
        sun_exposure=sun,
        baseline_collagen_relative=float(baseline_collagen),
        dermis_thickness_m=float(dermis_m),
        parameters=parameters,
    )


def tightening_components(
    doses: Sequence[SessionDose],
    person_age_years: float,
    sun_exposure: float,
    times_days: Sequence[float],
    parameters: HealingParameters,
    dermis_thickness_m: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Immediate, neo, wound, renewal and persistent parts of the nominal outcome at given times (for calibration).

    Returns
    -------
    immediate_pct, neo_unit, wound_unit, renewed_fraction, persistent_unit_pct : ndarray
        ``E(t)`` in % with no persistence (p = 0), ``M + φ Y`` (fraction), the wound contracture
        ``W`` (area-days), the renewed area fraction ``R`` and the change of ``E + E_p`` per unit of
        ``thermal_persistence`` (%), so that tightening = E + thermal_persistence · persistent_unit +
        gain_neo · neo_unit + gain_wound · wound_unit (linear in every gain) and the rhytid grade =
        laxity_per_linear · tightening + gain_renewal · R.
    """
    times = np.asarray(times_days, dtype=float)
    t_end = float(max(times.max(), max((d.time_days for d in doses), default=0.0)))

    def states(persistence: float) -> dict[str, np.ndarray]:
        params = parameters.with_gains(0.0, 1.0, None).model_copy(update={"thermal_persistence": persistence})
        result = simulate_course(
            doses,
            person_age_years,
            sun_exposure,
            t_end,
            params,
            dermis_thickness_m=dermis_thickness_m,
            dt_days=min(1.0, t_end),
            band_samples=0,
        )
        return {k: np.interp(times, result.time_days, v) for k, v in result.states.items()}

    s = states(0.0)
    kept = states(1.0)
    neo = s["mature"] + parameters.immature_weight * s["immature"]
    persistent = kept["immediate_linear_pct"] + kept["persistent_linear_pct"] - s["immediate_linear_pct"]
    return s["immediate_linear_pct"], neo, s["wound_contracture"], s["renewed_fraction"], persistent
