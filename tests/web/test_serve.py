"""`make serve` in miniature: the production configuration under gunicorn with deploy/gunicorn.conf.py
answers the health probes, logs one JSON line per request, and sends the security headers."""
import json
import urllib.request

from tests.servers import flask, gunicorn, production_env


def test_production_under_gunicorn_answers_probes_and_logs_json(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'serve.db'}")
    assert flask(env, "db", "upgrade").returncode == 0
    with gunicorn(env, workers=2) as server:
        assert json.load(urllib.request.urlopen(server.url + "/healthz", timeout=5)) == {"status": "ok"}
        assert json.load(urllib.request.urlopen(server.url + "/readyz", timeout=5))["status"] == "ok"
        login = urllib.request.urlopen(server.url + "/prijava", timeout=5)
        assert "script-src 'self'" in login.headers["Content-Security-Policy"]
        assert login.headers["X-Request-ID"]
    logged = [json.loads(line)["request"] for line in server.log.splitlines() if line.startswith('{"time"')]
    # the readiness loop of the fixture asked /healthz first, perhaps more than once
    assert [entry["route"] for entry in logged if entry["route"] != "/healthz"] == ["/readyz", "/prijava"]
    assert all(entry["status"] == 200 and entry["request_id"] for entry in logged)
