"""Immediate skin contraction by shrinking collagen against published observations (docs/collagen.md).

Model: layers in parallel (laserskin.damage.collagen): the coagulated collagen (Ω ≥ 1, stiffness
ratio k) contracts against the intact dermis, ε = s_max (k H_c + H_s) / (k H_c + H_n); area
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
  measurements, U).
* Titan-type broadband infrared: immediate tightening seen in 22 of 25 patients (Ruiz-Esparza
  2006 Dermatol Surg 32:601, V; magnitude not given): visible, taken as ≥ 2 % of area (U) — a
  strict xfail states the model's value.

Settings are the reference courses of the healing calibration (reference_courses.toml); ablative
lasers run the Beer–Lambert path (no Monte Carlo); the non-ablative ones use 20 000 photons (the
assertion is a bound two orders above the model values, far outside the photon noise).
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
    h_c, h_s, h = (
        float(response.coagulated_thickness_m[0]),
        float(response.scattered_thickness_m[0]),
        float(response.dermis_thickness_m[0]),
    )
    k = calibrate_stiffness_ratio(
        h_c, h - h_c, calibration["target_linear_contraction"], CollagenParameters().max_shrinkage, scattered_m=h_s
    )
    assert CollagenParameters().stiffness_ratio == pytest.approx(k, rel=0.01)


def test_er_yag_contracts_less_than_co2(co2, er_yag):
    """Held out (ordering, V): Er:YAG leaves little coagulated collagen, so little immediate contraction."""
    assert er_yag[1].summary["immediate_tightening_percent"] < co2[1].summary["immediate_tightening_percent"] / 3


@pytest.mark.xfail(
    strict=True,
    reason="model Er:YAG (2 passes to the papillary dermis) 0.065 % of area (0.033 % linear) vs ~5-15 % linear "
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
    reason="model 3.6 µm below the CO2 floor after 3 passes vs ~50-150 µm on H&E (R): Pearce's rat-skin set needs 4.3 ms at "
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
    reason="model Titan-type IR 0.001 % of area vs visible immediate tightening in 22/25 patients (Ruiz-Esparza "
    "2006, V): the dermis peaks at 45-66 degC for seconds, Pearce's collagen Omega << 1; contraction below "
    "denaturation (or oedema) is not modelled",
)
def test_titan_immediate_tightening_is_visible():
    """Held out (V, magnitude U): visible immediate tightening, >= 2 % of area."""
    _, result = _simulate("titan_ir")
    assert result.summary["immediate_tightening_percent"] >= 2.0
