"""``laserskin simulate`` refuses fewer photons than one read-out region (pipeline/settings.py ``MIN_PHOTONS``): 1-999
photons reported Monte Carlo noise as a result (10 photons gave 25.7 % immediate tightening against 7.7 % at 20 000).
Light transport alone keeps its floor of one photon. Every refusal here comes before any transport or heat solve.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from laserskin.cli import app

runner = CliRunner()


#: QA10 #11's scenario (/tmp/qa10/s/v_9b.toml): 10 photons gave 25.7 % immediate tightening against 7.7 % at 20 000.
SCENARIO = """
[person]
age = 45
sex = "female"
fitzpatrick = "II"
site = "cheek"

[laser]
wavelength = "1450 nm"
fluence = "10 J/cm^2"
pulse_duration = "100 ms"
spot_diameter = "3 mm"
"""


def _scenario(tmp_path, photons: int | None = None):
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO + ("" if photons is None else f"\n[transport]\nphotons = {photons}\n"), encoding="utf-8")
    return path


def _refusal(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    return line


def test_the_photon_floor_is_one_constant_the_planner_and_simulate_share():
    """The planner's 1000 and the simulation's floor are the read-out's region size (damage.injury), one constant."""
    from laserskin.core.errors import field_range
    from laserskin.damage.injury import READOUT_MIN_PHOTONS
    from laserskin.pipeline.settings import MIN_PHOTONS, SimulationSettings
    from laserskin.planning.request import PlanRequest

    assert MIN_PHOTONS == READOUT_MIN_PHOTONS
    assert field_range(SimulationSettings.model_fields["photons"])[0]["ge"] == MIN_PHOTONS
    assert field_range(PlanRequest.model_fields["photons"])[0]["ge"] == MIN_PHOTONS


@pytest.mark.parametrize("photons", [1, 10, 999])
def test_simulate_refuses_a_scenario_with_fewer_photons_than_one_readout_region(tmp_path, photons):
    line = _refusal(runner.invoke(app, ["simulate", str(_scenario(tmp_path, photons)), "--json"]))
    assert line.startswith(f"error: transport.photons: got {photons}; expected a whole number from 1000 to "), line


def test_simulate_refuses_photons_under_the_floor_given_on_the_command_line(tmp_path):
    line = _refusal(runner.invoke(app, ["simulate", str(_scenario(tmp_path)), "--photons", "10"]))
    assert line.startswith("error: photons: got 10; expected a whole number from 1000 to "), line
    # the command line overrides a scenario's count: a valid table does not hide a bad option, nor the reverse
    line = _refusal(runner.invoke(app, ["simulate", str(_scenario(tmp_path, 5000)), "--photons", "999"]))
    assert line.startswith("error: photons: got 999;"), line


def test_the_python_api_and_the_planner_say_the_same_floor():
    from pydantic import ValidationError

    from laserskin.core.errors import InputError
    from laserskin.pipeline.settings import SimulationSettings
    from laserskin.planning.request import PlanRequest

    with pytest.raises(ValidationError, match="greater than or equal to 1000"):
        SimulationSettings(photons=999)
    assert SimulationSettings(photons=1000).photons == 1000  # the floor itself is a valid run
    with pytest.raises(InputError, match=r"plan\.photons: got '999'; expected a whole number from 1000 to 10000000"):
        PlanRequest.validated(age="52", sex="female", fitzpatrick="IV", site="cheek", photons="999")


def test_light_transport_alone_keeps_a_floor_of_one_photon():
    """``laserskin transport`` counts photons only (each tally with its standard error): the ``[transport]`` table
    still takes a small count, and only a coupled simulation built from it refuses it."""
    from laserskin.core.errors import InputError
    from laserskin.pipeline.settings import GridSpec, HeatSettings, SimulationSettings, TransportSettings

    table = TransportSettings(photons=10)
    assert table.photons == 10
    with pytest.raises(InputError, match=r"transport\.photons: got 10; expected a whole number from 1000"):
        SimulationSettings.from_tables(table, HeatSettings(), GridSpec())
    assert SimulationSettings.from_tables(table, HeatSettings(), GridSpec(), photons=2000).photons == 2000
