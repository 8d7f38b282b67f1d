"""Unit tests of the voxel Monte Carlo: determinism, energy bookkeeping, sources, geometry, inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.optics.layers import LayerStack, OpticalLayer
from laserskin.transport import Beam
from laserskin.transport.voxel import Medium, VoxelSource, VoxelVolume, simulate_voxel_transport
from laserskin.transport.voxel_geometry import (
    GeometrySpec,
    InclusionSpec,
    blood_medium,
    lattice_spacing_m,
    lattice_unit_cell,
    voxel_source,
    voxel_volume,
)

H = 20e-6


def _two_media(periodic=False, fresnel=True):
    labels = np.zeros((10, 10, 12), dtype=np.uint8)
    labels[3:7, :, 4:8] = 1  # a bar of a second medium with another refractive index
    media = (Medium("tissue", 1.4, 500.0, 20000.0, 0.8), Medium("bar", 1.33, 5000.0, 10000.0, 0.9))
    return VoxelVolume(
        labels, H, media, n_above=1.0, n_below=1.2, periodic=periodic, fresnel_between_media=fresnel, layer_count=1
    )


@pytest.mark.parametrize("periodic", [False, True])
def test_same_seed_same_bits_on_any_thread_count(periodic):
    volume = _two_media(periodic)
    source = VoxelSource.spot(Beam(kind="gaussian", radius_1e2="30 um"))
    one = simulate_voxel_transport(volume, source, 3000, 11, threads=1)
    two = simulate_voxel_transport(volume, source, 3000, 11, threads=2)
    assert np.array_equal(one.absorbed_energy_density_per_J, two.absorbed_energy_density_per_J)
    assert np.array_equal(one.diffuse_reflectance_per_area, two.diffuse_reflectance_per_area)
    assert one.summary()["absorbed_fraction_by_region"] == two.summary()["absorbed_fraction_by_region"]
    other = simulate_voxel_transport(volume, source, 3000, 12, threads=2)
    assert other.diffuse_reflectance != one.diffuse_reflectance


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("fresnel", [False, True])
def test_energy_is_conserved_to_rounding(periodic, fresnel):
    result = simulate_voxel_transport(_two_media(periodic, fresnel), VoxelSource.uniform(), 4000, 3, threads=1)
    assert abs(result.energy_balance()) < 1e-12
    # maps and totals agree (the maps hold every absorbed and escaped weight)
    h = H
    assert result.absorbed_energy_density_per_J.sum() * h**3 == pytest.approx(result.absorbed_fraction, rel=1e-12)
    assert result.diffuse_reflectance_per_area.sum() * h**2 == pytest.approx(result.diffuse_reflectance, rel=1e-12)
    assert result.absorbed_fraction_by_region.sum() == pytest.approx(result.absorbed_fraction, rel=1e-12)
    if periodic:
        assert result.escaped_sides_fraction == 0.0


def test_specular_reflection_and_unscattered_transmission():
    """A clear slab (μs = 0): the specular part is Fresnel's, Tt = (1 − R₁)(1 − R₂) e^{−μa d} / (1 − R₁R₂e^{−2μa d})."""
    labels = np.zeros((4, 4, 10), dtype=np.uint8)
    mua = 1000.0
    volume = VoxelVolume(labels, H, (Medium("glass", 1.5, mua, 0.0, 0.0),), periodic=True)
    result = simulate_voxel_transport(volume, VoxelSource.uniform(), 20000, 5, threads=1)
    r = (0.5 / 2.5) ** 2
    assert result.specular_reflectance == pytest.approx(r, rel=1e-12)
    t = math.exp(-mua * 10 * H)
    expected = (1 - r) ** 2 * t / (1 - r**2 * t**2)
    # packets are reflected or transmitted whole: binomial-like error, 4 sigma
    assert result.total_transmittance == pytest.approx(expected, abs=4 * result.total_transmittance_stderr)


def test_flat_top_beam_lands_inside_its_disc():
    labels = np.zeros((30, 30, 2), dtype=np.uint8)
    volume = VoxelVolume(labels, H, (Medium("clear", 1.0, 100.0, 0.0, 0.0),))
    beam = Beam(kind="flat_top", diameter="200 um")
    result = simulate_voxel_transport(volume, VoxelSource.spot(beam, 60e-6, -40e-6), 5000, 1, threads=1)
    tt = result.transmittance_per_area
    x, y = np.meshgrid(volume.x_centers_m, volume.y_centers_m, indexing="ij")
    outside = np.hypot(x - 60e-6, y + 40e-6) > 100e-6 + H  # a voxel's reach beyond the disc
    assert tt[outside].sum() == 0.0
    assert tt.sum() * H * H == pytest.approx(result.total_transmittance)


