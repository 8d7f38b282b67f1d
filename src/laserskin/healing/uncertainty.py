"""Uncertainty band of the healing model: the fitted gains jointly, the other parameters by Latin hypercube.

The nominal (calibrated) parameter set is row 0; rows 1..n are a sample:

* the gains fitted together by :func:`laserskin.healing.calibrate` (``HealingParameters.joint_names``)
  are drawn JOINTLY from the fit: a multivariate normal of their logarithms around the fitted values
  with the fit's covariance (``joint_covariance_log``, the same standard errors as the ±2 SE ranges the
  docs quote), truncated at each field's bound (rows with the persistent share ``thermal_persistence``
  above 1 are redrawn). The fit anticorrelates the gains (e.g. the persistent share p and the wound gain
  trade against each other on Harris 1999; g_neo and κ on Alexiades-Armenakas 2007); sampling them
  independently within their ranges explored combinations the data exclude, and the band of every
  full-field ablative course reached the 100 % grade bound;
* every other ranged parameter (time constants, replacement ratio, ageing, ...) is a Latin-hypercube
  sample of its range (log-uniformly for the time constants), as before. The columns are drawn for every
  ranged name, jointly sampled ones included, so this part of the sample does not depend on which gains
  were fitted.

Both parts use fixed seeds (reproducible). The band is the 5th-95th percentile of the sample, widened to
contain the nominal curve (:func:`band`). For a bounded measure (grade improvements, the linear contraction)
each sample's ratio to the nominal is applied on the effect scale ``u = −ln(1 − y/ceiling)``, so the band
stays below the ceiling instead of piling up on it (QA4 #17; :func:`bounded_samples`). The gains are not refitted per sample: the physiological ranges
add parameter uncertainty at fixed calibration.

This band is the healing model's alone, at a FIXED dose. The treatment plan widens it with the uncertainty of the
delivered dermal dose (parameters of the skin and the Monte Carlo error; QA9 #11):
:func:`laserskin.planning.plan.outcome_dose_band` takes this band's low end at the low end of the dose band and its
high end at the high end, the nominal unchanged (docs/planning.md, "Outcome bands with the dose's uncertainty").
"""

from __future__ import annotations

import math

import numpy as np

from laserskin.healing.parameters import _NOT_PARAMETERS, HealingParameters

__all__ = [
    "BAND",
    "BAND_QUANTILES",
    "BAND_SEED",
    "DEFAULT_BAND_SAMPLES",
    "JOINT_SEED",
    "band",
    "bounded_samples",
    "joint_gain_sample",
    "parameter_arrays",
]

BAND = ("low", "mid", "high")
"""Names of the rows of banded result arrays."""
BAND_QUANTILES = (0.05, 0.95)
"""Quantiles of the parameter sample that bound the uncertainty band."""
DEFAULT_BAND_SAMPLES = 64
"""Size of the parameter sample used for the band."""
BAND_SEED = 20120612
"""Fixed seed of the Latin-hypercube sample of the ranges, so results are reproducible."""
JOINT_SEED = (BAND_SEED, 1)
"""Fixed seed of the joint sample of the fitted gains (its own stream: the hypercube does not move with it)."""
_MAX_JOINT_ROUNDS = 200
"""Batches of the truncated joint sample before the remaining rows are clipped to the bounds."""


def _upper_bound(name: str) -> float:
    """Upper bound of a :class:`HealingParameters` field (``le``/``lt`` of its declaration), inf if none."""
    for constraint in HealingParameters.model_fields[name].metadata:
        for attr in ("le", "lt"):
            value = getattr(constraint, attr, None)
            if value is not None:
                return float(value)
    return math.inf


def joint_gain_sample(parameters: HealingParameters, n_samples: int) -> np.ndarray:
    """``(n_samples, len(joint_names))`` draws of the jointly fitted gains (see the module docstring).

    ``ln g ~ N(ln g_fit, joint_covariance_log)``, truncated at each field's upper bound by redrawing
    (the lower bound 0 holds on the log scale); a gain whose nominal value is 0 stays 0. Deterministic
    (:data:`JOINT_SEED`).
    """
    names = parameters.joint_names
    k = len(names)
    if n_samples <= 0 or k == 0:
        return np.zeros((max(n_samples, 0), k))
    nominal = np.array([float(getattr(parameters, n)) for n in names])
    positive = nominal > 0.0
    mean = np.log(np.where(positive, nominal, 1.0))
    cov = np.array(parameters.joint_covariance_log, dtype=float).reshape(k, k)
    # symmetric square root (eigh: also for a semi-definite covariance, a gain the fit pins exactly)
    w, v = np.linalg.eigh(0.5 * (cov + cov.T))
    root = v * np.sqrt(np.clip(w, 0.0, None))
    upper = np.array([_upper_bound(n) for n in names])
    rng = np.random.default_rng(JOINT_SEED)
    kept: list[np.ndarray] = []
    n_kept = 0
    for _ in range(_MAX_JOINT_ROUNDS):
        draws = np.where(positive, np.exp(mean + rng.standard_normal((n_samples, k)) @ root.T), 0.0)
        inside = np.all(draws <= upper, axis=1)
        kept.append(draws[inside])
        n_kept += int(inside.sum())
        if n_kept >= n_samples:
            break
    else:  # a nominal value at its bound with a huge SE: fill up with clipped draws
        kept.append(np.minimum(draws, upper))
    return np.concatenate(kept)[:n_samples]


