"""Calibration of the healing model against published outcomes (docs/healing.md).

References (fitted): Alexiades-Armenakas 2007 J Drugs Dermatol 6:1096 (1310 nm with cooling:
laxity −7.9 % at 1 month, −11 % at 3 months); Manstein et al. 2004 Lasers Surg Med 34:426 (NAFL,
4 treatments: 2.1 % linear shrinkage and −18 % wrinkle score at 3 months); Harris et al. 1999 Lasers
Surg Med 25:107 (two CO2 passes on the eyelids: 70–100 % wrinkle reduction at 9 months). The
Alexiades-Armenakas targets carry the published 95 % CI half-width / 1.96, Manstein an assumed
1-sigma of 20 % (SDs not retrieved), Harris half its published range; Fitzpatrick, Rostan & Marchell 2000
(Lasers Surg Med 27:395; contralateral upper eyelids, CO2 3 passes vs Er:YAG) anchors the persistent share
of the thermal contraction through the difference of the two arms at 6 months (15 ± 11.2 %, magnitudes R).
With 6 targets and 5 fitted gains (g_neo, κ, g_wound, g_renewal, thermal_persistence) the fit has 1 degree
of freedom, so a consistent model has χ² below the 95 % quantile of χ²(1) = 3.84.

Held out (``[[calibration.held_out]]`` of healing.toml, never fitted): each published value is
compared with the model's mid value with the target's sigma (2σ), or as a lower bound. A miss is a
strict xfail that states the model's value.
"""

import math

import numpy as np
import pytest
from scipy.stats import chi2

from laserskin.healing import (
    CalibrationTarget,
    calibrate,
    calibrated_parameters,
    load_parameters,
    load_reference_courses,
    load_targets,
    simulate_course,
)
from laserskin.healing.calibration import load_held_out, predict, target_components


@pytest.fixture(scope="module")
def shipped():
    return load_reference_courses(), load_targets()


def test_fit_is_consistent_with_the_published_targets(shipped):
    courses, targets = shipped
    gains = calibrate(courses, targets)
    assert gains.dof == 1
    assert gains.chi2 <= chi2.ppf(0.95, gains.dof)
    assert np.all(np.abs(gains.residuals) <= 2.0)
    assert gains.gain_neo > 0 and gains.laxity_per_linear > 0
    assert 0.0 < gains.thermal_persistence <= 1.0  # a share


def _share_slopes(shipped):
    """% per unit persistent share of the CO2 6-month level and of the CO2 − Er:YAG difference, with gain_wound
    refitted on Harris 1999 (the level target without the difference is not fitted for the share)."""
    courses, targets = shipped
    contrast = [t for t in targets if t.minus_course]
    assert len(contrast) == 1
    level_only = [t for t in targets if not t.minus_course] + [
        contrast[0].model_copy(update=dict(minus_course="", value_pct=25.0, sigma_pct=10.0))
    ]
    assert "thermal_persistence" not in calibrate(courses, level_only).names
    harris = [t for t in targets if t.course == "ablative_co2_eyelid"]
    _, _, wound, _, persistent = target_components(courses, [level_only[-1], harris[0], contrast[0]], load_parameters())
    level_slope = persistent[0] - wound[0] * persistent[1] / wound[1]
    contrast_slope = persistent[2] - wound[2] * persistent[1] / wound[1]
    return level_slope, contrast_slope


def test_the_co2_minus_er_yag_difference_determines_the_persistent_share(shipped):
    """The Er:YAG wound has almost no thermal contraction, so the CO2 − Er:YAG difference of Fitzpatrick, Rostan &
    Marchell 2000 moves by > 2 sigma (10 %) per unit of the persistent share (model 30.3 % per unit; 28.2 before the
    CO2 removal enthalpy of session 10)."""
    _, contrast_slope = _share_slopes(shipped)
    assert contrast_slope > 2 * 10.0


@pytest.mark.xfail(
    strict=True,
    reason="model: the CO2 6-month level moves by 21.4 % per unit of the persistent share (bound: half the CO2 arm's "
    "sigma, 5 %; it was -2.8 %): since the CO2 removal enthalpy (session 10) Harris's 2-pass eyelid course at the "
    "preset's 7 J/cm^2 removes 22 um and contracts 14.9 % of area (7.8 % linear; 50.1 % before), far from the 3-pass "
    "course's 51.0 %, so gain_wound refitted on Harris no longer cancels the level's share: the level alone would "
    "now determine the share too (docs/healing.md 'Session 10'); the fit keeps the difference, the study's designed "
    "contrast, until the Decision on the level is re-run",
)
def test_the_co2_level_alone_does_not_determine_the_persistent_share(shipped):
    """gain_wound is fitted on a CO2 eyelid course (Harris 1999), so the level of another CO2 course trades
    persistent thermal contraction against wound contracture almost one for one when the two courses contract
    alike; only a course without thermal contraction (Er:YAG) separates them. With gain_wound refitted on Harris
    the CO2 6-month level moves by less than half the CO2 arm's sigma (10 %) over the whole range of the share
    (0 to 1: Δχ² < 0.25, so the level cannot fix it; 2.8 % per unit with the mixture contraction model before
    session 10, under 1 % with the earlier layer step)."""
    level_slope, _ = _share_slopes(shipped)
    assert abs(level_slope) < 0.5 * 10.0


