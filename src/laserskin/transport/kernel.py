"""The r–z photon-packet kernel (numba): MCML-equivalent transport in a multilayer slab.

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

import numpy as np
from numba import njit, prange

from laserskin.transport.rng import _uniform, _uniform4

WEIGHT_THRESHOLD = 1e-4
"""Russian roulette threshold weight (MCML ``WEIGHT``)."""
ROULETTE_CHANCE = 0.1
"""Russian roulette survival probability (MCML ``CHANCE``)."""
_COSZERO = 1.0 - 1.0e-12
_COS90D = 1.0e-6

# columns of the per-batch scalar tallies
_RD, _TT, _ABS, _ABS_OUT, _ROUL, _RD_OUT, _TT_OUT = range(7)
_NSCALAR = 7


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
def _roulette(w, s0, s1, s2, s3):
    """MCML's Russian roulette for a packet below ``WEIGHT_THRESHOLD``: it survives with
    probability ``ROULETTE_CHANCE`` and its weight is divided by it, else it dies; a packet of
    zero weight dies without drawing. Returns ``(weight, weight gained, alive, rng state)``;
    the gain (negative for a death) is tallied as the roulette balance. Shared by the r–z and
    voxel kernels."""
    if w == 0.0:
        return 0.0, 0.0, False, s0, s1, s2, s3
    u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
    if u < ROULETTE_CHANCE:
        return w / ROULETTE_CHANCE, w * (1.0 / ROULETTE_CHANCE - 1.0), True, s0, s1, s2, s3
    return 0.0, -w, False, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _spin(ux, uy, uz, cost, sint, cosp, sinp):
    """Direction after a deflection by polar cosine ``cost`` (sine ``sint``) and azimuth
    (``cosp``, ``sinp``) from (ux, uy, uz), as MCML's ``Spin``; shared by the r–z and voxel
    kernels (inlined, so it compiles under each kernel's own flags)."""
    if uz > _COSZERO or uz < -_COSZERO:
        return sint * cosp, sint * sinp, (cost if uz > 0.0 else -cost)
    temp = math.sqrt(1.0 - uz * uz)
    f = sint / temp
    return (
        f * (ux * uz * cosp - uy * sinp) + ux * cost,
        f * (uy * uz * cosp + ux * sinp) + uy * cost,
        -sint * cosp * temp + uz * cost,
    )


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


# error_model="numpy": no zero-division checks in the hot loop (no divisor here can be 0: uz != 0 is
# tested before dividing by it, |uz| < 1 in the spin, the azimuth's q > 0, |g| < 1); the arithmetic
# and therefore every tally are the same (tests/transport/test_kernel_pinned.py)
@njit(cache=True, fastmath={"contract", "nsz", "arcp"}, error_model="numpy")
def _run_batch(
    n_photons,
    s,
    rsp,
    beam_kind,
    beam_width,
    beam_outer,
    z_top,
    z_bot,
    n_layer,
    n_up,
    n_down,
    mut,
    inv_mut,
    absfrac,
    g,
    cos_crit_up,
    cos_crit_down,
    inv_dr,
    nr,
    r_max,
    z_max,
    inv_h,
    lut,
    z_edges,
    tally,
    rd_r,
    tt_r,
    scalars,
    layer_abs,
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
        mt = mut[0]
        imt = inv_mut[0]
        while True:
            if mt == 0.0:  # clear layer: straight to the next interface, unspent step kept (MCML)
                step = math.inf
            elif sleft == 0.0:
                u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                step = -math.log(u) * imt
            else:
                step = sleft * imt
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
                        mt = mut[layer]
                        imt = inv_mut[layer]
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
                        mt = mut[layer]
                        imt = inv_mut[layer]
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
                    tally[ir, iz, 1] += w * imt
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
                ux, uy, uz = _spin(ux, uy, uz, cost, sint, cosp, sinp)
            if w < WEIGHT_THRESHOLD:
                w, gained, alive, s0, s1, s2, s3 = _roulette(w, s0, s1, s2, s3)
                scalars[_ROUL] += gained
                if not alive:
                    break
    s[0] = s0
    s[1] = s1
    s[2] = s2
    s[3] = s3
    total = 0.0
    for k in range(nlayers):
        total += layer_abs[k]
    scalars[_ABS] = total


@njit(parallel=True, cache=True, nogil=True)
def _run_wave(
    first_batch,
    batch_photons,
    states,
    rsp,
    beam_kind,
    beam_width,
    beam_outer,
    z_top,
    z_bot,
    n_layer,
    n_up,
    n_down,
    mut,
    inv_mut,
    absfrac,
    g,
    cos_crit_up,
    cos_crit_down,
    inv_dr,
    nr,
    r_max,
    z_max,
    inv_h,
    lut,
    z_edges,
    tally,
    rd_r,
    tt_r,
    scalars,
    layer_abs,
):
    """Run the batches ``first_batch ...`` of one wave, one private tally slot each.

    Releases the GIL (``nogil``): a transport may run in a background thread while the caller's
    thread solves heat (:func:`laserskin.transport.driver.prefetch`)."""
    count = batch_photons.size
    for j in prange(count):
        b = first_batch + j
        tally[j, :, :, :] = 0.0
        rd_r[j, :] = 0.0
        tt_r[j, :] = 0.0
        s = states[j].copy()
        _run_batch(
            batch_photons[j],
            s,
            rsp,
            beam_kind,
            beam_width,
            beam_outer,
            z_top,
            z_bot,
            n_layer,
            n_up,
            n_down,
            mut,
            inv_mut,
            absfrac,
            g,
            cos_crit_up,
            cos_crit_down,
            inv_dr,
            nr,
            r_max,
            z_max,
            inv_h,
            lut,
            z_edges,
            tally[j],
            rd_r[j],
            tt_r[j],
            scalars[b],
            layer_abs[b],
        )


@njit(cache=True, nogil=True)
def _reduce_wave(count, tally, rd_r, tt_r, tot_tally, tot_rd, tot_tt):
    """Add the wave's slots to the totals in slot order (deterministic)."""
    for j in range(count):
        tot_tally += tally[j]
        tot_rd += rd_r[j]
        tot_tt += tt_r[j]
