import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium, solve_bioheat, steady_state_temperature


# --- schedules ---------------------------------------------------------------------------
def test_schedule_is_right_continuous_and_integrates():
    s = Schedule([1.0, 2.0], [0.0, 5.0, 1.0])
    assert s.value_at(0.5) == 0.0 and s.value_at(1.0) == 5.0 and s.value_at(1.999) == 5.0 and s.value_at(2.0) == 1.0
    assert s.integral(0.0, 3.0) == pytest.approx(5.0 + 1.0)
    assert s.integral(1.5, 2.5) == pytest.approx(2.5 + 0.5)


def test_pulse_train_and_intervals():
    p = Schedule.pulse_train([0.0, 0.1], 3e-3, 100.0)
    assert p.integral(0.0, 1.0) == pytest.approx(2 * 0.3)
    assert p.value_at(0.1015) == 100.0 and p.value_at(0.05) == 0.0
    later_wins = Schedule.from_intervals([(0.0, 2.0, 1.0), (1.0, 3.0, 2.0)], default=9.0)
    assert [later_wins.value_at(t) for t in (-1, 0.5, 1.5, 2.5, 3.5)] == [9.0, 1.0, 2.0, 2.0, 9.0]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(start_times_s=[0.0, 0.001], durations_s=0.002, power_W=1.0),
        dict(start_times_s=0.0, durations_s=0.0, power_W=1.0),
        dict(start_times_s=0.0, durations_s=0.001, power_W=-1.0),
    ],
)
def test_bad_pulse_trains_rejected(kwargs):
    with pytest.raises(InputError):
        Schedule.pulse_train(**kwargs)


# --- medium --------------------------------------------------------------------------------
def small_grid(nr=20, nz=40):
    return RZGrid.graded(r_max_m=2e-3, nr=nr, z_max_m=2e-3, dz_surface_m=10e-6, dz_max_m=100e-6, growth=1.15)


def test_from_layers_assigns_cells_by_depth():
    grid = RZGrid.uniform(nr=3, dr_m=1e-4, nz=4, dz_m=1e-4)
    medium = ThermalMedium.from_layers(grid, [1e-4, 4e-4], [0.2, 0.5], [1000, 1000], [3000, 4000], [0.0, 1e-3])
    assert medium.conductivity_W_per_mK[0].tolist() == [0.2, 0.5, 0.5, 0.5]
    assert medium.volumetric_heat_capacity_J_per_m3K[2, 0] == 3e6
    assert medium.perfusion_per_s.shape == (3, 4)


@pytest.mark.parametrize(
    "k, rho_c, w, field",
    [
        (-0.1, 3e6, 0.0, "conductivity"),
        (0.4, 0.0, 0.0, "volumetric_heat_capacity"),
        (0.4, 3e6, -1e-3, "perfusion"),
        (np.ones(7), 3e6, 0.0, "conductivity"),
    ],
)
def test_bad_properties_rejected(k, rho_c, w, field):
    with pytest.raises(InputError, match=field):
        ThermalMedium(small_grid(), k, rho_c, w)


# --- solver --------------------------------------------------------------------------------
def gaussian_source(grid, w=0.5e-3, mu=3000.0):
    r, z = grid.r_centers_m[:, None], grid.z_centers_m[None, :]
    return 2 / (np.pi * w**2) * np.exp(-2 * r**2 / w**2) * mu * np.exp(-mu * z)


@pytest.fixture(scope="module")
def case():
    grid = small_grid()
    medium = ThermalMedium.jiang2002(grid, [80e-6, 2e-3])
    return grid, medium, gaussian_source(grid)


def test_bad_solver_inputs(case):
    grid, medium, source = case
    power = Schedule.pulse_train(0.01, 1e-3, 10.0)
    surface = SurfaceBoundary.resting_air()
    with pytest.raises(InputError, match="source_per_J"):
        solve_bioheat(medium, source[:, :-1], power, surface, 0.1)
    with pytest.raises(InputError, match=r"max_step_s.*<= 0.0001 s"):
        solve_bioheat(medium, source, power, surface, 0.1, max_step_s=2e-4)
    with pytest.raises(InputError, match="t_end_s"):
        solve_bioheat(medium, source, power, surface, -1.0)
    with pytest.raises(InputError, match="probes"):
        solve_bioheat(medium, source, power, surface, 0.1, probes=[(0.0, 1.0)])
    with pytest.raises(InputError, match="h_W_per_m2K"):
        SurfaceBoundary(Schedule.constant(-1.0), Schedule.constant(300.0))


class Recorder:
    def __init__(self):
        self.calls = []

    def on_step(self, time_s, dt_s, temperature_old_K, temperature_new_K):
        with pytest.raises(ValueError):  # observers cannot mutate the solver state
            temperature_new_K[0, 0] = 0.0
        self.calls.append((time_s, dt_s, temperature_old_K.copy(), temperature_new_K.copy()))


class Progress:
    def __init__(self):
        self.events = []

    def on_start(self, stage, total, unit):
        self.events.append(("start", stage, total, unit))

    def on_progress(self, stage, done, elapsed_s):
        self.events.append(("progress", stage, done))

    def on_end(self, stage, elapsed_s):
        self.events.append(("end", stage))


