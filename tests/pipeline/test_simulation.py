"""Simulation results: every variable has units, provenance is recorded, outputs round-trip."""

import json

import numpy as np
import pytest

from laserskin.core.io import read_netcdf
from laserskin.pipeline.simulation import Simulation, SimulationSettings
from laserskin.skin import Person
from laserskin.thermal.cooling import Cooling
from laserskin.treatment.laser import Laser


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    settings = SimulationSettings(photons=5_000, seed=9, store_times=["10 ms", "0.5 s"], grid={"nr": 30})
    laser = Laser(
        wavelength="1320 nm", fluence="20 J/cm^2", pulse_duration="20 ms", spot_diameter="5 mm", profile="flat_top"
    )
    person = Person(age=40, sex="male", fitzpatrick="III", site="forehead")
    return Simulation(person, laser, {"kind": "contact"}, settings=settings, cache_dir=cache).run()


def test_every_variable_has_units(result):
    for name, variable in {**result.dataset.data_vars, **result.dataset.coords}.items():
        assert "units" in variable.attrs, name


def test_provenance_and_round_trip(result, tmp_path):
    path = result.save(tmp_path / "r.nc")
    back = read_netcdf(path)
    assert back.attrs["seed"] == "9" and back.attrs["photons"] == "5000"
    assert back.attrs["laserskin_version"]
    assert json.loads(back.attrs["laser"])["wavelength"] == "1320 nm"
    assert json.loads(back.attrs["summary"])["epidermal_injury"] == result.summary["epidermal_injury"]
    np.testing.assert_array_equal(back["peak_temperature"].values, result.dataset["peak_temperature"].values)


def test_store_times_land_exactly_and_peak_field_is_the_hottest(result):
    lead = 1.0  # contact cooling starts 1 s before the pulse
    np.testing.assert_allclose(result.dataset["store_time"].values, [0.01, 0.5], rtol=0, atol=1e-12)
    peak_field = result.dataset["temperature_at_global_peak"].values
    assert peak_field.max() == pytest.approx(result.dataset["peak_temperature"].values.max())
    assert result.dataset["temperature_at_global_peak"].attrs["time_s"] > lead


def test_device_laser_gets_the_device_cooling_by_default():
    """Simulation(person, Laser.from_device(name)) applies the preset's cooling (as the CLI does);
    an explicit cooling replaces it; a laser without a preset gets none."""
    from laserskin.treatment.devices import load_device

    person = Person(age=52, sex="female", fitzpatrick="III", site="cheek")
    preset = load_device("smoothbeam_1450")
    simulation = Simulation(person, Laser.from_device("smoothbeam_1450"))
    assert simulation.cooling.kind == preset.cooling["kind"] == "cryogen"
    assert simulation.cooling == Cooling.from_config(preset.cooling)
    assert Simulation(person, Laser.from_device("smoothbeam_1450"), {"kind": "none"}).cooling.kind == "none"
    explicit = Laser.model_validate(
        {"wavelength": "1450 nm", "fluence": "12 J/cm^2", "pulse_duration": "210 ms", "spot_diameter": "6 mm"}
    )
    assert Simulation(person, explicit).cooling.kind == "none"


def test_result_records_the_citations_it_used(result):
    keys = set(result.citations)
    assert {"wang1995mcml", "pennes1948", "henriques_moritz1947"} <= keys
    assert json.loads(result.dataset.attrs["citations"]) == sorted(keys)
    assert "walsh_deutsch1988" not in keys  # no ablation in a non-ablative run


def test_save_as_mat_round_trips(result, tmp_path):
    from scipy.io import loadmat

    path = result.save(tmp_path / "run.mat", format="mat")
    data = loadmat(path)
    np.testing.assert_allclose(data["peak_temperature"], result.dataset["peak_temperature"].values)
    assert "laserskin_version" in data["provenance"].dtype.names


def test_result_plot_draws_one_overview_figure(result, tmp_path):
    figure = result.plot(tmp_path / "overview.png")
    assert (tmp_path / "overview.png").stat().st_size > 1000
    assert len(figure.axes) >= 3
