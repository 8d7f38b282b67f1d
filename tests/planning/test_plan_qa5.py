"""QA5 planner findings: sessions under the limit are split into at most a few visits (#9, the anaesthetic's
lead time is not laser time), and a full-field ablative split states the downtime per patch."""

from laserskin.planning import plan
from laserskin.planning.plan import MAX_VISITS_PER_SESSION, _limit_not_met_note, _visits, _visits_needed
from laserskin.skin.person import Person

PHOTONS = 20_000


def test_visits_are_capped_and_the_cap_is_flagged_with_the_options():
    """QA5 #9: 45 min of cream + 31.8 min at the laser under a 46-min limit used to be split into 32 visits of
    1 min at the laser each (the visit count diverges as the limit approaches the lead time)."""
    assert _visits_needed(76.8, 31.8, 46.0) == 32
    assert _visits(76.8, 31.8, 46.0) == 1
    note = _limit_not_met_note("emla", 76.8, 31.8, 46.0)
    for words in ("32 visits", "one visit of 76.8 min", "before the timed visit", "raise --max-session-minutes to 77"):
        assert words in note, words
    # within the cap the split stands and nothing is flagged
    assert _visits(90.0, 45.0, 60.0) == MAX_VISITS_PER_SESSION and _limit_not_met_note("emla", 90.0, 45.0, 60.0) is None
    # no anaesthetic: only a laser time longer than the cap x the limit is flagged
    assert _visits(200.0, 200.0, 60.0) == 1 and "4 visits" in _limit_not_met_note("none", 200.0, 200.0, 60.0)
    assert _visits(150.0, 150.0, 60.0) == 3
    # the lead time alone over the limit: one visit, flagged (fixed anaesthetic)
    assert _visits(70.0, 5.0, 60.0) == 1 and "lead time alone exceeds the limit" in _limit_not_met_note(
        "emla", 70.0, 5.0, 60.0
    )


def test_a_split_full_field_resurfacing_states_the_downtime_per_patch():
    """QA5 #9: a full-field ablative session split into visits is a set of patches, each an open wound."""
    p = plan(
        Person(age=55, sex="female", fitzpatrick="II", site="cheek", laxity=2),
        devices=["co2_full_field"],
        photons=PHOTONS,
        max_session_minutes=90.0,
        area="500 cm^2",
    )
    assert p.modality == "ablative" and 1 < p.visits_per_session <= MAX_VISITS_PER_SESSION
    assert p.session_minutes <= 90.0 + 1e-9
    patch = next(r for r in p.reasons if "patches of" in r)
    assert f"open wound for ~{p.risks['downtime_days']:.1f} days" in patch and "per patch" in patch
    assert patch in p.risks["downtime_note"]
