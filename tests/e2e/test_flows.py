"""The main flows in a real browser, with the Content-Security-Policy enforced: signing in, switching the
language, filtering organisations live (htmx) and without JavaScript. No flow may log a console error,
break the CSP, fail a request or ask a third party for anything."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from coordination.extensions import db
from coordination.organisations.models import Organisation, Region
from tests.e2e.support import ACCOUNTS, BrowserProblems, login

REGION = ("SI033", "Koroška")


def _count(page) -> str:
    return page.locator("#org-results .count").inner_text()


def _names(page) -> list[str]:
    return page.locator("#org-results tbody tr td:first-child a").all_inner_texts()


def _organisations_in_region(app, code: str) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(Organisation).join(Region)
                                     .where(Region.code == code))
        finally:
            db.session.remove()


def test_sign_in_leads_to_the_dashboard(page, problems):
    login(page, "municipal")
    expect(page.locator("h1")).to_have_text(f"Pozdravljeni, {ACCOUNTS['municipal'].name}")
    expect(page.locator("header .account")).to_contain_text("Kamnik")
    problems.assert_none()


def test_wrong_password_shows_the_error_and_keeps_the_email(page, problems):
    login(page, "municipal", "to ni pravo geslo", expect_success=False)
    expect(page).to_have_url(re.compile(r"/prijava$"))
    expect(page.get_by_role("alert")).to_have_text("Napačen e-poštni naslov ali geslo.")
    expect(page.locator("#email")).to_have_value(ACCOUNTS["municipal"].email)
    expect(page.locator("#password")).to_have_value("")
    problems.assert_none()


def test_language_switch_changes_the_interface_and_is_remembered(page, problems):
    login(page, "language")
    html, nav, h1 = page.locator("html"), page.locator("nav.main-nav"), page.locator("h1")
    expect(html).to_have_attribute("lang", "sl")
    expect(nav).to_contain_text("Organizacije")

    page.locator(".lang-switch button").click()
    expect(html).to_have_attribute("lang", "en")
    expect(h1).to_have_text(f"Welcome, {ACCOUNTS['language'].name}")
    expect(nav).to_contain_text("Organisations")
    expect(page.locator(".lang-switch button")).to_have_text("Slovenščina")

    page.goto("/organizacije/")  # the choice holds on the next page
    expect(html).to_have_attribute("lang", "en")
    expect(h1).to_have_text("Organisations")

    page.locator(".lang-switch button").click()
    expect(page).to_have_url(re.compile(r"/organizacije/$"))  # back on the same page
    expect(html).to_have_attribute("lang", "sl")
    expect(h1).to_have_text("Organizacije")
    page.goto("/")
    expect(html).to_have_attribute("lang", "sl")
    expect(nav).to_contain_text("Pregled")
    problems.assert_none()


def test_typing_filters_organisations_live(page, problems):
    login(page, "municipal")
    page.goto("/organizacije/")
    before = _count(page)
    page.evaluate("window.__notReloaded = true")  # gone if the browser loaded a new page

    with page.expect_response(lambda r: "q=Ljub" in r.url and r.request.headers.get("hx-request") == "true"
                              ) as answer:
        page.locator("#q").press_sequentially("Ljub")  # typed, never submitted
    fragment = answer.value.text()
    assert "<html" not in fragment and "<tbody>" in fragment, "htmx should get the table fragment only"

    expect(page).to_have_url(re.compile(r"/organizacije/\?(.*&)?q=Ljub(&|$)"))  # hx-push-url, after the swap
    expect(page.locator("#org-results")).to_contain_text("Ljubljana")
    expect(page.locator("#org-results .count")).not_to_have_text(before)
    names = _names(page)
    assert names and all("ljub" in n.lower() for n in names), names
    assert int(_count(page).split()[0]) == len(names) < int(before.split()[0])
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded instead of swapped"
    problems.assert_none()


def test_choosing_a_region_shows_only_its_municipalities(page, problems, e2e_app):
    code, name = REGION
    login(page, "municipal")
    page.goto("/organizacije/")
    page.evaluate("window.__notReloaded = true")
    page.locator("#region").select_option(code)

    expect(page).to_have_url(re.compile(rf"[?&]region={code}(&|$)"))
    regions = page.locator("#org-results tbody tr td:nth-child(4)")
    expected = _organisations_in_region(e2e_app, code)
    expect(regions).to_have_count(expected)
    assert set(regions.all_inner_texts()) == {name}
    assert set(page.locator("#org-results tbody tr td:nth-child(2)").all_inner_texts()) == {"Občina"}
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded instead of swapped"
    problems.assert_none()


def test_the_filter_works_without_javascript(new_context, base_url, e2e_app):
    page = new_context("municipal", java_script_enabled=False).new_page()
    problems = BrowserProblems(base_url).watch(page)
    page.goto("/organizacije/")
    before = int(_count(page).split()[0])

    page.fill("#q", "Ljub")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]q=Ljub(&|$)"))
    names = _names(page)
    assert "Ljubljana" in names and all("ljub" in n.lower() for n in names), names
    assert len(names) < before

    code, name = REGION
    page.fill("#q", "")
    page.locator("#region").select_option(code)
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"[?&]region={code}(&|$)"))
    regions = page.locator("#org-results tbody tr td:nth-child(4)").all_inner_texts()
    assert set(regions) == {name} and len(regions) == _organisations_in_region(e2e_app, code)
    problems.assert_none()
