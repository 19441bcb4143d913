"""The load harness (`make loadtest`, benchmark/loadtest.py) end to end, small and short, so it cannot
rot: tiny data, a few users for a few seconds against gunicorn, then every database check. On
PostgreSQL when the suite runs on it, else on one SQLite file."""
from __future__ import annotations

import json

from benchmark import loadtest
from tests.servers import postgres_database


def test_the_load_harness_drives_every_kind_of_request_and_its_checks_hold(tmp_path):
    out = tmp_path / "loadtest.json"
    with postgres_database() as url:
        url = url or f"sqlite:///{tmp_path / 'load.db'}"
        report = loadtest.run(url, scale=0.01, users=10, duration=6, workers=2, out=out)

    assert [c for c in report["checks"] if not c["ok"]] == []
    assert set(report["roles"]) == {"admin", "ministry", "association", "municipal", "host"}
    # the checks compared something: changes and saves were made, and reminders sent
    assert report["status_changes"]["accepted"] > 0
    assert report["minutes_saves"]["accepted"] > 0
    assert report["reminders"]["digests"] > 0
    # the point hosts' visits: figures stored and refused, uploads applied once of two confirms
    visits = report["visit_reports"]
    assert visits["accepted_figures"] > 0 and visits["refused_figures"] > 0 and visits["refused_files"] > 0
    assert visits["applied_uploads"] > 0
    assert visits["confirm_answers"]["already applied"] == visits["confirm_answers"]["applied"] > 0
    assert {"visit grid save", "visit upload"} & set(report["kinds"])
    assert report["requests"] > 0 and "dashboard" in report["kinds"]
    assert json.loads(out.read_text())["ok"] is True
