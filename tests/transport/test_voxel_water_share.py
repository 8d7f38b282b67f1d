"""The 3-D heat's water share per voxel (pipeline/voxel.py ``_water_share_map``): the share of each voxel's fresh
absorption that drying removes, ``W μa_water / μa`` of its region (layers from the mixing model, an inclusion with
its own μa). Reference: the same quotient by hand from the region's water fraction and medium, and the r–z stage's
per-layer shares (``pipeline/ablative.py``), to round-off. No transport is run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from laserskin.optics.chromophores import mua_water_per_m
from laserskin.pipeline.scenario import load_scenario
from laserskin.pipeline.simulation import Simulation
from laserskin.pipeline.voxel import _region_water_fraction, _water_share_map, voxel_setup

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hair_removal_810_voxel.toml"


@pytest.fixture(scope="module")
def hair():
    simulation = Simulation.from_scenario(load_scenario(EXAMPLE))
    setup = voxel_setup(simulation)
    return simulation, setup, _water_share_map(simulation, setup, simulation.inclusions)


def test_a_melanin_shaft_keeps_its_absorption_and_the_layers_follow_the_mixing_model(hair):
    simulation, setup, share = hair
    volume = setup.volumes[0][1]
    assert share.shape == volume.labels.shape
    fraction = _region_water_fraction(simulation, volume, simulation.inclusions)
    water_mua = float(mua_water_per_m(810e-9))
    for k, medium in enumerate(volume.media):
        expected = min(fraction[k] * water_mua / medium.mua_per_m, 1.0)
        values = share[volume.labels == k]
        if values.size:
            np.testing.assert_allclose(values, expected, rtol=1e-12)
    follicle = share[volume.labels == volume.layer_count].max()
    assert follicle < 1e-3  # the shaft's 60 /cm is melanin's: drying leaves > 99.9 % of it


def test_the_layers_shares_are_those_of_the_rz_stage(hair):
    from laserskin.pipeline.ablative import _water_share_per_layer

    simulation, setup, share = hair
    volume = setup.volumes[0][1]
    layers = simulation.skin().layers
    rz = _water_share_per_layer(simulation, layers, float(simulation.laser.centroid_wavelength_m), False)
    for k in range(volume.layer_count):
        values = share[volume.labels == k]
        if values.size:
            np.testing.assert_allclose(values, rz[k], rtol=1e-12)
