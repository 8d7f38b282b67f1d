"""An ablative laser below the onset of vaporisation: the pipeline's rule (issue 9 items 2 and 5, QA4 finding 21).

Nothing boils, so constant properties hold and the linear response is the model of record: the same setting
with ``ablative = true`` and ``ablative = false`` gives the same numbers (within 0.1 %; here the very same
transport and heat solves, so equal to rounding) and the result says which model ran and why.
"""

from __future__ import annotations

import pytest

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.thermal.cooling import Cooling
from laserskin.treatment.laser import Laser

# small on purpose: both runs draw the same photons (same seed), the comparison is exact, not statistical
SETTINGS = SimulationSettings(photons=1_000, seed=1, grid={"nr": 12})
COMPARED = (
    "peak_temperature_C",
    "peak_dermis_temperature_C",
    "peak_epidermis_temperature_C",
    "residual_damage_depth_um",
    "coagulation_depth_um",
    "pain_index",
    "epidermal_omega",
)


def _summary(ablative: bool, **laser) -> dict:
    person = Person(age=52, sex="female", fitzpatrick="III", site="cheek")
    beam = Laser(spot_diameter="5 mm", profile="flat_top", ablative=ablative, **laser)
    simulation = Simulation(
        person, beam, cooling=Cooling.from_config({"kind": "none"}), settings=SETTINGS, progress=None
    )
    return simulation.run(grid_warning=False).summary


@pytest.mark.parametrize(
    "laser",
    [
        {"wavelength": "10600 nm", "fluence": "0.5 J/cm^2", "pulse_duration": "0.8 ms"},
        {"wavelength": "2940 nm", "fluence": "0.1 J/cm^2", "pulse_duration": "250 us"},
    ],
    ids=["co2", "er_yag"],
)
def test_an_ablative_laser_below_the_onset_gives_the_linear_numbers(laser):
    on, off = _summary(True, **laser), _summary(False, **laser)
    assert off["thermal_model"] == "linear"
    assert on["thermal_model"] == "linear", on["thermal_model_reason"]
    assert "ablative laser, nothing vaporised" in on["thermal_model_reason"]
    assert "below the onset" in on["thermal_model_reason"]
    assert on["peak_temperature_C"] < 100.0
    assert on["crater_depth_um"] == 0.0 and on["crater_depth_per_pass_um"] == [0.0]
    assert on["vaporised_water_mg"] == 0.0
    for key in COMPARED:
        assert on[key] == pytest.approx(off[key], rel=1e-3, abs=1e-9), key
