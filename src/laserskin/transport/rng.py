"""Random numbers for the Monte Carlo kernels: xoshiro256** (Blackman & Vigna 2021).

One independent stream per batch, seeded from ``numpy.random.SeedSequence(seed, spawn_key=(batch,))``;
the state of 4 uint64 lives in an array or, in hot loops, in four local variables (registers).
"""

from __future__ import annotations

import numpy as np
from numba import njit


# --------------------------------------------------------------------------------------
# random numbers: xoshiro256** (Blackman & Vigna), state of 4 uint64 in an array
# --------------------------------------------------------------------------------------
@njit(inline="always", cache=True)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(inline="always", cache=True)
def _xoshiro_step(s0, s1, s2, s3):
    """One xoshiro256** step on a state held in four values: ``(output, s0, s1, s2, s3)``."""
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _to_unit(bits):
    """Uniform double in (0, 1] from the top 53 bits of a 64-bit output."""
    return np.float64((bits >> np.uint64(11)) + np.uint64(1)) * 1.1102230246251565e-16


@njit(inline="always", cache=True)
def _next_u64(s):
    result, s[0], s[1], s[2], s[3] = _xoshiro_step(s[0], s[1], s[2], s[3])
    return result


@njit(inline="always", cache=True)
def _uniform(s):
    """Uniform double in (0, 1] (53 random bits)."""
    return _to_unit(_next_u64(s))


@njit(inline="always", cache=True)
def _uniform4(s0, s1, s2, s3):
    """xoshiro256** on a state held in four local variables (kept in registers).

    Returns ``(u, s0, s1, s2, s3)`` with ``u`` uniform in (0, 1], the same number
    :func:`_uniform` would give.
    """
    result, s0, s1, s2, s3 = _xoshiro_step(s0, s1, s2, s3)
    return _to_unit(result), s0, s1, s2, s3


@njit(cache=True)
def xoshiro_uniforms(state, n):
    """``n`` uniforms in (0, 1] from a copy of ``state`` (uint64[4]); for tests."""
    s = state.copy()
    out = np.empty(n)
    for i in range(n):
        out[i] = _uniform(s)
    return out


def batch_state(seed: int, batch: int) -> np.ndarray:
    """Initial xoshiro256** state (uint64[4]) of one batch's stream.

    ``SeedSequence(seed, spawn_key=(batch,))`` is the ``batch``-th child of
    ``SeedSequence(seed).spawn(...)``, so streams are independent by construction.
    """
    state = np.random.SeedSequence(seed, spawn_key=(batch,)).generate_state(4, dtype=np.uint64)
    if not state.any():  # the all-zero state is the one forbidden state of xoshiro
        state[0] = np.uint64(0x9E3779B97F4A7C15)
    return state
