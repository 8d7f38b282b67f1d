"""Temperature movies: the field of a simulation frame by frame, as MP4 (ffmpeg) or GIF (pillow).

matplotlib's animation writers do the encoding: ``.mp4``/``.m4v``/``.mov`` need the
``ffmpeg`` program on the PATH, ``.gif`` needs pillow (a matplotlib dependency). A
simulation run with ``store_times`` (``[heat] store_times`` or
``SimulationSettings(store_times=[...])``) holds the whole r–z temperature field at those
times and gives a map movie; without them the movie shows the temperature on the beam
axis vs depth at every solver time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from laserskin.core.constants import CELSIUS_K
from laserskin.plotting._base import close, dataset_of, mirrored, new_figure

__all__ = ["MOVIE_SUFFIXES", "movie_writer_available", "write_temperature_movie"]

#: Resolution of movie frames (dots per inch): screen-sized frames, quick to encode.
MOVIE_DPI = 100

#: File endings and the matplotlib writer each needs.
MOVIE_SUFFIXES = {".mp4": "ffmpeg", ".m4v": "ffmpeg", ".mov": "ffmpeg", ".gif": "pillow"}


def movie_writer_available(suffix: str) -> bool:
    """Whether a movie ending in ``suffix`` can be written here (ffmpeg or pillow installed)."""
    from matplotlib import animation

    writer = MOVIE_SUFFIXES.get(suffix.lower())
    return writer is not None and animation.writers.is_available(writer)


def write_temperature_movie(
    result: Any,
    path: str | Path,
    *,
    fps: float = 8.0,
    max_frames: int = 60,
    depth_mm: float = 2.5,
) -> Path:
    """Write the temperature of a simulation as a movie (MP4 with ffmpeg, GIF with pillow).

    Parameters
    ----------
    result : laserskin.pipeline.Result or xarray.Dataset
        With ``temperature`` (store_time, r, z) for a map movie, else ``axis_temperature``
        (time, z) for an on-axis depth-profile movie.
    path : str or Path
        Output file; the ending picks the format (``.mp4``, ``.m4v``, ``.mov``, ``.gif``).
        Written atomically (a temporary file in the same folder, then renamed).
    fps : float
        Frames per second.
    max_frames : int
        Upper bound on frames (evenly sub-sampled beyond it).
    depth_mm : float
        Deepest depth shown, mm.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        For an unknown ending, a writer that is not installed, or a result without temperatures.
    """
    from matplotlib import animation

    from laserskin.core.errors import InputError
    from laserskin.core.io import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in MOVIE_SUFFIXES:
        raise InputError("path", str(path), "a movie file ending in " + ", ".join(MOVIE_SUFFIXES))
    if not movie_writer_available(suffix):
        need = "the ffmpeg program on the PATH" if MOVIE_SUFFIXES[suffix] == "ffmpeg" else "the pillow package"
        raise InputError(
            "path", str(path), f"a format this machine can write ({suffix} needs {need}; .gif needs pillow)"
        )
    if not (np.isfinite(fps) and fps > 0):
        raise InputError("fps", fps, "a number of frames per second > 0")
    if int(max_frames) < 1:
        raise InputError("max_frames", max_frames, "at least 1 frame")
    ds = dataset_of(result)
    figure, update, frames = _map_movie(ds, depth_mm) if "temperature" in ds else _axis_movie(ds, depth_mm)
    if frames.size > max_frames:
        frames = frames[np.unique(np.linspace(0, frames.size - 1, int(max_frames)).round().astype(int))]
    figure.canvas.draw()  # lay the figure out once, then freeze it: frames only change data
    figure.set_layout_engine("none")
    movie = animation.FuncAnimation(figure, update, frames=list(frames), blit=False)
    writer_name = MOVIE_SUFFIXES[suffix]
    # matplotlib's stub says fps: int; its writers take fractional rates (ffmpeg -framerate, pillow 1000/fps)
    writer = animation.writers[writer_name](fps=fps)  # type: ignore[arg-type]
    try:
        write_atomic(path, lambda temporary: movie.save(temporary, writer=writer, dpi=MOVIE_DPI))
    finally:
        close(figure)
    return path


def _map_movie(ds: Any, depth_mm: float):
    """Peak-style map frames from ``temperature`` (store_time, r, z)."""
    temperature_C = ds["temperature"].values - CELSIUS_K
    times_ms = ds["store_time"].values * 1e3
    r_edges = ds["r_edges"].values * 1e3
    z_edges = ds["z_edges"].values * 1e3
    figure, ax = new_figure(figsize=(7.0, 4.2))
    first, r_mirror = mirrored(temperature_C[0], r_edges)
    mesh = ax.pcolormesh(
        r_mirror,
        z_edges,
        first.T,
        cmap="magma",
        shading="flat",
        vmin=float(np.nanmin(temperature_C)),
        vmax=float(np.nanmax(temperature_C)),
    )
    figure.colorbar(mesh, ax=ax, label="temperature (°C)")
    ax.set_ylim(min(z_edges[-1], depth_mm), z_edges[0])
    ax.set_xlabel("radius r (mm)")
    ax.set_ylabel("depth z (mm)")
    title = ax.set_title("")

    def update(index: int):
        field, _ = mirrored(temperature_C[index], r_edges)
        mesh.set_array(field.T.ravel())
        title.set_text(f"temperature at t = {times_ms[index]:.3g} ms")
        return mesh, title

    update(0)
    return figure, update, np.arange(temperature_C.shape[0])


def _axis_movie(ds: Any, depth_mm: float):
    """Line frames from ``axis_temperature`` (time, z): temperature vs depth on the beam axis."""
    from laserskin.core.errors import InputError

    if "axis_temperature" not in ds:
        raise InputError(
            "result",
            "a result without a temperature history (the non-linear, ablative model keeps only peak and final fields)",
            "a result of the linear heat model, or one with stored fields ([heat] store_times)",
        )
    temperature_C = ds["axis_temperature"].values - CELSIUS_K
    times_ms = ds["time"].values * 1e3
    z_mm = ds["z"].values * 1e3
    figure, ax = new_figure(figsize=(6.5, 4.0))
    (line,) = ax.plot(z_mm, temperature_C[0], color="C3")
    ax.set_xlim(z_mm[0], min(z_mm[-1], depth_mm))
    low, high = float(np.nanmin(temperature_C)), float(np.nanmax(temperature_C))
    ax.set_ylim(low - 0.5, high + 0.05 * (high - low) + 0.5)
    ax.set_xlabel("depth z (mm)")
    ax.set_ylabel("temperature on the beam axis (°C)")
    title = ax.set_title("")

    def update(index: int):
        line.set_ydata(temperature_C[index])
        title.set_text(f"temperature on the axis at t = {times_ms[index]:.3g} ms")
        return line, title

    update(0)
    return figure, update, np.arange(temperature_C.shape[0])
