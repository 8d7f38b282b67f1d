"""Arrhenius thermal damage: Ω(r, z) = ∫ A exp(−Ea / (R T)) dt and damage fraction 1 − exp(−Ω).

The damage integral of Henriques & Moritz (1947) treats irreversible injury as a
first-order rate process; Ω = 1 means 63 % of the molecules/cells are damaged.
Parameter sets (A, Ea, validity, source, confidence tag) are data in
``laserskin/data/parameters/arrhenius.toml`` and are selected by name:

===============================  =====  ==============================================
name                             tag    source
===============================  =====  ==============================================
henriques_moritz_1947            V      Henriques 1947 Arch Pathol 43:489
weaver_stoll_1969 (2 regimes)    V      Weaver & Stoll 1969 Aerosp Med 40:24
takata_1974 (2 regimes)          V      Takata 1974 Aerosp Med 45:634
mehta_wong_epidermis / _dermis   R      as implemented in OpenFOAM TExposure
pearce_2010_rat_skin_collagen    R      Pearce 2010 Crit Rev Biomed Eng 38:1
===============================  =====  ==============================================

The two-regime sets switch at 50 °C as published (Weaver–Stoll: low regime for
T < 50 °C; Takata: low regime for T ≤ 50 °C). There is no temperature below which
the rate is set to zero: the rate is evaluated everywhere (it underflows to 0 in
floating point only where it is truly negligible).

Step rule for the heat solver (``omega_increment``, ``ArrheniusIntegrator``): the
implicit solver gives T at the ends of a step; T is taken linear in time across the
step, and the rate is integrated *exactly* under that assumption. Because T is linear
in t, ∫ k dt = Δt/ΔT · ∫ k(T) dT and ∫ A e^{−b/T} dT = A·T e^{−b/T} g(b/T) with
g(x) = 1 − x eˣ E₁(x) (E₁ the exponential integral), so even steps over which the rate
changes by orders of magnitude are integrated without error beyond round-off; the
remaining error is that of the heat solver's T(t) itself (second order in Δt for a
smooth T(t), tested). Trapezoid and Simpson rules on the rate are available for
comparison: they overestimate the integral of an exponentially rising rate by tens of
per cent when a step changes T by a few kelvin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Annotated, Any, Literal

import numpy as np
from numba import njit
from pydantic import Field, model_validator
from scipy import special

from laserskin.core.citations import cite
from laserskin.core.constants import GAS_CONSTANT_J_PER_MOL_K
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, to_si


class ArrheniusRegime(InputModel):
    """One Arrhenius regime: frequency factor A and activation temperature Ea/R.

    ``Ea`` in J/mol may be given instead of ``Ea_over_R``; the parameter set converts it
    with the gas constant its source used (``R_source``).
    """

    A_per_s: Annotated[float, Quantity("1/s", gt=0.0, display="1/s")] = Field(alias="A", description="frequency factor")
    activation_temperature_K: Annotated[float, Quantity("K", gt=0.0, display="K")] = Field(
        alias="Ea_over_R", description="Ea/R, activation energy over the gas constant"
    )

    @property
    def Ea_J_per_mol(self) -> float:
        """Activation energy in J/mol (with the CODATA gas constant)."""
        return self.activation_temperature_K * GAS_CONSTANT_J_PER_MOL_K

    @property
    def ln_A(self) -> float:
        return math.log(self.A_per_s)


class ArrheniusParameterSet(InputModel):
    """A named burn-integral parameter set with its source and confidence tag.

    Parameters
    ----------
    name : str
        Key used to select the set.
    regimes : tuple of ArrheniusRegime
        One regime, or two (low-T, high-T) switching at ``switch_temperature_K``.
    switch_temperature_K : float, optional
        Switch between the regimes in K (50 °C for Weaver–Stoll and Takata).
    switch_belongs_to : {"low", "high"}
        Which regime applies at exactly the switch temperature.
    confidence : {"V", "R", "D", "U"}
        Tag of docs/reference/physics_data.md.
    """

    name: str
    title: str = ""
    regimes: tuple[ArrheniusRegime, ...] = Field(min_length=1, max_length=2)
    switch_temperature_K: Annotated[float, Quantity("K", gt=0.0, display="K")] | None = Field(
        default=None, alias="switch_temperature"
    )
    switch_belongs_to: Literal["low", "high"] = "high"
    confidence: Literal["V", "R", "D", "U"]
    validity: str = ""
    source: str
    citation_key: str
    doi: str | None = None
    notes: str = ""

    @model_validator(mode="before")
    @classmethod
    def _convert_Ea(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "regimes" not in data:
            return data
        data = dict(data)
        r_source = data.pop("R_source", GAS_CONSTANT_J_PER_MOL_K)
        if not (isinstance(r_source, (int, float)) and 8.0 < r_source < 8.5):
            raise ValueError(f"R_source: got {r_source!r}; expected the gas constant in J/(mol K), 8.0-8.5")
        regimes = []
        for regime in data["regimes"]:
            if isinstance(regime, dict) and "Ea" in regime:
                regime = dict(regime)
                if "Ea_over_R" in regime or "activation_temperature_K" in regime:
                    raise ValueError("give either Ea or Ea_over_R for a regime, not both")
                ea = to_si(regime.pop("Ea"), "J/mol", field="Ea")
                regime["Ea_over_R"] = f"{ea / r_source!r} K"
            regimes.append(regime)
        data["regimes"] = regimes
        return data

    @model_validator(mode="after")
    def _check_switch(self) -> ArrheniusParameterSet:
        if len(self.regimes) == 2 and self.switch_temperature_K is None:
            raise ValueError("a two-regime set needs switch_temperature")
        if len(self.regimes) == 1 and self.switch_temperature_K is not None:
            raise ValueError("switch_temperature is only allowed with two regimes")
        return self

    @property
    def two_regime(self) -> bool:
        return len(self.regimes) == 2


# --------------------------------------------------------------------------------------
# parameter sets as data


@lru_cache(maxsize=1)
def _load_sets() -> dict[str, ArrheniusParameterSet]:
    raw = load_parameters("arrhenius")
    sets = {}
    for name, table in raw.items():
        parameter_set = ArrheniusParameterSet.model_validate({"name": name, **table})
        sets[name] = parameter_set
    return sets


def parameter_set_names() -> list[str]:
    """Names of the shipped Arrhenius parameter sets."""
    return sorted(_load_sets())


def get_parameter_set(name: str | ArrheniusParameterSet, **overrides: Any) -> ArrheniusParameterSet:
    """Return a parameter set by name (or pass one through), optionally overriding fields.

    Parameters
    ----------
    name : str or ArrheniusParameterSet
        Key of a shipped set (see :func:`parameter_set_names`) or a set.
    **overrides
        Field values to replace (validated), e.g. ``regimes=[{"A": "1e45 1/s", "Ea": "3e5 J/mol"}]``.

    Raises
    ------
    InputError
        Unknown name.
    """
    if isinstance(name, ArrheniusParameterSet):
        base = name
    else:
        sets = _load_sets()
        if name not in sets:
            raise InputError("arrhenius.parameter_set", name, "one of " + ", ".join(sorted(sets)))
        base = sets[name]
    if not overrides:
        return base
    data = base.model_dump(by_alias=True)
    data.update(overrides)
    return ArrheniusParameterSet.model_validate(data)


def _as_set(parameter_set: str | ArrheniusParameterSet) -> ArrheniusParameterSet:
    resolved = get_parameter_set(parameter_set)
    cite(resolved.citation_key)
    return resolved


# --------------------------------------------------------------------------------------
# functional core


def _check_temperature(temperature_K: Any, field: str = "temperature_K") -> np.ndarray:
    t = np.asarray(temperature_K, dtype=np.float64)
    if not np.all(np.isfinite(t)):
        raise InputError(field, "non-finite value", "finite temperatures in K")
    if t.size and not np.all(t > 0.0):
        raise InputError(field, float(t.min()), "absolute temperatures > 0 K")
    return t


def _high_mask(t: np.ndarray, ps: ArrheniusParameterSet) -> np.ndarray:
    if not ps.two_regime:
        return np.zeros(t.shape, dtype=bool)
    if ps.switch_belongs_to == "high":
        return t >= ps.switch_temperature_K
    return t > ps.switch_temperature_K


def _rate(t: np.ndarray, ps: ArrheniusParameterSet) -> np.ndarray:
    low = ps.regimes[0]
    rate = np.exp(low.ln_A - low.activation_temperature_K / t)
    if ps.two_regime:
        high = ps.regimes[1]
        rate = np.where(_high_mask(t, ps), np.exp(high.ln_A - high.activation_temperature_K / t), rate)
    return rate


def arrhenius_rate(temperature_K: Any, *, parameters: str | ArrheniusParameterSet) -> Any:
    """Damage rate dΩ/dt = A exp(−Ea/(R T)).

    Parameters
    ----------
    temperature_K : float or array_like
        Absolute temperature in K (> 0).
    parameters : str or ArrheniusParameterSet
        Set name or set.

    Returns
    -------
    float or numpy.ndarray
        Rate in 1/s, same shape as ``temperature_K``.
    """
    ps = _as_set(parameters)
    t = _check_temperature(temperature_K)
    rate = _rate(t, ps)
    return float(rate) if rate.ndim == 0 else rate


def damage_fraction(omega: Any) -> Any:
    """Fraction damaged 1 − exp(−Ω) (dimensionless), computed as −expm1(−Ω)."""
    o = np.asarray(omega, dtype=np.float64)
    out = -np.expm1(-o)
    return float(out) if out.ndim == 0 else out


def omega_constant_temperature(temperature_K: Any, duration_s: Any, *, parameters: str | ArrheniusParameterSet) -> Any:
    """Closed form Ω = A exp(−Ea/(R T)) · t for a constant temperature.

    Parameters
    ----------
    temperature_K : float or array_like
        Constant temperature in K.
    duration_s : float or array_like
        Exposure time in s (≥ 0).

    Returns
    -------
    float or numpy.ndarray
        Ω (dimensionless).
    """
    d = np.asarray(duration_s, dtype=np.float64)
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise InputError("duration_s", duration_s, "finite durations >= 0 s")
    out = np.asarray(arrhenius_rate(temperature_K, parameters=parameters)) * d
    return float(out) if out.ndim == 0 else out


def time_to_omega(temperature_K: Any, omega: Any, *, parameters: str | ArrheniusParameterSet) -> Any:
    """Time in s to reach ``omega`` at constant ``temperature_K`` (Ω / rate).

    Returns ``inf`` where the rate underflows to zero.
    """
    o = np.asarray(omega, dtype=np.float64)
    if not np.all(np.isfinite(o)) or np.any(o <= 0):
        raise InputError("omega", omega, "finite Ω > 0")
    rate = np.asarray(arrhenius_rate(temperature_K, parameters=parameters))
    with np.errstate(divide="ignore"):
        out = np.where(rate > 0, o / np.where(rate > 0, rate, 1.0), np.inf)
    return float(out) if out.ndim == 0 else out


#: Below this x, g(x) comes from scipy's E₁; from here up to 600 from the continued fraction.
_G_CF_MIN_X = 20.0
#: Terms of the continued fraction (relative truncation error < 1e-16 for x >= 20).
_G_CF_TERMS = 12


@njit(cache=True, error_model="numpy")
def _g_continued_fraction(x: np.ndarray, out: np.ndarray) -> int:  # pragma: no cover - compiled
    """Fill ``out`` with the continued fraction for g(x); return how many x lie outside [20, 600].

    The numpy loop it replaced, fused per element: the same operations in the same order (no
    fastmath, so no contraction or reassociation), hence the same numbers to the last bit.
    Every element is evaluated without a branch (finite for any x > 0) so that the loop runs
    on several elements at once; the caller overwrites those outside [20, 600]. The numpy
    error model drops the zero-division checks that would stop that (no denominator is zero
    for x > 0: each is > x).
    """
    others = 0
    for i in range(x.size):
        xi = x[i]
        tail = 0.0
        for k in range(_G_CF_TERMS, 0, -1):
            tail = (k * k) / (xi + (2 * k + 1) - tail)
        out[i] = (1.0 - tail) / (xi + 1.0 - tail)
        others += (xi < _G_CF_MIN_X) | (xi > 600.0)
    return others


def _g(x: np.ndarray) -> np.ndarray:
    """g(x) = 1 − x eˣ E₁(x) for x > 0, accurate without cancellation for large x.

    For 20 ≤ x ≤ 600 (every Arrhenius set at skin temperatures: x = Ea/(R T) ≈ 80–300) from
    the continued fraction eˣ E₁(x) = 1/(x + 1 − 1²/(x + 3 − 2²/(x + 5 − …))) (Abramowitz &
    Stegun 5.1.22, even part), written as g = (1 − t)/(x + 1 − t) with t the tail: no
    cancellation, and ~6× cheaper than E₁ itself (evaluated by a compiled loop, one pass per
    element instead of 12 array passes); below 20 from E₁ directly, above 600 from the
    asymptotic series.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    out = np.empty_like(x)
    flat_x, flat_out = x.reshape(-1), out.reshape(-1)
    if _g_continued_fraction(flat_x, flat_out) == 0:
        return out
    small = x < _G_CF_MIN_X
    xs = x[small]
    out[small] = 1.0 - xs * np.exp(xs) * special.exp1(xs)
    large = x > 600.0
    xl = x[large]
    if xl.size:  # asymptotic series: g = 1/x − 2!/x² + 3!/x³ − …  (terms < 1e-20 after 8)
        term = np.ones_like(xl)
        total = np.zeros_like(xl)
        for n in range(1, 9):
            term = term * n / xl
            total += term if n % 2 == 1 else -term
        out[large] = total
    return out


