"""Simultaneous visit saves for one point and month (two users of one host, or a host and the
ministry): one report, every save kept in its history, each correction starting from the figure
committed before it. Real concurrent transactions on committed rows, as in
tests/meetings/test_conclusions_concurrency.py (on SQLite a database file of its own; on PostgreSQL
the test database, cleaned afterwards)."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from coordination.accounts.models import Role, User
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.points import services
from coordination.points.models import Programme, ServicePoint, VisitCorrection, VisitReport
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.committed import committing_app, drop_orphan_documents
from tests.points import fixtures as pf

THREADS, ROUNDS = 4, 3
MONTH = date(2024, 3, 1)


@pytest.fixture
def point_app(app):
    with committing_app(app, "visits-concurrency") as (concurrent, shared):
        concurrent.config["WTF_CSRF_ENABLED"] = False
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            programme_existed = services.current_programme() is not None
            with acting_as("tests"), unit_of_work():
                municipality = db.session.scalar(select(Organisation).where(
                    Organisation.kind == OrgKind.MUNICIPALITY).order_by(Organisation.id))
                host = f.organisation(kind=OrgKind.HOST, name="Knjižnica za preskus hkratnosti")
                point = pf.point(host, municipality, code="DIT-977", opened_on=date(2023, 1, 1))
                users = [f.user(Role.HOST, organisation=host) for _ in range(THREADS)]
            ids = {"point": point.id, "users": [u.id for u in users], "emails": [u.email for u in users],
                   "host": host.id,
                   "programme": point.programme_id}
            db.session.remove()
        try:
            yield concurrent, ids
        finally:
            concurrent.config["WTF_CSRF_ENABLED"] = True
            if shared:
                with concurrent.app_context():
                    db.session.execute(delete(ServicePoint).where(ServicePoint.id == ids["point"]))
                    if not programme_existed:
                        db.session.execute(delete(Programme).where(Programme.id == ids["programme"]))
                    db.session.execute(delete(User).where(User.id.in_(ids["users"])))
                    db.session.execute(delete(Organisation).where(Organisation.id == ids["host"]))
                    drop_orphan_documents()
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()


def test_simultaneous_saves_of_one_month_keep_one_report_and_its_whole_history(point_app):
    app, ids = point_app
    barrier = threading.Barrier(THREADS)
    saved: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    url = f"/tocke/{ids['point']}/obisk?leto={MONTH.year}"
    clients = [app.test_client() for _ in range(THREADS)]
    for client, email in zip(clients, ids["emails"], strict=True):  # signing in is not what is tested
        assert f.login(client, email).status_code == 302

    def worker(n: int):
        try:
            for r in range(ROUNDS):
                figure = 1000 + 10 * r + n  # unique: every save is a change
                barrier.wait(timeout=30)
                response = clients[n].post(url, data={f"total-{MONTH.isoformat()[:7]}": str(figure)})
                with lock:
                    if response.status_code == 303:
                        saved.append(figure)
                    elif response.status_code != 409:  # 409: collided on the same rows, nothing kept
                        errors.append(AssertionError(f"HTTP {response.status_code}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with app.app_context():
        reports = db.session.scalars(select(VisitReport).where(VisitReport.point_id == ids["point"])).all()
        assert len(reports) == 1
        corrections = db.session.execute(select(VisitCorrection.old_total, VisitCorrection.new_total).where(
            VisitCorrection.report_id == reports[0].id).order_by(VisitCorrection.id)).all()
        first = corrections[0].old_total
        assert sorted([first] + [c.new_total for c in corrections]) == sorted(saved)
        previous = first
        for old, new in corrections:  # each correction starts from the figure committed before it
            assert old == previous
            previous = new
        assert reports[0].total == previous
        db.session.remove()
