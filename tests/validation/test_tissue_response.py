"""Tissue above 100 °C against published measurements (issue 9).

Each test states the published value, its source and tag (docs/reference/tissue_response_data.md)
and uses the published spread as its tolerance. Where the model is known to fall outside the
spread the test is an ``xfail(strict=True)`` that states the model's value: it documents the
gap and turns red the day the model moves into the published range.
"""

from __future__ import annotations

import copy

import pytest

from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol


def person():
    return Person(age=50, sex="female", fitzpatrick="II", site="cheek")


def er_yag(fluence, duration="250 us", **kw):
    return Laser(
        wavelength="2940 nm",
        fluence=f"{fluence} J/cm^2",
        pulse_duration=duration,
        spot_diameter="5 mm",
        profile="flat_top",
        ablative=True,
        **({"repetition_rate": "1 Hz"} | kw),
    )


def co2(fluence, duration="0.8 ms", **kw):
    return Laser(
        wavelength="10600 nm",
        fluence=f"{fluence} J/cm^2",
        pulse_duration=duration,
        spot_diameter="3 mm",
        profile="flat_top",
        ablative=True,
        repetition_rate="10 Hz",
        **kw,
    )


def simulate(laser, passes=1):
    """The run's summary, computed now (for a run under a ``monkeypatch``, which :func:`run` must not share)."""
    protocol = Protocol(passes=passes) if passes > 1 else None
    return Simulation(person(), laser, protocol=protocol).run().summary


#: Summaries of :func:`run`, by the laser's fields and the passes.
_SUMMARIES: dict[tuple[str, int], dict] = {}


def run(laser, passes=1):
    """:func:`simulate`, once per module for the same laser and passes: several tests read one run (Er:YAG 5 J/cm² at
    200 µs in three tests; 10 J/cm² at 250 µs, the 10-pulse 10 Hz train, CO2 12 J/cm² at 1 ms, 5 J/cm² at 0.5 and 5 ms
    and 7 J/cm² x 3 passes in two each). A run is deterministic in its inputs (same person, laser, protocol, default
    photons and seed), so a second one reads the same numbers; each caller gets its own copy."""
    key = (laser.model_dump_json(), passes)
    if key not in _SUMMARIES:
        _SUMMARIES[key] = simulate(laser, passes)
    return copy.deepcopy(_SUMMARIES[key])


# --- Er:YAG ----------------------------------------------------------------------------------
def test_er_yag_depth_at_10_J_per_cm2():
    """10 J/cm², one pulse: 40 µm at 1 Hz (Kaufmann & Hibst 1996, V) to ≈ 60 µm (≈ 6 µm per J/cm² at high
    radiant exposure, Lasers Med Sci doi:10.1007/BF02042461, V): the spread 40–60 µm."""
    depth = run(er_yag(10))["crater_depth_um"]
    assert 40.0 <= depth <= 60.0


def test_er_yag_ablation_threshold_calibration():
    """Calibration check (not a validation): the effective absorption of the ablating tissue water at 2.94 µm
    (``water_3um_band`` of tissue_phase_change.toml, g(T_b) = 0.1375 on the water share of the absorption) is the one
    number set so that the first crater of a 250 µs, 5 mm flat-top pulse appears at ≈ 1.35 J/cm², the centre of the
    published threshold spread on human skin, 1–1.7 J/cm² (R: Hohenleutner et al. 1997 ≈ 1.5–1.7; Walsh & Deutsch
    1989 ≈ 1.5). The spread is the tolerance: no crater at 1 J/cm², a crater at 1.7 J/cm² (model: first crater at
    1.35 J/cm², 0.56 µm; none at 1.34)."""
    assert run(er_yag(1.0))["crater_depth_um"] == 0.0
    assert run(er_yag(1.7))["crater_depth_um"] > 0.0


def test_er_yag_depth_per_fluence_above_threshold():
    """Held out from the threshold calibration: depth per J/cm² well above threshold, 10 → 20 J/cm². Published
    2–4 µm per J/cm² (clinical rule, R: Hohenleutner 1997 and reviews) to ≈ 6 µm per J/cm² "for high radiant
    exposure" (V abstract, Lasers Med Sci doi:10.1007/BF02042461): the spread 2–6 µm per J/cm² (model: 5.3; 4.8 before
    the bleaching acted on the water share only)."""
    slope = (run(er_yag(20))["crater_depth_um"] - run(er_yag(10))["crater_depth_um"]) / 10.0
    assert 2.0 <= slope <= 6.0


