"""Figures. matplotlib is imported only inside these functions, never by the physics.

Every function takes results, draws on a new figure (or a given axes), optionally
saves it atomically to ``path`` (PNG or SVG by extension) and returns the figure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, path: str | Path) -> Path:
    """Save ``figure`` to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix or ".png"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    os.close(handle)
    try:
        figure.savefig(temporary, dpi=130, bbox_inches="tight", format=suffix.lstrip("."))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _layer_lines(ax, boundaries_m, names, z_max_m, *, horizontal: bool) -> None:
    for depth in boundaries_m:
        if np.isfinite(depth) and depth < z_max_m:
            if horizontal:
                ax.axhline(depth * 1e3, color="white", lw=0.8, ls="--", alpha=0.8)
            else:
                ax.axvline(depth * 1e3, color="0.4", lw=0.8, ls="--")


def plot_absorption(result, path: str | Path | None = None, r_max_mm: float | None = None):
    """Absorbed energy density map A(r, z) and its depth profile, with layer boundaries.

    Parameters
    ----------
    result : laserskin.transport.TransportResult
        Transport result (absorbed energy density per incident joule, 1/m³).
    path : str or Path, optional
        Where to save the figure.
    r_max_mm : float, optional
        Radial extent to show in mm (default: the grid).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    from matplotlib.colors import LogNorm

    grid = result.grid
    density = np.asarray(result.absorbed_energy_density_per_J) * 1e-6  # 1/m³ -> 1/cm³ (J/cm³ per J)
    figure, (ax_map, ax_profile) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.3, 1]})
    r_edges_mm = grid.r_edges_m * 1e3
    z_edges_mm = grid.z_edges_m * 1e3
    positive = density[density > 0]
    norm = LogNorm(vmin=max(positive.max() * 1e-5, positive.min()), vmax=positive.max()) if positive.size else None
    # mirror in r so the map shows the beam cross-section
    mirrored = np.concatenate([density[::-1], density], axis=0)
    r_mirror = np.concatenate([-r_edges_mm[::-1], r_edges_mm[1:]])
    mesh = ax_map.pcolormesh(r_mirror, z_edges_mm, mirrored.T, norm=norm, cmap="inferno", shading="flat")
    ax_map.invert_yaxis()
    ax_map.set_xlabel("r (mm)")
    ax_map.set_ylabel("depth z (mm)")
    ax_map.set_title("absorbed energy density per incident J")
    if r_max_mm:
        ax_map.set_xlim(-r_max_mm, r_max_mm)
    figure.colorbar(mesh, ax=ax_map, label="J/cm³ per J")
    boundaries = result.stack.boundaries_m
    _layer_lines(ax_map, boundaries, result.stack.names, grid.z_max_m, horizontal=True)

    # depth profile: absorbed energy per unit depth, integrated over r (J/cm per J)
    per_depth = (density * 1e6 * grid.cell_volume_m3).sum(axis=0) / grid.dz_m * 1e-2
    ax_profile.semilogy(grid.z_centers_m * 1e3, np.where(per_depth > 0, per_depth, np.nan), color="C3")
    ax_profile.set_xlabel("depth z (mm)")
    ax_profile.set_ylabel("absorbed energy per depth (J/cm per J)")
    ax_profile.set_title("depth profile (integrated over r)")
    _layer_lines(ax_profile, boundaries, result.stack.names, grid.z_max_m, horizontal=False)
    tops = np.concatenate([[0.0], boundaries[:-1]])
    for name, top, bottom in zip(result.stack.names, tops, boundaries):
        bottom = min(bottom, grid.z_max_m)
        if top < grid.z_max_m:
            ax_profile.text(
                (top + bottom) / 2 * 1e3, 1.02, name, transform=ax_profile.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7, rotation=30,
            )
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure
