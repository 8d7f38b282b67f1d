"""Session 14 leftovers: one rule per quantity, one check per input, refusals that echo what was typed."""

from __future__ import annotations

import warnings

import pytest

from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, simulate_transport
from laserskin.transport.result import outside_grid_share

# --- 1. absorbed_outside_grid_share: one rule for r–z and voxel runs --------------------------------------------


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


@pytest.fixture(scope="module")
def simulation_1064(tmp_path_factory):
    """1064 nm, 5 mm spot on a person's default grid (tests/pipeline/test_grid_capture_warning.py): a fifth of the
    absorbed light lies beyond the radius."""
    from laserskin.pipeline.simulation import Simulation, SimulationSettings
    from laserskin.skin import Person
    from laserskin.treatment.laser import Laser

    person = Person(age=55, sex="female", fitzpatrick="II", site="cheek")
    settings = SimulationSettings(photons=3_000, seed=3, grid={"nr": 30})
    return Simulation(
        person,
        Laser.from_device("genesis_1064"),
        settings=settings,
        progress=None,
        cache_dir=tmp_path_factory.mktemp("cache"),
    )


@pytest.fixture(scope="module")
def run_1064(simulation_1064):
    """The run, with the calls of pool_rings made while its linear summary is computed counted (item 2)."""
    import laserskin.pipeline.simulation as simulation_module
    import laserskin.pipeline.summary as summary_module

    calls: list[int] = []
    inside: list[bool] = []
    pool_rings, linear_summary = summary_module.pool_rings, simulation_module.linear_summary

    def counted_pool_rings(*args, **kwargs):
        if inside:
            calls.append(1)
        return pool_rings(*args, **kwargs)

    def counted_summary(*args, **kwargs):
        inside.append(True)
        try:
            return linear_summary(*args, **kwargs)
        finally:
            inside.pop()

    summary_module.pool_rings, simulation_module.linear_summary = counted_pool_rings, counted_summary
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the grid note's warning (tested in test_grid_capture_warning)
            result = simulation_1064.run()
    finally:
        summary_module.pool_rings, simulation_module.linear_summary = pool_rings, linear_summary
    return result, len(calls)


def test_simulation_summary_takes_the_share_by_the_same_rule(simulation_1064, run_1064):
    result, _ = run_1064
    assert result.summary["thermal_model"] == "linear"
    transport_results, _, _ = simulation_1064.transport()  # cached: the run's own tallies
    weights = [w for _, w in simulation_1064.laser.wavelength_weights()]
    outside = sum(w * t.absorbed_outside_grid_fraction for w, t in zip(weights, transport_results))
    on_grid = sum(w * t.absorbed_on_grid_fraction for w, t in zip(weights, transport_results))
    assert result.summary["absorbed_outside_grid_share"] == outside_grid_share(outside, on_grid)
    assert result.summary["absorbed_outside_grid_share"] > 0.05
    # the 1 % note says "of the absorbed light": the share it reads is of the absorbed light
    assert f"{result.summary['absorbed_outside_grid_share']:.1%} of the absorbed light" in result.summary["grid_note"]


# --- 2. the pooled peak field: computed once per summary ---------------------------------------------------------


def test_a_linear_summary_pools_the_peak_field_once(run_1064):
    """Before: surface_readout and dermal_readout each pooled the same peak field (2 calls per linear summary)."""
    _, calls = run_1064
    assert calls == 1


# --- 3. laserskin transport checks a fractional lattice as simulate does ------------------------------------------

FRACTIONAL_VOXELS = """
[person]
age = 45
sex = "female"
fitzpatrick = "II"
site = "cheek"

[laser]
wavelength = "1550 nm"
pulse_energy = "2 mJ"
pulse_duration = "3 ms"
spot_diameter = "15 mm"
profile = "gaussian"
fractional = {{ microbeam_diameter = "120 um", mtz_density = "1000 1/cm^2" }}

[geometry]
kind = "voxels"
size = ["0.3 mm", "0.3 mm", "0.6 mm"]
voxel = "15 um"
boundary = "{boundary}"
lattice = "{lattice}"
spacing = "{spacing}"

[transport]
photons = 1000
seed = 7
"""


