"""The stages of the pipeline, each a pure function of its inputs (skin and optics cached).

person ──► skin (layers) ──► optics at the laser's wavelength(s) ──► beam and grid ──►
transport (Monte Carlo, cached on disk) ──► thermal response (two heat solves: cooling
only, cooling + laser; linear in pulse energy) ──► damage and outcome at one energy.

:class:`laserskin.pipeline.simulation.Simulation` wires them for one treatment; the planner
calls the same functions through it. Light transport and the heat equation with constant
properties are linear, so one transport serves every fluence and the temperature rise
scales with pulse energy; :mod:`laserskin.pipeline.ablative` takes over where tissue is
ablated.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict

import numpy as np

from laserskin.core.callbacks import Callback
from laserskin.core.citations import cached
from laserskin.damage.pain import PainParameters
from laserskin.grid import RZGrid
from laserskin.optics.layers import LayerStack
from laserskin.pipeline.response import HistoryRecorder, SkinGeometry, ThermalResponse
from laserskin.pipeline.scenario import default_grid
from laserskin.pipeline.settings import SimulationSettings
from laserskin.skin import Person, SkinModel, skin_layers, tissue_at
from laserskin.thermal import ThermalMedium, solve_bioheat_runs
from laserskin.thermal.cooling import Cooling
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.source import pulse_train_source
from laserskin.transport import Beam
from laserskin.transport.cache import simulate_transport_cached
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

__all__ = [
    "DERMAL_LAYERS",
    "optical_stack",
    "optical_stacks",
    "pulse_schedule",
    "simulated_pulse_energy_J",
    "skin_geometry",
    "skin_model",
    "thermal_response",
    "transport",
    "treatment_beam",
    "treatment_grid",
]

#: Layers that hold the dermal collagen (the target of tightening).
DERMAL_LAYERS = ("papillary_dermis", "reticular_dermis")


@cached(maxsize=64)
def skin_model(person: Person) -> SkinModel:
    """The person's layered skin (:func:`laserskin.skin.skin_layers`), cached per person."""
    return skin_layers(person)


@cached(maxsize=64)
def optical_stack(person: Person, wavelength_m: float, scattering: str) -> LayerStack:
    """The person's skin optics at one wavelength (m), cached per person, wavelength and set."""
    return tissue_at(person, wavelength_m, scattering=scattering).optical_stack()


def optical_stacks(person: Person, laser: Laser, scattering: str) -> list[tuple[float, LayerStack]]:
    """``[(weight, layers), ...]``: the skin's optics at each wavelength of the laser."""
    return [
        (weight, optical_stack(person, wavelength, scattering)) for wavelength, weight in laser.wavelength_weights()
    ]


def treatment_beam(laser: Laser) -> Beam:
    """The simulated beam: one spot, or one micro-beam of a fractional laser, with the laser's
    ``profile`` (a Gaussian's diameter is its 1/e² diameter; ``Laser.beam_radius_m`` is the
    micro-beam's in fractional mode)."""
    if laser.profile == "gaussian":
        return Beam.from_si(kind="gaussian", radius_1e2=laser.beam_radius_m)
    return Beam.from_si(kind="flat_top", diameter=laser.beam_diameter_m)


def simulated_pulse_energy_J(laser: Laser) -> float:
    """Energy of one pulse into the simulated beam, J: a fractional laser's ``pulse_energy`` is the micro-beam's."""
    energy = laser.pulse_energy_J
    assert energy is not None  # Laser._check fills it from the fluence when not given
    return float(energy)


def treatment_grid(stack: LayerStack, beam: Beam, settings: SimulationSettings) -> RZGrid:
    """The r–z grid shared by transport and heat."""
    return default_grid(stack, beam.outer_radius_m, settings.grid)


def skin_geometry(skin: SkinModel, fitzpatrick: str) -> SkinGeometry:
    """Depths of the layers, the epidermal–dermal junction and the bottom of the dermis."""
    bottoms = np.cumsum([layer.thickness_m for layer in skin.layers])
    names = tuple(skin.names)
    dermal = [i for i, name in enumerate(names) if name in DERMAL_LAYERS]
    return SkinGeometry(
        layer_names=names,
        layer_bottoms_m=tuple(float(b) for b in bottoms),
        junction_depth_m=float(bottoms[dermal[0] - 1]),
        dermis_bottom_m=float(bottoms[dermal[-1]]),
        fitzpatrick=fitzpatrick,
    )


