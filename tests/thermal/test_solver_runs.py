"""Runs solved together (:func:`solve_bioheat_runs`) are the runs solved one by one, to the last bit.

The linear pipeline solves its heat runs with and without the laser in one call (one SuperLU solve with a column per
run, the factor read once); each column must be the solve of its own right-hand side, so every field, probe, peak,
stored field, observer call and ledger entry equals a separate :func:`solve_bioheat` call exactly (tolerance 0).
"""

import dataclasses

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium, solve_bioheat, solve_bioheat_runs


class _Recorder:
    def __init__(self):
        self.calls = []

    def on_step(self, time_s, dt_s, old, new):
        self.calls.append((time_s, dt_s, old.copy(), new.copy()))


def _case():
    grid = RZGrid.graded(r_max_m=2e-3, nr=12, z_max_m=2e-3, dz_surface_m=10e-6, dz_max_m=100e-6, growth=1.2)
    medium = ThermalMedium.jiang2002(grid, [80e-6, 2e-3])
    r, z = grid.r_centers_m[:, None], grid.z_centers_m[None, :]
    source = 2 / (np.pi * 0.5e-3**2) * np.exp(-2 * r**2 / 0.5e-3**2) * 3000.0 * np.exp(-3000.0 * z)
    power = Schedule.pulse_train([0.01, 0.03], 2e-3, 20.0)
    surface = SurfaceBoundary(
        Schedule([0.005, 0.02], [10.0, 5000.0, 10.0]), Schedule([0.005, 0.02], [298.15, 250.0, 298.15])
    )
    return medium, source, power, surface


def _equal(a, b):
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.array_equal(a, b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return a == b


@pytest.mark.parametrize("order", [("base", "laser"), ("laser", "base", "half")])
def test_runs_together_equal_runs_alone_bit_for_bit(order):
    medium, source, power, surface = _case()
    sources = {"base": None, "laser": source, "half": 0.5 * source}
    options = dict(probes=[(0.0, 0.0), (0.2e-3, 0.1e-3)], store_times_s=[0.012, 0.05])
    alone = {}
    for label in order:
        recorder = _Recorder()
        result = solve_bioheat(medium, sources[label], power, surface, 0.1, observers=[recorder], **options)
        alone[label] = (result, recorder)
    recorders = [_Recorder() for _ in order]
    together = solve_bioheat_runs(
        medium, [sources[label] for label in order], power, surface, 0.1, observers=[[r] for r in recorders], **options
    )
    assert len(together) == len(order)
    for label, result, recorder in zip(order, together, recorders, strict=True):
        # n_factorizations counts what the process-wide LU cache did not hold yet: it depends on the order of the calls
        fields = [f.name for f in dataclasses.fields(result) if f.name not in ("grid", "n_factorizations")]
        differing = [name for name in fields if not _equal(getattr(result, name), getattr(alone[label][0], name))]
        assert differing == [], f"{label}: {differing}"
        assert len(recorder.calls) == len(alone[label][1].calls) == result.n_steps
        for (t, dt, old, new), (t_a, dt_a, old_a, new_a) in zip(recorder.calls, alone[label][1].calls, strict=True):
            assert (t, dt) == (t_a, dt_a)
            assert np.array_equal(old, old_a) and np.array_equal(new, new_a)
    assert (
        together[order.index("laser")].global_peak_temperature_K
        > together[order.index("base")].global_peak_temperature_K
    )


def test_runs_need_one_observer_list_per_source():
    medium, source, power, surface = _case()
    with pytest.raises(InputError, match="observers"):
        solve_bioheat_runs(medium, [None, source], power, surface, 0.1, observers=[[]])
    with pytest.raises(InputError, match="sources_per_J"):
        solve_bioheat_runs(medium, [], power, surface, 0.1)
