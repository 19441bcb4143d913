"""Daily digests and fan-out reminders, delivered to a real SMTP server on loopback (aiosmtpd).

Never twice a day: a second run, and two runs at once with their own sessions and connections,
send each user one digest. A failed delivery gives its claim back so a later run retries.
"""
from __future__ import annotations

import email
import os
import socket
import threading
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, select

from coordination import mail, types
from coordination.accounts.models import Role, User
from coordination.actions import reminders
from coordination.actions import services as actions
from coordination.actions.models import (
    ActionItem,
    FanOutScope,
    ItemStatus,
    Notification,
    NotificationKind,
    ReminderLog,
)
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.meetings.models import Visibility
from coordination.notifications import services as notifications
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.committed import committing_app

TODAY = types.today()


# --- a real SMTP server ----------------------------------------------------------------------

class Collector:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.before_read = None  # the app's queue drain: what the scheduled `flask mail send` delivers

    def read(self) -> list:
        if self.before_read is not None:
            self.before_read()
        return self.messages

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.read() if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.collector = Collector()
        self.port = _free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.collector.read()


def _point_at(app, server: SmtpServer) -> dict:
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    return saved


@pytest.fixture
def smtp(app):
    """A running SMTP server on a free loopback port, and the app sending to it; reading what it
    received first drains the app's mail queue, as the scheduled `flask mail send` would."""
    server = SmtpServer()
    server.start()
    server.collector.before_read = mail.send_queued
    saved = _point_at(app, server)
    try:
        yield server
    finally:
        app.config.update(saved)
        server.stop()


@pytest.fixture(autouse=True)
def _no_item_notice_mail(monkeypatch):
    """These tests count the digests' and reminders' e-mails; the e-mails about an item's own events
    (assigned, state, entries) are tested in tests/notifications/test_item_mail.py."""
    monkeypatch.setattr(actions, "NOTICE_LISTENERS", [])


# --- data ------------------------------------------------------------------------------------

@pytest.fixture
def people(session):
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    return {
        "ministry": f.user(Role.MINISTRY, name="Mojca Ministrska"),
        "kamnik": f.user(Role.MUNICIPAL, kamnik, name="Klemen Kamniški"),
        "kamnik2": f.user(Role.MUNICIPAL, kamnik, name="Katja Kamniška"),
        "ljubljana": f.user(Role.MUNICIPAL, ljubljana, name="Luka Ljubljanski"),
        "ljubljana2": f.user(Role.MUNICIPAL, ljubljana, name="Lea Ljubljanska"),
    }


def _item(title, org, author, due, *, person=None, status=ItemStatus.OPEN):
    item = f.action_item(author, title, org=org, assignee_user=person,
                         due_date=TODAY + timedelta(days=due) if due is not None else None)
    if status != ItemStatus.OPEN:
        actions.change_status(item, status, author=author)
    return item


@pytest.fixture
def items(people):
    p = people
    kamnik, ljubljana = p["kamnik"].organisation, p["ljubljana"].organisation
    return {
        "late": _item("Poslati seznam skrbnikov", kamnik, p["ministry"], -3),
        "soon": _item("Imenovati predstavnika", kamnik, p["ministry"], 5),
        "today": _item("Oddati poročilo", kamnik, p["ministry"], 0),
        "later": _item("Pripraviti strategijo", kamnik, p["ministry"], 30),           # beyond 7 days
        "undated": _item("Brez roka", kamnik, p["ministry"], None),                  # no due date
        "done": _item("Že opravljeno", kamnik, p["ministry"], -5, status=ItemStatus.DONE),
        "luka": _item("Luka pregleda pogodbo", ljubljana, p["ministry"], 1, person=p["ljubljana"]),
        "lea": _item("Lea pripravi predlog", ljubljana, p["ministry"], -1, person=p["ljubljana2"]),
    }


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


# --- digests ---------------------------------------------------------------------------------

