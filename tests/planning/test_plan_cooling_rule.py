"""One cooling rule for ``simulate`` and ``plan`` (session 16, after QA15 #2a).

``simulate`` lays a ``[cooling]`` table of the device preset's own kind over the preset's cooling (only the keys it
gives override) and lets another kind replace it (:func:`~laserskin.pipeline.simulation.resolve_cooling`). The
planner passed the requested kind's whole generic table instead (``planning.request.cooling_for``), so
``plan --device smoothbeam_1450 --cooling cryogen`` planned the generic spurt (20 ms delay, no parallel spray), not
the device's own: 52 F type III cheek was referred ("no safe fluence in the device range") where the same plan
without ``--cooling`` sets 12.9 J/cm²; cooltouch_1320 (delay 10 ms, post-spurt 30 ms) with ``--cooling cryogen`` and
titan_ir (window 20 °C) with ``--cooling contact`` were referred the same way. Now ``cooling_for`` is
``resolve_cooling`` of the preset's laser and ``{"kind": KIND}``, the table the web form sends to ``simulate``.
"""

from __future__ import annotations

import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.simulation import Simulation
from laserskin.planning.request import PlanRequest, cooling_for
from laserskin.skin import Person
from laserskin.thermal.cooling import Cooling
from laserskin.treatment.devices import device_names, load_device

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 2}
KINDS = ("none", "cold_air", "contact", "cryogen")


def _request(cooling: str) -> PlanRequest:
    return PlanRequest(**PERSON, cooling=cooling)


@pytest.mark.parametrize("name", device_names())
def test_the_plans_cooling_is_the_cooling_simulate_runs(name):
    """For every preset and every ``--cooling`` choice: the table the plan records and simulates is the cooling a
    ``simulate`` run of the preset's laser resolves from the same choice (``auto``: no ``[cooling]`` table; a kind:
    ``[cooling] kind = KIND``), and passed back to ``Simulation`` (as the planner does) it runs that same cooling."""
    preset = load_device(name)
    laser = preset.laser()
    person = Person(**PERSON)
    for choice in ("auto", *KINDS):
        planned = cooling_for(_request(choice), preset)
        given = None if choice == "auto" else {"kind": choice}
        try:
            simulated = Simulation(person, laser, given, progress=None).cooling
        except InputError as refusal:  # contact cooling with an ablative laser: the plan rejects the device too
            assert refusal.field == "cooling.kind" and laser.ablative and planned["kind"] == "contact"
            continue
        assert Cooling.from_config(planned) == simulated, (name, choice)
        assert planned == simulated.model_dump(mode="json", by_alias=True), (name, choice)
        assert Simulation(person, laser, planned, progress=None).cooling == simulated, (name, choice)


def test_the_devices_own_kind_is_its_own_cooling():
    """``--cooling KIND`` with the device's own kind is the device's cooling (the same table as ``auto``); another
    kind is that kind's cited defaults. The presets whose own cooling is not their kind's defaults are the ones
    whose plans this changed (before: the generic table)."""
    changed = set()
    for name in device_names():
        preset = load_device(name)
        own = cooling_for(_request("auto"), preset)
        assert cooling_for(_request(own["kind"]), preset) == own, name
        generic = Cooling.from_config({"kind": own["kind"]}).model_dump(mode="json", by_alias=True)
        if generic != own:
            changed.add(name)
        for kind in KINDS:
            if kind != own["kind"]:
                assert cooling_for(_request(kind), preset) == Cooling.from_config({"kind": kind}).model_dump(
                    mode="json", by_alias=True
                ), (name, kind)
    assert {"smoothbeam_1450", "cooltouch_1320", "titan_ir"} <= changed


def test_a_plan_with_the_devices_own_kind_is_the_plan_without_the_flag(plan_store):
    """``plan --device smoothbeam_1450 --cooling cryogen`` is the plan without ``--cooling``: same cooling, settings,
    sessions and predicted outcome (before: a referral, the generic spurt planned instead of the device's). The issue's person
    (type IV) at the plan defaults, from the run's plan store (test_plan_trust.py plans it without the flag)."""
    person = {"age": 52, "sex": "female", "fitzpatrick": "IV", "site": "cheek", "laxity": 2}
    kwargs = dict(goal="tighten", devices=["smoothbeam_1450"], photons=20_000, seed=1)
    own = plan_store.plan(person, **kwargs).to_dict()
    flagged = plan_store.plan(person, **kwargs, cooling="cryogen").to_dict()
    assert own["eligible"] and own["device"] == "smoothbeam_1450"
    assert flagged["inputs"]["cooling"] == "cryogen" and own["inputs"]["cooling"] == "auto"
    for key in (
        "eligible",
        "referral",
        "device",
        "cooling",
        "settings",
        "anesthetic",
        "sessions",
        "improvement_percent",
    ):
        assert flagged[key] == own[key], key
    assert flagged["cooling"]["parallel"] is True and flagged["cooling"]["delay"] == "10 ms"  # the device's spray
