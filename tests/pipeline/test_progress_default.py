"""Progress by default: a rich bar when someone watches, silence otherwise; None silences;
the planner's progress= reaches every simulation it makes."""

import pytest

from laserskin.core.callbacks import Callback
from laserskin.pipeline.progress import progress_scope
from laserskin.pipeline.simulation import Simulation
from laserskin.plotting.progress import RichProgress
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

PERSON = Person(age=40, sex="male", fitzpatrick="III", site="forehead")
LASER = Laser(wavelength="1320 nm", fluence="12 J/cm^2", pulse_duration="20 ms", spot_diameter="4 mm")


class Recorder(Callback):
    def __init__(self):
        self.stages = []

    def on_start(self, stage, total, unit):
        self.stages.append(stage)


def test_default_is_a_bar_when_interactive_and_silent_otherwise(monkeypatch):
    monkeypatch.setenv("LASERSKIN_PROGRESS", "1")
    assert isinstance(Simulation(PERSON, LASER).progress, RichProgress)
    monkeypatch.setenv("LASERSKIN_PROGRESS", "0")
    assert type(Simulation(PERSON, LASER).progress) is Callback
    monkeypatch.setenv("LASERSKIN_PROGRESS", "1")
    assert type(Simulation(PERSON, LASER, progress=None).progress) is Callback  # None silences


def test_a_scope_hands_its_progress_to_simulations_made_inside(monkeypatch):
    monkeypatch.setenv("LASERSKIN_PROGRESS", "1")
    recorder = Recorder()
    with progress_scope(recorder):
        assert Simulation(PERSON, LASER).progress is recorder
        assert type(Simulation(PERSON, LASER, progress=None).progress) is Callback  # explicit wins
    with progress_scope(None):
        assert type(Simulation(PERSON, LASER).progress) is Callback
    assert isinstance(Simulation(PERSON, LASER).progress, RichProgress)  # outside: the default again


@pytest.mark.parametrize("given", ["recorder", None])
def test_plan_threads_progress_to_its_simulations(monkeypatch, given):
    import importlib

    planning = importlib.import_module("laserskin.planning.plan")  # the module (the package exports plan())

    monkeypatch.setenv("LASERSKIN_PROGRESS", "1")
    recorder = Recorder()
    seen = []

    def fake_plan_request(request, *, cache_dir=None):
        seen.append(Simulation(PERSON, LASER).progress)
        return planning.TreatmentPlan(eligible=False, referral="test", seed=1, photons=1, request={})

    monkeypatch.setattr(planning, "_plan_request", fake_plan_request)
    planning.plan(PERSON, progress=recorder if given else None)
    assert seen[0] is recorder if given else type(seen[0]) is Callback
