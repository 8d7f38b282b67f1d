"""Non-ablative lasers under an intact stratum corneum: tissue boils and dries in place, nothing leaves.

Manstein et al. 2004 (Lasers Surg Med 34:426): the stratum corneum stays intact over the
microthermal zones of a 1500 nm fractional laser, so vapour cannot eject tissue. Reference:
the same run with removal allowed (which ablates), and the energy ledger (to 1e-6).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium
from laserskin.thermal.enthalpy import LATENT_HEAT_WATER_J_PER_KG, FixedSource, PhaseChangeParameters, solve_enthalpy

BOTTOMS = (20e-6, 100e-6, 400e-6, 1.5e-3)


def _run(removal: bool):
    grid = RZGrid.graded(
        r_max_m=1e-3, nr=1, z_max_m=BOTTOMS[-1], dz_surface_m=2e-6, dz_max_m=50e-6, growth=1.08,
        interfaces_m=BOTTOMS[:-1], fine_depth_m=150e-6,
    )  # fmt: skip
    medium = ThermalMedium.from_layers(
        grid, BOTTOMS, [0.24, 0.24, 0.45, 0.45], [1200] * 4, [3590, 3590, 3300, 3300], [0, 0, 0.00125, 0.00125]
    )
    water = np.array([350.0, 750.0, 650.0, 650.0])[grid.layer_index(BOTTOMS)]
    z = grid.z_centers_m[None, :]
    source = np.exp(-z / 100e-6)
    source *= 0.9 / (source * grid.cell_volume_m3).sum()  # 90 % of each joule, 1/e depth 100 µm
    energy_J = 40e4 * math.pi * 1e-6  # 40 J/cm² on the 1 mm radius column, 3 ms
    power = Schedule.pulse_train([0.0], 3e-3, energy_J / 3e-3)
    parameters = PhaseChangeParameters(material_removal=removal)
    return (
        grid,
        water,
        solve_enthalpy(
            medium, water, FixedSource(source), power, SurfaceBoundary.resting_air(), 0.05, parameters=parameters
        ),
    )


def test_intact_surface_dries_in_place_without_removal():
    grid, water, ablating = _run(True)
    assert ablating.removed.any()  # the same light ablates when tissue may leave
    grid, water, result = _run(False)
    assert result.onset_reached and not result.removed.any()
    assert np.all(result.crater_depth_m == 0.0)
    vaporised = result.vaporised_water_kg_per_m3
    assert vaporised.max() > 0.5 * water.max()  # the hottest cells dried
    # the vaporised mass per cell is the water that left it (nothing was ejected as liquid)
    np.testing.assert_allclose(vaporised, water * (1.0 - result.water_fraction), rtol=1e-9, atol=1e-9)
    # the vapour ledger is that mass times latent plus sensible heat from the reference (to round-off)
    e = result.energy
    vapour_kg = float((vaporised * grid.cell_volume_m3).sum())
    assert e.vapour_J >= vapour_kg * LATENT_HEAT_WATER_J_PER_KG
    assert e.ablated_J == pytest.approx(0.0, abs=1e-12 * e.deposited_J)
    assert abs(e.residual_J) < 1e-6 * e.deposited_J
