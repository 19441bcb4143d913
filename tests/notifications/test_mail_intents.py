"""E-mail recorded as an intent (mail.enqueue_intent, actions/intents.py): a fan-out tells everybody of
every municipality with a fixed number of statements, whatever the number of accounts; its messages
are built by the mail run, each in its recipient's language (each language entered once), stored
with their first attempt and sent once, also by two mail runs at once."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from email import message_from_bytes, policy

import pytest
from flask_babel import force_locale as real_force_locale
from sqlalchemy import delete, func, select

from coordination import mail
from coordination.accounts.models import Role, User
from coordination.actions import intents
from coordination.actions import services as actions
from coordination.actions.models import (
    ActionItem,
    EmailKind,
    EmailOptOut,
    FanOutScope,
    Notification,
    NotificationKind,
)
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.meetings.models import Visibility
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.actions.test_reminders import SmtpServer
from tests.committed import at_once, committing_app, drop_orphan_documents

Q = mail.QueuedMail


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Mojca Ministrska")


@pytest.fixture
def conclusion(staff):
    meeting = f.meeting(title="Sestanek o razpršitvi", visibility=Visibility.PUBLIC, place="Ljubljana",
                        start=datetime(2022, 9, 20, 8, tzinfo=UTC), created_by=staff)
    return f.conclusion(meeting, "Občine imenujejo predstavnika.")


def _people(towns, each: int) -> None:
    for town in towns:
        for _n in range(each):
            f.user(Role.MUNICIPAL, town)


def _rows(intent_id: int) -> list:
    return list(db.session.scalars(select(Q).where(Q.intent_id == intent_id).order_by(Q.id)
                                   .execution_options(populate_existing=True)))


def _last_intent() -> mail.MailIntent:
    return db.session.scalar(select(mail.MailIntent).order_by(mail.MailIntent.id.desc()).limit(1))


@pytest.fixture
def nothing_built(app, monkeypatch):
    """The request builds no message: that is the mail run's work (a call here fails the test). With
    the production backend: the development one builds a transaction's mail as it commits."""
    def refuse(*args, **kwargs):
        raise AssertionError("a message was built in the request")

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(mail, "build", refuse)


def test_a_fan_outs_statements_do_not_grow_with_the_number_of_accounts(staff, conclusion, count_queries,
                                                                       nothing_built):
    towns = [f.municipality(name) for name in ("Kamnik", "Žalec", "Celje")]
    counts, told = [], []
    for each in (1, 6):  # 1 person per municipality, then 1 + 6 = 7
        _people(towns, each)
        with count_queries() as counter:
            fanout = f.fan_out(conclusion, staff, title=f"Naloga {each}", scope=FanOutScope.CHOSEN,
                               chosen=[t.id for t in towns])
        counts.append(counter.count)
        items = select(ActionItem.id).where(ActionItem.fanout_id == fanout.id)
        told.append((db.session.scalar(select(func.count()).where(Notification.item_id.in_(items))),
                     len(_rows(_last_intent().id))))
    assert told == [(3, 3), (21, 21)]  # everybody told in the app and by e-mail...
    assert counts[0] == counts[1]      # ...with the same statements


def test_the_management_steps_statements_do_not_grow_with_the_number_of_accounts(staff, conclusion, count_queries,
                                                                                 nothing_built):
    from coordination.actions import fanout_manage as manage

    towns = [f.municipality(name) for name in ("Kamnik", "Žalec", "Celje")]
    counts, told = [], []
    for each in (1, 6):
        _people(towns, each)
        fanout = f.fan_out(conclusion, staff, title=f"Naloga {each}", scope=FanOutScope.CHOSEN,
                           chosen=[t.id for t in towns[:2]])
        with count_queries() as due:
            manage.change_due_date(fanout, due_date=date(2033, 1, 31), which=manage.ALL, author=staff,
                                   version=fanout.version)
        with count_queries() as added:
            manage.add_municipalities(fanout, [(towns[2].id, towns[2].name)], author=staff, version=fanout.version)
        with count_queries() as cancelled:
            manage.cancel(fanout, reason="Ni več potrebno.", author=staff, version=fanout.version)
        counts.append((due.count, added.count, cancelled.count))
        messages = select(func.count()).select_from(Notification).join(ActionItem).where(
            ActionItem.fanout_id == fanout.id, Notification.kind == NotificationKind.MESSAGE)
        told.append(db.session.scalar(messages))
    assert told == [2 + 1 + 3, 14 + 7 + 21]  # due date (2 towns), added (1), cancelled (3): everybody told
    assert counts[0] == counts[1]


