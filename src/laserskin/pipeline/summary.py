"""The summary of a simulation: one typed record, built in one place for every thermal model.

Keys are the stable JSON interface of ``laserskin simulate --json`` (clinical units in the
names: °C, µm, mm³, J/cm², nm). Keys that do not apply to a run are ``None`` (fractional-zone
sizes of a full-field laser). ``crater_depth_um``, ``residual_damage_depth_um`` and
``coagulation_depth_um`` are numbers in every ``simulate`` result: 0.0 where there is no crater,
and the damage depths are then measured from the surface (filled in by
:mod:`laserskin.pipeline.ablative`, for the linear and the non-linear model alike).
``residual_damage_depth_um`` is the damage contiguous with the floor (the surface): see its field.
"""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from laserskin.core.constants import CELSIUS_K
from laserskin.core.data import load_parameters
from laserskin.damage.injury import (
    axis_omega_bounds,
    basal_exposure_bounds,
    dermal_injury,
    epidermal_grade_within_error,
    pigment_risk_within_error,
    pool_rings,
    readout_beyond_error,
    readout_relative_error,
    viable_epidermis_top_m,
)
from laserskin.damage.pain import pain_band
from laserskin.pipeline.readout_error import basal_readout_relative_errors
from laserskin.pipeline.result import pair
from laserskin.thermal.cooling import freezing_note
from laserskin.transport.result import outside_grid_share

__all__ = [
    "NON_ABLATIVE_CONTRACTION_MAX_AREA_PERCENT",
    "OUTSIDE_MODEL_NOTES",
    "ContractionRange",
    "SimulationSummary",
    "basal_relative_error",
    "contraction_note",
    "contraction_range",
    "cooling_used",
    "dermal_depth_below_m",
    "dermal_readout",
    "epidermal_grade_bounds",
    "linear_summary",
    "model_validity",
    "mtz_zone_extent",
    "pigment_risk_bounds",
    "pooled_peak_K",
    "residual_damage_depth_m",
    "run_contraction_note",
    "rz_mtz_keys",
    "shell_summary",
    "surface_readout",
    "wavelength_band_nm",
    "wavelength_bands_nm",
    "zone_size_m",
]

DepthRange = list[float] | None


