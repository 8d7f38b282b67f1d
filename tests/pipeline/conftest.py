"""Fixtures of the pipeline tests."""

import pytest


@pytest.fixture
def no_transport(monkeypatch):
    """Every Monte Carlo transport of the pipeline fails the test if called, the r-z stage's entries
    (``stages.transport``, ``stages.simulate_transport_cached``) and the voxel stage's
    (``voxel.simulate_voxel_transport``): a refusal must come before any transport runs."""
    from laserskin.pipeline import stages
    from laserskin.pipeline import voxel as voxel_stage

    def forbidden(*args, **kwargs):
        raise AssertionError("the Monte Carlo transport ran before the refusal")

    monkeypatch.setattr(stages, "transport", forbidden)
    monkeypatch.setattr(stages, "simulate_transport_cached", forbidden)
    monkeypatch.setattr(voxel_stage, "simulate_voxel_transport", forbidden)
