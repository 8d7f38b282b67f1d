"""``laserskin plan``: a treatment plan (or a referral) from a person, on the command line.

Everything is validated and every output path checked before the plan is computed; the
outputs are written afterwards, each atomically (temporary file + ``os.replace``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from laserskin.cli._shell import (
    AGE_HELP,
    FORCE_HELP,
    LAXITY_HELP,
    SUN_EXPOSURE_HELP,
    Outputs,
    console,
    describe_cooling,
    note,
    print_json,
)

__all__ = ["command", "write_outputs", "OUTPUT_FILES", "read_person_file"]

#: The files ``plan --out DIR`` may write (an ineligible plan writes only plan.json and report.html).
OUTPUT_FILES = ("plan.json", "simulation.nc", "improvement.png", "margin.png", "maps.png", "report.html")

#: Tables a person file may hold.
PERSON_FILE_TABLES = ("person", "plan")


def write_outputs(plan: Any, out: Path, *, cache_dir: Any = None, outputs: Outputs | None = None) -> list[Path]:
    """Write plan.json, the supporting simulation (NetCDF), figures (PNG) and report.html into ``out``.

    Everything is computed first, then written file by file atomically; with ``outputs``
    every file is reported as ``wrote PATH``.
    """
    from laserskin.core.io import write_bytes_atomic, write_netcdf_atomic
    from laserskin.plotting.plan import figure_png, improvement_figure, maps_figure, margin_figure
    from laserskin.report import plan_report_html

    files: dict[str, bytes] = {"plan.json": plan.to_json().encode()}
    datasets = {}
    figures: dict[str, bytes] = {}
    names: list[str] = []
    if plan.eligible and plan.infeasible_request is None:
        figures["improvement vs months (laxity %, band, session markers)"] = figure_png(improvement_figure(plan))
        names.append("improvement.png")
        if plan.margin_curve:
            figures["safety margin vs fluence"] = figure_png(margin_figure(plan))
            names.append("margin.png")
        maps = maps_figure(plan)
        if maps is not None:
            figures["temperature and dermal thermal-injury maps at the chosen settings"] = figure_png(maps)
            names.append("maps.png")
        datasets["simulation.nc"] = _supporting_dataset(plan, cache_dir)
    for name, png in zip(names, figures.values()):
        files[name] = png
    files["report.html"] = plan_report_html(plan, figures).encode()
    written = []
    for name, dataset in datasets.items():
        written.append(write_netcdf_atomic(dataset, out / name))
        if outputs is not None:
            outputs.wrote(out / name)
    for name, data in files.items():
        written.append(write_bytes_atomic(out / name, data))
        if outputs is not None:
            outputs.wrote(out / name)
    # an overwritten folder (--force) keeps no figure of an earlier plan beside this plan's report
    for name in OUTPUT_FILES:
        stale = out / name
        if name not in files and name not in datasets and stale.is_file():
            stale.unlink()
            if outputs is not None:
                note(f"removed {stale} (from an earlier plan)")
    return written


def _supporting_dataset(plan: Any, cache_dir: Any) -> Any:
    """Simulation.run() at the chosen settings, one pass (Omega of n passes = n x one pass)."""
    import json

    from laserskin.pipeline.simulation import Simulation
    from laserskin.treatment.protocol import Protocol

    setting = plan.support["setting"]
    planned = plan.support.get("protocol")  # the plan's protocol: area, sessions, interval (QA8 #4)
    result = setting.supporting_result
    if result is None:
        # one pass of the plan's protocol (the passes are thermally independent: Omega of n passes = n x one)
        protocol = (
            Protocol(anesthetic=plan.anesthetic)
            if planned is None
            else Protocol(**{**planned.model_dump(mode="json", by_alias=True), "passes": 1})
        )
        sim = Simulation(
            plan.support["person"],
            setting.laser,
            setting.cooling,
            protocol,
            setting.simulation.settings,
            cache_dir=cache_dir,
        )
        result = sim.run(grid_warning=False)  # the grid the plan was computed on
    dataset = result.dataset.copy()
    if planned is not None and result is setting.supporting_result:
        # the run of the planner (its passes, anaesthetic and area); the session count and interval, which the plan
        # chose after the run and which do not enter a simulation, are the plan's
        ran = json.loads(dataset.attrs.get("protocol", "{}"))
        ran.update(
            sessions=planned.sessions,
            session_interval=planned.model_dump(mode="json", by_alias=True)["session_interval"],
        )
        dataset.attrs["protocol"] = json.dumps(ran)
    dataset.attrs["plan"] = plan.to_json(indent=None)
    dataset.attrs["note"] = f"one pass simulated; the plan uses {setting.passes} thermally independent passes"
    return dataset


def located(error: Exception, origin: dict[str, str], fields: Any) -> Exception:
    """``error`` with every line's field named where it was given (QA5 #13).

    ``origin`` maps a key of the person file to its table (``person`` or ``plan``); the request's problems
    read ``plan.KEY`` (:meth:`PlanRequest.validated`), so a key of the ``[person]`` table becomes ``person.KEY``
    (before: ``plan.skin_colour`` for ``[person] skin_colour``). A planner error on a request field named bare
    (``devices: got [...]``) gets the ``plan.`` of every other request field. ``fields``: the request's keys
    (aliases). Other errors, and lines about anything else, are returned unchanged.
    """
    import re

    from laserskin.core.errors import InputError

    if not isinstance(error, InputError):
        return error

    def relocate(line: str) -> str:
        match = re.match(r"^(?:plan\.)?([A-Za-z_][A-Za-z0-9_]*)(?=[.\[:])", line)
        if match is None or not (match.group(1) in fields or match.group(1) in origin):
            return line
        return f"{origin.get(match.group(1), 'plan')}.{line[match.start(1) :]}"

    lines = [relocate(line) for line in str(error).splitlines()]
    message = "\n".join(lines)
    if message == str(error):
        return error
    moved = InputError(lines[0].split(":", 1)[0], error.value, error.allowed, message=message, given=error.given)
    for name, value in vars(error).items():  # markers such as burnt_tissue travel with it
        if name not in ("field", "detail"):
            setattr(moved, name, value)
    return moved


def read_person_file(path: Path, origin: dict[str, str] | None = None) -> dict:
    """The fields of a person file: its ``[person]`` table, then its optional ``[plan]`` table.

    ``origin``, when given, is filled with the table each key came from (for :func:`located`).
    Raises :class:`InputError` for a file that is not UTF-8 TOML, a ``person``/``plan`` that
    is not a table, or any other table or key at the top level.
    """
    from laserskin.core.errors import InputError
    from laserskin.core.io import read_toml

    data = read_toml(path, "person_file")
    unknown = [key for key in data if key not in PERSON_FILE_TABLES]
    if unknown:
        raise InputError(
            unknown[0],
            f"[{unknown[0]}]" if isinstance(data[unknown[0]], dict) else data[unknown[0]],
            "only a [person] table and an optional [plan] table in a person file",
        )
    fields: dict = {}
    for table in PERSON_FILE_TABLES:
        value = data.get(table, {})
        if not isinstance(value, dict):
            raise InputError(table, value, f"a [{table}] table of key = value pairs")
        fields.update(value)
        if origin is not None:
            origin.update(dict.fromkeys(value, table))
    if "person" not in data:
        raise InputError("person", None, "a [person] table (age, sex, fitzpatrick, site, ...)")
    return fields


def command(
    person_file: Path | None = typer.Argument(
        None, help="TOML file with a [person] table (and optional [plan] table); options override it."
    ),
    age: str | None = typer.Option(None, help=AGE_HELP),
    sex: str | None = typer.Option(None, help="female | male (F and M accepted)"),
    fitzpatrick: str | None = typer.Option(None, help="Fitzpatrick skin type I-VI."),
    site: str | None = typer.Option(None, help="Body site, e.g. cheek, forehead, neck."),
    sun_exposure: str | None = typer.Option(None, metavar="<int>", help=SUN_EXPOSURE_HELP),
    laxity: str | None = typer.Option(None, metavar="<int>", help=LAXITY_HELP),
    goal: str | None = typer.Option(None, help="tighten | resurface | recommend (default recommend)."),
    area: str | None = typer.Option(
        None, help='Treated area per session with its unit (a bare number is refused), e.g. "150 cm^2" (default).'
    ),
    devices: list[str] | None = typer.Option(
        None, "--device", "--devices", metavar="<name>", help="Candidate device (repeatable; see laserskin devices)."
    ),
    max_sessions: str | None = typer.Option(None, metavar="<int>", help="Largest number of sessions, 1-20."),
    max_downtime_days: str | None = typer.Option(
        None,
        metavar="<days>",
        help='Largest acceptable downtime, 0-365 days: a number (14) or with its unit ("2 weeks").',
    ),
    max_session_minutes: str | None = typer.Option(
        None,
        metavar="<minutes>",
        help="Longest acceptable session (anaesthetic lead time included), up to 600 minutes: "
        'a number (30) or with its unit ("30 min", "1.5 h"); default 60.',
    ),
    max_fraction_of_blister: str | None = typer.Option(
        None,
        metavar="<float>",
        help="Safety margin: the largest pulse fluence as a fraction of the lower end of the "
        "blister-fluence band, in (0, 1] (default 0.85).",
    ),
    anesthetic: str | None = typer.Option(
        None, help="auto | none | lidocaine_4 | emla | lidocaine_tetracaine_7_7 (default auto)."
    ),
    cooling: str | None = typer.Option(
        None, help="auto (each device's default) | none | cold_air | contact | cryogen."
    ),
    photons: str | None = typer.Option(
        None, metavar="<int>", help="Photons per transport run, 1000-10^7 (default 20000)."
    ),
    seed: str | None = typer.Option(None, metavar="<int>", help="Random seed, a whole number >= 0 (default 1)."),
    out: Path | None = typer.Option(None, help="Folder for plan.json, simulation.nc, figures (PNG) and report.html."),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
) -> None:
    """Plan a treatment: settings, sessions and predicted improvement (or a referral)."""
    import json

    from laserskin.core.models import typed_text
    from laserskin.planning.plan import plan_request
    from laserskin.planning.request import PlanRequest
    from laserskin.plotting.progress import RichProgress

    outputs = Outputs(force)
    origin: dict[str, str] = {}  # the table of each key of the person file (its messages name it)
    fields: dict = read_person_file(person_file, origin) if person_file is not None else {}
    # numeric options arrive as text and are read by the request model, so a bad value reads
    # like every other input error (field: got VALUE; expected WHAT), never click's own text, and echoed as
    # typed: --age 150 reads "got '150'", not "got 150.0" (QA10 #13; the request's age takes a bare number);
    # numbers as TypedText (text typed on a command line: the models refuse plain text in a number field)
    options = dict(
        age=age,
        sex=sex,
        fitzpatrick=fitzpatrick,
        site=site,
        sun_exposure=typed_text(sun_exposure),
        laxity=typed_text(laxity),
        goal=goal,
        area=area,
        devices=devices or None,
        max_sessions=typed_text(max_sessions),
        max_downtime_days=max_downtime_days,
        max_session_minutes=max_session_minutes,
        max_fraction_of_blister=typed_text(max_fraction_of_blister),
        anesthetic=anesthetic,
        cooling=cooling,
        photons=typed_text(photons),
        seed=typed_text(seed),
    )
    given = {k: v for k, v in options.items() if v is not None}
    fields.update(given)
    origin.update(dict.fromkeys(given, "plan"))  # an option overrides the file: a plan field
    keys = {field.alias or name for name, field in PlanRequest.model_fields.items()}
    try:
        request = PlanRequest.validated(**fields)
    except Exception as error:
        raise located(error, origin, keys) from None
    out = outputs.folder(out, "--out", OUTPUT_FILES)
    # the planner reports no steps: an indeterminate bar with the elapsed time, and below it
    # the bars of the simulations it runs (the same display)
    progress = RichProgress()
    stage = "planning: light transport, heat, damage and healing per candidate"
    progress.on_start(stage, 0, "")
    try:
        plan = plan_request(request, progress=progress)
    except Exception as error:  # a planner refusal of a request field names it as plan.NAME (QA5 #13)
        raise located(error, origin, keys) from None
    finally:
        progress.on_end(stage, 0.0)
    if out is not None:
        write_outputs(plan, out, outputs=outputs)
    if as_json:
        print_json(json.loads(plan.to_json(indent=None)))
        return
    print_plan(plan)


def print_plan(plan: Any) -> None:
    """The plan as a table on stdout, then its reasons as a list."""
    from rich.table import Table

    table = Table(title="laserskin plan")
    table.add_column("item")
    table.add_column("value")
    if not plan.eligible:
        table.add_row("eligible", "no")
        table.add_row("referral", plan.referral)
    elif plan.infeasible_request is not None:  # the person is eligible; the requested combination is not (QA5 #19)
        table.add_row("eligible", "yes")
        table.add_row("request not feasible", plan.infeasible_request)
    else:
        s = plan.settings
        risks = plan.risks or {}
        wound = risks.get("epidermal_wound")
        shown = risk_rows(risks, plan.modality)
        rows = [
            ("modality", plan.modality),
            ("device", plan.device),
            ("settings", _settings_text(s)),
            ("cooling", describe_cooling(plan.cooling)),
            ("anaesthetic", plan.anesthetic),
            ("sessions", f"{plan.sessions} every {plan.interval_weeks:g} weeks"),
            ("visits per session", _visits_text(plan)),
            ("session minutes", _minutes_text(plan)),
            # ablative / fractional: the wound by design, not the basal Omega of the blister criterion (QA5 #20, #22)
            ("epidermis", wound) if wound else ("epidermal Ω", f"{plan.epidermal_omega:.3g} (blisters at 1)"),
        ]
        if not any(key in PAIN_KEYS for key, _, _ in shown):  # else the risk rows say it, with its band
            rows.append(
                ("pain with the plan", f"{plan.pain_index:.2g} / 10")
            )  # TreatmentPlan.pain_index: its pain_index_with_plan
        for measure, bands in (("laxity", plan.improvement_percent), ("rhytid", plan.rhytid_improvement_percent)):
            for key, band in (bands or {}).items():
                rows.append(
                    (
                        f"{measure} improvement {key.replace('_', ' ')}",
                        f"{band[1]:.1f} % (uncertainty band {band[0]:.1f}-{band[2]:.1f})",
                    )
                )
        evidence = plan.outcome_evidence  # the model against the device's published outcomes
        if evidence:  # (QA15 #4)
            rows.append(("published outcomes", evidence["summary"]))
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        if shown:
            table.add_section()
            for _, label, value in shown:
                table.add_row(label, value)
    console().print(table)
    for reason in plan.reasons:
        console().print(f"- {reason}")


plan_command = command  # the name the planner tests use

#: Risk keys the table states in rows of its own (the epidermal Ω with its blister line, the epidermal wound).
TABLE_OWN_RISKS = ("epidermal_omega", "epidermal_wound")
#: Risk keys of the pain (with the plan, without anaesthetic; bands or single numbers).
PAIN_KEYS = (
    "pain_with_plan",
    "pain_without_anaesthetic",
    "pain_index_with_anesthetic",
    "pain_index_without_anesthetic",
)


def risk_rows(risks: dict, modality: str | None = None) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` of the plan's safety and risk rows, the HTML report's (``report.RISK_ROWS`` through
    ``report.labels.plan_risk_keys``, labelled and formatted by ``report.labels``): the blister-fluence band
    ``nominal (low – high)`` in J/cm², the planned fluence as a share of it, the safety margin, the pain with the
    planned anaesthetic and cooling and without anaesthetic with their bands, pigment risk, downtime, the session
    over the limit or split (QA10 #9: the terminal table, and so ``make demo``, had none of them). Keys the table
    states in a row of its own (:data:`TABLE_OWN_RISKS`) are left out."""
    from laserskin.report import RISK_ROWS
    from laserskin.report.labels import display_value, name, plan_risk_keys

    context = {"modality": modality}
    return [
        (key, name(key), display_value(key, risks[key], context))
        for key in plan_risk_keys(risks, RISK_ROWS)
        if key not in TABLE_OWN_RISKS and risks.get(key) is not None
    ]


