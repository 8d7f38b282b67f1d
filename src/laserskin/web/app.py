"""FastAPI application of the web planner (``laserskin serve``).

Pages (Jinja2 templates, a few lines of own JavaScript, no CDN):

* ``/``          planner form → background job → plan with SVG figures, HTML report and JSON;
* ``/simulate``  one device setting → background job → temperature and damage maps;
* ``/devices``   the device presets.

JSON API (same pydantic models as the CLI; OpenAPI schema at ``/docs``):

* ``POST /api/plan``      a :class:`laserskin.planning.PlanRequest` → the ``plan --json`` object;
* ``POST /api/simulate``  a :class:`laserskin.pipeline.scenario.Scenario` → the simulation summary;
* ``GET  /api/devices``   the device table;
* ``GET  /api/jobs/{id}`` progress of a background job.

Per-request limits (:class:`WebSettings`) give a 422 with a message naming the field.
The server reads and writes only inside its data folder (jobs, transport cache,
matplotlib cache) apart from its own package files.
"""

from __future__ import annotations

import contextlib
import io
import threading
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from laserskin.core.errors import InputError, describe_validation_error
from laserskin.planning import PlanRequest
from laserskin.pipeline.scenario import Scenario
from laserskin.web.jobs import Job, JobManager, JobProgress

HERE = Path(__file__).parent
COMPUTE_LOCK = threading.Lock()
"""One computation at a time per server process: HDF5/NetCDF writes (transport cache, results)
are not thread-safe, and the machine's cores go to the Monte Carlo run anyway."""
PLAN_FIGURES = ("improvement", "margin", "maps")
SIMULATE_FIGURES = ("temperature_map", "depth_profiles")


@dataclass(frozen=True)
class WebSettings:
    """Per-request limits of the server.

    Attributes
    ----------
    max_photons : int
        Largest Monte Carlo photon count per transport run.
    max_nr : int
        Largest radial cell count of a simulation grid.
    max_relaxation_s : float
        Longest heat relaxation after the last pulse (s).
    max_passes : int
        Most passes per simulated session.
    job_workers : int
        Background job threads.
    max_queued_jobs : int
        Jobs queued or running at once; more get a 503.
    """

    max_photons: int = 200_000
    max_nr: int = 200
    max_relaxation_s: float = 5.0
    max_passes: int = 5
    job_workers: int = 1
    max_queued_jobs: int = 8


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/laserskin/web`` (default ``~/.local/share/laserskin/web``)."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "laserskin" / "web"


def _limit_error(field: str, value: Any, allowed: str) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": [
        {"loc": ["body", *field.split(".")], "msg": f"{field}: got {value!r}; {allowed}", "type": "limit"}]})


def _input_error(error: Exception) -> JSONResponse:
    message = describe_validation_error(error)
    return JSONResponse(status_code=422, content={"detail": [
        {"loc": ["body"], "msg": line, "type": "value_error"} for line in message.splitlines() or [message]]})


def _planning():
    from laserskin.planning import PlanRequest, plan_request

    return PlanRequest, plan_request


def _fig_svg(fig) -> bytes:
    """SVG bytes of a figure; colour meshes are embedded as images to keep the file small."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import QuadMesh

    for ax in fig.axes:
        for artist in ax.collections:
            if isinstance(artist, QuadMesh):
                artist.set_rasterized(True)

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _fig_png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _write_atomic(path: Path, data: bytes | str) -> None:
    from laserskin.core.io import write_bytes_atomic

    write_bytes_atomic(path, data.encode() if isinstance(data, str) else data)


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------
def plan_limit_problem(request, settings: WebSettings) -> tuple[str, Any, str] | None:
    """``(field, value, allowed)`` of the first request value above the server's limits."""
    if request.photons > settings.max_photons:
        return "photons", request.photons, f"at most {settings.max_photons} on this server"
    return None


def scenario_limit_problem(scenario: Scenario, settings: WebSettings) -> tuple[str, Any, str] | None:
    """``(field, value, allowed)`` of the first scenario value above the server's limits."""
    if scenario.transport.photons > settings.max_photons:
        return "transport.photons", scenario.transport.photons, f"at most {settings.max_photons} on this server"
    if scenario.grid.nr is not None and scenario.grid.nr > settings.max_nr:
        return "grid.nr", scenario.grid.nr, f"at most {settings.max_nr} on this server"
    if scenario.heat.relaxation_s > settings.max_relaxation_s:
        return "heat.relaxation", f"{scenario.heat.relaxation_s} s", f"at most {settings.max_relaxation_s} s on this server"
    passes = scenario.protocol.passes if scenario.protocol is not None else 1
    if passes > settings.max_passes:
        return "protocol.passes", passes, f"at most {settings.max_passes} on this server"
    if scenario.transport.threads is not None and scenario.transport.threads > 4:
        return "transport.threads", scenario.transport.threads, "at most 4 on this server"
    return None


