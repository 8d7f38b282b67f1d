"""Voxel Monte Carlo kernel (numba): photon packets in a 3-D grid of labelled media.

The physics is MCML's (Wang, Jacques & Zheng 1995) carried over to a voxel grid the way
mcxyz does it (Jacques 2010–2017): the dimensionless step ``−ln ξ`` is spent voxel by
voxel (the unspent part carried over a face), implicit capture ``μa/μt`` of the weight at
each interaction, Henyey–Greenstein scattering, MCML's roulette. Faces between media of
different refractive index may reflect or refract (unpolarised Fresnel, Snell), the top
and bottom faces always do (ambient ``n_above`` / ``n_below``). The side faces either let
the packet escape or wrap it around (periodic in x and y).

Positions are held in voxel units (the voxel is a unit cube), so face distances are
integer differences; the current voxel is tracked by integer indices, never re-derived
from the position, so packets cannot get lost between voxels.
"""

from __future__ import annotations

import math

from numba import njit, prange

from laserskin.transport.kernel import WEIGHT_THRESHOLD, _fresnel, _roulette, _spin
from laserskin.transport.rng import _uniform4

# columns of the per-batch scalar tallies
SPEC, RD, TT, ABS, SIDE, ROUL = range(6)
NSCALAR = 6

BEAM_PENCIL, BEAM_FLAT, BEAM_GAUSS, BEAM_UNIFORM = 0, 1, 2, 3


@njit(inline="always", cache=True)
def _disc_point(s0, s1, s2, s3):
    """A point uniform in the unit disc (rejection): ``(a, b, q = a² + b², state)``."""
    while True:
        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
        a = 2.0 * u - 1.0
        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
        b = 2.0 * u - 1.0
        q = a * a + b * b
        if 0.0 < q <= 1.0:
            return a, b, q, s0, s1, s2, s3


