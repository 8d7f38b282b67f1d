"""Heat-pain index from the temperature of the nociceptors, with and without topical anaesthetic.

Model (physics_data.md §5; D₅₀ calibrated, clinical_calibration_data.md §5)
----------------------------------------------------------------------------
* Where: the nerve endings of the skin lie in a depth band from the intra-epidermal free
  endings (~20 µm) to the sub-papillary plexus (~200 µm) (``nerve_band_top``/``_bottom``).
  The dose is **averaged over that band and over the treated area** (:func:`pain_from_field`,
  :class:`NociceptorFieldObserver`): a full-field spot is averaged over the spot, a fractional
  micro-beam over the skin area of one zone (1 / zones per area), so a hot micro-column
  excites only the nociceptors of its own small area (spatial summation) and does not
  saturate the index, while an ablative pass that boils the epidermis excites the endings in
  it. A nerve ending stops firing once its tissue reaches 100 °C (coagulated or vaporised:
  its dose counts up to that moment) and adds a fixed ``destruction_dose`` (the burst of an
  ending that is destroyed), weighted by the destroyed fraction of the nerve band. The single-point probe (:class:`PainObserver`, ``nociceptor_depth``
  150 µm on the beam axis) is kept for traces and figures.
* Threshold: polymodal C-nociceptors respond from 42–56 °C (Bessou & Perl 1969); TRPV1
  opens at ≈ 42–43 °C; the mean heat-pain threshold of hairy skin is ~43–45 °C (Rolke et
  al. 2006) and is independent of the starting skin temperature (Pertovaara et al. 1996).
  Default 44 °C.
* Dose: D = ∫ (T − T_threshold)₊ dt in K·s, integrated exactly for T piecewise linear in
  time between samples (including the partial time above threshold in a crossing step).
* Index: a saturating Naka–Rushton map to 0–10, I = 10 · Dⁿ / (Dⁿ + D₅₀ⁿ), with D the
  area- and band-averaged dose plus the destruction term. D₅₀, the exponent n and the
  destruction dose are fitted exactly on three published 0–10 scores (``data/parameters/pain.toml``
  ``[[anchors]]``; the fit, its held-out checks and residuals: docs/healing.md "Pain"): the bulk
  1450 nm diode pulse of Bernstein 2007 (no ablation: it fixes D₅₀, the dose of a full spot) and the
  two fractional anchors (Fisher 2005, Tierney & Hanke 2012: the micro-columns' destroyed endings
  dominate, and the ratio of their scores against the ratio of their destroyed fractions fixes n).
  Exponent 1 with D₅₀ fitted on the fractional anchors alone (0.047 K·s, sessions ≤ 11) put every
  bulk plan on the flat top (9–10 / 10); no monotone map of that dose could, because a bulk spot's
  thermal dose is tens of times the fractional zone's while its published score is lower.
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
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from laserskin.core.citations import cite
from laserskin.core.constants import CELSIUS_K, WATER_BOILING_K
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, unit_default


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


def _pain_table() -> dict:
    try:
        return dict(load_parameters("pain"))
    except Exception:  # pragma: no cover - the file ships with the package
        return {}


_PAIN = _pain_table()


class PainParameters(InputModel):
    """Nociceptor depths, heat-pain threshold and the dose giving an index of 5/10 (``pain.toml``)."""

    nociceptor_depth_m: Annotated[float, Quantity("m", gt=0.0, display="um")] = Field(
        default=unit_default("150 um"), alias="nociceptor_depth"
    )
    nerve_band_top_m: Annotated[float, Quantity("m", ge=0.0, display="um")] = Field(
        default=_PAIN.get("nerve_band_top", {}).get("value", "20 um"), alias="nerve_band_top"
    )
    nerve_band_bottom_m: Annotated[float, Quantity("m", gt=0.0, display="um")] = Field(
        default=_PAIN.get("nerve_band_bottom", {}).get("value", "200 um"), alias="nerve_band_bottom"
    )
    threshold_temperature_K: Annotated[float, Quantity("K", gt=CELSIUS_K, lt=WATER_BOILING_K, display="K")] = Field(
        default=_PAIN.get("threshold_temperature", {}).get("value", "317.15 K"), alias="threshold_temperature"
    )
    half_max_dose_K_s: Annotated[float, Quantity("K*s", gt=0.0, display="K*s")] = Field(
        default=_PAIN.get("half_max_dose", {}).get("value", "1 K*s"), alias="half_max_dose"
    )
    destruction_dose_K_s: Annotated[float, Quantity("K*s", ge=0.0, display="K*s")] = Field(
        default=_PAIN.get("destruction_dose", {}).get("value", "0 K*s"), alias="destruction_dose"
    )
    exponent: float = Field(default=float(_PAIN.get("exponent", {}).get("value", 1.0)), gt=0.0, le=10.0)


def anesthetic_factor(anesthetic: str) -> float:
    """Multiplicative factor on the pain index for a topical anaesthetic name."""
    cite("tian2016_lidocaine", "yun2002", "alster2002")
    if anesthetic not in ANESTHETICS:
        raise InputError("anesthetic", anesthetic, "one of " + ", ".join(ANESTHETICS))
    return ANESTHETICS[anesthetic].factor


def pain_index(dose_K_s: Any, half_max_dose_K_s: float = 1.0, exponent: float = 1.0) -> Any:
    """0–10 index 10·Dⁿ/(Dⁿ + D₅₀ⁿ) from the supra-threshold dose D in K·s (Naka–Rushton, exponent n)."""
    d = np.asarray(dose_K_s, dtype=np.float64)
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise InputError("dose_K_s", dose_K_s, "a finite dose >= 0 K s")
    if not (math.isfinite(exponent) and exponent > 0):
        raise InputError("exponent", exponent, "a finite exponent > 0")
    if not (math.isfinite(half_max_dose_K_s) and half_max_dose_K_s > 0):
        raise InputError("half_max_dose_K_s", half_max_dose_K_s, "a finite dose > 0 K s")
    ratio = (d / half_max_dose_K_s) ** exponent
    out = 10.0 * ratio / (ratio + 1.0)
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
    destroyed_fraction: float = 0.0


def _result(dose, above, peak, parameters, anesthetic, destroyed=0.0) -> PainResult:
    factor = anesthetic_factor(anesthetic)
    total = dose + parameters.destruction_dose_K_s * destroyed
    index = pain_index(total, parameters.half_max_dose_K_s, parameters.exponent)
    return PainResult(total, above, peak, index, index * factor, anesthetic, factor, destroyed)


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


#: Relative spread of the pain index between patients at the same dose: published SDs are ~2
#: points on 0-10 at scores of 4-7 (6.95 +/- 2.0 and 4.0 +/- 1.8, Fisher et al. 2005), i.e. ~30-45 %.
PAIN_RELATIVE_SPREAD = 0.3


def area_weights(grid: Any, treated_radius_m: float, cell_area_m2: float | None = None) -> np.ndarray:
    """Weight of each radial ring in the treated-area average, (nr,), summing to at most 1.

    Full field (``cell_area_m2`` None): the rings inside ``treated_radius_m`` weighted by their
    area inside it. Fractional: the rings of one zone's skin area ``cell_area_m2`` (1 / zones per
    area), each weighted by ring area / cell area; a zone's neighbours are other zones.
    """
    edges = np.asarray(grid.r_edges_m, dtype=float)
    if cell_area_m2 is not None:
        if not (math.isfinite(cell_area_m2) and cell_area_m2 > 0):
            raise InputError("cell_area_m2", cell_area_m2, "an area > 0 m^2")
        radius = math.sqrt(cell_area_m2 / math.pi)
        total = cell_area_m2
    else:
        radius = float(treated_radius_m)
        if not (math.isfinite(radius) and radius > 0):
            raise InputError("treated_radius_m", treated_radius_m, "a radius > 0 m")
        radius = min(radius, float(edges[-1]))
        total = math.pi * radius**2
    clipped = np.minimum(edges, radius)
    return np.pi * np.diff(clipped**2) / total


def depth_weights(grid: Any, parameters: PainParameters | None = None) -> np.ndarray:
    """Weight of each depth cell in the nerve band average, (nz,), summing to 1."""
    p = parameters or PainParameters()
    z = np.asarray(grid.z_edges_m, dtype=float)
    top, bottom = p.nerve_band_top_m, min(p.nerve_band_bottom_m, float(z[-1]))
    if not bottom > top:
        raise InputError("nerve_band", (top, bottom), "a band with bottom > top inside the grid")
    overlap = np.clip(np.minimum(z[1:], bottom) - np.maximum(z[:-1], top), 0.0, None)
    return overlap / overlap.sum()


def _dose_field(
    times_s: np.ndarray, field_K: np.ndarray, threshold_K: float, destroyed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact ∫(T − Tth)₊ dt and time above threshold per cell, T linear in time between samples.

    A nerve ending stops firing once its tissue reaches 100 °C (coagulated or vaporised): a
    cell contributes up to the first sample at or above boiling and nothing after it.
    ``destroyed`` (cells already destroyed before ``times_s[0]``) is updated and returned.
    """
    hot = field_K >= WATER_BOILING_K
    reached = np.maximum.accumulate(hot, axis=0)
    if destroyed is not None:
        reached = reached | destroyed[None]
    alive = ~reached[:-1]  # a step counts while its start sample is below boiling
    a = np.minimum(field_K[:-1], WATER_BOILING_K) - threshold_K
    b = np.minimum(field_K[1:], WATER_BOILING_K) - threshold_K
    dt = np.diff(times_s).reshape((-1,) + (1,) * (field_K.ndim - 1))
    both = (a >= 0) & (b >= 0)
    high = np.maximum(np.maximum(a, b), 0.0)
    span = np.abs(a) + np.abs(b)
    fraction = np.where(both, 1.0, np.divide(high, span, out=np.zeros_like(span), where=span > 0))
    dose = np.where(alive, np.where(both, 0.5 * (a + b) * dt, 0.5 * high * fraction * dt), 0.0)
    return dose.sum(axis=0), (np.where(alive, fraction, 0.0) * dt).sum(axis=0), reached[-1]


