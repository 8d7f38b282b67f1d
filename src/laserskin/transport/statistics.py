"""Batches and their statistics: how photons are split into independent streams, batch standard errors.

The split depends on the photon count only, never on the thread count, so results are
bit-identical on any number of threads.
"""

from __future__ import annotations

import numpy as np

PHOTONS_PER_BATCH = 100_000
"""Batches hold at most this many photons (more batches for larger runs)."""
MIN_BATCHES = 32
"""At least this many batches (fewer only when there are fewer photons), for standard errors."""


def batch_sizes(photons: int) -> np.ndarray:
    """Photons per batch (int64): at least ``MIN_BATCHES`` batches of at most ``PHOTONS_PER_BATCH``.

    Depends on ``photons`` only, never on the thread count.
    """
    batches = max(min(photons, MIN_BATCHES), -(-photons // PHOTONS_PER_BATCH))
    sizes = np.full(batches, photons // batches, dtype=np.int64)
    sizes[: photons % batches] += 1
    return sizes


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