@njit(cache=True, fastmath={"contract", "nsz", "arcp"})
def run_voxel_batch(
    n_photons,
    first_photon,
    s,
    beam_kind,
    beam_width,
    beam_outer,
    spot_x,
    spot_y,
    labels,
    periodic,
    n_above,
    n_below,
    media_fresnel,
    n_med,
    mut,
    absfrac,
    g,
    absorbed,
    rd_map,
    tt_map,
    scalars,
    region_abs,
):
    """Run ``n_photons`` packets; all lengths in voxel units, ``mut`` per voxel length.

    ``spot_x``/``spot_y`` are the beam centres (voxel units from the grid's corner);
    packet ``first_photon + i`` uses spot ``(first_photon + i) mod len(spot_x)``.
    Tallies (weights) are added to ``absorbed[ix, iy, iz, 0]`` (absorbed weight),
    ``absorbed[ix, iy, iz, 1]`` (weight × path length in voxel units: the track-length
    estimator of fluence), ``rd_map[ix, iy]``,
    ``tt_map[ix, iy]``, ``scalars[:]`` and ``region_abs[medium]``.
    """
    nx, ny, nz = labels.shape
    fnx = float(nx)
    fny = float(ny)
    nspots = spot_x.size
    s0 = s[0]
    s1 = s[1]
    s2 = s[2]
    s3 = s[3]
    for p in range(n_photons):
        # ---- launch ---------------------------------------------------------------
        spot = (first_photon + p) % nspots
        x = spot_x[spot]
        y = spot_y[spot]
        if beam_kind == BEAM_UNIFORM:  # rectangle of half-widths (beam_width, beam_outer)
            u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
            x += beam_width * (1.0 - 2.0 * u)
            u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
            y += beam_outer * (1.0 - 2.0 * u)
        elif beam_kind == BEAM_FLAT:
            a, b, q, s0, s1, s2, s3 = _disc_point(s0, s1, s2, s3)
            x += beam_width * a
            y += beam_width * b
        elif beam_kind == BEAM_GAUSS:
            u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
            kept = -math.expm1(-2.0 * (beam_outer / beam_width) ** 2)
            r = beam_width * math.sqrt(-0.5 * math.log1p(-u * kept))
            a, b, q, s0, s1, s2, s3 = _disc_point(s0, s1, s2, s3)
            inv = r / math.sqrt(q)
            x += a * inv
            y += b * inv
        if periodic:
            x = x - fnx * math.floor(x / fnx)
            y = y - fny * math.floor(y / fny)
        ix = int(math.floor(x))  # noqa: RUF046 (an int64 index under numba)
        iy = int(math.floor(y))  # noqa: RUF046
        if ix >= nx:  # rounding at the upper edge
            ix = nx - 1
        if iy >= ny:
            iy = ny - 1
        if ix < 0 or iy < 0 or x >= fnx or y >= fny:  # misses the volume (checked in Python)
            scalars[SIDE] += 1.0
            continue
        iz = 0
        z = 0.0
        ux = 0.0
        uy = 0.0
        uz = 1.0
        med = labels[ix, iy, 0]
        rsp = (n_above - n_med[med]) / (n_above + n_med[med])
        rsp *= rsp
        scalars[SPEC] += rsp
        w = 1.0 - rsp
        sleft = 0.0
        while True:
            mt = mut[med]
            if sleft == 0.0 and mt > 0.0:
                u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                sleft = -math.log(u)
            # distance to the voxel's faces along the direction
            if ux > 0.0:
                tx = (ix + 1.0 - x) / ux
            elif ux < 0.0:
                tx = (ix - x) / ux
            else:
                tx = math.inf
            if uy > 0.0:
                ty = (iy + 1.0 - y) / uy
            elif uy < 0.0:
                ty = (iy - y) / uy
            else:
                ty = math.inf
            if uz > 0.0:
                tz = (iz + 1.0 - z) / uz
            elif uz < 0.0:
                tz = (iz - z) / uz
            else:
                tz = math.inf
            if tx <= ty and tx <= tz:
                axis = 0
                tmin = tx
            elif ty <= tz:
                axis = 1
                tmin = ty
            else:
                axis = 2
                tmin = tz
            tmin = max(tmin, 0.0)
            if mt > 0.0 and sleft < tmin * mt:  # interaction inside this voxel: hop, drop, spin
                step = sleft / mt
                x += step * ux
                y += step * uy
                z += step * uz
                sleft = 0.0
                dwa = w * absfrac[med]
                absorbed[ix, iy, iz, 0] += dwa
                absorbed[ix, iy, iz, 1] += w * step  # track length (fluence estimator)
                region_abs[med] += dwa
                w -= dwa
                gg = g[med]
                u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                if gg == 0.0:
                    cost = 2.0 * u - 1.0
                else:
                    temp = (1.0 - gg * gg) / (1.0 - gg + 2.0 * gg * u)
                    cost = (1.0 + gg * gg - temp * temp) / (2.0 * gg)
                    if cost < -1.0:
                        cost = -1.0
                    elif cost > 1.0:
                        cost = 1.0
                sint = math.sqrt(1.0 - cost * cost)
                a, b, q, s0, s1, s2, s3 = _disc_point(s0, s1, s2, s3)
                inv_q = 1.0 / q
                cosp = (a * a - b * b) * inv_q
                sinp = 2.0 * a * b * inv_q
                ux, uy, uz = _spin(ux, uy, uz, cost, sint, cosp, sinp)
                if w < WEIGHT_THRESHOLD:
                    w, gained, alive, s0, s1, s2, s3 = _roulette(w, s0, s1, s2, s3)
                    scalars[ROUL] += gained
                    if not alive:
                        break
                continue
            # ---- reach a face: move there, spend that part of the step -------------------
            absorbed[ix, iy, iz, 1] += w * tmin
            if mt > 0.0:
                sleft -= tmin * mt
                sleft = max(sleft, 0.0)
            x += tmin * ux
            y += tmin * uy
            z += tmin * uz
            if axis == 0:
                if ux > 0.0:
                    jx = ix + 1
                    x = float(jx)
                else:
                    jx = ix - 1
                    x = float(ix)
                if jx < 0 or jx >= nx:
                    if not periodic:
                        scalars[SIDE] += w
                        break
                    if jx < 0:
                        jx = nx - 1
                        x += fnx
                    else:
                        jx = 0
                        x -= fnx
                nmed = labels[jx, iy, iz]
                if media_fresnel and n_med[nmed] != n_med[med]:
                    ni = n_med[med]
                    nt = n_med[nmed]
                    refl, ca2 = _fresnel(ni, nt, abs(ux))
                    transmit = refl == 0.0
                    if not transmit and refl < 1.0:
                        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                        transmit = u > refl
                    if not transmit:
                        if ux > 0.0:
                            x = float(ix + 1)
                        else:
                            x = float(ix)
                        ux = -ux
                        continue
                    ratio = ni / nt
                    uy *= ratio
                    uz *= ratio
                    ux = ca2 if ux > 0.0 else -ca2
                ix = jx
                med = nmed
            elif axis == 1:
                if uy > 0.0:
                    jy = iy + 1
                    y = float(jy)
                else:
                    jy = iy - 1
                    y = float(iy)
                if jy < 0 or jy >= ny:
                    if not periodic:
                        scalars[SIDE] += w
                        break
                    if jy < 0:
                        jy = ny - 1
                        y += fny
                    else:
                        jy = 0
                        y -= fny
                nmed = labels[ix, jy, iz]
                if media_fresnel and n_med[nmed] != n_med[med]:
                    ni = n_med[med]
                    nt = n_med[nmed]
                    refl, ca2 = _fresnel(ni, nt, abs(uy))
                    transmit = refl == 0.0
                    if not transmit and refl < 1.0:
                        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                        transmit = u > refl
                    if not transmit:
                        if uy > 0.0:
                            y = float(iy + 1)
                        else:
                            y = float(iy)
                        uy = -uy
                        continue
                    ratio = ni / nt
                    ux *= ratio
                    uz *= ratio
                    uy = ca2 if uy > 0.0 else -ca2
                iy = jy
                med = nmed
            else:
                if uz > 0.0:
                    jz = iz + 1
                    z = float(jz)
                else:
                    jz = iz - 1
                    z = float(iz)
                if jz < 0 or jz >= nz:  # top or bottom surface: ambient medium beyond
                    ni = n_med[med]
                    nt = n_above if jz < 0 else n_below
                    refl, ca2 = _fresnel(ni, nt, abs(uz))
                    transmit = refl == 0.0
                    if not transmit and refl < 1.0:
                        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                        transmit = u > refl
                    if transmit:
                        if jz < 0:
                            rd_map[ix, iy] += w
                            scalars[RD] += w
                        else:
                            tt_map[ix, iy] += w
                            scalars[TT] += w
                        break
                    uz = -uz
                    continue
                nmed = labels[ix, iy, jz]
                if media_fresnel and n_med[nmed] != n_med[med]:
                    ni = n_med[med]
                    nt = n_med[nmed]
                    refl, ca2 = _fresnel(ni, nt, abs(uz))
                    transmit = refl == 0.0
                    if not transmit and refl < 1.0:
                        u, s0, s1, s2, s3 = _uniform4(s0, s1, s2, s3)
                        transmit = u > refl
                    if not transmit:
                        uz = -uz
                        continue
                    ratio = ni / nt
                    ux *= ratio
                    uy *= ratio
                    uz = ca2 if uz > 0.0 else -ca2
                iz = jz
                med = nmed
    s[0] = s0
    s[1] = s1
    s[2] = s2
    s[3] = s3
    total = 0.0
    for k in range(region_abs.size):
        total += region_abs[k]
    scalars[ABS] = total


