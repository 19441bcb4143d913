"""Real servers for the tests that need more than the in-process client: a throwaway PostgreSQL
database on the suite's server, and the app under gunicorn with the production settings."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@contextmanager
def postgres_database():
    """A new, empty database on TEST_DATABASE_URL's server (dropped afterwards), or None on SQLite."""
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not base:
        yield None
        return
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url: str, **extra) -> dict:
    env = {**os.environ, "APP_CONFIG": "production", "SECRET_KEY": "s" * 64, "FLASK_APP": "wsgi.py",
           "DATABASE_URL": database_url, **extra}
    env.pop("TEST_DATABASE_URL", None)
    return env


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@contextmanager
def gunicorn(env: dict, workers: int = 1):
    """The app under gunicorn with deploy/gunicorn.conf.py on a free port; yields its base URL and, after
    the block, leaves what it wrote to stderr in `server.log`."""
    port = free_port()
    process = subprocess.Popen([BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                               env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    server = type("Server", (), {"url": base, "log": ""})()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        _, server.log = process.communicate(timeout=30)


class Browser:
    """Just enough of a browser for these tests: one cookie jar sent to every server (production cookies are
    Secure, which the test servers on plain HTTP would otherwise never get back), and forms with CSRF."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def _remember(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name.strip()] = value

    def request(self, url: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        self._remember(response)
        return response.status, response.read().decode("utf-8", "replace")

    def csrf(self, url: str) -> str:
        _, page = self.request(url)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