def pain_from_field(
    times_s: Any,
    field_K: Any,
    grid: Any,
    *,
    treated_radius_m: float,
    cell_area_m2: float | None = None,
    parameters: PainParameters | None = None,
    anesthetic: str = "none",
) -> PainResult:
    """Pain index from the temperature history of the grid, averaged over the nerve band and the treated area.

    Parameters
    ----------
    times_s : array_like (nt,)
        Strictly increasing times, s.
    field_K : array_like (nt, nr, nz)
        Temperature history, K (cells above 100 °C count as 100 °C).
    grid : RZGrid
    treated_radius_m : float
        Radius of the treated spot (full field), m.
    cell_area_m2 : float, optional
        Skin area per micro-beam zone (fractional lasers: 1 / zones per m²), m².
    parameters : PainParameters, optional
    anesthetic : str
        Key of :data:`ANESTHETICS`.

    Returns
    -------
    PainResult
        ``dose_K_s`` is the area- and band-averaged dose; ``peak_temperature_K`` the hottest
        nociceptor cell (capped at 100 °C); ``time_above_threshold_s`` the area-weighted time.
    """
    cite("bessou_perl1969", "rolke2006", "pertovaara1996")
    p = parameters or PainParameters()
    t = np.asarray(times_s, dtype=np.float64)
    field = np.asarray(field_K, dtype=np.float64)
    if field.ndim != 3 or field.shape[0] != t.size or t.size < 2:
        raise InputError("field_K", field.shape, "an (nt, nr, nz) history with one field per time")
    if not (np.all(np.isfinite(t)) and np.all(np.diff(t) > 0)):
        raise InputError("times_s", "not strictly increasing", "strictly increasing finite times")
    rows, cols, weights = nociceptor_cells(grid, treated_radius_m, cell_area_m2, p)
    return pain_from_cells(t, field[:, rows][:, :, cols], weights, parameters=p, anesthetic=anesthetic)


