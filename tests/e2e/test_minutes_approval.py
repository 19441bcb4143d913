"""Minutes approved knowingly, in a real browser: the chair circulates the minutes, a member comments,
the chair resolves the comment, sees the checklist of what is still missing, approves only with the
tick that confirms it, revises an item with a reason, and the minutes PDF then says "Popravek –
različica 2"; the first approved version stays downloadable from the history.

The flow changes the shared browser-test database: it uses a meeting of its own
(tests/e2e/minutes_seed.py)."""
from __future__ import annotations

import subprocess

from playwright.sync_api import expect

from tests.e2e.support import ACCOUNTS, watched_page


def _pdf_text(page, link) -> str:
    """Download the PDF behind a link and read its text with pdftotext (poppler-utils)."""
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def test_circulate_comment_resolve_approve_revise(new_context, base_url, ids):
    meeting_url = f"/sestanki/{ids['minutes_flow_meeting']}"
    item_url = f"{meeting_url}/tocke/{ids['minutes_flow_item']}"
    chair, chair_problems = watched_page(new_context, base_url, "ministry")
    member, member_problems = watched_page(new_context, base_url, "municipal")

    # the chair circulates the minutes
    chair.goto(meeting_url)
    chair.get_by_role("button", name="Pošlji v pregled").click()
    expect(chair.locator(".flashes")).to_contain_text("poslan v pregled")

    # the member is told, and comments on item 1
    member.goto("/obvestila")
    expect(member.locator("main")).to_contain_text("Seja DS-IT o potrditvi zapisnika")
    member.goto(item_url + "/pripombe")
    member.locator("#comment-text").fill("Dodajte rok za odziv občin.")
    member.get_by_role("button", name="Dodaj pripombo").click()
    expect(member.locator("#comments")).to_contain_text("Dodajte rok za odziv občin.")

    # the chair sees the open comment on the checklist, resolves it, and it folds away as resolved
    chair.goto(meeting_url)
    chair.get_by_role("link", name="Potrdi zapisnik").click()
    checklist = chair.locator(".minutes-checklist")
    expect(checklist).to_contain_text("Dodajte rok za odziv občin.")
    chair.goto(item_url + "/pripombe")
    chair.get_by_role("button", name="Označi kot razrešeno").click()
    expect(chair.locator(".flashes")).to_contain_text("razrešena")
    resolved = chair.locator(".comment-resolved")
    expect(resolved).to_contain_text("Razrešeno")
    expect(resolved.locator("details")).not_to_have_attribute("open", "")

    # the checklist: the association's attendance and item 2 are still open, the comment is not
    chair.goto(meeting_url + "/zapisnik/potrdi")
    expect(checklist).to_contain_text("Odprti sta še 2 točki")
    expect(checklist).to_contain_text(ACCOUNTS["association"].name)
    expect(checklist).to_contain_text("2. Razno")
    expect(checklist).to_contain_text("Vse pripombe so razrešene.")
    # approving without the tick is refused next to the box; with it the minutes are approved
    chair.get_by_role("button", name="Potrdi zapisnik").click()
    expect(chair.locator(".check-block .error")).to_contain_text("označite polje")
    expect(chair.locator("#confirm")).to_have_attribute("aria-invalid", "true")
    chair.get_by_label("Potrjujem kljub odprtim točkam").check()
    chair.get_by_role("button", name="Potrdi zapisnik").click()
    expect(chair.locator(".flashes")).to_contain_text("Zapisnik je potrjen")
    expect(chair.locator("#minutes-state")).to_contain_text("Potrjen")

    # the chair revises item 1 with a reason
    chair.goto(item_url + "/zapisnik")
    chair.locator("#text").fill("Občine so poslale 46 zahtev.")
    chair.locator("#reason").fill("Popravljeno število zahtev.")
    chair.get_by_role("button", name="Shrani popravek").click()
    expect(chair.locator(".flashes")).to_contain_text("različica 2")

    # the minutes PDF states the correction next to the approval
    chair.goto(meeting_url)
    text = " ".join(_pdf_text(chair, chair.get_by_role("link", name="Zapisnik (PDF)")).split())
    assert "46 zahtev" in text
    assert "Potrditev zapisnika: Marko Ministrski" in text  # his gender is not recorded: the neutral form
    assert "Popravek – različica 2," in text and "razlog: Popravljeno število zahtev." in text

    # the history keeps both approved versions; version 1 is the text as approved, without the correction
    member.goto(item_url + "/zgodovina")
    versions = member.locator(".approved-versions")
    expect(versions).to_contain_text("Različica 2")
    expect(versions).to_contain_text("Popravljeno število zahtev.")
    first = " ".join(_pdf_text(member, versions.get_by_role("link", name="PDF različice 1")).split())
    assert "45 zahtev" in first and "46 zahtev" not in first and "Popravek" not in first
    assert "potrjena različica 1 od 2" in first

    # the member was told of the approval and of the revision
    member.goto("/obvestila")
    expect(member.locator("main")).to_contain_text("je potrjen")
    expect(member.locator("main")).to_contain_text("popravljen (različica 2")
    chair_problems.assert_none()
    member_problems.assert_none()
