"""QA8 #1: a session limit is a scheduling constraint, never a contraindication.

When the cream's lead time alone reaches the limit, the planner may drop the cream and lower the fluence for the
pain without it, but only where the traded option still clears the minimum benefit (``noise_rules.benefit_verdict``);
otherwise the option keeps its full setting and the cream, and ``risks.session_limit_not_met`` says so with the
minutes and the options. Before, the traded option was rejected by the benefit cut and nothing fell back to the
untraded one: a 20-min slot made the issue's person "not eligible", a 5-min limit gave a longer, weaker plan.
The issue's person (52 F, type IV, cheek, laxity 2, 150 cm^2), seed 1, the plan default of 20 000 photons (the
benefit cut's Monte Carlo rule is stated at that count); one transport cache serves the module.
"""

import pytest

from laserskin.planning import plan
from laserskin.skin.person import Person


@pytest.fixture(scope="module")
def cache(person_transport_cache):
    """The transports of the issue's person, shared with the other planner tests of that person (conftest)."""
    return person_transport_cache


def _person() -> Person:
    return Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2)


def test_a_twenty_minute_slot_keeps_the_person_eligible(cache):
    """(a) cooltouch_1320 + smoothbeam_1450 under 20 min. Before: both lost the cream (30 min lead time) and were
    lowered (14.2 -> 11.7 and 13.4 -> 9.61 J/cm^2), predicted 2.0 % and 0.075 % at month 6, and the plan read
    ``eligible: false``, "no tighten course is expected to work for this person". Now cooltouch_1320 keeps its
    cream and 14.2 J/cm^2 (40 min, 20 min over the limit, ~20 % at month 6) and the plan says the limit is not met,
    with the options (the cream before the timed visit: 9.5 min at the laser)."""
    p = plan(
        _person(),
        devices=["cooltouch_1320", "smoothbeam_1450"],
        max_session_minutes=20.0,
        cache_dir=cache,
        progress=None,
    )
    assert p.eligible and p.referral is None
    assert p.device == "cooltouch_1320" and p.anesthetic != "none"
    assert "anaesthetic_dropped_for_session_limit" not in p.risks
    assert not any("fluence is lowered" in r for r in p.reasons)
    note = p.risks["session_limit_not_met"]
    assert "below the minimum" in note and "apply the cream before the timed visit" in note
    assert p.risks["session_limit_overrun_minutes"] == pytest.approx(p.session_minutes - 20.0)
    assert p.improvement_percent["month_6"][1] >= 5.0
    # neither candidate is rejected for the limit: both keep their cream and full fluence
    assert all(c["available"] and c["anesthetic"] != "none" for c in p.candidates)


def test_b_a_limit_none_meets_chooses_as_without_it(cache):
    """(b) every default candidate under 5 min. Before: cooltouch_1320 was traded below the benefit cut and rejected,
    and smoothbeam_1450 was chosen (47.7 min, 15.6 % at month 6) though the plan said the candidates were ranked as
    without the limit. Now the plan is the one without the limit (cooltouch_1320 with its cream), flagged."""
    limited = plan(_person(), max_session_minutes=5.0, cache_dir=cache, progress=None)
    free = plan(_person(), cache_dir=cache, progress=None)
    assert limited.eligible and free.eligible
    assert limited.device == free.device == "cooltouch_1320"
    assert limited.anesthetic == free.anesthetic != "none"
    assert limited.settings["fluence_J_per_cm2"] == pytest.approx(free.settings["fluence_J_per_cm2"])
    assert limited.improvement_percent["month_6"] == pytest.approx(free.improvement_percent["month_6"])
    assert limited.risks["session_limit_overrun_minutes"] == pytest.approx(limited.session_minutes - 5.0)
    line = next(r for r in limited.reasons if "no candidate fits the limit" in r)
    assert "as without the limit" in line