def _primitive(t: np.ndarray, regime: ArrheniusRegime) -> np.ndarray:
    """A·∫ exp(−b/T) dT up to a constant: A · T e^{−b/T} g(b/T), in K/s."""
    x = regime.activation_temperature_K / t
    return np.exp(regime.ln_A - x) * t * _g(x)


def omega_increment(
    temperature_old_K: Any,
    temperature_new_K: Any,
    dt_s: float,
    *,
    parameters: str | ArrheniusParameterSet,
    method: Literal["linear_T", "trapezoid", "simpson"] = "linear_T",
) -> np.ndarray:
    """Ω accumulated over one time step with T linear in time from T_old to T_new.

    Parameters
    ----------
    temperature_old_K, temperature_new_K : array_like
        Temperatures at the start and end of the step in K (same shape).
    dt_s : float
        Step length in s (> 0).
    parameters : str or ArrheniusParameterSet
    method : {"linear_T", "trapezoid", "simpson"}
        ``linear_T`` (default): exact integral of the rate for T linear in t, via the
        exponential integral (see module docstring); for steps where ln(rate) changes by
        less than 1e-4 the midpoint rule is used (relative error < 1e-9). ``trapezoid`` /
        ``simpson``: the rules on rate(T_old), rate(T_mid), rate(T_new).

    Returns
    -------
    numpy.ndarray
        ΔΩ (dimensionless), new array of the input shape.
    """
    ps = _as_set(parameters)
    t0 = _check_temperature(temperature_old_K, "temperature_old_K")
    t1 = _check_temperature(temperature_new_K, "temperature_new_K")
    if t0.shape != t1.shape:
        raise InputError("temperature_new_K", t1.shape, f"the shape of temperature_old_K {t0.shape}")
    if not (math.isfinite(dt_s) and dt_s > 0):
        raise InputError("dt_s", dt_s, "a finite step > 0 s")
    shape = t0.shape
    t0, t1 = t0.reshape(-1), t1.reshape(-1)
    return _increment(t0, t1, dt_s, ps, method).reshape(shape)


