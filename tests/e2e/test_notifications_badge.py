"""The unread badge in the header follows the notifications without a page reload (htmx): marking one
read in the list sends `HX-Trigger: notifications-changed`, on which the badge fetches its count."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.support import login


def test_marking_read_updates_the_badge_without_a_reload(page, problems):
    login(page, "language")  # Ljubljana's official: her municipality was assigned the fan-out item
    page.goto("/obvestila")
    expect(page.locator("#notification-badge .count")).to_have_text("1")
    expect(page.locator("#notification-badge")).to_have_attribute("aria-current", "page")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    page.locator("#notifications li.unread form.mark-read button").first.click()
    expect(page.locator("#notifications li.unread")).to_have_count(0)
    expect(page.locator("#notification-badge .count")).to_have_count(0)
    expect(page.locator("#notification-badge")).to_have_text("Obvestila")
    expect(page.locator("#notification-badge")).to_have_attribute("aria-current", "page")
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
    problems.assert_none()
