"""Public entry of the healing model with the calibrated parameters as default.

:func:`simulate_course` is :func:`laserskin.healing.model.simulate_course` with
``parameters`` defaulting to :func:`laserskin.healing.calibration.calibrated_parameters`
(shipped values with the gains fitted to the published outcomes). Keeping the default here,
above both the model and the calibration, leaves no import cycle between them.
"""

from __future__ import annotations

from collections.abc import Sequence

from laserskin.healing import model
from laserskin.healing.calibration import calibrated_parameters
from laserskin.healing.dose import SessionDose
from laserskin.healing.parameters import HealingParameters
from laserskin.healing.result import HealingResult

__all__ = ["default_parameters", "simulate_course"]


def default_parameters() -> HealingParameters:
    """Shipped parameters with gains fitted to the published targets (cached)."""
    return calibrated_parameters()


def simulate_course(
    doses: Sequence[SessionDose | dict],
    person_age_years: float,
    sun_exposure: float,
    t_end_days: float,
    parameters: HealingParameters | None = None,
    **options,
) -> HealingResult:
    """Simulate a course; see :func:`laserskin.healing.model.simulate_course` (default: calibrated parameters)."""
    parameters = parameters if parameters is not None else default_parameters()
    return model.simulate_course(doses, person_age_years, sun_exposure, t_end_days, parameters, **options)
