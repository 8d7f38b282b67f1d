"""Figures, drawn one way for the CLI, the web, reports and sweeps (matplotlib only inside functions).

Every function takes results, datasets or arrays, draws on a new figure (or given axes),
optionally saves it atomically to ``path`` (format by extension: PNG, SVG, PDF …) and
returns the figure; :func:`close` releases it.

=================================  ======================================================
``plot_result(result)``            one simulation in one figure (for ``Result.plot()``)
``plot_comparison({...})``         several simulations side by side
``write_temperature_movie(r, p)``  MP4 (ffmpeg) or GIF (pillow) of the temperature
``plot_temperature_map`` etc.      the single panels (map, depth profiles, probe traces)
``plot_absorption(transport)``     absorbed energy of a light-transport result
``improvement_figure(plan)`` etc.  figures of a treatment plan (:mod:`.plan`)
``RichProgress``                   the one progress bar (:mod:`.progress`)
=================================  ======================================================
"""

from __future__ import annotations

from laserskin.plotting._base import (
    DPI,
    STYLE,
    close,
    figure_bytes,
    figure_png,
    figure_svg,
    new_figure,
    pyplot,
    save_figure,
)
from laserskin.plotting.movie import write_temperature_movie
from laserskin.plotting.plan import improvement_figure, maps_figure, margin_figure
from laserskin.plotting.progress import RichProgress, default_progress
from laserskin.plotting.simulation import (
    SIMULATION_FIGURES,
    plot_comparison,
    plot_depth_profiles,
    plot_probe_traces,
    plot_result,
    plot_simulation,
    plot_temperature_map,
)
from laserskin.plotting.transport import plot_absorption, plot_reflectance

__all__ = [
    "DPI",
    "STYLE",
    "SIMULATION_FIGURES",
    "RichProgress",
    "close",
    "default_progress",
    "figure_bytes",
    "figure_png",
    "figure_svg",
    "improvement_figure",
    "maps_figure",
    "margin_figure",
    "new_figure",
    "plot_absorption",
    "plot_comparison",
    "plot_depth_profiles",
    "plot_probe_traces",
    "plot_reflectance",
    "plot_result",
    "plot_simulation",
    "plot_temperature_map",
    "pyplot",
    "save_figure",
    "write_temperature_movie",
]
