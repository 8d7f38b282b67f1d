"""QA6 #22: the peak temperature of an ablation run is one of the removal rule's own temperatures.

A drying cell sits at the boiling plateau (100 °C) and a charred one is held at the pyrolysis temperature (300 °C,
tissue_phase_change.toml) until it is ejected, so CO2 after 2 passes reads ``peak_temperature_C`` 300.0 exactly —
a parameter read back. The summary says so in ``peak_temperature_note`` (measured CO2 surfaces approach 400 °C,
Choi et al. 1999); a peak that is not a held temperature gets no note.
"""

from __future__ import annotations

from types import SimpleNamespace

from laserskin.core.constants import CELSIUS_K
from laserskin.pipeline.ablative import _removal_peak_note
from laserskin.pipeline.simulation import Simulation
from laserskin.pipeline.stages import SimulationSettings
from laserskin.skin import Person
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

PARAMETERS = SimpleNamespace(
    boiling_temperature_K=100.0 + CELSIUS_K,
    pyrolysis_temperature_K=300.0 + CELSIUS_K,
    spinodal_temperature_K=305.0 + CELSIUS_K,
    regime="steady_state",  # the spinodal is a removal temperature of the blow-off regime only (QA9 #8)
)


def test_only_a_held_temperature_is_noted():
    assert "pyrolysis temperature" in _removal_peak_note(300.0 + CELSIUS_K, PARAMETERS)
    assert "boiling plateau" in _removal_peak_note(100.0 + CELSIUS_K, PARAMETERS)
    assert _removal_peak_note(250.0 + CELSIUS_K, PARAMETERS) is None


def test_co2_two_passes_peak_is_the_pyrolysis_temperature_and_says_so():
    simulation = Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        Laser.from_device("co2_full_field"),
        None,
        Protocol(passes=2),
        SimulationSettings(photons=1000, seed=1),
        progress=None,
    )
    summary = simulation.run(grid_warning=False).summary
    assert summary["peak_temperature_C"] == 300.0
    assert "300 degC" in summary["peak_temperature_note"] and "Choi" in summary["peak_temperature_note"]
