"""Modality choice: which device classes serve a goal, and the default candidate devices.

* ``tighten``: non-ablative dermal heating (bulk or fractional): little epidermal injury,
  little downtime, gradual improvement (physics_data §7.1, §8).
* ``resurface``: ablative or fractional ablative: epidermis removed, more immediate
  visible change, days of downtime (§7.2, §7.3).
* ``recommend``: tightening when laxity dominates (grade >= 2) or photoaging is mild
  (sun_exposure <= 1), resurfacing when photoaging dominates; both are planned and the
  other one is reported as the alternative with its numbers. A goal whose grade is 0 has
  nothing to treat (contraindications.toml ``[indication]``): recommend then takes the other
  goal, and with both grades 0 no treatment is planned.
"""

from __future__ import annotations

__all__ = ["CLASSES_FOR_GOAL", "DEFAULT_DEVICES", "candidate_devices", "primary_goal"]

CLASSES_FOR_GOAL = {
    "tighten": ("non_ablative", "fractional_non_ablative"),
    "resurface": ("fractional_ablative", "ablative"),
}

#: Default candidates per goal: every preset of the goal's classes except titan_ir (7 transport runs and
#: multi-second pulses; give it with ``devices``), so that "recommend" can offer fractional non-ablative
#: and full-field ablative treatment. Eligibility by skin type (contraindications.toml) still applies:
#: full-field ablative is excluded in IV-VI, fractional coverage is capped at 10 % in IV-VI.
DEFAULT_DEVICES = {
    "tighten": ("cooltouch_1320", "smoothbeam_1450", "genesis_1064", "fraxel_1550"),
    "resurface": ("co2_fractional", "er_yag_2940", "co2_full_field"),
}


def primary_goal(goal: str, person) -> str:
    """``tighten`` or ``resurface``: the goal itself, or the recommendation for ``recommend``.

    The recommendation: tightening when laxity dominates (grade >= 2) or photoaging is mild (<= 1),
    resurfacing otherwise; where that goal has nothing to treat (laxity 0: no tightening; photoaging 0: no
    resurfacing, :func:`laserskin.planning.eligibility.goal_indicated`) and the other goal has, the other goal
    (QA4 #28: laxity 0 with photoaging 1 was sent to tightening). When neither is indicated the planner
    answers "no treatment is indicated" before it asks this.
    """
    from laserskin.planning.eligibility import goal_indicated

    if goal != "recommend":
        return goal
    rule = "tighten" if person.laxity >= 2 or person.sun_exposure <= 1 else "resurface"
    other = "resurface" if rule == "tighten" else "tighten"
    if not goal_indicated(rule, person) and goal_indicated(other, person):
        return other
    return rule


def candidate_devices(goal: str, devices: list[str] | None) -> list[str]:
    """Device names for a (primary) goal: the requested ones of a matching class, or the defaults."""
    from laserskin.treatment.devices import load_device

    if devices is None:
        return list(DEFAULT_DEVICES[goal])
    return [name for name in devices if load_device(name).device_class in CLASSES_FOR_GOAL[goal]]
