"""Work done inside a worker process: run a plan or a simulation, write its files into the job
folder (``plan.json``/``summary.json``, ``report.html``, ``result.nc``, SVG figures with a
``figures.json`` of titles, captions and alt texts).

Imported by the forkserver of :mod:`laserskin.web.jobs` once, so the heavy stack (numpy,
numba kernels, xarray) is loaded before any job forks.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np  # noqa: F401  (loaded once in the forkserver)

from laserskin.core.callbacks import Callback
from laserskin.core.errors import InputError, controls_named
from laserskin.report.labels import figure_text
from laserskin.web.forms import in_form_terms

__all__ = [
    "PLAN_FIGURES",
    "SIMULATE_FIGURES",
    "fig_bytes",
    "fig_svg",
    "jsonable",
    "run_job",
    "run_plan",
    "run_simulation",
]

PLAN_FIGURES = ("improvement", "margin", "maps")
SIMULATE_FIGURES = ("temperature_map", "depth_profiles")
RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "svg.fonttype": "none",
}
CONSTRAINED = {"figure.constrained_layout.use": True}  # colour bars and labels never overlap

Report = Callable[[str, float], None]


def _rc(constrained: bool = False):
    import matplotlib

    matplotlib.use("Agg", force=False)
    # matplotlib's stub wants its literal rcParams keys; RC's and CONSTRAINED's are plain str (all valid rcParams)
    return matplotlib.rc_context({**RC, **(CONSTRAINED if constrained else {})})  # type: ignore[dict-item]


def _one_legend(fig) -> None:
    """One legend with the entries of every axes (twin axes included)."""
    axes = fig.axes
    if len(axes) < 2:
        return
    handles, labels = [], []
    for ax in axes:
        h, l = ax.get_legend_handles_labels()
        handles += h
        labels += l
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    if handles:
        axes[0].legend(handles, labels, loc="best", fontsize=8)


def fig_svg(fig) -> bytes:
    """SVG bytes of a figure (colour meshes rasterised to keep the file small); closes it."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import QuadMesh

    for ax in fig.axes:
        for artist in ax.collections:
            if isinstance(artist, QuadMesh):
                artist.set_rasterized(True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def fig_bytes(fig) -> tuple[bytes, bytes]:
    """``(svg, png)`` bytes of one figure; closes it."""

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return fig_svg(fig), buffer.getvalue()


def _write(path: Path, data: bytes | str) -> None:
    from laserskin.core.io import write_bytes_atomic

    write_bytes_atomic(path, data.encode() if isinstance(data, str) else data)


def jsonable(value):
    """JSON-safe value: NaN and infinities become ``None``, unknown objects their text
    (the CLI's cleaner, :func:`laserskin.cli._shell.to_jsonable`)."""
    from laserskin.cli._shell import to_jsonable

    return to_jsonable(value, unknown=str)


class _Progress(Callback):
    """Maps laserskin progress events onto one fraction for the job page."""

    def __init__(self, report: Report, weights: dict[str, tuple[float, float]]):
        self.report, self.weights, self.fraction = report, weights, 0.0
        self.totals: dict[str, float] = {}
        self.reported = -1.0

    def on_start(self, stage, total, unit):
        self.totals[stage] = float(total) or 1.0
        self.report(stage, self.fraction)

    def on_progress(self, stage, done, elapsed_s):
        low, high = self.weights.get(stage, (self.fraction, self.fraction))
        self.fraction = max(
            self.fraction,
            low + (high - low) * min(1.0, float(done) / self.totals.get(stage, 1.0)),
        )
        if self.fraction - self.reported >= 0.005:  # at most ~200 messages per job
            self.reported = self.fraction
            self.report(stage, self.fraction)

    def on_end(self, stage, elapsed_s):
        self.fraction = max(self.fraction, self.weights.get(stage, (0.0, self.fraction))[1])
        self.report(stage, self.fraction)


def run_plan(payload: dict, folder: Path, cache_dir: Path, report: Report) -> dict:
    """Plan, then write ``plan.json``, ``report.html``, the SVG figures and ``figures.json``."""
    from laserskin.planning import PlanRequest, plan_request
    from laserskin.plotting import plan as plan_figures
    from laserskin.report import plan_report_html

    request = PlanRequest.model_validate(payload)
    report("planning: light transport, heat and damage for each candidate device", 0.05)
    plan = plan_request(request, cache_dir=cache_dir, progress=None)  # the job page shows progress
    data = jsonable(plan.to_dict())
    report("drawing figures", 0.85)
    (folder / "figures").mkdir(exist_ok=True)
    pngs: dict[str, bytes] = {}
    shown = []
    if plan.eligible and plan.support is not None:
        for name in PLAN_FIGURES:
            function = getattr(plan_figures, f"{name}_figure")
            with _rc(constrained=True):
                try:
                    fig = function(plan)
                except (KeyError, TypeError, AttributeError, ValueError):
                    fig = None
                if fig is None:
                    continue
                if name == "margin":
                    _one_legend(fig)
                if name == "maps" and not fig._suptitle:
                    fig.suptitle(figure_text(name, data)["title"])
                svg, pngs[name] = fig_bytes(fig)
            _write(folder / "figures" / f"{name}.svg", svg)
            shown.append(name)
    texts = {name: figure_text(name, data) for name in shown}
    _write(folder / "figures.json", json.dumps(texts, indent=1))
    report("writing the report", 0.95)
    # the report downloaded from the page names the page's fields, not the CLI's options
    _write(folder / "report.html", plan_report_html(controls_named(data, in_form_terms), pngs))
    _write(folder / "plan.json", json.dumps(data, indent=2))
    return data


def run_simulation(payload: dict, folder: Path, cache_dir: Path, report: Report) -> dict:
    """Simulate, then write ``summary.json``, ``result.nc``, the SVG maps and ``figures.json``."""
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation
    from laserskin.plotting import plot_depth_profiles, plot_temperature_map

    scenario = scenario_from_dict(payload)
    progress = _Progress(report, {"transport": (0.0, 0.6), "heat": (0.6, 0.95)})
    report("setting up", 0.01)
    simulation = Simulation.from_scenario(scenario, progress=progress, cache_dir=cache_dir)
    try:
        result = simulation.run(grid_warning=False)
    except InputError as refusal:  # a burning setting: state its real limit, found by more runs (QA4 #5)
        if not getattr(refusal, "burnt_tissue", False):
            raise
        from laserskin.pipeline.setting_limit import refusal_with_limit

        report("finding the limit of the refused setting", 0.95)
        raise refusal_with_limit(simulation, refusal) from None
    result.save(folder / "result.nc")
    from laserskin.pipeline.summary import shell_summary

    summary = jsonable(shell_summary(result, simulation, scenario))  # simulate --json's summary (QA5 #7)
    report("drawing figures", 0.95)
    (folder / "figures").mkdir(exist_ok=True)
    for name, function in (
        ("temperature_map", plot_temperature_map),
        ("depth_profiles", plot_depth_profiles),
    ):
        with _rc():
            _write(folder / "figures" / f"{name}.svg", fig_svg(function(result)))
    texts = {name: figure_text(name, summary) for name in SIMULATE_FIGURES}
    _write(folder / "figures.json", json.dumps(texts, indent=1))
    _write(folder / "summary.json", json.dumps(summary, indent=2))
    return summary


def run_dry(payload: dict, folder: Path, report: Report) -> dict:
    """Sleep ``payload["seconds"]`` (at most 600 s) reporting progress, then write an empty result
    (``WebSettings.dry_run_s``: load tests of the server machinery without the physics)."""
    import time

    seconds = min(max(float(payload.get("seconds", 0.0)), 0.0), 600.0)
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        report("dry run", 1.0 - left / seconds if seconds else 1.0)
        time.sleep(min(0.1, left))
    result = {"dry_run": True, "kind": payload.get("kind", "")}
    name = "plan.json" if payload.get("kind") == "plan" else "summary.json"
    _write(folder / name, json.dumps(result))
    _write(folder / "figures.json", "{}")
    return result


def run_job(kind: str, payload: dict, folder: Path, cache_dir: Path, report: Report) -> dict[str, Any]:
    """Run one job of ``kind`` (``plan`` or ``simulate``) in this process."""
    os.environ.setdefault("MPLCONFIGDIR", str(Path(cache_dir).parent / "matplotlib"))
    if kind == "plan":
        return run_plan(payload, folder, cache_dir, report)
    if kind == "simulate":
        return run_simulation(payload, folder, cache_dir, report)
    if kind == "dry_run":
        return run_dry(payload, folder, report)
    raise ValueError(f"unknown job kind {kind!r}")
