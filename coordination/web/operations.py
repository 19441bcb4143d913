"""What operators need from every request: an id that ties a log line to the page a user saw, one
structured log line per request, and static files that browsers may cache for a year.

A log line is one JSON object (time, method, route, status, duration, user id, request id), so a log
collector can parse it without patterns. The route is logged as its rule (`/koledar/<token>.ics`), never
the raw path, so secrets in addresses (feed tokens) do not end up in logs."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
import uuid
from pathlib import Path

from flask import g, request
from flask_login import current_user

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
YEAR = 365 * 24 * 3600
log = logging.getLogger("coordination.requests")


def request_id() -> str:
    return getattr(g, "request_id", "")


def _start():
    # a proxy's id (X-Request-ID) is kept when it looks like one, so both logs name the same request
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16]
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-ID"] = request_id()
    if request.endpoint == "static" and request.args.get("v"):
        # the address changes with the file's content (see asset_version), so it never goes stale
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    if log.isEnabledFor(logging.INFO):
        started = getattr(g, "request_started", None)
        user = current_user.id if current_user and current_user.is_authenticated else None
        log.info(json.dumps({
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user": user,
            "request_id": request_id(),
        }, separators=(",", ":")))
    return response


def _versions(static_folder: str):
    cache: dict[str, str] = {}

    def asset_version(filename: str) -> str:
        """A short hash of the file's content, computed once per process."""
        if filename not in cache:
            path = Path(static_folder) / filename
            cache[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""
        return cache[filename]

    return asset_version


def register(app) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    version = _versions(app.static_folder)

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            stamp = version(values["filename"])
            if stamp:
                values["v"] = stamp

    if app.config.get("REQUEST_LOG") and not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter('{"time":"%(asctime)s","request":%(message)s}'))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    app.jinja_env.globals["request_id"] = request_id
