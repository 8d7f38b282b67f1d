"""Shared fixtures: every test gets its own transport cache folder, so no test reads
another's cached Monte Carlo results or the user's ~/.cache/laserskin."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_transport_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path / "transport-cache"))
