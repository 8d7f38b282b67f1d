"""The epidermal read-out of a 3-D voxel run reads the epidermis' own voxels, not an inclusion's (QA4 #35).

A hair shaft (a follicle inclusion from the surface, melanin-rich: μa 60 /cm at 810 nm) crosses the epidermal
depth band. Before, ``peak_epidermis_temperature_C``, ``epidermal_omega`` and ``epidermal_injury`` read every
voxel of that band, the shaft's too: the shipped hair-removal example reported the 276 °C shaft as epidermis
(Ω 1.3e35, "necrosis"). Now they read the layer voxels (stratum corneum, living epidermis) only; the shaft's
peak is in ``peak_temperature_by_region_C`` and ``epidermis_note`` says what was left out.

A small periodic cell (0.5 × 0.5 × 0.75 mm, 25 µm voxels, 3000 packets, uniform light): the assertions compare
the summary with the run's own maps (exact, no statistics involved).
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.damage.injury import basal_layer_values
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation
from laserskin.pipeline.voxel import VoxelColumns, _column_distance

SCENARIO = {
    "person": {"age": 30, "sex": "male", "fitzpatrick": "III", "site": "cheek"},
    "laser": {
        "wavelength": "810 nm",
        "fluence": "20 J/cm^2",
        "pulse_duration": "30 ms",
        "spot_diameter": "12 mm",
        "profile": "flat_top",
    },
    "cooling": {"kind": "contact"},
    "geometry": {
        "kind": "voxels",
        "size": ["0.5 mm", "0.5 mm", "0.75 mm"],
        "voxel": "25 um",
        "boundary": "periodic",
        "illumination": "uniform",
    },
    "inclusions": [
        {
            "name": "follicle",
            "kind": "follicle",
            "center": ["0 mm", "0 mm"],
            "radius": "50 um",
            "depth": "0.45 mm",
            "n": 1.4,
            "mua": "60 1/cm",
            "mus": "200 1/cm",
            "g": 0.9,
        }
    ],
    "transport": {"photons": 3000, "seed": 5},
    "heat": {"relaxation": "0.05 s"},
}


@pytest.fixture(scope="module")
def run():
    simulation = Simulation.from_scenario(scenario_from_dict(SCENARIO), progress=None)
    return simulation, simulation.run(grid_warning=False)


def test_the_epidermal_keys_read_the_epidermis_voxels_not_the_hair_shaft(run):
    simulation, result = run
    s, ds = result.summary, result.dataset
    labels = ds["labels"].values
    peak_K = ds["peak_temperature"].values
    omega = ds["omega_henriques"].values
    junction_m = simulation.geometry().junction_depth_m
    band = ds["z"].values < junction_m
    layer_count = result.volume.layer_count
    epidermis = (labels < layer_count) & band[None, None, :]
    shaft = (labels >= layer_count) & band[None, None, :]
    assert shaft.any() and epidermis.any()
    # the shaft is the hottest thing in the epidermal band (before: it was read as the epidermis' peak)
    assert peak_K[shaft].max() > peak_K[epidermis].max()
    assert s["peak_epidermis_temperature_C"] == pytest.approx(peak_K[epidermis].max() - 273.15, abs=1e-9)
    assert s["peak_epidermis_temperature_C"] < s["peak_temperature_by_region_C"]["follicle"]
    # the basal read-out: the deepest epidermal row of the epidermis' own voxels (the shaft's Ω as 0)
    columns = VoxelColumns(labels.shape, result.volume.voxel_m, _column_distance(result.volume, (0.0, 0.0)))
    own = np.where(labels < layer_count, omega, 0.0)
    assert s["epidermal_omega"] == pytest.approx(
        basal_layer_values(columns.columns(own), columns, junction_m).max(), rel=1e-12
    )
    assert s["epidermal_omega"] < basal_layer_values(columns.columns(omega), columns, junction_m).max()
    assert "follicle" in s["epidermis_note"] and "r-z simulation" in s["epidermis_note"]