def parameter_arrays(parameters: HealingParameters, n_samples: int) -> dict[str, np.ndarray]:
    """Nominal set (row 0) followed by the band sample: fitted gains jointly, other ranges by Latin hypercube."""
    names = [n for n in HealingParameters.model_fields if n not in _NOT_PARAMETERS]
    nominal = {n: float(getattr(parameters, n)) for n in names}
    arrays = {n: np.full(1 + n_samples, v) for n, v in nominal.items()}
    if n_samples <= 0:
        return arrays
    joint = set(parameters.joint_names)
    rng = np.random.default_rng(BAND_SEED)
    for name in sorted(parameters.ranges):
        low, high = parameters.ranges[name]
        u = (rng.permutation(n_samples) + rng.random(n_samples)) / n_samples
        if name in joint:
            continue  # drawn (so the other columns stay put), replaced by the joint sample below
        if name in parameters.log_sampled:
            values = np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
        else:
            values = low + u * (high - low)
        arrays[name][1:] = values
    for name, column in zip(parameters.joint_names, joint_gain_sample(parameters, n_samples).T):
        arrays[name][1:] = column
    return arrays


def band(values: np.ndarray, ceiling: float | None = None) -> np.ndarray:
    """``(3, nt)`` low/mid/high of sampled curves ``values`` (row 0 nominal): quantiles, widened to hold mid.

    ``ceiling``: the measure is bounded above (a grade improvement cannot pass 100 %, a linear contraction
    cannot reach 100 %) and ``values`` are the model's unbounded sums. The nominal is kept (clipped at the
    ceiling only where it passes it), and each sample's departure from the nominal, a ratio ``k`` of its
    sum to the nominal's (the gains are multiplicative), is applied on the effect scale
    ``u = −ln(1 − y/ceiling)`` (:func:`bounded_samples`) before the quantiles are taken: the share of the
    grade still to improve falls as ``exp(−u)``, so a sample with ``k`` times the nominal's effect gives
    ``ceiling·(1 − (1 − y₀/ceiling)^k)``. For small improvements this is the sample's own value; near the
    ceiling it approaches the ceiling without reaching it (QA4 #17: with the sums clipped at 100 %, one
    full-field Er:YAG pass read month-6 laxity [17.0, 36.8, 100.0] %, 19 % of the sample above 100 % from
    the weakly fitted wound gain, σ_ln ≈ 1.0).
    """
    if ceiling is not None:
        values = bounded_samples(values, ceiling)
    mid = values[0]
    if values.shape[0] == 1:
        return np.stack([mid, mid, mid])
    low, high = np.quantile(values[1:], BAND_QUANTILES, axis=0)
    return np.stack([np.minimum(low, mid), mid, np.maximum(high, mid)])


def bounded_samples(values: np.ndarray, ceiling: float) -> np.ndarray:
    """Sampled curves of a measure bounded by ``ceiling``: row 0 (nominal) clipped at the ceiling, rows 1.. the
    nominal moved by each sample's ratio to it on the effect scale ``u = −ln(1 − y/ceiling)`` (see :func:`band`).

    Where the nominal is not positive or has reached the ceiling the ratio says nothing, and the sample's own
    value, clipped to ``[0, ceiling]`` (``[−inf, ceiling]`` for negative values), is kept.
    """
    values = np.asarray(values, dtype=np.float64)
    nominal = values[0]
    p0 = np.clip(nominal / ceiling, 0.0, 1.0)
    usable = (nominal > 0.0) & (p0 < 1.0)
    safe_nominal = np.where(usable, nominal, 1.0)
    safe_p0 = np.where(usable, p0, 0.5)
    # effect of the nominal per unit of its value: -ln(1 - p0)/p0 -> 1 for small p0 (linear regime)
    per_value = np.where(safe_p0 > 1e-12, -np.log1p(-safe_p0) / np.where(safe_p0 > 1e-12, safe_p0, 1.0), 1.0)
    effect = per_value * values[1:] / safe_nominal * safe_p0  # u of each sample: u0 * (value / nominal)
    moved = ceiling * -np.expm1(-effect)
    samples = np.where(usable, moved, np.minimum(values[1:], ceiling))
    return np.concatenate([np.minimum(nominal, ceiling)[None, ...], samples])
