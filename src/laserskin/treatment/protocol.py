"""The treatment protocol: passes, stacking, timing between passes, anaesthetic, area, sessions.

TOML schema of the ``[protocol]`` table (all keys optional)::

    [protocol]
    passes = 3                     # passes over the treated area in one session
    pulses_per_spot = 2            # stacked pulses per spot; default: the laser's `pulses`
    pass_interval = "5 min"        # end of one pass -> start of the next at the same spot (> 0 with passes > 1);
                                   # default: the time one pass over the treated area takes
    cooling_pause = "30 s"         # extra pause added between passes (let the skin cool)
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

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from laserskin.core.citations import cite
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity
from laserskin.damage.pain import ANESTHETICS as PAIN_ANESTHETICS

if TYPE_CHECKING:  # pragma: no cover
    from laserskin.treatment.laser import Laser

__all__ = ["ANESTHETICS", "Anesthetic", "Protocol", "pulse_count_conflict"]


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
Anesthetic = Literal[tuple(ANESTHETICS)]  # type: ignore[valid-type]


class Protocol(InputModel):
    """How a session is delivered: passes, stacking, pauses, anaesthetic, area, course.

    Attributes
    ----------
    passes : int
        Passes over the treated area per session (1-20).
    pulses_per_spot : int or None
        Stacked pulses per spot; ``None`` uses the laser's ``pulses``.
    pass_interval_s : float or None
        Time from the end of one pass to the start of the next at the same spot (s);
        ``None``: the duration of one pass over the treated area.
    cooling_pause_s : float
        Extra pause between passes (s), added to the pass interval.
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
        Number of sessions (1-20).
    session_interval_s : float
        Time between sessions (s).
    """

    passes: int = Field(default=1, ge=1, le=20)
    pulses_per_spot: int | None = Field(default=None, ge=1, le=10_000)
    pass_interval_s: Quantity("s", display="s", ge=0.0) | None = Field(default=None, alias="pass_interval")
    cooling_pause_s: Quantity("s", display="s", ge=0.0) = Field(default="0 s", alias="cooling_pause")
    overlap: Quantity("", display="%", ge=0.0, le=0.9) = 0.0
    anesthetic: Anesthetic = "none"
    anesthetic_lead_time_s: Quantity("s", display="min", ge=0.0, le=3 * 3600.0) | None = Field(
        default=None, alias="anesthetic_lead_time"
    )
    treated_area_m2: Quantity("m^2", display="cm^2", gt=0.0, le=2.0) = Field(default="400 cm^2", alias="treated_area")
    sessions: int = Field(default=1, ge=1, le=20)
    session_interval_s: Quantity("s", display="week", gt=0.0) = Field(default="4 week", alias="session_interval")

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
            return laser.pulses
        if laser.pulses != self.pulses_per_spot and _laser_pulses_given(laser):
            raise pulse_count_conflict(laser.pulses, self.pulses_per_spot)
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
            return self.treated_area_m2 * laser.mtz_per_m2 / (1.0 - self.overlap)
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
