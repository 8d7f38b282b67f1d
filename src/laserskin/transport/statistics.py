"""Batches and their statistics: how photons are split into independent streams, batch standard errors.

The split depends on the photon count only, never on the thread count, so results are
bit-identical on any number of threads.
"""

from __future__ import annotations

import math

import numpy as np

PHOTONS_PER_BATCH = 100_000
"""Batches hold at most this many photons (more batches for larger runs)."""
MIN_BATCHES = 32
"""At least this many batches (fewer only when there are fewer photons), for standard errors."""
TALLY_GROUPS = 32
"""Groups of consecutive batches whose absorbed-energy tallies a run keeps apart (the Monte Carlo error of any
linear read-out of the deposition, :func:`tally_groups`)."""
GROUP_TALLY_BYTES = 64 * 2**20
"""Most memory the kept group tallies of one run may take (float32); fewer groups on huge grids."""
MIN_TALLY_GROUPS = 8
"""Fewest groups worth keeping (a variance from fewer has under 7 degrees of freedom): none below."""


def batch_sizes(photons: int) -> np.ndarray:
    """Photons per batch (int64): at least ``MIN_BATCHES`` batches of at most ``PHOTONS_PER_BATCH``.

    Depends on ``photons`` only, never on the thread count.
    """
    batches = max(min(photons, MIN_BATCHES), -(-photons // PHOTONS_PER_BATCH))
    sizes = np.full(batches, photons // batches, dtype=np.int64)
    sizes[: photons % batches] += 1
    return sizes


def tally_groups(batches: int, cells: int) -> np.ndarray:
    """Group (0 … G−1) of each batch: :data:`TALLY_GROUPS` groups of consecutive batches (one per batch with fewer
    batches), fewer where G float32 maps of ``cells`` cells exceed :data:`GROUP_TALLY_BYTES`; an empty array where
    fewer than :data:`MIN_TALLY_GROUPS` (or 2) groups fit. Depends on the photon count and the grid only (never on
    the thread count). The groups hold independent random streams, so the scatter of a linear read-out of the
    deposition over them is its Monte Carlo error (``relative_error_from_groups``), with everything a photon
    history deposits kept in one group (no assumption that the deposits are independent)."""
    fit = GROUP_TALLY_BYTES // max(1, 4 * int(cells))
    groups = min(int(batches), TALLY_GROUPS, int(fit))
    if groups < max(2, min(MIN_TALLY_GROUPS, int(batches))):
        return np.zeros(0, dtype=np.int64)
    return (np.arange(batches, dtype=np.int64) * groups) // batches


def relative_error_from_groups(values: np.ndarray, photons: np.ndarray) -> float:
    """Relative standard error of the total ``Σ values`` of a linear read-out made of independent groups of
    ``photons`` launched photons each (ratio estimator, as :func:`_ratio_stderr`); inf for a zero total, NaN for
    fewer than 2 groups."""
    values = np.asarray(values, dtype=np.float64)
    total = float(values.sum())
    if values.size < 2:
        return math.nan
    if total == 0.0:
        return math.inf
    return float(_ratio_stderr(values, np.asarray(photons)) * float(np.sum(photons)) / abs(total))


def _ratio_stderr(sums: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Standard error of ``Σ sums / Σ sizes`` from batches (ratio estimator).

    ``sums`` has the batch on axis 0. With ``B`` batches,
    ``se² = B/(B−1) · Σ_b (S_b − X n_b)² / (Σ n_b)²``; NaN for a single batch.
    """
    sizes = sizes.astype(float)
    total = sizes.sum()
    mean = sums.sum(axis=0) / total
    b = sizes.size
    if b < 2:
        return np.full(np.shape(mean), np.nan)
    shape = (-1,) + (1,) * (sums.ndim - 1)
    resid = sums - mean * sizes.reshape(shape)
    return np.sqrt(b / (b - 1) * (resid**2).sum(axis=0)) / total
