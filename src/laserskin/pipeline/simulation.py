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

from laserskin.core.constants import CELSIUS_K
from laserskin.core.models import InputModel
from laserskin.damage.injury import dermal_injury
from laserskin.core.callbacks import Callback
from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.pipeline.scenario import GridSpec, default_grid
from laserskin.core.units import Quantity
from laserskin.pipeline.ablative import run_ablative
from laserskin.pipeline.result import Result, pair


#: Layers that hold the dermal collagen (the target of tightening).
DERMAL_LAYERS = ("papillary_dermis", "reticular_dermis")


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
    laser : laserskin.treatment.laser.Laser
    cooling : laserskin.thermal.cooling.Cooling, dict or None
        Surface cooling; ``None`` = the device preset's default or none.
    protocol : laserskin.treatment.protocol.Protocol, optional
        Passes, stacking, anaesthetic, treated area.
    settings : SimulationSettings, optional
        Photons, seed, threads, scattering set, relaxation time, grid.
    progress : laserskin.core.callbacks.Callback, optional
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
        from laserskin.treatment.protocol import Protocol
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
        """Build from a :class:`laserskin.pipeline.scenario.Scenario` (``[person]``, ``[laser]``, …)."""
        from laserskin.treatment.protocol import Protocol

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
        from laserskin.pipeline.response import SkinGeometry

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
        from laserskin.pipeline.response import HistoryRecorder, ThermalResponse
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
            result = run_ablative(self)
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
            "peak_epidermis_temperature_C": float(peak[:, epidermis].max() - CELSIUS_K),
            "peak_dermis_temperature_C": float(peak[:, dermis].max() - CELSIUS_K),
            "denaturation_depth_um": pair(depth),
            "denatured_volume_mm3": float(outcome.collagen.denatured_volume_mm3),
            "dermal_injury_depth_um": pair(injured.depth_range_um),
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




def laser_default_cooling(laser_table: dict | None) -> dict | None:
    """The preset's default ``[cooling]`` table when a scenario names a device and no cooling."""
    if not laser_table or "device" not in laser_table:
        return None
    from laserskin.treatment.devices import load_device

    return load_device(laser_table["device"]).cooling


def _validated_table(model, data, name):
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error, name) from None
