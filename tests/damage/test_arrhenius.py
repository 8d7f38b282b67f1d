import numpy as np
import pytest
from scipy.integrate import quad

from laserskin.core import citations
from laserskin.core.errors import InputError
from laserskin.damage.arrhenius import (
    ArrheniusIntegrator,
    arrhenius_omega,
    arrhenius_rate,
    damage_fraction,
    get_parameter_set,
    omega_increment,
    parameter_set_names,
)
from laserskin.grid import RZGrid


def test_every_set_has_source_confidence_and_registered_citation():
    for name in parameter_set_names():
        ps = get_parameter_set(name)
        assert ps.source and ps.confidence in "VRDU"
        assert citations.get(ps.citation_key).text
    assert get_parameter_set("pearce_2010_rat_skin_collagen").confidence == "R"


def test_unknown_set_and_bad_temperature_raise_input_error():
    with pytest.raises(InputError):
        get_parameter_set("no_such_set")
    with pytest.raises(InputError):
        arrhenius_rate(-1.0, parameters="henriques_moritz_1947")
    with pytest.raises(InputError):
        arrhenius_rate(np.nan, parameters="henriques_moritz_1947")
    with pytest.raises(InputError):
        omega_increment(np.array([310.0]), np.array([320.0]), 0.0, parameters="takata_1974")


def test_override_field_keeps_validation():
    ps = get_parameter_set("henriques_moritz_1947", regimes=[{"A": "1e98 1/s", "Ea_over_R": "75000 K"}])
    assert ps.regimes[0].A_per_s == 1e98
    with pytest.raises(ValueError):
        get_parameter_set("henriques_moritz_1947", regimes=[{"A": 1e98, "Ea_over_R": "75000 K"}])  # no unit


@pytest.mark.parametrize("name, owner", [("weaver_stoll_1969", 1), ("takata_1974", 0)])
def test_two_regime_switch_at_50C_as_published(name, owner):
    ps = get_parameter_set(name)
    t_switch = 323.15
    for t, regime in [(t_switch - 0.01, 0), (t_switch + 0.01, 1), (t_switch, owner)]:
        r = ps.regimes[regime]
        assert arrhenius_rate(t, parameters=ps) == pytest.approx(
            r.A_per_s * np.exp(-r.activation_temperature_K / t), rel=1e-12
        )


def test_no_cutoff_below_threshold():
    # 37 °C: tiny but non-zero rate, exactly A exp(-b/T)
    ps = get_parameter_set("henriques_moritz_1947")
    rate = arrhenius_rate(310.15, parameters=ps)
    assert rate > 0
    assert rate == pytest.approx(3.1e98 * np.exp(-6.28e5 / 8.314 / 310.15), rel=1e-12)


def test_damage_fraction():
    assert damage_fraction(1.0) == pytest.approx(1 - np.exp(-1))
    assert damage_fraction(1e-20) == pytest.approx(1e-20)


def test_functional_core_does_not_mutate_inputs():
    times = np.linspace(0, 1, 5)
    temps = np.linspace(320, 340, 10).reshape(5, 2)
    copy_t, copy_T = times.copy(), temps.copy()
    arrhenius_omega(times, temps, parameters="henriques_moritz_1947", method="linear_T")
    omega_increment(temps[0], temps[1], 0.1, parameters="weaver_stoll_1969")
    np.testing.assert_array_equal(times, copy_t)
    np.testing.assert_array_equal(temps, copy_T)


def _pulse(t):
    """Laser heating then relaxation: +40 K linear ramp over 5 ms, then exponential decay (τ 10 ms)."""
    t = np.asarray(t, dtype=float)
    return np.where(t < 5e-3, 310.15 + 40.0 * t / 5e-3, 310.15 + 40.0 * np.exp(-(t - 5e-3) / 10e-3))