def test_steps_land_on_breakpoints_resolve_pulses_and_feed_observers(case):
    grid, medium, source = case
    power = Schedule.pulse_train([0.01, 0.05], 2e-3, 20.0)
    recorder, progress = Recorder(), Progress()
    result = solve_bioheat(
        medium,
        source,
        power,
        SurfaceBoundary.resting_air(),
        0.3,
        observers=[recorder],
        progress=progress,
        store_times_s=[0.0, 0.011, 0.2],
        probes=[(0.0, 0.0), (0.0, 50e-6)],
    )
    times = result.times_s
    for t in (0.01, 0.012, 0.05, 0.052, 0.011, 0.2, 0.3):
        assert np.min(np.abs(times - t)) < 1e-15
    in_pulse = np.sum((times > 0.01) & (times <= 0.012 + 1e-15))
    assert in_pulse >= 10
    # steps grow in the relaxation
    dts = np.diff(times)
    assert dts.max() > 20 * dts[(times[1:] > 0.01) & (times[1:] <= 0.012)].max()
    assert len(recorder.calls) == result.n_steps
    for (t, dt, _old, _new), t_prev, t_now in zip(recorder.calls, times[:-1], times[1:]):
        assert t == t_now and dt == pytest.approx(t_now - t_prev)
    assert np.array_equal(recorder.calls[-1][3], result.final_temperature_K)
    assert np.array_equal(result.stored(0.0), result.initial_temperature_K)
    assert progress.events[0] == ("start", "heat", 0.3, "s") and progress.events[-1] == ("end", "heat")
    assert progress.events[-2][2] == 0.3
    # the peak field and time: peak is during/at the end of a pulse
    assert result.global_peak_time_s in (pytest.approx(0.012), pytest.approx(0.052))
    assert result.global_peak_temperature_K == result.peak_temperature_K.max() == result.global_peak_field_K.max()
    assert np.all(result.peak_temperature_K >= result.final_temperature_K)
    # factorisations are cached: far fewer than steps
    assert result.n_factorizations < result.n_steps / 2
    # the surface-face probe lies between the surface cell and the air
    assert 298.15 < result.probe_temperatures_K[0, 0] < result.initial_temperature_K[0, 0]


def test_linear_in_power(case):
    grid, medium, source = case
    surface = SurfaceBoundary.resting_air()
    a = solve_bioheat(medium, source, Schedule.pulse_train(0.0, 1e-3, 10.0), surface, 0.05)
    b = solve_bioheat(medium, source, Schedule.pulse_train(0.0, 1e-3, 20.0), surface, 0.05)
    rise_a = a.final_temperature_K - a.initial_temperature_K
    rise_b = b.final_temperature_K - b.initial_temperature_K
    assert np.max(np.abs(rise_b - 2 * rise_a)) < 1e-9 * np.max(np.abs(rise_b))


def test_outer_radius_does_not_matter():
    """Doubling r_max (same dr) changes the peak rise by < 0.1 %, and the diagnostic says so."""
    peaks = []
    for nr, r_max in ((40, 2e-3), (80, 4e-3)):
        grid = RZGrid.graded(r_max_m=r_max, nr=nr, z_max_m=2e-3, dz_surface_m=10e-6, dz_max_m=100e-6, growth=1.15)
        medium = ThermalMedium.jiang2002(grid, [80e-6, 2e-3])
        result = solve_bioheat(
            medium, gaussian_source(grid), Schedule.pulse_train(0.0, 3e-3, 30.0), SurfaceBoundary.resting_air(), 1.0
        )
        peaks.append(result.global_peak_temperature_K - result.initial_temperature_K.max())
        if nr == 40:
            assert result.outer_edge_rise_fraction < 1e-3
    assert abs(peaks[0] - peaks[1]) < 1e-3 * peaks[1]


def test_steady_state_surface_is_physiological_for_a_deep_domain():
    """Jiang 2002 layers to 20 mm, 10 W/m²K to 25 °C air: surface ~33–34 °C (Jiang 2002 model IC 34 °C)."""
    bottoms = [80e-6, 2e-3, 12e-3, 20e-3]
    grid = RZGrid.graded(
        r_max_m=1e-3, nr=2, z_max_m=20e-3, dz_surface_m=10e-6, dz_max_m=200e-6, growth=1.1, interfaces_m=bottoms[:-1]
    )
    steady = steady_state_temperature(ThermalMedium.jiang2002(grid, bottoms))
    assert 32.5 < steady[0, 0] - 273.15 < 34.5
    assert np.all(np.diff(steady[0]) > 0)  # warmer with depth


def test_heat_result_to_dataset_and_save_round_trip(tmp_path):
    from laserskin.core.io import read_netcdf

    grid = RZGrid.graded(r_max_m=1e-3, nr=8, z_max_m=2e-3, dz_surface_m=20e-6, dz_max_m=200e-6, growth=1.2)
    medium = ThermalMedium(grid, 0.45, 3.96e6, 0.0)
    source = np.zeros((grid.nr, grid.nz))
    source[:2, :5] = 1e9
    result = solve_bioheat(
        medium,
        source,
        Schedule.pulse_train(0.0, 1e-3, 1.0),
        SurfaceBoundary.resting_air(),
        0.05,
        probes=[(0.0, 0.0), (0.0, 1e-4)],
        store_times_s=[0.01],
    )
    path = result.save(tmp_path / "heat.nc")
    data = read_netcdf(path)
    np.testing.assert_allclose(data["peak_temperature"].values, result.peak_temperature_K)
    np.testing.assert_allclose(data["probe_temperature"].values, result.probe_temperatures_K)
    assert all("units" in data[name].attrs for name in data.data_vars)
    assert data.attrs["energy_residual_J"] == pytest.approx(result.energy.residual_J)
