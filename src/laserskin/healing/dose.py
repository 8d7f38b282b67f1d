"""The input of the healing model: one session's damage summary (:class:`SessionDose`), and input checks."""

from __future__ import annotations

import math
import numbers
from typing import Annotated, Any

from pydantic import Field, model_validator

from laserskin.core.constants import DAY_S
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, unit_default

__all__ = ["SessionDose"]


class SessionDose(InputModel):
    """Damage summary of one treatment session (the output of the damage stage).

    Depths are measured from the skin surface. ``denatured_fraction`` is the volume
    average of the denatured collagen fraction (``1 − exp(−Ω)``) over the treated dermal
    band *and the whole treated area*; for fractional treatments it therefore already
    includes the coverage (zone fraction × coverage), see :meth:`fractional`.

    Attributes
    ----------
    time_s : float
        Session time from the start of the course, s (TOML key ``time``, e.g. ``"30 day"``).
    denatured_fraction : float
        Denatured fraction of the collagen in the treated dermal band, 0–1.
    depth_top_m, depth_bottom_m : float
        Treated dermal depth band, m (keys ``depth_top``, ``depth_bottom``).
    immediate_tightening_pct : float
        Immediate contraction of the treated area, % of area (key ``immediate_tightening``).
    epidermal_injury_grade : int
        0 none, 1 erythema/oedema (epidermis intact), 2 partial or focal epidermal necrosis,
        3 full-thickness epidermal loss (ablation).
    coverage : float
        Area fraction of microscopic treatment zones, 0–1; 0 means bulk (whole area).
    ablated_depth_m : float
        Depth of tissue removed, m (0 for non-ablative; key ``ablated_depth``).
    wound_area_fraction : float
        Area fraction of the skin left as an *open* wound (epidermis removed: 1 for
        full-field ablative resurfacing, the MTZ area fraction for fractional ablative
        lasers, 0 when the epidermis stays in place). Drives the open-wound response
        (wound contracture) and re-epithelialisation.
    wound_depth_m : float
        Depth of the non-viable tissue of the open wound from the surface: ablated depth
        plus the residual thermal damage below the crater floor, m (key ``wound_depth``).
    """

    time_s: Annotated[float, Quantity("s", ge=0.0, display="day")] = Field(alias="time")
    denatured_fraction: float = Field(ge=0.0, le=1.0)
    depth_top_m: Annotated[float, Quantity("m", ge=0.0, display="mm")] = Field(alias="depth_top")
    depth_bottom_m: Annotated[float, Quantity("m", gt=0.0, display="mm")] = Field(alias="depth_bottom")
    immediate_tightening_pct: float = Field(default=0.0, ge=0.0, lt=100.0, alias="immediate_tightening")
    epidermal_injury_grade: int = Field(default=0, ge=0, le=3)
    coverage: float = Field(default=0.0, ge=0.0, le=1.0)
    ablated_depth_m: Annotated[float, Quantity("m", ge=0.0, display="um")] = Field(
        default=unit_default("0 um"), alias="ablated_depth"
    )
    wound_area_fraction: float = Field(default=0.0, ge=0.0, le=1.0)
    wound_depth_m: Annotated[float, Quantity("m", ge=0.0, display="um")] = Field(
        default=unit_default("0 um"), alias="wound_depth"
    )

    @model_validator(mode="after")
    def _band_ordered(self) -> SessionDose:
        if not self.depth_bottom_m > self.depth_top_m:
            raise ValueError("depth_bottom must be deeper than depth_top")
        if self.wound_area_fraction > 0.0 and not self.wound_depth_m > 0.0:
            raise ValueError("an open wound (wound_area_fraction > 0) needs wound_depth > 0")
        return self

    @property
    def time_days(self) -> float:
        """Session time, days."""
        return self.time_s / DAY_S

    @property
    def area_fraction(self) -> float:
        """Treated area fraction: ``coverage`` for fractional, 1 for bulk treatments."""
        return self.coverage if self.coverage > 0.0 else 1.0

    @property
    def immediate_linear_pct(self) -> float:
        """Immediate *linear* contraction, %: ``100 (1 − sqrt(1 − A/100))`` of the area %."""
        return 100.0 * (1.0 - math.sqrt(1.0 - self.immediate_tightening_pct / 100.0))

    @property
    def renewed_area_fraction(self) -> float:
        """Area fraction of the skin whose epidermis and superficial (papillary) dermis the session replaces.

        The open wound of an ablative laser (``wound_area_fraction``: 1 full field, the MTZ area of
        a fractional ablative laser), or the microscopic zones of a non-ablative fractional laser that
        injure the epidermis (``coverage`` with ``epidermal_injury_grade`` ≥ 2: the necrotic column is
        extruded as MENDs and replaced within days, Manstein et al. 2004). 0 when the epidermis stays in
        place (bulk non-ablative lasers with cooling) — a bulk blister is an injury, not a renewal.
        """
        if self.wound_area_fraction > 0.0:
            return self.wound_area_fraction
        if self.coverage > 0.0 and self.epidermal_injury_grade >= 2:
            return self.coverage
        return 0.0

    @property
    def renewal_depth_m(self) -> float:
        """Depth to which the renewed area is replaced, m: the open wound's depth (crater + residual
        thermal damage) for ablative lasers, the zone bottom for non-ablative fractional zones; 0 without renewal."""
        if self.wound_area_fraction > 0.0:
            return self.wound_depth_m
        return self.depth_bottom_m if self.renewed_area_fraction > 0.0 else 0.0

    @classmethod
    def fractional(
        cls,
        time: Any,
        coverage: float,
        zone_depth_top: Any,
        zone_depth_bottom: Any,
        zone_denatured_fraction: float = 1.0,
        immediate_tightening: float = 0.0,
        epidermal_injury_grade: int = 2,
        ablated_depth: Any = "0 um",
        wound_area_fraction: float = 0.0,
        wound_depth: Any = "0 um",
    ) -> SessionDose:
        """Dose of a fractional session from its zone geometry.

        ``denatured_fraction = coverage × zone_denatured_fraction`` (area average).
        """
        # By the aliases, as a mapping: the pydantic mypy plugin takes only field names as keywords, and
        # field names would make a refused value's error name the field (``time_s``), not its key (``time``)
        return cls.model_validate(
            {
                "time": time,
                "denatured_fraction": coverage * zone_denatured_fraction,
                "depth_top": zone_depth_top,
                "depth_bottom": zone_depth_bottom,
                "immediate_tightening": immediate_tightening,
                "epidermal_injury_grade": epidermal_injury_grade,
                "coverage": coverage,
                "ablated_depth": ablated_depth,
                "wound_area_fraction": wound_area_fraction,
                "wound_depth": wound_depth,
            }
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_age(age_years: float) -> float:
    if not (_is_number(age_years) and 18.0 <= age_years <= 100.0):
        raise InputError("age", age_years, "an adult age in years, 18-100")
    return float(age_years)


def _check_sun(sun_exposure: float) -> float:
    if not (_is_number(sun_exposure) and 0.0 <= sun_exposure <= 3.0):
        raise InputError("sun_exposure", sun_exposure, "a photoaging grade between 0 and 3")
    return float(sun_exposure)
