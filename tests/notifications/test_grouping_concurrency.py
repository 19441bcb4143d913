"""Municipalities finishing the same fan-out's item at the same moment all count in the creator's one
grouped notification: the count is raised by the database (INSERT … ON CONFLICT DO UPDATE), so no
transaction overwrites another's.

Like the other concurrency tests it needs committed rows and real concurrent transactions: on SQLite
a database file of its own (writes are serialised there); on PostgreSQL (TEST_DATABASE_URL) the test
database, with every row it made removed afterwards.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select

from coordination.accounts.models import Role, User
from coordination.actions import services as actions
from coordination.actions.models import ActionItem, FanOutScope, ItemStatus, Notification, NotificationKind
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.committed import committing_app, drop_orphan_documents

TOWNS = ["Kamnik", "Kranj", "Celje", "Koper", "Ptuj", "Bled", "Bohinj", "Piran"]


@pytest.fixture
def setting(app):
    with committing_app(app, "grouping") as (concurrent, shared):
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            with acting_as("tests"), unit_of_work():
                staff = f.user(Role.MINISTRY)
                officials = [f.user(Role.MUNICIPAL, f.municipality(t)) for t in TOWNS]
                meeting = f.meeting(title="Hkratne spremembe stanja")
                fanout = f.fan_out(f.conclusion(meeting, "Sklep"), staff, "Hkratno opravljena",
                                   scope=FanOutScope.CHOSEN, chosen=[u.organisation_id for u in officials])
                by_org = {i.assignee_org_id: i.id for i in fanout.items}
                ids = {"staff": staff.id, "meeting": meeting.id,
                       "pairs": [(u.id, by_org[u.organisation_id]) for u in officials]}
            db.session.remove()
        try:
            yield concurrent, ids
        finally:
            if shared:  # leave the shared test database as it was
                with concurrent.app_context():
                    db.session.execute(delete(Meeting).where(Meeting.id == ids["meeting"]))  # conclusion, fan-out, items
                    user_ids = [ids["staff"], *(uid for uid, _item in ids["pairs"])]
                    db.session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
                    db.session.execute(delete(User).where(User.id.in_(user_ids)))
                    drop_orphan_documents()
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()


def test_simultaneous_status_changes_all_count(setting):
    app, ids = setting
    barrier = threading.Barrier(len(ids["pairs"]))
    errors: list[BaseException] = []

    def worker(user_id: int, item_id: int):
        try:
            barrier.wait(timeout=30)
            # as a POST request is served: on SQLite its transaction takes the write lock at BEGIN
            with app.test_request_context(method="POST"), unit_of_work():
                user = db.session.get(User, user_id)
                with acting_as(user.name, user):
                    actions.change_status(db.session.get(ActionItem, item_id), ItemStatus.DONE, author=user)
            with app.app_context():
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=pair) for pair in ids["pairs"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        rows = db.session.execute(select(Notification.count, Notification.read_at).where(
            Notification.user_id == ids["staff"], Notification.kind == NotificationKind.STATUS_CHANGED)).all()
        db.session.remove()
    assert rows == [(len(TOWNS), None)]  # one line, every municipality counted