def test_calibrated_courses_land_in_the_published_ranges(shipped):
    courses, targets = shipped
    params = calibrated_parameters()
    tol = {(t.course, t.measure, t.months): 2 * t.sigma_pct for t in targets}  # 95 % of each target's sigma
    course = courses["nonablative_1320"]
    result = simulate_course(list(course.sessions), course.age_years, course.sun_exposure, 300, params)
    for months, published in ((1, 7.9), (3, 11.0)):
        low, mid, high = result.improvement_at(months, "laxity")
        assert abs(mid - published) <= tol[("nonablative_1320", "laxity_improvement", months)]
        assert low <= published <= high  # the band covers the published value
    assert result.improvement_at(3)[1] > result.improvement_at(1)[1]  # delayed neocollagenesis
    course = courses["nafl_1550"]
    result = simulate_course(list(course.sessions), course.age_years, course.sun_exposure, 200, params)
    low, mid, high = result.improvement_at(3, "tightening")
    assert abs(mid - 2.1) <= tol[("nafl_1550", "linear_shrinkage", 3)]
    assert low <= 2.1 <= high
    low, mid, high = result.improvement_at(3, "rhytid")
    assert abs(mid - 18.0) <= tol[("nafl_1550", "rhytid_improvement", 3)]
    assert low <= 18.0 <= high


def test_fit_recovers_gains_from_synthetic_data(shipped):
    courses, targets = shipped
    params = load_parameters()
    true_g, true_k, true_c, true_r, true_p = 41.0, 2.7, 4.0, 60.0, 0.35  # wound gain near the fitted 4.5
    # synthetic targets at more times (incl. a 6-month laxity point) from the model with known gains
    synthetic = (
        [
            CalibrationTarget(
                course="nonablative_1320", measure="laxity_improvement", months=m, value_pct=0.0, sigma_pct=1.0
            )
            for m in (1.0, 3.0, 6.0)
        ]
        + [CalibrationTarget(course="nafl_1550", measure="linear_shrinkage", months=3.0, value_pct=0.0, sigma_pct=0.3)]
        + [
            CalibrationTarget(
                course="nafl_1550", measure="rhytid_improvement", months=3.0, value_pct=0.0, sigma_pct=2.0
            )
        ]
        + [
            CalibrationTarget(
                course="ablative_co2_eyelid", measure="rhytid_improvement", months=m, value_pct=0.0, sigma_pct=5.0
            )
            for m in (3.0, 9.0)
        ]
        + [
            CalibrationTarget(
                course="ablative_co2",
                minus_course="ablative_er_yag",
                measure="linear_shrinkage",
                months=6.0,
                value_pct=0.0,
                sigma_pct=2.0,
            )
        ]
    )
    immediate, neo, wound, renewal, persistent = target_components(courses, synthetic, params)
    values = predict(true_g, true_k, synthetic, immediate, neo, wound, true_c, renewal, true_r, persistent, true_p)
    assert np.all(values < 100.0)  # below the grade bound: the model is smooth there
    synthetic = [t.model_copy(update=dict(value_pct=float(v))) for t, v in zip(synthetic, values)]
    gains = calibrate(courses, synthetic, params)
    assert gains.gain_neo == pytest.approx(true_g, rel=1e-6)
    assert gains.laxity_per_linear == pytest.approx(true_k, rel=1e-6)
    assert gains.gain_wound == pytest.approx(true_c, rel=1e-6)
    assert gains.gain_renewal == pytest.approx(true_r, rel=1e-6)
    assert gains.thermal_persistence == pytest.approx(true_p, rel=1e-6)
    assert gains.chi2 < 1e-12

    # with noise of the stated sigma the estimates scatter by their standard errors:
    # |z| < 3 for every gain (fails with probability ~1 % for a correct fit; fixed seed)
    rng = np.random.default_rng(7)
    noisy = [t.model_copy(update=dict(value_pct=t.value_pct + t.sigma_pct * rng.standard_normal())) for t in synthetic]
    fit = calibrate(courses, noisy, params)
    se = np.sqrt(np.diag(fit.covariance_log))
    fitted = [fit.gain_neo, fit.laxity_per_linear, fit.gain_wound, fit.gain_renewal, fit.thermal_persistence]
    z = (np.log(fitted) - np.log([true_g, true_k, true_c, true_r, true_p])) / se
    assert np.all(np.abs(z) < 3.0)


