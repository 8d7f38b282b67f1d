"""The planner's input: one flat model whose fields are the ``laserskin plan`` CLI options.

The web API and the sweep runner use the same model. Example::

    PlanRequest(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2,
                goal="tighten", area="150 cm^2")
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    Field,
    FieldSerializationInfo,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)

from laserskin.core.data import load_parameters
from laserskin.core.errors import Choices, InputError, located_at, located_in
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, unit_default
from laserskin.pipeline.settings import MIN_PHOTONS
from laserskin.skin.person import FITZPATRICK_TYPES, SITES

__all__ = ["DEFAULT_AREA_CM2", "GOALS", "PlanRequest", "default_area_m2", "planner_rules", "site_max_area_m2"]

GOALS = ("tighten", "resurface", "recommend")
AnestheticChoice = Literal["auto", "none", "lidocaine_4", "lidocaine_tetracaine_7_7", "emla"]


@lru_cache(maxsize=1)
def planner_rules() -> dict:
    """Parsed ``data/parameters/contraindications.toml`` (rules, safety, target, site areas)."""
    return load_parameters("contraindications")


def site_max_area_m2(site: str) -> float:
    """Largest area treatable in one session at ``site``, m²: the site's anatomical area (contraindications.toml
    ``site_max_area_cm2``: geometric estimates for the facial sub-units, Lund & Browder shares of the body surface
    for neck, forearms and abdomen; cheek stands for the full face, 500 cm²)."""
    return planner_rules()["site_max_area_cm2"][site] * 1e-4


#: Most sessions a plan may be asked for (``max_sessions`` from 1 to this): the ceiling every plan is held to, and
#: what ``inputs.max_sessions`` records where no smaller limit was given.
MAX_SESSIONS = 20

#: Default treated area, cm², where the site holds it; smaller sites default to their whole area.
DEFAULT_AREA_CM2 = 150.0


def default_area_m2(site: str) -> float:
    """The area planned when none is given: :data:`DEFAULT_AREA_CM2`, or the site's whole area if smaller, m²."""
    return min(DEFAULT_AREA_CM2 * 1e-4, site_max_area_m2(site))


