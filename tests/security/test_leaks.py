"""Cross-reader checks (findings 1-5 of the security probe): what a reader may not see appears in
no page, fragment, search result, PDF, export or feed of theirs.

The world: a working group TAJQ7 of the ministry with a confidential meeting ("Xenolit", register
TAJQ7 2031/1) and an internal one ("Hematit", TAJQ7 2031/2). Kamnik owes an item of the confidential
conclusion, and the internal conclusion is fanned out to Kamnik and Ljubljana; Kamnik is a member
of SOS. So Kamnik's official sees both items and SOS staff follow Kamnik's row of the fan-out, but
neither may see the meetings, their register numbers or the conclusions' texts.
"""
from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions import services as actions
from coordination.actions.models import ActionItem, FanOutScope
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import ConclusionKind, Visibility
from coordination.organisations import services as organisations
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")

HX = {"HX-Request": "true"}
# what must not reach the readers: meeting titles, register numbers and conclusion texts
SECRETS = ("Xenolit", "TAJQ7 2031/1", "Hematit", "TAJQ7 2031/2", "hematitu")


def _meeting(title, visibility, group, author, day):
    start = datetime(2031, 3, day, 8, tzinfo=UTC)
    return meetings.create_meeting(title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                                   place="Ljubljana", online_url=None, visibility=visibility, group=group,
                                   organisers=[f.by_short_name("MDP")], created_by=author)


@pytest.fixture
def world(session):
    staff = f.user(Role.MINISTRY, name="Mojca Ministrska")
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    organisations.set_memberships(kamnik, [f.by_short_name("SOS")])
    readers = {"municipal": f.user(Role.MUNICIPAL, kamnik, name="Kamničan Bralec"),
               "association": f.user(Role.ASSOCIATION, name="Sosovka Bralka")}
    group = groups.create_group(name="Tajna skupina", code="TAJQ7", mandate="")
    groups.add_member(group, organisation_id=staff.organisation_id, user_id=staff.id, role=GroupRole.CHAIR,
                      valid_from=None, valid_until=None)
    secret = _meeting("Zaupni sestanek Xenolit", Visibility.CONFIDENTIAL, group, staff, 3)
    meetings.add_participant(secret, organisation=staff.organisation, user=staff)
    confidential = meetings.add_conclusion(secret, text="Sklep o Xenolitu ostane zaupen.",
                                           kind=ConclusionKind.DECISION, visibility=Visibility.CONFIDENTIAL)
    internal_meeting = _meeting("Notranja seja Hematit", Visibility.INTERNAL, group, staff, 4)
    internal = meetings.add_conclusion(internal_meeting, text="Notranji sklep o hematitu.",
                                       kind=ConclusionKind.DECISION, visibility=Visibility.INTERNAL)
    item = actions.create_item(title="Poročilo kvarcit Kamnik", assignee_org=kamnik, author=staff,
                               conclusion=confidential, due_date=date(2031, 4, 1))
    fanout = actions.fan_out(internal, title="Razpršena naloga kvarcit", author=staff, scope=FanOutScope.CHOSEN,
                             chosen=[kamnik.id, ljubljana.id])
    assert confidential.register_number == "TAJQ7 2031/1" and internal.register_number == "TAJQ7 2031/2"
    spread = next(i for i in fanout.items if i.assignee_org_id == kamnik.id)
    return {"readers": readers, "item": item, "fanout": fanout, "spread": spread, "group": group,
            "kamnik": kamnik, "staff": staff}


def _text(response) -> str:
    """What a response shows a person: the page, or the text of a PDF, CSV or XLSX."""
    body = response.data
    if response.mimetype == "application/pdf":
        return subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()
    if body.startswith(b"PK"):  # XLSX: the sheet and its shared strings
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    return body.decode("utf-8-sig")


def _surfaces(w) -> list[tuple[str, dict]]:
    item, fanout, spread = w["item"].id, w["fanout"].id, w["spread"].id
    kamnik, group = w["kamnik"].id, w["group"].id
    return [
        ("/", {}), ("/obvestila", {}),
        ("/iskanje?q=kvarcit", {}), ("/iskanje?q=kvarcit", HX), ("/iskanje?q=kvarcit&kind=item", {}),
        (f"/naloge/{item}", {}), (f"/naloge/{spread}", {}),
        ("/naloge/", {}), ("/naloge/?q=kvarcit", HX), ("/naloge/?sort=assignee", {}),
        ("/naloge/izvoz.csv", {}), ("/naloge/izvoz.xlsx", {}),
        (f"/razprsitve/{fanout}", {}), (f"/razprsitve/{fanout}?status=open", HX),
        (f"/razprsitve/{fanout}/porocilo.pdf", {}), (f"/razprsitve/{fanout}/opomni", {}),
        (f"/organizacije/{kamnik}/naloge.pdf", {}), (f"/skupine/{group}/naloge.pdf", {}),
        (f"/skupine/{group}", {}), ("/sklepi/", {}), ("/sklepi/?q=notranji", {}),
    ]


