"""Monte Carlo light transport in a multilayer slab, MCML-equivalent, compiled with numba.

The physics follows MCML (Wang, Jacques & Zheng, "MCML — Monte Carlo modeling of
light transport in multi-layered tissues", Comput Methods Programs Biomed 47:131–146,
1995) step for step:

* photon packets enter at normal incidence; the specular reflection
  ``((n_above − n₁)/(n_above + n₁))²`` is removed from the launch weight;
* dimensionless step ``−ln ξ`` spent across layers (the unspent part ``sleft`` is
  carried over an interface, as in MCML's ``StepSizeInTissue``/``HitBoundary``);
* at every interface the packet is reflected or transmitted as a whole with the
  unpolarised Fresnel probability (MCML's default, ``PARTIALREFLECTION 0``), with
  Snell refraction and total internal reflection;
* at an interaction the fraction ``μa/μt`` of the weight is absorbed and tallied
  ("implicit capture"), then the packet scatters with the Henyey–Greenstein phase
  function (Henyey & Greenstein 1941) and a uniform azimuth;
* Russian roulette below weight ``1e-4`` with survival chance ``0.1`` (survivors'
  weight divided by 0.1), after every step.

Differences from MCML, none of which changes expectations:

* random numbers come from xoshiro256** (Blackman & Vigna 2021), one independent
  stream per batch seeded from ``numpy.random.SeedSequence(seed, spawn_key=(batch,))``;
* absorption beyond the grid (``r ≥ r_max`` or ``z ≥ z_max``) and reflectance or
  transmittance beyond ``r_max`` are tallied separately instead of being added to
  the outermost cells; absorption per layer is tallied exactly, independent of the grid;
* the depth grid may be non-uniform (bins found through an integer look-up table);
* fluence is tallied with the collision estimator ``Σ w/μt`` (weight before the
  absorption step), which equals MCML's ``A/μa`` in every cell inside one layer and
  stays correct in cells that straddle an interface or in layers with ``μa = 0``;
* the azimuth's cosine and sine come from a point drawn uniformly in the unit disc
  (von Neumann 1951 rejection), not from ``cos``/``sin`` of a drawn angle: the same
  distribution, cheaper, and it consumes on average 2.55 random numbers instead of one;
* a random number for the Fresnel test is drawn only when ``0 < R < 1``;
* a transparent first layer (``μa = μs = 0``) is not special-cased: reflections at
  its lower face are counted in the diffuse reflectance, not in the specular one;
* Russian roulette does not conserve energy packet by packet (only on average): the
  weight it adds or removes is tallied as ``roulette_balance`` so that
  ``specular + Rd + Tt + A − roulette_balance = 1`` holds to rounding.

Results are bit-identical for a given ``seed`` and photon count, whatever the number
of threads: the photons are split into a fixed number of batches, each with its own
random stream and its own tally arrays, reduced in batch order.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from laserskin import __version__
from laserskin.core.callbacks import Callback, as_callback
from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.transport.beam import Beam
from laserskin.optics.layers import LayerStack


KERNEL_VERSION = "1"
"""Bumped whenever the kernel's output for given inputs changes (part of cache keys)."""

WEIGHT_THRESHOLD = 1e-4
"""Russian roulette threshold weight (MCML ``WEIGHT``)."""
ROULETTE_CHANCE = 0.1
"""Russian roulette survival probability (MCML ``CHANCE``)."""
MAX_PHOTONS = 10_000_000_000
PHOTONS_PER_BATCH = 100_000
"""Batches hold at most this many photons (more batches for larger runs)."""
MIN_BATCHES = 32
"""At least this many batches (fewer only when there are fewer photons), for standard errors."""
MAX_WAVE = 32
"""Batches run concurrently in one wave (each with private tally arrays); a constant so that
results do not depend on the thread count."""
WAVE_MEMORY_BYTES = 256 * 2**20
"""Upper bound on the private tally arrays of one wave (fewer batches per wave on huge grids)."""

_COSZERO = 1.0 - 1.0e-12
_COS90D = 1.0e-6
_LUT_MAX = 1 << 20

# columns of the per-batch scalar tallies
_RD, _TT, _ABS, _ABS_OUT, _ROUL, _RD_OUT, _TT_OUT = range(7)
_NSCALAR = 7


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


