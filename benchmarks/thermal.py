"""Cost of the heat stage per simulated pulse (printed, no asserts).

Scenario: Jiang 2002 layers, 120 radial × ~180 depth cells (default-like graded grid), a
3 ms pulse on a Gaussian source followed by 1 s relaxation, without and with cryogen
cooling. Prints the best of three wall and CPU times and the first run's CPU time (the later
runs take their factors from the solver's cache), steps and factorisations. Then the cost of
the Arrhenius damage integral (``arrhenius_omega``, ``linear_T``) of a 300-sample heating history
on the same grid for the four damage sets of the pipeline (best of three CPU seconds).

Run: .venv/bin/python benchmarks/thermal.py
"""

import os
import time

import numpy as np

from laserskin.damage.arrhenius import arrhenius_omega
from laserskin.grid import RZGrid
from laserskin.thermal import Cooling, Schedule, SurfaceBoundary, ThermalMedium, solve_bioheat


def _cpu_s() -> float:
    """CPU seconds of this process (user + system; the factorisations run on the solver's owner thread)."""
    t = os.times()
    return t.user + t.system


def main() -> None:
    bottoms = [80e-6, 2e-3, 5e-3]
    grid = RZGrid.graded(
        r_max_m=4e-3,
        nr=120,
        z_max_m=5e-3,
        dz_surface_m=5e-6,
        dz_max_m=50e-6,
        growth=1.08,
        interfaces_m=bottoms[:-1],
        fine_depth_m=150e-6,
    )
    medium = ThermalMedium.jiang2002(grid, bottoms)
    r, z = grid.r_centers_m[:, None], grid.z_centers_m[None, :]
    w, mu = 1.5e-3, 1500.0
    source = 0.8 * 2 / (np.pi * w**2) * np.exp(-2 * r**2 / w**2) * mu * np.exp(-mu * z)
    energy = 10e4 * np.pi * w**2 / 2  # J: 10 J/cm² peak fluence
    print(f"grid {grid.nr} x {grid.nz} = {grid.nr * grid.nz} cells")
    for label, cooling in (("no cooling", {"kind": "none"}), ("cryogen 30 ms + 20 ms delay", {"kind": "cryogen"})):
        c = Cooling.from_config(cooling)
        start = c.lead_time_s
        t_end = start + 3e-3 + 1.0
        surface = (
            c.surface_boundary(start, start + 3e-3, t_end)
            if cooling["kind"] != "none"
            else SurfaceBoundary.resting_air()
        )
        power = Schedule.pulse_train(start, 3e-3, energy / 3e-3)
        best = best_cpu = first_cpu = None
        for _ in range(3):
            t0, c0 = time.perf_counter(), _cpu_s()
            result = solve_bioheat(medium, source, power, surface, t_end)
            elapsed, cpu = time.perf_counter() - t0, _cpu_s() - c0
            best = elapsed if best is None else min(best, elapsed)
            best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
            first_cpu = cpu if first_cpu is None else first_cpu
        print(
            f"{label:30s} wall {best:6.3f} s  CPU {best_cpu:6.3f} s (first run {first_cpu:6.3f} s)  steps {result.n_steps:4d}  factorisations {result.n_factorizations:3d}  "
            f"peak {result.global_peak_temperature_K - 273.15:6.1f} °C  "
            f"energy residual {result.energy.residual_J / result.energy.deposited_J:.1e}"
        )

    _arrhenius(grid)


def _arrhenius(grid: RZGrid) -> None:
    """CPU of Ω over a heating history: 300 samples of a 3 ms pulse heating the top 0.5 mm by up to 40 K
    and its 1 s relaxation (session 18, old and new code run alternately on the loaded 2-core development machine:
    2.19 s before the compiled g(x) and the shared primitives, 1.36-1.48 s after; the same Ω to the last bit)."""
    times = np.concatenate([np.linspace(0.0, 3e-3, 31), 3e-3 + np.geomspace(1e-4, 1.0, 269)])
    z = grid.z_centers_m[None, :]
    r = grid.r_centers_m[:, None]
    profile = 40.0 * np.exp(-2 * r**2 / 1.5e-3**2) * np.exp(-z / 5e-4)
    shape_t = np.minimum(times / 3e-3, 1.0) / np.sqrt(1.0 + np.maximum(times - 3e-3, 0.0) / 0.05)
    history = 308.0 + shape_t[:, None, None] * profile[None]
    sets = ("henriques_moritz_1947", "weaver_stoll_1969", "takata_1974", "pearce_2010_rat_skin_collagen")
    arrhenius_omega(times[:3], history[:3], parameters=sets[0])  # load the compiled kernel
    best = None
    for _ in range(3):
        c0 = _cpu_s()
        peak = max(float(np.max(arrhenius_omega(times, history, parameters=name))) for name in sets)
        cpu = _cpu_s() - c0
        best = cpu if best is None else min(best, cpu)
    print(
        f"{'Arrhenius Ω, 4 sets':30s} CPU {best:6.3f} s  samples {times.size}  cells {grid.nr * grid.nz}  peak Ω {peak:.3g}"
    )


if __name__ == "__main__":
    main()
