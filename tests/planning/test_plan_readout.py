"""The plan's ``summary`` carries the issue-9 acceptance keys ``laserskin simulate --json`` prints for the
same setting, read by the same function (:func:`laserskin.pipeline.summary.surface_readout` beside
:func:`~laserskin.pipeline.summary.dermal_readout`), with the same values.

Before: for 52 F type IV cheek, laxity 2, cooltouch_1320 (20 000 photons, seed 1) the plan's summary had no
``peak_temperature_C`` and no ``coagulation_depth_um`` (simulate: numbers). The check re-runs the plan's setting through
:class:`~laserskin.pipeline.simulation.Simulation` as tests/planning/test_plan_summary_dermal_keys.py does: the same
person, laser (the planned pulse energy), cooling, anaesthetic, grid, photons and seed, hence the same cached
transport (bit-identical, tests/pipeline/test_readout_error.py) and the same heat solves, so the numbers agree to
rounding (rel 1e-6), not within a Monte Carlo tolerance: both read one field.
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


PERSON = {"age": 52, "sex": "female", "fitzpatrick": "IV", "site": "cheek", "laxity": 2}


@pytest.fixture(scope="module")
def plan_and_simulation(plan_store, person_transport_cache):
    """The plan, from the run's plan store (conftest: test_plan_summary_dermal_keys.py reads the same plan, computed
    once per run), and the simulation of its setting."""
    person = Person(**PERSON)
    result = plan_store.plan(PERSON, goal="tighten", devices=["cooltouch_1320"], photons=PHOTONS, seed=SEED)
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


# --- the dose band's ends: Monte Carlo bounds of the basal read-out on a scaled copy -------------------------------

#: Ends of a dose band for the unit checks: rises scaled by 0.8 and 1.2 (the cooltouch band of QA9 #11 is -18 %).
FACTORS = (0.8, 1.2)


def _scaled(response, factor, **changes):
    """The copy the dose band reads (:func:`laserskin.planning.plan._setting_at_dose`), with ``changes``."""
    import dataclasses

    copy = response.scaled(factor)
    return dataclasses.replace(copy, **changes) if changes else copy


@pytest.fixture
def small_run(tmp_path, monkeypatch):
    """genesis_1064 at 4000 photons on a 20-ring grid (as tests/pipeline/test_readout_error.py: a ~1000-photon axis
    region), with empty stores and the backward runs and group splits counted."""
    import weakref

    from laserskin.pipeline import readout_error
    from laserskin.pipeline.settings import SimulationSettings
    from laserskin.treatment.devices import load_device

    for name in ("_ERRORS", "_SENSITIVITIES"):
        monkeypatch.setattr(readout_error, name, weakref.WeakKeyDictionary())
    calls = {"backward": 0, "split": 0}
    backward, split = readout_error.readout_sensitivity, readout_error.source_groups

    def counted_backward(*args):
        calls["backward"] += 1
        return backward(*args)

    def counted_split(*args):
        calls["split"] += 1
        return split(*args)

    monkeypatch.setattr(readout_error, "readout_sensitivity", counted_backward)
    monkeypatch.setattr(readout_error, "source_groups", counted_split)
    preset = load_device("genesis_1064")
    settings = SimulationSettings(photons=4000, seed=3, grid={"nr": 20})
    person = Person(age=52, sex="female", fitzpatrick="III", site="cheek", laxity=2)
    sim = Simulation(person, preset.laser(), dict(preset.cooling), settings=settings, cache_dir=tmp_path)
    results, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    return sim, response, results, calls


def test_a_scaled_copy_has_its_heat_runs_relative_error(small_run):
    """The copy's read-out is f x the run's, group by group, so its relative error is the run's: the same numbers,
    read from the run's estimate (no backward run, no split of the groups), for every region the run has."""
    from laserskin.pipeline.readout_error import basal_readout_relative_errors

    sim, response, results, calls = small_run
    regions = tuple(int(k) for k in np.unique(response.readout_rings)[:3])
    errors = basal_readout_relative_errors(sim, response, regions, results)
    axis = basal_readout_relative_errors(sim, response, (0,), results)
    assert errors is not None and np.all(np.isfinite(errors)) and np.all(errors > 0.0)
    assert axis[0] == pytest.approx(errors[0], rel=1e-9)
    made = dict(calls)
    for factor in FACTORS:
        copy = _scaled(response, factor)
        assert np.array_equal(basal_readout_relative_errors(sim, copy, regions), errors), factor
        assert np.array_equal(basal_readout_relative_errors(sim, copy, (0,)), axis), factor
    assert calls == made  # the copies read the run's estimate: no backward run, no group split


