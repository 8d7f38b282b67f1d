"""ASGI pieces that protect every route: a request-body limit (413), security headers, strict
JSON (no NaN, Infinity, overflowing or 5000-digit numbers) and 422 bodies that never echo
huge or non-finite inputs back."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

__all__ = [
    "CSP_DOCS",
    "CSP_PAGES",
    "CSP_REPORT",
    "BodyLimit",
    "SecurityHeaders",
    "StrictJSONRoute",
    "strict_json_loads",
    "validation_error_response",
]

CSP_PAGES = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSP_DOCS = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
CSP_REPORT = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
MAX_INPUT_ECHO = 80
MAX_INT_DIGITS = 30
MAX_LIST_ITEMS = 1000
MAX_JSON_VALUES = 20_000
"""Bounds on the shape of a JSON body, checked before any model sees it: validating a unit string
costs ~0.2 ms, so 1 MiB of them would hold the event loop for seconds."""


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, by ``Content-Length`` or while streaming."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, int(max_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = True
            if too_big:
                return await self._refuse(send)
        received = 0
        exceeded = False
        started = False

        async def limited_receive():
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True  # the app sees a client that left; its answer is replaced below
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if exceeded and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps({"detail": f"request body larger than this server accepts ({self.max_bytes} bytes)"})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"connection", b"close"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


class SecurityHeaders:
    """``X-Content-Type-Options``, ``X-Frame-Options``, ``Referrer-Policy`` and a content-security
    policy on every response (looser for ``/docs`` and the downloadable report)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path.startswith("/docs"):
            policy = CSP_DOCS
        elif path.endswith("/report.html"):
            policy = CSP_REPORT
        else:
            policy = CSP_PAGES

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower()
                    not in (
                        b"x-content-type-options",
                        b"x-frame-options",
                        b"content-security-policy",
                        b"referrer-policy",
                    )
                ]
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", policy.encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def strict_json_loads(text: bytes | str) -> Any:
    """``json.loads`` that refuses NaN, Infinity, numbers that overflow a float and integers of
    more than 30 digits (raises ``json.JSONDecodeError``)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError("body is not UTF-8 text", "", error.start) from None

    def parse_float(token: str) -> float:
        value = float(token)
        if not math.isfinite(value):
            raise ValueError(f"number {token[:40]} is too large")
        return value

    def parse_int(token: str) -> int:
        if len(token.lstrip("-")) > MAX_INT_DIGITS:
            raise ValueError(f"integer with {len(token)} digits (at most {MAX_INT_DIGITS})")
        return int(token)

    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=parse_float, parse_int=parse_int)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as error:
        raise json.JSONDecodeError(str(error), text[:100], 0) from None
    _check_shape(value, text)
    return value


def _check_shape(value: Any, text: str) -> None:
    """Refuse lists of more than :data:`MAX_LIST_ITEMS` items and bodies of more than
    :data:`MAX_JSON_VALUES` values (raises ``json.JSONDecodeError``)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_JSON_VALUES:
            raise json.JSONDecodeError(f"more than {MAX_JSON_VALUES} values in one body", text[:100], 0)
        if isinstance(item, list):
            if len(item) > MAX_LIST_ITEMS:
                raise json.JSONDecodeError(f"a list of {len(item)} items (at most {MAX_LIST_ITEMS})", text[:100], 0)
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


