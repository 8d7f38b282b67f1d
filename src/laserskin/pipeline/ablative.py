"""The non-linear stage of the pipeline: vaporisation, ablation and damage above 100 °C.

The linear response (:mod:`laserskin.pipeline.response`) stays the default wherever it is
valid: it is exact for constant tissue properties, i.e. as long as no cell reaches the onset
of vaporisation (the boiling point of tissue water). This stage runs instead

* for ablative lasers (Er:YAG 2.94 µm, CO2 10.6 µm) — their light is absorbed within
  microns (μa ≫ μs'), so the source is Beer–Lambert from the moving crater floor and no
  Monte Carlo is needed (:func:`run_ablative`); and
* whenever a linear result reaches the onset (:func:`needs_nonlinear`), with the linear
  run's own Monte Carlo source on its grid (:func:`run_nonlinear` with ``source_per_J``),
  scaled locally for the change of μa; for flat-top spots with several pulses the transport
  is re-run at every later pulse on the changed optics (:func:`relayered_stack`), and a
  non-ablative fractional micro-beam (water-absorbed NIR) is split into sub-pulses before each of
  which the column it has dried is re-run in the voxel transport (less absorption, dehydration
  clearing, higher index: :func:`_dried_column_update`).

It solves :func:`laserskin.thermal.enthalpy.solve_enthalpy` (enthalpy method with tissue
water per layer, latent heat, dehydration, ablation, heat carried over between pulses and
passes) for every pulse of every pass of the protocol, integrates the Arrhenius damage on
the way, and reads out the crater, the residual thermal damage (Henriques Ω ≥ 1 below the
final floor; Walsh, Flotte & Deutsch 1989), the coagulated (dermal) collagen below the floor, the
immediate contraction and, for fractional lasers, the microscopic treatment zone.

Every result states ``thermal_model`` ("nonlinear" here, "linear" in the linear path) and
``thermal_model_reason``.
"""

from __future__ import annotations

import copy
import math
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np

from laserskin.core.citations import cite
from laserskin.core.constants import CELSIUS_K, MAX_TISSUE_TEMPERATURE_K, WATER_BOILING_K
from laserskin.core.errors import InputError
from laserskin.core.units import format_quantity
from laserskin.damage.ablation import get_laser
from laserskin.damage.injury import (
    PooledObserver,
    dermal_injury,
    epidermal_necrosis,
    pool_rings,
    viable_epidermis_top_m,
)
from laserskin.grid import RZGrid
from laserskin.optics.chromophores import ABLATIVE_WATER_MUA_PER_M, n_water
from laserskin.pipeline.progress import inside_progress_scope
from laserskin.pipeline.result import Result, pair
from laserskin.pipeline.summary import (
    SimulationSummary,
    dermal_depth_below_m,
    laser_keys,
    model_validity,
    pyrolysis_note,
    residual_damage_depth_m,
    run_contraction_note,
    rz_mtz_keys,
    surface_readout,
    zone_size_m,
)

__all__ = [
    "NONLINEAR_DAMAGE_SETS",
    "AblativeSettingWarning",
    "PyrolysisWarning",
    "ablates_when_unset",
    "apply_thermal_model_rule",
    "dehydration_optics_spec",
    "needs_nonlinear",
    "resolve_ablative",
    "run_ablative",
    "run_nonlinear",
]

#: Arrhenius sets integrated by the non-linear stage: cell death (Henriques, the residual
#: thermal necrosis and the MTZ) and two dermal-collagen sets (coagulation, contraction).
NONLINEAR_DAMAGE_SETS = {
    "henriques": "henriques_moritz_1947",
    "collagen": "pearce_2010_rat_skin_collagen",
    "collagen_dsc": "jacques2006_dsc_dermal_collagen",
}

#: A Beer–Lambert source needs μa ≫ μs' in the superficial layers (here μa ≥ 20 μs').
_BEER_LAMBERT_MIN_RATIO = 20.0
#: Largest peak fluence of a full-field pulse the stage accepts, J/m² (1000 J/cm²): far above
#: any published resurfacing setting (Er:YAG experiments reach 80 J/cm², Walsh et al. 1989).
MAX_FULL_FIELD_FLUENCE_J_PER_M2 = 1000e4
#: Largest peak fluence of one pulse of a narrow beam (1/e² or flat-top radius <= ``FOCUSED_SPOT_MAX_RADIUS_M``: a
#: fractional micro-beam or a focused spot, one geometry to the physics) the pipeline accepts, J/m² (2000 J/cm²).
#: A narrow beam's result rests on models checked on micro-beams only up to the published device settings: the
#: ablative channel's wall cone is calibrated at 15 mJ (Bailey et al.) and checked from 5 to 40 mJ into 120 µm
#: (Hantash et al. 2007: peak 707 J/cm² at 40 mJ); the 1550 nm dried column from 10 to 70 mJ into 100 µm (Bedi et
#: al. 2007, Manstein et al. 2004; the ``fraxel_1550`` range, peak 2 E / (π w²) = 1783 J/cm² at 70 mJ, the largest
#: peak of a published micro-beam setting). Within that range the model's MTZ depth already grows more slowly with
#: energy than the histology (docs/tissue_physics.md, "Fractional MTZ growth with energy"), so beyond it a depth is
#: an extrapolation of a law known to fall behind, not a result; the limit is that largest published peak rounded
#: up (+12 %, the margin of a setting typed near the top of the range). Wider spots keep their own limit: their
#: published settings end two orders of magnitude lower (Er:YAG 80 J/cm²). Confidence: U (the rule), V (the
#: settings). E.g. a 120 µm (1/e²) CO2 micro-beam is accepted up to 113 mJ, a 100 µm 1550 nm one up to 78.5 mJ.
MAX_MICROBEAM_FLUENCE_J_PER_M2 = 2000e4
#: Gaussian (non-fractional) spots up to this 1/e² radius are resolved on rings of
#: ``FOCUSED_RING_M`` (crater walls of focused laboratory spots); wider spots are one column. Beams up to this
#: radius (fractional micro-beams included) take the narrow beams' peak-fluence limit.
FOCUSED_SPOT_MAX_RADIUS_M = 250e-6
FOCUSED_RING_M = 2.0e-6


class AblativeSettingWarning(UserWarning):
    """An explicit ``ablative = false`` at a setting that vaporises tissue (the summary's ``ablative_note``)."""


class PyrolysisWarning(AblativeSettingWarning):
    """A non-removal (non-ablative) run whose tissue passed the pyrolysis temperature, where dry tissue chars and
    the ablation stage would remove it (the summary's ``pyrolysis_note``). A kind of :class:`AblativeSettingWarning`
    (a setting beyond what a non-removal run represents): ``simulate`` says it once, as a ``warning:`` line."""


def _beer_lambert_applies(stack) -> bool:
    """Whether the superficial layers absorb far more than they scatter (μa ≥ 20 μs′ in the first three):
    the condition of the ablation stage's Beer–Lambert source from the moving crater floor."""
    mua = np.array([layer.mua_per_m for layer in stack.layers])
    musp = np.array([layer.mus_per_m * (1.0 - layer.g) for layer in stack.layers])
    surface = slice(0, min(3, len(mua)))
    return bool(np.all(mua[surface] >= _BEER_LAMBERT_MIN_RATIO * musp[surface]))


def resolve_ablative(simulation):
    """The laser with ``ablative`` as the physics has it, for a laser whose ``ablative`` was left unset.

    Unset, :class:`laserskin.treatment.laser.Laser` decides ``ablative`` from the water absorption of its
    wavelength(s) (≥ 100 /cm: Er:YSGG, Er:YAG, CO2, but also Tm 1927/1940 nm). Ablation also needs the
    light to be deposited in a thin layer that its vapour ejects, which is the ablation stage's own condition
    (μa ≥ 20 μs′ in the superficial layers of this tissue): where the tissue scatters more than that
    (Tm 1927/1940 nm in skin, μa ≈ 90 /cm, μs′ ≈ 10 /cm) the laser stays non-ablative (Monte Carlo light,
    tissue drying in place), as clinical Tm fractional lasers are. Whether an ablative laser removes tissue
    at its fluence is then decided by the stage's removal criterion (no crater below the threshold). A
    given flag (the user's or a device preset's) is kept as it is.
    """
    laser = simulation.laser
    if laser.ablative_given or not laser.ablative:
        return laser
    if _beer_lambert_applies(simulation.optical_stack(float(laser.centroid_wavelength_m))):
        return laser
    return laser.model_copy(update={"ablative": False})  # still "not given": dumps leave it out


def ablates_when_unset(simulation) -> bool:
    """Whether the laser's ``ablative = false`` was given (by the user or a device preset) at a setting the model
    runs as ablative when ``ablative`` is unset (QA15 #5): the laser's own rule
    (:attr:`laserskin.treatment.laser.Laser.strongly_water_absorbed`, which decides an unset ``ablative``) and the
    ablation stage's (:func:`resolve_ablative`: the light deposited in a thin layer of this tissue). A burn there is
    the flag's doing: the tissue the setting vaporises is simulated drying in place under an intact surface instead
    of removed as a crater (2940 nm 40 J/cm² 90 ns burns with ``ablative = false`` and runs, at 80 J/cm² too, with
    it unset). False for a stand-in without optics."""
    from laserskin.treatment.laser import Laser

    laser = simulation.laser
    if not laser.ablative_given or laser.ablative or not hasattr(simulation, "optical_stack"):
        return False
    table = laser.model_dump(by_alias=True, exclude_none=True)
    table.pop("ablative", None)
    try:
        unset = Laser.model_validate(table)
    except ValueError:
        return False
    if not unset.ablative:  # not strongly water-absorbed: unset is false too
        return False
    trial = copy.copy(simulation)
    trial.laser = unset
    return bool(resolve_ablative(trial).ablative)


def _vaporised_tissue_note(simulation, heat, water0: np.ndarray, parameters) -> str | None:
    """``ablative_note`` for a non-removal run of a water-absorbed laser that met the ablation stage's own
    removal criterion — a surface cell boiled dry (its vapour would eject it) or tissue past the pyrolysis
    temperature (it would carbonise and blow out) — when the flag was ``false`` by the user's choice (or
    unset at a wavelength whose tissue scatters too much for the ablation stage); else None."""
    laser = simulation.laser
    if parameters.material_removal or not laser.strongly_water_absorbed:
        return None
    threshold = 1.0 - parameters.ablation_vaporised_fraction + 1e-9
    wet0 = np.broadcast_to(water0, heat.water_fraction.shape)[:, 0] > 0
    dried = bool(np.any(wet0 & (heat.water_fraction[:, 0] <= threshold)))
    peak_C = float(np.max(heat.peak_temperature_K)) - CELSIUS_K
    charred = peak_C > parameters.pyrolysis_temperature_K - CELSIUS_K
    if not (dried or charred):
        return None
    what = "the skin surface boiled dry" if dried else "tissue passed the pyrolysis temperature"
    where = (
        f"{laser.centroid_wavelength_m * 1e9:.6g} nm is strongly water-absorbed (water mu_a >= "
        f"{ABLATIVE_WATER_MUA_PER_M / 100:g} /cm)"
    )
    if laser.ablative_given:
        return (
            f"laser.ablative = false at an ablative setting: {where} and this setting vaporises tissue ({what}, "
            f"peak {peak_C:.0f} degC), which the model would remove as a crater; it was simulated as drying in "
            "place under an intact surface, so the temperatures, injury grade and depths describe tissue that "
            "would in fact be ablated. Leave ablative unset (or true) to simulate the ablation."
        )
    return (
        f"laser.ablative (unset) = false: {where} but scattered too strongly in this tissue for the ablation "
        f"stage (mu_a < 20 mu_s'), so it was simulated drying in place; this setting vaporises tissue ({what}, "
        f"peak {peak_C:.0f} degC), which would in fact be ablated."
    )


