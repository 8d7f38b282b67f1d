"""A fractional laser's array in 3-D for the planner: one periodic unit cell of its microbeam lattice.

The r–z path simulates one microbeam alone. What it cannot see is the array: the heat of the
neighbouring zones adds up between them (bulk heating), zones may merge (overlap), and the
epidermis and the nociceptors between the zones feel the sum. :func:`fractional_array` runs the
3-D stage (:mod:`laserskin.pipeline.voxel`) on one periodic unit cell of a square lattice at the
laser's MTZ density (every zone firing at once; Manstein et al. 2004 define the MTZ density and
coverage) at a modest voxel count, so that a plan stays within seconds, and returns:

* ``bulk_rise_K``: the peak temperature rise in the dermis midway between zones (the column
  farthest from every microbeam), K, and its depth;
* ``zones_overlap`` and ``between_zones_omega``: whether the necrotic zones (Henriques Ω ≥ 1)
  reach the midpoint, i.e. merge with their neighbours, and Ω there;
* ``mtz_width_um``, ``mtz_depth_um``, ``mtz_area_fraction``: the zone's size on the voxels and the
  share of the skin surface above necrotic dermis;
* ``epidermal_omega``, ``epidermal_injury``, ``pigment_risk``: the array's basal-layer outcome
  (the worst column of the cell, all passes);
* ``pain_index`` under a zone and ``between_zones_pain_index``: the pain inputs (the nociceptor
  depth's temperature traces under a zone and between zones, through :mod:`laserskin.damage.pain`).

Passes add Ω (the planner's rule: each pass starts from the resting state); the bulk rise is that
of one pass. At the planner's ~24 µm voxels the basal voxel sits up to a voxel above the r–z grid's
basal cell: its Ω is the conservative (higher) read-out at lasers absorbed near the surface
(1550 nm: basal Ω 1.7 at 20 µm voxels against 0.14 on the r–z grid for one 1.5 mJ microbeam; the
peak temperatures agree within 0.5 °C).

Which model ran (``thermal_model``, ``thermal_model_reason``, from the 3-D stage): where the
microbeam boils, the 3-D heat has the boiling plateau but not the r–z path's dried-column optics
(:mod:`laserskin.pipeline.ablative`): a voxel whose water is gone keeps the wet absorption and heats
on. The plan's r–z summary (the same run as ``laserskin simulate``) is the MTZ read-out; the cell is
for what the r–z run cannot see (bulk rise, overlap, the epidermis between zones). fraxel_1550 at
20 mJ, 52 F type III cheek, 2·10⁴ photons, seed 1: r–z 514 µm × 160 µm at a peak of 132 °C
(100 °C at 2·10⁵ photons; 469 µm × 160 µm with the dried-column optics off); the cell (20 µm voxels,
636 zones/cm², 20 K bulk rise) 535 µm × 209 µm at a peak of 387 °C.

The cell is :data:`CELL_DEPTH_M` deep; its floor is held at the r–z path's resting temperature at that depth
(:func:`laserskin.pipeline.voxel.resting_temperature_at_depth_K`), so it rests as the r–z skin does (QA11 F-I:
before, at the core temperature, 2 K warmer). For the fraxel_1550 plan above (plan's own photons and seed) that
moved the zone width 209 → 199 µm, the Ω between zones 0.024 → 0.0066 and the bulk rise 19.9 → 20.1 K; no plan
decision changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from laserskin.core.errors import InputError

__all__ = ["FractionalArray", "array_voxel_m", "fractional_array"]

#: Voxels of the unit cell the planner aims at (heat + transport within seconds on one core).
TARGET_VOXELS = 20_000
#: Depth of the cell, m: below every non-ablative MTZ (≤ ~1.4 mm at 1550 nm, Manstein 2004); the floor sits at
#: the r–z resting temperature of this depth (the 3-D stage's rule), not at the core temperature.
CELL_DEPTH_M = 1.2e-3


@dataclass(frozen=True)
class FractionalArray:
    """The array's outcome in one periodic unit cell (see the module docstring)."""

    spacing_um: float
    zones_per_cm2: float
    voxel_um: float
    voxels: list[int]
    bulk_rise_K: float
    bulk_rise_depth_um: float
    between_zones_peak_temperature_C: float
    between_zones_omega: float
    zones_overlap: bool
    mtz_width_um: float
    mtz_depth_um: float
    mtz_area_fraction: float
    epidermal_omega: float
    epidermal_injury: str
    pigment_risk: str
    pain_index: float
    between_zones_pain_index: float
    peak_temperature_C: float
    boiling: bool
    thermal_model: str
    thermal_model_reason: str
    photons: int
    wall_time_s: float

    def as_dict(self) -> dict:
        return asdict(self)


