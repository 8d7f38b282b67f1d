"""``laserskin plan``: typer-compatible command function (registered by the lead in cli.py).

Validates everything and computes the plan before writing; every output is written
atomically (temporary file + ``os.replace``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from laserskin.core.io import write_bytes_atomic

__all__ = ["plan_command", "write_outputs"]


def write_outputs(plan, out: Path, *, cache_dir=None) -> list[Path]:
    """Write plan.json, the supporting simulation (NetCDF), figures (PNG) and report.html into ``out``.

    Everything is computed first, then written file by file atomically.
    """
    from laserskin.plotting.plan import figure_png, improvement_figure, maps_figure, margin_figure
    from laserskin.report import plan_report_html

    files: dict[str, bytes] = {"plan.json": plan.to_json().encode()}
    datasets = {}
    figures = {}
    if plan.eligible:
        figures["improvement vs months (laxity %, band, session markers)"] = figure_png(improvement_figure(plan))
        if plan.margin_curve:
            figures["safety margin vs fluence"] = figure_png(margin_figure(plan))
        maps = maps_figure(plan)
        if maps is not None:
            figures["temperature and dermal thermal-injury maps at the chosen settings"] = figure_png(maps)
        datasets["simulation.nc"] = _supporting_dataset(plan, cache_dir)
    names = ["improvement.png", "margin.png", "maps.png"]
    for name, png in zip(names, figures.values()):
        files[name] = png
    files["report.html"] = plan_report_html(plan, figures).encode()
    written = []
    from laserskin.core.io import write_netcdf_atomic

    for name, dataset in datasets.items():
        written.append(write_netcdf_atomic(dataset, out / name))
    for name, data in files.items():
        write_bytes_atomic(out / name, data)
        written.append(out / name)
    return written


def _supporting_dataset(plan, cache_dir):
    """Simulation.run() at the chosen settings, one pass (Omega of n passes = n x one pass)."""
    from laserskin.treatment.protocol import Protocol
    from laserskin.pipeline.simulation import Simulation

    setting = plan.support["setting"]
    result = getattr(setting, "supporting_result", None)
    if result is None:
        sim = Simulation(plan.support["person"], setting.laser, setting.cooling,
                         Protocol(anesthetic=plan.anesthetic), setting.simulation.settings, cache_dir=cache_dir)
        result = sim.run()
    dataset = result.dataset.copy()
    dataset.attrs["plan"] = plan.to_json(indent=None)
    dataset.attrs["note"] = f"one pass simulated; the plan uses {setting.passes} thermally independent passes"
    return dataset


def plan_command(
    person_file: Optional[Path] = typer.Argument(None, help="TOML file with a [person] table (and optional [plan])"),
    age: Optional[float] = typer.Option(None, help="age in years (18-100)"),
    sex: Optional[str] = typer.Option(None, help="female | male"),
    fitzpatrick: Optional[str] = typer.Option(None, help="I..VI"),
    site: Optional[str] = typer.Option(None, help="body site"),
    sun_exposure: Optional[int] = typer.Option(None, help="photoaging grade 0-3 (Glogau I-IV)"),
    laxity: Optional[int] = typer.Option(None, help="Alexiades-Armenakas laxity grade 0-4"),
    goal: Optional[str] = typer.Option(None, help="tighten | resurface | recommend"),
    area: Optional[str] = typer.Option(None, help='treated area, e.g. "150 cm^2"'),
    devices: Optional[list[str]] = typer.Option(None, "--device", "--devices", help="candidate device (repeatable)"),
    max_sessions: Optional[int] = typer.Option(None, help="largest number of sessions"),
    max_downtime_days: Optional[float] = typer.Option(None, help="largest acceptable downtime, days"),
    anesthetic: Optional[str] = typer.Option(None, help="auto | none | lidocaine_4 | emla | lidocaine_tetracaine_7_7"),
    cooling: Optional[str] = typer.Option(None, help="auto (device default) | none | cold_air | contact | cryogen"),
    out: Optional[Path] = typer.Option(None, help="folder for plan.json, NetCDF, figures and report.html"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    photons: Optional[int] = typer.Option(None, help="photons per transport run (default 20000)"),
    seed: Optional[int] = typer.Option(None, help="random seed"),
) -> None:
    """Plan a treatment: settings, sessions and predicted improvement (or a referral)."""
    from laserskin.planning.plan import plan_request
    from laserskin.planning.request import PlanRequest

    fields: dict = {}
    if person_file is not None:
        from laserskin.core.io import read_toml

        data = read_toml(person_file, "person_file")
        fields.update(data.get("person", {}))
        fields.update(data.get("plan", {}))
    options = dict(age=age, sex=sex, fitzpatrick=fitzpatrick, site=site, sun_exposure=sun_exposure, laxity=laxity,
                   goal=goal, area=area, devices=devices or None, max_sessions=max_sessions,
                   max_downtime_days=max_downtime_days, anesthetic=anesthetic, cooling=cooling, photons=photons,
                   seed=seed)
    fields.update({k: v for k, v in options.items() if v is not None})
    request = PlanRequest.validated(**fields)
    plan = plan_request(request)
    if out is not None:
        write_outputs(plan, Path(out))
    if as_json:
        typer.echo(plan.to_json(indent=None))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="laserskin plan")
    table.add_column("item")
    table.add_column("value")
    if not plan.eligible:
        table.add_row("eligible", "no")
        table.add_row("referral", plan.referral)
    else:
        s = plan.settings
        rows = [("modality", plan.modality), ("device", plan.device),
                ("settings", f"{s['wavelength_nm']:.0f} nm, {s['fluence_J_per_cm2']:.3g} J/cm^2, "
                             f"{s['pulse_duration_ms']:.3g} ms, {s['spot_diameter_mm']:.3g} mm, {s['passes']} pass(es)"),
                ("cooling", json.dumps(plan.cooling)), ("anesthetic", plan.anesthetic),
                ("sessions", f"{plan.sessions} every {plan.interval_weeks:g} weeks"),
                ("session minutes", f"{plan.session_minutes:.0f} (at the laser {plan.laser_minutes:.0f})"),
                ("epidermal Omega", f"{plan.epidermal_omega:.3g} (limit {plan.risks['epidermal_omega_limit']})"),
                ("pain index", f"{plan.pain_index:.2g} / 10")]
        for key, band in plan.improvement_percent.items():
            rows.append((f"improvement {key}", f"{band[1]:.1f} % ({band[0]:.1f}-{band[2]:.1f})"))
        for row in rows:
            table.add_row(*row)
    Console().print(table)
    for reason in plan.reasons:
        typer.echo(f"- {reason}")
