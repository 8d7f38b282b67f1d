"""QA9 #11 (issue 10 item 3): the plan's outcome band carries the uncertainty of the delivered dose.

The healing model's band (:mod:`laserskin.healing.uncertainty`) is taken at a fixed dose; the outcome is steep in the
dose, and the blister band's perturbed runs (melanin, thicknesses, scattering set, cooling h) and the Monte Carlo error
move the dermal dose too. The plan re-reads its course at the fluence ``F (1 - d_low)`` and ``F (1 + d_high)``
(:func:`laserskin.planning.plan.outcome_dose_band`); these tests recompute the course there through the public path
(:func:`laserskin.planning.optimise.finalise` on the setting's linear response, the planner's course rule
:func:`laserskin.planning.sessions.plan_course`) and check the band against it.
"""

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest

from laserskin.core.constants import MONTH_DAYS
from laserskin.healing import simulate_course
from laserskin.planning import plan
from laserskin.planning.optimise import finalise
from laserskin.planning.plan import outcome_dose_band
from laserskin.planning.sessions import plan_course, session_dose_from_summary
from laserskin.planning.uncertainty import BlisterUncertainty, DermalReadout, dermal_dose_uncertainty, dermal_readout
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

PHOTONS = 20_000  # the planning tests' default photon count (the planner adds photons where the basal error needs it)
MONTHS = ("month_1", "month_3", "month_6")
#: Relative tolerance of comparisons between two evaluations of the same deterministic healing course (floating
#: point of the interval in weeks vs seconds only; not a Monte Carlo tolerance: the same response is read).
SAME_COURSE_RTOL = 1e-6


@pytest.fixture(scope="module")
def cooltouch_plan(tmp_path_factory):
    """The QA9 #11 example: 45 M, type II, forehead, laxity 2, cooltouch_1320, seed 1."""
    person = Person(age=45, sex="male", fitzpatrick="II", site="forehead", laxity=2)
    return plan(
        person,
        goal="tighten",
        devices=["cooltouch_1320"],
        photons=PHOTONS,
        seed=1,
        cache_dir=tmp_path_factory.mktemp("dose_band_cache"),
        progress=None,
    )


def _record(p) -> dict:
    record = p.risks["outcome_dose_uncertainty"]
    assert record["applied"], record
    return record


def _course_at(p, energy_J: float):
    """``improvement_percent`` of the plan's course at another one-pass energy, through the public evaluation path."""
    setting = p.support["setting"]
    moved = finalise(
        dataclasses.replace(setting, safe_energy_J=energy_J, summary={}, curve={}, reasons=[]),
        setting.anesthetic,
        SimpleNamespace(evaluations=0, transports=0, heat_solves=0, full_simulations=0),
        thermal_model_rule=False,
    )
    # the plan's course (its session count and interval: the count rule reads the dose's depth band, which moves with
    # the dose, so plan_course may pick another count there) of the moved dose, through the healing model's API
    dose, person = session_dose_from_summary(moved.summary, moved.laser), p.support["person"]
    interval_days = p.interval_weeks * 7.0
    doses = [dose.model_copy(update={"time_s": k * interval_days * 86400.0}) for k in range(p.sessions)]
    course = simulate_course(
        doses, person.age_years, person.sun_exposure, (p.sessions - 1) * interval_days + 6 * MONTH_DAYS + 2
    )
    single = simulate_course([dose], person.age_years, person.sun_exposure, 2.0)
    out = {"immediate": list(single.improvement_at(1.0 / MONTH_DAYS))}
    out.update({f"month_{m}": list(course.improvement_at(m)) for m in (1, 3, 6)})
    return out


def test_dose_band_is_recorded_and_measured(cooltouch_plan):
    record = _record(cooltouch_plan)
    fluence = cooltouch_plan.settings["fluence_J_per_cm2"]
    low, high = record["relative_low"], record["relative_high"]
    assert record["fluence_J_per_cm2"] == pytest.approx([fluence * (1 - low), fluence, fluence * (1 + high)])
    # the Monte Carlo part alone is 2 s_MC: the combined band cannot be narrower
    assert min(low, high) >= 2.0 * record["mc_relative_error"] * (1 - 1e-12)
    # every perturbation of the blister band is read at the planned fluence in its own run (none falls back)
    assert set(record["contributions"]) == set(cooltouch_plan.risks["blister_uncertainty"]["contributions"])
    assert set(record["sources"].values()) == {"measured"}


