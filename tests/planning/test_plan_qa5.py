"""QA5 planner findings: sessions under the limit are split into at most a few visits (#9, the anaesthetic's
lead time is not laser time), and a full-field ablative split states the downtime per patch."""

from laserskin.planning import plan
from laserskin.planning.plan import (
    MAX_VISITS_PER_SESSION,
    _limit_not_met_note,
    _split_reason,
    _visits,
    _visits_needed,
)
from laserskin.skin.person import Person

PHOTONS = 20_000


def test_visits_are_capped_and_the_cap_is_flagged_with_the_options():
    """QA5 #9: 45 min of cream + 31.8 min at the laser under a 46-min limit used to be split into 32 visits of
    1 min at the laser each (the visit count diverges as the limit approaches the lead time). QA6 #1: the laser
    time (31.8 min) fits the limit, so no split at all: one visit, flagged, with the options."""
    assert _visits_needed(76.8, 31.8, 46.0) == 32
    assert _visits(76.8, 31.8, 46.0) == 1
    note = _limit_not_met_note("emla", 76.8, 31.8, 46.0)
    for words in (
        "one visit of 76.8 min",
        "would not shorten",
        "2 visits take 122 min",
        "before the timed visit",
        "raise --max-session-minutes to 77",
    ):
        assert words in note, words
    # the laser time over the limit: 30 min lead leaves 30 min of laser per visit; 70 min -> 3 visits, nothing flagged
    assert (
        _visits(100.0, 70.0, 60.0) == MAX_VISITS_PER_SESSION and _limit_not_met_note("emla", 100.0, 70.0, 60.0) is None
    )
    # beyond the cap: one visit, flagged with the visits it would take
    assert _visits(130.0, 100.0, 60.0) == 1 and "4 visits" in _limit_not_met_note("emla", 130.0, 100.0, 60.0)
    # no anaesthetic: only a laser time longer than the cap x the limit is flagged
    assert _visits(200.0, 200.0, 60.0) == 1 and "4 visits" in _limit_not_met_note("none", 200.0, 200.0, 60.0)
    assert _visits(150.0, 150.0, 60.0) == 3
    # the lead time alone over the limit: one visit, flagged (fixed anaesthetic)
    assert _visits(70.0, 5.0, 60.0) == 1 and "lead time alone exceeds the limit" in _limit_not_met_note(
        "emla", 70.0, 5.0, 60.0
    )


def test_a_split_states_the_total_minutes_per_session():
    """QA6 #1: a split session says what the patient sits through per session, the lead time repeated."""
    option = {
        "visits": 3,
        "session_minutes": 53.6,
        "laser_minutes": 23.6,
        "unsplit_minutes": 100.7,
        "limit_minutes": 60.0,
    }
    text = _split_reason(option, 500.0, "lidocaine_tetracaine_7_7")
    for words in (
        "3 visits of 167 cm^2",
        "54 min each",
        "161 min per session in total",
        "repeated at every visit",
        "laser time alone (71 min) exceeds",
    ):
        assert words in text, words


def test_a_full_field_resurfacing_over_the_limit_is_one_sitting_not_patches():
    """QA5 #9 split a full-field ablative session into patches, each an open wound with its own downtime; QA6 #15:
    a full-field resurfacing is done in one sitting by cosmetic units, so it stays one visit, flagged. Since session 10
    the planner takes one pass of the preset (the CO2 removal enthalpy; 23.6 min at the laser for 500 cm^2, three
    passes and ~71 min before), below the cream's 30 min lead time: the premise, a laser time over the limit, is kept
    with no anaesthetic and a 20 min limit."""
    p = plan(
        Person(age=55, sex="female", fitzpatrick="II", site="cheek", laxity=2),
        devices=["co2_full_field"],
        photons=PHOTONS,
        max_session_minutes=20.0,
        area="500 cm^2",
        anesthetic="none",
    )
    # the laser time alone over the limit: no single visit fits (QA6 #1)
    assert p.modality == "ablative" and p.visits_per_session == 1 and p.laser_minutes > 20.0
    note = p.risks["session_limit_not_met"]
    assert note in p.reasons and "one sitting" in note
    assert not any("patches of" in r for r in p.reasons)