def test_a_steps_notice_is_in_each_persons_language(staff, conclusion):
    from coordination.actions import fanout_manage as manage

    kamnik = f.municipality("Kamnik")
    slovene, english, unknown = (f.user(Role.MUNICIPAL, kamnik) for _n in range(3))
    english.language, unknown.language = "en", "xx"
    fanout = f.fan_out(conclusion, staff, title="Poslati seznam", scope=FanOutScope.CHOSEN, chosen=[kamnik.id])
    manage.change_due_date(fanout, due_date=date(2033, 1, 31), which=manage.ALL, author=staff, version=fanout.version)
    notices = dict(db.session.execute(select(Notification.user_id, Notification.detail).where(
        Notification.kind == NotificationKind.MESSAGE, Notification.user_id.in_([slovene.id, english.id, unknown.id]))).all())
    assert notices == {slovene.id: "Kamnik: rok naloge „Poslati seznam“ je zdaj 31. 1. 2033.",
                       english.id: "Kamnik: the due date of the item “Poslati seznam” is now 31 Jan 2033.",
                       unknown.id: "Kamnik: rok naloge „Poslati seznam“ je zdaj 31. 1. 2033."}


@contextmanager
def _counting_locales(monkeypatch):
    entered = []

    def counting(language):
        entered.append(str(language))
        return real_force_locale(language)

    monkeypatch.setattr(intents, "force_locale", counting)
    yield entered


def test_the_mail_run_builds_each_message_once_in_its_language(app, staff, conclusion, mail_outbox, monkeypatch):
    kamnik, zalec = f.municipality("Kamnik"), f.municipality("Žalec")
    slovene, english, quiet = f.user(Role.MUNICIPAL, kamnik), f.user(Role.MUNICIPAL, zalec), f.user(Role.MUNICIPAL, kamnik)
    also_english = f.user(Role.MUNICIPAL, kamnik)
    english.language = also_english.language = "en"
    db.session.add(EmailOptOut(user_id=quiet.id, kind=EmailKind.ASSIGNMENT))
    db.session.flush()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")  # as in production: the request only queues
    fanout = f.fan_out(conclusion, staff, title="Imenovati predstavnika", scope=FanOutScope.CHOSEN,
                       chosen=[kamnik.id, zalec.id])
    db.session.commit()  # the request ends: nothing is built, the intent and its rows are in the database
    db.session.expire_all()
    intent = _last_intent()
    rows = _rows(intent.id)
    assert sorted(r.recipient for r in rows) == sorted([slovene.email, english.email, also_english.email])
    assert all(r.message is None and r.subject == "" and r.sent_at is None for r in rows)

    db.session.get(User, slovene.id).language = "en"  # the wording is of the moment of sending (whether: of the event)
    db.session.flush()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "outbox")
    with _counting_locales(monkeypatch) as entered:
        summary = mail.send_queued()
    assert summary.sent == 3 and summary.failed == 0
    assert sorted(entered) == ["en"]  # one intent, one language now: entered once, not once per person

    mails = {m["To"]: m for m in (message_from_bytes(p.read_bytes(), policy=policy.default)
                                  for p in mail_outbox.glob("*.eml"))}
    assert sorted(mails) == sorted([slovene.email, english.email, also_english.email])
    assert mails[english.email]["Subject"] == "Žalec: new action item “Imenovati predstavnika” assigned to you"
    assert mails[english.email]["Content-Language"] == "en"
    item = db.session.scalar(select(ActionItem).where(ActionItem.fanout_id == fanout.id,
                                                      ActionItem.assignee_org_id == zalec.id))
    assert f"/naloge/{item.id}" in mails[english.email].get_content()
    rows = _rows(intent.id)
    assert all(r.sent_at and r.attempts == 1 and r.message and r.subject for r in rows)  # built once, kept
    assert mail.send_queued().sent == 0 and len(list(mail_outbox.glob("*.eml"))) == 3  # sent once


