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
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from laserskin.pipeline import stages
from laserskin.thermal.sensitivity import readout_sensitivity
from laserskin.transport.statistics import relative_error_from_groups

__all__ = ["basal_readout_relative_errors", "basal_index", "source_groups"]

_ERRORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # response -> {regions: (simulation, errors)}


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
    response's). One estimate per response, simulation and regions (kept while the response lives).
    """
    rings = response.readout_rings
    if rings is None:
        return None
    key = tuple(int(k) for k in regions)
    try:
        kept = _ERRORS[response]
    except (KeyError, TypeError):
        kept = None
    if kept is not None and key in kept and kept[key][0] is simulation:
        return kept[key][1]
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
    medium, power, surface, _ = stages.heat_problem(
        simulation.skin(), response.geometry, grid, simulation.pulse_schedule(), simulation.cooling, simulation.settings
    )
    errors = np.full(len(key), math.inf)  # a region with no rise
    peaks = np.asarray(peak_list)
    for peak in np.unique(peaks[peaks > 0]):  # one backward run per read-out time, all its regions at once
        at = np.flatnonzero(peaks == peak)
        a = readout_sensitivity(medium, power, surface, response.times_s[: peak + 1], weights[at])
        values = np.tensordot(sources, a, axes=((1, 2), (1, 2)))  # (groups, regions)
        # the run's own rise at the peak, to float32 rounding: else the response is not this simulation's heat run
        nominal = pooled_rise[peak] @ weights[at, :, basal].T * simulation.pulse_energy_J()
        if not np.allclose(values.sum(axis=0), nominal, rtol=1e-4, atol=0.0):
            return None
        errors[at] = [relative_error_from_groups(values[:, j], photons) for j in range(at.size)]
    try:
        _ERRORS.setdefault(response, {})[key] = (simulation, errors)
    except TypeError:  # a response that takes no weak reference: not kept
        pass
    return errors
