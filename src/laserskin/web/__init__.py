"""Web planner: FastAPI app (``create_app``) served by ``laserskin serve`` or ``python -m laserskin.web``."""

from laserskin.web.app import create_app, serve
from laserskin.web.limits import WebSettings

__all__ = ["WebSettings", "create_app", "serve"]
