"""``laserskin serve``: run the web planner with uvicorn."""

from __future__ import annotations

import os
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
) -> None:
    """Serve the web planner (planner, simulate and devices pages; JSON API with OpenAPI at /docs)."""
    import uvicorn

    from laserskin.web.app import WebSettings, create_app, default_data_dir

    folder = Path(data_dir or default_data_dir()).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MPLCONFIGDIR", str(folder / "matplotlib"))  # keep matplotlib's cache inside it too
    app = create_app(folder, WebSettings(max_photons=max_photons))
    note(f"laserskin web planner on http://{host}:{port}  (data in {folder})")
    uvicorn.run(app, host=host, port=port, log_level="warning")
