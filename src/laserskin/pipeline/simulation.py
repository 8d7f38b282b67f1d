"""Simulation: one treatment pass on one spot, through the whole pipeline.

person → skin layers → optics at the laser wavelength(s) → Monte Carlo transport
(cached) → Pennes heat with surface cooling → Arrhenius damage, collagen
shrinkage, epidermal injury, pain; ablative lasers → crater depth and residual
thermal damage beneath it (:mod:`laserskin.pipeline.ablative`).

:class:`Simulation` is a thin facade over :mod:`laserskin.pipeline.stages`: it resolves
every default in one place (the device preset's cooling when none is given, and under a given cooling of its
own kind: :func:`resolve_cooling`; the protocol, the numerical settings) and exposes the stages the planner reuses. Light transport and the
heat equation with constant properties are linear, so one transport run serves every
fluence and the temperature rise scales with it; the linearity breaks where tissue is
ablated or its properties change with temperature (coagulation, dehydration).
"""

from __future__ import annotations

import json
import time
import warnings
from typing import Any, NamedTuple

import numpy as np

from laserskin.core.citations import recording
from laserskin.core.constants import CELSIUS_K, MAX_TISSUE_TEMPERATURE_K, WATER_BOILING_K
from laserskin.core.errors import InputError
from laserskin.damage.injury import pool_rings
from laserskin.grid import RZGrid
from laserskin.optics.layers import LayerStack
from laserskin.pipeline import stages
from laserskin.pipeline.ablative import (
    ablates_when_unset,
    apply_thermal_model_rule,
    needs_nonlinear,
    refused_setting,
    require_peak_fluence_within_model,
    resolve_ablative,
    run_ablative,
)
from laserskin.pipeline.dataset import linear_dataset, provenance
from laserskin.pipeline.layers import explicit_skin, explicit_stack, layer_roles, require_resolved_on, require_water
from laserskin.pipeline.progress import DEFAULT_PROGRESS, inside_progress_scope, progress_scope, resolve_progress
from laserskin.pipeline.response import SkinGeometry
from laserskin.pipeline.result import Result
from laserskin.pipeline.scenario import Scenario
from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.summary import linear_summary, model_validity
from laserskin.skin import Person
from laserskin.thermal.cooling import Cooling, FreezingWarning
from laserskin.thermal.enthalpy import OutsideModelError
from laserskin.transport.voxel_geometry import GeometrySpec, InclusionSpec
from laserskin.treatment.devices import load_device
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

__all__ = [
    "BURN_LIMIT",
    "DEFAULT_PROGRESS",
    "CoolingResolution",
    "GridCaptureWarning",
    "Result",
    "Simulation",
    "SimulationSettings",
    "burnt_tissue_refusal",
    "default_cooling",
    "resolve_cooling",
    "progress_scope",
    "resolve_progress",
]


def default_cooling(laser: Laser) -> Cooling:
    """The cooling a laser gets when none is given: its device preset's, or none."""
    return Cooling.from_config(load_device(laser.device).cooling if laser.device else None)


class CoolingResolution(NamedTuple):
    """How :func:`resolve_cooling` arrived at a run's cooling: ``given`` (a cooling was passed), the laser's
    ``device`` and its preset's cooling kind (``preset_kind``, ``None`` without a preset), whether the given cooling
    was laid over the preset's (``merged``: same kind) and the keys it set there (``overrides``, TOML names)."""

    given: bool
    device: str | None
    preset_kind: str | None
    merged: bool
    overrides: tuple[str, ...] = ()

    def source(self, label: str = "[cooling] table") -> str:
        """Where the cooling came from, in words (``cooling_used``'s ``source``): ``label`` names the given cooling
        (a scenario's ``[cooling]`` table, or the ``cooling`` argument of a Python call)."""
        if not self.given:
            if self.device:
                return f"default of device {self.device} (no {label})"
            return f"none given (no {label})"
        if self.merged:
            if self.overrides:
                owner = label.removesuffix(" table")  # "[cooling] overrides: delay"
                return f"device {self.device}'s {self.preset_kind}, with {owner} overrides: {', '.join(self.overrides)}"
            return f"device {self.device}'s {self.preset_kind} ({label} gives its kind only)"
        if self.device:
            return f"{label} (replaces device {self.device}'s {self.preset_kind})"
        return label


