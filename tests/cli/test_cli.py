"""The command-line interface: acceptance keys, bad input → one line + exit 2, nothing written."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.cli.simulate import unlisted_keys
from laserskin.damage.injury import DERMAL_GRADES, GRADES

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_optics_json_lists_layers():
    result = invoke(
        "optics",
        "--age",
        55,
        "--sex",
        "female",
        "--fitzpatrick",
        "IV",
        "--site",
        "cheek",
        "--wavelength",
        "1064 nm",
        "--json",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["layers"]  # with "version" and "inputs" (QA11 F-H)
    assert [row["name"] for row in rows][0] == "stratum_corneum"
    for row in rows:
        assert {"name", "thickness_um", "mua_per_cm", "mus_per_cm", "g", "n"} <= set(row)
        assert row["thickness_um"] > 0


def test_optics_table_prints():
    result = invoke(
        "optics", "--age", 30, "--sex", "male", "--fitzpatrick", "II", "--site", "forearm", "--wavelength", "1320 nm"
    )
    assert result.exit_code == 0
    assert "reticular_dermis" in result.stdout


SLAB = """
[ambient]
n_above = 1.0
n_below = 1.0
[[layers]]
n = 1.0
mua = "10 1/cm"
mus = "90 1/cm"
g = 0.75
thickness = "0.02 cm"
[beam]
kind = "pencil"
"""


def test_transport_json_acceptance_keys(tmp_path):
    scenario = tmp_path / "slab.toml"
    scenario.write_text(SLAB)
    out = tmp_path / "slab.nc"
    result = invoke("transport", scenario, "--photons", 2000, "--seed", 3, "--threads", 1, "--json", "--out", out)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for key in ("specular_reflectance", "diffuse_reflectance", "total_transmittance", "absorbed_fraction"):
        assert key in payload and f"{key}_stderr" in payload
    assert isinstance(payload["absorbed_fraction_by_layer"], list)
    assert payload["photons"] == 2000 and payload["seed"] == 3 and payload["threads"] == 1
    assert payload["photons_per_second"] > 0
    assert out.exists()


def test_simulate_json_acceptance_keys(tmp_path):
    out = tmp_path / "out"
    result = invoke("simulate", EXAMPLES / "resurfacing_er_yag.toml", "--json", "--photons", 2000, "--out", out)
    assert result.exit_code == 0, result.output
    # every file written is announced on stderr; stdout holds only the JSON
    for name in ("result.nc", "temperature_map.png", "depth_profiles.png", "probe_traces.png"):
        assert (out / name).exists() and f"wrote {out / name}" in result.stderr
    # stdout: one line of JSON
    assert result.stdout.count("\n") == 1
    payload = json.loads(result.stdout)
    for key in (
        "peak_epidermis_temperature_C",
        "peak_dermis_temperature_C",
        "denaturation_depth_um",
        "denatured_volume_mm3",
        "immediate_tightening_percent",
        "epidermal_omega",
        "epidermal_injury",
        "pigment_risk",
        "pain_index",
        "pain_index_with_anesthetic",
        "crater_depth_um",
        "residual_damage_depth_um",
        "wall_time_s",
    ):
        assert key in payload
    # the grades the damage model can state, from its own list (a copy here missed "superficial necrosis")
    assert payload["epidermal_injury"] in GRADES
    assert payload["epidermal_injury_beyond_error"] in (*GRADES, None)
    assert payload["dermal_injury"] in DERMAL_GRADES
    # every key of the ablative path is a row of the text table, a note or listed as JSON-only
    assert unlisted_keys(payload) == []
    assert payload["pigment_risk"] in {"low", "moderate", "high"}
    assert payload["crater_depth_um"] > 0
    assert payload["cooling"]["kind"] == "cold_air"
    # the example's [cooling] kind = "cold_air" is the preset's own kind: the device's cold air (QA15 #2a)
    assert payload["cooling"]["source"] == "device er_yag_2940's cold_air ([cooling] table gives its kind only)"
    # QA4 #7: the JSON records the package version and the scenario it ran (it reads back as the same scenario)
    import laserskin
    from laserskin.pipeline.scenario import load_scenario, scenario_from_dict

    assert payload["version"] == laserskin.__version__
    read = load_scenario(EXAMPLES / "resurfacing_er_yag.toml")  # with the run's --photons (QA9 #2)
    ran = read.model_copy(update={"transport": read.transport.model_copy(update={"photons": 2000})})
    assert scenario_from_dict(payload["inputs"]) == ran
    again = invoke("simulate", EXAMPLES / "resurfacing_er_yag.toml", "--photons", 2000, "--out", out)
    assert again.exit_code == 2 and "--force" in again.stderr  # refused before computing


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


PERSON = '[person]\nage = 40\nsex = "female"\nfitzpatrick = "II"\nsite = "cheek"\n'


@pytest.mark.parametrize(
    "text, field",
    [
        (SLAB.replace("g = 0.75", "g = 1.5"), "g"),
        (SLAB.replace("n = 1.0\nmua", "n = 0.8\nmua"), "n"),
        (SLAB.replace('"0.02 cm"', '"-0.02 cm"'), "thickness"),
        (SLAB.replace('"0.02 cm"', '"0 cm"'), "thickness"),
        (SLAB + "\n[extra]\nx = 1\n", "extra"),
        ("[layers\n", "TOML"),
        (PERSON.replace('"cheek"', '"elbow"') + '[laser]\nwavelength = "1064 nm"\n', "site"),
        (PERSON.replace('"II"', '"VII"') + '[laser]\nwavelength = "1064 nm"\n', "fitzpatrick"),
        (PERSON + '[laser]\nwavelength = "12000 nm"\n', "wavelength"),
        (PERSON + '[laser]\nwavelength = "300 nm"\n', "wavelength"),
    ],
)
def test_transport_bad_input_exits_2_with_one_line(tmp_path, text, field):
    out = tmp_path / "never.nc"
    result = invoke("transport", write(tmp_path, text), "--photons", 100, "--out", out)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert field in result.output
    assert not out.exists()


@pytest.mark.parametrize("photons", ["0", "-5", "100000000000"])
def test_transport_bad_photons(tmp_path, photons):
    result = invoke("transport", write(tmp_path, SLAB), "--photons", photons)
    assert result.exit_code == 2
    assert "photons" in result.output


@pytest.mark.parametrize(
    "laser, field",
    [
        ('device = "cooltouch_1320"\nfluence = "-1 J/cm^2"', "fluence"),
        ('device = "cooltouch_1320"\npulse_duration = "0 ms"', "pulse_duration"),
        ('device = "no_such_laser"', "no_such_laser"),
        (
            'wavelength = "1064 nm"\nfluence = "10 J/cm^2"\npulse_duration = "3 ms"\nspot_diameter = "5 mm"\n'
            "ablative = true",
            "ablative",
        ),
        ('device = "cooltouch_1320"\nspot_diameter = "50 mm"', "spot"),
    ],
)
def test_simulate_bad_laser(tmp_path, laser, field):
    out = tmp_path / "out"
    result = invoke("simulate", write(tmp_path, PERSON + "[laser]\n" + laser + "\n"), "--out", out)
    assert result.exit_code == 2, result.output
    assert field in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "cooling, field",
    [
        ('kind = "contact"\ntemperature = "-80 degC"', "temperature"),
        ('kind = "cold_air"\nh = "-5 W/(m^2*K)"', "h"),
        ('kind = "ice"', "kind"),
    ],
)
def test_simulate_bad_cooling(tmp_path, cooling, field):
    text = PERSON + '[laser]\ndevice = "cooltouch_1320"\n[cooling]\n' + cooling + "\n"
    result = invoke("simulate", write(tmp_path, text), "--photons", 1000)
    assert result.exit_code == 2, result.output
    assert field in result.output


def test_devices_lists_presets():
    result = invoke("devices", "--json")
    assert result.exit_code == 0
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"cooltouch_1320", "er_yag_2940", "co2_fractional", "titan_ir"} <= names


def test_cite_lists_sources():
    result = invoke("cite")
    assert result.exit_code == 0
    assert "Pennes" in result.stdout and "Jacques" in result.stdout


def test_console_script_installed():
    """`laserskin` is on the venv's PATH (acceptance: .venv/bin/laserskin)."""
    exe = Path(sys.executable).with_name("laserskin")
    completed = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    assert "simulate" in completed.stdout


