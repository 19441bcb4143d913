"""Simultaneous requests lose nothing and double nothing (findings 6-8 of the security probe).

Threads with their own sessions and test clients send the same change at the same moment, 20
rounds each: two status changes of one item (from its page and from the list), a double-submitted
fan-out, and a burst of sign-in attempts. The answers are a success and a 409, one fan-out, and no
more password checks than the throttle allows, and never a 500.

These need committed rows and real concurrent transactions: on SQLite a database file of their own
(as tests/committed.py makes it), on PostgreSQL (TEST_DATABASE_URL) the test database, from which
they remove every row they made.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest
from sqlalchemy import delete, func, or_, select

from coordination.accounts.models import LoginAttempt, Role, User
from coordination.actions import services as actions
from coordination.actions.models import ActionItem, FanOut, ItemUpdate
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.meetings import services as meetings
from coordination.meetings.models import ConclusionKind, Meeting, RegisterCounter, Visibility
from coordination.organisations.models import Organisation
from coordination.search.models import SearchDocument
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.committed import committing_app, drop_orphan_documents
from tests.security.helpers import at_once, form_fields

ROUNDS = 20
SERVER_ERRORS = range(500, 600)


@pytest.fixture(scope="module")
def world(app):
    """An app whose requests commit, two users who may change Kamnik's items (the ministry's and
    Kamnik's official) and a public conclusion to fan out."""
    with committing_app(app, "security-concurrency") as (concurrent, shared):
        concurrent.config["WTF_CSRF_ENABLED"] = False
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            with unit_of_work(), acting_as("tests"):
                staff = f.user(Role.MINISTRY, email="hkratnost-ministrstvo@example.si")
                official = f.user(Role.MUNICIPAL, f.municipality("Kamnik"), email="hkratnost-kamnik@example.si")
                meeting = meetings.create_meeting(
                    title="Hkratnost", starts_at=datetime(2031, 6, 1, 8, tzinfo=UTC),
                    ends_at=datetime(2031, 6, 1, 10, tzinfo=UTC), place="Ljubljana", online_url=None,
                    visibility=Visibility.PUBLIC, group=None, organisers=[f.by_short_name("MDP")],
                    created_by=staff)
                conclusion = meetings.add_conclusion(meeting, text="Občine poročajo.", kind=ConclusionKind.DECISION,
                                                     visibility=Visibility.PUBLIC)
            ids = {"staff": staff.email, "staff_id": staff.id, "official": official.email,
                   "official_id": official.id, "kamnik": official.organisation_id, "meeting": meeting.id,
                   "conclusion": conclusion.id, "ljubljana": f.municipality("Ljubljana").id,
                   "register": conclusion.register_body}
            db.session.remove()
        try:
            yield concurrent, ids
        finally:
            concurrent.config["WTF_CSRF_ENABLED"] = True
            if shared:  # leave the shared test database as it was
                with concurrent.app_context():
                    people = [ids["staff_id"], ids["official_id"]]
                    items = select(ActionItem.id).where(ActionItem.created_by_id.in_(people))
                    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == "item",
                                                                    SearchDocument.ref_id.in_(items)))
                    db.session.execute(delete(ActionItem).where(ActionItem.created_by_id.in_(people)))
                    db.session.execute(delete(Meeting).where(Meeting.id == ids["meeting"]))
                    drop_orphan_documents()
                    db.session.execute(delete(RegisterCounter).where(RegisterCounter.body == ids["register"],
                                                                     RegisterCounter.year == 2031))
                    db.session.execute(delete(User).where(User.id.in_(people)))
                    db.session.execute(delete(LoginAttempt).where(or_(LoginAttempt.key.like("email:hkratnost%"),
                                                                      LoginAttempt.key.like("addr:10.%"))))
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()


def _signed_in(app, email):
    client = app.test_client()
    assert f.login(client, email).status_code == 302
    return client


def _new_item(app, ids, title):
    with app.app_context():
        with unit_of_work(), acting_as("tests"):
            item = actions.create_item(title=title, assignee_org=db.session.get(Organisation, ids["kamnik"]),
                                       author=db.session.get(User, ids["staff_id"]))
        item_id = item.id
        db.session.remove()
    return item_id


def _log(app, item_id):
    with app.app_context():
        rows = db.session.execute(select(ItemUpdate.old_status, ItemUpdate.new_status)
                                  .where(ItemUpdate.item_id == item_id)).all()
        db.session.remove()
    return [(str(old), str(new)) for old, new in rows]


