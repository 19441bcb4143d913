"""Backup and move (`flask data export` / `flask data import`): a populated workspace travels from
SQLite to PostgreSQL (when TEST_DATABASE_URL names one; else to a second SQLite file) and back, and
nothing changes: every table's row count and checksum, and the pages people read."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from benchmark.run import generate
from coordination import create_app, datafile
from coordination import demo as demo_data
from coordination.audit.services import acting_as
from coordination.database import rebuild
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.search.index import reindex
from coordination.web.transaction import unit_of_work
from tests.servers import postgres_database

PAGES = ("/organizacije/", "/sestanki/?when=past", "/naloge/", "/sklepi/", "/iskanje?q=skrbnik")


def _app(url: str):
    return create_app("test", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, CREATE_DEMO_ACCOUNTS=True)


def _populate(app) -> None:
    """Benchmark data at a small scale, then the demo (which finds its ids after the generated ones)."""
    rebuild(app)
    with app.app_context(), unit_of_work():
        generate(0.01)
        with acting_as("tests: demo"):
            demo_data.load()
        reindex()


def _export(app) -> tuple[bytes, dict]:
    buffer = io.BytesIO()
    with app.app_context():
        datafile.export(buffer)
        db.session.rollback()
    raw = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return raw, json.loads(archive.read("manifest.json"))


def _import(app, raw: bytes) -> None:
    with app.app_context():
        upgrade()
        with unit_of_work():
            datafile.load(io.BytesIO(raw))


def _pages(app) -> dict[str, str]:
    client = app.test_client()
    client.post("/prijava", data={"email": "ministrstvo@demo.si", "password": "demo-geslo-2024"})
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.title == demo_data.MINISTER_MEETING))
    seen = {}
    for path in (*PAGES, f"/sestanki/{meeting_id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        # the only thing allowed to differ: the per-session CSRF token
        seen[path] = re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1…", response.get_data(as_text=True))
    return seen


def _same_pages(seen: dict, expected: dict) -> None:
    """Identical pages; of the search results the same counts, since each database's full-text engine
    ranks equally good matches in its own order (and shows the first page of them)."""
    def counts(page):
        return re.findall(r'<p class="count">([^<]+)</p>|<span class="muted">\(([^)]+)\)</span>', page)

    for path, page in expected.items():
        if path.startswith("/iskanje"):
            assert counts(seen[path]) == counts(page) and counts(page)
        else:
            assert seen[path] == page, path


def test_a_populated_workspace_moves_there_and_back_unchanged(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'source.db'}")
    _populate(source)
    raw, manifest = _export(source)
    assert manifest["format"] == "coordination-data" and manifest["database"] == "sqlite"
    assert manifest["tables"]["action_item"]["rows"] > 1000 and manifest["tables"]["search_document"]["rows"] > 0
    before = _pages(source)

    with postgres_database() as pg_url:
        middle = _app(pg_url or f"sqlite:///{tmp_path / 'middle.db'}")
        _import(middle, raw)
        raw_middle, manifest_middle = _export(middle)
        assert manifest_middle["tables"] == manifest["tables"]  # every row count and checksum
        _same_pages(_pages(middle), before)
        with middle.app_context():
            db.engine.dispose()

    back = _app(f"sqlite:///{tmp_path / 'back.db'}")
    _import(back, raw_middle)
    _, manifest_back = _export(back)
    assert manifest_back["tables"] == manifest["tables"]
    _same_pages(_pages(back), before)
    # the search index was rebuilt from the rows on the way: it finds what it found before
    assert "skrbnik" in before["/iskanje?q=skrbnik"].lower()


def test_import_refuses_a_database_that_is_not_empty(app, session, tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'small.db'}")
    rebuild(source)  # schema and reference data only
    raw, _ = _export(source)
    users = session.scalar(select(func.count()).select_from(db.metadata.tables["organisation"]))
    with pytest.raises(datafile.DataFileError, match="not empty"):
        datafile.load(io.BytesIO(raw))
    assert session.scalar(select(func.count()).select_from(db.metadata.tables["organisation"])) == users


def _rewrite_manifest(raw: bytes, **changes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "manifest.json":
                data = json.dumps({**json.loads(data), **changes}).encode()
            new.writestr(item, data)
    return out.getvalue()


def test_import_refuses_another_schema_version_a_foreign_file_and_a_tampered_one(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'small.db'}")
    rebuild(source)
    raw, manifest = _export(source)
    target = _app(f"sqlite:///{tmp_path / 'empty.db'}")
    with target.app_context():
        upgrade()
        for bad, message in ((_rewrite_manifest(raw, schema_revision="0000older"), "schema revision"),
                             (_rewrite_manifest(raw, format_version=99), "format version"),
                             (b"PK not really a zip", None),
                             (_rewrite_manifest(raw, tables={**manifest["tables"], "region": {
                                 "rows": 12, "sha256": "0" * 64}}), "differ from the file")):
            with pytest.raises((datafile.DataFileError, zipfile.BadZipFile), match=message):
                with unit_of_work():
                    datafile.load(io.BytesIO(bad))
            assert db.session.scalar(select(func.count()).select_from(db.metadata.tables["region"])) == 0
