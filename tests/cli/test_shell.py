"""The shell's shared rules: help and errors keep square brackets, flags show no type, --version,
outputs checked before computing (and --force to overwrite), 'wrote' lines, strict JSON, one
line + exit 2 for unreadable or malformed files, devices readable at 80 columns."""

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import laserskin
from laserskin.cli import app
from laserskin.cli._shell import Outputs, strict_json

EXAMPLES = Path(__file__).parents[2] / "examples"
COMMANDS = ["optics", "transport", "simulate", "devices", "plan", "sweep", "serve", "cite", "schema"]
runner = CliRunner()

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
PERSON = '[person]\nage = 52\nsex = "female"\nfitzpatrick = "IV"\nsite = "cheek"\nlaxity = 2\n'


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def one_error_line(result) -> str:
    """The failed command printed exactly one line, starting with 'error:', and no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: "), result.output
    assert "  " not in lines[0], lines[0]  # nothing eaten out of the text (markup would leave double spaces)
    assert "Traceback" not in result.output
    return lines[0]


# --- help ------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_keeps_brackets_and_shows_no_bool_type(command):
    result = invoke(*([command] if command else []), "--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "(, , , )" not in result.output and "a  table" not in result.output


def test_help_texts_with_brackets_print_verbatim():
    assert "[person] table (and optional [plan] table)" in " ".join(invoke("plan", "--help").output.split())
    assert "([person], [laser], [cooling], [protocol])" in " ".join(invoke("simulate", "--help").output.split())
    assert "[[layers]]" in invoke("transport", "--help").output


def test_the_person_scales_read_the_same_in_every_command():
    optics, plan = (" ".join(invoke(name, "--help").output.split()) for name in ("optics", "plan"))
    for text in ("Photoaging grade 0-3, equal to Glogau type I-IV", "Age in years, 18-100", "Laxity grade 0-4"):
        assert text in optics and text in plan


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"laserskin {laserskin.__version__}"


@pytest.mark.skipif(importlib.util.find_spec("laserskin.__main__") is None, reason="no laserskin/__main__.py yet")
def test_python_dash_m_version():
    completed = subprocess.run([sys.executable, "-m", "laserskin", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"laserskin {laserskin.__version__}"


def test_importing_the_cli_loads_no_physics():
    """`laserskin --help` stays fast: the app imports typer, not numpy/numba/xarray/pint."""
    code = (
        "import sys, laserskin.cli; "
        "print(sorted(m for m in ('numpy', 'numba', 'xarray', 'pint', 'scipy', 'matplotlib', 'pydantic') "
        "if m in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


# --- errors keep brackets ----------------------------------------------------------------------
def test_error_text_keeps_brackets(tmp_path):
    person = tmp_path / "p.toml"
    person.write_text(PERSON + "[laser]\nwavelength = '1064 nm'\n")
    result = invoke("plan", person)
    assert result.exit_code == 2
    assert "[laser]" in one_error_line(result) and "[person]" in result.stderr


def test_unit_error_says_what_kind_of_quantity_in_plain_words():
    """QA #18: no pint text ("dimension [length]"): the kind of quantity given and expected, and an example."""
    result = invoke(
        "optics", "--age", 40, "--sex", "male", "--fitzpatrick", "II", "--site", "cheek", "--wavelength", "1064 kg"
    )
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "wavelength: got '1064 kg', a mass; expected a length such as '1064 nm'" in line
    assert "dimension" not in line and "[length]" not in line


# --- input files ---------------------------------------------------------------------------------
BAD_FILES = {
    "binary": b"\xff\xfe\x00\x01binary\x00",
    "latin1": '[person]\nage = 40\nsex = "f\xe9male"\n'.encode("latin-1"),
    "not_toml": b"[person\nage = ",
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["transport", "simulate", "plan", "sweep"])
def test_unreadable_input_files_give_one_line_and_exit_2(tmp_path, kind, command):
    path = tmp_path / "input.toml"
    path.write_bytes(BAD_FILES[kind])
    out = tmp_path / "out"
    extra = ["--out", out] if command in {"simulate", "plan", "sweep"} else ["--out", out / "r.nc"]
    result = invoke(command, path, *extra)
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert not out.exists()


@pytest.mark.parametrize(
    "text, field",
    [
        ('person = "alice"\n', "person"),
        (PERSON + "plan = [1, 2]\n", "plan"),
        ("plan = [1, 2]\n", "plan"),
        (PERSON + "[laser]\nx = 1\n", "laser"),
        ('[plan]\ngoal = "tighten"\n', "person"),
    ],
)
def test_malformed_person_files(tmp_path, text, field):
    path = tmp_path / "person.toml"
    path.write_text(text)
    result = invoke("plan", path)
    assert result.exit_code == 2, result.output
    assert field in one_error_line(result)