@pytest.mark.parametrize("duration", ["200 us", "250 us"])
def test_er_yag_free_running_residual_damage_below_the_floor(duration):
    """Held out from the threshold calibration: one free-running pulse of 5 J/cm² leaves 10–50 µm of residual
    thermal damage — Walsh, Flotte & Deutsch 1989 (V): "typically 10–50 µm" for 200 µs normal-spiking pulses;
    Khatri 2001 (V abstract, 5 J/cm², 250–700 µs on facial skin): at most 50 µm. Read below the full-field floor
    (model: 14.0 µm at 200 µs, 14.2 µm at 250 µs; 11.7 / 11.8 µm while g also bleached the dry matter, 5.9 / 6.0 µm
    before the threshold calibration)."""
    rtd = run(er_yag(5, duration))["residual_damage_depth_um"]
    assert 10.0 <= rtd <= 50.0


# QA7 #6: the floor read-out over the fluence range of issue 9 ("Er:YAG 90 ns–10 ms, up to 80 J/cm²"). Model, one
# 200 µs pulse on the 5 mm flat top (residual_damage_depth_um, crater_depth_um in brackets): 19.3 (0) / 18.3 (6.5) /
# 14.0 (25.2) / 12.6 (49.9) / 10.5 (102.7) / 8.0 (203.4) / 5.7 (411.2) µm at 1 / 2 / 5 / 10 / 20 / 40 / 80 J/cm².
_ER_YAG_FLOOR_TREND = (
    "the same cause as the wall gap (docs/tissue_physics.md, Known limits): a faster front leaves a thinner hot "
    "layer — the crater front recedes at ≈ 0.13 m/s at 5 J/cm² and ≈ 2 m/s at 80 J/cm² (diffusion length κ/v ≈ 1 "
    "→ 0.07 µm), so the heated layer under the floor is about one optical depth and the floor's dwell near 100 °C "
    "shortens; the heat behind Walsh's growing damage (liquefied tissue left in the cut, Zweig et al. 1990; debris, "
    "the plume) is not in the model"
)


@pytest.mark.parametrize(
    ("fluence", "upper_um"),
    [
        pytest.param(
            40,
            50.0,
            marks=pytest.mark.xfail(
                strict=True, raises=AssertionError, reason=f"model: 8.0 µm (crater 203 µm); {_ER_YAG_FLOOR_TREND}"
            ),
        ),
        pytest.param(
            80,
            100.0,
            marks=pytest.mark.xfail(
                strict=True, raises=AssertionError, reason=f"model: 5.7 µm (crater 411 µm); {_ER_YAG_FLOOR_TREND}"
            ),
        ),
    ],
)
def test_er_yag_free_running_residual_damage_at_high_fluence(fluence, upper_um):
    """One 200 µs pulse at 40 and 80 J/cm², read below the full-field floor: Walsh, Flotte & Deutsch 1989 (V;
    physics_data.md §7.2): "typically 10–50 µm" for 200 µs normal-spiking pulses, "up to 100 µm at 80 J/cm²". The
    published spread is the tolerance: 10–50 µm at 40 J/cm², 10–100 µm at 80 J/cm² (QA7 #6)."""
    rtd = run(er_yag(fluence, "200 us"))["residual_damage_depth_um"]
    assert 10.0 <= rtd <= upper_um


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: the floor damage falls with fluence, 14.0 µm at 5 J/cm² → 5.7 µm at 80 J/cm² (19.3 µm at 1 J/cm², "
    f"falling at every step measured); {_ER_YAG_FLOOR_TREND}",
)
def test_er_yag_free_running_residual_damage_grows_with_fluence():
    """Walsh, Flotte & Deutsch 1989 (V): 10–50 µm typically, "up to 100 µm at 80 J/cm²" — the damage grows with
    fluence. Tolerance: the direction only, 80 against 5 J/cm² (200 µs; the abstract gives no curve)."""
    assert run(er_yag(80, "200 us"))["residual_damage_depth_um"] > run(er_yag(5, "200 us"))["residual_damage_depth_um"]