def resolve_cooling(laser: Laser, cooling: Cooling | dict | None) -> tuple[Cooling, CoolingResolution]:
    """The cooling a run uses, and how it was arrived at (QA15 #2a): the one rule of :class:`Simulation`.

    * none given: the device preset's cooling (:func:`default_cooling`), or none for a laser without a preset;
    * given, and the laser's preset has a cooling of the **same kind**: the preset's cooling with the given
      fields laid over it. Only the fields actually given override (a dict's keys, a model's
      ``model_fields_set``); the rest are the preset's. ``[cooling] kind = "cryogen"`` on smoothbeam_1450 is
      the device's cryogen (parallel spray, 10 ms delay), not the generic one (no parallel spray, 20 ms delay:
      97.9 degC at the basal layer and necrosis at 14 J/cm^2, 56 degC and none with the device's);
    * given, of another kind (or no preset): the given cooling, as given (the preset's does not apply).
    """
    device = laser.device or None
    preset = default_cooling(laser) if device else None
    preset_kind = None if preset is None else preset.kind
    if cooling is None:
        return (preset if preset is not None else Cooling.from_config(None)), CoolingResolution(
            False, device, preset_kind, False
        )
    given = Cooling.from_config(cooling)
    if preset is None or given.kind != preset.kind:
        return given, CoolingResolution(True, device, preset_kind, False)
    fields = type(given).model_fields
    names = [name for name in fields if name in given.model_fields_set and name != "kind"]  # declaration order
    merged = preset.model_copy(update={name: getattr(given, name) for name in names})
    overrides = tuple(fields[name].alias or name for name in names)
    return merged, CoolingResolution(True, device, preset_kind, True, overrides)