#: CO2 laser lines (9.3, 9.6, 10.2, 10.6 um): the wavelengths whose measured resurfacing surface temperatures (Choi
#: et al. 1999) are evidence for the peak note (:func:`_removal_peak_note`).
CO2_BAND_M = (9.0e-6, 11.0e-6)


def _removal_peak_note(
    peak_K: float, parameters, wavelength_m: float | None = None, *, ejected: bool = True
) -> str | None:
    """``peak_temperature_note`` of an ablation run whose peak is one of the removal rule's own temperatures (QA6
    #22, QA9 #8): a drying cell sits at the boiling plateau, a charred one is held at the pyrolysis temperature until
    it is ejected (the model's cap on dried matrix), and in the blow-off regime superheated water explodes at the
    spinodal (Vogel & Venugopalan 2003 §V.C) and leaves with the tissue above it, so a peak of exactly one of these
    temperatures reads back a parameter of tissue_phase_change.toml, not a computed temperature; else None. One rule
    for every removal temperature the run's regime uses.

    The evidence beside it is the wavelength's (QA15 #7): for CO2 (``wavelength_m`` in :data:`CO2_BAND_M`)
    measured resurfacing surfaces approach 400 degC (Choi et al. 1999); for any other wavelength (Er:YAG 2940 nm,
    or ``None``) no measured skin surface temperature is in the reference data (docs/reference/
    tissue_response_data.md), so the note says the peak is the model's parameter, neither computed nor measured, and
    that the 400 degC was measured on CO2 scans.

    ``ejected``: whether the run removed any tissue (QA16 #10: CO2 at 2 J/cm², no crater, read "a drying cell sits
    until it is ejected" though nothing was ejected). Without removal the held temperature is worded as the one a
    cell sits at, and the note says that no cell reached the removal criterion at this setting."""
    held = [
        (
            parameters.pyrolysis_temperature_K,
            "the pyrolysis temperature at which a charred cell is held and ejected, the model's cap on dried matrix"
            if ejected
            else "the pyrolysis temperature, the model's cap on dried matrix",
        ),
        (
            parameters.boiling_temperature_K,
            "the boiling plateau at which a drying cell sits" + (" until it is ejected" if ejected else ""),
        ),
    ]
    if parameters.regime == "blow_off":  # the spinodal is a removal temperature of the blow-off regime only
        held.insert(
            0,
            (
                parameters.spinodal_temperature_K,
                "the limit of superheat (spinodal of water, Vogel & Venugopalan 2003) at which superheated tissue "
                "water explodes and is ejected in the blow-off regime",
            ),
        )
    co2 = wavelength_m is not None and CO2_BAND_M[0] <= wavelength_m <= CO2_BAND_M[1]
    for held_K, what in held:
        if abs(peak_K - held_K) < 1e-6:
            cite("choi1999_thermographic")
            if parameters.regime == "blow_off":
                cite("vogel_venugopalan2003")
            if co2:
                evidence = (
                    "not a computed temperature: surfaces of CO2 resurfacing scans were measured approaching "
                    "400 degC (Choi et al. 1999)"
                )
            else:
                at = "" if wavelength_m is None else f" at {wavelength_m * 1e9:.0f} nm"
                evidence = (
                    f"neither computed nor measured: no skin surface temperature measured{at} is in the reference "
                    "data (the ~400 degC of Choi et al. 1999 was measured on CO2 resurfacing scans)"
                )
            return (
                f"peak {held_K - CELSIUS_K:.0f} degC is {what} (tissue_phase_change.toml), a parameter of the ablation "
                f"model, {evidence}; compare devices by crater and damage depths, not by this peak"
                + ("" if ejected else "; at this setting no cell dried or charred enough to be ejected (no crater)")
            )
    return None


def _pyrolysis_note(heat, grid: RZGrid, parameters) -> str | None:
    """``pyrolysis_note`` for a non-removal run (``material_removal`` false: non-ablative lasers, and ablative
    wavelengths run with ``ablative = false`` when no ``ablative_note`` says it already) whose tissue passed the
    pyrolysis temperature of the phase-change data (dry tissue chars there; the ablation stage would remove it,
    Vogel & Venugopalan 2003); else None. Such a run neither chars nor removes tissue, so its temperatures above
    that point, and the damage read from them, are outside what the model represents."""
    if parameters.material_removal:
        return None
    peak_K = np.asarray(heat.peak_temperature_K, dtype=float)
    limit_K = float(parameters.pyrolysis_temperature_K)
    if not float(peak_K.max()) > limit_K:
        return None
    i, j = np.unravel_index(int(np.argmax(peak_K)), peak_K.shape)
    hot = peak_K > limit_K
    depth_um = float(grid.z_edges_m[int(np.flatnonzero(hot.any(axis=0)).max()) + 1]) * 1e6
    where = f"at {grid.z_centers_m[j] * 1e6:.0f} um depth, {grid.r_centers_m[i] * 1e6:.0f} um from the axis"
    return pyrolysis_note(float(peak_K.max()), limit_K, where, depth_um, "This non-ablative run")


def _boiled_peak_floor(summary: dict[str, Any], parameters, photons: int | None) -> str | None:
    """QA8 #2: in a run whose tissue water boiled, ``peak_temperature_C`` (pooled over the read-out regions of a
    Monte Carlo source) never reads below boiling. At few photons a read-out region spans much of the beam, so the
    pooled peak averages the boiled cells with cooler tissue (fraxel_1550 70 mJ at 2000 photons: 87.7 °C pooled,
    663 °C in the hottest cell, boiling true). There the key is set to the boiling temperature, the lower bound the
    boiling itself establishes, and the returned ``peak_temperature_note`` says so; else None (unchanged)."""
    boiling_C = float(parameters.boiling_temperature_K) - CELSIUS_K
    pooled_C = float(summary["peak_temperature_C"])
    if photons is None or not summary.get("boiling") or pooled_C >= boiling_C:
        return None
    summary["peak_temperature_C"] = boiling_C
    cell = summary.get("peak_cell_temperature_C")
    hottest = (
        "" if cell is None else f"; the hottest single cell reached {cell:.0f} degC, a value that moves with the seed"
    )
    return (
        f"tissue water boiled (a cell reached {boiling_C:.0f} degC{hottest}), but the peak pooled over the read-out "
        f"regions reads {pooled_C:.1f} degC at {photons} photons (each region averages over much of the beam): the "
        f"peak tissue temperature is given as {boiling_C:.0f} degC, the lower bound the boiling establishes; more "
        "photons narrow the read-out regions"
    )


def epidermal_zone_floor(
    summary: dict[str, Any], simulation, grid: RZGrid, rings, zone: np.ndarray, omega_K: Any, peak_K: Any, geometry
) -> None:
    """QA16 #1: a fractional run's epidermal verdict is never milder than the necrosis its micro-zone reports.

    ``zone`` is the necrosis map behind ``mtz_depth_um`` (per cell: Henriques Ω ≥ 1 in the living tissue, or
    ablated); ``omega_K``/``peak_K`` the per-cell Henriques Ω and peak temperature maps. The epidermal keys of
    ``summary`` are read over the Monte Carlo read-out regions (``rings``, each ≥ 1000 launched photons): at few
    photons the axis region spans the micro-beam and the cooler skin around it and averages the zone away
    (fraxel_1550 20 mJ, 2000 photons: one region 0-160 um around a 100 um beam, basal Ω 2e-6 "none" under a zone
    necrotic from the surface to 490 um; 20 000 photons: Ω 1.9e8 "necrosis"). Where the zone holds living epidermis,
    :func:`~laserskin.damage.injury.raise_to_zone` raises ``epidermal_omega``, ``epidermal_injury``,
    ``epidermal_necrosis_depth_um`` and ``pigment_risk`` to the zone's, and ``epidermal_readout_note`` says what the
    pooled read-out gave and why it could not resolve the zone. The one rule for the linear and the non-linear
    stage; a deterministic source (``rings`` None) is read per cell already and is left as it is."""
    from laserskin.damage.injury import raise_to_zone, zone_epidermal_necrosis

    if rings is None:
        return  # a deterministic source: the read-out is per cell already
    found = zone_epidermal_necrosis(
        zone,
        omega_K,
        peak_K,
        grid,
        junction_depth_m=geometry.junction_depth_m,
        viable_top_m=viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m),
    )
    if found is None:
        return
    pooled: dict[str, Any] = {
        "omega": float(summary["epidermal_omega"]),
        "grade": str(summary["epidermal_injury"]),
        "depth_um": float(summary.get("epidermal_necrosis_depth_um") or 0.0),
        "risk": str(summary["pigment_risk"]),
    }
    new = raise_to_zone(
        found,
        omega_basal=pooled["omega"],
        grade=pooled["grade"],
        necrosis_depth_m=pooled["depth_um"] * 1e-6,
        pigment_level=pooled["risk"],
        fitzpatrick=geometry.fitzpatrick,
    )
    if not new["raised"]:
        return
    summary.update(
        epidermal_omega=min(new["omega_basal"], 1e300),
        epidermal_injury=new["grade"],
        epidermal_necrosis_depth_um=new["necrosis_depth_m"] * 1e6,
        pigment_risk=new["pigment_level"],
    )
    epidermis_C = summary.get("peak_epidermis_temperature_C")
    # the zone's basal peak, at most the boiling point (the lower bound a boiled cell establishes, as
    # peak_temperature_C's; a single cell's peak above it moves with the seed)
    zone_C = min(found.peak_basal_temperature_K, WATER_BOILING_K) - CELSIUS_K
    if found.basal and epidermis_C is not None and epidermis_C < zone_C:
        summary["peak_epidermis_temperature_C"] = zone_C
    region = np.flatnonzero(np.asarray(rings) == np.asarray(rings)[0])
    radius_um = float(grid.r_edges_m[region.max() + 1]) * 1e6
    beam_um = float(simulation.laser.beam_diameter_m) * 1e6
    peak_text = (
        f", peak_epidermis_temperature_C {summary['peak_epidermis_temperature_C']:.1f} (the zone's basal cells, at most boiling)"
        if summary.get("peak_epidermis_temperature_C") != epidermis_C
        else ""
    )
    where = "down to the basal layer" if found.basal else f"down to {found.depth_m * 1e6:.0f} um, above the basal layer"
    summary["epidermal_readout_note"] = (
        f"the micro-zone is necrotic in the living epidermis {where} (the necrosis map of mtz_depth_um, read per "
        f'cell), so the epidermis is necrotic in the zone: epidermal_injury reads "{new["grade"]}" (basal Omega '
        f"{new['omega_basal']:.3g}), epidermal_necrosis_depth_um {new['necrosis_depth_m'] * 1e6:.1f}, pigment_risk "
        f'"{new["pigment_level"]}"{peak_text}. The basal read-out pooled over the Monte Carlo read-out regions gave Omega '
        f'{pooled["omega"]:.3g} ("{pooled["grade"]}", necrosis depth {pooled["depth_um"]:.1f} um, pigment risk '
        f'"{pooled["risk"]}"): at {simulation.settings.photons} photons its axis region spans {radius_um:.0f} um '
        f"around a {beam_um:.0f} um micro-beam and averages the zone with the cooler skin around it, so it does not "
        "resolve the zone (more photons narrow the regions)"
    )


