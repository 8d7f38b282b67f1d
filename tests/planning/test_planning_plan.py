"""Planner tests: referral, bad input, session timing, dose converter, safety of chosen settings."""

import json
import math

import pytest
import typer
from typer.testing import CliRunner

from laserskin.core.errors import InputError
from laserskin.healing import SessionDose
from laserskin.planning import (
    PlanRequest,
    plan,
    session_dose_from_summary,
    session_timing,
)
from laserskin.planning.request import planner_rules
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

PHOTONS = 5000  # the constraints are read from the beam axis and basal layer; see test docstrings


def person(**kw):
    base = {"age": 52, "sex": "female", "fitzpatrick": "II", "site": "cheek", "laxity": 2}
    return Person(**{**base, **kw})


def test_severe_laxity_is_referred():
    result = plan(person(laxity=4), goal="tighten")
    assert result.eligible is False and "surgical" in result.referral
    data = json.loads(result.to_json())
    assert data["eligible"] is False and data["referral"] == result.referral


@pytest.mark.parametrize(
    "fields",
    [
        {"laxity": 5},
        {"age": 17},
        {"age": 101},
        {"area": "0 cm^2"},
        {"area": "900 cm^2"},
        {"devices": ["no_such_laser"]},
    ],
)
def test_bad_request_raises_input_error(fields):
    base = {"age": 52, "sex": "female", "fitzpatrick": "II", "site": "cheek", "laxity": 2}
    with pytest.raises(InputError):
        PlanRequest.validated(**{**base, **fields})


def test_zero_sessions_names_binding_constraint():
    with pytest.raises(InputError, match="max_sessions"):
        plan(person(), goal="tighten", max_sessions=0)


def test_every_device_contraindicated_is_an_ineligible_plan_with_the_reasons():
    result = plan(person(fitzpatrick="VI"), goal="resurface", devices=["co2_full_field", "er_yag_2940"])
    assert result.eligible is False and "contraindicated" in result.referral
    assert "co2_full_field" in result.referral and "er_yag_2940" in result.referral


def test_session_time_hand_computed():
    # Genesis-type: 5 mm flat top, 10 Hz, 1 pulse per spot. 150 cm^2 / (pi 0.25^2 cm^2) = 763.94 spots,
    # / 10 Hz = 76.394 s of firing per pass; 2 passes; x the handling factor 2 (session_timing.toml, QA4 #27:
    # before, the firing time alone, 2.5 min); plus the 30 min lead time of the LMX 4 label (anesthetics.toml, QA6 #1).
    from laserskin.planning.sessions import handling_factor

    assert handling_factor() == 2.0
    laser = load_device("genesis_1064").laser()
    _, minutes, at_laser = session_timing(laser, passes=2, area_m2=150e-4, anesthetic="lidocaine_4")
    per_pass_s = 150.0 / (math.pi * 0.25**2) / 10.0
    assert at_laser == pytest.approx(2.0 * 2 * per_pass_s / 60, rel=1e-12)
    assert minutes == pytest.approx(30 + 2.0 * 2 * per_pass_s / 60, rel=1e-12)
    # QA4 #27: one full-field Er:YAG pass over 150 cm^2 (5 mm, 10 Hz) was 1.27 min at the laser
    _, _, er_yag = session_timing(load_device("er_yag_2940").laser(), passes=1, area_m2=150e-4, anesthetic="none")
    assert er_yag == pytest.approx(2.0 * 150.0 / (math.pi * 0.25**2) / 10.0 / 60, rel=1e-12)


def test_converter_summary_to_dose():
    laser = load_device("genesis_1064").laser()  # 5 mm spot: area 0.19635 cm^2
    summary = {
        "denatured_volume_mm3": 0.19635 * 100 * 0.1 * 0.5,
        "denaturation_depth_um": [300.0, 800.0],
        "immediate_tightening_percent": 1.5,
        "epidermal_injury": "erythema",
        "crater_depth_um": None,
    }
    dose = session_dose_from_summary(summary, laser, time_s=86400.0)
    assert isinstance(dose, SessionDose)
    # volume per area = 0.98175 mm^3 / 19.635 mm^2 = 50 um -> fraction 50 / 500 um = 0.1
    assert dose.denatured_fraction == pytest.approx(0.1, rel=1e-4)
    assert (dose.depth_top_m, dose.depth_bottom_m) == pytest.approx((300e-6, 800e-6))
    assert dose.epidermal_injury_grade == 1 and dose.coverage == 0.0


