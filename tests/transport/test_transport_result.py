"""TransportResult: summary, xarray dataset with units and provenance, NetCDF round trip, cache."""

import json
import os

import numpy as np
import pytest

from laserskin import __version__
from laserskin.core.io import read_netcdf, write_netcdf_atomic
from laserskin.grid import RZGrid
from laserskin.transport import (
    Beam,
    LayerStack,
    OpticalLayer,
    TransportResult,
    simulate_transport,
    simulate_transport_cached,
    transport_cache_key,
)
from laserskin.transport.driver import KERNEL_VERSION

STACK = LayerStack(
    layers=(
        OpticalLayer(name="epidermis", n=1.4, mua="4 1/cm", mus="300 1/cm", g=0.8, thickness="60 um"),
        OpticalLayer(name="dermis", n=1.4, mua="0.3 1/cm", mus="200 1/cm", g=0.8, thickness="1.3 mm"),
    ),
    n_above=1.0,
    n_below=1.0,
)
GRID = RZGrid.graded(r_max_m=3e-3, nr=15, z_max_m=1e-3, dz_surface_m=5e-6, dz_max_m=1e-4, interfaces_m=[60e-6])
BEAM = Beam(kind="gaussian", fwhm="1 mm")


@pytest.fixture(scope="module")
def result():
    return simulate_transport(STACK, GRID, BEAM, 5000, seed=9)


def test_summary_is_json_ready_with_all_keys(result):
    summary = result.summary()
    text = json.dumps(summary, allow_nan=False)
    assert json.loads(text) == summary
    for key in ("specular_reflectance", "diffuse_reflectance", "total_transmittance", "absorbed_fraction"):
        assert isinstance(summary[key], float) and isinstance(summary[key + "_stderr"], float)
    assert len(summary["absorbed_fraction_by_layer"]) == len(summary["absorbed_fraction_by_layer_stderr"]) == 2
    for key in ("absorbed_outside_grid_fraction", "photons_per_second", "wall_time_s"):
        assert isinstance(summary[key], float)
    assert (summary["photons"], summary["seed"]) == (5000, 9)
    assert isinstance(summary["threads"], int)


def test_dataset_has_units_coordinates_and_provenance(result):
    ds = result.to_dataset()
    assert ds["absorbed_energy_density_per_J"].dims == ("r", "z")
    assert ds.sizes["r"] == GRID.nr and ds.sizes["z"] == GRID.nz
    np.testing.assert_array_equal(ds["r"].values, GRID.r_centers_m)
    np.testing.assert_array_equal(ds["z_edges"].values, GRID.z_edges_m)
    for name, variable in {**ds.data_vars, **ds.coords}.items():
        assert "units" in variable.attrs, name
    assert ds["absorbed_energy_density_per_J"].attrs["units"] == "1/m^3"
    assert ds["fluence_per_J"].attrs["units"] == "1/m^2"
    assert ds.attrs["laserskin_version"] == __version__
    assert ds.attrs["kernel_version"] == KERNEL_VERSION
    assert int(ds.attrs["seed"]) == 9 and int(ds.attrs["photons"]) == 5000
    assert json.loads(ds.attrs["stack"])["layers"][0]["mua"].endswith("1/cm")
    assert json.loads(ds.attrs["beam"])["kind"] == "gaussian"
    assert json.loads(ds.attrs["grid"])["digest"] == GRID.digest()


def test_netcdf_round_trip_is_exact(result, tmp_path):
    path = write_netcdf_atomic(result.to_dataset(), tmp_path / "sub" / "run.nc")
    back = TransportResult.from_dataset(read_netcdf(path))
    assert back.stack.digest() == STACK.digest() and back.stack.names == STACK.names
    assert back.grid.digest() == GRID.digest()
    assert back.beam == BEAM
    for name in (
        "absorbed_energy_density_per_J",
        "fluence_per_J",
        "diffuse_reflectance_per_area",
        "transmittance_per_area",
        "absorbed_fraction_by_layer",
        "absorbed_fraction_by_layer_stderr",
    ):
        np.testing.assert_array_equal(getattr(back, name), getattr(result, name))
    assert back.summary() == result.summary()
    assert os.listdir(tmp_path / "sub") == ["run.nc"]  # no temporary file left behind


def test_atomic_write_keeps_old_file_on_failure(result, tmp_path):
    path = tmp_path / "run.nc"
    write_netcdf_atomic(result.to_dataset(), path)
    before = path.read_bytes()
    bad = result.to_dataset()
    bad.attrs["unwritable"] = {"a": 1}  # netCDF cannot store a dict attribute
    with pytest.raises((TypeError, ValueError)):
        write_netcdf_atomic(bad, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["run.nc"]


def test_cache_reuses_result_and_keys_on_inputs(tmp_path, monkeypatch):
    calls = []
    import laserskin.transport.cache as cache

    real = cache.simulate_transport

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "simulate_transport", counting)
    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path))
    first = simulate_transport_cached(STACK, GRID, BEAM, 2000, seed=4)
    renamed = LayerStack(layers=tuple(l.model_copy(update={"name": "x"}) for l in STACK.layers))
    second = simulate_transport_cached(renamed, GRID, BEAM, 2000, seed=4, threads=1)
    assert len(calls) == 1
    assert second.stack.names == ["x", "x"]  # caller's stack returned
    np.testing.assert_array_equal(first.absorbed_energy_density_per_J, second.absorbed_energy_density_per_J)
    assert len(list(tmp_path.glob("*.nc"))) == 1
    simulate_transport_cached(STACK, GRID, BEAM, 2000, seed=5)
    assert len(calls) == 2
    key = transport_cache_key(STACK, GRID, BEAM, 2000, 4)
    assert key != transport_cache_key(STACK, GRID, Beam(kind="gaussian", fwhm="1.1 mm"), 2000, 4)
    assert key != transport_cache_key(STACK, GRID, BEAM, 2001, 4)
    # a damaged cache file is recomputed
    (tmp_path / f"{key}.nc").write_bytes(b"not netcdf")
    simulate_transport_cached(STACK, GRID, BEAM, 2000, seed=4)
    assert len(calls) == 3


def test_cached_result_matches_fresh_run(tmp_path):
    a = simulate_transport_cached(STACK, GRID, BEAM, 3000, seed=2, cache_dir=tmp_path)
    b = simulate_transport(STACK, GRID, BEAM, 3000, seed=2)
    c = simulate_transport_cached(STACK, GRID, BEAM, 3000, seed=2, cache_dir=tmp_path)
    np.testing.assert_array_equal(a.fluence_per_J, b.fluence_per_J)
    np.testing.assert_array_equal(c.fluence_per_J, b.fluence_per_J)
    assert c.diffuse_reflectance == b.diffuse_reflectance


def test_single_photon_run_has_nan_standard_errors():
    one = simulate_transport(STACK, GRID, BEAM, 1, seed=1)
    assert one.batches == 1
    summary = one.summary()
    assert np.isnan(summary["diffuse_reflectance_stderr"]) and isinstance(summary["diffuse_reflectance"], float)
    assert abs(one.energy_balance()) < 1e-12
