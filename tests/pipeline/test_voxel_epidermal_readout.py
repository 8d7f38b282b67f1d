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


def _deepest_um(mask, z_m, voxel_m):
    """Bottom face of the deepest voxel of ``mask`` (µm), 0 where there is none."""
    depths = np.broadcast_to(z_m, mask.shape)[mask]
    return 0.0 if depths.size == 0 else float((depths.max() + voxel_m / 2) * 1e6)


def test_collagen_and_dermal_keys_read_the_layers_not_the_follicle(run):
    """QA6 #3: the follicle (keratin, follicular epithelium) is not dermal collagen: before, every follicle voxel
    in the dermal depth band counted, and the hair-removal example "tightened" 2.37 % with 2.4 mm of coagulated
    collagen (the follicle's length)."""
    simulation, result = run
    s, ds = result.summary, result.dataset
    labels = ds["labels"].values
    z_m = ds["z"].values
    voxel_m = result.volume.voxel_m
    layers = labels < result.volume.layer_count
    in_dermis = np.broadcast_to(z_m >= simulation.geometry().junction_depth_m, labels.shape)
    collagen = ds["omega_collagen"].values >= 1.0
    henriques = ds["omega_henriques"].values >= 1.0
    # the follicle's collagen-kinetics Ω reaches 1 deeper than any layer voxel's (the case the read-out must skip)
    follicle_bottom = _deepest_um(collagen & ~layers & in_dermis, z_m, voxel_m)
    layer_bottom = _deepest_um(collagen & layers & in_dermis, z_m, voxel_m)
    assert follicle_bottom > layer_bottom + voxel_m * 1e6
    assert s["coagulation_depth_um"] <= layer_bottom + 1e-6
    band = s["dermal_injury_depth_um"]
    assert band is None or band[1] <= _deepest_um(henriques & layers & in_dermis, z_m, voxel_m) + 1e-6


def test_light_leaving_the_box_is_noted_as_on_the_rz_grid(run):
    """QA6 #3: the light leaving a voxel box (here its 0.75 mm floor) takes the r-z runs' 1 % rule and note; the
    share is that light over itself plus what the box absorbs (the run's own transport tallies)."""
    _, result = run
    s = result.summary
    lost = s["absorbed_outside_grid_fraction"]
    absorbed = sum(s["absorbed_fraction_by_region"].values())
    assert lost == pytest.approx(s["escaped_sides_fraction"] + result.transport[0].total_transmittance, rel=1e-9)
    assert s["absorbed_outside_grid_share"] == pytest.approx(lost / (lost + absorbed), rel=1e-6)
    assert s["absorbed_outside_grid_share"] > 0.01
    assert "voxel box" in s["grid_note"]