@pytest.mark.parametrize(
    ("boundary", "lattice", "spacing", "words"),
    [
        ("periodic", "hex", "50 um", "the laser's MTZ density"),  # 46 188 /cm² of a 1000 /cm² laser (QA11 #6)
        ("escape", "square", "100 um", "a spacing of at least"),  # 120 um microbeams 100 um apart: 113 % coverage
    ],
)
def test_transport_refuses_the_lattice_simulate_refuses(tmp_path, boundary, lattice, spacing, words):
    from typer.testing import CliRunner

    from laserskin.cli import app

    scenario = tmp_path / "lattice.toml"
    scenario.write_text(FRACTIONAL_VOXELS.format(boundary=boundary, lattice=lattice, spacing=spacing))
    runner = CliRunner()
    transport = runner.invoke(app, ["transport", str(scenario), "--json"])
    simulate = runner.invoke(app, ["simulate", str(scenario), "--json", "--out", str(tmp_path / "out")])
    assert transport.exit_code == 2, transport.output
    assert simulate.exit_code == 2, simulate.output
    line = transport.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: geometry.spacing: got '{spacing}'") and words in line
    assert line == simulate.stderr.strip().splitlines()[-1]  # the same words: one function


def test_transport_notes_an_escape_lattice_off_the_laser_density(tmp_path):
    """An escape volume fires the pattern given (docs/voxel.md): it runs, and says so, as simulate does."""
    from typer.testing import CliRunner

    from laserskin.cli import app

    scenario = tmp_path / "lattice.toml"
    scenario.write_text(FRACTIONAL_VOXELS.format(boundary="escape", lattice="square", spacing="200 um"))
    result = CliRunner().invoke(app, ["transport", str(scenario), "--json", "--photons", "200"])
    assert result.exit_code == 0, result.output
    import json

    note = json.loads(result.stdout)["lattice_note"]
    assert note.startswith("geometry.spacing '200 um' places the microbeams at 2500 1/cm^2")
    assert f"note: {note}" in result.stderr


# --- 5. refusals echo a quantity as typed (core.errors.shown), with its value in the message's unit ---------------


def test_plan_refuses_an_area_echoing_it_as_typed():
    """Before: ``got '1e+04 cm^2'`` for ``--area "1 m^2"``."""
    from typer.testing import CliRunner

    from laserskin.cli import app

    person = ["plan", "--age", "50", "--sex", "female", "--fitzpatrick", "II", "--site", "cheek", "--laxity", "2"]
    runner = CliRunner()
    metres = runner.invoke(app, [*person, "--area", "1 m^2"])
    assert metres.exit_code == 2
    assert (
        metres.stderr.strip()
        .splitlines()[-1]
        .startswith("error: plan.area: got '1 m^2' (10000 cm^2); expected at most 500 cm^2 per session for site cheek")
    )
    same_unit = runner.invoke(app, [*person, "--area", "600 cm^2"])
    assert same_unit.exit_code == 2
    assert "plan.area: got '600 cm^2'; expected at most 500 cm^2" in same_unit.stderr  # no conversion to add


def test_every_quantity_field_is_echoed_as_typed():
    """The one rule: a value parsed from text keeps it (and its field's units), and InputError shows it so."""
    import pickle

    from pydantic import BaseModel

    from laserskin.core.errors import InputError
    from laserskin.core.units import Quantity, echo

    class Setting(BaseModel):
        depth_m: Quantity("m", display="um", gt=0)
        fluence_J_per_m2: Quantity("J/m^2", gt=0)

    setting = Setting(depth_m="0.2 mm", fluence_J_per_m2="30 J/cm^2")
    assert str(InputError("depth", setting.depth_m, "at most 150 um")) == (
        "depth: got '0.2 mm' (200 um); expected at most 150 um"
    )
    assert str(InputError("fluence", setting.fluence_J_per_m2, "at most 20 J/cm^2")) == (
        "fluence: got '30 J/cm^2'; expected at most 20 J/cm^2"
    )
    assert echo(setting.depth_m, "m", "mm") == "'0.2 mm'"  # in the message's own unit: nothing to add
    assert echo(2e-4, "m", "um") == "'200 um'"  # a value built inside (no text): in the message's unit
    again = pickle.loads(pickle.dumps(setting.depth_m))  # sweeps pickle scenarios
    assert (again.text, again.si_unit, again.display) == ("0.2 mm", "m", "um")


def test_laser_refusals_echo_the_settings_as_typed():
    from laserskin.core.errors import InputError
    from laserskin.treatment.laser import Laser

    def refusal(**fields) -> str:
        with pytest.raises(Exception) as caught:
            Laser.model_validate(fields)
        return str(InputError.from_validation(caught.value, "laser"))

    base = {"wavelength": "1550 nm", "pulse_energy": "10 mJ", "pulse_duration": "3 ms"}
    # before: "fractional.microbeam_diameter: 1200 um must be smaller than the spot (scan pattern) diameter 1 mm"
    line = refusal(
        **base, spot_diameter="1 mm", fractional={"microbeam_diameter": "1.2 mm", "mtz_density": "10 1/cm^2"}
    )
    assert line.startswith("laser.fractional.microbeam_diameter: got '1.2 mm' (1200 um); expected a diameter smaller")
    assert "spot_diameter 1 mm" in line
    line = refusal(**base, spot_diameter="5 mm", pulses=2, repetition_rate="0.5 kHz")
    assert line.startswith("laser.repetition_rate: got '0.5 kHz' (500 Hz); expected at most 333.333 Hz")


