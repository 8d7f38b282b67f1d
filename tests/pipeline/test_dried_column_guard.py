"""A micro-beam's dried column with ``dry_absorption_fraction`` 0 (a value a band may be searched at).

The dried-column source divides the voxel tallies' ratio by the absorption factor of the water bin it was computed
with; with a dry matter that absorbs nothing the factor of bin 0 is ~1.6e-8, and a wet neighbour's tally smoothed
into a dried voxel was multiplied by ~6e7: fraxel_1550 70 mJ was refused as heating past 1000 degC. Bin 0's reference
is now not taken below half a bin of water (the shipped 0.1 and 0.33 are unchanged bit for bit: checked on fraxel
40 mJ and co2_fractional 15 mJ summaries at 2000 photons).
"""

from __future__ import annotations

import warnings

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.thermal import enthalpy
from laserskin.treatment.laser import Laser


def test_a_dry_matrix_that_absorbs_nothing_does_not_blow_up_the_dried_column(monkeypatch):
    shipped = enthalpy.phase_change_parameters

    def no_dry_absorption(wavelength_m, pulse_duration_s, **overrides):
        overrides.setdefault("dry_absorption_fraction", 0.0)
        return shipped(wavelength_m, pulse_duration_s, **overrides)

    monkeypatch.setattr(enthalpy, "phase_change_parameters", no_dry_absorption)
    simulation = Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        Laser.from_device("fraxel_1550", pulse_energy="70 mJ"),
        settings=SimulationSettings(photons=1000, seed=1),
        progress=None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = simulation.run(grid_warning=False).summary  # before: InputError, past 1000 degC
    assert summary["boiling"] and summary["peak_cell_temperature_C"] < 1000.0
