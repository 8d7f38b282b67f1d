"""The treatment protocol: passes, stacking, timing between passes, anaesthetic, area, sessions.

TOML schema of the ``[protocol]`` table (all keys optional)::

    [protocol]
    passes = 3                     # passes over the treated area in one session (a whole number, not text)
    pulses_per_spot = 2            # stacked pulses per spot; default: the laser's `pulses`
    pass_interval = "5 min"        # end of one pass -> start of the next at the same spot (> 0 with passes > 1);
                                   # default: the time one pass over the treated area takes; at most 1 h
    cooling_pause = "30 s"         # extra pause added between passes (let the skin cool); with pass_interval <= 1 h
    overlap = "10 %"               # area overlap of neighbouring spots within a pass
    anesthetic = "lidocaine_4"     # none | lidocaine_4 | lidocaine_tetracaine_7_7 | emla
    anesthetic_lead_time = "30 min"  # default: the cream's label time (data/parameters/anesthetics.toml)
    treated_area = "400 cm^2"
    sessions = 3
    session_interval = "4 week"

Topical anaesthetics (names are stable keys; their effect sizes live in
``laserskin.damage.pain``):

==========================  ==========================================================
``none``                    no topical anaesthetic
``lidocaine_4``             4 % lidocaine cream (LMX4 / ELA-Max type)
``lidocaine_tetracaine_7_7`` 7 % lidocaine / 7 % tetracaine self-occluding peel (Pliaglis type)
``emla``                    eutectic mixture of 2.5 % lidocaine and 2.5 % prilocaine
==========================  ==========================================================

Lead time (occlusion before treatment) defaults to the cream's own label time,
``lead_time_min`` of ``data/parameters/anesthetics.toml`` (QA6 #1; before, 45 min for every
cream): lidocaine/tetracaine 7/7 % 30 min (Pliaglis label: 20-30 min before non-ablative
laser procedures), lidocaine 4 % 30 min (LMX 4 label), EMLA 60 min under occlusion (EMLA
label: at least 1 h), none 0. It is limited to 3 h:
the systemic-toxicity risk of topical anaesthetics grows with amount, area and occlusion
time (Sobanko, Miller & Alster 2012).

Timing model (used for session duration; docs/reference/physics_data.md §9): one pass
places ``N = treated_area / (spot_area × (1 − overlap))`` spots (for a fractional laser
``N`` = number of MTZ, ``treated_area × mtz_per_m2``), each receiving ``pulses_per_spot``
pulses at the laser's repetition rate, so a pass lasts ``N × pulses_per_spot /
repetition_rate``. Hand movement between spots is not modelled (the repetition rate is
the pace).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import Field, model_validator

from laserskin.core.citations import cite
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, echo, format_quantity, unit_default
from laserskin.damage.pain import ANESTHETICS as PAIN_ANESTHETICS

if TYPE_CHECKING:  # pragma: no cover
    from laserskin.treatment.laser import Laser

__all__ = [
    "ANESTHETICS",
    "MAX_WITHIN_SESSION_S",
    "Anesthetic",
    "Protocol",
    "beyond_session",
    "pulse_count_conflict",
    "session_refusal",
]

#: Longest time the treatment of one spot may span within a session, s (1 h): the wait between two passes at a spot
#: (``pass_interval`` + ``cooling_pause``, or by default one pass over the treated area) and the pulse train stacked
#: on a spot (``(pulses - 1) / repetition_rate``). Source (clinic; confidence D, derived from the session length):
#: passes and stacked pulses are delivered within one session, and sessions last under an hour (issue 10, "sessions
#: under an hour", after the project seed; the planner's ``[safety] max_session_minutes = 60`` of
#: data/parameters/contraindications.toml, anaesthetic lead time included). No device preset, example scenario,
#: reference course, plan or test comes near it (longest: a pass interval of 2 min and cooling pauses up to 10 min
#: in the tests, a 1 s preset train (cooltouch_1320, 3 pulses at 2 Hz), a 99 s train at the edge of a device's
#: ranges (genesis_1064, 100 pulses at 1 Hz), one default pass over 400 cm^2 of 44 min (titan_ir at 0.1 Hz), the
#: planner's 3 full-field CO2 passes over the largest site area, 1200 cm^2, 28 min apart).
#:
#: Why 1 h is safe physically (QA9 #1): the damage integrals run over the whole schedule, the idle time included,
#: and their rates are not zero at body temperature. At 37 degC (310.15 K, the arterial temperature of the heat model
#: and the warmest resting tissue) the rate k = A exp(-Ea / (R T)) of Henriques' epidermal set (A = 3.1e98 /s,
#: Ea = 6.28e5 J/mol; Henriques 1947, V in arrhenius.toml) is 5.3e-8 /s, so Omega over 1 h is 1.9e-4; the dermal
#: collagen set of the pipeline (Pearce 2010 rat skin, A = 1.606e45 /s, Ea = 3.06e5 J/mol, R) has 4.7e-7 /s and
#: Omega 1.7e-3 over 1 h, a denatured fraction of 0.17 % (the other collagen sets of arrhenius.toml: Maitland &
#: Walsh 1997 2.0e-3, the derived Jacques 2006 set 0.016). Over days the idle time alone approaches Omega = 1:
#: 1e7 s (116 d) gives Henriques 0.53 and Pearce 4.7, the 1.5 mm of "coagulation" and 84 % tightening of a 1e7 s
#: pass interval that QA9 found. tests/treatment/test_session_span.py recomputes both Omegas with
#: laserskin.damage.arrhenius.
MAX_WITHIN_SESSION_S = 3600.0


def beyond_session(span_s: float) -> bool:
    """Whether a span of one spot's treatment, s, is longer than :data:`MAX_WITHIN_SESSION_S` (the test of
    :func:`session_refusal`; nothing is formatted, so the callers word a refusal only when they raise one)."""
    return span_s > MAX_WITHIN_SESSION_S * (1 + 1e-12)


def session_refusal(
    field: str, value: Any, span_s: float, allowed: str, span: str, *, formula: str = "", given: str | None = None
) -> InputError:
    """The refusal of a span of one spot's treatment longer than :data:`MAX_WITHIN_SESSION_S` (one message rule for
    every such span; :func:`beyond_session` says when): one :class:`InputError` naming ``field``, the ``value`` typed
    (or ``given``), what is ``allowed`` and the ``span`` that is too long (``formula``: how it is computed, and its
    value here), QA9 #1: before, any wait ran, and the damage integrals counted days at body temperature as heating."""
    here = format_quantity(span_s, "s", "h" if span_s >= 2 * 3600.0 else "min", digits=4)
    how = f"{formula}, here {here}" if formula else here
    return InputError(field, value, f"{allowed}: {span} ({how}) lasts at most 1 h, within one session", given=given)


