"""Hair follicles sized by body site (data/parameters/hair_follicles.toml)."""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.transport.voxel_geometry import InclusionSpec, follicle_size


def test_terminal_follicles_are_deeper_on_the_legs_than_on_the_face_and_vellus_ones_shallow():
    face, legs = follicle_size("cheek"), follicle_size("legs")
    vellus = follicle_size("forehead", "vellus")
    # Vogt 2008: terminal bulbs 2-5 mm deep, vellus ones in the reticular dermis (~1 mm)
    assert 2e-3 <= face.bulb_depth_m < legs.bulb_depth_m <= 5e-3
    assert vellus.bulb_depth_m <= 1.2e-3
    # terminal shafts >= 60 um, vellus < 30 um (Vogt 2008)
    assert 2 * face.shaft_radius_m >= 60e-6 > 30e-6 > 2 * vellus.shaft_radius_m
    # Otberg 2004: the forehead is the densest site, the legs the sparsest
    assert vellus.density_per_m2 > face.density_per_m2 > legs.density_per_m2
    assert follicle_size("neck").region == "face"


def test_unknown_site_names_the_choices():
    with pytest.raises(InputError, match="legs"):
        follicle_size("scalp")


def test_a_follicle_inclusion_takes_its_sizes_from_the_site_unless_given():
    size = follicle_size("legs")
    inc = InclusionSpec.model_validate(
        {
            "kind": "follicle",
            "center": ["0 mm", "0 mm"],
            "site": "legs",
            "n": 1.4,
            "mua": "60 1/cm",
            "mus": "200 1/cm",
            "g": 0.9,
        }
    )
    assert inc.radius_m == pytest.approx(size.shaft_radius_m)
    assert inc.bulb_radius_m == pytest.approx(size.bulb_radius_m)
    assert inc.depth_m == pytest.approx(size.bulb_depth_m)
    given = InclusionSpec.model_validate(
        {"kind": "follicle", "center": ["0 mm", "0 mm"], "site": "legs", "depth": "2 mm", "tissue": "blood"}
    )
    assert given.depth_m == pytest.approx(2e-3)
    with pytest.raises(ValueError):
        InclusionSpec.model_validate(
            {"kind": "sphere", "center": ["0 mm", "0 mm", "1 mm"], "radius": "1 um", "site": "legs", "tissue": "blood"}
        )


def test_a_face_follicle_in_a_voxel_scenario():
    scenario = scenario_from_dict(
        {
            "layers": [{"n": 1.4, "mua": "1 1/cm", "mus": "100 1/cm", "g": 0.9, "thickness": "3 mm"}],
            "laser": {"wavelength": "810 nm"},
            "geometry": {"kind": "voxels", "size": ["0.8 mm", "0.8 mm", "3 mm"], "voxel": "20 um"},
            "inclusions": [
                {"name": "follicle", "kind": "follicle", "center": ["0 mm", "0 mm"], "site": "cheek", "tissue": "blood"}
            ],
        }
    )
    from laserskin.transport.voxel_geometry import voxel_volume

    volume = voxel_volume(scenario.layer_stack(), scenario.geometry, scenario.inclusions, scenario.wavelength_m())
    inside = volume.labels == 1
    depth = volume.z_centers_m[np.nonzero(inside.any(axis=(0, 1)))[0]]
    size = follicle_size("cheek")
    # the deepest voxel centre inside lies within two voxels of the bulb's bottom (the axis runs
    # along voxel edges, so the nearest centres are h/sqrt(2) off it)
    bottom = size.bulb_depth_m + size.bulb_radius_m
    assert bottom - 2 * volume.voxel_m < depth.max() <= bottom
