"""A collection fibre on the skin surface: the part of the diffuse reflectance Rd(r) it collects.

A fibre probe of core radius ``a`` and numerical aperture ``NA`` whose face touches the
surface at a distance ``d`` from the beam axis collects

.. math::

    P / E = \\eta(NA) \\; \\sum_i R_d(r_i) \\, \\big[ A(r_{i+1}) - A(r_i) \\big]

per incident joule, where :math:`R_d(r_i)` is the Monte Carlo diffuse reflectance per
unit area in the radial bin :math:`[r_i, r_{i+1})` (``TransportResult.diffuse_reflectance_per_area``,
1/m² per incident J) and :math:`A(R)` is the area shared by the fibre face (a disc of
radius ``a`` centred at ``d``) and the disc of radius ``R`` around the beam axis, the
exact circle–circle intersection ("lens") area, so the sum is exact for the binned Rd(r).

Angles: the Monte Carlo scores Rd(r) over all exit angles. Light that leaves a turbid
medium through its surface is close to Lambertian, so a fibre whose acceptance half-angle
θ in the medium above (refractive index ``n_outside``, ``NA = n_outside sin θ``) collects the
fraction :math:`\\eta = \\sin^2\\theta = (NA/n_{outside})^2` (capped at 1) of the radiant
exitance falling on its face (the Lambertian collection efficiency of an aperture of
half-angle θ; Bohren & Clothiaux 2006, *Fundamentals of Atmospheric Radiation*, on
Lambertian radiance). The approximation is good for source–detector distances of a few
transport mean free paths or more; near the beam (``d`` < ~1/μs') the exit light is more
forward-peaked and a fibre collects more than this estimate (MCML's angle-resolved Rd(r, α)
would be needed: Wang, Jacques & Zheng 1995).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.core.units import to_si

__all__ = ["FibreDetector", "fibre_collection", "disc_overlap_area_m2"]


def disc_overlap_area_m2(radius_m: np.ndarray | float, core_radius_m: float, distance_m: float) -> np.ndarray:
    """Area shared by discs of radius ``radius_m`` around the origin and ``core_radius_m`` at ``distance_m``.

    The exact lens area of two intersecting circles; ``radius_m`` may be an array. All in m / m².
    """
    R = np.asarray(radius_m, dtype=float)
    a = float(core_radius_m)
    d = float(distance_m)
    area = np.zeros_like(R)
    inside = d <= np.abs(R - a)  # one disc inside the other
    area = np.where(inside, np.pi * np.minimum(R, a) ** 2, area)
    partial = (~inside) & (d < R + a)
    if np.any(partial):
        Rp = R[partial] if R.ndim else R
        cos1 = np.clip((d * d + Rp * Rp - a * a) / (2.0 * d * Rp), -1.0, 1.0)
        cos2 = np.clip((d * d + a * a - Rp * Rp) / (2.0 * d * a), -1.0, 1.0)
        kite = (-d + Rp + a) * (d + Rp - a) * (d - Rp + a) * (d + Rp + a)
        lens = Rp * Rp * np.arccos(cos1) + a * a * np.arccos(cos2) - 0.5 * np.sqrt(np.maximum(kite, 0.0))
        if R.ndim:
            area[partial] = lens
        else:
            area = lens
    return np.asarray(area, dtype=float)


@dataclass(frozen=True)
class FibreDetector:
    """A collection fibre touching the surface (SI inside; build from units with :meth:`create`).

    Attributes
    ----------
    core_radius_m : float
        Radius of the fibre core's face, m (> 0).
    numerical_aperture : float
        NA of the fibre, in (0, 1.5].
    distance_m : float
        Distance of the face's centre from the beam axis, m (>= 0).
    n_outside : float or None
        Refractive index of the medium the light exits into (``None``: the transport
        stack's ``n_above``).
    """

    core_radius_m: float
    numerical_aperture: float
    distance_m: float = 0.0
    n_outside: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.core_radius_m) and self.core_radius_m > 0.0):
            raise InputError("core_radius", self.core_radius_m, "a radius > 0")
        if not (math.isfinite(self.numerical_aperture) and 0.0 < self.numerical_aperture <= 1.5):
            raise InputError("numerical_aperture", self.numerical_aperture, "a number in (0, 1.5]")
        if not (math.isfinite(self.distance_m) and self.distance_m >= 0.0):
            raise InputError("distance", self.distance_m, "a distance >= 0")
        if self.n_outside is not None and not (math.isfinite(self.n_outside) and self.n_outside >= 1.0):
            raise InputError("n_outside", self.n_outside, "a refractive index >= 1")

    @classmethod
    def create(
        cls, *, core_radius: Any, numerical_aperture: float, distance: Any = 0.0, n_outside: float | None = None
    ) -> FibreDetector:
        """Build from quantities with units, e.g. ``core_radius="100 um", distance="2 mm"`` (bare numbers: m)."""
        return cls(
            core_radius_m=to_si(core_radius, "m", field="core_radius", bare_unit="m"),
            numerical_aperture=float(numerical_aperture),
            distance_m=to_si(distance, "m", field="distance", bare_unit="m"),
            n_outside=None if n_outside is None else float(n_outside),
        )

    def acceptance(self, n_outside: float) -> float:
        """Collected fraction of Lambertian exitance: ``min(1, (NA / n_outside)**2)``."""
        return min(1.0, (self.numerical_aperture / n_outside) ** 2)

    def collected_fraction(self, result: Any) -> float:
        """Energy collected per incident joule from a transport result (or dataset) with Rd(r).

        ``result`` is a :class:`laserskin.transport.TransportResult` or its dataset
        (``diffuse_reflectance_per_area`` and ``r_edges``). Raises :class:`InputError` when
        the fibre face reaches beyond the grid's radius (Rd there is not resolved).
        """
        cite("wang1995mcml", "bohren2006")
        r_edges, rd_per_area, n_above = _reflectance_profile(result)
        r_max = float(r_edges[-1])
        if self.distance_m + self.core_radius_m > r_max * (1.0 + 1e-12):
            raise InputError(
                "distance",
                f"{self.distance_m:g} m + core radius {self.core_radius_m:g} m",
                f"a fibre face inside the transport grid (r_max = {r_max:g} m)",
            )
        shared = disc_overlap_area_m2(r_edges, self.core_radius_m, self.distance_m)
        ring_area = np.diff(shared)
        n_out = self.n_outside if self.n_outside is not None else n_above
        return float(self.acceptance(n_out) * np.sum(rd_per_area * ring_area))


def fibre_collection(
    result: Any,
    *,
    core_radius: Any,
    numerical_aperture: float,
    distance: Any = 0.0,
    n_outside: float | None = None,
) -> float:
    """Fraction of the incident energy a surface fibre collects from Rd(r).

    Parameters
    ----------
    result : TransportResult or xarray.Dataset
        A transport result with the radially resolved diffuse reflectance.
    core_radius : str, pint.Quantity or float (m)
        Radius of the fibre core, e.g. ``"100 um"``.
    numerical_aperture : float
        Fibre NA (e.g. 0.22).
    distance : str, pint.Quantity or float (m)
        Source–detector distance from the beam axis to the fibre centre (default 0).
    n_outside : float, optional
        Refractive index above the surface (default: the stack's ``n_above``).

    Returns
    -------
    float
        Collected energy per incident joule (dimensionless).

    Examples
    --------
    >>> fibre_collection(result, core_radius="100 um", numerical_aperture=0.22, distance="1 mm")  # doctest: +SKIP
    """
    detector = FibreDetector.create(
        core_radius=core_radius, numerical_aperture=numerical_aperture, distance=distance, n_outside=n_outside
    )
    return detector.collected_fraction(result)


def _reflectance_profile(result: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """``(r_edges_m, Rd_per_area_per_J, n_above)`` from a TransportResult or its dataset."""
    if hasattr(result, "diffuse_reflectance_per_area") and hasattr(result, "grid"):
        r_edges = np.asarray(result.grid.r_edges_m, dtype=float)
        rd = np.asarray(result.diffuse_reflectance_per_area, dtype=float)
        n_above = float(getattr(getattr(result, "stack", None), "n_above", 1.0))
        return r_edges, rd, n_above
    try:
        r_edges = np.asarray(result["r_edges"].values, dtype=float)
        rd = np.asarray(result["diffuse_reflectance_per_area"].values, dtype=float)
    except (KeyError, TypeError, AttributeError):
        raise InputError(
            "result", type(result).__name__, "a TransportResult or its dataset (with diffuse_reflectance_per_area)"
        ) from None
    n_above = 1.0
    stack = getattr(result, "attrs", {}).get("stack_si")
    if stack:
        import json

        n_above = float(json.loads(stack).get("n_above", 1.0))
    return r_edges, rd, n_above