def test_calibration_follows_the_reference_doses(shipped):
    """Gains are fitted, not stored: doubling the reference doses roughly halves gain_neo."""
    courses, targets = shipped
    # the thermal-injury gains only (no open wound, no renewal target)
    targets = [t for t in targets if not t.course.startswith("ablative") and t.measure != "rhytid_improvement"]
    base = calibrate(courses, targets)
    doubled = {
        name: c.model_copy(
            update=dict(
                sessions=tuple(
                    s.model_copy(update=dict(denatured_fraction=2 * s.denatured_fraction)) for s in c.sessions
                )
            )
        )
        for name, c in courses.items()
    }
    stronger = calibrate(doubled, targets)
    # linear response would give exactly 1/2 of the neo part; the saturating stimulus grows less than 2x
    assert 0.5 * base.gain_neo < stronger.gain_neo < 0.75 * base.gain_neo


def test_older_patients_respond_less(shipped):
    courses, _ = shipped
    course = courses["nonablative_1320"]
    params = calibrated_parameters()
    middle = simulate_course(list(course.sessions), 45, 1, 200, params, band_samples=0).improvement_at(3)[1]
    older = simulate_course(list(course.sessions), 70, 1, 200, params, band_samples=0).improvement_at(3)[1]
    assert older < middle


def test_calibration_needs_both_measures(shipped):
    from laserskin.core.errors import InputError

    courses, targets = shipped
    with pytest.raises(InputError):
        calibrate(courses, [t for t in targets if t.measure == "laxity_improvement"])
    with pytest.raises(InputError):
        calibrate(courses, [targets[0].model_copy(update=dict(course="nope")), targets[2]])


def _model_value(courses, target, params):
    course = courses[target.course]
    t_end = course.last_session_days + target.months * 30.44 + 2
    result = simulate_course(list(course.sessions), course.age_years, course.sun_exposure, t_end, params)
    measure = {"linear_shrinkage": "tightening", "laxity_improvement": "laxity", "rhytid_improvement": "rhytid"}
    return result.improvement_at(target.months, measure[target.measure])


#: Held-out misses (model mid values [band] with the shipped reference doses; the reason after the colon). The terms
#: of the fractional-CO2 outcomes (kappa-weighted, % of the grade) are traced in docs/healing.md "Session 14".
HELD_OUT_MISSES = {
    ("Chua et al. 2007", "laxity_improvement"): "model 0.10 % vs >= 5 % (0.09 % before the preset's water filter "
    "of session 14): the Titan-type preset (20 degC window, one stationary 36 J/cm^2 pulse) injures almost no dermis "
    "(Henriques Omega >= 1 in 0.155 % of the 0.3-0.8 mm band, peak dermis 51.5 degC); Chua's fluence and passes are "
    "not known (the published mobile technique, 6-8 passes at 45 J/cm^2, reaches 60-70 degC with the window lifted "
    "between passes and a 51-52 degC epidermis, but 56.7 degC and 0.18-0.24 % immediate tightening with the gliding "
    "window held on the spot: test_titan_heating.py); heat-shock remodelling below injury is not modelled",
    ("Tierney & Hanke 2011", "laxity_improvement"): "model 27.2 % [13.8-40.1] vs 50.3 +/- 2.14 % (published 95 % CI "
    "/ 1.96): 10.8 sigma low; 20.3 % [10.3-30.4] (14.0 sigma low) until session 22, whose wall light (a cone, across "
    "rings) widens the column (wound area 0.189 -> 0.264 per session; docs/collagen.md 'Wall light across rings'); the terms "
    "below are session 21's. Same kind of measure: the group's % improvement is the decrease of the mean "
    "physician severity score (Tierney et al. 2011 J Am Acad Dermatol 64:730: laxity 3.3 -> 1.3, 65.3 %). Terms at 3 "
    "months: wound contracture 17.2 (0.189 area x 2.25 days open = 0.43 area-days per session, 1/18 of a full-field "
    "CO2 pass), new collagen 2.8 (injured dermis 0.020 of the dermis per session, 96 % of it the ablated column; "
    "Orringer 2012 caps it near half of full field's), persistent thermal 0.2 (0.095 % of area at once). Meeting it "
    "needs 3.0x the fractional wound drive, which puts the same course's texture at 78 % (+15 sigma): texture = "
    "laxity + 27.3 points of renewal in the model, 1.8 below laxity in the study (docs/healing.md 'Session 14')",
    ("Tierney & Hanke 2009", "rhytid_improvement"): "model 20.8 % [13.7-29.2] vs 51.4 +/- 1.58 % (published CI): "
    "19.4 sigma low (14.9 % until session 22's wall light); one fractional CO2 session modelled (study: 1-3, mean "
    "1.4): laxity 7.9 + renewal 12.9",
    ("Tierney & Hanke 2011", "rhytid_improvement"): "model 63.3 % [49.6-73.9] vs 48.5 +/- 1.99 %: 7.4 sigma high. Met "
    "(47.6 %, -0.46 sigma) until session 22 only because the laxity was 30 points low: the model's texture is its "
    "laxity plus superficial renewal (+36.1 points), the study's is 1.8 below its laxity; session 22's wall light "
    "across rings widens the columns (wound area 0.189 -> 0.264 per session), which raises laxity (20.3 -> 27.2 %) "
    "and renewal alike (test_tierney_rhytid_minus_laxity_of_the_same_patients)",
    ("Tierney & Hanke 2009", "laxity_improvement"): "model 7.9 % [3.7-12.9] vs 57.0 +/- 1.94 % (published CI): 25 "
    "sigma low (5.8 % until session 22's wall light; the figures that follow are session 21's); one session modelled (a 1.4 "
    "session mixture gives 8.5 %; even 4x the fractional wound drive gives 18.4 %): wound contracture 4.9, new "
    "collagen 0.7, persistent thermal 0.1; the study's neck scores after a mean 1.4 sessions exceed its face scores "
    "after 2.4, which no per-session dose response gives",
}


