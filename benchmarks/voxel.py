"""Voxel Monte Carlo and 3-D heat timings, printed beside mcxyz's when a binary is given.

1. Skin-vessel case of mcxyz / MCmatlab (Jacques): 532 nm, epidermis 60 um over dermis with a
   blood vessel (radius 100 um, 400 um deep, along y), 1 mm cube of 5 um voxels (200^3 with
   mcxyz's 100 um water layer; 200 x 200 x 180 of tissue here), uniform light on the whole
   top face. Photons/s of laserskin's voxel kernel on 1 and 2 threads (after compilation).
   If ``MCXYZ`` names an mcxyz executable (built by you from its public source, e.g.
   github.com/stevjacq/mcxyz2, ``gcc -O3 mcxyz.c -lm``; nothing here builds or ships it),
   the same case runs under it for ``--mcxyz-minutes`` of CPU time and its own "photons per
   minute" is printed. mcxyz has lateral boundaries "extended to infinity" (boundaryflag 2),
   laserskin here periodic sides (light never leaves sideways either); mcxyz's roulette starts
   at weight 0.01, laserskin's (MCML's) at 1e-4, so laserskin follows each packet longer.
2. A fractional unit cell at 1550 nm: one microthermal zone (Gaussian microbeam) in a periodic
   cell of ~10^6 voxels, transport + 3-D heat + Arrhenius damage; wall time per stage on 1 and
   2 threads and the 2-thread speed-up of each.
3. The planner's array cell (planning/fractional_array.py): the whole 3-D simulate stage at the
   planner's voxel count, timed against a plan's ~30 s budget.

Figures are printed, never asserted. Run it on a quiet machine and say so when quoting; on a
busy one compare the CPU-time rates (mcxyz's own figure is per CPU time, from clock()).

Run: .venv/bin/python benchmarks/voxel.py [--photons N] [--mcxyz-minutes M]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

# optical properties of makeTissueList.m at 532 nm (spectralLIB.mat), cm^-1
SKIN_VESSEL = {  # name: (mua 1/cm, mus 1/cm, g)
    "epidermis": (16.5724, 375.9398, 0.9),
    "dermis": (0.4585, 356.5406, 0.9),
    "blood": (230.5427, 93.9850, 0.9),
}


def skin_vessel_volume(h: float = 5e-6, periodic: bool = True):
    from laserskin.transport.voxel import Medium, VoxelVolume

    n = round(1e-3 / h)
    nz = n - round(100e-6 / h)
    labels = np.full((n, n, nz), 1, dtype=np.uint8)
    labels[:, :, : round(60e-6 / h)] = 0
    x = (np.arange(n) + 0.5 - n / 2) * h
    z = (np.arange(nz) + 0.5) * h + 100e-6
    inside = np.hypot(x[:, None], z[None, :] - 500e-6) <= 100e-6
    labels[np.broadcast_to(inside[:, None, :], labels.shape)] = 2
    media = tuple(Medium(name, 1.0, mua * 100, mus * 100, g) for name, (mua, mus, g) in SKIN_VESSEL.items())
    return VoxelVolume(labels, h, media, periodic=periodic, layer_count=2)


def run_mcxyz(binary: str, minutes: float, h: float = 5e-6) -> float:
    """Run mcxyz on the skin-vessel case for ``minutes`` of CPU time; its photons per second."""
    n = round(1e-3 / h)
    dz = h * 100  # cm
    with tempfile.TemporaryDirectory() as tmp:
        sims = Path(tmp) / "sims" / "skinvessel"
        sims.mkdir(parents=True)
        (Path(tmp) / "run").mkdir()
        t = np.full((n, n, n), 4, dtype=np.uint8)  # T(y, x, z), dermis = 4
        z = np.arange(1, n + 1) * dz
        x = (np.arange(1, n + 1) - n / 2) * dz
        zsurf = 0.01
        for iz in range(n):
            if iz + 1 <= round(zsurf / dz):
                t[:, :, iz] = 2
            elif iz + 1 <= round((zsurf + 0.006) / dz):
                t[:, :, iz] = 5
            t[:, np.hypot(x, z[iz] - n / 2 * dz) <= 0.01, iz] = 3
        t.reshape(-1, order="F").tofile(sims / "skinvessel_T.bin")
        half = n / 2 * dz
        header = [
            f"{minutes:.2f}",
            n,
            n,
            n,
            f"{dz:.4f}",
            f"{dz:.4f}",
            f"{dz:.4f}",
            3,
            0,
            2,
            0,
            0,
            f"{zsurf + dz / 5:.4f}",
        ]
        header += [f"{half:.4f}", f"{half:.4f}", "1e12", 0.7, 0.4, 0.5745, f"{half:.4f}", f"{half:.4f}", f"{zsurf:.4f}"]
        props = [(0.0001, 1.0, 1.0), (0.000356, 10.0, 1.0), SKIN_VESSEL["blood"], SKIN_VESSEL["dermis"]]
        props.append(SKIN_VESSEL["epidermis"])
        lines = [str(v) for v in header] + [str(len(props))] + [f"{v:.4f}" for p in props for v in p]
        (sims / "skinvessel_H.mci").write_text("\n".join(lines) + "\n")
        out = subprocess.run(
            [binary, "skinvessel"], cwd=Path(tmp) / "run", capture_output=True, text=True, check=True
        ).stdout
    match = re.search(r"([0-9.eE+]+) photons per minute", out)
    return float(match.group(1)) / 60.0 if match else float("nan")


def fractional_cell(voxel_m: float, photons: int) -> None:
    import numba

    from laserskin.damage.arrhenius import omega_increment
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.thermal.schedule import Schedule
    from laserskin.thermal.voxel_heat import VoxelDamage, VoxelThermalMedium, solve_voxel_bioheat
    from laserskin.transport import Beam
    from laserskin.transport.voxel import simulate_voxel_transport
    from laserskin.transport.voxel_geometry import GeometrySpec, voxel_source, voxel_volume

    scenario = scenario_from_dict(
        {
            "person": {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
            "laser": {"wavelength": "1550 nm"},
        }
    )
    stack = scenario.layer_stack()
    geometry = GeometrySpec(
        kind="voxels",
        size=["0.4 mm", "0.4 mm", "0.8 mm"],
        voxel=f"{voxel_m * 1e6:g} um",
        boundary="periodic",
        lattice="square",
        spacing="400 um",
    )
    volume = voxel_volume(stack, geometry)
    source = voxel_source(geometry, Beam(kind="gaussian", diameter_1e2="100 um"))
    nvox = int(np.prod(volume.shape))
    medium = VoxelThermalMedium.from_volume(volume)
    power = Schedule.pulse_train([0.0], [3e-3], [10e-3 / 3e-3])  # 10 mJ in 3 ms per microbeam
    print(f"fractional unit cell, 1550 nm, {volume.shape[0]}x{volume.shape[1]}x{volume.shape[2]} = {nvox:,} voxels")
    walls = {}
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            continue
        clock = time.perf_counter()
        cpu = time.process_time()
        light = simulate_voxel_transport(volume, source, photons, 1, threads=threads)
        t_light = time.perf_counter() - clock
        c_light = time.process_time() - cpu
        clock = time.perf_counter()
        cpu = time.process_time()
        damage = VoxelDamage(
            lambda a, b, dt: omega_increment(a, b, dt, parameters="pearce_2010_rat_skin_collagen"), volume.shape
        )
        heat = solve_voxel_bioheat(
            medium, light.absorbed_energy_density_per_J, power, 20e-3, observers=[damage], threads=threads
        )
        t_heat = time.perf_counter() - clock
        c_heat = time.process_time() - cpu
        walls[threads] = (t_light, t_heat)
        zone = damage.damage_fraction() > 0.5
        print(f"  {threads} thread(s):")
        print(
            f"    transport {photons:,} photons: {t_light:6.1f} s wall, {c_light:6.1f} s CPU "
            f"({light.photons_per_second:,.0f} photons/s)"
        )
        print(
            f"    heat + damage to 20 ms: {t_heat:6.1f} s wall, {c_heat:6.1f} s CPU "
            f"({heat.steps} steps, {heat.cg_iterations} CG iterations); "
            f"peak {heat.peak_temperature_K.max() - 273.15:.0f} degC, coagulated (Omega>1) "
            f"{zone.sum() * volume.voxel_m**3 * 1e9:.4f} mm^3"
        )
        print(f"    total {t_light + t_heat:6.1f} s wall, {c_light + c_heat:6.1f} s CPU (target < 60 s on 2 cores)")
    if 1 in walls and 2 in walls:
        print(
            f"  2-thread speed-up: transport {walls[1][0] / walls[2][0]:.2f}x, heat {walls[1][1] / walls[2][1]:.2f}x "
            "(wall; meaningful on a quiet machine only)"
        )


def simulate_cell(voxel_m: float = 5e-6, photons: int = 200_000) -> dict:
    """A fractional unit cell through the whole ``simulate`` stage (Simulation.run, one thread).

    1550 nm, 2 mJ per 120 um Gaussian microbeam in 3 ms, 625 MTZ/cm^2 (one zone in a periodic
    400 um x 400 um cell), cold air, 0.8 mm deep, 0.5 s of relaxation (the planner's): at 5 um
    voxels 80 x 80 x 160 = 1.02e6 voxels. Person → optics → voxel Monte Carlo → 3-D heat from the
    resting steady state through the cooling and pulse schedule → Ω for the four Arrhenius sets
    → read-outs. Prints and returns the wall and CPU times (CPU time is the comparable figure on a
    shared machine: the load average is printed beside it).
    """
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    scenario = scenario_from_dict(
        {
            "person": {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
            "laser": {
                "wavelength": "1550 nm",
                "pulse_energy": "2 mJ",
                "pulse_duration": "3 ms",
                "spot_diameter": "15 mm",
                "profile": "gaussian",
                "fractional": {"microbeam_diameter": "120 um", "mtz_density": "625 1/cm^2"},
            },
            "cooling": {"kind": "cold_air"},
            "geometry": {
                "kind": "voxels",
                "size": ["0.4 mm", "0.4 mm", "0.8 mm"],
                "voxel": f"{voxel_m * 1e6:g} um",
                "boundary": "periodic",
            },
            "transport": {"photons": photons, "seed": 7, "threads": 1},
            "heat": {"relaxation": "0.5 s"},
        }
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    clock, cpu = time.perf_counter(), time.process_time()
    summary = Simulation.from_scenario(scenario).run().summary
    wall, cpu = time.perf_counter() - clock, time.process_time() - cpu
    voxels = int(np.prod(summary["voxels"]))
    print(
        f"simulate, fractional unit cell at 1550 nm ({' x '.join(map(str, summary['voxels']))} = {voxels:,} voxels of "
        f"{summary['voxel_um']:g} um, {photons:,} photons, 1 thread, 0.5 s relaxation): {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU (load average {load:.1f}; target < 60 s); {summary['heat_steps']} steps, "
        f"{summary['heat_cg_iterations']} CG iterations, peak {summary['peak_temperature_C']:.1f} degC"
    )
    return {"wall_s": wall, "cpu_s": cpu, "load": load, "voxels": voxels, "summary": summary}


def pipeline_cell(photons: int) -> None:
    """The planner's array run (planning/fractional_array.py): simulate's whole 3-D stage, timed."""
    from laserskin.planning.fractional_array import fractional_array
    from laserskin.skin import Person
    from laserskin.treatment.laser import Laser

    person = Person(age=45, sex="female", fitzpatrick="II", site="cheek")
    laser = Laser.model_validate(
        {
            "wavelength": "1550 nm",
            "pulse_energy": "2 mJ",
            "pulse_duration": "3 ms",
            "spot_diameter": "15 mm",
            "profile": "gaussian",
            "fractional": {"microbeam_diameter": "120 um", "mtz_density": "400 1/cm^2"},
        }
    )
    clock = time.perf_counter()
    array = fractional_array(person, laser, {"kind": "cold_air"}, photons=photons)
    print(
        f"planner's array cell ({array.voxels} voxels of {array.voxel_um:.1f} um, {photons:,} photons, cooling, "
        f"4 Arrhenius sets, pain probes): {time.perf_counter() - clock:.1f} s wall (a plan's budget: ~30 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photons", type=int, default=100_000)
    parser.add_argument("--voxel", type=float, default=5e-6, help="skin-vessel voxel in m (mcxyz's case: 5e-6)")
    parser.add_argument("--mcxyz-minutes", type=float, default=0.5)
    parser.add_argument("--fractional-photons", type=int, default=200_000)
    parser.add_argument("--fractional-voxel", type=float, default=5e-6)
    parser.add_argument("--no-fractional", action="store_true", help="skip the fractional unit cell")
    args = parser.parse_args()
    import numba

    from laserskin.transport.voxel import VoxelSource, simulate_voxel_transport

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, numba {numba.__version__}")
    volume = skin_vessel_volume(args.voxel)
    simulate_voxel_transport(volume, VoxelSource.uniform(), 1000, 99, threads=1)  # compile
    print(f"skin-vessel case, {volume.shape[0]}x{volume.shape[1]}x{volume.shape[2]} voxels of {args.voxel * 1e6:g} um")
    rates = {}
    cpu_rate = float("nan")
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            continue
        cpu = time.process_time()
        result = simulate_voxel_transport(volume, VoxelSource.uniform(), args.photons, 1, threads=threads)
        cpu = time.process_time() - cpu
        rates[threads] = result.photons_per_second
        print(
            f"  laserskin voxel, {threads} thread(s): {result.photons_per_second:12,.0f} photons/s wall, "
            f"{args.photons / cpu:12,.0f} per CPU-second "
            f"(Rd {result.diffuse_reflectance:.4f}, vessel absorbs {result.absorbed_fraction_by_region[2]:.4f})"
        )
        if threads == 1:
            cpu_rate = args.photons / cpu
    if 1 in rates and 2 in rates:
        print(f"  2-thread speed-up: {rates[2] / rates[1]:.2f}x")
    binary = os.environ.get("MCXYZ")
    if binary:
        mc = run_mcxyz(binary, args.mcxyz_minutes, args.voxel)
        print(f"  mcxyz (gcc, 1 thread, {binary}): {mc:12,.0f} photons per CPU-second (its clock() figure)")
        if 1 in rates:
            print(f"  laserskin / mcxyz, 1 thread: {rates[1] / mc:.2f}x wall, {cpu_rate / mc:.2f}x CPU time")
    else:
        print("  mcxyz: set MCXYZ=/path/to/mcxyz (built from its public source) to time it side by side")
    if not args.no_fractional:
        fractional_cell(args.fractional_voxel, args.fractional_photons)
        simulate_cell(args.fractional_voxel, args.fractional_photons)
        pipeline_cell(20_000)


if __name__ == "__main__":
    main()
