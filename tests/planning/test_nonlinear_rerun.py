"""The planner's non-linear re-run (planning.optimise._apply_thermal_model_rule, finalise): its summary alone, on the
plan's area."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from laserskin.skin.person import Person

PERSON = {"age": 52, "sex": "female", "fitzpatrick": "II", "site": "cheek", "laxity": 2}


@pytest.fixture(scope="module")
def smoothbeam_setting():
    """The best one-pass smoothbeam_1450 setting for 52 F, type II cheek (20 000 photons, seed 1), linear read-outs,
    planned over 100 cm^2."""
    from laserskin.planning.eligibility import device_verdict
    from laserskin.planning.optimise import Counter, optimise_device
    from laserskin.treatment.devices import load_device

    person, preset = Person(**PERSON), load_device("smoothbeam_1450")
    settings = optimise_device(
        person,
        preset,
        verdict=device_verdict(person, preset),
        anesthetic="none",
        max_passes=1,
        photons=20_000,
        seed=1,
        counter=Counter(),
        area_m2=0.01,
    )
    assert settings[0].feasible, settings[0].reasons
    return settings[0]


def test_the_nonlinear_rerun_summary_has_no_linear_leftover(smoothbeam_setting, monkeypatch):
    """Where the linear read-out reaches the onset of vaporisation (forced here), finalise re-runs the setting
    non-linearly; its summary is that run's (the chosen energy and fluence kept), and no linear key survives beside it:
    before, the linear ``dermal_injury_band_um`` stayed and set the healing dose, so the plan's dose was not the dose
    of a ``simulate`` run of its setting."""
    import dataclasses

    from laserskin.pipeline import ablative
    from laserskin.planning.optimise import Counter, finalise
    from laserskin.planning.sessions import session_dose_from_summary

    linear = finalise(dataclasses.replace(smoothbeam_setting, summary={}, curve={}, reasons=[]), "none", Counter())
    assert linear.summary["thermal_model"] == "linear"  # a 1450 nm setting at the blister margin: below 100 degC
    assert linear.summary["dermal_injury_band_um"]  # the planner's linear dose band

    monkeypatch.setattr(ablative, "needs_nonlinear", lambda peak, onset_K=None: (True, "forced by the test"))
    counter = Counter()
    setting = finalise(dataclasses.replace(smoothbeam_setting, summary={}, curve={}, reasons=[]), "none", counter)
    run = setting.supporting_result
    assert counter.full_simulations == 1 and setting.summary["thermal_model"] == "nonlinear"
    assert set(setting.summary) <= set(run.summary), set(setting.summary) - set(run.summary)
    assert "dermal_injury_band_um" not in setting.summary
    for key, value in run.summary.items():
        if key not in ("pulse_energy_J", "fluence_J_per_cm2", "wall_time_s"):
            assert setting.summary[key] == value, key
    # the plan's dose is the dose of the non-linear run's summary (the Omega >= 1 range), as a preset's single run
    assert session_dose_from_summary(setting.summary, setting.laser) == session_dose_from_summary(
        run.summary, setting.laser
    )


def _spied_rerun(monkeypatch, *, passes: int, area_m2: float | None):
    """Call the planner's thermal-model rule above the onset with a recording stand-in for Simulation; the protocol
    of its re-run."""
    from laserskin.pipeline import simulation as simulation_module
    from laserskin.planning.optimise import Counter, SettingResult, _apply_thermal_model_rule

    made = []

    class Recording:
        def __init__(self, person, laser, cooling, protocol, settings, **kwargs):
            made.append(protocol)

        def run(self):
            return SimpleNamespace(summary={"thermal_model": "nonlinear", "thermal_model_reason": "test"})

    monkeypatch.setattr(simulation_module, "Simulation", Recording)
    result = SettingResult(
        device="smoothbeam_1450",
        device_class="non_ablative",
        laser=None,
        cooling={"kind": "cryogen"},
        passes=passes,
        energy_range_J=(1.0, 2.0),
        safe_energy_J=1.5,
        target_energy_J=None,
        blister_energy_J=None,
        binding="",
        feasible=True,
        anesthetic="lidocaine_4",
        simulation=SimpleNamespace(person=Person(**PERSON), settings=None, cache_dir=None),
        treated_area_m2=area_m2,
    )
    _apply_thermal_model_rule(result, 400.0, 1.5, Counter())
    assert len(made) == 1
    return made[0]


def test_the_nonlinear_rerun_takes_the_plans_area(monkeypatch):
    """The re-run's protocol is the plan's: its passes, anaesthetic and area (before: Protocol's 400 cm^2 default)."""
    protocol = _spied_rerun(monkeypatch, passes=2, area_m2=0.01)
    assert (protocol.passes, protocol.anesthetic) == (2, "lidocaine_4")
    assert protocol.treated_area_m2 == pytest.approx(0.01, rel=1e-12)


def test_the_nonlinear_rerun_without_an_area_takes_the_planners_default(monkeypatch):
    from laserskin.planning.request import default_area_m2

    protocol = _spied_rerun(monkeypatch, passes=1, area_m2=None)
    assert protocol.treated_area_m2 == pytest.approx(default_area_m2("cheek"), rel=1e-12)
    assert protocol.treated_area_m2 != pytest.approx(0.04)  # not Protocol's own default


def test_optimise_device_keeps_the_plans_area(smoothbeam_setting):
    assert smoothbeam_setting.treated_area_m2 == 0.01
