"""Issue 10: honest margin with visible uncertainty, choices stable across seeds, sessions within the limit."""

import json

import pytest

from laserskin.planning import plan
from laserskin.planning.plan import _visits
from laserskin.planning.request import planner_rules
from laserskin.planning.uncertainty import BlisterUncertainty
from laserskin.skin.person import Person

PHOTONS = 20_000  # the planner adds photons itself when the basal Monte Carlo error exceeds 3 %
SEEDS = (1, 2, 3, 4, 5)
#: The issue's person (52 F, type IV, cheek, laxity 2).
PERSON = {"age": 52, "sex": "female", "fitzpatrick": "IV", "site": "cheek", "laxity": 2}


def person(**kw):
    return Person(**{**PERSON, **kw})


@pytest.fixture(scope="module")
def plan_cache(person_transport_cache):
    """One transport cache for the module (and the other planner tests of the issue's person, conftest): the
    two-device plans and the single plans of the default person reuse the smoothbeam_1450 runs."""
    return person_transport_cache


@pytest.fixture(scope="module")
def cheek_plans(plan_store, side_by_side):
    """The issue's person (52 F, type IV, cheek, laxity 2, smoothbeam_1450) planned with five seeds (from the run's
    plan store, conftest: another file that asks for one of these plans reads it instead of planning it again)."""
    return side_by_side(
        lambda seed: plan_store.plan(PERSON, goal="tighten", devices=["smoothbeam_1450"], photons=PHOTONS, seed=seed),
        SEEDS,
    )


#: The planner's verdicts on the dermal target (planning.optimise.SettingResult.target_verdict).
TARGET_VERDICTS = ("reached", "at the target within the Monte Carlo resolution", "NOT reached", "not checked")


def _target_verdict(p) -> str:
    """The verdict a plan's reason gives on the dermal target; what the reason adds after it (whether the summary
    resolves the band beyond the Monte Carlo error, with its depths: QA16 #7) is a read-out, not a choice."""
    line = next(r for r in p.reasons if "dermal remodelling target" in r)
    said = line.split("dermal remodelling target", 1)[1].split("): ", 1)[1]
    return next(verdict for verdict in TARGET_VERDICTS if said.startswith(verdict))


def test_same_person_same_choices_for_five_seeds(cheek_plans):
    """Discrete choices (device, passes, sessions, visits) and the dermal-target verdict must not follow
    the Monte Carlo seed (QA3 #1: seed 1 gave 1 pass / target NOT reached, 100 000 photons 3 passes)."""
    choices = {
        (p.device, p.settings["passes"], p.sessions, p.visits_per_session, _target_verdict(p)) for p in cheek_plans
    }
    assert len(choices) == 1, choices
    fluences = [p.settings["fluence_J_per_cm2"] for p in cheek_plans]
    # the continuous fluence may move with the noise, within the reported blister band
    assert max(fluences) / min(fluences) < 1.10


@pytest.mark.slow  # five recommendations between the two contenders (smoothbeam runs come from the cache)
def test_recommendation_between_devices_same_choices_for_five_seeds(cheek_plans, plan_store, side_by_side):
    """Issue 10 item 4 with a choice of device: the recommended device, its passes and its session count
    must not follow the seed. Without --device this person's plan is a choice between cooltouch_1320 and
    smoothbeam_1450 (the other default candidates are far below or not eligible; all seven take ~4 min, so
    the test offers these two). Before the session count was read from the healing model's saturation,
    cooltouch_1320 was chosen for every seed but with 4, 4, 3, 5, 4 sessions (a line on the noisy month-6
    value; the dose's denatured fraction spans 0.14-0.30 over the seeds). The seeds are planned side by side
    (conftest ``side_by_side``: each seed's plan is the one the serial loop makes): within one plan the cached
    smoothbeam_1450 runs finish long before cooltouch_1320's, which would leave a core idle. The plans come from the
    run's plan store (conftest), where the seed-1 plan serves test_alternative_bands.py's pair too."""
    plans = side_by_side(
        lambda seed: plan_store.plan(
            PERSON, goal="tighten", devices=["cooltouch_1320", "smoothbeam_1450"], photons=PHOTONS, seed=seed
        ),
        SEEDS,
    )
    choices = {(p.device, p.settings["passes"], p.sessions) for p in plans}
    assert len(choices) == 1, [(p.device, p.settings["passes"], p.sessions) for p in plans]
    assert any("session(s): the smallest count" in r for r in plans[0].reasons)


