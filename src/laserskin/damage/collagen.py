"""Collagen denaturation -> free shrinkage -> immediate tightening estimate.

Model
-----
* Denatured fraction of dermal collagen F = 1 − exp(−Ω_collagen) (first-order kinetics;
  Ω from the collagen Arrhenius set, e.g. ``pearce_2010_rat_skin_collagen``; Pearce 2010).
* A second, independent dermal collagen set, ``jacques2006_dsc_dermal_collagen`` (derived from
  the DSC peak of native collagen, Miles et al. 2005, with Jacques' 2006 entropy–enthalpy
  compensation; arrhenius.toml), agrees with Pearce's within a factor of ~3: sub-second
  heating denatures collagen only above ~85 °C, seconds at 65–70 °C are needed below.
* Linear free shrinkage s = s_max · F: shrinkage saturates because F does. Chen, Wright &
  Humphrey (1997 J Biomech Eng 119:372; 1998 J Biomech Eng 120:382) showed that isothermal
  free shrinkage of collagenous tissue collapses onto one master curve of normalised time
  t/τ with an Arrhenius τ, i.e. it is a function of the accumulated thermal dose alone, with a
  plateau of ~55–65 % of length (tag R; Wright & Humphrey 2002 Annu Rev Biomed Eng 4:109).
  The master-curve coefficients were not retrieved (physics_data.md §4.3, tag U), so the
  master curve is replaced by the first-order denatured fraction and s_max is a parameter
  (default 0.6).
* Immediate tightening (projection to the surface): a dermal cell that shrinks freely by s
  in every direction loses a fraction a = 1 − (1 − s)² of its area parallel to the surface.
  Each radial column contracts by the thickness-weighted mean of a over the *full* dermal
  thickness D (untreated dermis holds the surface back in proportion to its thickness):
  c(r) = Σ_z a(r, z) Δz / D. The tightening is the area average of c over the treated spot,
  in %. This ignores load (skin tension lowers shrinkage, Chen 1998) and recovery at 37 °C,
  so it is an upper-bound estimate of the acute effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel


class CollagenParameters(InputModel):
    """Parameters of the shrinkage model.

    ``max_shrinkage`` is the plateau of free linear shrinkage (fraction of length; Chen,
    Wright & Humphrey 1997/1998, ~0.55–0.65, tag R). ``omega_threshold`` defines the
    coagulated zone (Ω ≥ threshold).

    ``load_factor`` scales the shrinkage for tissue that shrinks against a load: Chen, Wright
    & Humphrey 1998 (isotonic tests at 100–650 kPa) found that load lowers the shrinkage at a
    given heating dose and shifts the activation entropy, not the energy (V, abstract); the
    size of the reduction for skin in vivo is not tabulated (U, default 1 = free shrinkage,
    an upper bound). ``recovery_fraction`` is the share of the shrinkage recovered after the
    tissue returns to 37 °C (partial, time-dependent recovery; Chen 1997/1998, V qualitatively,
    size U; default 0 = the immediate, unrecovered effect). The shrinkage is then
    s = s_max · F · load_factor · (1 − recovery_fraction).
    """

    max_shrinkage: float = Field(default=0.6, gt=0.0, lt=1.0, description="s_max, fraction of length")
    omega_threshold: float = Field(default=1.0, gt=0.0, description="Ω defining the coagulated zone")
    load_factor: float = Field(default=1.0, gt=0.0, le=1.0, description="shrinkage under load / free shrinkage")
    recovery_fraction: float = Field(default=0.0, ge=0.0, lt=1.0, description="share recovered at 37 °C")


@dataclass(frozen=True)
class CollagenResponse:
    """Collagen outcome on the grid.

    Attributes
    ----------
    denatured_fraction : ndarray (nr, nz)
        1 − exp(−Ω) in dermal cells, 0 elsewhere (dimensionless).
    linear_shrinkage : ndarray (nr, nz)
        Free linear shrinkage s (fraction of length).
    column_area_contraction : ndarray (nr,)
        Surface-area contraction of each radial column (fraction).
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


