"""The meeting page in a real browser: agenda and participants change in place with htmx (no page load),
the list filters live, and no flow logs an error or breaks the CSP."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import login


def _titles(page) -> list[str]:
    return [t.split(". ", 1)[1].split("\n")[0].strip() for t in page.locator("#agenda .agenda-head h3").all_inner_texts()]


def test_secretary_changes_agenda_and_attendance_in_place(page, problems, ids):
    login(page, "municipal")
    page.goto(f"/sestanki/{ids['meeting']}")
    page.evaluate("window.__notReloaded = true")
    first = _titles(page)
    assert len(first) == 3, first

    with page.expect_response(lambda r: "/premakni" in r.url and r.request.headers.get("hx-request") == "true") as moved:
        page.locator("#agenda .agenda-item").first.locator("button[value=down]").click()
    assert "<html" not in moved.value.text()
    expect(page.locator("#agenda [role=status]")).to_contain_text("premaknjena navzdol")
    assert _titles(page) == [first[1], first[0], first[2]]

    # add an item, edit it in place, then cancel another edit
    page.fill("#new-item-title", "Razno")
    page.locator("#agenda form[action$='/tocke'] button[type=submit]").click()
    expect(page.locator("#agenda")).to_contain_text("4. Razno")
    page.locator("#agenda .agenda-item").last.get_by_role("link", name=re.compile("Uredi")).click()
    expect(page.locator("#item-title")).to_have_value("Razno")
    page.fill("#item-title", "Razno in zaključek")
    page.locator("#agenda .agenda-item form button.primary").click()
    expect(page.locator("#agenda")).to_contain_text("4. Razno in zaključek")
    page.locator("#agenda .agenda-item").first.get_by_role("link", name=re.compile("Uredi")).click()
    expect(page.locator("#item-title")).to_be_visible()
    page.locator("#agenda").get_by_role("link", name="Prekliči").click()
    expect(page.locator("#item-title")).to_have_count(0)

    # attendance: choosing in the list saves at once
    with page.expect_response(lambda r: "/prisotnost" in r.url) as saved:
        page.locator("#participants ul.participants select").last.select_option("present")
    assert saved.value.status == 200
    expect(page.locator("#participants [role=status]")).to_contain_text("Prisoten")
    expect(page.locator("#participants h3").first).to_have_text("Prisotni (2)")

    # a participant twice: the message next to the field, in place
    page.fill("#person-email", "sos@e2e.si")
    page.locator("#participants form[action$='/oseba'] button[type=submit]").click()
    expect(page.locator("#person-email-error")).to_contain_text("že udeleženec")
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded instead of swapped"
    page.reload()
    assert _titles(page)[0] == first[1]
    expected = [p for p in problems.problems if "/udelezenci/oseba" in p and "422" in p]
    assert len(expected) == 2, problems.problems  # the refused participant: HTTP 422, as it should be
    problems.problems = [p for p in problems.problems if p not in expected]
    problems.assert_none()


def test_meeting_list_filters_live(page, problems):
    login(page, "ministry")
    page.goto("/sestanki/?when=past")
    page.evaluate("window.__notReloaded = true")
    with page.expect_response(lambda r: "q=ministrico" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#q").press_sequentially("ministrico")
    expect(page).to_have_url(re.compile(r"q=ministrico"))
    expect(page.locator("#meeting-results tbody tr")).to_have_count(1)
    expect(page.locator("#meeting-results")).to_contain_text("20. 9. 2022, 10.00–12.00")
    page.locator("#when-upcoming").check()
    expect(page.locator("#meeting-results")).to_contain_text("Noben prihodnji sestanek")
    assert page.evaluate("window.__notReloaded === true")
    problems.assert_none()