class Simulation:
    """One treatment pass on one spot: transport (cached) → heat → damage.

    Parameters
    ----------
    person : laserskin.skin.Person, optional
        Who is treated (their skin layers, optics and thermal properties); or give ``layers``.
    laser : laserskin.treatment.laser.Laser
    cooling : laserskin.thermal.cooling.Cooling, dict or None
        Surface cooling; ``None`` = the device preset's default cooling (see
        :func:`default_cooling`), or none for a laser without a preset. A cooling of the preset's own kind
        overrides only the fields it gives, the rest are the preset's; another kind replaces the preset's
        (:func:`resolve_cooling`; ``cooling_resolution`` records which happened).
    protocol : laserskin.treatment.protocol.Protocol, optional
        Passes, stacking, anaesthetic, treated area.
    settings : SimulationSettings, optional
        Photons, seed, threads, scattering set, relaxation time, grid.
    layers : LayerStack or list of ExplicitLayer / dict, optional (keyword)
        Explicit layers instead of a person: optics and thermal properties of each layer
        (:class:`laserskin.pipeline.layers.ExplicitLayer`; TOML keys ``n``, ``mua``, ``mus``,
        ``g``, ``thickness``, ``k``, ``density``, ``specific_heat``, optional ``perfusion`` and
        ``water_fraction``, all with units). A missing thermal property is an ``InputError``
        naming it (``layers[1].k``), as is a layer thinner than the grid's smallest cell
        (``settings.grid`` ``dz_surface``, or the voxel of ``voxel_geometry``; ``layers[0].thickness``).
        Pigmentary risk needs a Fitzpatrick type and is reported as ``"not assessed"``.
    progress : laserskin.core.callbacks.Callback, list of callbacks or None, optional
        Receives "transport" and "heat" progress events. Default: a rich bar in a terminal or
        notebook, nothing otherwise (:func:`laserskin.plotting.progress.default_progress`);
        ``None`` silences it.
    cache_dir : path, optional
        Transport cache folder (default ``$LASERSKIN_CACHE_DIR`` or ``~/.cache/laserskin``).
    voxel_geometry : laserskin.transport.voxel_geometry.GeometrySpec, optional
        The ``[geometry]`` table; ``kind = "voxels"`` runs the 3-D stage
        (:func:`laserskin.pipeline.voxel.run_voxel`), default r–z. Every summary states which ran
        (``geometry``: ``"rz"`` or ``"voxels"``).
    inclusions : tuple of InclusionSpec
        The ``[[inclusions]]`` of a voxel geometry (vessels, follicles, spheres, ellipsoids).

    Examples
    --------
    >>> from laserskin import Person, Laser, Simulation
    >>> result = Simulation(Person(age=50, sex="female", fitzpatrick="II", site="cheek"),
    ...                     Laser.from_device("cooltouch_1320")).run()          # doctest: +SKIP
    >>> result.summary["immediate_tightening_percent"]                          # doctest: +SKIP
    """

    def __init__(
        self,
        person: Person | None = None,
        laser: Laser | None = None,
        cooling: Cooling | dict | None = None,
        protocol: Protocol | None = None,
        settings: SimulationSettings | None = None,
        *,
        layers=None,
        progress: Any = DEFAULT_PROGRESS,
        cache_dir=None,
        voxel_geometry: GeometrySpec | None = None,
        inclusions: tuple[InclusionSpec, ...] = (),
    ):
        if (person is None) == (layers is None):
            raise InputError("person", person, "exactly one of person= and layers= (explicit layers)")
        if laser is None:
            raise InputError("laser", None, "a Laser (e.g. Laser.from_device(...)) or its fields")
        self.person = person
        self.layers = None if layers is None else explicit_stack(layers)
        if self.layers is not None:
            explicit_skin(self.layers)  # the thermal properties are checked before anything runs
        self.laser = laser
        # the one cooling rule (QA15 #2a): a given cooling of the preset's own kind is laid over the preset's
        self.cooling, self.cooling_resolution = resolve_cooling(laser, cooling)
        self.protocol = protocol if protocol is not None else Protocol()
        self.settings = settings if settings is not None else SimulationSettings()
        self.progress = resolve_progress(progress)
        self.cache_dir = cache_dir
        # [geometry] and [[inclusions]]: kind = "voxels" runs the 3-D stage (pipeline/voxel.py)
        self.voxel_geometry = voxel_geometry if voxel_geometry is not None else GeometrySpec()
        self.inclusions = tuple(inclusions)
        if self.layers is not None:  # no layer thinner than the grid resolves: the scenario's check (QA6 #13)
            require_resolved_on(self.layers.layers, self.settings.grid, self.voxel_geometry)
        # a peak fluence beyond the model's limit is refused here, before any transport runs, on every path
        require_peak_fluence_within_model(self.laser)
        # an unset [laser] ablative follows the physics of this tissue (pipeline.ablative.resolve_ablative)
        self.laser = resolve_ablative(self)
        if self.laser.ablative and self.cooling.kind == "contact":  # one check for the CLI, web and planner
            raise InputError(
                "cooling.kind",
                "contact",
                '"none", "cold_air" or "cryogen" with an ablative laser: ablation needs a free surface (a contact '
                "window is taken off the skin before an ablative pulse; the plume must leave)",
            )
        self.pulse_schedule()  # a pulse train the cooling cannot follow is refused before any transport runs

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, *, photons=None, seed=None, threads=None, progress=DEFAULT_PROGRESS, cache_dir=None
    ) -> Simulation:
        """Build from a :class:`laserskin.pipeline.scenario.Scenario`: ``[person]`` or explicit
        ``[[layers]]`` (with ``[ambient]``), ``[laser]``, ``[cooling]``, ``[protocol]``, …"""
        if scenario.beam is not None:
            raise InputError(
                "beam",
                scenario.beam.kind,
                "no [beam] table in a treatment scenario: the beam follows "
                "[laser] spot_diameter and profile (or the micro-beam of a fractional laser)",
            )
        settings = scenario.settings(photons=photons, seed=seed, threads=threads)
        layers = None if scenario.layers is None else scenario.layer_stack()
        return cls(
            scenario.person,
            scenario.laser_model(),
            scenario.cooling,
            scenario.protocol,
            settings,
            layers=layers,
            progress=progress,
            cache_dir=cache_dir,
            voxel_geometry=scenario.geometry,
            inclusions=scenario.inclusions,
        )

    @property
    def explicit(self) -> bool:
        """Whether the tissue is explicit layers (no person)."""
        return self.layers is not None

    def _given_person(self) -> Person:
        """The person of a simulation without explicit layers."""
        person = self.person
        assert person is not None  # __init__: exactly one of person and layers, and not explicit here
        return person

    def _given_layers(self) -> LayerStack:
        """The explicit layers of a simulation without a person."""
        layers = self.layers
        assert layers is not None  # __init__: exactly one of person and layers, and explicit here
        return layers

    # --- the stages (public: the planner reuses them) -------------------------------------
    def beam(self):
        """Beam of one spot, or of one micro-beam for a fractional laser."""
        return stages.treatment_beam(self.laser)

    def pulse_energy_J(self) -> float:
        """Energy of one pulse into the simulated beam (one micro-beam if fractional), J."""
        return stages.simulated_pulse_energy_J(self.laser)

    def _mtz_per_m2(self) -> float:
        """The MTZ density of a fractional laser, 1/m²."""
        mtz_per_m2 = self.laser.mtz_per_m2
        assert mtz_per_m2 is not None  # fractional: FractionalSpec._one_density derives it from a given coverage
        return mtz_per_m2

    def skin(self):
        """The layered skin the heat stage reads: the person's, or the explicit layers'."""
        if self.explicit:
            return explicit_skin(self._given_layers())
        return stages.skin_model(self._given_person())

    def grid(self) -> RZGrid:
        """The r–z grid shared by transport and heat."""
        return stages.treatment_grid(self._stacks()[0][1], self.beam(), self.settings)

    def optical_stack(self, wavelength_m: float):
        """The optical layers at ``wavelength_m`` (m): the person's skin, or the explicit layers."""
        if self.explicit:
            return self.layers
        return stages.optical_stack(self._given_person(), wavelength_m, self.settings.scattering)

    def optical_stacks(self):
        """``[(weight, LayerStack)]``: the optical layers at each wavelength of the laser with its energy weight (one
        stack for explicit layers, whose optics hold at every wavelength): what :meth:`transport` launches into."""
        if self.explicit:  # explicit optics hold at every wavelength of the laser
            return [(1.0, self.layers)]
        return stages.optical_stacks(self._given_person(), self.laser, self.settings.scattering)

    def _stacks(self):
        return self.optical_stacks()

    def transport(self):
        """Transport results per wavelength (cached), the weighted source per joule (1/m³), the grid."""
        grid = self.grid()
        results, source = stages.transport(
            self._stacks(), grid, self.beam(), self.settings, progress=self.progress, cache_dir=self.cache_dir
        )
        return results, source, grid

    def pulse_schedule(self):
        """``(starts_s, ends_s, power_W)`` of every pulse at the spot over all passes."""
        return stages.pulse_schedule(self.laser, self.protocol, self.cooling)

    def geometry(self):
        """Layer depths, the epidermal–dermal junction and the bottom of the dermis."""
        if not self.explicit:
            return stages.skin_geometry(self.skin(), self._given_person().fitzpatrick)
        layers = self._given_layers()
        depth = self.grid().z_max_m
        junction, dermis_bottom = layer_roles(layers, depth)
        bottoms = layers.boundaries_m  # a semi-infinite last layer ends at inf (below the grid)
        return SkinGeometry(
            layer_names=tuple(layers.names),
            layer_bottoms_m=tuple(float(b) for b in bottoms),
            junction_depth_m=junction,
            dermis_bottom_m=dermis_bottom,
            # the grade does not depend on the type; the pigmentary risk does and is replaced
            # by "not assessed" in the summary (explicit layers carry no Fitzpatrick type)
            fitzpatrick="I",
        )

    def thermal_response(self, source_per_J: np.ndarray, grid: RZGrid):
        """Two heat solves (cooling only; cooling + laser) → :class:`ThermalResponse`, HeatResult."""
        return stages.thermal_response(
            self.skin(),
            self.geometry(),
            grid,
            source_per_J,
            self.pulse_schedule(),
            self.pulse_energy_J(),
            self.cooling,
            self.settings,
            progress=self.progress,
            readout_rings=self.readout_rings(grid),
        )

    def readout_rings(self, grid: RZGrid) -> np.ndarray:
        """Read-out regions of the Monte Carlo source on ``grid`` (rings merged from the axis until each holds
        :data:`~laserskin.damage.injury.READOUT_MIN_PHOTONS` launched photons;
        :func:`laserskin.damage.injury.readout_rings`)."""
        from laserskin.damage.injury import readout_rings

        cdf = self.beam().launch_radius_cdf(grid.r_edges_m)
        return readout_rings(grid, cdf, self.settings.photons)

    def collagen_readout_radius_m(self, grid: RZGrid) -> float:
        """Radius the collagen read-out averages over on ``grid``, m (:func:`laserskin.damage.collagen.readout_radius_m`:
        the beam's outer radius clipped to the grid; one rule for the linear and the non-linear stage)."""
        from laserskin.damage.collagen import readout_radius_m

        return readout_radius_m(grid, self.beam().outer_radius_m)

    def tightening_percent(self, spot_tightening_percent: float) -> float:
        """Skin-area contraction, %, from the contraction of the simulated spot read on :meth:`grid` at
        :meth:`collagen_readout_radius_m` (:func:`laserskin.damage.collagen.skin_tightening_percent`)."""
        from laserskin.damage.collagen import skin_tightening_percent

        grid = self.grid()
        mtz = float(self._mtz_per_m2()) if self.laser.is_fractional else None
        return skin_tightening_percent(spot_tightening_percent, grid, self.collagen_readout_radius_m(grid), mtz)

    def provenance(self, summary: dict | None = None, citations=frozenset()) -> dict[str, str]:
        """Inputs, seed, photons, version and citations as NetCDF attributes (JSON strings)."""
        return provenance(self, summary, citations)

    # --- run ----------------------------------------------------------------------------
    def run(self, *, grid_warning: bool | None = None) -> Result:
        """Run transport → heat → damage and return the :class:`Result`.

        Ablative lasers (Er:YAG, CO2) take :func:`laserskin.pipeline.ablative.run_ablative`:
        their light is absorbed within microns (μa ≫ μs', Beer–Lambert, no Monte Carlo needed).

        Parameters
        ----------
        grid_warning : bool or None, keyword
            Whether a grid that misses more than 1 % of the absorbed light raises a
            :class:`GridCaptureWarning` (the summary's ``grid_note`` says it either way).
            ``None`` (default): warn, except inside a :func:`progress_scope` (the planner,
            which runs many simulations and reports for them); sweeps pass ``False``.
        """
        clock = time.perf_counter()
        if self.explicit and self.voxel_geometry.kind == "voxels":
            raise InputError(
                "geometry.kind",
                "voxels",
                '"rz" for explicit [[layers]] (the voxel stage builds its volume from a [person])',
            )
        if self.explicit and self.laser.ablative:
            require_water(self._given_layers(), "an ablative laser vaporises tissue water")
        result: Result
        with recording() as cited:
            try:
                if self.voxel_geometry.kind == "voxels":
                    from laserskin.pipeline.voxel import run_voxel

                    result = run_voxel(self)
                elif self.laser.ablative:
                    result = self._run_ablative()
                else:
                    result = self._run_linear()
            except OutsideModelError as outside:
                _refuse_burnt_tissue(
                    {"peak_temperature_C": outside.peak_K - CELSIUS_K},
                    self,
                    force=True,
                    limit=getattr(outside, "setting_limit", None),
                )
                raise
        _refuse_burnt_tissue(result.summary, self)
        result.summary.update(model_validity(result.summary))  # every stage, one rule (QA8 #2)
        result.dataset.attrs["within_model_validity"] = json.dumps(result.summary["within_model_validity"])
        if self.explicit:
            result.summary["pigment_risk"] = "not assessed (explicit layers: no Fitzpatrick type)"
        warn = not inside_progress_scope() if grid_warning is None else grid_warning
        note_grid_capture(result.summary, warn=warn)
        if result.summary.get("freezing_note") and not inside_progress_scope():  # the planner keeps it in the summary
            warnings.warn(result.summary["freezing_note"], FreezingWarning, stacklevel=2)
        result.summary["wall_time_s"] = time.perf_counter() - clock
        result.citations = tuple(sorted(cited))
        result.dataset.attrs["summary"] = json.dumps(result.summary)
        result.dataset.attrs["citations"] = json.dumps(list(result.citations))
        return result

    def _run_ablative(self) -> Result:
        """An ablative laser under the pipeline's rule (issue 9 items 2 and 5): linear where it is valid.

        The ablation stage (:func:`laserskin.pipeline.ablative.run_ablative`, Beer–Lambert from the crater
        floor) runs first; it is cheap and decides whether anything boils. If no cell reaches the onset of
        vaporisation and nothing is removed, constant properties hold and the linear path (Monte Carlo
        transport, linear heat response) is the model of record: the result is the same as with
        ``ablative = false`` (``thermal_model = "linear"``), unless the linear response itself reaches the
        onset, in which case the ablation stage's result stands. Either way ``thermal_model_reason`` says
        what happened (vaporised and removed, boiled in place, or below the onset).
        """
        ablated = run_ablative(self)
        summary = ablated.summary
        peak_C = float(summary["peak_temperature_C"])
        crater_um = float(summary.get("crater_depth_um") or 0.0)
        onset_C = WATER_BOILING_K - CELSIUS_K
        if crater_um > 0.0:
            summary["thermal_model_reason"] = (
                f"ablative laser: tissue is vaporised and removed (crater {crater_um:.3g} um, non-linear by nature)"
            )
            return ablated
        boiled = (
            f"ablative laser: no crater, but tissue reaches {peak_C:.0f} °C >= {onset_C:.0f} °C "
            "(onset of vaporisation): tissue water boils, properties change"
        )
        if peak_C >= onset_C or float(summary.get("vaporised_water_mg") or 0.0) > 0.0:
            summary["thermal_model_reason"] = boiled
            return ablated
        linear, (need, reason), *stage = self._linear_stage()
        if need:  # the Monte Carlo source reaches the onset where Beer–Lambert does not: the ablation stage stands
            summary["thermal_model_reason"] = (
                f"ablative laser: {reason} (the ablation stage's own peak is {peak_C:.1f} °C, nothing removed)"
            )
            return ablated
        linear = self._finish_linear(linear, *stage)  # below the onset: the rule keeps the linear result
        linear.summary["thermal_model_reason"] = f"ablative laser, nothing vaporised: {reason}"
        # the ablation stage's read-outs keep their keys (nothing removed, no water vaporised)
        for key in ("ablation_regime", "crater_depth_per_pass_um", "residual_damage_wall_um", "vaporised_water_mg"):
            if key in summary:
                linear.summary.setdefault(key, summary[key])
        return linear

    def _run_linear(self) -> Result:
        """Transport, two heat solves and damage at the pulse energy (constant properties); above the onset of
        vaporisation (read over the statistically meaningful regions) the non-linear stage takes over."""
        linear, _, *stage = self._linear_stage()
        return self._finish_linear(linear, *stage)

    def _finish_linear(self, linear, source, grid, transport_results, outcome) -> Result:
        """:func:`apply_thermal_model_rule` on a :meth:`_linear_stage` result."""
        # the linear result stands where it is valid; above the onset of vaporisation the
        # non-linear (enthalpy) stage runs on the same grid and source
        result = apply_thermal_model_rule(
            self,
            linear,
            source,
            grid,
            transport_results,
            epidermal_necrosis_depth_m=outcome.injury.necrosis_depth_m,
            readout_omega_henriques=outcome.readout_omega_henriques,
        )
        for key in ("absorbed_outside_grid_fraction", "absorbed_outside_grid_share", "freezing_note"):  # same grid
            if result.summary.get(key) is None:
                result.summary[key] = linear.summary[key]
        return result

    def _linear_stage(self):
        """The linear result and whether it reaches the onset of vaporisation, ``(need, reason)`` from the
        pooled read-out regions (:func:`~laserskin.damage.injury.pool_rings`), with what the non-linear
        stage needs: ``(result, (need, reason), source, grid, transport_results, outcome)``."""
        transport_results, source, grid = self.transport()
        response, heat = self.thermal_response(source, grid)
        outcome = response.evaluate(
            self.pulse_energy_J(),
            spot_radius_m=self.collagen_readout_radius_m(grid),
            anesthetic=self.protocol.anesthetic,
            pain_cell_area_m2=1.0 / self._mtz_per_m2() if self.laser.is_fractional else None,
        )
        onset = needs_nonlinear(pool_rings(outcome.peak_temperature_K, grid, response.readout_rings))
        if self.explicit and onset[0]:
            require_water(self._given_layers(), onset[1])
        summary = linear_summary(self, outcome, response, heat, transport_results).to_dict()
        linear = Result(
            summary=summary,
            dataset=linear_dataset(self, outcome, response, summary, source),
            grid=grid,
            layer_names=list(response.geometry.layer_names),
            layer_bottoms_m=np.asarray(response.geometry.layer_bottoms_m),
            transport=transport_results,
        )
        return linear, onset, source, grid, transport_results, outcome


