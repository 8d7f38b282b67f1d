"""absorbed_outside_grid_share: one rule (transport.result.outside_grid_share) for r-z and voxel runs."""

from __future__ import annotations

import pytest

from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, simulate_transport
from laserskin.transport.result import outside_grid_share


def test_outside_grid_share_is_outside_over_outside_plus_on_grid():
    assert outside_grid_share(0.2, 0.6) == pytest.approx(0.25, rel=1e-15)
    assert outside_grid_share(0.0, 0.0) == 0.0
    assert outside_grid_share(0.0, 0.5) == 0.0


def test_voxel_runs_share_the_rule():
    """The voxel simulate path imports the one rule under its one name (QA14 #6: the voxel alias
    ``transport.voxel.outside_volume_share`` is gone)."""
    from laserskin.pipeline import voxel as voxel_pipeline
    from laserskin.transport import voxel

    assert voxel_pipeline.outside_grid_share is outside_grid_share
    assert not hasattr(voxel, "outside_volume_share")


def test_rz_transport_result_reports_the_share_by_the_one_rule(tmp_path):
    """A narrow grid of weakly absorbing tissue: much of A lies beyond r_max. The result's own share is the rule's
    (outside over outside + on the grid, which is A on rings), so ``laserskin transport`` no longer works it out."""
    stack = LayerStack(
        layers=(
            OpticalLayer(name="epidermis", n=1.4, mua="1 1/cm", mus="100 1/cm", g=0.8, thickness="60 um"),
            OpticalLayer(name="dermis", n=1.4, mua="0.3 1/cm", mus="100 1/cm", g=0.8, thickness="2 mm"),
        ),
    )
    grid = RZGrid.graded(r_max_m=1e-3, nr=6, z_max_m=1e-3, dz_surface_m=5e-5, dz_max_m=2e-4, interfaces_m=[60e-6])
    result = simulate_transport(stack, grid, Beam(kind="flat_top", diameter="1 mm"), 2000, seed=5, threads=1)
    outside, absorbed = result.absorbed_outside_grid_fraction, result.absorbed_fraction
    assert 0.0 < outside < absorbed
    summary = result.summary()
    assert summary["absorbed_outside_grid_share"] == outside_grid_share(outside, absorbed - outside)
    assert summary["absorbed_outside_grid_share"] == pytest.approx(outside / absorbed, rel=1e-12)  # the same on rings
    assert result.absorbed_on_grid_fraction == absorbed - outside
