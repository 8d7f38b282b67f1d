"""3-D voxel Monte Carlo light transport: volume, sources, driver and result.

A :class:`VoxelVolume` is a label array (one medium per voxel, cubic voxels) plus a table
of optical media; :class:`VoxelSource` places a pencil, flat-top or Gaussian beam (or a
lattice of them, or a uniform irradiation of the whole top face) at normal incidence.
:func:`simulate_voxel_transport` runs the kernel of :mod:`laserskin.transport.voxel_kernel`
in batches with independent xoshiro256** streams (:mod:`laserskin.transport.rng`), each with
private tallies added in batch order, so a given seed gives bit-identical results on any
number of threads, exactly like the r–z engine.

Coordinates: x and y are 0 at the centre of the volume, z = 0 at the surface, pointing in.
Everything is per incident joule.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from laserskin import __version__
from laserskin.core.callbacks import Callback, as_callback
from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.transport.beam import BEAM_KIND_CODES, Beam
from laserskin.transport.driver import check_threads, numba_threads
from laserskin.transport.result import outside_grid_share
from laserskin.transport.rng import batch_state
from laserskin.transport.statistics import _ratio_stderr, batch_sizes
from laserskin.transport.voxel_kernel import (
    ABS,
    BEAM_UNIFORM,
    NSCALAR,
    RD,
    ROUL,
    SIDE,
    SPEC,
    TT,
    reduce_voxel_wave,
    run_voxel_wave,
)

VOXEL_KERNEL_VERSION = "1"
"""Bumped whenever the voxel kernel's output for given inputs changes."""
MAX_PHOTONS = 10_000_000_000
MAX_MEDIA = 255
WAVE_MEMORY_BYTES = 256 * 2**20
"""Upper bound on the private tally slots (fewer slots on huge grids)."""
MAX_SLOTS = 8
"""Private tally slots: batches run in rounds of this many, batch j of a round adding to slot j.
Fixed by the grid size alone, so results never depend on the thread count; more slots than
threads keeps every thread busy."""


@dataclass(frozen=True)
class Medium:
    """Optical properties of one medium (a region of the volume), SI units."""

    name: str
    n: float
    mua_per_m: float
    mus_per_m: float
    g: float

    def __post_init__(self) -> None:
        if not 1.0 <= self.n <= 4.0:
            raise InputError(f"{self.name}.n", self.n, "1 to 4")
        if not (self.mua_per_m >= 0.0 and math.isfinite(self.mua_per_m)):
            raise InputError(f"{self.name}.mua", self.mua_per_m, ">= 0 1/m, finite")
        if not (self.mus_per_m >= 0.0 and math.isfinite(self.mus_per_m)):
            raise InputError(f"{self.name}.mus", self.mus_per_m, ">= 0 1/m, finite")
        if not -1.0 < self.g < 1.0:
            raise InputError(f"{self.name}.g", self.g, "-1 < g < 1")