def _crater_note(floor_m: float, geometry) -> str | None:
    """``crater_note`` of an ablation run whose crater (on the axis) passed the bottom of the dermis (QA16 #3), else
    None. Such a crater goes through the whole skin (stratum corneum to dermis) into the subcutis: a full-thickness
    wound, not resurfacing, and outside what the model represents: its removal rule (a cell leaves when its water has
    boiled off) is checked on water-rich skin, and in fat (15 % water, 80 % lipid, skin_anatomy.toml) it takes about
    a quarter of the dermis's energy per volume, so the crater deepens faster there than in the dermis
    (docs/tissue_physics.md, Known limits: Er:YAG 25 J/cm² x 14 pulses, 126 um per pulse in the dermis, ~300 um in
    fat). One of :data:`~laserskin.pipeline.summary.OUTSIDE_MODEL_NOTES`: ``within_model_validity`` false."""
    bottom_m = float(geometry.dermis_bottom_m)
    if not (math.isfinite(bottom_m) and floor_m > bottom_m):
        return None
    return (
        f"the crater is {floor_m * 1e6:.0f} um deep, past the bottom of the dermis at {bottom_m * 1e6:.0f} um (the "
        f"skin's thickness, stratum corneum to dermis): it goes through the whole skin into the subcutis, a "
        "full-thickness wound, not resurfacing. The model's removal rule (a cell leaves when its water has boiled "
        "off) is checked on water-rich skin; in the fat below (15 % water) it removes tissue faster per pulse than "
        "in the dermis, so the crater depth, the damage below it and the tightening are outside what the model "
        "represents"
    )


def needs_nonlinear(peak_temperature_K: Any, *, onset_K: float = WATER_BOILING_K) -> tuple[bool, str]:
    """Whether a linear result leaves the linear model's range, and why (for ``thermal_model_reason``).

    Parameters
    ----------
    peak_temperature_K : float or array_like
        Peak temperature(s) of the linear run, K (a field or its maximum).
    onset_K : float
        Onset of vaporisation (default the boiling point of water, 100 °C).
    """
    peak = float(np.nanmax(np.asarray(peak_temperature_K, dtype=float)))
    if not math.isfinite(peak):
        raise InputError("peak_temperature_K", peak, "finite temperatures in K")
    if peak >= onset_K:
        return True, (
            f"the linear response reaches {peak - CELSIUS_K:.0f} °C >= {onset_K - CELSIUS_K:.0f} °C "
            "(onset of vaporisation): tissue water boils, properties change"
        )
    # QA15 #9 (was "constant properties, the linear response is exact"): the check covers boiling, drying and
    # removal, not optics that change below the onset (coagulated dermis scattering more: not modelled,
    # docs/tissue_physics.md "Temperature dependence of scattering is not modelled")
    return False, (
        f"peak {peak - CELSIUS_K:.1f} °C below the onset of vaporisation ({onset_K - CELSIUS_K:.0f} °C): no tissue "
        "water boils, so none dries or is removed and the linear response stands; the check does not cover optics "
        f"changing below {onset_K - CELSIUS_K:.0f} °C (coagulated dermis scattering more is not modelled)"
    )


def apply_thermal_model_rule(
    simulation,
    linear_result: Result,
    source_per_J: np.ndarray,
    grid: RZGrid,
    transport_results: Any = (),
    *,
    epidermal_necrosis_depth_m: float | None = None,
    readout_omega_henriques: np.ndarray | None = None,
) -> Result:
    """The pipeline rule: keep the linear result where it is valid, else run the non-linear stage.

    Call it with the linear run's result and its Monte Carlo source (``Simulation.run`` for a
    non-ablative laser). The peak is read over the Monte Carlo read-out regions (rings merged from the axis
    until each holds :data:`~laserskin.damage.injury.READOUT_MIN_PHOTONS` launched photons, area-weighted;
    :meth:`Simulation.readout_rings`), so a single noisy axis cell does not switch the model.
    If the linear peak stays below the onset of vaporisation the linear
    result is returned with ``thermal_model = "linear"``, the reason (with the peak), and for
    fractional lasers the MTZ keys read from its own Ω maps (necrosis: Henriques Ω ≥ 1;
    coagulation: collagen Ω ≥ 1; widths in the dermis); ``crater_depth_um`` is 0.0 and
    ``residual_damage_depth_um`` is the Henriques Ω ≥ 1 contiguous with the intact surface
    (:func:`residual_damage_depth_m`, the same measure as below a crater floor, with the floor at 0; 0.0 under
    a spared surface) and ``coagulation_depth_um`` the deepest dermal collagen Ω ≥ 1 on the axis below it
    (0.0 when nothing reaches Ω = 1; collagen only in the dermis). Otherwise the non-linear stage runs on the
    same grid and source and its result is returned (``thermal_model = "nonlinear"``).
    ``epidermal_necrosis_depth_m``: the linear run's epidermal read-out (``outcome.injury.necrosis_depth_m``, from
    the pooled temperature) for ``epidermal_necrosis_depth_um``; ``None``: read per cell from the dataset.
    ``readout_omega_henriques``: the linear run's read-out map (``outcome.readout_omega_henriques``,
    :func:`~laserskin.damage.injury.readout_maps`) for ``residual_damage_depth_um`` (QA5 #18); ``None``: the
    dataset's per-cell map.
    """
    dataset = linear_result.dataset
    rings = simulation.readout_rings(grid)
    pooled_peak_K = pool_rings(np.nan_to_num(dataset["peak_temperature"].values, nan=0.0), grid, rings)
    need, reason = needs_nonlinear(pooled_peak_K)
    if need:
        result = run_nonlinear(
            simulation, reason=reason, source_per_J=source_per_J, grid=grid, transport_results=transport_results
        )
        return result
    summary = linear_result.summary
    geometry = simulation.geometry()
    henriques = np.nan_to_num(dataset["omega_henriques"].values, nan=0.0)
    collagen = np.nan_to_num(dataset["omega_collagen"].values, nan=0.0)
    # no crater: the crater depth is 0 and the damage depths are measured from the surface (on the
    # axis, the same measure as below a crater floor), so every result carries numbers, not null
    if epidermal_necrosis_depth_m is None:
        epidermal_necrosis_depth_m = epidermal_necrosis(
            henriques,
            grid,
            junction_depth_m=geometry.junction_depth_m,
            viable_top_m=viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m),
        ).depth_m
    residual_um = summary.get("residual_damage_depth_um")  # the linear read-out, beyond its Monte Carlo error
    if residual_um is None:
        readout = henriques if readout_omega_henriques is None else np.nan_to_num(readout_omega_henriques, nan=0.0)
        residual_um = _depth_from_surface_m(readout, grid) * 1e6
    # the pooled peak, the crater depths, the coagulation depth and a fractional laser's MTZ keys: the function of
    # simulate's linear summary and the planner's (summary.surface_readout), on the dataset's maps
    maps = SimpleNamespace(
        peak_temperature_K=dataset["peak_temperature"].values, omega={"henriques": henriques, "collagen": collagen}
    )
    summary.update(
        thermal_model="linear",
        thermal_model_reason=reason,
        epidermal_necrosis_depth_um=epidermal_necrosis_depth_m * 1e6,
        residual_damage_depth_um=residual_um,
        **surface_readout(simulation, SimpleNamespace(grid=grid, geometry=geometry, readout_rings=rings), maps),
    )
    if simulation.laser.is_fractional:  # the zone of mtz_depth_um (surface_readout's map) floors the verdict
        living = grid.z_centers_m >= viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m)
        zone = (henriques >= 1.0) & living[None, :]
        epidermal_zone_floor(summary, simulation, grid, rings, zone, henriques, maps.peak_temperature_K, geometry)
    import json

    dataset.attrs["summary"] = json.dumps(summary)
    return linear_result


def run_ablative(simulation) -> Result:
    """Non-linear stage for an ablative laser (Beer–Lambert source from the moving crater floor)."""
    return run_nonlinear(
        simulation,
        reason="ablative laser: tissue is vaporised and removed (non-linear by nature)",
    )