# --------------------------------------------------------------------------------------
# beam launch
# --------------------------------------------------------------------------------------
@njit(inline="always", cache=True)
def _launch_radius(kind, width, outer, u):
    """Launch radius in m from a uniform ``u`` in (0, 1] (inverse CDF)."""
    if kind == 1:  # flat top of radius ``width``: P(R<=r) = (r/width)^2
        return width * math.sqrt(u)
    if kind == 2:  # Gaussian, 1/e^2 radius ``width``, truncated at ``outer``
        kept = -math.expm1(-2.0 * (outer / width) ** 2)
        return width * math.sqrt(-0.5 * math.log1p(-u * kept))
    return 0.0


@njit(cache=True)
def sample_launch_radii(kind, width, outer, state, n):
    """``n`` launch radii (m) drawn exactly as the kernel draws them; for tests."""
    s = state.copy()
    out = np.empty(n)
    for i in range(n):
        out[i] = _launch_radius(kind, width, outer, _uniform(s))
    return out


# --------------------------------------------------------------------------------------
# physics helpers (MCML)
# --------------------------------------------------------------------------------------
@njit(inline="always", cache=True)
def _fresnel(n1, n2, ca1):
    """Unpolarised Fresnel reflectance and transmitted-angle cosine (MCML ``RFresnel``).

    ``ca1`` is the cosine of the incidence angle (> 0).
    """
    if n1 == n2:
        return 0.0, ca1
    if ca1 > _COSZERO:
        r = (n2 - n1) / (n2 + n1)
        return r * r, ca1
    if ca1 < _COS90D:
        return 1.0, 0.0
    sa1 = math.sqrt(1.0 - ca1 * ca1)
    sa2 = n1 * sa1 / n2
    if sa2 >= 1.0:
        return 1.0, 0.0
    ca2 = math.sqrt(1.0 - sa2 * sa2)
    cap = ca1 * ca2 - sa1 * sa2
    cam = ca1 * ca2 + sa1 * sa2
    sap = sa1 * ca2 + ca1 * sa2
    sam = sa1 * ca2 - ca1 * sa2
    r = 0.5 * sam * sam * (cam * cam + cap * cap) / (sap * sap * cam * cam)
    return r, ca2


@njit(inline="always", cache=True)
def _z_bin(z, inv_h, lut, z_edges):
    k = int(z * inv_h)
    if k >= lut.size:
        k = lut.size - 1
    iz = lut[k]
    while z >= z_edges[iz + 1]:
        iz += 1
    while z < z_edges[iz]:
        iz -= 1
    return iz


