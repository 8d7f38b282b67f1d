"""Figures of one simulation (light → heat → damage) and of several side by side.

Every function takes a :class:`laserskin.pipeline.Result` (or its xarray dataset), draws
on a new figure (or the given axes), optionally saves it to ``path`` and returns the figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from laserskin.core.constants import CELSIUS_K
from laserskin.plotting._base import close, dataset_of, mirrored, new_figure, save_figure

__all__ = [
    "SIMULATION_FIGURES",
    "plot_temperature_map",
    "plot_depth_profiles",
    "plot_probe_traces",
    "plot_simulation",
    "plot_result",
    "plot_comparison",
]

#: The figures :func:`plot_simulation` writes, as ``{prefix}{name}.png``.
SIMULATION_FIGURES = ("temperature_map", "depth_profiles", "probe_traces")

_DEPTH_SHOWN_MM = 2.5  # the skin where lasers act; deeper cells stay at body temperature


def _layer_depths_mm(result: Any) -> list[float]:
    bottoms = getattr(result, "layer_bottoms_m", None)
    if bottoms is None:
        import json

        ds = dataset_of(result)
        bottoms = json.loads(ds.attrs.get("layer_bottoms_m", "[]")) if hasattr(ds, "attrs") else []
    return [float(b) * 1e3 for b in bottoms if np.isfinite(b)]


def plot_temperature_map(result: Any, path: str | Path | None = None, *, ax: Any = None):
    """Peak temperature map (°C) in r–z with Arrhenius Ω = 1 contours (collagen, Henriques).

    Parameters
    ----------
    result : laserskin.pipeline.Result or xarray.Dataset
    path : str or Path, optional
        Where to save the figure (format by extension).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure.
    """
    ds = dataset_of(result)
    if ax is None:
        figure, ax = new_figure(figsize=(7.5, 4.5))
    else:
        figure = ax.figure
    r_edges = ds["r_edges"].values * 1e3
    z_edges = ds["z_edges"].values * 1e3
    if ds["peak_temperature"].shape[0] == 1:  # a 1-D (depth-only) model: a profile, not a map
        _depth_only_map(ds, ax, result)
        if path is not None:
            save_figure(figure, path)
        return figure
    field, r_mirror = mirrored(ds["peak_temperature"].values - CELSIUS_K, r_edges)
    mesh = ax.pcolormesh(r_mirror, z_edges, field.T, cmap="magma", shading="flat")
    figure.colorbar(mesh, ax=ax, label="peak temperature (°C)")
    r_c = ds["r"].values * 1e3
    z_c = ds["z"].values * 1e3
    r_full = np.concatenate([-r_c[::-1], r_c])
    handles = []
    for key, colour, label in (("omega_collagen", "cyan", "collagen"), ("omega_henriques", "lime", "Henriques")):
        if key not in ds:
            continue
        omega, _ = mirrored(ds[key].values, r_edges)
        if np.nanmax(omega) >= 1.0:
            ax.contour(r_full, z_c, omega.T, levels=[1.0], colors=colour, linewidths=1.2)
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], color=colour, label=f"Ω = 1 ({label})"))
    for depth in _layer_depths_mm(result):
        if depth < z_edges[-1]:
            ax.axhline(depth, color="white", lw=0.6, ls="--", alpha=0.7)
    ax.set_ylim(min(z_edges[-1], _DEPTH_SHOWN_MM), z_edges[0])
    ax.set_xlabel("radius r (mm)")
    ax.set_ylabel("depth z (mm)")
    ax.set_title("peak temperature and Ω = 1 contours")
    if handles:
        ax.legend(handles=handles, loc="lower right")
    if path is not None:
        save_figure(figure, path)
    return figure


def _depth_only_map(ds: Any, ax: Any, result: Any) -> None:
    """Peak temperature vs depth of a one-column result, with the depths where Ω reaches 1 shaded."""
    z_mm = ds["z"].values * 1e3
    ax.plot(z_mm, ds["peak_temperature"].values[0] - CELSIUS_K, color="C3", label="peak temperature")
    for key, colour, label in (("omega_collagen", "cyan", "collagen"), ("omega_henriques", "lime", "Henriques")):
        if key in ds:
            damaged = ds[key].values[0] >= 1.0
            if damaged.any():
                ax.axvspan(z_mm[damaged].min(), z_mm[damaged].max(), color=colour, alpha=0.25, label=f"Ω ≥ 1 ({label})")
    for depth in _layer_depths_mm(result):
        if depth < z_mm[-1]:
            ax.axvline(depth, color="0.6", lw=0.6, ls="--")
    ax.set_xlim(z_mm[0], min(z_mm[-1], _DEPTH_SHOWN_MM))
    ax.set_xlabel("depth z (mm)")
    ax.set_ylabel("peak temperature (°C)")
    ax.set_title("peak temperature and Ω ≥ 1 depths (one-dimensional model)")
    ax.legend()


def plot_depth_profiles(result: Any, path: str | Path | None = None, *, axes: Sequence[Any] | None = None):
    """Peak temperature (°C) and Ω of every parameter set vs depth on the beam axis."""
    ds = dataset_of(result)
    if axes is None:
        figure, (ax_t, ax_o) = new_figure(1, 2, figsize=(10, 4))
    else:
        ax_t, ax_o = axes
        figure = ax_t.figure
    z_mm = ds["z"].values * 1e3
    ax_t.plot(z_mm, ds["peak_temperature"].values[0] - CELSIUS_K, color="C3")
    ax_t.set_xlabel("depth z (mm)")
    ax_t.set_ylabel("peak temperature on the axis (°C)")
    ax_t.set_title("peak temperature")
    for name in ds.data_vars:
        if str(name).startswith("omega_"):
            values = ds[name].values[0]
            ax_o.semilogy(z_mm, np.where(values > 0, values, np.nan), label=str(name).removeprefix("omega_"))
    ax_o.axhline(1.0, color="0.3", lw=0.8, ls=":", label="Ω = 1")
    ax_o.set_xlabel("depth z (mm)")
    ax_o.set_ylabel("Arrhenius Ω on the axis (1)")
    ax_o.set_title("thermal damage")
    ax_o.legend()
    for ax in (ax_t, ax_o):
        for depth in _layer_depths_mm(result):
            if depth < z_mm[-1]:
                ax.axvline(depth, color="0.6", lw=0.6, ls="--")
        ax.set_xlim(z_mm[0], min(z_mm[-1], _DEPTH_SHOWN_MM))
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_probe_traces(
    result: Any,
    path: str | Path | None = None,
    depths_um: Sequence[float] = (0.0, 60.0, 150.0, 400.0, 1000.0),
    *,
    ax: Any = None,
):
    """Temperature (°C) vs time on the beam axis at a few depths, and at the nociceptor probe."""
    ds = dataset_of(result)
    if ax is None:
        figure, ax = new_figure(figsize=(7, 4))
    else:
        figure = ax.figure
    times_ms = ds["time"].values * 1e3 if "time" in ds else np.zeros(0)
    z_um = ds["z"].values * 1e6
    if "axis_temperature" in ds:  # the linear model keeps the axis history; the non-linear one does not
        axis = ds["axis_temperature"].values - CELSIUS_K
        for depth in depths_um:
            index = int(np.argmin(np.abs(z_um - depth)))
            ax.plot(times_ms, axis[:, index], label=f"{z_um[index]:.0f} µm")
    if "nociceptor_temperature" in ds:
        ax.plot(times_ms, ds["nociceptor_temperature"].values - CELSIUS_K, "k:", label="nociceptor probe")
    if not ax.get_lines():
        ax.text(0.5, 0.5, "no temperature history in this result", transform=ax.transAxes, ha="center")
    positive = times_ms[times_ms > 0]
    ax.set_xscale("symlog", linthresh=max(float(positive.min()) if positive.size else 1e-3, 1e-3))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("temperature on the axis (°C)")
    ax.set_title("temperature at depth vs time")
    if ax.get_lines():
        ax.legend(title="depth")
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_simulation(result: Any, directory: str | Path, prefix: str = "") -> list[Path]:
    """Write the temperature map, depth profiles and probe traces of a simulation as PNG files."""
    directory = Path(directory)
    paths = []
    plotters: tuple[Callable[..., Any], ...] = (plot_temperature_map, plot_depth_profiles, plot_probe_traces)
    for name, function in zip(SIMULATION_FIGURES, plotters):
        path = directory / f"{prefix}{name}.png"
        close(function(result, path))
        paths.append(path)
    return paths


def plot_result(result: Any, path: str | Path | None = None, *, title: str | None = None):
    """One overview figure of a simulation: map, axis profiles (T and Ω) and temperature traces.

    Meant for ``Result.plot()`` (one figure to look at); in a notebook the returned figure displays itself.

    Parameters
    ----------
    result : laserskin.pipeline.Result or xarray.Dataset
    path : str or Path, optional
        Also save the figure there (PNG, SVG, PDF … by extension).
    title : str, optional
        Figure title (default: the summary's headline numbers when available).
    """
    figure, axes = new_figure(2, 2, figsize=(11, 7.5))
    plot_temperature_map(result, ax=axes[0, 0])
    plot_probe_traces(result, ax=axes[0, 1])
    plot_depth_profiles(result, axes=(axes[1, 0], axes[1, 1]))
    figure.suptitle(title if title is not None else _headline(result))
    if path is not None:
        save_figure(figure, path)
    return figure


def _headline(result: Any) -> str:
    summary: Any = getattr(result, "summary", None)  # a Summary model, its JSON text, or absent
    if isinstance(summary, str):  # a dataset: its provenance holds the summary as JSON
        import json

        try:
            summary = json.loads(summary)
        except ValueError:
            summary = None
    if hasattr(summary, "model_dump"):
        summary = summary.model_dump()
    if not isinstance(summary, Mapping):
        return "laserskin simulation"
    parts = []
    for key, label, unit in (
        ("peak_epidermis_temperature_C", "epidermis", "°C"),
        ("peak_dermis_temperature_C", "dermis", "°C"),
    ):
        value = summary.get(key)
        if isinstance(value, (int, float)):
            parts.append(f"peak {label} {value:.1f} {unit}")
    omega = summary.get("epidermal_omega")
    if isinstance(omega, (int, float)):
        parts.append(f"epidermal Ω {omega:.2g}")
    return ", ".join(parts) or "laserskin simulation"


def plot_comparison(results: Mapping[str, Any] | Sequence[Any], path: str | Path | None = None):
    """Several simulations side by side: axis peak temperature, collagen Ω and surface temperature.

    Parameters
    ----------
    results : mapping of label → Result (or dataset), or a sequence (labelled 1, 2, …)
    path : str or Path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    items = (
        list(results.items())
        if isinstance(results, Mapping)
        else [(str(index + 1), result) for index, result in enumerate(results)]
    )
    if not items:
        from laserskin.core.errors import InputError

        raise InputError("results", "[]", "at least one result to compare")
    figure, (ax_t, ax_o, ax_s) = new_figure(1, 3, figsize=(14, 4.2))
    for index, (label, result) in enumerate(items):
        ds = dataset_of(result)
        colour = f"C{index % 10}"
        z_mm = ds["z"].values * 1e3
        ax_t.plot(z_mm, ds["peak_temperature"].values[0] - CELSIUS_K, color=colour, label=label)
        for key, style in (("omega_collagen", "-"), ("omega_henriques", "--")):
            if key in ds:
                values = ds[key].values[0]
                ax_o.semilogy(
                    z_mm,
                    np.where(values > 0, values, np.nan),
                    style,
                    color=colour,
                    label=f"{label} ({key.removeprefix('omega_')})",
                )
        if "axis_temperature" in ds:
            times_ms = ds["time"].values * 1e3
            ax_s.plot(times_ms, ds["axis_temperature"].values[:, 0] - CELSIUS_K, color=colour, label=label)
    ax_t.set_xlabel("depth z (mm)")
    ax_t.set_ylabel("peak temperature on the axis (°C)")
    ax_t.set_title("peak temperature vs depth")
    ax_o.axhline(1.0, color="0.3", lw=0.8, ls=":")
    ax_o.set_xlabel("depth z (mm)")
    ax_o.set_ylabel("Arrhenius Ω on the axis (1)")
    ax_o.set_title("damage vs depth (solid: collagen, dashed: Henriques)")
    times = [dataset_of(r)["time"].values * 1e3 for _, r in items if "time" in dataset_of(r)]
    first_steps = [float(t[t > 0].min()) for t in times if (t > 0).any()]
    ax_s.set_xscale("symlog", linthresh=max(min(first_steps, default=1e-3), 1e-3))
    ax_s.set_xlabel("time (ms)")
    ax_s.set_ylabel("surface temperature on the axis (°C)")
    ax_s.set_title("surface temperature vs time")
    for ax in (ax_t, ax_o):
        ax.set_xlim(0.0, _DEPTH_SHOWN_MM)
    for ax in (ax_t, ax_o, ax_s):
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    if not ax_s.get_lines():
        ax_s.text(0.5, 0.5, "no temperature history in these results", transform=ax_s.transAxes, ha="center")
    if path is not None:
        save_figure(figure, path)
    return figure
