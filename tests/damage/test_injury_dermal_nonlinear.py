"""QA5 finding 18, non-linear stage: the dermal keys of a Monte Carlo source (``dermal_injury_depth_um``, the
residual damage of the intact surface) read the map integrated from the pooled temperature (``PooledObserver``
over the rows above the dermis bottom), as the epidermal verdict does, not the axis ring."""

from __future__ import annotations

import numpy as np

from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import run_nonlinear
from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser


def _run(hot_columns):
    """Type III cheek, 585 nm 6 J/cm² 1.5 ms 5 mm, 3000 photons (the read-out's axis region: rings 0-2 of 0.5 mm,
    (1.5/2.5)² × 3000 = 1080 photons; ring 0 alone 120); a dermal source 150-250 µm deep: ~4× the rise in
    ``hot_columns`` (Henriques Ω ≫ 1 in 1.5 ms) of the other columns (Ω ≈ 0)."""
    simulation = Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        Laser(wavelength="585 nm", fluence="6 J/cm^2", pulse_duration="1.5 ms", spot_diameter="5 mm"),
        {"kind": "none"},
        settings=SimulationSettings(photons=3000),
        progress=None,
    )
    grid = RZGrid.uniform(nr=6, dr_m=0.5e-3, nz=60, dz_m=10e-6)
    z = grid.z_centers_m
    source = np.zeros((grid.nr, grid.nz))
    band = (z > 150e-6) & (z < 250e-6)
    source[:, band] = 0.5e8  # 1/m³ per J
    source[np.ix_(hot_columns, band)] = 2.0e8
    source[grid.r_centers_m > 2.5e-3, :] = 0.0
    assert list(simulation.readout_rings(grid)[:5]) == [0, 0, 0, 1, 1]
    result = run_nonlinear(simulation, reason="test", source_per_J=source, grid=grid)
    return result.summary, result.dataset["omega_henriques"].values, z


def test_a_hot_axis_ring_makes_no_dermal_band_in_the_nonlinear_stage():
    s, omega, z = _run([0])
    band = (z > 150e-6) & (z < 250e-6)
    assert omega[0, band].min() > 1.0 > omega[1, band].max()  # the case: per cell, Ω ≥ 1 on the axis ring alone
    assert s["dermal_injury_depth_um"] is None  # before: the axis ring's band, ~[150, 250] µm
    assert s["residual_damage_depth_um"] == 0.0


def test_a_hot_axis_region_still_makes_the_band():
    """The whole axis region hot (rings 0-2): its pooled temperature is the hot one."""
    s, omega, _ = _run([0, 1, 2])
    assert s["dermal_injury_depth_um"] is not None
    top, bottom = s["dermal_injury_depth_um"]
    assert 140.0 < top < 160.0 and 240.0 < bottom < 260.0  # the source's rows, crossings within a cell
