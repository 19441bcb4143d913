"""Accounts people set up themselves: invitations and forgotten passwords, over a real SMTP server on
loopback (aiosmtpd). An administrator never types or sees a password; links are single-use, expiring
and stored hashed; a reset request answers the same for every address."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from coordination import mail
from coordination.accounts.models import AccountToken, Role, TokenPurpose, User
from coordination.audit.models import AuditEntry
from coordination.types import utcnow
from tests import factories as f
from tests.actions.test_reminders import SmtpServer, _point_at

pytestmark = pytest.mark.usefixtures("no_csrf")

BASE = "https://koordinacija.example.si"
NEW_PASSWORD = "moje-lastno-geslo-42"


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    server.collector.before_read = mail.send_queued  # what the scheduled `flask mail send` delivers
    saved = _point_at(app, server)
    saved_base, app.config["APP_BASE_URL"] = app.config["APP_BASE_URL"], BASE
    try:
        yield server
    finally:
        app.config.update(saved, APP_BASE_URL=saved_base)
        server.stop()


@pytest.fixture
def admin_client(client):
    f.login(client, f.user(Role.ADMIN))
    return client


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def _link(message, path: str) -> str:
    match = re.search(re.escape(BASE + path) + r"([A-Za-z0-9_\-]+)", _body(message))
    assert match, _body(message)
    return match.group(1)


def _invite(admin_client, **overrides):
    data = {"name": "Nina Novak", "email": "nina@kranj.si", "role": "municipal",
            "organisation_id": str(f.municipality("Kranj").id), "language": "sl"}
    data.update(overrides)
    return admin_client.post("/uporabniki/nov", data=data)


def _choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


# --- invitations -----------------------------------------------------------------------------

def test_invited_person_chooses_a_password_and_signs_in(app, session, smtp, admin_client):
    response = _invite(admin_client)
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "nina@kranj.si"))
    [message] = smtp.collector.to("nina@kranj.si")
    assert message["Subject"] == "Vaš račun v koordinacijskem prostoru občin"
    assert message["Content-Language"] == "sl"
    body = _body(message)
    assert "Kranj" in body and "7 dni" in body and BASE in body
    token = _link(message, "/povabilo/")
    # only the SHA-256 of the token is kept, with its expiry
    link = session.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    assert link.purpose == TokenPurpose.INVITATION
    assert timedelta(days=6, hours=23) < link.expires_at - utcnow() <= timedelta(days=7)
    # nobody knows the first password: signing in fails until the person chooses one
    person = app.test_client()
    assert f.login(person, "nina@kranj.si", "").status_code == 422
    page = person.get(f"/povabilo/{token}")
    assert page.status_code == 200 and "Nina Novak" in page.get_data(as_text=True)
    assert _choose(person, f"/povabilo/{token}").status_code == 302
    assert f.login(person, "nina@kranj.si", NEW_PASSWORD).status_code == 302
    assert person.get("/").status_code == 200


def test_invitation_in_english_for_an_english_speaker(session, smtp, admin_client):
    assert _invite(admin_client, email="ana@kranj.si", language="en").status_code == 302
    [message] = smtp.collector.to("ana@kranj.si")
    assert message["Content-Language"] == "en"
    assert message["Subject"] == "Your account in the municipal coordination workspace"
    assert "7 days" in _body(message)


def test_a_used_invitation_gets_a_clear_page_and_changes_nothing(app, session, smtp, admin_client):
    _invite(admin_client)
    token = _link(smtp.collector.to("nina@kranj.si")[0], "/povabilo/")
    person = app.test_client()
    assert _choose(person, f"/povabilo/{token}").status_code == 302
    hash_before = session.scalar(select(User.password_hash).where(User.email == "nina@kranj.si"))
    again = _choose(person, f"/povabilo/{token}", "drugo-geslo-12345")
    assert again.status_code == 410
    assert "že uporabljena" in again.get_data(as_text=True)
    assert person.get(f"/povabilo/{token}").status_code == 410
    session.expire_all()
    assert session.scalar(select(User.password_hash).where(User.email == "nina@kranj.si")) == hash_before
    assert f.login(app.test_client(), "nina@kranj.si", "drugo-geslo-12345").status_code == 401


def test_an_expired_invitation_gets_a_clear_page_and_changes_nothing(app, session, smtp, admin_client):
    _invite(admin_client)
    token = _link(smtp.collector.to("nina@kranj.si")[0], "/povabilo/")
    session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    person = app.test_client()
    page = person.get(f"/povabilo/{token}")
    assert page.status_code == 410 and "je potekla" in page.get_data(as_text=True)
    assert _choose(person, f"/povabilo/{token}").status_code == 410
    assert f.login(app.test_client(), "nina@kranj.si", NEW_PASSWORD).status_code == 401
    assert session.scalar(select(AccountToken.used_at)) is None


def test_an_unknown_or_wrong_kind_of_link_is_refused(app, session, smtp, admin_client):
    _invite(admin_client)
    token = _link(smtp.collector.to("nina@kranj.si")[0], "/povabilo/")
    person = app.test_client()
    assert person.get("/povabilo/ni-veljavno").status_code == 400
    # an invitation token is no reset token
    assert _choose(person, f"/geslo/ponastavi/{token}").status_code == 400
    assert person.get(f"/povabilo/{token}").status_code == 200


def test_invitation_to_an_existing_address_is_explained_next_to_the_field(session, smtp, admin_client):
    existing = f.user()
    before = session.scalar(select(func.count()).select_from(User))
    response = _invite(admin_client, email=existing.email.upper())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="email-error">[^<]*že obstaja', html)
    assert session.scalar(select(func.count()).select_from(User)) == before
    assert smtp.messages == [] and session.scalar(select(func.count()).select_from(AccountToken)) == 0


def test_bad_new_password_is_explained_and_the_link_stays_usable(app, session, smtp, admin_client):
    _invite(admin_client)
    token = _link(smtp.collector.to("nina@kranj.si")[0], "/povabilo/")
    person = app.test_client()
    short = _choose(person, f"/povabilo/{token}", "kratko")
    assert short.status_code == 422 and "od 10 do 200" in short.get_data(as_text=True)
    mismatch = _choose(person, f"/povabilo/{token}", NEW_PASSWORD, "drugacno-geslo-42")
    assert mismatch.status_code == 422 and "se ne ujemata" in mismatch.get_data(as_text=True)
    assert session.scalar(select(AccountToken.used_at)) is None
    assert _choose(person, f"/povabilo/{token}").status_code == 302


def test_a_mail_server_that_is_down_neither_stops_nor_loses_the_invitation(app, session, admin_client):
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    try:
        response = _invite(admin_client)
        assert response.status_code == 302
        page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Povabilo je bilo poslano na nina@kranj.si" in page  # queued: the request never waits for the server
        assert session.scalar(select(User).where(User.email == "nina@kranj.si")) is not None
        assert mail.send_queued().failed == 1  # the scheduled drain finds the server away ...
    finally:
        app.config.update(saved)
    queued = session.scalar(select(mail.QueuedMail).where(mail.QueuedMail.recipient == "nina@kranj.si"))
    assert queued.sent_at is None and queued.attempts == 1 and "cannot connect" in queued.last_error  # ... and retries


# --- the administrator never sets a password --------------------------------------------------

def test_admin_sends_a_reset_link_instead_of_setting_a_password(app, session, smtp, admin_client):
    target = f.user(email="tina@kamnik.si")
    assert admin_client.post(f"/uporabniki/{target.id}/geslo", data={"password": "x" * 12}).status_code == 404
    page = admin_client.get(f"/uporabniki/{target.id}").get_data(as_text=True)
    assert 'type="password"' not in page
    assert admin_client.post(f"/uporabniki/{target.id}/ponastavitev").status_code == 302
    [message] = smtp.collector.to("tina@kamnik.si")
    token = _link(message, "/geslo/ponastavi/")
    assert _choose(app.test_client(), f"/geslo/ponastavi/{token}").status_code == 302
    assert f.login(app.test_client(), target, NEW_PASSWORD).status_code == 302


def test_a_newer_link_retires_the_older_one(app, session, smtp, admin_client):
    target = f.user(email="tina@kamnik.si")
    admin_client.post(f"/uporabniki/{target.id}/ponastavitev")
    admin_client.post(f"/uporabniki/{target.id}/ponastavitev")
    first, second = (_link(m, "/geslo/ponastavi/") for m in smtp.collector.to("tina@kamnik.si"))
    assert app.test_client().get(f"/geslo/ponastavi/{first}").status_code == 410
    assert app.test_client().get(f"/geslo/ponastavi/{second}").status_code == 200


# --- forgotten password -----------------------------------------------------------------------

def _forgot(client, email: str):
    return client.post("/geslo/pozabljeno", data={"email": email})


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(app, session, smtp):
    f.user(email="tina@kamnik.si")
    known = _forgot(app.test_client(), "tina@kamnik.si")
    unknown = _forgot(app.test_client(), "nihce@kamnik.si")
    assert known.status_code == unknown.status_code == 200
    def page(response, email):  # the page names the address typed; the CSRF token is per session
        return re.sub(r'csrf[^>]*', "", response.get_data(as_text=True).replace(email, "ADDRESS"), flags=re.I)

    assert page(known, "tina@kamnik.si") == page(unknown, "nihce@kamnik.si")
    assert [m["To"] for m in smtp.messages] == ["tina@kamnik.si"]
    assert session.scalar(select(func.count()).select_from(AccountToken)) == 1


def test_reset_ends_other_sessions_and_every_step_is_audited(app, session, smtp):
    user = f.user(email="tina@kamnik.si")
    elsewhere = app.test_client()
    f.login(elsewhere, user)
    assert elsewhere.get("/").status_code == 200
    _forgot(app.test_client(), "TINA@kamnik.si")
    [message] = smtp.collector.to("tina@kamnik.si")
    assert message["Subject"] == "Izberite novo geslo"
    token = _link(message, "/geslo/ponastavi/")
    person = app.test_client()
    assert "tina@kamnik.si" in person.get(f"/geslo/ponastavi/{token}").get_data(as_text=True)
    assert _choose(person, f"/geslo/ponastavi/{token}").status_code == 302
    assert elsewhere.get("/").status_code == 302  # the other session has ended
    assert f.login(app.test_client(), user, f.PASSWORD).status_code == 401
    assert f.login(app.test_client(), user, NEW_PASSWORD).status_code == 302
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "AccountToken")
                              .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert all(e.changes["token_hash"] == ["•••", "•••"] or e.changes["token_hash"] == [None, "•••"]
               for e in entries)
    assert "password reset requested" in entries[0].actor_label and entries[1].actor_id == user.id
    everything = " ".join(str(e.changes) for e in session.scalars(select(AuditEntry)))
    assert token not in everything and hashlib.sha256(token.encode()).hexdigest() not in everything
    [password_change] = [e for e in session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "User", AuditEntry.entity_id == str(user.id))) if "password_hash" in e.changes
        and e.action == "update"]
    assert password_change.changes["password_hash"] == ["•••", "•••"] and password_change.actor_id == user.id


def test_reset_requests_are_throttled_alike_for_known_and_unknown(app, session, smtp):
    f.user(email="tina@kamnik.si")
    slow_after = app.config["LOGIN_SLOW_AFTER"]
    for email in ("tina@kamnik.si", "nihce@kamnik.si"):
        client = app.test_client()
        statuses = [_forgot(client, email).status_code for _ in range(slow_after + 1)]
        assert statuses == [200] * slow_after + [429], email
    assert len(smtp.collector.to("tina@kamnik.si")) == slow_after
    # sign-in is counted apart: the reset requests did not slow it down
    assert f.login(app.test_client(), "tina@kamnik.si", f.PASSWORD).status_code == 302


def test_a_deactivated_account_gets_no_reset_link(app, session, smtp):
    user = f.user(email="tina@kamnik.si", active=False)
    assert _forgot(app.test_client(), user.email).status_code == 200
    assert smtp.messages == []


def test_a_bad_address_is_explained(app, session, smtp):
    response = _forgot(app.test_client(), "to-ni-naslov")
    assert response.status_code == 422 and "veljaven e-poštni naslov" in response.get_data(as_text=True)
    assert smtp.messages == []


def test_sign_in_page_links_to_forgot_password(client):
    assert 'href="/geslo/pozabljeno"' in client.get("/prijava").get_data(as_text=True)
