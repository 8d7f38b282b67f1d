"""Heat: Pennes bioheat equation on the shared r–z grid with time-dependent surface cooling.

Public API
----------
* :class:`ThermalMedium` — per-cell k, ρc, perfusion (``from_layers``, ``jiang2002``);
* :class:`Schedule` — piecewise-constant P(t), h(t), T(t) (``pulse_train``, ``from_intervals``);
* :class:`SurfaceBoundary` — h(t) and T_medium(t) at z = 0, resting values for the initial state;
* :func:`solve_bioheat` → :class:`HeatResult` (probes, stored fields, peaks, energy ledger); :func:`solve_bioheat_runs`
  several sources on the same steps, solved together;
* :func:`steady_state_temperature` — resting temperature field;
* :class:`Cooling` and its kinds (none, cold air, contact, cryogen) → ``surface_boundary``.
"""

from laserskin.thermal.boundary import (
    RESTING_H_W_PER_M2K,
    ROOM_TEMPERATURE_K,
    SurfaceBoundary,
)
from laserskin.thermal.cooling import (
    ColdAirCooling,
    ContactCooling,
    Cooling,
    CoolingConfig,
    CryogenCooling,
    NoCooling,
    ParameterRange,
)
from laserskin.thermal.medium import JIANG2002_LAYERS, ThermalMedium
from laserskin.thermal.result import EnergyLedger, HeatResult
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.solver import solve_bioheat, solve_bioheat_runs, steady_state_temperature

__all__ = [
    "JIANG2002_LAYERS",
    "RESTING_H_W_PER_M2K",
    "ROOM_TEMPERATURE_K",
    "ColdAirCooling",
    "ContactCooling",
    "Cooling",
    "CoolingConfig",
    "CryogenCooling",
    "EnergyLedger",
    "HeatResult",
    "NoCooling",
    "ParameterRange",
    "Schedule",
    "SurfaceBoundary",
    "ThermalMedium",
    "solve_bioheat",
    "solve_bioheat_runs",
    "steady_state_temperature",
]