def test_beam_outside_an_escape_volume_is_refused():
    volume = _two_media()
    with pytest.raises(InputError):
        simulate_voxel_transport(volume, VoxelSource.spot(Beam(kind="flat_top", diameter="0.5 mm")), 10, 1)
    with pytest.raises(InputError):
        simulate_voxel_transport(volume, VoxelSource.uniform(), 0, 1)


def test_lattice_cells():
    assert lattice_spacing_m(1e8, "square") == pytest.approx(1e-4)
    a = lattice_spacing_m(1e8, "hex")
    (lx, ly), centres = lattice_unit_cell(a, "hex")
    assert len(centres) / (lx * ly) == pytest.approx(1e8)
    # every centre's nearest neighbour (through the periodic cell) is a apart
    pts = np.array([(x + i * lx, y + j * ly) for x, y in centres for i in (-1, 0, 1) for j in (-1, 0, 1)])
    d = np.hypot(*(pts[:, None, :] - np.array(centres)[None, :, :]).transpose(2, 0, 1))
    d[d < 1e-12] = np.inf
    assert d.min() == pytest.approx(a)


def _stack():
    return LayerStack(
        layers=(
            OpticalLayer(name="epidermis", n=1.4, mua="10 1/cm", mus="300 1/cm", g=0.8, thickness="60 um"),
            OpticalLayer(name="dermis", n=1.4, mua="0.5 1/cm", mus="200 1/cm", g=0.9, thickness="940 um"),
        )
    )


def test_inclusion_shapes_have_their_volume():
    geometry = GeometrySpec(kind="voxels", size=["1 mm", "1 mm", "1 mm"], voxel="10 um")
    incs = (
        InclusionSpec(kind="cylinder", axis="y", center=["0 mm", "0.4 mm"], radius="100 um", tissue="blood"),
        InclusionSpec(
            kind="sphere",
            center=["-0.3 mm", "0.2 mm", "0.7 mm"],
            radius="80 um",
            n=1.4,
            mua="1 1/cm",
            mus="1 1/cm",
            g=0.5,
        ),
        InclusionSpec(
            kind="ellipsoid",
            center=["0.3 mm", "-0.2 mm", "0.7 mm"],
            radii=["50 um", "100 um", "150 um"],
            n=1.4,
            mua="1 1/cm",
            mus="1 1/cm",
            g=0.5,
        ),
    )
    volume = voxel_volume(_stack(), geometry, incs, 532e-9)
    assert volume.region_names == ["epidermis", "dermis", "cylinder1", "sphere2", "ellipsoid3"]
    v = volume.voxel_volume_m3
    counts = np.bincount(volume.labels.ravel(), minlength=5) * v
    # voxelised volumes within 3 % of the exact ones (10 um voxels)
    assert counts[2] == pytest.approx(math.pi * 100e-6**2 * 1e-3, rel=0.03)
    assert counts[3] == pytest.approx(4 / 3 * math.pi * 80e-6**3, rel=0.03)
    assert counts[4] == pytest.approx(4 / 3 * math.pi * 50e-6 * 100e-6 * 150e-6, rel=0.03)
    assert counts[0] == pytest.approx(1e-6 * 60e-6, rel=1e-9)
    assert volume.labels[50, 50, 40] == 2  # vessel centre at z = 0.4 mm


def test_follicle_is_a_shaft_with_a_bulb():
    inc = InclusionSpec(
        kind="follicle",
        center=["0 um", "0 um"],
        radius="30 um",
        depth="500 um",
        bulb_radius="80 um",
        n=1.4,
        mua="50 1/cm",
        mus="100 1/cm",
        g=0.9,
    )
    geometry = GeometrySpec(kind="voxels", size=["0.4 mm", "0.4 mm", "0.8 mm"], voxel="10 um")
    labels = voxel_volume(_stack(), geometry, (inc,)).labels
    assert labels[20, 20, 0] == 2 and labels[20, 20, 57] == 2 and labels[20, 20, 59] == 1
    assert labels[27, 20, 50] == 2 and labels[27, 20, 30] == 1  # bulb wider than the shaft


