"""Transport cache that heals: checksummed entries, damaged ones recomputed, orphans removed.

Fault injection (issue 11): truncated, empty, garbage and bit-flipped entries, an entry
written without a checksum, a folder where an entry should be, a cache path that is a
file, and a writer killed with SIGKILL in the middle of a write. In every case the cache
returns the result of a fresh run (nothing wrong is used) and nothing raises.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import xarray as xr

import laserskin.transport.cache as cache
from laserskin.core.errors import InputError
from laserskin.core.io import read_netcdf, write_netcdf_atomic
from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, simulate_transport, transport_cache_key
from laserskin.transport.cache import (
    CHECKSUM_ATTR,
    DamagedFileError,
    read_netcdf_checked,
    remove_orphaned_temporaries,
    simulate_transport_cached,
    write_netcdf_checked,
)

STACK = LayerStack(
    layers=(
        OpticalLayer(name="epidermis", n=1.4, mua="4 1/cm", mus="300 1/cm", g=0.8, thickness="60 um"),
        OpticalLayer(name="dermis", n=1.4, mua="0.3 1/cm", mus="200 1/cm", g=0.8, thickness="1.3 mm"),
    ),
)
GRID = RZGrid.graded(r_max_m=3e-3, nr=8, z_max_m=1e-3, dz_surface_m=2e-5, dz_max_m=2e-4, interfaces_m=[60e-6])
BEAM = Beam(kind="gaussian", fwhm="1 mm")
PHOTONS, SEED = 500, 4


def flip_a_value(path, dataset) -> float:
    """Flip one bit in the stored bytes of the largest absorbed-energy value; returns it."""
    values = np.asarray(dataset["absorbed_energy_density_per_J"].values, dtype=np.float64)
    target = float(values.flat[int(np.argmax(values))])
    data = bytearray(path.read_bytes())
    offset = data.find(np.float64(target).tobytes())
    assert offset >= 0, "value not stored verbatim (compressed?)"
    data[offset + 5] ^= 0x04  # a mantissa bit: a plausible, wrong number that still parses
    path.write_bytes(bytes(data))
    return target


@pytest.fixture
def counted(monkeypatch):
    """Count the Monte Carlo runs behind the cache."""
    calls = []
    real = cache.simulate_transport

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "simulate_transport", counting)
    return calls


@pytest.fixture(scope="module")
def fresh():
    return simulate_transport(STACK, GRID, BEAM, PHOTONS, SEED)


def entry(tmp_path):
    return tmp_path / f"{transport_cache_key(STACK, GRID, BEAM, PHOTONS, SEED)}.nc"


def test_entry_carries_a_checksum_and_is_reused(tmp_path, counted, fresh):
    simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, SEED, cache_dir=tmp_path)
    again = simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, SEED, cache_dir=tmp_path)
    assert len(counted) == 1
    assert isinstance(read_netcdf(entry(tmp_path)).attrs[CHECKSUM_ATTR], str)
    np.testing.assert_array_equal(again.absorbed_energy_density_per_J, fresh.absorbed_energy_density_per_J)
    assert sorted(p.name for p in tmp_path.iterdir()) == [entry(tmp_path).name]  # no temporary left


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "bit_flip", "no_checksum"])
def test_damaged_entry_is_recomputed_never_used(tmp_path, counted, fresh, damage):
    simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, SEED, cache_dir=tmp_path)
    path = entry(tmp_path)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "bit_flip":
        flip_a_value(path, read_netcdf(path))
        damaged = read_netcdf(path)  # still parses: only the checksum tells
        assert not np.array_equal(damaged["absorbed_energy_density_per_J"].values, fresh.absorbed_energy_density_per_J)
    else:  # an entry as written before checksums existed: not trusted
        write_netcdf_atomic(fresh.to_dataset(), path)
    with pytest.raises(DamagedFileError):
        read_netcdf_checked(path)
    again = simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, SEED, cache_dir=tmp_path)
    assert len(counted) == 2  # recomputed, not trusted
    np.testing.assert_array_equal(again.absorbed_energy_density_per_J, fresh.absorbed_energy_density_per_J)
    read_netcdf_checked(path)  # and healed: the entry is valid again
    simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, SEED, cache_dir=tmp_path)
    assert len(counted) == 2


def test_folder_in_place_of_an_entry_costs_caching_not_the_result(tmp_path, counted, fresh):
    entry(tmp_path).mkdir(parents=True)
    result = simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, SEED, cache_dir=tmp_path)
    np.testing.assert_array_equal(result.absorbed_energy_density_per_J, fresh.absorbed_energy_density_per_J)
    assert entry(tmp_path).is_dir() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cache_path_that_is_a_file_is_an_input_error(tmp_path, counted):
    path = tmp_path / "cache"
    path.write_text("not a folder")
    with pytest.raises(InputError, match="cache_dir"):
        simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, SEED, cache_dir=path)
    assert counted == []  # refused before any work


def test_orphaned_temporaries_are_removed_but_live_ones_kept(tmp_path):
    old = tmp_path / ".abc.nc.x1y2.tmp.nc"
    live = tmp_path / ".def.nc.z3w4.tmp.nc"
    keep = tmp_path / "abc.nc"
    for path in (old, live, keep):
        path.write_bytes(b"partial")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert remove_orphaned_temporaries(tmp_path, older_than_s=600) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, keep.name])


WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    import xarray as xr
    from laserskin.transport.cache import write_netcdf_checked
    path = sys.argv[1]
    data = np.arange(400_000, dtype=float)
    i = 0
    while True:  # rewrite the same entry with new content until killed
        i += 1
        write_netcdf_checked(xr.Dataset({"values": (("x",), data + i)}, attrs={"generation": i}), path)
        print(i, flush=True)
""")