@pytest.mark.parametrize("duration", ["250 us", "700 us"])
def test_er_yag_residual_damage_after_six_passes(duration):
    """Khatri 2001 (V abstract; doi:10.1046/j.1524-4725.2001.00111.x): 5 J/cm² at 250, 350 and 700 µs, 6–16 passes
    on preauricular skin, "the maximum depth of RTD was 50 µm" — the bound is the tolerance (model, 6 passes at
    1 Hz: 16.7 µm at 250 µs, 18.2 µm at 700 µs)."""
    laser = er_yag(5, duration)
    assert 0.0 < run(laser, passes=6)["residual_damage_depth_um"] <= 50.0


def test_er_yag_q_switched_damage_below_the_floor():
    """90 ns (Q-switched), 5 J/cm²: "typically 5–10 µm of damage in all tissues" (Walsh, Flotte & Deutsch 1989, V
    abstract), read below the full-field floor (the wall of the focused geometry is the xfail below). The spread is
    the tolerance (model: 9.6 µm — the bleaching bound is Vodopyanov's 10×, and the dry matter does not bleach; 6.5 µm
    with the bound at 30 % on the whole absorption, 4.75 µm before the threshold calibration of the 3 µm band)."""
    assert 5.0 <= run(er_yag(5, "90 ns"))["residual_damage_depth_um"] <= 10.0


def test_er_yag_residual_damage_grows_with_pulse_duration():
    """Walsh, Flotte & Deutsch 1989 (V): Q-switched 90 ns pulses leave less damage than 200 µs pulses; longer
    (ms) pulses more still (coagulating Er:YAG modes, StatPearls V). Read below a full-field floor (the ordering,
    not Walsh's wall values: at the wall of the focused geometry below both 90 ns and 200 µs leave about one 2 µm
    ring, 7.2 and 3.9 µm, so the ordering is not resolved there). All three at 5 J/cm² (the 10 ms pulse was read at
    10 J/cm² until session 14, QA13 #5: 24.1 µm; the model's floor damage falls with fluence). Model: 9.6 < 14.0 <
    26.7 µm (craters 23.6 µm for the 10 ms pulse)."""
    q_switched = run(er_yag(5, "90 ns"))["residual_damage_depth_um"]
    free_running = run(er_yag(5, "200 us"))["residual_damage_depth_um"]
    long = run(er_yag(5, "10 ms"))["residual_damage_depth_um"]
    assert q_switched < free_running < long
    assert free_running <= 50.0  # upper end of the 10–50 µm spread (Walsh 1989)


def er_yag_focused(fluence, duration):
    """The geometry of incisions (Walsh, Flotte & Deutsch 1989): a focused Gaussian spot, several pulses on one
    site, so that a hole with walls forms. Walsh's spot size and pulse count were not retrieved (only the abstract
    and introduction were readable): 0.2 mm 1/e² diameter, 3 pulses at 2 Hz (R, a focused laboratory spot) — the
    walls are resolved on 2 µm rings (pipeline.ablative.FOCUSED_RING_M)."""
    return Laser(
        wavelength="2940 nm",
        fluence=f"{fluence} J/cm^2",
        pulse_duration=duration,
        spot_diameter="0.2 mm",
        profile="gaussian",
        ablative=True,
        repetition_rate="2 Hz",
        pulses=3,
    )