# --------------------------------------------------------------------------------------------
# Work done in jobs
# --------------------------------------------------------------------------------------------
def run_plan_job(job: Job, request, cache_dir: Path) -> None:
    """Plan, then write ``plan.json``, ``report.html`` and the SVG figures into the job folder."""
    from laserskin.plotting import plan as plan_figures

    _, plan_request = _planning()
    job.stage, job.progress = "planning (light transport, heat, damage)", 0.05
    with COMPUTE_LOCK:
        plan = plan_request(request, cache_dir=cache_dir)
    job.stage, job.progress = "rendering figures", 0.85
    (job.folder / "figures").mkdir(exist_ok=True)
    pngs = {}
    if plan.eligible and plan.support is not None:
        for name in PLAN_FIGURES:
            function = getattr(plan_figures, f"{name}_figure")
            try:
                fig = function(plan)
            except (KeyError, TypeError, AttributeError):
                fig = None
            if fig is None:
                continue
            _write_atomic(job.folder / "figures" / f"{name}.svg", _fig_svg(fig))
            pngs[name] = _fig_png(function(plan))
    from laserskin.report import plan_report_html

    _write_atomic(job.folder / "report.html", plan_report_html(plan, pngs))
    _write_atomic(job.folder / "plan.json", json.dumps(plan.to_dict(), indent=2))


def run_simulate_job(job: Job, scenario: Scenario, cache_dir: Path) -> None:
    """Simulate, then write ``summary.json``, ``result.nc`` and the SVG maps into the job folder."""
    from laserskin.plotting import plot_depth_profiles, plot_temperature_map
    from laserskin.pipeline.simulation import Simulation

    job.stage = "setting up"
    simulation = Simulation.from_scenario(scenario, progress=JobProgress(job), cache_dir=cache_dir)
    with COMPUTE_LOCK:
        result = simulation.run()
        result.save(job.folder / "result.nc")
    job.stage, job.progress = "rendering figures", 0.95
    (job.folder / "figures").mkdir(exist_ok=True)
    for name, function in (("temperature_map", plot_temperature_map), ("depth_profiles", plot_depth_profiles)):
        _write_atomic(job.folder / "figures" / f"{name}.svg", _fig_svg(function(result)))
    _write_atomic(job.folder / "summary.json", json.dumps(result.summary, indent=2, default=_jsonable))


def _jsonable(value):
    try:
        number = float(value)
        return None if math.isnan(number) else number
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------
PLAN_FORM_FIELDS = ("age", "sex", "fitzpatrick", "site", "sun_exposure", "laxity", "goal", "area",
                    "devices", "max_sessions", "max_downtime_days", "anesthetic", "cooling", "photons", "seed")
SIM_FORM_FIELDS = ("age", "sex", "fitzpatrick", "site", "sun_exposure", "laxity", "device", "fluence",
                   "pulse_duration", "spot_diameter", "cooling", "passes", "photons", "seed")


def _field_errors(error: Exception, fields: tuple[str, ...], prefixes: dict[str, str] | None = None) -> dict[str, str]:
    """Map a validation error onto form fields (unknown locations go under ``_form``)."""
    errors: dict[str, str] = {}
    prefixes = prefixes or {}
    if isinstance(error, ValidationError):
        error = InputError.from_validation(error)  # one reading of pydantic's errors (union tags dropped)
    if isinstance(error, InputError):
        items = []
        for line in str(error).splitlines():
            parts = line.split(": ")
            # "laser: fluence: 500 J/cm^2 is outside ..." -> the innermost part naming a form field
            location = next((".".join(parts[: i + 1]) for i in range(len(parts) - 2, -1, -1)
                             if parts[i].split(".")[-1] in fields), parts[0] if len(parts) > 1 else "")
            items.append((location, parts[-1] if len(parts) > 1 else line))
    else:
        items = [("", str(error))]
    for location, message in items:
        target = prefixes.get(location, location)
        name = next((f for f in fields if target == f or target.endswith("." + f)), None) or next(
            (f for f in fields if target.startswith(f + ".")), "_form")
        errors.setdefault(name, message if name != "_form" else f"{location}: {message}")
    return errors


def _clean(form: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in form.items() if v is not None and not (isinstance(v, str) and v.strip() == "")}


def _int_or_text(value):
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            number = float(text)
            return number
        except ValueError:
            return text
    return value