def test_writer_killed_mid_write_leaves_old_or_new_file_never_a_part(tmp_path):
    """SIGKILL while a temporary file is being written: the entry is either a complete,
    checksum-valid generation or absent; the orphan is cleaned up afterwards."""
    path = tmp_path / "entry.nc"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert process.stdout.readline().strip() == "1"  # one complete generation exists
        deadline = time.monotonic() + 60  # a hang guard, not a speed assertion
        while not list(tmp_path.glob(".entry.nc.*")) and time.monotonic() < deadline:
            time.sleep(0.0005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
    dataset = read_netcdf_checked(path)  # a whole generation, its checksum valid
    generation = int(dataset.attrs["generation"])
    np.testing.assert_array_equal(dataset["values"].values, np.arange(400_000, dtype=float) + generation)
    orphans = list(tmp_path.glob(".entry.nc.*"))
    for orphan in orphans:
        os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    assert sorted(remove_orphaned_temporaries(tmp_path, older_than_s=600)) == sorted(orphans)
    assert [p.name for p in tmp_path.iterdir()] == ["entry.nc"]


def test_checksum_round_trip_covers_text_booleans_and_attributes(tmp_path):
    dataset = xr.Dataset(
        {
            "omega": ((), 0.00216),
            "kind": ((), "contact"),
            "eligible": ((), True),
            "curve": (("depth",), np.linspace(0, 1, 5)),
        },
        attrs={"inputs": "{}", "seed": 3},
    )
    path = write_netcdf_checked(dataset, tmp_path / "x.nc")
    back = read_netcdf_checked(path)
    assert back["eligible"].dtype == bool and str(back["kind"].values) == "contact"
    data = bytearray(path.read_bytes())
    offset = data.find(np.float64(0.00216).tobytes())
    data[offset + 5] ^= 0x10
    path.write_bytes(bytes(data))
    assert float(read_netcdf(path)["omega"]) != 0.00216  # parses, wrong
    with pytest.raises(DamagedFileError, match="checksum mismatch"):
        read_netcdf_checked(path)


def test_cache_is_bounded_least_recently_used_first(tmp_path, counted, monkeypatch):
    from laserskin.transport.cache import prune_cache

    simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, 1, cache_dir=tmp_path)
    size = next(tmp_path.glob("*.nc")).stat().st_size
    simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, 2, cache_dir=tmp_path)
    old = time.time() - 100
    for path in tmp_path.glob("*.nc"):
        os.utime(path, (old, old))
    simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, 1, cache_dir=tmp_path)  # a hit: seed 1 used last
    assert len(counted) == 2
    keep = tmp_path / f"{transport_cache_key(STACK, GRID, BEAM, PHOTONS, 1)}.nc"
    monkeypatch.setenv("LASERSKIN_CACHE_MAX_BYTES", str(int(2.5 * size)))
    simulate_transport_cached(STACK, GRID, BEAM, PHOTONS, 3, cache_dir=tmp_path)  # a third entry: evict one
    names = {p.name for p in tmp_path.glob("*.nc")}
    assert keep.name in names and len(names) == 2
    assert f"{transport_cache_key(STACK, GRID, BEAM, PHOTONS, 2)}.nc" not in names  # the least recently used
    assert prune_cache(tmp_path, max_bytes=0) and not list(tmp_path.glob("*.nc"))