@njit(cache=True, fastmath={"contract", "nsz", "arcp"})
def _run_batch(
    n_photons, s, rsp, beam_kind, beam_width, beam_outer,
    z_top, z_bot, n_layer, n_up, n_down, mut, inv_mut, absfrac, g, cos_crit_up, cos_crit_down,
    inv_dr, nr, r_max, z_max, inv_h, lut, z_edges,
    tally, rd_r, tt_r, scalars, layer_abs,
):
    nlayers = n_layer.size
    s0 = s[0]
    s1 = s[1]
    s2 = s[2]
    s3 = s[3]
    for _ in range(n_photons):
        r0 = 0.0
        if beam_kind != 0:
            u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
            r0 = _launch_radius(beam_kind, beam_width, beam_outer, u)
        x = r0
        y = 0.0
        z = 0.0
        ux = 0.0
        uy = 0.0
        uz = 1.0
        w = 1.0 - rsp
        layer = 0
        sleft = 0.0
        while True:
            mt = mut[layer]
            if mt == 0.0:  # clear layer: straight to the next interface, unspent step kept (MCML)
                step = math.inf
            elif sleft == 0.0:
                u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                step = -math.log(u) * inv_mut[layer]
            else:
                step = sleft * inv_mut[layer]
                sleft = 0.0
            if uz > 0.0:
                db = (z_bot[layer] - z) / uz
            elif uz < 0.0:
                db = (z_top[layer] - z) / uz
            else:
                db = math.inf
            if step > db:  # hits an interface: move there and decide reflection / transmission
                if mt > 0.0:
                    sleft = (step - db) * mt
                x += db * ux
                y += db * uy
                if uz < 0.0:  # upward, towards z_top
                    z = z_top[layer]
                    ni = n_layer[layer]
                    nt = n_up[layer]
                    if -uz <= cos_crit_up[layer]:
                        refl = 1.0
                        uz1 = 0.0
                    else:
                        refl, uz1 = _fresnel(ni, nt, -uz)
                    transmit = refl == 0.0
                    if not transmit and refl < 1.0:
                        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                        transmit = u > refl
                    if transmit:
                        if layer == 0:  # leaves through the surface: diffuse reflectance
                            rr = math.sqrt(x * x + y * y)
                            ir = int(rr * inv_dr)
                            if rr < r_max and ir < nr:
                                rd_r[ir] += w
                            else:
                                scalars[_RD_OUT] += w
                            scalars[_RD] += w
                            break
                        layer -= 1
                        ratio = ni / nt
                        ux *= ratio
                        uy *= ratio
                        uz = -uz1
                    else:
                        uz = -uz
                else:  # downward, towards z_bot
                    z = z_bot[layer]
                    ni = n_layer[layer]
                    nt = n_down[layer]
                    if uz <= cos_crit_down[layer]:
                        refl = 1.0
                        uz1 = 0.0
                    else:
                        refl, uz1 = _fresnel(ni, nt, uz)
                    transmit = refl == 0.0
                    if not transmit and refl < 1.0:
                        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                        transmit = u > refl
                    if transmit:
                        if layer == nlayers - 1:  # leaves through the bottom: transmittance
                            rr = math.sqrt(x * x + y * y)
                            ir = int(rr * inv_dr)
                            if rr < r_max and ir < nr:
                                tt_r[ir] += w
                            else:
                                scalars[_TT_OUT] += w
                            scalars[_TT] += w
                            break
                        layer += 1
                        ratio = ni / nt
                        ux *= ratio
                        uy *= ratio
                        uz = uz1
                    else:
                        uz = -uz
            else:  # interaction inside the layer: hop, drop, spin
                x += step * ux
                y += step * uy
                z += step * uz
                dwa = w * absfrac[layer]
                rr = math.sqrt(x * x + y * y)
                ir = int(rr * inv_dr)
                if rr < r_max and ir < nr and z < z_max:
                    iz = _z_bin(z, inv_h, lut, z_edges)
                    tally[ir, iz, 0] += dwa
                    tally[ir, iz, 1] += w * inv_mut[layer]
                else:
                    scalars[_ABS_OUT] += dwa
                layer_abs[layer] += dwa
                w -= dwa
                # Henyey-Greenstein polar angle
                gg = g[layer]
                if gg == 0.0:
                    u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                    cost = 2.0 * u - 1.0
                else:
                    u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                    temp = (1.0 - gg * gg) / (1.0 - gg + 2.0 * gg * u)
                    cost = (1.0 + gg * gg - temp * temp) / (2.0 * gg)
                    if cost < -1.0:
                        cost = -1.0
                    elif cost > 1.0:
                        cost = 1.0
                sint = math.sqrt(1.0 - cost * cost)
                # uniform azimuth: (cos, sin) from a point uniform in the unit disc
                while True:
                    u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                    a = 2.0 * u - 1.0
                    u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                    b = 2.0 * u - 1.0
                    q = a * a + b * b
                    if 0.0 < q <= 1.0:
                        break
                inv_q = 1.0 / q
                cosp = (a * a - b * b) * inv_q
                sinp = 2.0 * a * b * inv_q
                if uz > _COSZERO or uz < -_COSZERO:
                    ux = sint * cosp
                    uy = sint * sinp
                    uz = cost if uz > 0.0 else -cost
                else:
                    temp = math.sqrt(1.0 - uz * uz)
                    f = sint / temp
                    nux = f * (ux * uz * cosp - uy * sinp) + ux * cost
                    nuy = f * (uy * uz * cosp + ux * sinp) + uy * cost
                    uz = -sint * cosp * temp + uz * cost
                    ux = nux
                    uy = nuy
            # Russian roulette (MCML semantics)
            if w < WEIGHT_THRESHOLD:
                if w == 0.0:
                    break
                u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                if u < ROULETTE_CHANCE:
                    scalars[_ROUL] += w * (1.0 / ROULETTE_CHANCE - 1.0)
                    w /= ROULETTE_CHANCE
                else:
                    scalars[_ROUL] -= w
                    break
    s[0] = s0
    s[1] = s1
    s[2] = s2
    s[3] = s3
    total = 0.0
    for k in range(nlayers):
        total += layer_abs[k]
    scalars[_ABS] = total


