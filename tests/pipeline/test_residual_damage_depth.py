"""``residual_damage_depth_um``: Henriques Ω ≥ 1 contiguous with the final crater floor (the surface) (QA4 #15).

Before, a non-ablative run that spared the epidermis reported the bottom of the deeper injured band: the README's
1450 nm example (cryogen, 15 J/cm²) gave 480.3 µm under an intact epidermis (Ω 0.064) with
``dermal_injury_depth_um`` [157, 480]. Now the key is 0.0 there, and the same measure below a crater floor.
Synthetic Ω columns (exact expectations: the crossing interpolated with ln Ω linear between cell centres) and one
small r–z run whose own keys must agree with each other.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from laserskin import Laser, Person, Simulation
from laserskin.damage import ablation
from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import residual_damage_depth_m
from laserskin.pipeline.settings import SimulationSettings

DZ = 2e-6
GRID = RZGrid.uniform(nr=1, dr_m=1e-4, nz=10, dz_m=DZ)


def _crossing(i: int, wi: float, wj: float) -> float:
    """ln Ω linear between the centres of cell i (Ω = wi ≥ 1) and i + 1 (Ω = wj < 1): where Ω = 1, m."""
    zi = (i + 0.5) * DZ
    return zi + math.log(wi) / (math.log(wi) - math.log(wj)) * DZ


def test_a_spared_surface_over_an_injured_band_has_no_residual_damage():
    omega = np.array([[0.1, 0.2, 0.5, 3.0, 10.0, 5.0, 2.0, 0.5, 0.1, 0.01]])
    assert residual_damage_depth_m(omega, GRID) == 0.0
    # the band's bottom: what was reported before
    assert ablation.residual_damage_depth(omega, GRID, 0.0) == pytest.approx(_crossing(6, 2.0, 0.5))


def test_the_run_from_the_surface_ends_at_the_first_spared_cell():
    omega = np.array([[50.0, 20.0, 4.0, 0.5, 3.0, 9.0, 2.0, 0.2, 0.1, 0.01]])
    assert residual_damage_depth_m(omega, GRID) == pytest.approx(_crossing(2, 4.0, 0.5), rel=1e-12)


def test_below_a_crater_floor_removed_cells_are_skipped_and_the_measure_is_unchanged_for_a_contiguous_zone():
    floor_m = 3 * DZ  # cells 0-2 removed (NaN)
    omega = np.array([[np.nan, np.nan, np.nan, 80.0, 12.0, 2.0, 0.3, 0.05, 0.01, 0.001]])
    expected = _crossing(5, 2.0, 0.3) - floor_m
    assert residual_damage_depth_m(omega, GRID, floor_m) == pytest.approx(expected, rel=1e-12)
    assert ablation.residual_damage_depth(np.nan_to_num(omega), GRID, floor_m) == pytest.approx(expected, rel=1e-12)
    # the tissue at the floor spared (a cold floor): no residual damage, whatever lies deeper
    cold = np.array([[np.nan, np.nan, np.nan, 0.5, 2.0, 2.0, 0.3, 0.05, 0.01, 0.001]])
    assert residual_damage_depth_m(cold, GRID, floor_m) == 0.0


def test_the_readme_1450_nm_example_reports_no_residual_damage_under_its_spared_epidermis():
    """A small r–z run (4000 packets): the statement compares keys of the same run, so no statistics apply."""
    person = Person(age=52, sex="female", fitzpatrick="III", site="cheek")
    laser = Laser.from_device("smoothbeam_1450", fluence="15 J/cm^2")
    settings = SimulationSettings(photons=4000, seed=1)
    simulation = Simulation(
        person, laser, cooling={"kind": "cryogen", "parallel": True}, settings=settings, progress=None
    )
    s = simulation.run(grid_warning=False).summary
    top, bottom = s["dermal_injury_depth_um"]
    assert s["crater_depth_um"] == 0.0 and s["epidermal_necrosis_depth_um"] == 0.0
    assert top > 100.0 and bottom > top  # spared surface over an injured dermal band
    assert s["residual_damage_depth_um"] == 0.0  # before: the band's bottom (480 µm)