@njit(parallel=True, cache=True)
def run_voxel_wave(
    first_photons,
    batch_photons,
    states,
    beam_kind,
    beam_width,
    beam_outer,
    spot_x,
    spot_y,
    labels,
    periodic,
    n_above,
    n_below,
    media_fresnel,
    n_med,
    mut,
    absfrac,
    g,
    absorbed,
    rd_map,
    tt_map,
    scalars,
    region_abs,
):
    """Run one round of batches, batch ``j`` of the round adding to tally slot ``j``.

    Slots are not cleared here: over the rounds, slot ``j`` sums batches ``j, j + S, j + 2S, ...``
    in that order (S slots, a number fixed by the grid size alone), so the totals do not depend on
    the thread count.
    """
    for j in prange(batch_photons.size):
        s = states[j].copy()
        run_voxel_batch(
            batch_photons[j],
            first_photons[j],
            s,
            beam_kind,
            beam_width,
            beam_outer,
            spot_x,
            spot_y,
            labels,
            periodic,
            n_above,
            n_below,
            media_fresnel,
            n_med,
            mut,
            absfrac,
            g,
            absorbed[j],
            rd_map[j],
            tt_map[j],
            scalars[j],
            region_abs[j],
        )


@njit(parallel=True, cache=True)
def reduce_voxel_wave(count, absorbed, rd_map, tt_map, tot_absorbed, tot_rd, tot_tt):
    """Add the wave's slots to the totals in slot order; parallel over x, so still deterministic."""
    nx = tot_absorbed.shape[0]
    for ix in prange(nx):
        for j in range(count):
            tot_absorbed[ix] += absorbed[j, ix]
            tot_rd[ix] += rd_map[j, ix]
            tt = tt_map[j, ix]
            tot_tt[ix] += tt
