"""The action-item work as people do it, in a real browser: a municipal official finds what the
municipality owes and updates it from the list; the ministry fans a task out to all 212
municipalities, watches the matrix fill, reminds the late ones and downloads the status report.

These flows change the shared browser-test database, so this module runs after the page checks
(file order) and only adds rows of its own."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import watched_page


def test_official_finds_what_the_municipality_owes_and_updates_it_from_the_list(new_context, base_url, ids):
    page, problems = watched_page(new_context, base_url, "municipal")
    page.goto("/")
    owed = page.locator("section", has=page.get_by_role("heading", name=re.compile("Naloge moje organizacije")))
    expect(owed).to_contain_text("Poslati seznam skrbnikov podatkov")
    expect(owed).to_contain_text("zamuja")
    # one click from the navigation's list to "ours"
    page.get_by_role("navigation", name="Glavna navigacija").get_by_role("link", name="Naloge").click()
    page.get_by_role("link", name="Moje in moje organizacije").click()
    expect(page).to_have_url(re.compile(r"/naloge/\?mine=1$"))
    rows = page.locator("table.action-items tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Poslati seznam skrbnikov podatkov")  # overdue first
    row = page.locator(f"#item-row-{ids['own_action']}")
    row.locator("select[name=status]").select_option("in_progress")
    with page.expect_response(lambda r: "/seznam/" in r.url and r.request.method == "POST") as answer:
        row.get_by_role("button", name="Spremeni").click()
    assert answer.value.status == 200 and answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator(f"#item-row-{ids['own_action']} .item-status")).to_have_text("V teku")
    expect(page).to_have_url(re.compile(r"/naloge/\?mine=1$"))  # swapped in place, no navigation
    page.reload()
    expect(page.locator(f"#item-row-{ids['own_action']} .row-status .item-status")).to_have_text("V teku")
    problems.assert_none()


def test_ministry_fans_out_watches_the_matrix_reminds_and_exports(new_context, base_url, ids):
    ministry, problems = watched_page(new_context, base_url, "ministry")
    ministry.goto(f"/sklepi/{ids['fanout_conclusion']}/razprsitev")
    ministry.locator("[name=title]").fill("Sporočiti kontakt za Digi info točko")
    ministry.locator("input[name=scope][value=all]").check()
    ministry.locator("[name=due_date]").fill("1.10.2099")
    ministry.locator("#fanout-submit").click()
    # the check step: what reaches whom, who is told; nothing is made until it is confirmed
    expect(ministry.locator("h1")).to_have_text("Preverite, preden razpošljete občinam")
    expect(ministry.locator("main")).to_contain_text("Zajame 212 občin")
    expect(ministry.locator("main")).to_contain_text("nima računa v delovnem prostoru")
    ministry.locator("#fanout-confirm").click()
    expect(ministry).to_have_url(re.compile(r"/razprsitve/\d+$"), timeout=15_000)
    expect(ministry.locator(".flashes")).to_contain_text("Ustvarjenih je 212 nalog.")
    fanout_url = ministry.url
    expect(ministry.locator(".progress-figure")).to_contain_text("0 od 212")

    # Kamnik reports it done from its list
    official, official_problems = watched_page(new_context, base_url, "municipal")
    official.goto("/naloge/?mine=1&q=Digi")
    row = official.locator("table.action-items tbody tr", has_text="Sporočiti kontakt za Digi info točko")
    row.locator("select[name=status]").select_option("done")
    row.get_by_role("button", name="Spremeni").click()
    expect(row.locator(".item-status")).to_have_text("Opravljena")  # the tag, not the drop-down's option
    official_problems.assert_none()

    # the matrix shows it, and the ministry reminds the 211 others
    ministry.goto(fanout_url)
    expect(ministry.locator(".progress-figure")).to_contain_text("1 od 212")
    expect(ministry.locator("main")).to_contain_text("Kamnik")
    ministry.get_by_role("link", name=re.compile(r"Opomni 211 občin")).click()
    # before sending: how many will receive it, and which municipalities have no account
    expect(ministry.locator("h1")).to_have_text("Opomnimo 211 občin?")
    expect(ministry.locator("main")).to_contain_text("Opomnik bo prejela 1 občina")
    expect(ministry.locator("p.no-account")).to_contain_text("Kranj")
    ministry.get_by_role("button", name="Pošlji opomnik 1 občini").click()
    # only municipalities with accounts get a reminder (here Ljubljana); the others are said to be skipped
    expect(ministry.locator(".flashes")).to_contain_text("Opomnjena je 1 občina.")
    expect(ministry.locator(".flashes")).to_contain_text("nihče nima računa")
    # find it by name (live, as typed): the matrix says when it was reminded
    ministry.locator("#q").fill("Ljublj")  # also "Dol pri Ljubljani"
    expect(ministry.locator("li.cell")).to_have_count(2)
    expect(ministry.locator("li.cell", has_text=re.compile(r"^\s*Ljubljana"))).to_contain_text("opomnjena")
    expect(ministry.locator("li.cell", has_text="Dol pri Ljubljani")).not_to_contain_text("opomnjena")
    expect(ministry).to_have_url(re.compile(r"[?&]q=Ljublj"))
    with ministry.expect_download() as download:
        ministry.get_by_role("link", name=re.compile("Poročilo o stanju")).click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    problems.assert_none()


def test_official_writes_a_note_without_touching_the_status_then_changes_it_deliberately(new_context, base_url, ids):
    page, problems = watched_page(new_context, base_url, "municipal")
    page.goto(f"/naloge/{ids['own_action']}")
    status = page.locator("form.status-form select[name=status]")
    before = status.input_value()  # starts at the item's own status, not at the first option
    assert before in {"open", "in_progress", "blocked"}
    page.locator("form.status-form [name=note]").fill("Poklicali smo ministrstvo.")
    page.locator("form.status-form").get_by_role("button", name="Shrani").click()
    expect(page.locator("#progress")).to_contain_text("Zapis dodan; stanje ostaja")
    expect(page.locator("#progress .item-log")).to_contain_text("Poklicali smo ministrstvo.")
    assert status.input_value() == before
    # a different status is a deliberate choice, and the log shows the change
    status.select_option("blocked" if before != "blocked" else "in_progress")
    page.locator("form.status-form").get_by_role("button", name="Shrani").click()
    expect(page.locator("#progress")).to_contain_text("Stanje spremenjeno")
    expect(page.locator("#progress .item-log-change").first).to_be_visible()
    problems.assert_none()
