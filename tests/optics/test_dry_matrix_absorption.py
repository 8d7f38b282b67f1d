"""Absorption of the dry (protein) matrix at the CO2 lines, derived from the shipped Rowe 2017 blood spectrum."""

from __future__ import annotations

import pytest

from laserskin.core.errors import InputError
from laserskin.optics import chromophores as chrom


def test_protein_absorbs_about_as_strongly_as_water_at_10_6_um():
    """(μa,blood − W_b μa,water) / (1 − W_b) with W_b = 0.85 (R): (837 − 0.85 × 847) / 0.15 ≈ 780 /cm
    (SOURCES.md §5: blood 837, water 847 /cm at 10 600 nm), 0.90–0.93 × water for W_b 0.83–0.87 (the spread of the
    blood's water fraction is the tolerance)."""
    water = float(chrom.mua_water_per_m(10.6e-6))
    for wb in (0.83, 0.85, 0.87):
        ratio = float(chrom.mua_dry_matrix_per_m(10.6e-6, wb)) / water
        assert 0.89 <= ratio <= 0.94
    matrix = float(chrom.mua_dry_matrix_per_m(10.6e-6)) / 100.0
    assert matrix == pytest.approx((837.0 - 0.85 * 847.0) / 0.15, rel=0.03)


def test_defined_in_the_co2_band_only():
    assert float(chrom.mua_dry_matrix_per_m(2.94e-6)) == 0.0
    assert float(chrom.mua_dry_matrix_per_m(9.3e-6)) > 0.0
    with pytest.raises(InputError):
        chrom.mua_dry_matrix_per_m(10.6e-6, 1.0)
