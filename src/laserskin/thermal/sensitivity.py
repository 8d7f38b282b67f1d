"""Sensitivity of a linear read-out of the laser's temperature rise to the heat source (the adjoint of the solver).

A read-out ``P = wᵀ ΔT(t)`` of the rise that the laser adds (the run with the laser minus the run without, at the
end of a given step of :func:`laserskin.thermal.solve_bioheat`) is linear in the source map ``S`` (1/m³ per J): it is
``P = Σ_cells a · S``. :func:`readout_sensitivity` returns ``a`` for several read-outs at once by running the
solver's steps backwards with the transposed step (discrete adjoint of TR-BDF2, Bank et al. 1985; Hosea & Shampine
1996), two linear solves per step with the solver's own factors. One backward run replaces a heat solve per source:
the Monte Carlo error of a thermal read-out is the scatter of ``Σ a · S_g`` over independent groups of photons
``S_g`` (:func:`laserskin.transport.statistics.relative_error_from_groups`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.thermal.boundary import SurfaceBoundary
from laserskin.thermal.medium import ThermalMedium
from laserskin.thermal.operator import Operator
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.solver import factorise
from laserskin.thermal.stepping import D_STAGE as _D
from laserskin.thermal.stepping import W_STAGE as _W

__all__ = ["readout_sensitivity"]


def readout_sensitivity(
    medium: ThermalMedium, power: Schedule, surface: SurfaceBoundary, times_s, weights
) -> np.ndarray:
    """``a`` (k, nr, nz) such that ``Σ a[j] · S`` is the read-out ``weights[j] · ΔT`` at ``times_s[-1]``.

    Parameters
    ----------
    medium, power, surface
        As given to :func:`laserskin.thermal.solve_bioheat` for the run with the laser (power in W).
    times_s : array_like (nt,)
        The solver's step times from 0 up to the read-out time (the ``times_s`` its observers saw: every step,
        ``times_s[0]`` = 0). The steps are retaken exactly (same Δt, h, power, factors).
    weights : array_like (k, nr, nz)
        Read-out weights per cell (e.g. the area-weighted mean over the cells of a read-out region), 1.

    Returns
    -------
    ndarray (k, nr, nz)
        K per (1/m³): the read-out's rise for a source map ``S`` (1/m³ per J, as ``source_per_J``) is ``Σ a · S``.
    """
    cite("bank1985trbdf2", "hosea1996trbdf2")
    grid = medium.grid
    nr, nz = grid.nr, grid.nz
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 3 or w.shape[1:] != (nr, nz):
        raise InputError("weights", f"shape {w.shape}", f"shape (k, {nr}, {nz})")
    times = np.asarray(times_s, dtype=np.float64)
    if times.ndim != 1 or times.size < 1 or times[0] != 0.0 or np.any(np.diff(times) <= 0):
        raise InputError("times_s", "not increasing from 0", "the solver's step times from 0")
    op = Operator(medium)
    capacity = op.capacity_J_per_K
    lam = w.reshape(w.shape[0], -1).T.copy()  # (n, k): d P / d T at the read-out time
    grad = np.zeros_like(lam)  # d P / d (power × source power per cell)
    factors: dict = {}
    steps = list(zip(times[:-1], times[1:], strict=True))
    powers = [power.value_on(t0, t1) for t0, t1 in steps]
    heated = [n for n, p in enumerate(powers) if p != 0.0]
    # backwards from the read-out to the first step with the laser on: earlier steps add nothing to the gradient
    for n in range(len(steps) - 1, heated[0] - 1 if heated else len(steps) - 1, -1):
        t0, t1 = steps[n]
        p = powers[n]
        dt = float(f"{t1 - t0:.12e}")  # as the solver rounds it
        h = surface.h_W_per_m2K.value_on(t0, t1)
        if (dt, h) not in factors:
            L = op.matrix(h)
            factors[(dt, h)] = (factorise(L * (_D * dt) + sp.diags(capacity))[0], L.T.tocsr())
        lu, lt = factors[(dt, h)]
        # forward: y2 = M⁻¹(C T − DΔt L T + 2DΔt g); y3 = M⁻¹(C T + WΔt(2g − L T − L y2) + DΔt g)
        rho3 = lu.solve(lam, trans="T")
        rho2 = lu.solve(-(_W * dt) * (lt @ rho3), trans="T")
        if p != 0.0:
            grad += p * ((2.0 * _W + _D) * dt * rho3 + 2.0 * _D * dt * rho2)
        lam = capacity[:, None] * (rho3 + rho2) - lt @ ((_W * dt) * rho3 + (_D * dt) * rho2)
    # g = p · S · V per cell: the read-out per unit S is the gradient times the cell volume
    return (grad * op.volume_m3[:, None]).T.reshape(w.shape[0], nr, nz)