def test_integrator_step_rule_converges_second_order_and_beats_trapezoid():
    ps = get_parameter_set("henriques_moritz_1947")
    reference = quad(
        lambda t: arrhenius_rate(_pulse(t), parameters=ps), 0, 0.04, points=[5e-3], epsabs=0, epsrel=1e-12, limit=500
    )[0]
    grid = RZGrid.uniform(nr=1, dr_m=1e-4, nz=1, dz_m=1e-4)
    errors, trap_errors = [], []
    for n in (16, 32, 64, 128):  # 5 ms is always a step edge, as it is for a solver that steps on pulse ends
        edges = np.linspace(0, 0.04, n + 1)
        results = []
        for method in ("linear_T", "trapezoid"):
            integ = ArrheniusIntegrator(grid, {"h": ps}, method=method)
            for a, b in zip(edges[:-1], edges[1:]):
                integ.on_step(b, b - a, np.full((1, 1), _pulse(a)), np.full((1, 1), _pulse(b)))
            results.append(integ.omega("h")[0, 0])
        errors.append(abs(results[0] / reference - 1))
        trap_errors.append(abs(results[1] / reference - 1))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    # linear interpolation of a smooth T(t): error ∝ Δt², so halving Δt divides it by ~4
    assert np.all((ratios[1:] > 3.5) & (ratios[1:] < 4.5)), ratios
    # a priori bound: the chord misses T by ≤ Δt² max|T''| / 8 (T'' ≤ 40 K / (10 ms)² in the decay),
    # which changes ln(rate) by at most (Ea/R)/T² times that
    dt = 0.04 / 128
    bound = ps.regimes[0].activation_temperature_K / 310.15**2 * dt**2 * 40.0 / 10e-3**2 / 8
    assert errors[-1] < bound
    # the trapezoid rule on the rate samples overestimates the exponential rise during the ramp
    assert all(e < t / 10 for e, t in zip(errors, trap_errors)), (errors, trap_errors)


def test_by_layer_integrator_assigns_sets_and_tracks_peak():
    grid = RZGrid.uniform(nr=3, dr_m=1e-4, nz=6, dz_m=20e-6)
    integ = ArrheniusIntegrator.by_layer(
        grid, [40e-6, 100e-6, 1.0], ["henriques_moritz_1947", "pearce_2010_rat_skin_collagen", None]
    )
    t_old = np.full((3, 6), 330.0)
    t_new = np.full((3, 6), 340.0)
    integ.on_step(1e-3, 1e-3, t_old, t_new)
    epi = integ.omega("henriques_moritz_1947")
    col = integ.omega("pearce_2010_rat_skin_collagen")
    assert np.all(np.isfinite(epi[:, :2])) and np.all(np.isnan(epi[:, 2:]))
    assert np.all(np.isfinite(col[:, 2:5])) and np.all(np.isnan(col[:, [0, 1, 5]]))
    combined = integ.combined_omega()
    np.testing.assert_array_equal(combined[:, :2], epi[:, :2])
    assert np.all(np.isnan(combined[:, 5]))
    expected = omega_increment(np.array([330.0]), np.array([340.0]), 1e-3, parameters="henriques_moritz_1947")[0]
    assert epi[0, 0] == pytest.approx(expected)
    np.testing.assert_array_equal(integ.peak_temperature_K, t_new)
    assert integ.time_s == pytest.approx(1e-3)
    with pytest.raises(InputError):
        integ.on_step(2e-3, 1e-3, t_old[:2], t_new[:2])


def test_maitland_walsh_collagen_set_is_consistent_with_its_published_enthalpy_and_entropy():
    """Maitland & Walsh 1997 (Lasers Surg Med 20:310, abstract V): Ea = 89 ± 1 kcal/mol, A = e^(130 ± 1) /s,
    ΔH = 88 ± 1 kcal/mol, ΔS = 197 ± 2 cal/(K mol). Transition-state theory: Ea = ΔH + R T and
    ln A = ln(kB T / h) + 1 + ΔS / R at the experiment's temperature (~60 °C): the stored set must
    reproduce both within the published standard errors."""
    import numpy as np
    from scipy.constants import Boltzmann as BOLTZMANN_J_PER_K
    from scipy.constants import Planck as PLANCK_J_S

    from laserskin.damage.arrhenius import get_parameter_set

    regime = get_parameter_set("maitland_walsh_1997_rat_tail_tendon_collagen").regimes[0]
    r_cal = 1.987204  # cal/(K mol)
    T = 333.15
    ea_kcal = regime.activation_temperature_K * r_cal / 1000.0
    assert abs(ea_kcal - 89.0) <= 1.0
    assert abs((ea_kcal - r_cal * T / 1000.0) - 88.0) <= 1.0  # ΔH = Ea − R T
    ln_a = np.log(regime.A_per_s)
    assert abs(ln_a - 130.0) <= 1.0
    ds = (ln_a - np.log(BOLTZMANN_J_PER_K * T / PLANCK_J_S) - 1.0) * r_cal
    assert abs(ds - 197.0) <= 2.0 * 2  # two standard errors
