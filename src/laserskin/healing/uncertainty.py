"""Uncertainty band of the healing model: a Latin-hypercube sample of the parameter ranges.

The nominal (calibrated) parameter set is row 0; rows 1..n sample each ranged parameter
(log-uniformly for the time constants); the band is the 5th-95th percentile of the sample,
widened to contain the nominal curve (:func:`band`).
"""

from __future__ import annotations

import numpy as np

from laserskin.healing.parameters import HealingParameters

__all__ = [
    "BAND",
    "BAND_QUANTILES",
    "BAND_SEED",
    "DEFAULT_BAND_SAMPLES",
    "band",
    "parameter_arrays",
]

BAND = ("low", "mid", "high")
"""Names of the rows of banded result arrays."""
BAND_QUANTILES = (0.05, 0.95)
"""Quantiles of the parameter sample that bound the uncertainty band."""
DEFAULT_BAND_SAMPLES = 64
"""Size of the Latin-hypercube sample of the parameter ranges used for the band."""
BAND_SEED = 20120612
"""Fixed seed of the band sample, so results are reproducible."""


def parameter_arrays(parameters: HealingParameters, n_samples: int) -> dict[str, np.ndarray]:
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


def band(values: np.ndarray) -> np.ndarray:
    """``(3, nt)`` low/mid/high of sampled curves ``values`` (row 0 nominal): quantiles, widened to hold mid."""
    mid = values[0]
    if values.shape[0] == 1:
        return np.stack([mid, mid, mid])
    low, high = np.quantile(values[1:], BAND_QUANTILES, axis=0)
    return np.stack([np.minimum(low, mid), mid, np.maximum(high, mid)])
