"""Thermal properties of the tissue on the shared r–z grid (per cell).

The bioheat equation of Pennes (1948) needs, in every cell, the conductivity k
(W m⁻¹ K⁻¹), the volumetric heat capacity ρc (J m⁻³ K⁻¹) and the perfusion rate ω_b
(s⁻¹, volume of blood per volume of tissue per second) with the blood's volumetric heat
capacity ρ_b c_b, plus the arterial and core temperatures.

The layered skin parameter set of Jiang, Ma & Wang (2002) is provided as
:data:`JIANG2002_LAYERS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from laserskin.core.citations import cite
from laserskin.core.constants import CORE_TEMPERATURE_K
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.grid import RZGrid

_JIANG2002 = load_parameters("skin_thermal_jiang2002")

#: Blood density × specific heat, J m⁻³ K⁻¹ (Jiang et al. 2002; data/parameters/skin_thermal_jiang2002.toml).
BLOOD_VOLUMETRIC_HEAT_CAPACITY_J_PER_M3K = (
    _JIANG2002["blood"]["density_kg_per_m3"] * _JIANG2002["blood"]["specific_heat_J_per_kgK"]
)

#: Layer thermal properties of Jiang et al. (2002), Burns 28:713, read from the one data file
#: (``skin_thermal_jiang2002.toml``, shared with the skin model): name -> (k W/m/K, ρ kg/m³,
#: c J/kg/K, perfusion 1/s). The heat solver's tests and the 3-D solver use it without ``skin``.
JIANG2002_LAYERS: dict[str, tuple[float, float, float, float]] = {
    name: (layer["k_W_per_mK"], layer["density_kg_per_m3"], layer["specific_heat_J_per_kgK"], layer["perfusion_per_s"])
    for name, layer in _JIANG2002["layers"].items()
}


@dataclass(frozen=True, eq=False)
class ThermalMedium:
    """Per-cell thermal properties for the Pennes bioheat equation (Pennes 1948).

    ρc ∂T/∂t = ∇·(k∇T) − ω_b ρ_b c_b (T − T_a) + Q

    Parameters
    ----------
    grid : RZGrid
        The shared r–z grid (the same one the light-transport tallies use).
    conductivity_W_per_mK : float or array_like, shape (nz,) or (nr, nz)
        Thermal conductivity k in W m⁻¹ K⁻¹ (> 0). A depth profile (nz,) is broadcast over r.
    volumetric_heat_capacity_J_per_m3K : float or array_like, shape (nz,) or (nr, nz)
        ρc in J m⁻³ K⁻¹ (> 0).
    perfusion_per_s : float or array_like, shape (nz,) or (nr, nz)
        Blood perfusion rate ω_b in s⁻¹ (>= 0).
    blood_volumetric_heat_capacity_J_per_m3K : float
        ρ_b c_b of blood in J m⁻³ K⁻¹ (default 1060 × 3770, Jiang et al. 2002).
    arterial_temperature_K : float
        Temperature of the arterial blood entering the tissue, K (default 37 °C).
    core_temperature_K : float
        Temperature held at the deep boundary z = z_max, K (default 37 °C).
    """

    grid: RZGrid
    conductivity_W_per_mK: np.ndarray
    volumetric_heat_capacity_J_per_m3K: np.ndarray
    perfusion_per_s: np.ndarray
    blood_volumetric_heat_capacity_J_per_m3K: float = BLOOD_VOLUMETRIC_HEAT_CAPACITY_J_PER_M3K
    arterial_temperature_K: float = CORE_TEMPERATURE_K
    core_temperature_K: float = CORE_TEMPERATURE_K

    def __post_init__(self) -> None:
        if not isinstance(self.grid, RZGrid):
            raise InputError("medium.grid", type(self.grid).__name__, "an RZGrid")
        shape = (self.grid.nr, self.grid.nz)
        for name, strictly in (
            ("conductivity_W_per_mK", True),
            ("volumetric_heat_capacity_J_per_m3K", True),
            ("perfusion_per_s", False),
        ):
            array = _per_cell(getattr(self, name), shape, f"medium.{name}")
            bad = ~(array > 0) if strictly else ~(array >= 0)
            if np.any(bad):
                value = float(array[bad].flat[0])
                raise InputError(
                    f"medium.{name}",
                    value,
                    "> 0 in every cell" if strictly else ">= 0 in every cell",
                )
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        for name, low in (
            ("blood_volumetric_heat_capacity_J_per_m3K", 0.0),
            ("arterial_temperature_K", 0.0),
            ("core_temperature_K", 0.0),
        ):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > low):
                raise InputError(f"medium.{name}", value, f"a finite number > {low}")
            object.__setattr__(self, name, float(value))

    @classmethod
    def from_layers(
        cls,
        grid: RZGrid,
        layer_bottoms_m: Sequence[float] | np.ndarray,
        conductivity_W_per_mK: Sequence[float] | np.ndarray,
        density_kg_per_m3: Sequence[float] | np.ndarray,
        specific_heat_J_per_kgK: Sequence[float] | np.ndarray,
        perfusion_per_s: Sequence[float] | np.ndarray,
        **kwargs,
    ) -> ThermalMedium:
        """Per-cell arrays from per-layer values, assigned with ``grid.layer_index``.

        Parameters
        ----------
        grid : RZGrid
            The shared grid.
        layer_bottoms_m : sequence of float
            Depth of the bottom of each layer in m (cumulative thickness); cells below the
            last bottom get the last layer's values.
        conductivity_W_per_mK, density_kg_per_m3, specific_heat_J_per_kgK, perfusion_per_s : sequence of float
            One value per layer: k (W m⁻¹ K⁻¹), ρ (kg m⁻³), c (J kg⁻¹ K⁻¹), ω_b (s⁻¹).
        **kwargs
            Passed to :class:`ThermalMedium` (blood heat capacity, arterial and core temperature).
        """
        bottoms = np.asarray(layer_bottoms_m, dtype=float).ravel()
        n = bottoms.size
        if n == 0 or (n > 1 and not np.all(np.diff(bottoms) > 0)):
            raise InputError("layer_bottoms_m", bottoms.tolist(), "one or more increasing depths")
        arrays = {}
        for name, values in (
            ("conductivity_W_per_mK", conductivity_W_per_mK),
            ("density_kg_per_m3", density_kg_per_m3),
            ("specific_heat_J_per_kgK", specific_heat_J_per_kgK),
            ("perfusion_per_s", perfusion_per_s),
        ):
            v = np.asarray(values, dtype=float).ravel()
            if v.size != n:
                raise InputError(name, v.size, f"{n} values (one per layer)")
            arrays[name] = v
        index = grid.layer_index(bottoms)
        return cls(
            grid,
            arrays["conductivity_W_per_mK"][index],
            (arrays["density_kg_per_m3"] * arrays["specific_heat_J_per_kgK"])[index],
            arrays["perfusion_per_s"][index],
            **kwargs,
        )

    @classmethod
    def jiang2002(
        cls,
        grid: RZGrid,
        layer_bottoms_m: Sequence[float],
        names: Sequence[str] | None = None,
        **kwargs,
    ):
        """Layered skin with the thermal set of Jiang et al. (2002), Burns 28:713.

        ``names`` picks rows of :data:`JIANG2002_LAYERS` per layer (default: epidermis,
        dermis, subcutis, inner — as many as there are layers).
        """
        cite("jiang2002")
        names = list(names) if names is not None else list(JIANG2002_LAYERS)[: len(layer_bottoms_m)]
        if len(names) != len(layer_bottoms_m):
            raise InputError(
                "names",
                names,
                f"{len(layer_bottoms_m)} names from {sorted(JIANG2002_LAYERS)}",
            )
        for name in names:
            if name not in JIANG2002_LAYERS:
                raise InputError("names", name, f"one of {sorted(JIANG2002_LAYERS)}")
        rows = np.array([JIANG2002_LAYERS[name] for name in names])
        return cls.from_layers(
            grid,
            layer_bottoms_m,
            rows[:, 0],
            rows[:, 1],
            rows[:, 2],
            rows[:, 3],
            **kwargs,
        )

    @property
    def perfusion_coefficient_W_per_m3K(self) -> np.ndarray:
        """ω_b ρ_b c_b in W m⁻³ K⁻¹, shape (nr, nz)."""
        return self.perfusion_per_s * self.blood_volumetric_heat_capacity_J_per_m3K

    @property
    def diffusivity_m2_per_s(self) -> np.ndarray:
        """Thermal diffusivity α = k / ρc in m² s⁻¹, shape (nr, nz)."""
        return self.conductivity_W_per_mK / self.volumetric_heat_capacity_J_per_m3K


def _per_cell(value, shape: tuple[int, int], field: str) -> np.ndarray:
    """Broadcast a scalar, a depth profile (nz,) or a full (nr, nz) array to (nr, nz)."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        out = np.full(shape, float(array))
    elif array.shape == (shape[1],):
        out = np.broadcast_to(array, shape).copy()
    elif array.shape == shape:
        out = array.copy()
    else:
        raise InputError(field, f"shape {array.shape}", f"a scalar, shape ({shape[1]},) or {shape}")
    if not np.all(np.isfinite(out)):
        raise InputError(field, "non-finite value", "finite values")
    return out
