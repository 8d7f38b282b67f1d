"""Web planner: FastAPI app (``create_app``) served by ``laserskin serve`` (see :mod:`laserskin.cli.serve`)."""

from laserskin.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