@pytest.mark.slow
def test_er_yag_q_switched_wall_damage():
    """90 ns, 5 J/cm²: "typically 5–10 µm of damage in all tissues" (Walsh, Flotte & Deutsch 1989, V), read at
    the incision wall — the published spread is the tolerance. Model: 7.2 µm normal to the wall at mid-depth, 10.5 µm
    below the floor on the axis, crater 54.5 µm after 3 pulses. Was a strict xfail (2.35 µm) until the bleaching of
    the 3 µm band acted on the water share only, bounded at Vodopyanov's 10× (superheated water bleaches further, so
    the layer a ns pulse heats is thicker); held out from the threshold calibration."""
    wall = run(er_yag_focused(5, "90 ns"))["residual_damage_wall_um"]
    assert 5.0 <= wall <= 10.0


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: 3.9 µm normal to the wall at mid-depth (two 2 µm rings), 10.8 µm below the floor on the axis, "
    "crater 330 µm after 3 pulses: the beam's edge grazes a steep wall, deposits little per area and the front "
    "recedes faster than heat diffuses; the wall damage Walsh saw needs heat the model lacks (Zweig et al. 1990: "
    "liquefied tissue left in the cut)",
)
def test_er_yag_free_running_wall_damage():
    """200 µs (normal spiking), 10 J/cm²: "typically 10–50 µm of collagen damage at the smooth wall of the
    incisions" (Walsh, Flotte & Deutsch 1989, V) — like with like: the model's damage normal to the wall of the
    hole at half its depth (``residual_damage_wall_um``); the published spread is the tolerance."""
    wall = run(er_yag_focused(10, "200 us"))["residual_damage_wall_um"]
    assert 10.0 <= wall <= 50.0


def test_er_yag_floor_damage_at_high_repetition_rate():
    """Full-field floor (pig skin in vitro, Kaufmann & Hibst 1996, V abstract): thermal necrosis "does not exceed
    50 µm" even at high repetition rates — here 10 pulses at 10 Hz, 10 J/cm², 250 µs. Only the upper bound is
    published (the Lasers Med Sci abstract doi:10.1007/BF02042461 reports no significant effect of the laser
    parameters on the floor damage, without numbers). Model: 17.2 µm."""
    laser = er_yag(10, repetition_rate="10 Hz", pulses=10)
    floor = run(laser)["residual_damage_depth_um"]
    assert 0.0 < floor <= 50.0


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: 10 pulses of 10 J/cm² remove 542 µm at 1 Hz and 549 µm at 10 Hz (54-55 µm per pulse at both; "
    "published ≈ 40 and ≈ 10 µm): nothing in the model makes a later pulse less efficient — the heat and "
    "desiccation a pulse leaves make the next one slightly cheaper, as in the CO2 per-pass gap; what makes a "
    "desiccated layer, debris or the plume resist ablation at 10 Hz is not sourced. Measured and not separating the "
    "rates: rehydration by water diffusion (564 vs 567 µm), heat accumulation (floor 43.8 vs 39.8 °C at pulse 10), "
    "dry absorption 0.17-0.37, pyrolysis at 600 °C (556 vs 560 µm) - measured before the bleaching acted on the "
    "water share only. The TARGET IS CONTESTED: Walsh & Cummings 1990 (Proc SPIE 1202, V abstract; Er:YSGG on skin) "
    "found the cutting rate similar at 5-30 Hz (only 2 Hz higher, put down to the beam profile), so a model without a "
    "rate effect agrees with that source",
)
def test_er_yag_depth_per_pulse_falls_with_repetition_rate():
    """Kaufmann & Hibst 1996 (V abstract; pig skin in vitro, 10 J/cm²): the depth per pulse falls from ≈ 40 µm at
    1 Hz to ≈ 10 µm at 10 Hz ("ablation efficiency ... falls with repetition rate"). Tolerance: only the direction,
    at least a halving (the published ratio is ≈ 4)."""
    slow = run(er_yag(10, pulses=10))["crater_depth_um"]
    fast = run(er_yag(10, repetition_rate="10 Hz", pulses=10))["crater_depth_um"]
    assert fast <= 0.5 * slow


# --- CO2 -------------------------------------------------------------------------------------
def test_co2_ablation_threshold_near_5_J_per_cm2():
    """ "Energy densities of approximately 5 J/cm² must be applied in order to achieve tissue ablation" (V,
    secondary: skin-disease-care.com CO2 chapter). Spread taken as 4–6 J/cm²."""
    assert run(co2(4))["crater_depth_um"] == 0.0
    assert run(co2(6))["crater_depth_um"] > 0.0