def _increment(t0: np.ndarray, t1: np.ndarray, dt_s: float, ps: ArrheniusParameterSet, method: str) -> np.ndarray:
    """ΔΩ of steps of ``dt_s`` from ``t0`` to ``t1`` (flat arrays)."""
    if method == "trapezoid":
        return 0.5 * dt_s * (_rate(t0, ps) + _rate(t1, ps))
    if method == "simpson":
        return dt_s / 6.0 * (_rate(t0, ps) + 4.0 * _rate(0.5 * (t0 + t1), ps) + _rate(t1, ps))
    if method != "linear_T":
        raise InputError("method", method, "'linear_T', 'trapezoid' or 'simpson'")
    big = _big_steps(t0, t1, ps)
    out = np.empty_like(t0)
    small = ~big
    out[small] = dt_s * _rate(0.5 * (t0[small] + t1[small]), ps)
    if np.any(big):
        a, b = t0[big], t1[big]
        total = np.zeros_like(a)
        for regime, (lo, hi) in zip(ps.regimes, _regime_bounds(ps)):
            ca, cb = np.clip(a, lo, hi), np.clip(b, lo, hi)
            inside = ca != cb
            if np.any(inside):
                total[inside] += _primitive(cb[inside], regime) - _primitive(ca[inside], regime)
        out[big] = dt_s * total / (b - a)
    return out


