"""The planner's in-process memo (:func:`laserskin.planning.optimise.memoised`, added for test time).

A device's optimised settings (:func:`~laserskin.planning.optimise.optimise_device`) and a preset-planned setting
(plan.py's ``_preset_setting``) are computed once per process for the same inputs. Checked here: (a) the same plan
twice gives the same JSON (the wall time aside) and the second runs no heat solve and no transport; (b) every input
of the key (seed, photons, anaesthetic, cooling, area, a person field, the preset's content, the margin, the
planner's rules) is a miss; (c) a caller that changes what it got changes neither the memo nor a later hit; the
benefit screen is applied to the kept bound at every call; the memo keeps at most ``PLAN_MEMO_SIZE`` results and
``PLAN_MEMO_BYTES`` of arrays.
(b) and (c) count the calls of the optimisation itself (replaced by a stand-in that counts), (a) the real heat
solver's.
"""

import dataclasses
import importlib
import json

import numpy as np
import pytest

from laserskin.planning import optimise
from laserskin.planning.eligibility import device_verdict
from laserskin.planning.optimise import (
    Counter,
    NotExpectedToWork,
    SettingResult,
    clear_plan_memo,
    optimise_device,
    plan_memo_info,
)
from laserskin.planning.request import PlanRequest, planner_rules
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

plan_module = importlib.import_module("laserskin.planning.plan")
stages = importlib.import_module("laserskin.pipeline.stages")

PERSON = dict(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2)


@pytest.fixture(autouse=True)
def empty_memo():
    """Each test starts and ends with an empty memo (no result of another test is read or left behind)."""
    clear_plan_memo()
    yield
    clear_plan_memo()


@pytest.fixture
def heat_solves(monkeypatch):
    """Heat runs and Monte Carlo transports (both counted, both still run; a call of the heat solver that solves the
    runs with and without the laser together counts each run)."""
    calls = {"heat": 0, "transport": 0}
    solve, transport = stages.solve_bioheat_runs, stages.simulate_transport_cached

    def counted_solve(medium, sources, *args, **kwargs):
        calls["heat"] += len(sources)
        return solve(medium, sources, *args, **kwargs)

    def counted_transport(*args, **kwargs):
        calls["transport"] += 1
        return transport(*args, **kwargs)

    monkeypatch.setattr(stages, "solve_bioheat_runs", counted_solve)
    monkeypatch.setattr(stages, "simulate_transport_cached", counted_transport)
    stages._base_runs.clear()  # the cooling-only runs' own cache: the first plan solves them
    yield calls
    stages._base_runs.clear()


def _json(p) -> dict:
    out = p.to_dict()
    out.pop("wall_time_s")
    return out


def test_the_same_plan_twice_is_the_same_plan_without_a_heat_solve(
    monkeypatch, tmp_path, heat_solves, without_minimum_benefit
):
    """(a) cooltouch_1320 for the issue's person on a cheap grid (10 rings, 2000 photons not raised): the second
    plan reads both the optimisation and its finalised setting's inputs from the memo. Its JSON is the first's,
    ``simulation_work`` and ``citations`` included (the work its results stand for, module docstring of
    optimise.py)."""
    monkeypatch.setattr(optimise, "PLANNING_GRID_NR", 10)
    monkeypatch.setattr(optimise, "MAX_PHOTONS", 2000)
    kwargs = dict(goal="tighten", devices=["cooltouch_1320"], photons=2000, seed=1, cache_dir=tmp_path, progress=None)
    first = plan_module.plan(Person(**PERSON), **kwargs)
    solved = dict(heat_solves)
    assert solved["heat"] > 0 and solved["transport"] > 0 and first.simulation_work["heat_solves"] > 0
    assert first.device == "cooltouch_1320"
    second = plan_module.plan(Person(**PERSON), **kwargs)
    assert heat_solves == solved  # nothing solved or transported by the second plan
    assert plan_memo_info()["hits"] >= 1
    assert json.dumps(_json(second), sort_keys=True) == json.dumps(_json(first), sort_keys=True)


