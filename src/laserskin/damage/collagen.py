"""Collagen denaturation -> shrinkage of the denatured collagen -> immediate skin contraction.

Model
-----
* Denatured fraction of dermal collagen F = 1 − exp(−Ω) (first-order kinetics;
  Ω from the collagen Arrhenius set, e.g. ``pearce_2010_rat_skin_collagen``; Pearce 2010).
  A second, independent dermal collagen set, ``jacques2006_dsc_dermal_collagen`` (derived from
  the DSC peak of native collagen, Miles et al. 2005, with Jacques' 2006 entropy–enthalpy
  compensation; arrhenius.toml), agrees with Pearce's within a factor of ~3. No human dermal
  set with published coefficients was found (docs/collagen.md).
* Free shrinkage of denatured collagen s = s_max · F (fraction of length). s_max = 0.6
  (``[shrinkage]`` of data/parameters/collagen.toml): porcine cornea shrinks by at most
  57 ± 12 % at 75–80 °C (Spörl et al. 1996 Ger J Ophthalmol 5:322, abstract V); Chen, Wright &
  Humphrey (1997 J Biomech Eng 119:372; 1998 J Biomech Eng 120:382) found that isothermal
  shrinkage of bovine chordae tendineae is one function of the accumulated, load-scaled heating
  time (time–temperature(–load) equivalence) with a plateau of ~55–65 % (R). Their master-curve
  coefficients were not retrieved (searched again this session: docs/collagen.md §8), so the
  first-order denatured fraction of the kinetic set stands in for the master curve; it carries
  the same two of their findings — the shrinkage depends on the cumulative, not the current,
  heating (Ω is a time integral) and saturates — but not their curve's shape in log time.
  Shrinkage linear in the denatured fraction: rat-tail-tendon shrinkage at 58 °C correlates
  linearly with the loss of second-harmonic signal (Lin et al. 2006 J Biomed Opt 11:034020,
  abstract V). Departures: cornea and chordae, not dermis.
* **Immediate contraction (mechanics).** Each radial column of the remaining dermis is a stack
  of bonded layers that share one in-plane strain ε (layers in parallel; the skin is wide
  compared with its thickness, its edges are free and the subcutis lets it slide). Within a
  cell, denatured fibrils (the fraction F, in-plane stiffness k·E_n, free shrinkage s_max) and
  native fibrils (1 − F, stiffness E_n, no shrinkage) form a random two-phase mixture: F is the
  probability that a collagen molecule has denatured (first-order kinetics), so the denatured
  phase is scattered at small F and connected (load-bearing) at large F. Its stiffness
  e = E/E_n is the symmetric effective-medium approximation of a random mixture (Kirkpatrick
  1973 Rev Mod Phys 45:574, bond networks of coordination 6; the same equation as Bruggeman's
  1935 continuum mixture in three dimensions),

      F (k − e)/(k + 2e) + (1 − F)(1 − e)/(1 + 2e) = 0,

  which rises continuously from 1 (F = 0) to k (F = 1), stays near 1 while the denatured phase
  is dilute and rises steeply once it percolates (F ≈ 1/3 in this approximation): the
  continuous form of the former step "Ω ≥ 1 is a connected, stiff layer; Ω < 1 fibrils shrink
  without stiffening". The cell's free shrinkage follows from its stiffness by the exact
  two-phase relation between effective stiffness and effective eigenstrain (Levin 1967;
  Rosen & Hashin 1970 Int J Eng Sci 8:157), s_cell = s_max (1 − 1/e)/(1 − 1/k); for k → 1 it
  is s_max F (Lin et al. 2006: shrinkage linear in the denatured fraction). Zero net in-plane
  force over the column gives

      ε = Σ e_i s_i Δz_i / (Σ e_i Δz_i + H_b) = s_max · k/(k − 1) · Σ (e_i − 1) Δz_i / (Σ e_i Δz_i + H_b),

  H_b the native dermis below the grid (ablated cells excluded). ε is continuous in every
  cell's Ω and non-decreasing in it (docs/collagen.md §10: the step at Ω = 1 made the CO2
  contraction fall from 48 % to 1.3 % of area between 6 and 8 J/cm²). For k = 1 it is the
  thickness-weighted mean of the free shrinkage; for a fully denatured layer (F = 1) over
  native dermis it is s_max k H_d / (k H_d + H_n) (:func:`laminate_contraction`). A denatured
  layer stiff compared with native dermis at small strain (k ≫ 1) pulls the whole skin with
  it once it percolates and k H_d ≳ H_n: the contraction rises with the denatured layer and
  then saturates at s_max, as Ross et al. (2000, J Am Acad Dermatol 42:92; V, abstract) saw
  for CO2 laser wounds in a live pig (immediate contraction rising with residual thermal
  damage up to a level; none after mechanical ablation). Load (Chen 1998: an isotonic load
  lowers the shrinkage) is the intact dermis itself here. k is the one undetermined
  parameter (``stiffness_ratio``, data/parameters/collagen.toml): calibrated on the immediate
  contraction of CO2 resurfacing, three passes (Fitzpatrick, Rostan & Marchell 2000), tested
  held out on Er:YAG and non-ablative settings (tests/validation/test_collagen_contraction.py).
  The coagulated zone (Ω ≥ ``omega_threshold``, the histological criterion) is a read-out
  (depth range, volume, H_c); it no longer enters the mechanics.
* The surface-area contraction of a column is a = 1 − (1 − ε)² (isotropic in-plane shrinkage);
  the tightening is the area average of a over the treated spot, in %. Columns are taken as
  independent (a spot much wider than the dermis is thick). ``load_factor`` and
  ``recovery_fraction`` scale s_max (extra load on the skin; partial recovery at 37 °C, Chen
  1997/1998; defaults: none, i.e. the immediate effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from laserskin.core.citations import cite
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel


def contraction_parameters() -> dict:
    """The contraction parameter set (``data/parameters/collagen.toml``): stiffness ratio k
    of denatured to native dermis, its calibration target and provenance."""
    return load_parameters("collagen")


def _default_stiffness_ratio() -> float:
    return float(contraction_parameters()["contraction"]["stiffness_ratio"])


def _default_max_shrinkage() -> float:
    return float(contraction_parameters()["shrinkage"]["max_shrinkage"])


class CollagenParameters(InputModel):
    """Parameters of the shrinkage and contraction model.

    ``max_shrinkage`` is the plateau of free linear shrinkage (fraction of length; default from
    ``[shrinkage]`` of data/parameters/collagen.toml: porcine cornea 0.57 ± 0.12, Spörl et al.
    1996, V; Chen, Wright & Humphrey 1997/1998, ~0.55–0.65, R). ``omega_threshold`` defines the
    coagulated zone (Ω ≥ threshold) of the read-outs (depth range, volume, H_c); the mechanics
    use the denatured fraction continuously.

    ``stiffness_ratio`` k is the in-plane stiffness of fully denatured, shrinking collagen relative
    to native dermis at small strain (the effective-medium mixture and layers-in-parallel balance
    of the module docstring);
    default: calibrated on CO2 resurfacing (data/parameters/collagen.toml, docs/collagen.md).

    ``load_factor`` scales the shrinkage for skin that shrinks against an external load: Chen,
    Wright & Humphrey 1998 (isotonic tests at 100–650 kPa) found that load lowers the shrinkage
    at a given heating dose and shifts the activation entropy, not the energy (V, abstract); the
    intact dermis is already the load in the contraction balance, so the default is 1.
    ``recovery_fraction`` is the share of the shrinkage recovered after the tissue returns to
    37 °C (partial, time-dependent recovery; Chen 1997/1998, V qualitatively, size U; default
    0 = the immediate, unrecovered effect). The free shrinkage of denatured collagen is then
    s_max · load_factor · (1 − recovery_fraction).
    """

    max_shrinkage: float = Field(
        default_factory=_default_max_shrinkage, gt=0.0, lt=1.0, description="s_max, fraction of length"
    )
    omega_threshold: float = Field(default=1.0, gt=0.0, description="Ω defining the coagulated zone")
    stiffness_ratio: float = Field(
        default_factory=_default_stiffness_ratio, ge=1.0, le=1e6, description="k = E_denatured / E_native"
    )
    load_factor: float = Field(default=1.0, gt=0.0, le=1.0, description="shrinkage under load / free shrinkage")
    recovery_fraction: float = Field(default=0.0, ge=0.0, lt=1.0, description="share recovered at 37 °C")

    @property
    def effective_shrinkage(self) -> float:
        """Free linear shrinkage of fully denatured collagen after load and recovery."""
        return self.max_shrinkage * self.load_factor * (1.0 - self.recovery_fraction)


@dataclass(frozen=True)
class CollagenResponse:
    """Collagen outcome on the grid.

    Attributes
    ----------
    denatured_fraction : ndarray (nr, nz)
        1 − exp(−Ω) in dermal cells, 0 elsewhere (dimensionless).
    linear_shrinkage : ndarray (nr, nz)
        s_eff · F (fraction of length): the shrinkage of the denatured fibrils averaged over the cell
        (Lin et al. 2006 form); the free shrinkage of the cell as a bonded mixture is
        s_eff (1 − 1/e)/(1 − 1/k) (module docstring).
    column_area_contraction : ndarray (nr,)
        Surface-area contraction of each radial column, 1 − (1 − ε)² (fraction).
    column_linear_contraction : ndarray (nr,)
        In-plane linear contraction ε of each column (layers-in-parallel balance; fraction).
    denatured_thickness_m : ndarray (nr,)
        H_d = Σ F Δz of each column, m (equivalent thickness of denatured collagen).
    coagulated_thickness_m : ndarray (nr,)
        H_c, thickness of the coagulated layer (Ω ≥ threshold) of each column, m (read-out; not
        used by the mechanics).
    scattered_thickness_m : ndarray (nr,)
        H_s = Σ F Δz over the cells below the threshold, m (read-out).
    mixture_stiffness : ndarray (nr, nz)
        Effective in-plane stiffness e = E/E_n of each remaining dermal cell (1 for native
        dermis, k when fully denatured; 0 outside the remaining dermis).
    dermis_thickness_m : ndarray (nr,)
        Remaining dermis of each column (grid cells not removed + dermis below the grid), m.
    tightening_percent : float
        Area-averaged contraction over the treated spot, in %.
    denatured_volume_mm3 : float
        Σ F · V over the dermis, in mm³ (expected volume of denatured collagen).
    coagulated_volume_mm3 : float
        Volume of dermal cells with Ω ≥ threshold, in mm³.
    coagulated_depth_range_um : tuple of float or None
        (top, bottom) depth in µm of the zone with Ω ≥ threshold; None if there is none.
    """

    denatured_fraction: np.ndarray
    linear_shrinkage: np.ndarray
    column_area_contraction: np.ndarray
    column_linear_contraction: np.ndarray
    denatured_thickness_m: np.ndarray
    coagulated_thickness_m: np.ndarray
    scattered_thickness_m: np.ndarray
    dermis_thickness_m: np.ndarray
    tightening_percent: float
    denatured_volume_mm3: float
    coagulated_volume_mm3: float
    coagulated_depth_range_um: tuple[float, float] | None
    mixture_stiffness: np.ndarray | None = None


def denatured_fraction(omega: Any) -> Any:
    """Denatured collagen fraction F = 1 − exp(−Ω) (dimensionless)."""
    o = np.asarray(omega, dtype=np.float64)
    out = -np.expm1(-o)
    return float(out) if out.ndim == 0 else out


def linear_shrinkage(fraction_denatured: Any, max_shrinkage: float = 0.6) -> Any:
    """Free linear shrinkage s = s_max · F (fraction of length)."""
    f = np.asarray(fraction_denatured, dtype=np.float64)
    if np.any((f < 0) | (f > 1)) or not np.all(np.isfinite(f)):
        raise InputError("fraction_denatured", "outside [0, 1]", "fractions in [0, 1]")
    if not 0.0 < max_shrinkage < 1.0:
        raise InputError("max_shrinkage", max_shrinkage, "a fraction in (0, 1)")
    out = max_shrinkage * f
    return float(out) if out.ndim == 0 else out


def area_contraction(shrinkage: Any) -> Any:
    """Area lost by a cell shrinking isotropically by ``shrinkage``: 1 − (1 − s)²."""
    s = np.asarray(shrinkage, dtype=np.float64)
    out = 1.0 - (1.0 - s) ** 2
    return float(out) if out.ndim == 0 else out


def _column_range(omega_col: np.ndarray, z_c: np.ndarray, z_e: np.ndarray, threshold: float):
    """Interpolated (top, bottom) depth of Ω ≥ threshold in one column (ln Ω linear between centres)."""
    inside = np.flatnonzero(omega_col >= threshold)
    if inside.size == 0:
        return None
    i0, i1 = inside[0], inside[-1]
    log_thr = np.log(threshold)

    def crossing(i, j, edge):
        # between cell i (>= threshold) and neighbour j; the edge if the neighbour is unusable
        if j < 0 or j >= omega_col.size or not (omega_col[j] > 0):  # NaN (outside) or zero
            return edge
        li, lj = np.log(omega_col[i]), np.log(omega_col[j])
        return z_c[i] + (li - log_thr) / (li - lj) * (z_c[j] - z_c[i])

    return crossing(i0, i0 - 1, z_e[i0]), crossing(i1, i1 + 1, z_e[i1 + 1])


def omega_depth_range(omega: Any, grid: Any, threshold: float = 1.0, *, column: int | None = None):
    """Depth range [top, bottom] in m of the zone where Ω ≥ ``threshold``.

    The crossing depths are interpolated with ln Ω linear between cell centres (exact for
    an exponential depth profile); where the neighbour cell is outside the region (NaN) or
    has Ω = 0, the cell edge is used. Over all columns unless ``column`` is given.

    Parameters
    ----------
    omega : ndarray (nr, nz)
        Ω map; NaN marks cells outside the region of interest.
    grid : RZGrid
    threshold : float
        Ω level (> 0).
    column : int, optional
        Radial index of a single column.

    Returns
    -------
    tuple of float or None
        (top_m, bottom_m), or None if no cell reaches the threshold.
    """
    o = np.asarray(omega, dtype=np.float64)
    if o.shape != (grid.nr, grid.nz):
        raise InputError("omega", o.shape, f"shape {(grid.nr, grid.nz)}")
    if not threshold > 0:
        raise InputError("threshold", threshold, "Ω > 0")
    columns = range(grid.nr) if column is None else [column]
    tops, bottoms = [], []
    for i in columns:
        found = _column_range(o[i], grid.z_centers_m, grid.z_edges_m, threshold)
        if found is not None:
            tops.append(found[0])
            bottoms.append(found[1])
    if not tops:
        return None
    return float(min(tops)), float(max(bottoms))


def mixture_stiffness(fraction_denatured: Any, stiffness_ratio: float) -> Any:
    """Effective stiffness e = E/E_n of a random mixture of denatured and native collagen.

    Symmetric effective-medium approximation (Kirkpatrick 1973 Rev Mod Phys 45:574, bond network of
    coordination z = 6; Bruggeman 1935 for a three-dimensional continuum mixture — the same equation):
    F (k − e)/(k + 2e) + (1 − F)(1 − e)/(1 + 2e) = 0, solved as 2e² − b e − k = 0 with
    b = (3F − 1) k + 2 − 3F. e rises continuously and monotonically from 1 (F = 0) to k (F = 1); for
    k ≫ 1 it stays O(1) while the denatured phase is dilute and rises steeply once it percolates
    (F ≈ 1/3 in this approximation; Kirkpatrick: accurate except close to the threshold).

    Parameters
    ----------
    fraction_denatured : float or ndarray
        F in [0, 1].
    stiffness_ratio : float
        k = E_denatured / E_native (>= 1).

    Returns
    -------
    float or ndarray
        e (dimensionless, 1 <= e <= k).
    """
    cite("kirkpatrick1973_percolation_conduction")
    f = np.asarray(fraction_denatured, dtype=np.float64)
    if np.any((f < 0) | (f > 1)) or not np.all(np.isfinite(f)):
        raise InputError("fraction_denatured", "outside [0, 1]", "fractions in [0, 1]")
    k = float(stiffness_ratio)
    if not k >= 1.0 or not np.isfinite(k):
        raise InputError("stiffness_ratio", stiffness_ratio, "a stiffness ratio >= 1")
    b = (3.0 * f - 1.0) * k + 2.0 - 3.0 * f
    root = np.sqrt(b * b + 8.0 * k)
    # the positive root, without cancellation for b < 0 (product of the roots = −k/2)
    out = np.where(b >= 0, (b + root) / 4.0, 2.0 * k / np.maximum(root - b, 1e-300))
    out = np.clip(out, 1.0, k)
    return float(out) if out.ndim == 0 else out


def _cell_force(fraction: np.ndarray, stiffness: np.ndarray, stiffness_ratio: float) -> np.ndarray:
    """e · s_cell / s_max = k (e − 1)/(k − 1) (Levin's two-phase relation), F in the limit k → 1."""
    if stiffness_ratio - 1.0 < 1e-9:
        return fraction
    return stiffness_ratio * (stiffness - 1.0) / (stiffness_ratio - 1.0)


def column_contraction(
    fraction_denatured: Any, thickness_m: Any, stiffness_ratio: float, shrinkage: float, *, native_below_m: float = 0.0
) -> float:
    """In-plane linear contraction ε of one column of bonded cells (layers in parallel).

    Each cell is a random mixture of denatured (fraction F) and native collagen with effective
    stiffness e (:func:`mixture_stiffness`) and free shrinkage s_max (1 − 1/e)/(1 − 1/k) (the exact
    two-phase relation of effective stiffness and eigenstrain, Levin 1967; Rosen & Hashin 1970).
    Zero net in-plane force: ε = s_max k/(k − 1) Σ (e_i − 1) t_i / (Σ e_i t_i + H_b).

    Parameters
    ----------
    fraction_denatured : ndarray (n,)
        F of each cell (0 for native dermis).
    thickness_m : ndarray (n,)
        Thickness of each cell, m (0 for cells that are not dermis or were removed).
    stiffness_ratio : float
        k (>= 1).
    shrinkage : float
        Free linear shrinkage of fully denatured collagen (fraction, [0, 1)).
    native_below_m : float, keyword
        Native dermis below the cells, m (>= 0).

    Returns
    -------
    float
        ε (fraction of length); 0 where there is no tissue.
    """
    f = np.asarray(fraction_denatured, dtype=np.float64)
    t = np.asarray(thickness_m, dtype=np.float64)
    if f.shape != t.shape or np.any(t < 0) or not np.all(np.isfinite(t)):
        raise InputError("thickness_m", "negative, non-finite or of another shape", "thicknesses >= 0 m, one per cell")
    if not 0.0 <= shrinkage < 1.0:
        raise InputError("shrinkage", shrinkage, "a fraction in [0, 1)")
    if not native_below_m >= 0.0:
        raise InputError("native_below_m", native_below_m, "a thickness >= 0 m")
    e = mixture_stiffness(f, stiffness_ratio)
    total = float((e * t).sum()) + native_below_m
    if total <= 0.0:
        return 0.0
    return float(shrinkage * (_cell_force(f, e, stiffness_ratio) * t).sum() / total)


def laminate_contraction(denatured_m: Any, native_m: Any, stiffness_ratio: float, shrinkage: float) -> Any:
    """Two-layer case of :func:`column_contraction`: a fully denatured layer over native dermis.

    ε = s k H_d / (k H_d + H_n): a layer of thickness ``denatured_m`` = H_d with F = 1 (stiffness
    k E_n, free shrinkage s) bonded to native dermis ``native_m`` = H_n (module docstring).

    Parameters
    ----------
    denatured_m, native_m : float or ndarray
        Thicknesses H_d and H_n, m (>= 0).
    stiffness_ratio : float
        k = E_denatured / E_native (>= 1).
    shrinkage : float
        Free linear shrinkage of denatured collagen (fraction, in [0, 1)).

    Returns
    -------
    float or ndarray
        ε (fraction of length); 0 where there is no tissue.
    """
    h_d = np.asarray(denatured_m, dtype=np.float64)
    h_n = np.asarray(native_m, dtype=np.float64)
    if np.any(h_d < 0) or np.any(h_n < 0) or not (np.all(np.isfinite(h_d)) and np.all(np.isfinite(h_n))):
        raise InputError("thickness", "negative or non-finite", "thicknesses >= 0 m")
    if not stiffness_ratio >= 1.0:
        raise InputError("stiffness_ratio", stiffness_ratio, "a stiffness ratio >= 1")
    if not 0.0 <= shrinkage < 1.0:
        raise InputError("shrinkage", shrinkage, "a fraction in [0, 1)")
    weighted = stiffness_ratio * h_d
    total = weighted + h_n
    out = np.divide(shrinkage * weighted, total, out=np.zeros_like(total), where=total > 0)
    return float(out) if out.ndim == 0 else out


def calibrate_stiffness_ratio(
    fraction_denatured: Any, thickness_m: Any, target: float, shrinkage: float, *, native_below_m: float = 0.0
) -> float:
    """The stiffness ratio k that gives the linear contraction ``target`` for one column.

    Inverse of :func:`column_contraction` in k (ε rises monotonically with k); solved by bracketing
    on 1 <= k <= 1e6 (the range of ``CollagenParameters.stiffness_ratio``).

    Parameters
    ----------
    fraction_denatured, thickness_m : ndarray (n,)
        F and thickness (m) of the cells of the calibration column.
    target : float
        Linear contraction to reproduce (fraction, 0 < target < shrinkage).
    shrinkage : float
        Free linear shrinkage of denatured collagen (fraction).
    native_below_m : float, keyword
        Native dermis below the cells, m.

    Returns
    -------
    float
    """
    from scipy.optimize import brentq

    if not 0.0 < target < shrinkage < 1.0:
        raise InputError("target", target, f"a contraction in (0, {shrinkage})")

    def miss(k: float) -> float:
        return column_contraction(fraction_denatured, thickness_m, k, shrinkage, native_below_m=native_below_m) - target

    low, high = 1.0, 1e6
    if miss(low) > 0 or miss(high) < 0:
        raise InputError("target", target, "a contraction the column reaches with 1 <= k <= 1e6")
    return float(brentq(miss, low, high, xtol=1e-10, rtol=1e-12))


def readout_radius_m(grid: Any, beam_outer_radius_m: float) -> float:
    """Radius, m, over which :func:`collagen_response` averages the column contraction: the beam's outer radius
    (flat top d/2, Gaussian 3 w; one micro-beam's for a fractional laser; one ring for a pencil beam), clipped to
    the grid. One rule for the linear and the non-linear read-outs: the non-linear stage averaged over the whole
    grid (r_max, twice the spot radius of a Monte Carlo grid), which read a quarter of the linear stage's
    contraction at the onset of vaporisation (QA13 #9)."""
    return float(min(beam_outer_radius_m or grid.dr_m, grid.r_max_m))


def _readout_rings(grid: Any, radius_m: float) -> np.ndarray:
    """The rings averaged for a read-out radius: those whose centre lies inside it (at least the axis ring)."""
    treated = np.asarray(grid.r_centers_m < radius_m)
    if not np.any(treated):
        treated = treated.copy()
        treated[0] = True
    return treated


def readout_area_m2(grid: Any, radius_m: float) -> float:
    """Area, m², that :func:`collagen_response` averages over at ``radius_m``: the rings whose centre lies inside,
    out to their outer edge (not π r²: the last ring reaches past r by up to a ring width)."""
    return float(np.asarray(grid.ring_area_m2)[_readout_rings(grid, radius_m)].sum())


def skin_tightening_percent(
    spot_tightening_percent: float, grid: Any, radius_m: float, mtz_per_m2: float | None = None
) -> float:
    """Skin-area contraction, %, from :func:`collagen_response`'s ``tightening_percent`` read at ``radius_m``.

    A spot: its area-averaged contraction. A fractional laser (``mtz_per_m2``, zones per m²): one zone's
    contraction integrated over the area averaged (:func:`readout_area_m2`) and spread over the skin area per
    zone — the area actually averaged, so the integral does not depend on where the last ring ends."""
    if mtz_per_m2 is None:
        return float(spot_tightening_percent)
    return float(spot_tightening_percent * readout_area_m2(grid, radius_m) * mtz_per_m2)


def collagen_response(
    omega_collagen: Any,
    grid: Any,
    *,
    dermis_top_m: float,
    dermis_bottom_m: float,
    spot_radius_m: float,
    parameters: CollagenParameters | None = None,
    removed: Any = None,
) -> CollagenResponse:
    """Denaturation, shrinkage, immediate contraction, denatured volume and coagulated depth range.

    Parameters
    ----------
    omega_collagen : ndarray (nr, nz)
        Ω of the collagen Arrhenius set (NaN allowed outside the dermis and in removed cells).
    grid : RZGrid
    dermis_top_m, dermis_bottom_m : float
        Depth of the epidermis–dermis junction and of the dermis bottom in m. Dermal cells are
        those whose centre lies between them; if the grid ends above ``dermis_bottom_m`` the
        dermis below the grid is taken as native (it still holds the surface back).
    spot_radius_m : float
        Radius of the treated spot in m (:func:`readout_radius_m`); rings whose centre lies inside are averaged.
    parameters : CollagenParameters, optional
    removed : ndarray of bool (nr, nz), optional
        Cells removed by ablation: they neither shrink nor hold the surface back.

    Returns
    -------
    CollagenResponse
    """
    cite(
        "chen_wright_humphrey1997",
        "chen_wright_humphrey1998",
        "spoerl1996_cornea_shrinkage",
        "lin2006_shg_collagen_shrinkage",
        "ross2000_pig_contraction",
        "kirkpatrick1973_percolation_conduction",
        "levin1967_thermal_expansion",
    )
    p = parameters or CollagenParameters()
    o = np.asarray(omega_collagen, dtype=np.float64)
    if o.shape != (grid.nr, grid.nz):
        raise InputError("omega_collagen", o.shape, f"shape {(grid.nr, grid.nz)}")
    if not 0.0 <= dermis_top_m < dermis_bottom_m:
        raise InputError("dermis_bottom_m", dermis_bottom_m, f"a depth below dermis_top_m ({dermis_top_m} m)")
    if not 0.0 < spot_radius_m <= grid.r_max_m:
        raise InputError("spot_radius_m", spot_radius_m, f"a radius in (0, {grid.r_max_m}] m (the grid)")
    gone = np.zeros(o.shape, dtype=bool) if removed is None else np.asarray(removed, dtype=bool)
    if gone.shape != o.shape:
        raise InputError("removed", gone.shape, f"shape {o.shape}")
    z = grid.z_centers_m
    in_dermis = (z > dermis_top_m) & (z < dermis_bottom_m)
    if not np.any(in_dermis):
        raise InputError("dermis_top_m", dermis_top_m, "a dermis that contains grid cells")
    tissue = in_dermis[None, :] & ~gone
    dermal = np.where(tissue, o, 0.0)
    if not np.all(np.isfinite(dermal)) or np.any(dermal < 0):
        raise InputError("omega_collagen", "non-finite or negative in the dermis", "finite Ω >= 0 in the dermis")
    fraction = np.where(tissue, denatured_fraction(dermal), 0.0)
    s_eff = p.effective_shrinkage
    shrink = linear_shrinkage(fraction, p.max_shrinkage) * p.load_factor * (1.0 - p.recovery_fraction)
    dz = grid.dz_m
    masked = np.where(tissue, o, np.nan)
    # read-outs: the coagulated zone (Ω >= threshold, interpolated crossings) and the rest
    h_c = np.zeros(grid.nr)
    for i in range(grid.nr):
        found = _column_range(masked[i], z, grid.z_edges_m, p.omega_threshold)
        if found is not None:
            h_c[i] = found[1] - found[0]
    sub = tissue & ~(np.nan_to_num(o) >= p.omega_threshold)
    h_sub = (np.where(sub, fraction, 0.0) * dz).sum(axis=1)
    below_grid = max(0.0, dermis_bottom_m - float(grid.z_edges_m[-1]))
    cells = np.where(tissue, 1.0, 0.0) * dz  # thickness of each remaining dermal cell
    h_total = cells.sum(axis=1) + below_grid
    h_c = np.minimum(h_c, h_total)
    # mechanics: every cell a random denatured/native mixture, layers in parallel (module docstring)
    stiffness = np.where(tissue, mixture_stiffness(fraction, p.stiffness_ratio), 0.0)
    force = _cell_force(fraction, stiffness, p.stiffness_ratio) * cells
    total = (stiffness * cells).sum(axis=1) + below_grid
    eps = np.divide(s_eff * force.sum(axis=1), total, out=np.zeros(grid.nr), where=total > 0)
    h_d = (fraction * dz).sum(axis=1)
    column = area_contraction(eps)
    treated = _readout_rings(grid, spot_radius_m)
    weights = grid.ring_area_m2[treated]
    tightening = float((column[treated] * weights).sum() / weights.sum() * 100.0)
    volume = grid.cell_volume_m3
    denatured_volume = float((fraction * volume).sum() * 1e9)
    coagulated = tissue & (np.nan_to_num(o) >= p.omega_threshold)
    depth_range = omega_depth_range(masked, grid, p.omega_threshold)
    return CollagenResponse(
        denatured_fraction=fraction,
        linear_shrinkage=shrink,
        column_area_contraction=column,
        column_linear_contraction=eps,
        denatured_thickness_m=h_d,
        coagulated_thickness_m=h_c,
        scattered_thickness_m=h_sub,
        dermis_thickness_m=h_total,
        tightening_percent=tightening,
        denatured_volume_mm3=denatured_volume,
        coagulated_volume_mm3=float(volume[coagulated].sum() * 1e9),
        coagulated_depth_range_um=None if depth_range is None else (depth_range[0] * 1e6, depth_range[1] * 1e6),
        mixture_stiffness=stiffness,
    )
