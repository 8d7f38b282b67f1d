"""Healing over months: wound healing and neocollagenesis after each session (docs/healing.md)."""

from laserskin.healing.calibration import (
    CalibratedGains,
    CalibrationTarget,
    ReferenceCourse,
    calibrate,
    calibrated_parameters,
    load_reference_courses,
    load_targets,
)
from laserskin.healing.remodeling import (
    HealingParameters,
    HealingResult,
    SessionDose,
    baseline_collagen_relative,
    default_parameters,
    load_parameters,
    reepithelialization_days,
    simulate_course,
)

__all__ = [
    "CalibratedGains",
    "CalibrationTarget",
    "HealingParameters",
    "HealingResult",
    "ReferenceCourse",
    "SessionDose",
    "baseline_collagen_relative",
    "calibrate",
    "calibrated_parameters",
    "default_parameters",
    "load_parameters",
    "load_reference_courses",
    "load_targets",
    "reepithelialization_days",
    "simulate_course",
]