#: Largest share of the absorbed light that may fall below the grid before a run warns.
MAX_ABSORBED_OUTSIDE_GRID = 0.01


class GridCaptureWarning(UserWarning):
    """More than 1 % of the absorbed light falls outside the grid (it heats nothing there)."""


#: The tissue models' ceiling in °C (core.constants.MAX_TISSUE_TEMPERATURE_K; issue 9: never thousands of
#: °C reported as a result). Q-switched superheating (~305 °C) and dried tissue under a micro-beam (a few
#: hundred °C) stay below it.
MAX_TISSUE_TEMPERATURE_C = MAX_TISSUE_TEMPERATURE_K - CELSIUS_K


#: What a burning setting is refused against, the start of every burn refusal's expected value.
BURN_LIMIT = f"a setting that keeps the tissue below {MAX_TISSUE_TEMPERATURE_C:g} degC"


def _refuse_burnt_tissue(summary: dict, simulation, *, force: bool = False, limit=None) -> None:
    """Refuse a setting whose tissue would have burnt (``peak_temperature_C`` above the ceiling; with
    ``force`` whatever the peak: the solver stopped because a temperature left the model), by
    :func:`burnt_tissue_refusal`. ``limit``: ``(value, share)`` from :func:`laserskin.pipeline.ablative.run_nonlinear`
    — the refused field's value that reaches the ceiling, measured by the refused run (the share of its energy
    delivered when the tissue got there); the message names it as a lower bound."""
    peak = summary.get("peak_temperature_C")
    if not force and (peak is None or not peak > MAX_TISSUE_TEMPERATURE_C):
        return
    ceiling = f"{MAX_TISSUE_TEMPERATURE_C:g} degC"
    # (not force: peak is not None and above the ceiling, from the return above; restated for the type checker)
    heats = (
        f"to {peak:.0f} degC"
        if not force and peak is not None and peak > MAX_TISSUE_TEMPERATURE_C
        else f"past {ceiling}"
    )
    if force and peak is not None and not peak > MAX_TISSUE_TEMPERATURE_C:
        heats = "beyond what the model represents"
    expected = BURN_LIMIT
    if limit is not None:
        value, share = limit
        expected = (
            f"{expected}; the limit is at least {value.removesuffix(' or less')} (a lower bound only: the refused "
            f"run reached {ceiling} when {share:.1%} of its energy had been delivered, and the same energy over the "
            "whole pulse heats less, so the real limit is higher; laserskin simulate and the web find it)"
        )
    refusal = burnt_tissue_refusal(simulation, expected, heats)
    refusal.delivered_share = None if limit is None else limit[1]  # where setting_limit starts its search (QA4 #5)
    raise refusal