def scenario_from_simulate_form(form: dict[str, Any]) -> dict[str, Any]:
    """The Scenario dict of the simulate form (strings with units, as typed)."""
    form = _clean(form)
    person = {k: _int_or_text(form[k]) for k in ("age", "sex", "fitzpatrick", "site", "sun_exposure", "laxity")
              if k in form}
    laser = {"device": form.get("device", "")}
    for key in ("fluence", "pulse_duration", "spot_diameter"):
        if key in form:
            laser[key] = form[key]
    data: dict[str, Any] = {"person": person, "laser": laser,
                            "transport": {"photons": _int_or_text(form.get("photons", "20000")),
                                          "seed": _int_or_text(form.get("seed", "1"))},
                            "grid": {"nr": 60}, "heat": {"relaxation": "1 s"}}
    if form.get("cooling") and form["cooling"] != "device default":
        data["cooling"] = {"kind": form["cooling"]}
    if "passes" in form:
        data["protocol"] = {"passes": _int_or_text(form["passes"])}
    return data


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------
def create_app(data_dir: str | Path | None = None, settings: WebSettings | None = None) -> FastAPI:
    """Build the FastAPI app.

    Parameters
    ----------
    data_dir : path, optional
        The only folder the server writes to (``jobs/``, ``cache/``); default
        :func:`default_data_dir`.
    settings : WebSettings, optional
        Per-request limits.
    """
    from laserskin.treatment import devices as device_presets

    settings = settings or WebSettings()
    data_dir = Path(data_dir or default_data_dir()).expanduser().resolve()
    (data_dir / "jobs").mkdir(parents=True, exist_ok=True)
    cache_dir = data_dir / "cache"
    jobs = JobManager(data_dir / "jobs", workers=settings.job_workers, max_queued=settings.max_queued_jobs)
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        jobs.shutdown()

    app = FastAPI(title="laserskin web planner", lifespan=lifespan,
                  description="Laser skin tightening and resurfacing planner and simulator.",
                  version=__import__("laserskin").__version__)
    app.state.settings, app.state.data_dir, app.state.jobs = settings, data_dir, jobs
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def device_names() -> list[str]:
        return device_presets.device_names()

    def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"devices": device_names(), **context},
                                          status_code=status_code)

    def submit(kind: str, work) -> Job | JSONResponse:
        try:
            return jobs.submit(kind, work)
        except RuntimeError as error:
            return JSONResponse(status_code=503, content={"detail": str(error)})

    # ---- pages -------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def plan_page(request: Request):
        return page(request, "plan_form.html", form={}, errors={})

    @app.post("/plan", response_class=HTMLResponse, include_in_schema=False)
    async def plan_submit(request: Request):
        raw = await request.form()
        form = {k: raw.get(k) for k in PLAN_FORM_FIELDS if k != "devices"}
        chosen = [d for d in raw.getlist("devices") if d]
        data = {k: _int_or_text(v) if k in ("age", "sun_exposure", "laxity", "max_sessions", "photons", "seed",
                                             "max_downtime_days") else v
                for k, v in _clean(form).items()}
        if chosen:
            data["devices"] = chosen
        errors: dict[str, str] = {}
        try:
            plan_request_model = PlanRequest.model_validate(data)
            problem = plan_limit_problem(plan_request_model, settings)
            if problem:
                errors[problem[0]] = f"{problem[2]} (got {problem[1]})"
        except (ValidationError, InputError) as error:
            errors = _field_errors(error, PLAN_FORM_FIELDS)
        if errors:
            return page(request, "plan_form.html", status_code=422, form={**form, "devices": chosen}, errors=errors)
        job = submit("plan", lambda job: run_plan_job(job, plan_request_model, cache_dir))
        if isinstance(job, JSONResponse):
            return page(request, "plan_form.html", status_code=503, form=form, errors={"_form": "server busy"})
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/simulate", response_class=HTMLResponse, include_in_schema=False)
    def simulate_page(request: Request):
        return page(request, "simulate_form.html", form={}, errors={})

    @app.post("/simulate", response_class=HTMLResponse, include_in_schema=False)
    async def simulate_submit(request: Request):
        raw = await request.form()
        form = {k: raw.get(k) for k in SIM_FORM_FIELDS}
        data = scenario_from_simulate_form(form)
        errors: dict[str, str] = {}
        prefixes = {"transport.photons": "photons", "transport.seed": "seed", "laser.device": "device",
                    "protocol.passes": "passes", "cooling": "cooling"}
        try:
            scenario = Scenario.model_validate(data)
            scenario.person_model()
            scenario.laser_model()
            problem = scenario_limit_problem(scenario, settings)
            if problem:
                errors[prefixes.get(problem[0], problem[0])] = f"{problem[2]} (got {problem[1]})"
        except (ValidationError, InputError) as error:
            errors = _field_errors(error, SIM_FORM_FIELDS, prefixes)
        if errors:
            return page(request, "simulate_form.html", status_code=422, form=form, errors=errors)
        job = submit("simulate", lambda job: run_simulate_job(job, scenario, cache_dir))
        if isinstance(job, JSONResponse):
            return page(request, "simulate_form.html", status_code=503, form=form, errors={"_form": "server busy"})
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/devices", response_class=HTMLResponse, include_in_schema=False)
    def devices_page(request: Request):
        return page(request, "devices.html", rows=device_presets.table_rows(),
                    columns=device_presets.TABLE_COLUMNS)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str):
        job = jobs.get(job_id)
        if job is None:
            return page(request, "missing.html", status_code=404)
        return page(request, "job.html", job=job.to_json())

    @app.get("/jobs/{job_id}/result", response_class=HTMLResponse, include_in_schema=False)
    def job_result(request: Request, job_id: str):
        job = jobs.get(job_id)
        if job is None or job.status != "done":
            return HTMLResponse("<p>not ready</p>", status_code=404)
        figures = sorted(p.stem for p in (job.folder / "figures").glob("*.svg"))
        if job.kind == "plan":
            plan = json.loads((job.folder / "plan.json").read_text(encoding="utf-8"))
            return page(request, "plan_result.html", job=job.to_json(), plan=plan, figures=figures)
        summary = json.loads((job.folder / "summary.json").read_text(encoding="utf-8"))
        return page(request, "simulate_result.html", job=job.to_json(), summary=summary, figures=figures)

    @app.get("/jobs/{job_id}/figures/{name}.svg", include_in_schema=False)
    def job_figure(job_id: str, name: str):
        job = jobs.get(job_id)
        if job is None or name not in PLAN_FIGURES + SIMULATE_FIGURES:
            return Response(status_code=404)
        path = job.folder / "figures" / f"{name}.svg"
        return FileResponse(path, media_type="image/svg+xml") if path.is_file() else Response(status_code=404)

    @app.get("/jobs/{job_id}/download/{name}", include_in_schema=False)
    def job_download(job_id: str, name: str):
        job = jobs.get(job_id)
        allowed = {"report.html": "text/html", "plan.json": "application/json",
                   "summary.json": "application/json", "result.nc": "application/x-netcdf"}
        if job is None or name not in allowed:
            return Response(status_code=404)
        path = job.folder / name
        if not path.is_file():
            return Response(status_code=404)
        return FileResponse(path, media_type=allowed[name], filename=f"laserskin_{job.kind}_{job.id[:8]}_{name}")

    # ---- JSON API ----------------------------------------------------------------------------
    @app.get("/api/devices", tags=["api"], summary="Device presets (the `laserskin devices` table)")
    def api_devices() -> list[dict[str, str]]:
        return device_presets.table_rows()

    @app.get("/api/jobs/{job_id}", tags=["api"], summary="Progress of a background job",
             responses={404: {"description": "no such job"}})
    def api_job(job_id: str) -> dict[str, Any]:
        job = jobs.get(job_id)
        if job is None:
            return JSONResponse(status_code=404, content={"detail": "no such job"})
        return job.to_json()

    @app.post("/api/plan", tags=["api"], summary="Plan a treatment (same JSON as `laserskin plan --json`)",
              responses={422: {"description": "invalid input, over a server limit, or an infeasible goal"}})
    def api_plan(request: PlanRequest) -> dict[str, Any]:
        problem = plan_limit_problem(request, settings)
        if problem:
            return _limit_error(*problem)
        _, plan_request = _planning()
        try:
            with COMPUTE_LOCK:
                return plan_request(request, cache_dir=cache_dir).to_dict()
        except (InputError, ValidationError) as error:
            return _input_error(error)

    @app.post("/api/simulate", tags=["api"], summary="Simulate one scenario (the Scenario TOML schema as JSON)",
              responses={422: {"description": "invalid input or over a server limit"}})
    def api_simulate(scenario: Scenario) -> dict[str, Any]:
        problem = scenario_limit_problem(scenario, settings)
        if problem:
            return _limit_error(*problem)
        from laserskin.pipeline.simulation import Simulation

        try:
            with COMPUTE_LOCK:
                result = Simulation.from_scenario(scenario, cache_dir=cache_dir).run()
        except (InputError, ValidationError) as error:
            return _input_error(error)
        return json.loads(json.dumps({"summary": result.summary}, default=_jsonable))

    return app
