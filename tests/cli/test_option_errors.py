"""Option errors read like every other input error (QA #18): ``field: got VALUE; expected WHAT``,
one line, exit 2, never click's or pydantic's own text; quantity options take units the same way."""

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.planning.request import PlanRequest

PERSON = ["--age", "55", "--sex", "female", "--fitzpatrick", "II", "--site", "cheek"]
RAW_TEXTS = ("Input should be", "Invalid value for", "unable to parse", "Usage:")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def one_plain_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert not any(raw in lines[0] for raw in RAW_TEXTS), lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--max-session-minutes", "30 J"], "max_session_minutes: got '30 J', an energy; expected a duration"),
        (["--max-session-minutes", "soon"], "max_session_minutes: got 'soon'; expected a duration"),
        (["--max-downtime-days", "400"], "max_downtime_days: got '400'; expected"),
        (["--area", "400"], "area: got '400'; expected an area at least 1 cm^2, such as '400 cm^2'"),
        (["--max-sessions", "0"], "max_sessions: got '0'; expected a whole number from 1 to 20"),
        (["--laxity", "2.5"], "laxity: got '2.5'; expected a whole number from 0 to 4"),
        (["--photons", "abc"], "photons: got 'abc'; expected a whole number from 1000 to 10000000"),
        (["--max-fraction-of-blister", "x"], "max_fraction_of_blister: got 'x'; expected a number"),
        # QA4 #9: before "plan: area 1e+07 cm^2 is larger than site 'cheek' allows (...)"
        (["--area", "1e7 cm^2"], "plan.area: got '1e7 cm^2'; expected at most 500 cm^2 per session for site cheek"),
        # a valid "30 min" leaves only the bad laxity to report
        (["--max-session-minutes", "30 min", "--laxity", "9"], "laxity: got '9'; expected a whole number from 0 to 4"),
    ],
)
def test_plan_option_errors_are_one_plain_line(extra, expected):
    assert expected in one_plain_line(invoke("plan", *PERSON, *extra))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--port", "0"], "--port: got '0'; expected a whole number from 1 to 65535"),
        (["serve", "--port=x"], "--port: got 'x'; expected a whole number from 1 to 65535"),
        (["sweep", "s.toml", "--out", "o", "--workers", "0"], "--workers: got '0'; expected a whole number at least 1"),
        (["simulate", "s.toml", "--photons", "many"], "--photons: got 'many'; expected a whole number"),
        (
            [*("optics", *PERSON, "--wavelength", "1064 nm", "--laxity", "2.5")],
            "laxity: got '2.5'; expected a whole number from 0 to 4",
        ),
    ],
)
def test_number_options_of_other_commands_are_one_plain_line(args, expected):
    assert expected in one_plain_line(invoke(*args))


@pytest.mark.parametrize(("text", "minutes"), [("30 min", 30.0), ("30", 30.0), (45, 45.0), ("1.5 h", 90.0)])
def test_max_session_minutes_takes_minutes_or_a_duration(text, minutes):
    request = PlanRequest.validated(age=55, sex="female", fitzpatrick="II", site="cheek", max_session_minutes=text)
    assert request.max_session_minutes == pytest.approx(minutes)


def test_max_downtime_days_takes_days_or_a_duration():
    request = PlanRequest.validated(age=55, sex="female", fitzpatrick="II", site="cheek", max_downtime_days="2 weeks")
    assert request.max_downtime_days == pytest.approx(14.0)


def test_plan_help_states_the_accepted_ranges_and_units():
    text = " ".join(invoke("plan", "--help").output.split())
    assert "Largest number of sessions, 1-20." in text
    assert "(0-20)" not in text
    assert '"30 min"' in text and "a bare number is refused" in text


def test_simulate_help_says_every_protocol_pass():
    text = " ".join(invoke("simulate", "--help").output.split())
    assert "one treatment pass" not in text
    assert "all [protocol] passes" in text


def test_an_out_folder_that_cannot_be_created_is_an_option_error_before_the_run(tmp_path, monkeypatch):
    """QA4 #30 (aside): ``--out /proc/x`` ran the simulation, then failed with ``error: /proc/x: No such file or
    directory``. The permission bits pass there (root), so the check now tries it: here a read-only mount."""
    import errno
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    scenario = tmp_path / "s.toml"
    scenario.write_text(
        '[person]\nage = 50\nsex = "female"\nfitzpatrick = "II"\nsite = "cheek"\n'
        '[laser]\ndevice = "genesis_1064"\n[transport]\nphotons = 1000\n'
    )
    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    line = one_plain_line(invoke("simulate", scenario, "--out", tmp_path / "x", "--json"))
    assert line == (
        f"error: --out: got '{tmp_path / 'x'}'; expected a path in a writable folder ({tmp_path}: Read-only file system)"
    )


