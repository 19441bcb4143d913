"""Digi info točke as people do it, in a real browser: a municipal official files a request to host a
point (picking the place on the map), the ministry asks a question and approves it, the applicant
opens the point and the ministry downloads the decision letter and the GeoJSON.

These flows change the shared browser-test database, so this module runs after the page checks
(file order) and only adds rows of its own."""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.support import watched_page


def test_a_request_from_filing_to_an_open_point(new_context, base_url, ids):
    official, problems = watched_page(new_context, base_url, "municipal")
    official.goto("/tocke/")
    official.get_by_role("link", name="Vloga za gostovanje točke").click()
    expect(official.locator("#lat")).not_to_have_value("")  # the municipality's seat is filled in
    # a click on the map sets the coordinates
    official.locator("svg.point-map-pick").click(position={"x": 380, "y": 200})
    lat = float(official.locator("#lat").input_value())
    assert 45.4 < lat < 46.9
    official.locator("#proposed_host_name").fill("Medgeneracijski center Kamnik (e2e)")
    official.locator("#address").fill("Šutna 12, Kamnik")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        official.locator(f"#hours_{day}").fill("8:00-12:00")
    official.locator("#hours_wed").fill("8:00-12:00, 13:00-16:00")
    official.locator("input[name=topics][value=eid]").check()
    official.locator("input[name=topics][value=ezdravje]").check()
    official.locator("#expected_visits").fill("120")
    official.locator("#justification").fill("Starejši v starem mestnem jedru potrebujejo pomoč bližje domu.")
    official.get_by_role("button", name="Shrani osnutek").click()
    expect(official.locator(".flashes")).to_contain_text("shranjena kot osnutek")
    request_url = official.url
    official.get_by_role("button", name="Oddaj ministrstvu").click()
    expect(official.locator(".lead")).to_contain_text("Oddana")
    number = re.search(r"DIT \d{4}/\d+", official.locator("h1").inner_text()).group(0)

    ministry, ministry_problems = watched_page(new_context, base_url, "ministry")
    ministry.goto("/obvestila")
    ministry.get_by_role("button", name=number).first.click()  # a notification opens by its button (a POST)
    expect(ministry).to_have_url(request_url)
    ministry.get_by_role("button", name="Začni pregled").click()
    ministry.locator("#text").fill("Bo točka odprta tudi ob petkih popoldne?")
    ministry.get_by_role("button", name="Dodaj komentar").click()
    expect(ministry.locator("#history")).to_contain_text("ob petkih popoldne")
    ministry.locator("#reason").fill("Lokacija pokriva staro mestno jedro; pogoji so izpolnjeni.")
    ministry.get_by_role("button", name="Odobri").click()
    expect(ministry.locator(".lead")).to_contain_text("Odobrena")
    with ministry.expect_download() as letter:
        ministry.get_by_role("link", name="Odločba (PDF)").click()
    assert letter.value.suggested_filename.startswith("odlocba-dit-")

    official.goto(request_url)
    expect(official.locator("#open")).to_be_visible()
    official.get_by_role("button", name="Odpri točko").click()
    expect(official.locator(".flashes")).to_contain_text("je odprta")
    expect(official.locator("h1")).to_contain_text("Digi info točka Kamnik")

    geojson = json.loads(ministry.request.get("/tocke/izvoz/tocke.geojson").text())
    assert any(f["properties"]["host"] == "Medgeneracijski center Kamnik (e2e)" for f in geojson["features"])
    problems.assert_none()
    ministry_problems.assert_none()