def transport(
    stacks: list[tuple[float, LayerStack]],
    grid: RZGrid,
    beam: Beam,
    settings: SimulationSettings,
    *,
    progress: Callback | None = None,
    cache_dir=None,
):
    """Transport per wavelength (cached on disk) and the weighted source per joule, 1/m³.

    Returns
    -------
    (list of TransportResult, ndarray (nr, nz))
    """
    results, source = [], np.zeros((grid.nr, grid.nz))
    for weight, stack in stacks:
        result = simulate_transport_cached(
            stack, grid, beam, settings.photons, settings.seed, settings.threads, progress=progress, cache_dir=cache_dir
        )
        results.append(result)
        source += weight * np.asarray(result.absorbed_energy_density_per_J)
    return results, source


def pulse_schedule(laser: Laser, protocol: Protocol, cooling: Cooling):
    """``(starts_s, ends_s, power_W)`` of every pulse at the spot over all passes (simulated beam).

    The schedule is first known here, so the cooling's refusal of pulse times it cannot serve
    (:meth:`~laserskin.thermal.cooling.Cooling.check_pulse_train`: a cryogen device's spurt, delay, pulse and
    post-spurt cycle longer than the time between two pulses) is raised here, before any transport, wherever the
    schedule is built ahead of the run (``laserskin simulate``, the web's cost estimate); before session 14 it came
    at the heat stage, after the Monte Carlo transport. Only here is it known which gap is a pulse period and which
    the wait between passes, so the refusal names ``laser.repetition_rate`` or ``protocol.pass_interval`` (QA14 #2)."""
    pulses = protocol.effective_pulses_per_spot(laser)
    laser_for_spot = laser.model_copy(update={"pulses": pulses}) if pulses != laser.pulses else laser
    lead = cooling.lead_time_s
    intervals = []
    for start in protocol.pass_start_times_s(laser_for_spot):
        intervals.extend(laser_for_spot.pulse_train(start_s=lead + start))
    starts = np.array([a for a, _, _ in intervals])
    ends = np.array([b for _, b, _ in intervals])
    cooling.check_pulse_train(  # which gaps are pulse periods and which pass gaps: the refusal names the input
        starts,
        ends,
        pulses_per_pass=pulses,
        repetition_rate_Hz=laser.repetition_rate_Hz,
        pass_interval_s=protocol.pass_interval_s,
        cooling_pause_s=protocol.cooling_pause_s,
    )
    power = np.array([p for _, _, p in intervals])  # the simulated beam's: a fractional pulse is one micro-beam's
    return starts, ends, power


#: Heat runs without the laser kept for reuse, and how many (least recently used dropped first).
#: The planner solves the same one for every optical set-up of a person (perturbed melanin or
#: scattering set for the blister band, devices with the same pulse train and cooling); it plans
#: three devices at a time on two cores (:func:`laserskin.planning.optimise.plan_each`), each with up
#: to four media (nominal, thicker epidermis, thinner dermis, lower cooling h): eight keep each
#: device's nominal run while the other devices' runs come and go (~20 MB each on the planning grid).
BASE_RUNS_KEPT = 8
_base_runs: OrderedDict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
_base_runs_lock = threading.Lock()


def _base_run_key(medium: ThermalMedium, power, surface, t_end: float, probe, settings, store_times) -> bytes:
    """Digest of every input of the run without the laser (its step plan follows the power schedule)."""
    digest = hashlib.blake2b(digest_size=32)
    grid = medium.grid
    parts = (
        grid.r_edges_m,
        grid.z_edges_m,
        medium.conductivity_W_per_mK,
        medium.volumetric_heat_capacity_J_per_m3K,
        medium.perfusion_per_s,
        [medium.blood_volumetric_heat_capacity_J_per_m3K, medium.arterial_temperature_K, medium.core_temperature_K],
        power.breakpoints_s,
        power.values,
        surface.h_W_per_m2K.breakpoints_s,
        surface.h_W_per_m2K.values,
        surface.medium_temperature_K.breakpoints_s,
        surface.medium_temperature_K.values,
        [surface.resting_h_W_per_m2K, surface.resting_temperature_K, t_end, *probe],
        [math.nan if settings.max_step_s is None else settings.max_step_s],
        store_times,
    )
    for part in parts:
        array = np.ascontiguousarray(part, dtype=np.float64)
        digest.update(np.int64(array.size).tobytes())
        digest.update(array.tobytes())
    return digest.digest()