@dataclass(frozen=True, eq=False)
class VoxelVolume:
    """Cubic voxels of side ``voxel_m`` labelled with media.

    Parameters
    ----------
    labels : ndarray of uint8, shape (nx, ny, nz)
        Medium index of each voxel (``labels[ix, iy, iz]``; iz = 0 at the surface).
    voxel_m : float
        Voxel side in m.
    media : tuple of Medium
        ``media[k]`` fills the voxels labelled ``k``; each medium is one region of the
        ``absorbed_fraction_by_region`` tally.
    n_above, n_below : float
        Refractive indices outside the top and bottom faces (Fresnel there always).
    periodic : bool
        Side faces wrap around (periodic in x and y) instead of letting packets escape.
    fresnel_between_media : bool
        Reflect/refract at faces between media of different refractive index.
    layer_count : int
        The first ``layer_count`` media are layers (reported as ``absorbed_fraction_by_layer``).
    """

    labels: np.ndarray
    voxel_m: float
    media: tuple[Medium, ...]
    n_above: float = 1.0
    n_below: float = 1.0
    periodic: bool = False
    fresnel_between_media: bool = True
    layer_count: int = 0
    description: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        labels = np.ascontiguousarray(self.labels, dtype=np.uint8)
        if labels.ndim != 3 or min(labels.shape) < 1:
            raise InputError("labels", labels.shape, "a 3-D array (nx, ny, nz) of medium indices")
        if not (self.voxel_m > 0 and math.isfinite(self.voxel_m)):
            raise InputError("voxel", self.voxel_m, "> 0 m")
        if not 1 <= len(self.media) <= MAX_MEDIA:
            raise InputError("media", len(self.media), f"1 to {MAX_MEDIA} media")
        if int(labels.max()) >= len(self.media):
            raise InputError("labels", int(labels.max()), f"medium indices below {len(self.media)}")
        names = [m.name for m in self.media]
        if len(set(names)) != len(names):
            raise InputError("media", names, "distinct region names")
        for name, value in (("n_above", self.n_above), ("n_below", self.n_below)):
            if not 1.0 <= value <= 4.0:
                raise InputError(name, value, "1 to 4")
        labels.setflags(write=False)
        object.__setattr__(self, "labels", labels)

    @property
    def shape(self) -> tuple[int, int, int]:
        nx, ny, nz = self.labels.shape  # 3-D (__post_init__)
        return int(nx), int(ny), int(nz)

    @property
    def size_m(self) -> tuple[float, float, float]:
        """Extent (x, y, z) in m."""
        nx, ny, nz = self.shape
        return nx * self.voxel_m, ny * self.voxel_m, nz * self.voxel_m

    @property
    def region_names(self) -> list[str]:
        return [m.name for m in self.media]

    @cached_property
    def x_centers_m(self) -> np.ndarray:
        nx = self.shape[0]
        return (np.arange(nx) + 0.5 - 0.5 * nx) * self.voxel_m

    @cached_property
    def y_centers_m(self) -> np.ndarray:
        ny = self.shape[1]
        return (np.arange(ny) + 0.5 - 0.5 * ny) * self.voxel_m

    @cached_property
    def z_centers_m(self) -> np.ndarray:
        return (np.arange(self.shape[2]) + 0.5) * self.voxel_m

    @property
    def voxel_volume_m3(self) -> float:
        return self.voxel_m**3

    def media_arrays(self) -> dict[str, np.ndarray]:
        """Per-medium property arrays (SI)."""
        return {
            "n": np.array([m.n for m in self.media], dtype=np.float64),
            "mua_per_m": np.array([m.mua_per_m for m in self.media], dtype=np.float64),
            "mus_per_m": np.array([m.mus_per_m for m in self.media], dtype=np.float64),
            "g": np.array([m.g for m in self.media], dtype=np.float64),
        }

    def with_media(self, media: tuple[Medium, ...]) -> VoxelVolume:
        """The same labels with other media (e.g. at another wavelength)."""
        return VoxelVolume(
            self.labels,
            self.voxel_m,
            tuple(media),
            self.n_above,
            self.n_below,
            self.periodic,
            self.fresnel_between_media,
            self.layer_count,
            dict(self.description),
        )


@dataclass(frozen=True)
class VoxelSource:
    """Where and how light enters the top face (normal incidence).

    ``beam`` is a pencil, flat-top or Gaussian :class:`~laserskin.transport.Beam` fired at
    each of ``centers_m`` ((x, y) in m, x = y = 0 at the volume's centre) with an equal
    share of the energy (packet ``i`` goes to centre ``i mod len(centers_m)``; the order
    is the firing order, which matters to heat, not to light). ``beam = None`` lights the
    whole top face uniformly (with periodic sides: an infinitely wide flat beam), or, with
    ``rectangle_m = (wx, wy)``, a uniformly lit ``wx × wy`` rectangle centred on each centre
    (mcxyz's square source).
    """

    beam: Beam | None = None
    centers_m: tuple[tuple[float, float], ...] = ((0.0, 0.0),)
    rectangle_m: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.beam is not None and not isinstance(self.beam, Beam):
            raise InputError("source.beam", type(self.beam).__name__, "a laserskin.transport.Beam or None")
        if self.rectangle_m is not None:
            if self.beam is not None:
                raise InputError("source.rectangle", self.rectangle_m, "a rectangle only without a beam")
            if len(self.rectangle_m) != 2 or not all(v > 0 for v in self.rectangle_m):
                raise InputError("source.rectangle", self.rectangle_m, "two widths > 0 m (x, y)")
        centers = tuple((float(x), float(y)) for x, y in self.centers_m)
        if not centers:
            raise InputError("source.centers", centers, "at least one beam centre")
        object.__setattr__(self, "centers_m", centers)

    @classmethod
    def uniform(cls) -> VoxelSource:
        """Uniform irradiation of the whole top face."""
        return cls(beam=None)

    @classmethod
    def spot(cls, beam: Beam, x_m: float = 0.0, y_m: float = 0.0) -> VoxelSource:
        """One beam centred at (x, y)."""
        return cls(beam=beam, centers_m=((x_m, y_m),))


