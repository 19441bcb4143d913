"""Managing a meeting's conclusions: add, edit, delete, reorder, and the working groups they establish."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.groups import services as groups
from coordination.groups.models import GroupRole, WorkingGroup
from coordination.meetings import services
from coordination.meetings.models import Conclusion, ConclusionKind, RegisterCounter, Visibility
from tests import factories as f
from tests.meetings import helpers as h

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def setting(session):
    """A group meeting (internal) with two agenda items; its secretary and member; another meeting."""
    group, people = h.group_with_people()
    meeting = h.meeting(group)
    items = [services.add_agenda_item(meeting, title=t, visibility=Visibility.INTERNAL)
             for t in ("Uvod", "Zahteve občin")]
    other = h.meeting(None, title="Drug sestanek", visibility=Visibility.PUBLIC)
    foreign = services.add_agenda_item(other, title="Tuja točka", visibility=Visibility.PUBLIC)
    return {"group": group, "people": people, "meeting": meeting, "items": items, "other": other,
            "foreign": foreign}


def _as(client, user):
    f.login(client, user)
    return client


def _add(client, meeting, **data):
    form = {"text": "Sklep", "kind": "decision", "visibility": "internal", "agenda_item": "", "establishes": ""}
    form.update(data)
    return client.post(f"/sestanki/{meeting.id}/sklepi", data=form)


def _conclusions(session, meeting):
    session.expire_all()
    return session.scalars(select(Conclusion).where(Conclusion.meeting_id == meeting.id)
                           .order_by(Conclusion.number)).all()


def test_secretary_records_numbered_conclusions_with_register_numbers(client, session, setting):
    secretary = _as(client, setting["people"][GroupRole.SECRETARY])
    meeting = setting["meeting"]
    for text in ("Ustanovi se delovna skupina.", "Občine pošljejo zahteve.", "Naslednja seja bo maja."):
        response = _add(secretary, meeting, text=text, agenda_item=str(setting["items"][1].id))
        assert response.status_code == 302
    rows = _conclusions(session, meeting)
    assert [c.number for c in rows] == [1, 2, 3]
    assert [c.register_number for c in rows] == ["DS-IT 2024/1", "DS-IT 2024/2", "DS-IT 2024/3"]
    assert all(c.agenda_item_id == setting["items"][1].id for c in rows)
    html = secretary.get(f"/sestanki/{meeting.id}/sklepi").get_data(as_text=True)
    assert "Občine pošljejo zahteve." in html and "DS-IT 2024/3" in html and "Sklep 3" in html


@pytest.mark.parametrize("data, message", [
    ({"text": ""}, "obvezno"),
    ({"text": "x" * 10001}, "10000 znakov"),
    ({"kind": "decree"}, "Neveljavna izbira"),
    ({"visibility": "secret"}, "Neveljavna izbira"),
    ({"agenda_item": "FOREIGN"}, "Neveljavna izbira"),
    ({"agenda_item": "abc"}, "Neveljavna izbira"),
    ({"establishes": "999999"}, "Neveljavna izbira"),
    ({"establishes": "new", "group_name": "", "group_code": ""}, "ime"),
    ({"establishes": "new", "group_name": "Nova skupina", "group_code": "DS IT!"}, "DS-IT"),
])
def test_bad_input_is_refused_and_changes_nothing(client, session, setting, data, message):
    ministry = _as(client, f.user(Role.MINISTRY))
    if data.get("agenda_item") == "FOREIGN":
        data = {**data, "agenda_item": str(setting["foreign"].id)}
    groups_before = session.scalar(select(func.count()).select_from(WorkingGroup))
    response = _add(ministry, setting["meeting"], **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _conclusions(session, setting["meeting"]) == []
    assert session.scalar(select(func.count()).select_from(WorkingGroup)) == groups_before
    assert session.scalar(select(func.count()).select_from(RegisterCounter)) == 0


def test_a_conclusion_establishes_an_existing_group_once(client, session, setting):
    ministry = _as(client, f.user(Role.MINISTRY))
    target = groups.create_group(name="Medresorska delovna skupina", code="MDS", mandate="")
    assert _add(ministry, setting["meeting"], establishes=str(target.id)).status_code == 302
    first = _conclusions(session, setting["meeting"])[0]
    assert first.establishes_group_id == target.id
    # the group is no longer offered, and picking it anyway is refused
    page = ministry.get(f"/sestanki/{setting['meeting'].id}/sklepi").get_data(as_text=True)
    assert "Medresorska delovna skupina (MDS)</option>" not in page
    again = _add(ministry, setting["meeting"], text="Drugi", establishes=str(target.id))
    assert again.status_code == 422 and len(_conclusions(session, setting["meeting"])) == 1
    # linked both ways: the group page names the conclusion, the conclusion list names the group
    group_page = ministry.get(f"/skupine/{target.id}").get_data(as_text=True)
    assert "Ustanovljena s sklepom" in group_page and "DS-IT 2024/1" in group_page
    assert f"/skupine/{target.id}" in ministry.get(f"/sestanki/{setting['meeting'].id}/sklepi").get_data(as_text=True)


def test_a_new_group_is_created_with_its_conclusion(client, session, setting):
    ministry = _as(client, f.user(Role.MINISTRY))
    response = _add(ministry, setting["meeting"], text="Ustanovi se delovna skupina skrbnikov podatkov.",
                    establishes="new", group_name="Delovna skupina skrbnikov podatkov", group_code="ds-sp")
    assert response.status_code == 302
    group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == "DS-SP"))
    assert group is not None and _conclusions(session, setting["meeting"])[0].establishes_group_id == group.id


def test_a_conclusion_that_fails_leaves_no_new_group_behind(client, session, setting, monkeypatch):
    """The group and its conclusion are one transaction: when the conclusion cannot be numbered, the
    group made for it goes too (nothing deletes it by hand)."""
    from sqlalchemy.exc import IntegrityError

    def clash(*args, **kwargs):
        raise IntegrityError("INSERT INTO conclusion", {}, Exception("unique"))

    monkeypatch.setattr(services, "add_conclusion", clash)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)
    ministry = _as(client, f.user(Role.MINISTRY))
    response = _add(ministry, setting["meeting"], establishes="new", group_name="Skupina brez sklepa",
                    group_code="DS-NIC")
    assert response.status_code == 409 and "v istem trenutku" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(WorkingGroup).where(WorkingGroup.code == "DS-NIC")) is None
    assert _conclusions(session, setting["meeting"]) == []


def test_a_new_group_with_a_taken_code_is_refused(client, session, setting):
    ministry = _as(client, f.user(Role.MINISTRY))
    response = _add(ministry, setting["meeting"], establishes="new", group_name="Čisto nova", group_code="ds-it")
    assert response.status_code == 422 and "že uporablja" in response.get_data(as_text=True)
    assert _conclusions(session, setting["meeting"]) == []
    assert session.scalar(select(WorkingGroup).where(WorkingGroup.name == "Čisto nova")) is None


def test_only_those_who_create_groups_may_create_one_here(client, session, setting):
    secretary = _as(client, setting["people"][GroupRole.SECRETARY])
    page = secretary.get(f"/sestanki/{setting['meeting'].id}/sklepi").get_data(as_text=True)
    assert 'value="new"' not in page
    response = _add(secretary, setting["meeting"], establishes="new", group_name="X", group_code="X")
    assert response.status_code == 422 and session.scalar(select(WorkingGroup).where(WorkingGroup.code == "X")) is None


def test_edit_a_conclusion(client, session, setting):
    meeting = setting["meeting"]
    conclusion = services.add_conclusion(meeting, text="Prvotno", kind=ConclusionKind.DECISION,
                                         visibility=Visibility.INTERNAL)
    secretary = _as(client, setting["people"][GroupRole.SECRETARY])
    page = secretary.get(f"/sestanki/{meeting.id}/sklepi/{conclusion.id}/uredi")
    assert page.status_code == 200 and "Prvotno" in page.get_data(as_text=True)
    response = secretary.post(f"/sestanki/{meeting.id}/sklepi/{conclusion.id}/uredi", data={
        "text": "Popravljeno", "kind": "recommendation", "visibility": "public",
        "agenda_item": str(setting["items"][0].id), "establishes": ""})
    assert response.status_code == 302
    session.expire_all()
    changed = session.get(Conclusion, conclusion.id)
    assert (changed.text, changed.kind, changed.visibility, changed.agenda_item_id) == (
        "Popravljeno", ConclusionKind.RECOMMENDATION, Visibility.PUBLIC, setting["items"][0].id)
    assert changed.register_number == "DS-IT 2024/1"
    bad = secretary.post(f"/sestanki/{meeting.id}/sklepi/{conclusion.id}/uredi", data={
        "text": "", "kind": "decision", "visibility": "public", "agenda_item": str(setting["foreign"].id)})
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(Conclusion, conclusion.id).text == "Popravljeno"


def test_a_conclusion_of_another_meeting_is_not_found(client, setting):
    other = services.add_conclusion(setting["other"], text="Tuj", kind=ConclusionKind.DECISION,
                                    visibility=Visibility.PUBLIC)
    ministry = _as(client, f.user(Role.MINISTRY))
    base = f"/sestanki/{setting['meeting'].id}/sklepi/{other.id}"
    assert ministry.get(f"{base}/uredi").status_code == 404
    assert ministry.post(f"{base}/izbrisi").status_code == 404
    assert ministry.post(f"{base}/premakni", data={"direction": "up"}).status_code == 404


def test_delete_closes_up_numbers_and_never_reuses_the_register_number(client, session, setting):
    meeting = setting["meeting"]
    made = [services.add_conclusion(meeting, text=f"Sklep {n}", kind=ConclusionKind.DECISION,
                                    visibility=Visibility.INTERNAL) for n in (1, 2, 3)]
    secretary = _as(client, setting["people"][GroupRole.SECRETARY])
    assert secretary.post(f"/sestanki/{meeting.id}/sklepi/{made[1].id}/izbrisi").status_code == 302
    rows = _conclusions(session, meeting)
    assert [(c.number, c.register_number) for c in rows] == [(1, "DS-IT 2024/1"), (2, "DS-IT 2024/3")]
    assert _add(secretary, meeting, text="Nov").status_code == 302
    assert _conclusions(session, meeting)[-1].register_number == "DS-IT 2024/4"


def test_move_up_and_down_with_and_without_htmx(client, session, setting):
    meeting = setting["meeting"]
    a, b, c = (services.add_conclusion(meeting, text=t, kind=ConclusionKind.DECISION, visibility=Visibility.INTERNAL)
               for t in ("Prvi", "Drugi", "Tretji"))
    secretary = _as(client, setting["people"][GroupRole.SECRETARY])
    plain = secretary.post(f"/sestanki/{meeting.id}/sklepi/{c.id}/premakni", data={"direction": "up"})
    assert plain.status_code == 302
    assert [x.text for x in _conclusions(session, meeting)] == ["Prvi", "Tretji", "Drugi"]
    fragment = secretary.post(f"/sestanki/{meeting.id}/sklepi/{a.id}/premakni", data={"direction": "down"},
                              headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and body.index("Tretji") < body.index("Prvi")
    rows = _conclusions(session, meeting)
    assert [x.text for x in rows] == ["Tretji", "Prvi", "Drugi"] and [x.number for x in rows] == [1, 2, 3]
    assert [x.register_seq for x in rows] == [3, 1, 2]  # register numbers stay with their conclusions
    # the first cannot go further up; a bad direction is refused
    assert secretary.post(f"/sestanki/{meeting.id}/sklepi/{c.id}/premakni", data={"direction": "up"}).status_code == 302
    assert secretary.post(f"/sestanki/{meeting.id}/sklepi/{c.id}/premakni", data={"direction": "sideways"}
                          ).status_code == 422
    assert [x.text for x in _conclusions(session, meeting)] == ["Tretji", "Prvi", "Drugi"]


def test_full_order_refuses_foreign_missing_and_repeated_ids(client, session, setting):
    meeting = setting["meeting"]
    a, b = (services.add_conclusion(meeting, text=t, kind=ConclusionKind.DECISION, visibility=Visibility.INTERNAL)
            for t in ("Prvi", "Drugi"))
    foreign = services.add_conclusion(setting["other"], text="Tuj", kind=ConclusionKind.DECISION,
                                      visibility=Visibility.PUBLIC)
    secretary = _as(client, setting["people"][GroupRole.SECRETARY])
    url = f"/sestanki/{meeting.id}/sklepi/vrstni-red"
    for order in ([b.id, foreign.id], [b.id], [b.id, b.id], [b.id, a.id, foreign.id], ["x", a.id]):
        response = secretary.post(url, data={"order": [str(i) for i in order]})
        assert response.status_code == 422 and "natanko" in response.get_data(as_text=True)
        assert [x.text for x in _conclusions(session, meeting)] == ["Prvi", "Drugi"]
    assert secretary.post(url, data={"order": [str(b.id), str(a.id)]}).status_code == 302
    assert [x.text for x in _conclusions(session, meeting)] == ["Drugi", "Prvi"]


def test_who_sees_and_who_changes(client, session, setting):
    meeting = setting["meeting"]
    services.add_conclusion(meeting, text="Notranji sklep", kind=ConclusionKind.DECISION,
                            visibility=Visibility.INTERNAL)
    services.add_conclusion(meeting, text="Zaupni sklep", kind=ConclusionKind.DECISION,
                            visibility=Visibility.CONFIDENTIAL)
    url = f"/sestanki/{meeting.id}/sklepi"
    member = _as(client, setting["people"][GroupRole.MEMBER])
    page = member.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Notranji sklep" in html and "Zaupni sklep" not in html
    assert "Zabeleži sklep" not in html and "/uredi" not in html  # sees, does not change
    assert _add(member, meeting).status_code == 403
    client.post("/odjava")
    outsider = _as(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    assert outsider.get(url).status_code == 404  # not visible: unknown to them
    assert outsider.get("/sestanki/999999/sklepi").status_code == 404


def test_approved_minutes_lock_the_conclusions(client, session, setting):
    meeting = setting["meeting"]
    conclusion = services.add_conclusion(meeting, text="Sklep", kind=ConclusionKind.DECISION,
                                         visibility=Visibility.INTERNAL)
    services.circulate(meeting)
    services.approve(meeting, setting["people"][GroupRole.SECRETARY], confirmed=services.ALL_OPEN_POINTS)
    secretary = _as(client, setting["people"][GroupRole.SECRETARY])
    assert secretary.get(f"/sestanki/{meeting.id}/sklepi").status_code == 200
    assert _add(secretary, meeting).status_code == 403
    assert secretary.post(f"/sestanki/{meeting.id}/sklepi/{conclusion.id}/izbrisi").status_code == 403
    assert secretary.post(f"/sestanki/{meeting.id}/sklepi/vrstni-red", data={"order": [str(conclusion.id)]}
                          ).status_code == 403


def test_conclusions_are_numbered_per_meeting_and_registered_per_body_and_year(session, setting):
    meeting, other = setting["meeting"], setting["other"]
    later = h.meeting(setting["group"], title="Januarska seja", start=datetime(2025, 1, 15, 9, tzinfo=UTC))
    made = [services.add_conclusion(m, text="S", kind=ConclusionKind.DECISION, visibility=Visibility.PUBLIC)
            for m in (meeting, other, meeting, later, other)]
    assert [(c.number, c.register_number) for c in made] == [
        (1, "DS-IT 2024/1"), (1, "MDP 2024/1"), (2, "DS-IT 2024/2"), (1, "DS-IT 2025/1"), (2, "MDP 2024/2")]