def _stand_in(monkeypatch):
    """optimise._optimise_device replaced by a stand-in that counts its calls and returns one setting; its
    ``screen`` is called with a bound setting, as the real one does."""
    calls = []

    def fake(person, preset, *, counter, screen, **kwargs):
        calls.append(kwargs)
        counter.heat_solves += 2
        counter.transports += 1
        setting = SettingResult(
            device=preset.name,
            device_class=preset.device_class,
            laser=None,
            cooling=dict(kwargs["cooling"]),
            passes=1,
            energy_range_J=(1.0, 2.0),
            safe_energy_J=1.5,
            target_energy_J=None,
            blister_energy_J=None,
            binding="stand-in",
            feasible=True,
            summary={"fluence_J_per_cm2": 10.0, "nested": {"depth_um": [100.0, 200.0]}},
            reasons=["first"],
            response=np.zeros(1000),  # 8000 bytes, shared by the copies (as a heat response is)
        )
        if screen is not None and (why := screen(dataclasses.replace(setting, binding="bound"))):
            raise NotExpectedToWork(why)
        return [setting]

    monkeypatch.setattr(optimise, "_optimise_device", fake)
    return calls


def _optimise(preset=None, person=None, counter=None, **changes):
    preset = preset or load_device("smoothbeam_1450")
    person = person or Person(**PERSON)
    kwargs = dict(
        verdict=device_verdict(person, preset),
        anesthetic="auto",
        max_passes=3,
        photons=2000,
        seed=1,
        cooling=None,
        counter=counter or Counter(),
        area_m2=0.015,
    )
    kwargs.update(changes)
    return optimise_device(person, preset, **kwargs)


def test_every_input_of_the_key_is_a_miss(monkeypatch):
    """(b) One call, the same call (a hit), then one input changed at a time: each a miss."""
    calls = _stand_in(monkeypatch)
    _optimise()
    _optimise()
    assert len(calls) == 1
    preset = load_device("smoothbeam_1450")
    changed = [
        dict(seed=2),
        dict(photons=4000),
        dict(anesthetic="emla"),
        dict(cooling={"kind": "cold_air"}),
        dict(area_m2=0.03),
        dict(max_fraction=0.7),
        dict(max_passes=2),
        dict(person=Person(**{**PERSON, "age": 53})),
        dict(person=Person(**{**PERSON, "fitzpatrick": "III"})),
        # the same name, another content: a preset is keyed on its fields, not its name
        dict(preset=preset.model_copy(update={"cooling": {**preset.cooling, "spurt_duration": "60 ms"}})),
    ]
    for n, change in enumerate(changed, start=2):
        _optimise(**change)
        assert len(calls) == n, change
    _optimise(seed=2)  # each of them is kept
    assert len(calls) == len(changed) + 1
    # the planner's rules (a test's monkeypatch) and the module's constants are in the key
    monkeypatch.setitem(planner_rules()["safety"], "pain_index_limit", 1.7)
    _optimise()
    monkeypatch.setattr(optimise, "PLANNING_GRID_NR", 10)
    _optimise()
    assert len(calls) == len(changed) + 3


def test_the_transport_cache_folder_is_in_the_key(monkeypatch, tmp_path):
    calls = _stand_in(monkeypatch)
    _optimise(cache_dir=tmp_path / "a")
    _optimise(cache_dir=tmp_path / "a")
    _optimise(cache_dir=tmp_path / "b")
    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path / "a"))
    _optimise()  # None: the folder $LASERSKIN_CACHE_DIR names, the same as "a"
    assert len(calls) == 2


def test_a_hit_is_a_private_copy_and_counts_the_first_calls_work(monkeypatch):
    """(c) What a caller changes in its result (as ``finalise`` and the session-limit rules do) is not seen by a
    later hit; a hit adds the first call's counted work to the caller's counter."""
    calls = _stand_in(monkeypatch)
    first_counter = Counter()
    first = _optimise(counter=first_counter)[0]
    first.summary["fluence_J_per_cm2"] = -1.0
    first.summary["nested"]["depth_um"].append(300.0)
    first.reasons.append("changed by the caller")
    first.cooling["kind"] = "none"
    first.anesthetic = "emla"
    counter = Counter()
    second = _optimise(counter=counter)[0]
    assert len(calls) == 1
    assert second.summary == {"fluence_J_per_cm2": 10.0, "nested": {"depth_um": [100.0, 200.0]}}
    assert second.reasons == ["first"] and second.anesthetic == "none"
    assert second.cooling == dict(load_device("smoothbeam_1450").cooling)
    second.summary["nested"]["depth_um"].clear()
    third = _optimise()[0]
    assert third.summary["nested"]["depth_um"] == [100.0, 200.0]
    assert second is not third and second.summary is not third.summary
    assert (
        counter.as_dict()
        == first_counter.as_dict()
        == {
            "transport_runs": 1,
            "heat_solves": 2,
            "evaluations": 0,
            "full_simulations": 0,
            "total": 3,
        }
    )


