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


def test_a_kept_read_out_needs_no_backward_run(tmp_path, monkeypatch):
    """The backward run's sensitivity is kept one read-out region at a time: the axis region after an estimate over
    regions that include it is read from the store (no backward run), with the error a fresh store gives, bit for
    bit; a new region runs backwards alone (session 18)."""
    import weakref

    import numpy as np

    from laserskin.pipeline import readout_error

    sim = _sim(tmp_path)
    results, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    regions = tuple(int(k) for k in np.unique(response.readout_rings)[:3])
    fresh = {}
    for key in ((0,), regions[1:2]):  # each estimate from empty stores
        monkeypatch.setattr(readout_error, "_ERRORS", weakref.WeakKeyDictionary())
        monkeypatch.setattr(readout_error, "_SENSITIVITIES", weakref.WeakKeyDictionary())
        fresh[key] = basal_readout_relative_errors(sim, response, key, results)
    monkeypatch.setattr(readout_error, "_ERRORS", weakref.WeakKeyDictionary())
    monkeypatch.setattr(readout_error, "_SENSITIVITIES", weakref.WeakKeyDictionary())
    rows = []
    backward = readout_error.readout_sensitivity

    def counted(medium, power, surface, times_s, weights):
        rows.append(len(weights))
        return backward(medium, power, surface, times_s, weights)

    monkeypatch.setattr(readout_error, "readout_sensitivity", counted)
    several = basal_readout_relative_errors(sim, response, regions[:1] + regions[2:], results)
    made = list(rows)
    assert made and sum(made) == 2
    assert np.array_equal(basal_readout_relative_errors(sim, response, (0,), results), fresh[(0,)])
    assert rows == made  # region 0 was kept: no backward run
    assert np.array_equal(basal_readout_relative_errors(sim, response, regions[1:2], results), fresh[regions[1:2]])
    assert rows[len(made) :] == [1]  # only the new region ran backwards
    # the groups' read-outs of several regions are summed over the cells as one product (BLAS): region 0's error
    # among others equals its error alone to rounding only, as before the store kept single regions
    assert several is not None and math.isclose(several[0], fresh[(0,)][0], rel_tol=1e-12)
