"""Figures. matplotlib is imported only inside these functions, never by the physics.

Every function takes results, draws on a new figure (or a given axes), optionally
saves it atomically to ``path`` (PNG or SVG by extension) and returns the figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from laserskin.core.constants import CELSIUS_K


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, path: str | Path) -> Path:
    """Save ``figure`` to ``path`` (PNG or SVG by extension) atomically."""
    from laserskin.core.io import write_atomic

    file_format = (Path(path).suffix or ".png").lstrip(".")
    return write_atomic(path, lambda temporary: figure.savefig(temporary, dpi=130, bbox_inches="tight",
                                                               format=file_format))


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


def _layer_depths_mm(result):
    return [b * 1e3 for b in result.layer_bottoms_m if np.isfinite(b)]


def plot_temperature_map(result, path: str | Path | None = None):
    """Peak temperature map (°C) in r–z with Arrhenius Ω = 1 contours (collagen, Henriques).

    Parameters
    ----------
    result : laserskin.pipeline.simulation.Result
    path : str or Path, optional
    """
    plt = _pyplot()
    ds = result.dataset
    r_edges = ds["r_edges"].values * 1e3
    z_edges = ds["z_edges"].values * 1e3
    peak_C = ds["peak_temperature"].values - CELSIUS_K
    figure, ax = plt.subplots(figsize=(7.5, 4.5))
    mirrored = np.concatenate([peak_C[::-1], peak_C], axis=0)
    r_mirror = np.concatenate([-r_edges[::-1], r_edges[1:]])
    mesh = ax.pcolormesh(r_mirror, z_edges, mirrored.T, cmap="magma", shading="flat")
    figure.colorbar(mesh, ax=ax, label="peak temperature (°C)")
    r_c = ds["r"].values * 1e3
    z_c = ds["z"].values * 1e3
    r_full = np.concatenate([-r_c[::-1], r_c])
    for key, colour in (("omega_collagen", "cyan"), ("omega_henriques", "lime")):
        omega = ds[key].values
        field = np.concatenate([omega[::-1], omega], axis=0).T
        if np.nanmax(field) >= 1.0:
            contour = ax.contour(r_full, z_c, field, levels=[1.0], colors=colour, linewidths=1.2)
            contour.set_label(f"Ω = 1 ({key.split('_', 1)[1]})")
    for depth in _layer_depths_mm(result):
        if depth < z_edges[-1]:
            ax.axhline(depth, color="white", lw=0.6, ls="--", alpha=0.7)
    ax.set_ylim(min(z_edges[-1], 2.5), z_edges[0])
    ax.set_xlabel("r (mm)")
    ax.set_ylabel("depth (mm)")
    ax.set_title("peak temperature with Ω = 1 contours (cyan: collagen, green: Henriques)")
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_depth_profiles(result, path: str | Path | None = None):
    """Peak temperature and Ω (every parameter set) vs depth on the beam axis."""
    plt = _pyplot()
    ds = result.dataset
    z_mm = ds["z"].values * 1e3
    figure, (ax_t, ax_o) = plt.subplots(1, 2, figsize=(10, 4))
    ax_t.plot(z_mm, ds["peak_temperature"].values[0] - CELSIUS_K, color="C3")
    ax_t.set_xlabel("depth (mm)")
    ax_t.set_ylabel("peak temperature on axis (°C)")
    for name in ds.data_vars:
        if name.startswith("omega_"):
            values = ds[name].values[0]
            ax_o.semilogy(z_mm, np.where(values > 0, values, np.nan), label=name.removeprefix("omega_"))
    ax_o.axhline(1.0, color="0.3", lw=0.8, ls=":")
    ax_o.set_xlabel("depth (mm)")
    ax_o.set_ylabel("Arrhenius Ω on axis")
    ax_o.legend(fontsize=8)
    for ax in (ax_t, ax_o):
        for depth in _layer_depths_mm(result):
            if depth < z_mm[-1]:
                ax.axvline(depth, color="0.6", lw=0.6, ls="--")
        ax.set_xlim(z_mm[0], min(z_mm[-1], 2.5))
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_probe_traces(result, path: str | Path | None = None, depths_um=(0.0, 60.0, 150.0, 400.0, 1000.0)):
    """Temperature vs time on the beam axis at a few depths (and at the nociceptor probe)."""
    plt = _pyplot()
    ds = result.dataset
    times_ms = ds["time"].values * 1e3
    z_um = ds["z"].values * 1e6
    axis = ds["axis_temperature"].values - CELSIUS_K
    figure, ax = plt.subplots(figsize=(7, 4))
    for depth in depths_um:
        index = int(np.argmin(np.abs(z_um - depth)))
        ax.plot(times_ms, axis[:, index], label=f"{z_um[index]:.0f} µm")
    if "nociceptor_temperature" in ds:
        ax.plot(times_ms, ds["nociceptor_temperature"].values - CELSIUS_K, "k:", label="nociceptor probe")
    ax.set_xscale("symlog", linthresh=max(times_ms[1], 1e-3))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("temperature on axis (°C)")
    ax.legend(fontsize=8, title="depth")
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_simulation(result, directory: str | Path, prefix: str = "") -> list[Path]:
    """Write the temperature map, depth profiles and probe traces of a simulation as PNG."""
    directory = Path(directory)
    paths = []
    for name, function in (
        ("temperature_map", plot_temperature_map),
        ("depth_profiles", plot_depth_profiles),
        ("probe_traces", plot_probe_traces),
    ):
        figure = function(result, directory / f"{prefix}{name}.png")
        _pyplot().close(figure)
        paths.append(directory / f"{prefix}{name}.png")
    return paths
