"""Cost of the non-linear (enthalpy) stage for single-spot ablative runs (printed, no asserts).

Cases (issue 9, target < 15 s each on the 2-core machine, at 1e6 photons): full-field CO2
10.6 µm, 7 J/cm², 0.8 ms, 3 passes; Er:YAG 2.94 µm, 10 J/cm², 250 µs, 10 pulses at 10 Hz; fractional
CO2 15 mJ micro-beam. Ablative wavelengths need no Monte Carlo (Beer–Lambert from the moving crater
floor), so the photon count does not enter for them. Prints wall and CPU time (this process, user +
system), grid, steps, factorisations, crater and residual damage. The last case is non-ablative: the linear run (default photons) reaches
100 °C, the non-linear stage runs on its Monte Carlo source and re-runs the transport at each
later pulse on the dried tissue's optics; the fraxel case re-runs the dried column in the voxel Monte
Carlo before each of 6 sub-pulses.

Run: .venv/bin/python benchmarks/nonlinear.py
"""

import os
import time

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

CASES = (
    (
        "CO2 7 J/cm² 0.8 ms, 3 passes",
        dict(
            wavelength="10600 nm",
            fluence="7 J/cm^2",
            pulse_duration="0.8 ms",
            spot_diameter="3 mm",
            profile="flat_top",
            ablative=True,
            repetition_rate="10 Hz",
        ),
        3,
    ),
    (
        "Er:YAG 10 J/cm² 250 µs, 10 pulses 10 Hz",
        dict(
            wavelength="2940 nm",
            fluence="10 J/cm^2",
            pulse_duration="250 us",
            spot_diameter="5 mm",
            profile="flat_top",
            ablative=True,
            repetition_rate="10 Hz",
            pulses=10,
        ),
        1,
    ),
    ("fractional CO2 15 mJ (preset)", "co2_fractional", 1),
    ("fraxel 1550 40 mJ, dried-column MC x6 (preset)", "fraxel_1550", 1),
    (
        "1450 nm 30 J/cm² 50 ms x3, MC re-run/pulse",
        dict(
            wavelength="1450 nm",
            fluence="30 J/cm^2",
            pulse_duration="50 ms",
            spot_diameter="6 mm",
            profile="flat_top",
            pulses=3,
            repetition_rate="2 Hz",
        ),
        1,
    ),
)


#: Photons of the issue-9 single-spot cases (the first two; unused at ablative wavelengths).
ISSUE_PHOTONS = 1_000_000
TARGET_S = 15.0


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    person = Person(age=50, sex="female", fitzpatrick="II", site="cheek")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"non-linear single-spot runs (target <= {TARGET_S:g} s for the first two; load average {load:.1f})")
    for index, (label, table, passes) in enumerate(CASES):
        if isinstance(table, str):  # a device preset (at 40 mJ for the fraxel)
            laser = Laser.from_device(table, **({"pulse_energy": "40 mJ"} if table == "fraxel_1550" else {}))
        else:
            laser = Laser(**table)
        settings = SimulationSettings(photons=ISSUE_PHOTONS) if index < 2 else None
        simulation = Simulation(
            person, laser, protocol=Protocol(passes=passes) if passes > 1 else None, settings=settings
        )
        t0, c0 = time.perf_counter(), _cpu_s()
        result = simulation.run()
        elapsed, cpu = time.perf_counter() - t0, _cpu_s() - c0
        s = result.summary
        print(
            f"{label:42s} {elapsed:6.2f} s wall {cpu:6.2f} s CPU  grid {result.grid.nr}x{result.grid.nz}  "
            f"steps {s['heat_steps']}  "
            f"factorisations {s['heat_factorizations']}  crater {s['crater_depth_um']:.1f} µm  "
            f"residual damage {s['residual_damage_depth_um']:.1f} µm  model {s['thermal_model']}"
        )


if __name__ == "__main__":
    main()
