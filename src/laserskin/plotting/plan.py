"""Figures of a plan (matplotlib imported inside the functions): improvement vs months,
temperature and damage maps at the chosen settings, safety margin vs fluence."""

from __future__ import annotations

import io

import numpy as np
from laserskin.core.constants import CELSIUS_K

__all__ = ["improvement_figure", "margin_figure", "maps_figure", "figure_png"]


def figure_png(fig) -> bytes:
    """PNG bytes of a figure (closed afterwards)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _figure(**kwargs):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(**kwargs)


def improvement_figure(plan):
    """Laxity improvement (%) vs months with the low-high band and session markers."""
    course = plan.support["course"]
    fig, ax = _figure(figsize=(6, 3.5))
    months = course.time_days / (365.25 / 12)
    low, mid, high = course.laxity_improvement_pct
    ax.fill_between(months, low, high, alpha=0.3, label="5-95 % band")
    ax.plot(months, mid, label="nominal")
    for t in course.session_time_days:
        ax.axvline(t / (365.25 / 12), color="k", ls=":", lw=0.8)
    ax.set_xlabel("months from first session")
    ax.set_ylabel("laxity improvement (%)")
    ax.set_title(f"{plan.device}: {plan.sessions} sessions every {plan.interval_weeks:g} weeks")
    ax.legend()
    return fig


def margin_figure(plan):
    """Basal epidermal Ω (passes summed) and the dermal injury band thickness vs fluence."""
    curve = plan.margin_curve
    fig, ax = _figure(figsize=(6, 3.5))
    f = np.asarray(curve["fluence_J_per_cm2"])
    ax.semilogy(f, np.maximum(np.asarray(curve["epidermal_omega"]), 1e-12), "o-", label="basal Henriques Omega")
    ax.axhline(plan.risks["epidermal_omega_limit"], color="r", ls="--", label="planner limit")
    ax.axhline(1.0, color="r", ls=":", label="blister (Omega = 1)")
    ax.axvline(curve["chosen_fluence_J_per_cm2"], color="g", label="chosen")
    ax.set_xlabel("fluence (J/cm^2)")
    ax.set_ylabel("Omega")
    twin = ax.twinx()
    twin.plot(f, curve["target_band_um"], "s-", color="tab:orange", label="dermal injury band (um)")
    twin.set_ylabel("dermal injury band, Omega >= 1 (um)")
    ax.legend(loc="upper left", fontsize=7)
    return fig


def maps_figure(plan):
    """Peak temperature and dermal thermal injury (Henriques Ω) maps (r-z) at the chosen pulse energy."""
    setting = plan.support["setting"]
    outcome = getattr(setting, "outcome", None)
    if outcome is None:
        return None
    grid = setting.response.grid
    fig, axes = _figure(ncols=2, figsize=(9, 3.5))
    r_mm, z_mm = grid.r_edges_m * 1e3, grid.z_edges_m * 1e3
    im = axes[0].pcolormesh(r_mm, z_mm, (outcome.peak_temperature_K - CELSIUS_K).T, shading="flat")
    fig.colorbar(im, ax=axes[0], label="peak temperature (degC)")
    omega = np.log10(np.maximum(outcome.omega["henriques"] * setting.passes, 1e-6))
    im = axes[1].pcolormesh(r_mm, z_mm, omega.T, shading="flat")
    fig.colorbar(im, ax=axes[1], label="log10 Henriques Omega (all passes)")
    for ax in axes:
        ax.set_ylim(min(z_mm[-1], 2.5), 0.0)  # the dermis, where the laser acts
        ax.set_xlabel("r (mm)")
        ax.set_ylabel("depth (mm)")
    return fig