def test_injury_deeper_than_the_dermis_is_clipped_not_refused():
    """1064 nm in type VI skin injured a band 0.1-2.0 mm deep: the healing dose keeps the band's mean
    fraction over the healing model's dermis and drops the subcutis below it (it used to stop the plan
    with an internal 'band thicker than the dermis' error)."""
    from laserskin.healing import load_parameters as healing_parameters

    laser = load_device("genesis_1064").laser()
    summary = {
        "denatured_volume_mm3": 0.19635 * 100 * 1.9 * 0.2,  # 20 % of a 1.9 mm band
        "denaturation_depth_um": [100.0, 2000.0],
        "epidermal_injury": "none",
    }
    dose = session_dose_from_summary(summary, laser)
    dermis_m = healing_parameters().dermis_thickness_m
    assert dose.depth_bottom_m == pytest.approx(100e-6 + dermis_m)
    assert dose.denatured_fraction == pytest.approx(0.2, rel=1e-4)


def test_plan_constraints_hold_on_rerun_and_bands_ordered(without_minimum_benefit):
    """Re-run Simulation at the chosen settings (same photons, seed, grid: same transport) and check
    every reported constraint. One pass is simulated; passes add Omega (thermally independent)."""
    from laserskin.pipeline.simulation import Simulation
    from laserskin.planning.optimise import planning_settings
    from laserskin.treatment.protocol import Protocol

    p = person()
    result = plan(p, goal="tighten", devices=["genesis_1064"], photons=PHOTONS)
    assert result.eligible and result.device == "genesis_1064"
    for band in result.improvement_percent.values():
        assert band[0] <= band[1] <= band[2]
    setting = result.support["setting"]
    sim = Simulation(
        p,
        setting.laser,
        setting.cooling,
        Protocol(anesthetic=result.anesthetic),
        planning_settings(setting.simulation.settings.photons, 1),
    )
    summary = sim.run().summary
    omega = setting.passes * summary["epidermal_omega"]
    assert omega == pytest.approx(result.epidermal_omega, rel=1e-6)
    low, nominal, high = result.blister_fluence_J_per_cm2
    assert low < nominal < high
    # the honest margin: at most 85 % of the LOWER blister fluence, and the blister Omega is not reached
    assert result.settings["fluence_J_per_cm2"] <= 0.85 * low * (1 + 1e-6)
    assert result.safety_margin >= 0.15 - 1e-6
    assert omega < 1.0
    assert summary["pain_index_with_anesthetic"] <= 6.0 + 1e-9
    assert not summary["boiling"]
    lo, hi = load_device("genesis_1064").fluence_range_J_per_m2()
    assert lo * 1e-4 * (1 - 1e-9) <= result.settings["fluence_J_per_cm2"] <= hi * 1e-4 * (1 + 1e-9)


def test_dark_skin_safe_and_lower_fluence_than_fair(without_minimum_benefit):
    fair = plan(person(fitzpatrick="I"), goal="tighten", devices=["genesis_1064"], photons=PHOTONS)
    dark = plan(person(fitzpatrick="VI"), goal="tighten", devices=["genesis_1064"], photons=PHOTONS)
    assert dark.fluence_fraction_of_blister <= 0.85 + 1e-6 and dark.safety_margin >= 0.15 - 1e-6
    # dark skin: the epidermal limit binds below the device maximum; fair skin reaches a higher fluence
    assert fair.settings["fluence_J_per_cm2"] > dark.settings["fluence_J_per_cm2"]


