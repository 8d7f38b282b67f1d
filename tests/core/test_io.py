"""Atomic writes: readers never see half a file; temporaries of killed writers are cleaned up."""

import os
import time

from laserskin.core.io import remove_orphaned_temporaries, write_bytes_atomic


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "result.nc"
    old = tmp_path / ".result.nc.abc123.tmp.nc"  # what a kill -9 mid-write leaves
    old.write_bytes(b"")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    fresh = tmp_path / ".result.nc.def456.tmp.nc"  # a writer still at work: kept
    fresh.write_bytes(b"")
    other = tmp_path / ".other.nc.abc.tmp.nc"  # another file's temporary: kept
    other.write_bytes(b"")
    os.utime(other, (hour_ago, hour_ago))
    write_bytes_atomic(target, b"data")
    assert target.read_bytes() == b"data"
    assert not old.exists() and fresh.exists() and other.exists()
    assert remove_orphaned_temporaries(target, older_than_s=-1) == 1 and not fresh.exists()