def test_co2_depth_at_a_clinical_ultrapulse_setting():
    """UltraPulse-type single pass, 500 mJ into a 2.25 mm spot ≈ 12.6 J/cm², 1 ms: 20–30 µm per pass "at clinical
    settings" (V, secondary: skin-disease-care.com); the steady-state estimate from the ≈ 5 J/cm² threshold and the
    pulsed-CO2 heat of ablation 2.5–3 kJ/cm³ (Walsh & Deutsch 1988, R), (12 − 5) / h = 23–28 µm, lies inside. Here
    12 J/cm² on the 3 mm flat top; the published 20–30 µm is the tolerance (model: 21 µm). Replaces the check at the
    preset's 7 J/cm² (U), where the threshold and the heat of ablation give (7 − 5) / 2.5–3 kJ/cm³ = 7–8 µm, not 20–30
    (model 6.5 µm; 21 µm before QA7 #2, whose slope between 5 and 7 J/cm² was 8.5 µm per J/cm²)."""
    assert 20.0 <= run(co2(12, "1 ms"))["crater_depth_um"] <= 30.0


def test_co2_depth_per_fluence_above_threshold():
    """Steady-state ablation removes (F − F_th) / h_abl, so the slope above threshold is 1 / h_abl: pulsed CO2 on
    skin 2.5–3 kJ/cm³ (Walsh & Deutsch 1988, R; physics_data.md §7.2) → 3.3–4.0 µm per J/cm², 12 → 20 J/cm², 1 ms.
    The published range of h is the tolerance (the crater is read on cells of ≤ 2 µm: ≤ 0.25 µm per J/cm²). Model:
    3.69 (21 → 50.5 µm; 5.5 before the removal enthalpy of QA7 #2)."""
    slope = (run(co2(20, "1 ms"))["crater_depth_um"] - run(co2(12, "1 ms"))["crater_depth_um"]) / 8.0
    assert 3.3 <= slope <= 4.0


def test_co2_longer_pulses_leave_more_damage():
    """CO2 0.25–10 ms on pig skin: pulses > 1 ms raise the residual damage (Ross et al. 1996, V abstract).
    Tolerance: the direction only (the abstract gives no magnitude)."""
    short, long = run(co2(5, "0.5 ms")), run(co2(5, "5 ms"))
    assert long["residual_damage_depth_um"] > short["residual_damage_depth_um"]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model (with the removal enthalpy of QA7 #2): no crater at 5 J/cm² for 0.5 and 5 ms alike (first crater "
    "5.2 J/cm² at 0.8 ms; 6 J/cm²: 4 µm at both; 12 J/cm²: 21 / 21 / 19 µm at 0.1 / 1 / 10 ms). Before it: the crater at"
    " 5 J/cm² was 4 µm for 0.5 and 5 ms alike (first crater at 4.7 J/cm² at 0.25 and"
    " 0.5 ms, 4.8 at 5 and 20 ms, 5.2 at 50 ms: 2 µm cells; 7 J/cm²: 21 µm from 0.1 to 10 ms): a floor cell leaves "
    "once its water is vaporised, at the boiling plateau with boiling tissue beneath, so only the sensible share ρc "
    "(T_b − T0) ≈ 0.23 of ≈ 1.7 kJ/cm³ can diffuse away, and conduction is drawn from the boiling layer below, not "
    "from the floor. Measured on 0.5 µm cells: first crater 4.6 / 4.7 / 4.7 / 4.9 J/cm² at 0.25 / 0.5 / 5 / 20 ms; at"
    " 4.8 J/cm² 2.5 vs 2.0 µm (0.5 vs 5 ms), at 5.0 4.5 vs 4.5 µm, at 5.2 6.0 vs 7.0 µm (reversed). Ross's direction "
    "needs a removal enthalpy that is mostly sensible heat above T_b (explosive removal of a matrix that fails before"
    " its water is gone: Vogel & Venugopalan 2003 §V.E, R), whose ablation temperature or failure criterion was not "
    "found with a number. Scratch overrides, not adopted: removal at half the water vaporised gives 31 vs 29 µm (0.5 "
    "vs 5 ms) but a crater of 9 µm at 3 J/cm² and 48.5 µm at 7 J/cm² (threshold and first-pass tests fail); dried "
    "floor cells held until 120 / 150 / 200 / ≥ 300 °C give no crater at 5 J/cm² for either duration (≥ 300 °C: none "
    "up to 7 J/cm²; a dry 2 µm cell loses its heat to the boiling layer in ≈ 30 µs)",
)
def test_co2_threshold_rises_for_pulses_over_1_ms():
    """Ross et al. 1996 (V abstract): CO2 pulses longer than 1 ms raise the ablation threshold. Tolerance: the
    direction only — at 5 J/cm², just above the 0.5 ms threshold, a 5 ms pulse removes less."""
    assert run(co2(5, "5 ms"))["crater_depth_um"] < run(co2(5, "0.5 ms"))["crater_depth_um"]