@njit(parallel=True, cache=True)
def _run_wave(
    first_batch, batch_photons, states, rsp, beam_kind, beam_width, beam_outer,
    z_top, z_bot, n_layer, n_up, n_down, mut, inv_mut, absfrac, g, cos_crit_up, cos_crit_down,
    inv_dr, nr, r_max, z_max, inv_h, lut, z_edges,
    tally, rd_r, tt_r, scalars, layer_abs,
):
    """Run the batches ``first_batch ...`` of one wave, one private tally slot each."""
    count = batch_photons.size
    for j in prange(count):
        b = first_batch + j
        tally[j, :, :, :] = 0.0
        rd_r[j, :] = 0.0
        tt_r[j, :] = 0.0
        s = states[j].copy()
        _run_batch(
            batch_photons[j], s, rsp, beam_kind, beam_width, beam_outer,
            z_top, z_bot, n_layer, n_up, n_down, mut, inv_mut, absfrac, g, cos_crit_up, cos_crit_down,
            inv_dr, nr, r_max, z_max, inv_h, lut, z_edges,
            tally[j], rd_r[j], tt_r[j], scalars[b], layer_abs[b],
        )


@njit(cache=True)
def _reduce_wave(count, tally, rd_r, tt_r, tot_tally, tot_rd, tot_tt):
    """Add the wave's slots to the totals in slot order (deterministic)."""
    for j in range(count):
        tot_tally += tally[j]
        tot_rd += rd_r[j]
        tot_tt += tt_r[j]


