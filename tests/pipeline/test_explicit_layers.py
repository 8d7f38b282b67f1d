"""Explicit layers (optics + thermal properties) through Simulation and ``laserskin simulate``.

References: (1) the person-built path — explicit layers carrying exactly the optics and thermal
properties of a person's skin give that person's simulation (same seed, same grid: the
Monte Carlo is bit-identical, so the summaries agree to rounding); (2) the energy balance —
the heat the solver deposits equals the pulse energy times the absorbed fraction inside the
grid (the tally's own normalisation, so agreement to rounding).
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.layers import ExplicitLayer, explicit_skin, explicit_stack
from laserskin.pipeline.scenario import default_grid, load_scenario, scenario_from_dict
from laserskin.pipeline.simulation import GridCaptureWarning, Simulation, SimulationSettings
from laserskin.skin import Person, tissue_at
from laserskin.treatment.laser import Laser

EXAMPLE = Path(__file__).parents[2] / "examples" / "explicit_layers.toml"
LASER = Laser(wavelength="1320 nm", fluence="12 J/cm^2", pulse_duration="20 ms", spot_diameter="4 mm")
SETTINGS = SimulationSettings(photons=3_000, seed=5, grid={"nr": 30})


def _layer(name, mua, mus, g, thickness, **thermal):
    return dict(name=name, n=1.4, mua=mua, mus=mus, g=g, thickness=thickness, **thermal)


SOFT = dict(k="0.37 W/m/K", density="1100 kg/m^3", specific_heat="3.4 J/g/K")
LAYERS = [
    _layer(
        "epidermis",
        "4 1/cm",
        "120 1/cm",
        0.8,
        "100 um",
        k="0.21 W/m/K",
        density="1200 kg/m^3",
        specific_heat="3.6 J/g/K",
    ),
    _layer("dermis", "8 1/cm", "150 1/cm", 0.9, "1.5 mm", perfusion="0.001 1/s", **SOFT),
    _layer(
        "subcutis",
        "3 1/cm",
        "100 1/cm",
        0.75,
        "inf cm",
        k="0.16 W/m/K",
        density="970 kg/m^3",
        specific_heat="2.3 J/g/K",
    ),
]


def test_units_are_accepted_and_converted():
    layer = ExplicitLayer(**LAYERS[0])
    assert layer.k_W_per_mK == pytest.approx(0.21)
    assert layer.density_kg_per_m3 == pytest.approx(1200.0)
    assert layer.specific_heat_J_per_kgK == pytest.approx(3600.0)  # 3.6 J/g/K
    assert ExplicitLayer(**LAYERS[1]).perfusion_per_s == pytest.approx(1e-3)


@pytest.mark.parametrize("missing", ["k", "density", "specific_heat"])
def test_a_missing_thermal_property_is_named(missing):
    layers = [dict(layer) for layer in LAYERS]
    del layers[1][missing]
    with pytest.raises(InputError, match=rf"layers\[1\]\.{missing}"):
        Simulation(layers=layers, laser=LASER, settings=SETTINGS, progress=None)


def test_a_bare_number_is_refused_with_the_field():
    with pytest.raises(InputError, match=r"layers\[0\]\.k"):
        explicit_stack([{**LAYERS[0], "k": 0.21}])


def test_person_or_layers_exactly_once():
    person = Person(age=40, sex="male", fitzpatrick="III", site="forehead")
    with pytest.raises(InputError, match="person"):
        Simulation(person, LASER, layers=LAYERS)
    with pytest.raises(InputError, match="person"):
        Simulation(laser=LASER)


def test_explicit_layers_equal_the_person_built_path(tmp_path):
    """Same optics and thermal properties as a person's skin → the person's simulation."""
    person = Person(age=45, sex="female", fitzpatrick="II", site="cheek")
    # at 1450 nm the person's default grid holds all but ~1e-5 of the absorbed light (no warning)
    laser = Laser(wavelength="1450 nm", fluence="12 J/cm^2", pulse_duration="20 ms", spot_diameter="4 mm")
    tissue = tissue_at(person, laser.wavelength_m)
    layers = _person_layers(person, laser.wavelength_m)
    stack = explicit_stack(layers, n_above=1.0, n_below=tissue.layers[-1].n)
    cooling = {"kind": "contact"}
    reference = Simulation(person, laser, cooling, settings=SETTINGS, cache_dir=tmp_path, progress=None).run()
    explicit = Simulation(layers=stack, laser=laser, cooling=cooling, settings=SETTINGS, cache_dir=tmp_path).run()
    np.testing.assert_allclose(
        explicit.dataset["peak_temperature"].values, reference.dataset["peak_temperature"].values, rtol=1e-12
    )
    skip = {"wall_time_s", "pigment_risk", "pigment_risk_beyond_error"}
    for key, value in reference.summary.items():
        if key in skip:
            continue
        if isinstance(value, float):
            assert explicit.summary[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
        else:
            assert explicit.summary[key] == value, key
    assert explicit.summary["pigment_risk"].startswith("not assessed")
    assert explicit.summary["pigment_risk_beyond_error"] is None  # no Fitzpatrick type
    assert "layers" in explicit.dataset.attrs and "person" not in explicit.dataset.attrs


def test_energy_balance_and_the_default_grid_captures_the_absorbed_light(tmp_path):
    """Heat deposited = pulse energy × absorbed fraction in the grid; ≥ 99 % of the absorbed
    light of the semi-infinite subcutis lies inside the default grid."""
    simulation = Simulation(layers=LAYERS, laser=LASER, settings=SETTINGS, cache_dir=tmp_path, progress=None)
    (transport,), source, grid = simulation.transport()
    _, heat = simulation.thermal_response(source, grid)
    inside = transport.absorbed_fraction - transport.absorbed_outside_grid_fraction
    assert heat.energy.deposited_J == pytest.approx(simulation.pulse_energy_J() * inside, rel=1e-9)
    # share outside: 3000 photons, a few hundred absorbed deep: well under 1 % (0.2 % at 20 000 photons)
    assert transport.absorbed_outside_grid_fraction / transport.absorbed_fraction < 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no GridCaptureWarning on the default grid
        result = simulation.run()
    assert result.summary["grid_note"] is None
    assert abs(result.summary["energy_balance_residual_J"]) < 1e-9 * simulation.pulse_energy_J()


def test_default_grid_reaches_into_a_semi_infinite_layer():
    stack = explicit_stack(LAYERS)
    mu_eff = math.sqrt(3 * 300.0 * (300.0 + 100e2 * 0.25))  # subcutis, 1/m
    grid = default_grid(stack, 2e-3)
    assert grid.z_max_m == pytest.approx(1.6e-3 + math.log(100) / mu_eff)
    finite = explicit_stack([*LAYERS[:2], {**LAYERS[2], "thickness": "3 mm"}])
    assert default_grid(finite, 2e-3).z_max_m == pytest.approx(4.6e-3)  # finite stacks end at their bottom


def test_a_shallow_grid_warns_and_says_so_in_the_summary(tmp_path):
    settings = SETTINGS.model_copy(update={"grid": SETTINGS.grid.model_copy(update={"z_max_m": 1.6e-3})})
    simulation = Simulation(layers=LAYERS, laser=LASER, settings=settings, cache_dir=tmp_path, progress=None)
    with pytest.warns(GridCaptureWarning, match="outside the grid"):
        result = simulation.run()
    assert result.summary["absorbed_outside_grid_share"] > 0.01
    assert "outside the grid" in result.summary["grid_note"]


def test_nonlinear_needs_water_fractions(tmp_path):
    hot = Laser(wavelength="1320 nm", fluence="200 J/cm^2", pulse_duration="20 ms", spot_diameter="4 mm")
    with pytest.raises(InputError, match=r"layers\[0\]\.water_fraction"):
        Simulation(layers=LAYERS, laser=hot, settings=SETTINGS, cache_dir=tmp_path, progress=None).run()


def test_roles_from_position_and_errors():
    plain = [{**layer, "name": f"slab{i}"} for i, layer in enumerate(LAYERS)]
    skin = explicit_skin(explicit_stack(plain))
    assert [layer.name for layer in skin.layers] == ["slab0", "slab1", "slab2"]
    with pytest.raises(InputError, match="only the last layer may be semi-infinite"):
        explicit_stack([LAYERS[2], LAYERS[0]])
    with pytest.raises(InputError, match="at least two layers"):
        Simulation(layers=plain[:1], laser=LASER, settings=SETTINGS, progress=None).geometry()


def test_scenario_layers_run_through_simulate(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from laserskin.cli import app

    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path / "cache"))
    scenario = load_scenario(EXAMPLE)
    assert scenario.layers[1].specific_heat_J_per_kgK == pytest.approx(3400.0)
    result = CliRunner().invoke(app, ["simulate", str(EXAMPLE), "--photons", "2000", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["thermal_model"] == "linear" and summary["peak_dermis_temperature_C"] > 37
    bad = {
        "layers": [{k: v for k, v in LAYERS[0].items() if k != "density"}, LAYERS[1]],
        "laser": {"wavelength": "1064 nm", "fluence": "10 J/cm^2", "pulse_duration": "10 ms", "spot_diameter": "5 mm"},
    }
    with pytest.raises(InputError, match=r"layers\[0\]\.density"):
        Simulation.from_scenario(scenario_from_dict(bad), progress=None)


def test_simulate_says_how_much_light_the_grid_misses_in_one_note(tmp_path, monkeypatch):
    """Weakly absorbing layers (1064 nm-like) spread light beyond the default radius: one note line."""
    from typer.testing import CliRunner

    from laserskin.cli import app

    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path / "cache"))
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in (('"18 1/cm"', '"4 1/cm"'), ('"20 1/cm"', '"0.3 1/cm"'), ('"7 1/cm"', '"0.1 1/cm"')):
        text = text.replace(old, new)
    scenario = tmp_path / "weak.toml"
    scenario.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(scenario), "--photons", "3000", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["absorbed_outside_grid_share"] > 0.05  # ~20 % at 1064 nm-like optics
    assert result.stderr.count("note:") == 1 and "outside the grid" in result.stderr
    assert "GridCaptureWarning" not in result.stderr


def _person_layers(person, wavelength_m, *, water=False):
    """A person's skin at one wavelength as explicit layer dicts (optics, thermal, water)."""
    from laserskin.skin import skin_layers

    tissue = tissue_at(person, wavelength_m)
    skin = {layer.name: layer for layer in skin_layers(person).layers}
    return [
        dict(
            name=t.name,
            n=t.n,
            mua=f"{t.mua_per_m!r} 1/m",
            mus=f"{t.mus_per_m!r} 1/m",
            g=t.g,
            thickness=f"{t.thickness_m!r} m",
            k=f"{t.k_W_per_mK!r} W/(m*K)",
            density=f"{t.density_kg_per_m3!r} kg/m^3",
            specific_heat=f"{t.specific_heat_J_per_kgK!r} J/(kg*K)",
            perfusion=f"{t.perfusion_per_s!r} 1/s",
            **({"water_fraction": skin[t.name].water_fraction} if water else {}),
        )
        for t in tissue.layers
    ]


