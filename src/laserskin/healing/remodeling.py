"""Wound healing and neocollagenesis over days to months, for one or several sessions.

A reduced, linear compartment model adapted from the wound-healing ODEs of Segal,
Diegelmann, Ward & Reynolds (2012, Bull Math Biol, doi:10.1007/s11538-012-9751-z):
inflammation ``I`` drives fibroblast activation ``F``, activated fibroblasts synthesise
immature collagen ``Y`` that matures into ``M``, and thermally denatured collagen ``D``
is resorbed. Pathogens and the logistic fibroblast growth of Segal et al. are dropped
(clean laser wounds); the fibroblast capacity limit is kept as a per-session saturation
of the wound stimulus. Time constants follow the published time course of laser wounds
(physics_data §8): re-epithelialisation of fractional zones within ~1 day (Manstein
et al. 2004; Stumpp et al. 2009), fibroblast activation (HSP47) from day 7 to > 3 months
(Hantash et al. 2007), new collagen visible from 6 weeks and rising to 6–12 months (CO2
resurfacing histology, Plast Reconstr Surg 1999; Borges et al. 2020). Untreated dermal
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
import numbers
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

import numpy as np
import scipy.linalg
from pydantic import Field, ValidationError, model_validator

from laserskin.core.models import InputModel
from laserskin.core.citations import cite
from laserskin.core.constants import DAY_S, MONTH_DAYS, YEAR_S
from laserskin.core.errors import InputError
from laserskin.core.units import Quantity, to_si

BAND = ("low", "mid", "high")
"""Names of the rows of banded result arrays."""
BAND_QUANTILES = (0.05, 0.95)
"""Quantiles of the parameter sample that bound the uncertainty band."""
DEFAULT_BAND_SAMPLES = 64
"""Size of the Latin-hypercube sample of the parameter ranges used for the band."""
BAND_SEED = 20120612
"""Fixed seed of the band sample, so results are reproducible."""

CITATIONS = ('segal2012', 'manstein2004', 'stumpp2009', 'hantash2007_invivo', 'prs1999', 'borges2020', 'shuster1975', 'varani2006', 'gosain2004', 'fisher2002',)


# ----------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------


class SessionDose(InputModel):
    """Damage summary of one treatment session (the output of the damage stage).

    Depths are measured from the skin surface. ``denatured_fraction`` is the volume
    average of the denatured collagen fraction (``1 − exp(−Ω)``) over the treated dermal
    band *and the whole treated area*; for fractional treatments it therefore already
    includes the coverage (zone fraction × coverage), see :meth:`fractional`.

    Attributes
    ----------
    time_s : float
        Session time from the start of the course, s (TOML key ``time``, e.g. ``"30 day"``).
    denatured_fraction : float
        Denatured fraction of the collagen in the treated dermal band, 0–1.
    depth_top_m, depth_bottom_m : float
        Treated dermal depth band, m (keys ``depth_top``, ``depth_bottom``).
    immediate_tightening_pct : float
        Immediate contraction of the treated area, % of area (key ``immediate_tightening``).
    epidermal_injury_grade : int
        0 none, 1 erythema/oedema (epidermis intact), 2 partial or focal epidermal necrosis,
        3 full-thickness epidermal loss (ablation).
    coverage : float
        Area fraction of microscopic treatment zones, 0–1; 0 means bulk (whole area).
    ablated_depth_m : float
        Depth of tissue removed, m (0 for non-ablative; key ``ablated_depth``).
    """

    time_s: Quantity("s", ge=0.0, display="day") = Field(alias="time")
    denatured_fraction: float = Field(ge=0.0, le=1.0)
    depth_top_m: Quantity("m", ge=0.0, display="mm") = Field(alias="depth_top")
    depth_bottom_m: Quantity("m", gt=0.0, display="mm") = Field(alias="depth_bottom")
    immediate_tightening_pct: float = Field(default=0.0, ge=0.0, lt=100.0, alias="immediate_tightening")
    epidermal_injury_grade: int = Field(default=0, ge=0, le=3)
    coverage: float = Field(default=0.0, ge=0.0, le=1.0)
    ablated_depth_m: Quantity("m", ge=0.0, display="um") = Field(default="0 um", alias="ablated_depth")

    @model_validator(mode="after")
    def _band_ordered(self) -> "SessionDose":
        if not self.depth_bottom_m > self.depth_top_m:
            raise ValueError("depth_bottom must be deeper than depth_top")
        return self

    @property
    def time_days(self) -> float:
        """Session time, days."""
        return self.time_s / DAY_S

    @property
    def area_fraction(self) -> float:
        """Treated area fraction: ``coverage`` for fractional, 1 for bulk treatments."""
        return self.coverage if self.coverage > 0.0 else 1.0

    @property
    def immediate_linear_pct(self) -> float:
        """Immediate *linear* contraction, %: ``100 (1 − sqrt(1 − A/100))`` of the area %."""
        return 100.0 * (1.0 - math.sqrt(1.0 - self.immediate_tightening_pct / 100.0))

    @classmethod
    def fractional(
        cls,
        time: Any,
        coverage: float,
        zone_depth_top: Any,
        zone_depth_bottom: Any,
        zone_denatured_fraction: float = 1.0,
        immediate_tightening: float = 0.0,
        epidermal_injury_grade: int = 2,
        ablated_depth: Any = "0 um",
    ) -> "SessionDose":
        """Dose of a fractional session from its zone geometry.

        ``denatured_fraction = coverage × zone_denatured_fraction`` (area average).
        """
        return cls(
            time=time,
            denatured_fraction=coverage * zone_denatured_fraction,
            depth_top=zone_depth_top,
            depth_bottom=zone_depth_bottom,
            immediate_tightening=immediate_tightening,
            epidermal_injury_grade=epidermal_injury_grade,
            coverage=coverage,
            ablated_depth=ablated_depth,
        )


_TIME = dict(display="day")


class HealingParameters(InputModel):
    """Parameters of the remodelling model (SI), with ranges for the uncertainty band.

    Nominal values, ranges, tags and sources are in ``data/parameters/healing.toml``;
    :func:`load_parameters` reads them. The two gains are fitted by
    :func:`laserskin.healing.calibration.calibrate` (see :func:`default_parameters`).

    Attributes
    ----------
    tau_inflammation_s : float
        Decay time of the inflammatory signal, s.
    tau_fibroblast_s : float
        Life time of the activated-fibroblast state, s (young adult).
    tau_maturation_s : float
        Maturation time of new (type III-rich) into mature collagen, s (young adult).
    tau_removal_s : float
        Resorption time of denatured collagen, s; the immediate thermal contraction held
        by denatured fibrils relaxes with the same time.
    replacement_ratio : float
        New collagen made per unit of injured collagen in the linear regime.
    saturation_fraction : float
        Injured fraction of dermal collagen at which the stimulus is half its linear value.
    immature_weight : float
        Mechanical weight of immature relative to mature new collagen, 0–1.
    collagen_loss_per_year : float
        Relative loss of dermal collagen per year without treatment (Shuster 1975: 0.01).
    sun_loss_per_grade : float
        Relative increase of that loss per photoaging grade.
    age_reference_years : float
        Age above which the response falls and slows, years.
    response_loss_per_decade : float
        Fractional loss of the wound response per decade above the reference age.
    slowing_per_decade : float
        Fractional lengthening of the fibroblast, maturation and re-epithelialisation
        times per decade above the reference age.
    reepithelialization_fractional_s, reepithelialization_bulk_s : float
        Re-epithelialisation time of fractional zones and of a bulk epidermal wound, s.
    dermis_thickness_m : float
        Default full dermal thickness, m (per-person input of :func:`simulate_course`).
    gain_neo : float
        Linear contraction per unit of new collagen (fraction of dermal collagen), %.
    laxity_per_linear : float
        Clinical laxity-score improvement per % of linear contraction (dimensionless).
    ranges : dict
        ``field -> (low, high)`` in SI, sampled for the uncertainty band.
    log_sampled : tuple of str
        Fields sampled log-uniformly within their range.
    """

    tau_inflammation_s: Quantity("s", gt=0.0, **_TIME) = Field(alias="tau_inflammation")
    tau_fibroblast_s: Quantity("s", gt=0.0, **_TIME) = Field(alias="tau_fibroblast")
    tau_maturation_s: Quantity("s", gt=0.0, **_TIME) = Field(alias="tau_maturation")
    tau_removal_s: Quantity("s", gt=0.0, **_TIME) = Field(alias="tau_removal")
    replacement_ratio: float = Field(ge=0.0)
    saturation_fraction: float = Field(gt=0.0)
    immature_weight: float = Field(ge=0.0, le=1.0)
    collagen_loss_per_year: float = Field(ge=0.0, lt=1.0)
    sun_loss_per_grade: float = Field(ge=0.0)
    age_reference_years: Quantity("year", ge=0.0, bare_unit="year", display="year") = Field(
        alias="age_reference"
    )
    response_loss_per_decade: float = Field(ge=0.0, lt=1.0)
    slowing_per_decade: float = Field(ge=0.0)
    reepithelialization_fractional_s: Quantity("s", gt=0.0, display="hour") = Field(
        alias="reepithelialization_fractional"
    )
    reepithelialization_bulk_s: Quantity("s", gt=0.0, **_TIME) = Field(alias="reepithelialization_bulk")
    dermis_thickness_m: Quantity("m", gt=0.0, display="mm") = Field(alias="dermis_thickness")
    gain_neo: float = Field(default=0.0, ge=0.0)
    laxity_per_linear: float = Field(default=1.0, ge=0.0)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    log_sampled: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _ranges_valid(self) -> "HealingParameters":
        for name, (low, high) in self.ranges.items():
            if name not in type(self).model_fields or name in ("ranges", "log_sampled"):
                raise ValueError(f"ranges: unknown parameter {name!r}")
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                raise ValueError(f"ranges.{name}: need finite low <= high, got ({low}, {high})")
            if name in self.log_sampled and low <= 0.0:
                raise ValueError(f"ranges.{name}: log-sampled range must be positive")
        return self

    def with_gains(
        self, gain_neo: float, laxity_per_linear: float, ranges: dict[str, tuple[float, float]] | None = None
    ) -> "HealingParameters":
        """Copy with new gains (and optionally their ranges added to ``ranges``)."""
        new_ranges = dict(self.ranges)
        new_ranges.update(ranges or {})
        logs = tuple(sorted(set(self.log_sampled) | set(ranges or {})))
        return self.model_copy(
            update=dict(gain_neo=gain_neo, laxity_per_linear=laxity_per_linear, ranges=new_ranges, log_sampled=logs)
        )


# toml key -> (field name, SI unit or None for a bare number)
_TOML_FIELDS: dict[str, tuple[str, str | None]] = {
    "tau_inflammation": ("tau_inflammation_s", "s"),
    "tau_fibroblast": ("tau_fibroblast_s", "s"),
    "tau_maturation": ("tau_maturation_s", "s"),
    "tau_removal": ("tau_removal_s", "s"),
    "replacement_ratio": ("replacement_ratio", None),
    "saturation_fraction": ("saturation_fraction", None),
    "immature_weight": ("immature_weight", None),
    "collagen_loss_per_year": ("collagen_loss_per_year", None),
    "sun_loss_per_grade": ("sun_loss_per_grade", None),
    "age_reference": ("age_reference_years", "year"),
    "response_loss_per_decade": ("response_loss_per_decade", None),
    "slowing_per_decade": ("slowing_per_decade", None),
    "reepithelialization_fractional": ("reepithelialization_fractional_s", "s"),
    "reepithelialization_bulk": ("reepithelialization_bulk_s", "s"),
    "dermis_thickness": ("dermis_thickness_m", "m"),
}
_NOT_SAMPLED = {"age_reference_years", "dermis_thickness_m"}


@lru_cache(maxsize=1)
def healing_toml() -> dict:
    """The parsed ``data/parameters/healing.toml`` (parameters, targets, reference courses)."""
    text = resources.files("laserskin").joinpath("data/parameters/healing.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_parameters(table: dict | None = None) -> HealingParameters:
    """Build :class:`HealingParameters` from the ``[parameters]`` table of ``healing.toml``.

    Parameters
    ----------
    table : dict, optional
        A ``{key: {value, low, high, sampling, ...}}`` table; default: the shipped file.

    Returns
    -------
    HealingParameters
        Nominal values and ranges (SI); gains left at their neutral defaults (uncalibrated).
    """
    table = healing_toml()["parameters"] if table is None else table
    values: dict[str, float] = {}
    ranges: dict[str, tuple[float, float]] = {}
    logs: list[str] = []
    for key, entry in table.items():
        if key not in _TOML_FIELDS:
            raise InputError(f"parameters.{key}", key, f"one of {sorted(_TOML_FIELDS)}")
        name, unit = _TOML_FIELDS[key]

        def conv(v, k, unit=unit, key=key):
            return to_si(v, unit, field=f"parameters.{key}.{k}") if unit else float(v)

        conv(entry["value"], "value")  # checks the unit; the model parses the text itself
        values[key] = entry["value"]
        if name not in _NOT_SAMPLED and "low" in entry:
            ranges[name] = (conv(entry["low"], "low"), conv(entry["high"], "high"))
            if entry.get("sampling") == "log":
                logs.append(name)
    try:
        return HealingParameters(**values, ranges=ranges, log_sampled=tuple(logs))
    except ValidationError as error:
        raise InputError.from_validation(error, "parameters") from None


def default_parameters() -> HealingParameters:
    """Shipped parameters with gains fitted to the published targets (cached).

    Equivalent to ``calibration.calibrated_parameters()``; see :mod:`laserskin.healing.calibration`.
    """
    from laserskin.healing.calibration import calibrated_parameters

    return calibrated_parameters()


# ----------------------------------------------------------------------------------------
# Model core
# ----------------------------------------------------------------------------------------

# state indices
N, D, I, F, Y, M, E, SYN, REM, AGE, ABL = range(11)
_NSTATE = 11
STATE_NAMES = (
    "native", "denatured", "inflammation", "fibroblasts", "immature", "mature",
    "immediate_linear_pct", "synthesised", "removed", "aging_loss", "ablated",
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
    return a


def _apply_session(x: np.ndarray, dose: SessionDose, dermis_m: float, response: np.ndarray, p) -> np.ndarray:
    """State right after a session (x: (ns, 11)); returns a new array."""
    x = x.copy()
    pools = [N, Y, M]
    # 1) ablation removes dermis (all collagen pools, denatured included) below the band top
    ablated_dermis_m = max(0.0, dose.ablated_depth_m - dose.depth_top_m)
    b = dose.area_fraction * ablated_dermis_m / dermis_m
    ablated = b * x[:, [N, Y, M, D]].sum(axis=1)
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
    x[:, I] += response * injured / (1.0 + injured / p["saturation_fraction"])
    # 4) immediate thermal contraction (linear %), held by the denatured fibrils
    x[:, E] += dose.immediate_linear_pct
    return x


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
    response, _ = _age_factors(age_years, p)
    x = np.zeros((ns, _NSTATE))
    x[:, N] = 1.0
    events = sorted(doses, key=lambda d: d.time_s)
    h_s = (time_days[1] - time_days[0]) * DAY_S if time_days.size > 1 else 0.0
    phi = scipy.linalg.expm(a * h_s)
    out = np.empty((ns, time_days.size, _NSTATE))
    t_cur = 0.0
    k = 0
    for i, t_day in enumerate(time_days):
        t_s = t_day * DAY_S
        while k < len(events) and events[k].time_s <= t_s * (1.0 + 1e-12):
            step = events[k].time_s - t_cur
            if step > 0.0:
                x = np.einsum("sij,sj->si", scipy.linalg.expm(a * step), x)
                t_cur = events[k].time_s
            x = _apply_session(x, events[k], dermis_m, response, p)
            k += 1
        step = t_s - t_cur
        if step > 0.0:
            prop = phi if abs(step - h_s) <= 1e-9 * h_s else scipy.linalg.expm(a * step)
            x = np.einsum("sij,sj->si", prop, x)
        t_cur = max(t_cur, t_s)
        out[:, i] = x
    return out


def _parameter_arrays(parameters: HealingParameters, n_samples: int) -> dict[str, np.ndarray]:
    """Nominal set (row 0) followed by a Latin-hypercube sample of the ranges."""
    names = [n for n in HealingParameters.model_fields if n not in ("ranges", "log_sampled")]
    nominal = {n: float(getattr(parameters, n)) for n in names}
    arrays = {n: np.full(1 + n_samples, v) for n, v in nominal.items()}
    sampled = sorted(parameters.ranges)
    if n_samples > 0 and sampled:
        rng = np.random.default_rng(BAND_SEED)
        for name in sampled:
            low, high = parameters.ranges[name]
            u = (rng.permutation(n_samples) + rng.random(n_samples)) / n_samples
            if name in parameters.log_sampled:
                values = np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
            else:
                values = low + u * (high - low)
            arrays[name][1:] = values
    return arrays


def reepithelialization_days(dose: SessionDose, age_years: float, parameters: HealingParameters | None = None) -> float:
    """Time for the epidermis to close after a session, days (0 when it stays intact).

    Fractional zones (``coverage > 0``) close in about a day (ED50 10–22 h, Stumpp et al.
    2009; Manstein et al. 2004); a bulk epidermal wound (grade ≥ 2, ``coverage = 0``) takes
    the bulk time (5–10 days, R). Both lengthen with age by the slowing factor.

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
    if dose.epidermal_injury_grade < 2:
        return 0.0
    keys = ("age_reference_years", "response_loss_per_decade", "slowing_per_decade")
    p = {k: np.atleast_1d(float(getattr(parameters, k))) for k in keys}
    _, slowing = _age_factors(_check_age(age_years), p)
    base = parameters.reepithelialization_fractional_s if dose.coverage > 0.0 else parameters.reepithelialization_bulk_s
    return float(base * slowing[0] / DAY_S)


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


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_age(age_years: float) -> float:
    if not (_is_number(age_years) and 18.0 <= age_years <= 100.0):
        raise InputError("age", age_years, "an adult age in years, 18-100")
    return float(age_years)