def test_digest_lists_the_right_items_in_the_users_language(session, smtp, people, items):
    people["ljubljana"].language = "en"
    db.session.commit()
    summary = reminders.send_digests(7, TODAY)
    assert (summary.sent, summary.skipped, summary.failed) == (4, 0, 0), summary
    assert len(smtp.messages) == 4

    # Kamnik's officials share their organisation's items (no person named), in Slovenian
    [sl] = smtp.collector.to(people["kamnik"].email)
    text = _body(sl)
    assert sl["Subject"].startswith("3 naloge čakajo na vas")
    assert "1 zamuja" in sl["Subject"]
    assert "Pozdravljeni, Klemen Kamniški" in text
    for key in ("late", "today", "soon"):
        assert items[key].title in text
        assert f"http://127.0.0.1:5000/naloge/{items[key].id}" in text
    for key in ("later", "undated", "done", "luka", "lea"):
        assert items[key].title not in text
    # overdue first, then by due date
    assert text.index("Zamuja") < text.index(items["late"].title) < text.index(items["today"].title) \
        < text.index(items["soon"].title)
    assert "3 dni zamude" in text
    assert "\n\n\n" not in text.replace("\r\n", "\n")  # tidy: one blank line at most
    assert "http://127.0.0.1:5000/racun/obvestila" in text  # turn digests off
    assert sl["Content-Language"] == "sl"
    assert f'href="http://127.0.0.1:5000/naloge/{items["late"].id}"' in _html(sl)
    assert len(smtp.collector.to(people["kamnik2"].email)) == 1

    # Luka reads English and gets only the item naming him, not Lea's
    [en] = smtp.collector.to(people["ljubljana"].email)
    text = _body(en)
    assert en["Subject"] == "1 action item needs your attention"
    assert "Hello Luka Ljubljanski" in text and "Due today or within 7 days" in text
    assert items["luka"].title in text and items["lea"].title not in text
    assert en["Content-Language"] == "en"
    [lea] = smtp.collector.to(people["ljubljana2"].email)
    assert items["lea"].title in _body(lea) and items["luka"].title not in _body(lea)
    # nothing for the ministry, whose items these are not
    assert not smtp.collector.to(people["ministry"].email)
    assert db.session.scalar(select(func.count()).select_from(ReminderLog).where(
        ReminderLog.topic == "digest", ReminderLog.day == TODAY)) == 4


def test_days_widen_the_window(session, smtp, people, items):
    reminders.send_digests(30, TODAY)
    [sl] = smtp.collector.to(people["kamnik"].email)
    assert items["later"].title in _body(sl)


def test_a_second_run_the_same_day_sends_nothing(session, smtp, people, items):
    first = reminders.send_digests(7, TODAY)
    second = reminders.send_digests(7, TODAY)
    assert (first.sent, first.skipped) == (4, 0)
    assert (second.sent, second.skipped, second.failed) == (0, 4, 0)
    assert len(smtp.messages) == 4
    # the next day is another day
    tomorrow = reminders.send_digests(7, TODAY + timedelta(days=1))
    assert tomorrow.sent == 4 and len(smtp.messages) == 8


def test_opted_out_and_deactivated_users_get_nothing(session, smtp, people, items):
    notifications.set_digest(people["kamnik2"], False)
    f.accounts.set_active(people["ljubljana2"], False)
    summary = reminders.send_digests(7, TODAY)
    assert summary.sent == 2
    assert {m["To"] for m in smtp.messages} == {people["kamnik"].email, people["ljubljana"].email}


def test_no_items_no_mail(session, smtp, people):
    summary = reminders.send_digests(7, TODAY)
    assert (summary.sent, summary.skipped, summary.failed) == (0, 0, 0)
    assert smtp.messages == []


def test_digest_queries_do_not_grow_with_users_and_items(session, smtp, people, items, count_queries):
    with count_queries() as few:
        reminders.send_digests(7, TODAY)
    ministry = people["ministry"]
    for name in ("Kranj", "Celje", "Koper", "Ptuj", "Maribor"):
        org = f.municipality(name)
        f.user(Role.MUNICIPAL, org)
        f.user(Role.MUNICIPAL, org)
        _item(f"Naloga za {name}", org, ministry, -2)
        _item(f"Druga naloga za {name}", org, ministry, 3)
    with count_queries() as many:
        summary = reminders.send_digests(7, TODAY + timedelta(days=1))
    assert summary.sent == 4 + 10
    assert many.count == few.count, "\n\n".join(s[:200] for s in many.statements)


def test_a_failed_delivery_is_reported_and_retried_later(app, session, people, items):
    server = SmtpServer()  # not started: nothing listens on its port
    saved = _point_at(app, server)
    try:
        failed = reminders.send_digests(7, TODAY)
        assert (failed.sent, failed.failed) == (0, 4)
        assert failed.errors and "cannot connect" in failed.errors[0]
        # the claims were given back
        assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 0
        server.start()
        retried = reminders.send_digests(7, TODAY)
        assert (retried.sent, retried.skipped, retried.failed) == (4, 0, 0)
        assert len(server.messages) == 4
    finally:
        app.config.update(saved)
        server.stop()


