"""``laserskin simulate`` and the inputs QA9 found: idle times that damaged tissue (#1), an ``inputs`` echo without the
command's ``--photons``/``--seed`` (#2), counts typed as text (#6) and a message naming a key nobody typed (#7a).

Every refusal is one ``error:`` line naming the field typed, the value and the allowed range, exit status 2, no
traceback and no output folder; all are refused before any transport or heat solve.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from laserskin.cli import app

PERSON = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"
"""

CO2_FULL_FIELD = (
    PERSON
    + """
[laser]
device = "co2_full_field"
fluence = "10 J/cm^2"
"""
)

ER_YAG = (
    PERSON
    + """
[laser]
wavelength = "2940 nm"
fluence = "10 J/cm^2"
pulse_duration = "0.25 ms"
spot_diameter = "5 mm"
ablative = true
"""
)

REFUSED = {
    # QA9 #1: months of body temperature were integrated as heating
    "pass_interval": (
        CO2_FULL_FIELD + '[protocol]\npasses = 2\npass_interval = "1e7 s"\n',
        "error: protocol.pass_interval: got '1e7 s'; expected from 0 s to 3600 s",
    ),
    "repetition_rate": (
        ER_YAG + 'pulses = 2\nrepetition_rate = "1e-8 Hz"\n',
        "error: laser.repetition_rate: got '1e-8 Hz'; expected at least 0.0002778 Hz with pulses = 2: the pulse "
        "train on a spot ((pulses - 1) / repetition_rate, here 2.778e+04 h) lasts at most 1 h, within one session",
    ),
    "default pass_interval": (
        PERSON + '[laser]\ndevice = "titan_ir"\n[protocol]\npasses = 2\ntreated_area = "2000 cm^2"\n',
        "error: protocol.pass_interval: got nothing (the default: the time of one pass over treated_area 2000 cm^2 "
        "at 0.1 Hz); expected a pass_interval of at most 1 h, or a smaller treated_area: the wait between passes "
        "at a spot (3.704 h) lasts at most 1 h, within one session",
    ),
    # QA9 #6: "2" ran two passes
    "passes": (
        CO2_FULL_FIELD + '[protocol]\npasses = "2"\npass_interval = "1 s"\n',
        "error: protocol.passes: got '2'; expected a whole number from 1 to 20",
    ),
    "pulses": (
        PERSON
        + '[laser]\ndevice = "co2_fractional"\npulse_energy = "15 mJ"\npulses = "2"\nrepetition_rate = "100 Hz"\n',
        "error: laser.pulses: got '2'; expected a whole number from 1 to 10000",
    ),
    # QA9 #7a: the message said laser.fractional.mtz_density
    "density": (
        PERSON
        + '[laser]\ndevice = "co2_fractional"\nfractional = { microbeam_diameter = "120 um", density = "-5 1/cm^2" }\n',
        "error: laser.fractional.density: got '-5 1/cm^2'; expected a number of MTZ per area more than 0 1/cm^2, "
        "such as '200 /cm^2'",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_refusal_is_one_line_naming_the_field_typed(tmp_path, case):
    text, line = REFUSED[case]
    path = tmp_path / "refused.toml"
    path.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["simulate", str(path), "--photons", "2000", "--json", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == line
    assert "Traceback" not in result.output
    assert not out.exists()


def test_an_hour_between_passes_runs(tmp_path):
    """The bound's edge is accepted and echoed as typed (full-field CO2 is ablative: no Monte Carlo, about 1 s)."""
    path = tmp_path / "hour.toml"
    path.write_text(CO2_FULL_FIELD + '[protocol]\npasses = 2\npass_interval = "1 h"\n')
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["inputs"]["protocol"]["pass_interval"] == "1 h" and summary["inputs"]["protocol"]["passes"] == 2
    assert len(summary["crater_depth_per_pass_um"]) == 2


# ------------------------------------------------------------------ QA9 #2: inputs reproduce the output
LAYERS = """
[ambient]
n_above = 1.0
n_below = 1.44

[[layers]]
name = "epidermis"
n = 1.40
mua = "18 1/cm"
mus = "200 1/cm"
g = 0.80
thickness = "100 um"
k = "0.21 W/m/K"
density = "1200 kg/m^3"
specific_heat = "3.6 J/g/K"
water_fraction = 0.6

[[layers]]
name = "dermis"
n = 1.40
mua = "20 1/cm"
mus = "150 1/cm"
g = 0.90
thickness = "inf cm"
k = "0.37 W/m/K"
density = "1100 kg/m^3"
specific_heat = "3.4 J/g/K"
perfusion = "0.0012 1/s"
water_fraction = 0.65

[laser]
wavelength = "1450 nm"
fluence = "10 J/cm^2"
pulse_duration = "1 ms"
spot_diameter = "1 mm"

[heat]
relaxation = "10 ms"
"""


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def _as_toml(inputs: dict) -> str:
    """The ``inputs`` of ``simulate --json`` as a scenario file: one table per key, arrays of tables for lists."""
    lines = []
    for table, content in inputs.items():
        if isinstance(content, list):
            for item in content:
                lines.append(f"[[{table}]]")
                lines.extend(f"{k} = {_toml_value(v)}" for k, v in item.items())
        else:
            lines.append(f"[{table}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in content.items())
    return "\n".join(lines) + "\n"


def test_inputs_fed_back_as_a_scenario_reproduce_the_run(tmp_path):
    """``inputs`` holds the photons and seed that ran (the command's options), so the scenario it writes, run with no
    option, gives the same summary (before: 200 000 photons and seed 1, a different run)."""
    path = tmp_path / "layers.toml"
    path.write_text(LAYERS)
    first = CliRunner().invoke(app, ["simulate", str(path), "--photons", "2000", "--seed", "3", "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["photons"] == 2000 and summary["seed"] == 3
    assert summary["inputs"]["transport"]["photons"] == 2000 and summary["inputs"]["transport"]["seed"] == 3
    again = tmp_path / "inputs.toml"
    again.write_text(_as_toml(summary["inputs"]))
    second = CliRunner().invoke(app, ["simulate", str(again), "--json"])
    assert second.exit_code == 0, second.output
    rerun = json.loads(second.stdout)
    del summary["wall_time_s"], rerun["wall_time_s"]
    assert rerun == summary