def test_person_file_keys_are_named_by_their_table(tmp_path):
    """QA5 #13: a key of the person file's ``[person]`` table was named ``plan.KEY`` (``plan.skin_colour:
    unknown key``); now ``person.KEY``, and a ``[plan]`` key (or an option) stays ``plan.KEY``."""
    person = tmp_path / "p.toml"
    person.write_text(
        '[person]\nage = 52\nsex = "female"\nfitzpatrick = "IV"\nsite = "cheek"\nskin_colour = "brown"\n'
        '[plan]\narea = "5"\n'
    )
    line = one_plain_line(invoke("plan", person))
    assert "person.skin_colour: unknown key; expected one of age, sex" in line
    assert "plan.area: got '5'; expected an area" in line
    person.write_text('[person]\nage = "abc"\nsex = "female"\nfitzpatrick = "IV"\nsite = "cheek"\n')
    assert one_plain_line(invoke("plan", person)).startswith("error: person.age: got 'abc'; expected an age")
    assert one_plain_line(invoke("plan", person, "--age", "200")).startswith("error: plan.age: got ")


def test_a_device_of_the_other_goal_is_named_as_a_plan_field():
    """QA5 #13: ``--device er_yag_2940 --goal tighten`` read ``error: devices: got [...]`` while every other
    request field reads ``plan.NAME``."""
    line = one_plain_line(invoke("plan", *PERSON, "--device", "er_yag_2940", "--goal", "tighten"))
    assert line.startswith("error: plan.devices: got ['er_yag_2940']; expected at least one device of class")


@pytest.mark.parametrize("command", ["simulate", "transport"])
@pytest.mark.parametrize(("option", "threads"), [(True, 0), (True, 5000), (True, None), (False, None)])
def test_threads_over_the_cores_say_the_cores_before_the_run(tmp_path, command, option, threads):
    """A thread count is checked against the cores numba may use before anything runs, naming the option or the
    file's key: before, ``--threads 5000`` read the schema's "from 1 to 1024" and ``--threads 3`` on 2 cores
    failed when the transport started, naming ``threads`` ("an integer from 1 to 2")."""
    import numba

    cores = numba.config.NUMBA_NUM_THREADS
    threads = cores + 1 if threads is None else threads
    scenario = tmp_path / "s.toml"
    transport = "" if option else f"threads = {threads}\n"
    scenario.write_text(
        '[person]\nage = 50\nsex = "female"\nfitzpatrick = "II"\nsite = "cheek"\n'
        f'[laser]\ndevice = "genesis_1064"\n[transport]\nphotons = 1000\n{transport}'
    )
    line = one_plain_line(invoke(command, scenario, *(["--threads", threads] if option else []), "--json"))
    field = "--threads" if option else "transport.threads"
    assert (
        line
        == f"error: {field}: got {threads}; expected a whole number from 1 to {cores} (the cores numba may use here)"
    )


@pytest.mark.parametrize(
    ("tables", "field"),
    [
        (
            '[base.transport]\nphotons = 1000\nthreads = {threads}\n[axes]\n"laser.fluence" = ["10 J/cm^2"]\n',
            "base.transport.threads",
        ),
        (
            '[base.transport]\nphotons = 1000\n[axes]\n"transport.threads" = [1, {threads}]\n',
            'axes."transport.threads"',
        ),
    ],
)
def test_a_local_sweep_checks_its_threads_before_any_case_runs(tmp_path, tables, field):
    """Before, every case of a local sweep asking for more threads than the cores failed in its worker."""
    import numba

    threads = numba.config.NUMBA_NUM_THREADS + 1
    sweep = tmp_path / "s.toml"
    sweep.write_text(
        '[sweep]\nname = "t"\ncase = "simulate"\n'
        '[base.person]\nage = 50\nsex = "female"\nfitzpatrick = "II"\nsite = "cheek"\n'
        '[base.laser]\ndevice = "genesis_1064"\n' + tables.format(threads=threads)
    )
    line = one_plain_line(invoke("sweep", sweep, "--out", tmp_path / "out", "--json"))
    assert line.startswith(f"error: {field}: got {threads}; expected a whole number from 1 to")
    assert not (tmp_path / "out").exists()