def _held_out_params():
    out = []
    for t in load_held_out():
        key = (
            (t.study, t.measure, t.course)
            if (t.study, t.measure, t.course) in HELD_OUT_MISSES
            else (t.study, t.measure)
        )
        reason = HELD_OUT_MISSES.get(key)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(t, marks=marks, id=f"{t.study}-{t.course}-{t.measure}-{t.months:g}mo"))
    return out


@pytest.mark.parametrize("target", _held_out_params())
def test_held_out_outcomes(shipped, target):
    """Held-out published outcomes: model mid within 2 sigma of the published value (or above a lower bound)."""
    courses, _ = shipped
    low, mid, high = _model_value(courses, target, calibrated_parameters())
    if target.criterion == "at_least":
        assert mid >= target.value_pct
    else:
        assert abs(mid - target.value_pct) <= 2.0 * target.sigma_pct


#: Within-study contrasts of the Tierney points: published rhytid/texture minus laxity of the same patients, against the
#: model's rhytid grade minus its laxity grade (= gain_renewal x renewed fraction). Not independent of the held-out
#: points above and not counted in the held-out statistics (like the Er:YAG arm of Fitzpatrick 2000).
TIERNEY_CONTRAST_MISSES = {
    "fractional_co2": "model +36.1 points (renewal; +27.3 until session 22, when the wall light across rings widened "
    "the columns: wound area 0.189 -> 0.264 per session) vs texture - laxity = 48.5 - 50.3 = -1.8 +/- 2.92 (Tierney & "
    "Hanke 2011): +13.0 sigma. Any change of the tightening drive moves both grades alike, so none meets the study's "
    "laxity and texture together (docs/healing.md 'Session 14')",
    "fractional_co2_neck": "model +12.9 points (+9.1 until session 22) vs rhytides - laxity = 51.4 - 57.0 = -5.6 +/- "
    "2.50 (Tierney & Hanke 2009): +7.4 sigma",
}


@pytest.mark.parametrize(
    "course",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=r), id=c) for c, r in TIERNEY_CONTRAST_MISSES.items()],
)
def test_tierney_rhytid_minus_laxity_of_the_same_patients(shipped, course):
    """Tierney & Hanke report laxity and wrinkle/texture scores of the same patients (2011 face: texture 48.5 %, laxity
    50.3 %; 2009 neck: rhytides 51.4 %, laxity 57.0 %), and the two move together, while the model's rhytid grade is its
    laxity grade plus superficial renewal (docs/healing.md, Model step 6), which fractional CO2 columns drive. The
    contrast rhytid - laxity is compared within 2 sigma, sigma = the two published sigmas (95 % CI / 1.96) in
    quadrature: the scores of the same patients are positively correlated, so the sigma of their difference is at most
    that (the looser tolerance)."""
    courses, _ = shipped
    params = calibrated_parameters()
    points = {t.measure: t for t in load_held_out() if t.course == course}
    rhytid, laxity = points["rhytid_improvement"], points["laxity_improvement"]
    assert rhytid.months == laxity.months and rhytid.study == laxity.study
    published = rhytid.value_pct - laxity.value_pct
    sigma = math.hypot(rhytid.sigma_pct, laxity.sigma_pct)
    model = _model_value(courses, rhytid, params)[1] - _model_value(courses, laxity, params)[1]
    assert abs(model - published) <= 2.0 * sigma


