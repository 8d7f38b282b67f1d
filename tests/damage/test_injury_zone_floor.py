"""QA16 #1: the epidermal verdict is never milder than the necrosis of the run's own micro-zone.

Synthetic maps on a small r-z grid (no transport, no heat solve): :func:`zone_epidermal_necrosis` finds the living
epidermis inside a zone's necrosis map and :func:`raise_to_zone` raises the grade, Ω, necrosis depth and pigmentary
risk to it, never lowers them.
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.core.constants import CELSIUS_K
from laserskin.core.errors import InputError
from laserskin.damage.injury import SUPERFICIAL_NECROSIS, raise_to_zone, zone_epidermal_necrosis
from laserskin.grid import RZGrid

GRID = RZGrid.uniform(nr=10, dr_m=20e-6, nz=40, dz_m=5e-6)  # 20 um rings, 5 um rows
JUNCTION = 60e-6  # basal row: centre 57.5 um
TOP = 13e-6  # bottom of the stratum corneum


def _maps(zone_rows: int, *, omega=1e8, peak_C=100.0):
    zone = np.zeros((GRID.nr, GRID.nz), dtype=bool)
    zone[:3, 2 : 2 + zone_rows] = True  # rows from 10 um down
    omega_map = np.where(zone, omega, 1e-9)
    peak = np.where(zone, peak_C + CELSIUS_K, 40.0 + CELSIUS_K)
    return zone, omega_map, peak


def test_a_zone_through_the_basal_layer_is_necrosis_of_the_epidermis():
    zone, omega, peak = _maps(20)
    found = zone_epidermal_necrosis(zone, omega, peak, GRID, junction_depth_m=JUNCTION, viable_top_m=TOP)
    assert found is not None and found.basal
    assert found.depth_m == pytest.approx(JUNCTION)
    assert found.omega_basal == pytest.approx(1e8)
    assert found.peak_basal_temperature_K == pytest.approx(100.0 + CELSIUS_K)
    raised = raise_to_zone(
        found, omega_basal=2.1e-6, grade="none", necrosis_depth_m=0.0, pigment_level="low", fitzpatrick="III"
    )
    assert raised["grade"] == "necrosis"  # Ω 1e8 >= 1e4
    assert raised["necrosis_depth_m"] == pytest.approx(JUNCTION)
    assert raised["pigment_level"] == "moderate"  # type III (1 point) + exposure 3 points
    assert set(raised["raised"]) == {"omega_basal", "grade", "necrosis_depth_m", "pigment_level"}


def test_a_zone_above_the_basal_layer_is_superficial_necrosis():
    zone, omega, peak = _maps(4)  # rows 10-30 um: living epidermis 13-30 um, not the basal row
    found = zone_epidermal_necrosis(zone, omega, peak, GRID, junction_depth_m=JUNCTION, viable_top_m=TOP)
    assert found is not None and not found.basal
    assert found.depth_m == pytest.approx(30e-6)
    raised = raise_to_zone(
        found, omega_basal=0.1, grade="none", necrosis_depth_m=0.0, pigment_level="low", fitzpatrick="II"
    )
    assert raised["grade"] == SUPERFICIAL_NECROSIS and raised["pigment_level"] == "low"


def test_nothing_is_lowered_and_no_zone_changes_nothing():
    zone, omega, peak = _maps(20, omega=5.0, peak_C=75.0)
    found = zone_epidermal_necrosis(zone, omega, peak, GRID, junction_depth_m=JUNCTION, viable_top_m=TOP)
    same = raise_to_zone(
        found, omega_basal=1e6, grade="necrosis", necrosis_depth_m=JUNCTION, pigment_level="high", fitzpatrick="VI"
    )
    assert same["raised"] == () and same["grade"] == "necrosis" and same["omega_basal"] == 1e6
    empty = np.zeros_like(zone)
    assert zone_epidermal_necrosis(empty, omega, peak, GRID, junction_depth_m=JUNCTION, viable_top_m=TOP) is None
    corneum_only = np.zeros_like(zone)
    corneum_only[0, :2] = True  # dead keratin only (centres 2.5, 7.5 um)
    assert zone_epidermal_necrosis(corneum_only, omega, peak, GRID, junction_depth_m=JUNCTION, viable_top_m=TOP) is None


def test_bad_inputs_are_refused():
    zone, omega, peak = _maps(20)
    with pytest.raises(InputError):
        zone_epidermal_necrosis(zone[:, :5], omega, peak, GRID, junction_depth_m=JUNCTION)
    found = zone_epidermal_necrosis(zone, omega, peak, GRID, junction_depth_m=JUNCTION)
    with pytest.raises(InputError):
        raise_to_zone(found, omega_basal=0.0, grade="bad", necrosis_depth_m=0.0, pigment_level="low", fitzpatrick="I")
