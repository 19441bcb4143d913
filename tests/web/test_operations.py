"""What operators rely on: a request id in every answer and on error pages, one structured log line per
request (without secrets from addresses), fingerprinted static files cached for a year, 503 when the
database is away, and start-up that stops with a clear message when instance/ cannot be written."""
import json
import logging

import pytest
from sqlalchemy.exc import OperationalError

import config as app_config
from coordination.web import operations


def test_every_answer_carries_a_request_id_and_a_proxys_id_is_kept(client):
    first, second = client.get("/prijava"), client.get("/prijava")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert client.get("/prijava", headers={"X-Request-ID": "proxy-abc-12345"}).headers["X-Request-ID"] == "proxy-abc-12345"
    # something that is not an id is replaced, never echoed
    assert client.get("/prijava", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"] != "<script>"


def test_error_pages_name_the_request(client):
    answer = client.get("/nowhere-at-all", headers={"X-Request-ID": "find-me-in-the-log"})
    assert answer.status_code == 404
    assert "find-me-in-the-log" in answer.get_data(as_text=True)


def test_one_json_line_per_request_with_the_route_not_the_secret_path(client, caplog):
    with caplog.at_level(logging.INFO, logger="coordination.requests"):
        client.get("/koledar/not-a-real-token.ics")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "coordination.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"method", "route", "status", "ms", "user", "request_id"}
    assert "not-a-real-token" not in json.dumps(line)
    assert line["method"] == "GET" and line["status"] == 404 and line["ms"] >= 0


def test_static_files_are_fingerprinted_and_cached_for_a_year(client, app):
    page = client.get("/prijava").get_data(as_text=True)
    assert "/static/css/app.css?v=" in page
    stamp = page.split("/static/css/app.css?v=")[1].split('"')[0]
    assert len(stamp) == 12
    cached = client.get(f"/static/css/app.css?v={stamp}")
    assert cached.status_code == 200 and cached.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_a_lost_database_answers_503_and_the_next_request_works(client, app, monkeypatch):
    from coordination.site import routes as site

    def gone():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"), connection_invalidated=True)

    monkeypatch.setattr(site, "_migration_state", gone)
    answer = client.get("/readyz")
    assert answer.status_code == 503  # the probe says so itself
    monkeypatch.setattr(site, "render", lambda *a, **k: gone())
    page = client.get("/dostopnost")
    assert page.status_code == 503
    assert "Podatkovna zbirka trenutno ni dosegljiva" in page.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/dostopnost").status_code == 200


def test_start_up_stops_clearly_when_instance_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(app_config.ConfigError, match="cannot be written"):
        app_config.check_instance_dir(blocker / "instance", 1)


def test_start_up_stops_clearly_when_the_disk_is_full(tmp_path):
    with pytest.raises(app_config.ConfigError, match="MB are free"):
        app_config.check_instance_dir(tmp_path, 10**12)
    app_config.check_instance_dir(tmp_path, 1)  # and passes when there is room


def test_request_ids_look_like_ids():
    assert operations.REQUEST_ID.match("0123456789abcdef")
    assert not operations.REQUEST_ID.match("short")
    assert not operations.REQUEST_ID.match("a b c d e f g h")
