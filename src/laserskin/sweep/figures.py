"""Summary figures of a combined sweep dataset."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def sweep_figures(dataset, directory: str | Path) -> list[Path]:
    """Summary figures of a combined sweep dataset (SVG); returns the paths written.

    * ``outcome_by_fitzpatrick.svg``: per Fitzpatrick type, the distribution of the epidermal
      Ω (simulate) or the 6-month improvement (plan), population sweeps only;
    * ``epidermal_margin.svg``: log10 of the epidermal Ω over the first two axes (Ω = 1 is
      the onset of epidermal necrosis in the Henriques model; negative = margin);
    * ``eligibility.svg``: fraction of the population eligible / referred (plan sweeps).
    """
    from laserskin.plotting import _pyplot, save_figure

    plt = _pyplot()
    directory = Path(directory)
    written: list[Path] = []
    outcome = next(
        (
            name
            for name in ("epidermal_omega", "improvement_percent_month_6_mid", "immediate_tightening_percent")
            if name in dataset
        ),
        None,
    )
    if "person" in dataset.dims and "fitzpatrick" in dataset.coords and outcome is not None:
        values = dataset[outcome]
        groups, labels = [], []
        for skin_type in ("I", "II", "III", "IV", "V", "VI"):
            selected = values.where(dataset["fitzpatrick"] == skin_type).values.ravel()
            selected = selected[np.isfinite(selected)]
            if selected.size:
                groups.append(np.log10(np.maximum(selected, 1e-12)) if outcome == "epidermal_omega" else selected)
                labels.append(skin_type)
        if groups:
            figure, ax = plt.subplots(figsize=(6, 4))
            ax.boxplot(groups, tick_labels=labels)
            ax.set_xlabel("Fitzpatrick type")
            ax.set_ylabel("log10 epidermal Ω" if outcome == "epidermal_omega" else outcome)
            if outcome == "epidermal_omega":
                ax.axhline(0.0, color="red", lw=1, ls="--", label="Ω = 1 (necrosis threshold)")
                ax.legend()
            ax.set_title("outcome by Fitzpatrick type")
            written.append(save_figure(figure, directory / "outcome_by_fitzpatrick.svg"))
            plt.close(figure)
    axis_dims = [d for d in dataset.dims if d != "person"]
    if "epidermal_omega" in dataset and axis_dims:
        omega = dataset["epidermal_omega"]
        if "person" in omega.dims:
            omega = omega.median("person")
        omega = omega.transpose(*axis_dims[:2], *axis_dims[2:])
        while omega.ndim > 2:
            omega = omega.max(omega.dims[-1])
        log_omega = np.log10(np.maximum(omega.values, 1e-12))
        figure, ax = plt.subplots(figsize=(6, 4))
        if omega.ndim == 1:
            ax.plot(np.arange(omega.shape[0]), log_omega, "o-")
            ax.set_xticks(np.arange(omega.shape[0]), [str(v) for v in dataset[axis_dims[0]].values])
            ax.axhline(0.0, color="red", lw=1, ls="--")
            ax.set_ylabel("log10 epidermal Ω")
        else:
            mesh = ax.imshow(log_omega.T, origin="lower", aspect="auto", cmap="RdYlGn_r", vmin=-4, vmax=4)
            figure.colorbar(mesh, ax=ax, label="log10 epidermal Ω (< 0: below necrosis)")
            ax.set_xticks(np.arange(omega.shape[0]), [str(v) for v in dataset[axis_dims[0]].values])
            ax.set_yticks(np.arange(omega.shape[1]), [str(v) for v in dataset[axis_dims[1]].values])
            ax.set_ylabel(dataset[axis_dims[1]].attrs.get("key", axis_dims[1]))
        ax.set_xlabel(
            f"{dataset[axis_dims[0]].attrs.get('key', axis_dims[0])} "
            f"{dataset[axis_dims[0]].attrs.get('units', '')}".strip()
        )
        ax.set_title("epidermal safety margin")
        written.append(save_figure(figure, directory / "epidermal_margin.svg"))
        plt.close(figure)
    if "eligible" in dataset:
        values = dataset["eligible"].values
        planned = np.isfinite(values)
        eligible = float(np.mean(values[planned] == 1)) if planned.any() else math.nan
        referred = float(np.mean(values[planned] == 0)) if planned.any() else math.nan
        failed = float(np.mean(~planned))
        figure, ax = plt.subplots(figsize=(4.5, 3.5))
        ax.bar(["eligible", "referred", "failed"], [eligible, referred, failed], color=["C2", "C3", "C7"])
        ax.set_ylim(0, 1)
        ax.set_ylabel("fraction of the population")
        written.append(save_figure(figure, directory / "eligibility.svg"))
        plt.close(figure)
    return written
