"""The outgoing-mail queue. A request only queues, in its own transaction: a mail server that hangs
or refuses never slows or fails it, a rolled-back change queues nothing and a committed one never
loses its mail. `flask mail send` delivers with a timeout, records each failure and retries it
later with a growing pause; two drains at once send each message exactly once."""
from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta
from email.message import EmailMessage

import pytest
from flask import Response
from sqlalchemy import delete, func, select

from coordination import mail
from coordination.accounts import routes as account_routes
from coordination.accounts.models import AccountToken, Role, User
from coordination.extensions import db
from coordination.types import clock_at, utcnow
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.actions.test_reminders import SmtpServer
from tests.committed import at_once, committing_app

pytestmark = pytest.mark.usefixtures("no_csrf")

Q = mail.QueuedMail


# --- mail servers that misbehave -------------------------------------------------------------

class Hanging:
    """Accepts every connection and never says a word (not even the SMTP greeting)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.held: list[socket.socket] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.running = False
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.socket.close()


@pytest.fixture
def hanging():
    server = Hanging()
    yield server
    server.close()


@pytest.fixture
def refusing():
    """A port that is bound but not listening: every connection is refused at once."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    yield closed.getsockname()[1]
    closed.close()


def _point_at(app, monkeypatch, port: int, timeout: int = 2) -> None:
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                       "MAIL_TIMEOUT": timeout, "MAIL_RETRY_SECONDS": 60, "MAIL_MAX_ATTEMPTS": 12}.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def admin_client(client):
    f.login(client, f.user(Role.ADMIN))
    return client


def _invite(client, address: str = "nina@kranj.si"):
    return client.post("/uporabniki/nov", data={"name": "Nina Novak", "email": address, "role": "municipal",
                                                "organisation_id": str(f.municipality("Kranj").id),
                                                "language": "sl"})


def _queued(address: str) -> list:
    return list(db.session.scalars(select(Q).where(Q.recipient == address).execution_options(populate_existing=True)))


def _send(app):
    return app.test_cli_runner().invoke(args=["mail", "send"])


def _message(to: str, subject: str = "Preizkus") -> EmailMessage:
    return mail.build(to, subject, "Besedilo.")


# --- a request only queues --------------------------------------------------------------------

def test_a_hanging_server_blocks_no_request_and_the_drain_times_out_and_retries(app, session, admin_client,
                                                                                hanging, monkeypatch):
    _point_at(app, monkeypatch, hanging.port, timeout=2)
    started = time.monotonic()
    response = _invite(admin_client)
    assert response.status_code == 302 and time.monotonic() - started < 1  # well under MAIL_TIMEOUT
    assert session.scalar(select(User).where(User.email == "nina@kranj.si")) is not None  # the change holds
    [row] = _queued("nina@kranj.si")
    assert row.attempts == 0 and row.sent_at is None and "Nina Novak" in row.message.decode()

    started = time.monotonic()
    result = _send(app)
    waited = time.monotonic() - started
    assert result.exit_code == 1 and "1 messages not sent" in result.output, result.output
    assert 2 <= waited < 10  # MAIL_TIMEOUT, not forever
    [row] = _queued("nina@kranj.si")
    assert row.attempts == 1 and row.sent_at is None and "timed out" in row.last_error
    assert timedelta(seconds=55) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)
    assert row.claimed_by is None

    # before its pause is over, the next run leaves it alone (it does not even try the server)
    started = time.monotonic()
    again = _send(app)
    assert again.exit_code == 0 and "sent 0, not sent 0" in again.output and time.monotonic() - started < 1
    assert _queued("nina@kranj.si")[0].attempts == 1

    # a minute later the server works: the invitation goes, once
    working = SmtpServer()
    working.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_PORT", working.port)
        with clock_at(utcnow() + timedelta(seconds=61)):
            assert _send(app).exit_code == 0
            assert _send(app).exit_code == 0
    finally:
        working.stop()
    assert [m["To"] for m in working.messages] == ["nina@kranj.si"]
    [row] = _queued("nina@kranj.si")
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None


def test_a_refusing_server_keeps_the_change_and_counts_each_attempt(app, session, admin_client, refusing,
                                                                   monkeypatch):
    _point_at(app, monkeypatch, refusing)
    person = f.user(Role.MUNICIPAL, f.municipality("Kamnik"), email="tina@kamnik.si")
    response = admin_client.post(f"/uporabniki/{person.id}/ponastavitev")
    assert response.status_code == 302
    assert session.scalar(select(func.count()).select_from(AccountToken).where(AccountToken.user_id == person.id)) == 1

    result = _send(app)
    assert result.exit_code == 1 and "cannot connect" in result.output
    [row] = _queued("tina@kamnik.si")
    assert row.attempts == 1 and "cannot connect" in row.last_error and row.sent_at is None
    first_pause = row.next_attempt_at - utcnow()

    with clock_at(row.next_attempt_at + timedelta(seconds=1)):
        assert _send(app).exit_code == 1
        [row] = _queued("tina@kamnik.si")
        assert row.attempts == 2
        assert row.next_attempt_at - utcnow() > first_pause + timedelta(seconds=55)  # the pause doubles

    status = app.test_cli_runner().invoke(args=["mail", "status"])
    assert status.exit_code == 0 and "queued 1 (retrying 1" in status.output and "failed 0" in status.output

    # after MAIL_MAX_ATTEMPTS it counts as failed and is no longer tried
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    with clock_at(utcnow() + timedelta(days=1)):
        assert "sent 0, not sent 0" in _send(app).output
    status = app.test_cli_runner().invoke(args=["mail", "status"])
    assert "queued 0 (retrying 0" in status.output and "failed 1" in status.output