def run_nonlinear(
    simulation,
    *,
    reason: str,
    source_per_J: np.ndarray | None = None,
    grid: RZGrid | None = None,
    transport_results: Any = (),
) -> Result:
    """Run the non-linear heat model for one simulation and read out the tissue response.

    Parameters
    ----------
    simulation : laserskin.pipeline.simulation.Simulation
        Person, laser, cooling, protocol, settings (uses ``skin()``, ``geometry()``,
        ``pulse_schedule()``, ``pulse_energy_J()``, ``provenance()``).
    reason : str
        Why the non-linear model runs (reported as ``thermal_model_reason``).
    source_per_J : ndarray (nr, nz), optional
        Absorbed energy density per joule of pulse energy (the linear run's Monte Carlo tally,
        1/m³) on ``grid``. ``None``: Beer–Lambert from the crater floor on a grid built here —
        only for wavelengths with μa ≫ μs' (else InputError).
    grid : RZGrid, optional
        The grid of ``source_per_J`` (required with it).
    transport_results : sequence, optional
        Passed through to the :class:`Result`.

    Returns
    -------
    Result
        ``summary`` with ``thermal_model = "nonlinear"``, ``thermal_model_reason``,
        ``peak_temperature_C``, ``crater_depth_um``, ``residual_damage_depth_um`` (below the floor
        on the axis), ``residual_damage_wall_um`` (normal to the crater wall at half depth; focused
        Gaussian spots only, else None), ``coagulation_depth_um``, ``immediate_tightening_percent`` and for fractional lasers
        ``mtz_depth_um``, ``mtz_width_um``, ``mtz_coagulation_depth_um``,
        ``mtz_coagulation_width_um``, ``mtz_area_fraction`` (see the module docstring), plus
        the keys of the linear summary where they apply.
    """
    from laserskin.damage import ablation
    from laserskin.damage.arrhenius import ArrheniusIntegrator
    from laserskin.damage.collagen import (
        collagen_response,
        omega_depth_range,
        readout_radius_m,
        skin_tightening_percent,
    )
    from laserskin.damage.injury import epidermal_injury, pigment_risk, viable_epidermis_top_m
    from laserskin.damage.pain import NociceptorFieldObserver
    from laserskin.thermal import ThermalMedium
    from laserskin.thermal.enthalpy import (
        BeerLambertSource,
        FixedSource,
        OutsideModelError,
        phase_change_data,
        phase_change_parameters,
        solve_enthalpy,
    )
    from laserskin.thermal.schedule import Schedule

    cite("vogel_venugopalan2003", "walsh_flotte_deutsch1989", "kaufmann_hibst1996", "walsh_deutsch1988")
    laser = simulation.laser
    geometry = simulation.geometry()
    skin = simulation.skin()
    layers = list(skin.layers)
    bottoms = np.asarray(geometry.layer_bottoms_m, dtype=float)
    wavelength = float(laser.centroid_wavelength_m)
    starts, ends, power_W = simulation.pulse_schedule()
    energy_J = float(simulation.pulse_energy_J())
    fractional = bool(laser.is_fractional)

    source: BeerLambertSource | FixedSource
    if source_per_J is None:
        tissue = simulation.optical_stack(wavelength)  # the person's optics, or explicit layers
        mua_layers = np.array([layer.mua_per_m for layer in tissue.layers])
        if not _beer_lambert_applies(tissue):
            raise InputError(
                "laser.wavelength",
                f"{wavelength * 1e9:g} nm",
                "an ablative wavelength with mu_a >> mu_s' (Er:YAG 2940 nm, CO2 10600 nm), "
                "or a Monte Carlo source_per_J for the non-linear stage",
            )
        grid, beam_fraction, peak_fluence = _beer_lambert_grid(laser, bottoms, mua_layers, energy_J, len(starts))
        area_scale = 1.0  # rings over the whole beam (micro-beams, focused spots): the grid is the spot
        if not fractional and grid.nr == 1:
            # a wide spot is one column at the peak fluence: volumes and masses of the spot are the
            # column's × (spot's equivalent area E / F_peak) / (column area)
            area_scale = energy_J / peak_fluence / (math.pi * grid.r_max_m**2)
        mua_cells = mua_layers[grid.layer_index(bottoms)]
        spread = phase_change_data()["ablation"]["fractional_wall_spread_rad"] if fractional else 0.0
        w_beam = float(laser.fractional.microbeam_diameter_m) / 2.0 if fractional else None
        # the crater wall is wet tissue: water's index refracts the grazing wall light (thermal.enthalpy)
        wall_index = float(n_water(wavelength)) if fractional else 1.0
        source = BeerLambertSource(
            mua_cells, beam_fraction, wall_spread_rad=spread, beam_radius_m=w_beam, wall_refractive_index=wall_index
        )
    else:
        if grid is None:
            raise InputError("grid", None, "the RZGrid of source_per_J")
        source = FixedSource(source_per_J)
        peak_fluence = float(laser.peak_fluence_J_per_m2)
    if peak_fluence > max_peak_fluence_J_per_m2(laser):  # Simulation() refuses it first; direct callers here
        raise peak_fluence_refusal(laser, peak_fluence)

    if source_per_J is not None:
        area_scale = 1.0  # the transport grid spans the spot
    index = grid.layer_index(bottoms)
    medium = ThermalMedium.from_layers(
        grid,
        bottoms,
        [layer.k_W_per_mK for layer in layers],
        [layer.density_kg_per_m3 for layer in layers],
        [layer.specific_heat_J_per_kgK for layer in layers],
        [layer.perfusion_per_s for layer in layers],
    )
    water = np.array([layer.water_fraction * 1000.0 for layer in layers])[index]
    water_share = _water_share_per_layer(simulation, layers, wavelength, source_per_J is None)[index]
    durations = ends - starts
    # a non-ablative laser leaves the stratum corneum intact (Manstein et al. 2004): its tissue
    # boils and dries in place, nothing is ejected by its vapour (no crater)
    parameters = phase_change_parameters(wavelength, float(durations.min()), material_removal=bool(laser.ablative))
    _refuse_pulses_that_cannot_fit(simulation, grid, parameters, len(starts))  # before the solve (QA9 #7b)
    steps_per_pulse = 20
    laser_starts, laser_durations, laser_power = starts, durations, power_W
    if source_per_J is None:
        laser_starts, laser_durations, laser_power, spiking = _normal_spiking(wavelength, starts, durations, power_W)
        if spiking:
            steps_per_pulse = 10
    # a non-ablative micro-beam dries its own column during the pulse: the column's optics (less absorption, less
    # scattering, higher index) are re-run in the voxel transport before every later sub-pulse
    dried_optics = None
    if source_per_J is not None and fractional and not laser.ablative and len(simulation._stacks()) == 1:
        dried_optics = dehydration_optics_spec(wavelength)
    if dried_optics is not None:
        n_sub = int(dried_optics["sub_pulses"])
        laser_starts, laser_durations, laser_power = _sub_pulses(starts, durations, power_W, n_sub)
        steps_per_pulse = max(4, int(math.ceil(steps_per_pulse / n_sub)))  # about as many steps per pulse as before
    power = Schedule.pulse_train(laser_starts, laser_durations, laser_power)
    t_end = float(ends.max()) + simulation.settings.relaxation_s
    surface = simulation.cooling.surface_boundary(starts, ends, t_end)
    integrator = ArrheniusIntegrator(grid, NONLINEAR_DAMAGE_SETS)
    # the epidermal and dermal read-outs of a Monte Carlo source: Henriques Ω of the rows above the dermis bottom
    # from the temperature pooled over the read-out regions (laserskin.damage.injury.readout_maps, step by step);
    # per cell for Beer–Lambert
    rings = simulation.readout_rings(grid) if source_per_J is not None else None
    readout_rows = grid.z_centers_m < geometry.dermis_bottom_m
    readout = (
        None
        if rings is None
        else ArrheniusIntegrator(
            grid, {"henriques": NONLINEAR_DAMAGE_SETS["henriques"]}, regions={"henriques": readout_rows}
        )
    )
    readout_observers = [] if readout is None else [PooledObserver(readout, grid, rings)]
    # pain: nociceptor dose averaged over the nerve band and the treated area (one zone's skin area
    # for fractional lasers); the axis trace at nociceptor_depth is kept for the dataset
    probe = NociceptorFieldObserver(
        grid,
        treated_radius_m=grid.r_max_m,
        cell_area_m2=1.0 / float(laser.mtz_per_m2) if fractional else None,
    )
    # a Monte Carlo source is re-run at every later pulse on the optics the tissue has then
    # (laterally uniform flat-top spots only: the r–z transport takes a layered medium)
    source_update = None
    if source_per_J is not None and not fractional and laser.profile == "flat_top" and len(starts) > 1:
        source_update = _layered_transport_update(simulation, grid, water, parameters, water_share)
    if dried_optics is not None:
        source_update = _dried_column_update(
            simulation, grid, water, parameters, source_per_J, dried_optics, water_share
        )
    try:
        heat = solve_enthalpy(
            medium,
            water,
            source,
            power,
            surface,
            t_end,
            parameters=parameters,
            observers=[integrator, probe, *readout_observers],
            max_step_s=simulation.settings.max_step_s,
            steps_per_pulse=steps_per_pulse,
            source_update=source_update,
            progress=simulation.progress,
            max_temperature_K=MAX_TISSUE_TEMPERATURE_K,
            water_absorption_share=water_share,
        )
    except OutsideModelError as outside:
        # the refusal names a value of the field: the energy the run had delivered when the tissue reached the ceiling
        outside.setting_limit = _setting_limit(laser, outside, laser_starts, laser_durations, laser_power)
        raise
    removed = heat.removed
    floor_m = float(heat.crater_depth_m[0])
    if np.any(heat.crater_depth_m >= _deepest_floor_m(grid)):
        raise _too_deep_refusal(simulation, grid, heat.crater_depth_after_pulse_m, len(starts))
    omega = {key: np.where(removed, np.nan, integrator.omega(key)) for key in NONLINEAR_DAMAGE_SETS}
    # one basis for every peak key: the tissue remaining plus the tissue at the moment it was
    # removed (its temperature when it left: T_b, the pyrolysis temperature or the spinodal)
    peak_K = heat.peak_temperature_K
    floors_after_pulse = heat.crater_depth_after_pulse_m[:, 0]
    spikes_per_pulse = len(laser_starts) // max(len(starts), 1)
    if spikes_per_pulse > 1 and floors_after_pulse.size == len(laser_starts):
        floors_after_pulse = floors_after_pulse[spikes_per_pulse - 1 :: spikes_per_pulse]
    per_pulse = np.diff(np.concatenate([[0.0], floors_after_pulse])) if floors_after_pulse.size else np.zeros(1)

    # the Henriques read-out map: the rows of the pooled read-out where there is one (``readout`` above)
    readout_omega, readout_peak_K = integrator.omega("henriques"), heat.peak_temperature_K
    if readout is not None:
        readout_omega = np.where(readout_rows[None, :], readout.omega("henriques"), readout_omega)
        readout_peak_K = np.where(readout_rows[None, :], readout.peak_temperature_K, readout_peak_K)
    # residual thermal necrosis and collagen coagulation below the final floor (on the axis)
    residual_m = residual_damage_depth_m(np.where(removed, np.nan, readout_omega), grid, floor_m)
    # and in the crater wall at half the depth (rings fine enough: focused spots)
    wall_m = (
        ablation.wall_damage_thickness(omega["henriques"], removed, grid, heat.crater_depth_m)
        if grid.nr > 1 and grid.dr_m <= FOCUSED_RING_M * (1 + 1e-9)
        else None
    )
    z = grid.z_centers_m
    dermis = (z > geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    # collagen is dermal: only dermal cells count, so a floor inside the epidermis with no dermal
    # collagen at Ω ≥ 1 gives 0 (not the depth of the epidermal cells the collagen set integrates)
    coagulation_m = dermal_depth_below_m(omega["collagen"], grid, floor_m, dermis)
    collagen_omega = np.where(removed, 0.0, integrator.omega("collagen"))
    # the linear stage's rule (QA13 #9: the whole grid, r_max, read a quarter of its contraction at the switch; for
    # a fractional zone it added the 37 degC background of the rings beyond the beam, 0.1-0.23 % of the zone's)
    spot_radius = readout_radius_m(grid, simulation.beam().outer_radius_m)
    collagen = collagen_response(
        collagen_omega,
        grid,
        dermis_top_m=geometry.junction_depth_m,
        dermis_bottom_m=geometry.dermis_bottom_m,
        spot_radius_m=spot_radius,
        removed=removed,
    )
    tightening = skin_tightening_percent(
        float(collagen.tightening_percent), grid, spot_radius, float(laser.mtz_per_m2) if fractional else None
    )

    # epidermal injury: the linear path's read-out (worst basal cell over all columns, necrotic living
    # epidermis above it: "superficial necrosis") if the basal layer survives, else the epidermis is gone
    basal_cells = np.flatnonzero(z < geometry.junction_depth_m)
    basal = int(basal_cells[-1]) if basal_cells.size else 0
    viable_top = viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m)
    if not removed[:, basal].any():
        injury = epidermal_injury(
            np.minimum(np.where(removed, 0.0, readout_omega), 1e300),  # Ω of dry tissue: finite
            readout_peak_K,
            grid,
            junction_depth_m=geometry.junction_depth_m,
            fitzpatrick=geometry.fitzpatrick,
            viable_top_m=viable_top,
            removed=removed,
        )
        epidermal_omega, grade, risk = injury.omega_basal, injury.grade, injury.pigment_risk
        necrosis_depth_m = injury.necrosis_depth_m
    else:  # the epidermis was ablated: its Ω is at least that of the crater floor
        floor_cell = int(min(np.searchsorted(grid.z_edges_m, floor_m, side="right") - 1, grid.nz - 1))
        epidermal_omega = max(float(np.nan_to_num(integrator.omega("henriques")[0, floor_cell])), 1.0)
        basal_peak = float(parameters.boiling_temperature_K)
        grade = "necrosis"
        risk = pigment_risk(geometry.fitzpatrick, min(epidermal_omega, 1e300), basal_peak)
        necrosis_depth_m = float(geometry.junction_depth_m)  # full thickness
    pain = probe.result(simulation.protocol.anesthetic)
    depth = omega_depth_range(np.where(dermis[None, :], omega["collagen"], np.nan), grid, 1.0, column=0)
    # band and volume below the floor; the share and the grade count the dermis the crater removed as lost
    # (QA15 #8: a crater through 65 % of the dermis with a 44 um band under it read "partial", 0.055 = the band
    # over the dermis left, not over the dermis)
    injured = dermal_injury(
        np.nan_to_num(omega["henriques"], nan=0.0),
        grid,
        dermis_top_m=geometry.junction_depth_m,
        dermis_bottom_m=geometry.dermis_bottom_m,
        readout_omega=np.nan_to_num(np.where(removed, np.nan, readout_omega), nan=0.0),  # the depth (QA5 #18)
        crater_floor_m=floor_m,
    )
    epidermis = z < geometry.junction_depth_m
    pooled_peak_K = pool_rings(peak_K, grid, rings)
    summary: dict[str, Any] = {
        "thermal_model": "nonlinear",
        "thermal_model_reason": reason,
        # a Monte Carlo source's peaks pooled over the read-out regions, as the switch read them (QA5 #1)
        "peak_temperature_C": float(pooled_peak_K.max() - CELSIUS_K),
        "peak_cell_temperature_C": float(peak_K.max() - CELSIUS_K) if rings is not None else None,
        "peak_epidermis_temperature_C": float(np.asarray(readout_peak_K)[:, epidermis].max() - CELSIUS_K),
        "peak_dermis_temperature_C": float(pooled_peak_K[:, dermis].max() - CELSIUS_K) if dermis.any() else None,
        "crater_depth_um": floor_m * 1e6,
        "crater_depth_per_pulse_um": float(per_pulse[0] * 1e6) if per_pulse.size else 0.0,
        "crater_depth_per_pass_um": _per_pass_um(floors_after_pulse, simulation),
        "residual_damage_depth_um": residual_m * 1e6,
        "residual_damage_wall_um": None if wall_m is None else wall_m * 1e6,
        "coagulation_depth_um": coagulation_m * 1e6,
        "immediate_tightening_percent": tightening,
        "denaturation_depth_um": pair(None if depth is None else [d * 1e6 for d in depth]),
        "denatured_volume_mm3": float(collagen.denatured_volume_mm3) * area_scale,
        "dermal_injury_depth_um": pair(injured.depth_range_um),
        "dermal_injury_possible_depth_um": pair(injured.possible_range_um),  # no error estimate: the band (QA6 #11)
        "dermal_injury_mc_relative_error": None,
        "dermal_injury_volume_mm3": injured.volume_mm3 * area_scale,
        "dermal_injury_fraction": injured.dermis_fraction,  # removed by the crater + the band, over the dermis
        "dermal_injury": injured.grade,
        "epidermal_omega": min(epidermal_omega, 1e300),
        "epidermal_injury": grade,
        "epidermal_necrosis_depth_um": necrosis_depth_m * 1e6,
        "pigment_risk": risk.level,
        "pain_index": float(pain.index_without_anesthetic),
        "pain_index_with_anesthetic": float(pain.index_with_anesthetic),
        "anesthetic": simulation.protocol.anesthetic,
        "boiling": bool(heat.onset_reached),
        "vaporised_water_mg": float((heat.vaporised_water_kg_per_m3 * grid.cell_volume_m3).sum() * 1e6) * area_scale,
        **laser_keys(simulation),
        "photons": simulation.settings.photons if source_per_J is not None else 0,
        "seed": simulation.settings.seed,
        "heat_steps": int(heat.n_steps),
        "heat_factorizations": int(heat.n_factorizations),
        "energy_balance_residual_J": float(heat.energy.residual_J) * area_scale,
        "energy_balance_relative_residual": float(heat.energy.residual_J / max(heat.energy.deposited_J, 1e-300)),
        "ablation_regime": parameters.regime if parameters.material_removal else "none (intact surface)",
        "mtz_depth_um": None,
        "mtz_width_um": None,
        "mtz_coagulation_depth_um": None,
        "mtz_coagulation_width_um": None,
        "mtz_area_fraction": None,
    }
    if fractional:
        cite("hantash2007_invivo", "hantash2007_exvivo", "marqa_mordon2014")
        # the necrosis zone: the ablated channel and the living tissue at Henriques Ω ≥ 1 (the stratum corneum's
        # dead keratin only where ablated); the coagulated-collagen column: the channel and dermal collagen at
        # Ω ≥ 1 (the epidermis has none); the crater: the channel. All read by the one MTZ rule, dermal first
        # (summary.mtz_zone_extent: widths in the dermis, a zone confined to the epidermis over its own cells)
        living = z >= viable_top
        necrosis = removed | ((np.nan_to_num(integrator.omega("henriques")) >= 1.0) & living[None, :])
        coagulated = removed | ((np.nan_to_num(integrator.omega("collagen")) >= 1.0) & dermis[None, :])
        in_dermis = (z > geometry.junction_depth_m)[None, :]
        summary.update(
            rz_mtz_keys(necrosis, coagulated, grid, geometry.junction_depth_m, float(laser.mtz_per_m2)),
            mtz_ablation_depth_um=floor_m * 1e6,
            mtz_ablation_width_um=zone_size_m(removed, grid, in_dermis)[1] * 1e6,
        )
        # the epidermal verdict is at least the zone's (QA16 #1: pooled over a region wider than the zone it read "none")
        epidermal_zone_floor(
            summary, simulation, grid, rings, necrosis, integrator.omega("henriques"), heat.peak_temperature_K, geometry
        )
    held = (
        _removal_peak_note(float(pooled_peak_K.max()), parameters, wavelength, ejected=bool(removed.any()))
        if parameters.material_removal
        else None
    )
    held = _boiled_peak_floor(summary, parameters, simulation.settings.photons if rings is not None else None) or held
    if held is not None:
        summary["peak_temperature_note"] = held
    note = _vaporised_tissue_note(simulation, heat, water, parameters)
    if note is not None:  # an explicit ablative = false that vaporises tissue is said, never silent
        summary["ablative_note"] = note
        warnings.warn(note, AblativeSettingWarning, stacklevel=3)
    else:  # any other non-removal run past the pyrolysis temperature is said too (one note a run)
        note = _pyrolysis_note(heat, grid, parameters)
        if note is not None:
            summary["pyrolysis_note"] = note
            if not inside_progress_scope():  # drivers of many runs (the planner) keep it in the summary
                warnings.warn(note, PyrolysisWarning, stacklevel=3)
    crater = _crater_note(floor_m, geometry) if parameters.material_removal else None
    if crater is not None:  # QA16 #3: a crater through the whole skin is a full-thickness wound, outside the model
        summary["crater_note"] = crater
    summary.update(model_validity(summary))  # QA8 #2: the notes above, machine-readable
    summary["contraction_note"] = run_contraction_note(  # against the range of this laser (QA15 #2b)
        simulation, summary.get("immediate_tightening_percent"), summary.get("coagulation_depth_um")
    )
    # the typed, stable keys (SimulationSummary) first; the non-linear diagnostics after them
    typed = set(SimulationSummary.model_fields)
    extras = {key: value for key, value in summary.items() if key not in typed}
    summary = SimulationSummary(
        **{key: value for key, value in summary.items() if key in typed}, cooling_kind=simulation.cooling.kind
    ).to_dict()
    summary.update(extras)
    dataset = _dataset(simulation, grid, heat, omega, collagen, probe, summary)
    return Result(
        summary=summary,
        dataset=dataset,
        grid=grid,
        layer_names=list(geometry.layer_names),
        layer_bottoms_m=bottoms,
        transport=list(transport_results),
    )