def _settings_text(s: dict) -> str:
    """The settings as the clinician sets them: a fractional laser by its energy per micro-beam, micro-beam
    diameter and coverage (its "spot" is the scan pattern; the fluence is per micro-beam) (QA5 #22); the pulses
    stacked per spot with their rate and dose, which the safety margin and the outcome are for (QA7 #4)."""
    from laserskin.report.labels import pulses_text

    pulses = pulses_text(s, "J/cm^2")
    pulses = f", {pulses}" if pulses else ""
    if s.get("microbeam_diameter_um") is not None:
        return (
            _wavelength_text(s) + f", {s['pulse_energy_mJ']:.3g} mJ per micro-beam ({s['fluence_J_per_cm2']:.3g} "
            f"J/cm^2 in it), {s['microbeam_diameter_um']:.0f} µm micro-beams, {s['coverage_percent']:.3g} % coverage, "
            f"{s['pulse_duration_ms']:.3g} ms, {s['spot_diameter_mm']:.3g} mm scan pattern, {s['passes']} pass(es)"
            + pulses
        )
    return (
        _wavelength_text(s) + f", {s['fluence_J_per_cm2']:.3g} J/cm^2, "
        f"{s['pulse_duration_ms']:.3g} ms, {s['spot_diameter_mm']:.3g} mm, {s['passes']} pass(es)" + pulses
    )