def test_an_ablative_laser_on_explicit_layers_equals_the_person_built_path(tmp_path):
    """Er:YAG (Beer-Lambert, enthalpy model) on a person's skin written out as explicit layers."""
    person = Person(age=45, sex="female", fitzpatrick="II", site="cheek")
    laser = Laser.from_device("er_yag_2940", fluence="5 J/cm^2")
    settings = SimulationSettings(photons=1_000, seed=5)
    reference = Simulation(person, laser, {"kind": "none"}, settings=settings, progress=None).run()
    stack = explicit_stack(_person_layers(person, laser.centroid_wavelength_m, water=True), n_below=1.44)
    with pytest.raises(InputError, match=r"layers\[0\]\.water_fraction"):
        Simulation(layers=_person_layers(person, laser.centroid_wavelength_m), laser=laser, progress=None).run()
    explicit = Simulation(layers=stack, laser=laser, cooling={"kind": "none"}, settings=settings, progress=None).run()
    assert reference.summary["crater_depth_um"] > 0
    for key in ("crater_depth_um", "residual_damage_depth_um", "peak_temperature_C", "epidermal_omega"):
        assert explicit.summary[key] == pytest.approx(reference.summary[key], rel=1e-9), key


def test_explicit_layers_with_a_voxel_geometry_are_refused_naming_the_field():
    from laserskin.transport.voxel_geometry import GeometrySpec

    geometry = GeometrySpec(kind="voxels", size=("2 mm", "2 mm", "2 mm"), voxel="50 um")
    simulation = Simulation(layers=LAYERS, laser=LASER, settings=SETTINGS, voxel_geometry=geometry, progress=None)
    with pytest.raises(InputError, match="geometry.kind"):
        simulation.run()