def pulse_count_conflict(laser_pulses: int, pulses_per_spot: int) -> InputError:
    """The refusal of ``[laser] pulses`` and ``[protocol] pulses_per_spot`` that say different things (one
    :class:`InputError` naming both fields; QA4 #30: 2 and 3 ran 3 pulses without a word)."""
    return InputError(
        "protocol.pulses_per_spot",
        pulses_per_spot,
        f"the same count as laser.pulses = {laser_pulses}, or only one of the two: both set the pulses stacked on "
        "one spot (laser.pulses for the laser, protocol.pulses_per_spot for the protocol; pulses_per_spot replaces "
        "a device preset's pulses)",
    )


def _laser_pulses_given(laser: Laser) -> bool:
    """Whether the laser's ``pulses`` was given, not a default: not the field's default and not the device
    preset's value (a preset's ``pulses`` is a default that ``pulses_per_spot`` replaces)."""
    if "pulses" not in laser.model_fields_set:
        return False
    if laser.device is not None:
        from laserskin.treatment.presets import preset_data

        return preset_data(laser.device).laser_table.get("pulses") != laser.pulses
    return True


#: Stable anaesthetic keys and what they stand for: the keys of the one anaesthetic table
#: (``data/parameters/anesthetics.toml``, read by :mod:`laserskin.damage.pain`).
ANESTHETICS: dict[str, str] = {key: entry.description for key, entry in PAIN_ANESTHETICS.items()}
if TYPE_CHECKING:  # a Literal of keys read from data at import time is no type to mypy: a str to it
    Anesthetic: TypeAlias = str
else:
    Anesthetic = Literal[tuple(ANESTHETICS)]


