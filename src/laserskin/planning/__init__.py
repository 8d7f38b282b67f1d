"""Treatment planning: eligibility, modality choice, settings under safety limits, sessions.

``laserskin.planning.plan(Person(...), goal="recommend", area="150 cm^2") -> TreatmentPlan``.
"""

from laserskin.planning.plan import TreatmentPlan, plan, plan_request
from laserskin.planning.request import PlanRequest
from laserskin.planning.sessions import session_dose_from_summary, session_timing

__all__ = ["PlanRequest", "TreatmentPlan", "plan", "plan_request", "session_dose_from_summary", "session_timing"]