def test_the_screen_is_applied_to_the_kept_bound_at_every_call(monkeypatch):
    """A device the benefit screen rejected is rejected again from the kept bound without a run; a screen that lets
    it pass (another goal's, another minimum benefit) gets the full optimisation."""
    calls = _stand_in(monkeypatch)
    seen = []

    def rejecting(bound):
        seen.append(bound.binding)
        return "not expected to work"

    with pytest.raises(NotExpectedToWork):
        _optimise(screen=rejecting)
    with pytest.raises(NotExpectedToWork):
        _optimise(screen=rejecting)
    assert len(calls) == 1 and seen == ["bound", "bound"]
    assert len(_optimise(screen=lambda bound: None)) == 1
    assert len(calls) == 2
    # now complete: a passing screen is a hit, a rejecting one still rejects from the bound
    _optimise(screen=lambda bound: None)
    with pytest.raises(NotExpectedToWork):
        _optimise(screen=rejecting)
    assert len(calls) == 2


def test_the_memo_is_bounded(monkeypatch):
    calls = _stand_in(monkeypatch)
    monkeypatch.setattr(optimise, "PLAN_MEMO_SIZE", 3)
    for seed in range(1, 6):
        _optimise(seed=seed)
    assert plan_memo_info()["entries"] == 3
    _optimise(seed=5)  # kept
    _optimise(seed=1)  # dropped (least recently used)
    assert len(calls) == 6
    # the bytes of arrays held bound it too: 8000 per entry here
    assert plan_memo_info()["nbytes"] == 3 * 8000
    monkeypatch.setattr(optimise, "PLAN_MEMO_BYTES", 2 * 8000)
    _optimise(seed=7)
    assert plan_memo_info()["entries"] == 2 and len(calls) == 7
    _optimise(seed=7)
    assert len(calls) == 7
    monkeypatch.setattr(optimise, "PLAN_MEMO_SIZE", 0)  # off: neither read nor kept
    _optimise(seed=7)
    _optimise(seed=6)
    _optimise(seed=6)
    assert len(calls) == 10


def test_a_preset_planned_setting_is_memoised_by_its_inputs(monkeypatch):
    """plan.py's ``_preset_setting`` (fractional and ablative devices, one :class:`Simulation` run each): the same
    request again is a hit; the requested anaesthetic, the passes, the area, the seed or the person are misses."""
    calls = []

    def fake(preset, person, request, verdict, counter, cache_dir, passes=1):
        calls.append((request.anesthetic, passes))
        counter.full_simulations += 1
        return SettingResult(
            device=preset.name,
            device_class=preset.device_class,
            laser=None,
            cooling={},
            passes=passes,
            energy_range_J=(1.0, 1.0),
            safe_energy_J=1.0,
            target_energy_J=None,
            blister_energy_J=None,
            binding="stand-in",
            feasible=True,
            summary={"mtz_depth_um": 500.0},
        )

    monkeypatch.setattr(plan_module, "_ablative_setting", fake)
    preset = load_device("fraxel_1550")
    person = Person(**PERSON)
    verdict = device_verdict(person, preset)

    def setting(person=person, passes=1, **changes):
        request = PlanRequest(**{**PERSON, "devices": ["fraxel_1550"], "photons": 2000, **changes})
        return plan_module._preset_setting(preset, person, request, verdict, Counter(), None, passes=passes)

    setting().summary["mtz_depth_um"] = 0.0
    assert setting().summary["mtz_depth_um"] == 500.0
    assert len(calls) == 1
    for n, change in enumerate(
        [dict(anesthetic="emla"), dict(passes=2), dict(area="100 cm^2"), dict(seed=2), dict(photons=4000)], start=2
    ):
        setting(**change)
        assert len(calls) == n, change
    setting(person=Person(**{**PERSON, "age": 60}))
    assert len(calls) == 7
