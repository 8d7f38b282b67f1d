"""Thermal response that is linear in pulse energy, and the tissue response evaluated from it.

With constant tissue properties the Pennes equation with convective boundaries is
linear, so the temperature history is

    T(r, z, t; E) = T_base(r, z, t) + E · θ(r, z, t),

where ``T_base`` is the history with cooling but no laser and ``θ`` the rise per joule
of pulse energy (same pulse timing). Two heat solves therefore give the temperature at
every fluence, and the damage integrals (strongly non-linear in T) are evaluated from
the scaled histories. This is what lets the planner scan fluence cheaply. The
superposition breaks where tissue is ablated or its properties change with
temperature (dehydration, coagulation), which this model does not follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from laserskin.core.constants import WATER_BOILING_K
from laserskin.core.errors import InputError
from laserskin.damage.arrhenius import arrhenius_omega
from laserskin.damage.collagen import collagen_response
from laserskin.damage.injury import epidermal_injury, readout_maps, viable_epidermis_top_m
from laserskin.damage.pain import PainParameters, pain_from_field
from laserskin.grid import RZGrid

#: Arrhenius sets evaluated everywhere on the grid (Ω per parameter set in results).
DAMAGE_SETS = {
    "henriques": "henriques_moritz_1947",
    "weaver_stoll": "weaver_stoll_1969",
    "takata": "takata_1974",
    "collagen": "pearce_2010_rat_skin_collagen",
}


class HistoryRecorder:
    """Heat-solver observer keeping every step's temperature field (float64, K)."""

    def __init__(self) -> None:
        self.times_s: list[float] = []
        self.fields_K: list[np.ndarray] = []

    def on_step(self, time_s, dt_s, temperature_old_K, temperature_new_K) -> None:
        if not self.times_s:
            self.times_s.append(time_s - dt_s)
            self.fields_K.append(np.array(temperature_old_K, dtype=np.float64))
        self.times_s.append(time_s)
        self.fields_K.append(np.array(temperature_new_K, dtype=np.float64))

    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """Times (nt,) in s and fields (nt, nr, nz) in K."""
        return np.asarray(self.times_s), np.stack(self.fields_K)


@dataclass(frozen=True)
class SkinGeometry:
    """Where the layers are, for the damage read-outs (depths in m from the surface)."""

    layer_names: tuple[str, ...]
    layer_bottoms_m: tuple[float, ...]
    junction_depth_m: float  # epidermis–dermis junction (basal layer)
    dermis_bottom_m: float
    fitzpatrick: str