def _big_steps(t0: np.ndarray, t1: np.ndarray, ps: ArrheniusParameterSet) -> np.ndarray:
    """Steps integrated exactly: a bound on |Δ ln rate| ≥ 1e-4 (below it the midpoint rule)."""
    b_max = max(r.activation_temperature_K for r in ps.regimes)
    du = np.abs(t1 - t0) * b_max / np.minimum(t0, t1) ** 2  # bound on |Δ ln rate|
    return du >= 1e-4


def _regime_bounds(ps: ArrheniusParameterSet) -> list[tuple[float, float]]:
    """Temperature range of each regime (the primitives are taken on T clipped to it)."""
    if not ps.two_regime:
        return [(0.0, np.inf)]
    switch = ps.switch_temperature_K
    assert switch is not None  # a two-regime set has its switch (ArrheniusParameterSet._check_switch)
    return [(0.0, switch), (switch, np.inf)]


def arrhenius_omega(
    times_s: Any,
    temperature_K_history: Any,
    *,
    parameters: str | ArrheniusParameterSet,
    method: Literal["trapezoid", "linear_T"] = "linear_T",
) -> Any:
    """Damage integral Ω = ∫ A exp(−Ea/(R T)) dt over a sampled temperature history.

    Parameters
    ----------
    times_s : array_like, shape (nt,)
        Strictly increasing sample times in s.
    temperature_K_history : array_like, shape (nt, ...)
        Temperature in K at each time (time along axis 0).
    parameters : str or ArrheniusParameterSet
    method : {"linear_T", "trapezoid"}
        ``linear_T`` (default): exact integral of the rate for T piecewise linear between
        samples (see module docstring). ``trapezoid``: trapezoid rule on the rate samples
        (kept for comparison; it overestimates Ω on coarse steps through a peak).

    Returns
    -------
    float or numpy.ndarray
        Ω (dimensionless), shape ``temperature_K_history.shape[1:]``. Inputs are not modified.
    """
    t = np.asarray(times_s, dtype=np.float64)
    temps = _check_temperature(temperature_K_history, "temperature_K_history")
    if t.ndim != 1 or t.size < 1:
        raise InputError("times_s", t.shape, "a 1-D array of sample times")
    if temps.shape[:1] != t.shape:
        raise InputError("temperature_K_history", temps.shape, f"first axis of length {t.size} (one per time)")
    if not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise InputError("times_s", "not strictly increasing", "strictly increasing finite times")
    ps = _as_set(parameters)
    omega = np.zeros(temps.shape[1:])
    if method == "trapezoid":
        rate = _rate(temps, ps)
        dt = np.diff(t).reshape((-1,) + (1,) * (temps.ndim - 1))
        omega = np.sum(0.5 * dt * (rate[1:] + rate[:-1]), axis=0)
    elif method == "linear_T":
        omega = _linear_T_history(t, temps, ps)
    else:
        raise InputError("method", method, "'trapezoid' or 'linear_T'")
    omega = np.asarray(omega)
    return float(omega) if omega.ndim == 0 else omega