def test_modality_ranking_follows_the_evidence(shipped):
    """Published ranking of visible change: full-field ablative > fractional ablative > non-ablative
    (Alexiades-Armenakas, Dover & Arndt 2008 J Am Acad Dermatol 58:719 review; physics_data §8)."""
    courses, _ = shipped
    params = calibrated_parameters()

    def six_months(name):
        c = courses[name]
        result = simulate_course(list(c.sessions), c.age_years, c.sun_exposure, c.last_session_days + 185, params)
        return result.improvement_at(6)[1]

    full_field = min(six_months(n) for n in ("ablative_co2", "ablative_er_yag", "co2_single_pass"))
    fractional = six_months("fractional_co2")
    non_ablative = max(six_months(n) for n in ("nonablative_1320", "nafl_1550", "nonablative_1450", "titan_ir"))
    assert full_field > fractional > non_ablative


#: The planner's own courses (QA7 #3): the person of QA7's table, each device planned on its own at the plan's
#: default photons and seed (the numbers `laserskin plan --device D` prints; fewer photons would test other numbers).
RANKING_PERSON = {"age": 55, "sex": "female", "fitzpatrick": "II", "site": "cheek", "laxity": 2, "sun_exposure": 2}
RANKING_PLAN_PHOTONS = 20_000
RANKING_DEVICES = {
    "full_field": ("co2_full_field",),
    "fractional": ("co2_fractional",),
    "non_ablative": ("cooltouch_1320", "smoothbeam_1450"),
}


@pytest.fixture(scope="module")
def planned_month6():
    """6-month laxity-grade improvement (nominal) of each device's plan for :data:`RANKING_PERSON`."""
    from laserskin.planning import plan
    from laserskin.skin.person import Person

    person = Person(**RANKING_PERSON)
    out = {}
    for devices in RANKING_DEVICES.values():
        for device in devices:
            planned = plan(person, devices=[device], photons=RANKING_PLAN_PHOTONS, progress=None)
            assert planned.eligible and planned.device == device
            out[device] = planned.improvement_percent["month_6"][1]
    return out


@pytest.mark.slow
def test_modality_ranking_of_the_planners_own_plans_follows_the_evidence(planned_month6):
    """Published ranking of visible change, full-field ablative > fractional ablative > non-ablative
    (Alexiades-Armenakas, Dover & Arndt 2008 J Am Acad Dermatol 58:719 review), on what the planner plans
    (``plan(person, devices=[D])``, the product's ``improvement_percent``), not only on the reference courses
    (:func:`test_modality_ranking_follows_the_evidence`). Ordering only: no tolerance (deterministic at the seed).

    Session 12 (55 F, type II cheek, laxity 2, photoaging 2; 20 000 photons, seed 1), laxity month 6 nominal:
    co2_full_field 55.47 (1 session) > co2_fractional 21.40 (3 sessions) > cooltouch_1320 18.83 (4 sessions) >
    smoothbeam_1450 14.81 (4 sessions). A strict xfail until session 11 (cooltouch_1320 21.69 with 5 sessions, 0.3
    points above fractional CO2): the noise-aware session count (QA10 #4) no longer adds a fifth 1320 nm session whose
    gain lies within its Monte Carlo error (4 sessions for seeds 1-5), so the plan is one session shorter."""
    full_field = min(planned_month6[d] for d in RANKING_DEVICES["full_field"])
    fractional = min(planned_month6[d] for d in RANKING_DEVICES["fractional"])
    non_ablative = max(planned_month6[d] for d in RANKING_DEVICES["non_ablative"])
    assert full_field > fractional > non_ablative


@pytest.mark.slow
def test_full_field_plan_out_tightens_every_other_plan(planned_month6):
    """The part of the published ranking the plans do follow: full-field ablative above fractional ablative and
    every non-ablative plan (same plans and review as above; ordering only)."""
    full_field = min(planned_month6[d] for d in RANKING_DEVICES["full_field"])
    others = [v for d, v in planned_month6.items() if d not in RANKING_DEVICES["full_field"]]
    assert full_field > max(others)


def test_rhytid_and_laxity_are_different_measures(shipped):
    """Bulk non-ablative courses (epidermis in place) give the same laxity and rhytid grade
    (Alexiades-Armenakas 2007: laxity -7.9/-11 %, rhytides -10.6/-11.7 %); courses that renew the
    epidermis and papillary dermis (fractional zones, open wounds) improve wrinkles more than laxity
    (Manstein et al. 2004: wrinkle score -18 % with 2.1 % linear shrinkage)."""
    courses, _ = shipped
    params = calibrated_parameters()
    for name, renews in (("nonablative_1320", False), ("nafl_1550", True), ("fractional_co2", True)):
        c = courses[name]
        result = simulate_course(list(c.sessions), c.age_years, c.sun_exposure, c.last_session_days + 95, params)
        laxity, rhytid = result.improvement_at(3)[1], result.improvement_at(3, "rhytid")[1]
        if renews:
            assert rhytid > 1.5 * laxity
        else:
            assert rhytid == pytest.approx(laxity, rel=1e-12)