def test_nominal_is_the_healing_only_course(cooltouch_plan):
    """The nominal (every decision and the five-seed agreement read it) is the course of the planned dose."""
    setting = cooltouch_plan.support["setting"]
    course = plan_course(
        session_dose_from_summary(setting.summary, setting.laser),
        load_device(cooltouch_plan.device),
        cooltouch_plan.support["person"],
        max_sessions=None,
    )
    healing_only = _record(cooltouch_plan)["healing_only_improvement_percent"]
    for key, band in course.improvement_percent.items():
        assert healing_only[key] == pytest.approx(band, rel=SAME_COURSE_RTOL)
        assert cooltouch_plan.improvement_percent[key][1] == pytest.approx(band[1], rel=SAME_COURSE_RTOL)


def test_band_holds_the_course_at_the_dose_ends(cooltouch_plan):
    record, setting = _record(cooltouch_plan), cooltouch_plan.support["setting"]
    energy = setting.safe_energy_J
    at_low = _course_at(cooltouch_plan, energy * (1 - record["relative_low"]))
    at_high = _course_at(cooltouch_plan, energy * (1 + record["relative_high"]))
    band = cooltouch_plan.improvement_percent
    for key in ("immediate", *MONTHS):
        assert band[key][0] <= at_low[key][1] * (1 + SAME_COURSE_RTOL)
        assert band[key][2] >= at_high[key][1] * (1 - SAME_COURSE_RTOL)
        # the corners of the rule: the healing band's ends at the dose band's ends
        assert band[key][0] == pytest.approx(min(at_low[key][0], record["healing_only_improvement_percent"][key][0]))
        assert band[key][2] == pytest.approx(max(at_high[key][2], record["healing_only_improvement_percent"][key][2]))


def test_band_is_wider_than_the_healing_only_band(cooltouch_plan):
    healing_only = _record(cooltouch_plan)["healing_only_improvement_percent"]
    for key in MONTHS:
        low, nominal, high = cooltouch_plan.improvement_percent[key]
        assert low < healing_only[key][0] <= nominal <= healing_only[key][2] < high
    # the acceptance shape is kept: four keys, each [low, nominal, high]
    assert set(cooltouch_plan.improvement_percent) == {"immediate", *MONTHS}
    assert all(len(v) == 3 for v in cooltouch_plan.improvement_percent.values())


def test_dermal_dose_uncertainty_reads_an_energy_scaling(cooltouch_plan):
    """A perturbed run whose dermis absorbs 10 % more per joule delivers the nominal dose at 1/1.1 of the energy:
    its dose-equivalent change is +0.1 (exactly, up to the bisection), counted on both sides for a physical
    perturbation and on its own side for a scattering set."""
    setting = cooltouch_plan.support["setting"]
    nominal = dermal_readout(setting.response)
    brighter = DermalReadout(nominal.times_s, nominal.base_K, nominal.rise_per_J * 1.1, nominal.dz_um)
    s_mc = 0.01
    for name, low_sq, high_sq in (
        ("epidermis_thickness", 0.1**2, 0.1**2),
        ("scattering_set", 0.0, 0.1**2),
    ):
        uncertainty = BlisterUncertainty(
            relative=0.0, mc_relative_error=s_mc, contributions={name: -0.2}, dermal_readouts={name: brighter}
        )
        dose = dermal_dose_uncertainty(uncertainty, setting.response, setting.safe_energy_J)
        assert dose["contributions"][name] == pytest.approx(0.1, rel=1e-6)
        assert dose["relative_low"] == pytest.approx(math.sqrt(low_sq + (2 * s_mc) ** 2), rel=1e-6)
        assert dose["relative_high"] == pytest.approx(math.sqrt(high_sq + (2 * s_mc) ** 2), rel=1e-6)
    # a run without a read-out falls back to the blister band's change, said so
    proxy = BlisterUncertainty(relative=0.0, mc_relative_error=s_mc, contributions={"melanin": -0.05})
    dose = dermal_dose_uncertainty(proxy, setting.response, setting.safe_energy_J)
    assert dose["sources"] == {"melanin": "blister band (proxy)"}
    assert dose["relative_high"] == pytest.approx(math.sqrt(0.05**2 + (2 * s_mc) ** 2))
    assert np.isfinite(nominal.omega_depth_um(setting.safe_energy_J))


def test_no_dose_band_without_a_blister_band():
    """Ablative and fractional settings have no blister band: the healing model's band stands, and the record says
    why."""
    setting = SimpleNamespace(device_class="ablative", blister_band_J=None, summary={}, safe_energy_J=1.0)
    record, laxity, rhytid = outcome_dose_band(setting, SimpleNamespace(), None)
    assert (laxity, rhytid) == (None, None)
    assert record["applied"] is False and "no blister band" in record["note"]
