"""Simulation: one treatment pass on one spot, through the whole pipeline.

person → skin layers → optics at the laser wavelength(s) → Monte Carlo transport
(cached) → Pennes heat with surface cooling → Arrhenius damage, collagen
shrinkage, epidermal injury, pain; ablative lasers → crater depth and residual
thermal damage beneath it.

Light transport and the heat equation with constant properties are linear, so
one transport run serves every fluence and the temperature rise scales with it;
the planner exploits that. The linearity breaks where tissue is ablated or its
properties change with temperature (coagulation, dehydration), which this
model does not follow.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import laserskin
from pydantic import Field

from laserskin.base import InputModel
from laserskin.damage.injury import dermal_injury
from laserskin.callbacks import Callback
from laserskin.errors import InputError
from laserskin.grid import RZGrid
from laserskin.scenario import GridSpec, default_grid
from laserskin.units import Quantity

CELSIUS = 273.15

#: Layers that hold the dermal collagen (the target of tightening).
DERMAL_LAYERS = ("papillary_dermis", "reticular_dermis")


@dataclass
class Result:
    """Outcome of a :class:`Simulation`.

    Attributes
    ----------
    summary : dict
        Scalar outcomes in clinical units (see :meth:`Simulation.run`).
    dataset : xarray.Dataset
        Fields on the r–z grid (peak temperature, Ω per parameter set, denatured
        fraction) and probe traces vs time, with units and provenance.
    """

    summary: dict[str, Any]
    dataset: Any
    grid: RZGrid
    layer_names: list[str]
    layer_bottoms_m: np.ndarray
    transport: list[Any] = field(default_factory=list)

    def save(self, path: str | Path) -> Path:
        """Write the dataset (with the summary in its attributes) as NetCDF, atomically."""
        from laserskin.io import write_netcdf_atomic

        return write_netcdf_atomic(self.dataset, Path(path))


class SimulationSettings(InputModel):
    """Numerical settings of a simulation (the ``[transport]``, ``[grid]`` and ``[heat]`` tables)."""

    photons: int = Field(default=200_000, ge=1, le=10_000_000_000)
    seed: int = Field(default=1, ge=0, lt=2**63)
    threads: int | None = Field(default=None, ge=1, le=1024)
    scattering: str = "jacques2013"
    relaxation_s: Quantity("s", display="s", gt=0.0, le=3600.0) = Field(default="1 s", alias="relaxation")
    max_step_s: Quantity("s", display="ms", gt=0.0) | None = Field(default=None, alias="max_step")
    store_times_s: tuple[Quantity("s", display="ms", ge=0.0), ...] = Field(default=(), alias="store_times")
    grid: GridSpec = GridSpec()


class Simulation:
    """One treatment pass on one spot: transport (cached) → heat → damage.

    Parameters
    ----------
    person : laserskin.skin.Person
    laser : laserskin.laser.Laser
    cooling : laserskin.thermal.cooling.Cooling, dict or None
        Surface cooling; ``None`` = the device preset's default or none.
    protocol : laserskin.protocol.Protocol, optional
        Passes, stacking, anaesthetic, treated area.
    settings : SimulationSettings, optional
        Photons, seed, threads, scattering set, relaxation time, grid.
    progress : laserskin.callbacks.Callback, optional
        Receives "transport" and "heat" progress events.
    cache_dir : path, optional
        Transport cache folder (default ``$LASERSKIN_CACHE_DIR`` or ``~/.cache/laserskin``).

    Examples
    --------
    >>> from laserskin import Person, Laser, Simulation
    >>> result = Simulation(Person(age=50, sex="female", fitzpatrick="II", site="cheek"),
    ...                     Laser.from_device("nd_yag_1320")).run()          # doctest: +SKIP
    >>> result.summary["immediate_tightening_percent"]                       # doctest: +SKIP
    """

    def __init__(self, person, laser, cooling=None, protocol=None, settings=None, *, progress=None, cache_dir=None):
        from laserskin.protocol import Protocol
        from laserskin.thermal.cooling import Cooling

        self.person = person
        self.laser = laser
        self.cooling = Cooling.from_config(cooling)
        self.protocol = protocol if protocol is not None else Protocol()
        self.settings = settings if settings is not None else SimulationSettings()
        self.progress = progress if progress is not None else Callback()
        self.cache_dir = cache_dir

    # --- construction from a scenario file ----------------------------------------------
    @classmethod
    def from_scenario(cls, scenario, *, photons=None, seed=None, threads=None, progress=None, cache_dir=None):
        """Build from a :class:`laserskin.scenario.Scenario` (``[person]``, ``[laser]``, …)."""
        from laserskin.protocol import Protocol

        person = scenario.person_model()
        if person is None:
            raise InputError("person", None, "a [person] table (simulate needs a person, not bare layers)")
        if scenario.beam is not None:
            raise InputError("beam", scenario.beam, "no [beam] table in a treatment scenario: the beam follows "
                             "[laser] spot_diameter and profile (or the micro-beam of a fractional laser)")
        laser = scenario.laser_model()
        cooling = scenario.cooling if scenario.cooling is not None else laser_default_cooling(scenario.laser)
        protocol = _validated_table(Protocol, scenario.protocol or {}, "protocol")
        updates = {k: v for k, v in {"photons": photons, "seed": seed, "threads": threads}.items() if v is not None}
        settings = SimulationSettings.model_validate(
            {**scenario.transport.model_dump(by_alias=True), **updates,
             "grid": scenario.grid.model_dump(by_alias=True, exclude_none=True),
             **{key: value for key, value in scenario.heat.model_dump(by_alias=True).items() if value}}
        )
        return cls(person, laser, cooling, protocol, settings, progress=progress, cache_dir=cache_dir)

    # --- pipeline stages -----------------------------------------------------------------
    def beam(self):
        """Beam of one spot, or of one micro-beam for a fractional laser."""
        from laserskin.transport import Beam

        laser = self.laser
        if laser.is_fractional:
            return Beam(kind="gaussian", radius_1e2=f"{laser.fractional.microbeam_diameter_m / 2} m")
        if laser.profile == "gaussian":
            return Beam(kind="gaussian", radius_1e2=f"{laser.beam_radius_m} m")
        return Beam(kind="flat_top", diameter=f"{laser.beam_diameter_m} m")

    def pulse_energy_J(self) -> float:
        """Energy of one pulse into the simulated beam (one micro-beam if fractional), J."""
        if self.laser.is_fractional:
            return float(self.laser.microbeam_energy_J)
        return float(self.laser.pulse_energy_J)

    def skin(self):
        from laserskin.skin import skin_layers

        return skin_layers(self.person)

    def grid(self) -> RZGrid:
        """The r–z grid shared by transport and heat."""
        stack = self._stacks()[0][1]
        return default_grid(stack, self.beam().outer_radius_m, self.settings.grid)

    def _stacks(self):
        from laserskin.skin import tissue_at

        return [
            (weight, tissue_at(self.person, wavelength, scattering=self.settings.scattering).optical_stack())
            for wavelength, weight in self.laser.wavelength_weights()
        ]

    def transport(self):
        """Transport results per wavelength (cached) and the weighted source per joule (1/m³)."""
        from laserskin.transport.cache import simulate_transport_cached

        grid = self.grid()
        beam = self.beam()
        results = []
        source = np.zeros((grid.nr, grid.nz))
        for weight, stack in self._stacks():
            result = simulate_transport_cached(
                stack, grid, beam, self.settings.photons, self.settings.seed, self.settings.threads,
                progress=self.progress, cache_dir=self.cache_dir,
            )
            results.append(result)
            source += weight * np.asarray(result.absorbed_energy_density_per_J)
        return results, source, grid

    def pulse_schedule(self):
        """``(starts_s, ends_s, power_W)`` of every pulse at the spot over all passes."""
        laser = self.laser
        pulses = self.protocol.effective_pulses_per_spot(laser)
        laser_for_spot = laser.model_copy(update={"pulses": pulses}) if pulses != laser.pulses else laser
        lead = self.cooling.lead_time_s
        intervals = []
        for start in self.protocol.pass_start_times_s(laser_for_spot):
            intervals.extend(laser_for_spot.pulse_train(start_s=lead + start))
        starts = np.array([a for a, _, _ in intervals])
        ends = np.array([b for _, b, _ in intervals])
        scale = self.pulse_energy_J() / laser.pulse_energy_J if laser.is_fractional else 1.0
        power = np.array([p for _, _, p in intervals]) * scale
        return starts, ends, power

    def geometry(self):
        from laserskin.response import SkinGeometry

        skin = self.skin()
        bottoms = np.cumsum([layer.thickness_m for layer in skin.layers])
        names = tuple(skin.names)
        dermal = [i for i, name in enumerate(names) if name in DERMAL_LAYERS]
        return SkinGeometry(
            layer_names=names,
            layer_bottoms_m=tuple(float(b) for b in bottoms),
            junction_depth_m=float(bottoms[dermal[0] - 1]),
            dermis_bottom_m=float(bottoms[dermal[-1]]),
            fitzpatrick=self.person.fitzpatrick,
        )

    def thermal_response(self, source_per_J: np.ndarray, grid: RZGrid):
        """Two heat solves (cooling only; cooling + laser) → :class:`ThermalResponse`."""
        from laserskin.damage.pain import PainParameters
        from laserskin.response import HistoryRecorder, ThermalResponse
        from laserskin.thermal import ThermalMedium, solve_bioheat
        from laserskin.thermal.schedule import Schedule

        skin = self.skin()
        geometry = self.geometry()
        thermal = {
            "k": [l.k_W_per_mK for l in skin.layers],
            "rho": [l.density_kg_per_m3 for l in skin.layers],
            "c": [l.specific_heat_J_per_kgK for l in skin.layers],
            "w": [l.perfusion_per_s for l in skin.layers],
        }
        medium = ThermalMedium.from_layers(
            grid, geometry.layer_bottoms_m, thermal["k"], thermal["rho"], thermal["c"], thermal["w"]
        )
        starts, ends, power_W = self.pulse_schedule()
        energy_J = self.pulse_energy_J()
        power = Schedule.pulse_train(starts, ends - starts, power_W)
        t_end = float(ends.max()) + self.settings.relaxation_s
        surface = self.cooling.surface_boundary(starts, ends, t_end)
        nociceptor = PainParameters().nociceptor_depth_m
        probe = (0.0, nociceptor)
        runs = {}
        factorizations: dict = {}  # both runs take the same steps: factorise once
        for label, source in (("base", None), ("laser", source_per_J)):
            recorder = HistoryRecorder()
            heat = solve_bioheat(
                medium, source, power, surface, t_end, probes=[probe], observers=[recorder],
                progress=self.progress if label == "laser" else None, factorizations=factorizations,
                max_step_s=self.settings.max_step_s,
                store_times_s=[t for t in self.settings.store_times_s if t <= t_end],
            )
            times, fields = recorder.history()
            runs[label] = (times, fields, heat)
        times, base, heat_base = runs["base"]
        times_laser, hot, heat = runs["laser"]
        if times.shape != times_laser.shape or not np.allclose(times, times_laser, rtol=0, atol=1e-12):
            raise RuntimeError("heat runs with and without the laser took different steps")
        rise = (hot - base) / energy_J
        probe_base = heat_base.probe_temperatures_K[0]
        probe_rise = (heat.probe_temperatures_K[0] - probe_base) / energy_J
        response = ThermalResponse(
            grid=grid, times_s=times, base_K=base, rise_per_J=rise,
            nociceptor_base_K=probe_base, nociceptor_rise_per_J=probe_rise, geometry=geometry,
        )
        return response, heat

    # --- run ----------------------------------------------------------------------------
    def run(self) -> Result:
        """Run transport → heat → damage and return the :class:`Result`.

        Ablative lasers (Er:YAG, CO2) take :meth:`_run_ablative` instead: their light is
        absorbed within microns (μa ≫ μs', Beer–Lambert, no Monte Carlo needed).
        """
        clock = time.perf_counter()
        if self.laser.ablative:
            result = self._run_ablative()
            result.summary["wall_time_s"] = time.perf_counter() - clock
            result.dataset.attrs["summary"] = json.dumps(result.summary)
            return result
        transport_results, source, grid = self.transport()
        response, heat = self.thermal_response(source, grid)
        energy = self.pulse_energy_J()
        outcome = response.evaluate(
            energy, spot_radius_m=self.beam().outer_radius_m or grid.dr_m, anesthetic=self.protocol.anesthetic
        )
        summary = self._summary(outcome, response, heat, transport_results)
        summary["wall_time_s"] = time.perf_counter() - clock
        dataset = self._dataset(outcome, response, summary, source)
        return Result(
            summary=summary, dataset=dataset, grid=grid, layer_names=list(response.geometry.layer_names),
            layer_bottoms_m=np.asarray(response.geometry.layer_bottoms_m), transport=transport_results,
        )

    # --- ablation ------------------------------------------------------------------------
    def _run_ablative(self) -> Result:
        """Crater by the steady-state ablation model, then the heat left below it relaxes.

        The crater depth per pulse and pass comes from :func:`laserskin.damage.ablation.crater_depth`
        (steady-state heat of ablation, Walsh & Deutsch 1988); fractional lasers give the
        micro-column of :func:`~laserskin.damage.ablation.fractional_mtz`. Below the crater
        floor the tissue starts at T_b + (T_abl − T_b)·exp(−μa z) (Walsh & Deutsch 1988) and
        is held at the ablation temperature while each stacked pulse lasts (the ablation
        front, so heat conducted during the pulse — the reason longer pulses leave more
        damage, Walsh, Flotte & Deutsch 1989 — is included), then relaxes with the Pennes
        solver on a grid that begins at the final floor. The residual thermal necrosis
        depth is where the Henriques Ω falls below 1. The front is treated as laterally
        uniform (1-D below the floor) and at its final depth throughout, and passes
        after the first are not followed thermally.
        """
        from laserskin.damage import ablation
        from laserskin.damage.arrhenius import arrhenius_omega
        from laserskin.damage.collagen import collagen_response, omega_depth_range
        from laserskin.damage.injury import classify_epidermal_injury, pigment_risk
        from laserskin.damage.pain import PainParameters, pain_from_trace
        from laserskin.response import DAMAGE_SETS, HistoryRecorder
        from laserskin.skin import tissue_at
        from laserskin.thermal import ThermalMedium, solve_bioheat, steady_state_temperature
        from laserskin.thermal.schedule import Schedule

        laser = self.laser
        geometry = self.geometry()
        skin = self.skin()
        wavelength = laser.centroid_wavelength_m
        preset = "er_yag_2940" if wavelength < 5e-6 else "co2_10600"
        tissue = tissue_at(self.person, wavelength, scattering=self.settings.scattering)
        surface_mua = max(layer.mua_per_m for layer in tissue.layers[:2])
        parameters = ablation.get_laser(preset).model_copy(update={"mua_per_m": surface_mua})
        pulses = self.protocol.effective_pulses_per_spot(laser)
        if laser.is_fractional:
            zone = ablation.fractional_mtz(self.pulse_energy_J(), laser.fractional.microbeam_diameter_m, parameters)
            crater_m = zone.ablation_depth_m
            per_pulse_m = crater_m
            column_radius_m = zone.ablation_radius_m
        else:
            crater = ablation.crater_depth(
                laser.peak_fluence_J_per_m2, parameters, pulses_per_pass=pulses, passes=self.protocol.passes
            )
            crater_m, per_pulse_m, column_radius_m = crater.total_depth_m, crater.depth_per_pulse_m[0], None
        bottoms = np.asarray(geometry.layer_bottoms_m)
        if crater_m >= bottoms[-2]:
            raise InputError("laser.fluence", f"{laser.fluence_J_per_m2 * 1e-4:g} J/cm^2",
                             "settings whose crater stays within the dermis")
        floor_bottoms = bottoms[bottoms > crater_m] - crater_m
        kept = len(bottoms) - len(floor_bottoms)
        layers = skin.layers[kept:]
        grid = RZGrid.graded(
            r_max_m=1e-3, nr=4, z_max_m=float(floor_bottoms[-1]),
            dz_surface_m=min(0.25 / surface_mua, 5e-6), dz_max_m=100e-6, growth=1.08,
            interfaces_m=floor_bottoms[:-1], fine_depth_m=min(40.0 / surface_mua, 100e-6),
        )
        medium = ThermalMedium.from_layers(
            grid, floor_bottoms, [l.k_W_per_mK for l in layers], [l.density_kg_per_m3 for l in layers],
            [l.specific_heat_J_per_kgK for l in layers], [l.perfusion_per_s for l in layers],
        )
        resting = steady_state_temperature(medium)
        floor_temperature = float(resting[0, 0])
        initial = resting + (parameters.ablation_temperature_K - floor_temperature) * np.exp(
            -surface_mua * grid.z_centers_m
        )[None, :]
        period = 1.0 / laser.repetition_rate_Hz if laser.repetition_rate_Hz else laser.pulse_duration_s
        pulse_starts = np.arange(1 if laser.is_fractional else pulses) * period
        t_end = float(pulse_starts[-1]) + laser.pulse_duration_s + self.settings.relaxation_s
        surface = _ablation_front_boundary(
            self.cooling, pulse_starts, laser.pulse_duration_s, parameters.ablation_temperature_K, t_end
        )
        nociceptor = max(PainParameters().nociceptor_depth_m - crater_m, float(grid.z_centers_m[0]))
        recorder = HistoryRecorder()
        heat = solve_bioheat(
            medium, None, Schedule.constant(0.0), surface, t_end, initial_temperature_K=initial,
            probes=[(0.0, nociceptor)], observers=[recorder], first_step_s=1e-6, progress=self.progress,
        )
        times, history = recorder.history()
        omega = {key: arrhenius_omega(times, history, name, method="linear_T") for key, name in DAMAGE_SETS.items()}
        peak = history.max(axis=0)
        # residual thermal necrosis (Kaufmann & Hibst 1996; Walsh et al. 1989): cell death, Henriques Ω ≥ 1
        residual_m = ablation.residual_damage_depth(omega["henriques"], grid, 0.0)
        junction_below_floor = geometry.junction_depth_m - crater_m
        dermis_top = max(junction_below_floor, 0.0)
        collagen = collagen_response(
            omega["collagen"], grid, dermis_top_m=dermis_top, dermis_bottom_m=geometry.dermis_bottom_m - crater_m,
            spot_radius_m=grid.r_max_m,
        )
        if junction_below_floor > grid.z_centers_m[0]:
            basal = int(np.flatnonzero(grid.z_centers_m < junction_below_floor)[-1])
            epidermal_omega = float(omega["henriques"][0, basal])
            basal_peak = float(peak[0, basal])
            grade = classify_epidermal_injury(epidermal_omega)
        else:
            # the whole epidermis was vaporised: its Ω is that of the crater floor, at least
            epidermal_omega = float(omega["henriques"][0, 0])
            basal_peak = parameters.ablation_temperature_K
            grade = "necrosis"
        risk = pigment_risk(self.person.fitzpatrick, epidermal_omega, basal_peak)
        pain = pain_from_trace(times, heat.probe_temperatures_K[0], None, self.protocol.anesthetic)
        coverage = laser.coverage_fraction if laser.is_fractional else 1.0
        depth = omega_depth_range(np.where(
            (grid.z_centers_m > dermis_top)[None, :], omega["collagen"], np.nan), grid, 1.0, column=0)
        injured = dermal_injury(omega["henriques"], grid, dermis_top_m=dermis_top,
                                dermis_bottom_m=geometry.dermis_bottom_m - crater_m)
        summary = {
            "peak_epidermis_temperature_C": float(parameters.ablation_temperature_K - CELSIUS),
            "peak_dermis_temperature_C": float(peak[:, grid.z_centers_m >= dermis_top].max() - CELSIUS),
            "denaturation_depth_um": None if depth is None else [(d + crater_m) * 1e6 for d in depth],
            "denatured_volume_mm3": float(collagen.denatured_volume_mm3),
            "dermal_injury_depth_um": _pair(None if injured.depth_range_um is None else
                                            [d + crater_m * 1e6 for d in injured.depth_range_um]),
            "dermal_injury_volume_mm3": injured.volume_mm3,
            "immediate_tightening_percent": float(collagen.tightening_percent) * coverage,
            "epidermal_omega": epidermal_omega,
            "epidermal_injury": grade,
            "pigment_risk": risk.level,
            "pain_index": float(pain.index_without_anesthetic),
            "pain_index_with_anesthetic": float(pain.index_with_anesthetic),
            "anesthetic": self.protocol.anesthetic,
            "crater_depth_um": crater_m * 1e6,
            "crater_depth_per_pulse_um": per_pulse_m * 1e6,
            "residual_damage_depth_um": residual_m * 1e6,
            "mtz_width_um": None if column_radius_m is None else 2e6 * (column_radius_m + residual_m),
            "mtz_depth_um": None if column_radius_m is None else (crater_m + residual_m) * 1e6,
            "boiling": True,
            "pulse_energy_J": self.pulse_energy_J(),
            "fluence_J_per_cm2": laser.fluence_J_per_m2 * 1e-4,
            "wavelength_nm": wavelength * 1e9,
            "photons": 0,
            "seed": self.settings.seed,
            "heat_steps": int(heat.n_steps),
            "energy_balance_residual_J": float(heat.energy.residual_J),
        }
        import xarray as xr

        dataset = xr.Dataset(
            {
                "peak_temperature": (("r", "z"), peak, {"units": "K", "long_name": "peak temperature below the crater floor"}),
                "denatured_fraction": (("r", "z"), collagen.denatured_fraction, {"units": "1"}),
                "axis_temperature": (("time", "z"), history[:, 0, :], {"units": "K"}),
                **{f"omega_{k}": (("r", "z"), v, {"units": "1"}) for k, v in omega.items()},
                "r_edges": (("r_edge",), grid.r_edges_m, {"units": "m"}),
                "z_edges": (("z_edge",), grid.z_edges_m + crater_m, {"units": "m"}),
            },
            coords={"r": ("r", grid.r_centers_m, {"units": "m"}),
                    "z": ("z", grid.z_centers_m + crater_m, {"units": "m", "long_name": "depth below the original surface"}),
                    "time": ("time", times, {"units": "s"})},
        )
        dataset.attrs.update(self.provenance(summary))
        return Result(summary=summary, dataset=dataset, grid=grid, layer_names=list(geometry.layer_names),
                      layer_bottoms_m=bottoms, transport=[])

    def _summary(self, outcome, response, heat, transport_results) -> dict[str, Any]:
        geometry = response.geometry
        grid = response.grid
        peak = outcome.peak_temperature_K
        z = grid.z_centers_m
        epidermis = z < geometry.junction_depth_m
        dermis = (z >= geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
        depth = outcome.collagen.coagulated_depth_range_um
        pain = outcome.pain
        injured = dermal_injury(outcome.omega["henriques"], grid, dermis_top_m=geometry.junction_depth_m,
                                dermis_bottom_m=geometry.dermis_bottom_m)
        return {
            "peak_epidermis_temperature_C": float(peak[:, epidermis].max() - CELSIUS),
            "peak_dermis_temperature_C": float(peak[:, dermis].max() - CELSIUS),
            "denaturation_depth_um": _pair(depth),
            "denatured_volume_mm3": float(outcome.collagen.denatured_volume_mm3),
            "dermal_injury_depth_um": _pair(injured.depth_range_um),
            "dermal_injury_volume_mm3": injured.volume_mm3,
            "immediate_tightening_percent": self._tightening_percent(outcome),
            "epidermal_omega": float(outcome.injury.omega_basal),
            "epidermal_injury": outcome.injury.grade,
            "pigment_risk": outcome.injury.pigment_risk.level,
            "pain_index": float(pain.index_without_anesthetic),
            "pain_index_with_anesthetic": float(pain.index_with_anesthetic),
            "anesthetic": self.protocol.anesthetic,
            "crater_depth_um": None,
            "residual_damage_depth_um": None,
            "boiling": bool(outcome.boiling),
            "pulse_energy_J": self.pulse_energy_J(),
            "fluence_J_per_cm2": self.laser.fluence_J_per_m2 * 1e-4,
            "wavelength_nm": self.laser.centroid_wavelength_m * 1e9,
            "photons": self.settings.photons,
            "seed": self.settings.seed,
            "heat_steps": int(heat.n_steps),
            "energy_balance_residual_J": float(heat.energy.residual_J),
            # diagnostics of the grid's extent: laser-driven rise at the insulated outer radius
            # relative to the largest rise (cooling acts uniformly in r and is excluded), and
            # the light absorbed beyond the grid (not heating the tissue in this model)
            "outer_edge_rise_fraction": float(np.abs(response.rise_per_J[:, -1, :]).max()
                                              / max(np.abs(response.rise_per_J).max(), 1e-300)),
            "absorbed_outside_grid_fraction": float(sum(
                weight * t.absorbed_outside_grid_fraction
                for (_, weight), t in zip(self.laser.wavelength_weights(), transport_results))),
        }

    def _tightening_percent(self, outcome) -> float:
        """Area contraction of the skin, %: the spot's, or for a fractional laser the
        contraction of one micro-beam's zone spread over the skin area per zone
        (zone area × zones per area)."""
        spot = float(outcome.collagen.tightening_percent)
        if self.laser.is_fractional:
            zone_area = math.pi * (self.beam().outer_radius_m or self.grid().dr_m) ** 2
            return spot * zone_area * self.laser.mtz_per_m2
        return spot

    def _dataset(self, outcome, response, summary, source_per_J):
        import xarray as xr

        grid = response.grid
        coords = {"r": ("r", grid.r_centers_m, {"units": "m", "long_name": "radius (cell centre)"}),
                  "z": ("z", grid.z_centers_m, {"units": "m", "long_name": "depth (cell centre)"}),
                  "time": ("time", response.times_s, {"units": "s"})}
        data = {
            "peak_temperature": (("r", "z"), outcome.peak_temperature_K, {"units": "K"}),
            "denatured_fraction": (("r", "z"), outcome.collagen.denatured_fraction, {"units": "1"}),
            "nociceptor_temperature": (("time",), outcome.nociceptor_trace_K, {"units": "K"}),
            "axis_temperature": (("time", "z"), response.temperature_K(outcome.pulse_energy_J)[:, 0, :],
                                 {"units": "K", "long_name": "temperature on the beam axis"}),
            "r_edges": (("r_edge",), grid.r_edges_m, {"units": "m"}),
            "z_edges": (("z_edge",), grid.z_edges_m, {"units": "m"}),
            "source_per_J": (("r", "z"), source_per_J,
                             {"units": "1/m^3", "long_name": "absorbed energy density per incident joule"}),
        }
        for key, omega in outcome.omega.items():
            data[f"omega_{key}"] = (("r", "z"), omega, {"units": "1", "long_name": f"Arrhenius Ω ({key})"})
        history = response.temperature_K(outcome.pulse_energy_J)
        hottest = int(np.argmax(history.reshape(history.shape[0], -1).max(axis=1)))
        data["temperature_at_global_peak"] = (("r", "z"), history[hottest], {
            "units": "K", "long_name": "temperature field when the hottest cell peaks",
            "time_s": float(response.times_s[hottest])})
        if self.settings.store_times_s:
            stored = [int(np.argmin(np.abs(response.times_s - t))) for t in self.settings.store_times_s]
            data["temperature"] = (("store_time", "r", "z"), history[stored], {"units": "K"})
            coords["store_time"] = ("store_time", response.times_s[stored],
                                    {"units": "s", "long_name": "time from the start of the simulation "
                                                                "(cooling lead time included)"})
        dataset = xr.Dataset(data, coords=coords)
        dataset.attrs.update(self.provenance(summary))
        return dataset

    def provenance(self, summary: dict | None = None) -> dict[str, str]:
        """Inputs, seed, photons and version as NetCDF attributes (JSON strings)."""
        return {
            "laserskin_version": laserskin.__version__,
            "person": json.dumps(self.person.model_dump(mode="json", by_alias=True)),
            "laser": json.dumps(self.laser.model_dump(mode="json", by_alias=True)),
            "cooling": json.dumps(self.cooling.model_dump(mode="json", by_alias=True)),
            "protocol": json.dumps(self.protocol.model_dump(mode="json", by_alias=True)),
            "settings": json.dumps(self.settings.model_dump(mode="json", by_alias=True)),
            "seed": str(self.settings.seed),
            "photons": str(self.settings.photons),
            "summary": json.dumps(summary or {}),
        }


#: Heat-transfer coefficient that pins the crater floor to the ablation temperature, W/(m² K)
#: (large enough that the floor acts as a fixed-temperature boundary on µm cells).
_FRONT_H_W_PER_M2K = 1e9


def _ablation_front_boundary(cooling, pulse_starts_s, pulse_duration_s, front_temperature_K, t_end_s):
    """Surface boundary below an ablation crater: the floor sits at the ablation temperature
    while a pulse lasts (the ablation front), the cooling device's schedule otherwise.
    """
    from laserskin.thermal import SurfaceBoundary
    from laserskin.thermal.schedule import Schedule

    lead = cooling.lead_time_s
    starts = np.asarray(pulse_starts_s, dtype=float)
    full = cooling.surface_boundary(starts + lead, starts + lead + pulse_duration_s, t_end_s + lead)

    def pieces(schedule, front_value):
        cooled = [(a - lead, b - lead, v) for a, b, v in schedule.on_intervals(lead, t_end_s + lead)]
        front = [(t, t + pulse_duration_s, front_value) for t in starts]
        return Schedule.from_intervals(cooled + front, default=float(schedule.value_at(t_end_s + lead)))

    return SurfaceBoundary(
        pieces(full.h_W_per_m2K, _FRONT_H_W_PER_M2K),
        pieces(full.medium_temperature_K, front_temperature_K),
        resting_h_W_per_m2K=full.resting_h_W_per_m2K, resting_temperature_K=full.resting_temperature_K,
    )


def _pair(values) -> list[float] | None:
    """``[top, bottom]`` as plain floats, or ``None``."""
    return None if values is None else [float(values[0]), float(values[1])]


def laser_default_cooling(laser_table: dict | None) -> dict | None:
    """The preset's default ``[cooling]`` table when a scenario names a device and no cooling."""
    if not laser_table or "device" not in laser_table:
        return None
    from laserskin.devices import load_device

    return load_device(laser_table["device"]).cooling


def _validated_table(model, data, name):
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error, name) from None
