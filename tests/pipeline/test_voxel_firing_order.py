"""``simulate`` with lattice sites fired in turn (``order``, ``site_interval``) in an escape volume.

Three microbeams 200 um apart on a row (20 um voxels, laterally uniform layers): the Monte Carlo
runs once and is translated (``site_maps = "translated"``); fired 50 ms apart a later zone fires
into tissue its neighbour has warmed, so its peak exceeds that of the zones fired together; the
order must be one of the three and needs a lattice, an escape volume and an interval.
The physics is validated in tests/validation/test_voxel_firing_order.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation


def _scenario(**geometry):
    return {
        "person": {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
        "laser": {
            "wavelength": "1550 nm",
            "pulse_energy": "1.5 mJ",
            "pulse_duration": "3 ms",
            "spot_diameter": "10 mm",
            "profile": "gaussian",
            "fractional": {"microbeam_diameter": "120 um", "mtz_density": "625 1/cm^2"},
        },
        "geometry": {
            "kind": "voxels",
            "size": ["0.8 mm", "0.4 mm", "0.6 mm"],
            "voxel": "20 um",
            "boundary": "escape",
            "lattice": "square",
            "spacing": "200 um",
            **geometry,
        },
        "transport": {"photons": 2000, "seed": 3},
        "heat": {"relaxation": "0.02 s"},
    }


def _run(**geometry):
    return Simulation.from_scenario(scenario_from_dict(_scenario(**geometry))).run().summary


def test_sites_fired_in_turn():
    together = _run(order="raster", site_interval="0 s")
    apart = _run(order="raster", site_interval="50 ms")
    assert together["firing"] == {
        "order": "raster",
        "site_interval_s": 0.0,
        "sites": 3,
        "site_maps": "translated",
        "duration_s": pytest.approx(3e-3),
    }
    assert apart["firing"]["duration_s"] == pytest.approx(0.103)
    # the same light (same seed, one translated run); fired 50 ms apart, a later zone fires into tissue its
    # neighbour has warmed (diffusion length √(4αt) ≈ 160 um ~ the spacing), fired together the neighbour's
    # heat arrives only after the 3 ms pulse (√(4αt) ≈ 40 um): the peak is higher fired in turn
    assert apart["absorbed_fraction_by_region"] == together["absorbed_fraction_by_region"]
    assert apart["peak_temperature_C"] > together["peak_temperature_C"]
    assert "firing" not in _run()


def test_an_inclusion_takes_one_monte_carlo_per_site():
    data = _scenario(order="raster", site_interval="1 ms")
    data["inclusions"] = [
        {
            "name": "vessel",
            "kind": "cylinder",
            "axis": "y",
            "center": ["0.2 mm", "0.3 mm"],
            "radius": "40 um",
            "tissue": "blood",
        }
    ]
    summary = Simulation.from_scenario(scenario_from_dict(data)).run().summary
    assert summary["firing"]["site_maps"] == "per-site"
    assert summary["firing"]["sites"] == 3


def test_a_scan_of_overlapping_full_spots():
    """A non-fractional laser on a lattice: its full spot (200 um) at every site, 160 um apart
    (overlap), fired in turn; the pattern fires five spots, each a whole pulse."""
    data = _scenario(order="raster", site_interval="2 ms", spacing="160 um", size=["1 mm", "0.4 mm", "0.6 mm"])
    data["laser"] = {
        "wavelength": "1064 nm",
        "fluence": "20 J/cm^2",
        "pulse_duration": "1 ms",
        "spot_diameter": "200 um",
        "profile": "flat_top",
    }
    summary = Simulation.from_scenario(scenario_from_dict(data)).run().summary
    assert summary["firing"]["sites"] == 5
    assert summary["firing"]["duration_s"] == pytest.approx(4 * 2e-3 + 1e-3)
    pulse_J = 20e4 * np.pi * 100e-6**2
    fraction = sum(summary["absorbed_fraction_by_region"].values())  # of the reference site's light
    # translated to the outer sites a map can only lose light at the sides (0.967 of five full maps here);
    # the central site's map is the reference run itself, untranslated
    assert summary["absorbed_energy_J"] <= 5 * pulse_J * fraction * (1 + 1e-9)
    assert summary["absorbed_energy_J"] > pulse_J * fraction


@pytest.mark.parametrize(
    "geometry",
    [
        {"order": "spiral", "site_interval": "1 ms"},
        {"order": "raster"},
        {"site_interval": "1 ms"},
        {"order": "raster", "site_interval": "1 ms", "boundary": "periodic"},
    ],
)
def test_a_firing_order_needs_a_lattice_an_escape_volume_and_an_interval(geometry):
    with pytest.raises((ValidationError, ValueError)):
        scenario_from_dict(_scenario(**geometry))