# --------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class VoxelTransportResult:
    """Voxel Monte Carlo result; fractions of the incident energy with batch standard errors.

    ``specular + Rd + Tt + A + escaped_sides − roulette_balance = 1`` to rounding.
    Maps: ``absorbed_energy_density_per_J`` (nx, ny, nz; J/m³ per incident J, the collision
    tally: sums exactly to the absorbed fraction) and ``fluence_per_J`` (J/m² per J, the
    track-length estimator Σ w ℓ / V: defined in every voxel, also where μa = 0),
    ``diffuse_reflectance_per_area`` and ``transmittance_per_area`` (nx, ny; 1/m²).
    """

    volume: VoxelVolume
    source: VoxelSource
    photons: int
    seed: int
    threads: int
    batches: int
    specular_reflectance: float
    specular_reflectance_stderr: float
    diffuse_reflectance: float
    diffuse_reflectance_stderr: float
    total_transmittance: float
    total_transmittance_stderr: float
    absorbed_fraction: float
    absorbed_fraction_stderr: float
    escaped_sides_fraction: float
    escaped_sides_fraction_stderr: float
    roulette_balance: float
    roulette_balance_stderr: float
    absorbed_fraction_by_region: np.ndarray
    absorbed_fraction_by_region_stderr: np.ndarray
    absorbed_energy_density_per_J: np.ndarray
    fluence_per_J: np.ndarray
    diffuse_reflectance_per_area: np.ndarray
    transmittance_per_area: np.ndarray
    photons_per_second: float
    wall_time_s: float
    version: str = __version__
    kernel_version: str = VOXEL_KERNEL_VERSION

    @cached_property
    def absorbed_energy_density_track_per_J(self) -> np.ndarray:
        """μa × track-length fluence (1/m³ per J): the same expectation as the collision tally
        ``absorbed_energy_density_per_J``, smoother in voxels few packets interact in."""
        mua = self.volume.media_arrays()["mua_per_m"][self.volume.labels]
        return mua * self.fluence_per_J

    def energy_balance(self) -> float:
        """``specular + Rd + Tt + A + sides − roulette − 1``: zero to rounding."""
        return (
            self.specular_reflectance
            + self.diffuse_reflectance
            + self.total_transmittance
            + self.absorbed_fraction
            + self.escaped_sides_fraction
            - self.roulette_balance
            - 1.0
        )

    @property
    def left_volume_fraction(self) -> float:
        """Light that leaves the volume through its floor (``total_transmittance``) and open sides
        (``escaped_sides_fraction``): tissue below or beside the box would absorb part of it, and none of it
        heats the box. The voxel twin of the r–z ``absorbed_outside_grid_fraction`` (QA11 F-F)."""
        return float(self.total_transmittance + self.escaped_sides_fraction)

    @property
    def absorbed_outside_grid_share(self) -> float:
        """Share of the light the tissue would absorb that falls outside the volume, at most: the light leaving it
        over itself plus what the box absorbs (:func:`~laserskin.transport.result.outside_grid_share`, the rule of
        the r–z runs too)."""
        return outside_grid_share(self.left_volume_fraction, float(self.absorbed_fraction))

    def absorbed_by_region(self) -> dict[str, float]:
        return {name: float(v) for name, v in zip(self.volume.region_names, self.absorbed_fraction_by_region)}

    def depth_profile_per_J(self) -> np.ndarray:
        """Absorbed energy per depth slice and incident joule, per m of depth (1/m), shape (nz,)."""
        h = self.volume.voxel_m
        return self.absorbed_energy_density_per_J.sum(axis=(0, 1)) * h * h

    def summary(self) -> dict:
        """Scalars as plain Python values: the r–z keys plus the region tally and the side losses."""
        k = self.volume.layer_count
        names = self.volume.region_names
        return {
            "geometry": "voxels",
            "specular_reflectance": float(self.specular_reflectance),
            "specular_reflectance_stderr": float(self.specular_reflectance_stderr),
            "diffuse_reflectance": float(self.diffuse_reflectance),
            "diffuse_reflectance_stderr": float(self.diffuse_reflectance_stderr),
            "total_transmittance": float(self.total_transmittance),
            "total_transmittance_stderr": float(self.total_transmittance_stderr),
            "absorbed_fraction": float(self.absorbed_fraction),
            "absorbed_fraction_stderr": float(self.absorbed_fraction_stderr),
            "absorbed_fraction_by_layer": [float(v) for v in self.absorbed_fraction_by_region[:k]],
            "absorbed_fraction_by_layer_stderr": [float(v) for v in self.absorbed_fraction_by_region_stderr[:k]],
            "absorbed_fraction_by_region": {n: float(v) for n, v in zip(names, self.absorbed_fraction_by_region)},
            "absorbed_fraction_by_region_stderr": {
                n: float(v) for n, v in zip(names, self.absorbed_fraction_by_region_stderr)
            },
            # the light through the floor and open sides, and its share, as `simulate` of the same volume reports
            # them (QA11 F-F: 0.0 before, where simulate said 8.9 % for examples/fractional_array_1550.toml)
            "absorbed_outside_grid_fraction": self.left_volume_fraction,
            "absorbed_outside_grid_share": self.absorbed_outside_grid_share,
            "escaped_sides_fraction": float(self.escaped_sides_fraction),
            "escaped_sides_fraction_stderr": float(self.escaped_sides_fraction_stderr),
            "roulette_balance": float(self.roulette_balance),
            "roulette_balance_stderr": float(self.roulette_balance_stderr),
            "photons": int(self.photons),
            "seed": int(self.seed),
            "threads": int(self.threads),
            "batches": int(self.batches),
            "voxels": [int(v) for v in self.volume.shape],
            "voxel_m": float(self.volume.voxel_m),
            "boundary": "periodic" if self.volume.periodic else "escape",
            "photons_per_second": float(self.photons_per_second),
            "wall_time_s": float(self.wall_time_s),
        }

    def to_dataset(self):
        """The result as an :class:`xarray.Dataset` with x, y, z coordinates (m) and units."""
        import json

        import xarray as xr

        v = self.volume
        coords = {
            "x": ("x", v.x_centers_m, {"units": "m", "long_name": "x (voxel centre), 0 at the volume's centre"}),
            "y": ("y", v.y_centers_m, {"units": "m", "long_name": "y (voxel centre), 0 at the volume's centre"}),
            "z": ("z", v.z_centers_m, {"units": "m", "long_name": "depth below the surface (voxel centre)"}),
            "region": ("region", np.array(v.region_names, dtype=object), {"long_name": "medium / region name"}),
        }
        data_vars = {
            "labels": (("x", "y", "z"), v.labels, {"units": "1", "long_name": "medium index per voxel"}),
            "absorbed_energy_density_per_J": (
                ("x", "y", "z"),
                self.absorbed_energy_density_per_J,
                {"units": "1/m^3", "long_name": "absorbed energy density per incident joule"},
            ),
            "fluence_per_J": (("x", "y", "z"), self.fluence_per_J, {"units": "1/m^2", "long_name": "fluence per J"}),
            "diffuse_reflectance_per_area": (
                ("x", "y"),
                self.diffuse_reflectance_per_area,
                {"units": "1/m^2", "long_name": "Rd(x, y) per J"},
            ),
            "transmittance_per_area": (
                ("x", "y"),
                self.transmittance_per_area,
                {"units": "1/m^2", "long_name": "Tt(x, y) per J"},
            ),
            "absorbed_fraction_by_region": (("region",), self.absorbed_fraction_by_region, {"units": "1"}),
            "absorbed_fraction_by_region_stderr": (
                ("region",),
                self.absorbed_fraction_by_region_stderr,
                {"units": "1"},
            ),
        }
        attrs = {
            "title": "laserskin voxel Monte Carlo light transport",
            "laserskin_version": self.version,
            "kernel_version": self.kernel_version,
            "summary": json.dumps(self.summary()),
            "normalisation": "per incident joule of the beam",
        }
        return xr.Dataset(data_vars=data_vars, coords=coords, attrs=attrs)