def test_a_server_that_stops_between_runs(app, session, smtp, people, items):
    assert reminders.send_digests(7, TODAY).sent == 4
    smtp.stop()
    summary = reminders.send_digests(7, TODAY + timedelta(days=1))
    assert summary.failed == 4 and summary.sent == 0
    smtp.start()
    assert reminders.send_digests(7, TODAY + timedelta(days=1)).sent == 4
    assert len(smtp.messages) == 8


def test_outbox_mode_writes_eml_files(app, session, people, items, tmp_path):
    saved = app.config["MAIL_BACKEND"], app.config["MAIL_OUTBOX"]
    app.config.update(MAIL_BACKEND="outbox", MAIL_OUTBOX=str(tmp_path / "outbox"))
    try:
        summary = reminders.send_digests(7, TODAY)
    finally:
        app.config["MAIL_BACKEND"], app.config["MAIL_OUTBOX"] = saved
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert summary.sent == 4 and len(files) == 4
    assert len({p.name for p in files}) == 4
    parsed = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]
    assert {m["To"] for m in parsed} == {people[k].email for k in ("kamnik", "kamnik2", "ljubljana", "ljubljana2")}
    assert all(m["From"] for m in parsed)


def test_development_defaults_to_the_outbox(monkeypatch):
    import config

    monkeypatch.delenv("MAIL_BACKEND", raising=False)
    assert config.DevelopmentConfig.MAIL_BACKEND == "outbox"
    assert config.Config.MAIL_BACKEND == "smtp"  # production
    assert config.DevelopmentConfig().MAIL_OUTBOX.endswith(os.path.join("instance", "outbox"))


def test_the_command_prints_what_it_did(app, session, smtp, people, items):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "sent 4 digests, skipped 0 (already sent today)" in result.output
    again = runner.invoke(args=["reminders", "send"])
    assert "sent 0 digests, skipped 4 (already sent today)" in again.output
    smtp.stop()
    failing = runner.invoke(args=["reminders", "send", "--days", "7"])  # nothing left to send today
    assert failing.exit_code == 0


def test_the_command_fails_loudly_when_mail_cannot_go(app, session, people, items):
    server = SmtpServer()
    saved = _point_at(app, server)
    try:
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
    finally:
        app.config.update(saved)
    assert result.exit_code == 1
    assert "sent 0 digests" in result.output and "4 digests not sent" in result.output


# --- two runs at once ------------------------------------------------------------------------

@pytest.fixture
def committed_app(app):
    """Committed rows and real concurrent transactions (tests/committed.py)."""
    with committing_app(app, "reminders") as (concurrent, shared):
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            with acting_as("tests"), unit_of_work():
                ministry = f.user(Role.MINISTRY)
                made = [ministry.id]
                for name in ("Kamnik", "Ljubljana", "Kranj"):
                    org = f.municipality(name)
                    made += [f.user(Role.MUNICIPAL, org).id, f.user(Role.MUNICIPAL, org).id]
                    _item(f"Naloga {name}", org, ministry, -1)
                    _item(f"Druga naloga {name}", org, ministry, 2)
            db.session.remove()
        try:
            yield concurrent, made
        finally:
            if shared:  # leave the shared test database as it was
                from coordination.search.models import SearchDocument

                with concurrent.app_context():
                    # bulk deletes bypass the search index's flush hook: its rows go by hand
                    items = select(ActionItem.id).where(ActionItem.created_by_id == made[0])
                    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == "item",
                                                                    SearchDocument.ref_id.in_(items)))
                    db.session.execute(delete(ActionItem).where(ActionItem.created_by_id == made[0]))
                    db.session.execute(delete(ReminderLog).where(ReminderLog.user_id.in_(made)))
                    db.session.execute(delete(User).where(User.id.in_(made)))
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()


