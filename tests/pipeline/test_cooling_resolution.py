"""QA15 #2a: a ``[cooling]`` table of the device preset's own kind is laid over the preset's cooling.

Before: ``[cooling] kind = "cryogen"`` on smoothbeam_1450 (14 J/cm², 52 F type III cheek) replaced the device's
cryogen (parallel spray, 10 ms delay) by the generic one (no parallel spray, 20 ms delay): 97.9 °C at the basal
layer and necrosis, against 56 °C and none without the table, and the summary said "[cooling] table". Now one rule
in the Simulation constructor (:func:`~laserskin.pipeline.simulation.resolve_cooling`): the given fields override
the preset's of the same kind, the rest are the preset's; another kind replaces it; ``cooling_used`` says which.
Only construction runs here (no transport).
"""

from __future__ import annotations

import pytest

from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation, resolve_cooling
from laserskin.pipeline.summary import cooling_used
from laserskin.skin import Person
from laserskin.thermal.cooling import Cooling, CryogenCooling
from laserskin.treatment.laser import Laser

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"}
SMOOTHBEAM = {"device": "smoothbeam_1450", "fluence": "14 J/cm^2"}


def _used(cooling: dict | None, laser: dict = SMOOTHBEAM) -> dict:
    data = {"person": PERSON, "laser": laser}
    if cooling is not None:
        data["cooling"] = cooling
    scenario = scenario_from_dict(data)
    simulation = Simulation.from_scenario(scenario, progress=None)
    return cooling_used(simulation, scenario)


def _settings(used: dict) -> dict:
    return {key: value for key, value in used.items() if key != "source"}


def test_a_table_of_the_presets_kind_keeps_the_presets_other_fields():
    device = _used(None)
    assert device["parallel"] is True and device["delay"] == "10 ms"
    assert device["source"] == "default of device smoothbeam_1450 (no [cooling] table)"
    kind_only = _used({"kind": "cryogen"})  # the QA15 repro: now the device's cryogen, not the generic one
    assert _settings(kind_only) == _settings(device)
    assert kind_only["source"] == "device smoothbeam_1450's cryogen ([cooling] table gives its kind only)"


def test_the_given_fields_override_and_are_named():
    used = _used({"kind": "cryogen", "delay": "20 ms"})
    assert used["delay"] == "20 ms"
    assert {k: v for k, v in _settings(used).items() if k != "delay"} == {
        k: v for k, v in _settings(_used(None)).items() if k != "delay"
    }
    assert used["parallel"] is True  # the preset's, not the generic default (False)
    assert used["source"] == "device smoothbeam_1450's cryogen, with [cooling] overrides: delay"
    two = _used({"kind": "cryogen", "parallel": False, "delay": "20 ms"})
    assert two["parallel"] is False and two["delay"] == "20 ms"
    assert two["source"] == "device smoothbeam_1450's cryogen, with [cooling] overrides: delay, parallel"


def test_an_explicit_full_table_still_wins():
    generic = CryogenCooling().model_dump(mode="json", by_alias=True)  # every key given: the generic values
    used = _used(generic)
    assert _settings(used) == generic
    assert used["parallel"] is False and used["delay"] == "20 ms"
    assert used["source"].startswith("device smoothbeam_1450's cryogen, with [cooling] overrides: spurt_duration")


def test_another_kind_replaces_the_presets_cooling():
    used = _used({"kind": "cold_air"})
    assert _settings(used) == Cooling.from_config({"kind": "cold_air"}).model_dump(mode="json", by_alias=True)
    assert used["source"] == "[cooling] table (replaces device smoothbeam_1450's cryogen)"
    none = _used({"kind": "none"})
    assert none == {"kind": "none", "source": "[cooling] table (replaces device smoothbeam_1450's cryogen)"}


def test_without_a_preset_the_table_is_used_as_given():
    laser = {"wavelength": "1450 nm", "fluence": "14 J/cm^2", "pulse_duration": "210 ms", "spot_diameter": "6 mm"}
    used = _used({"kind": "cryogen"}, laser)
    assert _settings(used) == CryogenCooling().model_dump(mode="json", by_alias=True)
    assert used["source"] == "[cooling] table"
    assert _used(None, laser)["source"] == "none given (no [cooling] table)"


def test_a_model_overrides_only_its_set_fields_and_the_rule_is_idempotent():
    laser = Laser.from_device("smoothbeam_1450", fluence="14 J/cm^2")
    person = Person(**PERSON)
    cooling, how = resolve_cooling(laser, CryogenCooling(delay="15 ms"))
    assert (cooling.delay_s, cooling.parallel) == (pytest.approx(0.015), True)
    assert how.merged and how.overrides == ("delay",)
    simulation = Simulation(person, laser, CryogenCooling(delay="15 ms"), progress=None)
    assert simulation.cooling == cooling
    assert cooling_used(simulation)["source"] == (
        "device smoothbeam_1450's cryogen, with cooling argument overrides: delay"
    )
    again = Simulation(person, laser, simulation.cooling, progress=None)  # the planner re-passes sim.cooling
    assert again.cooling == simulation.cooling


def test_the_web_forms_kind_follows_the_same_rule():
    """The simulate form sends ``{"kind": ...}``: the device's own kind is the device's cooling, another replaces it."""
    from laserskin.web.forms import scenario_from_simulate_form

    form = {"age": "52", "sex": "female", "fitzpatrick": "III", "site": "cheek", "device": "smoothbeam_1450"}
    for choice, parallel, source in (
        ("cryogen", True, "device smoothbeam_1450's cryogen ([cooling] table gives its kind only)"),
        ("device default", True, "default of device smoothbeam_1450 (no [cooling] table)"),
        ("cold_air", True, "[cooling] table (replaces device smoothbeam_1450's cryogen)"),
    ):
        scenario = scenario_from_dict(scenario_from_simulate_form({**form, "fluence": "14 J/cm^2", "cooling": choice}))
        used = cooling_used(Simulation.from_scenario(scenario, progress=None), scenario)
        assert used["parallel"] is parallel and used["source"] == source
