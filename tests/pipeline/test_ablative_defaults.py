"""QA round 3 (items 2, 7, 18): ablation follows the physics, collagen is dermal, refusals name a value.

Each test failed on main before the fix (values before are in the docstrings).
"""

from __future__ import annotations

import numpy as np

from laserskin.grid import RZGrid
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol


def person():
    return Person(age=52, sex="female", fitzpatrick="III", site="cheek")


def _co2(**extra) -> Laser:
    return Laser(wavelength="10600 nm", fluence="8 J/cm^2", pulse_duration="1 ms", spot_diameter="3 mm", **extra)


def test_collagen_coagulation_below_an_epidermal_floor_counts_only_dermal_cells():
    """CO2 8 J/cm², 1 ms, one pass: the crater floor (25 µm) lies inside the epidermis. The collagen Arrhenius
    set reaches Ω ≥ 1 in epidermal cells below the floor, which hold no collagen; no dermal cell does. Before:
    coagulation_depth_um 8.4 (the epidermal cells); now 0.0, the deepest coagulated dermal cell (none)."""
    simulation = Simulation(person(), _co2(ablative=True), protocol=Protocol(passes=1), progress=None)
    result = simulation.run()
    s, ds = result.summary, result.dataset
    geometry = simulation.geometry()
    floor_m = s["crater_depth_um"] * 1e-6
    assert 0.0 < floor_m < geometry.junction_depth_m  # the case: floor inside the epidermis
    grid = RZGrid(r_edges_m=ds["r_edges"].values, z_edges_m=ds["z_edges"].values)
    z = grid.z_centers_m
    omega = np.nan_to_num(ds["omega_collagen"].values[0], nan=0.0)
    below = z > floor_m
    epidermal = below & (z < geometry.junction_depth_m)
    dermal = below & (z > geometry.junction_depth_m) & (z < geometry.dermis_bottom_m)
    assert (omega[epidermal] >= 1.0).any()  # what was counted before
    assert not (omega[dermal] >= 1.0).any()
    assert s["coagulation_depth_um"] == 0.0
