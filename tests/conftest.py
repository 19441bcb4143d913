"""Test set-up: one database per run, built by the migrations; each test in a rolled-back transaction.

SQLite by default (instance/test-<pid>.db, removed afterwards); PostgreSQL when TEST_DATABASE_URL is set.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FsaSession
from sqlalchemy import event

os.environ.setdefault("APP_CONFIG", "test")

from coordination import create_app  # noqa: E402
from coordination.database import rebuild  # noqa: E402
from coordination.extensions import db  # noqa: E402


class IsolatedClient(FlaskClient):
    """Tests keep an app context open, which Flask reuses for every request it serves; `g` then
    carries flask-login's user and Babel's locale from one request (and client) into the next.
    Each request starts with an empty `g`, as it does in production.

    What the test wrote before the request is committed first (into the test's outer transaction,
    which is still rolled back at the end), as it would be in production before anybody asks: a
    request that fails then rolls back its own work only, not the test's set-up."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(g):
                g.pop(key)
            db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    app = create_app("test")
    app.test_client_class = IsolatedClient
    rebuild(app)
    yield app
    with app.app_context():
        engine = db.engine
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        engine.dispose()
    if path and os.path.exists(path):
        os.remove(path)


class _BoundSession(FsaSession):
    """Flask-SQLAlchemy's session ignores `bind`; tests need it to join the outer transaction."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def session(app):
    """Everything a test does happens in one transaction that is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": _BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"})
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, session):
    return app.test_client()


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    @contextmanager
    def counting():
        # what the setup changed is committed first (into the test's outer transaction), so the mail it
        # queued is written now and not inside the first measured request's commit
        db.session.commit()
        db.session.expire_all()  # tests share one identity map with the app: start each count cold
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def mail_outbox(app, tmp_path):
    """Mail of this test written as .eml files to a folder of its own, whatever an earlier test of the
    same process pointed the app at; the settings are restored afterwards."""
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "MAIL_OUTBOX")}
    folder = tmp_path / "outbox"
    app.config.update(MAIL_BACKEND="outbox", MAIL_OUTBOX=str(folder))
    try:
        yield folder
    finally:
        app.config.update(saved)
