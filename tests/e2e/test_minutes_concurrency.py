"""Two members of one working group write the minutes of the same agenda item at once, each in a browser
of their own: the autosaves never overwrite each other, the one left behind sees both texts and loses
nothing, and the text saved first stays in the database."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from coordination.extensions import db
from coordination.meetings.models import AgendaItem, MinutesVersion
from tests.e2e.support import ACCOUNTS, BrowserProblems

TEXT_A = "Občine so poslale 45 zahtev; rok za odziv je 31. maj."
MORE_A = "\n\nSklep: zahteve združi Kamnik."
TEXT_B = "Zapisal sem drugače: 44 zahtev, rok je konec junija."


def _saved(app, item_id: int) -> tuple[str, int, list[tuple[int, str, str]]]:
    """The item's text and version as the database has them, and every version (number, author, text)."""
    with app.app_context():
        try:
            item = db.session.get(AgendaItem, item_id)
            versions = db.session.scalars(select(MinutesVersion).where(MinutesVersion.item_id == item_id)
                                          .order_by(MinutesVersion.version)).all()
            return item.minutes, item.minutes_version, [(v.version, v.author.name, v.text) for v in versions]
        finally:
            db.session.remove()


def test_two_members_edit_the_same_item_at_once(new_context, ids, e2e_app, base_url):
    item_id = ids["minutes_shared_item"]
    url = f"/sestanki/{ids['minutes_draft_meeting']}/tocke/{item_id}/zapisnik"
    _, start, _ = _saved(e2e_app, item_id)
    watched = BrowserProblems(base_url)
    a = new_context("ministry").new_page()
    b = new_context("municipal").new_page()
    for page in (a, b):
        watched.watch(page)
        page.goto(url)
        expect(page.locator("#base_version")).to_have_value(str(start))

    # A types; the autosave reports the time and hands the page the new version
    a.locator("#text").fill(TEXT_A)
    expect(a.locator("#minutes-status")).to_contain_text(re.compile(r"Shranjeno ob \d{1,2}\.\d\d"))
    expect(a.locator("#base_version")).to_have_value(str(start + 1))
    expect(a.locator("#minutes-preview")).to_contain_text("45 zahtev")
    # A goes on typing: the next autosave starts from that version and is not refused
    a.locator("#text").press("End")
    a.locator("#text").type(MORE_A)
    expect(a.locator("#base_version")).to_have_value(str(start + 2))
    assert _saved(e2e_app, item_id)[:2] == (TEXT_A + MORE_A, start + 2)

    # B's page still holds the old version: B types, the autosave is refused and both texts are shown
    b.locator("#text").fill(TEXT_B)
    alert = b.locator("#minutes-editor [role=alert]")
    expect(alert).to_contain_text("Ni shranjeno")
    expect(b.locator("#text")).to_have_value(TEXT_B)  # nothing B typed is lost
    current = b.locator(".minutes-current")
    expect(current).to_contain_text(TEXT_A.split(";")[0])
    expect(current).to_contain_text(ACCOUNTS["ministry"].name)
    expect(b.locator("#base_version")).to_have_value(str(start + 2))  # B continues from A's version
    assert _saved(e2e_app, item_id)[:2] == (TEXT_A + MORE_A, start + 2)  # A's text is intact

    # the autosave has stopped: B's further typing saves nothing by itself
    b.locator("#text").press("End")
    b.locator("#text").type(" Dodajam še eno misel.")
    b.wait_for_timeout(2500)
    assert _saved(e2e_app, item_id)[:2] == (TEXT_A + MORE_A, start + 2)

    # B merges both texts and saves on purpose: a new version on top of A's
    merged = TEXT_A + MORE_A + "\n\nOpomba: " + TEXT_B
    b.locator("#text").fill(merged)
    b.get_by_role("button", name="Shrani moje besedilo kot novo različico").click()
    expect(b.locator(".flashes")).to_contain_text(f"različica {start + 3}")
    expect(b.locator("#text")).to_have_value(merged)
    text, version, versions = _saved(e2e_app, item_id)
    assert (text, version) == (merged, start + 3)
    assert [(v, who) for v, who, _ in versions[-3:]] == [
        (start + 1, ACCOUNTS["ministry"].name), (start + 2, ACCOUNTS["ministry"].name),
        (start + 3, ACCOUNTS["municipal"].name)]
    assert versions[-2][2] == TEXT_A + MORE_A  # every version kept, A's among them

    # now A's page is the one left behind: A's next autosave is refused the same way
    a.locator("#text").press("End")
    a.locator("#text").type(" A piše naprej.")
    expect(a.locator("#minutes-editor [role=alert]")).to_contain_text("Ni shranjeno")
    assert _saved(e2e_app, item_id)[:2] == (merged, start + 3)

    # the refused autosaves are the only requests that failed; nothing else went wrong in either browser
    conflicts = [p for p in watched.problems if p.startswith("HTTP 409 for POST") and p.endswith(url)]
    assert len(conflicts) == 2
    assert [p for p in watched.problems if p not in conflicts] == []