def test_co2_residual_damage_after_three_passes():
    """UltraPulse-type resurfacing, 3 passes: 50–150 µm of residual thermal damage (R: Fitzpatrick et al. 1996;
    Ross et al. 1996) — the R spread is the tolerance."""
    assert 50.0 <= run(co2(7), passes=3)["residual_damage_depth_um"] <= 150.0


@pytest.mark.xfail(
    strict=True,
    reason="model: the ablation per pass does not fall: 6.5, 14.5, 19.5 µm at 7 J/cm² with the removal enthalpy of "
    "QA7 #2 (12 J/cm², 1 ms: 21, 37.5, 36 µm). Before it (21, 29.5, 30 µm; all numbers below): pass 1 leaves a 37 µm"
    " partly dried layer below its floor; pass 2 carbonises its desiccated 14 µm (< 50 % water left) at 300 °C for ≈ "
    "0.2 kJ/cm³, a tenth of what boiling wet tissue costs, and boils the partly dried rest cheaply. The char-removal "
    "temperature is unsourced and the response threshold-like (1000 °C: 21, 10, 19.5 µm; 1500 °C: 21, 0, 8 µm); the "
    "enthalpy of removing a desiccated matrix is not sourced. A heating-rate-shifted pyrolysis temperature (400-600 "
    "°C) gives 21, 27.5, 28-30 µm; rehydration between passes gives 21, 12, 13.5 µm but by re-wetting the tissue, "
    "contrary to the published mechanism and to the desiccation that persists over passes. Also measured (scratch "
    "overrides): every dried floor cell held until 120 / 150 °C: 21, 27.5, 32 / 19, 29.5, 30 µm; removal at half the "
    "water vaporised: 48.5, 54, 56 µm. The sources found (Choi et al. 1999, surface ≈ 400 °C and char over passes; "
    "Plast Reconstr Surg 1997, injury depth limited by progressive desiccation; Yuksel 2001, debris) give the "
    "direction, no number for the energy or optics of the desiccated/char layer",
)
def test_co2_ablation_per_pass_falls():
    """Residual necrosis accumulates so ablation per pass falls, plateau ≈ 100 µm (V, secondary)."""
    per_pass = run(co2(7), passes=3)["crater_depth_per_pass_um"]
    assert per_pass[2] < per_pass[0]


# --- fractional CO2 ----------------------------------------------------------------------------
def test_fractional_co2_mtz_depth_at_15_mJ_calibration():
    """Calibration check (not a validation): the wall-spread angle of tissue_phase_change.toml is set so that
    15 mJ gives the facial MTZ depth of Bailey et al. (V): face 415 µm, abdomen 582 µm; allowed ± 10 %."""
    depth = run(Laser.from_device("co2_fractional", pulse_energy="15 mJ"))["mtz_depth_um"]
    assert 0.9 * 415.0 <= depth <= 1.1 * 415.0