#: Absorption factors are binned to this step when the optical stack is re-layered for a re-run.
_RELAYER_STEP = 0.02


def relayered_stack(stack, grid: RZGrid, factor_on_axis: np.ndarray, step: float = _RELAYER_STEP):
    """``stack`` split into sublayers along the grid where μa changed: μa × the absorption factor.

    ``factor_on_axis`` (nz,) is the absorption factor of each grid cell on the axis (1 = fresh
    tissue); factors are binned to ``step`` and consecutive cells of one layer with the same bin
    form one sublayer. The medium is taken as laterally uniform (the layered transport cannot
    hold anything else). Returns ``(new_stack, factor_used)`` with the binned factor per cell.
    """
    from laserskin.optics.layers import LayerStack

    factor = np.maximum(np.round(np.asarray(factor_on_axis, dtype=float) / step) * step, step)
    z_top, z_bot = grid.z_edges_m[:-1], grid.z_edges_m[1:]
    layers, used = [], np.ones(grid.nz)
    top = 0.0
    for layer in stack.layers:
        bottom = top + layer.thickness_m
        inside = np.flatnonzero((z_top >= top - 1e-15) & (z_bot <= bottom + 1e-12))
        pieces: list[list[float]] = []  # [thickness, factor]
        for j in inside:
            f = float(factor[j])
            used[j] = f
            dz = float(z_bot[j] - z_top[j])
            if pieces and pieces[-1][1] == f:
                pieces[-1][0] += dz
            else:
                pieces.append([dz, f])
        top_of_next = bottom
        if all(f == 1.0 for _, f in pieces):
            layers.append(layer)
            top = top_of_next
            continue
        rest = layer.thickness_m - sum(t for t, _ in pieces)
        if math.isinf(rest) or rest > 1e-9:
            pieces.append([rest, 1.0])  # below the grid or between cells: unchanged
        else:
            pieces[-1][0] += rest  # round-off: the sublayers add up to the layer exactly
        for k, (thickness, f) in enumerate(pieces):
            layers.append(
                layer.model_copy(
                    update={
                        "name": layer.name if len(pieces) == 1 else f"{layer.name}[{k}]",
                        "mua_per_m": layer.mua_per_m * f,
                        "thickness_m": thickness,
                    }
                )
            )
        top = bottom
    return LayerStack(layers=tuple(layers), n_above=stack.n_above, n_below=stack.n_below), used


def _water_share_per_layer(simulation, layers, wavelength_m: float, beer_lambert: bool) -> np.ndarray:
    """The water's share of each layer's fresh absorption (:func:`laserskin.optics.chromophores.water_absorption_share`)
    in the light the source is built from: the optics at ``wavelength_m`` for the Beer–Lambert source, else the
    transport's stacks (one per wavelength of the laser, weighted as the source is). Drying removes this share only
    (:func:`laserskin.thermal.enthalpy.tissue_absorption_factor`)."""
    from laserskin.optics.chromophores import water_absorption_share

    fraction = np.array([layer.water_fraction for layer in layers])
    stacks = [(1.0, simulation.optical_stack(wavelength_m))] if beer_lambert else simulation._stacks()
    wavelengths = [wl for wl, _ in simulation.laser.wavelength_weights()] if len(stacks) > 1 else [wavelength_m]
    mua = np.array([[layer.mua_per_m for layer in stack.layers] for _, stack in stacks])
    return water_absorption_share(fraction, mua if len(stacks) > 1 else mua[0], wavelengths, [w for w, _ in stacks])


