"""Figures of 3-D (voxel) fields: x–z, y–z and x–y slices, and maximum projections.

matplotlib is imported inside the functions only. Every function takes plain arrays (m for
coordinates) and writes a PNG/SVG when ``path`` is given; it returns the figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_slices(
    field: np.ndarray,
    x_m: np.ndarray,
    y_m: np.ndarray,
    z_m: np.ndarray,
    *,
    label: str,
    depth_m: float | None = None,
    log: bool = False,
    title: str | None = None,
    path: str | Path | None = None,
    cmap: str = "inferno",
):
    """Three panels of a (nx, ny, nz) field: x–z at y = 0, y–z at x = 0 and x–y at ``depth_m``.

    ``log`` plots log10 of the field (non-positive values blank). Axes in mm, depth down.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = np.asarray(field, dtype=float)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            data = np.where(data > 0, np.log10(data), np.nan)
        label = f"log10 {label}"
    iy = int(np.argmin(np.abs(y_m)))
    ix = int(np.argmin(np.abs(x_m)))
    if depth_m is None:
        depth_m = float(z_m[int(np.nanargmax(np.nanmax(data, axis=(0, 1))))])
    iz = int(np.argmin(np.abs(z_m - depth_m)))
    finite = data[np.isfinite(data)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if log:
        vmin = max(vmin, vmax - 4.0)
    mm = 1e3
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    panels = (
        (data[:, iy, :].T, x_m, z_m, "x (mm)", "depth z (mm)", f"x–z at y = {y_m[iy] * mm:.3g} mm"),
        (data[ix, :, :].T, y_m, z_m, "y (mm)", "depth z (mm)", f"y–z at x = {x_m[ix] * mm:.3g} mm"),
        (data[:, :, iz].T, x_m, y_m, "x (mm)", "y (mm)", f"x–y at z = {z_m[iz] * mm:.3g} mm"),
    )
    for ax, (img, a, b, xl, yl, t) in zip(axes, panels):
        extent = (a[0] * mm, a[-1] * mm, b[-1] * mm, b[0] * mm)
        im = ax.imshow(img, extent=extent, aspect="equal", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.set_title(t)
    fig.colorbar(im, ax=axes, label=label, shrink=0.8)
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig


def plot_max_projection(
    field: np.ndarray,
    x_m: np.ndarray,
    y_m: np.ndarray,
    z_m: np.ndarray,
    *,
    label: str,
    tiles: int = 1,
    title: str | None = None,
    path: str | Path | None = None,
    cmap: str = "magma",
):
    """Maximum projections of a (nx, ny, nz) field along y (x–z view) and along z (top view).

    ``tiles`` repeats a periodic unit cell ``tiles × tiles`` times in x and y, to show the array.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = np.nan_to_num(np.asarray(field, dtype=float), nan=0.0)
    if tiles > 1:
        data = np.tile(data, (tiles, tiles, 1))
    h = float(x_m[1] - x_m[0]) if x_m.size > 1 else float(z_m[1] - z_m[0])
    nx, ny, _ = data.shape
    x = (np.arange(nx) + 0.5 - nx / 2) * h
    y = (np.arange(ny) + 0.5 - ny / 2) * h
    mm = 1e3
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
    side = data.max(axis=1).T
    top = data.max(axis=2).T
    im = axes[0].imshow(side, extent=(x[0] * mm, x[-1] * mm, z_m[-1] * mm, z_m[0] * mm), aspect="equal", cmap=cmap)
    axes[0].set_xlabel("x (mm)")
    axes[0].set_ylabel("depth z (mm)")
    axes[0].set_title("maximum along y")
    axes[1].imshow(top, extent=(x[0] * mm, x[-1] * mm, y[-1] * mm, y[0] * mm), aspect="equal", cmap=cmap)
    axes[1].set_xlabel("x (mm)")
    axes[1].set_ylabel("y (mm)")
    axes[1].set_title("maximum along depth")
    fig.colorbar(im, ax=axes, label=label, shrink=0.8)
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig


def plot_voxel_absorption(
    result, path: str | Path | None = None, depth_m: float | None = None, quantity: str = "absorbed"
):
    """Slices of a :class:`~laserskin.transport.voxel.VoxelTransportResult`: absorbed energy density or fluence."""
    v = result.volume
    if quantity == "fluence":
        field, label = result.fluence_per_J, "fluence per J (1/m²)"
    else:
        field, label = result.absorbed_energy_density_per_J, "absorbed energy density per J (1/m³)"
    return plot_slices(
        field,
        v.x_centers_m,
        v.y_centers_m,
        v.z_centers_m,
        label=label,
        log=True,
        depth_m=depth_m,
        title=f"voxel Monte Carlo, {result.photons:,} photons",
        path=path,
    )