@pytest.mark.xfail(
    strict=True,
    reason="model 53.3 % vs ~40-50 % (39.5-50.5 % at the reported precision; 53.0 % until session 22's wall light across "
    "rings, denatured fraction 0.0220 -> 0.0156; 51.1 % before the CO2 removal enthalpy of "
    "session 10, whose 3-pass full-field CO2 course at the preset's 7 J/cm^2 removes 40 um instead of 80): the top "
    "edge was 50.45 % until the crater-wall cells of a fractional CO2 column were ejected once dry (QA5 #3, "
    "docs/collagen.md section 11), which deepens the denatured wall lining (fractional_co2 denatured fraction "
    "0.0423 -> 0.0510; 0.0220 since session 10)",
)
def test_fractional_co2_induces_about_half_the_collagen_of_full_field_co2(shipped):
    """Orringer et al. 2012 (Dermatol Surg 38:1668; 34 volunteers, intra-individual): after one
    treatment, fractional CO2 induced collagen ~40-50 % as much as fully ablative CO2 (held out, never
    fitted). Model: new collagen of one session of each reference course in the same person (50 y,
    photoaging 1), mid value, 1-6 months; tolerance = the published range at its reported precision
    (whole per cent: 39.5-50.5 %). The model is 53.3 % (53.0 % before session 22; 51.1 % before session 10; 50.45 % before the crater-wall
    change of QA5 #3). The fractional dose counts the dermis its columns remove (below the epidermis, healing.toml
    epidermis_thickness); without it the ratio was 0.04."""
    courses, _ = shipped
    params = calibrated_parameters()

    def new_collagen(name):
        result = simulate_course([courses[name].sessions[0]], 50, 1, 200, params, band_samples=0)
        return result.new_collagen[1, [30, 90, 180]]

    ratio = new_collagen("fractional_co2") / new_collagen("ablative_co2")
    assert np.all((0.395 <= ratio) & (ratio < 0.505))


def test_open_wounds_close_later_when_deeper(shipped):
    """Re-epithelialisation: CO2 7-10 d, Er:YAG 5-7 d (textbook, R), ablated micro-columns ~2 d (Hantash 2007)."""
    from laserskin.healing import reepithelialization_days

    courses, _ = shipped
    days = {n: reepithelialization_days(courses[n].sessions[0], 50, load_parameters()) for n in courses}
    assert 7.0 <= days["ablative_co2"] <= 10.0 * 1.1  # age 50: x1.1 slowing
    assert 5.0 <= days["co2_single_pass"] <= 7.0 * 1.1
    assert 1.0 <= days["fractional_co2"] <= 3.0 * 1.1
    assert days["nonablative_1320"] == 0.0


#: Fitted points whose joint band sample is skewed past the delta method on its upper side (the nonlinear tail of
#: the lognormal gains, which a linearisation leaves out). Hidden before QA4 #17 by the clip of the band at 100 %.
#: Empty since session 10: Harris 1999 (ablative_co2_eyelid, rhytid grade, 9 months) was [81.9, 85.0, 99.8] % (the
#: 95th percentile sample 3.39x the nominal's effect, 6.9 delta-method sd, with the wound gain's sd of ln 1.32, a strict
#: xfail); with the CO2 removal enthalpy the wound gain is fitted to sd of ln 0.42 and the band is [76.2, 85.0, 94.1].
SKEWED_BAND_POINTS: dict[tuple[str, str, float], str] = {}


@pytest.fixture(scope="module")
def fitted_point_bands(shipped):
    """``[(target, delta-method sd of ln(model), (low, mid, high) of the band, nominal of predict)]`` per fitted level."""
    courses, targets = shipped
    params = calibrated_parameters()
    gains = calibrate(courses, targets)
    assert set(gains.names) == set(params.joint_names)
    levels = [t for t in targets if not t.minus_course]  # the difference target is not one course's band
    parts = target_components(courses, levels, load_parameters())
    theta = np.log([getattr(gains, name) for name in gains.names])

    def log_model(theta):
        g = {"gain_wound": 0.0, "gain_renewal": 0.0, "thermal_persistence": 0.0}
        g.update(zip(gains.names, np.exp(theta)))
        immediate, neo, wound, renewal, persistent = parts
        values = predict(
            g["gain_neo"], g["laxity_per_linear"], levels, immediate, neo, wound, g["gain_wound"], renewal,
            g["gain_renewal"], persistent, g["thermal_persistence"],
        )  # fmt: skip
        return np.log(values)

    step = 1e-6
    jac = np.column_stack(
        [(log_model(theta + h) - log_model(theta - h)) / (2 * step) for h in np.eye(len(theta)) * step]
    )
    sd = np.sqrt(np.einsum("ij,jk,ik->i", jac, gains.covariance_log, jac))
    fitted_only = params.model_copy(update={"ranges": {k: v for k, v in params.ranges.items() if k in gains.names}})
    nominal = np.exp(log_model(theta))
    return [
        (target, s, _model_value(courses, target, fitted_only), nominal[i])
        for i, (target, s) in enumerate(zip(levels, sd))
    ]


