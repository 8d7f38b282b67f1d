"""The heat run without the laser is reused between thermal responses with the same inputs.

Reference: the same response computed with both runs solved afresh (the kept runs cleared).
The reused run is the same computation, so the responses must agree to the last bit
(tolerance 0); a change of any input of the run without the laser (here the cooling) must
solve it again.
"""

import numpy as np
import pytest

from laserskin.pipeline import stages
from laserskin.pipeline.simulation import Simulation, SimulationSettings
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

SETTINGS = SimulationSettings(photons=2_000, seed=3, grid={"nr": 12})


@pytest.fixture
def solves(monkeypatch):
    calls = []
    original = stages.solve_bioheat_runs

    def counted(medium, sources, *args, **kwargs):  # the runs solved together, in order
        calls.extend("base" if source is None else "laser" for source in sources)
        return original(medium, sources, *args, **kwargs)

    monkeypatch.setattr(stages, "solve_bioheat_runs", counted)
    stages._base_runs.clear()
    yield calls
    stages._base_runs.clear()


def _fields(response):
    return (response.times_s, response.base_K, response.rise_per_J, response.nociceptor_base_K)


def test_reused_run_without_laser_gives_the_fresh_response_exactly(solves, tmp_path):
    person = Person(age=52, sex="female", fitzpatrick="IV", site="cheek")
    simulation = Simulation(person, Laser.from_device("cooltouch_1320"), settings=SETTINGS, cache_dir=tmp_path)
    _, source, grid = simulation.transport()
    first, _ = simulation.thermal_response(source, grid)
    assert solves == ["base", "laser"]
    other_source = source * np.linspace(0.5, 1.5, grid.nz)  # another optical set-up, same heat inputs
    reused, heat = simulation.thermal_response(other_source, grid)
    assert solves == ["base", "laser", "laser"]
    assert np.array_equal(reused.base_K, first.base_K) and not reused.base_K.flags.writeable
    stages._base_runs.clear()
    fresh, fresh_heat = simulation.thermal_response(other_source, grid)
    assert solves[-2:] == ["base", "laser"]
    for a, b in zip(_fields(reused), _fields(fresh)):
        assert np.array_equal(a, b)
    assert np.array_equal(reused.nociceptor_rise_per_J, fresh.nociceptor_rise_per_J)
    assert np.array_equal(heat.final_temperature_K, fresh_heat.final_temperature_K)
    # another cooling: the run without the laser is solved again
    colder = Simulation(
        person,
        Laser.from_device("cooltouch_1320"),
        cooling={"kind": "cryogen", "spurt_duration": "40 ms", "delay": "10 ms", "post_spurt": "30 ms"},
        settings=SETTINGS,
        cache_dir=tmp_path,
    )
    colder.thermal_response(source, grid)
    assert solves[-2:] == ["base", "laser"]