def test_named_blood_matches_the_mcxyz_tissue_list():
    """Jacques' makeTissueList.m at 532 nm: blood μa = 230.5 /cm, μs = 93.98 /cm, g = 0.9 (spectralLIB.mat)."""
    blood = blood_medium("blood", 532e-9)
    assert blood.mus_per_m == pytest.approx(9398.5, rel=1e-4)
    # Prahl's haemoglobin tabulation, as in mcxyz's library; 3 % for the interpolation grids
    assert blood.mua_per_m == pytest.approx(23054.0, rel=0.03)


def test_geometry_table_errors():
    with pytest.raises(ValueError):
        GeometrySpec(kind="voxels", size=["1 mm", "1 mm", "1 mm"])
    with pytest.raises(ValueError):
        InclusionSpec(kind="sphere", center=["0 mm", "0 mm"], radius="1 um", tissue="blood")
    with pytest.raises(ValueError):
        InclusionSpec(kind="cylinder", center=["0 mm", "0 mm"], radius="1 um")
    with pytest.raises(InputError):
        voxel_volume(_stack(), GeometrySpec(kind="voxels", size=["1 mm", "1 mm", "1.005 mm"], voxel="10 um"))


def test_lattice_source_in_a_periodic_cell():
    geometry = GeometrySpec(
        kind="voxels",
        size=["1 mm", "1 mm", "0.5 mm"],
        voxel="10 um",
        boundary="periodic",
        lattice="hex",
        spacing="200 um",
    )
    volume = voxel_volume(_stack(), geometry)
    assert volume.shape[:2] == (20, 35)
    source = voxel_source(geometry, Beam(kind="gaussian", radius_1e2="30 um"))
    assert len(source.centers_m) == 2


def test_result_writes_netcdf_with_xyz_coordinates(tmp_path):
    from laserskin.core.io import read_netcdf, write_netcdf_atomic

    result = simulate_voxel_transport(_two_media(), VoxelSource.uniform(), 500, 1, threads=1)
    dataset = result.to_dataset()
    assert dataset["absorbed_energy_density_per_J"].dims == ("x", "y", "z")
    assert dataset["x"].attrs["units"] == "m"
    write_netcdf_atomic(dataset, tmp_path / "voxel.nc")
    back = read_netcdf(tmp_path / "voxel.nc")
    assert np.array_equal(back["absorbed_energy_density_per_J"].values, result.absorbed_energy_density_per_J)
    assert list(back["region"].values) == ["tissue", "bar"]


def test_lattice_tiles_an_escape_volume():
    geometry = GeometrySpec(
        kind="voxels", size=["1 mm", "1 mm", "0.2 mm"], voxel="20 um", lattice="square", spacing="300 um"
    )
    source = voxel_source(geometry, Beam(kind="flat_top", diameter="100 um"))
    xs = sorted({round(x * 1e6) for x, _ in source.centers_m})
    assert xs == [-300, 0, 300]  # sites whose spot fits inside the 1 mm face
    assert len(source.centers_m) == 9


def test_track_length_fluence_in_a_clear_absorber():
    """μs = 0, matched indices, uniform light: Φ(z) = e^{−μa z} / (Lx Ly) per joule (Beer–Lambert).

    Each packet's track in a slice is a 0/1-weighted length, so a slice mean over N packets has a
    relative error below 1/sqrt(N × survival); 4 sigma.
    """
    nz = 10
    mua = 2000.0
    labels = np.zeros((4, 4, nz), dtype=np.uint8)
    volume = VoxelVolume(labels, H, (Medium("absorber", 1.0, mua, 0.0, 0.0),), periodic=True)
    photons = 20000
    result = simulate_voxel_transport(volume, VoxelSource.uniform(), photons, 2, threads=1)
    area = (4 * H) ** 2
    z0 = np.arange(nz) * H
    expected = (np.exp(-mua * z0) - np.exp(-mua * (z0 + H))) / (mua * H) / area
    measured = result.fluence_per_J.mean(axis=(0, 1))
    survival = np.exp(-mua * (z0 + H))
    assert measured == pytest.approx(expected, rel=4 / np.sqrt(photons * survival.min()))
    # μa × Φ and the collision tally both estimate 1 − e^{−μa L} (binomial error of the collision tally, 4 sigma)
    a = 1 - np.exp(-mua * nz * H)
    sigma = np.sqrt(a * (1 - a) / photons)
    assert result.absorbed_energy_density_track_per_J.sum() * H**3 == pytest.approx(a, abs=4 * sigma)
    assert result.absorbed_fraction == pytest.approx(a, abs=4 * sigma)


