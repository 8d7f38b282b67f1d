"""The 3-D examples: a fractional 1550 nm array (transport + heat + damage) and a hair follicle at 810 nm.

Writes figures to examples/figures/ and prints the key numbers.

Run: .venv/bin/python examples/voxel_examples.py [--photons N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures"


def fractional(photons: int | None) -> None:
    from laserskin.core.constants import CELSIUS_K
    from laserskin.damage.arrhenius import omega_increment
    from laserskin.pipeline.scenario import load_scenario
    from laserskin.plotting.voxel import plot_max_projection, plot_slices, plot_voxel_absorption
    from laserskin.thermal.schedule import Schedule
    from laserskin.thermal.voxel_heat import VoxelDamage, VoxelThermalMedium, solve_voxel_bioheat
    from laserskin.transport.voxel_geometry import run_voxel_scenario

    spec = load_scenario(HERE / "fractional_1550_voxel.toml")
    light = run_voxel_scenario(
        spec.layer_stack(),
        spec.beam_model(),
        spec.geometry,
        spec.inclusions,
        spec.wavelength_m(),
        photons=photons or spec.transport.photons,
        seed=spec.transport.seed,
    )
    v = light.volume
    print(
        "fractional 1550 nm, unit cell",
        v.shape,
        "voxels:",
        {k: round(x, 4) for k, x in light.absorbed_by_region().items()},
    )
    plot_voxel_absorption(light, path=FIGURES / "voxel_fractional_absorption.png", depth_m=100e-6)
    # one microbeam: 10 mJ in 3 ms (illustrative of a non-ablative fractional 1550 nm setting)
    energy_J, pulse_s = 10e-3, 3e-3
    medium = VoxelThermalMedium.from_volume(v)
    damage = VoxelDamage(
        lambda a, b, dt: omega_increment(a, b, dt, parameters="pearce_2010_rat_skin_collagen"), v.shape
    )
    heat = solve_voxel_bioheat(
        medium,
        light.absorbed_energy_density_per_J,
        Schedule.pulse_train([0.0], [pulse_s], [energy_J / pulse_s]),
        50e-3,
        observers=[damage],
        store_times_s=[pulse_s],
    )
    rise = heat.stored_temperature_K[0] - CELSIUS_K
    plot_slices(
        rise,
        v.x_centers_m,
        v.y_centers_m,
        v.z_centers_m,
        label="temperature (°C)",
        depth_m=100e-6,
        title="end of the 3 ms pulse",
        path=FIGURES / "voxel_fractional_temperature.png",
    )
    plot_max_projection(
        damage.damage_fraction(),
        v.x_centers_m,
        v.y_centers_m,
        v.z_centers_m,
        label="collagen damage 1 − exp(−Ω)",
        tiles=3,
        title="3 × 3 cells of the MTZ array",
        path=FIGURES / "voxel_fractional_damage.png",
    )
    coag = damage.omega >= 1.0
    depth = v.z_centers_m[np.any(coag, axis=(0, 1))].max() if coag.any() else 0.0
    width = coag.any(axis=(1, 2)).sum() * v.voxel_m
    between = heat.temperature_K[0, 0, 10] - CELSIUS_K
    print(
        f"  peak {heat.peak_temperature_K.max() - CELSIUS_K:.0f} °C; MTZ (Ω ≥ 1) {width * 1e6:.0f} um wide, "
        f"{depth * 1e6:.0f} um deep; between zones at 100 um depth after 50 ms: {between:.1f} °C"
    )
    print(f"  heat: {heat.steps} steps, {heat.cg_iterations} CG iterations, {heat.wall_time_s:.1f} s")


def follicle(photons: int | None) -> None:
    from laserskin.pipeline.scenario import load_scenario
    from laserskin.plotting.voxel import plot_voxel_absorption
    from laserskin.transport.voxel_geometry import run_voxel_scenario

    spec = load_scenario(HERE / "follicle_810_voxel.toml")
    light = run_voxel_scenario(
        spec.layer_stack(),
        spec.beam_model(),
        spec.geometry,
        spec.inclusions,
        spec.wavelength_m(),
        photons=photons or spec.transport.photons,
        seed=spec.transport.seed,
    )
    print("follicle 810 nm:", {k: round(x, 4) for k, x in light.absorbed_by_region().items()})
    plot_voxel_absorption(light, path=FIGURES / "voxel_follicle_fluence.png", depth_m=1.2e-3, quantity="fluence")
    plot_voxel_absorption(light, path=FIGURES / "voxel_follicle_absorption.png", depth_m=1.2e-3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photons", type=int, default=None)
    args = parser.parse_args()
    FIGURES.mkdir(exist_ok=True)
    fractional(args.photons)
    follicle(args.photons)


if __name__ == "__main__":
    main()
