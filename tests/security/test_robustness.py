"""Regression tests of findings 11-16 of the security probe: control characters, the requests
that answered 500, redirects, response headers, state changes on GET, and who may remove a
working group's chair."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions import services as actions
from coordination.actions.models import ActionItem, Notification
from coordination.extensions import db
from coordination.groups import services as groups
from coordination.groups.models import GroupMembership, GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import Conclusion, Visibility
from tests import factories as f
from tests.meetings.helpers import group_with_people, meeting

pytestmark = pytest.mark.usefixtures("no_csrf")

HX = {"HX-Request": "true"}
HUGE = (str(2**63), str(2**64), "99999999999999999999999")


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY)


def _items(session) -> int:
    return session.scalar(select(func.count()).select_from(ActionItem))


# --- 11: control characters ----------------------------------------------------------------------

def test_single_line_fields_refuse_control_characters(client, session, staff):
    f.login(client, staff)
    before = _items(session)
    response = client.post("/naloge/nova", data={"title": "Naslov\x0bz navpičnim tabulatorjem",
                                                 "assignee_org_id": f.municipality("Kamnik").id, "priority": "normal"})
    assert response.status_code == 422 and _items(session) == before
    assert 'id="title-error"' in response.get_data(as_text=True)


def test_an_export_holds_only_what_its_format_can(client, session, staff):
    """One control character in an item broke the XLSX export for everyone who could see it."""
    actions.create_item(title="Poročilo\x0b o \x1bstanju", description="Vrstica\x0c ena",
                        assignee_org=f.municipality("Kamnik"), author=staff)
    f.login(client, staff)
    xlsx = client.get("/naloge/izvoz.xlsx?q=Poročilo")
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as book:
        sheets = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    assert "Poročilo o stanju" in sheets
    csv = client.get("/naloge/izvoz.csv?q=Poročilo")
    assert csv.status_code == 200 and "Poročilo o stanju" in csv.data.decode("utf-8-sig")


# --- 12: requests that answered 500 ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/naloge/{huge}", "/naloge/{huge}/uredi", "/sestanki/{huge}", "/obvestila/{huge}",
                                  "/skupine/{huge}/naloge.pdf", "/razprsitve/{huge}"])
def test_huge_ids_in_paths_are_not_found(client, staff, path):
    f.login(client, staff)
    for huge in HUGE:
        assert client.get(path.format(huge=huge)).status_code == 404


def test_huge_and_strange_numbers_in_fields_and_queries_are_refused(client, session, staff):
    kamnik = f.municipality("Kamnik")
    f.login(client, staff)
    before = _items(session)
    for value in (*HUGE, "²", "١٢", "-5"):
        assert client.post("/naloge/nova", data={"title": "N", "assignee_org_id": value,
                                                 "priority": "normal"}).status_code == 422
        assert client.post("/naloge/nova", data={"title": "N", "assignee_org_id": kamnik.id, "assignee_user_id": value,
                                                 "priority": "normal"}).status_code == 422
        assert client.get(f"/naloge/nova?assignee_org_id={value}", headers=HX).status_code == 200
        assert client.get(f"/naloge/?org={value}&region={value}&meeting={value}").status_code == 200
        assert client.get(f"/sestanki/nov?group={value}").status_code in (200, 404)
        assert client.post("/naloge/seznam/stanje", data={"status": "done", "ids": value}).status_code == 303
    assert _items(session) == before


def test_fan_out_with_huge_municipality_ids_is_refused(client, session, staff):
    conclusion = _public_conclusion(staff)
    f.login(client, staff)
    url = f"/sklepi/{conclusion.id}/razprsitev"
    for value in (*HUGE, "²"):
        assert client.get(f"{url}?scope=chosen&chosen={value}", headers=HX).status_code == 200
        assert client.post(url, data={"title": "R", "scope": "chosen", "chosen": value, "priority": "normal",
                                      "region": value, "association": value}).status_code == 422


def _public_conclusion(author):
    m = meeting(None, title="Javni posvet", visibility=Visibility.PUBLIC, created_by=author)
    return meetings.add_conclusion(m, text="Občine poročajo.", kind="decision", visibility=Visibility.PUBLIC)


def test_whitespace_only_ids_in_the_conclusion_form(client, session, staff):
    m = meeting(None, title="Seja", visibility=Visibility.PUBLIC, created_by=staff)
    f.login(client, staff)
    response = client.post(f"/sestanki/{m.id}/sklepi", data={"text": "Sklep s presledki", "kind": "decision",
                                                             "visibility": "public", "agenda_item": " ",
                                                             "establishes": " \t"})
    assert response.status_code in (302, 422)
    if response.status_code == 302:  # blank means "none"
        saved = session.scalar(select(Conclusion).where(Conclusion.meeting_id == m.id))
        assert saved.agenda_item_id is None and saved.establishes_group_id is None


@pytest.mark.parametrize("until", ["9999-12-31", "0001-01-01"])
def test_the_audit_filter_takes_the_last_and_first_day(client, session, until):
    f.login(client, f.user(Role.ADMIN))
    assert client.get(f"/revizijska-sled/?since=0001-01-01&until={until}").status_code == 200
    assert client.get(f"/revizijska-sled/?since=9999-12-31&until={until}").status_code in (200, 422)


def test_json_bodies_posted_to_forms_are_refused_like_empty_forms(client, session, staff):
    f.login(client, staff)
    before = _items(session)
    for body in ([1, 2], {"title": ["x", {"y": None}], "assignee_org_id": {"a": 1}}, "x", None):
        response = client.post("/naloge/nova", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422
    assert _items(session) == before
    assert client.post("/jezik", data=json.dumps({"lang": "en"}), content_type="application/json").status_code == 400


@pytest.mark.parametrize("target", ["/ok\r\nSet-Cookie: x=1", "/\r\n", "/a\nb", "/\t/evil.example/", "/x\x7f"])
def test_control_characters_in_next_never_reach_a_header(client, session, target):
    user = f.user()
    response = client.post("/prijava?next=" + _quote(target), data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    response = client.post("/jezik", data={"lang": "sl", "next": target})
    assert response.status_code == 302 and response.location == "/"


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# --- 13: one safe_next for every redirect ----------------------------------------------------------

@pytest.mark.parametrize("target", ["/\t/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/",
                                    "/ok\r\nLocation: //evil.example"])
def test_the_minutes_workflow_never_redirects_off_site(client, session, target):
    group, people = group_with_people()
    m = meeting(group)
    item = meetings.add_agenda_item(m, title="Točka", visibility=Visibility.INTERNAL)
    meetings.save_minutes(item, text="Zapis.", base_version=0, author=people[GroupRole.SECRETARY])
    f.login(client, people[GroupRole.SECRETARY])
    response = client.post(f"/sestanki/{m.id}/zapisnik/v-pregled", data={"next": target})
    assert response.status_code == 302
    location = response.location
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location
    assert not any(c in location for c in "\t\r\n\\")


def test_a_local_next_is_still_followed(client, session):
    group, people = group_with_people()
    m = meeting(group)
    item = meetings.add_agenda_item(m, title="Točka", visibility=Visibility.INTERNAL)
    meetings.save_minutes(item, text="Zapis.", base_version=0, author=people[GroupRole.SECRETARY])
    f.login(client, people[GroupRole.SECRETARY])
    here = f"/sestanki/{m.id}/tocke/{item.id}/zapisnik"
    assert client.post(f"/sestanki/{m.id}/zapisnik/v-pregled", data={"next": here}).location == here


# --- 14: headers -----------------------------------------------------------------------------------

def test_signed_in_answers_are_not_stored_by_caches(client, session, staff):
    f.login(client, staff)
    for path in ("/", "/koledar/", "/naloge/", "/naloge/izvoz.csv", "/naloge/izvoz.xlsx", "/obvestila/stevec",
                 "/sestanki/999999"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "private, no-store", path
    csv = client.get("/naloge/izvoz.csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_public_pages_and_feeds_keep_their_own_caching(client, session):
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")
    assert client.get("/prijava").headers.get("Cache-Control") == "private, no-store"  # a form with a CSRF token


# --- 15: no state change on GET; 404 where 403 would confirm that a record exists ------------------

def test_opening_a_notification_by_get_changes_nothing_and_post_marks_it_read(client, session, staff):
    official = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))
    item = actions.create_item(title="Naloga", assignee_org=official.organisation, author=staff)
    note = session.scalar(select(Notification).where(Notification.user_id == official.id))
    f.login(client, official)
    response = client.get(f"/obvestila/{note.id}")
    assert response.status_code == 302 and response.location == f"/naloge/{item.id}"
    session.refresh(note)
    assert note.read_at is None
    response = client.post(f"/obvestila/{note.id}")
    assert response.status_code == 303 and response.location == f"/naloge/{item.id}"
    session.refresh(note)
    assert note.read_at is not None


def test_looking_at_the_calendar_page_makes_no_token(client, session, staff):
    f.login(client, staff)
    assert client.get("/koledar/").status_code == 200
    session.refresh(staff)
    assert staff.calendar_token is None


def test_records_one_may_not_see_are_not_found_rather_than_forbidden(client, session, staff):
    group, people = group_with_people()
    internal = meeting(group, visibility=Visibility.INTERNAL)
    item = actions.create_item(title="Tuja naloga", assignee_org=f.municipality("Koper"), author=staff)
    f.login(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    for path in (f"/sestanki/{internal.id}", f"/sestanki/{internal.id}/sklepi", f"/sestanki/{internal.id}.ics",
                 f"/sestanki/{internal.id}/zapisnik.pdf", f"/naloge/{item.id}", f"/naloge/{item.id}/uredi"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/naloge/{item.id}/status", data={"status": "done"}).status_code == 404
    # whoever sees the record but may not change it is told so
    client.post("/odjava")
    f.login(client, people[GroupRole.MEMBER])
    assert client.get(f"/sestanki/{internal.id}/uredi").status_code == 403


# --- 16: a secretary runs the group but does not remove or demote its chair ------------------------

def test_a_secretary_may_not_remove_or_demote_the_chair(client, session):
    group, people = group_with_people()
    chair = f.user(Role.MUNICIPAL, f.municipality("Kamnik"), name="Predsednica Skupine")
    seat = groups.add_member(group, organisation_id=chair.organisation_id, user_id=chair.id, role=GroupRole.CHAIR,
                             valid_from=None, valid_until=None)
    member = next(m for m in group.memberships if m.role == GroupRole.MEMBER)
    f.login(client, people[GroupRole.SECRETARY])
    assert client.post(f"/skupine/{group.id}/clani/{seat.id}/odstrani").status_code == 403
    assert db.session.get(GroupMembership, seat.id) is not None
    assert client.post(f"/skupine/{group.id}/clani/{member.id}/odstrani").status_code == 302  # others: yes
    client.post("/odjava")
    f.login(client, chair)
    assert client.post(f"/skupine/{group.id}/clani/{seat.id}/odstrani").status_code == 302  # the chair may
    client.post("/odjava")
    f.login(client, f.user(Role.MINISTRY))
    secretary = next(m for m in group.memberships if m.role == GroupRole.SECRETARY)
    assert client.post(f"/skupine/{group.id}/clani/{secretary.id}/odstrani").status_code == 302  # staff may


# --- found by the fuzz test ------------------------------------------------------------------------

def test_a_conclusion_with_a_fan_out_is_not_deleted(client, session, staff):
    """Deleting it tried to empty its fan-outs' conclusion (a 500); it would also have taken every
    municipality's item. Refused, nothing changes."""
    from coordination.actions.models import FanOut, FanOutScope

    conclusion = _public_conclusion(staff)
    actions.fan_out(conclusion, title="Poročati", author=staff, scope=FanOutScope.CHOSEN,
                    chosen=[f.municipality("Kamnik").id])
    f.login(client, staff)
    response = client.post(f"/sestanki/{conclusion.meeting_id}/sklepi/{conclusion.id}/izbrisi")
    assert response.status_code == 409
    assert db.session.get(Conclusion, conclusion.id) is not None
    assert session.scalar(select(func.count()).select_from(FanOut)) == 1 and _items(session) == 1


@pytest.mark.parametrize("where", ["query", "form", "path"])
def test_a_nul_character_is_refused_before_anything_is_read(client, session, staff, where):
    """PostgreSQL cannot store NUL in text: a search, a filter or a description with one answered 500."""
    f.login(client, staff)
    before = _items(session)
    if where == "query":
        response = client.get("/uporabniki?q=a%00b")
    elif where == "form":
        response = client.post("/naloge/nova", data={"title": "Naslov", "description": "a\x00b", "priority": "normal",
                                                     "assignee_org_id": f.municipality("Kamnik").id})
    else:
        response = client.get("/koledar/a%00b.ics")
    assert response.status_code == 400 and _items(session) == before