def test_a_rolled_back_request_queues_nothing(app, session, admin_client, monkeypatch):
    _point_at(app, monkeypatch, 1)
    # the invitation is made and queued, then the request answers with a failure: all of it goes
    monkeypatch.setattr(account_routes, "redirect", lambda *args, **kwargs: Response("conflict", status=409))
    assert _invite(admin_client, "ana@kranj.si").status_code == 409
    assert session.scalar(select(User).where(User.email == "ana@kranj.si")) is None
    assert _queued("ana@kranj.si") == []
    # the same request answering with success keeps both
    monkeypatch.undo()
    _point_at(app, monkeypatch, 1)
    assert _invite(admin_client, "ana@kranj.si").status_code == 302
    assert len(_queued("ana@kranj.si")) == 1


def test_a_command_that_fails_queues_nothing(app, session, monkeypatch):
    _point_at(app, monkeypatch, 1)
    with pytest.raises(RuntimeError), unit_of_work():
        mail.enqueue([_message("ana@kranj.si")])
        raise RuntimeError("the change fails after its mail was queued")
    assert _queued("ana@kranj.si") == []


def test_the_outbox_backend_writes_a_transactions_mail_as_it_commits(session, mail_outbox):
    with pytest.raises(RuntimeError), unit_of_work():
        mail.enqueue([_message("ana@kranj.si")])
        raise RuntimeError("rolled back")
    assert not mail_outbox.exists() or list(mail_outbox.iterdir()) == []
    with unit_of_work():
        mail.enqueue([_message("ana@kranj.si"), _message("nina@kranj.si")])
    assert len(list(mail_outbox.glob("*.eml"))) == 2
    assert all(row.sent_at is not None and row.attempts == 1 for row in _queued("ana@kranj.si") + _queued("nina@kranj.si"))
    mail.send_queued()  # the drain finds nothing left to send
    assert len(list(mail_outbox.glob("*.eml"))) == 2


def test_only_the_refused_recipient_is_retried(app, session, monkeypatch):
    async def refuse_nobody(server_, session_, envelope, address, options):  # aiosmtpd's RCPT hook
        if address.startswith("nobody@"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    server = SmtpServer()
    server.collector.handle_RCPT = refuse_nobody
    server.start()
    try:
        _point_at(app, monkeypatch, server.port)
        with unit_of_work():
            mail.enqueue([_message("ana@kranj.si"), _message("nobody@kranj.si"), _message("nina@kranj.si")])
        result = mail.send_queued()
    finally:
        server.stop()
    assert (result.sent, result.failed) == (2, 1)
    assert sorted(m["To"] for m in server.messages) == ["ana@kranj.si", "nina@kranj.si"]
    [refused] = _queued("nobody@kranj.si")
    assert refused.attempts == 1 and "nobody@kranj.si" in refused.last_error and refused.sent_at is None
    assert all(row.sent_at is not None for row in _queued("ana@kranj.si") + _queued("nina@kranj.si"))


# --- two drains at once -----------------------------------------------------------------------

def test_two_drains_at_once_send_each_message_exactly_once(app, monkeypatch):
    server = SmtpServer()
    server.start()
    monkeypatch.setattr(mail, "BATCH", 7)  # several claims each, so the two drains interleave
    with committing_app(app, "mailq") as (concurrent, _shared):
        for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port,
                           "MAIL_TIMEOUT": 5}.items():
            monkeypatch.setitem(concurrent.config, key, value)
        addresses = [f"oseba{n}@drain.test" for n in range(60)]
        with concurrent.app_context():
            with unit_of_work():
                mail.enqueue([_message(a, f"Sporočilo {a}") for a in addresses])
            db.session.remove()
        try:
            summaries = at_once(concurrent, mail.send_queued)
            received = sorted(m["To"] for m in server.collector.messages)
            assert received == sorted(addresses)  # each exactly once
            assert sum(s.sent for s in summaries) == 60 and sum(s.failed for s in summaries) == 0
            with concurrent.app_context():
                rows = db.session.execute(select(Q.sent_at, Q.attempts, Q.claimed_by).where(
                    Q.recipient.like("%@drain.test"))).all()
                assert len(rows) == 60 and all(r.sent_at and r.attempts == 1 and r.claimed_by is None for r in rows)
        finally:
            server.stop()
            with concurrent.app_context():  # the shared PostgreSQL test database is left as it was
                db.session.execute(delete(Q).where(Q.recipient.like("%@drain.test")))
                db.session.commit()
