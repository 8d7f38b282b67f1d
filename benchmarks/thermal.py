"""Cost of the heat stage per simulated pulse (printed, no asserts).

Scenario: Jiang 2002 layers, 120 radial × ~180 depth cells (default-like graded grid), a
3 ms pulse on a Gaussian source followed by 1 s relaxation, without and with cryogen
cooling. Prints the best of three wall and CPU times and the first run's CPU time (the later
runs take their factors from the solver's cache), steps and factorisations.

Run: .venv/bin/python benchmarks/thermal.py
"""

import os
import time

import numpy as np

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


if __name__ == "__main__":
    main()