def burnt_tissue_refusal(simulation, limit: str, heats: str | None = None) -> InputError:
    """The refusal of a setting whose tissue would burn: one wording for the library (:meth:`Simulation.run`, which
    the planner and sweeps call) and the edges (``laserskin simulate`` and the web restate it with the limit found by
    more runs, :func:`laserskin.pipeline.setting_limit.refusal_with_limit`).

    ``limit`` says how far the refused field may go (:data:`BURN_LIMIT`, then the refused run's lower bound or the
    limit found); ``heats`` how the refused setting heated the tissue (``"past 1000 degC"``), kept on the refusal for
    its restatement. The refused field is the energy setting (:func:`~laserskin.pipeline.ablative.refused_setting`),
    except where an explicit ``ablative = false`` is the burn's cause
    (:func:`~laserskin.pipeline.ablative.ablates_when_unset`, QA15 #5): there the refusal names ``laser.ablative``
    and its fix first, and ``limit`` for one who keeps the flag. The refusal carries ``burnt_tissue = True`` (what
    the edges look for) and ``heats``."""
    laser = simulation.laser
    field, value = refused_setting(laser)
    if ablates_when_unset(simulation):
        centroid = f"{laser.centroid_wavelength_m * 1e9:.6g} nm"
        wavelength = centroid if len(laser.wavelength_weights()) == 1 else f"its wavelengths (centroid {centroid})"
        name = field.removeprefix("laser.")
        hot = heats or f"past {MAX_TISSUE_TEMPERATURE_C:g} degC"
        refusal = InputError(
            "laser.ablative",
            False,
            f"unset (or true) at {wavelength} with {name} {value}: {wavelength} is strongly water-absorbed (water "
            "mu_a >= 100 /cm) and deposited in a thin layer of this skin, so with ablative unset the model runs this "
            "setting as ablative, the tissue it vaporises removed as a crater; ablative = false simulates that tissue "
            f"drying in place under an intact surface, where this setting heats it {hot}. Leave laser.ablative unset "
            f"(or set it to true), or keep ablative = false with a lower {name}: {limit}",
        )
    else:
        burns = (
            f": this one heats it {heats}, where it would have charred and burnt (no carbonisation or combustion in "
            "this model)"
            if heats
            else ""
        )
        refusal = InputError(field, value, limit + burns)
    refusal.burnt_tissue = True
    refusal.heats = heats
    return refusal


