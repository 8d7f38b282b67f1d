"""Figures of a plan: improvement vs months, safety margin vs fluence, maps at the chosen settings.

Drawn like every laserskin figure (:mod:`laserskin.plotting._base`): each function takes the
plan, returns a matplotlib figure and saves it when given a ``path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from laserskin.core.constants import CELSIUS_K, MONTH_DAYS
from laserskin.plotting._base import figure_png, new_figure, save_figure

__all__ = ["improvement_figure", "margin_figure", "maps_figure", "figure_png"]


def improvement_figure(plan: Any, path: str | Path | None = None):
    """Laxity improvement (%) vs months with its uncertainty band (the plan's [low, high]) and session markers."""
    course = plan.support["course"]
    figure, ax = new_figure(figsize=(6, 3.5))
    months = course.time_days / MONTH_DAYS
    low, mid, high = course.laxity_improvement_pct
    ax.fill_between(months, low, high, alpha=0.3, label="uncertainty band")
    ax.plot(months, mid, label="nominal")
    for index, t in enumerate(course.session_time_days):
        ax.axvline(t / MONTH_DAYS, color="k", ls=":", lw=0.8, label="session" if index == 0 else None)
    ax.set_xlabel("months from the first session")
    ax.set_ylabel("laxity improvement (%)")
    sessions = "1 session" if plan.sessions == 1 else f"{plan.sessions} sessions every {plan.interval_weeks:g} weeks"
    ax.set_title(f"{plan.device}: {sessions}")
    ax.legend()
    if path is not None:
        save_figure(figure, path)
    return figure


def margin_figure(plan: Any, path: str | Path | None = None):
    """Basal epidermal Ω (passes summed) and the dermal injury band thickness vs fluence."""
    curve = plan.margin_curve
    figure, ax = new_figure(figsize=(6.5, 3.8))
    fluence = np.asarray(curve["fluence_J_per_cm2"])
    lines = ax.semilogy(
        fluence, np.maximum(np.asarray(curve["epidermal_omega"]), 1e-12), "o-", label="basal epidermal Ω (Henriques)"
    )
    band = getattr(plan, "blister_fluence_J_per_cm2", None)
    if band and None not in band:  # the blister fluence with its uncertainty; the plan stays below 85 % of its low end
        lines += [ax.axvspan(band[0], band[2], color="r", alpha=0.12, label="blister fluence (band)")]
    lines += [ax.axhline(1.0, color="r", ls=":", label="blister (Ω = 1)")]
    lines += [ax.axvline(curve["chosen_fluence_J_per_cm2"], color="g", label="chosen fluence")]
    ax.set_xlabel("fluence (J/cm²)")
    ax.set_ylabel("basal epidermal Ω (1)")
    twin = ax.twinx()
    lines += twin.plot(fluence, curve["target_band_um"], "s-", color="tab:orange", label="dermal injury band")
    twin.set_ylabel("dermal injury band, Ω ≥ 1 (µm)")
    ax.set_title("safety margin vs fluence")
    ax.legend(handles=lines, loc="upper left")  # one legend for both axes
    if path is not None:
        save_figure(figure, path)
    return figure


def maps_figure(plan: Any, path: str | Path | None = None):
    """Peak temperature and dermal thermal injury (Henriques Ω) maps (r–z) at the chosen pulse energy."""
    setting = plan.support["setting"]
    outcome = getattr(setting, "outcome", None)
    if outcome is None:
        return None
    grid = setting.response.grid
    figure, axes = new_figure(1, 2, figsize=(10, 3.8))
    r_mm, z_mm = grid.r_edges_m * 1e3, grid.z_edges_m * 1e3
    image = axes[0].pcolormesh(r_mm, z_mm, (outcome.peak_temperature_K - CELSIUS_K).T, shading="flat", cmap="magma")
    figure.colorbar(image, ax=axes[0], label="peak temperature (°C)")
    axes[0].set_title("peak temperature")
    omega = np.log10(np.maximum(outcome.omega["henriques"] * setting.passes, 1e-6))
    image = axes[1].pcolormesh(r_mm, z_mm, omega.T, shading="flat", cmap="viridis")
    figure.colorbar(image, ax=axes[1], label="log₁₀ Ω, Henriques (all passes)")
    axes[1].set_title("thermal injury")
    for ax in axes:
        ax.set_ylim(min(z_mm[-1], 2.5), 0.0)  # the dermis, where the laser acts
        ax.set_xlabel("radius r (mm)")
        ax.set_ylabel("depth z (mm)")
    if path is not None:
        save_figure(figure, path)
    return figure