def test_outcome_nominal_within_every_other_seeds_band(cheek_plans):
    """QA #10: the 6-month improvement must not double with the seed. Each seed's nominal lies inside
    every other seed's [low, high] band (the band is the healing-parameter band; before the dose band
    was taken from the injured volume, the Omega >= 1 axis band capped the dose: 7.0 vs 14.1 %)."""
    bands = [p.improvement_percent["month_6"] for p in cheek_plans]
    for i, (_, nominal, _) in enumerate(bands):
        for j, (low, _, high) in enumerate(bands):
            if i != j:
                assert low <= nominal <= high, (i, j, bands)


def test_margin_is_85_percent_of_the_lower_blister_fluence(cheek_plans):
    for p in cheek_plans:
        low, nominal, high = p.blister_fluence_J_per_cm2
        assert low < nominal < high
        assert p.settings["fluence_J_per_cm2"] <= 0.85 * low * (1 + 1e-6)
        assert p.fluence_fraction_of_blister == pytest.approx(p.settings["fluence_J_per_cm2"] / nominal)
        assert p.safety_margin == pytest.approx(1 - p.settings["fluence_J_per_cm2"] / low)
        assert p.safety_margin >= 0.15 - 1e-6
        assert p.epidermal_omega < 1.0
        u = p.risks["blister_uncertainty"]
        assert u["mc_relative_error"] <= 0.03 + 1e-9  # photons added until the decision is settled
        assert {"melanin", "epidermis_thickness", "dermis_thickness", "cooling_h"} <= set(u["contributions"])


def test_plan_json_keys_of_the_acceptance_interface(cheek_plans, plan_acceptance_keys):
    data = json.loads(cheek_plans[0].to_json())
    for key in plan_acceptance_keys:
        assert key in data
    assert set(data["improvement_percent"]) == {"immediate", "month_1", "month_3", "month_6"}
    for band in data["improvement_percent"].values():
        assert len(band) == 3 and band[0] <= band[1] <= band[2]
    for key in ("without_anaesthetic", "with_plan"):
        low, mid, high = data["pain"][key]
        assert 0.0 <= low <= mid <= high <= 10.0
    for key in (
        "pigment_risk",
        "blister_fluence_J_per_cm2",
        "safety_margin",
        "pain",
        "downtime_days",
        "referral_reason",
        "blister_margin",
        "pain_without_anaesthetic",
        "pain_with_plan",
        "reepithelialization_days",
        "thermal_model",
    ):
        assert key in data["risks"]
    assert data["risks"]["thermal_model"] == "linear"  # bulk 1450 nm at the 85 % margin stays below 100 degC
    assert data["pain"]["with_plan_category"] in ("none", "mild", "moderate", "severe")
    assert "laxity" in data["outcome_measure"]
    assert data["session_minutes"] <= 60.0 + 1e-9


def test_max_fraction_of_blister_keyword(without_minimum_benefit, plan_cache):
    """plan(max_fraction_of_blister=...) sets the epidermal margin (PlanRequest field)."""
    tighter = plan(
        person(),
        goal="tighten",
        devices=["smoothbeam_1450"],
        photons=PHOTONS,
        max_fraction_of_blister=0.7,
        cache_dir=plan_cache,
    )
    assert tighter.risks["max_fraction_of_lower_blister"] == pytest.approx(0.7)
    assert tighter.settings["fluence_J_per_cm2"] <= 0.7 * tighter.blister_fluence_J_per_cm2[0] * (1 + 1e-6)


def test_fractional_non_ablative_is_planned_with_the_nonlinear_model():
    """Issue 9 item 2: the 1550 nm micro-beam boils in the linear model; the planner now runs the non-linear
    model (the pipeline's rule) instead of excluding the device."""
    p = plan(person(fitzpatrick="II"), goal="tighten", devices=["fraxel_1550"], photons=PHOTONS)
    assert p.device == "fraxel_1550"
    assert p.summary["thermal_model"] == "nonlinear"
    assert p.risks["thermal_model"] == "nonlinear"
    assert 0.0 < p.risks["reepithelialization_days"] < 3.0  # micro-zones close within ~1 day (x age)
    assert p.pain["without_anaesthetic"][1] < 10.0  # the micro-beam does not saturate the index


def test_ablative_plan_states_downtime_and_pain():
    """Full-field Er:YAG: re-epithelialisation days (5-7 d textbook, x age), pain without anaesthetic not 0."""
    p = plan(person(fitzpatrick="II", laxity=1, sun_exposure=3), goal="resurface", devices=["er_yag_2940"])
    assert p.modality == "ablative"
    assert 4.0 <= p.risks["reepithelialization_days"] <= 10.0
    assert p.risks["pain_without_anaesthetic"][1] > 5.0
    assert p.risks["pain_with_plan"][1] < p.risks["pain_without_anaesthetic"][1]
    assert "not applicable" in p.risks["blister_margin"]["note"]
    assert p.improvement_percent["month_6"][1] > 20.0  # ablative > non-ablative (docs/healing.md ranking)


