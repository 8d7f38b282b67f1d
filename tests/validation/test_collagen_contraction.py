"""Immediate skin contraction by shrinking collagen against published observations (docs/collagen.md).

Model: layers in parallel (laserskin.damage.collagen); each cell a random mixture of denatured (fraction
F, stiffness ratio k) and native collagen, effective-medium stiffness e(F, k) (Kirkpatrick 1973), free
shrinkage by Levin's two-phase relation: ε = s_max k/(k − 1) Σ (e − 1) Δz / (Σ e Δz + H_below); area
contraction 1 − (1 − ε)². One undetermined parameter, k, calibrated on ONE published value:

* fitted: full-field CO2, three passes, upper eyelid — immediate vertical linear contraction
  ~30 % (20–40 %; Fitzpatrick, Rostan & Marchell 2000 Lasers Surg Med 27:395, results not
  retrieved, magnitude R; reviews quote 20–40 %, R). Tolerance: the published range.

Held out (never fitted):

* Er:YAG to pinpoint bleeding (same study, contralateral eyelid): less immediate contraction than
  CO2 (V: design and the study's premise; Ross et al. 2000 J Am Acad Dermatol 42:92, V abstract:
  immediate contraction grows with residual thermal damage, none without it); magnitude recalled
  as ~5–15 % linear (R) — a strict xfail states the model's value.
* Non-ablative bulk heating (1320 nm + cryogen, 1450 nm diode + cryogen): no immediate
  contraction reported; the change builds over months (Alexiades-Armenakas 2007; Hardaway 2002;
  R). Test: below 2 % of area (≈ 1 % linear, about the resolution of photographic and tattoo-dot
  measurements, U). Model values at the test's 20 000 photons: 1320 nm 0.128 %, 1450 nm 0.185 % (k = 66.2, session
  10; 1.55 / 0.018 % with k = 132.8 before the CO2 removal enthalpy; the 1320 nm value is the Monte Carlo estimate
  of a dermis-wide sum; its photon noise is well below the margin, docs/collagen.md §10).
* Titan-type broadband infrared: immediate tightening seen in 22 of 25 patients (Ruiz-Esparza
  2006 Dermatol Surg 32:601, V; magnitude not given): visible, taken as ≥ 2 % of area (U) — a
  strict xfail states the model's value.

Settings are the reference courses of the healing calibration (reference_courses.toml); ablative
lasers run the Beer–Lambert path (no Monte Carlo); the non-ablative ones use 20 000 photons.

QA4 finding 2 (docs/collagen.md §10): the CO2 full-field contraction must have no cliff in fluence or
passes (acceptance criterion 2, written before the trial); the CO2 series runs the Beer–Lambert path
(deterministic, < 1 s a run). Since the CO2 removal enthalpy (session 10, docs/tissue_physics.md) the series
6.5–8 J/cm² is the onset of the contraction (the three-pass floor reaches towards the dermis there,
docs/collagen.md §12), so the cliff is tested there as a discontinuity (§12), and the ×1.5 bound above it.
"""

import math

import numpy as np
import pytest

from laserskin.core.data import load_parameters
from laserskin.damage.collagen import (
    CollagenParameters,
    calibrate_stiffness_ratio,
    collagen_response,
    contraction_parameters,
)
from laserskin.grid import RZGrid
from laserskin.pipeline.simulation import Simulation, SimulationSettings
from laserskin.skin import Person
from laserskin.treatment.devices import load_device
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

PHOTONS, SEED = 20_000, 2024


def _simulate(name: str):
    course = load_parameters("reference_courses")[name]
    cooling = dict(course["cooling"])
    if cooling.pop("device_default", False):
        cooling = dict(load_device(course["laser"]["device"]).cooling)
    simulation = Simulation(
        Person.model_validate(course["person"]),
        Laser.from_config(dict(course["laser"])),
        cooling,
        Protocol(**course.get("protocol", {})),
        settings=SimulationSettings(photons=PHOTONS, seed=SEED),
    )
    return simulation, simulation.run(grid_warning=False)


def _linear(area_percent: float) -> float:
    """Linear contraction (fraction) from an isotropic area contraction in %."""
    return 1.0 - math.sqrt(1.0 - area_percent / 100.0)


@pytest.fixture(scope="module")
def co2():
    return _simulate("ablative_co2")


@pytest.fixture(scope="module")
def er_yag():
    return _simulate("ablative_er_yag")