# --------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------
def _check(volume, source, photons, seed, threads) -> int:
    if not isinstance(volume, VoxelVolume):
        raise InputError("volume", type(volume).__name__, "a laserskin.transport.voxel.VoxelVolume")
    if not isinstance(source, VoxelSource):
        raise InputError("source", type(source).__name__, "a laserskin.transport.voxel.VoxelSource")
    if isinstance(photons, bool) or not isinstance(photons, (int, np.integer)) or not 1 <= photons <= MAX_PHOTONS:
        raise InputError("photons", photons, f"an integer from 1 to {MAX_PHOTONS:.0e}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InputError("seed", seed, "an integer from 0 to 2**63 - 1")
    threads = check_threads(threads)
    if not volume.periodic and (source.beam is not None or source.rectangle_m is not None):
        lx, ly, _ = volume.size_m
        if source.beam is not None:
            ox = oy = source.beam.outer_radius_m
        else:
            assert source.rectangle_m is not None  # (the test above: a beam or a rectangle)
            ox, oy = 0.5 * source.rectangle_m[0], 0.5 * source.rectangle_m[1]
        for x, y in source.centers_m:
            if abs(x) + ox > 0.5 * lx * (1 + 1e-12) or abs(y) + oy > 0.5 * ly * (1 + 1e-12):
                raise InputError(
                    "source",
                    f"beam at ({x * 1e3:.4g}, {y * 1e3:.4g}) mm, half-widths {ox * 1e3:.4g} × {oy * 1e3:.4g} mm",
                    f"inside the top face ±{0.5 * lx * 1e3:.4g} mm × ±{0.5 * ly * 1e3:.4g} mm (or periodic sides)",
                )
    return int(threads)


def _kernel_args(volume: VoxelVolume, source: VoxelSource) -> tuple:
    h = volume.voxel_m
    props = volume.media_arrays()
    mut = (props["mua_per_m"] + props["mus_per_m"]) * h  # per voxel length
    with np.errstate(divide="ignore", invalid="ignore"):
        absfrac = np.where(mut > 0, props["mua_per_m"] * h / mut, 0.0)
    nx, ny, _ = volume.shape
    if source.beam is None:
        kind = BEAM_UNIFORM
        if source.rectangle_m is None:
            width, outer = 0.5 * nx, 0.5 * ny
        else:
            width, outer = 0.5 * source.rectangle_m[0] / h, 0.5 * source.rectangle_m[1] / h
    else:
        kind, width, outer = source.beam.kernel_parameters()
        width /= h
        outer /= h
    spots = np.array(source.centers_m, dtype=np.float64).reshape(-1, 2)
    spot_x = np.ascontiguousarray(spots[:, 0] / h + 0.5 * nx)
    spot_y = np.ascontiguousarray(spots[:, 1] / h + 0.5 * ny)
    beam = (int(kind), float(width), float(outer), spot_x, spot_y)
    geometry = (
        volume.labels,
        bool(volume.periodic),
        float(volume.n_above),
        float(volume.n_below),
        bool(volume.fresnel_between_media),
    )
    media = (props["n"], np.ascontiguousarray(mut), np.ascontiguousarray(absfrac), props["g"])
    return beam, geometry, media


_WARM = False


def _warm_up() -> None:
    """Load (or compile) the kernels on a tiny problem so that timings exclude compilation."""
    global _WARM
    if _WARM:
        return
    volume = VoxelVolume(np.zeros((2, 2, 2), dtype=np.uint8), 1e-4, (Medium("m", 1.0, 100.0, 100.0, 0.5),))
    _run(volume, VoxelSource(beam=Beam(kind="pencil")), 2, 0, 1, Callback())
    _WARM = True


def _run(volume, source, photons, seed, threads, progress):
    beam, geometry, media = _kernel_args(volume, source)
    sizes = batch_sizes(photons)
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    batches = sizes.size
    nx, ny, nz = volume.shape
    per_slot = 8 * (2 * nx * ny * nz + 2 * nx * ny)
    wave = int(max(1, min(batches, MAX_SLOTS, WAVE_MEMORY_BYTES // per_slot)))  # never from the thread count
    slot_abs = np.zeros((wave, nx, ny, nz, 2))  # absorbed weight and track length share a cache line
    slot_rd = np.zeros((wave, nx, ny))
    slot_tt = np.zeros((wave, nx, ny))
    tot_abs = np.zeros((nx, ny, nz, 2))
    tot_rd = np.zeros((nx, ny))
    tot_tt = np.zeros((nx, ny))
    scalars = np.zeros((batches, NSCALAR))
    region = np.zeros((batches, len(volume.media)))
    start = time.perf_counter()
    done = 0
    for first in range(0, batches, wave):
        count = min(wave, batches - first)
        states = np.stack([batch_state(seed, b) for b in range(first, first + count)])
        # ignore[call-arg]: mypy cannot place the arguments after a star-unpacked tuple of unknown length
        run_voxel_wave(  # type: ignore[call-arg]
            firsts[first : first + count],
            sizes[first : first + count],
            states,
            *beam,
            *geometry,
            *media,
            slot_abs,
            slot_rd,
            slot_tt,
            scalars[first : first + count],
            region[first : first + count],
        )
        done += int(sizes[first : first + count].sum())
        progress.on_progress("transport", done, time.perf_counter() - start)
    reduce_voxel_wave(wave, slot_abs, slot_rd, slot_tt, tot_abs, tot_rd, tot_tt)
    return sizes, scalars, region, tot_abs, tot_rd, tot_tt, time.perf_counter() - start


def simulate_voxel_transport(
    volume: VoxelVolume,
    source: VoxelSource,
    photons: int,
    seed: int,
    threads: int | None = None,
    progress: Callback | None = None,
) -> VoxelTransportResult:
    """Monte Carlo light transport in a voxel volume (MCML physics on voxels, as mcxyz).

    Parameters
    ----------
    volume : VoxelVolume
        Labelled voxels and their media.
    source : VoxelSource
        Beam(s) at normal incidence on the top face.
    photons : int
        Photon packets, 1 to 1e10.
    seed : int
        Random seed; the same seed and photon count give bit-identical results on any
        number of threads.
    threads : int, optional
        Worker threads (default: all numba may use).
    progress : Callback, optional
        ``on_start``/``on_progress``/``on_end`` of the "transport" stage.

    Returns
    -------
    VoxelTransportResult
    """
    cite("wang1995mcml", "henyey1941", "blackman2021xoshiro", "jacques2017mcxyz")
    threads = _check(volume, source, photons, seed, threads)
    progress = as_callback(progress)
    photons = int(photons)
    seed = int(seed)
    with numba_threads(threads) as clock:
        _warm_up()
        progress.on_start("transport", float(photons), "photons")
        sizes, scalars, region, tot_abs, tot_rd, tot_tt, kernel_s = _run(
            volume, source, photons, seed, threads, progress
        )
    wall = clock.wall_time_s
    progress.on_end("transport", wall)
    n = float(photons)
    se = _ratio_stderr(scalars, sizes)
    se_region = _ratio_stderr(region, sizes)
    h = volume.voxel_m
    return VoxelTransportResult(
        volume=volume,
        source=source,
        photons=photons,
        seed=seed,
        threads=threads,
        batches=int(sizes.size),
        specular_reflectance=float(scalars[:, SPEC].sum() / n),
        specular_reflectance_stderr=float(se[SPEC]),
        diffuse_reflectance=float(scalars[:, RD].sum() / n),
        diffuse_reflectance_stderr=float(se[RD]),
        total_transmittance=float(scalars[:, TT].sum() / n),
        total_transmittance_stderr=float(se[TT]),
        absorbed_fraction=float(scalars[:, ABS].sum() / n),
        absorbed_fraction_stderr=float(se[ABS]),
        escaped_sides_fraction=float(scalars[:, SIDE].sum() / n),
        escaped_sides_fraction_stderr=float(se[SIDE]),
        roulette_balance=float(scalars[:, ROUL].sum() / n),
        roulette_balance_stderr=float(se[ROUL]),
        absorbed_fraction_by_region=region.sum(axis=0) / n,
        absorbed_fraction_by_region_stderr=se_region,
        absorbed_energy_density_per_J=tot_abs[..., 0] / (n * h**3),
        fluence_per_J=tot_abs[..., 1] / (n * h * h),
        diffuse_reflectance_per_area=tot_rd / (n * h * h),
        transmittance_per_area=tot_tt / (n * h * h),
        photons_per_second=n / kernel_s if kernel_s > 0 else math.inf,
        wall_time_s=wall,
    )


__all__ = [
    "BEAM_KIND_CODES",
    "Medium",
    "VoxelSource",
    "VoxelTransportResult",
    "VoxelVolume",
    "simulate_voxel_transport",
]