def test_fractional_co2_mtz_grows_with_energy():
    """120 µm spot on human forearm, 5 → 30 mJ: "a greater than threefold increase in lesion depth and twofold increase
    in width", the lesion assessed on H&E — columns of thermal coagulation around tapering ablative zones (Hantash et
    al. 2007 Lasers Surg Med 39:96, V abstract). Compared like for like (QA4 #25): the H&E read-out is the ablated
    column with its coagulated collagen (``mtz_coagulation_*``), on the study's site. Width ratio 1.6–2.4 (the
    "twofold" ± 20 %; the simulation–histology spread of Marqa & Mordon 2014 is 12 ± 2 %).

    Model (session 22: the wall light a cone, absorbed across rings): 179 → 544 µm (× 3.04) and 105 → 180 µm (× 1.71;
    the widths move by whole 15-µm rings). The necrosis zone (``mtz_*``, a viability read-out Hantash did not use)
    grows 231 → 590 µm (× 2.55) and 135 → 225 µm (× 1.67). Until session 22 the test read the necrosis zone on the
    cheek and was a strict xfail: 236 → 554 µm (× 2.3), 135 → 195 µm (× 1.44), and the H&E read-out × 2.7 / × 1.71
    (the spread exponential in depth at 0.133 rad; at 0.2 rad, before the CO2 removal enthalpy of QA7 #2, 260 → 501
    µm; a diffraction-limited Gaussian beam drilled × 3.55 but reached 1082 µm at 15 mJ against Bailey's 415)."""
    forearm = Person(age=50, sex="female", fitzpatrick="II", site="forearm")
    low, high = (
        Simulation(forearm, Laser.from_device("co2_fractional", pulse_energy=f"{energy} mJ")).run().summary
        for energy in (5, 30)
    )
    assert high["mtz_coagulation_depth_um"] > 3.0 * low["mtz_coagulation_depth_um"]
    assert 1.6 <= high["mtz_coagulation_width_um"] / low["mtz_coagulation_width_um"] <= 2.4


# --- non-ablative fractional 1550 nm -------------------------------------------------------------
def nafl(energy_mJ):
    """Fraxel-type 1550 nm micro-beam (the fraxel_1550 preset: 100 µm 1/e², 3 ms) on type II cheek."""
    return run(Laser.from_device("fraxel_1550", pulse_energy=f"{energy_mJ} mJ"))