class SimulationSummary(BaseModel):
    """Scalar outcomes of one simulated spot (one micro-beam zone for fractional lasers)."""

    model_config = ConfigDict(extra="forbid")

    thermal_model: Literal["linear", "nonlinear"] = "linear"
    thermal_model_reason: str = ""
    within_model_validity: bool = True
    """False where the run left what the model represents (QA8 #2): tissue past the pyrolysis temperature dried in
    place (``pyrolysis_note``), tissue vaporised under ``ablative = false`` (``ablative_note``) or tissue frozen
    below the basal layer (``freezing_note``); its temperatures and the damage read from them are then not results
    of the model's physics. Set by :func:`model_validity` from those notes (one rule for every stage)."""
    model_validity_reason: str | None = None
    """Why ``within_model_validity`` is false (the notes that say so), else ``None``."""
    geometry: Literal["rz", "voxels"] = "rz"
    """Which geometry ran: the axisymmetric r–z grid or the 3-D voxels (``[geometry] kind``)."""
    peak_temperature_C: float | None = None
    """Peak temperature anywhere in the tissue, °C, read from the same field as the 100 °C switch and the epidermal
    read-out: for a Monte Carlo source the peak of each ring pooled (area-weighted) over its read-out region
    (rings merged from the axis until each holds :data:`~laserskin.damage.injury.READOUT_MIN_PHOTONS` launched
    photons, :func:`~laserskin.damage.injury.pool_rings`), so it agrees with ``thermal_model_reason`` and does not
    move with the seed (QA5 #1); per cell for a deterministic (Beer–Lambert) source. In an ablation run it is
    bounded by the removal rule (a drying cell sits at 100 °C, a charred one is held at the pyrolysis temperature,
    300 °C, until it is ejected): a peak of exactly one of them is a parameter read back, and the run's
    ``peak_temperature_note`` says so (QA6 #22)."""
    peak_cell_temperature_C: float | None = None
    """Diagnostic: the hottest single grid cell, °C, before pooling. Near the axis a ring holds a few photons, so
    this moves with the seed (±20 K at 20 000 photons); not an outcome. ``None`` where no Monte Carlo field is
    pooled (voxels)."""
    peak_epidermis_temperature_C: float
    peak_dermis_temperature_C: float
    """Peak dermal temperature, °C, from the pooled field of ``peak_temperature_C`` (never above it)."""
    denaturation_depth_um: DepthRange
    denatured_volume_mm3: float
    coagulation_depth_um: float | None = None
    dermal_injury_depth_um: DepthRange
    """[top, bottom] µm of the Henriques Ω ≥ 1 band on the axis read-out (the region around the axis holding
    ≥ :data:`~laserskin.damage.injury.READOUT_MIN_PHOTONS` launched photons), or ``None``. For a Monte Carlo run the
    band is reported only where Ω ≥ 1 holds with the read-out's Monte Carlo error taken into account (Ω ≥ 1 at the
    rise × (1 − 2 s), s = ``dermal_injury_mc_relative_error``); a band reached only within the error is ``None`` here
    and stated in ``dermal_injury_possible_depth_um`` (QA6 #11: it flipped with the seed)."""
    dermal_injury_possible_depth_um: DepthRange = None
    """[top, bottom] µm of the axis zone where Henriques Ω reaches 1 within the Monte Carlo error (Ω ≥ 1 at the rise
    × (1 + 2 s)), or ``None`` when it does not even then; contains ``dermal_injury_depth_um``. A value here with
    ``dermal_injury_depth_um`` ``None`` reads "no band, possibly this one": the setting is within the Monte Carlo
    error of the injury threshold (more photons narrow it only slowly: the read-out regions hold ~1000 photons).
    Equal to ``dermal_injury_depth_um`` where no Monte Carlo error is estimated (the non-linear stage, voxels)."""
    dermal_injury_mc_relative_error: float | None = None
    """s: the relative standard error of the temperature rise of the axis read-out region, 1/√N for its N expected
    launched photons (:func:`~laserskin.damage.injury.readout_relative_error`); ``None`` where not estimated."""
    dermal_injury_volume_mm3: float
    dermal_injury_fraction: float | None = None
    """Share of the dermis thickness lost (0-1): inside ``dermal_injury_depth_um``, plus the dermis a crater removed
    (:func:`laserskin.damage.injury.dermal_injury`)."""
    dermal_injury: str | None = None
    """Dermal burn grade "none" | "partial thickness" | "full thickness" (≥ 75 % of the dermis, the dermal part of a
    third-degree burn, physics_data §4.1; :func:`~laserskin.damage.injury.classify_dermal_injury`)."""
    immediate_tightening_percent: float
    """Immediate skin contraction, % of **area** (linear = 1 − √(1 − area/100)), from the shrinkage of denatured
    collagen against the intact dermis (:func:`laserskin.damage.collagen.collagen_response`, docs/collagen.md §3).
    It includes the shrinkage of partly denatured collagen (Arrhenius Ω < 1, denatured fraction 1 − e^−Ω), not
    only the coagulated zone (Ω ≥ 1): a ``coagulation_depth_um`` of 0.0 with a non-zero contraction is a layer
    denatured below the coagulation threshold (QA7 #7). Above the calibrated range see ``contraction_note``."""
    epidermal_omega: float
    epidermal_injury: str
    """Epidermal grade "none" | "erythema" | "superficial necrosis" | "blister" | "necrosis"
    (:func:`~laserskin.damage.injury.classify_epidermal_injury`, :func:`~laserskin.damage.injury.grade_with_necrosis`).
    For a Monte Carlo run of the linear stage the grade the Monte Carlo error cannot exclude: the grade at the upper
    Monte Carlo bound of the basal Ω of the axis read-out (the rise × (1 + 2 s), :func:`epidermal_grade_bounds`), the
    side of ``pigment_risk`` (a safety statement; genesis_1064 at 25 J/cm², 52 F type III cheek, 20 000 photons,
    seeds 1-5 read "superficial necrosis" ×4 and "blister" ×1 nominally, now "blister" for every seed); elsewhere
    (non-linear stage, voxels, ablation) the nominal grade."""
    epidermal_injury_beyond_error: str | None = None
    """The grade the simulation establishes beyond its Monte Carlo error (at the lower bound, the rise × (1 − 2 s));
    a grade below ``epidermal_injury`` reads "blister within the error, superficial necrosis established". ``None``
    where no Monte Carlo error is estimated (non-linear stage, voxels, ablation)."""
    epidermal_omega_band: DepthRange = None
    """[low, high]: the basal Henriques Ω (``epidermal_omega``) at the lower and upper Monte Carlo bounds, the band the
    grade reads (``None`` where no error is estimated)."""
    epidermal_mc_relative_error: float | None = None
    """s of ``epidermal_omega_band`` and the pigment bounds: the relative standard error of the basal peak rise of
    the axis read-out region, measured over the transport's 32 independent groups of batches (the scatter of the
    region's rise over them, through one backward heat run, :mod:`laserskin.pipeline.readout_error`); ``None`` where
    not estimated."""
    pigment_risk: str
    """Pigmentary risk "low" | "moderate" | "high" (:func:`~laserskin.damage.injury.pigment_risk`). For a Monte Carlo
    run of the linear stage the planner's rule: the highest level the Monte Carlo error cannot exclude, the points
    rule at the upper Monte Carlo bounds of the basal exposure of the axis read-out (the rise × (1 + 2 s),
    :func:`pigment_risk_bounds`; QA7 #1); elsewhere (non-linear stage, voxels, ablation) the nominal level."""
    pigment_risk_beyond_error: str | None = None
    """The level the simulation establishes beyond its Monte Carlo error (the points rule at the lower bounds, the rise
    × (1 − 2 s)); a level below ``pigment_risk`` reads "high within the error, moderate established". ``None`` where
    no Monte Carlo error is estimated (non-linear stage, voxels, ablation) or no Fitzpatrick type is given (explicit
    layers)."""
    peak_basal_temperature_band_C: DepthRange = None
    """[low, high] °C: the basal peak temperature at the lower and upper Monte Carlo bounds, the band the pigment rule
    reads (``None`` where no error is estimated)."""
    pain_index: float
    pain_index_with_anesthetic: float
    """The index × the topical's factor (the computed cooling acts through the temperature only)."""
    pain_index_with_plan: float | None = None
    """The index × the topical's factor × the cooling's fitted analgesia (forced cold air, Fisher 2005):
    the planner's ``pain.with_plan`` nominal value, filled from the three fields above (QA4 #19)."""
    anesthetic: str
    cooling_kind: str
    crater_depth_um: float | None = None
    crater_depth_per_pulse_um: float | None = None
    """Crater depth removed by the first pulse, µm (the later pulses' are in the difference from
    ``crater_depth_um``; per pass: ``crater_depth_per_pass_um``)."""
    residual_damage_depth_um: float | None = None
    """Residual thermal damage, µm: how deep below the final crater floor (the intact surface without a crater)
    Henriques Ω ≥ 1 extends contiguously from the floor, on the axis (voxels: the deepest column). 0.0 when the
    tissue at the floor is below Ω = 1, even if a deeper band is injured (that band is ``dermal_injury_depth_um``;
    QA4 #15): the same measure for ablative and non-ablative runs
    (:func:`residual_damage_depth_m`). Read from the axis read-out region as
    ``dermal_injury_depth_um``, and for a Monte Carlo run taken beyond the read-out's Monte Carlo error by the same
    rule (:func:`~laserskin.damage.injury.readout_beyond_error`): a depth only where the floor reaches Ω = 1 at the
    rise × (1 − 2 s), s = ``dermal_injury_mc_relative_error``; reached only within the error it is 0.0 here and
    stated in ``residual_damage_possible_depth_um`` (smoothbeam_1450 at 16.8 J/cm², 52 F type III cheek, 200 000
    photons, seeds 1-5: 550, 0, 547, 550, 0 µm; now 0.0 for all, possible 564-580 µm)."""
    residual_damage_possible_depth_um: float | None = None
    """Residual thermal damage reached within the Monte Carlo error, µm: ``residual_damage_depth_um`` at the rise ×
    (1 + 2 s) (at least ``residual_damage_depth_um``). A value here with ``residual_damage_depth_um`` 0.0 reads "no
    residual damage, possibly this deep": the setting is within the Monte Carlo error of the floor's Ω = 1. Equal to
    ``residual_damage_depth_um`` where no Monte Carlo error is estimated (the non-linear stage, voxels, ablation)."""
    mtz_depth_um: float | None = None
    mtz_width_um: float | None = None
    mtz_coagulation_depth_um: float | None = None
    mtz_coagulation_width_um: float | None = None
    mtz_area_fraction: float | None = None
    boiling: bool
    pulse_energy_J: float
    fluence_J_per_cm2: float
    wavelength_nm: float
    wavelength_band_nm: DepthRange = None
    wavelength_bands_nm: list[list[float]] | None = None
    """The bands the source emits, nm (:func:`wavelength_bands_nm`; QA14 #9: titan_ir [[1100, 1400], [1500, 1800]])."""
    photons: int
    seed: int
    heat_steps: int
    energy_balance_residual_J: float | None
    """None where the solver keeps no ledger of surface and deep losses (the voxel heat)."""
    outer_edge_rise_fraction: float | None = None
    absorbed_outside_grid_fraction: float | None = None
    absorbed_outside_grid_share: float | None = None
    grid_note: str | None = None
    freezing_note: str | None = None
    """Set when tissue at or below the basal layer fell below the freezing point of tissue water (−0.5 °C): the model
    carries no freezing (latent heat) and no cold injury (:func:`laserskin.thermal.cooling.freezing_note`; QA5 #25)."""
    contraction_note: str | None = None
    """Set when ``immediate_tightening_percent`` exceeds the published range that applies to the run
    (:func:`contraction_range`): for an ablative laser the range the contraction model is calibrated on (QA7 #7), for
    a non-ablative one (not fractional) the published non-ablative range, below 2 % of area (QA15 #2b: above it the
    dermis is coagulated). The note names the range and its source; the value is reported as computed, not
    clamped. The stages fill it (:func:`run_contraction_note`); a summary built without it reads the calibrated
    range."""
    wall_time_s: float = 0.0

    @model_validator(mode="after")
    def _residual_possible(self) -> SimulationSummary:
        if self.residual_damage_possible_depth_um is None:  # no Monte Carlo error estimated: the depth itself
            self.residual_damage_possible_depth_um = self.residual_damage_depth_um
        return self

    @model_validator(mode="after")
    def _pain_with_plan(self) -> SimulationSummary:
        if self.pain_index_with_plan is None:
            band = pain_band(self.pain_index, self.anesthetic, self.cooling_kind)["with_plan"]
            self.pain_index_with_plan = None if band is None else float(band[1])
        return self

    @model_validator(mode="after")
    def _contraction_note(self) -> SimulationSummary:
        if self.contraction_note is None:
            self.contraction_note = contraction_note(self.immediate_tightening_percent)
        return self

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready values."""
        return self.model_dump()


#: Summary notes that say a run left what the model represents (its temperatures, and the damage read from them,
#: are not results of its physics): :func:`model_validity` reads them; the CLI and the web show them as warnings.
OUTSIDE_MODEL_NOTES = {
    "ablative_note": "tissue vaporised under ablative = false was dried in place instead of removed",
    "pyrolysis_note": "tissue passed the pyrolysis temperature and was dried in place, neither charred nor removed",
    "freezing_note": "tissue froze below the basal layer (no latent heat of freezing, no cold injury in the model)",
    "depth_note": "the damage reaches the floor of the voxel box, which cuts it off: its depth is a lower bound",
    "crater_note": "the crater passed the bottom of the dermis into the subcutis, a full-thickness wound",
}


def pyrolysis_note(peak_K: float, limit_K: float, where: str, hot_depth_um: float, path: str) -> str:
    """The ``pyrolysis_note`` text of a run whose tissue passed the pyrolysis temperature ``limit_K`` of the
    phase-change data without being removed (dry tissue chars there; the ablation stage would remove it, Vogel &
    Venugopalan 2003): its ``peak_K`` and ``where`` it sits, tissue above the limit down to ``hot_depth_um``, and
    ``path`` (the stage that dries tissue in place). One text for the r–z and the voxel stages."""
    limit_C = limit_K - CELSIUS_K
    return (
        f"tissue passed the pyrolysis temperature: peak {peak_K - CELSIUS_K:.0f} degC ({where}), above the "
        f"{limit_C:.0f} degC at which dried tissue chars (carbonises) and the ablation stage removes it; tissue is "
        f"above {limit_C:.0f} degC down to {hot_depth_um:.0f} um. {path} dries tissue in place without charring or "
        f"removing it, so its temperatures above {limit_C:.0f} degC, and the damage read from them, are outside what "
        "the model represents (read them as charred tissue)."
    )


def _validity_reason(key: str, summary: dict[str, Any]) -> str:
    """The reason :func:`model_validity` gives for one of :data:`OUTSIDE_MODEL_NOTES`: its text, or for
    ``crater_note`` the note's first clause, which holds the run's numbers (QA16 #3: "the crater is 2550 um deep, past
    the bottom of the dermis at 1610 um (the skin's thickness, stratum corneum to dermis)")."""
    note = summary.get(key)
    if key == "crater_note" and isinstance(note, str) and ":" in note:
        return f"{note.split(':', 1)[0]}, into the subcutis: a full-thickness wound"
    return OUTSIDE_MODEL_NOTES[key]


def model_validity(summary: dict[str, Any]) -> dict[str, Any]:
    """``within_model_validity`` and ``model_validity_reason`` of a summary, from its :data:`OUTSIDE_MODEL_NOTES`
    (QA8 #2: a machine-readable statement beside the prose notes; exit 0 and the numbers stay, flagged)."""
    keys = [key for key in OUTSIDE_MODEL_NOTES if summary.get(key)]
    if not keys:
        return {"within_model_validity": True, "model_validity_reason": None}
    reasons = "; ".join(f"{_validity_reason(key, summary)} ({key})" for key in keys)
    return {
        "within_model_validity": False,
        "model_validity_reason": f"outside what the model represents: {reasons}; read the temperatures above that "
        "point and the damage read from them as not computed",
    }


def wavelength_bands_nm(laser) -> list[list[float]]:
    """The bands the laser emits, nm, ``[[low, high], ...]`` shortest first (``[[λ, λ]]`` for one line): the sampled
    spectrum's lines, each standing for the band of its sampling step around it, with contiguous lines merged and a
    band with no line left out (:attr:`~laserskin.treatment.laser.Laser.emitted_bands_m`; titan_ir's 1150…1750 nm
    lines less the water filter's 1400-1500 nm → ``[[1100, 1400], [1500, 1800]]``). Summary and plan key
    ``wavelength_bands_nm``.
    """
    return [[round(low * 1e9, 6), round(high * 1e9, 6)] for low, high in laser.emitted_bands_m]


def wavelength_band_nm(laser) -> list[float]:
    """Spectral band of the laser, nm, ``[low, high]``: ``[λ, λ]`` for one line; for a sampled spectrum the outer
    edges of its emitted bands (:func:`wavelength_bands_nm`; titan_ir → 1100–1800 nm, which includes the
    1400-1500 nm its water filter removes: ``wavelength_bands_nm`` says which parts are emitted).

    ``wavelength_nm`` is the energy-weighted mean (centroid) of the lines; it may fall in a gap of the bands
    (titan_ir: 1450 nm), where it is no wavelength of the source.
    """
    bands = wavelength_bands_nm(laser)
    return [bands[0][0], bands[-1][1]]


def laser_keys(simulation) -> dict[str, Any]:
    """The summary keys that echo the laser as the run fired it, one rule for the linear, non-linear and voxel
    summaries: ``pulse_energy_J`` (one pulse into the simulated beam, one micro-beam if fractional),
    ``fluence_J_per_cm2``, ``wavelength_nm`` (the centroid) and the bands (:func:`wavelength_band_nm`,
    :func:`wavelength_bands_nm`)."""
    laser = simulation.laser
    return {
        "pulse_energy_J": float(simulation.pulse_energy_J()),
        "fluence_J_per_cm2": laser.fluence_J_per_m2 * 1e-4,
        "wavelength_nm": float(laser.centroid_wavelength_m) * 1e9,
        "wavelength_band_nm": wavelength_band_nm(laser),
        "wavelength_bands_nm": wavelength_bands_nm(laser),
    }


def residual_damage_depth_m(omega_map: np.ndarray, grid, floor_m: float = 0.0, *, column: int = 0) -> float:
    """``residual_damage_depth_um`` (in m): how deep below the final crater floor — the intact surface when
    there is no crater — Henriques Ω ≥ 1 extends *contiguously from the floor*, in one column (the axis).

    The residual thermal damage of issue 9 ("Henriques Ω ≥ 1 below the final crater floor"), read as in the
    histology of laser wounds (Walsh, Flotte & Deutsch 1989: the necrotic layer lining the crater): the run of
    cells with Ω ≥ 1 that starts at the first remaining cell below the floor (removed cells, NaN, skipped),
    its bottom interpolated with ln Ω linear to the next cell (:func:`laserskin.damage.ablation.residual_damage_depth`).
    0.0 when the first remaining cell is below Ω = 1 (a spared surface), even where a deeper band is injured:
    a non-ablative laser that spares the epidermis and injures the dermis below has no residual damage at the
    surface; its band is ``dermal_injury_depth_um`` (QA4 #15: before, the bottom of that band, 480 µm under an
    intact epidermis, was reported here). The same measure for ablative and non-ablative runs (r–z; the voxel
    path takes every column, :mod:`laserskin.pipeline.voxel`). ``omega_map`` (nr, nz), NaN where removed. Here, below
    the summary it fills, since the linear read-out takes it beyond its Monte Carlo error; :mod:`laserskin.pipeline.ablative`
    imports it from here.
    """
    from types import SimpleNamespace

    from laserskin.damage import ablation

    col = np.array(np.asarray(omega_map)[column], dtype=np.float64)
    below = np.flatnonzero((grid.z_centers_m > floor_m) & np.isfinite(col))
    if below.size == 0 or not col[below[0]] >= 1.0:
        return 0.0
    spared = below[col[below] < 1.0]
    if spared.size:  # the run ends at the first cell below Ω = 1: deeper cells do not count
        col[spared[0] + 1 :] = 0.0
    col[: below[0]] = 0.0  # removed or above the floor
    one = SimpleNamespace(
        nr=1, nz=grid.nz, z_centers_m=grid.z_centers_m, z_edges_m=grid.z_edges_m, z_max_m=grid.z_max_m
    )
    return float(ablation.residual_damage_depth(col[None, :], one, floor_m))


def pigment_risk_bounds(simulation, response, outcome, injury=None, transport_results=None) -> dict[str, Any]:
    """``{"pigment_risk", "pigment_risk_beyond_error", "peak_basal_temperature_band_C"}`` of a Monte Carlo run: the
    level of :func:`~laserskin.damage.injury.pigment_risk_within_error` (the points rule at the upper Monte Carlo
    bounds of the basal exposure of the axis read-out, :func:`~laserskin.damage.injury.basal_exposure_bounds`; s
    measured over the transport's groups of batches, :func:`basal_relative_error`), the level established beyond the
    error (lower bounds) and the basal peak band, °C (QA6 #23, QA7 #1). ``{}`` for a run without read-out regions or
    group tallies (no Monte Carlo error estimated: the nominal level stands). ``injury``: the setting's
    :class:`~laserskin.damage.injury.EpidermalInjury` (its worst-column basal values; default ``outcome.injury``).
    ``transport_results``: the run's (default: ``simulation.transport()``, a cache hit). One rule for ``laserskin
    simulate`` (:func:`linear_summary`) and the planner (:func:`laserskin.planning.noise_rules.pigment_risk_keys`)."""
    injury = outcome.injury if injury is None else injury
    bounds = _basal_bounds(simulation, response, outcome, injury, transport_results)
    if bounds is None:
        return {}
    omegas, temperatures = bounds
    risk, established = pigment_risk_within_error(response.geometry.fitzpatrick, omegas, temperatures)
    return {
        "pigment_risk": risk.level,
        "pigment_risk_beyond_error": established,
        "peak_basal_temperature_band_C": [t - CELSIUS_K for t in temperatures],
    }


def epidermal_grade_bounds(simulation, response, outcome, injury=None, transport_results=None) -> dict[str, Any]:
    """``{"epidermal_injury", "epidermal_injury_beyond_error", "epidermal_omega_band"}`` of a Monte Carlo run: the
    grade at the upper Monte Carlo bound of the basal Ω of the axis read-out (the gravest grade the error cannot
    exclude), the grade established beyond the error (lower bound) and the basal Ω band
    (:func:`~laserskin.damage.injury.epidermal_grade_within_error`, the bounds of :func:`pigment_risk_bounds`). ``{}``
    for a run without read-out regions or group tallies (the nominal grade stands)."""
    injury = outcome.injury if injury is None else injury
    bounds = _basal_bounds(simulation, response, outcome, injury, transport_results)
    if bounds is None:
        return {}
    omegas = bounds[0]
    grade, established = epidermal_grade_within_error(injury, omegas)
    return {
        "epidermal_injury": grade,
        "epidermal_injury_beyond_error": established,
        "epidermal_omega_band": [float(o) for o in omegas],
        "epidermal_mc_relative_error": basal_relative_error(simulation, response, transport_results),
    }


def basal_relative_error(simulation, response, transport_results=None) -> float | None:
    """Relative standard error s of the axis region's pooled basal peak rise, measured over the transport's groups
    of batches (:func:`laserskin.pipeline.readout_error.basal_readout_relative_errors`); ``None`` where it is not
    estimated (no read-out regions or group tallies, no basal rise)."""
    errors = basal_readout_relative_errors(simulation, response, (0,), transport_results)
    if errors is None or not math.isfinite(errors[0]):
        return None
    return float(errors[0])


def _basal_bounds(simulation, response, outcome, injury, transport_results=None):
    """``((Ω_low, Ω_high), (T_low_K, T_high_K))`` of the basal exposure of the axis read-out
    (:func:`~laserskin.damage.injury.basal_exposure_bounds`, s = :func:`basal_relative_error`); ``None`` where s is
    not estimated."""
    rings = response.readout_rings
    if rings is None:
        return None
    error = basal_relative_error(simulation, response, transport_results)
    if error is None:
        return None
    geometry, grid = response.geometry, response.grid
    return basal_exposure_bounds(
        response.times_s,
        response.base_K,
        outcome.pulse_energy_J * response.rise_per_J,
        grid,
        rings,
        junction_depth_m=geometry.junction_depth_m,
        omega_basal=injury.omega_basal,
        peak_basal_temperature_K=injury.peak_basal_temperature_K,
        relative_error=error,
    )


def pooled_peak_K(response, outcome) -> np.ndarray:
    """The peak temperature field pooled over the read-out regions (:func:`~laserskin.damage.injury.pool_rings`;
    NaN read as 0), K: the one field of ``peak_temperature_C`` (:func:`surface_readout`) and
    ``peak_dermis_temperature_C`` (:func:`dermal_readout`). A summary computes it once and passes it to both
    (session 14: each pooled it again)."""
    return pool_rings(np.nan_to_num(outcome.peak_temperature_K, nan=0.0), response.grid, response.readout_rings)


def dermal_readout(
    simulation, response, outcome, *, passes: int = 1, pooled_K: np.ndarray | None = None
) -> dict[str, Any]:
    """The dermal read-outs of a linear run under the keys and rule of ``laserskin simulate``, ``passes`` passes adding
    their Ω as the planner does (one rule for :func:`linear_summary` and the planner's summary,
    :func:`laserskin.planning.optimise.finalise`; QA10 #12: the plan said "partial thickness" where simulate of the
    same setting said "none").

    * ``peak_dermis_temperature_C``: from the peak field pooled over the read-out regions
      (:func:`~laserskin.damage.injury.pool_rings`), the field of ``thermal_model_reason`` (QA5 #1).
    * ``dermal_injury*``: :func:`~laserskin.damage.injury.dermal_injury` with the axis region's Monte Carlo bounds
      (:func:`~laserskin.damage.injury.axis_omega_bounds`, s = :func:`~laserskin.damage.injury.
      readout_relative_error`): a band reached only within the error is ``None`` with its
      ``dermal_injury_possible_depth_um`` (QA6 #11).
    * ``residual_damage_depth_um`` from the intact surface, beyond the error by the same rule
      (:func:`~laserskin.damage.injury.readout_beyond_error`), with its possible depth: a number, not null.

    ``pooled_K``: :func:`pooled_peak_K` of this response and outcome where the caller has it (computed here
    otherwise).
    """
    geometry, grid, rings = response.geometry, response.grid, response.readout_rings
    z = grid.z_centers_m
    dermis = (z >= geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    pooled = pooled_peak_K(response, outcome) if pooled_K is None else pooled_K
    error = bounds = None
    if rings is not None:  # the axis region's Monte Carlo error (QA6 #11)
        cdf = simulation.beam().launch_radius_cdf(grid.r_edges_m)
        error = readout_relative_error(cdf, simulation.settings.photons, rings)
        low, high = axis_omega_bounds(
            response.times_s,
            response.base_K,
            outcome.pulse_energy_J * response.rise_per_J,
            grid,
            rings,
            relative_error=error,
        )
        bounds = (passes * low, passes * high)
    readout = outcome.omega["henriques"] if outcome.readout_omega_henriques is None else outcome.readout_omega_henriques
    injured = dermal_injury(
        passes * outcome.omega["henriques"],
        grid,
        dermis_top_m=geometry.junction_depth_m,
        dermis_bottom_m=geometry.dermis_bottom_m,
        readout_omega=passes * readout,  # the depth from the pooled read-out map (QA5 #18)
        axis_omega_bounds=bounds,
        relative_error=error,
    )
    residual_um = residual_damage_depth_m(np.nan_to_num(passes * readout, nan=0.0), grid) * 1e6  # from the surface
    possible_um = residual_um
    if bounds is not None:  # the same rule as the dermal band (readout_beyond_error)
        low_um, high_um = (residual_damage_depth_m(column[None, :], grid) * 1e6 for column in bounds)
        residual_um, possible_um = readout_beyond_error(residual_um, low_um, high_um, merge=max)
    return {
        "peak_dermis_temperature_C": float(pooled[:, dermis].max() - CELSIUS_K),
        "dermal_injury_depth_um": pair(injured.depth_range_um),
        "dermal_injury_possible_depth_um": pair(injured.possible_range_um),
        "dermal_injury_mc_relative_error": injured.relative_error,
        "dermal_injury_volume_mm3": injured.volume_mm3,
        "dermal_injury_fraction": injured.dermis_fraction,
        "dermal_injury": injured.grade,
        "residual_damage_depth_um": float(residual_um),
        "residual_damage_possible_depth_um": float(possible_um),
    }


def dermal_depth_below_m(omega_map: np.ndarray, grid, floor_m: float, dermis: np.ndarray) -> float:
    """Depth below the floor (the surface: 0) of the deepest dermal cell with Ω ≥ 1 on the axis, m; 0 when no
    dermal cell below the floor reaches Ω = 1 (``coagulation_depth_um`` with the collagen Ω). Cells outside
    ``dermis`` (epidermis, subcutis: no dermal collagen) are left out; the crossing is interpolated as in
    :func:`laserskin.damage.ablation.residual_damage_depth` (at a dermal cell's edge where its neighbour is outside
    the dermis). Here, with :func:`surface_readout`, which uses it; :mod:`laserskin.pipeline.ablative` imports it
    for the depth below a crater floor."""
    from laserskin.damage import ablation

    dermal = np.where(dermis[None, :], np.nan_to_num(omega_map, nan=0.0), np.nan)
    return float(ablation.residual_damage_depth(dermal, grid, floor_m))


def mtz_zone_extent(zone: np.ndarray, z_edges_m: np.ndarray, in_dermis: np.ndarray) -> tuple[float, np.ndarray]:
    """The extent of a microscopic treatment zone (MTZ) by the dermal-first rule: the one MTZ rule of the r–z
    path (:func:`zone_size_m`, :func:`rz_mtz_keys`) and the voxel path (:mod:`laserskin.pipeline.voxel`).

    * depth: the bottom of the zone's deepest cell;
    * the cells its width and area fraction are read on: the zone's dermal cells when it reaches the dermis
      (the MTZ widths the model is validated on are histological widths of the dermal lesion, not of the
      epidermis that the beam's tails heat: Hantash et al. 2007, ``hantash2007_invivo``, ``hantash2007_exvivo``;
      Manstein et al. 2004, ``manstein2004``; R), else, for a zone confined to the epidermis (a blistered column
      that never reaches the junction), its own cells, so a zone with a depth always has a width and an area
      fraction (QA11 F-A: the ``fractional_array_1550`` example on rings, 1550 nm 2 mJ, read 61.9 µm deep, 0 wide,
      area fraction 0; now 40 µm wide, 1.26 %). Confidence: D (the rule).

    A zone that reaches the dermis reads exactly as before the rule (every fractional CO2 and 1550 nm read-out
    unchanged). Known consequence: two nested zones may be read in different places. A crater confined to the
    epidermis is read over its own cells while the necrosis zone around it, reaching the dermis, is read in the
    dermis, so below ~2 mJ of fractional CO2 the crater can be reported wider than the MTZ that contains it
    (120 µm, 10 %, type II cheek, 1 mJ: crater 37 µm deep and coagulated column read 90 µm wide in the
    epidermis, the necrosis zone 88 µm deep read 75 µm wide in the dermis; from 2 mJ the crater reaches the dermis
    and every width is dermal). Depths are read alike everywhere, so they stay nested.

    Parameters
    ----------
    zone : ndarray of bool
        The zone's cells, depth on the last axis (r–z: ``(nr, nz)``; voxels: ``(nx, ny, nz)``).
    z_edges_m : ndarray
        The depth edges of the cells (``zone.shape[-1] + 1`` values), m.
    in_dermis : ndarray of bool
        The dermal cells, broadcastable to ``zone.shape``.

    Returns
    -------
    depth_m, read
        The depth (0 for an empty zone) and the cells the width and area fraction are read on (empty for an
        empty zone).
    """
    zone = np.asarray(zone, dtype=bool)
    if not zone.any():
        return 0.0, zone
    layers = np.flatnonzero(zone.any(axis=tuple(range(zone.ndim - 1))))
    dermal = zone & in_dermis
    return float(z_edges_m[layers.max() + 1]), dermal if dermal.any() else zone


def zone_size_m(mask: np.ndarray, grid, in_dermis: np.ndarray) -> tuple[float, float]:
    """Depth and width of a zone on rings, m, by the dermal-first rule (:func:`mtz_zone_extent`): the width is
    2 × the outermost ring edge of the cells it is read on (the dermis, or an epidermal zone's own cells).
    ``(0, 0)`` for an empty zone."""
    depth, read = mtz_zone_extent(mask, grid.z_edges_m, in_dermis)
    if not read.any():
        return 0.0, 0.0
    rows = np.nonzero(read)[0]
    return depth, 2.0 * float(grid.r_edges_m[rows.max() + 1])


def rz_mtz_keys(
    necrosis: np.ndarray, coagulated: np.ndarray, grid, junction_depth_m: float, mtz_per_m2: float
) -> dict[str, float]:
    """The MTZ keys of one micro-beam on rings (:func:`zone_size_m`, the dermis below ``junction_depth_m``):
    ``mtz_depth_um`` and ``mtz_width_um`` of the necrosis zone, ``mtz_coagulation_depth_um`` and
    ``mtz_coagulation_width_um`` of the coagulated-collagen column, ``mtz_area_fraction`` π (width/2)² × zones per
    area (at most 1). One function for simulate's linear and non-linear summaries and the planner's."""
    in_dermis = (grid.z_centers_m > junction_depth_m)[None, :]
    depth, width = zone_size_m(necrosis, grid, in_dermis)
    coag_depth, coag_width = zone_size_m(coagulated, grid, in_dermis)
    return {
        "mtz_depth_um": depth * 1e6,
        "mtz_width_um": width * 1e6,
        "mtz_coagulation_depth_um": coag_depth * 1e6,
        "mtz_coagulation_width_um": coag_width * 1e6,
        "mtz_area_fraction": min(1.0, math.pi * (width / 2) ** 2 * mtz_per_m2),
    }


def surface_readout(
    simulation, response, outcome, *, passes: int = 1, pooled_K: np.ndarray | None = None
) -> dict[str, Any]:
    """The issue-9 keys of a linear run (no crater) that are not dermal read-outs (:func:`dermal_readout`), under
    ``laserskin simulate``'s keys and rule, ``passes`` passes adding their Ω as the planner does: one function for
    simulate's linear summary (:func:`linear_summary`) and the planner's (:func:`laserskin.planning.optimise.
    finalise`; session 13: the plan's summary lacked ``peak_temperature_C`` and ``coagulation_depth_um``).

    * ``peak_temperature_C``: the peak anywhere in the tissue from the peak field pooled over the read-out regions
      (:func:`~laserskin.damage.injury.pool_rings`), the field of the 100 °C switch and of ``thermal_model_reason``
      (QA5 #1). Passes are thermally independent in the planner (Ω adds), so ``passes`` does not raise it.
    * ``crater_depth_um``, ``crater_depth_per_pulse_um``: 0.0 (a linear run removes nothing; "Numbers, not null").
    * ``coagulation_depth_um``: the deepest dermal collagen Ω ≥ 1 on the axis below the intact surface
      (:func:`dermal_depth_below_m`; 0.0 when none).
    * for a fractional laser ``mtz_depth_um``, ``mtz_width_um`` (living tissue at Henriques Ω ≥ 1),
      ``mtz_coagulation_depth_um``,
      ``mtz_coagulation_width_um`` (dermal collagen Ω ≥ 1) and ``mtz_area_fraction`` (π (width/2)² × zones per
      area, at most 1): :func:`rz_mtz_keys` (widths in the dermis, or a zone confined to the epidermis over its own
      cells: :func:`mtz_zone_extent`).

    ``pooled_K``: :func:`pooled_peak_K` of this response and outcome where the caller has it (computed here
    otherwise).
    """
    geometry, grid = response.geometry, response.grid
    z = grid.z_centers_m
    pooled = pooled_peak_K(response, outcome) if pooled_K is None else pooled_K
    dermis = (z > geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    collagen = passes * np.nan_to_num(outcome.omega["collagen"], nan=0.0)
    keys: dict[str, Any] = {
        "peak_temperature_C": float(pooled.max() - CELSIUS_K),
        "crater_depth_um": 0.0,
        "crater_depth_per_pulse_um": 0.0,
        "coagulation_depth_um": dermal_depth_below_m(collagen, grid, 0.0, dermis) * 1e6,
    }
    laser = simulation.laser
    if laser.is_fractional:
        henriques = passes * np.nan_to_num(outcome.omega["henriques"], nan=0.0)
        # necrosis in the living tissue (the stratum corneum is dead keratin), collagen in the dermis
        living = z >= viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m)
        necrosis = (henriques >= 1.0) & living[None, :]
        coagulated = (collagen >= 1.0) & dermis[None, :]
        keys.update(rz_mtz_keys(necrosis, coagulated, grid, geometry.junction_depth_m, float(laser.mtz_per_m2)))
    return keys


def linear_summary(simulation, outcome, response, heat, transport_results) -> SimulationSummary:
    """Summary of the linear (constant-property) path at the outcome's pulse energy.

    The grid-extent diagnostics are the laser-driven rise at the insulated outer radius
    relative to the largest rise (cooling acts uniformly in r and is excluded), and the light
    absorbed beyond the grid (not heating the tissue in this model), as a fraction of the
    incident light (``absorbed_outside_grid_fraction``) and of the absorbed light
    (``absorbed_outside_grid_share``, :func:`~laserskin.transport.result.outside_grid_share` of the wavelengths'
    weighted fractions; above 1 % the run warns and says so in ``grid_note``).
    """
    geometry, grid = response.geometry, response.grid
    peak = outcome.peak_temperature_K
    z = grid.z_centers_m
    epidermis = z < geometry.junction_depth_m
    pigment = pigment_risk_bounds(simulation, response, outcome, transport_results=transport_results)  # QA6 #23
    if simulation.explicit:  # no Fitzpatrick type: the level is "not assessed" (Simulation.run), the band stands
        pigment.pop("pigment_risk_beyond_error", None)
    grade = epidermal_grade_bounds(simulation, response, outcome, transport_results=transport_results)  # pigment side
    depth = outcome.collagen.coagulated_depth_range_um
    settings = simulation.settings
    pooled = pooled_peak_K(response, outcome)  # once, for both read-outs
    surface = surface_readout(simulation, response, outcome, pooled_K=pooled)  # peak, crater, coagulation (and MTZ)
    tightening = simulation.tightening_percent(float(outcome.collagen.tightening_percent))
    return SimulationSummary(
        thermal_model="linear",
        thermal_model_reason="no cell reaches the onset of vaporisation (100 degC): constant properties hold",
        **surface,
        peak_cell_temperature_C=float(peak.max() - CELSIUS_K),
        peak_epidermis_temperature_C=float(
            (peak if outcome.readout_peak_temperature_K is None else outcome.readout_peak_temperature_K)[
                :, epidermis
            ].max()
            - CELSIUS_K
        ),
        **dermal_readout(simulation, response, outcome, pooled_K=pooled),
        denaturation_depth_um=pair(depth),
        denatured_volume_mm3=float(outcome.collagen.denatured_volume_mm3),
        immediate_tightening_percent=tightening,
        contraction_note=run_contraction_note(simulation, tightening, surface.get("coagulation_depth_um")),
        epidermal_omega=float(outcome.injury.omega_basal),
        epidermal_injury=grade.get("epidermal_injury", outcome.injury.grade),
        epidermal_injury_beyond_error=grade.get("epidermal_injury_beyond_error"),
        epidermal_omega_band=grade.get("epidermal_omega_band"),
        epidermal_mc_relative_error=grade.get("epidermal_mc_relative_error"),
        pigment_risk=pigment.get("pigment_risk", outcome.injury.pigment_risk.level),
        pigment_risk_beyond_error=pigment.get("pigment_risk_beyond_error"),
        peak_basal_temperature_band_C=pigment.get("peak_basal_temperature_band_C"),
        pain_index=float(outcome.pain.index_without_anesthetic),
        pain_index_with_anesthetic=float(outcome.pain.index_with_anesthetic),
        anesthetic=simulation.protocol.anesthetic,
        cooling_kind=simulation.cooling.kind,
        boiling=bool(outcome.boiling),
        **laser_keys(simulation),
        photons=settings.photons,
        seed=settings.seed,
        heat_steps=int(heat.n_steps),
        energy_balance_residual_J=float(heat.energy.residual_J),
        outer_edge_rise_fraction=float(
            np.abs(response.rise_per_J[:, -1, :]).max() / max(np.abs(response.rise_per_J).max(), 1e-300)
        ),
        **grid_capture_keys(simulation, transport_results),
        freezing_note=linear_freezing_note(simulation, response, outcome),
    )


def grid_capture_keys(simulation, transport_results) -> dict[str, float]:
    """``absorbed_outside_grid_fraction`` (of the incident light) and ``absorbed_outside_grid_share`` (of the
    absorbed light, :func:`~laserskin.transport.result.outside_grid_share`, the one rule, voxels too) of an r–z
    run's transport results, weighted over the laser's wavelengths (:func:`linear_summary`)."""
    weights = [weight for _, weight in simulation.laser.wavelength_weights()]
    outside = float(sum(w * t.absorbed_outside_grid_fraction for w, t in zip(weights, transport_results)))
    on_grid = float(sum(w * t.absorbed_on_grid_fraction for w, t in zip(weights, transport_results)))
    return {
        "absorbed_outside_grid_fraction": outside,
        "absorbed_outside_grid_share": outside_grid_share(outside, on_grid),
    }


def linear_freezing_note(simulation, response, outcome) -> str | None:
    """``freezing_note`` of a linear run (:func:`~laserskin.thermal.cooling.freezing_note`) from the run's coldest
    temperature in the spot (the model cools the whole grid alike): :func:`linear_summary`'s."""
    geometry, grid = response.geometry, response.grid
    return freezing_note(
        np.min(response.base_K + outcome.pulse_energy_J * response.rise_per_J, axis=0)[
            grid.r_centers_m <= max(simulation.beam().outer_radius_m or 0.0, grid.r_centers_m[0])
        ],
        grid.z_centers_m,
        grid.z_edges_m,
        basal_depth_m=geometry.junction_depth_m,
    )


#: Top of the published immediate contraction after non-ablative bulk heating, % of area: none reported after
#: 1310-1320 nm (with cooling) and 1450 nm (with cryogen) courses, the change builds over months (Alexiades-Armenakas
#: 2007; Hardaway 2002; R): docs/collagen.md section 1 row 7, the held-out points B4 and B5 of section 5 (< 2 % of
#: area; tests/validation/test_collagen_contraction.py).
NON_ABLATIVE_CONTRACTION_MAX_AREA_PERCENT = 2.0


class ContractionRange(NamedTuple):
    """A published range of immediate contraction a run is read against (:func:`contraction_range`): its top,
    % of area, what it is with its source, and what a value above it means."""

    max_area_percent: float
    what: str
    beyond: str


def _area_from_linear(linear: float) -> float:
    return 100.0 * (1.0 - (1.0 - linear) ** 2)


def contraction_range(*, ablative: bool | None = None, fractional: bool = False) -> ContractionRange:
    """The published range of immediate contraction that applies to a run (one table for :func:`contraction_note`).

    * ablative (or not known): the range the contraction model is calibrated on, 20-40 % linear after three
      full-field CO2 passes (collagen.toml ``[calibration] target_range``; docs/collagen.md sections 1 and 3);
    * non-ablative bulk heating (not fractional): below :data:`NON_ABLATIVE_CONTRACTION_MAX_AREA_PERCENT` % of
      area (docs/collagen.md section 1 row 7, section 5 B4/B5; QA15 #2b);
    * non-ablative fractional: no published immediate range of its own (its coagulated columns are the treatment,
      the contraction is spread over the area between them): the calibrated range, as for ablative lasers.
    """
    if ablative is False and not fractional:
        return ContractionRange(
            NON_ABLATIVE_CONTRACTION_MAX_AREA_PERCENT,
            f"the range published for non-ablative lasers: below {NON_ABLATIVE_CONTRACTION_MAX_AREA_PERCENT:.0f} % "
            "of area, no immediate contraction reported after 1320 nm and 1450 nm courses with cryogen cooling "
            "(Alexiades-Armenakas 2007; Hardaway 2002; docs/collagen.md section 1 row 7, section 5 B4 and B5)",
            "contraction this large comes from denatured dermal collagen",
        )
    low, high = (float(x) for x in load_parameters("collagen")["calibration"]["target_range"])
    return ContractionRange(
        _area_from_linear(high),
        f"the range the contraction model is calibrated on: {100 * low:.0f}-{100 * high:.0f} % linear, the "
        f"published immediate contraction after three full-field CO2 passes (Fitzpatrick, Rostan & Marchell 2000, "
        f"about {100 * high:.0f} % at most; reviews)",
        "beyond it the value is the model's extrapolation, not a published outcome (docs/collagen.md section 3)",
    )


def contraction_note(
    area_percent: float | None,
    *,
    ablative: bool | None = None,
    fractional: bool = False,
    coagulation_depth_um: float | None = None,
) -> str | None:
    """The note for an immediate contraction above the published range that applies to the run
    (:func:`contraction_range`), or ``None``; it names the range and its source. The value is said, not clamped.

    Ablative (or ``ablative`` not known): the model's one free parameter (the stiffness ratio k, collagen.toml
    ``[contraction]``) is fitted to full-field CO2 resurfacing, three passes: 30 % linear, inside the published
    20-40 % linear immediate contraction (collagen.toml ``[calibration] target_range``; Fitzpatrick, Rostan &
    Marchell 2000, about 40 % recalled as the maximum, R; reviews of CO2 resurfacing, R; docs/collagen.md sections 1
    and 3). Above the top of that range (40 % linear = 64 % of area) the value is the model's extrapolation, not a
    published outcome (docs/collagen.md section 3, "Above the calibrated range"). QA7 #7: one 20 J/cm², 50 ms CO2
    pulse, 72.3 % of area.

    Non-ablative, not fractional (QA15 #2b): above the published non-ablative range (below 2 % of area,
    docs/collagen.md section 1 row 7 and section 5 B4/B5) the dermis is coagulated at this setting (a burn, not
    non-ablative remodelling: ``coagulation_depth_um`` says how deep) and the value is the model's extrapolation.
    smoothbeam_1450 at 14 J/cm² with the generic cryogen spray (no parallel spurts): 62 % of area and necrosis."""
    if area_percent is None or not np.isfinite(area_percent):
        return None
    published = contraction_range(ablative=ablative, fractional=fractional)
    if float(area_percent) <= published.max_area_percent:
        return None
    linear = 1.0 - np.sqrt(max(0.0, 1.0 - float(area_percent) / 100.0))
    beyond = published.beyond
    if ablative is False and not fractional:
        if coagulation_depth_um is not None and coagulation_depth_um > 0.0:
            burn = f"at this setting the dermis is coagulated {coagulation_depth_um:.3g} um deep (a burn"
        else:
            burn = "at this setting dermal collagen is denatured far beyond non-ablative heating (a burn"
        beyond = (
            f"{beyond}: {burn}, not non-ablative remodelling), and the value is the model's extrapolation (its "
            "contraction is calibrated on ablative CO2 resurfacing, docs/collagen.md section 3)"
        )
    return (
        f"immediate contraction {area_percent:.3g} % of area ({100 * linear:.3g} % linear) is above "
        f"{published.what}; {beyond}"
    )


def run_contraction_note(simulation, area_percent: float | None, coagulation_depth_um: float | None = None):
    """:func:`contraction_note` for a run of ``simulation``: its laser says ablative or not, fractional or not (one
    call for the r-z linear, the non-linear and the voxel summaries)."""
    laser = simulation.laser
    return contraction_note(
        area_percent,
        ablative=getattr(laser, "ablative", None),
        fractional=bool(getattr(laser, "is_fractional", False)),
        coagulation_depth_um=coagulation_depth_um,
    )


def cooling_used(simulation, scenario=None) -> dict[str, Any]:
    """The cooling a simulation ran with (its settings) and where it came from (``source``, in the words of its
    :class:`~laserskin.pipeline.simulation.CoolingResolution`): the device preset's default, a ``[cooling]`` table
    laid over the preset's cooling of the same kind (naming the keys it set), or a table of another kind that
    replaced it (:func:`laserskin.pipeline.simulation.resolve_cooling`, QA15 #2a). Without a scenario the given
    cooling is the ``cooling`` argument of a Python call."""
    data = dict(simulation.cooling.model_dump(mode="json", by_alias=True))
    label = "[cooling] table" if scenario is not None else "cooling argument"
    data["source"] = simulation.cooling_resolution.source(label)
    return data


def shell_summary(result, simulation, scenario) -> dict[str, Any]:
    """The summary both shells give for one scenario: ``laserskin simulate --json`` prints it and
    ``POST /api/simulate`` returns it (and the web job's ``summary.json``), one builder so they cannot drift
    (QA5 #7): the result's summary, the ``cooling`` it ran with (settings and ``source``), the package
    ``version`` and the scenario as read (``inputs``; QA4 #7)."""
    import laserskin

    summary = dict(result.summary)
    summary.setdefault("cooling", cooling_used(simulation, scenario))
    summary.setdefault("version", laserskin.__version__)
    summary.setdefault("inputs", scenario.model_dump(mode="json", by_alias=True, exclude_none=True))
    return summary
