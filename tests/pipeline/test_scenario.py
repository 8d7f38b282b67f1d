import pytest

from laserskin.core.errors import InputError
from laserskin.pipeline.scenario import load_scenario, scenario_from_dict

SLAB = {
    "ambient": {"n_above": 1.0, "n_below": 1.0},
    "layers": [{"n": 1.0, "mua": "10 1/cm", "mus": "90 1/cm", "g": 0.75, "thickness": "0.02 cm"}],
    "beam": {"kind": "pencil"},
}


def test_explicit_layers_scenario(tmp_path):
    scenario = scenario_from_dict(SLAB)
    stack = scenario.layer_stack()
    assert stack.layers[0].mua_per_m == pytest.approx(1000.0)
    assert stack.boundaries_m[-1] == pytest.approx(2e-4)


def test_example_scenarios_parse():
    import tomllib
    from pathlib import Path

    examples = sorted((Path(__file__).parents[2] / "examples").glob("*.toml"))
    scenarios = [p for p in examples if "sweep" not in tomllib.loads(p.read_text())]  # sweeps have their own tests
    assert len(scenarios) >= 4
    for path in scenarios:
        load_scenario(path)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"layers": [{**SLAB["layers"][0], "g": 1.0}]}, "layers[0].g"),
        ({"layers": [{**SLAB["layers"][0], "n": 0.9}]}, "layers[0].n"),
        ({"layers": [{**SLAB["layers"][0], "thickness": "0 cm"}]}, "layers[0].thickness"),
        ({"layers": [{**SLAB["layers"][0], "thickness": "-1 cm"}]}, "layers[0].thickness"),
        ({"layers": [{**SLAB["layers"][0], "mua": 10}]}, "layers[0].mua"),
        ({"layers": [{**SLAB["layers"][0], "colour": "red"}]}, "layers[0].colour"),
        ({"transport": {"photons": 0}}, "transport.photons"),
        ({"transport": {"photons": 10**12}}, "transport.photons"),
        ({"unknown_table": {}}, "unknown_table"),
    ],
)
def test_bad_scenarios_name_the_field(change, field):
    with pytest.raises(InputError) as info:
        scenario_from_dict({**SLAB, **change})
    assert field in str(info.value)


def test_person_xor_layers():
    with pytest.raises(InputError, match="exactly one"):
        scenario_from_dict({"beam": {"kind": "pencil"}})


def test_malformed_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[layers\nn = 1")
    with pytest.raises(InputError, match="valid TOML"):
        load_scenario(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="readable"):
        load_scenario(tmp_path / "nope.toml")


def test_wavelength_range():
    data = {
        "person": {"age": 40, "sex": "female", "fitzpatrick": "II", "site": "cheek"},
        "laser": {"wavelength": "300 nm"},
    }
    with pytest.raises(InputError, match="laser.wavelength: got '300 nm'; expected from 400 nm to 11000 nm"):
        scenario_from_dict(data).wavelength_m()


# --- explicit layers: one field style, and no layer thinner than the grid resolves (QA6 #13) ---------------
def _explicit_layers_example() -> dict:
    import tomllib
    from pathlib import Path

    return tomllib.loads((Path(__file__).parents[2] / "examples" / "explicit_layers.toml").read_text())


def _refused(data: dict) -> str:
    with pytest.raises(InputError) as info:
        scenario_from_dict(data)
    return str(info.value)


def test_a_layer_thinner_than_the_grid_cell_is_refused_naming_layer_thickness_and_cell():
    """QA6 #13: a 1 nm epidermis was simulated and graded, its basal layer read from a dermal cell."""
    data = _explicit_layers_example()
    data["layers"][0]["thickness"] = "0.001 um"
    message = _refused(data)
    assert "\n" not in message
    assert message.startswith("layers[0].thickness: got '0.001 um' (layer 'epidermis'); expected at least")
    assert "5 um ([grid] dz_surface)" in message  # the default grid's smallest depth cell
    data["layers"][1]["thickness"] = "4 um"  # any layer, not only the epidermis (the first problem is named)
    data["layers"][0]["thickness"] = "100 um"
    assert _refused(data).startswith("layers[1].thickness: got '4 um' (layer 'dermis')")


def test_a_thin_layer_on_a_grid_fine_enough_for_it_is_accepted():
    data = _explicit_layers_example()
    data["layers"][0]["thickness"] = "3 um"
    data["grid"] = {"dz_surface": "2 um"}
    assert scenario_from_dict(data).layers[0].thickness_m == pytest.approx(3e-6)
    data["layers"][0]["thickness"] = "5 um"  # exactly the default cell
    del data["grid"]
    assert scenario_from_dict(data).layers[0].thickness_m == pytest.approx(5e-6)


def test_a_voxel_scenario_measures_layers_against_its_voxel():
    data = _explicit_layers_example()
    data["geometry"] = {"kind": "voxels", "size": ["1 mm", "1 mm", "1 mm"], "voxel": "20 um"}
    data["layers"][0]["thickness"] = "10 um"
    assert "20 um ([geometry] voxel)" in _refused(data)


@pytest.mark.parametrize(
    ("layer", "change", "start"),
    [
        (0, {"g": -1}, "layers[0].g: got -1; expected a number more than -1 and less than 1"),
        (1, {"n": 0.5}, "layers[1].n: got 0.5; expected a number from 1 to 4"),
        (0, {"thickness": "inf cm"}, "layers[0].thickness: got 'inf'; expected a finite thickness"),
        (2, {"colour": "red"}, "layers[2].colour: unknown key"),
    ],
)
def test_explicit_layer_errors_read_like_the_readme_without_a_prefix(layer, change, start):
    """One style, README's ``layers[1].k``: before, ``layers.0.g`` beside ``input: layers[0].thickness``."""
    data = _explicit_layers_example()
    data["layers"][layer].update(change)
    assert _refused(data).startswith(start)


def test_every_bad_layer_and_table_is_named_at_once():
    data = _explicit_layers_example()
    data["layers"][0]["g"] = -1
    data["layers"][2]["mua"] = "-1 1/cm"
    data["laser"]["fluence"] = "-1 J/cm^2"
    lines = _refused(data).splitlines()
    assert [line.split(":")[0] for line in lines] == ["layers[0].g", "layers[2].mua", "laser.fluence"]
