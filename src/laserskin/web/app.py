"""FastAPI application of the web planner (``laserskin serve``).

Pages (Jinja2 templates, a few lines of own JavaScript, no CDN):

* ``/``          planner form → background job → plan with figures, HTML report and JSON;
* ``/simulate``  one device setting → background job → temperature and damage maps;
* ``/devices``   the device presets;
* ``/docs``      Swagger UI of the JSON API, served from the installed ``swagger_ui_bundle`` package.

JSON API (same pydantic models as the CLI; OpenAPI schema at ``/openapi.json``):

* ``POST /api/plan``         a :class:`laserskin.planning.PlanRequest` → the ``plan --json`` object;
* ``POST /api/simulate``     a :class:`laserskin.pipeline.scenario.Scenario` → the simulation summary;
* ``GET  /api/devices``      the device table;
* ``GET  /api/jobs/{id}``    progress of a background job; ``DELETE`` cancels it and removes it;
* ``GET  /health``           liveness and queue length (answers while every worker is busy).

Robustness (issue 11): limits are checked before any work from one cost estimate
(:mod:`laserskin.web.limits`) and give a 422 naming the field; heavy work runs in a bounded
pool of worker processes (:mod:`laserskin.web.jobs`), a full queue gives 503 with
``Retry-After``; a JSON request whose client disconnects cancels its job; bodies over
``max_body_bytes`` get 413; JSON with NaN/Infinity/overflowing numbers gets 422; every
response carries security headers; files are served from job folders without following
symbolic links. The server writes only inside its data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from laserskin.cli._shell import summary_notes
from laserskin.core.errors import controls_named, describe_validation_error, in_field_terms, key_terms
from laserskin.pipeline.scenario import Scenario
from laserskin.planning import PlanRequest
from laserskin.report import labels
from laserskin.web.forms import (
    PLAN_FORM_FIELDS,
    SIM_FORM_FIELDS,
    SIM_PREFIXES,
    field_errors,
    form_label,
    form_unit_help,
    hint_pulse_energy,
    in_form_terms,
    plan_data_from_form,
    read_in_label_unit,
    restate_server_ranges,
    scenario_from_simulate_form,
    server_limit_errors,
    too_long,
)
from laserskin.web.jobs import Busy, Job, JobManager
from laserskin.web.limits import (
    WebSettings,
    input_limit_problems,
    plan_limit_problem,
    scenario_limit_problem,
    server_range,
)
from laserskin.web.middleware import (
    BodyLimit,
    SecurityHeaders,
    StrictJSONRoute,
    validation_error_response,
)

__all__ = ["WebSettings", "create_app", "default_data_dir", "serve"]

HERE = Path(__file__).parent
PLAN_FIGURES = ("improvement", "margin", "maps")
SIMULATE_FIGURES = ("temperature_map", "depth_profiles")
DOWNLOADS = {
    "report.html": "text/html; charset=utf-8",
    "plan.json": "application/json",
    "summary.json": "application/json",
    "result.nc": "application/x-netcdf",
}
POLL_S = 0.2


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/laserskin/web`` (default ``~/.local/share/laserskin/web``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "laserskin" / "web"


def _swagger_dir() -> Path | None:
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    path = Path(str(swagger_ui_bundle.swagger_ui_path))
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def _limit_error(field: str, value: Any, allowed: str) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {
                    "loc": ["body", *field.split(".")],
                    "msg": f"{field}: got {value}; expected {allowed}",
                    "type": "limit",
                }
            ]
        },
    )


_LINE_FIELD = re.compile(r"^([A-Za-z_]\w*(?:\.\w+)*): ")


def _body_loc(line: str) -> list[str]:
    """The 422 ``loc`` of one plain-words line: ``["body", "layers"]`` for ``"layers: got ..."`` (the field the
    line names, so that a client can attach it; QA6 #20), ``["body"]`` for the body itself."""
    match = _LINE_FIELD.match(line)
    parts = match.group(1).split(".") if match else []
    return ["body", *parts] if parts and parts[0] not in ("body", "input") else ["body"]


def _input_error(error: Exception, kind: str | None = None, settings: Any = None) -> JSONResponse:
    """422 of an input error; with ``kind`` and ``settings`` each line's range is restated as this server's
    (``with_server_ranges``), as the form and the schema's own 422s do."""
    message = in_field_terms(describe_validation_error(error))
    if kind is not None and settings is not None:
        from laserskin.web.limits import with_server_ranges

        lines = message.splitlines() or [message]
        message = "\n".join(
            with_server_ranges(line, match.group(1), kind, settings) if (match := _LINE_FIELD.match(line)) else line
            for line in lines
        )
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": _body_loc(line), "msg": line[:500], "type": "value_error"}
                for line in (message.splitlines() or [message])[:20]
            ]
        },
    )