def _effect(values):
    """The band of a measure bounded at 100 % takes each sample's ratio to the nominal on the effect scale
    u = -ln(1 - y/100) (healing.uncertainty.band, QA4 #17), so ln(u_sample / u_nominal) = ln(model ratio): the
    delta-method widths hold on u (= y/100 for small y: unchanged there)."""
    return tuple(-math.log1p(-v / 100.0) for v in values)


def test_band_of_the_fitted_points_follows_the_fit_covariance(fitted_point_bands):
    """The band samples the fitted gains jointly from the fit (docs/healing.md "Uncertainty band"), so with the
    physiological ranges held at their nominal values the band of a fitted point is the fit's own prediction
    uncertainty. Reference, computed independently of the band sampler: the delta method, sd of ln(model) =
    sqrt(J C J^T) with J = d ln(model)/d ln(gains) from central differences of ``predict`` and C the fit's
    log-covariance. A 5th-95th percentile band then lies 1.645 sd either side of the nominal value on the log
    scale; the tolerance adds 3 standard errors of a 5 %/95 % quantile of 64 draws (sqrt(0.05 * 0.95 / 64) /
    phi(1.645) = 0.27 sd): at most 2.5 sd either side, and at least 1.645 sd in all (a band that collapsed).
    Sampling the same gains independently within their ±2 SE ranges ignores the fit's anticorrelations (p vs
    g_wound -0.73, g_neo vs kappa -0.73) and breaks the bound: Alexiades-Armenakas 1 month 4.1-13.6 %
    around 7.2 (-2.9/+3.4 sd; joint: -2.0/+1.2; with the 14 J/cm^2 course -1.3/+1.7), Harris 1999 38-100 % around
    85 (-4.6 sd; joint: -1.2, now -0.6)."""
    for target, s, band, nominal in fitted_point_bands:
        assert band[1] == pytest.approx(nominal, rel=1e-3)
        low, mid, high = _effect(band)
        assert math.log(mid / low) <= 2.5 * s, target
        if (target.course, target.measure, target.months) not in SKEWED_BAND_POINTS:
            assert math.log(high / mid) <= 2.5 * s, target
        assert math.log(high / low) >= 1.645 * s, target


def test_a_level_and_a_difference_of_one_study_share_an_arm(shipped):
    """Fitzpatrick, Rostan & Marchell 2000 report two arms (CO2 ~25 +/- 10 %, Er:YAG ~10 +/- 5 %; R); the fit
    uses their difference (15 +/- 11.2 %). A trial that adds the CO2 level must count the CO2 arm once: with the
    covariance of ``target_covariance`` (Cov(level, difference) = sigma_CO2^2) the generalised chi^2 of (level,
    difference) equals the plain chi^2 of the two arms as independent levels, exactly (a linear change of
    variables; tolerance: round-off). Fitted with that covariance the fit stays consistent (χ² 2.98 on 2 dof) and,
    since the CO2 removal enthalpy of session 10, keeps the published ranking fractional CO2 > 1320 nm at 6 months
    (16.0 > 14.6; it broke it before, 11.2 < 14.5: docs/healing.md "Decision" and "Session 10"), the ranking of
    :func:`test_modality_ranking_follows_the_evidence` (Alexiades-Armenakas, Dover & Arndt 2008). The level stays
    held out until the Decision's other criteria are re-run."""
    import scipy.linalg

    from laserskin.healing.calibration import target_covariance

    courses, targets = shipped
    difference = next(t for t in targets if t.minus_course)
    level = next(t for t in load_held_out() if t.course == difference.course and t.study == difference.study)
    cov = target_covariance([level, difference])
    assert cov[0, 1] == pytest.approx(level.sigma_pct**2)
    er_sigma = math.sqrt(difference.sigma_pct**2 - level.sigma_pct**2)  # 5 %: the Er:YAG arm
    er_value = level.value_pct - difference.value_pct  # 10 %
    rng = np.random.default_rng(3)
    for co2_model, er_model in rng.uniform(0.0, 40.0, size=(5, 2)):
        misfit = np.array([co2_model - level.value_pct, co2_model - er_model - difference.value_pct])
        white = scipy.linalg.solve_triangular(np.linalg.cholesky(cov), misfit, lower=True)
        arms = ((co2_model - level.value_pct) / level.sigma_pct) ** 2 + ((er_model - er_value) / er_sigma) ** 2
        assert white @ white == pytest.approx(arms, rel=1e-12)
    # independent targets: plain weighted least squares as before
    assert np.allclose(target_covariance(targets), np.diag([t.sigma_pct**2 for t in targets]))

    trial = calibrate(courses, [*targets, level])
    assert trial.dof == 2 and trial.chi2 <= chi2.ppf(0.95, trial.dof)  # consistent ...
    params = load_parameters().with_gains(
        trial.gain_neo,
        trial.laxity_per_linear,
        trial.ranges(),
        gain_wound=trial.gain_wound,
        gain_renewal=trial.gain_renewal,
        thermal_persistence=trial.thermal_persistence,
    )

    def six_months(name):
        c = courses[name]
        result = simulate_course(
            list(c.sessions), c.age_years, c.sun_exposure, c.last_session_days + 185, params, band_samples=0
        )
        return result.improvement_at(6)[1]

    assert six_months("fractional_co2") > six_months("nonablative_1320")  # ... and in the published order