def _layered_transport_update(simulation, grid: RZGrid, water0: np.ndarray, parameters, water_share=1.0):
    """``source_update`` for :func:`solve_enthalpy`: re-run the Monte Carlo when μa changed by a bin or more."""
    from laserskin.pipeline import stages
    from laserskin.thermal.enthalpy import FixedSource, tissue_absorption_factor

    def update(pulse_index: int, state):
        if state.removed.any():
            return None  # a crater is not a layered medium
        factor = tissue_absorption_factor(
            state.water_kg_per_m3, water0, state.temperature_K, parameters, np.broadcast_to(water_share, water0.shape)
        )[0]
        if np.all(np.abs(factor - 1.0) < 0.5 * _RELAYER_STEP):
            return None
        stacks, used = [], None
        for weight, stack in simulation._stacks():
            new, used = relayered_stack(stack, grid, factor)
            stacks.append((weight, new))
        assert used is not None  # simulation._stacks(): one stack per wavelength of the laser, at least one
        _, source = stages.transport(
            stacks, grid, simulation.beam(), simulation.settings, progress=None, cache_dir=simulation.cache_dir
        )
        return FixedSource(source, reference_factor=np.broadcast_to(used, (grid.nr, grid.nz)))

    return update


def _setting_limit(laser, outside, starts, durations, power_W) -> tuple[str, float] | None:
    """The refused field's value at which the refused run still kept the tissue below the ceiling, and the
    share of the energy delivered then: ``("7.92 mJ or less", 0.0079)``.

    The solver stops when the hottest live cell passes the ceiling (``outside.crossing_time_s``, interpolated in
    the step). The share of the pulse train's energy delivered by then, times the refused pulse energy (or
    fluence), is an allowed value at or below the limit, measured without another run: the same energy spread
    over the whole pulse (train) has more time to diffuse, so it heats less. It is conservative, more so the
    farther the refused setting lies from the limit (checked: 1450 nm 6 mm 200 ms, 1000 J/cm² → 131 J/cm², which
    peaks at 147 °C; 300 → 195 J/cm², 707 °C; 1550 nm 100 µm micro-beam 3 ms, 1 J → 7.92 mJ, 100 °C; 200 → 78.9
    mJ, 799 °C). Rounded down to 3 digits. None when it is not known (no crossing time, or passed in the
    first step)."""
    t = getattr(outside, "crossing_time_s", None)
    starts, durations, power_W = (np.asarray(a, dtype=float) for a in (starts, durations, power_W))
    total = float(np.sum(power_W * durations))
    if t is None or not math.isfinite(t) or total <= 0:
        return None
    share = float(np.sum(power_W * np.clip(t - starts, 0.0, durations))) / total
    if not 0.0 < share < 1.0:
        return None

    def down(x: float) -> str:  # 3 significant digits, never rounded up past the measured value
        step = 10.0 ** (math.floor(math.log10(x)) - 2)
        return f"{math.floor(x / step * (1 + 1e-12)) * step:.3g}"

    if laser.is_fractional:  # the fields refused_setting names
        value = f"{down(laser.microbeam_energy_J * share * 1e3)} mJ"
    else:
        value = f"{down(laser.fluence_J_per_m2 * share * 1e-4)} J/cm^2"
    return f"{value}{' per pulse' if laser.pulses > 1 else ''} or less", share


#: Er:YAG band of the up-front pulse-count check (the 3 um water band of tissue_phase_change.toml).
ER_YAG_BAND_M = (2.7e-6, 3.1e-6)
#: The tops of the published ranges of the Er:YAG skin ablation threshold (R: 1-1.7 J/cm², Walsh & Deutsch 1989,
#: Hohenleutner et al. 1997) and of the heat of ablation of soft tissue (R: 2.5-3 kJ/cm³ for pulsed CO2, Walsh & Deutsch
#: 1988; Er:YAG 540 ug/J ~ 1.85 kJ/g, Walsh & Deutsch 1989): ``[er_yag_2940_bound]`` of data/parameters/ablation.toml,
#: read as every laser/tissue pair of that file (laserskin.damage.ablation), so the depth per pulse of the bound is
#: the steady-state law of the model with them.
ER_YAG_BOUND = get_laser("er_yag_2940_bound")
#: Top of the published Er:YAG skin ablation threshold, J/m² (1.7 J/cm², ``ER_YAG_BOUND``).
ER_YAG_THRESHOLD_MAX_J_PER_M2 = float(ER_YAG_BOUND.threshold_fluence_J_per_m2)
#: Top of the published heat of ablation of soft tissue, J/m³ (3 kJ/cm³, ``ER_YAG_BOUND``).
HEAT_OF_ABLATION_MAX_J_PER_M3 = float(ER_YAG_BOUND.heat_of_ablation_J_per_m3)
#: The up-front check covers pulses up to this long (the range checked against the model: 0.1-10 ms, model depth per
#: pulse 1.7-4.5x the bound) and fluences of at least this multiple of the threshold's top (near the threshold the
#: ablation of long pulses is not bounded by the steady-state law).
ER_YAG_CHECK_MAX_PULSE_S = 10e-3
ER_YAG_CHECK_MIN_FLUENCE_RATIO = 2.0


def _count_field(simulation, allowed_total: int) -> tuple[str, str, str]:
    """The count setting a too-deep refusal names (QA9 #7b), the value typed and the allowed count, worded:
    ``laser.pulses`` for one pass, ``protocol.passes`` for single pulses, else ``laser.pulses`` with the passes
    (the total is their product)."""
    pulses = int(simulation.laser.pulses)
    passes = int(getattr(simulation.protocol, "passes", 1) or 1)
    if passes == 1:
        return "laser.pulses", str(pulses), f"at most {allowed_total} pulses"
    if pulses == 1:
        return "protocol.passes", str(passes), f"at most {allowed_total} passes"
    whole = allowed_total // pulses
    passes_hint = f"; {whole} pass{'es' if whole > 1 else ''} of {pulses} pulses" if whole >= 1 else ""
    return (
        "laser.pulses",
        f"{pulses} (x {passes} passes)",
        f"at most {allowed_total} pulses in all (laser.pulses x protocol.passes{passes_hint})",
    )


def _refuse_pulses_that_cannot_fit(simulation, grid: RZGrid, parameters, n_pulses: int) -> None:
    """Refuse, before the solve, an Er:YAG pulse count whose crater provably passes the bottom of the grid (QA9
    #7b: 60 pulses of 10 J/cm² were refused after 28 s, 10 000 pulses ran for minutes). Each steady-state pulse of
    fluence F removes at least d = (F - F_th,max) / h_abl,max (the steady-state ablation law, Walsh & Deutsch 1989;
    Vogel & Venugopalan 2003 §VII.A, with the tops of the published threshold and heat of ablation), so more than
    (z_max - 2 dz) / d pulses cannot fit. Only where that bound holds for the model: a person's skin, full-field
    Er:YAG, steady-state regime, pulses up to 10 ms, F >= 2 F_th,max (model depths per pulse 1.7-4.5x the bound: 10 J/cm² 250 us 50 um
    vs 27.7 um, 3.4 J/cm² 10 ms 15.2 vs 5.7 um, 2 J/cm² x 30 pulses 9.8 vs 1.0 um per pulse). The mean fluence
    is used (the axis of a Gaussian spot gets more), so the check never refuses a setting that fits."""
    laser = simulation.laser
    wavelength = float(laser.centroid_wavelength_m)
    fluence = float(laser.fluence_J_per_m2)
    if (
        not parameters.material_removal
        or parameters.regime != "steady_state"
        or laser.is_fractional
        or getattr(simulation, "explicit", False)  # a person's skin only: explicit layers may hold little water
        or not ER_YAG_BAND_M[0] <= wavelength <= ER_YAG_BAND_M[1]
        or float(laser.pulse_duration_s) > ER_YAG_CHECK_MAX_PULSE_S
        or fluence < ER_YAG_CHECK_MIN_FLUENCE_RATIO * ER_YAG_THRESHOLD_MAX_J_PER_M2
    ):
        return
    per_pulse_m = (fluence - ER_YAG_THRESHOLD_MAX_J_PER_M2) / HEAT_OF_ABLATION_MAX_J_PER_M3
    limit_m = _deepest_floor_m(grid)
    most = int(math.floor(limit_m / per_pulse_m))
    if n_pulses <= most:
        return
    cite("walsh_deutsch1989_eryag_rates", "walsh_deutsch1988", "vogel_venugopalan2003")
    field, typed, allowed = _count_field(simulation, most)
    raise InputError(
        field,
        typed,
        f"{allowed} at {refused_setting(laser)[1]}: each pulse removes at least {per_pulse_m * 1e6:.1f} um (the "
        f"steady-state ablation law (F - F_th)/h_abl with the tops of the published ranges, F_th "
        f"{ER_YAG_THRESHOLD_MAX_J_PER_M2 * 1e-4:g} J/cm^2, h_abl {HEAT_OF_ABLATION_MAX_J_PER_M3 * 1e-9:g} kJ/cm^3), so "
        f"{n_pulses} pulses cut past {_depth_limit_text(grid)}; refused before the run. This is a bound: the model "
        "removes more per pulse, so fewer pulses may already go too deep (a run that does names the largest count "
        "that fits)",
    )


def _deepest_floor_m(grid: RZGrid) -> float:
    """The deepest crater floor a run may reach (m): the bottom of the grid less its two deepest cells. The one limit of both crater-depth refusals and of their messages (QA10 #5:
    the message quoted the grid's bottom, 2.68 mm, and the checked limit, 2.65 mm, in one line)."""
    return float(grid.z_max_m - 2 * grid.dz_m[-1])


def _depth_limit_text(grid: RZGrid) -> str:
    """:func:`_deepest_floor_m` in words, for a refusal."""
    return (
        f"{_deepest_floor_m(grid) * 1e3:.2f} mm (the bottom of the tissue the model holds, the dermis and 1 mm of "
        "subcutis, less its two deepest cells)"
    )


def _too_deep_refusal(simulation, grid: RZGrid, floors_after_pulse_m: np.ndarray, n_pulses: int) -> InputError:
    """The refusal of a run whose crater reached the bottom of the grid (QA9 #7b): the count setting and the
    largest count that stayed within it, measured by this run (the floor after each pulse; the first k pulses of
    the train are the same run), or the energy setting when the first pulse alone went too deep. One limit,
    :func:`_deepest_floor_m`, is checked and quoted, with the depth the pulse that passed it removed: a crater
    that reaches the subcutis (15 % water against the dermis's 65 %, skin_anatomy.toml) deepens far faster there
    (QA10 #5: 80 J/cm², 1.68 mm after 4 pulses of about 420 um, then 1.00 mm in pulse 5, to the grid's bottom)."""
    laser = simulation.laser
    limit_m = _deepest_floor_m(grid)
    depth = _depth_limit_text(grid)
    floors = np.asarray(floors_after_pulse_m, dtype=float)
    floors = floors.reshape(floors.shape[0], -1).max(axis=1) if floors.size else floors
    spikes = floors.size // max(n_pulses, 1)
    if spikes > 1 and floors.size == spikes * n_pulses:
        floors = floors[spikes - 1 :: spikes]
    fit = int(np.count_nonzero(floors < limit_m)) if floors.size == n_pulses else 0
    if n_pulses <= 1 or not 1 <= fit < n_pulses:
        return InputError(*refused_setting(laser), f"settings whose crater stays within {depth}")
    field, typed, allowed = _count_field(simulation, fit)
    before_m, after_m = float(floors[fit - 1]), float(floors[fit])
    mean_m = before_m / fit
    removed = f"it removed {(after_m - before_m) * 1e3:.2f} mm"
    if after_m >= float(grid.z_max_m) * (1 - 1e-9):
        removed += ", all the tissue left down to the bottom of the grid"
    else:
        removed += f", to {after_m * 1e3:.2f} mm deep"
    if after_m - before_m > 1.5 * mean_m and after_m > simulation.geometry().dermis_bottom_m:
        removed += ": the crater had reached the subcutis, whose fat holds less water, so each mm takes less energy"
    return InputError(
        field,
        typed,
        f"{allowed} at {refused_setting(laser)[1]}, whose crater stays within {depth}: in this run it was "
        f"{before_m * 1e3:.2f} mm deep after pulse {fit} (about {mean_m * 1e6:.0f} um per pulse) and pulse "
        f"{fit + 1} of {n_pulses} took it past {limit_m * 1e3:.2f} mm ({removed})",
    )


