"""`make serve` in miniature: the production configuration under gunicorn with deploy/gunicorn.conf.py
answers the health probes, logs one JSON line per request, and sends the security headers."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_production_under_gunicorn_answers_probes_and_logs_json(tmp_path):
    port = _free_port()
    env = {**os.environ, "APP_CONFIG": "production", "SECRET_KEY": "x" * 64, "FLASK_APP": "wsgi.py",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    env.pop("TEST_DATABASE_URL", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen([bin_dir / "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert json.load(health) == {"status": "ok"}
        ready = urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert json.load(ready)["status"] == "ok"
        login = urllib.request.urlopen(f"http://127.0.0.1:{port}/prijava", timeout=5)
        assert "script-src 'self'" in login.headers["Content-Security-Policy"]
        assert login.headers["X-Request-ID"]
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    logged = [json.loads(line)["request"] for line in errors.splitlines() if line.startswith('{"time"')]
    assert [entry["route"] for entry in logged] == ["/healthz", "/readyz", "/prijava"]
    assert all(entry["status"] == 200 and entry["request_id"] for entry in logged)