def test_a_session_whose_laser_time_fits_the_limit_is_one_visit(cheek_plans):
    """QA6 #1: 150 cm^2 take ~18 min at the laser; with the cream's label lead time (30 min for lidocaine 4 % and
    lidocaine/tetracaine 7/7, anesthetics.toml) the session is one visit under 60 min (before: 45 min for every
    cream, 63 min, split into 2 visits of 54 min, 108 min per session in total). The limit is the planner's default
    (contraindications.toml ``[safety] max_session_minutes``, 60 min), so the plan is ``cheek_plans``' seed-1 plan:
    the same request as one that asks for ``max_session_minutes=60`` (its echo states the limit it was held to), the
    same computation (the keyword's own path is checked by the 50- and 30-min plans below)."""
    assert planner_rules()["safety"]["max_session_minutes"] == 60.0
    result = cheek_plans[0]
    assert result.seed == 1 and result.request["max_session_minutes"] == "60 min"
    assert result.session_minutes <= 60.0 + 1e-9
    assert result.visits_per_session == 1 and "session_limit_not_met" not in result.risks
    assert result.session_total_minutes == pytest.approx(result.session_minutes)
    assert not any("visits of" in r for r in result.reasons)


def test_a_long_area_under_a_limit_just_above_the_lead_time_is_one_flagged_visit(cheek_plans, plan_cache):
    """QA5 #9 end to end (the simulations of ``cheek_plans``, seed 1): 400 cm^2 (~47 min at the laser) under
    50 min: the laser time fits the limit, the cream's lead time does not: a split would repeat the lead time
    at every visit (QA6 #1), so the plan keeps one visit and flags the limit with the options (before: 10 visits
    of 40 cm^2, 50 min each). The cream is a fixed ``--anesthetic lidocaine_4`` (30-min lead time, the topical the
    auto plan's note offers): under the session-12 pain model (docs/healing.md "Pain") the auto rule plans none for
    this device (5.1/10 with its cryogen, within the limit 6), and the visit rule does not depend on who chose it."""
    p = plan(
        person(),
        goal="tighten",
        devices=["smoothbeam_1450"],
        photons=PHOTONS,
        seed=1,
        cache_dir=plan_cache,
        max_session_minutes=50.0,
        area="400 cm^2",
        anesthetic="lidocaine_4",
    )
    assert p.anesthetic == "lidocaine_4"
    assert p.visits_per_session == 1 and p.area_per_visit_cm2 == pytest.approx(400.0)
    assert p.session_minutes > 50.0 and p.risks["long_session"]
    note = p.risks["session_limit_not_met"]
    assert note in p.reasons and "would not shorten" in note and "before the timed visit" in note
    assert not any("lead time alone exceeds" in r or "visits of" in r for r in p.reasons)


#: A pain limit (0-10) under which the auto rule needs a topical for smoothbeam_1450 (5.1/10 without one for this
#: person under the session-12 pain model, docs/healing.md "Pain"; before 9.9/10 against the limit 6).
PAIN_LIMIT_NEEDING_A_TOPICAL = 1.7