def test_two_runs_at_once_send_each_digest_once(committed_app):
    app, made = committed_app
    server = SmtpServer()
    server.start()
    _point_at(app, server)
    runs = 4
    barrier = threading.Barrier(runs)
    summaries, errors = [], []

    def run():
        try:
            with app.app_context():  # its own session and connection
                barrier.wait(timeout=30)
                summaries.append(reminders.send_digests(7, TODAY))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.stop()
    assert not errors, errors
    assert len(summaries) == runs
    assert sum(s.sent for s in summaries) == 6, summaries        # six officials, one digest each
    assert sum(s.skipped for s in summaries) == 6 * (runs - 1), summaries
    assert sum(s.failed for s in summaries) == 0
    assert len(server.messages) == 6
    assert len({m["To"] for m in server.messages}) == 6
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReminderLog).where(
            ReminderLog.user_id.in_(made))) == 6
        db.session.remove()


# --- reminders from a fan-out ----------------------------------------------------------------

def _fanout(people):
    meeting = f.meeting(title="Posvet", visibility=Visibility.PUBLIC, start=datetime(2026, 3, 1, 9, tzinfo=UTC),
                        place="Ljubljana", organisers=[], created_by=people["ministry"])
    conclusion = f.conclusion(meeting, "Občine imenujejo skrbnike.")
    orgs = [f.municipality(n) for n in ("Kamnik", "Ljubljana", "Kranj")]
    return f.fan_out(conclusion, people["ministry"], "Imenovati skrbnika", scope=FanOutScope.CHOSEN,
                     chosen=[o.id for o in orgs], due_date=TODAY - timedelta(days=2))


def test_remind_fanout_once_per_municipality_per_day(session, smtp, people):
    fanout = _fanout(people)
    by_org = {i.assignee_org.name: i for i in fanout.items}
    actions.change_status(by_org["Kranj"], ItemStatus.DONE, author=people["ministry"])
    pending = [i.id for i in fanout.items]
    before = db.session.scalar(select(func.max(AuditEntry.id))) or 0

    # Kranj is done and has no users: only Kamnik and Ljubljana are reminded
    assert reminders.remind_fanout(fanout, people["ministry"], pending) == 2
    reminded = db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.REMINDER)).all()
    assert {(n.user_id, n.item_id) for n in reminded} == {
        (people["kamnik"].id, by_org["Kamnik"].id), (people["kamnik2"].id, by_org["Kamnik"].id),
        (people["ljubljana"].id, by_org["Ljubljana"].id), (people["ljubljana2"].id, by_org["Ljubljana"].id)}
    assert {m["To"] for m in smtp.messages} == {people[k].email for k in ("kamnik", "kamnik2", "ljubljana",
                                                                          "ljubljana2")}
    message = smtp.collector.to(people["kamnik"].email)[0]
    assert message["Subject"] == "Opomnik: Imenovati skrbnika"
    assert "Mojca Ministrska" in _body(message)
    assert f"http://127.0.0.1:5000/naloge/{by_org['Kamnik'].id}" in _body(message)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.id > before, AuditEntry.entity_type == "FanOut"))
    assert entry.action == "update" and entry.changes["reminded"] == [None, 2]
    assert entry.changes["municipalities"] == [None, ["Kamnik", "Ljubljana"]]

    # the same day again: nobody, not even through another selection
    assert reminders.remind_fanout(fanout, people["ministry"], pending) == 0
    assert reminders.remind_fanout(fanout, people["ministry"], [by_org["Kamnik"].id]) == 0
    assert len(smtp.messages) == 4
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == NotificationKind.REMINDER)) == 4
    # items of another fan-out or unknown ids are ignored
    assert reminders.remind_fanout(fanout, people["ministry"], [999999]) == 0
    assert reminders.remind_fanout(fanout, people["ministry"], []) == 0


def test_remind_fanout_queries_do_not_grow(app, session, people, count_queries, monkeypatch):
    # production's backend: the mail is queued (one INSERT); the outbox backend would also write the
    # previous call's mail at this call's early commit
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    fanout = _fanout(people)
    first = [i.id for i in fanout.items if i.assignee_org.name == "Kamnik"]
    with count_queries() as one:
        assert reminders.remind_fanout(fanout, people["ministry"], first) == 1
    rest = [i.id for i in fanout.items if i.assignee_org.name != "Kamnik"]
    for name in ("Kranj",):
        f.user(Role.MUNICIPAL, f.municipality(name))
    with count_queries() as two:
        assert reminders.remind_fanout(fanout, people["ministry"], rest) == 2
    assert two.count == one.count, "\n\n".join(s[:200] for s in two.statements)
