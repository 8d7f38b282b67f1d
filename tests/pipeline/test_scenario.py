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
        ({"layers": [{**SLAB["layers"][0], "g": 1.0}]}, "layers.0.g"),
        ({"layers": [{**SLAB["layers"][0], "n": 0.9}]}, "layers.0.n"),
        ({"layers": [{**SLAB["layers"][0], "thickness": "0 cm"}]}, "layers.0.thickness"),
        ({"layers": [{**SLAB["layers"][0], "thickness": "-1 cm"}]}, "layers.0.thickness"),
        ({"layers": [{**SLAB["layers"][0], "mua": 10}]}, "layers.0.mua"),
        ({"layers": [{**SLAB["layers"][0], "colour": "red"}]}, "layers.0.colour"),
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