#: Cells × steps evaluated at once by :func:`_linear_T_history` (bounds its temporary arrays).
_HISTORY_CHUNK = 1 << 18
#: Share of exactly integrated steps in a chunk above which the primitives are taken at every
#: sample (whole-array arithmetic) rather than gathered at the samples that need them.
_HISTORY_DENSE_FRACTION = 0.5


def _linear_T_history(t: np.ndarray, temps: np.ndarray, ps: ArrheniusParameterSet) -> np.ndarray:
    """Σ over the steps of :func:`omega_increment` (``linear_T``), all steps of a chunk at once.

    The same numbers as adding ``omega_increment(temps[i], temps[i + 1], t[i + 1] − t[i])``
    step by step: every increment is computed elementwise exactly as there, and the running
    sum is a cumulative sum along time (the same additions in the same order). The one
    saving: a sample that ends one exactly integrated step and starts the next has its
    primitive A·T e^{−b/T} g(b/T) evaluated once, not once per step (the same value both
    times, so the differences are unchanged to the last bit).
    """
    n_steps = t.size - 1
    cells = temps[0].size
    flat = temps.reshape(t.size, cells)
    omega = np.zeros(cells)
    if n_steps == 0 or cells == 0:
        return omega.reshape(temps.shape[1:])
    dts = np.diff(t)
    chunk = max(1, _HISTORY_CHUNK // cells)
    for start in range(0, n_steps, chunk):
        stop = min(n_steps, start + chunk)
        increments = _history_increments(flat[start : stop + 1], dts[start:stop], ps)
        increments[0] += omega
        omega = np.cumsum(increments, axis=0)[-1]
    return omega.reshape(temps.shape[1:])


def _history_increments(samples: np.ndarray, dts: np.ndarray, ps: ArrheniusParameterSet) -> np.ndarray:
    """ΔΩ of the steps between consecutive rows of ``samples`` (steps + 1, cells), as :func:`_increment`."""
    t0, t1 = samples[:-1], samples[1:]
    dt = dts[:, None]
    big = _big_steps(t0, t1, ps)
    n_big = int(np.count_nonzero(big))
    small = ~big
    if n_big == 0:
        return dt * _rate(0.5 * (t0 + t1), ps)
    if n_big >= _HISTORY_DENSE_FRACTION * big.size:
        # most steps exact (a heating history): primitives at every sample, whole-array
        # differences, then the midpoint rule written over the few small steps
        total = None
        for regime, (lo, hi) in zip(ps.regimes, _regime_bounds(ps)):
            primitive = _primitive(samples if not ps.two_regime else np.clip(samples, lo, hi), regime)
            # where both ends clip to the same bound the difference is exactly +0.0 and leaves
            # the sum as it is (the step-wise rule skips those terms)
            difference = primitive[1:] - primitive[:-1]
            total = difference if total is None else total + difference
        with np.errstate(divide="ignore", invalid="ignore"):  # dT = 0 only on small steps
            out = dt * total / (t1 - t0)
        # (a total of −0.0 where the step-wise sum has +0.0 changes no Ω: Ω starts at +0.0)
        if n_big < big.size:
            out[small] = np.broadcast_to(dt, t0.shape)[small] * _rate(0.5 * (t0[small] + t1[small]), ps)
        return out
    dt = np.broadcast_to(dt, t0.shape)
    out = np.empty(t0.shape)
    out[small] = dt[small] * _rate(0.5 * (t0[small] + t1[small]), ps)
    # primitives at the samples that bound an exactly integrated step, each evaluated once
    needed = np.zeros(samples.shape, dtype=bool)
    needed[:-1] |= big
    needed[1:] |= big
    at_needed = samples[needed]
    primitive = np.zeros(samples.shape)
    total = np.zeros(n_big)
    for regime, (lo, hi) in zip(ps.regimes, _regime_bounds(ps)):
        primitive[needed] = _primitive(np.clip(at_needed, lo, hi), regime)
        # where both ends clip to the same bound the difference is exactly +0.0 and leaves the
        # sum as it is (the step-wise rule skips those terms; the sum is never −0.0)
        total += primitive[1:][big] - primitive[:-1][big]
    out[big] = dt[big] * total / (t1[big] - t0[big])
    return out


# --------------------------------------------------------------------------------------
# observer for the heat solver


class ArrheniusIntegrator:
    """Heat-solver observer that accumulates Ω per parameter set on an RZGrid.

    Implements ``on_step(time_s, dt_s, temperature_old_K, temperature_new_K)`` with
    (nr, nz) temperature arrays in K, integrating each step with
    :func:`omega_increment` (exact for T linear in time across the step).

    Parameters
    ----------
    grid : laserskin.grid.RZGrid
    parameter_sets : mapping of str -> (str or ArrheniusParameterSet)
        Label -> set, e.g. ``{"epidermis": "henriques_moritz_1947",
        "collagen": "pearce_2010_rat_skin_collagen"}``.
    regions : mapping of str -> bool array, optional
        Label -> cells where that set is integrated, shape (nz,) (by depth) or (nr, nz).
        Labels without a region are integrated on every cell. Ω is NaN outside a region.
    method : str
        Step rule passed to :func:`omega_increment`.
    """

    def __init__(
        self,
        grid: Any,
        parameter_sets: Mapping[str, str | ArrheniusParameterSet],
        *,
        regions: Mapping[str, Any] | None = None,
        method: Literal["linear_T", "trapezoid", "simpson"] = "linear_T",
    ):
        if not parameter_sets:
            raise InputError("parameter_sets", parameter_sets, "at least one parameter set")
        self.grid = grid
        self.method = method
        shape = (grid.nr, grid.nz)
        self.parameter_sets = {label: _as_set(ps) for label, ps in parameter_sets.items()}
        regions = dict(regions or {})
        unknown = set(regions) - set(self.parameter_sets)
        if unknown:
            raise InputError("regions", sorted(unknown), f"labels among {sorted(self.parameter_sets)}")
        self._masks: dict[str, np.ndarray] = {}
        for label in self.parameter_sets:
            if label in regions:
                mask = np.asarray(regions[label], dtype=bool)
                if mask.shape == (grid.nz,):
                    mask = np.broadcast_to(mask, shape)
                if mask.shape != shape:
                    raise InputError(f"regions.{label}", mask.shape, f"shape ({grid.nz},) or {shape}")
                self._masks[label] = np.array(mask)
            else:
                self._masks[label] = np.ones(shape, dtype=bool)
        self._omega = {label: np.where(m, 0.0, np.nan) for label, m in self._masks.items()}
        self._peak: np.ndarray | None = None
        self.time_s = 0.0
        self.steps = 0

    @classmethod
    def by_layer(
        cls,
        grid: Any,
        layer_boundaries_m: Sequence[float],
        layer_sets: Sequence[str | ArrheniusParameterSet | None],
        **kwargs: Any,
    ) -> ArrheniusIntegrator:
        """One set per layer, e.g. Henriques for the epidermis, collagen for the dermis.

        Parameters
        ----------
        layer_boundaries_m : sequence of float
            Depths of the layer bottoms in m (as for ``grid.layer_index``).
        layer_sets : sequence
            Set (or name) per layer, ``None`` for layers without damage integration. Layers
            sharing a set share one Ω map, labelled by the set's name.
        """
        if len(layer_sets) != len(layer_boundaries_m):
            raise InputError("layer_sets", len(layer_sets), f"one entry per layer ({len(layer_boundaries_m)})")
        index = grid.layer_index(layer_boundaries_m)
        sets: dict[str, ArrheniusParameterSet] = {}
        regions: dict[str, np.ndarray] = {}
        for layer, entry in enumerate(layer_sets):
            if entry is None:
                continue
            ps = _as_set(entry)
            sets[ps.name] = ps
            regions[ps.name] = regions.get(ps.name, np.zeros(grid.nz, dtype=bool)) | (index == layer)
        return cls(grid, sets, regions=regions, **kwargs)

    # --- protocol -------------------------------------------------------------------
    def on_step(self, time_s: float, dt_s: float, temperature_old_K: Any, temperature_new_K: Any) -> None:
        """Add the Ω of one heat-solver step (T linear in time from old to new)."""
        shape = (self.grid.nr, self.grid.nz)
        t0 = np.asarray(temperature_old_K, dtype=np.float64)
        t1 = np.asarray(temperature_new_K, dtype=np.float64)
        if t0.shape != shape or t1.shape != shape:
            raise InputError("temperature_K", (t0.shape, t1.shape), f"arrays of shape {shape}")
        for label, ps in self.parameter_sets.items():
            mask = self._masks[label]
            self._omega[label][mask] += omega_increment(t0[mask], t1[mask], dt_s, parameters=ps, method=self.method)
        peak = np.maximum(t0, t1)
        self._peak = peak if self._peak is None else np.maximum(self._peak, peak)
        self.time_s += dt_s
        self.steps += 1

    # --- results --------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return list(self.parameter_sets)

    def omega(self, label: str) -> np.ndarray:
        """Ω map of one set, shape (nr, nz), NaN outside its region (a copy)."""
        if label not in self._omega:
            raise InputError("label", label, "one of " + ", ".join(self._omega))
        return self._omega[label].copy()

    def damage_fraction(self, label: str) -> np.ndarray:
        """1 − exp(−Ω) map of one set, shape (nr, nz)."""
        return damage_fraction(self.omega(label))

    def combined_omega(self) -> np.ndarray:
        """Ω of the set assigned to each cell (non-overlapping regions), NaN where none."""
        masks = list(self._masks.values())
        overlaps = sum(m.astype(int) for m in masks)
        assert isinstance(overlaps, np.ndarray)  # not sum()'s start 0: there is a mask (__init__ refuses no sets)
        if overlaps.max() > 1:
            raise InputError("regions", "overlapping", "non-overlapping regions (use by_layer)")
        out = np.full((self.grid.nr, self.grid.nz), np.nan)
        for label, mask in self._masks.items():
            out[mask] = self._omega[label][mask]
        return out

    @property
    def peak_temperature_K(self) -> np.ndarray:
        """Highest temperature seen in each cell so far, shape (nr, nz), in K."""
        if self._peak is None:
            raise InputError("peak_temperature_K", None, "at least one on_step call")
        return self._peak.copy()
