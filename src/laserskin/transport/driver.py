"""Driver of the r–z Monte Carlo: input checks, kernel inputs, waves of batches, the result.

See :mod:`laserskin.transport.kernel` for the physics and :mod:`laserskin.transport.kernel`
for the compiled kernel.
"""

from __future__ import annotations

import importlib
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numba
import numpy as np

from laserskin import __version__
from laserskin.core.callbacks import Callback, as_callback
from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.optics.layers import LayerStack
from laserskin.transport.beam import Beam
from laserskin.transport.kernel import _ABS, _ABS_OUT, _NSCALAR, _RD, _ROUL, _TT, _reduce_wave, _run_wave
from laserskin.transport.rng import batch_state
from laserskin.transport.statistics import _ratio_stderr, batch_sizes, tally_groups

KERNEL_VERSION = "1"
"""Bumped whenever the kernel's output for given inputs changes (part of cache keys)."""
MAX_PHOTONS = 10_000_000_000
MAX_WAVE = 32
"""Batches run concurrently in one wave (each with private tally arrays); a constant so that
results do not depend on the thread count."""
WAVE_MEMORY_BYTES = 256 * 2**20
"""Upper bound on the private tally arrays of one wave (fewer batches per wave on huge grids)."""
_LUT_MAX = 1 << 20
#: One r–z transport at a time per process: a transport started in a background thread (the
#: planner's blister-band prefetch) and one in the caller's thread take turns on the cores.
_KERNEL_LOCK = threading.Lock()

#: The works a layered Monte Carlo run rests on (MCML, the Henyey-Greenstein phase function, the generator),
#: cited by every run and by every result read back from the transport cache.
TRANSPORT_CITATIONS = ("wang1995mcml", "henyey1941", "blackman2021xoshiro")


def kernels_threadsafe() -> bool:
    """Whether numba's parallel kernels may be launched from several Python threads at once.

    True with the ``tbb`` or ``omp`` threading layer (the ``default`` selection takes the first
    that loads: tbb, omp, then workqueue); False where only ``workqueue`` is left, which is not
    thread-safe (a kernel launched while another runs aborts the process). The planner plans its
    candidate devices in threads only when this holds (:func:`laserskin.planning.optimise.plan_each`).
    """
    layer = numba.config.THREADING_LAYER  # type: ignore[attr-defined]  # numba.config sets its names at run time
    if layer == "workqueue":
        return False
    pools = {"tbb": ("tbbpool",), "omp": ("omppool",)}.get(layer, ("tbbpool", "omppool"))
    for pool in pools:
        try:
            importlib.import_module(f"numba.np.ufunc.{pool}")
        except ImportError:  # the library behind the layer is not installed
            continue
        return True
    return False


def check_threads(threads) -> int:
    """The thread count to run with: ``None`` = every thread numba may use; else 1 to that many."""
    max_threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]  # numba.config sets its names at run time
    if threads is None:
        threads = max_threads
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 1 <= threads <= max_threads:
        raise InputError("threads", threads, f"an integer from 1 to {max_threads} (cores available to numba)")
    return int(threads)


@dataclass
class Clock:
    """Wall time of a :func:`numba_threads` block, s (set when the block ends)."""

    start_s: float
    wall_time_s: float = 0.0


@contextmanager
def numba_threads(threads: int | None) -> Iterator[Clock]:
    """Run a block on ``threads`` numba threads (checked by :func:`check_threads`; ``None``
    leaves the count as it is), restore the previous count afterwards and time the block."""
    previous = numba.get_num_threads()
    if threads is not None:
        numba.set_num_threads(check_threads(threads))
    clock = Clock(time.perf_counter())
    try:
        yield clock
    finally:
        numba.set_num_threads(previous)
        clock.wall_time_s = time.perf_counter() - clock.start_s


