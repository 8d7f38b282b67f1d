"""The mcxyz / MCmatlab skin-vessel case (Jacques): vessel absorption and the shadow below it.

Case (mcxyz ``maketissue.m``, 532 nm, optics of ``makeTissueList.m`` from ``spectralLIB.mat``):
epidermis 60 um (μa 16.5724, μs 375.9398 /cm, g 0.9) over dermis (0.4585, 356.5406, 0.9), a blood
vessel (230.5427, 93.9850, 0.9) of radius 100 um along y, its axis 400 um below the surface,
matched refractive indices, a uniformly lit 1 mm × 1 mm square. Voxels of 20 um, the vessel
voxelised exactly as ``maketissue.m`` does (voxel far edges within the radius).

Reference: mcxyz (github.com/stevjacq/mcxyz2, gcc -O3) run for this session on the 1 mm cube
with 100 um of water on top, boundaryflag 2 (media extended to infinity), 1 588 000 photons:

* absorbed in the vessel, cube rows 1..48 in y (|y| < 0.48 mm): 0.15611. Row 0 is left out: mcxyz
  clamps voxel indices below 0 to 0 before its boundary test, so every packet beyond the cube's
  −x/−y faces deposits into the edge voxels (row 0 of the vessel holds 0.0308, ten times its
  neighbours); the +y edge row is left out for symmetry.
* shadow: fluence under the vessel (x = −30, −10, 10 um) over the fluence beside it (x = 370,
  390, 410 um), both averaged over those rows and over depths 0.52–0.64 mm: 0.722.

laserskin runs a 2.4 mm × 2.4 mm × 2.4 mm volume (escaping faces far from the vessel; the vessel's
absorption changes by < 0.2 % from a 4 mm volume). Measured (40 000 packets): vessel 0.1506 ±
0.0012, 3.5 % below mcxyz — more than the statistics (σ_mcxyz ≈ 0.0002 from the packet counts). The
difference is not explained yet: both codes agree with the r–z (MCML) engine on a horizontal blood
layer (laserskin within its 3 σ; mcxyz 1.3 % above laserskin there), laserskin's vessel absorption
is the same with the vessel along x instead of y, and mcxyz on a 2 mm cube (same 1 mm beam, 540 000
photons) gives 0.1556 and a shadow of 0.734, so neither code's volume size explains it. The test
therefore allows 3 σ plus a stated systematic 4 % for the vessel absorption. The shadow ratio
(track-length fluence) comes out at 0.661, 8.5 % deeper than mcxyz's (its statistical error, from a
few voxel columns, is ~3 %); the test allows 3 × 3 %. The vessel-absorption comparison is held to
the statistics alone (3 σ) and is a strict expected failure until the difference is explained: it
turns red the day the two codes agree, so the tolerance is never widened to fit.
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.transport.voxel import Medium, VoxelSource, VoxelVolume, simulate_voxel_transport

MCXYZ_PHOTONS = 1_588_000
MCXYZ_VESSEL_INNER = 0.15611
MCXYZ_SHADOW = 0.722
H = 20e-6
PHOTONS = 40_000


def _volume(half_m=1.2e-3, depth_m=2.4e-3):
    n = round(2 * half_m / H)
    nz = round(depth_m / H)
    labels = np.full((n, n, nz), 1, dtype=np.uint8)
    labels[:, :, :3] = 0  # 60 um of epidermis
    # maketissue.m in cm: x = (ix - Nx/2) dx and z = iz dz at the voxels' far edges (1-based), cube z
    # starting 100 um above the skin
    dx = H * 100
    x = (np.arange(n) + 1 - n / 2) * dx
    z = (np.arange(nz) + 6) * dx  # skin voxel k is cube voxel k + 5
    inside = np.hypot(x[:, None], z[None, :] - 25.0 * dx) <= 0.01
    vessel = np.broadcast_to(inside[:, None, :], labels.shape).copy()
    y = (np.arange(n) + 0.5 - n / 2) * H
    inner = np.abs(y) < 0.48e-3
    labels[vessel & inner[None, :, None]] = 2  # the part mcxyz's tally is compared over
    labels[vessel & ~inner[None, :, None]] = 3
    blood = (230.5427e2, 93.9850e2, 0.9)
    media = (
        Medium("epidermis", 1.0, 16.5724e2, 375.9398e2, 0.9),
        Medium("dermis", 1.0, 0.4585e2, 356.5406e2, 0.9),
        Medium("vessel_inner", 1.0, *blood),
        Medium("vessel_outer", 1.0, *blood),
    )
    return VoxelVolume(labels, H, media, layer_count=2)


@pytest.fixture(scope="module")
def skin_vessel():
    volume = _volume()
    return simulate_voxel_transport(volume, VoxelSource(rectangle_m=(1e-3, 1e-3)), PHOTONS, 8, threads=2)


@pytest.mark.xfail(strict=True, reason="open: laserskin's vessel absorption is 3.5 % (about 4 sigma) below mcxyz")
def test_vessel_absorption_matches_mcxyz(skin_vessel):
    a = skin_vessel.absorbed_fraction_by_region[2]
    se = skin_vessel.absorbed_fraction_by_region_stderr[2]
    se_mcxyz = se * np.sqrt(PHOTONS / MCXYZ_PHOTONS)
    assert abs(a - MCXYZ_VESSEL_INNER) <= 3 * np.hypot(se, se_mcxyz)


def test_vessel_absorbs_a_plausible_share(skin_vessel):
    """Bounds independent of mcxyz: the vessel takes far more than its volume share of a dermis
    (strong absorber) and less than the light that reaches its depth (it sits under 300 um of
    scattering dermis): between 10 % and 25 % of the incident light."""
    assert 0.10 < skin_vessel.absorbed_fraction_by_region[2] < 0.25


def test_shadow_below_the_vessel_matches_mcxyz(skin_vessel):
    v = skin_vessel.volume
    fluence = skin_vessel.fluence_per_J
    rows = np.abs(v.y_centers_m) < 0.48e-3
    band = (v.z_centers_m >= 0.52e-3) & (v.z_centers_m < 0.64e-3)
    centre = np.abs(v.x_centers_m + 10e-6) < 25e-6  # x = -30, -10, 10 um
    side = np.abs(v.x_centers_m - 390e-6) < 25e-6  # x = 370, 390, 410 um
    below = fluence[centre][:, rows][:, :, band].mean()
    beside = fluence[side][:, rows][:, :, band].mean()
    assert below / beside == pytest.approx(MCXYZ_SHADOW, rel=3 * 0.03)  # 3 × mcxyz's ~3 % error
    assert below / beside < 0.8  # a shadow
