"""How every figure is drawn: one backend, one style, one way to save.

matplotlib is imported here only inside functions (never by the physics); every plotting
function of the package takes arrays, datasets or results, draws on a new figure made by
:func:`new_figure` (or on a given axes), optionally saves it with :func:`save_figure` and
returns the figure.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "pyplot",
    "new_figure",
    "save_figure",
    "figure_bytes",
    "figure_png",
    "figure_svg",
    "close",
    "STYLE",
    "DPI",
    "mirrored",
    "dataset_of",
]

#: Resolution of saved raster figures (dots per inch).
DPI = 130

#: The one look of laserskin figures (readable fonts in reports and on phones).
STYLE = {
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "image.cmap": "magma",
}


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend (unless one is already chosen)."""
    import matplotlib

    if "matplotlib.pyplot" not in __import__("sys").modules:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (7.0, 4.0), **kwargs: Any):
    """A new ``(figure, axes)`` pair in the laserskin style (``constrained`` layout)."""
    plt = pyplot()
    import matplotlib

    # matplotlib's stub wants its literal rcParams keys; STYLE's keys are plain str (all valid rcParams)
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        figure, axes = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kwargs)
    return figure, axes


def save_figure(figure: Any, path: str | Path) -> Path:
    """Save ``figure`` to ``path`` atomically; the format follows the extension (PNG by default)."""
    from laserskin.core.io import write_atomic

    file_format = (Path(path).suffix or ".png").lstrip(".").lower()
    return write_atomic(
        path, lambda temporary: figure.savefig(temporary, dpi=DPI, bbox_inches="tight", format=file_format)
    )


def figure_bytes(figure: Any, file_format: str = "png") -> bytes:
    """The figure encoded as ``file_format`` (png, svg, pdf …); the figure is closed afterwards."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format=file_format, dpi=DPI, bbox_inches="tight")
    finally:
        close(figure)
    return buffer.getvalue()


def figure_png(figure: Any) -> bytes:
    """PNG bytes of a figure (closed afterwards)."""
    return figure_bytes(figure, "png")


def figure_svg(figure: Any) -> bytes:
    """SVG bytes of a figure (closed afterwards): what web pages embed."""
    return figure_bytes(figure, "svg")


def close(figure: Any) -> None:
    """Release a figure's memory (pyplot keeps every open figure alive otherwise)."""
    if figure is not None:
        pyplot().close(figure)


def mirrored(field_rz: np.ndarray, r_edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A field on (r, z) mirrored to (−r … r, z), and the mirrored radial edges: a beam's cross-section."""
    field = np.asarray(field_rz)
    return np.concatenate([field[::-1], field], axis=0), np.concatenate([-r_edges[::-1], r_edges[1:]])


def dataset_of(result: Any) -> Any:
    """The xarray dataset of a simulation result (or the dataset itself)."""
    return getattr(result, "dataset", result)