def test_nafl_mtz_at_10_mJ():
    """10 mJ: MTZ ≈ 0.4 mm deep and 100–150 µm wide (R: Laubach et al. 2006 Lasers Surg Med 38:142; Bedi et al. 2007
    Lasers Surg Med 39:145, ``bedi2007`` — recalled, the tables were not retrieved). Depth tolerance ± 25 % (300–500 µm): the R value
    with the ≈ 20 % by which histology (shrinkage of excised tissue) differs from simulated MTZs (Marqa & Mordon 2014,
    V abstract: simulated 21 ± 2 % deeper, 12 ± 2 % wider); inside the Fraxel range "250–800 µm deep" (Rahman, Alam &
    Dover, Skin Therapy Lett, V). Width on the 20 µm rings of the transport grid (40 µm steps). Model: 386 µm, 120 µm (372 µm before the
    dried-column optics)."""
    summary = nafl(10)
    assert 300.0 <= summary["mtz_depth_um"] <= 500.0
    assert 100.0 <= summary["mtz_width_um"] <= 150.0


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: 701 µm at 40 mJ (collagen coagulation 493 µm; 569 / 433 µm before the dried-column optics): the "
    "depth is set by the light reaching depth — the 100 µm micro-beam spreads by scattering (μs 125 /cm, g 0.9; on "
    "the axis its absorbed density falls with a 1/e length of ≈ 145 µm in fresh skin, absorption alone would give "
    "1.4 mm); the column the pulse dries (less absorption, half the scattering, higher index) carries it deeper, not "
    "to 1 mm: it dries to ≈ 0.57 mm (630 µm without refraction between the voxel media; 701 µm at Fraxel's 30 W, "
    "1.33 ms; 692 µm on a grid of 10 µm rings and 20 µm cells; 784 µm with an unsourced 90 % clearing). The "
    "published zones lie in an array: in a periodic voxel cell the neighbours add 0 / 20 / 40 / 100 µm at 39 / 156 / "
    "278 / 400 zones/cm² (isolated 580 µm on the voxels, no dried-column optics), the 100 µm only where the zone is "
    "370 µm wide and the tissue between zones is near necrosis (Ω 0.29; confluent above ≈ 430 /cm²), against Bedi's "
    "≈ 200 µm width and viable interlesional tissue; at 250 zones/cm² (the single-pass density of a Fraxel SR750 ex "
    "vivo study at 8–40 mJ, Thongsima et al., V abstract) +33–53 µm, i.e. ≈ 740 µm",
)
def test_nafl_mtz_depth_at_40_mJ():
    """40 mJ: "at high pulse energies, the MTZ depth could exceed 1 mm ... as assessed by H&E" (Bedi et al. 2007 Lasers
    Surg Med 39:145, ``bedi2007``, V abstract); ≈ 1 mm at 40 mJ (R: Laubach 2006, Bedi 2007). Tolerance: at least
    0.8 mm (1 mm less the ≈ 20 % histology–simulation spread, Marqa & Mordon 2014). Compares the necrosis column
    (Henriques Ω ≥ 1, the model's NBTC read-out); the H&E read-out is test_nafl_he_read_out_at_40_mJ."""
    assert nafl(40)["mtz_depth_um"] >= 800.0


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: 10 → 40 mJ gives 386 → 701 µm (× 1.82; 5 / 20 / 70 mJ: 270 / 517 / 831 µm; × 1.53 before the "
    "dried-column optics): a nearly logarithmic law from the micro-beam's scattering-limited penetration (see "
    "test_nafl_mtz_depth_at_40_mJ); at Fraxel's 30 W (0.33 / 1.33 ms) 400 → 701 µm (× 1.75); adding the array's "
    "increment at 400 zones/cm² (voxel cell, +20 / +100 µm, zone 370 µm wide) 406 → 801 µm (× 1.97)",
)
def test_nafl_mtz_depth_grows_with_energy():
    """Depth grows roughly linearly with pulse energy, ≈ 0.4 mm at 10 mJ to ≈ 1 mm at 40 mJ (× 2.5; R: Laubach 2006,
    Bedi 2007; V: "increases in pulse energy led to increases in MTZ depth and width", Bedi 2007 abstract, ``bedi2007``). Tolerance:
    a ratio of at least 2 (× 2.5 less the ≈ 20 % spread)."""
    assert nafl(40)["mtz_depth_um"] >= 2.0 * nafl(10)["mtz_depth_um"]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: collagen coagulation (Pearce 2010 rat-skin birefringence-loss kinetics, Ω ≥ 1) 493 µm deep and "
    "80 µm wide at 40 mJ (preset cold air; 65 µm × 40 µm at 10 mJ; 630 × 160 µm with the rat-tail-tendon set, "
    "docs/collagen.md), against the necrosis column's 701 × 200 µm: "
    "for ms exposures that set needs ≈ 100 °C (Ω = 1 in 1.1 s at 80 °C; docs/collagen.md), so it coagulates "
    "only about the column that boils (to ≈ 0.6 mm)",
)
def test_nafl_he_read_out_at_40_mJ():
    """The same H&E points (depth "could exceed 1 mm", width "approached 200 µm", Bedi et al. 2007, ``bedi2007``, V abstract) on the
    model's like-for-like read-out: Bedi's H&E MTZ is "a distinct region of loss of tissue birefringence and
    hyalinization, representing collagen denaturation" (their cell necrosis is the NBTC stain), i.e. the collagen
    coagulation column (``mtz_coagulation_depth_um`` / ``_width_um``). Tolerances: depth ≥ 0.8 mm (as the necrosis test
    above), width ± 25 % (150–250 µm; see the 10 mJ test). The necrosis column is 200 µm wide, but Bedi's
    width is an H&E width, so it is compared here only (QA4 #25). No extra simulation (the 40 mJ run is cached)."""
    summary = nafl(40)
    assert summary["mtz_coagulation_depth_um"] >= 800.0
    assert 150.0 <= summary["mtz_coagulation_width_um"] <= 250.0


def test_nafl_dried_column_carries_the_beam_deeper(monkeypatch):
    """Mechanism check: a micro-beam that dries its own column during the pulse reaches deeper when the column's optics
    follow the drying (less absorption; dehydration optical clearing, Rylander et al. 2006, Yu et al. 2011; higher
    refractive index, Gurjarpadhye et al. 2011 — V abstracts) than with the fresh tissue's light distribution scaled
    by the local absorption. Direction only (the size is the xfails above: 701 vs 569 µm at 40 mJ), and the energy
    ledger stays exact with the re-run sources (≤ 1e-6 relative)."""
    from laserskin.pipeline import ablative

    with_optics = nafl(40)
    monkeypatch.setattr(ablative, "dehydration_optics_spec", lambda wavelength_m: None)
    without = simulate(Laser.from_device("fraxel_1550", pulse_energy="40 mJ"))
    assert with_optics["mtz_depth_um"] > without["mtz_depth_um"]
    assert abs(with_optics["energy_balance_relative_residual"]) <= 1e-6
