"""Tests of the device presets (laserskin.treatment.devices)."""

import math

import pytest
from pydantic import ValidationError

from laserskin.core import citations
from laserskin.core.errors import InputError, describe_validation_error
from laserskin.treatment.devices import (
    DEVICE_CLASSES,
    TABLE_COLUMNS,
    device_names,
    list_devices,
    load_device,
    table_rows,
)
from laserskin.treatment.laser import Laser

REQUIRED = {
    "genesis_1064",
    "cooltouch_1320",
    "smoothbeam_1450",
    "fraxel_1550",
    "titan_ir",
    "er_yag_2940",
    "co2_full_field",
    "co2_fractional",
}


def test_required_presets_present():
    assert REQUIRED <= set(device_names())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_preset_loads_validates_and_round_trips(name):
    preset = load_device(name)
    assert preset.name == name and preset.device_class in DEVICE_CLASSES
    laser = preset.laser()
    assert laser.device == name
    assert preset.range_problem(laser) is None
    # the class agrees with the laser
    assert laser.is_fractional == preset.device_class.startswith("fractional")
    assert laser.ablative == (preset.device_class in ("ablative", "fractional_ablative"))
    # cooling stored as data with a known kind; sources registered
    assert preset.cooling["kind"] in ("none", "cold_air", "contact", "cryogen")
    for key in preset.sources:
        assert citations.get(key).text
    # round trip: dump -> validate gives the same laser, also through from_config
    dumped = laser.model_dump(by_alias=True, exclude_none=True)
    assert Laser.model_validate(dumped) == laser
    assert Laser.from_config(dumped) == laser
    assert Laser.from_config({"device": name}) == laser
    assert Laser.from_device(name) == laser
    assert 1 <= preset.sessions.count[0] <= preset.sessions.count[1]


def test_unknown_device_lists_known_names():
    with pytest.raises(InputError) as info:
        load_device("nd_yag_9000")
    for name in REQUIRED:
        assert name in str(info.value)
    with pytest.raises(InputError, match="genesis_1064"):
        Laser.from_config({"device": "nd_yag_9000"})
    with pytest.raises(ValidationError, match="genesis_1064"):
        Laser.model_validate({"device": "nd_yag_9000"})


def test_overrides_replace_alternatives():
    laser = Laser.from_device("genesis_1064", pulse_energy="3 J")
    assert laser.pulse_energy_J == pytest.approx(3.0)
    assert laser.fluence_J_per_m2 == pytest.approx(3.0 / (math.pi * 2.5e-3**2))
    laser = Laser.from_config({"device": "genesis_1064", "fluence": "20 J/cm^2", "repetition_rate": "7 Hz"})
    assert laser.fluence_J_per_m2 == pytest.approx(2e5) and laser.repetition_rate_Hz == pytest.approx(7.0)
    # field names work as override keys too
    assert Laser.from_device("genesis_1064", fluence_J_per_m2="12 J/cm^2").fluence_J_per_m2 == pytest.approx(1.2e5)
    frac = Laser.from_device("co2_fractional", fractional={"density": "20 %"})
    assert frac.fractional.microbeam_diameter_m == pytest.approx(120e-6)  # merged, not replaced
    assert frac.coverage_fraction == pytest.approx(0.2)


@pytest.mark.parametrize(
    "name, overrides, field",
    [
        ("genesis_1064", {"fluence": "40 J/cm^2"}, "fluence"),
        ("genesis_1064", {"repetition_rate": "30 Hz"}, "repetition_rate"),
        ("titan_ir", {"fluence": "10 J/cm^2"}, "fluence"),
        ("co2_fractional", {"pulse_energy": "60 mJ"}, "pulse_energy"),
        # the key typed, under its table (QA9 #7a: before, "laser.coverage" for a typed density)
        ("co2_fractional", {"fractional": {"density": "50 %"}}, "fractional.density: got '50 %'"),
        ("co2_fractional", {"fractional": {"coverage": "50 %"}}, "fractional.coverage: got '50 %'"),
        ("co2_fractional", {"fractional": {"density": "5000 /cm^2"}}, "fractional.density: got '5000 /cm^2'"),
        ("co2_fractional", {"fractional": {"mtz_density": "5000 /cm^2"}}, "fractional.mtz_density: got '5000 /cm^2'"),
        ("co2_fractional", {"fractional": {"microbeam_diameter": "1 mm"}}, "fractional.microbeam_diameter: got"),
        ("er_yag_2940", {"pulse_duration": "50 ms", "repetition_rate": "1 Hz"}, "pulse_duration"),
        ("smoothbeam_1450", {"spot_diameter": "10 mm"}, "spot_diameter"),
    ],
)
def test_override_outside_device_range_names_field_and_range(name, overrides, field):
    with pytest.raises(ValidationError) as info:
        Laser.from_device(name, **overrides)
    message = describe_validation_error(info.value)
    assert field in message and name in message