@pytest.mark.parametrize("reader", ["municipal", "association"])
def test_what_a_reader_may_not_see_appears_nowhere(client, world, reader):
    """Findings 1-3: search results, the item pages, the list and its exports, the fan-out's matrix,
    reminder page and report, and the other reports name no meeting, register number or conclusion
    text the reader may not see."""
    f.login(client, world["readers"][reader])
    leaks, shown = [], 0
    for path, headers in _surfaces(world):
        response = client.get(path, headers=headers)
        assert response.status_code < 500, path
        text = _text(response)
        shown += response.status_code == 200 and "kvarcit" in text
        leaks += [f"{path}{' (htmx)' if headers else ''}: {secret}" for secret in SECRETS if secret in text]
    assert not leaks, "\n".join(leaks)
    assert shown >= 6  # the reader does see the items themselves


def test_search_names_the_source_meeting_only_to_those_who_see_the_conclusion(client, world):
    """Finding 1, from the other side: whoever may see the conclusion still finds where an item came from."""
    f.login(client, world["staff"])
    text = client.get("/iskanje?q=kvarcit&kind=item").get_data(as_text=True)
    assert "Zaupni sestanek Xenolit" in text and "Notranja seja Hematit" in text


def test_fan_out_matrix_and_report_show_the_source_to_those_who_see_it(client, world):
    """Finding 2, from the other side: the staff still see the source in the matrix and its report."""
    f.login(client, world["staff"])
    page = client.get(f"/razprsitve/{world['fanout'].id}").get_data(as_text=True)
    assert "Notranja seja Hematit" in page and "TAJQ7 2031/2" in page
    report = _text(client.get(f"/razprsitve/{world['fanout'].id}/porocilo.pdf"))
    assert "TAJQ7 2031/2" in report and "hematitu" in report


# --- finding 4: a group's feed follows its membership ---------------------------------------------

def _group_feed_path(client) -> str:
    """The reader's address of their working group's calendar (made on request, never by looking)."""
    client.post("/koledar/ponastavi")
    html = client.get("/koledar/").get_data(as_text=True)
    start = html.index("http://localhost/koledar/skupina/")
    return html[start:html.index(".ics", start) + 4].removeprefix("http://localhost")


@pytest.mark.parametrize("leaves", ["removed", "expired"])
def test_a_group_feed_stops_when_its_reader_leaves_the_group(client, session, world, leaves):
    member = f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))
    seat = groups.add_member(world["group"], organisation_id=member.organisation_id, user_id=member.id,
                             role=GroupRole.MEMBER, valid_from=None, valid_until=None)
    f.login(client, member)
    path = _group_feed_path(client)
    client.post("/odjava")
    feed = client.get(path)
    assert feed.status_code == 200 and "Notranja seja Hematit" in feed.get_data(as_text=True)
    if leaves == "removed":
        groups.remove_member(seat)
    else:
        seat.valid_until = date.today() - timedelta(days=2)
        session.commit()
    after = client.get(path)
    assert after.status_code == 404 and "Hematit" not in after.get_data(as_text=True)


# --- finding 5: association staff assign to their members and themselves --------------------------

@pytest.fixture
def koper_person(session):
    return f.user(Role.MUNICIPAL, f.municipality("Koper"), name="Tuja Koprčanka")


def _items(session) -> int:
    return session.scalar(select(func.count()).select_from(ActionItem))


def test_association_staff_assign_only_to_members_and_themselves(client, session, world, koper_person):
    sos = f.by_short_name("SOS")
    f.login(client, world["readers"]["association"])
    form = client.get("/naloge/nova").get_data(as_text=True)
    assert f'value="{world["kamnik"].id}"' in form and f'value="{sos.id}"' in form
    assert f'value="{koper_person.organisation_id}"' not in form
    before = _items(session)
    refused = client.post("/naloge/nova", data={"title": "Tuja naloga", "assignee_org_id": koper_person.organisation_id,
                                                "priority": "normal"})
    assert refused.status_code == 422 and _items(session) == before
    for org in (world["kamnik"], sos):
        made = client.post("/naloge/nova", data={"title": f"Naloga za {org.name}", "assignee_org_id": org.id,
                                                 "priority": "normal"})
        assert made.status_code == 302
    assert _items(session) == before + 2


def test_the_person_picker_and_its_errors_reveal_nobody_outside(client, session, world, koper_person):
    f.login(client, world["readers"]["association"])
    picker = client.get(f"/naloge/nova?assignee_org_id={koper_person.organisation_id}", headers=HX)
    assert picker.status_code in (200, 422) and "Tuja Koprčanka" not in picker.get_data(as_text=True)
    before = _items(session)
    response = client.post("/naloge/nova", data={"title": "Naloga", "assignee_org_id": world["kamnik"].id,
                                                 "assignee_user_id": koper_person.id, "priority": "normal"})
    assert response.status_code == 422 and _items(session) == before
    body = response.get_data(as_text=True)
    assert "Tuja Koprčanka" not in body and "Koper" not in body
    mine = client.get(f"/naloge/nova?assignee_org_id={world['kamnik'].id}", headers=HX).get_data(as_text=True)
    assert "Kamničan Bralec" in mine  # a member's people are offered
