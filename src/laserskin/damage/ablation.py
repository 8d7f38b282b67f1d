"""Ablative resurfacing (Er:YAG 2940 nm, CO₂ 10 600 nm): crater depth, residual heat, MTZ size.

Crater depth per pulse
----------------------
* ``steady_state`` (default): a constant heat of ablation h (J/m³) is spent on every unit
  volume removed once the threshold fluence is reached, so the depth grows linearly,
  δ = (F − F_th) / h (Walsh & Deutsch 1988 Lasers Surg Med 8:264 for pulsed CO₂; Walsh,
  Flotte & Deutsch 1989 Lasers Surg Med 9:314 and Kaufmann & Hibst 1996 Lasers Surg Med
  19:324 for Er:YAG, whose crater depth is ~linear in fluence). It is the default because
  the clinical free-running/µs–ms pulses ablate during the pulse and the measured Er:YAG
  and CO₂ depths are linear in fluence above threshold (physics_data.md §7.2).
* ``blow_off``: all energy is deposited before material leaves (ns pulses); the depth is
  where the Beer–Lambert dose falls to threshold, δ = ln(F/F_th) / μa.

Parameters (§7.2, §1.8): Er:YAG F_th ≈ 1 J/cm² (R, 0.5–1.6), h ≈ 2.5 kJ/cm³ (R: 3–4 µm per
J/cm²; D: vaporising 70 % water from 37 °C needs 2.0–2.6 kJ/cm³), dermis μa ≈ 7800 /cm (D);
CO₂ F_th ≈ 5 J/cm² (V, secondary), h ≈ 2.75 kJ/cm³ (pulsed CO₂ 2.5–3, R, Walsh & Deutsch
1988), μa ≈ 550 /cm (D).

Pulses and passes: every pulse at the same site is a removal event. For Er:YAG the depth
adds linearly (Kaufmann & Hibst 1996). For CO₂ the desiccated residual layer left by each
event absorbs poorly, so ablation per pass falls and the total plateaus near ~100 µm
(§7.2, V secondary); modelled phenomenologically as δ_k = δ₁ (1 − D_{k−1}/D_plateau), i.e.
D_k = D_plateau (1 − (1 − δ₁/D_plateau)^k) (tag U).

Residual heat and damage
------------------------
In steady-state ablation the tissue left at the crater floor holds the absorbed-energy
profile at the vaporisation condition: T(z) = T_b + (T_abl − T_b) exp(−μa z) below the
floor (the Beer–Lambert dose at threshold; Walsh & Deutsch 1988; McKenzie's three-zone
picture). :func:`post_ablation_temperature_profile` gives this initial condition, which the
Simulation relaxes with the heat solver (Ω integrated alongside); the residual thermal
damage depth is then read with :func:`residual_damage_depth`.

Fractional columns
------------------
A Gaussian micro-beam (1/e² diameter d, peak fluence F₀ = 8E/(π d²)) ablates where
F(r) > F_th, i.e. out to r_abl = (d/2)·sqrt(ln(F₀/F_th)/2). The energy above threshold,
E·[1 − (F_th/F₀)(1 + ln(F₀/F_th))], is spent at the heat of ablation on a tapered (conical)
column of that radius — the tapered ablation column of Hantash et al. 2007 Lasers Surg Med
39:96 — so its depth is 3V/(π r_abl²). A coagulation sheath thickness (from the heat
solver, or a parameter) is added to give the microscopic treatment zone (MTZ). Compare with
histology allowing for its shrinkage (simulation 21 ± 2 % deeper, 12 ± 2 % wider; Marqa &
Mordon 2014 J Cosmet Laser Ther 16:57).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from laserskin.core.citations import cite
from laserskin.core.constants import CELSIUS_K, CORE_TEMPERATURE_K, WATER_BOILING_K
from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, unit_default
from laserskin.damage.collagen import omega_depth_range


class AblationParameters(InputModel):
    """Ablation constants of one laser/tissue pair (SI inside)."""

    name: str
    wavelength_m: Annotated[float, Quantity("m", gt=0.0, display="nm")] = Field(alias="wavelength")
    mua_per_m: Annotated[float, Quantity("1/m", gt=0.0)] = Field(alias="mua")
    threshold_fluence_J_per_m2: Annotated[float, Quantity("J/m^2", gt=0.0)] = Field(alias="threshold_fluence")
    heat_of_ablation_J_per_m3: Annotated[float, Quantity("J/m^3", gt=0.0, display="kJ/cm^3")] = Field(
        alias="heat_of_ablation"
    )
    plateau_depth_m: Annotated[float, Quantity("m", gt=0.0, display="um")] | None = Field(
        default=None, alias="plateau_depth"
    )
    ablation_temperature_K: Annotated[float, Quantity("K", gt=CELSIUS_K, display="K")] = Field(
        default=unit_default("100 degC"), alias="ablation_temperature"
    )
    source: str = ""


#: Ablation constants by laser/tissue pair, from ``data/parameters/ablation.toml``.
LASERS: dict[str, AblationParameters] = {
    name: AblationParameters.model_validate({"name": name, **table})
    for name, table in load_parameters("ablation").items()
}


def get_laser(laser: str | AblationParameters) -> AblationParameters:
    """Ablation parameters by name (``er_yag_2940``, ``co2_10600``) or passed through."""
    if isinstance(laser, AblationParameters):
        params = laser
    elif laser in LASERS:
        params = LASERS[laser]
    else:
        raise InputError("laser", laser, "one of " + ", ".join(LASERS) + " or AblationParameters")
    _check_ablative(params.mua_per_m)
    return params


def _check_ablative(mua_per_m: float) -> None:
    # Which wavelengths are ablative is decided once, for the laser
    # (laserskin.optics.chromophores.ABLATIVE_WATER_MUA_PER_M); here only a usable tissue μa.
    if not (math.isfinite(mua_per_m) and mua_per_m > 0.0):
        raise InputError("mua", f"{mua_per_m / 100:g} 1/cm", "a finite absorption coefficient > 0 1/cm")


def ablation_depth_per_pulse(
    fluence_J_per_m2: Any,
    laser: str | AblationParameters,
    model: Literal["steady_state", "blow_off"] = "steady_state",
) -> Any:
    """Crater depth removed by one pulse on fresh tissue.

    Parameters
    ----------
    fluence_J_per_m2 : float or array_like
        Radiant exposure in J/m² (≥ 0).
    laser : str or AblationParameters
    model : {"steady_state", "blow_off"}

    Returns
    -------
    float or numpy.ndarray
        Depth in m (0 at or below threshold).
    """
    cite("walsh_deutsch1988", "kaufmann_hibst1996")
    p = get_laser(laser)
    f = np.asarray(fluence_J_per_m2, dtype=np.float64)
    if not np.all(np.isfinite(f)) or np.any(f < 0):
        raise InputError("fluence", fluence_J_per_m2, "finite fluences >= 0 J/m^2")
    fth = p.threshold_fluence_J_per_m2
    if model == "steady_state":
        depth = np.maximum(f - fth, 0.0) / p.heat_of_ablation_J_per_m3
    elif model == "blow_off":
        ratio = np.where(f > fth, f / fth, 1.0)
        depth = np.log(ratio) / p.mua_per_m
    else:
        raise InputError("model", model, "'steady_state' or 'blow_off'")
    return float(depth) if depth.ndim == 0 else depth


@dataclass(frozen=True)
class CraterResult:
    """Depths in m: removed by each pulse, by each pass, and in total."""

    depth_per_pulse_m: tuple[float, ...]
    depth_per_pass_m: tuple[float, ...]
    total_depth_m: float


def crater_depth(
    fluence_J_per_m2: float,
    laser: str | AblationParameters,
    *,
    pulses_per_pass: int = 1,
    passes: int = 1,
    model: Literal["steady_state", "blow_off"] = "steady_state",
) -> CraterResult:
    """Crater depth after stacked pulses and passes at one site (see module docstring).

    Parameters
    ----------
    fluence_J_per_m2 : float
        Fluence of each pulse in J/m².
    laser : str or AblationParameters
    pulses_per_pass, passes : int
        Pulses stacked per pass and number of passes (≥ 1).
    """
    for name, value in (("pulses_per_pass", pulses_per_pass), ("passes", passes)):
        if not (isinstance(value, (int, np.integer)) and value >= 1):
            raise InputError(name, value, "an integer >= 1")
    p = get_laser(laser)
    first = ablation_depth_per_pulse(fluence_J_per_m2, p, model)
    total = 0.0
    per_pulse, per_pass = [], []
    for _ in range(passes):
        pass_depth = 0.0
        for _ in range(pulses_per_pass):
            if p.plateau_depth_m is None:
                d = first
            else:
                d = first * max(1.0 - total / p.plateau_depth_m, 0.0)
            per_pulse.append(d)
            pass_depth += d
            total += d
        per_pass.append(pass_depth)
    return CraterResult(tuple(per_pulse), tuple(per_pass), total)


def post_ablation_temperature_profile(
    depth_below_crater_m: Any,
    mua_per_m: float,
    *,
    ablation_temperature_K: float = WATER_BOILING_K,
    baseline_temperature_K: float = CORE_TEMPERATURE_K,
) -> Any:
    """Residual temperature below the crater floor at the end of steady-state ablation.

    T(z) = T_b + (T_abl − T_b) · exp(−μa z) (Walsh & Deutsch 1988): the Beer–Lambert dose at
    the vaporisation condition. Initial condition for the heat solver's relaxation.

    Parameters
    ----------
    depth_below_crater_m : float or array_like
        Depth below the crater floor in m (≥ 0).
    mua_per_m : float
        Absorption coefficient in 1/m (≥ 100 /cm, else InputError).
    ablation_temperature_K, baseline_temperature_K : float
        Temperature at the ablation front and of the tissue before the pulse, in K.

    Returns
    -------
    float or numpy.ndarray
        Temperature in K.
    """
    _check_ablative(mua_per_m)
    z = np.asarray(depth_below_crater_m, dtype=np.float64)
    if not np.all(np.isfinite(z)) or np.any(z < 0):
        raise InputError("depth_below_crater_m", "negative or non-finite", "depths >= 0 m")
    if not ablation_temperature_K > baseline_temperature_K > 0:
        raise InputError("ablation_temperature_K", ablation_temperature_K, "above the baseline temperature")
    out = baseline_temperature_K + (ablation_temperature_K - baseline_temperature_K) * np.exp(-mua_per_m * z)
    return float(out) if out.ndim == 0 else out


def residual_damage_depth(
    omega_map: Any, grid: Any, crater_depth_m: float, threshold: float = 1.0, *, column: int = 0
) -> float:
    """Depth in m below the crater floor to which Ω ≥ ``threshold`` extends (in one column).

    Cells above the crater floor (removed tissue) are ignored; the crossing depth is
    interpolated with ln Ω linear between cell centres. Returns 0 if no remaining cell
    reaches the threshold, and the grid bottom if the damage reaches it.
    """
    cite("walsh_flotte_deutsch1989")
    o = np.asarray(omega_map, dtype=np.float64)
    if o.shape != (grid.nr, grid.nz):
        raise InputError("omega_map", o.shape, f"shape {(grid.nr, grid.nz)}")
    if not 0.0 <= crater_depth_m < grid.z_max_m:
        raise InputError("crater_depth_m", crater_depth_m, f"a depth in [0, {grid.z_max_m}) m")
    remaining = np.where(grid.z_centers_m[None, :] > crater_depth_m, o, np.nan)
    found = omega_depth_range(remaining, grid, threshold, column=column)
    if found is None:
        return 0.0
    return max(found[1] - crater_depth_m, 0.0)


def wall_damage_thickness(
    omega_map: Any,
    removed: Any,
    grid: Any,
    crater_depth_by_ring_m: Any,
    threshold: float = 1.0,
    *,
    depth_fraction: float = 0.5,
) -> float | None:
    """Thickness in m of the Ω ≥ ``threshold`` layer in the wall of a crater, normal to the wall.

    Read as in the histology of incisions (Walsh, Flotte & Deutsch 1989: damage "at the smooth
    wall"): in the row of cells at ``depth_fraction`` × the crater depth on the axis, from the
    crater's edge (outer edge of the outermost removed ring) outward over the contiguous
    remaining rings with Ω ≥ ``threshold``; that lateral width is turned to the normal
    thickness with the wall's slope (``crater_depth_by_ring_m`` around the edge):
    Δr · sin α, tan α = |dD/dr|. The resolution is one ring width (× sin α).

    Returns ``None`` when the grid has one column or no crater reaches that depth.
    """
    cite("walsh_flotte_deutsch1989")
    o = np.nan_to_num(np.asarray(omega_map, dtype=np.float64), nan=0.0)
    gone = np.asarray(removed, dtype=bool)
    depth = np.asarray(crater_depth_by_ring_m, dtype=np.float64)
    if o.shape != (grid.nr, grid.nz) or gone.shape != o.shape or depth.shape != (grid.nr,):
        raise InputError("omega_map", o.shape, f"shape {(grid.nr, grid.nz)} with removed alike and (nr,) depths")
    if not 0.0 < depth_fraction < 1.0:
        raise InputError("depth_fraction", depth_fraction, "0 < fraction < 1")
    if grid.nr < 2 or depth[0] <= 0.0:
        return None
    j = int(np.searchsorted(grid.z_edges_m, depth_fraction * depth[0], side="right") - 1)
    rings = np.flatnonzero(gone[:, j])
    if rings.size == 0 or rings.max() + 1 >= grid.nr:
        return None
    edge = int(rings.max())
    outer = edge + 1
    while outer < grid.nr and not gone[outer, j] and o[outer, j] >= threshold:
        outer += 1
    lateral = float(grid.r_edges_m[outer] - grid.r_edges_m[edge + 1])
    r = grid.r_centers_m
    lo, hi = max(edge - 2, 0), min(edge + 3, grid.nr - 1)
    slope = abs((depth[hi] - depth[lo]) / (r[hi] - r[lo]))
    return lateral * slope / math.sqrt(1.0 + slope**2)


@dataclass(frozen=True)
class MicroscopicTreatmentZone:
    """Fractional column: ablated cone and MTZ (cone plus coagulation sheath), sizes in m."""

    ablation_radius_m: float
    ablation_depth_m: float
    ablated_volume_m3: float
    width_m: float
    depth_m: float


def fractional_mtz(
    pulse_energy_J: float,
    beam_diameter_m: float,
    laser: str | AblationParameters = "co2_10600",
    *,
    coagulation_sheath_m: float = 0.0,
) -> MicroscopicTreatmentZone:
    """Width and depth of an ablative microscopic treatment zone (see module docstring).

    Parameters
    ----------
    pulse_energy_J : float
        Energy of one micro-beam pulse in J (> 0).
    beam_diameter_m : float
        1/e² diameter of the Gaussian micro-beam in m (> 0).
    laser : str or AblationParameters
    coagulation_sheath_m : float
        Thickness of the coagulation sheath around/below the column in m (≥ 0).

    Returns
    -------
    MicroscopicTreatmentZone
        Zero-sized ablation if the peak fluence does not exceed threshold.
    """
    cite("hantash2007_exvivo", "marqa_mordon2014")
    if not (math.isfinite(pulse_energy_J) and pulse_energy_J > 0):
        raise InputError("pulse_energy", pulse_energy_J, "an energy > 0 J")
    if not (math.isfinite(beam_diameter_m) and beam_diameter_m > 0):
        raise InputError("beam_diameter", beam_diameter_m, "a 1/e^2 diameter > 0 m")
    if not (math.isfinite(coagulation_sheath_m) and coagulation_sheath_m >= 0):
        raise InputError("coagulation_sheath", coagulation_sheath_m, "a thickness >= 0 m")
    p = get_laser(laser)
    w = beam_diameter_m / 2.0
    peak = 2.0 * pulse_energy_J / (math.pi * w**2)
    fth = p.threshold_fluence_J_per_m2
    if peak <= fth:
        r_abl = depth = volume = 0.0
    else:
        log_ratio = math.log(peak / fth)
        r_abl = w * math.sqrt(log_ratio / 2.0)
        energy = pulse_energy_J * (1.0 - fth / peak * (1.0 + log_ratio))
        volume = energy / p.heat_of_ablation_J_per_m3
        depth = 3.0 * volume / (math.pi * r_abl**2)
    return MicroscopicTreatmentZone(
        ablation_radius_m=r_abl,
        ablation_depth_m=depth,
        ablated_volume_m3=volume,
        width_m=2.0 * (r_abl + coagulation_sheath_m),
        depth_m=depth + coagulation_sheath_m,
    )
