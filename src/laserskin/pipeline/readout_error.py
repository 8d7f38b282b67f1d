"""Monte Carlo error of the thermal read-outs, measured from the run itself (issue 10 item 3).

A threshold read-out (the basal Henriques Ω, the pigment level, the epidermal grade) reads the laser's temperature
rise pooled over a read-out region (:func:`laserskin.damage.injury.readout_rings`) at the time of its peak. That rise
is linear in the absorbed-energy map ``S``: ``P = Σ a · S`` with ``a`` from one backward heat run
(:func:`laserskin.thermal.sensitivity.readout_sensitivity`). The transport keeps ``S`` split over groups of batches
with independent random streams (:func:`laserskin.transport.statistics.tally_groups`, 32 groups), so ``P`` is a sum
of independent group values ``P_g = Σ a · S_g`` and its relative standard error is their scatter
(:func:`laserskin.transport.statistics.relative_error_from_groups`): a measurement of the run's own noise, with
every deposit of a photon history in one group (the deposits of one history are correlated: at 1064 nm the
counting model 1/√N of the region's launched photons understated the basal noise 1.7×), at no extra photons and
one backward heat run (tens of ms). Deterministic: the same seed gives the same estimate.

Each result is kept while its response lives, the "not estimated" ``None`` too, and each backward run while its
simulation lives, keyed on the value of everything it reads (:func:`_sensitivity`).

Scaled copies (the ends of the plan's dose band). The plan's dose band re-reads a setting on a copy of its response
with the laser rise scaled by ``f`` (:func:`laserskin.planning.plan._setting_at_dose`: the dose of the fluence
``f × F``, ``f = 1 − δ_low`` or ``1 + δ_high``). That copy is no heat run of the simulation: the groups' rises add up
to ``1/f`` of its rise, so until session 13 its estimate was ``None`` and the ends' epidermal grade and pigment level
were the nominal ones, without Monte Carlo bounds. The copy's rise is ``f`` times the rise of the simulation's heat
run, everywhere, so its read-out is ``f`` times the run's read-out group by group (``P_g → f P_g``): its relative
standard error is the run's, exactly (the ratio estimator's standard error and the total both scale by ``f``; the
read-out time, the argmax of the scaled rise, is the same). Such a copy is made by
:meth:`laserskin.pipeline.response.ThermalResponse.scaled`, which records its origin and factor (``scaled_from``);
:func:`basal_readout_relative_errors` returns the origin's estimate for it (``factor > 0``): no backward run, no
guess. Any other response (another heat problem, another transport, a copy changed after scaling) keeps the check
against the groups and its ``None``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import threading
import weakref

import numpy as np

from laserskin.pipeline import stages
from laserskin.thermal.sensitivity import readout_sensitivity
from laserskin.transport.statistics import relative_error_from_groups

__all__ = ["basal_readout_relative_errors", "basal_index", "source_groups"]

_ERRORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # response -> {regions: (simulation, errors | None)}
_SENSITIVITIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # simulation -> {inputs' digest: a row}
_SENSITIVITIES_LOCK = threading.Lock()


def basal_index(response) -> int:
    """Depth index of the basal layer (the last cell above the epidermal–dermal junction)."""
    z = response.grid.z_centers_m
    return int(np.flatnonzero(z < response.geometry.junction_depth_m)[-1])


def source_groups(stacks, results) -> tuple[np.ndarray, np.ndarray] | None:
    """``(S_g (G, nr, nz) in 1/m³ per J, photons (G,))``: the source of :func:`laserskin.pipeline.stages.transport`
    (weighted over the wavelengths) split by the transport's groups of batches; ``None`` where a result keeps no
    groups (huge grid) or the wavelengths' groups differ."""
    groups = [np.asarray(r.absorbed_by_group_per_J, dtype=np.float64) for r in results]
    photons = [np.asarray(r.photons_by_group) for r in results]
    if not groups or any(g.shape[0] < 2 or g.shape != groups[0].shape for g in groups):
        return None
    if any(not np.array_equal(p, photons[0]) for p in photons):
        return None
    total = sum(weight * g for (weight, _), g in zip(stacks, groups, strict=True))
    return total, photons[0]


