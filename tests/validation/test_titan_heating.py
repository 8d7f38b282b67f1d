"""Titan-type broadband infrared (1100–1800 nm, contact-cooled): dermal temperature and heated depth.

Published references (QA4 finding 14; docs/tissue_physics.md "Titan-type broadband infrared"):

* Zelickson B, Ross V, Kist D, Counters J, Davenport S, Spooner G (2006), Dermatol Surg 32:897
  (``zelickson2006_titan``, V: abstract): the Titan handpiece (1100–1800 nm, selectively filtered,
  1 × 1.5 cm spot) in vivo at 30, 45 and 65 J/cm² altered collagen fibrils (TEM, biopsies taken
  at once) at **both 0–1 mm and 1–2 mm** depth, least at the shallow depth and the lowest fluence;
  ex vivo (50, 100 J/cm²) the alteration was greatest at 1–2 mm.
* Cutera, Titan Mobile Advanced Technique D0777 Rev B (2013) (``cutera_titan_d0777``, V:
  manufacturer): treatment window held at 20 °C (the preset's cooling).
* Tanaka 2017 (``tanaka2017_titan_water_filter``, V: conference abstract naming "Titan; Cutera") and Tanaka &
  Gale 2013 (``tanaka_gale2013_nir``, V: abstract): the band comes "together with a water-filter that excludes
  wavelengths 1400–1500 nm". The preset samples 1100–1800 nm without that band (6 equal lines; shape U).
* Alexiades-Armenakas 2009 (``alexiades2009``, V: abstract): the mobile technique, 4 to 5 pulses across a
  small grid area, then 6 to 8 passes to each grid area, 45–46 J/cm² on the face.
* No measured dermal temperature of the device was found (search record in docs/tissue_physics.md).
  The "45–66 °C, 1–1.5 mm deep" of issue 9 is the model's own earlier output, not a measurement.
  The temperature target used here is the dermal 60–70 °C of collagen contraction by laser and RF
  tightening (docs/reference/physics_data.md §4, V/R): Zelickson's immediate fibril alteration at
  1–2 mm and Ruiz-Esparza's immediate tightening (22/25) both need collagen heated that far.

Setting: Zelickson's in-vivo 45 J/cm² with the preset's cycle (6 s, U) and cooling, on a type IV cheek (the QA
scenario's person): one stationary pulse. Scenario "mobile technique" (a protocol, not the device): the same pulse
stacked as Alexiades-Armenakas' passes over a grid. Each spot gets one pulse per pass (a grid of 4–5 pulses, V);
the time from the end of its pulse to the start of the next pass is 4–5 pulse periods of the preset (0.1 Hz, U)
less the 6 s pulse (U): 34–44 s (D). The hottest corner of the published ranges is run (8 passes 34 s apart; the
coolest, 6 passes 44 s apart, is in docs/tissue_physics.md). Between passes the 20 °C window either stays on the spot
("held": ``contact_between_pulses = 100 %`` of the contact cooling, the technique's handpiece gliding within about
one tip-width, V, so over the grid throughout; the share of the time it covers a given spot is not published, U) or
is lifted (room air, the contact cooling's default, a handpiece that leaves the spot between passes).

Tolerances (statistics): 3000 photons per spectral line (6 lines). The radially averaged (r < 3 mm)
peak-temperature profile moves by ≤ 0.2 K between seeds 1–3 and 20 000 photons (measured: peak 56.5–56.7 °C at
1.04 mm, half-maximum band 0.31–2.22 mm, band edges within one grid cell ≈ 30 µm; mobile corners: see the tests),
far inside the margins asserted below (≥ 0.3 mm on the band edges, ≥ 3 K on the temperature).
"""

import numpy as np
import pytest

from laserskin import Laser, Person, Protocol, Simulation
from laserskin.core.constants import CELSIUS_K
from laserskin.pipeline.simulation import SimulationSettings
from laserskin.treatment.devices import load_device