def _check_sun(sun_exposure: float) -> float:
    if not (_is_number(sun_exposure) and 0.0 <= sun_exposure <= 3.0):
        raise InputError("sun_exposure", sun_exposure, "a photoaging grade between 0 and 3")
    return float(sun_exposure)


# ----------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealingResult:
    """Time course of a treatment course.

    Banded arrays have shape ``(3, nt)``: rows ``low, mid, high`` (see :data:`BAND`). ``mid``
    is the nominal (calibrated) parameter set; ``low``/``high`` are the 5th/95th
    percentiles of a Latin-hypercube sample of the parameter ranges, widened if needed so
    that ``low <= mid <= high`` (the band always contains the central curve).

    Attributes
    ----------
    time_days : ndarray (nt,)
        Time from the start of the course, days.
    collagen_content : ndarray (3, nt)
        Functional dermal collagen (native + new), relative to the start of the course.
    new_collagen : ndarray (3, nt)
        New collagen (immature + mature), same units.
    denatured_collagen : ndarray (3, nt)
        Denatured collagen not yet resorbed, same units.
    tightening_pct : ndarray (3, nt)
        Tightening index: linear contraction of the treated skin, %, versus no treatment.
    laxity_improvement_pct : ndarray (3, nt)
        Clinical laxity-score improvement, % (``laxity_per_linear × tightening``).
    states : dict of str -> ndarray (nt,)
        All compartments and the mass-balance ledger of the nominal run (:data:`STATE_NAMES`).
    session_time_days, reepithelialization_days : ndarray (n_sessions,)
        Session times and re-epithelialisation times, days.
    age_years, sun_exposure, baseline_collagen_relative, dermis_thickness_m : float
        Person inputs (baseline relative to a 20-year-old).
    parameters : HealingParameters
        The parameters used.
    """

    time_days: np.ndarray
    collagen_content: np.ndarray
    new_collagen: np.ndarray
    denatured_collagen: np.ndarray
    tightening_pct: np.ndarray
    laxity_improvement_pct: np.ndarray
    states: dict[str, np.ndarray]
    session_time_days: np.ndarray
    reepithelialization_days: np.ndarray
    age_years: float
    sun_exposure: float
    baseline_collagen_relative: float
    dermis_thickness_m: float
    parameters: HealingParameters = field(repr=False)

    @property
    def last_session_days(self) -> float:
        """Time of the last session, days (0 without sessions)."""
        return float(self.session_time_days.max()) if self.session_time_days.size else 0.0

    def improvement_at(
        self, months: float, measure: str = "laxity", after_last_session: bool = True
    ) -> tuple[float, float, float]:
        """Improvement at a follow-up time, as ``(low, mid, high)`` in %.

        Parameters
        ----------
        months : float
            Follow-up time in mean calendar months (30.44 days).
        measure : {"laxity", "tightening"}
            Clinical laxity-score improvement, or tightening index (linear contraction).
        after_last_session : bool
            Count from the last session (clinical convention, default) or from the start.

        Returns
        -------
        tuple of float
            Low, mid and high values, %.
        """
        series = {"laxity": self.laxity_improvement_pct, "tightening": self.tightening_pct}
        if measure not in series:
            raise InputError("measure", measure, "'laxity' or 'tightening'")
        if not (_is_number(months) and months >= 0):
            raise InputError("months", months, "a follow-up time >= 0 months")
        t = months * MONTH_DAYS + (self.last_session_days if after_last_session else 0.0)
        if not t <= self.time_days[-1] + 1e-9:
            raise InputError("months", months, f"a follow-up within the simulated {self.time_days[-1]:g} days")
        low, mid, high = (float(np.interp(t, self.time_days, row)) for row in series[measure])
        return low, mid, high

    def to_dataset(self):
        """xarray.Dataset with ``time`` (days) and ``band`` coordinates and units attributes."""
        import xarray as xr

        frac = "1 (fraction of dermal collagen at course start)"
        banded = {
            "collagen_content": (self.collagen_content, frac, "functional dermal collagen (native + new)"),
            "new_collagen": (self.new_collagen, frac, "new collagen (immature + mature)"),
            "denatured_collagen": (self.denatured_collagen, frac, "denatured collagen not yet resorbed"),
            "tightening_pct": (self.tightening_pct, "percent", "tightening index: linear contraction vs untreated"),
            "laxity_improvement_pct": (self.laxity_improvement_pct, "percent", "clinical laxity-score improvement"),
        }
        data = {
            name: (("band", "time"), values, {"units": units, "long_name": long})
            for name, (values, units, long) in banded.items()
        }
        for name, values in self.states.items():
            units = "percent" if name.endswith("_pct") else ("1" if name in ("inflammation", "fibroblasts") else frac)
            data[f"state_{name}"] = (("time",), values, {"units": units, "long_name": f"nominal run: {name}"})
        data["session_time"] = (("session",), self.session_time_days, {"units": "day"})
        data["reepithelialization_time"] = (("session",), self.reepithelialization_days, {"units": "day"})
        return xr.Dataset(
            data,
            coords={
                "time": ("time", self.time_days, {"units": "day", "long_name": "time from course start"}),
                "band": ("band", list(BAND)),
            },
            attrs={
                "model": "laserskin.healing.remodeling (reduced Segal et al. 2012 compartment model)",
                "age_years": self.age_years,
                "sun_exposure_grade": self.sun_exposure,
                "baseline_collagen_relative_to_age_20": self.baseline_collagen_relative,
                "dermis_thickness_m": self.dermis_thickness_m,
                "gain_neo_pct": self.parameters.gain_neo,
                "laxity_per_linear": self.parameters.laxity_per_linear,
                "band": "low/high = 5th/95th percentile of a Latin-hypercube sample of the parameter ranges",
            },
        )