def test_device_override_still_validated_physically():
    with pytest.raises(ValidationError, match="ablative"):
        Laser.from_device("genesis_1064", ablative=True)


def test_titan_spectrum_flat_over_band():
    laser = load_device("titan_ir").laser()
    weights = laser.wavelength_weights()
    wavelengths = [lam for lam, _ in weights]
    assert sum(w for _, w in weights) == pytest.approx(1.0, rel=1e-12)
    assert all(w == pytest.approx(1 / 6) for _, w in weights)
    # water filter: no line in 1400-1500 nm (Tanaka 2017, titan_ir.toml)
    assert not any(1400e-9 <= lam <= 1500e-9 for lam in wavelengths)
    # midpoint rule over 1100-1800 nm less the filtered band: the centroid stays at the band centre
    assert min(wavelengths) > 1100e-9 and max(wavelengths) < 1800e-9
    assert laser.centroid_wavelength_m == pytest.approx(1450e-9, rel=1e-12)
    # equal-area disc of the 10 x 15 mm tip
    assert laser.spot_area_m2 == pytest.approx(1.5e-4, rel=1e-3)


def test_fractional_co2_preset_matches_reference_density():
    laser = load_device("co2_fractional").laser()
    assert laser.mtz_per_m2 / 1e4 == pytest.approx(885, rel=1e-3)  # physics_data.md section 9


def test_table_rows_for_cli():
    rows = table_rows()
    assert [r["name"] for r in rows] == [p.name for p in list_devices()]
    for row in rows:
        assert tuple(row) == TABLE_COLUMNS
        assert all(isinstance(v, str) and v for v in row.values())
    genesis = next(r for r in rows if r["name"] == "genesis_1064")
    assert genesis["fluence_J_per_cm2"] == "5-25" and genesis["wavelength"] == "1064 nm"
    frac = next(r for r in rows if r["name"] == "co2_fractional")
    # 5-40 mJ over a 120 um disc: 44.2-354 J/cm^2
    assert frac["fluence_J_per_cm2"].startswith(f"{5e-3 / (math.pi * 0.006**2):.3g}-{40e-3 / (math.pi * 0.006**2):.3g}")


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_preset_cooling_table_is_valid_for_the_cooling_model(name):
    from laserskin.thermal.cooling import Cooling

    preset = load_device(name)
    cooling = Cooling.from_config(preset.cooling)
    assert cooling.kind == preset.cooling["kind"]


def test_devices_listing_names_the_folder_the_presets_live_in(monkeypatch):
    """QA #19: the `devices` title said laserskin/treatment/devices/*.toml; the files are in data/devices."""
    from importlib import resources

    from typer.testing import CliRunner

    from laserskin.cli import _shell, app
    from laserskin.treatment.presets import PRESET_FILES, device_names

    monkeypatch.setattr(_shell, "_CONSOLE", None)  # a console of this width only for this test (it is cached)

    assert PRESET_FILES == "laserskin/data/devices/*.toml"
    folder = resources.files("laserskin").joinpath(*PRESET_FILES.removeprefix("laserskin/").split("/")[:-1])
    assert {f"{name}.toml" for name in device_names()} <= {entry.name for entry in folder.iterdir()}
    result = CliRunner().invoke(app, ["devices"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert PRESET_FILES in result.stdout and "treatment/devices" not in result.stdout


def test_preset_citing_an_unknown_source_names_the_key_once():
    """A preset's ``sources`` must be keys of data/bibliography.toml; the refusal names the field once and the
    unknown key (it read ``sources: sources: ...`` before)."""
    from laserskin.treatment.presets import PresetData, raw_presets

    raw = dict(raw_presets()["fraxel_1550"], sources=["manstein2004", "nobody2099"])
    with pytest.raises(ValidationError) as caught:
        PresetData.model_validate(raw)
    message = describe_validation_error(caught.value)
    assert "nobody2099" in message and "bibliography.toml" in message
    assert message.count("sources") == 1, message