#: Zelickson et al. 2006, in vivo, the setting inside the preset's fluence range (30, 45, 65 J/cm²).
FLUENCE = "45 J/cm^2"
PHOTONS = 3000
#: Radius of the central disc the profile is averaged over (the spot radius is 6.9 mm).
CENTRAL_RADIUS_M = 3e-3
#: Depth bands of Zelickson's TEM biopsies, m.
SHALLOW_BAND_M = (0.0, 1e-3)
DEEP_BAND_M = (1e-3, 2e-3)
#: Dermal collagen contraction by laser/RF tightening, °C (physics_data.md §4, V/R).
TIGHTENING_RANGE_C = (60.0, 70.0)
#: Mobile technique (Alexiades-Armenakas 2009, V): passes per grid area and pulses per grid area per pass.
MOBILE_PASSES = (6, 8)
MOBILE_PULSES_PER_GRID = (4, 5)
#: "Near painless" (Ruiz-Esparza 2006, V) and "painless" with the mobile technique (infrared broadband light chapter,
#: V text, docs/tissue_physics.md): at most mild, taken as a pain index below 2 of 10 (U).
PAINLESS_INDEX = 2.0


def _person():
    return Person(age=50, sex="female", fitzpatrick="IV", site="cheek", laxity=2)


def _radial_profile(result):
    """Depths (m), radially averaged (r < CENTRAL_RADIUS_M) peak-temperature profile (°C), initial profile (°C)."""
    ds = result.dataset
    z_edges = ds["z_edges"].values
    r_edges = ds["r_edges"].values
    z = 0.5 * (z_edges[1:] + z_edges[:-1])
    r = 0.5 * (r_edges[1:] + r_edges[:-1])
    weights = np.diff(r_edges**2)
    central = r < CENTRAL_RADIUS_M
    peak_C = ds["peak_temperature"].values - CELSIUS_K  # (r, z), K
    profile_C = (peak_C[central] * weights[central, None]).sum(axis=0) / weights[central].sum()
    initial_C = ds["axis_temperature"].values[0] - CELSIUS_K  # (time, z) on the axis, before cooling
    return z, profile_C, initial_C


@pytest.fixture(scope="module")
def transport_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("titan-transport-cache")


@pytest.fixture(scope="module")
def titan_profile(transport_cache):
    """Depths (m), radially averaged peak-temperature profile (°C), initial profile (°C), summary."""
    laser = Laser.from_device("titan_ir", fluence=FLUENCE)
    result = Simulation(
        _person(),
        laser,
        settings=SimulationSettings(photons=PHOTONS, seed=1),
        progress=None,
        cache_dir=transport_cache,
    ).run()
    return (*_radial_profile(result), result.summary)


def _mobile_hottest_corner(cache, share):
    """(depths, profile °C, summary) at the hottest corner of the published ranges (8 passes, 34 s apart), with the
    window on the spot for the share ``share`` of the time between passes."""
    laser = Laser.from_device("titan_ir", fluence=FLUENCE)
    period_s = 1.0 / laser.repetition_rate_Hz
    cooling = dict(load_device("titan_ir").cooling, contact_between_pulses=share)
    passes, pulses_per_grid = max(MOBILE_PASSES), min(MOBILE_PULSES_PER_GRID)
    interval_s = pulses_per_grid * period_s - laser.pulse_duration_s
    result = Simulation(
        _person(),
        laser,
        cooling,
        Protocol(passes=passes, pass_interval=f"{interval_s} s"),
        settings=SimulationSettings(photons=PHOTONS, seed=1),
        progress=None,
        cache_dir=cache,
    ).run(grid_warning=False)
    z, profile_C, _ = _radial_profile(result)
    return z, profile_C, result.summary


@pytest.fixture(scope="module")
def mobile_held(transport_cache):
    """The hottest corner with the window held on the spot between passes (the gliding handpiece of the technique):
    the worst case for pain and the best case for the deep dermis, so one run decides both tests below."""
    return _mobile_hottest_corner(transport_cache, 1.0)


