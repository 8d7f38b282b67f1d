"""The MTZ read-out: the dermal-first rule (QA11 finding F-A).

Before, the depth was read from every Henriques Ω ≥ 1 cell but the width and the area fraction only from the
dermal ones, so a zone confined to the epidermis had a depth and no width: a fractional 1550 nm r–z run at 2 mJ
(the ``fractional_array_1550`` example on rings) reported ``mtz_depth_um`` 61.9 (exactly the epidermis),
``mtz_width_um`` 0.0 and ``mtz_area_fraction`` 0.0. The rule now (``pipeline.summary.mtz_zone_extent``, shared by
the r–z and voxel paths): a zone that reaches the dermis is read there (widths as in histology, unchanged); a zone
confined to the epidermis is read over its own cells.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

RINGS_UM = 20.0
JUNCTION_M = 62e-6  # the synthetic zones' dermal-epidermal junction (5 µm cells: rows 13 and below are dermal)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _grid() -> RZGrid:
    return RZGrid.uniform(nr=20, dr_m=RINGS_UM * 1e-6, nz=100, dz_m=5e-6)


def _in_dermis(grid: RZGrid) -> np.ndarray:
    return (grid.z_centers_m > JUNCTION_M)[None, :]


# --- the rule on synthetic zones --------------------------------------------------------------------------------
def test_an_empty_zone_has_no_extent():
    from laserskin.pipeline.summary import mtz_zone_extent

    depth, read = mtz_zone_extent(np.zeros((4, 6), dtype=bool), np.arange(7) * 1e-6, np.ones(6, dtype=bool))
    assert depth == 0.0 and not read.any()


def test_a_zone_reaching_the_dermis_is_read_in_the_dermis():
    """Rings 0–4 (100 µm) in the epidermis over rings 0–1 (40 µm) down to 100 µm: 100 µm deep, 80 µm wide (its
    dermal cells, as histology reads a lesion and as before the rule), area fraction π (40 µm)² × density."""
    from laserskin.pipeline.summary import rz_mtz_keys, zone_size_m

    grid = _grid()
    zone = np.zeros((grid.nr, grid.nz), dtype=bool)
    zone[:5, 2:12] = True  # 10–60 µm, epidermis
    zone[:2, 12:20] = True  # 60–100 µm, across the junction
    depth, width = zone_size_m(zone, grid, _in_dermis(grid))
    assert depth == pytest.approx(100e-6, rel=1e-12)
    assert width == pytest.approx(4 * RINGS_UM * 1e-6, rel=1e-12)
    keys = rz_mtz_keys(zone, zone & _in_dermis(grid), grid, JUNCTION_M, mtz_per_m2=1e7)
    assert keys["mtz_area_fraction"] == pytest.approx(math.pi * (40e-6) ** 2 * 1e7, rel=1e-12)
    assert keys["mtz_coagulation_width_um"] == pytest.approx(keys["mtz_width_um"], rel=1e-12)


def test_a_zone_confined_to_the_epidermis_is_read_over_its_cells():
    """The F-A zone: the axis ring only, 20–60 µm deep (above the junction): its own width (one ring each side of
    the axis) and an area fraction, not 0."""
    from laserskin.pipeline.summary import rz_mtz_keys, zone_size_m

    grid = _grid()
    zone = np.zeros((grid.nr, grid.nz), dtype=bool)
    zone[0, 4:12] = True
    depth, width = zone_size_m(zone, grid, _in_dermis(grid))
    assert depth == pytest.approx(60e-6, rel=1e-12)
    assert width == pytest.approx(2 * RINGS_UM * 1e-6, rel=1e-12)
    keys = rz_mtz_keys(zone, np.zeros_like(zone), grid, JUNCTION_M, mtz_per_m2=1e7)
    assert keys["mtz_area_fraction"] == pytest.approx(math.pi * (RINGS_UM * 1e-6) ** 2 * 1e7, rel=1e-12)
    assert keys["mtz_coagulation_depth_um"] == keys["mtz_coagulation_width_um"] == 0.0


def test_the_voxel_read_out_takes_the_same_rule():
    """15 µm voxels, a 21 × 21 cell with one site. A 3 × 3 column in the epidermis rows only (15–60 µm): its own
    9 voxels, width 2 √(9 v² / π), area fraction 9 / 441. With a 1 × 1 tail into the dermis (60–90 µm) the zone is
    read on that tail: 90 µm deep, width 2 √(v² / π), area fraction 1 / 441."""
    from laserskin.pipeline.voxel import _zone_size

    voxel_m = 15e-6
    volume = SimpleNamespace(shape=(21, 21, 100), voxel_m=voxel_m)
    in_dermis = (np.arange(100) + 0.5) * voxel_m >= JUNCTION_M  # voxel centres: row 4 (67.5 µm) and below
    zone = np.zeros(volume.shape, dtype=bool)
    zone[9:12, 9:12, 1:4] = True
    depth, width, fraction = _zone_size(zone, in_dermis, volume, 1)
    assert depth == pytest.approx(60e-6, rel=1e-12)
    assert width == pytest.approx(2 * math.sqrt(9 * voxel_m**2 / math.pi), rel=1e-12)
    assert fraction == pytest.approx(9 / 441, rel=1e-12)
    zone[10, 10, 4:6] = True
    depth, width, fraction = _zone_size(zone, in_dermis, volume, 1)
    assert depth == pytest.approx(90e-6, rel=1e-12)
    assert width == pytest.approx(2 * math.sqrt(voxel_m**2 / math.pi), rel=1e-12)
    assert fraction == pytest.approx(1 / 441, rel=1e-12)


# --- the runs -----------------------------------------------------------------------------------------------------
def _consistent(summary: dict, mtz_per_m2: float) -> None:
    """Depth, width and area fraction: all 0 or all > 0, the area fraction the circle of the width times the MTZ
    density (rings)."""
    depth, width, fraction = summary["mtz_depth_um"], summary["mtz_width_um"], summary["mtz_area_fraction"]
    assert (depth > 0) == (width > 0) == (fraction > 0)
    assert fraction == pytest.approx(min(1.0, math.pi * (width * 1e-6 / 2) ** 2 * mtz_per_m2), rel=1e-12)


def test_an_epidermal_zone_reports_its_width_and_area():
    """QA11 F-A, ``examples/fractional_array_1550.toml`` without its ``[geometry]`` table, i.e. on rings (2 mJ,
    120 µm, 1000 /cm², cold air; 2·10⁴ photons, seed 7): Henriques Ω ≥ 1 on the axis ring down to the junction, a
    blistered epidermal column. Before: 61.9 µm deep, 0.0 wide, area fraction 0.0; now read over its own cells."""
    data = tomllib.loads((EXAMPLES / "fractional_array_1550.toml").read_text(encoding="utf-8"))
    del data["geometry"]  # the same laser on rings
    simulation = Simulation.from_scenario(scenario_from_dict(data), photons=20_000)
    summary = simulation.run().summary
    junction_um = simulation.geometry().junction_depth_m * 1e6
    assert 0 < summary["mtz_depth_um"] <= junction_um + 1e-6  # the zone this test is about: epidermal only
    assert summary["mtz_width_um"] >= 2 * RINGS_UM - 1e-9  # at least the axis ring
    _consistent(summary, float(simulation.laser.mtz_per_m2))


def test_a_crater_in_the_epidermis_has_a_width():
    """Fractional CO2 at 1 mJ (below the preset's 5 mJ; 120 µm, 10 %, type II cheek): the crater (37 µm deep) stays
    in the epidermis. Before: crater and coagulated column 0.0 µm wide (read in the dermis only). Now read over
    their own cells; the necrosis zone reaches the dermis and is read there (the rule's known consequence, stated
    in ``mtz_zone_extent``: at this energy the crater reads wider than the MTZ around it)."""
    laser = Laser(
        wavelength="10600 nm",
        pulse_energy="1 mJ",
        pulse_duration="1 ms",
        spot_diameter="10 mm",
        profile="gaussian",
        ablative=True,
        fractional={"microbeam_diameter": "120 um", "density": "10 %"},
    )
    simulation = Simulation(Person(age=50, sex="female", fitzpatrick="II", site="cheek"), laser)
    summary = simulation.run().summary
    junction_um = simulation.geometry().junction_depth_m * 1e6
    assert 0 < summary["mtz_ablation_depth_um"] < junction_um  # the case this test is about
    assert summary["mtz_ablation_width_um"] > 0
    assert summary["mtz_coagulation_width_um"] >= summary["mtz_ablation_width_um"]
    assert summary["mtz_depth_um"] >= summary["mtz_coagulation_depth_um"] >= summary["mtz_ablation_depth_um"]
    _consistent(summary, float(laser.mtz_per_m2))