def simulate_course(
    doses: Sequence[SessionDose | dict],
    person_age_years: float,
    sun_exposure: float,
    t_end_days: float,
    parameters: HealingParameters | None = None,
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
        dE/dt = −E/τ_rem

    At a session: ablation removes a fraction ``b`` of all pools, then a fraction
    ``d·w`` (denatured fraction × band/dermis thickness) of N, Y, M moves to D, the
    inflammation jumps by ``f_age · q/(1 + q/q_sat)`` (q = injured amount) and E by
    the immediate linear contraction. Outputs: tightening = E + g_neo (M + φ Y) and
    laxity improvement = κ · tightening.

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
    parameters : HealingParameters, optional
        Default: :func:`default_parameters` (shipped values with calibrated gains).
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
    cite(*CITATIONS)
    age = _check_age(person_age_years)
    sun = _check_sun(sun_exposure)
    parameters = parameters if parameters is not None else default_parameters()
    try:
        doses = [d if isinstance(d, SessionDose) else SessionDose(**d) for d in doses]
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
        raise InputError("dermis_thickness_m", dermis_m, "a thickness between 0.1 mm and 10 mm (in m)")
    for i, dose in enumerate(doses):
        if dose.time_days > t_end_days:
            raise InputError(f"doses[{i}].time", f"{dose.time_days} day", f"<= t_end_days = {t_end_days}")
        if dose.depth_bottom_m - dose.depth_top_m > dermis_m:
            raise InputError(
                f"doses[{i}].depth_bottom", dose.depth_bottom_m, f"a band no thicker than the dermis ({dermis_m} m)"
            )
        if max(0.0, dose.ablated_depth_m - dose.depth_top_m) > dermis_m:
            raise InputError(f"doses[{i}].ablated_depth", dose.ablated_depth_m, "ablation not deeper than the dermis")
    if baseline_collagen is None:
        baseline_collagen = baseline_collagen_relative(age, sun, parameters)
    elif not (_is_number(baseline_collagen) and 0 < baseline_collagen <= 2):
        raise InputError("baseline_collagen", baseline_collagen, "a relative content in (0, 2]")

    n_steps = max(1, int(math.ceil(t_end_days / dt_days - 1e-9)))
    time_days = np.linspace(0.0, float(t_end_days), n_steps + 1)
    p = _parameter_arrays(parameters, band_samples)
    x = _propagate(doses, age, sun, dermis_m, p, time_days)

    functional = x[..., N] + x[..., Y] + x[..., M]
    new = x[..., Y] + x[..., M]
    tightening = x[..., E] + p["gain_neo"][:, None] * (x[..., M] + p["immature_weight"][:, None] * x[..., Y])
    laxity = p["laxity_per_linear"][:, None] * tightening

    def band(values: np.ndarray) -> np.ndarray:
        mid = values[0]
        if values.shape[0] == 1:
            return np.stack([mid, mid, mid])
        low, high = np.quantile(values[1:], BAND_QUANTILES, axis=0)
        return np.stack([np.minimum(low, mid), mid, np.maximum(high, mid)])

    return HealingResult(
        time_days=time_days,
        collagen_content=band(functional),
        new_collagen=band(new),
        denatured_collagen=band(x[..., D]),
        tightening_pct=band(tightening),
        laxity_improvement_pct=band(laxity),
        states={name: x[0, :, j].copy() for j, name in enumerate(STATE_NAMES)},
        session_time_days=np.array(sorted(d.time_days for d in doses)),
        reepithelialization_days=np.array(
            [reepithelialization_days(d, age, parameters) for d in sorted(doses, key=lambda d: d.time_s)]
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
) -> tuple[np.ndarray, np.ndarray]:
    """Immediate and neo parts of the nominal tightening at given times (for calibration).

    Returns
    -------
    immediate_pct, neo_unit : ndarray
        ``E(t)`` in % and ``M + φ Y`` (fraction), so that tightening = E + gain_neo · neo_unit.
    """
    times = np.asarray(times_days, dtype=float)
    t_end = float(max(times.max(), max((d.time_days for d in doses), default=0.0)))
    result = simulate_course(
        doses, person_age_years, sun_exposure, t_end, parameters.with_gains(0.0, 1.0, None),
        dermis_thickness_m=dermis_thickness_m, dt_days=min(1.0, t_end), band_samples=0,
    )
    s = result.states
    neo = s["mature"] + parameters.immature_weight * s["immature"]
    return (np.interp(times, result.time_days, s["immediate_linear_pct"]), np.interp(times, result.time_days, neo))