@pytest.mark.xfail(
    strict=True,
    reason="model 27.2 % [14.7-52.2] vs ~10 +/- 5.04 % (R): +3.41 sigma (12.8 %, +0.56 sigma, before the CO2 removal enthalpy of "
    "session 10 doubled the wound gain, 3.29 -> 7.19, refitted on Harris 1999 whose eyelid course now contracts 7.8 % "
    "linear at once instead of 29.4). The Er:YAG wound has almost no thermal contraction (0.11 % linear), so its "
    "6-month shrinkage is wound contracture alone, 7.19 x W; the fitted difference (15 %) puts the CO2 level at 42.2 "
    "and the arm at 27.2. Wound depth in the wound drive does not remove the miss (Ross et al. 2000: long-term "
    "contraction rose with ablation depth; the Er:YAG wound, 119 um, is deeper than Harris's 81 um: 32.7 %, "
    "docs/healing.md 'Session 11')",
)
def test_the_er_yag_arm_of_fitzpatrick_2000(shipped):
    """Fitzpatrick, Rostan & Marchell 2000 (contralateral upper eyelids, 9 patients): the Er:YAG arm's vertical tattoo-dot
    shrinkage at 6 months, ~10 % (R: recalled, the results section was not retrieved), compared with the model's
    linear contraction of the ``ablative_er_yag`` course. Not independent of the fit (the arm is the held-out CO2
    level minus the fitted CO2 - Er:YAG difference), and not a count of the held-out statistics; its value and sigma
    are those the stored targets already carry: level - difference (25 - 15 = 10 %) and sqrt(sigma_difference^2 -
    sigma_level^2) = sqrt(11.2^2 - 10^2) = 5.04 % (the arm's sigma, 5 %, in the difference's stored 11.2, R). Model mid
    within 2 sigma."""
    courses, targets = shipped
    difference = next(t for t in targets if t.minus_course)
    level = next(t for t in load_held_out() if t.course == difference.course and t.study == difference.study)
    arm = difference.model_copy(
        update=dict(
            course=difference.minus_course,
            minus_course="",
            value_pct=level.value_pct - difference.value_pct,
            sigma_pct=math.sqrt(difference.sigma_pct**2 - level.sigma_pct**2),
        )
    )
    assert arm.value_pct == pytest.approx(10.0) and arm.sigma_pct == pytest.approx(5.0, abs=0.05)
    _, mid, _ = _model_value(courses, arm, calibrated_parameters())
    assert abs(mid - arm.value_pct) <= 2.0 * arm.sigma_pct


def test_every_published_point_names_what_it_measured():
    """Each fitted and held-out point says what the study measured (``instrument``) next to the model quantity it is
    compared with (``measure``): a physical shrinkage is compared with the linear contraction, a graded score's %
    decrease with the grade's, never one with the other. Tierney & Hanke's sigmas are their published 95 % CIs / 1.96
    (Dermatol Surg 2011;37:1279: laxity 46.1-54.5, texture 44.6-52.4; J Drugs Dermatol 2009;8:723: rhytides
    48.3-54.5, laxity 53.2-60.8), the same rule as Alexiades-Armenakas 2007's, to the rounding of the stored sigma
    (0.01 %): their "% improvement" is the decrease of the mean physician severity score (Tierney et al. 2011 J Am
    Acad Dermatol 64:730: laxity 3.3 -> 1.3 at 6 months, 65.3 %), not a separate scale that would need a wider one."""
    points = [*load_targets(), *load_held_out()]
    for t in points:
        assert t.instrument, t
        physical = t.instrument.startswith("physical")
        assert physical == (t.measure == "linear_shrinkage"), t
    published_ci = {
        ("fractional_co2", "laxity_improvement"): (46.1, 54.5),
        ("fractional_co2", "rhytid_improvement"): (44.6, 52.4),
        ("fractional_co2_neck", "rhytid_improvement"): (48.3, 54.5),
        ("fractional_co2_neck", "laxity_improvement"): (53.2, 60.8),
    }
    tierney = [t for t in points if t.study.startswith("Tierney")]
    assert {(t.course, t.measure) for t in tierney} == set(published_ci)
    for t in tierney:
        low, high = published_ci[(t.course, t.measure)]
        assert t.value_pct == pytest.approx((low + high) / 2, abs=0.05)
        assert t.sigma_pct == pytest.approx((high - low) / 2 / 1.96, abs=0.005)