@dataclass(frozen=True, eq=False)
class ThermalResponse:
    """Temperature history as base + energy × rise-per-joule, on one grid.

    Attributes
    ----------
    grid : RZGrid
    times_s : ndarray (nt,)
    base_K : ndarray (nt, nr, nz)
        History with cooling and no laser, K.
    rise_per_J : ndarray (nt, nr, nz)
        Temperature rise per joule of pulse energy, K/J.
    nociceptor_trace : tuple of ndarray
        ``(base_K, rise_per_J)`` at the nociceptor probe, (nt,) each.
    readout_rings : ndarray (nr,) of int or None
        Read-out region of each ring of the Monte Carlo source (:func:`laserskin.damage.injury.readout_rings`),
        over which the epidermal read-out is pooled; ``None``: per ring.
    """

    grid: RZGrid
    times_s: np.ndarray
    base_K: np.ndarray
    rise_per_J: np.ndarray
    nociceptor_base_K: np.ndarray
    nociceptor_rise_per_J: np.ndarray
    geometry: SkinGeometry
    readout_rings: np.ndarray | None = None
    #: ``(origin, factor)`` for a copy made by :meth:`scaled` (the response of a heat run and the factor its rises were
    #: multiplied by); ``None`` for a heat run's own response. Not an init field: ``dataclasses.replace`` of a copy
    #: (another base, another rise) drops it, so it only ever names the exact multiple :meth:`scaled` made.
    scaled_from: tuple[ThermalResponse, float] | None = field(default=None, init=False, repr=False)

    def scaled(self, factor: float) -> ThermalResponse:
        """This response with its laser rises (field and nociceptor) multiplied by ``factor``: the dose of ``factor``
        times the energy (the response is linear in it), e.g. the ends of the plan's dose band. The copy records its
        origin (:attr:`scaled_from`), from which :mod:`laserskin.pipeline.readout_error` reads its Monte Carlo error."""
        copy = replace(
            self,
            rise_per_J=self.rise_per_J * factor,
            nociceptor_rise_per_J=self.nociceptor_rise_per_J * factor,
        )
        origin = self.scaled_from[0] if self.scaled_from is not None else self
        base_factor = self.scaled_from[1] if self.scaled_from is not None else 1.0
        object.__setattr__(copy, "scaled_from", (origin, base_factor * factor))
        return copy

    def temperature_K(self, pulse_energy_J: float) -> np.ndarray:
        """History (nt, nr, nz) in K at pulse energy ``pulse_energy_J``."""
        return self.base_K + pulse_energy_J * self.rise_per_J

    def damage(self, pulse_energy_J: float, *, sets=tuple(DAMAGE_SETS)) -> TissueDamage:
        """The damage maps at one pulse energy: Ω of the Arrhenius ``sets`` (keys of :data:`DAMAGE_SETS`), the peak
        field and the read-out maps. :meth:`evaluate` is this with every set, plus the collagen, injury and pain
        read-outs; a read-out that needs fewer sets takes this (the ends of the plan's dose band,
        :func:`laserskin.planning.plan._setting_at_dose`: the other sets are about half the cost)."""
        return self._damage(pulse_energy_J, sets)[1]

    def _damage(self, pulse_energy_J: float, sets) -> tuple[np.ndarray, TissueDamage]:
        """The temperature history at ``pulse_energy_J`` and :meth:`damage` of ``sets`` from it."""
        if not (np.isfinite(pulse_energy_J) and pulse_energy_J >= 0):
            raise InputError("pulse_energy", pulse_energy_J, "a finite energy >= 0 J")
        history = self.temperature_K(pulse_energy_J)
        omega = {key: arrhenius_omega(self.times_s, history, parameters=DAMAGE_SETS[key]) for key in sets}
        peak = history.max(axis=0)
        # the epidermal and dermal read-outs from the temperature pooled over the Monte Carlo read-out regions
        readout_omega, readout_peak = readout_maps(
            self.times_s,
            history,
            omega["henriques"],
            peak,
            self.grid,
            rings=self.readout_rings,
            rows=self.grid.z_centers_m < self.geometry.dermis_bottom_m,
        )
        return history, TissueDamage(
            pulse_energy_J=pulse_energy_J,
            omega=omega,
            peak_temperature_K=peak,
            readout_omega_henriques=readout_omega,
            readout_peak_temperature_K=readout_peak,
        )

    def evaluate(
        self,
        pulse_energy_J: float,
        *,
        spot_radius_m: float,
        anesthetic: str = "none",
        pain_parameters: PainParameters | None = None,
        pain_cell_area_m2: float | None = None,
    ) -> TissueResponse:
        """Damage, shrinkage, injury and pain at one pulse energy.

        Parameters
        ----------
        pulse_energy_J : float
            Energy per pulse in J (>= 0).
        spot_radius_m : float
            Radius of the treated spot (for the area-averaged tightening), m.
        anesthetic : str
            Topical anaesthetic key for the pain index with anaesthetic.
        pain_cell_area_m2 : float, optional
            Skin area per micro-beam zone (fractional lasers), m²: pain is averaged over it
            instead of the spot (:func:`laserskin.damage.pain.pain_from_field`).
        """
        history, damage = self._damage(pulse_energy_J, tuple(DAMAGE_SETS))
        # water boils: the linear, constant-property model no longer holds (read from the peak map, not the history)
        boiling = bool(np.any(damage.peak_temperature_K >= WATER_BOILING_K))
        geometry = self.geometry
        collagen = collagen_response(
            damage.omega["collagen"],
            self.grid,
            dermis_top_m=geometry.junction_depth_m,
            dermis_bottom_m=geometry.dermis_bottom_m,
            spot_radius_m=min(spot_radius_m, self.grid.r_max_m),
        )
        injury = epidermal_injury(
            damage.readout_omega_henriques,
            damage.readout_peak_temperature_K,
            self.grid,
            junction_depth_m=geometry.junction_depth_m,
            fitzpatrick=geometry.fitzpatrick,
            viable_top_m=viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m),
        )
        trace = self.nociceptor_base_K + pulse_energy_J * self.nociceptor_rise_per_J
        pain = pain_from_field(
            self.times_s,
            history,
            self.grid,
            treated_radius_m=min(spot_radius_m, self.grid.r_max_m),
            cell_area_m2=pain_cell_area_m2,
            parameters=pain_parameters,
            anesthetic=anesthetic,
        )
        return TissueResponse(
            **{f.name: getattr(damage, f.name) for f in fields(TissueDamage)},
            collagen=collagen,
            injury=injury,
            pain=pain,
            nociceptor_trace_K=trace,
            boiling=boiling,
        )


@dataclass(frozen=True, eq=False)
class TissueDamage:
    """Outcome of :meth:`ThermalResponse.damage`: the damage maps at one pulse energy."""

    pulse_energy_J: float
    #: Ω per Arrhenius set (keys of :data:`DAMAGE_SETS`: every set for :meth:`ThermalResponse.evaluate`)
    omega: dict[str, np.ndarray]
    peak_temperature_K: np.ndarray
    #: Henriques Ω / peak temperature maps of the epidermal and dermal read-outs (rows above the dermis bottom from
    #: the temperature pooled over the read-out regions, :func:`laserskin.damage.injury.readout_maps`); None: the
    #: per-cell maps
    readout_omega_henriques: np.ndarray | None = None
    readout_peak_temperature_K: np.ndarray | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class TissueResponse(TissueDamage):
    """Outcome of :meth:`ThermalResponse.evaluate`: the damage maps of every set (fields on the grid) and the
    read-outs."""

    collagen: object
    injury: object
    pain: object
    nociceptor_trace_K: np.ndarray
    boiling: bool
