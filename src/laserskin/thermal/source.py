"""The laser heat source: an absorbed-energy map and a pulse → a source in W/m³.

Light transport is linear in the incident energy, so a Monte Carlo run gives the absorbed
energy density **per joule** of incident energy (J/m³ per J = 1/m³, the tally
``absorbed_energy_density_per_J``; per unit photon weight is the same number) or, for a beam
of known area, **per unit fluence** (J/m³ per J/m² = 1/m). A pulse of energy ``E`` lasting
``τ`` (top-hat in time, as :class:`laserskin.treatment.laser.Laser` models every pulse) turns
the map into the Pennes source term

    q(r, z, t) = A(r, z) · P(t),    P(t) = E / τ during the pulse, 0 otherwise,

in W/m³ (Welch & van Gemert 2011, ch. 14; Pennes 1948). ``E`` follows from the fluence ``F``
and the spot diameter ``d`` with the convention of :class:`~laserskin.treatment.laser.Laser`:
``E = F · π d² / 4`` (flat-top diameter, or the 1/e² diameter of a Gaussian beam, whose peak
fluence is then ``2 F``).

:func:`pulse_heat_source` is the helper for people (every dimensional input needs its unit,
so a fluence in J/cm² cannot pass as J/m² — the 10⁴ slip that would otherwise give a
plausible 37 °C); :func:`pulse_train_source` is the SI form the pipeline itself uses
(:func:`laserskin.pipeline.stages.thermal_response`), so both go through one mechanism.

Example
-------
>>> import numpy as np
>>> from laserskin.thermal.source import pulse_heat_source
>>> absorbed = np.full((2, 3), 1e6)          # J/m^3 per incident J (e.g. a Monte Carlo tally)
>>> source = pulse_heat_source(absorbed, per="J", fluence="10 J/cm^2", spot_diameter="5 mm",
...                            pulse_duration="10 ms")
>>> round(source.pulse_energy_J, 4), round(source.peak_W_per_m3 / 1e8, 3)
(1.9635, 1.963)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.core.units import to_si
from laserskin.thermal.schedule import Schedule

__all__ = ["HeatSource", "pulse_heat_source", "pulse_train_source", "spot_area_m2"]

#: What an absorbed-energy map is normalised to: per incident joule (= per unit photon weight of
#: a Monte Carlo tally normalised to the launched weight), or per unit incident fluence.
PER_UNITS = {"J": "1/m^3", "photon weight": "1/m^3", "J/m^2": "1/m"}


@dataclass(frozen=True, eq=False)
class HeatSource:
    """A heat source ``q(r, z, t) = source_per_J(r, z) · power(t)`` in W/m³.

    Attributes
    ----------
    source_per_J : ndarray
        Absorbed energy density per joule of incident pulse energy, 1/m³ (the array
        :func:`laserskin.thermal.solve_bioheat` takes as ``source_per_J``).
    power : Schedule
        Incident power P(t) in W (top-hat pulses).
    pulse_energy_J : float
        Energy of one pulse, J.
    """

    source_per_J: np.ndarray
    power: Schedule
    pulse_energy_J: float

    def W_per_m3(self, time_s: float) -> np.ndarray:
        """The source field at ``time_s`` (s), W/m³."""
        return self.source_per_J * float(self.power.value_at(time_s))

    @property
    def peak_W_per_m3(self) -> float:
        """Largest source density during a pulse, W/m³."""
        return float(np.max(self.source_per_J) * np.max(self.power.values))

    @property
    def deposited_J_per_m3(self) -> np.ndarray:
        """Energy density deposited by one pulse, J/m³ (``source_per_J · E``)."""
        return self.source_per_J * self.pulse_energy_J


def spot_area_m2(spot_diameter_m: float) -> float:
    """Nominal spot area ``π d² / 4``, m² (fluence = pulse energy / this area)."""
    return math.pi * spot_diameter_m**2 / 4.0


def pulse_train_source(
    source_per_J: Any, starts_s: Any, durations_s: Any, power_W: Any, *, pulse_energy_J: float | None = None
) -> HeatSource:
    """The SI form: an absorbed-energy map per joule (1/m³) and top-hat pulses → :class:`HeatSource`.

    Parameters
    ----------
    source_per_J : array_like
        Absorbed energy density per incident joule, 1/m³ (finite, ≥ 0).
    starts_s, durations_s, power_W : float or array_like
        Start (s), duration (s) and power (W) of every pulse.
    pulse_energy_J : float, optional
        Energy of one pulse, J (default: the first pulse's power × duration).
    """
    cite("pennes1948")
    density = np.asarray(source_per_J, dtype=np.float64)
    if not np.all(np.isfinite(density)) or np.any(density < 0):
        raise InputError("source_per_J", "negative or non-finite values", "finite absorbed energy densities >= 0")
    power = Schedule.pulse_train(starts_s, durations_s, power_W)
    if pulse_energy_J is None:
        pulse_energy_J = float(np.ravel(power_W)[0] * np.ravel(durations_s)[0])
    return HeatSource(source_per_J=density, power=power, pulse_energy_J=float(pulse_energy_J))


def pulse_heat_source(
    absorbed: Any,
    *,
    per: Literal["J", "photon weight", "J/m^2"],
    fluence: Any,
    spot_diameter: Any,
    pulse_duration: Any,
    profile: Literal["flat_top", "gaussian"] = "flat_top",
    start: Any = "0 s",
) -> HeatSource:
    """Heat source of one laser pulse from an absorbed-energy map, with units required.

    Parameters
    ----------
    absorbed : array_like (nr, nz) or any shape
        Absorbed energy density of the light, normalised as ``per`` says.
    per : {"J", "photon weight", "J/m^2"}
        ``"J"`` (or ``"photon weight"``): J/m³ per incident joule (1/m³), the Monte Carlo tally
        ``absorbed_energy_density_per_J``; ``"J/m^2"``: J/m³ per J/m² of incident fluence (1/m),
        e.g. μa·e^(−μa z) for Beer–Lambert. No default, so the normalisation is always stated.
    fluence : str or pint.Quantity
        Fluence of the pulse with its unit, e.g. ``"10 J/cm^2"`` (bare numbers are refused).
    spot_diameter : str or pint.Quantity
        Spot diameter, e.g. ``"5 mm"`` (flat-top diameter, or 1/e² diameter of a Gaussian).
    pulse_duration : str or pint.Quantity
        Pulse duration, e.g. ``"10 ms"`` (top-hat in time).
    profile : {"flat_top", "gaussian"}
        Spatial profile, only for the record: the energy is ``F · π d² / 4`` for both (the
        :class:`~laserskin.treatment.laser.Laser` convention); the map holds the profile's shape.
    start : str or pint.Quantity
        When the pulse starts (default ``"0 s"``).

    Returns
    -------
    HeatSource
        ``source_per_J`` (1/m³), ``power`` (W), ``pulse_energy_J``; ``W_per_m3(t)`` gives the field.

    Raises
    ------
    InputError
        A quantity without units or of the wrong dimension (``fluence``, ``spot_diameter``,
        ``pulse_duration``, ``start``), an unknown ``per`` or ``profile``, a negative map.
    """
    if per not in PER_UNITS:
        raise InputError("per", per, ", ".join(f'"{key}"' for key in PER_UNITS))
    if profile not in ("flat_top", "gaussian"):
        raise InputError("profile", profile, '"flat_top" or "gaussian"')
    fluence_J_per_m2 = to_si(fluence, "J/m^2", field="fluence")
    diameter_m = to_si(spot_diameter, "m", field="spot_diameter")
    duration_s = to_si(pulse_duration, "s", field="pulse_duration")
    start_s = to_si(start, "s", field="start")
    for field, value in (("fluence", fluence_J_per_m2), ("spot_diameter", diameter_m), ("pulse_duration", duration_s)):
        if not value > 0:
            raise InputError(field, value, "> 0")
    if start_s < 0:
        raise InputError("start", start_s, ">= 0 s")
    area = spot_area_m2(diameter_m)
    energy_J = fluence_J_per_m2 * area
    density = np.asarray(absorbed, dtype=np.float64)
    per_J = density / area if per == "J/m^2" else density
    return pulse_train_source(per_J, start_s, duration_s, energy_J / duration_s, pulse_energy_J=energy_J)
