"""The data-steward registry as people use it, in a real browser: a municipal official updates the
steward's business phone in a minute; the ministry sees national coverage, asks the uncovered
municipalities to nominate in one step, confirms a nomination (closing that municipality's item)
and exports the registry and its DCAT-AP.

These flows change the shared browser-test database, so this module runs after the page checks
(file order) and only adds rows of its own."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import watched_page


def test_official_updates_the_steward_in_a_minute(new_context, base_url, ids):
    page, problems = watched_page(new_context, base_url, "municipal")
    page.goto("/")
    page.get_by_role("navigation", name="Glavna navigacija").get_by_role("link", name="Skrbniki podatkov").click()
    page.locator("#q").fill("Kamnik")
    page.get_by_role("button", name="Filtriraj").click()
    page.get_by_role("link", name="Kamnik", exact=True).first.click()
    page.get_by_role("link", name="Tina Vzorec").click()
    page.get_by_role("link", name="Uredi").click()
    page.locator("#phone").fill("01 831 81 00")
    page.get_by_role("button", name="Shrani").click()
    expect(page.locator(".flashes")).to_contain_text("Spremembe so shranjene.")
    expect(page.locator("dl.facts")).to_contain_text("01 831 81 00")
    expect(page.locator("#history-title")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("01 831 81 00")
    problems.assert_none()


def test_ministry_asks_the_uncovered_confirms_and_exports(new_context, base_url, ids):
    page, problems = watched_page(new_context, base_url, "ministry")
    page.goto("/skrbniki/pokritost")
    expect(page.locator(".lead")).to_contain_text("od 212 občin ima potrjenega skrbnika")
    expect(page.locator("svg.coverage-map circle")).not_to_have_count(0)
    page.get_by_role("link", name=re.compile("Pozovi .* k imenovanju")).click()
    page.locator("#due_date").fill("31. 1. 2099")
    page.get_by_role("button", name=re.compile(r"Pošlji \d+ nalog")).click()
    expect(page).to_have_url(re.compile(r"/razprsitve/\d+$"), timeout=15_000)
    expect(page.locator(".flashes")).to_contain_text("pozvan")
    fanout_url = page.url

    page.goto(f"/skrbniki/imenovanja/{ids['steward_nominated']}")
    page.get_by_role("button", name="Potrdi imenovanje").click()
    expect(page.locator(".flashes")).to_contain_text("je potrjeno")
    expect(page.locator("h1 .tag")).to_have_text("Potrjeno")

    page.goto(fanout_url + "?status=done")
    expect(page.locator("#matrix-results")).to_contain_text("Ljubljana")

    with page.expect_download() as download:
        page.goto("/skrbniki/")
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    response = page.request.get("/skrbniki/dcat.ttl")
    assert response.status == 200 and "dcat:Dataset" in response.text()
    problems.assert_none()
