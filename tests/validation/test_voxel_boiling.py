"""Boiling plateau of the 3-D voxel heat (``solve_voxel_bioheat(..., water_kg_per_m3=...)``).

References: the analytic enthalpy of an insulated, uniformly heated block (no gradients, so
conduction and the time discretisation are exact): T = T0 + E/ρc until E = ρc(T_b − T0),
T = T_b until E = ρc(T_b − T0) + w L, then T = T_b + (E − ρc(T_b − T0) − w L)/ρc, with E the
deposited energy per volume (Vogel & Venugopalan 2003 §V: the plateau of tissue water).
Tolerances: the CG solves (rtol 1e-12) and round-off only.
"""

import numpy as np
import pytest

from laserskin.thermal.enthalpy import phase_change_data
from laserskin.thermal.schedule import Schedule
from laserskin.thermal.voxel_heat import VoxelThermalMedium, solve_voxel_bioheat

WATER = phase_change_data()["water"]
T_B = WATER["boiling_temperature_K"]
LATENT = WATER["latent_heat_J_per_kg"]
RHO_C = 4.0e6  # J/m³/K
T0 = 310.15
W = 700.0  # kg/m³
Q = 1.0e9  # W/m³
H = 10e-6
SHAPE = (3, 3, 3)


def _medium():
    return VoxelThermalMedium(np.zeros(SHAPE, np.uint8), H, [0.5], [RHO_C], [0.0])


def _block(t_end, water, store=(), source=None, rtol=1e-12):
    volume = H**3 * np.prod(SHAPE)
    source = np.full(SHAPE, 1.0 / volume) if source is None else source
    return solve_voxel_bioheat(
        _medium(),
        source,
        Schedule.constant(Q * volume),
        t_end,
        surface_h_W_per_m2K=0.0,
        bottom="insulated",
        initial_temperature_K=T0,
        store_times_s=store,
        max_step_s=0.05,
        rtol=rtol,
        water_kg_per_m3=None if water is None else np.full(SHAPE, water),
    )


def _analytic(t):
    e = Q * t
    onset = RHO_C * (T_B - T0)
    if e < onset:
        return T0 + e / RHO_C
    if e < onset + W * LATENT:
        return T_B
    return T_B + (e - onset - W * LATENT) / RHO_C


def test_insulated_block_holds_the_plateau_then_heats_with_the_dry_slope():
    onset_s = RHO_C * (T_B - T0) / Q
    dry_s = onset_s + W * LATENT / Q
    times = [0.5 * onset_s, 0.3, 1.0, 0.99 * dry_s, 2.0, 2.5]
    result = _block(2.5, W, store=times)
    assert result.reached_boiling
    for t, field in zip(result.stored_times_s, result.stored_temperature_K):
        if onset_s < t < dry_s:
            assert np.all(field == T_B), t  # exactly on the plateau
        else:
            np.testing.assert_allclose(field, _analytic(t), rtol=1e-10, atol=0)
    # after drying the slope is that of the dry rise, q/ρc
    t1, t2 = result.stored_times_s[-2:]
    slope = (result.stored_temperature_K[-1] - result.stored_temperature_K[-2]).mean() / (t2 - t1)
    assert slope == pytest.approx(Q / RHO_C, rel=1e-9)
    assert result.vaporised_water_kg == pytest.approx(W * H**3 * np.prod(SHAPE), rel=1e-12)
    assert np.all(result.water_kg_per_m3 == 0.0)


@pytest.mark.parametrize("uniform", [True, False])
def test_energy_balance_deposited_equals_sensible_plus_latent(uniform):
    source = None
    if not uniform:  # a hot spot in one corner: conduction and partial boiling
        x = np.indices(SHAPE).sum(axis=0).astype(float)
        source = np.exp(-x)
        source /= source.sum() * H**3
    result = _block(1.0, W, source=source)
    assert result.latent_J > 0
    total = result.stored_change_J + result.latent_J
    assert total == pytest.approx(result.deposited_J, rel=1e-9)
    assert result.vaporised_water_kg * LATENT == pytest.approx(result.latent_J, rel=1e-12)


