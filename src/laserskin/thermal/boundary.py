"""Surface boundary of the heat equation: convection h(t) to a medium at T(t) at z = 0.

flux out = h(t) (T_surface − T_medium(t)), with the surface temperature on the cell face (a
half-cell conduction resistance in series with 1/h), for every cooling kind (resting room
air, cold air, contact window, cryogen; see :mod:`laserskin.thermal.cooling`). The deep
boundary (core temperature on the bottom face) and the insulated outer radius belong to the
operator (:mod:`laserskin.thermal.operator`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from laserskin.core.constants import ROOM_TEMPERATURE_K
from laserskin.core.errors import InputError
from laserskin.thermal.schedule import Schedule

__all__ = ["RESTING_H_W_PER_M2K", "ROOM_TEMPERATURE_K", "SurfaceBoundary"]

#: Resting heat-transfer coefficient of skin to room air, W m⁻² K⁻¹: natural convection
#: (~2–5) plus linearised long-wave radiation (~5–6) — an engineering estimate (U).
RESTING_H_W_PER_M2K = 10.0


@dataclass(frozen=True, eq=False)
class SurfaceBoundary:
    """Convective surface boundary at z = 0: flux out = h(t) (T_surface − T_medium(t)).

    Parameters
    ----------
    h_W_per_m2K : Schedule
        Heat-transfer coefficient in W m⁻² K⁻¹ (>= 0; 0 is an insulated surface).
    medium_temperature_K : Schedule
        Temperature of the cooling medium (air, window, cryogen) in K.
    resting_h_W_per_m2K, resting_temperature_K : float, optional
        Boundary used for the initial steady state. Default: the schedules' values before
        their first breakpoint.
    """

    h_W_per_m2K: Schedule
    medium_temperature_K: Schedule
    resting_h_W_per_m2K: float | None = None
    resting_temperature_K: float | None = None

    def __post_init__(self) -> None:
        for name in ("h_W_per_m2K", "medium_temperature_K"):
            value = getattr(self, name)
            if isinstance(value, (int, float)):
                object.__setattr__(self, name, Schedule.constant(value))
            elif not isinstance(value, Schedule):
                raise InputError(f"surface.{name}", type(value).__name__, "a Schedule or a number")
        if np.any(self.h_W_per_m2K.values < 0):
            raise InputError(
                "surface.h_W_per_m2K",
                float(self.h_W_per_m2K.values.min()),
                ">= 0 W/(m^2*K)",
            )
        if np.any(self.medium_temperature_K.values <= 0):
            raise InputError(
                "surface.medium_temperature_K",
                float(self.medium_temperature_K.values.min()),
                "> 0 K",
            )
        resting_h = self.resting_h_W_per_m2K
        if resting_h is None:
            resting_h = float(self.h_W_per_m2K.values[0])
            object.__setattr__(self, "resting_h_W_per_m2K", resting_h)
        resting_temperature = self.resting_temperature_K
        if resting_temperature is None:
            resting_temperature = float(self.medium_temperature_K.values[0])
            object.__setattr__(self, "resting_temperature_K", resting_temperature)
        if not (resting_h >= 0 and math.isfinite(resting_h)):
            raise InputError(
                "surface.resting_h_W_per_m2K",
                resting_h,
                ">= 0 W/(m^2*K)",
            )
        if not (resting_temperature > 0 and math.isfinite(resting_temperature)):
            raise InputError("surface.resting_temperature_K", resting_temperature, "> 0 K")

    @classmethod
    def resting_air(
        cls,
        h_W_per_m2K: float = RESTING_H_W_PER_M2K,
        temperature_K: float = ROOM_TEMPERATURE_K,
    ) -> SurfaceBoundary:
        """Skin exposed to still room air at all times (default 10 W m⁻² K⁻¹, 25 °C)."""
        return cls(Schedule.constant(h_W_per_m2K), Schedule.constant(temperature_K))

    @classmethod
    def insulated(cls) -> SurfaceBoundary:
        """No heat exchange at the surface (h = 0)."""
        return cls(Schedule.constant(0.0), Schedule.constant(ROOM_TEMPERATURE_K))
