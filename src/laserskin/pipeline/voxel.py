"""The 3-D stage of a simulation: voxel light transport → voxel heat with surface cooling → damage.

``[geometry] kind = "voxels"`` routes :meth:`laserskin.pipeline.simulation.Simulation.run` here:

person → optics at each of the laser's wavelengths → the voxel volume (layers by depth, the
``[[inclusions]]``; :func:`laserskin.transport.voxel_geometry.voxel_volume`) → voxel Monte Carlo
(:func:`laserskin.transport.voxel.simulate_voxel_transport`) → the 3-D Pennes equation with the
pulse schedule and the surface-cooling schedules of the r–z path (the same
:func:`laserskin.pipeline.stages.pulse_schedule` and
:meth:`laserskin.thermal.cooling.Cooling.surface_boundary`), starting from the resting steady
state (:func:`laserskin.thermal.voxel_heat.solve_voxel_bioheat`) → Arrhenius Ω per voxel for the
r–z path's parameter sets, the collagen response, epidermal and dermal injury and pain, read out
by the same functions of :mod:`laserskin.damage` (each x–y column of voxels is one "column" of
those read-outs; :class:`VoxelColumns`).

The beam: the laser's spot at the volume's centre, or its treatment beam (a fractional laser's
microbeam, any other laser's full spot: spacing below the spot diameter is scan overlap) at the
sites of a lattice; with periodic sides and no lattice given, a fractional laser fills the unit
cell of a square lattice at its MTZ density (one periodic cell = the whole array, every zone
firing at once). Each site receives the energy of one pulse (one microbeam);
``illumination = "uniform"`` receives the laser's fluence over the whole top face.

Firing order (a lattice in an ``escape`` volume): ``order = "raster"`` or ``"random"`` fires the
sites one after another, ``site_interval`` apart, each with the whole pulse train. Light being
linear, each site's absorbed map comes from one Monte Carlo translated to every site where the
volume is laterally uniform and the sites lie whole voxels apart, else from one run per site
(:func:`laserskin.transport.voxel_sites.site_maps`); the heat source is Σ_k S_k(x) P(t − t_k)
(``solve_voxel_bioheat(..., sources=...)``) and the summary adds ``firing``. The default,
``"simultaneous"``, is the single run with every site at once.

Model limits (stated in ``thermal_model_reason``): constant wet-tissue ρc and k with a boiling
plateau (water per voxel from the layers' water content; a voxel above 100 °C vaporises its water
with the latent heat before heating further, ``thermal_model = "nonlinear"``); the heat source of a
voxel follows the absorption of the tissue it has left by the r–z enthalpy stage's rule and constants
(:func:`laserskin.thermal.enthalpy.tissue_absorption_factor`; :func:`_phase_change`; drying removes the
water's share of the voxel's μa only, :func:`_water_share_map`), as a scaling of
the fresh tissue's Monte Carlo map (no re-transport on dried optics: the light a dried voxel does not
absorb is ``unabsorbed_by_dried_tissue_J``, not heat); no ablation in 3-D (ablative lasers run r–z); the
bottom face held at the r–z path's resting temperature at the volume's depth
(:func:`resting_temperature_at_depth_K`: the volume rests as the r–z skin does; QA11 F-I), and nothing below it
(choose ``size`` z below the heated depth).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np

from laserskin.core.constants import CELSIUS_K, WATER_BOILING_K
from laserskin.core.errors import InputError
from laserskin.core.units import format_quantity
from laserskin.damage.arrhenius import omega_increment
from laserskin.damage.collagen import collagen_response, skin_tightening_percent
from laserskin.damage.injury import dermal_injury, epidermal_injury, viable_epidermis_top_m
from laserskin.damage.pain import PainParameters, pain_from_trace
from laserskin.pipeline import stages
from laserskin.pipeline.dataset import provenance
from laserskin.pipeline.response import DAMAGE_SETS
from laserskin.pipeline.result import Result, pair
from laserskin.pipeline.summary import (
    SimulationSummary,
    laser_keys,
    mtz_zone_extent,
    pyrolysis_note,
    run_contraction_note,
)
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.voxel_heat import BLOOD_THERMAL, VoxelDamage, VoxelThermalMedium, solve_voxel_bioheat
from laserskin.transport.result import outside_grid_share
from laserskin.transport.voxel import simulate_voxel_transport
from laserskin.transport.voxel_geometry import (
    GeometrySpec,
    InclusionSpec,
    lattice_spacing_m,
    voxel_source,
    voxel_volume,
)
from laserskin.transport.voxel_sites import firing_order, site_maps
from laserskin.treatment.laser import _refuse_over_full_coverage

__all__ = [
    "VoxelColumns",
    "VoxelResult",
    "check_lattice",
    "resting_profile_K",
    "resting_temperature_at_depth_K",
    "run_voxel",
    "voxel_setup",
]

#: Ω at and above which a voxel counts as necrotic (Henriques) or coagulated (collagen).
ZONE_OMEGA = 1.0

#: Largest sites × voxels of a run whose sites fire in turn (one float64 map per site: 1.6 GB).
MAX_SITE_MAP_VALUES = 200_000_000


@dataclass(frozen=True, eq=False)
class VoxelColumns:
    """The x–y columns of a voxel volume as the "radial" columns of the damage read-outs.

    :mod:`laserskin.damage` reads maps of shape ``(nr, nz)`` on a grid with ``nr``, ``nz``,
    ``z_centers_m``, ``z_edges_m``, ``dz_m``, ``r_centers_m``, ``ring_area_m2``,
    ``cell_volume_m3`` and ``r_max_m``. Here every column of voxels is one of the ``nr``
    columns, ordered by (periodic) distance from the beam centre, so column 0 is the beam's
    axis as in r–z; its "ring" is the column's area h².
    """

    shape: tuple[int, int, int]
    voxel_m: float
    distance_m: np.ndarray  # (nx, ny) distance of each column from the beam centre

    @cached_property
    def order(self) -> np.ndarray:
        return np.argsort(self.distance_m.ravel(), kind="stable")

    @property
    def nr(self) -> int:
        return self.shape[0] * self.shape[1]

    @property
    def nz(self) -> int:
        return self.shape[2]

    @cached_property
    def z_edges_m(self) -> np.ndarray:
        return np.arange(self.nz + 1) * self.voxel_m

    @cached_property
    def z_centers_m(self) -> np.ndarray:
        return (np.arange(self.nz) + 0.5) * self.voxel_m

    @cached_property
    def dz_m(self) -> np.ndarray:
        return np.full(self.nz, self.voxel_m)

    @cached_property
    def r_centers_m(self) -> np.ndarray:
        return self.distance_m.ravel()[self.order]

    @property
    def z_max_m(self) -> float:
        return float(self.z_edges_m[-1])

    @property
    def r_max_m(self) -> float:
        return float(self.r_centers_m[-1]) + self.voxel_m

    @cached_property
    def ring_area_m2(self) -> np.ndarray:
        return np.full(self.nr, self.voxel_m**2)

    @cached_property
    def cell_volume_m3(self) -> np.ndarray:
        return np.full((self.nr, self.nz), self.voxel_m**3)

    def columns(self, field3: np.ndarray) -> np.ndarray:
        """A (nx, ny, nz) field as (nr, nz) columns in this order."""
        return np.asarray(field3).reshape(self.nr, self.nz)[self.order]


def _column_distance(volume, centre_m: tuple[float, float]) -> np.ndarray:
    """(nx, ny) distance of each column centre from ``centre_m``, wrapped for periodic volumes."""
    dx = volume.x_centers_m[:, None] - centre_m[0]
    dy = volume.y_centers_m[None, :] - centre_m[1]
    if volume.periodic:
        lx, ly, _ = volume.size_m
        dx = dx - lx * np.round(dx / lx)
        dy = dy - ly * np.round(dy / ly)
    return np.hypot(dx, dy + 0.0 * dx)


def _farthest_column(volume, centres) -> tuple[int, int]:
    """Index of the column farthest from every beam site: "between the zones" of an array."""
    nearest = np.min([_column_distance(volume, c) for c in centres], axis=0)
    ix, iy = np.unravel_index(int(np.argmax(nearest)), nearest.shape)
    return int(ix), int(iy)


class ProbeTrace:
    """Heat-solver observer: the temperature at one depth (linear between voxel centres) in one column."""

    def __init__(self, column: tuple[int, int], depth_m: float, z_centers_m: np.ndarray):
        if not z_centers_m[0] <= depth_m <= z_centers_m[-1]:  # a scenario's box is checked before (_require_depths)
            raise InputError(
                "nociceptor_depth",
                f"{depth_m * 1e6:.6g} um",
                f"a depth between the first and the last voxel centre, {z_centers_m[0] * 1e6:.6g} um and "
                f"{z_centers_m[-1] * 1e6:.6g} um (a deeper geometry.size[2])",
            )
        self.column = column
        self.depth_m = depth_m
        self.z = z_centers_m
        self.times_s: list[float] = []
        self.temperatures_K: list[float] = []

    def _probe(self, temperature_K: np.ndarray) -> float:
        return float(np.interp(self.depth_m, self.z, temperature_K[self.column]))

    def on_step(self, time_s, dt_s, temperature_old_K, temperature_new_K) -> None:
        if not self.times_s:
            self.times_s.append(time_s - dt_s)
            self.temperatures_K.append(self._probe(temperature_old_K))
        self.times_s.append(time_s)
        self.temperatures_K.append(self._probe(temperature_new_K))

    def trace(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.times_s), np.asarray(self.temperatures_K)


class ColumnPeak:
    """Heat-solver observer: the peak rise over time above the initial field of one column, per depth."""

    def __init__(self, column: tuple[int, int]):
        self.column = column
        self.initial_K: np.ndarray | None = None
        self.peak_rise_K: np.ndarray | None = None

    def on_step(self, time_s, dt_s, temperature_old_K, temperature_new_K) -> None:
        if self.initial_K is None:
            self.initial_K = np.array(temperature_old_K[self.column])
            self.peak_rise_K = np.zeros_like(self.initial_K)
        assert self.peak_rise_K is not None  # set with initial_K on the first step
        np.maximum(self.peak_rise_K, temperature_new_K[self.column] - self.initial_K, out=self.peak_rise_K)


VOXEL_FIGURES = ("voxel_absorbed", "voxel_peak_temperature", "voxel_omega_henriques", "voxel_damage_projection")
"""Names (without ``.png``) of the figures :meth:`VoxelResult.figures` writes (``simulate --out`` checks them)."""


@dataclass
class VoxelResult(Result):
    """:class:`~laserskin.pipeline.result.Result` of a 3-D run: fields on x, y, z (``grid`` is None)."""

    volume: Any = None
    geometry_kind: str = "voxels"
    fields: dict[str, np.ndarray] = field(default_factory=dict)

    def plot(self, path=None, *, title: str | None = None):
        """x–z / y–z / x–y slices of the peak temperature (saved to ``path`` when given)."""
        from laserskin.plotting.voxel import plot_slices

        v = self.volume
        return plot_slices(
            self.fields["peak_temperature_K"] - CELSIUS_K,
            v.x_centers_m,
            v.y_centers_m,
            v.z_centers_m,
            label="peak temperature (°C)",
            title=title or "peak temperature",
            path=path,
        )

    def figures(self, folder) -> list:
        """Slices of the absorbed energy, peak temperature and Henriques Ω, and the damage's
        maximum projection, as PNG files in ``folder``; returns their paths."""
        from pathlib import Path

        from laserskin.plotting._base import close
        from laserskin.plotting.voxel import plot_max_projection, plot_slices

        folder = Path(folder)
        v = self.volume
        axes = (v.x_centers_m, v.y_centers_m, v.z_centers_m)
        peak = self.fields["peak_temperature_K"]
        depth = float(v.z_centers_m[np.unravel_index(int(np.argmax(peak)), peak.shape)[2]])
        paths = []
        absorbed, peak_name, omega, projection = VOXEL_FIGURES
        for name, data, label, log in (
            (absorbed, self.fields["source_per_J"], "absorbed energy density per J (1/m³)", True),
            (peak_name, self.fields["peak_temperature_K"] - CELSIUS_K, "peak temperature (°C)", False),
            (omega, self.fields["omega_henriques"], "Ω (Henriques)", True),
        ):
            path = folder / f"{name}.png"
            close(plot_slices(data, *axes, label=label, log=log and bool(np.any(data > 0)), depth_m=depth, path=path))
            paths.append(path)
        path = folder / f"{projection}.png"
        close(
            plot_max_projection(-np.expm1(-self.fields["omega_henriques"]), *axes, label="damage 1 − e^−Ω", path=path)
        )
        paths.append(path)
        return paths

    def movie(self, path, **options):
        raise InputError("--movie", str(path), "an r–z simulation (no movie of a voxel run)")


@dataclass(frozen=True, eq=False)
class VoxelSetup:
    """The inputs of a voxel run resolved from a simulation: geometry, volumes per wavelength, light."""

    geometry: GeometrySpec
    volumes: list  # [(weight, VoxelVolume)]
    source: Any
    site_energy_scale: float  # energy into the volume per pulse / the simulated pulse energy
    lattice_note: str | None = None  # a lattice of an escape volume off the laser's MTZ density (check_lattice)


#: Largest relative difference between a lattice's density and the laser's MTZ density that is read as the same
#: density: a spacing typed to three significant figures lies within 0.5 % of the exact one, 1 % in density (D).
LATTICE_DENSITY_RTOL = 0.01


def _typed(value: float, si_unit: str, unit: str) -> str:
    """A quantity as the user typed it (its text), else in ``unit``."""
    return getattr(value, "text", None) or format_quantity(float(value), si_unit, unit, digits=6)


def _per_cm2(density_per_m2: float) -> str:
    return f"{density_per_m2 * 1e-4:.5g} 1/cm^2"


def _length(length_m: float) -> str:
    """A length to four significant figures in um, or mm from 1 mm (text a scenario can take back)."""
    return f"{length_m * 1e3:.4g} mm" if length_m >= 1e-3 else f"{length_m * 1e6:.4g} um"


def _lattice_density_per_m2(geometry: GeometrySpec) -> float:
    """Sites per m² of the lattice as given (``density``, or ``spacing`` on its square or hexagonal lattice)."""
    if geometry.density_per_m2 is not None:
        return float(geometry.density_per_m2)
    lattice, spacing_m = geometry.lattice, geometry.spacing_m
    # GeometrySpec._voxels_complete: a lattice has exactly one of spacing and density (callers pass a lattice)
    assert lattice is not None and spacing_m is not None
    return (lattice_spacing_m(1.0, lattice) / float(spacing_m)) ** 2


def check_lattice(laser, geometry: GeometrySpec) -> str | None:
    """Check a ``[geometry]`` lattice of a fractional laser's microbeams against the laser's MTZ density.

    The MTZ density is the laser's (``[laser] fractional``), and one periodic unit cell stands for the whole array
    (docs/voxel.md), so a periodic cell whose lattice has another density (beyond :data:`LATTICE_DENSITY_RTOL`) is
    refused under the key given (``geometry.spacing`` or ``geometry.density``), naming the laser's density and the
    spacing that matches it (QA11 #6: 50 um hex spacing made 44 444 zones/cm² of a 400 /cm² laser, 350 % coverage,
    without a word). In an escape volume a lattice is the pattern of sites fired (docs/voxel.md, "Firing order and
    scan overlap"), so another density runs, with this note (``lattice_note``): ``immediate_tightening_percent``
    spreads one zone over the laser's density. Microbeams covering more than the skin are refused by the laser's own
    rule (:func:`laserskin.treatment.laser._refuse_over_full_coverage`). ``None``: nothing to say (no lattice, a
    laser that is not fractional, uniform light)."""
    if not laser.is_fractional or geometry.lattice is None or geometry.illumination != "beam":
        return None
    if geometry.spacing_m is not None:
        key, typed = "geometry.spacing", _typed(geometry.spacing_m, "m", "um")
    else:
        density_per_m2 = geometry.density_per_m2
        assert density_per_m2 is not None  # GeometrySpec._voxels_complete: a lattice has spacing or density
        key, typed = "geometry.density", _typed(density_per_m2, "1/m^2", "1/cm^2")
    density = _lattice_density_per_m2(geometry)
    target = float(laser.mtz_per_m2)
    matching = _length(lattice_spacing_m(target, geometry.lattice))
    fix = f'spacing = "{matching}"' if key == "geometry.spacing" else f'density = "{target * 1e-4:.5g} 1/cm^2"'
    fractional = laser.fractional
    laser_density = (
        f"the laser's MTZ density, {_per_cm2(target)} ([laser] fractional: {fractional.coverage * 100:.3g} % coverage "
        f"of {fractional.microbeam_diameter_m * 1e6:.4g} um microbeams)"
    )
    same = abs(density / target - 1.0) <= LATTICE_DENSITY_RTOL
    if not same and geometry.boundary == "periodic":
        shown = f"{_per_cm2(density)} on a" if key == "geometry.spacing" else "on a"
        raise InputError(
            key,
            typed,
            f"{laser_density}, within {LATTICE_DENSITY_RTOL:.0%}: {fix} on this {geometry.lattice} lattice, or no "
            f"lattice and {key.removeprefix('geometry.')} (a periodic cell then takes the square lattice at the "
            f"laser's MTZ density, {_length(lattice_spacing_m(target))} apart). One periodic cell stands for the whole "
            "array; for another density set the laser's fractional density",
            given=f"{typed!r} ({shown} {geometry.lattice} lattice)",
        )
    try:  # the laser's own rule and words (no copy), with the spacing it means on this lattice
        _refuse_over_full_coverage(key, typed, density, float(fractional.microbeam_diameter_m))
    except InputError as refused:
        if key != "geometry.spacing":
            raise
        closest = _length(lattice_spacing_m(1.0 / fractional.microbeam_area_m2, geometry.lattice))
        raise InputError(
            refused.field, refused.value, f"{refused.allowed}: a spacing of at least {closest} on this lattice"
        ) from None
    if same:
        return None
    return (
        f"{key} {typed!r} places the microbeams at {_per_cm2(density)} on a {geometry.lattice} lattice, not at "
        f"{laser_density} ({fix} on this lattice): the volume fires this pattern, its sites' heat adding as at "
        f"{_per_cm2(density)}, while immediate_tightening_percent spreads one zone over the laser's density; the "
        "results are not those of the laser's array"
    )


def _fractional_geometry(simulation, geometry: GeometrySpec) -> GeometrySpec:
    """A fractional laser with periodic sides and no lattice: its square lattice at the MTZ density."""
    laser = simulation.laser
    if laser.is_fractional and geometry.boundary == "periodic" and geometry.lattice is None:
        return geometry.model_copy(update={"lattice": "square", "density_per_m2": float(laser.mtz_per_m2)})
    return geometry


def _require_depths(simulation, geometry: GeometrySpec) -> None:
    """Refuse, before any transport, a voxel box whose voxels or depth cannot hold what the read-outs read: a voxel
    centre in the epidermis, the nociceptor probe (:class:`laserskin.damage.pain.PainParameters`, 150 um: the pain
    trace under the beam and between zones) within the voxel centres, and some dermis (QA11 #11: a 30 um box failed
    after its transport with "probe depth: got 0.00015; expected a depth within the voxels (2.4999999999999998e-05
    m)")."""
    skin = simulation.geometry()
    voxel_m, size_m = geometry.voxel_m, geometry.size_m
    assert voxel_m is not None and size_m is not None  # GeometrySpec._voxels_complete: a voxel geometry has both
    h = float(voxel_m)
    junction = float(skin.junction_depth_m)
    if not 0.5 * h < junction:
        raise InputError(
            "geometry.voxel",
            _typed(voxel_m, "m", "um"),
            f"voxels below {2 * junction * 1e6:.4g} um, so that a voxel centre lies in the {junction * 1e6:.0f} um "
            "epidermis (voxels thinner than the stratum corneum resolve it: docs/voxel.md)",
        )
    probe = float(PainParameters().nociceptor_depth_m)
    need = max(probe, junction)
    voxels = math.ceil(need / h + 0.5 - 1e-9)  # the deepest voxel centre, (n - 1/2) h, at or below the probe
    if max(1, round(float(size_m[2]) / h)) < voxels:
        raise InputError(
            "geometry.size[2]",
            _typed(size_m[2], "m", "um"),
            f"at least {voxels * h * 1e6:.6g} um ({voxels} voxels of {h * 1e6:.6g} um): the epidermis "
            f"({junction * 1e6:.0f} um here), the nociceptor probe at {probe * 1e6:.0f} um and some dermis, whose voxel "
            "centres the pain and dermal read-outs need (make size z reach below the heated depth too: docs/voxel.md)",
        )


def voxel_setup(simulation) -> VoxelSetup:
    """The volume at each of the laser's wavelengths and the light of a voxel simulation; the box's depth and a
    lattice are checked first (:func:`_require_depths`, :func:`check_lattice`), before any transport."""
    laser = simulation.laser
    _require_depths(simulation, simulation.voxel_geometry)
    lattice_note = check_lattice(laser, simulation.voxel_geometry)
    geometry = _fractional_geometry(simulation, simulation.voxel_geometry)
    beam = stages.treatment_beam(laser)
    stacks = stages.optical_stacks(simulation.person, laser, simulation.settings.scattering)
    volumes = [
        (weight, voxel_volume(stack, geometry, simulation.inclusions, wavelength_m))
        for (weight, stack), (wavelength_m, _) in zip(stacks, laser.wavelength_weights())
    ]
    source = voxel_source(geometry, beam)
    if geometry.illumination == "uniform":
        lx, ly, _ = volumes[0][1].size_m
        scale = laser.fluence_J_per_m2 * lx * ly / simulation.pulse_energy_J()
    else:
        scale = float(len(source.centers_m))
    return VoxelSetup(geometry, volumes, source, scale, lattice_note)


def _per_region(layer_values: list, blood_value, layers, volume, inclusions: tuple[InclusionSpec, ...]) -> list:
    """One value per voxel region: the layers' own, then per inclusion ``blood_value`` for blood and
    for any other inclusion the value of the layer that holds most of its voxels."""
    bottoms = np.cumsum([lay.thickness_m for lay in layers])
    layer_of_z = np.minimum(np.searchsorted(bottoms, volume.z_centers_m, side="right"), len(layers) - 1)
    values = list(layer_values)
    for k, inclusion in enumerate(inclusions):
        if inclusion.tissue == "blood":
            values.append(blood_value)
            continue
        mask = volume.labels == volume.layer_count + k
        depths = layer_of_z[np.nonzero(mask)[2]] if mask.any() else layer_of_z[:1]
        values.append(values[int(np.bincount(depths).argmax())])
    return values


def resting_profile_K(simulation) -> tuple[np.ndarray, np.ndarray]:
    """``(depth_m, temperature_K)``: the r–z path's resting temperature with depth, the field its heat stage starts from.

    The same steady state (:func:`laserskin.thermal.solver.steady_state_temperature`, the start of
    :func:`laserskin.thermal.solver.solve_bioheat`) of the same medium (:func:`laserskin.pipeline.stages.heat_problem`:
    the skin's layers, core temperature at the r–z grid's floor several mm down, the cooling's resting surface air)
    on the depth cells of the r–z grid this simulation would use (:meth:`Simulation.grid`), solved on one ring of it:
    the resting state is laterally uniform (insulated outer radius, no radial flux), so one ring gives the r–z field's
    every column. The depths are the cell centres plus the grid's floor (held at the core temperature)."""
    from laserskin.grid import RZGrid
    from laserskin.thermal.solver import steady_state_temperature

    grid = simulation.grid()
    ring = RZGrid(grid.r_edges_m[:2], grid.z_edges_m)
    medium, _, surface, _ = stages.heat_problem(
        simulation.skin(),
        simulation.geometry(),
        ring,
        simulation.pulse_schedule(),
        simulation.cooling,
        simulation.settings,
    )
    profile = steady_state_temperature(medium, surface.resting_h_W_per_m2K, surface.resting_temperature_K)[0]
    depth = np.append(np.asarray(grid.z_centers_m, dtype=float), grid.z_max_m)
    return depth, np.append(profile, medium.core_temperature_K)


def resting_temperature_at_depth_K(simulation, depth_m: float) -> float:
    """The r–z path's resting temperature at ``depth_m`` (:func:`resting_profile_K`, linear between its cell
    centres; the core temperature below its grid), K: what the 3-D stage holds its volume's floor at.

    Before (QA11 F-I) the floor of a 1.2 mm box sat at the core temperature (37 °C), where the r–z grid's sits
    ~7.6 mm down: the 3-D skin rested 2 K warmer than the r–z skin (surface 36.7 against 34.7 °C) and a laterally
    uniform exposure read 2.5 × the r–z tightening and 2 × its denatured collagen."""
    depth, temperature = resting_profile_K(simulation)
    return float(np.interp(depth_m, depth, temperature))


def _thermal_medium(
    simulation, volume, inclusions: tuple[InclusionSpec, ...], bottom_temperature_K: float | None = None
) -> VoxelThermalMedium:
    """Thermal properties per region: the person's layers (as the r–z path), blood for blood
    inclusions, and for any other inclusion the layer that holds most of its voxels; the floor held at
    ``bottom_temperature_K`` (None: the core temperature)."""
    layers = simulation.skin().layers
    if len(layers) != volume.layer_count:
        raise InputError("layers", volume.layer_count, f"the person's {len(layers)} skin layers")
    own = [(lay.k_W_per_mK, lay.density_kg_per_m3, lay.specific_heat_J_per_kgK, lay.perfusion_per_s) for lay in layers]
    rows = np.array(_per_region(own, BLOOD_THERMAL, layers, volume, inclusions), dtype=np.float64)
    return VoxelThermalMedium(
        volume.labels,
        volume.voxel_m,
        rows[:, 0],
        rows[:, 1] * rows[:, 2],
        rows[:, 3],
        periodic=volume.periodic,
        bottom_temperature_K=bottom_temperature_K,
    )


def _region_water_fraction(simulation, volume, inclusions: tuple[InclusionSpec, ...]) -> np.ndarray:
    """Water volume fraction per region: each layer's (as the r–z enthalpy stage, ``pipeline/ablative.py``);
    blood inclusions take the dermis value (the data files hold no water content of blood), other
    inclusions the layer holding most of their voxels."""
    layers = simulation.skin().layers
    water = [lay.water_fraction for lay in layers]
    names = [lay.name for lay in layers]
    dermis = water[names.index("dermis")] if "dermis" in names else max(water)
    return np.asarray(_per_region(water, dermis, layers, volume, inclusions), dtype=np.float64)


def _water_map(simulation, volume, inclusions: tuple[InclusionSpec, ...]) -> np.ndarray:
    """Water per voxel, kg/m³: the region's water fraction (:func:`_region_water_fraction`) × 1000 kg/m³."""
    return (_region_water_fraction(simulation, volume, inclusions) * 1000.0)[volume.labels]


def _water_share_map(simulation, setup: VoxelSetup, inclusions: tuple[InclusionSpec, ...]) -> np.ndarray:
    """The water's share of each voxel's fresh absorption (:func:`laserskin.optics.chromophores.water_absorption_share`)
    from the region's water fraction and its media at the laser's wavelengths (weighted as the light is): the
    share of the absorption that drying removes (:func:`laserskin.thermal.enthalpy.tissue_absorption_factor`)."""
    from laserskin.optics.chromophores import water_absorption_share

    volume = setup.volumes[0][1]
    fraction = _region_water_fraction(simulation, volume, inclusions)
    wavelengths = [wl for wl, _ in simulation.laser.wavelength_weights()]
    mua = np.array([[m.mua_per_m for m in vol.media] for _, vol in setup.volumes])
    weights = [w for w, _ in setup.volumes]
    share = water_absorption_share(fraction, mua if len(wavelengths) > 1 else mua[0], wavelengths, weights)
    return share[volume.labels]


def _phase_change(simulation, starts, ends):
    """The r–z enthalpy stage's phase-change constants for this laser (``pipeline/ablative.py``, ``run_nonlinear``):
    its centroid wavelength, its shortest pulse, no material removal (the 3-D path runs non-ablative lasers only)."""
    from laserskin.thermal.enthalpy import phase_change_parameters

    durations = np.asarray(ends, dtype=float) - np.asarray(starts, dtype=float)
    return phase_change_parameters(
        float(simulation.laser.centroid_wavelength_m), float(durations.min()), material_removal=False
    )


def _pyrolysis_note(peak_K: np.ndarray, volume, parameters) -> str | None:
    """``pyrolysis_note`` of a voxel run whose tissue passed the pyrolysis temperature of the phase-change data (dry
    tissue chars there; the r–z ablation stage would remove it, Vogel & Venugopalan 2003); else None. The 3-D path
    neither chars nor removes tissue, so its temperatures above that point, and the damage read from them, are
    outside what the model represents (the r–z path's note, ``pipeline.ablative``; QA8 #2)."""
    limit_K = float(parameters.pyrolysis_temperature_K)
    peak_K = np.asarray(peak_K, dtype=float)
    if not float(peak_K.max()) > limit_K:
        return None
    hot_layers = np.flatnonzero((peak_K > limit_K).any(axis=(0, 1)))
    k = int(np.unravel_index(int(np.argmax(peak_K)), peak_K.shape)[2])
    where = f"at {(k + 0.5) * volume.voxel_m * 1e6:.0f} um depth"
    depth_um = (hot_layers.max() + 1) * volume.voxel_m * 1e6
    return pyrolysis_note(float(peak_K.max()), limit_K, where, depth_um, "The 3-D path")


def run_voxel(simulation) -> VoxelResult:
    """Transport → heat (pulse and cooling schedules) → damage on voxels; the summary keys of the
    r–z path plus ``geometry = "voxels"``, the region tally and, for arrays, the between-zone keys."""
    laser, settings = simulation.laser, simulation.settings
    if laser.ablative:
        raise InputError("geometry.kind", "voxels", '"rz" for an ablative laser (its crater stage is r–z only)')
    setup = voxel_setup(simulation)
    progress = simulation.progress
    starts, ends, power_W = simulation.pulse_schedule()
    if setup.geometry.order == "simultaneous":
        # light: one run per wavelength, weighted
        transport, source_per_J = [], None
        for weight, volume in setup.volumes:
            light = simulate_voxel_transport(
                volume, setup.source, settings.photons, settings.seed, threads=settings.threads, progress=progress
            )
            transport.append(light)
            part = weight * light.absorbed_energy_density_per_J
            source_per_J = part if source_per_J is None else source_per_J + part
        assert source_per_J is not None  # voxel_setup: a volume per wavelength of the laser, at least one
        # heat: the r–z path's pulse train (simulated beam) and cooling schedules
        power = Schedule.pulse_train(starts, ends - starts, power_W * setup.site_energy_scale)
        sources = ()
        t_end = float(ends.max()) + settings.relaxation_s
        surface = simulation.cooling.surface_boundary(starts, ends, t_end)
        firing = {}
    else:
        transport, source_per_J, power, sources, t_end, surface, firing = _sites_in_turn(
            simulation, setup, starts, ends, power_W
        )
    volume = setup.volumes[0][1]
    # the floor at the r–z resting temperature of its depth, so the volume rests as the r–z skin does (QA11 F-I)
    floor_K = resting_temperature_at_depth_K(simulation, volume.size_m[2])
    medium = _thermal_medium(simulation, volume, simulation.inclusions, floor_K)
    damage = {
        key: VoxelDamage(partial(omega_increment, parameters=name), volume.shape) for key, name in DAMAGE_SETS.items()
    }
    centres = setup.source.centers_m
    centre = _column_distance(volume, centres[0])
    ix, iy = np.unravel_index(int(np.argmin(centre)), centre.shape)
    axis_column = (int(ix), int(iy))
    pain_parameters = PainParameters()
    nociceptor = ProbeTrace(axis_column, pain_parameters.nociceptor_depth_m, volume.z_centers_m)
    between_column = _farthest_column(volume, centres)
    between = ColumnPeak(between_column)
    between_trace = ProbeTrace(between_column, pain_parameters.nociceptor_depth_m, volume.z_centers_m)
    phase_change = _phase_change(simulation, starts, ends)
    heat = solve_voxel_bioheat(
        medium,
        None if sources else source_per_J,
        power,
        t_end,
        sources=sources,
        surface=surface,
        initial_temperature_K="steady",
        observers=[*damage.values(), nociceptor, between, between_trace],
        max_step_s=settings.max_step_s,
        store_times_s=[t for t in settings.store_times_s if t <= t_end],
        threads=settings.threads,
        water_kg_per_m3=_water_map(simulation, volume, simulation.inclusions),
        phase_change=phase_change,
        water_absorption_share=_water_share_map(simulation, setup, simulation.inclusions),
    )
    columns = VoxelColumns(volume.shape, volume.voxel_m, centre)
    omega = {key: d.omega for key, d in damage.items()}
    peak = heat.peak_temperature_K
    summary = _summary(simulation, setup, volume, columns, omega, peak, heat, nociceptor, transport)
    note = _pyrolysis_note(peak, volume, phase_change)
    if note is not None:
        summary["pyrolysis_note"] = note  # Simulation.run turns it into within_model_validity = false (QA8 #2)
    for key, note in (("depth_note", _floor_note(summary, omega, volume)), ("lattice_note", setup.lattice_note)):
        if note is not None:
            summary[key] = note
    summary.update(
        _array_keys(simulation, setup, volume, omega, between, between_trace, nociceptor, heat, between_column)
    )
    summary.update(firing)
    fields = {
        "source_per_J": source_per_J,
        "peak_temperature_K": peak,
        **{f"omega_{key}": value for key, value in omega.items()},
    }
    dataset = _dataset(simulation, volume, heat, fields, nociceptor, between_trace, summary)
    skin_geometry = simulation.geometry()
    return VoxelResult(
        summary=summary,
        dataset=dataset,
        grid=None,
        layer_names=list(skin_geometry.layer_names),
        layer_bottoms_m=np.asarray(skin_geometry.layer_bottoms_m),
        transport=transport,
        volume=volume,
        fields=fields,
    )


def _merged_intervals(starts, ends) -> tuple[np.ndarray, np.ndarray]:
    """The union of the intervals [start, end) as sorted, disjoint (starts, ends)."""
    merged: list[list[float]] = []
    for a, b in sorted(zip(np.ravel(starts).tolist(), np.ravel(ends).tolist())):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return np.array([m[0] for m in merged]), np.array([m[1] for m in merged])


def _sites_in_turn(simulation, setup, starts, ends, power_W):
    """Light and heat sources of lattice sites fired in turn (``order`` raster / random).

    One absorbed map per site and joule (:func:`laserskin.transport.voxel_sites.site_maps`: one
    Monte Carlo translated to every site in a laterally uniform volume, else one per site), each
    site firing the simulated pulse train (one pulse's energy per pulse, as every site of the
    simultaneous pattern) ``site_interval`` after the previous site; the surface cooling runs
    around every site's pulses. Returns the heat solver's inputs and the summary keys.
    """
    settings, geometry = simulation.settings, setup.geometry
    centres = setup.source.centers_m
    order = firing_order(centres, geometry.order, geometry.order_seed)
    size = len(centres) * setup.volumes[0][1].labels.size
    if size > MAX_SITE_MAP_VALUES:
        raise InputError(
            "geometry.order",
            geometry.order,
            f"at most {MAX_SITE_MAP_VALUES:.0e} site-map values (sites × voxels; here {len(centres)} × "
            f'{setup.volumes[0][1].labels.size}): fewer sites or voxels, or order = "simultaneous"',
        )
    transport, maps, methods = [], None, set()
    for weight, volume in setup.volumes:
        site, runs, method = site_maps(
            volume,
            setup.source.beam,
            centres,
            settings.photons,
            settings.seed,
            threads=settings.threads,
            progress=simulation.progress,
        )
        transport.append(runs[0])
        methods.add(method)
        maps = [weight * m for m in site] if maps is None else [a + weight * m for a, m in zip(maps, site)]
    assert maps is not None  # voxel_setup: a volume per wavelength of the laser, at least one
    interval = float(geometry.site_interval_s)
    sources, all_starts, all_ends = [], [], []
    for rank, k in enumerate(order):
        shift = rank * interval
        sources.append((maps[k], Schedule.pulse_train(starts + shift, ends - starts, power_W)))
        all_starts.append(starts + shift)
        all_ends.append(ends + shift)
    pulse_starts, pulse_ends = _merged_intervals(np.concatenate(all_starts), np.concatenate(all_ends))
    t_end = float(pulse_ends.max()) + settings.relaxation_s
    surface = simulation.cooling.surface_boundary(pulse_starts, pulse_ends, t_end)
    source_per_J = sum(maps) / len(maps)  # per joule into the whole pattern, as the simultaneous map
    firing = {
        "firing": {
            "order": geometry.order,
            "site_interval_s": interval,
            "sites": len(centres),
            "site_maps": "translated" if methods == {"translate"} else "per-site",
            "duration_s": float(pulse_ends.max()),
        }
    }
    return transport, source_per_J, None, sources, t_end, surface, firing


def _summary(simulation, setup, volume, columns, omega, peak, heat, nociceptor, transport) -> dict:
    """The r–z summary keys, read by the same damage functions from the voxel columns.

    Every tissue key reads the layers' voxels only (an inclusion's peak is in ``peak_temperature_by_region_C``): the
    epidermal keys, ``peak_dermis_temperature_C``, the collagen and the dermal injury. What each depth key measures
    (docs/voxel.md, "What the keys read"): ``denaturation_depth_um`` / ``coagulation_depth_um`` — collagen Ω ≥ 1
    anywhere, the shallowest top and the deepest bottom over all columns (the deepest coagulated column);
    ``residual_damage_depth_um`` — Henriques Ω ≥ 1 contiguous with the surface, the deepest column;
    ``dermal_injury_depth_um``, ``dermal_injury_fraction``, ``dermal_injury`` — Henriques Ω ≥ 1 in the dermis on
    the axis column (column 0: nearest the beam's centre or the first lattice site; under uniform light the
    volume's centre), its share of the dermis thickness and the grade from that share;
    ``dermal_injury_volume_mm3`` and ``denatured_volume_mm3`` — summed over every layer voxel."""
    laser, settings = simulation.laser, simulation.settings
    geometry = simulation.geometry()
    z = volume.z_centers_m
    epidermis = z < geometry.junction_depth_m
    dermis = (z >= geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    if not epidermis.any() or not dermis.any():
        raise InputError(
            "geometry.voxel",
            f"{volume.voxel_m * 1e6:g} um",
            f"voxels fine and deep enough to hold the epidermis ({geometry.junction_depth_m * 1e6:.0f} um) "
            "and some dermis",
        )
    fractional_array = laser.is_fractional and volume.periodic
    spot_radius = (
        columns.r_max_m if fractional_array else min(columns.r_max_m, stages.treatment_beam(laser).outer_radius_m)
    )
    # the epidermal read-out reads the epidermis' own (layer) voxels only: an inclusion in the epidermal
    # depth band (a follicle's hair shaft, a vessel) is not keratinocytes (QA4 #35); its own peak is in
    # peak_temperature_by_region_C
    skin_voxels = volume.labels < volume.layer_count
    epidermal_voxels = skin_voxels & epidermis[None, None, :]
    if not epidermal_voxels.any():
        raise InputError(
            "inclusions", "the whole epidermal band", "inclusions that leave some epidermis (layer voxels) uncovered"
        )
    resting_K = float(peak.min())
    skin_omega = np.where(skin_voxels, omega["henriques"], 0.0)
    # collagen and the dermal band likewise read the layers' voxels: a follicle in the dermal depth band is
    # keratin and follicular epithelium, not dermal collagen (QA6 #3: the hair-removal example "tightened" 2.4 %)
    readout_radius = max(spot_radius, volume.voxel_m / 2)  # at least the axis column
    collagen = collagen_response(
        columns.columns(np.where(skin_voxels, omega["collagen"], 0.0)),
        columns,
        dermis_top_m=geometry.junction_depth_m,
        dermis_bottom_m=geometry.dermis_bottom_m,
        spot_radius_m=readout_radius,
    )
    injury = epidermal_injury(
        columns.columns(skin_omega),
        columns.columns(np.where(skin_voxels, peak, resting_K)),
        columns,
        junction_depth_m=geometry.junction_depth_m,
        fitzpatrick=geometry.fitzpatrick,
    )
    injured = dermal_injury(
        columns.columns(skin_omega),
        columns,
        dermis_top_m=geometry.junction_depth_m,
        dermis_bottom_m=geometry.dermis_bottom_m,
    )
    times, trace = nociceptor.trace()
    pain = pain_from_trace(times, trace, anesthetic=simulation.protocol.anesthetic)
    depth = collagen.coagulated_depth_range_um
    boiling = bool(heat.reached_boiling or peak.max() >= WATER_BOILING_K)
    tightening = collagen.tightening_percent
    if laser.is_fractional and not fractional_array:
        # one zone in an open volume, spread over the array by the r-z stages' one rule (QA14 #4; before: x pi r^2,
        # the rule the r-z stages dropped): the zone's contraction integrated over the area the read-out averaged,
        # the square columns whose centre lies inside the read-out radius (h^2 each), x zones per area
        tightening = skin_tightening_percent(tightening, columns, readout_radius, float(laser.mtz_per_m2))
    weights = [w for w, _ in setup.volumes]
    # light that leaves the box (sides of an open volume, the floor) heats nothing here; as a share of what the
    # box absorbs plus that light (an upper bound: part of it would come back to the surface) it takes the r-z
    # runs' 1 % rule and note (QA6 #3: 22 % left the hair-removal example's 3 mm floor without a note)
    lost = sum(w * t.left_volume_fraction for w, t in zip(weights, transport))
    absorbed_in_box = sum(w * t.absorbed_fraction for w, t in zip(weights, transport))
    summary = SimulationSummary(
        geometry="voxels",
        thermal_model="nonlinear" if boiling else "linear",
        thermal_model_reason=(
            "3-D voxel heat: boiling plateau with latent heat, no ablation in 3-D (wet-tissue rho c and k, "
            "no material removal); a voxel's absorption follows the water it has left (the r-z rule "
            "mu_a/mu_a0 = 1 - s (1 - (w/w0) g(T)), s = min(water's share of mu_a, 1 - a_d), as a scaling of the "
            "fresh tissue's Monte Carlo map); "
            "unlike the r-z path, no dried-column optics: the light a dried voxel does not absorb is not "
            "re-transported deeper"
            if boiling
            else "3-D voxel heat with constant properties: no voxel reaches the boiling point (100 degC)"
        ),
        peak_temperature_C=float(peak.max() - CELSIUS_K),
        peak_epidermis_temperature_C=float(peak[epidermal_voxels].max() - CELSIUS_K),
        # the dermis' own (layer) voxels, as the epidermal keys and the dermal read-outs (QA11 F-G: the hair
        # example's 323 degC was the follicle's shaft, which peak_temperature_by_region_C reports)
        peak_dermis_temperature_C=float(np.where(skin_voxels, peak, resting_K)[:, :, dermis].max() - CELSIUS_K),
        denaturation_depth_um=pair(depth),
        denatured_volume_mm3=float(collagen.denatured_volume_mm3),
        coagulation_depth_um=0.0 if depth is None else float(depth[1]),
        # no crater in this (linear) model: 0.0, and the necrosis depth from the surface (numbers, not null)
        crater_depth_um=0.0,
        crater_depth_per_pulse_um=0.0,
        residual_damage_depth_um=_residual_damage_depth_m(columns.columns(skin_omega), columns) * 1e6,
        dermal_injury_depth_um=pair(injured.depth_range_um),
        dermal_injury_possible_depth_um=pair(injured.possible_range_um),  # no error estimate: the band (QA6 #11)
        dermal_injury_volume_mm3=injured.volume_mm3,
        dermal_injury_fraction=injured.dermis_fraction,
        dermal_injury=injured.grade,
        immediate_tightening_percent=float(tightening),
        contraction_note=run_contraction_note(  # against the range of this laser (QA15 #2b)
            simulation, float(tightening), 0.0 if depth is None else float(depth[1])
        ),
        epidermal_omega=float(injury.omega_basal),
        epidermal_injury=injury.grade,
        pigment_risk=injury.pigment_risk.level,
        pain_index=float(pain.index_without_anesthetic),
        pain_index_with_anesthetic=float(pain.index_with_anesthetic),
        anesthetic=simulation.protocol.anesthetic,
        cooling_kind=simulation.cooling.kind,
        boiling=boiling,
        **laser_keys(simulation),
        photons=settings.photons,
        seed=settings.seed,
        heat_steps=int(heat.steps),
        energy_balance_residual_J=None,  # the voxel solver keeps no surface / deep-loss ledger
        absorbed_outside_grid_fraction=float(lost),
        absorbed_outside_grid_share=outside_grid_share(lost, absorbed_in_box),
    ).to_dict()
    if fractional_array:
        # the r–z path's MTZ rule (summary.mtz_zone_extent, dermal first): necrosis in the living tissue (below the
        # stratum corneum), the collagen column in the dermis; widths and area fraction in the dermis, a zone
        # confined to the epidermis over its own cells
        living = z >= viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m)
        zone = (omega["henriques"] >= ZONE_OMEGA) & living
        coag = (omega["collagen"] >= ZONE_OMEGA) & dermis
        in_dermis = z >= geometry.junction_depth_m
        n_sites = len(setup.source.centers_m)
        mtz_depth, mtz_width, mtz_area_fraction = _zone_size(zone, in_dermis, volume, n_sites)
        coag_depth, coag_width, _ = _zone_size(coag, in_dermis, volume, n_sites)
        summary.update(
            mtz_depth_um=mtz_depth * 1e6,
            mtz_width_um=mtz_width * 1e6,
            mtz_coagulation_depth_um=coag_depth * 1e6,
            mtz_coagulation_width_um=coag_width * 1e6,
            mtz_area_fraction=mtz_area_fraction,
            denatured_volume_mm3=float(collagen.denatured_volume_mm3) / n_sites,
            dermal_injury_volume_mm3=injured.volume_mm3 / n_sites,
        )
    summary.update(
        voxels=[int(v) for v in volume.shape],
        voxel_um=volume.voxel_m * 1e6,
        boundary="periodic" if volume.periodic else "escape",
        absorbed_fraction_by_region={
            name: float(sum(w * t.absorbed_fraction_by_region[i] for w, t in zip(weights, transport)))
            for i, name in enumerate(volume.region_names)
        },
        peak_temperature_by_region_C={
            name: float(peak[volume.labels == i].max() - CELSIUS_K)
            for i, name in enumerate(volume.region_names)
            if (volume.labels == i).any()
        },
        peak_basal_temperature_C=float(injury.peak_basal_temperature_K - CELSIUS_K),
        epidermis_note=_epidermis_note(volume, geometry, epidermis, epidermal_voxels, peak),
        escaped_sides_fraction=float(sum(w * t.escaped_sides_fraction for w, t in zip(weights, transport))),
        heat_cg_iterations=int(heat.cg_iterations),
        absorbed_energy_J=float(heat.deposited_J),
        vaporised_water_mg=float(heat.vaporised_water_kg) * 1e6,
        latent_heat_J=float(heat.latent_J),
        unabsorbed_by_dried_tissue_J=float(heat.unabsorbed_J),
    )
    return summary


def _epidermis_note(
    volume, geometry, epidermis_rows: np.ndarray, epidermal_voxels: np.ndarray, peak_K: np.ndarray
) -> str | None:
    """What the epidermal keys of a voxel run leave out or cannot resolve (``epidermis_note``; None: nothing).

    Inclusion voxels in the epidermal depth band (a follicle's hair shaft) are not read as epidermis; the
    keratinocytes beside them are (a hot shaft heats them), so the note gives the epidermis' peak in the column
    farthest from them too (the epidermis heated by the light alone); voxels thicker than the stratum corneum
    put it into whole voxels (the living epidermis then absorbs less than on the r–z engine's 5 µm cells,
    docs/voxel.md), so the r–z simulation of the same laser reads the epidermis better."""
    notes = []
    band = volume.labels[:, :, epidermis_rows]
    left_out = int(band.size - np.count_nonzero(epidermal_voxels))
    junction_um = geometry.junction_depth_m * 1e6
    if left_out:
        names = [volume.region_names[int(i)] for i in np.unique(band) if i >= volume.layer_count]
        note = (
            f"the epidermal keys read the epidermis' own voxels only: {left_out} voxels of {', '.join(names)} in the "
            f"epidermal band (z < {junction_um:.0f} um) are left out (their peak: peak_temperature_by_region_C)"
        )
        inside = np.argwhere((band >= volume.layer_count).any(axis=2))
        distance = np.min(
            [_column_distance(volume, (volume.x_centers_m[i], volume.y_centers_m[j])) for i, j in inside], axis=0
        )
        far = np.unravel_index(int(np.argmax(distance)), distance.shape)
        column = epidermal_voxels[far[0], far[1]]
        if column.any():
            note += (
                f"; the epidermal keys are the worst epidermal voxel, beside them included: in the column farthest "
                f"from them ({distance[far] * 1e6:.0f} um away) the epidermis peaks at "
                f"{float(peak_K[far[0], far[1]][column].max() - CELSIUS_K):.1f} degC"
            )
        notes.append(note)
    corneum_m = viable_epidermis_top_m(geometry.layer_names, geometry.layer_bottoms_m)
    if volume.voxel_m > corneum_m > 0:
        notes.append(
            f"{volume.voxel_m * 1e6:.3g} um voxels are thicker than the {corneum_m * 1e6:.3g} um stratum corneum "
            f"and hold the {junction_um:.0f} um epidermis in {int(np.count_nonzero(epidermis_rows))} rows: read the "
            'epidermal outcome from the r-z simulation of the same laser (geometry kind = "rz")'
        )
    return "; ".join(notes) or None


#: The depth keys of a voxel summary (a ``[top, bottom]`` pair by its bottom) that read a damage zone cut off by the
#: box's floor as the box's depth (:func:`_floor_note`).
FLOOR_DEPTH_KEYS = (
    "mtz_depth_um",
    "mtz_coagulation_depth_um",
    "residual_damage_depth_um",
    "coagulation_depth_um",
    "denaturation_depth_um",
    "dermal_injury_depth_um",
    "dermal_injury_possible_depth_um",
)


#: The voxel rows next to the box's floor that a zone cut off by the floor reaches (:func:`_floor_note`): the floor
#: face is held at the resting temperature half a voxel below the bottom row's centres, coupled to them by 2k/h²,
#: twice a row's coupling to its neighbour, so the bottom row stays near rest and is hardly ever damaged (QA12 #1:
#: Henriques Ω 0.007 there, 3.6e5 one row above); the row above it is the deepest that heats. Damage in either row
#: has gone as deep as the grid lets it: its bottom is the floor's, not the tissue's.
FLOOR_ROWS = 2


def _floor_note(summary: dict, omega: dict, volume) -> str | None:
    """``depth_note`` of a run whose damage (Henriques or collagen Ω ≥ 1, the Ω the depth keys read) reaches the
    last :data:`FLOOR_ROWS` voxel rows, next to the box's floor: the depth keys that read it
    (:data:`FLOOR_DEPTH_KEYS`, those whose bottom lies in these rows) stay numbers, at most the box's depth, but are
    lower bounds only, since the floor cuts the zone off (held at the resting temperature, it also cools the tissue
    above it). QA11 #6: a zone reaching the floor of a 1 mm box read ``mtz_depth_um`` 1000.0 as its depth; QA12 #1:
    one in a 0.3 mm box read 290 um with no note, the floor row being held cool. None when these rows are
    undamaged."""
    rows = min(FLOOR_ROWS, omega["henriques"].shape[2])
    reached = [
        words
        for key, words in (("henriques", "necrosis (Henriques Omega >= 1)"), ("collagen", "coagulated collagen"))
        if (omega[key][:, :, -rows:] >= ZONE_OMEGA).any()
    ]
    if not reached:
        return None
    voxel_um = volume.voxel_m * 1e6
    floor_um = volume.size_m[2] * 1e6
    reach_um = floor_um - (rows - 0.5) * voxel_um - 0.01 * voxel_um  # the centre of the highest of these rows
    keys = []
    for key in FLOOR_DEPTH_KEYS:
        value = summary.get(key)
        bottom = value[-1] if isinstance(value, list) and value else value
        if isinstance(bottom, float | int) and bottom >= reach_um:
            keys.append(key)
    read = f"{', '.join(keys)} end at the floor: the depth is at least this" if keys else "the damage goes deeper"
    return (
        f"{' and '.join(reached)} reaches the floor of the voxel box at {floor_um:.0f} um (its last {rows} voxel "
        f"rows): {read} (the floor, held at the resting temperature, cuts the zone off and cools the tissue above "
        "it); make geometry.size[2] deeper than the damage"
    )


def _residual_damage_depth_m(henriques: np.ndarray, columns: VoxelColumns) -> float:
    """``residual_damage_depth_um`` of a voxel run, m: Henriques Ω ≥ 1 contiguous from the (intact) surface
    (:func:`laserskin.pipeline.ablative.residual_damage_depth_m`), the deepest over the columns that are damaged
    at the surface (the r–z path reads its axis; here a follicle or a lattice has no one axis). Inclusion voxels
    count as Ω = 0 (as in the epidermal read-out). Only the columns whose first voxel reaches Ω = 1 are read."""
    from laserskin.pipeline.ablative import residual_damage_depth_m

    hot = np.flatnonzero(henriques[:, 0] >= 1.0)
    return max((residual_damage_depth_m(henriques, columns, 0.0, column=int(i)) for i in hot), default=0.0)


def _zone_size(zone: np.ndarray, in_dermis: np.ndarray, volume, sites: int) -> tuple[float, float, float]:
    """Depth (m), width (the diameter of the circle of its widest x–y section per site, m) and area fraction (the
    share of the surface above it) of the zones of a periodic cell, the widths and area read on the cells of the
    r–z path's rule, dermal first (:func:`laserskin.pipeline.summary.mtz_zone_extent`; ``in_dermis`` on depth)."""
    depth, read = mtz_zone_extent(zone, np.arange(volume.shape[2] + 1) * volume.voxel_m, in_dermis)
    if not read.any():
        return 0.0, 0.0, 0.0
    area = read.sum(axis=(0, 1)).max() * volume.voxel_m**2 / sites
    return depth, 2.0 * math.sqrt(area / math.pi), float(read.any(axis=2).mean())


def _array_keys(simulation, setup, volume, omega, between, between_trace, nociceptor, heat, column) -> dict:
    """Between-zone keys of a periodic array (``None`` for a single spot)."""
    if not volume.periodic or setup.geometry.illumination == "uniform":
        return {"array": None}
    geometry = simulation.geometry()
    z = volume.z_centers_m
    dermis = (z >= geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    times, trace = between_trace.trace()
    between_pain = pain_from_trace(times, trace, anesthetic=simulation.protocol.anesthetic)
    lx, ly, _ = volume.size_m
    cell_area = lx * ly
    sites = len(setup.source.centers_m)
    spacing = math.sqrt(cell_area / sites)
    henriques = omega["henriques"]
    return {
        "array": {
            "lattice": setup.geometry.lattice,
            "zones_per_cm2": sites / cell_area * 1e-4,
            "spacing_um": spacing * 1e6,
            "bulk_rise_K": float(between.peak_rise_K[dermis].max()),
            "bulk_rise_depth_um": float(z[dermis][int(np.argmax(between.peak_rise_K[dermis]))] * 1e6),
            "between_zones_peak_temperature_C": float(heat.peak_temperature_K[column].max() - CELSIUS_K),
            "between_zones_omega": float(np.nanmax(henriques[column])),
            "zones_overlap": bool(np.nanmax(henriques[column]) >= ZONE_OMEGA),
            "between_zones_pain_index": float(between_pain.index_without_anesthetic),
            "between_zones_nociceptor_peak_C": float(trace.max() - CELSIUS_K),
            "zone_nociceptor_peak_C": float(np.max(nociceptor.trace()[1]) - CELSIUS_K),
        }
    }


def _dataset(simulation, volume, heat, fields, nociceptor, between_trace, summary):
    """Fields on x, y, z with units and the provenance of the r–z path."""
    import xarray as xr

    coords = {
        "x": ("x", volume.x_centers_m, {"units": "m", "long_name": "x (voxel centre), 0 at the volume's centre"}),
        "y": ("y", volume.y_centers_m, {"units": "m", "long_name": "y (voxel centre), 0 at the volume's centre"}),
        "z": ("z", volume.z_centers_m, {"units": "m", "long_name": "depth below the surface (voxel centre)"}),
        "time": ("time", nociceptor.trace()[0], {"units": "s"}),
        "region": ("region", np.array(volume.region_names, dtype=object)),
    }
    xyz = ("x", "y", "z")
    data = {
        "labels": (xyz, volume.labels, {"units": "1", "long_name": "region index per voxel"}),
        "source_per_J": (xyz, fields["source_per_J"], {"units": "1/m^3", "long_name": "absorbed energy per J"}),
        "peak_temperature": (xyz, fields["peak_temperature_K"], {"units": "K"}),
        "initial_temperature": (xyz, heat.initial_temperature_K, {"units": "K", "long_name": "resting steady state"}),
        "final_temperature": (xyz, heat.temperature_K, {"units": "K"}),
        "nociceptor_temperature": (("time",), nociceptor.trace()[1], {"units": "K", "long_name": "under the beam"}),
        "between_zones_nociceptor_temperature": (("time",), between_trace.trace()[1], {"units": "K"}),
    }
    for key, value in fields.items():
        if key.startswith("omega_"):
            data[key] = (xyz, value, {"units": "1", "long_name": f"Arrhenius Ω ({key[6:]})"})
    data["denatured_fraction"] = (xyz, -np.expm1(-fields["omega_collagen"]), {"units": "1"})
    if heat.stored_times_s.size:
        coords["store_time"] = ("store_time", heat.stored_times_s, {"units": "s"})
        data["temperature"] = (("store_time", *xyz), heat.stored_temperature_K, {"units": "K"})
    dataset = xr.Dataset(data, coords=coords)
    dataset.attrs.update(provenance(simulation, summary))
    dataset.attrs["geometry"] = "voxels"
    dataset.attrs["geometry_table"] = json.dumps(simulation.voxel_geometry.model_dump(mode="json", by_alias=True))
    dataset.attrs["inclusions"] = json.dumps(
        [inclusion.model_dump(mode="json", by_alias=True) for inclusion in simulation.inclusions]
    )
    return dataset
