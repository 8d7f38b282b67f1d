"""Titan-type broadband infrared (1100–1800 nm, contact-cooled): dermal temperature and heated depth.

Published references (QA4 finding 14; docs/tissue_physics.md "Titan-type broadband infrared"):

* Zelickson B, Ross V, Kist D, Counters J, Davenport S, Spooner G (2006), Dermatol Surg 32:897
  (``zelickson2006_titan``, V: abstract): the Titan handpiece (1100–1800 nm, selectively filtered,
  1 × 1.5 cm spot) in vivo at 30, 45 and 65 J/cm² altered collagen fibrils (TEM, biopsies taken
  at once) at **both 0–1 mm and 1–2 mm** depth, least at the shallow depth and the lowest fluence;
  ex vivo (50, 100 J/cm²) the alteration was greatest at 1–2 mm.
* Cutera, Titan Mobile Advanced Technique D0777 Rev B (2013) (``cutera_titan_d0777``, V:
  manufacturer): treatment window held at 20 °C (the preset's cooling).
* No measured dermal temperature of the device was found (search record in docs/tissue_physics.md).
  The "45–66 °C, 1–1.5 mm deep" of issue 9 is the model's own earlier output, not a measurement.
  The temperature target used here is the dermal 60–70 °C of collagen contraction by laser and RF
  tightening (docs/reference/physics_data.md §4, V/R): Zelickson's immediate fibril alteration at
  1–2 mm and Ruiz-Esparza's immediate tightening (22/25) both need collagen heated that far.

Setting: Zelickson's in-vivo 45 J/cm² with the preset's cycle (6 s, U) and cooling, on a type IV cheek (the QA scenario's person).

Tolerances (statistics): 3000 photons per spectral line (7 lines). The radially averaged (r < 3 mm)
peak-temperature profile moves by ≤ 0.4 K between seeds 1–3 and 20 000 photons (measured:
half-maximum band 0.3–2.2 mm, band edges within one grid cell ≈ 30 µm; peak 56.2–56.4 °C), far
inside the margins asserted below (≥ 0.3 mm on the band edges, ≥ 3 K on the temperature).
"""

import numpy as np
import pytest

from laserskin import Laser, Person, Simulation
from laserskin.core.constants import CELSIUS_K
from laserskin.pipeline.simulation import SimulationSettings

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


@pytest.fixture(scope="module")
def titan_profile(tmp_path_factory):
    """Depths (m), radially averaged peak-temperature profile (°C), initial profile (°C), summary."""
    person = Person(age=50, sex="female", fitzpatrick="IV", site="cheek", laxity=2)
    laser = Laser.from_device("titan_ir", fluence=FLUENCE)
    result = Simulation(
        person,
        laser,
        settings=SimulationSettings(photons=PHOTONS, seed=1),
        progress=None,
        cache_dir=tmp_path_factory.mktemp("titan-transport-cache"),
    ).run()
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
    return z, profile_C, initial_C, result.summary


def test_titan_heats_both_zelickson_depth_bands(titan_profile):
    """The zone heated to at least half the peak rise starts in 0–1 mm and reaches well into 1–2 mm
    (Zelickson 2006: fibril alteration at both depths in vivo at 45 J/cm²). Model (seed 1): peak
    56.4 °C at 0.9 mm; half-maximum band ≈ 0.3–2.2 mm."""
    z, profile_C, initial_C, _ = titan_profile
    rise = profile_C - initial_C
    half = z[rise >= 0.5 * rise.max()]
    top, bottom = half.min(), half.max()
    assert SHALLOW_BAND_M[0] <= top < SHALLOW_BAND_M[1] - 0.3e-3, f"half-max zone starts at {top * 1e3:.2f} mm"
    assert bottom > DEEP_BAND_M[0] + 0.5e-3, f"half-max zone ends at {bottom * 1e3:.2f} mm"
    assert SHALLOW_BAND_M[0] < z[np.argmax(profile_C)] < DEEP_BAND_M[1]


@pytest.mark.xfail(
    strict=True,
    reason="model peak dermal temperature 56.4 °C at 0.9 mm and 52.8 °C (mean) in the 1–2 mm band at "
    "45 J/cm² (preset 6 s cycle, 20 °C window) vs the 60–70 °C of dermal collagen contraction; the "
    "device's cycle timing and contact conductance are not published (U), see docs/tissue_physics.md",
)
def test_titan_dermal_peak_reaches_collagen_contraction_range(titan_profile):
    """At Zelickson's in-vivo 45 J/cm² the 1–2 mm band reaches the 60–70 °C of collagen contraction."""
    z, profile_C, _, summary = titan_profile
    deep = (z >= DEEP_BAND_M[0]) & (z < DEEP_BAND_M[1])
    low, high = TIGHTENING_RANGE_C
    assert low <= profile_C[deep].max() <= high
    assert low <= summary["peak_dermis_temperature_C"] <= high
