"""Dermal thermal injury of non-ablative lasers against published histology (QA5 finding 26).

The model's dermal injury is the band of Henriques Ω ≥ 1 on the beam axis read-out (``dermal_injury_depth_um``,
[top, bottom] µm; its grade ``dermal_injury``). The published zones and their tags are in
docs/reference/clinical_calibration_data.md §8 ("Dermal thermal injury zone of non-ablative lasers"); each test
states its source, tag and tolerance (the published range). Where the model falls outside the published range the
test is an ``xfail(strict=True)`` stating the model's value: it documents the gap and turns red the day the model
moves into the range. The fractional 1550 nm zones (micro-columns) are compared in
tests/validation/test_tissue_response.py (Bedi et al. 2007, Laubach et al. 2006).

Monte Carlo: 20 000 photons, seed 1 (the axis read-out region holds ≥ 1000 launched photons,
``READOUT_MIN_PHOTONS``). Every number below was measured at seeds 1-3; each assertion's margin is larger than
that spread (given in each test).
"""

from __future__ import annotations

import functools

import pytest

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

pytestmark = pytest.mark.slow

#: The 1450 nm / 1320 nm histology: a thermal injury zone in the upper dermis about 100-400 µm below the surface
#: under a spared epidermis (Paithankar et al. 2003 J Biomed Opt 8:545, 1450 nm with cryogen spray; R: recalled,
#: the abstract was not re-read; §8 of clinical_calibration_data.md).
PUBLISHED_ZONE_UM = (100.0, 400.0)


@functools.cache
def run(device: str, person: tuple, **overrides) -> dict:
    age, fitzpatrick, site, sun = person
    laser = Laser.from_device(device, **overrides)
    simulation = Simulation(
        Person(age=age, sex="female", fitzpatrick=fitzpatrick, site=site, sun_exposure=sun, laxity=2),
        laser,
        settings=SimulationSettings(photons=20_000, seed=1),
    )
    return simulation.run(grid_warning=False).summary


def _cached(device, person, **overrides):
    return run(device, person, **dict(sorted(overrides.items())))


#: The Hardaway et al. 2002 study settings (12 W for 250 ms on a 5 mm spot: 15.3 J/cm², parallel cryogen; V/D,
#: clinical_calibration_data.md §4 #21) on the reference course's person (50 F, type II, periorbital: dermis
#: 40-1064 µm); the preset's parallel cryogen spray.
HARDAWAY = ("smoothbeam_1450", (50, "II", "periorbital", 1))
HARDAWAY_SETTINGS = {"fluence": "15.3 J/cm^2", "pulse_duration": "250 ms", "spot_diameter": "5 mm"}
#: The QA5 #26 person (52 F, type III cheek: dermis 59.9-1610 µm).
CHEEK_III = (52, "III", "cheek", 2)