def _visits_text(plan: Any) -> str:
    """``1``, or ``4 of 125 cm^2 each`` for a session split into visits under the session limit (QA5 #22)."""
    visits = plan.visits_per_session or 1
    if visits == 1:
        return "1"
    area = f" of {plan.area_per_visit_cm2:.0f} cm^2" if plan.area_per_visit_cm2 else ""
    return f"{visits}{area} each (the session minutes are per visit)"


def _minutes_text(plan: Any) -> str:
    """``48 (at the laser 18)``, or per visit and in total for a session split into visits (QA6 #1)."""
    if (plan.visits_per_session or 1) == 1:
        return f"{plan.session_minutes:.0f} (at the laser {plan.laser_minutes:.0f})"
    total = plan.session_total_minutes or plan.visits_per_session * plan.session_minutes
    return f"{plan.session_minutes:.0f} per visit (at the laser {plan.laser_minutes:.0f}), {total:.0f} in total"


def _wavelength_text(settings: dict) -> str:
    """``1450 nm``, or a broadband source's emitted bands and the energy-weighted mean of its lines, said to be no
    emitted wavelength where it falls in a gap (:func:`laserskin.report.labels.wavelength_text`, QA14 #9)."""
    from laserskin.report.labels import wavelength_text

    return wavelength_text(settings)
