"""Arrhenius damage against the closed form and the time-to-Ω=1 table of physics_data.md §4.1."""

import math

import numpy as np
import pytest

from laserskin.damage.arrhenius import (
    arrhenius_omega,
    omega_constant_temperature,
    parameter_set_names,
    time_to_omega,
)

S, MIN, H, D = 1.0, 60.0, 3600.0, 86400.0
MS, US = 1e-3, 1e-6

# docs/reference/physics_data.md §4.1 "Time to Ω = 1 at constant T" (printed value, unit);
# the table's rounding sets the tolerance: half a unit of the last printed digit.
TABLE = {
    "henriques_moritz_1947": {
        44: ("24", H),
        50: ("18", MIN),
        55: ("30", S),
        60: ("0.95", S),
        65: ("33", MS),
        70: ("1.3", MS),
        80: ("2.5", US),
    },
    "weaver_stoll_1969": {
        44: ("1.5", H),
        50: ("20", S),
        55: ("3.2", S),
        60: ("0.53", S),
        65: ("93", MS),
        70: ("17", MS),
        80: ("0.7", MS),
    },
    "takata_1974": {44: ("1.9", H), 50: ("6", MIN), 55: ("8", S), 60: ("0.21", S), 65: ("6", MS), 70: ("0.2", MS)},
    "mehta_wong_dermis": {
        44: ("8", D),
        50: ("8", H),
        55: ("36", MIN),
        60: ("174", S),
        65: ("15", S),
        70: ("1.4", S),
        80: ("15", MS),
    },
    # §4.2: rat-skin collagen, Ω = 1 in 24 s at 70 °C and 1.1 s at 80 °C
    "pearce_2010_rat_skin_collagen": {70: ("24", S), 80: ("1.1", S)},
    # docs/reference/tissue_response_data.md §5 (derived set, D): 44 s at 65 °C, 11 s at 70 °C, 0.78 s at 80 °C
    "jacques2006_dsc_dermal_collagen": {65: ("44", S), 70: ("11", S), 80: ("0.78", S)},
    # docs/collagen.md (from Maitland & Walsh 1997's Ea and A): 12 s at 65 °C, 47 µs at 100 °C
    "maitland_walsh_1997_rat_tail_tendon_collagen": {65: ("12", S), 100: ("47", US)},
}


def _half_ulp(printed: str) -> float:
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0 ** (-decimals)


CASES = [(name, t_c, printed, unit) for name, row in TABLE.items() for t_c, (printed, unit) in row.items()]


@pytest.mark.parametrize("name, t_c, printed, unit", CASES)
def test_time_to_omega_1_matches_table(name, t_c, printed, unit):
    seconds = time_to_omega(t_c + 273.15, 1.0, parameters=name)
    assert abs(seconds / unit - float(printed)) <= _half_ulp(printed) + 1e-12


def test_table_covers_every_shipped_set_but_the_epidermal_mehta_wong():
    assert set(parameter_set_names()) - set(TABLE) == {"mehta_wong_epidermis"}


@pytest.mark.parametrize(
    "name", ["henriques_moritz_1947", "weaver_stoll_1969", "takata_1974", "pearce_2010_rat_skin_collagen"]
)
@pytest.mark.parametrize("method", ["trapezoid", "linear_T"])
def test_sampled_constant_history_equals_closed_form(name, method):
    times = np.linspace(0.0, 2.0, 41)
    temps = np.full((times.size, 3), [55.0 + 273.15, 62.0 + 273.15, 75.0 + 273.15])
    omega = arrhenius_omega(times, temps, parameters=name, method=method)
    expected = omega_constant_temperature(temps[0], 2.0, parameters=name)
    np.testing.assert_allclose(omega, expected, rtol=1e-12)  # both rules are exact for constant T


def test_linear_ramp_against_exponential_integral_reference():
    # Independent reference: for T(t) = T0 + βt and one regime,
    # Ω = (A/β) ∫ e^{-b/T} dT = (A/β) [T E2(b/T)] from T0 to T1  (E2 the generalised exponential
    # integral: d/dT [T E2(b/T)] = e^{-b/T}); evaluated with scipy.special.expn.
    from scipy.special import expn

    from laserskin.damage.arrhenius import get_parameter_set

    ps = get_parameter_set("pearce_2010_rat_skin_collagen")
    a, b = ps.regimes[0].A_per_s, ps.regimes[0].activation_temperature_K
    t0, t1, duration = 330.0, 360.0, 3.0
    beta = (t1 - t0) / duration
    ref = a / beta * (t1 * expn(2, b / t1) - t0 * expn(2, b / t0))
    omega = arrhenius_omega(np.array([0.0, duration]), np.array([t0, t1]), parameters=ps, method="linear_T")
    assert omega == pytest.approx(ref, rel=1e-10)
    # a finely sampled trapezoid converges to the same value (error ∝ Δt²)
    times = np.linspace(0.0, duration, 20001)
    fine = arrhenius_omega(times, t0 + beta * times, parameters=ps, method="trapezoid")
    assert fine == pytest.approx(ref, rel=1e-6)
    assert math.isfinite(ref) and ref > 0
