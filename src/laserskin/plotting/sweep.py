"""Summary figures of a combined sweep dataset (SVG, text kept as text).

Kept in the sweep package (not ``laserskin.plotting``) while the plotting package is being
split; the functions take only a dataset and import only :mod:`laserskin.plotting`'s
helpers, so they can move there unchanged.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from pathlib import Path

import numpy as np

#: Most panels in one faceted figure; further combinations are folded (maximum) into them.
MAX_PANELS = 36
_SKIN_TYPES = ("I", "II", "III", "IV", "V", "VI")


def axis_label(variable, name: str | None = None) -> str:
    """``long name [units]`` of a coordinate or variable (no brackets for dimensionless)."""
    label = str(variable.attrs.get("long_name") or variable.attrs.get("key") or name or variable.name)
    units = str(variable.attrs.get("units", "1"))
    return f"{label} [{units}]" if units not in ("", "1") else label


def short_label(variable, name: str | None = None) -> str:
    """:func:`axis_label` without the parenthesised explanation (for crowded axes)."""
    label = axis_label(variable, name)
    head, _, tail = label.partition(" (")
    units = tail.rpartition(")")[2].strip() if tail else ""
    return f"{head} {units}".strip()


def _value_text(coord, value) -> str:
    units = str(coord.attrs.get("units", "1"))
    text = f"{value:g}" if isinstance(value, float | np.floating) else str(value)
    return f"{text} {units}" if units not in ("", "1") else text


def _outcome(dataset) -> tuple[str | None, bool]:
    """The outcome variable to draw and whether it is drawn on a log scale."""
    if "epidermal_omega" in dataset and dataset.attrs.get("case_kind") != "plan":
        return "epidermal_omega", True
    for name in ("improvement_percent_month_6", "immediate_tightening_percent", "epidermal_omega"):
        if name in dataset:
            return name, name == "epidermal_omega"
    return None, False


def _central(variable):
    """The central value of a variable with a band/range dimension."""
    if "band" in variable.dims:
        return variable.sel(band="mid")
    if "range" in variable.dims:
        return variable.mean("range")
    return variable


def sweep_figures(dataset, directory: str | Path) -> list[Path]:
    """Summary figures of a combined sweep dataset (SVG); returns the paths written.

    * ``outcome_by_fitzpatrick.svg`` (population sweeps): per Fitzpatrick type, the
      distribution of the outcome: log10 of the epidermal Ω (simulate) or the 6-month
      improvement (plan; the planner pins Ω at its safety limit, so Ω would be constant);
    * ``outcome_by_axes.svg`` (sweeps with axes): the outcome against the first axis, one
      line per value of the second, one panel per combination of all further axes (every
      axis is shown; population sweeps show the median over people); axis labels carry
      units; for Ω the necrosis threshold Ω = 1 is drawn. ``epidermal_margin.svg`` is the
      same figure for Ω when the outcome is another variable;
    * ``eligibility.svg`` (plan sweeps): fractions eligible, referred and failed.
    """
    from laserskin.plotting._base import pyplot

    plt = pyplot()
    directory = Path(directory)
    written: list[Path] = []
    with plt.rc_context({"svg.fonttype": "none"}):
        outcome, log = _outcome(dataset)
        if outcome is not None and "person" in dataset.dims and "fitzpatrick" in dataset.coords:
            path = _by_fitzpatrick(plt, dataset, outcome, log, directory / "outcome_by_fitzpatrick.svg")
            if path is not None:
                written.append(path)
        axis_dims = [str(d) for d in dataset["succeeded"].dims if d not in ("person", "case")]
        if outcome is not None and axis_dims:
            written.append(_by_axes(plt, dataset, outcome, log, axis_dims, directory / "outcome_by_axes.svg"))
            if outcome != "epidermal_omega" and "epidermal_omega" in dataset:
                written.append(
                    _by_axes(plt, dataset, "epidermal_omega", True, axis_dims, directory / "epidermal_margin.svg")
                )
            elif outcome == "epidermal_omega":
                written.append(_by_axes(plt, dataset, outcome, log, axis_dims, directory / "epidermal_margin.svg"))
        if "eligible" in dataset:
            written.append(_eligibility(plt, dataset, directory / "eligibility.svg"))
    return written


def _save(plt, figure, path: Path) -> Path:
    from laserskin.plotting import save_figure

    saved = save_figure(figure, path)
    plt.close(figure)
    return saved


def _by_fitzpatrick(plt, dataset, outcome, log, path):
    values = _central(dataset[outcome]).where(dataset["succeeded"])
    groups, labels = [], []
    for skin_type in _SKIN_TYPES:
        selected = values.where(dataset["fitzpatrick"] == skin_type).values.ravel()
        selected = selected[np.isfinite(selected)]
        if selected.size:
            groups.append(np.log10(np.maximum(selected, 1e-12)) if log else selected)
            labels.append(skin_type)
    if not groups:
        return None
    figure, ax = plt.subplots(figsize=(6, 4))
    ax.boxplot(groups, tick_labels=labels)
    ax.set_xlabel("Fitzpatrick skin type")
    label = short_label(dataset[outcome], outcome)
    ax.set_ylabel(f"log10 {label}" if log else label)
    if log:
        ax.axhline(0.0, color="red", lw=1, ls="--", label="Ω = 1 (onset of epidermal necrosis)")
        ax.legend()
    ax.set_title(f"{dataset[outcome].attrs.get('long_name', outcome)} by skin type")
    return _save(plt, figure, path)


def _by_axes(plt, dataset, outcome, log, axis_dims, path):
    variable = _central(dataset[outcome]).where(dataset["succeeded"])
    statistic = ""
    if "person" in variable.dims:
        variable = variable.median("person")
        statistic = "median over people of "
    x_dim = axis_dims[0]
    line_dim = axis_dims[1] if len(axis_dims) > 1 else None
    facet_dims = axis_dims[2:]
    combos = list(itertools.product(*[range(dataset.sizes[d]) for d in facet_dims])) or [()]
    folded = len(combos) > MAX_PANELS
    if folded:  # too many panels: fold the last facet dimensions into their maximum
        while len(combos) > MAX_PANELS and facet_dims:
            variable = variable.max(facet_dims[-1])
            facet_dims = facet_dims[:-1]
            combos = list(itertools.product(*[range(dataset.sizes[d]) for d in facet_dims])) or [()]
    n_cols = min(len(combos), 3)
    n_rows = math.ceil(len(combos) / n_cols)
    figure, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(4.2 * n_cols, 3.3 * n_rows),
        squeeze=False,
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    x = dataset[x_dim]
    numeric_x = x.dtype.kind in "fiu"
    positions = x.values if numeric_x else np.arange(x.size)
    for panel, combo in enumerate(combos):
        ax = axes.flat[panel]
        selected = variable.isel(dict(zip(facet_dims, combo)))
        lines = range(dataset.sizes[line_dim]) if line_dim else [None]
        for i in lines:
            series = selected.isel({line_dim: i}) if line_dim else selected
            values = series.transpose(x_dim).values
            if log:
                values = np.log10(np.maximum(values, 1e-12))
            label = _value_text(dataset[line_dim], dataset[line_dim].values[i]) if line_dim else None
            ax.plot(positions, values, "o-", label=label)
        if log:
            ax.axhline(0.0, color="red", lw=1, ls="--")
        if not numeric_x:
            ax.set_xticks(positions, [str(v) for v in x.values])
        title = ", ".join(
            f"{axis_label(dataset[d], d).split(' [')[0]} = {_value_text(dataset[d], dataset[d].values[j])}"
            for d, j in zip(facet_dims, combo)
        )
        if title:
            ax.set_title(title, fontsize=9)
        if panel % n_cols == 0:
            label = short_label(dataset[outcome], outcome)
            ax.set_ylabel(f"log10 {label}" if log else label)
        if panel >= len(combos) - n_cols:
            ax.set_xlabel(axis_label(x, x_dim))
    for ax in list(axes.flat)[len(combos) :]:
        ax.set_visible(False)
    if line_dim:
        axes.flat[0].legend(title=axis_label(dataset[line_dim], line_dim), fontsize=8)
    name = dataset[outcome].attrs.get("long_name", outcome)
    suffix = " (further axes: maximum)" if folded else ""
    figure.suptitle(textwrap.fill(f"{statistic}{name}{suffix}".strip(), 70), fontsize=10)
    return _save(plt, figure, path)


def _eligibility(plt, dataset, path):
    succeeded = dataset["succeeded"].values.astype(bool)
    eligible = dataset["eligible"].values
    eligible = (eligible == 1) if eligible.dtype != bool else eligible
    total = succeeded.size
    fractions = [
        np.sum(eligible & succeeded) / total,
        np.sum(~eligible & succeeded) / total,
        np.sum(~succeeded) / total,
    ]
    figure, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.bar(["eligible", "referred", "failed"], fractions, color=["C2", "C3", "C7"])
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction of cases")
    ax.set_title("eligibility")
    return _save(plt, figure, path)