def test_auto_anaesthetic_dropped_when_its_lead_time_alone_exceeds_the_limit(
    without_minimum_benefit, plan_cache, monkeypatch
):
    """QA #19: 30-min limit, 400 cm^2: the topical's lead time (30 min for lidocaine/tetracaine 7/7) alone reaches
    the limit, so with the anaesthetic on auto the session is planned without it (under the limit) and the plan
    states the pain without it and what the clinician can do; a fixed anaesthetic is never overridden (flagged
    instead). The rule acts only where the auto rule planned a topical: under the session-12 pain model this
    device needs none (5.1/10 with its cryogen, within the limit 6), so the planner's pain limit
    (``[safety] pain_index_limit``) is lowered here to :data:`PAIN_LIMIT_NEEDING_A_TOPICAL` (the old ratio of limit
    to pain, 6 / 9.9, x 2.75 for the bulk 1320/1450 plans), under which it takes one again (lidocaine/tetracaine
    7/7 at 11.6 J/cm^2). The fluence lowered for the pain without the cream (10.8 J/cm^2, 2 visits of 23.6 min)
    predicts 0.7 % at month 6: with the minimum-benefit rule (QA4 #23) the real plan keeps the cream (QA8 #1,
    test_session_limit_eligibility.py); the rule is lifted here to check the wiring."""
    monkeypatch.setitem(planner_rules()["safety"], "pain_index_limit", PAIN_LIMIT_NEEDING_A_TOPICAL)
    kw = {
        "goal": "tighten",
        "devices": ["smoothbeam_1450"],
        "photons": PHOTONS,
        "area": "400 cm^2",
        "cache_dir": plan_cache,
    }
    auto = plan(person(), max_session_minutes=30.0, **kw)
    assert auto.anesthetic == "none"
    assert auto.session_minutes <= 30.0 + 1e-9
    note = auto.risks["anaesthetic_dropped_for_session_limit"]
    assert note in auto.reasons and "pain" in note and "before the timed visit" in note
    assert auto.pain["with_plan"] == auto.pain["without_anaesthetic"]  # cryogen spray: no cold-air analgesia
    # QA4 #13: without the cream the plan still keeps its pain limit (the fluence is re-optimised without it)
    assert auto.pain["with_plan"][1] <= PAIN_LIMIT_NEEDING_A_TOPICAL + 1e-9
    fixed = plan(person(), max_session_minutes=30.0, anesthetic="emla", **kw)
    assert fixed.anesthetic == "emla"
    assert fixed.session_minutes > 30.0
    assert any("lead time alone exceeds the limit" in r for r in fixed.reasons)


def test_visit_rule():
    assert _visits(54.0, 9.0, 60.0) == 1
    # QA6 #1: the laser time alone fits the limit: a split would only repeat the lead time (2 x 45 + 26.5 min)
    assert _visits(71.5, 26.5, 60.0) == 1
    assert _visits(90.0, 45.0, 60.0) == 1
    assert _visits(95.0, 65.0, 60.0) == 3  # 30 min lead: 30 min of laser per visit, 65/30 -> 3 visits of 51.7 min
    assert _visits(100.0, 70.0, 60.0) == 3  # 70/30 -> 3: at the cap
    assert _visits(130.0, 100.0, 60.0) == 1  # 100/30 -> 4 > 3 visits (QA5 #9)
    assert _visits(70.0, 5.0, 60.0) == 1  # lead time alone is over the limit: nothing helps
    assert _visits(130.0, 130.0, 60.0) == 3  # no cream: 3 visits of 43 min, the same total


def test_uncertainty_band_is_asymmetric_only_for_the_scattering_set():
    u = BlisterUncertainty(relative=0.1, relative_high=0.2, mc_relative_error=0.01)
    assert u.band(10.0) == pytest.approx([9.0, 10.0, 12.0])
    assert u.band(None) is None


def _fake_setting(passes, ratio, mc=0.02):
    from laserskin.planning.optimise import SettingResult, target_verdict
    from laserskin.planning.uncertainty import BlisterUncertainty

    verdict = target_verdict(ratio)
    return SettingResult(
        device="d",
        device_class="non_ablative",
        laser=None,
        cooling={},
        passes=passes,
        energy_range_J=(1.0, 2.0),
        safe_energy_J=1.0,
        target_energy_J=None if ratio is None else ratio,
        blister_energy_J=1.2,
        binding="epidermal safety",
        feasible=True,
        uncertainty=BlisterUncertainty(relative=0.1, mc_relative_error=mc),
        target_ratio=ratio,
        target_verdict=verdict,
        target_reached=verdict != "NOT reached",
    )


@pytest.mark.parametrize(
    ("ratio", "verdict"),
    [(0.85, "reached"), (0.95, "at the target"), (1.05, "at the target"), (1.15, "NOT reached"), (None, "NOT reached")],
)
def test_target_verdict_has_a_fixed_resolution(ratio, verdict):
    """E_target / E_safe within 1 +- 10 % is 'at the target' (the target fluence scatters ~5 % over seeds)."""
    from laserskin.planning.optimise import target_verdict

    assert target_verdict(ratio).startswith(verdict)


def test_more_passes_only_when_they_beat_the_noise():
    """Passes lower both the safe and the target fluence; a 1 % gain in the target ratio is noise (1 pass),
    a 30 % gain is not (the fewest passes that give it)."""
    from laserskin.planning.optimise import order_settings

    close = [_fake_setting(1, 1.01), _fake_setting(2, 1.003), _fake_setting(3, 0.999)]
    assert order_settings(close)[0].passes == 1
    far = [_fake_setting(1, 1.2), _fake_setting(2, 0.85), _fake_setting(3, 0.84)]
    assert order_settings(far)[0].passes == 2