def collagen_response(
    omega_collagen: Any,
    grid: Any,
    *,
    dermis_top_m: float,
    dermis_bottom_m: float,
    spot_radius_m: float,
    parameters: CollagenParameters | None = None,
) -> CollagenResponse:
    """Denaturation, shrinkage, tightening, denatured volume and coagulated depth range.

    Parameters
    ----------
    omega_collagen : ndarray (nr, nz)
        Ω of the collagen Arrhenius set (NaN allowed outside the dermis).
    grid : RZGrid
    dermis_top_m, dermis_bottom_m : float
        Depth of the epidermis–dermis junction and of the dermis bottom in m. Dermal cells are
        those whose centre lies between them; if the grid ends above ``dermis_bottom_m`` the
        dermis below the grid is taken as untreated (it still counts in the thickness D).
    spot_radius_m : float
        Radius of the treated spot in m; rings whose centre lies inside are averaged.
    parameters : CollagenParameters, optional

    Returns
    -------
    CollagenResponse
    """
    cite("chen_wright_humphrey1997", "chen_wright_humphrey1998")
    p = parameters or CollagenParameters()
    o = np.asarray(omega_collagen, dtype=np.float64)
    if o.shape != (grid.nr, grid.nz):
        raise InputError("omega_collagen", o.shape, f"shape {(grid.nr, grid.nz)}")
    if not 0.0 <= dermis_top_m < dermis_bottom_m:
        raise InputError("dermis_bottom_m", dermis_bottom_m, f"a depth below dermis_top_m ({dermis_top_m} m)")
    if not 0.0 < spot_radius_m <= grid.r_max_m:
        raise InputError("spot_radius_m", spot_radius_m, f"a radius in (0, {grid.r_max_m}] m (the grid)")
    z = grid.z_centers_m
    in_dermis = (z > dermis_top_m) & (z < dermis_bottom_m)
    if not np.any(in_dermis):
        raise InputError("dermis_top_m", dermis_top_m, "a dermis that contains grid cells")
    dermal = o[:, in_dermis]
    if not np.all(np.isfinite(dermal)) or np.any(dermal < 0):
        raise InputError("omega_collagen", "non-finite or negative in the dermis", "finite Ω >= 0 in the dermis")
    fraction = np.zeros_like(o)
    fraction[:, in_dermis] = denatured_fraction(dermal)
    shrink = linear_shrinkage(fraction, p.max_shrinkage) * p.load_factor * (1.0 - p.recovery_fraction)
    area = area_contraction(shrink)
    thickness = dermis_bottom_m - dermis_top_m
    column = (area * grid.dz_m).sum(axis=1) / thickness
    treated = grid.r_centers_m < spot_radius_m
    if not np.any(treated):
        treated[0] = True
    weights = grid.ring_area_m2[treated]
    tightening = float((column[treated] * weights).sum() / weights.sum() * 100.0)
    volume = grid.cell_volume_m3
    denatured_volume = float((fraction * volume).sum() * 1e9)
    masked = np.where(in_dermis[None, :], o, np.nan)
    coagulated = np.zeros(o.shape, dtype=bool)
    coagulated[:, in_dermis] = dermal >= p.omega_threshold
    depth_range = omega_depth_range(masked, grid, p.omega_threshold)
    return CollagenResponse(
        denatured_fraction=fraction,
        linear_shrinkage=shrink,
        column_area_contraction=column,
        tightening_percent=tightening,
        denatured_volume_mm3=denatured_volume,
        coagulated_volume_mm3=float(volume[coagulated].sum() * 1e9),
        coagulated_depth_range_um=None if depth_range is None else (depth_range[0] * 1e6, depth_range[1] * 1e6),
    )
