"""Who is being treated: the inputs from which the layered skin is derived.

TOML form (the ``[person]`` table of a scenario)::

    [person]
    age = 55                 # years (a bare number) or "55 year"; 18-100
    sex = "female"           # "female" | "male"
    fitzpatrick = "IV"       # "I".."VI" (or 1..6)
    site = "cheek"           # see SITES
    sun_exposure = 2         # photoaging grade 0-3 (= Glogau I-IV)
    laxity = 2               # Alexiades-Armenakas laxity grade 0-4
    # melanin_fraction = 0.12  optional override of the epidermal melanosome volume fraction
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_serializer, field_validator

from laserskin.core.errors import Choices
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity

SITES: tuple[str, ...] = ("forehead", "cheek", "periorbital", "perioral", "neck", "forearm", "abdomen")
"""Body sites with anatomy data (see :mod:`laserskin.skin.anatomy`)."""

FITZPATRICK_TYPES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI")

SUN_EXPOSURE_SCALE: dict[int, str] = {
    0: "Glogau I: no wrinkles, minimal photoaging (little chronic sun exposure)",
    1: "Glogau II: wrinkles in motion, early to moderate photoaging",
    2: "Glogau III: wrinkles at rest, advanced photoaging",
    3: "Glogau IV: only wrinkles, severe photoaging",
}
"""The ``sun_exposure`` grade: photoaging severity 0-3, equal to Glogau type I-IV (Glogau 1996)."""

LAXITY_SCALE: dict[int, str] = {
    0: "none",
    1: "mild",
    2: "moderate",
    3: "advanced",
    4: "severe",
}
"""The ``laxity`` grade 0-4 of Alexiades-Armenakas (2006); descriptors abbreviated here, the
source gives the full grading criteria (integer grades only in this model)."""


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


def normalise_sex(value: Any) -> Any:
    """``"F"``/``"m"``/``" Female "`` -> ``"female"``/``"male"``; anything else is left for the
    field's own check (which names the allowed values)."""
    if isinstance(value, str):
        text = value.strip().lower()
        return {"f": "female", "m": "male"}.get(text, text)
    return value


class Person(InputModel):
    """A person's skin-relevant traits; validated, SI (or dimensionless) inside.

    Parameters
    ----------
    age_years : float
        Age in years, 18-100 inclusive (TOML key ``age``; a bare number means years).
    sex : {"female", "male"}
        Sex (affects skin thickness; Shuster 1975, HFUS studies).
    fitzpatrick : {"I", "II", "III", "IV", "V", "VI"}
        Fitzpatrick (1988) skin type; integers 1-6 are accepted and stored as roman numerals.
    site : str
        Body site, one of :data:`SITES`.
    sun_exposure : int
        Photoaging grade 0-3, equal to Glogau (1996) type I-IV (:data:`SUN_EXPOSURE_SCALE`).
    laxity : int
        Laxity grade 0-4 of Alexiades-Armenakas (2006) (:data:`LAXITY_SCALE`); used by
        planning, it does not change the optics.
    melanin_fraction : float, optional
        Override of the epidermal melanosome volume fraction (0-1); by default it follows
        the Fitzpatrick type (:mod:`laserskin.skin.anatomy`).
    """

    age_years: Annotated[float, Quantity("year", bare_unit="year", ge=18.0, le=100.0, display="year")] = Field(
        alias="age"
    )
    sex: Literal["female", "male"]
    fitzpatrick: Literal["I", "II", "III", "IV", "V", "VI"]
    site: Annotated[str, Choices(SITES)]  # checked by _site; Choices: the words of a missing site
    sun_exposure: int = Field(default=1, ge=0, le=3)
    laxity: int = Field(default=1, ge=0, le=4)
    melanin_fraction: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value):
        return normalise_sex(value)

    @field_validator("fitzpatrick", mode="before")
    @classmethod
    def _fitzpatrick(cls, value):
        allowed = "one of I, II, III, IV, V, VI (or an integer 1-6)"
        if isinstance(value, bool):
            raise ValueError(f"expected {allowed}")
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            if int(value) in _ROMAN:
                return _ROMAN[int(value)]
            raise ValueError(f"expected {allowed}")
        if isinstance(value, str):
            text = value.strip().upper()
            if text in FITZPATRICK_TYPES:
                return text
            if text.isdigit() and int(text) in _ROMAN:
                return _ROMAN[int(text)]
        raise ValueError(f"expected {allowed}")

    @field_validator("site", mode="before")
    @classmethod
    def _site(cls, value):
        text = value.strip().lower() if isinstance(value, str) else value
        if text not in SITES:
            raise ValueError(f"unknown body site; expected one of {', '.join(SITES)}")
        return text

    @field_serializer("age_years")
    def _age_out(self, value: float) -> float:
        return value

    @property
    def fitzpatrick_number(self) -> int:
        """Fitzpatrick type as an integer 1-6."""
        return FITZPATRICK_TYPES.index(self.fitzpatrick) + 1
