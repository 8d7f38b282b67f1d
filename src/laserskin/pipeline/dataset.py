"""The fields of a simulation as an :class:`xarray.Dataset`, with units and provenance.

Every result file carries what reproduces it (OpenMC's habit): the inputs as JSON, the seed,
the photon count, the package version, the summary and the bibliography keys the run cited.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

import laserskin

__all__ = ["linear_dataset", "provenance"]


def provenance(simulation, summary: dict | None = None, citations: set[str] | frozenset[str] = frozenset()) -> dict:
    """Inputs, seed, photons, version, summary and citations as NetCDF attributes (strings).

    ``photons``: the photons the run launched, the summary's ``photons`` where it states them (QA8 #4: an Er:YAG run
    without Monte Carlo, Beer-Lambert, recorded the requested 200 000 though none ran; the request stays in
    ``settings``)."""
    settings = simulation.settings
    ran = (summary or {}).get("photons")
    photons = settings.photons if ran is None else ran
    layers = getattr(simulation, "layers", None)
    tissue = (
        {"layers": json.dumps(layers.model_dump(mode="json", by_alias=True))}
        if layers is not None
        else {"person": json.dumps(simulation.person.model_dump(mode="json", by_alias=True))}
    )
    return {
        "laserskin_version": laserskin.__version__,
        **tissue,
        "laser": json.dumps(simulation.laser.model_dump(mode="json", by_alias=True)),
        "cooling": json.dumps(simulation.cooling.model_dump(mode="json", by_alias=True)),
        "protocol": json.dumps(simulation.protocol.model_dump(mode="json", by_alias=True)),
        "settings": json.dumps(settings.model_dump(mode="json", by_alias=True)),
        "seed": str(settings.seed),
        "photons": str(photons),
        "summary": json.dumps(summary or {}),
        "citations": json.dumps(sorted(citations)),
    }


def linear_dataset(simulation, outcome, response, summary: dict[str, Any], source_per_J, citations=frozenset()):
    """Fields of the linear path on the r–z grid: peaks, Ω per set, traces, stored fields."""
    import xarray as xr

    grid = response.grid
    coords = {
        "r": ("r", grid.r_centers_m, {"units": "m", "long_name": "radius (cell centre)"}),
        "z": ("z", grid.z_centers_m, {"units": "m", "long_name": "depth (cell centre)"}),
        "time": ("time", response.times_s, {"units": "s"}),
    }
    history = response.temperature_K(outcome.pulse_energy_J)
    # (dims, values, attrs): attrs hold strings and, on the global-peak field, its time as a float
    data: dict[str, tuple[tuple[str, ...], Any, dict[str, Any]]] = {
        "peak_temperature": (("r", "z"), outcome.peak_temperature_K, {"units": "K"}),
        "denatured_fraction": (("r", "z"), outcome.collagen.denatured_fraction, {"units": "1"}),
        "nociceptor_temperature": (("time",), outcome.nociceptor_trace_K, {"units": "K"}),
        "axis_temperature": (
            ("time", "z"),
            history[:, 0, :],
            {"units": "K", "long_name": "temperature on the beam axis"},
        ),
        "r_edges": (("r_edge",), grid.r_edges_m, {"units": "m"}),
        "z_edges": (("z_edge",), grid.z_edges_m, {"units": "m"}),
        "source_per_J": (
            ("r", "z"),
            source_per_J,
            {"units": "1/m^3", "long_name": "absorbed energy density per incident joule"},
        ),
    }
    for key, omega in outcome.omega.items():
        data[f"omega_{key}"] = (("r", "z"), omega, {"units": "1", "long_name": f"Arrhenius Ω ({key})"})
    hottest = int(np.argmax(history.reshape(history.shape[0], -1).max(axis=1)))
    data["temperature_at_global_peak"] = (
        ("r", "z"),
        history[hottest],
        {
            "units": "K",
            "long_name": "temperature field when the hottest cell peaks",
            "time_s": float(response.times_s[hottest]),
        },
    )
    store_times = simulation.settings.store_times_s
    if store_times:
        stored = [int(np.argmin(np.abs(response.times_s - t))) for t in store_times]
        data["temperature"] = (("store_time", "r", "z"), history[stored], {"units": "K"})
        coords["store_time"] = (
            "store_time",
            response.times_s[stored],
            {"units": "s", "long_name": "time from the start of the simulation (cooling lead time included)"},
        )
    dataset = xr.Dataset(data, coords=coords)
    dataset.attrs.update(provenance(simulation, summary, citations))
    return dataset
