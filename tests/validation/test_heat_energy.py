"""Energy balance of the heat solver: deposited laser energy = stored heat + losses.

The deposited energy is computed independently of the solver (source × cell volume ×
∫P dt from the schedule) and the stored heat from the returned fields (Σ ρc V ΔT); only
the boundary and perfusion losses come from the solver's ledger. The issue's tolerance is
0.5 % of the deposited energy; the scheme conserves energy to round-off.
"""

import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.thermal import Cooling, Schedule, SurfaceBoundary, ThermalMedium, solve_bioheat


def skin_case(cooling):
    bottoms = [80e-6, 2e-3, 4e-3]
    grid = RZGrid.graded(
        r_max_m=3e-3,
        nr=60,
        z_max_m=4e-3,
        dz_surface_m=5e-6,
        dz_max_m=50e-6,
        growth=1.08,
        interfaces_m=bottoms[:-1],
        fine_depth_m=150e-6,
    )
    medium = ThermalMedium.jiang2002(grid, bottoms)
    r, z = grid.r_centers_m[:, None], grid.z_centers_m[None, :]
    w, mu = 1.0e-3, 2000.0  # Gaussian 1/e² radius 1 mm, attenuation 20 /cm
    source = 0.8 * 2 / (np.pi * w**2) * np.exp(-2 * r**2 / w**2) * mu * np.exp(-mu * z)
    start, duration = Cooling.from_config(cooling).lead_time_s + 1e-3, 3e-3
    energy = 0.3  # J per pulse (~19 J/cm² peak)
    power = Schedule.pulse_train([start, start + 0.25], duration, energy / duration)
    t_end = start + 0.25 + duration + 0.5
    surface = Cooling.from_config(cooling).surface_boundary(
        [start, start + 0.25], [start + duration, start + 0.25 + duration], t_end
    )
    return grid, medium, source, power, surface, t_end


@pytest.mark.parametrize(
    "cooling",
    [{"kind": "none"}, {"kind": "cryogen", "film_residence": "100 ms"}, {"kind": "contact", "precool": "0.2 s"}],
)
def test_deposited_equals_stored_plus_losses(cooling):
    grid, medium, source, power, surface, t_end = skin_case(cooling)
    result = solve_bioheat(medium, source, power, surface, t_end)
    deposited = float(np.sum(source * grid.cell_volume_m3)) * power.integral(0.0, t_end)
    capacity = medium.volumetric_heat_capacity_J_per_m3K * grid.cell_volume_m3
    stored = float(np.sum(capacity * (result.final_temperature_K - result.initial_temperature_K)))
    ledger = result.energy
    assert ledger.deposited_J == pytest.approx(deposited, rel=1e-9)
    assert stored == pytest.approx(ledger.stored_change_J, rel=1e-9)
    balance = stored + ledger.surface_loss_J + ledger.deep_loss_J + ledger.perfusion_loss_J
    assert balance == pytest.approx(deposited, rel=5e-3)
    # active cooling draws more heat through the surface than resting air does
    if cooling["kind"] != "none":
        resting = SurfaceBoundary.resting_air()
        uncooled = solve_bioheat(medium, source, power, resting, t_end)
        assert ledger.surface_loss_J > uncooled.energy.surface_loss_J > 0


def test_insulated_medium_stores_everything():
    """No surface exchange, no perfusion, far deep boundary: all deposited heat stays in the tissue."""
    grid = RZGrid.graded(
        r_max_m=2e-3, nr=40, z_max_m=3e-3, dz_surface_m=5e-6, dz_max_m=50e-6, growth=1.08, fine_depth_m=150e-6
    )
    medium = ThermalMedium(grid, 0.45, 3.96e6, 0.0)
    r, z = grid.r_centers_m[:, None], grid.z_centers_m[None, :]
    source = 2 / (np.pi * 0.5e-3**2) * np.exp(-2 * r**2 / 0.5e-3**2) * 5000 * np.exp(-5000 * z)
    power = Schedule.pulse_train(0.0, 2e-3, 50.0)
    result = solve_bioheat(medium, source, power, SurfaceBoundary.insulated(), 0.2, initial_temperature_K=310.15)
    deposited = float(np.sum(source * grid.cell_volume_m3)) * 0.1
    stored = float(
        np.sum(medium.volumetric_heat_capacity_J_per_m3K * grid.cell_volume_m3 * (result.final_temperature_K - 310.15))
    )
    assert result.energy.surface_loss_J == 0.0
    assert abs(result.energy.deep_loss_J) < 1e-6 * deposited
    assert stored == pytest.approx(deposited, rel=5e-3)