def test_below_boiling_identical_with_and_without_water():
    t_end = 0.2  # 50 K rise: below 100 °C
    linear = _block(t_end, None, rtol=1e-8)
    wet = _block(t_end, W, rtol=1e-8)
    assert not wet.reached_boiling and wet.latent_J == 0.0
    assert np.array_equal(linear.temperature_K, wet.temperature_K)
    assert np.array_equal(linear.peak_temperature_K, wet.peak_temperature_K)
    assert linear.steps == wet.steps and linear.cg_iterations == wet.cg_iterations


# --- the absorption of the tissue left (phase_change given): the r–z enthalpy model's rule ---------------------
#
# Reference (hand integration of the insulated block, no gradients): with the source S scaled by
# f(w) = a_d + (1 − a_d) w/w0 (β = 0), the block heats as above to T_b in t1 = ρc (T_b − T0)/q, then boils
# with L dw/dt = −q f(w), which dries it in t2 = (L w0/q) ln(1/a_d)/(1 − a_d), then heats at a_d q/ρc.
# The solver takes f from the water at the start of each step (explicit, first order in Δt): tolerances
# from the step, stated at each assertion.


def _rule_block(t_end, *, a_d=0.2, beta=0.0, store=(), steps=2000, regime="steady_state", share=1.0):
    from laserskin.thermal.enthalpy import PhaseChangeParameters

    volume = H**3 * np.prod(SHAPE)
    p = PhaseChangeParameters(
        dry_absorption_fraction=a_d,
        absorption_temperature_coefficient_per_K=beta,
        material_removal=False,
        regime=regime,
    )
    return solve_voxel_bioheat(
        _medium(),
        np.full(SHAPE, 1.0 / volume),
        Schedule.pulse_train(np.array([0.0]), np.array([t_end]), np.array([Q * volume])),
        t_end * 1.000001,
        surface_h_W_per_m2K=0.0,
        bottom="insulated",
        initial_temperature_K=T0,
        store_times_s=store,
        steps_per_pulse=steps,
        rtol=1e-12,
        water_kg_per_m3=np.full(SHAPE, W),
        phase_change=p,
        water_absorption_share=np.full(SHAPE, share),
    )


def test_a_dried_block_deposits_the_dry_share_of_its_wet_source():
    a_d = 0.2
    t1 = RHO_C * (T_B - T0) / Q
    t2 = LATENT * W / Q * np.log(1 / a_d) / (1 - a_d)
    t_end = 1.3 * (t1 + t2)
    result = _rule_block(t_end, a_d=a_d, store=[0.5 * t1, t_end * 0.95, t_end])
    assert np.all(result.water_kg_per_m3 == 0.0)
    # before boiling nothing changed: the wet source, exactly
    np.testing.assert_allclose(result.stored_temperature_K[0], T0 + Q * 0.5 * t1 / RHO_C, rtol=1e-10)
    # dry: the slope is a_d of the wet one (a fully dried voxel absorbs a_d of its wet tally), exactly
    (ta, tb), (fa, fb) = result.stored_times_s[1:], result.stored_temperature_K[1:]
    assert float((fb - fa).mean() / (tb - ta)) == pytest.approx(a_d * Q / RHO_C, rel=1e-9)
    # the end temperature: T_b + a_d q (t_end − t1 − t2)/ρc; the explicit lag of f makes the drying last
    # O(Δt) shorter (Δt = t_end/2000 ≈ 1.3e-3 of the drying time), so the temperature above T_b agrees to 1 %
    expected = T_B + a_d * Q * (t_end - t1 - t2) / RHO_C
    assert float(result.temperature_K.mean()) - T_B == pytest.approx(expected - T_B, rel=0.01)
    # ledger: what was deposited is stored or latent; the wet tally's rest was not absorbed (not heat)
    wet = Q * H**3 * np.prod(SHAPE) * t_end
    assert result.deposited_J + result.unabsorbed_J == pytest.approx(wet, rel=1e-9)
    assert result.stored_change_J + result.latent_J == pytest.approx(result.deposited_J, rel=1e-9)
    assert (
        result.unabsorbed_J > (1 - a_d) * (0.3 / 1.3) * wet
    )  # the dry stretch (0.3/1.3 of t_end) alone withholds this