def basal_readout_relative_errors(simulation, response, regions=(0,), transport_results=None) -> np.ndarray | None:
    """Relative standard error of the basal peak rise pooled over each read-out region in ``regions`` (region
    indices of ``response.readout_rings``), measured over the transport's groups of batches (module docstring).

    Each region's rise is read at the time of its nominal peak (the peak's first-order change is the change at that
    time). ``transport_results``: the run's transport results (default: ``simulation.transport()``, a disk-cache hit
    for the run that made ``response``). ``None`` without read-out regions, without groups, or for a response on
    another grid or of another heat run than ``simulation``'s (checked: the groups' rises must add up to the
    response's). A copy made by ``response.scaled(f)`` with ``f > 0`` (the dose band's ends) has its origin's
    relative errors (module docstring). One estimate per response, simulation and
    regions, ``None`` included (kept while the response lives); one backward run per heat problem, read-out time and
    regions (:func:`_sensitivity`).
    """
    if response.readout_rings is None:
        return None
    key = tuple(int(k) for k in regions)
    return _kept_or_estimated(simulation, response, key, transport_results, follow_scaling=True)


def _kept_or_estimated(simulation, response, key: tuple[int, ...], transport_results, *, follow_scaling: bool):
    """:func:`basal_readout_relative_errors` of the regions ``key``: the kept estimate, else a new one (kept); with
    ``follow_scaling`` a scaled copy (``scaled_from``, factor > 0) reads its origin's (itself read without following:
    :meth:`~laserskin.pipeline.response.ThermalResponse.scaled` always names a heat run's own response)."""
    try:
        kept = _ERRORS[response]
    except (KeyError, TypeError):
        kept = None
    if kept is not None and key in kept and kept[key][0] is simulation:
        return kept[key][1]
    scaled_from = getattr(response, "scaled_from", None) if follow_scaling else None
    if scaled_from is not None and scaled_from[1] > 0.0 and math.isfinite(scaled_from[1]):
        # f x the rise of the origin's heat run: that run's relative errors (docstring)
        errors = _kept_or_estimated(simulation, scaled_from[0], key, transport_results, follow_scaling=False)
    else:
        errors = _estimate(simulation, response, key, transport_results)
    try:
        _ERRORS.setdefault(response, {})[key] = (simulation, errors)
    except TypeError:  # a response that takes no weak reference: not kept
        pass
    return errors


def _estimate(simulation, response, key: tuple[int, ...], transport_results) -> np.ndarray | None:
    """:func:`basal_readout_relative_errors` of the regions ``key``, not kept."""
    rings = response.readout_rings
    grid = response.grid
    if transport_results is None:
        transport_results = simulation.transport()[0]
    if any(
        not (np.array_equal(r.grid.r_edges_m, grid.r_edges_m) and np.array_equal(r.grid.z_edges_m, grid.z_edges_m))
        for r in transport_results
    ):
        return None
    split = source_groups(simulation.optical_stacks(), transport_results)
    if split is None:
        return None
    sources, photons = split
    basal = basal_index(response)
    pooled_rise = response.rise_per_J[:, :, basal]
    area = np.diff(grid.r_edges_m**2)
    weights = np.zeros((len(key), grid.nr, grid.nz))
    peak_list = []
    for j, k in enumerate(key):
        members = rings == k
        weights[j, members, basal] = area[members] / area[members].sum()
        peak_list.append(int(np.argmax(pooled_rise @ weights[j, :, basal])))
    heat = stages.heat_problem(
        simulation.skin(), response.geometry, grid, simulation.pulse_schedule(), simulation.cooling, simulation.settings
    )
    errors = np.full(len(key), math.inf)  # a region with no rise
    peaks = np.asarray(peak_list)
    for peak in np.unique(peaks[peaks > 0]):  # one backward run per read-out time, all its regions at once
        at = np.flatnonzero(peaks == peak)
        a = _sensitivity(simulation, heat, response.times_s[: peak + 1], weights[at])
        values = np.tensordot(sources, a, axes=((1, 2), (1, 2)))  # (groups, regions)
        # the run's own rise at the peak, to float32 rounding: else the response is not this simulation's heat run
        nominal = pooled_rise[peak] @ weights[at, :, basal].T * simulation.pulse_energy_J()
        if not np.allclose(values.sum(axis=0), nominal, rtol=1e-4, atol=0.0):
            return None
        errors[at] = [relative_error_from_groups(values[:, j], photons) for j in range(at.size)]
    return errors