# --------------------------------------------------------------------------------------
# Python driver
# --------------------------------------------------------------------------------------
def batch_sizes(photons: int) -> np.ndarray:
    """Photons per batch (int64): at least ``MIN_BATCHES`` batches of at most ``PHOTONS_PER_BATCH``.

    Depends on ``photons`` only, never on the thread count.
    """
    batches = max(min(photons, MIN_BATCHES), -(-photons // PHOTONS_PER_BATCH))
    sizes = np.full(batches, photons // batches, dtype=np.int64)
    sizes[: photons % batches] += 1
    return sizes


def _wave_size(batches: int, grid: RZGrid) -> int:
    per_slot = 8 * (2 * grid.nr * grid.nz + 2 * grid.nr)
    return int(max(1, min(batches, MAX_WAVE, WAVE_MEMORY_BYTES // per_slot)))


@dataclass(frozen=True)
class _KernelInputs:
    rsp: float
    beam: tuple[int, float, float]
    layers: tuple[np.ndarray, ...]
    grid: tuple


def _kernel_inputs(stack: LayerStack, grid: RZGrid, beam: Beam) -> _KernelInputs:
    props = stack.arrays()
    n = props["n"]
    thickness = props["thickness_m"]
    z_bot = np.cumsum(thickness)
    z_top = np.concatenate([[0.0], z_bot[:-1]])
    mut = props["mua_per_m"] + props["mus_per_m"]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_mut = np.where(mut > 0, 1.0 / mut, np.inf)
        absfrac = np.where(mut > 0, props["mua_per_m"] / mut, 0.0)
    n_up = np.concatenate([[stack.n_above], n[:-1]])
    n_down = np.concatenate([n[1:], [stack.n_below]])
    cos_crit_up = np.where(n > n_up, np.sqrt(np.maximum(0.0, 1.0 - (n_up / n) ** 2)), 0.0)
    cos_crit_down = np.where(n > n_down, np.sqrt(np.maximum(0.0, 1.0 - (n_down / n) ** 2)), 0.0)
    rsp = ((stack.n_above - n[0]) / (stack.n_above + n[0])) ** 2
    z_edges = np.ascontiguousarray(grid.z_edges_m)
    h = max(float(grid.dz_m.min()), grid.z_max_m / _LUT_MAX)
    m = int(math.ceil(grid.z_max_m / h)) + 1
    lut = np.searchsorted(z_edges, np.arange(m) * h, side="right").astype(np.int64) - 1
    lut = np.clip(lut, 0, grid.nz - 1)
    layers = tuple(
        np.ascontiguousarray(a, dtype=np.float64)
        for a in (z_top, z_bot, n, n_up, n_down, mut, inv_mut, absfrac, props["g"], cos_crit_up, cos_crit_down)
    )
    grid_args = (1.0 / grid.dr_m, grid.nr, grid.r_max_m, grid.z_max_m, 1.0 / h, lut, z_edges)
    return _KernelInputs(float(rsp), beam.kernel_parameters(), layers, grid_args)


def _check_inputs(stack, grid, beam, photons, seed, threads) -> int:
    if not isinstance(stack, LayerStack):
        raise InputError("stack", type(stack).__name__, "a laserskin.transport.LayerStack")
    if not isinstance(grid, RZGrid):
        raise InputError("grid", type(grid).__name__, "a laserskin.grid.RZGrid")
    if not isinstance(beam, Beam):
        raise InputError("beam", type(beam).__name__, "a laserskin.transport.Beam")
    if isinstance(photons, bool) or not isinstance(photons, (int, np.integer)):
        raise InputError("photons", photons, f"an integer from 1 to {MAX_PHOTONS:.0e}")
    if not 1 <= photons <= MAX_PHOTONS:
        raise InputError("photons", photons, f"an integer from 1 to {MAX_PHOTONS:.0e}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InputError("seed", seed, "an integer from 0 to 2**63 - 1")
    max_threads = numba.config.NUMBA_NUM_THREADS
    if threads is None:
        threads = max_threads
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 1 <= threads <= max_threads:
        raise InputError("threads", threads, f"an integer from 1 to {max_threads} (cores available to numba)")
    if beam.outer_radius_m > grid.r_max_m:
        what = "3 × the 1/e² radius" if beam.kind == "gaussian" else "the flat-top radius"
        raise InputError(
            "beam", f"{beam.kind}, outer radius {beam.outer_radius_m * 1e3:.4g} mm",
            f"{what} within the grid radius {grid.r_max_m * 1e3:.4g} mm",
        )
    last = stack.layers[-1]
    if math.isinf(last.thickness_m) and not last.mua_per_m > 0:
        raise InputError(
            "layers[-1].mua", last.mua_per_m, "> 0 for a semi-infinite last layer (photons would never stop)"
        )
    return int(threads)


_WARM = False


def _warm_up() -> None:
    """Load (or compile) the kernels on a tiny problem so that timings exclude compilation."""
    global _WARM
    if _WARM:
        return
    from laserskin.optics.layers import OpticalLayer

    stack = LayerStack(layers=(OpticalLayer(n=1.0, mua="1 1/cm", mus="1 1/cm", g=0.5, thickness="1 mm"),))
    grid = RZGrid.uniform(nr=2, dr_m=1e-3, nz=2, dz_m=1e-3)
    _run(stack, grid, Beam(kind="pencil"), 2, 0, Callback())
    _WARM = True


def _run(stack, grid, beam, photons, seed, progress):
    """Run all batches; returns raw tallies (sums of weights) and per-batch scalars."""
    k = _kernel_inputs(stack, grid, beam)
    sizes = batch_sizes(photons)
    batches = sizes.size
    wave = _wave_size(batches, grid)
    nr, nz, nl = grid.nr, grid.nz, len(stack.layers)
    # absorbed weight [..., 0] and collision estimator of fluence [..., 1] share a cache line
    slot_tally = np.zeros((wave, nr, nz, 2))
    slot_rd = np.zeros((wave, nr))
    slot_tt = np.zeros((wave, nr))
    tot_tally = np.zeros((nr, nz, 2))
    tot_rd = np.zeros(nr)
    tot_tt = np.zeros(nr)
    scalars = np.zeros((batches, _NSCALAR))
    layer_abs = np.zeros((batches, nl))
    start = time.perf_counter()
    done = 0
    for first in range(0, batches, wave):
        count = min(wave, batches - first)
        states = np.stack([batch_state(seed, b) for b in range(first, first + count)])
        _run_wave(
            first, sizes[first : first + count], states, k.rsp, *k.beam, *k.layers, *k.grid,
            slot_tally, slot_rd, slot_tt, scalars, layer_abs,
        )
        _reduce_wave(count, slot_tally, slot_rd, slot_tt, tot_tally, tot_rd, tot_tt)
        done += int(sizes[first : first + count].sum())
        progress.on_progress("transport", done, time.perf_counter() - start)
    return {
        "rsp": k.rsp,
        "sizes": sizes,
        "absorbed": np.ascontiguousarray(tot_tally[:, :, 0]),
        "collisions": np.ascontiguousarray(tot_tally[:, :, 1]),
        "rd_r": tot_rd,
        "tt_r": tot_tt,
        "scalars": scalars,
        "layer_abs": layer_abs,
        "kernel_time_s": time.perf_counter() - start,
    }


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


def simulate_transport(
    stack: LayerStack,
    grid: RZGrid,
    beam: Beam,
    photons: int,
    seed: int,
    threads: int | None = None,
    progress: Callback | None = None,
):
    """Monte Carlo light transport (MCML-equivalent) through a layer stack.

    Parameters
    ----------
    stack : LayerStack
        Optical layers (SI: μa, μs in 1/m, thickness in m; last layer may be semi-infinite).
    grid : RZGrid
        Cylindrical grid of the absorption and fluence tallies (m).
    beam : Beam
        Incident beam (normal incidence, axisymmetric, centred on r = 0).
    photons : int
        Number of photon packets, 1 to 1e10.
    seed : int
        Random seed (0 to 2**63 − 1); the same seed and photon count give bit-identical
        results on any number of threads.
    threads : int, optional
        Worker threads (default: all that numba may use).
    progress : Callback, optional
        Receives ``on_start("transport", photons, "photons")``, ``on_progress`` after each
        wave of batches and ``on_end``.

    Returns
    -------
    TransportResult
        Reflectance, transmittance and absorption fractions (per incident joule, with
        batch standard errors), absorbed energy density (1/m³ = J/m³ per J) and fluence
        (1/m² = J/m² per J) on the grid, and radially resolved Rd and Tt (1/m²).

    Raises
    ------
    InputError
        On bad photons, seed or threads, a beam wider than the grid, or a non-absorbing
        semi-infinite last layer.
    """
    cite("wang1995mcml", "henyey1941", "blackman2021xoshiro")
    from laserskin.transport.result import TransportResult

    threads = _check_inputs(stack, grid, beam, photons, seed, threads)
    progress = as_callback(progress)
    photons = int(photons)
    seed = int(seed)
    wall_start = time.perf_counter()
    previous_threads = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        _warm_up()
        progress.on_start("transport", float(photons), "photons")
        raw = _run(stack, grid, beam, photons, seed, progress)
    finally:
        numba.set_num_threads(previous_threads)
    wall = time.perf_counter() - wall_start
    progress.on_end("transport", wall)

    sizes = raw["sizes"]
    scalars = raw["scalars"]
    layer_abs = raw["layer_abs"]
    n = float(photons)
    se = _ratio_stderr(scalars, sizes)
    se_layers = _ratio_stderr(layer_abs, sizes)
    volume = grid.cell_volume_m3
    ring = grid.ring_area_m2
    return TransportResult(
        stack=stack,
        grid=grid,
        beam=beam,
        photons=photons,
        seed=seed,
        threads=threads,
        batches=int(sizes.size),
        specular_reflectance=raw["rsp"],
        diffuse_reflectance=float(scalars[:, _RD].sum() / n),
        diffuse_reflectance_stderr=float(se[_RD]),
        total_transmittance=float(scalars[:, _TT].sum() / n),
        total_transmittance_stderr=float(se[_TT]),
        absorbed_fraction=float(scalars[:, _ABS].sum() / n),
        absorbed_fraction_stderr=float(se[_ABS]),
        absorbed_fraction_by_layer=layer_abs.sum(axis=0) / n,
        absorbed_fraction_by_layer_stderr=se_layers,
        absorbed_outside_grid_fraction=float(scalars[:, _ABS_OUT].sum() / n),
        roulette_balance=float(scalars[:, _ROUL].sum() / n),
        roulette_balance_stderr=float(se[_ROUL]),
        absorbed_energy_density_per_J=raw["absorbed"] / (n * volume),
        fluence_per_J=raw["collisions"] / (n * volume),
        diffuse_reflectance_per_area=raw["rd_r"] / (n * ring),
        transmittance_per_area=raw["tt_r"] / (n * ring),
        photons_per_second=n / raw["kernel_time_s"] if raw["kernel_time_s"] > 0 else math.inf,
        wall_time_s=wall,
        version=__version__,
        kernel_version=KERNEL_VERSION,
    )
