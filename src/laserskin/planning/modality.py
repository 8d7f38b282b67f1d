"""Modality choice: which device classes serve a goal, and the default candidate devices.

* ``tighten``: non-ablative dermal heating (bulk or fractional): little epidermal injury,
  little downtime, gradual improvement (physics_data §7.1, §8).
* ``resurface``: ablative or fractional ablative: epidermis removed, more immediate
  visible change, days of downtime (§7.2, §7.3).
* ``recommend``: tightening when laxity dominates (grade >= 2) or photoaging is mild
  (sun_exposure <= 1), resurfacing when photoaging dominates; both are planned and the
  other one is reported as the alternative with its numbers.
"""

from __future__ import annotations

__all__ = ["CLASSES_FOR_GOAL", "DEFAULT_DEVICES", "candidate_devices", "primary_goal"]

CLASSES_FOR_GOAL = {
    "tighten": ("non_ablative", "fractional_non_ablative"),
    "resurface": ("fractional_ablative", "ablative"),
}

#: Default candidates per goal: kept small so a plan stays within ~30 s on 2 cores
#: (titan_ir needs 7 transport runs and multi-second pulses; give it with ``devices``).
DEFAULT_DEVICES = {
    "tighten": ("cooltouch_1320", "smoothbeam_1450", "genesis_1064"),
    "resurface": ("co2_fractional", "er_yag_2940"),
}


def primary_goal(goal: str, person) -> str:
    """``tighten`` or ``resurface``: the goal itself, or the recommendation for ``recommend``."""
    if goal != "recommend":
        return goal
    if person.laxity >= 2 or person.sun_exposure <= 1:
        return "tighten"
    return "resurface"


def candidate_devices(goal: str, devices: list[str] | None) -> list[str]:
    """Device names for a (primary) goal: the requested ones of a matching class, or the defaults."""
    from laserskin.treatment.devices import load_device

    if devices is None:
        return list(DEFAULT_DEVICES[goal])
    return [name for name in devices if load_device(name).device_class in CLASSES_FOR_GOAL[goal]]
