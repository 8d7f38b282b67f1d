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
  compared with its thickness, its edges are free and the subcutis lets it slide). The
  coagulated layer (Ω ≥ ``omega_threshold`` = 1, the histological coagulation criterion; its
  denatured fibrils form a connected network) has in-plane stiffness k·E_n and free shrinkage
  s_max; the rest of the dermis has the stiffness E_n of native dermis, and the scattered
  denatured fibrils in it (Ω < 1) shrink without stiffening it. Zero net in-plane force gives

      ε = s_max · (k H_c + H_s) / (k H_c + H_n),

  H_c the coagulated thickness (interpolated Ω = 1 crossings), H_s = Σ F Δz over the cells
  below the threshold, H_n the rest of the remaining dermis (ablated cells excluded; dermis
  below the grid counts as native). For k = 1 this is the thickness-weighted mean of the free
  shrinkage: the intact dermis holds the surface back in proportion to its thickness. A
  coagulated layer that is stiff compared with native dermis at small strain (k ≫ 1) pulls the
  whole skin with it once k H_c ≳ H_n: the contraction rises with the depth of the coagulated
  layer and then saturates at s_max, as Ross et al. (2000, J Am Acad Dermatol 42:92; V,
  abstract) saw for CO2 laser wounds in a live pig (immediate contraction rising with residual
  thermal damage up to a level; none after mechanical ablation). Load (Chen 1998: an isotonic
  load lowers the shrinkage) is the intact dermis itself here. k is the one undetermined
  parameter (``stiffness_ratio``, data/parameters/collagen.toml): calibrated on the immediate
  contraction of CO2 resurfacing, three passes (Fitzpatrick, Rostan & Marchell 2000), tested
  held out on Er:YAG and non-ablative settings (tests/validation/test_collagen_contraction.py).
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
    coagulated zone (Ω ≥ threshold).

    ``stiffness_ratio`` k is the in-plane stiffness of shrinking denatured collagen relative to
    native dermis at small strain (the layers-in-parallel balance of the module docstring);
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
        Free linear shrinkage of each cell, s_eff · F (fraction of length).
    column_area_contraction : ndarray (nr,)
        Surface-area contraction of each radial column, 1 − (1 − ε)² (fraction).
    column_linear_contraction : ndarray (nr,)
        In-plane linear contraction ε of each column (layers-in-parallel balance; fraction).
    denatured_thickness_m : ndarray (nr,)
        H_d = Σ F Δz of each column, m (equivalent thickness of denatured collagen).
    coagulated_thickness_m : ndarray (nr,)
        H_c, thickness of the coagulated layer (Ω ≥ threshold) of each column, m.
    scattered_thickness_m : ndarray (nr,)
        H_s = Σ F Δz over the cells below the threshold, m.
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


def laminate_contraction(
    denatured_m: Any, native_m: Any, stiffness_ratio: float, shrinkage: float, *, scattered_m: Any = 0.0
) -> Any:
    """In-plane linear contraction of bonded layers in parallel: ε = s (k H_c + H_s) / (k H_c + H_n).

    Zero net in-plane force on a stack of coagulated collagen (thickness ``denatured_m`` = H_c,
    stiffness k E_n, free shrinkage s) and the rest of the dermis (``native_m`` = H_n, stiffness
    E_n), in which scattered denatured fibrils (equivalent thickness ``scattered_m`` = H_s ≤ H_n)
    shrink without stiffening it; all layers share one strain (module docstring).

    Parameters
    ----------
    denatured_m, native_m : float or ndarray
        Thicknesses H_c and H_n, m (>= 0).
    scattered_m : float or ndarray, keyword
        H_s = Σ F Δz over the cells below the coagulation threshold, m (>= 0).
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
    h_s = np.asarray(scattered_m, dtype=np.float64)
    if np.any(h_s < 0) or not np.all(np.isfinite(h_s)):
        raise InputError("scattered_m", "negative or non-finite", "a thickness >= 0 m")
    weighted = stiffness_ratio * h_d
    total = weighted + h_n
    out = np.divide(shrinkage * (weighted + h_s), total, out=np.zeros_like(total), where=total > 0)
    return float(out) if out.ndim == 0 else out


def calibrate_stiffness_ratio(
    denatured_m: float, native_m: float, target: float, shrinkage: float, *, scattered_m: float = 0.0
) -> float:
    """The stiffness ratio k that gives the linear contraction ``target`` for one column.

    Inverse of :func:`laminate_contraction`: k = (ε H_n − s H_s) / ((s − ε) H_c).

    Parameters
    ----------
    denatured_m, native_m : float
        H_c (> 0) and H_n (>= 0) of the calibration case, m.
    scattered_m : float, keyword
        H_s of the calibration case, m.
    target : float
        Linear contraction to reproduce (fraction, 0 < target < shrinkage).
    shrinkage : float
        Free linear shrinkage of denatured collagen (fraction).

    Returns
    -------
    float
    """
    if not denatured_m > 0 or not native_m >= 0:
        raise InputError("denatured_m", denatured_m, "a denatured thickness > 0 m and a native one >= 0 m")
    if not 0.0 < target < shrinkage < 1.0:
        raise InputError("target", target, f"a contraction in (0, {shrinkage})")
    k = (target * native_m - shrinkage * scattered_m) / ((shrinkage - target) * denatured_m)
    if not k >= 1.0:
        raise InputError("target", target, "a contraction the coagulated layer reaches with k >= 1")
    return float(k)


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
        Radius of the treated spot in m; rings whose centre lies inside are averaged.
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
    # coagulated (connected, load-bearing) layer: interpolated thickness of Ω >= threshold
    h_c = np.zeros(grid.nr)
    for i in range(grid.nr):
        found = _column_range(masked[i], z, grid.z_edges_m, p.omega_threshold)
        if found is not None:
            h_c[i] = found[1] - found[0]
    sub = tissue & ~(np.nan_to_num(o) >= p.omega_threshold)
    h_sub = (np.where(sub, fraction, 0.0) * dz).sum(axis=1)  # scattered denatured fibrils (k = 1)
    below_grid = max(0.0, dermis_bottom_m - float(grid.z_edges_m[-1]))
    h_total = (np.where(tissue, 1.0, 0.0) * dz).sum(axis=1) + below_grid
    h_c = np.minimum(h_c, h_total)
    eps = laminate_contraction(h_c, h_total - h_c, p.stiffness_ratio, s_eff, scattered_m=h_sub)
    h_d = (fraction * dz).sum(axis=1)
    column = area_contraction(eps)
    treated = grid.r_centers_m < spot_radius_m
    if not np.any(treated):
        treated[0] = True
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
    )
