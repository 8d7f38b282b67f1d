"""``python -m laserskin.web [--host H] [--port P] [--data-dir DIR] [--workers N] [--queue N]``: the web
planner with :func:`laserskin.web.app.serve` (``laserskin serve`` offers the same)."""

from __future__ import annotations

import argparse

from laserskin.web.app import serve
from laserskin.web.limits import WebSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m laserskin.web", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--workers", type=int, default=WebSettings.job_workers)
    parser.add_argument("--queue", type=int, default=WebSettings.max_queued_jobs)
    parser.add_argument("--max-photons", type=int, default=WebSettings.max_photons)
    parser.add_argument(
        "--dry-run-s",
        type=float,
        default=None,
        help="testing the server machinery: jobs sleep this long instead of computing",
    )
    args = parser.parse_args(argv)
    serve(
        args.host,
        args.port,
        args.data_dir,
        WebSettings(
            job_workers=args.workers,
            max_queued_jobs=args.queue,
            max_photons=args.max_photons,
            dry_run_s=args.dry_run_s,
        ),
    )


if __name__ == "__main__":
    main()
