"""The web shell: headers, no inline code, errors, language."""
import re

import pytest
from flask import Flask

from coordination.accounts.models import Role, User
from coordination.web.security import CSP
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def admin_client(client):
    f.login(client, f.user(Role.ADMIN))
    return client


PAGES = ["/", "/organizacije/", "/uporabniki", "/uporabniki/nov", "/revizijska-sled/", "/geslo",
         "/organizacije/nova"]


def test_security_headers(admin_client):
    response = admin_client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "unsafe-eval" not in CSP


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_script_or_style_and_no_third_party(admin_client, path):
    html = admin_client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and not re.search(r"\sstyle=", html), "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", html.replace('href="https://mkk.si"', "")), "third party"


def test_htmx_is_served_from_our_origin(client):
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200 and b"htmx" in response.data[:2000]


def test_navigation_shows_only_what_the_user_may_open(app, session):
    expectations = {Role.ADMIN: True, Role.MINISTRY: False, Role.MUNICIPAL: False, Role.HOST: False}
    for role, sees_admin in expectations.items():
        client = app.test_client()
        f.login(client, f.user(role))
        html = client.get("/").get_data(as_text=True)
        assert ('href="/uporabniki"' in html) is sees_admin
        assert ('href="/revizijska-sled/"' in html) is sees_admin
        assert 'href="/organizacije/"' in html


def test_language_switch_is_remembered(client, session):
    user = f.user()
    f.login(client, user)
    assert 'lang="sl"' in client.get("/").get_data(as_text=True)
    response = client.post("/jezik", data={"lang": "en", "next": "/organizacije/"})
    assert response.location == "/organizacije/"
    html = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in html and "Organisations" in html
    assert session.get(User, user.id).language == "en"
    client.post("/odjava")
    f.login(client, user)  # a new session starts in the language the user chose
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_refused_clearly(client):
    response = client.post("/jezik", data={"lang": "xx"})
    assert response.status_code == 400
    assert "Neznan jezik" in response.get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/jezik", data={"lang": "en", "next": "https://evil.example/"})
    assert response.location == "/"


def test_not_found_as_page_and_fragment(admin_client):
    page = admin_client.get("/ni-take-strani")
    assert page.status_code == 404 and "<html" in page.get_data(as_text=True)
    assert "Strani ni mogoče najti" in page.get_data(as_text=True)
    fragment = admin_client.get("/ni-take-strani", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "<html" not in fragment.get_data(as_text=True)


def test_method_not_allowed_is_a_page(admin_client):
    response = admin_client.get("/odjava")
    assert response.status_code == 405 and "<html" in response.get_data(as_text=True)


def test_server_error_is_a_page_in_the_same_look(app, session):
    boom_app = _app_with_failing_route()
    response = boom_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "prišlo do napake" in response.get_data(as_text=True)


def _app_with_failing_route() -> Flask:
    from coordination import create_app

    app = create_app("test")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    return app


def test_oversized_request_body_is_refused(admin_client):
    response = admin_client.post("/organizacije/nova", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