def test_co2_three_passes_is_calibrated_within_the_published_range(co2):
    """Fitted point: the stored k reproduces the target, and recomputing k from this run gives it back."""
    simulation, result = co2
    calibration = contraction_parameters()["calibration"]
    low, high = calibration["target_range"]
    linear = _linear(result.summary["immediate_tightening_percent"])
    assert low <= linear <= high
    # k from the run's own layers (the calibration cannot drift from the model unnoticed)
    ds = result.dataset
    grid = RZGrid(r_edges_m=ds["r_edges"].values, z_edges_m=ds["z_edges"].values)
    geometry = simulation.geometry()
    response = collagen_response(
        np.nan_to_num(ds["omega_collagen"].values),
        grid,
        dermis_top_m=geometry.junction_depth_m,
        dermis_bottom_m=geometry.dermis_bottom_m,
        spot_radius_m=grid.r_max_m,
        removed=ds["ablated"].values.astype(bool),
    )
    assert response.tightening_percent == pytest.approx(result.summary["immediate_tightening_percent"], rel=1e-12)
    # the axis column's denatured-fraction profile below the final floor and the native dermis below the grid
    cells = np.where(response.mixture_stiffness[0] > 0, grid.dz_m, 0.0)
    below = max(0.0, geometry.dermis_bottom_m - float(grid.z_edges_m[-1]))
    k = calibrate_stiffness_ratio(
        response.denatured_fraction[0],
        cells,
        calibration["target_linear_contraction"],
        CollagenParameters().max_shrinkage,
        native_below_m=below,
    )
    assert CollagenParameters().stiffness_ratio == pytest.approx(k, rel=0.01)


def test_er_yag_contracts_less_than_co2(co2, er_yag):
    """Held out (ordering, V): Er:YAG leaves little coagulated collagen, so little immediate contraction."""
    assert er_yag[1].summary["immediate_tightening_percent"] < co2[1].summary["immediate_tightening_percent"] / 3


@pytest.mark.xfail(
    strict=True,
    reason="model Er:YAG (2 passes to the papillary dermis) 0.22 % of area (0.11 % linear) vs ~5-15 % linear "
    "recalled (R): the Pearce rat-skin collagen set coagulates no collagen below an Er:YAG floor "
    "(coagulation_depth_um 0), while H&E shows 10-20 µm; the Maitland & Walsh set would give 11.2 % linear "
    "(10.2 µm coagulated) but is not shipped, see docs/collagen.md §5",
)
def test_er_yag_immediate_contraction_magnitude(er_yag):
    """Held out (magnitude, R): ~5–15 % linear."""
    assert 0.05 <= _linear(er_yag[1].summary["immediate_tightening_percent"]) <= 0.15


#: Coagulated collagen below the final crater floor on H&E (docs/collagen.md §1 row 8, R: issue 9; Walsh, Flotte &
#: Deutsch 1989; Ross et al. 1996): CO2 three passes ~50-150 µm, Er:YAG ~10-20 µm. The H&E thermal-damage zone is the
#: denatured (hyalinised, birefringence-lost) collagen, i.e. ``coagulation_depth_um`` (collagen Ω ≥ 1); the Henriques
#: cell-necrosis depth ``residual_damage_depth_um`` is tested in test_tissue_response.py.
H_AND_E_COAGULATION_UM = {"co2": (50.0, 150.0), "er_yag": (10.0, 20.0)}


@pytest.mark.xfail(
    strict=True,
    reason="model 15.5 µm below the CO2 floor after 3 passes (3.6 µm before the CO2 removal enthalpy of session 10) vs "
    "~50-150 µm on H&E (R): Pearce's rat-skin set needs 4.3 ms at "
    "100 degC for Ω = 1, about what the floor spends near the boiling plateau, so only a few µm reach Ω = 1; the "
    "Maitland & Walsh tendon set gives 44.4 µm but is not shipped (docs/collagen.md §5)",
)
def test_co2_three_passes_coagulation_depth_matches_histology(co2):
    """Held out (R): collagen coagulated below the CO2 floor after three passes, ~50-150 µm on H&E."""
    low, high = H_AND_E_COAGULATION_UM["co2"]
    assert low <= co2[1].summary["coagulation_depth_um"] <= high


