"""Cost of the non-linear (enthalpy) stage for single-spot ablative runs (printed, no asserts).

Cases (issue 9, target < 15 s each on the 2-core machine): full-field CO2 10.6 µm, 7 J/cm²,
0.8 ms, 3 passes; Er:YAG 2.94 µm, 10 J/cm², 250 µs, 10 pulses at 10 Hz; fractional CO2
15 mJ micro-beam. Ablative wavelengths need no Monte Carlo (Beer–Lambert from the moving crater
floor), so the photon count does not enter for them. Prints wall time, grid, steps, factorisations,
crater and residual damage. The last case is non-ablative: the linear run (default photons) reaches
100 °C, the non-linear stage runs on its Monte Carlo source and re-runs the transport at each
later pulse on the dried tissue's optics; the fraxel case re-runs the dried column in the voxel Monte
Carlo before each of 6 sub-pulses.

Run: .venv/bin/python benchmarks/nonlinear.py
"""

import time

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


def main() -> None:
    person = Person(age=50, sex="female", fitzpatrick="II", site="cheek")
    for label, table, passes in CASES:
        if isinstance(table, str):  # a device preset (at 40 mJ for the fraxel)
            laser = Laser.from_device(table, **({"pulse_energy": "40 mJ"} if table == "fraxel_1550" else {}))
        else:
            laser = Laser(**table)
        simulation = Simulation(person, laser, protocol=Protocol(passes=passes) if passes > 1 else None)
        t0 = time.perf_counter()
        result = simulation.run()
        elapsed = time.perf_counter() - t0
        s = result.summary
        print(
            f"{label:42s} {elapsed:6.2f} s  grid {result.grid.nr}x{result.grid.nz}  steps {s['heat_steps']}  "
            f"factorisations {s['heat_factorizations']}  crater {s['crater_depth_um']:.1f} µm  "
            f"residual damage {s['residual_damage_depth_um']:.1f} µm  model {s['thermal_model']}"
        )


if __name__ == "__main__":
    main()