def nociceptor_cells(
    grid: Any, treated_radius_m: float, cell_area_m2: float | None = None, parameters: PainParameters | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radial rows, depth columns and their weights (nrows, ncols) of the nociceptor average."""
    wz = depth_weights(grid, parameters)
    wr = area_weights(grid, treated_radius_m, cell_area_m2)
    rows, cols = np.flatnonzero(wr > 0), np.flatnonzero(wz > 0)
    return rows, cols, wr[rows][:, None] * wz[cols][None, :]


def pain_from_cells(
    times_s: np.ndarray,
    cells_K: np.ndarray,
    weights: np.ndarray,
    *,
    parameters: PainParameters | None = None,
    anesthetic: str = "none",
) -> PainResult:
    """Pain from the histories (nt, nrows, ncols) of the nociceptor cells and their weights (:func:`nociceptor_cells`)."""
    p = parameters or PainParameters()
    dose, above, destroyed = _dose_field(np.asarray(times_s, dtype=float), cells_K, p.threshold_temperature_K)
    peak = float(np.minimum(cells_K.max(), WATER_BOILING_K))
    return _result(
        float((dose * weights).sum()),
        float((above * weights).sum()),
        peak,
        p,
        anesthetic,
        float((destroyed * weights).sum()),
    )


class NociceptorFieldObserver:
    """Heat-solver observer: the area- and band-averaged pain dose (see :func:`pain_from_field`).

    Also records the single-point axis trace at ``nociceptor_depth`` (:meth:`trace`) for datasets.
    """

    def __init__(
        self,
        grid: Any,
        *,
        treated_radius_m: float,
        cell_area_m2: float | None = None,
        parameters: PainParameters | None = None,
    ):
        self.grid = grid
        self.parameters = parameters or PainParameters()
        self._rows, self._cols, self._weights = nociceptor_cells(grid, treated_radius_m, cell_area_m2, self.parameters)
        self._z = grid.z_centers_m
        self.dose_K_s = 0.0
        self.time_above_threshold_s = 0.0
        self.peak_temperature_K = -math.inf
        self.times_s: list[float] = []
        self.axis_K: list[float] = []
        self._destroyed: np.ndarray | None = None

    def _axis(self, temperature_K) -> float:
        return float(np.interp(self.parameters.nociceptor_depth_m, self._z, np.asarray(temperature_K)[0]))

    def on_step(self, time_s: float, dt_s: float, temperature_old_K: Any, temperature_new_K: Any) -> None:
        """Accumulate the weighted supra-threshold dose of one step (T linear in time)."""
        old = np.asarray(temperature_old_K)[self._rows][:, self._cols]
        new = np.asarray(temperature_new_K)[self._rows][:, self._cols]
        if not self.times_s:
            self.times_s.append(float(time_s - dt_s))
            self.axis_K.append(self._axis(temperature_old_K))
        if self._destroyed is None:
            self._destroyed = np.zeros(old.shape, dtype=bool)
        dose, above, self._destroyed = _dose_field(
            np.array([0.0, dt_s]), np.stack([old, new]), self.parameters.threshold_temperature_K, self._destroyed
        )
        self.dose_K_s += float((dose * self._weights).sum())
        self.time_above_threshold_s += float((above * self._weights).sum())
        self.peak_temperature_K = max(self.peak_temperature_K, float(min(max(old.max(), new.max()), WATER_BOILING_K)))
        self.times_s.append(float(time_s))
        self.axis_K.append(self._axis(temperature_new_K))

    def trace(self) -> tuple[np.ndarray, np.ndarray]:
        """Times (s) and the axis temperature at ``nociceptor_depth`` (K)."""
        return np.asarray(self.times_s), np.asarray(self.axis_K)

    def result(self, anesthetic: str = "none") -> PainResult:
        """Pain result so far (index with ``anesthetic``; the one without is included)."""
        if not self.times_s:
            raise InputError("NociceptorFieldObserver", "no steps", "at least one on_step call")
        cite("bessou_perl1969", "rolke2006", "pertovaara1996")
        destroyed = 0.0 if self._destroyed is None else float((self._destroyed * self._weights).sum())
        return _result(
            self.dose_K_s, self.time_above_threshold_s, self.peak_temperature_K, self.parameters, anesthetic, destroyed
        )


def _load_cooling_analgesia() -> dict[str, Anesthetic]:
    table = _PAIN.get("cooling_analgesia", {})
    return {
        key: Anesthetic(float(e["factor"]), (float(e["range"][0]), float(e["range"][1])), e["tag"], e["source"], key)
        for key, e in table.items()
    }


#: Cold-induced analgesia beyond the computed tissue cooling, by cooling kind (``pain.toml``).
COOLING_ANALGESIA: dict[str, Anesthetic] = _load_cooling_analgesia()


def cooling_analgesia_factor(kind: str | None) -> float:
    """Factor on the pain index for a cooling kind (1 where only the computed temperature acts)."""
    entry = COOLING_ANALGESIA.get(kind or "none")
    if entry is not None:
        cite("fisher2005_cold_air")
    return 1.0 if entry is None else entry.factor


def pain_band(index_without: float | None, anesthetic: str = "none", cooling: str | None = None) -> dict:
    """Pain /10 without anaesthetic and with the plan (``anesthetic`` and ``cooling``), each ``[low, nominal, high]``.

    ``without_anaesthetic`` is the index of the simulated treatment (its cooling acts through the
    computed temperature) with neither the topical factor nor the cold-air analgesia;
    ``with_plan`` multiplies by both. ``low``/``high`` widen the nominal index by
    :data:`PAIN_RELATIVE_SPREAD` (patient spread) and span the factors' ranges; capped to 0-10.
    """
    if index_without is None:
        return {"without_anaesthetic": None, "with_plan": None}
    nominal = float(index_without)
    spread = PAIN_RELATIVE_SPREAD

    def clip(values):
        return [float(min(10.0, max(0.0, v))) for v in values]

    without = clip([nominal * (1 - spread), nominal, nominal * (1 + spread)])
    entry = ANESTHETICS[anesthetic] if anesthetic in ANESTHETICS else ANESTHETICS["none"]
    cold = COOLING_ANALGESIA.get(cooling or "none", Anesthetic(1.0, (1.0, 1.0), "V", "none"))
    low_f = entry.factor_range[0] * cold.factor_range[0]
    high_f = entry.factor_range[1] * cold.factor_range[1]
    with_plan = clip(
        [nominal * low_f * (1 - spread), nominal * entry.factor * cold.factor, nominal * high_f * (1 + spread)]
    )
    return {
        "without_anaesthetic": without,
        "with_plan": with_plan,
        "without_anaesthetic_category": pain_category(without[1]),
        "with_plan_category": pain_category(with_plan[1]),
    }


def pain_category(index: float) -> str:
    """Verbal band of a 0-10 pain score: none (< 0.5), mild (< 4), moderate (< 7), severe (Serlin et al. 1995 cut points)."""
    if index < 0.5:
        return "none"
    if index < 4.0:
        return "mild"
    if index < 7.0:
        return "moderate"
    return "severe"
