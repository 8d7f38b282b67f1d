"""The MTZ read-out: depth, width and area fraction of one set of cells (QA11 finding F-A).

Before, the depth was read from every Henriques Ω ≥ 1 cell but the width and the area fraction only from the
dermal ones, so a zone confined to the epidermis had a depth and no width: a fractional 1550 nm r–z run at 2 mJ
(the ``fractional_array_1550`` example on rings) reported ``mtz_depth_um`` 61.9 (exactly the epidermis),
``mtz_width_um`` 0.0 and ``mtz_area_fraction`` 0.0. The rule now (``pipeline.ablative.mtz_zone_extent``, shared by
the r–z and voxel paths): the zone's deepest cell, the circle of its widest section, the share of the surface above
it — all of the whole zone, epidermis included (Manstein et al. 2004).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import _rz_zone_size, mtz_zone_extent
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation
from laserskin.pipeline.voxel import _zone_size as voxel_zone_size
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

RINGS_UM = 20.0
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _grid() -> RZGrid:
    return RZGrid.uniform(nr=20, dr_m=RINGS_UM * 1e-6, nz=100, dz_m=5e-6)


# --- the rule on synthetic zones --------------------------------------------------------------------------------
def test_an_empty_zone_has_no_size():
    assert mtz_zone_extent(np.zeros((4, 6), dtype=bool), np.arange(7) * 1e-6, np.ones(4)) == (0.0, 0.0, 0.0)


def test_a_disc_column_on_rings():
    """Rings 0–2 (radius 60 µm) from 10 to 40 µm deep: 40 µm deep, 120 µm wide, π (60 µm)² of surface."""
    grid = _grid()
    zone = np.zeros((grid.nr, grid.nz), dtype=bool)
    zone[:3, 2:8] = True  # 5 µm cells
    depth, width, covered = _rz_zone_size(zone, grid)
    assert depth == pytest.approx(40e-6, rel=1e-12)
    assert width == pytest.approx(120e-6, rel=1e-12)
    assert covered == pytest.approx(math.pi * (60e-6) ** 2, rel=1e-12)


def test_a_zone_confined_to_the_epidermis_has_a_width():
    """The F-A zone: the axis ring only, 18–62 µm deep (above the junction): its own width, not 0."""
    grid = _grid()
    zone = np.zeros((grid.nr, grid.nz), dtype=bool)
    zone[0, 4:12] = True
    depth, width, covered = _rz_zone_size(zone, grid)
    assert depth == pytest.approx(60e-6, rel=1e-12)
    assert width == pytest.approx(2 * RINGS_UM * 1e-6, rel=1e-12)  # one ring: the grid's resolution
    assert covered == pytest.approx(math.pi * (RINGS_UM * 1e-6) ** 2, rel=1e-12)


@pytest.mark.parametrize("shape", [(20, 100), (12, 12, 40)])
def test_a_zone_that_contains_another_is_never_reported_smaller(shape):
    """Necrosis ⊇ coagulated column ⊇ ablated channel: depth, widest section and covered area are monotone in
    the set of cells, on rings (ring areas) and voxels (one face area), for random nested zones."""
    rng = np.random.default_rng(11)
    z_edges = np.arange(shape[-1] + 1) * 5e-6
    area = math.pi * np.diff((np.arange(shape[0] + 1) * 20e-6) ** 2) if len(shape) == 2 else 25e-12
    for _ in range(50):
        outer = rng.random(shape) < 0.3
        inner = outer & (rng.random(shape) < 0.5)
        big, small = mtz_zone_extent(outer, z_edges, area), mtz_zone_extent(inner, z_edges, area)
        assert all(b >= s for b, s in zip(big, small))


def test_the_voxel_read_out_takes_the_same_rule():
    """A 3 × 3 voxel column (15 µm voxels) confined to the epidermis rows of a 21 × 21 cell with one site: 9
    voxels are the widest section and the covered surface, so width 2 √(9 v² / π), area fraction 9 / 441."""
    volume = SimpleNamespace(shape=(21, 21, 100), voxel_m=15e-6, size_m=(21 * 15e-6, 21 * 15e-6, 100 * 15e-6))
    zone = np.zeros(volume.shape, dtype=bool)
    zone[9:12, 9:12, 1:4] = True  # 15–60 µm: above a 62 µm junction
    depth, width, fraction = voxel_zone_size(zone, volume, sites=1)
    assert depth == pytest.approx(60e-6, rel=1e-12)
    assert width == pytest.approx(2 * math.sqrt(9 * (15e-6) ** 2 / math.pi), rel=1e-12)
    assert fraction == pytest.approx(9 / 441, rel=1e-12)
    # two sites in the cell: the width is one zone's, the area fraction the share of the whole cell
    zone[0:3, 0:3, 1:4] = True
    _, width_two, fraction_two = voxel_zone_size(zone, volume, sites=2)
    assert width_two == pytest.approx(width, rel=1e-12)
    assert fraction_two == pytest.approx(18 / 441, rel=1e-12)


# --- the runs -----------------------------------------------------------------------------------------------------
def _consistent(summary: dict, mtz_per_m2: float) -> None:
    """Depth, width and area fraction describe one set of cells: all 0 or all > 0, and on rings the area
    fraction is the circle of the width times the MTZ density."""
    depth, width, fraction = summary["mtz_depth_um"], summary["mtz_width_um"], summary["mtz_area_fraction"]
    assert (depth > 0) == (width > 0) == (fraction > 0)
    assert fraction == pytest.approx(min(1.0, math.pi * (width * 1e-6 / 2) ** 2 * mtz_per_m2), rel=1e-9)


def test_an_epidermal_zone_reports_its_width_and_area():
    """QA11 F-A, ``examples/fractional_array_1550.toml`` without its ``[geometry]`` table, i.e. on rings (2 mJ,
    120 µm, 1000 /cm², cold air; 2·10⁴ photons, seed 7): Henriques Ω ≥ 1 on the axis ring down to the junction, a blistered epidermal column. Before:
    61.9 µm deep, 0.0 wide, area fraction 0.0; now 61.9 × 40 µm (one 20 µm ring each side of the axis), 1.26 %."""
    data = tomllib.loads((EXAMPLES / "fractional_array_1550.toml").read_text(encoding="utf-8"))
    del data["geometry"]  # the same laser on rings
    simulation = Simulation.from_scenario(scenario_from_dict(data), photons=20_000)
    summary = simulation.run().summary
    junction_um = simulation.geometry().junction_depth_m * 1e6
    assert 0 < summary["mtz_depth_um"] <= junction_um + 1e-6  # the zone this test is about: epidermal only
    assert summary["mtz_width_um"] >= 2 * RINGS_UM - 1e-9
    _consistent(summary, float(simulation.laser.mtz_per_m2))


def test_a_shallow_crater_lies_inside_its_zone():
    """Fractional CO2 at 1 mJ (below the preset's 5 mJ; 120 µm, 10 %): the crater (37 µm) stays in the epidermis.
    Before: crater width 0.0 µm (read in the dermis only) at a depth of 37 µm, and the necrosis zone 75 µm wide
    (its dermal tip) around a crater 90 µm wide at the surface. Now every zone contains the one inside it."""
    laser = Laser(
        wavelength="10600 nm",
        pulse_energy="1 mJ",
        pulse_duration="1 ms",
        spot_diameter="10 mm",
        profile="gaussian",
        ablative=True,
        fractional={"microbeam_diameter": "120 um", "density": "10 %"},
    )
    summary = Simulation(Person(age=50, sex="female", fitzpatrick="II", site="cheek"), laser).run().summary
    assert summary["mtz_ablation_depth_um"] > 0 and summary["mtz_ablation_width_um"] > 0
    assert summary["mtz_depth_um"] >= summary["mtz_coagulation_depth_um"] >= summary["mtz_ablation_depth_um"]
    assert summary["mtz_width_um"] >= summary["mtz_coagulation_width_um"] >= summary["mtz_ablation_width_um"]
    _consistent(summary, float(laser.mtz_per_m2))