def test_cli_json_and_bad_input(tmp_path):
    from laserskin.cli.plan import plan_command

    app = typer.Typer()
    app.command("plan")(plan_command)
    app.command("other")(lambda: None)
    runner = CliRunner()
    out = tmp_path / "out"
    r = runner.invoke(
        app,
        [
            "plan",
            "--age",
            "52",
            "--sex",
            "female",
            "--fitzpatrick",
            "II",
            "--site",
            "cheek",
            "--laxity",
            "4",
            "--json",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["eligible"] is False
    assert (out / "report.html").exists() and (out / "plan.json").exists()
    bad = tmp_path / "bad"
    r = runner.invoke(
        app,
        [
            "plan",
            "--age",
            "52",
            "--sex",
            "female",
            "--fitzpatrick",
            "II",
            "--site",
            "cheek",
            "--laxity",
            "9",
            "--out",
            str(bad),
        ],
    )
    assert isinstance(r.exception, InputError) and not bad.exists()


def test_requested_cooling_replaces_the_device_default(without_minimum_benefit):
    # genesis_1064 has no cooling by default; contact cooling is requested instead
    result = plan(
        person(fitzpatrick="II"), goal="tighten", devices=["genesis_1064"], cooling="contact", photons=PHOTONS
    )
    assert result.cooling["kind"] == "contact"
    assert result.fluence_fraction_of_blister <= planner_rules()["safety"]["max_fraction_of_blister"] + 1e-6


def test_no_feasible_device_is_an_answer_not_an_input_error():
    """Resurfacing a type VI person with the ablative devices asked for: both are contraindicated, so the plan
    says so (eligible false, the reasons) instead of refusing the request as bad input. (With the default
    candidates fraxel_1550 is planned instead, QA4 #20: test_plan_choice.py.)"""
    dark = Person(age=45, sex="male", fitzpatrick="VI", site="forehead", laxity=1)
    result = plan(dark, goal="resurface", devices=["co2_fractional", "er_yag_2940"], photons=PHOTONS)
    assert result.eligible is False
    assert "contraindicated" in result.referral and "er_yag_2940" in result.referral
    assert any(r.startswith("rejected: co2_fractional") for r in result.reasons)


def test_broadband_settings_state_their_band():
    """A Titan-type lamp is 1100-1800 nm less its water-filtered 1400-1500 nm: the plan's ``wavelength_nm`` is the
    energy-weighted mean of its lines (1450 nm, not itself emitted) and ``wavelength_band_nm`` says what that number
    stands for (``wavelength_bands_nm``: the emitted parts);
    a one-line laser has no band key."""
    from types import SimpleNamespace

    from laserskin.planning.plan import _settings

    def settings(device):
        return _settings(
            SimpleNamespace(
                laser=load_device(device).laser(), passes=1, binding="test", safe_energy_J=None, target_energy_J=None
            )
        )

    titan = settings("titan_ir")
    assert titan["wavelength_band_nm"] == pytest.approx([1100.0, 1800.0])
    assert titan["wavelength_nm"] == pytest.approx(1450.0)
    assert "wavelength_band_nm" not in settings("genesis_1064")


def test_no_laxity_and_no_photoaging_is_no_indication_not_a_course():
    # QA4 #28: laxity 0, photoaging 0 got cooltouch_1320, 6 sessions, month 6 [9.8, 16.2, 27.3] % of a grade of 0
    result = plan(person(age=25, sex="male", laxity=0, sun_exposure=0))
    assert result.eligible is False and result.sessions is None and result.improvement_percent is None
    assert "no treatment is indicated" in result.referral and result.risks["indication"] == "none"
    assert result.simulations_run == 0
    data = json.loads(result.to_json())
    for key in ("eligible", "referral", "device", "sessions", "improvement_percent", "risks", "outcome_measure"):
        assert key in data


def test_an_explicit_goal_without_its_grade_is_not_indicated_and_names_the_other_goal():
    result = plan(person(laxity=0, sun_exposure=2), goal="tighten")
    assert result.eligible is False and "--goal resurface" in result.referral


def test_recommend_takes_the_indicated_goal():
    from laserskin.planning.modality import primary_goal

    assert primary_goal("recommend", person(laxity=0, sun_exposure=1)) == "resurface"  # was tighten
    assert primary_goal("recommend", person(laxity=1, sun_exposure=0)) == "tighten"
    assert primary_goal("recommend", person(laxity=2, sun_exposure=3)) == "tighten"
    assert primary_goal("recommend", person(laxity=1, sun_exposure=2)) == "resurface"


def test_full_field_ablative_is_excluded_off_the_face_and_fractional_stays_with_a_caution():
    # QA4 #34: co2_full_field was planned on the neck (2 passes, 8.5 d) with no site warning
    from laserskin.planning.eligibility import device_verdict

    neck = person(site="neck", sun_exposure=3, laxity=1)
    for site in ("neck", "forearm", "abdomen"):
        for name in ("co2_full_field", "er_yag_2940"):
            verdict = device_verdict(person(site=site), load_device(name))
            assert not verdict.allowed and "full_field_ablative_off_face" in verdict.rules
    for site in ("cheek", "forehead", "periorbital", "perioral"):
        assert device_verdict(person(site=site), load_device("co2_full_field")).allowed
    fractional = device_verdict(neck, load_device("co2_fractional"))
    assert fractional.allowed and "fractional_ablative_neck_caution" in fractional.rules
    result = plan(neck, goal="resurface", devices=["co2_full_field"])
    assert result.eligible is False and "off the face" in result.referral


def test_area_caps_are_the_sites_own_area_and_small_sites_default_to_their_whole_area():
    # QA4 #18: periorbital and perioral accepted up to the full-face 500 cm^2 ("perioral 300 cm^2" was planned)
    base = {"age": 60, "sex": "female", "fitzpatrick": "II", "laxity": 1, "goal": "resurface"}
    with pytest.raises(InputError) as info:
        PlanRequest.validated(**base, site="perioral", area="300 cm^2")
    assert str(info.value).startswith(
        "plan.area: got '300 cm^2'; expected at most 60 cm^2 per session for site perioral"
    )
    with pytest.raises(InputError, match="expected at most 50 cm"):
        PlanRequest.validated(**base, site="periorbital", area="100 cm^2")
    caps = planner_rules()["site_max_area_cm2"]
    assert caps["periorbital"] < caps["perioral"] < caps["forehead"] < caps["cheek"]
    assert PlanRequest.validated(**base, site="periorbital").area_m2 == pytest.approx(50e-4)
    assert PlanRequest.validated(**base, site="forehead").area_m2 == pytest.approx(120e-4)
    assert PlanRequest.validated(**base, site="cheek").area_m2 == pytest.approx(150e-4)
    assert PlanRequest.validated(**base, site="cheek", area="500 cm^2").area_m2 == pytest.approx(500e-4)
