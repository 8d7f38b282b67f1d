"""Shared fixtures: every test gets its own transport cache folder, so no test reads
another's cached Monte Carlo results or the user's ~/.cache/laserskin; and the stored settings of
the default 1320 nm plan, shared by the CLI and report tests of its stacked pulses."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_transport_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path / "transport-cache"))


@pytest.fixture
def settings_1320() -> dict:
    """``settings`` of the default 1320 nm plan (cooltouch_1320): 3 pulses at 2 Hz per spot, 14.2 J/cm² each
    (QA7 #4). Stored plan data, no computation; a fresh dict per test, so a test may change its copy."""
    return {
        "wavelength_nm": 1320.0,
        "fluence_J_per_cm2": 14.22,
        "pulse_energy_mJ": 11169.0,
        "pulse_duration_ms": 50.0,
        "spot_diameter_mm": 10.0,
        "repetition_rate_Hz": 2.0,
        "pulses_per_spot": 3,
        "fluence_per_spot_J_per_cm2": 42.66,
        "passes": 1,
        "profile": "flat_top",
    }