class Protocol(InputModel):
    """How a session is delivered: passes, stacking, pauses, anaesthetic, area, course.

    Attributes
    ----------
    passes : int
        Passes over the treated area per session (1-20; a number: text such as ``"2"`` is refused).
    pulses_per_spot : int or None
        Stacked pulses per spot; ``None`` uses the laser's ``pulses``. Their train,
        ``(pulses_per_spot - 1) / repetition_rate``, lasts at most 1 h (:data:`MAX_WITHIN_SESSION_S`).
    pass_interval_s : float or None
        Time from the end of one pass to the start of the next at the same spot (s), 0 to 1 h;
        ``None``: the duration of one pass over the treated area (then also at most 1 h when
        ``passes > 1``). Bound: passes are delivered within one session, and sessions last under an
        hour (issue 10; ``[safety] max_session_minutes = 60``); see :data:`MAX_WITHIN_SESSION_S` for
        the source and why Arrhenius damage at body temperature over 1 h is negligible (QA9 #1).
    cooling_pause_s : float
        Extra pause between passes (s), added to the pass interval; 0 to 1 h, and
        ``pass_interval + cooling_pause`` at most 1 h.
    overlap : float
        Fraction of a spot's area overlapped by its neighbours within a pass, [0, 0.9].
    anesthetic : str
        One of :data:`ANESTHETICS`.
    anesthetic_lead_time_s : float or None
        Occlusion time of the topical anaesthetic before treatment (s), 0-3 h; ``None``: the
        cream's label time (:meth:`effective_anesthetic_lead_time_s`).
    treated_area_m2 : float
        Skin area treated per session (m²), > 0.
    sessions : int
        Number of sessions (1-20; a number, not text).
    session_interval_s : float
        Time between sessions (s).
    """

    passes: int = Field(default=1, ge=1, le=20)
    pulses_per_spot: int | None = Field(default=None, ge=1, le=10_000)
    pass_interval_s: Annotated[float, Quantity("s", display="s", ge=0.0, le=MAX_WITHIN_SESSION_S)] | None = Field(
        default=None, alias="pass_interval"
    )
    cooling_pause_s: Annotated[float, Quantity("s", display="s", ge=0.0, le=MAX_WITHIN_SESSION_S)] = Field(
        default=unit_default("0 s"), alias="cooling_pause"
    )
    overlap: Annotated[float, Quantity("", display="%", ge=0.0, le=0.9)] = 0.0
    anesthetic: Anesthetic = "none"
    anesthetic_lead_time_s: Annotated[float, Quantity("s", display="min", ge=0.0, le=3 * 3600.0)] | None = Field(
        default=None, alias="anesthetic_lead_time"
    )
    treated_area_m2: Annotated[float, Quantity("m^2", display="cm^2", gt=0.0, le=2.0)] = Field(
        default=unit_default("400 cm^2"), alias="treated_area"
    )
    sessions: int = Field(default=1, ge=1, le=20)
    session_interval_s: Annotated[float, Quantity("s", display="week", gt=0.0)] = Field(
        default=unit_default("4 week"), alias="session_interval"
    )

    @model_validator(mode="after")
    def _passes_within_the_session(self) -> Protocol:
        # each is at most 1 h (the fields' range); together they are the wait between passes at a spot (QA9 #1)
        if self.passes > 1 and self.pass_interval_s is not None:
            wait = self.pass_interval_s + self.cooling_pause_s
            if beyond_session(wait):
                raise session_refusal(
                    "pass_interval",
                    self.pass_interval_s,
                    wait,
                    f"at most {format_quantity(MAX_WITHIN_SESSION_S - self.cooling_pause_s, 's', 'min')} with "
                    f"cooling_pause = {format_quantity(self.cooling_pause_s, 's', 'min')}",
                    "the wait between passes at a spot",
                    formula="pass_interval + cooling_pause",
                    given=echo(self.pass_interval_s, "s", "min"),
                )
        return self

    @model_validator(mode="after")
    def _passes_apart(self) -> Protocol:
        # two passes with no time between them are one longer pulse train: the heat solver cannot tell the
        # passes apart (one crater_depth_per_pass_um entry for all), so say so instead of merging them silently
        if self.passes > 1 and self.pass_interval_s == 0.0 and self.cooling_pause_s == 0.0:
            raise ValueError(
                "pass_interval: got 0 s; expected more than 0 s when passes > 1 (the next pass at a spot starts "
                "after the previous one ends; pulses fired back to back are one longer pulse or pulses_per_spot)"
            )
        return self

    def effective_pulses_per_spot(self, laser: Laser) -> int:
        """Pulses stacked per spot: ``pulses_per_spot`` if set, else the laser's ``pulses``.

        ``pulses_per_spot`` replaces a device preset's ``pulses`` (a default); a ``pulses`` given to the laser
        that differs from it is refused (:func:`pulse_count_conflict`, QA4 #30), never resolved silently.
        """
        if self.pulses_per_spot is None:
            return laser.pulses  # its train is checked by the laser (Laser._check)
        if laser.pulses != self.pulses_per_spot and _laser_pulses_given(laser):
            raise pulse_count_conflict(laser.pulses, self.pulses_per_spot)
        rate = laser.repetition_rate_Hz
        train = (self.pulses_per_spot - 1) / rate if rate else 0.0
        if beyond_session(train):  # the train within the session (QA9 #1); worded only when refused
            assert rate is not None  # without a rate the train is 0
            raise session_refusal(
                "protocol.pulses_per_spot",
                self.pulses_per_spot,
                train,
                f"at most {math.floor(MAX_WITHIN_SESSION_S * rate * (1 + 1e-12)) + 1} pulses "
                f"at laser.repetition_rate = {format_quantity(rate, 'Hz', digits=6)}",
                "the pulse train on a spot",
                formula="(pulses_per_spot - 1) / repetition_rate",
            )
        return self.pulses_per_spot

    def spots_per_pass(self, laser: Laser) -> float:
        """Number of spot positions (or MTZ for a fractional laser) in one pass over the area.

        Returns
        -------
        float
            ``treated_area / (spot_area × (1 − overlap))``; fractional lasers:
            ``treated_area × mtz_per_m2 / (1 − overlap)`` (overlap of scan patterns).
        """
        if laser.is_fractional:
            per_m2 = laser.mtz_per_m2
            assert per_m2 is not None  # a fractional laser's density (FractionalSpec._one_density)
            return self.treated_area_m2 * per_m2 / (1.0 - self.overlap)
        return self.treated_area_m2 / (laser.spot_area_m2 * (1.0 - self.overlap))

    def pass_duration_s(self, laser: Laser) -> float:
        """Time to deliver one pass over the treated area at the laser's repetition rate (s)."""
        if laser.repetition_rate_Hz is None:
            raise InputError(
                "laser.repetition_rate",
                None,
                "a repetition rate to time a pass over the area, or [protocol] pass_interval for the time between passes",
                given="nothing",
            )
        return self.spots_per_pass(laser) * self.effective_pulses_per_spot(laser) / laser.repetition_rate_Hz

    def time_between_passes_s(self, laser: Laser) -> float:
        """End of one pass to the start of the next at the same spot (s): pass interval + cooling pause."""
        interval = self.pass_interval_s if self.pass_interval_s is not None else self.pass_duration_s(laser)
        return interval + self.cooling_pause_s

    def pass_start_times_s(self, laser: Laser) -> list[float]:
        """Start time of each pass at one spot, the first at 0 (s).

        The pulse train of one spot lasts ``(pulses_per_spot − 1) / rate + pulse_duration``;
        the next pass starts :meth:`time_between_passes_s` after it ends.
        """
        n = self.effective_pulses_per_spot(laser)
        period = 1.0 / laser.repetition_rate_Hz if laser.repetition_rate_Hz else 0.0
        train = (n - 1) * period + laser.pulse_duration_s
        gap = self.time_between_passes_s(laser) if self.passes > 1 else 0.0
        if self.passes > 1 and self.pass_interval_s is None and beyond_session(gap):  # the default wait (QA9 #1)
            area = format_quantity(self.treated_area_m2, "m^2", "cm^2", digits=6)
            rate = format_quantity(laser.repetition_rate_Hz or 0.0, "Hz", digits=6)
            raise session_refusal(
                "protocol.pass_interval",
                None,
                gap,
                "a pass_interval of at most 1 h, or a smaller treated_area",
                "the wait between passes at a spot",
                given=f"nothing (the default: the time of one pass over treated_area {area} at {rate})",
            )
        return [k * (train + gap) for k in range(self.passes)]

    def session_duration_s(self, laser: Laser, *, include_anesthetic: bool = True) -> float:
        """Duration of one session (s): anaesthetic lead time (if any) + passes + pauses between them.

        With the default ``pass_interval`` the passes follow each other over the area, so
        the session is ``passes × pass_duration + (passes − 1) × cooling_pause``; an explicit
        ``pass_interval`` longer than a pass adds its excess over the pass duration.
        """
        cite("yun2002", "sobanko2012")
        one_pass = self.pass_duration_s(laser)
        # a spot waits `time_between_passes` from its last pulse to the next pass; while the
        # rest of the area is treated (one pass) the session clock already runs, so only the
        # excess over a pass adds to the session.
        pause = max(0.0, self.time_between_passes_s(laser) - one_pass)
        passes = self.passes * one_pass
        pauses = (self.passes - 1) * pause
        lead = self.effective_anesthetic_lead_time_s() if include_anesthetic and self.anesthetic != "none" else 0.0
        return lead + passes + pauses

    def effective_anesthetic_lead_time_s(self) -> float:
        """Occlusion time before treatment (s): ``anesthetic_lead_time`` if given, else the cream's label time
        (``lead_time_min`` of ``data/parameters/anesthetics.toml``, cited by its label key)."""
        if self.anesthetic_lead_time_s is not None:
            return self.anesthetic_lead_time_s
        entry = load_parameters("anesthetics")[self.anesthetic]
        label = entry.get("lead_time_key")
        if label:  # the product label the lead time is read from
            cite(label)
        return float(entry["lead_time_min"]) * 60.0

    @property
    def anesthetic_description(self) -> str:
        """What the anaesthetic key stands for."""
        return ANESTHETICS[self.anesthetic]
