"""Simultaneous requests adding conclusions to one meeting never share a number or a register number.

The usual fixtures run each test in one rolled-back transaction, where nothing is ever simultaneous. This
test needs committed rows and real concurrent transactions: on SQLite it builds its own database file
next to the test database (as the browser tests do); on PostgreSQL (TEST_DATABASE_URL) it uses the test
database and removes every row it made afterwards.
"""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select

from coordination.accounts.models import Role, User
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.groups import services as groups
from coordination.groups.models import WorkingGroup
from coordination.meetings.models import Conclusion, Meeting, RegisterCounter
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.committed import committing_app, drop_orphan_documents
from tests.meetings import helpers as h

THREADS, ROUNDS = 4, 5
CODE = "KONK-TEST"


@pytest.fixture
def committed_app(app):
    """An app whose requests commit for real, and the ids of a meeting and a user who may edit it."""
    with committing_app(app, "concurrency") as (concurrent, shared):
        concurrent.config["WTF_CSRF_ENABLED"] = False
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            with acting_as("tests"), unit_of_work():
                user = f.user(Role.MINISTRY)
                group = groups.create_group(name="Skupina za preskus hkratnosti", code=CODE, mandate="")
                meeting = h.meeting(group, title="Hkratni sklepi", start=datetime(2031, 5, 5, 8, tzinfo=UTC))
            ids = {"meeting": meeting.id, "user": user.email, "group": group.id, "user_id": user.id}
            db.session.remove()
        try:
            yield concurrent, ids
        finally:
            concurrent.config["WTF_CSRF_ENABLED"] = True
            if shared:  # leave the shared test database as it was
                with concurrent.app_context():
                    db.session.execute(delete(Meeting).where(Meeting.id == ids["meeting"]))
                    db.session.execute(delete(RegisterCounter).where(RegisterCounter.body == CODE))
                    db.session.execute(delete(WorkingGroup).where(WorkingGroup.id == ids["group"]))
                    db.session.execute(delete(User).where(User.id == ids["user_id"]))
                    drop_orphan_documents()
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()


def test_simultaneous_additions_never_share_numbers(committed_app):
    app, ids = committed_app
    url = f"/sestanki/{ids['meeting']}/sklepi"
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    clients = [app.test_client() for _ in range(THREADS)]
    for client in clients:  # signing in is not what is tested: one after another
        assert f.login(client, ids["user"]).status_code == 302

    def worker(n: int):
        client = clients[n]
        try:
            for r in range(ROUNDS):
                barrier.wait(timeout=30)
                response = client.post(url, data={"text": f"Sklep niti {n}, krog {r}", "kind": "decision",
                                                  "visibility": "internal", "agenda_item": "", "establishes": ""})
                with lock:
                    results.append((response.status_code, response.get_data(as_text=True)))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == THREADS * ROUNDS
    statuses = [status for status, _ in results]
    assert set(statuses) <= {302, 409}, statuses  # never a 500
    for status, body in results:
        if status == 409:
            assert "v istem trenutku" in body  # the clear message, and the form is shown again
    saved = statuses.count(302)
    assert saved >= ROUNDS
    with app.app_context():
        rows = db.session.execute(select(Conclusion.number, Conclusion.register_seq, Conclusion.register_body)
                                  .where(Conclusion.meeting_id == ids["meeting"])).all()
        db.session.remove()
    numbers = sorted(n for n, _, _ in rows)
    seqs = sorted(s for _, s, _ in rows)
    assert len(rows) == saved
    assert numbers == list(range(1, saved + 1))  # 1, 2, 3 … without a repeat or a gap
    assert seqs == list(range(1, saved + 1)) and {b for _, _, b in rows} == {CODE}
    print(f"\n{THREADS} threads x {ROUNDS} rounds: {saved} recorded, {statuses.count(409)} refused with a message")
