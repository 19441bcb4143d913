"""An app whose sessions commit for real, for the tests of concurrent transactions (two processes
claiming the same reminder, simultaneous conclusion numbers)."""
from __future__ import annotations

import os
from contextlib import contextmanager

from flask_migrate import upgrade

from coordination import create_app
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.organisations import reference
from coordination.web.transaction import unit_of_work


def _remove(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


@contextmanager
def committing_app(app, name: str):
    """Yield (app, shared). On SQLite: a database file of its own next to the test database, built
    by the migrations with the reference data, removed afterwards (shared=False). On PostgreSQL: the
    test database itself (shared=True); the caller deletes what it added before leaving."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    shared = not uri.startswith("sqlite:")
    path = None
    if shared:
        concurrent = app
    else:
        path = uri.removeprefix("sqlite:///").removesuffix(".db") + f"-{name}.db"
        _remove(path)
        concurrent = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        with concurrent.app_context():
            upgrade()
            with acting_as("tests"), unit_of_work():
                reference.load()
            db.session.remove()
    try:
        yield concurrent, shared
    finally:
        with concurrent.app_context():
            db.session.remove()
            db.engine.dispose()
        if path:
            _remove(path)


def drop_orphan_documents() -> None:
    """Delete the search documents whose row is gone: the cleanups of the committing tests delete in
    bulk, which bypasses the index's flush hook. Call before their commit."""
    from sqlalchemy import delete, select

    from coordination.search import index
    from coordination.search.models import SearchDocument

    for kind, indexed in index._KINDS.items():
        db.session.execute(delete(SearchDocument).where(
            SearchDocument.kind == kind, SearchDocument.ref_id.not_in(select(indexed.model.id))))


def at_once(concurrent, work, count: int = 2, timeout: float = 120) -> list:
    """What `work()` returns in `count` threads, each in its own app context and released together;
    any exception in a thread fails the test."""
    import threading

    start = threading.Barrier(count)
    results, problems = [], []

    def run():
        try:
            with concurrent.app_context():
                start.wait()
                results.append(work())
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            problems.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert problems == []
    return results