def test_1450_zone_starts_in_the_upper_dermis_under_a_spared_epidermis():
    """1450 nm at the Hardaway et al. 2002 settings: the band starts inside the published zone (100-400 µm, R) and the
    epidermis is spared (Hardaway 2002: no whitening or scarring, V abstract; Paithankar 2003: epidermal preservation
    with cryogen spray, R). Model (seeds 1-3): top 189 / 202 / 185 µm, epidermal Ω 0.008-0.016 "none"."""
    summary = _cached(*HARDAWAY, **HARDAWAY_SETTINGS)
    assert summary["dermal_injury_depth_um"] is not None
    top, _ = summary["dermal_injury_depth_um"]
    assert PUBLISHED_ZONE_UM[0] <= top <= PUBLISHED_ZONE_UM[1]
    assert summary["epidermal_injury"] == "none"
    assert summary["dermal_injury"] == "partial thickness"


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: band bottom 506 / 503 / 496 µm (seeds 1-3; [189, 506] µm at seed 1, 30 % of the dermis), 24-27 % "
    "deeper than the published 400 µm; on the type III cheek 502 / 474 / 467 µm. Excised, fixed histology shrinks "
    "(Marqa & Mordon 2014: simulated zones 21 +- 2 % deeper, V abstract), which would cover most of the gap, and "
    "the published bound is recalled (R): neither is a tolerance here",
)
def test_1450_zone_ends_at_the_published_depth():
    """1450 nm at the Hardaway et al. 2002 settings: the band ends within the published zone, ≤ 400 µm (R,
    Paithankar et al. 2003). Tolerance: the published range itself."""
    _, bottom = _cached(*HARDAWAY, **HARDAWAY_SETTINGS)["dermal_injury_depth_um"]
    assert bottom <= PUBLISHED_ZONE_UM[1]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: the cooltouch_1320 preset (16 J/cm², three 50 ms pulses stacked at 2 Hz, cryogen pre- and post-"
    "spurts) injures [339, 1380] µm at seed 1 (seeds 2-3: [385, 1357], [345, 1375]; 63-67 % of the dermis, to 85-87 % "
    "of its depth), peak dermis 67-68 °C: 1320 nm light penetrates ~1.4 mm (mu_eff ~7 /cm) and the cryogen spurts "
    "of three pulses over 1 s cool the top ~0.6 mm, so the band is deep and wide, not in the upper dermis; the "
    "preset's third pulse also warms the surface past the clinical 40-45 °C end point (48.9 °C, top 20 µm after the "
    "post-spurt, 50 F type II cheek, seed 1)",
)
def test_1320_zone_is_in_the_upper_dermis():
    """1320 nm CoolTouch-type at its preset setting (16 J/cm², inside the published 13-17 J/cm² range, V): the
    published histology puts the thermal injury and the new collagen in the papillary and upper reticular dermis
    (Menaker et al. 1999, Goldberg 2000, Fatemi et al. 2002; R). Tolerance: "upper" read as the upper half of the
    dermis (D): the band ends above 59.9 + (1610 − 59.9)/2 = 835 µm."""
    _, bottom = _cached("cooltouch_1320", CHEEK_III)["dermal_injury_depth_um"]
    assert bottom <= 59.9 + (1610.1 - 59.9) / 2


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model: one 50 ms pulse of 16 J/cm² (pulses = 1) leaves no Omega >= 1 cell (peak dermis 48.8-49.1 °C, "
    "seeds 1-3; three such pulses as thermally independent passes: 50.4-50.7 °C, none). The source's protocol read "
    "as three passes over the area (one pulse per spot per pass, 255 s apart: a 400 cm² area at 2 Hz) injures no "
    "dermis either: at 18 J/cm² peak dermis 50.8-51.5 °C (seeds 1-3), at 20 J/cm² 52.8 °C, even 10 s apart 64.3 °C "
    "(Omega < 1 everywhere); its dose cannot carry the Alexiades-Armenakas outcome (docs/healing.md, 1320 nm trial): "
    "without pulses stacked at 2 Hz (an assumption, U) the model's 1320 nm dermis is not injured at clinical fluences",
)
def test_1320_single_pulse_injures_the_dermis():
    """1320 nm at 16 J/cm² with one pulse per spot (the clinical three passes read as thermally independent passes):
    the published short-term histology shows dermal thermal changes under an intact epidermis (Fatemi et al. 2002,
    Menaker et al. 1999; R). Tolerance: a band exists (any Ω ≥ 1 dermal cell on the axis read-out)."""
    assert _cached("cooltouch_1320", CHEEK_III, pulses=1)["dermal_injury_depth_um"] is not None


def test_1320_clinical_course_is_not_a_full_thickness_burn():
    """1320 nm as the calibrated reference course nonablative_1320 runs it (settings read from
    reference_courses.toml: 14 J/cm², the bottom of the published CoolTouch range 14-18 J/cm², three 50 ms pulses
    stacked at 2 Hz, pre/post cryogen; V/D/U there): clinical 1320 nm courses report modest improvement without
    scarring (Kelly et al. 1999, Menaker et al. 1999; R), i.e. no full-thickness dermal injury, and a calibration
    course must not be a dermal burn (docs/healing.md, "The 1320 nm calibration course"). Tolerance: the grade's
    threshold, < 75 % of the dermis (physics_data §4.1). Model (seeds 1-3): no Ω ≥ 1 dermal cell, peak dermis
    62.9 / 63.6 / 63.7 °C. The course's former 18 J/cm² injured [249, 1570] µm at seed 1 (seeds 2-3: [251, 1621],
    [215, 1614]; 84-89 % of the dermis, "full thickness", peak dermis 72-73 °C)."""
    from laserskin.core.data import load_parameters

    course = load_parameters("reference_courses")["nonablative_1320"]
    laser = dict(course["laser"])
    device = laser.pop("device")
    person = course["person"]
    summary = _cached(device, (person["age"], person["fitzpatrick"], person["site"], person["sun_exposure"]), **laser)
    assert summary["dermal_injury"] != "full thickness", summary["dermal_injury_fraction"]


def test_1064_genesis_leaves_no_dermal_necrosis():
    """Long-pulse 1064 nm Genesis-type at its preset setting (14 J/cm², 0.3 ms, 5 mm, no cooling; R/U): the published
    histology of 300 µs 1064 nm treatment shows new collagen without thermal necrosis and the treatment has no
    downtime (Schmults, Phelps & Goldberg 2004; R). Tolerance: no Ω ≥ 1 dermal cell. Model (seeds 1-3): none, peak
    dermis 46.5-46.8 °C, epidermal Ω 0 ("none"); at the preset's top, 25 J/cm², still no dermal band (55.8-56.2 °C)."""
    summary = _cached("genesis_1064", CHEEK_III)
    assert summary["dermal_injury_depth_um"] is None
    assert summary["dermal_injury"] == "none" and summary["dermal_injury_fraction"] == 0.0
