"""Sweep throughput: cases per second on 1 vs 2 LocalCluster workers, a population plan, and
the cost of the self-healing store (checksummed case files written and verified).

    .venv/bin/python benchmarks/sweep.py [--population N] [--photons P] [--store-cases N] [--store-only]

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
        report = run_sweep(
            sweep_from_dict(data),
            os.path.join(folder, "out"),
            workers=workers,
            figures=False,
            cache_dir=os.path.join(folder, "cache"),
        )
        return time.perf_counter() - started, report


def store_cost(n_cases: int) -> None:
    """Write ``n_cases`` checksummed case files (a recorded-size plan result each), then
    verify them all as a resumed run does; print ms per case for each."""
    from laserskin.sweep import Sweep, SweepStore, sweep_from_dict

    spec = sweep_from_dict(
        {
            "sweep": {"name": "store", "seed": 1},
            "base": {
                "person": {"age": 50, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
                "laser": {"device": "genesis_1064"},
            },
            "axes": {"heat.relaxation": [f"{0.1 + i * 0.001:.3f} s" for i in range(n_cases)]},
        }
    )
    data = {
        "epidermal_omega": 0.002,
        "peak_epidermis_temperature_C": 48.0,
        "pigment_risk": "low",
        "boiling": False,
        "improvement_percent": {f"month_{m}": [1.0, 2.0, 3.0] for m in (1, 3, 6)},
        "margin_curve": {"fluence_J_per_cm2": list(range(9)), "epidermal_omega": list(range(9))},
    }
    with tempfile.TemporaryDirectory() as folder:
        store = SweepStore(os.path.join(folder, "out"), Sweep(spec))
        store.check_or_create()
        started = time.perf_counter()
        for case in store.sweep.cases():
            store.write(case, {"status": "ok", "data": data})
        written = time.perf_counter() - started
        started = time.perf_counter()
        verified = len(SweepStore(store.root, Sweep(spec)).done())
        checked = time.perf_counter() - started
        started = time.perf_counter()
        store.combine()
        combined = time.perf_counter() - started
    print(
        f"store: {n_cases} case files written with checksums at {1e3 * written / n_cases:.2f} ms/case, "
        f"{verified} verified on resume at {1e3 * checked / n_cases:.2f} ms/case, "
        f"combined at {1e3 * combined / n_cases:.2f} ms/case"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=int, default=200)
    parser.add_argument("--photons", type=int, default=20_000)
    parser.add_argument("--store-cases", type=int, default=500)
    parser.add_argument("--store-only", action="store_true", help="only the store cost (no Monte Carlo)")
    args = parser.parse_args()
    store_cost(args.store_cases)
    if args.store_only:
        return
    with open("examples/sweep_fluence_cooling.toml", "rb") as stream:
        grid = tomllib.load(stream)
    grid["base"]["transport"]["photons"] = args.photons
    for workers in (1, 2):
        seconds, report = run(grid, workers)
        print(
            f"standard sweep ({report.cases} simulations, {args.photons} photons), {workers} worker(s): "
            f"{seconds:.1f} s wall incl. cluster start, {report.cases / seconds:.3f} cases/s, "
            f"{report.failed} failed"
        )
    with open("examples/population.toml", "rb") as stream:
        population = tomllib.load(stream)
    population["population"]["n"] = args.population
    seconds, report = run(population, 2)
    print(
        f"population plan ({report.cases} people, 2 workers): {seconds:.1f} s, "
        f"{report.succeeded} planned, {report.failed} failed, {report.cases / seconds:.3f} plans/s"
    )


if __name__ == "__main__":
    main()