def array_voxel_m(spacing_m: float, microbeam_diameter_m: float, target: int = TARGET_VOXELS) -> float:
    """Voxel side for a unit cell of ``spacing_m`` × ``spacing_m`` × :data:`CELL_DEPTH_M`: about
    ``target`` voxels but no coarser than a fifth of the microbeam's diameter (nor finer than
    5 µm), and a whole number of voxels across the cell (so the cell keeps the laser's density)."""
    coarse = (spacing_m * spacing_m * CELL_DEPTH_M / target) ** (1.0 / 3.0)
    voxel = max(min(coarse, microbeam_diameter_m / 5.0), 5e-6)
    return spacing_m / max(1, round(spacing_m / voxel))


def fractional_array(
    person,
    laser,
    cooling=None,
    *,
    passes: int = 1,
    anesthetic: str = "none",
    photons: int = 20_000,
    seed: int = 1,
    voxel_m: float | None = None,
    relaxation_s: float = 0.5,
    threads: int | None = None,
) -> FractionalArray:
    """Run one periodic unit cell of a fractional laser's array (transport → heat → damage).

    Parameters
    ----------
    person : laserskin.skin.Person
    laser : laserskin.treatment.laser.Laser
        A fractional laser (``laser.is_fractional``): its microbeam energy, diameter, profile,
        pulse and MTZ density.
    cooling : Cooling, dict or None
        Surface cooling (``None``: the device preset's, as :class:`Simulation`).
    passes : int
        Passes over the same skin (Ω multiplied by it, the planner's rule).
    anesthetic : str
        Topical anaesthetic of the pain index.
    photons, seed : int
        Monte Carlo settings of the voxel transport.
    voxel_m : float, optional
        Voxel side, m (default :func:`array_voxel_m`).
    relaxation_s : float
        Time followed after the pulse, s (the bulk heat spreads over ``spacing² / 4α``, ~0.5 s
        at 600 µm).
    threads : int, optional
        Numba threads.
    """
    from laserskin.core.constants import CELSIUS_K
    from laserskin.damage.injury import classify_epidermal_injury, pigment_risk
    from laserskin.pipeline.settings import SimulationSettings
    from laserskin.pipeline.simulation import Simulation
    from laserskin.transport.voxel_geometry import GeometrySpec, lattice_spacing_m
    from laserskin.treatment.protocol import Protocol

    if not getattr(laser, "is_fractional", False):
        raise InputError("laser", getattr(laser, "device", None), "a fractional laser (microbeams)")
    if isinstance(passes, bool) or not isinstance(passes, int) or passes < 1:
        raise InputError("passes", passes, "an integer >= 1")
    spacing = lattice_spacing_m(float(laser.mtz_per_m2), "square")
    diameter = laser.fractional.microbeam_diameter_m
    h = voxel_m or array_voxel_m(spacing, diameter)
    cells = max(1, round(spacing / h))
    depth_cells = max(2, round(CELL_DEPTH_M / h))  # the cell's x-y size is the lattice's (voxel_geometry)
    geometry = GeometrySpec.model_validate(
        {
            "kind": "voxels",
            "size": [f"{cells * h} m", f"{cells * h} m", f"{depth_cells * h} m"],
            "voxel": f"{h} m",
            "boundary": "periodic",
            "lattice": "square",
            "spacing": f"{spacing} m",
        }
    )
    settings = SimulationSettings.model_validate(
        {"photons": photons, "seed": seed, "threads": threads, "relaxation": f"{relaxation_s} s"}
    )
    simulation = Simulation(person, laser, cooling, Protocol(anesthetic=anesthetic), settings, voxel_geometry=geometry)
    result = simulation.run()
    s = result.summary
    array = s["array"]
    omega = passes * s["epidermal_omega"]
    peak_basal_K = s["peak_basal_temperature_C"] + CELSIUS_K
    if passes > 1:
        grade = classify_epidermal_injury(omega)
        risk = pigment_risk(simulation.geometry().fitzpatrick, omega, peak_basal_K).level
    else:
        grade, risk = s["epidermal_injury"], s["pigment_risk"]
    return FractionalArray(
        spacing_um=array["spacing_um"],
        zones_per_cm2=array["zones_per_cm2"],
        voxel_um=h * 1e6,
        voxels=s["voxels"],
        bulk_rise_K=array["bulk_rise_K"],
        bulk_rise_depth_um=array["bulk_rise_depth_um"],
        between_zones_peak_temperature_C=array["between_zones_peak_temperature_C"],
        between_zones_omega=passes * array["between_zones_omega"],
        zones_overlap=bool(passes * array["between_zones_omega"] >= 1.0),
        mtz_width_um=s["mtz_width_um"],
        mtz_depth_um=s["mtz_depth_um"],
        mtz_area_fraction=s["mtz_area_fraction"],
        epidermal_omega=omega,
        epidermal_injury=grade,
        pigment_risk=risk,
        pain_index=s["pain_index"],
        between_zones_pain_index=array["between_zones_pain_index"],
        peak_temperature_C=s["peak_temperature_C"],
        boiling=s["boiling"],
        thermal_model=s["thermal_model"],
        thermal_model_reason=s["thermal_model_reason"],
        photons=photons,
        wall_time_s=float(s["wall_time_s"]),
    )
