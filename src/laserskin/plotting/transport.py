"""Figures of a light-transport result: absorbed energy map and depth profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from laserskin.plotting._base import mirrored, new_figure, save_figure

__all__ = ["plot_absorption", "plot_reflectance"]


def _layer_lines(ax: Any, boundaries_m: Any, z_max_m: float, *, horizontal: bool) -> None:
    for depth in boundaries_m:
        if np.isfinite(depth) and depth < z_max_m:
            if horizontal:
                ax.axhline(depth * 1e3, color="white", lw=0.8, ls="--", alpha=0.8)
            else:
                ax.axvline(depth * 1e3, color="0.4", lw=0.8, ls="--")


def plot_absorption(result: Any, path: str | Path | None = None, r_max_mm: float | None = None):
    """Absorbed energy density map A(r, z) and its depth profile, with layer boundaries.

    Parameters
    ----------
    result : laserskin.transport.TransportResult
        Transport result (absorbed energy density per incident joule, 1/m³).
    path : str or Path, optional
        Where to save the figure (format by extension).
    r_max_mm : float, optional
        Radial extent to show in mm (default: the grid).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import LogNorm

    grid = result.grid
    density = np.asarray(result.absorbed_energy_density_per_J) * 1e-6  # 1/m³ -> 1/cm³ (J/cm³ per J)
    figure, (ax_map, ax_profile) = new_figure(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.3, 1]})
    z_edges_mm = grid.z_edges_m * 1e3
    positive = density[density > 0]
    norm = LogNorm(vmin=max(positive.max() * 1e-5, positive.min()), vmax=positive.max()) if positive.size else None
    field, r_mirror = mirrored(density, grid.r_edges_m * 1e3)  # the beam's cross-section
    mesh = ax_map.pcolormesh(r_mirror, z_edges_mm, field.T, norm=norm, cmap="inferno", shading="flat")
    ax_map.invert_yaxis()
    ax_map.set_xlabel("radius r (mm)")
    ax_map.set_ylabel("depth z (mm)")
    ax_map.set_title("absorbed energy density per incident J")
    if r_max_mm:
        ax_map.set_xlim(-r_max_mm, r_max_mm)
    figure.colorbar(mesh, ax=ax_map, label="absorbed energy density (J/cm³ per J)")
    boundaries = result.stack.boundaries_m
    _layer_lines(ax_map, boundaries, grid.z_max_m, horizontal=True)

    # depth profile: absorbed energy per unit depth, integrated over r (J/cm per J)
    per_depth = (density * 1e6 * grid.cell_volume_m3).sum(axis=0) / grid.dz_m * 1e-2
    ax_profile.semilogy(grid.z_centers_m * 1e3, np.where(per_depth > 0, per_depth, np.nan), color="C3")
    ax_profile.set_xlabel("depth z (mm)")
    ax_profile.set_ylabel("absorbed energy per depth (J/cm per J)")
    ax_profile.set_title("depth profile (integrated over r)")
    _layer_lines(ax_profile, boundaries, grid.z_max_m, horizontal=False)
    tops = np.concatenate([[0.0], boundaries[:-1]])
    for name, top, bottom in zip(result.stack.names, tops, boundaries):
        bottom = min(bottom, grid.z_max_m)
        if top < grid.z_max_m:
            ax_profile.text(
                (top + bottom) / 2 * 1e3,
                1.02,
                name,
                transform=ax_profile.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7,
                rotation=30,
            )
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_reflectance(result: Any, path: str | Path | None = None, *, ax: Any = None):
    """Diffuse reflectance per unit area Rd(r) (1/cm² per incident J) vs radius, log scale."""
    if ax is None:
        figure, ax = new_figure(figsize=(6, 4))
    else:
        figure = ax.figure
    r_mm = np.asarray(result.grid.r_centers_m) * 1e3
    rd = np.asarray(result.diffuse_reflectance_per_area) * 1e-4
    ax.semilogy(r_mm, np.where(rd > 0, rd, np.nan), color="C0")
    ax.set_xlabel("radius r (mm)")
    ax.set_ylabel("diffuse reflectance Rd(r) (1/cm² per J)")
    ax.set_title(f"Rd(r); total Rd = {float(result.diffuse_reflectance):.4f}")
    if path is not None:
        save_figure(figure, path)
    return figure
