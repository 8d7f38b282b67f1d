"""The linear stage's summary: the absorbed-outside-grid share by transport.result's one rule, and the pooled peak
field computed once per summary."""

from __future__ import annotations

import warnings

import pytest

from laserskin.transport.result import outside_grid_share


@pytest.fixture(scope="module")
def simulation_1064(tmp_path_factory):
    """1064 nm, 5 mm spot on a person's default grid (tests/pipeline/test_grid_capture_warning.py): a fifth of the
    absorbed light lies beyond the radius."""
    from laserskin.pipeline.simulation import Simulation, SimulationSettings
    from laserskin.skin import Person
    from laserskin.treatment.laser import Laser

    person = Person(age=55, sex="female", fitzpatrick="II", site="cheek")
    settings = SimulationSettings(photons=3_000, seed=3, grid={"nr": 30})
    return Simulation(
        person,
        Laser.from_device("genesis_1064"),
        settings=settings,
        progress=None,
        cache_dir=tmp_path_factory.mktemp("cache"),
    )


@pytest.fixture(scope="module")
def run_1064(simulation_1064):
    """The run, with the calls of pool_rings made while its linear summary is computed counted (item 2)."""
    import laserskin.pipeline.simulation as simulation_module
    import laserskin.pipeline.summary as summary_module

    calls: list[int] = []
    inside: list[bool] = []
    pool_rings, linear_summary = summary_module.pool_rings, simulation_module.linear_summary

    def counted_pool_rings(*args, **kwargs):
        if inside:
            calls.append(1)
        return pool_rings(*args, **kwargs)

    def counted_summary(*args, **kwargs):
        inside.append(True)
        try:
            return linear_summary(*args, **kwargs)
        finally:
            inside.pop()

    summary_module.pool_rings, simulation_module.linear_summary = counted_pool_rings, counted_summary
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the grid note's warning (tested in test_grid_capture_warning)
            result = simulation_1064.run()
    finally:
        summary_module.pool_rings, simulation_module.linear_summary = pool_rings, linear_summary
    return result, len(calls)


def test_simulation_summary_takes_the_share_by_the_same_rule(simulation_1064, run_1064):
    result, _ = run_1064
    assert result.summary["thermal_model"] == "linear"
    transport_results, _, _ = simulation_1064.transport()  # cached: the run's own tallies
    weights = [w for _, w in simulation_1064.laser.wavelength_weights()]
    outside = sum(w * t.absorbed_outside_grid_fraction for w, t in zip(weights, transport_results))
    on_grid = sum(w * t.absorbed_on_grid_fraction for w, t in zip(weights, transport_results))
    assert result.summary["absorbed_outside_grid_share"] == outside_grid_share(outside, on_grid)
    assert result.summary["absorbed_outside_grid_share"] > 0.05
    # the 1 % note says "of the absorbed light": the share it reads is of the absorbed light
    assert f"{result.summary['absorbed_outside_grid_share']:.1%} of the absorbed light" in result.summary["grid_note"]


def test_a_linear_summary_pools_the_peak_field_once(run_1064):
    """Before: surface_readout and dermal_readout each pooled the same peak field (2 calls per linear summary)."""
    _, calls = run_1064
    assert calls == 1
