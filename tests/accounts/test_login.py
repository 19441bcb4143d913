from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import LoginAttempt, Role, User
from coordination.audit.models import AuditEntry
from coordination.types import utcnow
from tests import factories as f


def test_login_and_logout(client, no_csrf):
    user = f.user(Role.MUNICIPAL)
    response = f.login(client, user)
    assert response.status_code == 302 and response.location == "/"
    assert user.name in client.get("/").get_data(as_text=True)
    response = client.post("/odjava")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def _csrf(client) -> str:
    html = client.get("/geslo").get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


@pytest.mark.usefixtures("no_csrf")
class TestBadCredentials:
    def test_wrong_password_is_refused_with_a_message(self, client):
        user = f.user()
        response = f.login(client, user, "wrong password")
        assert response.status_code == 401
        assert "Napačen e-poštni naslov ali geslo" in response.get_data(as_text=True)

    def test_unknown_email_gets_the_same_message(self, client):
        response = f.login(client, "nobody@example.si", "whatever12345")
        assert response.status_code == 401
        assert "Napačen e-poštni naslov ali geslo" in response.get_data(as_text=True)

    def test_inactive_account_cannot_sign_in(self, client):
        user = f.user(active=False)
        response = f.login(client, user)  # the right password is not confirmed: the usual answer
        assert response.status_code == 401
        assert "Napačen e-poštni naslov ali geslo" in response.get_data(as_text=True)

    def test_empty_fields_are_marked(self, client):
        response = client.post("/prijava", data={"email": "", "password": ""})
        assert response.status_code == 422
        assert response.get_data(as_text=True).count('class="error"') == 2

    def test_oversized_fields_change_nothing(self, client, session):
        before = session.scalar(select(func.count()).select_from(LoginAttempt))
        response = client.post("/prijava", data={"email": "a" * 5000 + "@x.si", "password": "p" * 5000})
        assert response.status_code == 422
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == before

    def test_next_must_stay_on_site(self, client):
        user = f.user()
        response = client.post("/prijava?next=//evil.example/x", data={"email": user.email,
                                                                       "password": f.PASSWORD})
        assert response.location == "/"
        f.login(client, user)  # already signed in: goes to the dashboard
        response = client.post("/odjava")
        response = client.post("/prijava?next=/organizacije/", data={"email": user.email,
                                                                     "password": f.PASSWORD})
        assert response.location == "/organizacije/"


@pytest.mark.usefixtures("no_csrf")
class TestThrottling:
    def test_repeated_failures_slow_down_then_lock(self, app, client, session):
        user = f.user()
        statuses = [f.login(client, user, "wrong").status_code for _ in range(3)]
        assert statuses == [401, 401, 401]
        slowed = f.login(client, user, f.PASSWORD)  # even the right password waits now
        assert slowed.status_code == 429
        assert "Poskusite znova čez" in slowed.get_data(as_text=True)
        assert int(slowed.headers["Retry-After"]) >= 1

        attempt = session.scalar(select(LoginAttempt).where(LoginAttempt.key == f"email:{user.email}"))
        for _ in range(app.config["LOGIN_LOCK_AFTER"]):
            attempt.last_failure_at = utcnow() - timedelta(minutes=5)  # time passes between tries
            session.commit()
            f.login(client, user, "wrong")
            session.refresh(attempt)
        assert attempt.locked_until is not None
        attempt.last_failure_at = utcnow() - timedelta(minutes=5)
        session.commit()
        locked = f.login(client, user, f.PASSWORD)
        assert locked.status_code == 429
        assert "zaklenjena" in locked.get_data(as_text=True)

    def test_lock_expires_and_success_clears_the_counter(self, client, session):
        user = f.user()
        session.add(LoginAttempt(key=f"email:{user.email}", failures=10,
                                 last_failure_at=utcnow() - timedelta(minutes=30),
                                 locked_until=utcnow() - timedelta(minutes=1)))
        session.commit()
        assert f.login(client, user).status_code == 302
        assert session.scalar(select(LoginAttempt).where(LoginAttempt.key == f"email:{user.email}")) is None

    def test_throttling_is_per_address_too(self, app, client, session):
        session.add(LoginAttempt(key="addr:127.0.0.1", failures=app.config["LOGIN_LOCK_AFTER_PER_ADDRESS"],
                                 last_failure_at=utcnow(), locked_until=utcnow() + timedelta(minutes=10)))
        session.commit()
        user = f.user()  # a different account from the same address
        assert f.login(client, user).status_code == 429

    def test_old_failures_are_forgotten(self, client, session):
        user = f.user()
        session.add(LoginAttempt(key=f"email:{user.email}", failures=5,
                                 last_failure_at=utcnow() - timedelta(hours=3)))
        session.commit()
        assert f.login(client, user).status_code == 302


def test_missing_csrf_token_is_refused_and_changes_nothing(client, session):
    user = f.user()
    response = client.post("/prijava", data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 400
    assert "varnostni žeton" in response.get_data(as_text=True)
    assert session.get(User, user.id).last_login_at is None


def test_htmx_request_without_csrf_header_is_refused(client, no_csrf, app):
    user = f.user(Role.ADMIN)
    f.login(client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/jezik", data={"lang": "en"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    token = _csrf(client)
    response = client.post("/jezik", data={"lang": "en"}, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


def test_session_cookie_flags(client, no_csrf):
    response = f.login(client, f.user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_expired_or_missing_session_redirects_to_login_with_a_message(client):
    response = client.get("/organizacije/", follow_redirects=True)
    assert "seja potekla" in response.get_data(as_text=True)


def test_htmx_request_without_session_is_sent_to_login(client):
    response = client.get("/organizacije/?q=a", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/prijava")


def test_successful_login_is_audited(client, session, no_csrf):
    user = f.user()
    f.login(client, user)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                     AuditEntry.entity_id == str(user.id))
                            .order_by(AuditEntry.id.desc())).first()
    assert entry.action == "sign_in" and "last_login_at" in entry.changes  # kept apart in the audit log
    assert entry.actor_id == user.id
