"""Full single-spot scenario timing: 1e6 photons + heat (pulse and 1 s relaxation) + damage.

Prints the wall time of each stage with a warm cache of compiled code (numba kernels are
compiled by a small warm-up run first) and a cold transport cache (a fresh folder), and
the heat solver's cost per simulated pulse. Figures are printed, never asserted.

Run: .venv/bin/python benchmarks/simulation.py [--photons N] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photons", type=int, default=1_000_000)
    parser.add_argument("--scenario", default=str(ROOT / "examples" / "tightening_1450.toml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["LASERSKIN_CACHE_DIR"] = cache
        from laserskin.pipeline.scenario import load_scenario
        from laserskin.pipeline.simulation import Simulation

        scenario = load_scenario(args.scenario)
        Simulation.from_scenario(scenario, photons=1000, seed=99).run()  # compile numba kernels
        simulation = Simulation.from_scenario(scenario, photons=args.photons)
        clock = time.perf_counter()
        transport_results, source, grid = simulation.transport()
        t_transport = time.perf_counter() - clock
        clock = time.perf_counter()
        response, heat = simulation.thermal_response(source, grid)
        t_heat = time.perf_counter() - clock
        clock = time.perf_counter()
        response.evaluate(simulation.pulse_energy_J(), spot_radius_m=simulation.beam().outer_radius_m)
        t_damage = time.perf_counter() - clock
        starts, _, _ = simulation.pulse_schedule()
        total = t_transport + t_heat + t_damage
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores, python {platform.python_version()}")
        print(f"scenario: {Path(args.scenario).name}: {simulation.laser.describe()}")
        print(f"grid: {grid.nr} x {grid.nz} cells; photons {args.photons:,}; threads {transport_results[0].threads}")
        print(f"transport      {t_transport:7.2f} s  ({args.photons / t_transport:,.0f} photons/s)")
        print(
            f"heat (2 runs)  {t_heat:7.2f} s  ({heat.n_steps} steps; the second run reuses the first run's LU factors;"
            f" {t_heat / 2 / len(starts):.2f} s per simulated pulse incl. {simulation.settings.relaxation_s:g} s"
            " relaxation)"
        )
        print(f"damage         {t_damage:7.2f} s  (4 Arrhenius sets on the full history, collagen, injury, pain)")
        print(f"total          {total:7.2f} s  (target <= 10 s)")


if __name__ == "__main__":
    main()