def _wave_size(batches: int, grid: RZGrid) -> int:
    per_slot = 8 * (2 * grid.nr * grid.nz + 2 * grid.nr)
    return int(max(1, min(batches, MAX_WAVE, WAVE_MEMORY_BYTES // per_slot)))


@dataclass(frozen=True)
class _KernelInputs:
    rsp: float
    beam: tuple[int, float, float]
    layers: tuple[np.ndarray, ...]
    grid: tuple


def _kernel_inputs(stack: LayerStack, grid: RZGrid, beam: Beam) -> _KernelInputs:
    props = stack.arrays()
    n = props["n"]
    thickness = props["thickness_m"]
    z_bot = np.cumsum(thickness)
    z_top = np.concatenate([[0.0], z_bot[:-1]])
    mut = props["mua_per_m"] + props["mus_per_m"]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_mut = np.where(mut > 0, 1.0 / mut, np.inf)
        absfrac = np.where(mut > 0, props["mua_per_m"] / mut, 0.0)
    n_up = np.concatenate([[stack.n_above], n[:-1]])
    n_down = np.concatenate([n[1:], [stack.n_below]])
    cos_crit_up = np.where(n > n_up, np.sqrt(np.maximum(0.0, 1.0 - (n_up / n) ** 2)), 0.0)
    cos_crit_down = np.where(n > n_down, np.sqrt(np.maximum(0.0, 1.0 - (n_down / n) ** 2)), 0.0)
    rsp = ((stack.n_above - n[0]) / (stack.n_above + n[0])) ** 2
    z_edges = np.ascontiguousarray(grid.z_edges_m)
    h = max(float(grid.dz_m.min()), grid.z_max_m / _LUT_MAX)
    m = math.ceil(grid.z_max_m / h) + 1
    lut = np.searchsorted(z_edges, np.arange(m) * h, side="right").astype(np.int64) - 1
    lut = np.clip(lut, 0, grid.nz - 1)
    layers = tuple(
        np.ascontiguousarray(a, dtype=np.float64)
        for a in (z_top, z_bot, n, n_up, n_down, mut, inv_mut, absfrac, props["g"], cos_crit_up, cos_crit_down)
    )
    grid_args = (1.0 / grid.dr_m, grid.nr, grid.r_max_m, grid.z_max_m, 1.0 / h, lut, z_edges)
    return _KernelInputs(float(rsp), beam.kernel_parameters(), layers, grid_args)


def _check_inputs(stack, grid, beam, photons, seed, threads) -> int:
    if not isinstance(stack, LayerStack):
        raise InputError("stack", type(stack).__name__, "a laserskin.transport.LayerStack")
    if not isinstance(grid, RZGrid):
        raise InputError("grid", type(grid).__name__, "a laserskin.grid.RZGrid")
    if not isinstance(beam, Beam):
        raise InputError("beam", type(beam).__name__, "a laserskin.transport.Beam")
    if isinstance(photons, bool) or not isinstance(photons, (int, np.integer)):
        raise InputError("photons", photons, f"an integer from 1 to {MAX_PHOTONS:.0e}")
    if not 1 <= photons <= MAX_PHOTONS:
        raise InputError("photons", photons, f"an integer from 1 to {MAX_PHOTONS:.0e}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InputError("seed", seed, "an integer from 0 to 2**63 - 1")
    threads = check_threads(threads)
    if beam.outer_radius_m > grid.r_max_m:
        what = "3 × the 1/e² radius" if beam.kind == "gaussian" else "the flat-top radius"
        raise InputError(
            "beam",
            f"{beam.kind}, outer radius {beam.outer_radius_m * 1e3:.4g} mm",
            f"{what} within the grid radius {grid.r_max_m * 1e3:.4g} mm",
        )
    last = stack.layers[-1]
    if math.isinf(last.thickness_m) and not last.mua_per_m > 0:
        raise InputError(
            "layers[-1].mua", last.mua_per_m, "> 0 for a semi-infinite last layer (photons would never stop)"
        )
    return int(threads)


_WARM = False


def _warm_up() -> None:
    """Load (or compile) the kernels on a tiny problem so that timings exclude compilation."""
    global _WARM
    if _WARM:
        return
    from laserskin.optics.layers import OpticalLayer

    stack = LayerStack(layers=(OpticalLayer(n=1.0, mua_per_m="1 1/cm", mus_per_m="1 1/cm", g=0.5, thickness_m="1 mm"),))
    grid = RZGrid.uniform(nr=2, dr_m=1e-3, nz=2, dz_m=1e-3)
    _run(stack, grid, Beam(kind="pencil"), 2, 0, Callback())
    _WARM = True


def _run(stack, grid, beam, photons, seed, progress):
    """Run all batches; returns raw tallies (sums of weights) and per-batch scalars."""
    k = _kernel_inputs(stack, grid, beam)
    sizes = batch_sizes(photons)
    batches = sizes.size
    wave = _wave_size(batches, grid)
    nr, nz, nl = grid.nr, grid.nz, len(stack.layers)
    # absorbed weight [..., 0] and collision estimator of fluence [..., 1] share a cache line
    slot_tally = np.zeros((wave, nr, nz, 2))
    slot_rd = np.zeros((wave, nr))
    slot_tt = np.zeros((wave, nr))
    tot_tally = np.zeros((nr, nz, 2))
    tot_rd = np.zeros(nr)
    tot_tt = np.zeros(nr)
    scalars = np.zeros((batches, _NSCALAR))
    layer_abs = np.zeros((batches, nl))
    group_of = tally_groups(batches, nr * nz)  # absorbed weight per group of batches (the read-outs' MC error)
    groups = np.zeros((int(group_of.max(initial=-1)) + 1, nr, nz))
    start = time.perf_counter()
    done = 0
    for first in range(0, batches, wave):
        count = min(wave, batches - first)
        states = np.stack([batch_state(seed, b) for b in range(first, first + count)])
        # batches are handed to the threads one at a time (dynamic scheduling): a thread slowed by
        # other work on its core takes fewer; each batch has its own stream and tally slot, so the
        # result does not depend on which thread ran it
        with numba.parallel_chunksize(1):
            # ignore[call-arg]: mypy cannot place the arguments after a star-unpacked tuple of unknown length
            _run_wave(  # type: ignore[call-arg]
                first,
                sizes[first : first + count],
                states,
                k.rsp,
                *k.beam,
                *k.layers,
                *k.grid,
                slot_tally,
                slot_rd,
                slot_tt,
                scalars,
                layer_abs,
            )
        _reduce_wave(count, slot_tally, slot_rd, slot_tt, tot_tally, tot_rd, tot_tt)
        for j in range(count if group_of.size else 0):  # in batch order: deterministic
            groups[group_of[first + j]] += slot_tally[j, :, :, 0]
        done += int(sizes[first : first + count].sum())
        progress.on_progress("transport", done, time.perf_counter() - start)
    return {
        "rsp": k.rsp,
        "sizes": sizes,
        "absorbed": np.ascontiguousarray(tot_tally[:, :, 0]),
        "collisions": np.ascontiguousarray(tot_tally[:, :, 1]),
        "rd_r": tot_rd,
        "tt_r": tot_tt,
        "scalars": scalars,
        "layer_abs": layer_abs,
        "groups": groups,
        "group_photons": (
            np.bincount(group_of, weights=sizes, minlength=groups.shape[0]).astype(np.int64)
            if group_of.size
            else np.zeros(0, dtype=np.int64)
        ),
        "kernel_time_s": time.perf_counter() - start,
    }


def simulate_transport(
    stack: LayerStack,
    grid: RZGrid,
    beam: Beam,
    photons: int,
    seed: int,
    threads: int | None = None,
    progress: Callback | None = None,
):
    """Monte Carlo light transport (MCML-equivalent) through a layer stack.

    Parameters
    ----------
    stack : LayerStack
        Optical layers (SI: μa, μs in 1/m, thickness in m; last layer may be semi-infinite).
    grid : RZGrid
        Cylindrical grid of the absorption and fluence tallies (m).
    beam : Beam
        Incident beam (normal incidence, axisymmetric, centred on r = 0).
    photons : int
        Number of photon packets, 1 to 1e10.
    seed : int
        Random seed (0 to 2**63 − 1); the same seed and photon count give bit-identical
        results on any number of threads.
    threads : int, optional
        Worker threads (default: all that numba may use).
    progress : Callback, optional
        Receives ``on_start("transport", photons, "photons")``, ``on_progress`` after each
        wave of batches and ``on_end``.

    Returns
    -------
    TransportResult
        Reflectance, transmittance and absorption fractions (per incident joule, with
        batch standard errors), absorbed energy density (1/m³ = J/m³ per J) and fluence
        (1/m² = J/m² per J) on the grid, radially resolved Rd and Tt (1/m²), and the absorbed energy
        density split by groups of batches (float32; the Monte Carlo error of linear read-outs).

    Raises
    ------
    InputError
        On bad photons, seed or threads, a beam wider than the grid, or a non-absorbing
        semi-infinite last layer.
    """
    cite(*TRANSPORT_CITATIONS)
    from laserskin.transport.result import TransportResult

    threads = _check_inputs(stack, grid, beam, photons, seed, threads)
    progress = as_callback(progress)
    photons = int(photons)
    seed = int(seed)
    with _KERNEL_LOCK, numba_threads(threads) as clock:
        _warm_up()
        progress.on_start("transport", float(photons), "photons")
        raw = _run(stack, grid, beam, photons, seed, progress)
    wall = clock.wall_time_s
    progress.on_end("transport", wall)

    sizes = raw["sizes"]
    scalars = raw["scalars"]
    layer_abs = raw["layer_abs"]
    n = float(photons)
    se = _ratio_stderr(scalars, sizes)
    se_layers = _ratio_stderr(layer_abs, sizes)
    volume = grid.cell_volume_m3
    ring = grid.ring_area_m2
    return TransportResult(
        stack=stack,
        grid=grid,
        beam=beam,
        photons=photons,
        seed=seed,
        threads=threads,
        batches=int(sizes.size),
        specular_reflectance=raw["rsp"],
        diffuse_reflectance=float(scalars[:, _RD].sum() / n),
        diffuse_reflectance_stderr=float(se[_RD]),
        total_transmittance=float(scalars[:, _TT].sum() / n),
        total_transmittance_stderr=float(se[_TT]),
        absorbed_fraction=float(scalars[:, _ABS].sum() / n),
        absorbed_fraction_stderr=float(se[_ABS]),
        absorbed_fraction_by_layer=layer_abs.sum(axis=0) / n,
        absorbed_fraction_by_layer_stderr=se_layers,
        absorbed_outside_grid_fraction=float(scalars[:, _ABS_OUT].sum() / n),
        roulette_balance=float(scalars[:, _ROUL].sum() / n),
        roulette_balance_stderr=float(se[_ROUL]),
        absorbed_energy_density_per_J=raw["absorbed"] / (n * volume),
        # float32 (kept so in the disk cache: a cached run equals a fresh one bit for bit)
        absorbed_by_group_per_J=(raw["groups"] / (n * volume)).astype(np.float32),
        photons_by_group=raw["group_photons"],
        fluence_per_J=raw["collisions"] / (n * volume),
        diffuse_reflectance_per_area=raw["rd_r"] / (n * ring),
        transmittance_per_area=raw["tt_r"] / (n * ring),
        photons_per_second=n / raw["kernel_time_s"] if raw["kernel_time_s"] > 0 else math.inf,
        wall_time_s=wall,
        version=__version__,
        kernel_version=KERNEL_VERSION,
    )
