"""Throughput and memory of the Monte Carlo light-transport kernel (prints; no assertions).

Cases (pencil beam; r–z grid dr = dz = 20 µm, 255 radial × 500 depth bins; air
above and below):

* skin: epidermis 1.40 / 4.0 / 300 / 0.80 / 0.01; dermis 1.40 / 0.3 / 200 / 0.80 / 0.2;
  subcutis 1.44 / 0.1 / 100 / 0.75 / 0.3  (n, μa 1/cm, μs 1/cm, g, thickness cm);
* van de Hulst slab: n = 1, μa = 10/cm, μs = 90/cm, g = 0.75, 0.02 cm.

Reference: MCML 1.2.2 (-O3) does about 41,000 photons/s on the skin case and
3.6 M/s on the slab on one core of the reference machine.

Usage: ``python benchmarks/transport.py [--photons-skin N] [--photons-slab N]``
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

import numba

from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, simulate_transport
from laserskin.transport.driver import _warm_up

SPEED_NOTES = (
    "kernel notes: xoshiro256** RNG; azimuth (cos, sin) by rejection from the unit disc (same distribution, "
    "no trig); Fresnel random number drawn only when 0 < R < 1; z bin by integer look-up table; fastmath "
    "limited to contract/nsz/arcp. None of these changes the variance: same roulette (1e-4, 0.1), same tallies."
)


def skin_stack() -> LayerStack:
    return LayerStack(
        layers=(
            OpticalLayer(name="epidermis", n=1.40, mua="4.0 1/cm", mus="300 1/cm", g=0.80, thickness="0.01 cm"),
            OpticalLayer(name="dermis", n=1.40, mua="0.3 1/cm", mus="200 1/cm", g=0.80, thickness="0.2 cm"),
            OpticalLayer(name="subcutis", n=1.44, mua="0.1 1/cm", mus="100 1/cm", g=0.75, thickness="0.3 cm"),
        ),
        n_above=1.0,
        n_below=1.0,
    )


def slab_stack() -> LayerStack:
    return LayerStack(
        layers=(OpticalLayer(name="slab", n=1.0, mua="10 1/cm", mus="90 1/cm", g=0.75, thickness="0.02 cm"),),
    )


def peak_rss_mib() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 2**20 if sys.platform == "darwin" else usage / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photons-skin", type=int, default=200_000)
    parser.add_argument("--photons-slab", type=int, default=4_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    grid = RZGrid.uniform(nr=255, dr_m=20e-6, nz=500, dz_m=20e-6)
    beam = Beam(kind="pencil")
    all_threads = numba.config.NUMBA_NUM_THREADS
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"cpu_count={os.cpu_count()}, numba threads available={all_threads}"
    )
    print(f"python {platform.python_version()}, numba {numba.__version__}")
    try:
        print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    except OSError:
        pass
    print(SPEED_NOTES)
    t0 = time.perf_counter()
    _warm_up()
    print(f"kernel load/compile: {time.perf_counter() - t0:.2f} s")
    print(
        f"{'case':<18}{'photons':>10}{'threads':>8}{'photons/s':>14}{'per thread':>12}{'wall s':>8}"
        f"{'Rd':>10}{'Tt':>10}{'peak RSS MiB':>14}"
    )
    thread_counts = sorted({1, all_threads})
    for name, stack, photons in (
        ("skin", skin_stack(), args.photons_skin),
        ("van de Hulst slab", slab_stack(), args.photons_slab),
    ):
        for threads in thread_counts:
            result = simulate_transport(stack, grid, beam, photons, args.seed, threads=threads)
            rate = result.photons_per_second
            print(
                f"{name:<18}{photons:>10,}{threads:>8}{rate:>14,.0f}{rate / threads:>12,.0f}"
                f"{result.wall_time_s:>8.2f}{result.diffuse_reflectance:>10.5f}"
                f"{result.total_transmittance:>10.5f}{peak_rss_mib():>14.0f}"
            )
    print(
        "peak RSS is of the whole process (Python, numba, arrays); the tallies of one wave take "
        "32 slots × nr × nz × 2 (absorbed, fluence) × 8 B = 65 MB on this grid."
    )


if __name__ == "__main__":
    main()