def _sensitivity(simulation, heat, times_s, weights) -> np.ndarray:
    """:func:`~laserskin.thermal.sensitivity.readout_sensitivity` of the heat problem ``heat`` (``(medium, power,
    surface, t_end)`` of :func:`laserskin.pipeline.stages.heat_problem`), one backward run per value of its inputs:
    kept under ``simulation`` while it lives, one read-out (a row of ``weights``) at a time, keyed on a digest of
    everything the backward run reads (every field of the medium, its grid, the power and the surface schedules, the
    step times and the read-out's weights), so that a kept ``a`` is the one a new run would return, bit for bit (the
    run is deterministic). A backward run is made for the read-outs not kept only, all at once: each row of ``a`` is
    computed on its own (the transposed SuperLU solve takes the right-hand sides one by one, the sparse products and
    the sums act per column; tests/thermal/test_sensitivity.py checks it), so a row does not depend on which other
    read-outs ran with it. The Monte Carlo error of the blister band (the regions under the flat part of the beam)
    and the simulation's axis read-out (region 0, one of them) thus share one backward run (session 18). A
    response's scaled copy (the dose band's re-reads) shares its heat problem, read-out time and regions, hence its
    backward run."""
    medium, power, surface, _ = heat
    rows = np.asarray(weights, np.float64)
    problem = hashlib.blake2b(digest_size=32)
    try:
        for part in (medium, power, surface, np.asarray(times_s, dtype=np.float64)):
            _digest(problem, part)
    except _NotKeyable:
        return readout_sensitivity(medium, power, surface, times_s, weights)
    keys = []
    for row in rows:
        digest = problem.copy()
        _digest(digest, row)
        keys.append(digest.digest())
    try:
        kept = _SENSITIVITIES.get(simulation)
    except TypeError:  # a simulation that takes no weak reference: not kept
        return readout_sensitivity(medium, power, surface, times_s, weights)
    kept = {} if kept is None else dict(kept)  # a snapshot: another thread may add to the store
    missing = [j for j, key in enumerate(keys) if key not in kept]
    if missing:
        new = readout_sensitivity(medium, power, surface, times_s, rows[missing])
        for j, row in zip(missing, new, strict=True):
            row.setflags(write=False)  # shared by the reads of this heat problem
            kept[keys[j]] = row
        with _SENSITIVITIES_LOCK:
            _SENSITIVITIES.setdefault(simulation, {}).update({keys[j]: kept[keys[j]] for j in missing})
    a = np.stack([kept[key] for key in keys])
    a.setflags(write=False)
    return a


def _digest(digest, value) -> None:
    """Feed ``value`` (a dataclass of the heat problem, an array, a number or ``None``) into ``digest``: its fields
    by name, an array by its dtype, shape and bytes."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(type(value).__qualname__.encode())
        for field in dataclasses.fields(value):
            digest.update(field.name.encode())
            _digest(digest, getattr(value, field.name))
    elif isinstance(value, (np.ndarray, np.generic)):
        array = np.ascontiguousarray(value)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    elif value is None or isinstance(value, (bool, int, float, str)):
        digest.update(repr(value).encode())
    else:  # no other field types in the heat problem: not kept rather than keyed on an identity
        raise _NotKeyable(type(value).__name__)


class _NotKeyable(Exception):
    """A heat problem with a field :func:`_digest` does not read: its backward run is not kept."""