def test_both_languages_each_entered_once_and_the_slovene_wording(app, staff, conclusion, mail_outbox, monkeypatch):
    kamnik = f.municipality("Kamnik")
    people = [f.user(Role.MUNICIPAL, kamnik) for _n in range(4)]
    people[0].language = people[1].language = "en"
    db.session.flush()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    f.fan_out(conclusion, staff, title="Poslati seznam", scope=FanOutScope.CHOSEN, chosen=[kamnik.id])
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "outbox")
    with _counting_locales(monkeypatch) as entered:
        assert mail.send_queued().sent == 4
    assert sorted(entered) == ["en", "sl"]
    subjects = sorted(message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"]
                      for p in mail_outbox.glob("*.eml"))
    assert subjects == ["Kamnik: dodeljena vam je nova naloga „Poslati seznam“"] * 2 + [
        "Kamnik: new action item “Poslati seznam” assigned to you"] * 2


def test_an_intent_that_cannot_be_built_fails_its_own_rows_only(app, staff, conclusion, mail_outbox, monkeypatch):
    kamnik = f.municipality("Kamnik")
    person = f.user(Role.MUNICIPAL, kamnik)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    f.fan_out(conclusion, staff, title="Poslati seznam", scope=FanOutScope.CHOSEN, chosen=[kamnik.id])
    broken = _last_intent()
    broken.kind = "no-such-builder"
    mail.enqueue([mail.build("ana@kranj.si", "Preizkus", "Besedilo.")])
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "outbox")
    summary = mail.send_queued()
    assert summary.sent == 1 and summary.failed == 1
    [row] = _rows(broken.id)
    assert row.recipient == person.email and row.sent_at is None and row.attempts == 1
    assert "no builder" in row.last_error and row.message is None  # kept, tried again later


# --- two mail runs at once --------------------------------------------------------------------

def test_two_mail_runs_at_once_build_and_send_each_message_once(app, monkeypatch):
    server = SmtpServer()
    server.start()
    monkeypatch.setattr(mail, "BATCH", 7)  # several claims each, so the two runs interleave
    with committing_app(app, "mail-intents") as (concurrent, shared):
        for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port,
                           "MAIL_TIMEOUT": 5}.items():
            monkeypatch.setitem(concurrent.config, key, value)
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            with unit_of_work(), acting_as("tests"):
                towns = [f.municipality("Kamnik"), f.municipality("Žalec")]
                people = [f.user(Role.MUNICIPAL, town, email=f"oseba{n}-{t}@intent.test")
                          for t, town in enumerate(towns) for n in range(20)]
                for person in people[::3]:
                    person.language = "en"
                items = [actions.create_item(title="Hkratno pošiljanje", assignee_org=town, author=None)
                         for town in towns]  # each tells its 20 people: an intent each
            addresses = sorted(p.email for p in people)
            english = {p.email for p in people if p.language == "en"}
            item_ids, user_ids = [i.id for i in items], [p.id for p in people]
            db.session.remove()
        try:
            summaries = at_once(concurrent, mail.send_queued)
            received = server.collector.messages
            assert sorted(m["To"] for m in received) == addresses  # each exactly once
            for message in received:  # in its recipient's language
                town = "Kamnik" if "-0@" in message["To"] else "Žalec"
                wording = "new action item" if message["To"] in english else "dodeljena vam je nova naloga"
                assert message["Subject"].startswith(f"{town}: {wording}")
            assert sum(s.sent for s in summaries) == 40 and sum(s.failed for s in summaries) == 0
            with concurrent.app_context():
                rows = db.session.execute(select(Q.sent_at, Q.attempts, Q.claimed_by, Q.message).where(
                    Q.recipient.like("%@intent.test"))).all()
                assert len(rows) == 40 and all(r.sent_at and r.attempts == 1 and r.claimed_by is None and r.message
                                               for r in rows)
        finally:
            server.stop()
            if shared:  # the shared PostgreSQL test database is left as it was
                with concurrent.app_context():
                    intents_of = select(Q.intent_id).where(Q.item_id.in_(item_ids))
                    db.session.execute(delete(mail.MailIntent).where(mail.MailIntent.id.in_(intents_of)))
                    db.session.execute(delete(ActionItem).where(ActionItem.id.in_(item_ids)))
                    drop_orphan_documents()
                    db.session.execute(delete(User).where(User.id.in_(user_ids)))
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()
