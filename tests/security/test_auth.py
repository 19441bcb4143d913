"""Signing in and out (findings 8-10 of the security probe): attempts are counted before the
password is checked, an unknown e-mail costs the same as a known one, a deactivated account does
not confirm its password, and signing out ends the session on the server."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination.accounts import services as accounts
from coordination.accounts.models import LoginAttempt, Role
from coordination.types import utcnow
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


def _attempt(session, key):
    return session.scalar(select(LoginAttempt).where(LoginAttempt.key == key))


def test_an_attempt_is_counted_before_its_password_is_checked(app, client, session, monkeypatch):
    """Finding 8: by the time the password is checked, the attempt is already in the ledger, so
    parallel attempts cannot all pass an empty ledger (the thread test is in test_concurrency.py)."""
    user = f.user()
    seen = []

    def check(hashed, password):
        seen.append(_attempt(session, f"email:{user.email}").failures)
        return False

    monkeypatch.setattr(accounts, "check_password_hash", check)
    for _ in range(3):
        assert f.login(client, user, "napačno").status_code == 401
    assert seen == [1, 2, 3]
    assert f.login(client, user, "napačno").status_code == 429  # the fourth waits; its password is not checked
    assert seen == [1, 2, 3] and _attempt(session, f"email:{user.email}").failures == 3


def test_a_refused_attempt_leaves_no_count_and_success_gives_the_address_its_attempt_back(app, client, session):
    user = f.user()
    assert f.login(client, user, "napačno").status_code == 401
    assert _attempt(session, "addr:127.0.0.1").failures == 1
    attempt = _attempt(session, f"email:{user.email}")
    attempt.locked_until = utcnow() + timedelta(minutes=5)
    session.commit()
    assert f.login(client, user).status_code == 429
    assert _attempt(session, "addr:127.0.0.1").failures == 1  # the refused one was given back
    attempt.locked_until = None
    session.commit()
    assert f.login(client, user).status_code == 302
    assert _attempt(session, f"email:{user.email}") is None
    assert _attempt(session, "addr:127.0.0.1").failures == 1  # only the failure is remembered


def test_the_lock_ends_and_old_attempts_are_forgotten(app, client, session):
    user = f.user()
    session.add(LoginAttempt(key=f"email:{user.email}", failures=app.config["LOGIN_LOCK_AFTER"] + 3,
                             last_failure_at=utcnow() - timedelta(hours=2),
                             locked_until=utcnow() - timedelta(minutes=1)))
    session.commit()
    assert f.login(client, user, "napačno").status_code == 401
    session.expire_all()
    assert _attempt(session, f"email:{user.email}").failures == 1  # a new window
    assert _attempt(session, f"email:{user.email}").locked_until is None


def test_an_unknown_email_is_checked_against_a_hash_of_the_same_scheme_and_cost(app, client, session, monkeypatch):
    """Finding 9: the dummy hash for an unknown e-mail used another (cheaper) scheme than real
    hashes, so a wrong password of a real account took six times longer to refuse."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:2000")
    user = f.user()
    checked = []
    real_check = accounts.check_password_hash

    def check(hashed, password):
        checked.append(hashed.split("$")[0])
        return real_check(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", check)
    known = f.login(client, user, "napačno geslo")
    unknown = f.login(client, "nihce@example.si", "napačno geslo")
    assert checked == ["pbkdf2:sha256:2000", "pbkdf2:sha256:2000"]
    assert known.status_code == unknown.status_code == 401
    assert known.get_data(as_text=True).replace(user.email, "nihce@example.si") == unknown.get_data(as_text=True)


def test_a_deactivated_account_does_not_confirm_its_password(client, session):
    """Finding 9: the right password of a deactivated account got "deactivated", a wrong one
    "wrong password", which confirmed the password."""
    user = f.user(active=False)
    right = f.login(client, user)
    wrong = f.login(client, user, "napačno geslo")
    assert right.status_code == wrong.status_code == 401
    assert right.get_data(as_text=True) == wrong.get_data(as_text=True)
    assert "deaktiviran" not in right.get_data(as_text=True)


def test_signing_out_ends_the_session_on_the_server(app, session):
    """Finding 10: a copy of the session cookie taken before signing out kept working."""
    user = f.user(Role.MUNICIPAL)
    client = app.test_client()
    assert f.login(client, user).status_code == 302
    stolen = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    assert client.post("/odjava").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/")
    assert response.status_code == 302 and response.location.startswith("/prijava")
    assert f.login(client, user).status_code == 302  # signing in again works
    assert client.get("/").status_code == 200
