"""Accounts people set up themselves, in a real browser: an administrator invites a person, the person
follows the link from the e-mail (the test app's outbox) and chooses a password, then signs in; someone
who forgot their password asks for a link, chooses a new one and signs in with it.

These flows change the shared browser-test database, so they only add rows of their own."""
from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.support import BrowserProblems

PASSWORD = "svoje-geslo-2026"


def _link_to(app, address: str, path: str) -> str:
    """The newest link in the outbox e-mails to `address`, as a path on the test server."""
    base = app.config["APP_BASE_URL"].rstrip("/")
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))]
    bodies = [m.get_body(("plain",)).get_content() for m in messages if m["To"] == address]
    assert bodies, f"no e-mail to {address}"
    match = re.search(re.escape(base + path) + r"[A-Za-z0-9_\-]+", bodies[-1])
    assert match, bodies[-1]
    return match.group(0)[len(base):]


def _sign_in(page, address: str, password: str) -> None:
    page.goto("/prijava")
    page.fill("#email", address)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/prijava"))


def _choose_password(page, password: str) -> None:
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.get_by_role("button", name="Shrani geslo").click()
    expect(page.locator(".flashes")).to_contain_text("Vaše geslo je nastavljeno")


def test_an_invited_person_chooses_a_password_and_signs_in(new_context, base_url, e2e_app):
    problems = BrowserProblems(base_url)
    admin = new_context("admin").new_page()
    problems.watch(admin)
    admin.goto("/uporabniki/nov")
    admin.fill("#name", "Vesna Vabljena")
    admin.fill("#email", "vesna.vabljena@e2e.si")
    admin.select_option("#role", "municipal")
    admin.select_option("#organisation_id", label="Kamnik")
    admin.get_by_role("button", name="Pošlji povabilo").click()
    expect(admin.locator(".flashes")).to_contain_text("Povabilo je bilo poslano na vesna.vabljena@e2e.si")
    expect(admin.locator("input[type=password]")).to_have_count(0)  # the admin never types a password

    person = new_context().new_page()
    problems.watch(person)
    link = _link_to(e2e_app, "vesna.vabljena@e2e.si", "/povabilo/")
    person.goto(link)
    expect(person.locator("main")).to_contain_text("Vesna Vabljena")
    _choose_password(person, PASSWORD)
    _sign_in(person, "vesna.vabljena@e2e.si", PASSWORD)
    expect(person.locator("header")).to_contain_text("Vesna Vabljena")
    # the link worked once
    response = person.goto(link)
    assert response.status == 410
    expect(person.locator("h1")).to_have_text("Ta povezava ne deluje več")
    problems.assert_none()


def test_a_forgotten_password_is_reset_by_e_mail(new_context, base_url, e2e_app):
    problems = BrowserProblems(base_url)
    page = new_context().new_page()
    problems.watch(page)
    page.goto("/prijava")
    page.get_by_role("link", name="Ste pozabili geslo?").click()
    page.fill("#email", "zamudnik@e2e.si")
    page.get_by_role("button", name="Pošlji povezavo").click()
    expect(page.locator("main")).to_contain_text("Če račun z naslovom zamudnik@e2e.si obstaja")
    page.goto(_link_to(e2e_app, "zamudnik@e2e.si", "/geslo/ponastavi/"))
    _choose_password(page, PASSWORD)
    _sign_in(page, "zamudnik@e2e.si", PASSWORD)
    expect(page.locator("header")).to_contain_text("Zoran Zamudnik")
    problems.assert_none()