@pytest.mark.xfail(
    strict=True,
    reason="model 0.0 µm below the Er:YAG floor (2 passes) vs ~10-20 µm on H&E (R): the floor dwells too briefly for "
    "Pearce's rat-skin set; the Maitland & Walsh tendon set gives 10.2 µm but is not shipped (docs/collagen.md §5)",
)
def test_er_yag_coagulation_depth_matches_histology(er_yag):
    """Held out (R): collagen coagulated below the Er:YAG floor, ~10-20 µm on H&E."""
    low, high = H_AND_E_COAGULATION_UM["er_yag"]
    assert low <= er_yag[1].summary["coagulation_depth_um"] <= high


@pytest.mark.parametrize("course", ["nonablative_1320", "nonablative_1450"])
def test_non_ablative_bulk_heating_gives_no_visible_immediate_contraction(course):
    """Held out (R): non-ablative mid-infrared courses show no immediate contraction (< 2 % of area)."""
    _, result = _simulate(course)
    assert 0.0 <= result.summary["immediate_tightening_percent"] < 2.0


@pytest.mark.xfail(
    strict=True,
    reason="model Titan-type IR 0.018 % of area vs visible immediate tightening in 22/25 patients (Ruiz-Esparza "
    "2006, V): one stationary pulse of the preset (36 J/cm^2, 6 s, 20 degC window, water-filtered 1100-1800 nm, "
    "20 000 photons) heats the dermis to 51.5 degC for seconds, Pearce's collagen Omega < 1 everywhere (coagulation "
    "depth 0); contraction below denaturation (or oedema) is not modelled. The published mobile technique's 6-8 "
    "passes at 45 J/cm^2 give 4.4-9.9 % of area with the window lifted between passes (epidermis 51-52 degC, pain "
    "9.7-9.8) but 0.18-0.24 % with the gliding 20 degC window held on the spot (pain 0; dermis 56.7 degC), "
    "tests/validation/test_titan_heating.py",
)
def test_titan_immediate_tightening_is_visible():
    """Held out (V, magnitude U): visible immediate tightening, >= 2 % of area."""
    _, result = _simulate("titan_ir")
    assert result.summary["immediate_tightening_percent"] >= 2.0


#: QA4 finding 2: CO2 full field, 10 600 nm, 0.8 ms, 3 mm flat top, no cooling, 30 s between passes (the QA
#: scenarios /tmp/qa4/s/co2b_*.toml: 52 F, type III, cheek). The former Ω ≥ 1 step gave 48.4 / 47.8 / 39.3 / 31.0 /
#: 1.31 % of area at 6 / 6.5 / 7 / 7.5 / 8 J/cm² and 0.004 / 0.69 / 39.3 % after 1 / 2 / 3 passes at 7 J/cm².
QA4_FLUENCES = (6.5, 7.0, 7.5, 8.0, 10.0)
#: The onset of the series (session 10, docs/collagen.md §12) and its midpoints: halving the step.
ONSET_FLUENCES = (6.5, 7.0, 7.5, 8.0)
ONSET_MIDPOINTS = (6.75, 7.25, 7.75)


def _qa4_co2(fluence: float, passes: int) -> float:
    simulation = Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        Laser.from_config(
            {
                "wavelength": "10600 nm",
                "fluence": f"{fluence} J/cm^2",
                "pulse_duration": "0.8 ms",
                "spot_diameter": "3 mm",
                "profile": "flat_top",
            }
        ),
        {"kind": "none"},
        Protocol(passes=passes, pass_interval="30 s"),
        settings=SimulationSettings(photons=PHOTONS, seed=SEED),
    )
    return simulation.run(grid_warning=False).summary["immediate_tightening_percent"]


@pytest.fixture(scope="module")
def qa4_series():
    return {
        "fluence": [_qa4_co2(f, 3) for f in QA4_FLUENCES],
        "midpoints": [_qa4_co2(f, 3) for f in ONSET_MIDPOINTS],
        "passes": [_qa4_co2(7.0, p) for p in (1, 2, 3)],
    }