def test_a_block_absorbing_mostly_by_melanin_keeps_the_non_water_share_when_dry():
    """Water's share s_w = 0.3 of the block's μa (a pigmented voxel), a_d = 0.2: drying removes s = 0.3 only, so
    f(w) = d + (1 − d) w/w0 with d = 1 − s_w = 0.7 (not a_d): the hand integration above with a_d → d, and the
    dry slope is 0.7 q/ρc, exactly."""
    d = 0.7
    t1 = RHO_C * (T_B - T0) / Q
    t2 = LATENT * W / Q * np.log(1 / d) / (1 - d)
    t_end = 1.3 * (t1 + t2)
    result = _rule_block(t_end, a_d=0.2, share=1.0 - d, store=[t_end * 0.95, t_end])
    assert np.all(result.water_kg_per_m3 == 0.0)
    (ta, tb), (fa, fb) = result.stored_times_s, result.stored_temperature_K
    assert float((fb - fa).mean() / (tb - ta)) == pytest.approx(d * Q / RHO_C, rel=1e-9)
    expected = T_B + d * Q * (t_end - t1 - t2) / RHO_C  # the explicit lag of f: 1 % as above
    assert float(result.temperature_K.mean()) - T_B == pytest.approx(expected - T_B, rel=0.01)
    wet = Q * H**3 * np.prod(SHAPE) * t_end
    assert result.deposited_J + result.unabsorbed_J == pytest.approx(wet, rel=1e-9)


def test_the_rule_is_the_enthalpy_models_function_per_voxel():
    """With bleaching (β ≠ 0) the factor acts from the first step: the block's first step deposits
    q Δt · tissue_absorption_factor(w0, w0, T0) (the r–z function), not q Δt."""
    from laserskin.thermal.enthalpy import PhaseChangeParameters, tissue_absorption_factor

    beta, a_d, steps = -0.004, 0.2, 10
    t_end = 0.1  # ~25 K: below boiling
    result = _rule_block(t_end, a_d=a_d, beta=beta, steps=steps, store=[t_end / steps])
    p = PhaseChangeParameters(dry_absorption_fraction=a_d, absorption_temperature_coefficient_per_K=beta)
    factor = tissue_absorption_factor(np.array([W]), np.array([W]), np.array([T0]), p)[0]
    assert factor < 1.0
    rise = float(result.stored_temperature_K[0].mean()) - T0
    assert rise == pytest.approx(factor * Q * (t_end / steps) / RHO_C, rel=1e-9)
    assert result.stored_change_J == pytest.approx(result.deposited_J, rel=1e-9)
    wet = Q * H**3 * np.prod(SHAPE) * t_end
    assert result.deposited_J + result.unabsorbed_J == pytest.approx(wet, rel=1e-9)


def test_below_boiling_the_rule_changes_nothing_without_bleaching():
    t_end = 0.2
    plain = _rule_block(t_end, steps=10)
    plain_linear = solve_voxel_bioheat(
        _medium(),
        np.full(SHAPE, 1.0 / (H**3 * np.prod(SHAPE))),
        Schedule.pulse_train(np.array([0.0]), np.array([t_end]), np.array([Q * H**3 * np.prod(SHAPE)])),
        t_end * 1.000001,
        surface_h_W_per_m2K=0.0,
        bottom="insulated",
        initial_temperature_K=T0,
        steps_per_pulse=10,
        rtol=1e-12,
    )
    assert plain.unabsorbed_J == 0.0
    assert np.array_equal(plain.temperature_K, plain_linear.temperature_K)


def test_in_the_blow_off_regime_the_absorption_does_not_follow_dehydration_during_the_pulse():
    """As the r–z model (PhaseChangeParameters.regime "blow_off", ns pulses): the block boils and dries with
    its wet source, as without the rule (the analytic block above, to the CG tolerance)."""
    t_end = 2.5
    result = _rule_block(t_end, regime="blow_off", steps=50)
    assert np.all(result.water_kg_per_m3 == 0.0)
    np.testing.assert_allclose(result.temperature_K, _analytic(t_end), rtol=1e-10, atol=0)
    assert result.unabsorbed_J == 0.0
