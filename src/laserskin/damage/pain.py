"""Heat-pain index from the temperature at nociceptor depth, with and without topical anaesthetic.

Model (calibration tag U, physics_data.md §5)
---------------------------------------------
* Probe: the temperature at the depth of the intra-epidermal/papillary nerve endings,
  ``nociceptor_depth`` (default 150 µm, range ~100–200 µm).
* Threshold: polymodal C-nociceptors respond from 42–56 °C (Bessou & Perl 1969); TRPV1
  opens at ≈ 42–43 °C; the mean heat-pain threshold of hairy skin is ~43–45 °C (Rolke et
  al. 2006) and is independent of the starting skin temperature (Pertovaara et al. 1996).
  Default 44 °C.
* Dose: D = ∫ (T − T_threshold)₊ dt in K·s, integrated exactly for T piecewise linear in
  time between samples (including the partial time above threshold in a crossing step).
* Index: a saturating (Naka–Rushton, exponent 1) map to 0–10, I = 10 · D / (D + D₅₀);
  D₅₀ = the dose that gives 5/10 (default 1 K·s, an uncalibrated placeholder, tag U, to be
  fitted to clinical anchors such as 6.95 → 4.0 /10 with forced cold air during 1550 nm
  fractional treatment, §5).
* Anaesthetic: the index is multiplied by a factor by product (tags R/U, ranges in
  :data:`ANESTHETICS`, read from ``data/parameters/anesthetics.toml``, the one table of
  anaesthetic keys): lidocaine 4–5 % alone is weak (Tian et al. 2016: 4.90 vs 5.19 after
  5 min; Yun et al. 2002: ELA-Max 60 min not sufficient alone for resurfacing),
  lidocaine/tetracaine 7/7 % beats EMLA (Alster 2002). Cooling is *not* a factor: it acts
  only through the temperature the heat solver computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from laserskin.core.citations import cite
from laserskin.core.constants import CELSIUS_K, WATER_BOILING_K
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity


@dataclass(frozen=True)
class Anesthetic:
    """Multiplicative factor on the pain index, its plausible range, tag and source."""

    factor: float
    factor_range: tuple[float, float]
    confidence: str
    source: str
    description: str = ""


def _load_anesthetics() -> dict[str, Anesthetic]:
    table = load_parameters("anesthetics")
    return {
        key: Anesthetic(
            float(entry["factor"]),
            (float(entry["range"][0]), float(entry["range"][1])),
            entry["tag"],
            entry["source"],
            entry["description"],
        )
        for key, entry in table.items()
    }


#: Topical anaesthetics: the one table of keys, factors, ranges, tags and sources
#: (``data/parameters/anesthetics.toml``).
ANESTHETICS: dict[str, Anesthetic] = _load_anesthetics()


class PainParameters(InputModel):
    """Nociceptor depth, heat-pain threshold and the dose giving an index of 5/10."""

    nociceptor_depth_m: Quantity("m", gt=0.0, display="um") = Field(default="150 um", alias="nociceptor_depth")
    threshold_temperature_K: Quantity("K", gt=CELSIUS_K, lt=WATER_BOILING_K, display="K") = Field(
        default="317.15 K", alias="threshold_temperature"
    )
    half_max_dose_K_s: Quantity("K*s", gt=0.0, display="K*s") = Field(default="1 K*s", alias="half_max_dose")


def anesthetic_factor(anesthetic: str) -> float:
    """Multiplicative factor on the pain index for a topical anaesthetic name."""
    cite("tian2016_lidocaine", "yun2002", "alster2002")
    if anesthetic not in ANESTHETICS:
        raise InputError("anesthetic", anesthetic, "one of " + ", ".join(ANESTHETICS))
    return ANESTHETICS[anesthetic].factor


def pain_index(dose_K_s: Any, half_max_dose_K_s: float = 1.0) -> Any:
    """0–10 index 10·D/(D + D₅₀) from the supra-threshold dose D in K·s."""
    d = np.asarray(dose_K_s, dtype=np.float64)
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise InputError("dose_K_s", dose_K_s, "a finite dose >= 0 K s")
    out = 10.0 * d / (d + half_max_dose_K_s)
    return float(out) if out.ndim == 0 else out


def _step_dose(t0: float, t1: float, dt: float, threshold: float) -> tuple[float, float]:
    """Exact ∫(T − Tth)₊ dt and time above threshold for T linear from t0 to t1 over dt."""
    a, b = t0 - threshold, t1 - threshold
    if a >= 0 and b >= 0:
        return dt * 0.5 * (a + b), dt
    if a <= 0 and b <= 0:
        return 0.0, 0.0
    high = max(a, b)
    fraction = high / (abs(a) + abs(b))
    return 0.5 * high * fraction * dt, fraction * dt


@dataclass(frozen=True)
class PainResult:
    """Pain outcome at the nociceptor probe.

    Attributes
    ----------
    dose_K_s : float
        ∫ (T − T_threshold)₊ dt in K·s.
    time_above_threshold_s : float
        Time spent above the threshold in s.
    peak_temperature_K : float
        Peak probe temperature in K.
    index_without_anesthetic, index_with_anesthetic : float
        0–10 pain index.
    anesthetic : str
    anesthetic_factor : float
    """

    dose_K_s: float
    time_above_threshold_s: float
    peak_temperature_K: float
    index_without_anesthetic: float
    index_with_anesthetic: float
    anesthetic: str
    anesthetic_factor: float


def _result(dose, above, peak, parameters, anesthetic) -> PainResult:
    factor = anesthetic_factor(anesthetic)
    index = pain_index(dose, parameters.half_max_dose_K_s)
    return PainResult(dose, above, peak, index, index * factor, anesthetic, factor)


def pain_from_trace(
    times_s: Any, temperature_K: Any, *, parameters: PainParameters | None = None, anesthetic: str = "none"
) -> PainResult:
    """Pain index from a probe temperature trace (T linear between samples).

    Parameters
    ----------
    times_s : array_like (nt,)
        Strictly increasing times in s.
    temperature_K : array_like (nt,)
        Temperature at nociceptor depth in K.
    parameters : PainParameters, optional
    anesthetic : str
        Key of :data:`ANESTHETICS`.
    """
    cite("bessou_perl1969", "rolke2006", "pertovaara1996")
    p = parameters or PainParameters()
    t = np.asarray(times_s, dtype=np.float64)
    temp = np.asarray(temperature_K, dtype=np.float64)
    if t.ndim != 1 or temp.shape != t.shape or t.size < 1:
        raise InputError("temperature_K", temp.shape, "a 1-D trace with one temperature per time")
    if not (np.all(np.isfinite(t)) and np.all(np.diff(t) > 0)):
        raise InputError("times_s", "not strictly increasing", "strictly increasing finite times")
    if not (np.all(np.isfinite(temp)) and np.all(temp > 0)):
        raise InputError("temperature_K", "non-finite or <= 0", "temperatures > 0 K")
    dose = above = 0.0
    for i in range(t.size - 1):
        d, a = _step_dose(temp[i], temp[i + 1], t[i + 1] - t[i], p.threshold_temperature_K)
        dose += d
        above += a
    return _result(dose, above, float(temp.max()), p, anesthetic)


class PainObserver:
    """Heat-solver observer tracking the temperature at nociceptor depth in one column.

    The probe temperature is interpolated linearly in depth between cell centres of
    column ``column`` (default the beam axis).
    """

    def __init__(self, grid: Any, parameters: PainParameters | None = None, *, column: int = 0):
        self.grid = grid
        self.parameters = parameters or PainParameters()
        depth = self.parameters.nociceptor_depth_m
        if not 0.0 <= column < grid.nr:
            raise InputError("column", column, f"a radial index in [0, {grid.nr})")
        if not depth <= grid.z_max_m:
            raise InputError("nociceptor_depth", depth, f"a depth within the grid (<= {grid.z_max_m} m)")
        self.column = column
        self._z = grid.z_centers_m
        self.dose_K_s = 0.0
        self.time_above_threshold_s = 0.0
        self.peak_temperature_K = -math.inf
        self.times_s: list[float] = []
        self.temperatures_K: list[float] = []

    def probe(self, temperature_K: Any) -> float:
        """Probe temperature in K from an (nr, nz) map."""
        column = np.asarray(temperature_K, dtype=np.float64)[self.column]
        return float(np.interp(self.parameters.nociceptor_depth_m, self._z, column))

    def on_step(self, time_s: float, dt_s: float, temperature_old_K: Any, temperature_new_K: Any) -> None:
        """Accumulate the supra-threshold dose of one step (T linear in time)."""
        if not (math.isfinite(dt_s) and dt_s > 0):
            raise InputError("dt_s", dt_s, "a finite step > 0 s")
        t0, t1 = self.probe(temperature_old_K), self.probe(temperature_new_K)
        d, a = _step_dose(t0, t1, dt_s, self.parameters.threshold_temperature_K)
        self.dose_K_s += d
        self.time_above_threshold_s += a
        self.peak_temperature_K = max(self.peak_temperature_K, t0, t1)
        self.times_s.append(float(time_s))
        self.temperatures_K.append(t1)

    def result(self, anesthetic: str = "none") -> PainResult:
        """Pain result so far, with the given anaesthetic (the index without it is included)."""
        if not self.times_s:
            raise InputError("PainObserver", "no steps", "at least one on_step call")
        return _result(self.dose_K_s, self.time_above_threshold_s, self.peak_temperature_K, self.parameters, anesthetic)


#: Relative spread of the pain index between patients at the same dose (U until calibrated:
#: published SDs are ~2 points on 0-10 at scores of 4-7, e.g. 6.95 +/- 2.0 and 4.0 +/- 1.8).
PAIN_RELATIVE_SPREAD = 0.3


def pain_band(index_without: float | None, anesthetic: str = "none") -> dict:
    """Pain /10 without anaesthetic and with ``anesthetic``, each ``[low, nominal, high]``.

    ``low``/``high`` widen the nominal index by :data:`PAIN_RELATIVE_SPREAD` (patient spread)
    and, with an anaesthetic, span the product's factor range; capped to 0-10.
    """
    if index_without is None:
        return {"without_anaesthetic": None, "with_plan": None}
    nominal = float(index_without)
    spread = PAIN_RELATIVE_SPREAD

    def clip(values):
        return [float(min(10.0, max(0.0, v))) for v in values]

    without = clip([nominal * (1 - spread), nominal, nominal * (1 + spread)])
    entry = ANESTHETICS[anesthetic] if anesthetic in ANESTHETICS else ANESTHETICS["none"]
    low_f, high_f = entry.factor_range
    with_plan = clip([nominal * low_f * (1 - spread), nominal * entry.factor, nominal * high_f * (1 + spread)])
    return {"without_anaesthetic": without, "with_plan": with_plan}