def refused_setting(laser) -> tuple[str, str]:
    """The setting a refusal names, as the user gave it: the micro-beam's pulse energy for a fractional
    laser, else the energy setting given (``fluence`` or ``pulse_energy``, QA8 #3), as typed where it was typed
    (field and value for :class:`InputError`)."""
    if laser.is_fractional:  # in a unit chosen by its size: '50 J', not '50000 mJ' (QA7 #9)
        energy_J = laser.microbeam_energy_J
        return "laser.pulse_energy", format_quantity(energy_J, "J", "J" if energy_J >= 1.0 else "mJ", digits=6)
    if laser.energy_setting == "pulse_energy":
        energy_J = laser.pulse_energy_J
        typed = getattr(energy_J, "text", None)
        return "laser.pulse_energy", typed or format_quantity(energy_J, "J", "J" if energy_J >= 1.0 else "mJ", digits=6)
    return "laser.fluence", getattr(laser.fluence_J_per_m2, "text", None) or f"{laser.fluence_J_per_m2 * 1e-4:g} J/cm^2"


def is_narrow_beam(laser) -> bool:
    """Whether ``laser``'s simulated beam (the micro-beam of a fractional laser, else the spot) has a radius (1/e² or
    flat-top) of at most :data:`FOCUSED_SPOT_MAX_RADIUS_M`."""
    return float(laser.beam_radius_m) <= FOCUSED_SPOT_MAX_RADIUS_M


def max_peak_fluence_J_per_m2(laser) -> float:
    """The largest peak fluence of one pulse the pipeline accepts for ``laser`` (J/m²): :data:`MAX_MICROBEAM_FLUENCE_J_PER_M2`
    for a narrow beam (:func:`is_narrow_beam`: a micro-beam or a focused spot), :data:`MAX_FULL_FIELD_FLUENCE_J_PER_M2`
    for a wider spot."""
    return MAX_MICROBEAM_FLUENCE_J_PER_M2 if is_narrow_beam(laser) else MAX_FULL_FIELD_FLUENCE_J_PER_M2


def require_peak_fluence_within_model(laser) -> None:
    """Refuse (``InputError``, :func:`peak_fluence_refusal`) a laser whose peak fluence of one pulse,
    :attr:`~laserskin.treatment.laser.Laser.peak_fluence_J_per_m2`, exceeds :func:`max_peak_fluence_J_per_m2`.

    The one check of every path (r–z linear and non-linear, ablative, voxels): :class:`Simulation` calls it when it
    is built, before any transport runs (the CLI, the web's pricing of a job and the planner build one first)."""
    peak = float(laser.peak_fluence_J_per_m2)
    if peak > max_peak_fluence_J_per_m2(laser):
        raise peak_fluence_refusal(laser, peak)


def peak_fluence_refusal(laser, peak_fluence_J_per_m2: float) -> InputError:
    """The refusal of a pulse whose peak fluence exceeds :func:`max_peak_fluence_J_per_m2` (full field or
    micro-beam), naming the setting the user gave (``laser.pulse_energy`` or ``laser.fluence``, as typed) and its
    limit at this spot: the value at which the peak reaches the limit (the peak rises in proportion to the energy),
    with the derived peak fluence as the reason (QA8 #3)."""
    field, typed = refused_setting(laser)
    limit = max_peak_fluence_J_per_m2(laser)
    scale = limit / peak_fluence_J_per_m2
    gaussian = laser.profile == "gaussian"
    diameter = laser.beam_diameter_m  # the spot, or the micro-beam of a fractional laser
    spot = f"{format_quantity(diameter, 'm', 'mm' if diameter >= 1e-3 else 'um', 4)}"
    peak_rule = "2 E / (pi w^2) of a gaussian beam, w = half its 1/e^2 diameter" if gaussian else "E / (pi d^2 / 4)"
    if field == "laser.pulse_energy":
        limit_J = laser.pulse_energy_J * scale
        bound = f"a pulse energy <= {format_quantity(limit_J, 'J', 'J' if limit_J >= 1.0 else 'mJ', digits=3)}"
    else:
        bound = f"a fluence <= {format_quantity(laser.fluence_J_per_m2 * scale, 'J/m^2', 'J/cm^2', digits=4)}"
    kind = "micro-beam" if laser.is_fractional else "spot"
    narrow = f" for beams up to {2 * FOCUSED_SPOT_MAX_RADIUS_M * 1e6:.0f} um wide, the peak of the published micro-beam settings"
    scope = narrow + " it is checked on" if is_narrow_beam(laser) else ""
    return InputError(
        field,
        typed,
        f"{bound} into this {spot} {laser.profile.replace('_', '-')} {kind}, where the peak fluence of one pulse "
        f"reaches the model's limit of {limit * 1e-4:g} J/cm^2{scope} (this setting's peak "
        f"fluence, {peak_rule}, is {peak_fluence_J_per_m2 * 1e-4:.6g} J/cm^2)",
    )


def dehydration_optics_spec(wavelength_m: float) -> dict | None:
    """The ``[dehydration_optics]`` table of tissue_phase_change.toml if it applies at ``wavelength_m``, else None."""
    from laserskin.thermal.enthalpy import phase_change_data

    spec = phase_change_data().get("dehydration_optics")
    if spec is None or not spec.get("enabled", True):
        return None
    if not spec["wavelength_min_m"] <= wavelength_m <= spec["wavelength_max_m"]:
        return None
    return spec


#: Share of each sub-pulse left dark, so that the heat solver sees the sub-pulse edges (the energy is kept).
_SUB_PULSE_GAP = 1.0e-3


def _sub_pulses(starts, durations, power_W, n: int):
    """Every pulse as ``n`` back-to-back sub-pulses carrying its energy (a dark gap of ``_SUB_PULSE_GAP``
    of each, so that the solver calls ``source_update`` before each). Returns ``(starts, durations, power)``."""
    n = max(1, int(n))
    if n == 1:
        return starts, durations, power_W
    new_starts, new_durations, new_power = [], [], []
    for start, duration, power in zip(starts, durations, power_W):
        d = duration / n
        new_starts.extend(start + d * np.arange(n))
        new_durations.extend([d * (1.0 - _SUB_PULSE_GAP)] * n)
        new_power.extend([power / (1.0 - _SUB_PULSE_GAP)] * n)
    return np.asarray(new_starts), np.asarray(new_durations), np.asarray(new_power)


def _dried_column_update(
    simulation, grid: RZGrid, water0: np.ndarray, parameters, source_per_J, spec: dict, water_share=1.0
):
    """``source_update`` for a micro-beam that dries its own column (non-ablative fractional, water-absorbed NIR).

    Dehydrated tissue absorbs less (``dry_absorption_fraction``), scatters less — dehydration is a mechanism of
    optical clearing (Rylander et al. 2006; μs' falls with the water lost, Yu et al. 2011) — and has a higher
    refractive index (1.39 → 1.50 as the water volume fraction falls 0.66 → 0.20, Gurjarpadhye et al. 2011), so a
    dried column carries the micro-beam deeper. The layered r–z transport cannot hold a column, so the voxel Monte
    Carlo (media per layer and water bin, Fresnel/Snell between media) is run on a box around the beam for the
    fresh tissue once and for the dried tissue before every later sub-pulse; the ratio of the two absorbed-energy
    tallies (azimuthal averages on the r–z rings, smoothed over 5 voxels in depth) rescales the r–z tally in the
    box. The new source carries the binned absorption factor it was computed with (``reference_factor``) so the
    solver does not scale it twice. Outside the box (and where the fresh tally is below 1e-3 of its maximum) the
    ratio is 1.
    """
    from laserskin.thermal.enthalpy import FixedSource, tissue_absorption_factor
    from laserskin.transport.voxel import Medium, VoxelSource, VoxelVolume, simulate_voxel_transport

    cite("rylander2006_dehydration_clearing", "yu2011_dehydration_scattering", "gurjarpadhye2011_skin_index_water")
    stack = simulation._stacks()[0][1]
    # the box spans at least 4 beam radii each side; wide explicit micro-beams get coarser voxels (≈ 80 across)
    beam_radius = float(simulation.laser.fractional.microbeam_diameter_m) / 2.0
    half_width = max(float(spec["half_width_m"]), 4.0 * beam_radius)
    voxel = max(float(spec["voxel_m"]), 2.0 * half_width / 80.0)
    nx = 2 * int(round(half_width / voxel))
    nzv = int(round(max(float(spec["depth_m"]), 4.0 * half_width) / voxel))
    zc = (np.arange(nzv) + 0.5) * voxel
    xc = (np.arange(nx) - nx / 2 + 0.5) * voxel
    radius = np.hypot(xc[:, None], xc[None, :])
    ring = np.minimum(np.searchsorted(grid.r_edges_m, radius, side="right") - 1, grid.nr - 1)
    n_ring = int(ring.max()) + 1
    cell_of_voxel = np.minimum(np.searchsorted(grid.z_edges_m, zc, side="right") - 1, grid.nz - 1)
    bottoms = np.cumsum([layer.thickness_m for layer in stack.layers])
    layer_of_voxel = np.minimum(np.searchsorted(bottoms, zc, side="right"), len(stack.layers) - 1)
    n_layers, n_bins = len(stack.layers), int(spec["water_bins"])
    w0_axis = np.broadcast_to(np.asarray(water0, dtype=float), (grid.nr, grid.nz))[0]
    share = np.broadcast_to(np.asarray(water_share, dtype=float), (grid.nr, grid.nz))
    t_ref = parameters.absorption_reference_temperature_K  # g(T_ref) = 1: the binned optics hold the drying only

    def dried_factor(left, cell_share):
        """μa/μa₀ of tissue with the water share ``left`` at T₀ (the solver's rule, without the bleaching)."""
        left = np.asarray(left, dtype=float)
        return tissue_absorption_factor(left, np.ones_like(left), np.full_like(left, t_ref), parameters, cell_share)

    s_dry = float(spec["scattering_dry_fraction"])
    dn_per_water = float(spec["refractive_index_per_water_fraction"])
    media_list = [Medium(layer.name, layer.n, layer.mua_per_m, layer.mus_per_m, layer.g) for layer in stack.layers]
    for k, layer in enumerate(stack.layers):
        inside = layer_of_voxel == k
        water_volume_fraction = float(w0_axis[cell_of_voxel[inside]].mean()) / 1000.0 if inside.any() else 0.0
        layer_share = float(share[0, cell_of_voxel[inside]].mean()) if inside.any() else 1.0
        for b in range(n_bins):
            left = b / n_bins  # water left / initial
            media_list.append(
                Medium(
                    f"{layer.name}|water {left:.2f}",
                    min(4.0, layer.n + dn_per_water * water_volume_fraction * (1.0 - left)),
                    layer.mua_per_m * float(dried_factor(left, layer_share)),
                    layer.mus_per_m * (s_dry + (1.0 - s_dry) * left),
                    layer.g,
                )
            )
    media = tuple(media_list)
    counts = np.zeros((n_ring, nzv))
    np.add.at(counts, ring, 1.0)
    smooth = np.ones(5) / 5.0
    settings = simulation.settings
    beam = simulation.beam()

    def tally(labels: np.ndarray) -> np.ndarray:
        volume = VoxelVolume(
            labels=labels,
            voxel_m=voxel,
            media=media,
            n_above=stack.n_above,
            n_below=stack.n_below,
            layer_count=n_layers,
        )
        absorbed = simulate_voxel_transport(
            volume, VoxelSource.spot(beam), settings.photons, settings.seed, threads=settings.threads
        ).absorbed_energy_density_per_J
        rings = np.zeros((n_ring, nzv))
        np.add.at(rings, ring, absorbed)
        rings /= np.maximum(counts, 1.0)
        return np.array([np.convolve(row, smooth, mode="same") for row in rings])

    fresh_labels = np.ascontiguousarray(np.broadcast_to(layer_of_voxel[None, None, :], (nx, nx, nzv)), dtype=np.uint8)
    fresh = None
    in_box = np.zeros((grid.nr, grid.nz), dtype=bool)
    in_box[:n_ring, grid.z_centers_m < zc[-1]] = True

    def update(pulse_index: int, state):
        nonlocal fresh
        left = np.clip(state.water_kg_per_m3 / np.maximum(water0, 1e-30), 0.0, 1.0)
        binned = np.minimum(np.floor(left * n_bins + 0.5), n_bins)  # n_bins = fresh
        dried = binned < n_bins
        if not (dried & in_box).any():
            return None
        if fresh is None:
            fresh = tally(fresh_labels)
        b_vox = binned[ring][:, :, cell_of_voxel]
        labels = fresh_labels.copy()
        dry_vox = b_vox < n_bins
        dry_label = n_layers + layer_of_voxel[None, None, :] * n_bins + b_vox.astype(int)
        labels[dry_vox] = dry_label[dry_vox]
        changed = tally(labels)
        ok = fresh > 1e-3 * fresh.max()
        ratio_vox = np.where(ok, changed / np.where(ok, fresh, 1.0), 1.0)
        ratio = np.ones((grid.nr, grid.nz))
        shallow = grid.z_centers_m < zc[-1]
        for i in range(n_ring):
            ratio[i, shallow] = np.interp(grid.z_centers_m[shallow], zc, ratio_vox[i])
        reference = np.ones((grid.nr, grid.nz))
        used = in_box & dried
        # bin 0 holds tissue with up to half a bin of its water left: its reference is not taken below that share
        # (the absorption of the bin's wettest tissue when the dry matter absorbs nothing), so a wet neighbour's
        # tally, smoothed into a dried voxel, is not divided by ~1e-8 (dry_absorption_fraction 0: 70 mJ fraxel
        # refused as > 1000 degC). A no-op, bit for bit, where the dry matter keeps at least half a bin (the factor
        # is >= dry_absorption_fraction: the shipped 0.1 and 0.33 with 5 bins).
        reference[used] = np.maximum(dried_factor(binned / n_bins, share), 0.5 / n_bins)[used]
        return FixedSource(source_per_J * ratio, reference_factor=reference)

    return update