def test_co2_contraction_has_no_cliff_in_fluence_or_passes(qa4_series):
    """QA4 finding 2 (criterion 2, no cliff; the former model fell ×24 between 7.5 and 8 J/cm²), and the contraction
    non-decreasing with passes (Ross et al. 2000: it rises with the residual thermal damage, which rises with passes).

    Onset, 6.5 → 8 J/cm² (docs/collagen.md §12): with the CO2 removal enthalpy (≈ 5 J/cm² threshold, 2.5–3 kJ/cm³,
    Walsh & Deutsch 1988) three passes take the floor to 36.5–51.9 µm, short of this cheek's 59.9 µm junction: the
    epidermis holds no collagen, and Ross et al. 2000 (V) found no immediate contraction without thermal damage of
    the dermis, so the contraction rises from ≈ 0 there (model 3.8 / 8.7 / 16.1 / 24.3 % of area). A ratio bound
    cannot hold at an onset from zero (for any continuous rise the neighbour ratio grows without bound towards it),
    so a cliff there is tested as what it is, a discontinuity: halving the step (the midpoints 6.75 / 7.25 / 7.75)
    splits every rise, neither half taking more than 3/4 of it (a jump keeps the whole rise in one half; a rise whose
    slope changes by less than ×3 within 0.5 J/cm² gives at most 3/4; model 0.44–0.56). Above it (8 → 10 J/cm², the
    floor in the dermis from ≈ 8.5 J/cm²): the QA4 bound, within ×1.5 (model ×1.28)."""
    series = np.array(qa4_series["fluence"])
    onset = series[: len(ONSET_FLUENCES)]
    middle = np.array(qa4_series["midpoints"])
    whole = np.diff(onset)
    first_half = middle - onset[:-1]
    assert np.all(whole > 0), onset
    assert np.all((first_half >= 0.25 * whole) & (first_half <= 0.75 * whole)), (onset, middle)
    ratios = series[len(ONSET_FLUENCES) :] / series[len(ONSET_FLUENCES) - 1 : -1]
    assert np.all((ratios > 1 / 1.5) & (ratios < 1.5)), series
    passes = np.array(qa4_series["passes"])
    assert np.all(np.diff(passes) >= 0), passes


def test_co2_contraction_is_non_decreasing_in_fluence(qa4_series):
    """QA4 finding 2 (criterion 2, monotone within the grid resolution): a fall of at most 2 % between neighbours.
    Model: 3.83 / 8.73 / 16.13 / 24.31 / 31.19 % of area at 6.5 / 7 / 7.5 / 8 / 10 J/cm² (3 passes; 31.69 at 9,
    30.74 at 12 J/cm²: the plateau, Ross et al. 2000: it levels off). A strict xfail until session 10 (42.17 → 41.21,
    −2.3 %, from 6.5 to 7 J/cm², when every point's floor was in the dermis; docs/collagen.md §10, §12)."""
    series = np.array(qa4_series["fluence"])
    assert np.all(series[1:] >= 0.98 * series[:-1]), series


#: QA5 finding 3 (docs/collagen.md §11): fractional CO2 (co2_fractional preset, 52 F, type III, cheek), only the
#: pulse energy changed. Before: 1.587 / 1.478 / 5.388 % of area at 37 / 39 / 40 mJ (×3.6 from 39 to 40 mJ: the first
#: ring outside the crater, dried by the wall light but never ejected, heated from 100 to 137 °C and its collagen
#: denatured over 52 µm of depth). The micro-beam runs the Beer–Lambert path: deterministic, ~1 s a run.
FRACTIONAL_CO2_ENERGIES_MJ = (36.0, 37.0, 38.0, 39.0, 40.0)


def _fractional_co2(energy_mJ: float) -> tuple[dict, float]:
    simulation = Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        Laser.from_config({"device": "co2_fractional", "pulse_energy": f"{energy_mJ} mJ"}),
        dict(load_device("co2_fractional").cooling),
        Protocol(),
        settings=SimulationSettings(photons=PHOTONS, seed=SEED),
    )
    result = simulation.run(grid_warning=False)
    return result.summary, float(result.grid.z_max_m)


@pytest.fixture(scope="module")
def fractional_co2_series():
    return [_fractional_co2(energy) for energy in FRACTIONAL_CO2_ENERGIES_MJ]


def test_fractional_co2_contraction_has_no_cliff_in_energy(fractional_co2_series):
    """QA5 finding 3: neighbouring energies 1 mJ apart within a factor 1.5 (the former wall ring jumped ×3.6 between
    39 and 40 mJ), and the crater inside the grid (it grows by the 8.7-µm cells of this grid; 540 → 557 µm from 36 to
    40 mJ since session 10, not a limit of the domain). "Higher at 40 than at 36 mJ" is the strict xfail below."""
    series = np.array([s["immediate_tightening_percent"] for s, _ in fractional_co2_series])
    ratios = series[1:] / series[:-1]
    assert np.all((ratios > 1 / 1.5) & (ratios < 1.5)), series
    craters = np.array([s["crater_depth_um"] for s, _ in fractional_co2_series])
    bottoms = np.array([z_max * 1e6 for _, z_max in fractional_co2_series])
    assert np.all(np.diff(craters) >= 0) and np.all(craters < 0.5 * bottoms), (craters, bottoms)