def _busy(error: Busy) -> JSONResponse:
    return JSONResponse(
        status_code=503,
        content={"detail": str(error)},
        headers={"Retry-After": str(error.retry_after_s)},
    )


def _open_regular(folder: Path, *names: str) -> int | None:
    """File descriptor of ``folder/names...`` when every part is a real folder/file (no symbolic
    link anywhere below ``folder``), else ``None``."""
    path = folder
    try:
        if path.is_symlink() or not path.is_dir():
            return None
        for name in names[:-1]:
            path = path / name
            if path.is_symlink() or not path.is_dir():
                return None
        fd = os.open(path / names[-1], os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _read_json(folder: Path, name: str) -> Any:
    fd = _open_regular(folder, name)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            return json.loads(handle.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None


def _stream(fd: int, media_type: str, filename: str | None = None) -> Response:
    handle = os.fdopen(fd, "rb")

    def chunks():
        with handle:
            while chunk := handle.read(1 << 16):
                yield chunk

    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return StreamingResponse(chunks(), media_type=media_type, headers=headers)


def create_app(data_dir: str | Path | None = None, settings: WebSettings | None = None) -> FastAPI:
    """Build the FastAPI app.

    Parameters
    ----------
    data_dir : path, optional
        The only folder the server writes to (``jobs/``, ``cache/``, ``matplotlib/``); default
        :func:`default_data_dir`.
    settings : WebSettings, optional
        Limits and capacity.
    """
    from laserskin.treatment import devices as device_presets

    settings = settings or WebSettings()
    data_dir = Path(data_dir or default_data_dir()).expanduser().resolve()
    (data_dir / "jobs").mkdir(parents=True, exist_ok=True)
    cache_dir = data_dir / "cache"
    os.environ.setdefault("MPLCONFIGDIR", str(data_dir / "matplotlib"))
    jobs = JobManager(
        data_dir / "jobs",
        cache_dir,
        workers=settings.job_workers,
        max_queued=settings.max_queued_jobs,
        max_kept=settings.max_jobs_kept,
        memory_bytes=settings.job_memory_bytes,
        max_cache_bytes=settings.max_cache_bytes,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(labels.template_globals())
    templates.env.globals.update(  # the forms' labels, and the ranges this server accepts (in help texts)
        form_label=form_label,
        form_unit_help=form_unit_help,
        server_range=lambda kind, field: server_range(kind, field, settings),
    )
    swagger = _swagger_dir()

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        # start the forkserver (imports the simulation stack) off the event loop
        threading.Thread(target=jobs.warm, daemon=True, name="laserskin-warm").start()
        yield
        jobs.shutdown()

    app = FastAPI(
        title="laserskin web planner",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Laser skin tightening and resurfacing planner and simulator.",
        version=__import__("laserskin").__version__,
    )
    app.router.route_class = StrictJSONRoute
    app.state.settings, app.state.data_dir, app.state.jobs = settings, data_dir, jobs
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # starlette types a handler as taking any Exception; this one is registered for RequestValidationError only
    app.add_exception_handler(RequestValidationError, validation_error_response)  # type: ignore[arg-type]
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if swagger is not None:
        app.mount("/docs/assets", StaticFiles(directory=str(swagger)), name="swagger")

    def submit(kind: str, payload: dict, inputs: dict) -> Job:
        if settings.dry_run_s is not None:
            return jobs.submit(
                "dry_run",
                {"seconds": settings.dry_run_s, "kind": kind},
                inputs=inputs,
                shown_kind=kind,
            )
        return jobs.submit(kind, payload, inputs=inputs)

    def page(
        request: Request,
        name: str,
        status_code: int = 200,
        headers: dict | None = None,
        **context,
    ) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            name,
            {"devices": device_presets.device_names(), **context},
            status_code=status_code,
            headers=headers,
        )

    # ---- pages -------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def plan_page(request: Request):
        return page(request, "plan_form.html", form={}, errors={})

    @app.post("/plan", response_class=HTMLResponse, include_in_schema=False)
    async def plan_submit(request: Request):
        raw = await request.form()
        form = {k: raw.get(k) for k in PLAN_FORM_FIELDS if k != "devices"}
        chosen = [d for d in raw.getlist("devices") if isinstance(d, str) and d][:50]
        shown = {
            **{k: v if isinstance(v, str) else None for k, v in form.items()},
            "devices": chosen,
        }
        errors = too_long(shown)
        if not errors:
            data = plan_data_from_form(shown, chosen)
            try:
                request_model = PlanRequest.model_validate(data)
                problem = plan_limit_problem(request_model, settings)
                if problem:
                    errors[problem[0]] = f"got {problem[1]}; expected {problem[2]}"
            except (ValidationError, ValueError, ArithmeticError) as error:
                errors = restate_server_ranges(field_errors(error, PLAN_FORM_FIELDS), "plan", settings)
            # a value over the server's limit is answered with that limit, whichever bound fired (QA5 #24)
            errors.update(server_limit_errors(input_limit_problems(data, "plan", settings), "plan", settings))
        if errors:
            return page(request, "plan_form.html", status_code=422, form=shown, errors=errors)
        try:
            job = await asyncio.to_thread(
                submit,
                "plan",
                plan_data_from_form(shown, chosen),
                request_model.model_dump(mode="json", by_alias=True),
            )
        except Busy as error:
            return page(
                request,
                "plan_form.html",
                status_code=503,
                form=shown,
                errors={"_form": f"{error} (about {error.retry_after_s} s)"},
                headers={"Retry-After": str(error.retry_after_s)},
            )
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/simulate", response_class=HTMLResponse, include_in_schema=False)
    def simulate_page(request: Request):
        return page(request, "simulate_form.html", form={}, errors={})

    @app.post("/simulate", response_class=HTMLResponse, include_in_schema=False)
    async def simulate_submit(request: Request):
        raw = await request.form()
        form = {k: raw.get(k) if isinstance(raw.get(k), str) else None for k in SIM_FORM_FIELDS}
        errors = too_long(form)
        if not errors:
            data = scenario_from_simulate_form(form)
            try:
                scenario = Scenario.model_validate(data)
                scenario.person_model()
                scenario.laser_model()
                problem = scenario_limit_problem(scenario, settings)
                if problem:
                    errors[SIM_PREFIXES.get(problem[0], problem[0])] = f"got {problem[1]}; expected {problem[2]}"
            except (ValidationError, ValueError, ArithmeticError) as error:
                errors = hint_pulse_energy(field_errors(error, SIM_FORM_FIELDS, SIM_PREFIXES))
                errors = restate_server_ranges(errors, "scenario", settings, SIM_PREFIXES)
            errors.update(
                server_limit_errors(
                    input_limit_problems(data, "scenario", settings), "scenario", settings, SIM_PREFIXES
                )
            )
        if errors:
            return page(request, "simulate_form.html", status_code=422, form=form, errors=errors)
        try:
            # the inputs as read: a bare number with the unit of its label ("14" -> "14 J/cm^2")
            shown_inputs = {k: read_in_label_unit(k, v) for k, v in form.items() if v}
            job = await asyncio.to_thread(submit, "simulate", data, shown_inputs)
        except Busy as error:
            return page(
                request,
                "simulate_form.html",
                status_code=503,
                form=form,
                errors={"_form": f"{error} (about {error.retry_after_s} s)"},
                headers={"Retry-After": str(error.retry_after_s)},
            )
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/devices", response_class=HTMLResponse, include_in_schema=False)
    def devices_page(request: Request):
        return page(
            request,
            "devices.html",
            rows=device_presets.table_rows(),
            columns=device_presets.TABLE_COLUMNS,
        )

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str):
        job = jobs.get(job_id)
        if job is None:
            return page(request, "missing.html", status_code=404)
        return page(request, "job.html", job=job.to_json())

    @app.post("/jobs/{job_id}/cancel", include_in_schema=False)
    def job_cancel(job_id: str):
        job = jobs.get(job_id)
        if job is None:
            return Response(status_code=404)
        jobs.cancel(job_id, "cancelled on request")
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)

    @app.get("/jobs/{job_id}/result", response_class=HTMLResponse, include_in_schema=False)
    def job_result(request: Request, job_id: str):
        job = jobs.get(job_id)
        if job is None or job.status != "done":
            return HTMLResponse("<p>not ready</p>", status_code=404)
        texts = _read_json(job.folder, "figures.json") or {}
        figures = [
            (name, texts.get(name) or labels.figure_text(name, {}))
            for name in (PLAN_FIGURES if job.kind == "plan" else SIMULATE_FIGURES)
            if (job.folder / "figures" / f"{name}.svg").is_file()
        ]
        if job.kind == "plan":
            plan = _read_json(job.folder, "plan.json")
            if plan is None:
                return HTMLResponse("<p>the result files are missing</p>", status_code=404)
            return page(
                request,
                "plan_result.html",
                job=job.to_json(),
                plan=controls_named(plan, in_form_terms),  # "raise “Longest acceptable session (min)” to 88"
                figures=figures,
            )
        summary = _read_json(job.folder, "summary.json")
        if summary is None:
            return HTMLResponse("<p>the result files are missing</p>", status_code=404)
        return page(
            request,
            "simulate_result.html",
            job=job.to_json(),
            summary=summary,
            notes=summary_notes(summary),  # every *_note, as the CLI's warning:/note: lines (QA6 #16)
            figures=figures,
            inputs=job.inputs,
        )

    @app.get("/jobs/{job_id}/figures/{name}.svg", include_in_schema=False)
    def job_figure(job_id: str, name: str):
        job = jobs.get(job_id)
        if job is None or name not in PLAN_FIGURES + SIMULATE_FIGURES:
            return Response(status_code=404)
        fd = _open_regular(job.folder, "figures", f"{name}.svg")
        return Response(status_code=404) if fd is None else _stream(fd, "image/svg+xml")

    @app.get("/jobs/{job_id}/download/{name}", include_in_schema=False)
    def job_download(job_id: str, name: str):
        job = jobs.get(job_id)
        if job is None or name not in DOWNLOADS:
            return Response(status_code=404)
        filename = f"laserskin_{job.kind}_{job.id[:8]}_{name}"
        if name == "plan.json":  # the API's JSON: controls named by the body's keys (as POST /api/plan)
            data = _read_json(job.folder, name)
            if data is None:
                return Response(status_code=404)
            body = json.dumps(controls_named(data, key_terms), indent=2).encode()
            return Response(
                body, media_type=DOWNLOADS[name], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
            )
        fd = _open_regular(job.folder, name)
        if fd is None:
            return Response(status_code=404)
        return _stream(fd, DOWNLOADS[name], filename)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(
            (HERE / "static" / "favicon.svg").read_bytes(),
            media_type="image/svg+xml",
            headers={"Cache-Control": "max-age=86400"},
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request):
        if swagger is None:
            return HTMLResponse(
                "<p>Install swagger-ui-bundle-v2 for the API page; the schema is at "
                "<a href='/openapi.json'>/openapi.json</a>.</p>",
                status_code=200,
            )
        return templates.TemplateResponse(request, "docs.html", {})

    @app.get(
        "/health",
        tags=["api"],
        summary="Liveness and queue length (answers while the workers are busy)",
    )
    async def health() -> dict[str, Any]:
        return {  # no lock: answers even while a worker is being started
            "status": "ok",
            "running": len(jobs.running),
            "queued": len(jobs.queue),
            "workers": jobs.workers,
            "max_queued": jobs.max_queued,
        }

    # ---- JSON API ----------------------------------------------------------------------------
    @app.get(
        "/api/devices",
        tags=["api"],
        summary="Device presets (the `laserskin devices` table)",
    )
    def api_devices() -> list[dict[str, str]]:
        return device_presets.table_rows()

    @app.get(
        "/api/jobs/{job_id}",
        tags=["api"],
        response_model=dict[str, Any],  # the schema of a success; errors return a JSONResponse
        summary="Progress of a background job",
        responses={404: {"description": "no such job"}},
    )
    def api_job(job_id: str) -> dict[str, Any] | JSONResponse:
        job = jobs.get(job_id)
        if job is None:
            return JSONResponse(status_code=404, content={"detail": "no such job"})
        return job.to_json()

    @app.delete(
        "/api/jobs/{job_id}",
        tags=["api"],
        response_model=dict[str, Any],  # the schema of a success; errors return a JSONResponse
        summary="Cancel a job (its worker stops at once) and delete it",
        responses={404: {"description": "no such job"}},
    )
    def api_job_delete(job_id: str) -> dict[str, Any] | JSONResponse:
        if jobs.get(job_id) is None or not jobs.delete(job_id):
            return JSONResponse(status_code=404, content={"detail": "no such job"})
        return {"id": job_id, "deleted": True}

    async def run_and_wait(request: Request, kind: str, payload: dict, result_file: str):
        try:
            job = await asyncio.to_thread(submit, kind, payload, payload)
        except Busy as error:
            return _busy(error)
        while not job.finished:
            if await request.is_disconnected():
                await asyncio.to_thread(jobs.cancel, job.id, "cancelled: the client went away")
                return Response(status_code=499)
            await asyncio.sleep(POLL_S)
        headers = {"X-Job-Id": job.id}
        if job.status == "done":
            data = _read_json(job.folder, result_file)
            if data is not None:  # advice names the body's keys, not the CLI's options (plan reasons and notes)
                return JSONResponse(controls_named(data, key_terms), headers=headers)
            return JSONResponse(
                status_code=500,
                content={"detail": "the result file is missing"},
                headers=headers,
            )
        if job.status == "cancelled" or job.stage == "interrupted" or job.message.startswith("interrupted"):
            return JSONResponse(
                status_code=503,
                content={"detail": job.message},
                headers={**headers, "Retry-After": "10"},
            )
        if job.message.startswith("internal error"):
            return JSONResponse(status_code=500, content={"detail": job.message}, headers=headers)
        return JSONResponse(
            status_code=422,
            content={
                "detail": [
                    {"loc": _body_loc(line), "msg": line[:500], "type": "value_error"}
                    for line in in_field_terms(job.message).splitlines()[:20]
                ]
            },
            headers=headers,
        )

    @app.post(
        "/api/plan",
        tags=["api"],
        response_model=dict[str, Any],  # the schema of a success; errors return a JSONResponse
        summary="Plan a treatment (same JSON as `laserskin plan --json`)",
        responses={
            422: {"description": "invalid input, over a server limit, or an infeasible goal"},
            503: {"description": "the server is busy; retry after `Retry-After` seconds"},
        },
    )
    async def api_plan(plan: PlanRequest, request: Request) -> dict[str, Any] | JSONResponse:
        problem = plan_limit_problem(plan, settings)
        if problem:
            return _limit_error(*problem)
        return await run_and_wait(request, "plan", await request.json(), "plan.json")

    @app.post(
        "/api/simulate",
        tags=["api"],
        response_model=dict[str, Any],  # the schema of a success; errors return a JSONResponse
        summary="Simulate one scenario (the Scenario TOML schema as JSON)",
        responses={
            422: {"description": "invalid input or over a server limit"},
            503: {"description": "the server is busy; retry after `Retry-After` seconds"},
        },
    )
    async def api_simulate(scenario: Scenario, request: Request) -> dict[str, Any] | JSONResponse:
        try:
            problem = scenario_limit_problem(scenario, settings)
        except (ValidationError, ValueError, ArithmeticError) as error:
            return _input_error(error, "scenario", settings)
        if problem:
            return _limit_error(*problem)
        response = await run_and_wait(request, "simulate", await request.json(), "summary.json")
        if isinstance(response, JSONResponse) and response.status_code == 200:
            # the wrapped body is longer: carry the job's own headers (X-Job-Id), not its content-length/-type
            kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
            return JSONResponse({"summary": json.loads(bytes(response.body))}, headers=kept)
        return response

    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: str | Path | None = None,
    settings: WebSettings | None = None,
    log_level: str = "warning",
) -> None:
    """Run the app with uvicorn; SIGTERM/SIGINT kill the workers at once, so the server stops
    within a few seconds even while jobs run (open JSON requests get 503)."""
    import uvicorn

    folder = Path(data_dir or default_data_dir()).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MPLCONFIGDIR", str(folder / "matplotlib"))
    app = create_app(folder, settings)

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            app.state.jobs.shutdown()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=3,
        timeout_keep_alive=5,
        limit_concurrency=512,
    )
    Server(config).run()