class PlanRequest(InputModel):
    """What to plan: the person (flat fields), the goal, the area and the constraints.

    Attributes
    ----------
    age_years : float
        Age, 18-100 years (key ``age``).
    sex, fitzpatrick, site, sun_exposure, laxity
        As :class:`laserskin.skin.Person` (laxity: Alexiades-Armenakas grade 0-4).
    goal : {"tighten", "resurface", "recommend"}
    area_m2 : float
        Treated area per session, m² (key ``area``, e.g. ``"150 cm^2"``); at least 1 cm², at most the
        site's anatomical area (contraindications.toml ``site_max_area_cm2``: periorbital 50, perioral 60,
        forehead 120, cheek = full face 500, neck 360, forearms 1080, abdomen 1200 cm²). Default 150 cm², or
        the site's whole area where that is smaller.
    devices : list of str or None
        Candidate device presets; ``None`` = the planner's default set for the goal.
    max_sessions : int or None
        Upper bound on the number of sessions, 1-20 (every goal needs a treatment: 0 is
        refused here, as the CLI help, the web form and the JSON API say).
    max_downtime_days : float or None
        Largest acceptable downtime (re-epithelialisation / visible healing), days: a bare
        number means days, or a quantity (``"2 weeks"``).
    max_session_minutes : float or None
        Largest acceptable session duration including the anaesthetic lead time, minutes: a
        bare number means minutes, or a quantity (``"30 min"``, ``"1.5 h"``)
        (``None``: contraindications.toml ``[safety] max_session_minutes``, 60). A longer session
        is split into visits over parts of the area, and the plan says so.
    max_fraction_of_blister : float
        Safety margin: the pulse fluence is at most this fraction of the lower end of the
        blister-fluence band (default 0.85).
    anesthetic : str
        ``"auto"`` or a fixed key. ``auto``, for every device class: the lightest of none, lidocaine 4 %,
        EMLA, lidocaine/tetracaine 7/7 whose nominal pain with the plan's cooling is within the
        planner's pain limit (``[safety] pain_index_limit``), the strongest where none is.
    cooling : str
        ``"auto"`` (each device's default cooling) or a kind (``none``, ``cold_air``, ``contact``, ``cryogen``), for
        every device by ``simulate``'s rule (:func:`cooling_for`): a device whose own cooling is of that kind keeps
        its own, another gets the kind's cited defaults.
    photons, seed : int
        Monte Carlo photons per transport run (from :data:`~laserskin.pipeline.settings.MIN_PHOTONS`, the
        floor of every coupled run, to 10^7) and seed.
    """

    age_years: Annotated[float, Quantity("year", bare_unit="year", ge=18.0, le=100.0, display="year")] = Field(
        alias="age"
    )
    sex: Literal["female", "male"]
    # checked by Person (:meth:`person`); Choices gives them Person's words where one is missing (QA12 #5)
    fitzpatrick: Annotated[str, Choices(FITZPATRICK_TYPES)]
    site: Annotated[str, Choices(SITES)]
    sun_exposure: int = Field(default=1, ge=0, le=3)
    laxity: int = Field(default=1, ge=0, le=4)
    goal: Literal["tighten", "resurface", "recommend"] = "recommend"
    # at least 1 cm^2: below a few spots a session (and its timing) means nothing; it also
    # refuses typos that pint reads as tiny areas ("b" is a barn, 1e-24 cm^2)
    area_m2: Annotated[float, Quantity("m^2", display="cm^2", ge=1e-4)] = Field(
        default=unit_default("150 cm^2"), alias="area"
    )
    devices: list[str] | None = None
    max_sessions: int | None = Field(default=None, ge=1, le=MAX_SESSIONS)
    max_downtime_days: Annotated[float, Quantity("day", bare_unit="day", ge=0.0, le=365.0, display="day")] | None = None
    max_session_minutes: Annotated[float, Quantity("min", bare_unit="min", gt=0.0, le=600.0, display="min")] | None = (
        None
    )
    max_fraction_of_blister: float = Field(default=0.85, gt=0.0, le=1.0)
    anesthetic: AnestheticChoice = "auto"
    cooling: Literal["auto", "none", "cold_air", "contact", "cryogen"] = "auto"
    photons: int = Field(default=20_000, ge=MIN_PHOTONS, le=10_000_000)
    seed: int = Field(default=1, ge=0, lt=2**63)

    @field_serializer("max_sessions", "max_session_minutes", mode="wrap", when_used="json")
    def _limit_held_to(self, value, handler: SerializerFunctionWrapHandler, info: FieldSerializationInfo):
        # the JSON echo (a plan's `inputs`) states the limit the plan was held to, not the null of "the default"
        # (QA11 #10 nit): the session limit of contraindications.toml [safety] max_session_minutes (60 min) that
        # the planner applies where none is given, and the MAX_SESSIONS ceiling (under which each device keeps to
        # its typical count). Read back, the echo plans the same: the limits are the same numbers.
        if value is None:
            value = self.resolved_limits()[info.field_name]
        return handler(value)

    def resolved_limits(self) -> dict[str, float | int]:
        """The limits a plan of this request is held to: ``max_session_minutes`` (the request's, else
        contraindications.toml ``[safety] max_session_minutes``) and ``max_sessions`` (the request's, else
        :data:`MAX_SESSIONS`)."""
        return {
            "max_session_minutes": self.max_session_minutes or float(planner_rules()["safety"]["max_session_minutes"]),
            "max_sessions": self.max_sessions if self.max_sessions is not None else MAX_SESSIONS,
        }

    @model_validator(mode="before")
    @classmethod
    def _site_default_area(cls, data):
        # no area given: 150 cm^2, or the whole site where it is smaller (periorbital, perioral, forehead)
        if isinstance(data, dict) and "area" not in data and "area_m2" not in data:
            from laserskin.skin.person import SITES

            site = data.get("site")
            site = site.strip().lower() if isinstance(site, str) else site
            if site in SITES:
                data = {**data, "area": f"{default_area_m2(site) * 1e4:g} cm^2"}
        return data

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value):
        from laserskin.skin.person import normalise_sex

        return normalise_sex(value)

    @field_validator("devices")
    @classmethod
    def _known_devices(cls, value):
        if value is None:
            return value
        from laserskin.treatment.devices import device_names

        known = device_names()
        unknown = [name for name in value if name not in known]
        if unknown:
            raise ValueError(f"unknown device(s) {', '.join(unknown)}; expected names from: {', '.join(known)}")
        if not value:
            raise ValueError("an empty device list; give at least one device or leave it out")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _person_and_area(self) -> PlanRequest:
        person = self.person()  # validates fitzpatrick, site, grades
        limit = site_max_area_m2(person.site)
        if self.area_m2 > limit * (1 + 1e-12):
            refusal = InputError(  # the area echoed as typed, with its cm^2 (core.errors.shown; session 14)
                "area",
                self.area_m2,
                f"at most {limit * 1e4:.4g} cm^2 per session for site {person.site} (the site's anatomical area, "
                "contraindications.toml site_max_area_cm2"
                + ("; a full-face treatment is planned with site cheek)" if person.site != "cheek" else ")"),
            )
            raise located_at(refusal, PlanRequest)
        return self

    def person(self):
        """The :class:`laserskin.skin.Person` of this request."""
        from pydantic import ValidationError

        from laserskin.skin.person import Person

        try:
            # by the alias ``age``, as a mapping: the pydantic mypy plugin takes only field names as keywords, and
            # the field name would make a refused age's error name ``age_years``, not the key ``age``
            return Person.model_validate(
                {
                    "age": self.age_years,
                    "sex": self.sex,
                    "fitzpatrick": self.fitzpatrick,
                    "site": self.site,
                    "sun_exposure": self.sun_exposure,
                    "laxity": self.laxity,
                }
            )
        except ValidationError as error:  # each problem at the field typed: plan.fitzpatrick (QA15 #6)
            raise located_in(error, PlanRequest, "person") from None

    @classmethod
    def validated(cls, **fields) -> PlanRequest:
        """Validate ``fields`` and raise :class:`InputError` (one line per problem) on bad input."""
        from pydantic import ValidationError

        try:
            return cls.model_validate({k: v for k, v in fields.items() if v is not None})
        except ValidationError as error:
            raise InputError.from_validation(error, "plan") from None


def cooling_for(request: PlanRequest, preset) -> dict:
    """The cooling a plan uses with ``preset``, every key given (a ``[cooling]`` table): the cooling ``simulate``
    runs for the preset's laser, by the one rule of :func:`laserskin.pipeline.simulation.resolve_cooling`.

    ``auto`` is the preset's own cooling; a requested kind that is the preset's own kind is the preset's cooling
    too (``--device smoothbeam_1450 --cooling cryogen`` is the device's parallel spray with its 10 ms delay, not
    the generic spurt); another kind replaces it with that kind's cited defaults."""
    from laserskin.pipeline.simulation import resolve_cooling

    given = None if request.cooling == "auto" else {"kind": request.cooling}
    cooling, _ = resolve_cooling(preset.laser(), given)
    return cooling.model_dump(mode="json", by_alias=True)