class _StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_json_loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """Route whose JSON body is parsed with :func:`strict_json_loads`."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def strict_handler(request: Request):
            return await handler(_StrictRequest(request.scope, request.receive))

        return strict_handler


def _safe(value: Any, depth: int = 0) -> Any:
    """A short, JSON-safe rendering of an input value."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (int, bool)) or value is None:
        return value if not isinstance(value, int) or abs(value) < 10**MAX_INT_DIGITS else "a huge integer"
    if isinstance(value, str):
        return value if len(value) <= MAX_INPUT_ECHO else value[:MAX_INPUT_ECHO] + f"… ({len(value)} characters)"
    if isinstance(value, dict):
        if depth > 1 or len(value) > 20:
            return f"an object with {len(value)} keys"
        return {str(k)[:MAX_INPUT_ECHO]: _safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if depth > 1 or len(value) > 20:
            return f"a list of {len(value)} items"
        return [_safe(v, depth + 1) for v in value]
    return str(value)[:MAX_INPUT_ECHO]


#: JSON API path -> the input model of its body (the name pydantic reports as the error's title)
BODY_MODELS: dict[str, str] = {"/api/plan": "PlanRequest", "/api/simulate": "Scenario"}


def _describe(item: dict, title: str) -> str:
    """The plain-words line of one problem, read with the body's own model (or, where that model only says
    "text", with the registered model that says more: :func:`~laserskin.core.errors.describe_error_item_fully`),
    in JSON's words ("object", not TOML's "table"); a problem with the whole body is named ``body`` (QA5 #13:
    before, a JSON array read ": got [1, 2]; expected a table")."""
    from laserskin.core.errors import describe_error_item_fully, in_field_terms

    line = in_field_terms(describe_error_item_fully(item, title, mapping="object"))
    if not item.get("loc") and line.startswith("input: "):  # the body itself; a key its message names stays bare
        line = "body: " + line.removeprefix("input: ")  # ("area: ...", before "body.area: ...")
    return line[:300]


def validation_error_response(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 listing at most 20 problems, each with a short ``input``, never the whole body."""

    # the body's model, so that a field is described by its own model (QA4 #8: `photons` of /api/plan was
    # described by another registered model's `photons`, "from 1 to 10000000000", for a limit of 10000000)
    title = BODY_MODELS.get(request.url.path, "")
    items = []
    for item in list(error.errors())[:20]:
        body = {**item, "loc": tuple(item.get("loc", ()))[1:]} if tuple(item.get("loc", ()))[:1] == ("body",) else item
        entry: dict[str, Any] = {
            # the request's field, without the tags of tagged unions (QA8 #3: body.laser.pulse_duration, not
            # body.laser.<laser>.pulse_duration), so that a client can attach it to its input
            "loc": [str(p)[:MAX_INPUT_ECHO] for p in item.get("loc", ()) if not str(p).startswith("<")],
            # the one plain-words reading of input errors (laserskin.core.errors), never pydantic's text
            "msg": (_describe(body, title if body is not item else "") if item.get("type") != "json_invalid" else "")
            or str(item.get("msg", ""))[:300],
            "type": str(item.get("type", "")),
        }
        if "input" in item:
            entry["input"] = _safe(item["input"])
        if item.get("ctx") and "error" in item["ctx"]:
            entry["msg"] += f" ({str(item['ctx']['error'])[:200]})" if item.get("type") == "json_invalid" else ""
        items.append(entry)
    return JSONResponse(status_code=422, content={"detail": _with_server_limits(request, error, items)})


def _field_loc(item: dict) -> tuple:
    """The location of a problem without the tags of tagged unions (``body.laser.<laser>.pulses`` is the field
    ``laser.pulses``)."""
    return tuple(part for part in item["loc"] if not str(part).startswith("<"))


#: JSON API path -> the kind of its body for :func:`laserskin.web.limits.input_limit_problems`
LIMIT_KINDS: dict[str, str] = {"/api/plan": "plan", "/api/simulate": "scenario"}


def _with_server_limits(request: Request, error: RequestValidationError, items: list[dict]) -> list[dict]:
    """``items`` with every value over the server's limit answered with that limit (QA5 #24: photons 1e8 read
    "expected a whole number from 1000 to 10000000", the schema's range, for a server limit of 200 000):
    the schema's item on that field replaced, or the limit's item added; the schema's range in its other items on
    such a field restated as this server's ("photons: got 10; expected a whole number from 1000 to 200000 on this
    server")."""
    from laserskin.web.limits import field_limits, input_limit_problems, with_server_ranges

    kind, settings = LIMIT_KINDS.get(request.url.path), getattr(request.app.state, "settings", None)
    if kind is None or settings is None:
        return items
    limited = {("body", *field.split(".")): field for field in field_limits(kind, settings)}
    items = [
        {**item, "msg": with_server_ranges(item["msg"], limited[loc], kind, settings)}
        if (loc := _field_loc(item)) in limited
        else item
        for item in items
    ]
    for field, value, allowed in input_limit_problems(getattr(error, "body", None), kind, settings):
        entry = {
            "loc": ["body", *field.split(".")],
            "msg": f"{field}: got {field_limits(kind, settings)[field].echo(_safe(value))}; expected {allowed}",
            "type": "limit",
            "input": _safe(value),
        }
        at = next((i for i, item in enumerate(items) if _field_loc(item) == tuple(entry["loc"])), None)
        if at is None:
            items = [*items, entry][:20]
        else:
            items[at] = entry
    return items