def _normal_spiking(wavelength_m, starts, durations, power_W):
    """Free-running Er pulses as trains of relaxation-oscillation spikes (tissue_phase_change.toml).

    Returns ``(starts, durations, power, spiking)``: unchanged when the wavelength or the pulse
    durations are outside the file's range, else one spike of ``spike_duration_s`` every
    ``spike_period_s`` through each pulse, with the pulse's energy shared equally.
    """
    from laserskin.thermal.enthalpy import phase_change_data

    spec = phase_change_data().get("normal_spiking")
    in_band = (
        spec is not None
        and spec.get("enabled", True)
        and spec["wavelength_min_m"] <= wavelength_m <= spec["wavelength_max_m"]
    )
    # (spec is None: in_band is False already; restated for the type checker)
    if (
        spec is None
        or not in_band
        or not np.all((durations >= spec["pulse_duration_min_s"]) & (durations <= spec["pulse_duration_max_s"]))
    ):
        return starts, durations, power_W, False
    width, period = spec["spike_duration_s"], spec["spike_period_s"]
    new_starts, new_power = [], []
    for start, duration, power in zip(starts, durations, power_W):
        n = max(1, int(round(duration / period)))
        new_starts.extend(start + period * np.arange(n))
        new_power.extend([power * duration / (n * width)] * n)
    return np.asarray(new_starts), np.full(len(new_starts), width), np.asarray(new_power), True


#: Rings per micro-beam radius w on a fractional Beer–Lambert grid. 8 (7.5 µm for a 120 µm CO2 micro-beam): the
#: contraction at 36 / 40 mJ is within 1 / 6 % of rings of w/64 and the MTZ depth the same (docs/collagen.md, "Wall
#: light across rings"); each halving costs ~3x the run time.
RINGS_PER_BEAM_RADIUS = 8


def _beer_lambert_grid(laser, bottoms, mua_layers, energy_J, n_pulses):
    """Grid, beam fraction per ring and peak fluence for a Beer–Lambert source.

    Full field: one column at the beam centre carrying the peak fluence (laterally uniform,
    insulated sides — the 1-D ablation of a wide spot). Fractional: the micro-beam (Gaussian, or
    top-hat for ``profile = "flat_top"``) on rings out to 4 beam radii.
    """
    mua_surface = float(np.max(mua_layers[: min(3, len(mua_layers))]))
    h_abl = 2.0e9  # J/m³, order of the heat of ablation (only sizes the fine part of the grid)
    dermis_bottom = float(bottoms[-2]) if len(bottoms) > 1 else float(bottoms[-1])
    z_max = min(float(bottoms[-1]), dermis_bottom + 1.0e-3)
    interfaces = [b for b in bottoms[:-1] if b < z_max]

    def graded(r_max_m: float, nr: int, dz_surface_m: float, crater_guess_m: float) -> RZGrid:
        return RZGrid.graded(
            r_max_m=r_max_m,
            nr=nr,
            z_max_m=z_max,
            dz_surface_m=dz_surface_m,
            dz_max_m=50e-6,
            growth=1.05,
            interfaces_m=interfaces,
            fine_depth_m=crater_guess_m,
        )

    def gaussian_rings(grid: RZGrid, w: float) -> np.ndarray:
        r = grid.r_edges_m
        return np.exp(-2.0 * r[:-1] ** 2 / w**2) - np.exp(-2.0 * r[1:] ** 2 / w**2)

    def flat_top_rings(grid: RZGrid, radius: float) -> np.ndarray:
        r = np.minimum(grid.r_edges_m, radius)
        return (r[1:] ** 2 - r[:-1] ** 2) / radius**2

    if laser.is_fractional:
        w = float(laser.fractional.microbeam_diameter_m) / 2.0  # 1/e² radius, or the top-hat's radius
        peak = (2.0 if laser.profile == "gaussian" else 1.0) * energy_J / (math.pi * w**2)  # on-axis
        crater_guess = min(n_pulses * peak / h_abl + 200e-6, z_max)
        dz = max(1.0e-6, min(0.5 / mua_surface, 4.0e-6), crater_guess / 300.0)
        # rings of w / RINGS_PER_BEAM_RADIUS out to 4 w (a top-hat's edge is a ring edge)
        grid = graded(4.0 * w, 4 * RINGS_PER_BEAM_RADIUS, dz, crater_guess)
        rings = gaussian_rings(grid, w) if laser.profile == "gaussian" else flat_top_rings(grid, w)
        return grid, rings, peak
    peak = float(laser.peak_fluence_J_per_m2)
    w_focus = float(laser.spot_diameter_m) / 2.0
    if laser.profile == "gaussian" and w_focus <= FOCUSED_SPOT_MAX_RADIUS_M:
        # a focused laboratory spot (incisions, Walsh et al. 1989): the Gaussian on rings of
        # FOCUSED_RING_M out to 2 w, fine enough to resolve the damage in the crater wall
        crater_guess = min(n_pulses * peak / h_abl + 100e-6, z_max)
        nr = int(math.ceil(2.0 * w_focus / FOCUSED_RING_M))
        grid = graded(nr * FOCUSED_RING_M, nr, FOCUSED_RING_M, crater_guess)
        return grid, gaussian_rings(grid, w_focus), peak
    crater_guess = min(n_pulses * peak / h_abl + 150e-6, z_max)
    dz = max(0.25e-6, min(0.5 / mua_surface, 2.0e-6), crater_guess / 2000.0)
    r_col = 50e-6
    grid = graded(r_col, 1, dz, crater_guess)
    fraction = np.array([peak * math.pi * r_col**2 / energy_J])
    return grid, fraction, peak


def _per_pass_um(floors_m: np.ndarray, simulation) -> list[float]:
    """Crater depth added by each pass, µm."""
    passes = int(getattr(simulation.protocol, "passes", 1) or 1)
    if floors_m.size == 0 or passes < 1 or floors_m.size % passes:
        return [float(floors_m[-1] * 1e6)] if floors_m.size else []
    per = floors_m.size // passes
    ends = floors_m[per - 1 :: per]
    return [float(d * 1e6) for d in np.diff(np.concatenate([[0.0], ends]))]


def _depth_from_surface_m(omega_map: np.ndarray, grid: RZGrid) -> float:
    """``residual_damage_depth_um`` of an intact surface, m: :func:`residual_damage_depth_m` with the floor at 0."""
    return residual_damage_depth_m(omega_map, grid, 0.0)


def _dataset(simulation, grid, heat, omega, collagen, probe, summary):
    import xarray as xr

    times, trace = probe.trace()
    data = {
        "peak_temperature": (("r", "z"), heat.peak_temperature_K, {"units": "K"}),
        "final_temperature": (("r", "z"), heat.final_temperature_K, {"units": "K"}),
        "ablated": (("r", "z"), heat.removed.astype(np.int8), {"units": "1", "long_name": "ablated cell"}),
        "water_fraction": (("r", "z"), heat.water_fraction, {"units": "1", "long_name": "water left / initial"}),
        "denatured_fraction": (("r", "z"), collagen.denatured_fraction, {"units": "1"}),
        "nociceptor_temperature": (("time",), trace, {"units": "K"}),
        "crater_depth": (("r",), heat.crater_depth_m, {"units": "m"}),
        "r_edges": (("r_edge",), grid.r_edges_m, {"units": "m"}),
        "z_edges": (("z_edge",), grid.z_edges_m, {"units": "m"}),
        **{f"omega_{k}": (("r", "z"), v, {"units": "1"}) for k, v in omega.items()},
    }
    dataset = xr.Dataset(
        data,
        coords={
            "r": ("r", grid.r_centers_m, {"units": "m"}),
            "z": ("z", grid.z_centers_m, {"units": "m", "long_name": "depth below the original surface"}),
            "time": ("time", times, {"units": "s"}),
        },
    )
    dataset.attrs.update(simulation.provenance(summary))
    return dataset
