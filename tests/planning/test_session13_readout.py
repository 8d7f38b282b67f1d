"""Session 13: the plan's ``summary`` carries the issue-9 acceptance keys ``laserskin simulate --json`` prints for the
same setting, read by the same function (:func:`laserskin.pipeline.summary.surface_readout` beside
:func:`~laserskin.pipeline.summary.dermal_readout`), with the same values.

Before: for 52 F type IV cheek, laxity 2, cooltouch_1320 (20 000 photons, seed 1) the plan's summary had no
``peak_temperature_C`` and no ``coagulation_depth_um`` (simulate: numbers). The check re-runs the plan's setting through
:class:`~laserskin.pipeline.simulation.Simulation` as tests/planning/test_qa10_summary.py does: the same person, laser
(the planned pulse energy), cooling, anaesthetic, grid, photons and seed, hence the same cached transport
(bit-identical, tests/pipeline/test_readout_error.py) and the same heat solves, so the numbers agree to rounding
(rel 1e-6), not within a Monte Carlo tolerance: both read one field.
"""

import warnings

import numpy as np
import pytest

from laserskin.pipeline.simulation import GridCaptureWarning, Simulation
from laserskin.planning import plan
from laserskin.planning.optimise import planning_settings
from laserskin.skin.person import Person
from laserskin.treatment.protocol import Protocol

PHOTONS = 20_000
SEED = 1
REL = 1e-6  # same transport, same heat solves: rounding only
#: The acceptance keys of issue 9 (`issues show 9`, "Acceptance interface") that a full-field run prints.
ISSUE9_KEYS = (
    "thermal_model",
    "peak_temperature_C",
    "crater_depth_um",
    "residual_damage_depth_um",
    "coagulation_depth_um",
    "immediate_tightening_percent",
)


@pytest.fixture(scope="module")
def plan_and_simulation(person_transport_cache):
    person = Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2)
    result = plan(
        person,
        goal="tighten",
        devices=["cooltouch_1320"],
        photons=PHOTONS,
        seed=SEED,
        cache_dir=person_transport_cache,
        progress=None,
    )
    assert result.eligible and result.device == "cooltouch_1320", result.reasons
    setting = result.support["setting"]
    assert setting.passes == 1, setting.passes  # simulate fires passes in one schedule, the planner adds their Omega
    sim = Simulation(
        person,
        setting.laser,
        setting.cooling,
        Protocol(passes=1, anesthetic=result.anesthetic),
        planning_settings(setting.simulation.settings.photons, SEED, setting.laser),
        cache_dir=person_transport_cache,
        progress=None,
    )
    with warnings.catch_warnings():  # the planning grid's 2.4 % beyond the grid: the plan reads the same grid
        warnings.simplefilter("ignore", GridCaptureWarning)
        run = sim.run()
    return result, run


def test_plan_summary_has_simulates_issue9_keys_with_equal_values(plan_and_simulation):
    result, run = plan_and_simulation
    planned, simulated = result.summary, run.summary
    assert planned["thermal_model"] == simulated["thermal_model"] == "linear"
    for key in ISSUE9_KEYS[1:]:
        assert isinstance(simulated[key], float), key
        assert isinstance(planned.get(key), float), (key, planned.get(key))
        assert planned[key] == pytest.approx(simulated[key], rel=REL, abs=1e-9), key
    assert planned["crater_depth_per_pulse_um"] == simulated["crater_depth_per_pulse_um"] == 0.0


def test_plan_peak_temperature_is_the_pooled_field_of_the_reason(plan_and_simulation):
    """The peak anywhere is the pooled read-out (the field of thermal_model_reason), not the hottest cell: it lies
    between the pooled dermal peak and the hottest single cell, and below the 100 degC switch of a linear run."""
    result, run = plan_and_simulation
    planned = result.summary
    assert planned["peak_dermis_temperature_C"] <= planned["peak_temperature_C"] * (1 + REL)
    assert planned["peak_temperature_C"] <= run.summary["peak_cell_temperature_C"] * (1 + REL)
    assert planned["peak_temperature_C"] < 100.0
    # the number the plan's own reason quotes (simulate's rule: one field for the switch and the peak)
    assert f"peak {planned['peak_temperature_C']:.1f} °C below" in planned["thermal_model_reason"]


def test_coagulation_depth_follows_the_collagen_omega_of_the_passes(plan_and_simulation):
    """``coagulation_depth_um`` is read from the passes' summed collagen Omega (the planner's rule, Omega adds): on
    the plan's own outcome, a collagen Omega scaled until the axis's dermal maximum reaches 2 gives a depth where one
    pass gives none, and the depth is the dermal extent of Omega >= 1 on the axis (within one cell)."""
    from laserskin.pipeline.summary import surface_readout

    result, _ = plan_and_simulation
    setting = result.support["setting"]
    outcome, response = setting.outcome, setting.response
    grid, geometry = response.grid, response.geometry
    z = grid.z_centers_m
    dermis = (z > geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    axis = np.nan_to_num(outcome.omega["collagen"][0], nan=0.0)
    peak = float(axis[dermis].max())
    assert 0.0 < peak < 1.0, peak  # millisecond pulses: collagen barely denatures (Pearce 2010 set)
    passes = int(np.ceil(2.0 / peak))
    read = surface_readout(setting.simulation, response, outcome, passes=passes)
    assert surface_readout(setting.simulation, response, outcome)["coagulation_depth_um"] == 0.0
    coagulated = np.flatnonzero(dermis & (passes * axis >= 1.0))
    assert coagulated.size
    # ln Omega interpolated between the centres of the deepest coagulated cell and the next one
    k = coagulated.max()
    assert z[k] * 1e6 <= read["coagulation_depth_um"] <= z[min(k + 1, z.size - 1)] * 1e6 + 1e-6


def test_ablative_plan_summary_is_simulates_for_the_planned_protocol(person_transport_cache):
    """The non-linear (ablative) path: a full-field Er:YAG plan's summary is the :class:`Simulation` result of its
    setting (preset planned, `planning.plan._ablative_setting`), so a fresh run of the plan's laser, cooling, protocol
    (passes, area) and settings gives the same issue-9 keys, to rounding."""
    person = Person(age=55, sex="female", fitzpatrick="II", site="cheek", laxity=2)
    result = plan(
        person,
        goal="resurface",
        devices=["er_yag_2940"],
        photons=PHOTONS,
        seed=SEED,
        cache_dir=person_transport_cache,
        progress=None,
    )
    assert result.eligible and result.device == "er_yag_2940", result.reasons
    setting = result.support["setting"]
    sim = setting.simulation
    run = Simulation(
        person,
        setting.laser,
        setting.cooling,
        sim.protocol,
        sim.settings,
        cache_dir=person_transport_cache,
        progress=None,
    ).run()
    planned, simulated = result.summary, run.summary
    assert planned["thermal_model"] == simulated["thermal_model"] == "nonlinear"
    assert planned["crater_depth_um"] > 0.0  # an ablative read-out, not the linear one
    for key in ISSUE9_KEYS[1:]:
        assert isinstance(planned.get(key), float), (key, planned.get(key))
        assert planned[key] == pytest.approx(simulated[key], rel=REL, abs=1e-9), key