def _vessel(**update):
    data = {"kind": "cylinder", "axis": "y", "center": ["0 mm", "0.4 mm"], "radius": "100 um", "tissue": "blood"}
    return InclusionSpec.model_validate({**data, **update})


GEOMETRY_1MM = GeometrySpec(kind="voxels", size=["1 mm", "1 mm", "1 mm"], voxel="20 um")


@pytest.mark.parametrize("name", ["dermis", "epidermis"])
def test_an_inclusion_named_like_a_layer_is_refused(name):
    """QA bad/vox_dup_name.toml: it was renamed dermis_2 without a word."""
    with pytest.raises(InputError) as error:
        voxel_volume(_stack(), GEOMETRY_1MM, (_vessel(name=name),), 532e-9)
    message = str(error.value)
    assert "inclusions[0].name" in message and name in message and "not taken" in message


def test_two_inclusions_of_one_name_are_refused():
    with pytest.raises(InputError, match=r"inclusions\[1\]\.name"):
        voxel_volume(
            _stack(), GEOMETRY_1MM, (_vessel(name="vessel"), _vessel(name="vessel", center=["0.2 mm", "0.4 mm"]))
        )


def test_an_inclusion_wholly_outside_the_volume_is_refused():
    """QA bad/vox_incl_outside.toml: a vessel at x = 5 mm in a 1 mm volume absorbed 0 without a word."""
    with pytest.raises(InputError, match=r"inclusions\[0\]\.center.*wholly outside"):
        voxel_volume(_stack(), GEOMETRY_1MM, (_vessel(center=["5 mm", "4 mm"]),), 532e-9)
    sphere = _vessel(kind="sphere", center=["0 mm", "0 mm", "-0.2 mm"])  # above the surface
    with pytest.raises(InputError, match="wholly outside"):
        voxel_volume(_stack(), GEOMETRY_1MM, (sphere,), 532e-9)


def test_an_inclusion_partly_inside_keeps_its_voxels_inside():
    # a vessel across the right face: half of it lies inside (x from 0.4 to 0.5 mm of its 0.4 to 0.6 mm)
    volume = voxel_volume(_stack(), GEOMETRY_1MM, (_vessel(center=["0.5 mm", "0.4 mm"]),), 532e-9)
    inside = np.count_nonzero(volume.labels == 2) * volume.voxel_volume_m3
    # half the cylinder's cross-section times the 1 mm length, within 5 % at 20 um voxels
    assert inside == pytest.approx(0.5 * math.pi * 100e-6**2 * 1e-3, rel=0.05)


def test_an_inclusion_smaller_than_a_voxel_is_refused():
    with pytest.raises(InputError, match=r"inclusions\[0\]\.radius.*at least one voxel"):
        voxel_volume(_stack(), GEOMETRY_1MM, (_vessel(radius="8 um"),), 532e-9)
    flat = _vessel(kind="ellipsoid", center=["0 mm", "0 mm", "0.5 mm"], radii=["100 um", "100 um", "5 um"])
    with pytest.raises(InputError, match=r"inclusions\[0\]\.radii"):
        voxel_volume(_stack(), GEOMETRY_1MM, (flat,), 532e-9)
    follicle = InclusionSpec(
        kind="follicle", center=["0 um", "0 um"], radius="5 um", depth="500 um", bulb_radius="80 um", tissue="blood"
    )
    with pytest.raises(InputError, match=r"inclusions\[0\]\.radius"):
        voxel_volume(_stack(), GEOMETRY_1MM, (follicle,), 532e-9)


def test_an_inclusion_between_voxel_centres_or_grazing_the_volume_is_refused():
    # one voxel across, its centre on a voxel corner: no voxel centre inside
    between = _vessel(kind="sphere", center=["0 mm", "0 mm", "0.5 mm"], radius="10 um")
    with pytest.raises(InputError, match="voxel centre"):
        voxel_volume(_stack(), GEOMETRY_1MM, (between,), 532e-9)
    grazing = _vessel(center=["0.595 mm", "0.4 mm"])  # 5 um of it inside, short of the 10 um to the centres
    with pytest.raises(InputError, match="voxel centre"):
        voxel_volume(_stack(), GEOMETRY_1MM, (grazing,), 532e-9)


def test_an_inclusion_painted_over_by_a_later_one_is_refused():
    small = _vessel(name="small", radius="40 um")
    with pytest.raises(InputError, match=r"inclusions\[0\].*painted over"):
        voxel_volume(_stack(), GEOMETRY_1MM, (small, _vessel(name="large")), 532e-9)