def test_a_scaled_copys_error_is_the_scatter_of_its_scaled_groups(small_run):
    """The identity the rule rests on, checked on the run's own groups: the groups' read-outs of the copy (f x each
    group's) give the copy's relative error by the ratio estimator, and it equals the run's (to rounding)."""
    from laserskin.pipeline import readout_error
    from laserskin.pipeline.readout_error import basal_readout_relative_errors
    from laserskin.transport.statistics import relative_error_from_groups

    sim, response, results, _ = small_run
    sources, photons = readout_error.source_groups(sim.optical_stacks(), results)
    basal = readout_error.basal_index(response)
    area = np.diff(response.grid.r_edges_m**2)
    members = response.readout_rings == 0
    weights = np.zeros((1, response.grid.nr, response.grid.nz))
    weights[0, members, basal] = area[members] / area[members].sum()
    peak = int(np.argmax(response.rise_per_J[:, :, basal] @ weights[0, :, basal]))
    from laserskin.pipeline import stages
    from laserskin.thermal.sensitivity import readout_sensitivity

    heat = stages.heat_problem(
        sim.skin(), response.geometry, response.grid, sim.pulse_schedule(), sim.cooling, sim.settings
    )
    a = readout_sensitivity(heat[0], heat[1], heat[2], response.times_s[: peak + 1], weights)
    groups = np.tensordot(sources, a, axes=((1, 2), (1, 2)))[:, 0]
    own = basal_readout_relative_errors(sim, response, (0,), results)  # the run's estimate, made first as in a plan
    assert own[0] == pytest.approx(relative_error_from_groups(groups, photons), rel=1e-9)
    for factor in FACTORS:
        copy = _scaled(response, factor)
        scaled_peak = int(np.argmax(copy.rise_per_J[:, :, basal] @ weights[0, :, basal]))
        assert scaled_peak == peak  # the read-out time does not move with f
        direct = relative_error_from_groups(factor * groups, photons)
        assert basal_readout_relative_errors(sim, copy, (0,))[0] == pytest.approx(direct, rel=1e-9)


def test_a_copy_that_is_no_multiple_of_a_heat_run_is_not_estimated(small_run):
    """Only an exact positive multiple of an estimated heat run reads its estimate: a rise scaled unevenly (deeper
    cells more, as another optics would) or a changed cooling-only history stays "not estimated" (the groups' check
    fails)."""
    from laserskin.pipeline.readout_error import basal_readout_relative_errors

    sim, response, results, _ = small_run
    assert basal_readout_relative_errors(sim, response, (0,), results) is not None
    z = response.grid.z_centers_m
    import dataclasses

    uneven = dataclasses.replace(response, rise_per_J=response.rise_per_J * (1.0 + 0.05 * z / z.max())[None, None, :])
    warmer = _scaled(response, 1.2, base_K=response.base_K + 1.0)
    for copy in (uneven, warmer):
        assert basal_readout_relative_errors(sim, copy, (0,)) is None
    # a negative multiple has no basal rise to read: the groups' estimate says so (inf), not the run's error
    assert not np.isfinite(basal_readout_relative_errors(sim, _scaled(response, -1.0), (0,))[0])


def test_the_dose_bands_ends_read_the_basal_read_out_with_its_monte_carlo_bounds(plan_and_simulation):
    """The plan's dose band re-reads its setting at F (1 - delta_low) and F (1 + delta_high)
    (:func:`laserskin.planning.plan._setting_at_dose`). Each end now carries simulate's basal Monte Carlo keys with
    the run's relative error s (before: "not estimated", the ends' grade and pigment level nominal): its Omega band
    lies below / above the nominal's in the order of the doses, and each end's grade is at least its grade
    established beyond the error."""
    import importlib
    from types import SimpleNamespace

    from laserskin.damage.injury import GRADES

    plan_module = importlib.import_module("laserskin.planning.plan")
    result, _ = plan_and_simulation
    record = result.risks["outcome_dose_uncertainty"]
    assert record["applied"], record
    setting = result.support["setting"]
    nominal = setting.summary
    s = nominal["epidermal_mc_relative_error"]
    assert s is not None and 0.0 < s < 0.2
    counter = SimpleNamespace(evaluations=0, transports=0, heat_solves=0, full_simulations=0)
    ends = {
        side: plan_module._setting_at_dose(setting, factor, counter).summary
        for side, factor in (("low", 1.0 - record["relative_low"]), ("high", 1.0 + record["relative_high"]))
    }
    for side, end in ends.items():
        assert end["epidermal_mc_relative_error"] == s, side
        low, high = end["epidermal_omega_band"]
        assert 0.0 <= low < high, side
        assert GRADES.index(end["epidermal_injury"]) >= GRADES.index(end["epidermal_injury_beyond_error"]), side
        t_low, t_high = end["peak_basal_temperature_band_C"]
        assert t_low < t_high, side
        assert end["pigment_risk_beyond_error"] in ("low", "moderate", "high"), side
    bands = [ends["low"]["epidermal_omega_band"], nominal["epidermal_omega_band"], ends["high"]["epidermal_omega_band"]]
    assert bands[0][1] < bands[1][1] < bands[2][1] and bands[0][0] < bands[1][0] < bands[2][0]


def test_the_plan_records_the_epidermis_at_each_end_of_its_dose_band(plan_and_simulation):
    """``risks.outcome_dose_uncertainty.epidermal_at_dose_ends`` shows what the ends read (QA12 nit: the bounds had no
    user-visible output): each end's epidermal keys with their Monte Carlo bounds, the low end's Omega below the high
    end's, and the record serialisable as the plan JSON is."""
    import json

    from laserskin.planning.plan import EPIDERMAL_AT_DOSE_END_KEYS

    result, _ = plan_and_simulation
    record = result.risks["outcome_dose_uncertainty"]
    ends = record["epidermal_at_dose_ends"]
    assert set(ends) == {"low", "high"}
    for side in ("low", "high"):
        assert set(ends[side]) == set(EPIDERMAL_AT_DOSE_END_KEYS), side
        assert (
            ends[side]["epidermal_mc_relative_error"]
            == result.support["setting"].summary["epidermal_mc_relative_error"]
        )
    assert ends["low"]["epidermal_omega"] < ends["high"]["epidermal_omega"]
    assert json.loads(json.dumps(record))["epidermal_at_dose_ends"] == ends