# --- 4. a cryogen device fires one spurt per pulse: trains faster than its cycle are refused ----------------------


def _cryogen_schedule(laser, protocol, cooling):
    from laserskin.pipeline.stages import pulse_schedule

    starts, ends, _ = pulse_schedule(laser, protocol, cooling)
    return cooling.surface_schedule(starts, ends, float(ends.max()) + 1.0)


def _laser(rate: str, duration: str = "3 ms", pulses: int = 3):
    from laserskin.treatment.laser import Laser

    return Laser(
        wavelength="1320 nm",
        fluence="14 J/cm^2",
        pulse_duration=duration,
        spot_diameter="10 mm",
        pulses=pulses,
        repetition_rate=rate,
    )


def test_a_train_faster_than_the_cryogen_cycle_is_refused_naming_fields_values_and_relation():
    """50 Hz (20 ms apart) under 30 ms spurts and 20 ms delays: before, each pulse's spurt began before the previous
    pulse (and the later phases silently won)."""
    from laserskin.core.errors import InputError
    from laserskin.thermal.cooling import CryogenCooling
    from laserskin.treatment.protocol import Protocol

    cooling = CryogenCooling(spurt_duration="30 ms", delay="20 ms")
    with pytest.raises(InputError) as caught:
        _cryogen_schedule(_laser("50 Hz"), Protocol(), cooling)
    message = str(caught.value)
    assert message.startswith(
        "laser.repetition_rate: got '50 Hz', with cryogen cooling.spurt_duration '30 ms', delay '20 ms' and "
        "post_spurt '0 ms', for pulses of 3 ms; expected spurt_duration + delay + pulse duration + post_spurt (53 ms "
        "here) at most the time from one pulse's start to the next's (the pulse period 1/repetition_rate, 20 ms here)"
    )
    assert "laser.repetition_rate of at most 18.87 Hz" in message
    # the post-spurt belongs to the cycle: 10 Hz (100 ms) holds 30 + 20 + 3 ms, not with a 50 ms post-spurt
    _cryogen_schedule(_laser("10 Hz"), Protocol(), cooling)
    with pytest.raises(InputError, match=r"\(103 ms here\)"):
        _cryogen_schedule(_laser("10 Hz"), Protocol(), cooling.model_copy(update={"post_spurt_s": 0.05}))


def test_the_cycle_that_just_fits_runs_and_passes_too_close_are_refused():
    from laserskin.core.errors import InputError
    from laserskin.thermal.cooling import CryogenCooling
    from laserskin.treatment.protocol import Protocol

    cooling = CryogenCooling(spurt_duration="30 ms", delay="10 ms")
    h, _ = _cryogen_schedule(_laser("20 Hz", duration="10 ms"), Protocol(), cooling)  # 30 + 10 + 10 = 50 ms = 1/20 Hz
    assert h.value_at(0.0) == cooling.h_W_per_m2K
    single = _laser("1 Hz", pulses=1)
    _cryogen_schedule(single, Protocol(passes=2, pass_interval="40 ms"), cooling)  # the next spurt at the pulse's end
    with pytest.raises(InputError, match="a protocol.pass_interval of at least 40 ms"):
        _cryogen_schedule(single, Protocol(passes=2, pass_interval="39 ms"), cooling)


def test_the_clinical_cryogen_presets_run():
    """CoolTouch 1320 nm (30 ms spurt, 10 ms delay, 50 ms pulse, 30 ms post-spurt: 120 ms of a 500 ms period) and
    Smoothbeam 1450 nm (spray through its 210 ms pulse) at their rates, and at the top of their ranges."""
    from laserskin.pipeline.simulation import default_cooling
    from laserskin.treatment.devices import load_device
    from laserskin.treatment.protocol import Protocol

    for name, top in (
        ("cooltouch_1320", {"pulse_duration": "100 ms", "repetition_rate": "2 Hz", "pulses": 3}),
        ("smoothbeam_1450", {"pulse_duration": "300 ms", "repetition_rate": "2 Hz", "pulses": 2}),
    ):
        device = load_device(name)
        for laser in (device.laser(), device.laser(**top)):
            _cryogen_schedule(laser, Protocol(), default_cooling(laser))