#: Strict xfails until session 22: 0.2605 / 0.2697 / 0.3008 / 0.2138 / 0.2324 % of area at 36 / 37 / 38 / 39 / 40 mJ
#: (the crater's 13th ring of w/8 leaving with its denatured lining), and no convergence with the ring width (w/32
#: 0.405-0.648, w/64 1.37 at 36 mJ: the wall light, absorbed whole by the first tissue ring, drilled the rim of thin
#: rings). Since the wall light widens as a cone, is remapped exactly and is absorbed across rings along the refracted
#: ray (thermal.enthalpy BeerLambertSource; docs/collagen.md "Wall light across rings") the series rises, 0.994 /
#: 1.052 / 1.095 / 1.176 / 1.235 %, and converges with the ring width (the last test).
def test_fractional_co2_contraction_is_higher_at_40_than_at_36_mJ(fractional_co2_series):
    """QA5 finding 3: a deeper, wider channel with its denatured lining (Hantash et al. 2007: the MTZ grows with
    energy) contracts more at 40 than at 36 mJ."""
    series = np.array([s["immediate_tightening_percent"] for s, _ in fractional_co2_series])
    assert series[-1] > series[0], series


def test_fractional_co2_contraction_is_non_decreasing_in_energy(fractional_co2_series):
    """Monotone within the grid resolution, the criterion of the full-field series (a fall of at most 2 %)."""
    series = np.array([s["immediate_tightening_percent"] for s, _ in fractional_co2_series])
    assert np.all(series[1:] >= 0.98 * series[:-1]), series


@pytest.mark.slow
def test_fractional_co2_contraction_converges_with_the_ring_width(monkeypatch):
    """Rings of w/16 and w/32 at 36 mJ agree within 10 % (a grid-convergence criterion, not a published spread; the
    crater depth within one of this grid's 8.7-µm cells). Model: 1.012 / 1.002 %, crater 600.8 / 609.5 µm. Before
    session 22's wall light (a cone, absorbed across rings) they differed by 47 % (0.277 → 0.405 %), and w/64 gave
    1.37 % with a trench drilled to 984 µm at the rim."""
    from laserskin.pipeline import ablative

    summaries = []
    for rings in (16, 32):
        monkeypatch.setattr(ablative, "RINGS_PER_BEAM_RADIUS", rings)
        summaries.append(_fractional_co2(36.0)[0])
    coarse, fine = (s["immediate_tightening_percent"] for s in summaries)
    assert abs(fine / coarse - 1.0) < 0.10, (coarse, fine)
    assert abs(summaries[1]["crater_depth_um"] - summaries[0]["crater_depth_um"]) < 1.5 * 8.7, summaries


# --- QA7 #7: a contraction above the calibrated range is said, not clamped ------------------------------------------
def test_contraction_above_the_calibrated_range_is_noted(co2):
    """Three CO2 passes of 20 J/cm², 50 ms on a 3 mm flat top contract the skin beyond the top of the published
    20–40 % linear that three clinical passes reach (the calibration range, Fitzpatrick 2000 R; model: 66.5 % of area
    = 42.1 % linear): the summary's ``contraction_note`` says so, with the value unclamped; the calibrated course
    (ablative_co2, three passes, 30 % linear) carries no note. Beer–Lambert path: deterministic, no photons. One
    pulse (the check until session 10: 72.1 % of area with k = 132.8) now gives 57.3 % = 34.7 % linear with k = 66.2,
    inside the range."""
    laser = Laser(
        wavelength="10600 nm",
        fluence="20 J/cm^2",
        pulse_duration="50 ms",
        spot_diameter="3 mm",
        profile="flat_top",
        ablative=True,
        repetition_rate="10 Hz",
    )
    person = Person(age=50, sex="female", fitzpatrick="II", site="cheek")
    protocol = Protocol(passes=3, pass_interval="30 s")
    summary = Simulation(person, laser, protocol=protocol).run(grid_warning=False).summary
    high = contraction_parameters()["calibration"]["target_range"][1]
    assert _linear(summary["immediate_tightening_percent"]) > high  # reported as computed
    assert "above the range the contraction model is calibrated on" in summary["contraction_note"]
    assert co2[1].summary["contraction_note"] is None