def _pulses(schedule):
    starts, ends, power_W = schedule
    return starts, ends - starts, power_W


def heat_problem(skin: SkinModel, geometry: SkinGeometry, grid: RZGrid, schedule, cooling: Cooling, settings):
    """``(medium, power, surface, t_end_s)`` of the heat run with the laser (:func:`thermal_response`): the thermal
    medium on ``grid``, the pulse power P(t) in W, the surface boundary and the end time, s."""
    medium = ThermalMedium.from_layers(
        grid,
        geometry.layer_bottoms_m,
        [layer.k_W_per_mK for layer in skin.layers],
        [layer.density_kg_per_m3 for layer in skin.layers],
        [layer.specific_heat_J_per_kgK for layer in skin.layers],
        [layer.perfusion_per_s for layer in skin.layers],
    )
    starts, ends, _ = schedule
    power = Schedule.pulse_train(*_pulses(schedule))
    t_end = float(ends.max()) + settings.relaxation_s
    return medium, power, cooling.surface_boundary(starts, ends, t_end), t_end


def thermal_response(
    skin: SkinModel,
    geometry: SkinGeometry,
    grid: RZGrid,
    source_per_J: np.ndarray,
    schedule,
    pulse_energy_J: float,
    cooling: Cooling,
    settings: SimulationSettings,
    *,
    progress: Callback | None = None,
    readout_rings: np.ndarray | None = None,
):
    """Two heat solves (cooling only; cooling + laser) → :class:`ThermalResponse` and the
    :class:`~laserskin.thermal.HeatResult` of the run with the laser.

    The two runs take the same steps and share their LU factors (solved together,
    :func:`~laserskin.thermal.solver.solve_bioheat_runs`), so the rise per joule is
    their difference divided by the pulse energy (linear superposition). The run without the
    laser does not depend on the light: the last :data:`BASE_RUNS_KEPT` are kept (read-only)
    and reused when every input of that run is the same (medium, pulse train, cooling, times).
    """
    medium, power, surface, t_end = heat_problem(skin, geometry, grid, schedule, cooling, settings)
    laser = pulse_train_source(source_per_J, *_pulses(schedule), pulse_energy_J=pulse_energy_J)
    probe = (0.0, PainParameters().nociceptor_depth_m)
    store_times = [t for t in settings.store_times_s if t <= t_end]
    runs = {}
    factorizations: dict = {}  # both runs take the same steps: factorise once
    key = _base_run_key(medium, power, surface, t_end, probe, settings, store_times)
    with _base_runs_lock:
        kept = _base_runs.get(key)
        if kept is not None:
            _base_runs.move_to_end(key)
            runs["base"] = kept
    # the runs still needed are solved together (the same steps and factors; one SuperLU call per run and stage)
    labels = [label for label in ("base", "laser") if label not in runs]
    recorders = {label: HistoryRecorder() for label in labels}
    sources = {"base": None, "laser": laser.source_per_J}
    heats = solve_bioheat_runs(
        medium,
        [sources[label] for label in labels],
        power,
        surface,
        t_end,
        probes=[probe],
        observers=[[recorders[label]] for label in labels],
        progress=progress,
        factorizations=factorizations,
        max_step_s=settings.max_step_s,
        store_times_s=store_times,
    )
    for label, heat_of_run in zip(labels, heats, strict=True):
        times, fields = recorders[label].history()
        runs[label] = (times, fields, heat_of_run.probe_temperatures_K[0])
        if label == "base":
            for array in runs[label]:
                array.setflags(write=False)
            with _base_runs_lock:
                _base_runs[key] = runs[label]
                while len(_base_runs) > BASE_RUNS_KEPT:
                    _base_runs.popitem(last=False)
    heat = heats[-1]
    times, base, probe_base = runs["base"]
    times_laser, hot, probe_laser = runs["laser"]
    if times.shape != times_laser.shape or not np.allclose(times, times_laser, rtol=0, atol=1e-12):
        raise RuntimeError("heat runs with and without the laser took different steps")
    response = ThermalResponse(
        grid=grid,
        times_s=times,
        base_K=base,
        rise_per_J=(hot - base) / pulse_energy_J,
        nociceptor_base_K=probe_base,
        nociceptor_rise_per_J=(probe_laser - probe_base) / pulse_energy_J,
        geometry=geometry,
        readout_rings=readout_rings,
    )
    return response, heat
