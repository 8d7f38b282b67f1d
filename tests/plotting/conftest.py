"""Fixtures of the figure tests: a small synthetic simulation result with the variables and units of ``Simulation.run()``'s dataset.

Figures are tested on it (fast, no Monte Carlo); ``tests/cli`` draws them from a real run.
"""

import numpy as np
import pytest
import xarray as xr

from laserskin.core.constants import CELSIUS_K, CORE_TEMPERATURE_K
from laserskin.pipeline.result import Result


def synthetic_dataset(nr: int = 20, nz: int = 40, nt: int = 12, stored: int = 0) -> xr.Dataset:
    r_edges = np.linspace(0.0, 4e-3, nr + 1)
    z_edges = np.linspace(0.0, 3e-3, nz + 1)
    r, z = 0.5 * (r_edges[1:] + r_edges[:-1]), 0.5 * (z_edges[1:] + z_edges[:-1])
    time = np.concatenate([[0.0], np.geomspace(1e-4, 1.0, nt - 1)])
    shape = np.exp(-((r[:, None] / 2e-3) ** 2)) * np.exp(-z[None, :] / 5e-4)  # (r, z)
    history = CORE_TEMPERATURE_K + 40.0 * shape[None] * (time / (time + 0.05))[:, None, None]  # (t, r, z)
    peak = history.max(axis=0)
    omega = np.exp((peak - (CELSIUS_K + 60.0)) / 3.0)  # Ω = 1 at 60 °C
    data = {
        "peak_temperature": (("r", "z"), peak, {"units": "K"}),
        "denatured_fraction": (("r", "z"), 1.0 - np.exp(-omega), {"units": "1"}),
        "nociceptor_temperature": (("time",), history[:, 0, 2], {"units": "K"}),
        "axis_temperature": (("time", "z"), history[:, 0, :], {"units": "K"}),
        "r_edges": (("r_edge",), r_edges, {"units": "m"}),
        "z_edges": (("z_edge",), z_edges, {"units": "m"}),
        "omega_henriques": (("r", "z"), 2.0 * omega, {"units": "1"}),
        "omega_collagen": (("r", "z"), omega, {"units": "1"}),
    }
    coords = {"r": ("r", r, {"units": "m"}), "z": ("z", z, {"units": "m"}), "time": ("time", time, {"units": "s"})}
    if stored:
        picks = np.linspace(0, nt - 1, stored).round().astype(int)
        data["temperature"] = (("store_time", "r", "z"), history[picks], {"units": "K"})
        coords["store_time"] = ("store_time", time[picks], {"units": "s"})
    return xr.Dataset(data, coords=coords)


def synthetic_result(**kwargs) -> Result:
    dataset = synthetic_dataset(**kwargs)
    summary = {"peak_epidermis_temperature_C": 71.2, "peak_dermis_temperature_C": 65.0, "epidermal_omega": 0.3}
    return Result(
        summary=summary,
        dataset=dataset,
        grid=None,
        layer_names=["epidermis", "dermis"],
        layer_bottoms_m=np.array([1e-4, np.inf]),
    )


@pytest.fixture
def make_result():
    """Factory: ``make_result(stored=0, nt=12)`` → a synthetic :class:`Result`."""
    return synthetic_result


@pytest.fixture
def make_dataset():
    """Factory: ``make_dataset(stored=0, nt=12)`` → a synthetic dataset."""
    return synthetic_dataset


@pytest.fixture
def result() -> Result:
    return synthetic_result()


@pytest.fixture
def result_with_maps() -> Result:
    return synthetic_result(stored=5)
