"""Contact cooling held between the pulses at a spot (``ContactCooling.contact_between_pulses``).

The window held on the spot from the first pulse's pre-cooling to the last pulse's post-cooling is one long contact
phase: a surface held against a window at T_w through a contact conductance h. Without a laser, a uniform
semi-infinite slab at T_0 under such a surface relaxes as (Carslaw & Jaeger 1959, Conduction of Heat in Solids,
§2.7, eq. 1, R; Incropera, Fundamentals of Heat and Mass Transfer, semi-infinite solid with surface convection)

    (T − T_0) / (T_w − T_0) = erfc(η) − exp(h x / k + h² α t / k²) erfc(η + h √(α t) / k),   η = x / (2 √(α t)).
"""

import numpy as np
import pytest
from scipy.special import erfc, erfcx

from laserskin.core.constants import CELSIUS_K
from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.thermal import ContactCooling, Cooling, Schedule, ThermalMedium, solve_bioheat

#: A uniform tissue-like slab (k, ρc of dermis-like tissue, no perfusion: the analytic case has none).
K_W_PER_MK = 0.5
RHO_C_J_PER_M3K = 4.0e6
ALPHA_M2_PER_S = K_W_PER_MK / RHO_C_J_PER_M3K
H_W_PER_M2K = 5000.0
WINDOW_C = 20.0
START_C = 37.0
#: Two 6 s pulses 34 s apart (the spacing of the mobile-technique scenario of tests/validation/test_titan_heating.py).
PULSES_S = ((1.0, 7.0), (41.0, 47.0))
#: Read inside the gap between the pulses, after the first pulse's 0.5 s post-cooling.
READ_AT_S = 30.0
DEPTHS_M = (50e-6, 200e-6, 500e-6, 1e-3, 2e-3)


def _robin_slab(x_m, t_s):
    """Dimensionless (T − T_0) / (T_w − T_0) of the semi-infinite slab with surface convection (module docstring);
    the second term is written with erfcx (exp(a²) erfc(a)) so that it does not overflow."""
    eta = x_m / (2.0 * np.sqrt(ALPHA_M2_PER_S * t_s))
    beta = H_W_PER_M2K * np.sqrt(ALPHA_M2_PER_S * t_s) / K_W_PER_MK
    return erfc(eta) - np.exp(-(eta**2)) * erfcx(eta + beta)


def _surface_run(share):
    """Cell-centre depths (m) and temperatures (°C) at READ_AT_S of the uniform slab, 37 °C at t = 0, under the
    window with the given share of contact between the two pulses (no laser)."""
    grid = RZGrid.graded(r_max_m=1e-3, nr=2, z_max_m=15e-3, dz_surface_m=5e-6, dz_max_m=100e-6, growth=1.1)
    medium = ThermalMedium(grid, K_W_PER_MK, RHO_C_J_PER_M3K, 0.0, core_temperature_K=START_C + CELSIUS_K)
    cooling = ContactCooling(
        window_temperature=f"{WINDOW_C} degC", h=f"{H_W_PER_M2K} W/(m^2*K)", contact_between_pulses=share
    )
    starts, ends = zip(*PULSES_S)
    t_end = ends[-1] + 1.0
    surface = cooling.surface_boundary(starts, ends, t_end)
    result = solve_bioheat(
        medium,
        None,
        Schedule.constant(0.0),
        surface,
        t_end,
        initial_temperature_K=START_C + CELSIUS_K,
        store_times_s=[READ_AT_S],
        max_step_s=0.02,
    )
    return grid.z_centers_m, result.stored(READ_AT_S)[0] - CELSIUS_K


def test_window_held_between_pulses_relaxes_the_slab_like_the_analytic_robin_solution():
    """Held contact (100 %): the slab follows the analytic solution from the start of the pre-cooling (t = 0) on.
    Tolerance 0.1 K of the 17 K between the slab and the window (0.6 %), for the solver's discretisation (5 µm
    surface cells growing by 1.1, steps of at most 20 ms; measured error at most 0.0014 K at the depths read) and
    well inside what a wrong boundary would give: a 50 % share (h halved) leaves the surface 0.48 K warmer, the
    window lifted (0 %, room air after the 0.5 s post-cooling) 11 K warmer."""
    z, held_C = _surface_run(1.0)
    _, lifted_C = _surface_run(0.0)
    for depth in DEPTHS_M:
        j = int(np.argmin(np.abs(z - depth)))
        expected_C = START_C + (WINDOW_C - START_C) * _robin_slab(z[j], READ_AT_S)
        assert held_C[j] == pytest.approx(expected_C, abs=0.1), f"{depth * 1e3:.2f} mm"
    surface = int(np.argmin(z))
    assert lifted_C[surface] > held_C[surface] + 3.0


def test_held_contact_is_one_long_contact_phase():
    """Limit: with the window held, a pulse train's surface boundary is that of one pulse spanning the train
    (the window on the skin from the first pre-cooling to the last post-cooling), whatever the gaps."""
    held = ContactCooling(window_temperature="20 degC", contact_between_pulses="100 %")
    h_train, t_train = held.surface_schedule([1.0, 41.0, 81.0], [7.0, 47.0, 87.0], 100.0)
    h_one, t_one = held.surface_schedule(1.0, 87.0, 100.0)
    times = np.linspace(0.0, 100.0, 2001)
    assert np.array_equal(h_train.value_at(times), h_one.value_at(times))
    assert np.array_equal(t_train.value_at(times), t_one.value_at(times))
    # pulses in any order give the same gaps
    h_shuffled, _ = held.surface_schedule([81.0, 1.0, 41.0], [87.0, 7.0, 47.0], 100.0)
    assert np.array_equal(h_shuffled.value_at(times), h_train.value_at(times))


def test_share_between_pulses_is_the_time_averaged_boundary_and_zero_is_room_air():
    """A share f of contact: h = f h_w + (1 − f) h_air and T = (f h_w T_w + (1 − f) h_air T_air) / h in the gaps
    only (the pre-/post-cooling and the pulse stay full contact); 0 is the room air between the phases."""
    resting_h, resting_T = 10.0, 298.15
    kwargs = {"window_temperature": "20 degC", "h": "5000 W/(m^2*K)"}
    lifted = ContactCooling(**kwargs)
    assert lifted.contact_between_pulses == 0.0
    h, t = lifted.surface_schedule([1.0, 41.0], [7.0, 47.0], 60.0, resting_h, resting_T)
    assert h.value_at(20.0) == resting_h and t.value_at(20.0) == resting_T
    half = Cooling.from_config({"kind": "contact", **kwargs, "contact_between_pulses": "50 %"})
    h, t = half.surface_schedule([1.0, 41.0], [7.0, 47.0], 60.0, resting_h, resting_T)
    h_mean = 0.5 * 5000.0 + 0.5 * resting_h
    assert h.value_at(20.0) == pytest.approx(h_mean)
    assert t.value_at(20.0) == pytest.approx((0.5 * 5000.0 * 293.15 + 0.5 * resting_h * resting_T) / h_mean)
    assert h.value_at(7.2) == 5000.0 and h.value_at(40.5) == 5000.0  # post-/pre-cooling: full contact
    assert h.value_at(48.0) == resting_h  # after the last post-cooling: the handpiece has moved on
    assert h.value_at(0.5) == 5000.0


@pytest.mark.parametrize("value", ["150 %", "-10 %", "1 s"])
def test_bad_share_names_the_field(value):
    with pytest.raises(InputError, match="contact_between_pulses"):
        Cooling.from_config({"kind": "contact", "contact_between_pulses": value})
