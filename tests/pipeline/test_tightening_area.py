"""QA13 #9: the linear and the non-linear stage read the immediate tightening over the same radius.

The non-linear stage averaged the column contraction over the whole r–z grid (r_max, twice the spot radius of a
Monte Carlo grid) where the linear stage averages over the beam's outer radius, so at the onset of vaporisation the
tightening fell by (r_max / r_spot)² = 4 (1450 nm, 6 mm flat top: 61.8 % linear, 15.5 % non-linear by the seed).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import run_nonlinear
from laserskin.pipeline.simulation import Simulation, SimulationSettings
from laserskin.skin import Person
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

#: Seed-to-seed relative standard deviation of ``immediate_tightening_percent`` of the setting below at 20 000
#: photons: 0.060 (seeds 1-10, mean 1.56 %, linear stage; measured 2026-12-01, fix9). The two stages must agree
#: within 2 of it; a read-out over r_max instead of the spot would read about 1/4 (the factor is checked below).
MC_RELATIVE_SD = 0.060
TOLERANCE = 2.0 * MC_RELATIVE_SD


def _simulation() -> Simulation:
    # QA13 #9's person and 1450 nm flat-top spot, at 9 J/cm^2: peak about 84 degC (the linear stage holds, with
    # margin to the onset of vaporisation at any seed) and a tightening well below saturation (~1.6 %, where a
    # change of read-out area shows in full)
    return Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek", laxity=2),
        Laser.from_config(
            {"wavelength": "1450 nm", "fluence": "9 J/cm^2", "pulse_duration": "100 ms", "spot_diameter": "6 mm"}
        ),
        {"kind": "none"},
        Protocol(),
        settings=SimulationSettings(photons=20_000, seed=2),
    )


def test_linear_and_nonlinear_stage_read_the_same_tightening():
    simulation = _simulation()
    linear = simulation.run(grid_warning=False).summary
    assert linear["thermal_model"] == "linear", "the setting must stay below the onset for this comparison"
    # no setting forces the non-linear model: run it directly on the linear run's Monte Carlo source and grid
    _, source, grid = simulation.transport()
    nonlinear = run_nonlinear(simulation, reason="test: below the onset", source_per_J=source, grid=grid).summary
    assert nonlinear["thermal_model"] == "nonlinear"
    dilution = (grid.r_max_m / simulation.beam().outer_radius_m) ** 2
    assert 1.0 / dilution < 1.0 - 2.0 * TOLERANCE  # the test can see the r_max read-out (factor 4 here)
    ratio = nonlinear["immediate_tightening_percent"] / linear["immediate_tightening_percent"]
    assert ratio == pytest.approx(1.0, abs=TOLERANCE)


def test_fractional_rescale_uses_the_area_averaged():
    """A fractional zone's tightening is its contraction integrated over the rings read and spread over the skin
    area per zone: the same at any read-out radius that encloses the zone, also one that ends inside a ring (the
    re-scale by π r² read the linear fractional stage 14 % high at the default Fraxel-type micro-beam)."""
    from laserskin.damage.collagen import collagen_response, readout_area_m2, skin_tightening_percent

    grid = RZGrid.uniform(nr=20, dr_m=20e-6, nz=40, dz_m=50e-6)  # r_max 400 um
    omega = np.zeros((grid.nr, grid.nz))
    zone = grid.r_centers_m < 100e-6
    omega[np.ix_(zone, (grid.z_centers_m > 0.2e-3) & (grid.z_centers_m < 0.5e-3))] = 3.0
    mtz_per_m2 = 0.05 / (math.pi * (50e-6) ** 2)

    def skin(radius_m: float) -> float:
        spot = collagen_response(
            omega, grid, dermis_top_m=0.1e-3, dermis_bottom_m=1.8e-3, spot_radius_m=radius_m
        ).tightening_percent
        return skin_tightening_percent(spot, grid, radius_m, mtz_per_m2)

    inside_a_ring = 145e-6  # rings with centres up to 130 um are read, out to their edge at 140 um
    assert readout_area_m2(grid, inside_a_ring) == pytest.approx(math.pi * (140e-6) ** 2, rel=1e-12)
    assert skin(inside_a_ring) > 0
    assert skin(inside_a_ring) == pytest.approx(skin(grid.r_max_m), rel=1e-12)
    assert skin(120e-6) == pytest.approx(skin(grid.r_max_m), rel=1e-12)


def test_readout_radius_rule():
    from laserskin.damage.collagen import readout_radius_m

    grid = RZGrid.uniform(nr=100, dr_m=60e-6, nz=20, dz_m=100e-6)  # r_max 6 mm
    assert readout_radius_m(grid, 3e-3) == 3e-3  # the beam's outer radius
    assert readout_radius_m(grid, 9e-3) == grid.r_max_m  # clipped to the grid
    assert readout_radius_m(grid, 0.0) == grid.dr_m  # a pencil beam: the axis ring


def test_one_fractional_zone_in_an_open_voxel_volume_is_spread_over_the_area_the_read_out_averaged(monkeypatch):
    """A 1550 nm fractional zone in an open 0.3 × 0.3 × 0.6 mm box of 20 µm voxels (5000 photons, ~1 s CPU): the
    skin's contraction is the zone's read-out × the area of the square columns it averaged (177 × (20 µm)² here)
    × zones per area, as the r–z stages' ``skin_tightening_percent``; before, × π r² (0.16 % less here)."""
    import math

    import numpy as np

    import laserskin.pipeline.voxel as voxel
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    seen = {}
    original = voxel.collagen_response

    def recording(*args, **kwargs):
        response = original(*args, **kwargs)
        seen.update(columns=args[1], radius=kwargs["spot_radius_m"], zone=float(response.tightening_percent))
        return response

    monkeypatch.setattr(voxel, "collagen_response", recording)
    data = {
        "person": {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
        "laser": {
            "wavelength": "1550 nm",
            "pulse_energy": "10 mJ",
            "pulse_duration": "3 ms",
            "spot_diameter": "10 mm",
            "fractional": {"microbeam_diameter": "100 um", "density": "10 %"},
        },
        "cooling": {"kind": "none"},
        "geometry": {"kind": "voxels", "size": ["0.3 mm", "0.3 mm", "0.6 mm"], "voxel": "20 um"},
        "transport": {"seed": 3},
    }
    simulation = Simulation.from_scenario(scenario_from_dict(data), photons=5000, progress=None)
    with pytest.warns(Warning):  # most of the light leaves this small box: the grid-capture warning
        result = simulation.run()
    columns, radius = seen["columns"], seen["radius"]
    averaged = int(np.sum(columns.r_centers_m < radius)) * columns.voxel_m**2
    mtz = float(simulation.laser.mtz_per_m2)
    assert seen["zone"] > 0 and abs(averaged / (math.pi * radius**2) - 1) > 1e-3  # the two rules differ here
    assert result.summary["immediate_tightening_percent"] == pytest.approx(seen["zone"] * averaged * mtz, rel=1e-12)
