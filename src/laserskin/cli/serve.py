"""``laserskin serve``: run the web planner (uvicorn, a bounded pool of worker processes)."""

from __future__ import annotations

from pathlib import Path

import typer

from laserskin.cli._shell import note


def command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="The only folder the server writes to (default ~/.local/share/laserskin/web)."
    ),
    max_photons: int = typer.Option(200_000, "--max-photons", min=1000, help="Per-request photon limit."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes that compute plans and runs."),
    queue: int = typer.Option(
        8, "--queue", min=0, max=1000, help="Jobs that may wait for a worker; more are refused with 503."
    ),
) -> None:
    """Serve the web planner (planner, simulate and devices pages; JSON API with OpenAPI at /docs).

    SIGTERM or Ctrl-C stops the server and its workers within seconds, even while jobs run.
    """
    from laserskin.web.app import default_data_dir, serve
    from laserskin.web.limits import WebSettings

    folder = Path(data_dir or default_data_dir()).expanduser().resolve()
    note(f"laserskin web planner on http://{host}:{port}  (data in {folder})")
    serve(host, port, folder, WebSettings(max_photons=max_photons, job_workers=workers, max_queued_jobs=queue))