def test_missing_input_file(tmp_path):
    result = invoke("transport", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert "nope.toml" in one_error_line(result)


# --- outputs -------------------------------------------------------------------------------------
def test_transport_writes_and_reports_every_file_and_needs_force_to_overwrite(tmp_path):
    scenario = tmp_path / "slab.toml"
    scenario.write_text(SLAB)
    out, figure = tmp_path / "r.nc", tmp_path / "a.png"
    args = ["transport", scenario, "--photons", 500, "--threads", 1, "--out", out, "--figure", figure, "--json"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # stdout: only the JSON
    assert f"wrote {out}" in result.stderr and f"wrote {figure}" in result.stderr
    assert figure.read_bytes().startswith(b"\x89PNG")
    before = out.stat().st_mtime_ns
    again = invoke(*args)
    assert again.exit_code == 2
    assert "--force" in one_error_line(again)
    assert out.stat().st_mtime_ns == before
    forced = invoke(*args, "--force")
    assert forced.exit_code == 0, forced.output


@pytest.mark.parametrize("figure", ["a.xyz", "a", "sub"])
def test_transport_checks_the_figure_before_computing(tmp_path, figure):
    scenario = tmp_path / "slab.toml"
    scenario.write_text(SLAB)
    (tmp_path / "sub").mkdir()
    out = tmp_path / "r.nc"
    result = invoke("transport", scenario, "--photons", 500, "--out", out, "--figure", tmp_path / figure)
    assert result.exit_code == 2
    assert "--figure" in one_error_line(result)
    assert not out.exists()


def test_output_inside_a_file_is_refused_before_computing(tmp_path):
    scenario = tmp_path / "slab.toml"
    scenario.write_text(SLAB)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("transport", scenario, "--out", blocker / "r.nc")
    assert result.exit_code == 2
    assert "--out" in one_error_line(result)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes everywhere")
def test_unwritable_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(Exception, match="writable"):
            Outputs().file(folder / "r.nc", "--out")
    finally:
        folder.chmod(0o700)


def test_plan_checks_its_folder_before_planning(tmp_path, monkeypatch):
    planning = importlib.import_module("laserskin.planning.plan")

    monkeypatch.setattr(planning, "plan_request", lambda *a, **k: pytest.fail("planned before checking --out"))
    existing = tmp_path / "out"
    existing.mkdir()
    (existing / "plan.json").write_text("{}")
    args = ["plan", "--age", 52, "--sex", "female", "--fitzpatrick", "IV", "--site", "cheek", "--laxity", 2]
    result = invoke(*args, "--out", existing)
    assert result.exit_code == 2
    assert "plan.json" in one_error_line(result)
    file_instead = tmp_path / "a_file"
    file_instead.write_text("x")
    result = invoke(*args, "--out", file_instead)
    assert result.exit_code == 2
    assert "folder" in one_error_line(result)


def test_plan_passes_seed_and_session_limit(monkeypatch):
    planning = importlib.import_module("laserskin.planning.plan")

    seen = {}

    def fake_plan(request, **kwargs):
        seen.update(seed=request.seed, minutes=request.max_session_minutes)
        raise KeyboardInterrupt  # stop here: the request is what this test is about

    monkeypatch.setattr(planning, "plan_request", fake_plan)
    result = invoke(
        "plan",
        "--age",
        "52 year",
        "--sex",
        "female",
        "--fitzpatrick",
        "IV",
        "--site",
        "cheek",
        "--seed",
        7,
        "--max-session-minutes",
        45,
    )
    assert result.exit_code == 130
    assert seen == {"seed": 7, "minutes": 45.0}


def test_internal_errors_are_one_line_with_exit_1(monkeypatch):
    import laserskin.skin as skin

    monkeypatch.setattr(skin, "optics_table", lambda *a, **k: 1 / 0)
    result = invoke(
        "optics", "--age", 40, "--sex", "male", "--fitzpatrick", "II", "--site", "cheek", "--wavelength", "1064 nm"
    )
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "ZeroDivisionError" in line and "LASERSKIN_DEBUG" in line


# --- JSON and tables -----------------------------------------------------------------------------
def test_strict_json_turns_non_finite_numbers_into_null():
    import numpy as np

    text = strict_json(
        {"a": float("nan"), "b": [np.float64("inf"), np.int64(3)], "c": np.array([1.5, np.nan]), "d": Path("x/y")}
    )
    assert json.loads(text) == {"a": None, "b": [None, 3], "c": [1.5, None], "d": "x/y"}
    assert "NaN" not in text and "Infinity" not in text and "\n" not in text


def test_devices_at_80_columns_show_whole_names():
    from laserskin.treatment.devices import device_names

    result = invoke("devices", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for name in device_names():
        assert name in result.stdout
    assert "…" not in result.stdout


def test_devices_json_has_si_numbers_and_the_display_text():
    rows = json.loads(invoke("devices", "--json").stdout)
    for row in rows:
        wavelength = row["default"]["wavelength_m"]  # None for a broadband (multi-line) source
        assert wavelength is None or 300e-9 < wavelength < 12e-6
        low, high = row["ranges"]["pulse_duration_s"]
        assert 0 < low <= high
        assert row["default"]["spot_diameter_m"] > 0
        assert isinstance(row["display"]["fluence_J_per_cm2"], str)


@pytest.mark.parametrize(
    "error, words",
    [
        (OverflowError(34, "Numerical result out of range"), "beyond what the computation can represent"),
        (MemoryError(), "does not fit in memory"),
        (PermissionError(13, "Permission denied", "/root/x"), "/root/x: Permission denied"),
    ],
)
def test_safety_nets_turn_resource_errors_into_one_line_and_exit_2(monkeypatch, error, words):
    import laserskin.skin as skin

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(skin, "optics_table", fail)
    result = invoke(
        "optics", "--age", 40, "--sex", "male", "--fitzpatrick", "II", "--site", "cheek", "--wavelength", "1064 nm"
    )
    assert result.exit_code == 2
    assert words in one_error_line(result)


def test_plan_force_rewrites_the_folder_without_stale_figures(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("{}")
    (out / "maps.png").write_bytes(b"old")
    args = ["plan", "--age", 52, "--sex", "female", "--fitzpatrick", "II", "--site", "cheek", "--laxity", 4]
    result = invoke(*args, "--out", out, "--force", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["eligible"] is False  # a referral: no figures
    assert json.loads((out / "plan.json").read_text())["eligible"] is False
    assert not (out / "maps.png").exists()
    assert f"wrote {out / 'report.html'}" in result.stderr and "removed" in result.stderr


def test_a_cache_path_that_is_a_file_is_one_line(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.write_text("not a folder")
    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(cache))
    scenario = tmp_path / "s.toml"
    scenario.write_text(PERSON + '[laser]\ndevice = "cooltouch_1320"\n')
    result = invoke("simulate", scenario, "--photons", 1000)
    if result.exit_code == 0:
        return  # the transport cache skipped the unusable folder: also fine (never fatal)
    assert result.exit_code == 2, result.output
    assert "LASERSKIN_CACHE_DIR" in one_error_line(result)


def test_a_huge_value_gives_a_bounded_error_line():
    result = invoke(
        "optics",
        "--age",
        "9" * 100_000,
        "--sex",
        "male",
        "--fitzpatrick",
        "II",
        "--site",
        "cheek",
        "--wavelength",
        "1064 nm",
    )
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and len(line) < 2200 and "age" in line


def test_sweep_progress_is_drawn_by_the_one_renderer():
    import io

    from rich.console import Console

    from laserskin.cli.sweep import SweepBar
    from laserskin.plotting.progress import RichProgress

    buffer = io.StringIO()
    bar = SweepBar(RichProgress(True, console=Console(file=buffer, force_terminal=True, width=120), transient=False))
    bar({"stage": "starting cluster", "done": 0, "total": 4, "failed": 0})
    for done in range(1, 5):
        bar({"stage": "running on 2 workers", "done": done, "total": 4, "failed": done // 3})
    bar({"stage": "combining", "done": 4, "total": 4, "failed": 1})
    bar.close()
    text = buffer.getvalue()
    assert "sweep: starting cluster" in text and "sweep: running on 2 workers" in text
    assert "1 failed" in text and "cases/s" in text


def test_sweep_checks_its_table_path_before_running(tmp_path):
    sweep = tmp_path / "s.toml"
    sweep.write_text((EXAMPLES / "sweep_fluence_cooling.toml").read_text())
    result = invoke("sweep", sweep, "--out", tmp_path / "out", "--table", tmp_path / "results.xlsx")
    assert result.exit_code == 2
    assert "--table" in one_error_line(result)
    assert not (tmp_path / "out").exists()
