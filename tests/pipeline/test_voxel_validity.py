"""QA8 #2 on the 3-D path: a voxel run whose dried tissue passes the pyrolysis temperature (the 3-D heat neither chars
nor removes tissue) says so, ``pyrolysis_note`` and ``within_model_validity = false``, as the r–z path does; a run
below it stays valid. One 1550 nm micro-beam (120 µm) in a small escape volume of 10 µm voxels, 2000 photons."""

from __future__ import annotations

from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation


def _summary(pulse_energy: str, pulse_duration: str = "3 ms") -> dict:
    scenario = {
        "person": {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
        "laser": {
            "wavelength": "1550 nm",
            "pulse_energy": pulse_energy,
            "pulse_duration": pulse_duration,
            "spot_diameter": "120 um",
            "profile": "gaussian",
        },
        "geometry": {"kind": "voxels", "size": ["0.4 mm", "0.4 mm", "0.5 mm"], "voxel": "10 um", "boundary": "escape"},
        "transport": {"photons": 2000, "seed": 3},
        "heat": {"relaxation": "0.02 s"},
    }
    return Simulation.from_scenario(scenario_from_dict(scenario)).run().summary


def test_a_voxel_run_past_the_pyrolysis_temperature_is_flagged_outside_the_model():
    hot = _summary("70 mJ", "1 ms")  # the preset's top energy in a shorter pulse: 317 degC at the seed
    assert hot["peak_temperature_C"] > 300.0, hot["peak_temperature_C"]
    assert "pyrolysis temperature" in hot["pyrolysis_note"]
    assert hot["within_model_validity"] is False and "pyrolysis_note" in hot["model_validity_reason"]


def test_a_voxel_run_below_it_stays_within_the_model():
    mild = _summary("1.5 mJ")
    assert mild["peak_temperature_C"] < 300.0
    assert not mild.get("pyrolysis_note")
    assert mild["within_model_validity"] is True
