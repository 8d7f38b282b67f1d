"""Sweep throughput: cases per second on 1 vs 2 LocalCluster workers, and a population plan.

    .venv/bin/python benchmarks/sweep.py [--population N] [--photons P]

Standard sweep: examples/sweep_fluence_cooling.toml (9 simulations) with the photon count
set by --photons (default 20000). Population: examples/population.toml (plan cases) with
N people (default 200). Each run writes into a fresh temporary folder and a fresh transport
cache, so no case is served from an earlier run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tomllib


def run(data: dict, workers: int) -> tuple[float, object]:
    from laserskin.sweep import run_sweep, sweep_from_dict

    with tempfile.TemporaryDirectory() as folder:
        os.environ["LASERSKIN_CACHE_DIR"] = os.path.join(folder, "cache")
        started = time.perf_counter()
        report = run_sweep(sweep_from_dict(data), os.path.join(folder, "out"), workers=workers, figures=False,
                           cache_dir=os.path.join(folder, "cache"))
        return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=int, default=200)
    parser.add_argument("--photons", type=int, default=20_000)
    args = parser.parse_args()
    with open("examples/sweep_fluence_cooling.toml", "rb") as stream:
        grid = tomllib.load(stream)
    grid["base"]["transport"]["photons"] = args.photons
    for workers in (1, 2):
        seconds, report = run(grid, workers)
        print(f"standard sweep ({report.cases} simulations, {args.photons} photons), {workers} worker(s): "
              f"{seconds:.1f} s wall incl. cluster start, {report.cases / seconds:.3f} cases/s, "
              f"{report.failed} failed")
    with open("examples/population.toml", "rb") as stream:
        population = tomllib.load(stream)
    population["population"]["n"] = args.population
    seconds, report = run(population, 2)
    print(f"population plan ({report.cases} people, 2 workers): {seconds:.1f} s, "
          f"{report.succeeded} planned, {report.failed} failed, {report.cases / seconds:.3f} plans/s")


if __name__ == "__main__":
    main()