@pytest.mark.parametrize("where", ["page", "list"])
def test_two_simultaneous_status_changes_one_wins_the_other_gets_409(world, where):
    """Finding 6: both changes start from "open"; one is recorded, the other answers 409 with the
    item's current state, and the progress log never holds two changes from the same state."""
    app, ids = world
    clients = [_signed_in(app, ids["staff"]), _signed_in(app, ids["official"])]
    outcomes = []
    for round_ in range(ROUNDS):
        item_id = _new_item(app, ids, f"Hkratna sprememba {where} {round_}")
        if where == "page":
            action = f"/naloge/{item_id}/status"
            pages = [c.get(f"/naloge/{item_id}") for c in clients]
        else:
            action = f"/naloge/seznam/{item_id}/stanje"
            pages = [c.get(f"/naloge/?q=Hkratna&status=open&org={ids['kamnik']}") for c in clients]
        forms = [form_fields(p.get_data(as_text=True), action) for p in pages]
        wanted = ["in_progress", "done"]
        responses = at_once([partial(clients[n].post, action, data={**forms[n], "status": wanted[n]})
                             for n in range(2)])
        statuses = sorted(r.status_code for r in responses)
        assert not set(statuses) & set(SERVER_ERRORS), statuses
        log = _log(app, item_id)
        assert [old for old, _new in log].count("open") == 1, (round_, statuses, log)
        assert statuses == [303, 409], (round_, statuses, log)
        refused = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
        new = log[0][1]
        assert {"in_progress": "V teku", "done": "Opravljena"}[new] in refused  # the current state
        outcomes.append(statuses)
    assert len(outcomes) == ROUNDS


def test_a_double_submitted_fan_out_is_made_once(world):
    """Finding 7: the same form sent twice at once makes one fan-out; both answers lead to it."""
    app, ids = world
    clients = [_signed_in(app, ids["staff"]), _signed_in(app, ids["staff"])]
    url = f"/sklepi/{ids['conclusion']}/razprsitev"
    for round_ in range(ROUNDS):
        fields = form_fields(clients[0].get(url).get_data(as_text=True), url)
        data = {**fields, "title": f"Razpršitev {round_}", "scope": "chosen", "priority": "normal",
                "chosen": [str(ids["kamnik"]), str(ids["ljubljana"])], "due_date": "2099-10-01",
                "confirm": "1"}  # the check step's confirmation, sent twice at once
        responses = at_once([partial(c.post, url, data=data) for c in clients])
        statuses = [r.status_code for r in responses]
        assert statuses == [302, 302], (round_, statuses)
        with app.app_context():
            made = db.session.scalars(select(FanOut.id).where(FanOut.conclusion_id == ids["conclusion"],
                                                              FanOut.title == f"Razpršitev {round_}")).all()
            items = db.session.scalar(select(func.count()).select_from(ActionItem).where(
                ActionItem.fanout_id.in_(made))) if made else 0
            db.session.remove()
        assert len(made) == 1 and items == 2, (round_, made, items)
        assert {r.location for r in responses} == {f"/razprsitve/{made[0]}"}


THREADS = 16


def test_parallel_sign_in_attempts_are_counted_before_they_are_checked(world):
    """Finding 8: 16 simultaneous wrong passwords for one account: exactly LOGIN_LOCK_AFTER are
    checked (401), the rest refused (429), and the account is locked; never a 500."""
    app, ids = world
    config = {"LOGIN_SLOW_AFTER": 100, "LOGIN_LOCK_AFTER": 6}  # the lock alone, without the slow-down
    saved = {key: app.config[key] for key in config}
    app.config.update(config)
    try:
        for round_ in range(ROUNDS):
            email = f"hkratnost-prijava-{round_}@example.si"
            clients = [app.test_client() for _ in range(THREADS)]
            environ = {"REMOTE_ADDR": f"10.0.{round_}.1"}  # a fresh address each round
            data = {"email": email, "password": "napačno geslo"}
            responses = at_once([partial(c.post, "/prijava", data=data, environ_base=environ) for c in clients])
            statuses = sorted(r.status_code for r in responses)
            assert not set(statuses) & set(SERVER_ERRORS), statuses
            assert statuses.count(401) == config["LOGIN_LOCK_AFTER"], (round_, statuses)
            assert statuses.count(429) == THREADS - config["LOGIN_LOCK_AFTER"], (round_, statuses)
            with app.app_context():
                attempt = db.session.scalar(select(LoginAttempt).where(LoginAttempt.key == f"email:{email}"))
                assert attempt.failures == config["LOGIN_LOCK_AFTER"] and attempt.locked_until is not None
                db.session.remove()
    finally:
        app.config.update(saved)