def test_simulate_rejects_a_time_step_that_does_not_resolve_the_pulse(tmp_path):
    text = PERSON + '[laser]\ndevice = "cooltouch_1320"\npulse_duration = "10 ms"\n[heat]\nmax_step = "5 ms"\n'
    result = invoke("simulate", write(tmp_path, text), "--photons", 1000)
    assert result.exit_code == 2, result.output
    assert "max_step" in result.output


def test_simulate_rejects_a_spot_larger_than_the_grid(tmp_path):
    text = PERSON + '[laser]\ndevice = "cooltouch_1320"\n[grid]\nr_max = "2 mm"\n'
    result = invoke("simulate", write(tmp_path, text), "--photons", 1000)
    assert result.exit_code == 2, result.output
    assert "grid" in result.output.lower() or "beam" in result.output.lower()


def test_bad_protocol_is_reported_before_computing(tmp_path):
    text = PERSON + '[laser]\ndevice = "cooltouch_1320"\n[protocol]\npasses = 0\n'
    result = invoke("simulate", write(tmp_path, text), "--photons", 1000)
    assert result.exit_code == 2
    assert "protocol.passes" in result.output


def test_simulate_refuses_a_beam_table_it_would_ignore(tmp_path):
    text = PERSON + '[laser]\ndevice = "cooltouch_1320"\n[beam]\nkind = "pencil"\n'
    result = invoke("simulate", write(tmp_path, text), "--photons", 1000)
    assert result.exit_code == 2
    assert "beam" in result.output