def test_titan_heats_both_zelickson_depth_bands(titan_profile):
    """The zone heated to at least half the peak rise starts in 0–1 mm and reaches well into 1–2 mm
    (Zelickson 2006: fibril alteration at both depths in vivo at 45 J/cm²). Model (seed 1): peak
    56.7 °C at 1.04 mm; half-maximum band ≈ 0.31–2.22 mm."""
    z, profile_C, initial_C, _ = titan_profile
    rise = profile_C - initial_C
    half = z[rise >= 0.5 * rise.max()]
    top, bottom = half.min(), half.max()
    assert SHALLOW_BAND_M[0] <= top < SHALLOW_BAND_M[1] - 0.3e-3, f"half-max zone starts at {top * 1e3:.2f} mm"
    assert bottom > DEEP_BAND_M[0] + 0.5e-3, f"half-max zone ends at {bottom * 1e3:.2f} mm"
    assert SHALLOW_BAND_M[0] < z[np.argmax(profile_C)] < DEEP_BAND_M[1]


@pytest.mark.xfail(
    strict=True,
    reason="one stationary pulse: model peak dermal temperature 56.7 °C at 1.04 mm and 53.5 °C (mean) in the 1–2 mm "
    "band at 45 J/cm² (preset 6 s cycle, 20 °C window, water-filtered spectrum) vs the 60–70 °C of dermal collagen "
    "contraction; the device's cycle timing and contact conductance are not published (U); the published mobile "
    "technique's passes reach it with the window lifted between passes (docs), not with it held (the test below), see "
    "docs/tissue_physics.md",
)
def test_titan_dermal_peak_reaches_collagen_contraction_range(titan_profile):
    """At Zelickson's in-vivo 45 J/cm² the 1–2 mm band reaches the 60–70 °C of collagen contraction."""
    z, profile_C, _, summary = titan_profile
    deep = (z >= DEEP_BAND_M[0]) & (z < DEEP_BAND_M[1])
    low, high = TIGHTENING_RANGE_C
    assert low <= profile_C[deep].max() <= high
    assert low <= summary["peak_dermis_temperature_C"] <= high


@pytest.mark.slow
def test_mobile_technique_with_the_window_held_is_near_painless(mobile_held):
    """Held out (V): the mobile technique is "painless"; taken as a pain index below 2 of 10 (U). With the 20 °C
    window held on the spot between passes (its gliding over a grid about one tip-width wide) the model gives pain
    index 0 and an epidermal peak of 36.2–36.5 °C at both corners, seeds 1–2 (the window lifted: 9.7–9.8 and
    51–52 °C). The threshold is not near: the index stays 0 down to a 3 % share of the wait (epidermis
    41.9–42.4 °C); it rises to 8.4–9.2 at 1 % (46.5–47.7 °C). Run at the hottest corner (8 passes, 34 s apart)."""
    _, _, summary = mobile_held
    assert summary["pain_index"] < PAINLESS_INDEX, f"{summary['pain_index']:.2f}"


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="window held between passes: the 1–2 mm band peaks at 56.7 °C at 1.04 mm (seed 2: 56.7) at both corners, "
    "the first pass's peak, vs 60–70 °C; the 20 °C window draws each pass's heat out in the 34–44 s before the next "
    "(immediate tightening 0.18–0.24 %). Sensitivity to the share of the wait the window covers the spot (U, "
    "time-averaged boundary, D): 3 % gives 56.7/58.1 °C (epidermis 41.9–42.4 °C, pain 0), 1 % 59.9/61.8 °C "
    "(epidermis 46.5–47.7 °C, pain 8.4–9.2), 0 % 63.5/65.2 °C (51–52 °C, pain 9.7–9.8): no share gives a cool "
    "epidermis and a dermis at 60–70 °C with one pulse per spot per pass (docs/tissue_physics.md)",
)
def test_mobile_technique_with_the_window_held_brings_the_deep_dermis_to_collagen_contraction(mobile_held):
    """The published technique as practised (window on the grid): the 1–2 mm band reaches 60–70 °C, at the hottest
    corner (8 passes, 34 s apart; the coolest corner, 6 passes 44 s apart, heats less). With the window lifted
    between passes (room air, not the technique) the corners reach 63.5 / 65.2 °C with the epidermis at 51–52 °C and
    pain index 9.7–9.8 (docs/tissue_physics.md; session 14 no longer runs that scenario as a test)."""
    low, high = TIGHTENING_RANGE_C
    z, profile_C, _ = mobile_held
    deep = (z >= DEEP_BAND_M[0]) & (z < DEEP_BAND_M[1])
    assert low <= profile_C[deep].max() <= high, f"{profile_C[deep].max():.1f} °C"