def note_grid_capture(summary: dict, *, warn: bool) -> None:
    """Note in the summary (``grid_note``), and with ``warn`` as a :class:`GridCaptureWarning`,
    when more than 1 % of the absorbed light falls outside the grid (``laserskin transport`` uses the same
    rule, QA6 #18).

    Every grid warns, a person's default grid too: at 1064 nm about a fifth of the absorbed
    light of a 5 mm spot lies beyond its radius (not in the maps). The default radius stays
    (the planner's calibration and the reference doses were computed on it; a wider grid of
    the same cells would coarsen the beam), and drivers of many runs pass ``warn=False``."""
    outside = summary.get("absorbed_outside_grid_share")
    if outside is None or not outside > MAX_ABSORBED_OUTSIDE_GRID:
        return
    if summary.get("geometry") == "voxels":
        note = (
            f"{outside:.1%} of the absorbed light falls outside the grid at most (more than "
            f"{MAX_ABSORBED_OUTSIDE_GRID:.0%}: the light leaving the voxel box through its floor or open sides, "
            "part of which would come back) and heats nothing in this model: a deeper or wider [geometry] size "
            "captures it"
        )
    else:
        note = (
            f"{outside:.1%} of the absorbed light falls outside the grid (more than "
            f"{MAX_ABSORBED_OUTSIDE_GRID:.0%}) and heats nothing in this model: a larger [grid] r_max "
            "(with more nr cells) or z_max captures it"
        )
    summary["grid_note"] = note
    if warn:
        warnings.warn(note, GridCaptureWarning, stacklevel=3)
