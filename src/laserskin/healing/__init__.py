"""Healing over months: wound healing and neocollagenesis after each session (docs/healing.md).

Modules: :mod:`~laserskin.healing.dose` (input), :mod:`~laserskin.healing.parameters`,
:mod:`~laserskin.healing.model` (equations), :mod:`~laserskin.healing.uncertainty` (band),
:mod:`~laserskin.healing.result`, :mod:`~laserskin.healing.calibration` (gains fitted to
published outcomes) and :mod:`~laserskin.healing.course` (default = calibrated parameters).
"""

from laserskin.healing.calibration import (
    CalibratedGains,
    CalibrationTarget,
    ReferenceCourse,
    calibrate,
    calibrated_parameters,
    load_reference_courses,
    load_targets,
)
from laserskin.healing.course import default_parameters, simulate_course
from laserskin.healing.dose import SessionDose
from laserskin.healing.model import baseline_collagen_relative, reepithelialization_days
from laserskin.healing.parameters import HealingParameters, load_parameters
from laserskin.healing.result import OUTCOME_MEASURES, HealingResult

__all__ = [
    "OUTCOME_MEASURES",
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
