"""The heat-source helper: units required (no silent 10⁴ slip) and a Beer–Lambert slab.

Analytic reference: a pulse of fluence F on a purely absorbing slab (μa, no scattering)
deposits F·μa·e^(−μa z) J/m³ (Beer–Lambert); with a pulse much shorter than the thermal
relaxation of a cell (α τ ≪ dz²) heat does not move during it, so the temperature rise of a
cell is the cell average of that density over ρc. Tolerance 1e-4 relative: conduction during
the 1 µs pulse (α τ μa² ≈ 4e-7) and the time stepping (observed 2e-5 in the surface cell, 2e-7
below); the cells next to the bottom face, held at the initial temperature, are left out.
"""

import math

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.core.units import ureg
from laserskin.grid import RZGrid
from laserskin.thermal import SurfaceBoundary, ThermalMedium, solve_bioheat
from laserskin.thermal.source import pulse_heat_source

MUA = 2000.0  # 1/m (20 1/cm)
RHO, C, K = 1100.0, 3400.0, 0.37
T0 = 310.15


def _beer_lambert_per_fluence(grid):
    """Cell averages of μa e^(−μa z): absorbed J/m³ per J/m² of fluence (1/m), radially uniform."""
    z = grid.z_edges_m
    per_cell = (np.exp(-MUA * z[:-1]) - np.exp(-MUA * z[1:])) / grid.dz_m
    return np.broadcast_to(per_cell, (grid.nr, grid.nz)).copy()


def test_units_are_required():
    absorbed = np.ones((2, 2))
    kwargs = dict(per="J", fluence="10 J/cm^2", spot_diameter="5 mm", pulse_duration="10 ms")
    for field, bare in (("fluence", 10.0), ("spot_diameter", 5.0), ("pulse_duration", 0.01)):
        with pytest.raises(InputError, match=field):
            pulse_heat_source(absorbed, **{**kwargs, field: bare})
    with pytest.raises(InputError, match="fluence"):
        pulse_heat_source(absorbed, **{**kwargs, "fluence": "10 J"})  # an energy is not a fluence
    with pytest.raises(InputError, match="per"):
        pulse_heat_source(absorbed, **{**kwargs, "per": "J/cm^2"})
    with pytest.raises(TypeError):
        pulse_heat_source(absorbed, fluence="10 J/cm^2", spot_diameter="5 mm", pulse_duration="10 ms")  # no per=


def test_the_same_fluence_in_any_unit_gives_the_same_source():
    absorbed = np.full((2, 3), 1e6)
    common = dict(per="J", spot_diameter="5 mm", pulse_duration="10 ms")
    a = pulse_heat_source(absorbed, fluence="10 J/cm^2", **common)
    b = pulse_heat_source(absorbed, fluence="1e5 J/m^2", **common)
    c = pulse_heat_source(absorbed, fluence=ureg.Quantity(100, "mJ/mm^2"), **common)
    assert a.pulse_energy_J == pytest.approx(1e5 * math.pi * 0.0025**2, rel=1e-12)
    assert a.peak_W_per_m3 == pytest.approx(b.peak_W_per_m3, rel=1e-12)
    assert a.peak_W_per_m3 == pytest.approx(c.peak_W_per_m3, rel=1e-12)
    # the 10^4 slip: "10 J/m^2" is a different, explicit input, 10^4 times weaker
    slip = pulse_heat_source(absorbed, fluence="10 J/m^2", **common)
    assert a.peak_W_per_m3 / slip.peak_W_per_m3 == pytest.approx(1e4, rel=1e-12)


def test_per_fluence_and_per_joule_maps_agree():
    grid = RZGrid.uniform(nr=3, dr_m=1e-3, nz=20, dz_m=5e-6)
    per_fluence = _beer_lambert_per_fluence(grid)
    area = math.pi * 0.004**2 / 4
    common = dict(fluence="20 J/cm^2", spot_diameter="4 mm", pulse_duration="1 us")
    a = pulse_heat_source(per_fluence, per="J/m^2", **common)
    b = pulse_heat_source(per_fluence / area, per="J", **common)
    np.testing.assert_allclose(a.source_per_J, b.source_per_J, rtol=1e-12)
    # during the pulse: q = F μa e^(-μa z) / τ (cell averages)
    np.testing.assert_allclose(a.W_per_m3(0.5e-6), 20e4 * per_fluence / 1e-6, rtol=1e-12)
    assert np.all(a.W_per_m3(2e-6) == 0.0)


def test_beer_lambert_slab_heats_as_the_analytic_deposit():
    grid = RZGrid.uniform(nr=3, dr_m=1e-3, nz=200, dz_m=5e-6)
    fluence = 5e4  # J/m^2 = 5 J/cm^2
    source = pulse_heat_source(
        _beer_lambert_per_fluence(grid), per="J/m^2", fluence="5 J/cm^2", spot_diameter="6 mm", pulse_duration="1 us"
    )
    medium = ThermalMedium(grid, K, RHO * C, 0.0)
    result = solve_bioheat(
        medium,
        source.source_per_J,
        source.power,
        SurfaceBoundary.insulated(),
        1e-6,
        initial_temperature_K=T0,
        store_times_s=[1e-6],
        steps_per_pulse=50,
    )
    rise = result.stored(1e-6)[0] - T0
    exact = fluence * _beer_lambert_per_fluence(grid)[0] / (RHO * C)
    inside = grid.z_centers_m < grid.z_max_m - 50e-6  # the bottom face is held at T0 and drains its cell
    np.testing.assert_allclose(rise[inside], exact[inside], rtol=1e-4)
    assert result.energy.deposited_J == pytest.approx(
        source.pulse_energy_J * (1 - math.exp(-MUA * 1e-3)) * (grid.r_max_m**2 / 0.003**2), rel=1e-6
    )