def test_simulate_names_the_device_default_cooling_and_writes_a_movie(tmp_path):
    """A scenario without [cooling] runs with the device's default cooling, and the summary says so."""
    text = PERSON + '[laser]\ndevice = "genesis_1064"\nfluence = "5 J/cm^2"\n'  # linear: a temperature history
    movie = tmp_path / "t.gif"
    refused = invoke("simulate", write(tmp_path, text), "--photons", 1000, "--movie", tmp_path / "t.avi")
    assert refused.exit_code == 2 and "--movie" in refused.stderr
    result = invoke("simulate", write(tmp_path, text), "--photons", 1000, "--movie", movie)
    assert result.exit_code == 0, result.output
    assert movie.read_bytes().startswith(b"GIF8") and f"wrote {movie}" in result.stderr
    text = " ".join(result.stdout.split())
    assert "cooling used: none" in text
    assert "default of device genesis_1064 (no [cooling] table)" in text


def test_simulate_movie_of_an_ablative_pass_is_refused_in_one_line(tmp_path):
    text = PERSON + '[laser]\ndevice = "er_yag_2940"\nfluence = "10 J/cm^2"\n'
    result = invoke("simulate", write(tmp_path, text), "--photons", 1000, "--movie", tmp_path / "t.gif")
    assert result.exit_code == 2
    assert "temperature history" in result.stderr and result.stderr.count("\n") == 1
    # QA4 #22: refused before the run (no progress, no wall time spent), naming --movie
    assert result.stderr.startswith("error: --movie:") and "store_times" in result.stderr


def test_simulate_movie_after_the_switch_to_the_non_linear_model_keeps_the_result(tmp_path):
    """QA5 #27: a non-ablative setting that boils (genesis_1064, 25 J/cm², type VI, no cooling) switches to the
    non-linear model during the run; the result is printed and written, and one warning says why there is no
    movie (before: exit 2 after the run, the JSON lost, and a store_times hint that does not help)."""
    text = PERSON.replace('fitzpatrick = "II"', 'fitzpatrick = "VI"') + (
        '[laser]\ndevice = "genesis_1064"\nfluence = "25 J/cm^2"\npulse_duration = "0.3 ms"\n[cooling]\nkind = "none"\n'
    )
    movie = tmp_path / "t.gif"
    result = invoke("simulate", write(tmp_path, text), "--photons", 3000, "--movie", movie, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["thermal_model"] == "nonlinear"
    assert "warning: no movie" in result.stderr and not movie.exists()


def test_simulate_table_shows_the_pain_with_the_planned_cooling():
    """QA5 #11: the text table (and ``make demo``, which prints it) had "pain index, no anaesthetic" and "with
    anaesthetic" only, while the JSON has ``pain_index_with_plan`` (the topical × the cooling's fitted analgesia, the
    web's "Pain with anaesthetic and cooling"): Er:YAG preset with its cold air, 9.218 → 9.218 × 0.62 = 5.715."""
    from rich.console import Console

    from laserskin.cli.simulate import summary_table

    summary = {"pain_index": 9.218, "pain_index_with_anesthetic": 9.218, "pain_index_with_plan": 5.715}
    console = Console(record=True, width=160)
    console.print(summary_table({"er_yag": summary}, "t"))
    rows = [line for line in console.export_text().splitlines() if "pain" in line]
    assert any("anaesthetic and cooling" in row and "5.715" in row for row in rows), rows
