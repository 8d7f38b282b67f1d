"""The basal read-out's Monte Carlo error measured over the transport's groups (:mod:`laserskin.pipeline.readout_error`).

Reproducible (same seed, same s, bit for bit, from a fresh and from a cached transport), recorded with the seed in
the summary, and refused for a response that is not the simulation's own heat run (the groups' rises must add up to
the response's rise; a pulse of another duration does not). The match with the seed-to-seed scatter is in
tests/planning/test_mc_error.py.
"""

import math

from laserskin.pipeline.readout_error import basal_readout_relative_errors
from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

PERSON = Person(age=52, sex="female", fitzpatrick="III", site="cheek", laxity=2)


def _sim(tmp_path, **laser):
    preset = load_device("genesis_1064")
    settings = SimulationSettings(photons=4000, seed=3, grid={"nr": 20})  # 4000 photons: a ~1000-photon axis region
    return Simulation(PERSON, preset.laser(**laser), dict(preset.cooling), settings=settings, cache_dir=tmp_path)


def test_error_is_reproducible_and_recorded_with_the_seed(tmp_path):
    first = _sim(tmp_path / "a").run(grid_warning=False).summary
    again = _sim(tmp_path / "a").run(grid_warning=False).summary  # the transport from the disk cache
    fresh = _sim(tmp_path / "b").run(grid_warning=False).summary
    s = first["epidermal_mc_relative_error"]
    assert 0.0 < s < 1.0 and math.isfinite(s)
    assert again["epidermal_mc_relative_error"] == s and fresh["epidermal_mc_relative_error"] == s
    assert first["epidermal_omega_band"] == fresh["epidermal_omega_band"]
    assert first["seed"] == 3 and first["photons"] == 4000


def test_no_estimate_for_another_heat_run(tmp_path):
    sim = _sim(tmp_path)
    results, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    assert basal_readout_relative_errors(sim, response, (0,), results) is not None
    longer = _sim(tmp_path, pulse_duration="1 ms")  # same light, another pulse: another heat run
    assert basal_readout_relative_errors(longer, response, (0,), results) is None
