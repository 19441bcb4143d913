"""The meeting pages: list, create and edit, the meeting's page, participants and agenda in place."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.audit.models import AuditEntry
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import services
from coordination.meetings.models import (
    AgendaItem,
    Attendance,
    ConclusionKind,
    Meeting,
    MinutesState,
    Participant,
    Visibility,
)
from coordination.types import utcnow
from tests import factories as f
from tests.meetings.helpers import group_with_people, meeting

pytestmark = pytest.mark.usefixtures("no_csrf")

HX = {"HX-Request": "true"}


def signed_in(client, user):
    assert f.login(client, user).status_code == 302
    return client


def html(response) -> str:
    return response.get_data(as_text=True)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def error_of(page: str, field_id: str) -> str:
    """The error message shown next to a field (macros/forms.html ties it to the field's id)."""
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def ministry(client):
    return signed_in(client, f.user(Role.MINISTRY))


def _form(**overrides) -> dict:
    data = {"title": "4. seja delovne skupine", "group_id": "0", "organiser_ids": [str(f.by_short_name("MDP").id)],
            "starts_at": "2022-09-20T10:00", "ends_at": "2022-09-20T12:00", "place": "Ljubljana, Davčna 1",
            "online_url": "", "visibility": "internal"}
    data.update(overrides)
    return data


# --- the list -------------------------------------------------------------------------------

def test_list_has_upcoming_and_past_and_filters(ministry, session):
    group, _ = group_with_people()
    soon = utcnow() + timedelta(days=3)
    upcoming = meeting(group, title="Prihodnja seja", start=soon)
    past = meeting(title="Pretekli posvet z ministrom", start=datetime(2022, 9, 20, 8, tzinfo=UTC),
                   organisers=[f.by_short_name("ZMOS"), f.by_short_name("SOS")], visibility=Visibility.PUBLIC)
    page = html(ministry.get("/sestanki/"))
    assert "Prihodnja seja" in page and "Pretekli posvet" not in page and "1 pretekli sestanek" in page
    page = html(ministry.get("/sestanki/?when=past"))
    assert "Pretekli posvet z ministrom" in page and "Prihodnja seja" not in page
    assert "20. 9. 2022, 10.00–12.00" in page  # Ljubljana summer time, Slovenian format
    for query, shown in ((f"group={group.id}", upcoming), (f"organisation={f.by_short_name('ZMOS').id}&when=past", past),
                         ("year=2022&when=past", past), ("q=posvet&when=past", past), ("q=PRIHODNJA", upcoming)):
        page = html(ministry.get(f"/sestanki/?{query}"))
        assert shown.title in page, query
        assert f'href="/sestanki/{shown.id}"' in page
    page = html(ministry.get("/sestanki/?year=2023&when=past"))
    assert "Noben pretekli sestanek ne ustreza" in page
    # nonsense in the filters is ignored, never an error
    assert ministry.get("/sestanki/?group=x&year=99999&when=nekoč&page=-3&organisation=1e9").status_code == 200


def test_list_filter_is_an_htmx_fragment_with_vary(ministry, session):
    meeting(title="Seja za fragment", start=utcnow() + timedelta(days=1))
    page = ministry.get("/sestanki/?q=fragment")
    fragment = ministry.get("/sestanki/?q=fragment", headers=HX)
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    assert "<html" in html(page) and 'id="meeting-results"' in html(page)
    assert "<html" not in html(fragment) and "Seja za fragment" in html(fragment) and "<form" not in html(fragment)
    # a boosted or history-restore request gets the whole page
    assert "<html" in html(ministry.get("/sestanki/", headers={**HX, "HX-History-Restore-Request": "true"}))


def test_list_pages(ministry, session):
    start = utcnow() + timedelta(days=1)
    for n in range(27):
        meeting(title=f"Seja št. {n:02d}", start=start + timedelta(days=n))
    first, second = html(ministry.get("/sestanki/")), html(ministry.get("/sestanki/?page=2"))
    assert "Seja št. 00" in first and "Seja št. 25" not in first and 'rel="next"' in first
    assert "Seja št. 25" in second and "Seja št. 26" in second and "Seja št. 00" not in second
    assert "Seja št. 26" in html(ministry.get("/sestanki/?page=99"))  # beyond the end: the last page


def test_list_shows_only_meetings_the_user_may_view(client, session):
    group, people = group_with_people()
    meeting(group, title="Interna seja", start=utcnow() + timedelta(days=1))
    meeting(title="Javni posvet", visibility=Visibility.PUBLIC, start=utcnow() + timedelta(days=2))
    secret = meeting(title="Zaupni sestanek", visibility=Visibility.CONFIDENTIAL, start=utcnow() + timedelta(days=3))
    outsider = f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))
    page = html(signed_in(client, outsider).get("/sestanki/"))
    assert "Javni posvet" in page and "Interna seja" not in page and "Zaupni" not in page
    client.post("/odjava")
    page = html(signed_in(client, people[GroupRole.MEMBER]).get("/sestanki/"))
    assert "Javni posvet" in page and "Interna seja" in page and "Zaupni" not in page
    services.add_participant(secret, organisation=people[GroupRole.MEMBER].organisation, user=people[GroupRole.MEMBER])
    assert "Zaupni sestanek" in html(client.get("/sestanki/"))


def test_list_query_count_does_not_grow(ministry, session, count_queries):
    group, people = group_with_people()
    start = utcnow() + timedelta(days=1)

    def add(n):
        for i in range(n):
            m = meeting(group if i % 2 else None, title=f"Seja {i}", start=start + timedelta(hours=3 * i),
                        organisers=[f.by_short_name("MDP"), f.by_short_name("SOS")])
            services.add_participant(m, organisation=f.municipality("Kamnik"))

    add(3)
    ministry.get("/sestanki/")
    with count_queries() as few:
        ministry.get("/sestanki/")
        ministry.get("/sestanki/?when=past", headers=HX)
    add(30)
    with count_queries() as many:
        ministry.get("/sestanki/")
        ministry.get("/sestanki/?when=past", headers=HX)
    assert many.count == few.count, "\n\n".join(s[:160] for s in many.statements)


# --- the visibility rule in SQL -------------------------------------------------------------

def test_visible_clause_agrees_with_can_view_for_every_role(session):
    from coordination.meetings.permissions import can_view, visible_clause

    group, people = group_with_people()
    former = f.user(Role.MUNICIPAL, f.municipality("Kamnik"), name="Nekdanji član")
    groups.add_member(group, organisation_id=former.organisation_id, user_id=former.id, role=GroupRole.MEMBER,
                      valid_from=None, valid_until=datetime(2020, 1, 1).date())
    ljubljana = f.municipality("Ljubljana")
    users = [f.user(Role.ADMIN), f.user(Role.MINISTRY), f.user(Role.ASSOCIATION), f.user(Role.HOST),
             f.user(Role.MUNICIPAL, ljubljana), former, *people.values()]
    creator = f.user(Role.ASSOCIATION, f.by_short_name("ZMOS"))
    users.append(creator)
    everything = []
    for visibility in Visibility:
        everything.append(meeting(group, title=f"skupina {visibility}", visibility=visibility))
        everything.append(meeting(title=f"MDP {visibility}", visibility=visibility))
        everything.append(meeting(title=f"Ljubljana {visibility}", visibility=visibility, organisers=[ljubljana]))
        everything.append(meeting(title=f"ZMOS {visibility}", visibility=visibility, created_by=creator,
                                  organisers=[f.by_short_name("ZMOS")]))
        named = meeting(group, title=f"z udeleženci {visibility}", visibility=visibility)
        services.add_participant(named, organisation=users[3].organisation, user=users[3])  # the host
        services.add_participant(named, organisation=ljubljana)  # a seat names nobody
        everything.append(named)
    session.expire_all()
    for user in users:
        in_sql = set(session.scalars(select(Meeting.id).where(visible_clause(user))))
        by_rule = {m.id for m in session.scalars(select(Meeting)) if can_view(user, m)}
        assert in_sql == by_rule, (user.role, user.name)
    # the rule does distinguish: not everybody sees everything
    assert len({frozenset(session.scalars(select(Meeting.id).where(visible_clause(u)))) for u in users}) > 3
    assert not set(session.scalars(select(Meeting.id).where(visible_clause(None))))


# --- creating and editing -------------------------------------------------------------------

def test_ministry_creates_a_meeting_in_ljubljana_time(ministry, session):
    group, _ = group_with_people()
    assert "Nov sestanek" in html(ministry.get("/sestanki/"))
    form_page = html(ministry.get(f"/sestanki/nov?group={group.id}"))
    assert f'<option selected value="{group.id}">' in form_page or f'value="{group.id}" selected' in form_page
    response = ministry.post("/sestanki/nov", data=_form(group_id=str(group.id), online_url="https://meet.example.si/ds",
                                                         organiser_ids=[str(f.by_short_name("MDP").id),
                                                                        str(f.by_short_name("SOS").id)]))
    assert response.status_code == 302
    created = session.scalar(select(Meeting).where(Meeting.title == "4. seja delovne skupine"))
    assert response.headers["Location"].endswith(f"/sestanki/{created.id}")
    assert created.starts_at == datetime(2022, 9, 20, 8, tzinfo=UTC)  # 10.00 CEST
    assert created.group_id == group.id and created.register_body == "DS-IT"
    assert sorted(o.short_name for o in created.organisers) == ["MDP", "SOS"]
    assert created.online_url == "https://meet.example.si/ds" and created.visibility == Visibility.INTERNAL
    audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Meeting",
                                                     AuditEntry.entity_id == str(created.id))).all()
    assert [a.action for a in audit] == ["create"]
    winter = ministry.post("/sestanki/nov", data=_form(title="Zimska seja", starts_at="2024-01-15T09:30",
                                                       ends_at="2024-01-15T11:00"))
    assert winter.status_code == 302
    assert session.scalar(select(Meeting.starts_at).where(Meeting.title == "Zimska seja")) == datetime(
        2024, 1, 15, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("data, field, message", [
    ({"ends_at": "2022-09-20T09:00"}, "ends_at", "Konec mora biti po začetku"),
    ({"ends_at": "2022-09-20T10:00"}, "ends_at", "Konec mora biti po začetku"),
    ({"title": "x" * 301}, "title", "300 znakov"),
    ({"title": "   "}, "title", "obvezno"),
    ({"organiser_ids": []}, "organiser_ids", "vsaj enega organizatorja"),
    ({"organiser_ids": ["999999"]}, "organiser_ids", "999999"),
    ({"place": "", "online_url": ""}, "place", "kraj, povezavo"),
    ({"online_url": "http://meet.example.si"}, "online_url", "https://"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"starts_at": "jutri ob desetih"}, "starts_at", "datum in čas"),
    ({"starts_at": ""}, "starts_at", "obvezno"),
    ({"starts_at": "1999-12-31T10:00", "ends_at": "1999-12-31T12:00"}, "starts_at", "2000"),
    ({"group_id": "999999"}, "group_id", "Neveljavna izbira"),
    ({"visibility": "secret"}, "visibility", "Neveljavna izbira"),
])
def test_bad_meeting_input(ministry, session, data, field, message):
    before = count(session, Meeting)
    response = ministry.post("/sestanki/nov", data=_form(**data))
    page = html(response)
    assert response.status_code == 422
    assert message in error_of(page, field), (field, error_of(page, field) or page[:0])
    assert count(session, Meeting) == before


def test_group_secretary_creates_only_in_the_group_they_run(client, session):
    group, people = group_with_people()
    other = groups.create_group(name="Druga skupina", code="DS-2", mandate="")
    secretary = signed_in(client, people[GroupRole.SECRETARY])
    page = html(secretary.get("/sestanki/nov"))
    assert "DS-IT" in page and "DS-2" not in page and "Brez delovne skupine" not in page
    assert secretary.get(f"/sestanki/nov?group={other.id}").status_code == 403
    assert secretary.get("/sestanki/nov?group=999999").status_code == 404
    assert secretary.post("/sestanki/nov", data=_form(group_id="0")).status_code == 422
    assert secretary.post("/sestanki/nov", data=_form(group_id=str(other.id))).status_code == 422
    assert secretary.post("/sestanki/nov", data=_form(group_id=str(group.id))).status_code == 302
    client.post("/odjava")
    member = signed_in(client, people[GroupRole.MEMBER])
    assert member.get("/sestanki/nov").status_code == 403
    assert member.get(f"/sestanki/nov?group={group.id}").status_code == 403
    assert "Nov sestanek" not in html(member.get("/sestanki/"))


def test_edit_meeting_and_move_it_to_another_group(ministry, session):
    group, _ = group_with_people()
    other = groups.create_group(name="Druga skupina", code="DS-2", mandate="")
    m = meeting(group)
    page = html(ministry.get(f"/sestanki/{m.id}/uredi"))
    assert 'value="2024-03-20T10:00"' in page and 'value="3. seja delovne skupine"' in page
    response = ministry.post(f"/sestanki/{m.id}/uredi", data=_form(
        title="3. seja (prestavljena)", group_id=str(other.id), starts_at="2024-03-21T13:00",
        ends_at="2024-03-21T15:00", place="", online_url="https://meet.example.si/x", visibility="public"))
    assert response.status_code == 302
    session.expire_all()
    assert (m.title, m.group_id, m.register_body, m.place, m.visibility) == (
        "3. seja (prestavljena)", other.id, "DS-2", None, Visibility.PUBLIC)
    assert m.starts_at == datetime(2024, 3, 21, 12, tzinfo=UTC)
    bad = ministry.post(f"/sestanki/{m.id}/uredi", data=_form(starts_at="2024-03-21T13:00", ends_at="2024-03-21T12:00"))
    assert bad.status_code == 422 and "Konec mora biti po začetku" in error_of(html(bad), "ends_at")
    session.expire_all()
    assert m.title == "3. seja (prestavljena)"
    # approved minutes lock the meeting's details
    m.minutes_state = MinutesState.APPROVED
    session.commit()
    assert ministry.get(f"/sestanki/{m.id}/uredi").status_code == 403


# --- the meeting's page ---------------------------------------------------------------------

def _full_meeting(people, group):
    m = meeting(group, start=datetime(2022, 9, 20, 8, tzinfo=UTC),
                organisers=[f.by_short_name("ZMOS"), f.by_short_name("SOS")])
    secretary = people[GroupRole.SECRETARY]
    services.add_participant(m, organisation=secretary.organisation, user=secretary, attendance=Attendance.PRESENT)
    services.add_participant(m, organisation=f.by_short_name("MDP"), attendance=Attendance.EXCUSED)
    first = services.add_agenda_item(m, title="Uvod in sklepčnost", visibility=Visibility.PUBLIC)
    services.save_minutes(first, text="**Sklepčni** smo.<script>alert(1)</script> [x](javascript:alert(2))",
                          base_version=0, author=secretary)
    services.add_agenda_item(m, title="Zaupna kadrovska zadeva", visibility=Visibility.CONFIDENTIAL)
    services.add_conclusion(m, text="Ustanovi se medresorska delovna skupina.", kind=ConclusionKind.DECISION,
                            visibility=Visibility.INTERNAL, agenda_item=first)
    services.add_conclusion(m, text="Zaupni sklep.", kind=ConclusionKind.INFORMATION,
                            visibility=Visibility.CONFIDENTIAL)
    return m


def test_meeting_page_shows_everything_the_user_may_see(client, session):
    group, people = group_with_people()
    m = _full_meeting(people, group)
    page = html(signed_in(client, people[GroupRole.MEMBER]).get(f"/sestanki/{m.id}"))
    assert "20. 9. 2022, 10.00–12.00" in page
    assert f'href="/skupine/{group.id}"' in page and "Skupnost občin Slovenije" in page
    assert "Ljubljana, Davčna 1" in page and "Interno" in page and "Osnutek" in page
    assert "Prisotni (1)" in page and "Secretary Kamnik" in page and "Opravičeno odsotni (1)" in page
    assert "<strong>Sklepčni</strong>" in page and "<script>alert(1)" not in page and "href=\"javascript" not in page
    assert "Uvod in sklepčnost" in page and "Zaupna kadrovska" not in page
    assert "1 točka dnevnega reda ni prikazana" in page
    assert "Sklep 1" in page and "DS-IT 2022/1" in page and "Odločitev" in page
    assert "Zaupni sklep" not in page and "1 sklep ni prikazan" in page
    assert "Uredi sestanek" not in page and 'action="/sestanki/' not in page  # a member does not edit
    client.post("/odjava")
    page = html(signed_in(client, people[GroupRole.SECRETARY]).get(f"/sestanki/{m.id}"))
    assert "Zaupna kadrovska zadeva" in page and "Zaupni sklep" in page and "Uredi sestanek" in page
    services.circulate(m)
    services.approve(m, people[GroupRole.SECRETARY], confirmed=services.ALL_OPEN_POINTS)
    page = html(client.get(f"/sestanki/{m.id}"))
    assert "Potrjen" in page and "Secretary Kamnik" in page and "Uredi sestanek" not in page


def test_who_may_open_a_meeting(client, session):
    group, people = group_with_people()
    internal = meeting(group)
    public = meeting(title="Javni posvet", visibility=Visibility.PUBLIC)
    outsider = signed_in(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    assert outsider.get(f"/sestanki/{internal.id}").status_code == 404  # not visible: unknown to them
    assert outsider.get(f"/sestanki/{internal.id}/dnevni-red", headers=HX).status_code == 404
    assert outsider.get(f"/sestanki/{public.id}").status_code == 200
    assert outsider.get("/sestanki/999999").status_code == 404
    assert outsider.post(f"/sestanki/{public.id}/tocke", data={"new-item-title": "Vsiljena"}).status_code == 403
    assert count(session, AgendaItem) == 0
    client.post("/odjava")
    assert client.get(f"/sestanki/{public.id}").status_code == 302  # to the sign-in page


def test_meeting_page_query_count_does_not_grow(client, session, count_queries):
    group, people = group_with_people()
    m = _full_meeting(people, group)
    services.circulate(m)
    services.approve(m, people[GroupRole.SECRETARY], confirmed=services.ALL_OPEN_POINTS)
    m.minutes_state = MinutesState.DRAFT  # keep the approver, edit again
    session.commit()
    secretary = signed_in(client, people[GroupRole.SECRETARY])
    secretary.get(f"/sestanki/{m.id}")

    def measure():
        with count_queries() as counter:
            assert secretary.get(f"/sestanki/{m.id}").status_code == 200
            assert secretary.get(f"/sestanki/{m.id}/dnevni-red", headers=HX).status_code == 200
            assert secretary.get(f"/skupine/{group.id}").status_code == 200
        return counter

    few = measure()
    for n in range(20):
        person = f.user(Role.MUNICIPAL, f.municipality("Kranj"))
        services.add_participant(m, organisation=person.organisation, user=person, attendance=list(Attendance)[n % 5])
        item = services.add_agenda_item(m, title=f"Točka {n}", visibility=list(Visibility)[n % 3])
        services.save_minutes(item, text=f"Zapis {n}", base_version=0, author=people[GroupRole.SECRETARY])
        services.add_conclusion(m, text=f"Sklep {n}", kind=ConclusionKind.DECISION, visibility=Visibility.INTERNAL,
                                agenda_item=item)
        meeting(group, title=f"Druga seja {n}")
    many = measure()
    assert "Točka 19" in html(secretary.get(f"/sestanki/{m.id}"))
    assert many.count == few.count, "\n\n".join(s[:160] for s in many.statements) + "\n=====\n" + "\n\n".join(s[:160] for s in few.statements)


# --- participants ---------------------------------------------------------------------------

def test_participants_added_marked_and_removed(client, session):
    group, people = group_with_people()
    m = meeting(group)
    secretary = signed_in(client, people[GroupRole.SECRETARY])
    guest = f.user(Role.ASSOCIATION, f.by_short_name("SOS"), name="Gost Združenja")
    response = secretary.post(f"/sestanki/{m.id}/udelezenci/oseba",
                              data={"person-email": guest.email.upper(), "person-attendance": "guest"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sestanki/{m.id}#participants")
    added = session.scalar(select(Participant).where(Participant.user_id == guest.id))
    seat_of_mdp = secretary.post(f"/sestanki/{m.id}/udelezenci/organizacija", headers=HX,
                                 data={"seat-organisation_id": str(f.by_short_name("MDP").id)})
    assert seat_of_mdp.status_code == 200 and "Dodano: Ministrstvo za digitalno preobrazbo" in html(seat_of_mdp)
    assert "<option selected" not in html(seat_of_mdp).split('id="seat-organisation_id"')[1].split("</select>")[0]
    secretary.post(f"/sestanki/{m.id}/udelezenci/{m.participants[-1].id}/odstrani")
    assert added.organisation.short_name == "SOS" and added.attendance == Attendance.GUEST
    # the same person again: a clear message, nothing changed
    again = secretary.post(f"/sestanki/{m.id}/udelezenci/oseba", data={"person-email": guest.email}, headers=HX)
    assert again.status_code == 422 and "že udeleženec" in error_of(html(again), "person-email")
    assert "<html" not in html(again) and count(session, Participant) == 1
    nobody = secretary.post(f"/sestanki/{m.id}/udelezenci/oseba", data={"person-email": "nihce@example.si"})
    assert nobody.status_code == 422 and "nima računa" in error_of(html(nobody), "person-email")
    seat = {"seat-organisation_id": str(f.municipality("Ljubljana").id), "seat-attendance": "invited"}
    assert secretary.post(f"/sestanki/{m.id}/udelezenci/organizacija", data=seat).status_code == 302
    twice = secretary.post(f"/sestanki/{m.id}/udelezenci/organizacija", data=seat)
    assert twice.status_code == 422 and "že ima mesto" in error_of(html(twice), "seat-organisation_id")
    assert count(session, Participant) == 2
    # attendance in place with htmx: the participants section alone, with the news
    fragment = secretary.post(f"/sestanki/{m.id}/udelezenci/{added.id}/prisotnost", data={"attendance": "present"},
                              headers=HX)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in html(fragment) and "Prisotni (1)" in html(fragment) and 'role="status"' in html(fragment)
    session.expire_all()
    assert added.attendance == Attendance.PRESENT
    plain = secretary.post(f"/sestanki/{m.id}/udelezenci/{added.id}/prisotnost", data={"attendance": "absent"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"#participant-{added.id}")
    wrong = secretary.post(f"/sestanki/{m.id}/udelezenci/{added.id}/prisotnost", data={"attendance": "asleep"})
    assert wrong.status_code == 422
    session.expire_all()
    assert added.attendance == Attendance.ABSENT
    other = meeting(title="Drugi sestanek")
    assert secretary.post(f"/sestanki/{other.id}/udelezenci/{added.id}/odstrani").status_code == 404
    assert secretary.post(f"/sestanki/{m.id}/udelezenci/999999/odstrani").status_code == 404
    assert secretary.post(f"/sestanki/{m.id}/udelezenci/{added.id}/odstrani").status_code == 302
    assert count(session, Participant) == 1
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "Participant")
                              .order_by(AuditEntry.id)).all()
    assert sorted(actions) == ["create"] * 3 + ["delete"] * 2 + ["update"] * 2


# --- the agenda -----------------------------------------------------------------------------

def _titles(session, m) -> list[str]:
    session.expire_all()
    return [i.title for i in m.agenda]


def test_agenda_in_place_with_htmx_and_plain_forms(client, session):
    group, people = group_with_people()
    m = meeting(group, visibility=Visibility.PUBLIC)
    secretary = signed_in(client, people[GroupRole.SECRETARY])
    assert 'name="new-item-visibility"' in html(secretary.get(f"/sestanki/{m.id}"))
    for title in ("Uvod", "Poročilo", "Razno"):
        response = secretary.post(f"/sestanki/{m.id}/tocke", data={"new-item-title": title,
                                                                   "new-item-visibility": "public"})
        assert response.status_code == 302
    assert _titles(session, m) == ["Uvod", "Poročilo", "Razno"]
    added = secretary.post(f"/sestanki/{m.id}/tocke", data={"new-item-title": "Zadnja", "new-item-visibility": "public"},
                           headers=HX)
    assert added.status_code == 200 and "Točka dnevnega reda Zadnja je dodana" in html(added)
    assert 'name="new-item-title" required type="text" value=""' in html(added)  # the form is empty again
    secretary.post(f"/sestanki/{m.id}/tocke/{m.agenda[-1].id}/odstrani")
    a, b, c = m.agenda
    fragment = secretary.post(f"/sestanki/{m.id}/tocke/{c.id}/premakni", data={"direction": "up"}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in html(fragment) and 'id="agenda-title"' in html(fragment)
    assert html(fragment).index("Razno") < html(fragment).index("Poročilo")
    assert _titles(session, m) == ["Uvod", "Razno", "Poročilo"]
    plain = secretary.post(f"/sestanki/{m.id}/tocke/{a.id}/premakni", data={"direction": "down"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"#item-{a.id}")
    assert _titles(session, m) == ["Razno", "Uvod", "Poročilo"]
    assert secretary.post(f"/sestanki/{m.id}/tocke/{a.id}/premakni", data={"direction": "sideways"}).status_code == 422
    # the first item up stays where it is
    assert secretary.post(f"/sestanki/{m.id}/tocke/{c.id}/premakni", data={"direction": "up"}).status_code == 302
    assert _titles(session, m) == ["Razno", "Uvod", "Poročilo"]
    # the whole order at once
    response = secretary.post(f"/sestanki/{m.id}/dnevni-red/vrstni-red", data={"order": [a.id, b.id, c.id]},
                              headers=HX)
    assert response.status_code == 200 and _titles(session, m) == ["Uvod", "Poročilo", "Razno"]
    assert secretary.post(f"/sestanki/{m.id}/dnevni-red/vrstni-red",
                          data={"order": f"{c.id},{b.id},{a.id}"}).status_code == 302
    assert _titles(session, m) == ["Razno", "Poročilo", "Uvod"]
    # editing in place: the agenda with the item as a form, then saved
    editing = secretary.get(f"/sestanki/{m.id}/tocke/{b.id}/uredi", headers=HX)
    assert editing.status_code == 200 and 'name="item-title"' in html(editing) and "<html" not in html(editing)
    assert 'name="item-title"' in html(secretary.get(f"/sestanki/{m.id}/tocke/{b.id}/uredi"))
    saved = secretary.post(f"/sestanki/{m.id}/tocke/{b.id}/uredi", headers=HX,
                           data={"item-title": "Poročilo o delu", "item-visibility": "internal"})
    assert saved.status_code == 200 and "Poročilo o delu" in html(saved)
    session.expire_all()
    assert (b.title, b.visibility) == ("Poročilo o delu", Visibility.INTERNAL)
    assert secretary.post(f"/sestanki/{m.id}/tocke/{a.id}/odstrani", headers=HX).status_code == 200
    assert _titles(session, m) == ["Razno", "Poročilo o delu"]
    assert [i.position for i in m.agenda] == [1, 2]
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "AgendaItem")).all()
    assert actions.count("create") == 4 and actions.count("delete") == 2 and "update" in actions


@pytest.mark.parametrize("order", ["foreign", "missing", "twice", "words", "empty"])
def test_agenda_reorder_refuses_a_bad_list(client, session, order):
    group, people = group_with_people()
    m, other = meeting(group), meeting(group, title="Druga seja")
    a = services.add_agenda_item(m, title="Uvod", visibility=Visibility.INTERNAL)
    b = services.add_agenda_item(m, title="Razno", visibility=Visibility.INTERNAL)
    foreign = services.add_agenda_item(other, title="Tuja", visibility=Visibility.INTERNAL)
    data = {"foreign": [b.id, foreign.id], "missing": [b.id], "twice": [b.id, b.id, a.id], "words": ["b", "a"],
            "empty": []}[order]
    secretary = signed_in(client, people[GroupRole.SECRETARY])
    response = secretary.post(f"/sestanki/{m.id}/dnevni-red/vrstni-red", data={"order": data}, headers=HX)
    assert response.status_code == 422 and "natanko enkrat" in html(response) and "<html" not in html(response)
    assert _titles(session, m) == ["Uvod", "Razno"] and _titles(session, other) == ["Tuja"]


def test_bad_agenda_input(client, session):
    group, people = group_with_people()
    m = meeting(group)
    item = services.add_agenda_item(m, title="Uvod", visibility=Visibility.INTERNAL)
    secretary = signed_in(client, people[GroupRole.SECRETARY])
    long = secretary.post(f"/sestanki/{m.id}/tocke", data={"new-item-title": "x" * 301}, headers=HX)
    assert long.status_code == 422 and "300 znakov" in error_of(html(long), "new-item-title")
    empty = secretary.post(f"/sestanki/{m.id}/tocke/{item.id}/uredi", data={"item-title": ""})
    assert empty.status_code == 422 and "obvezno" in error_of(html(empty), "item-title")
    assert "<html" in html(empty)  # without htmx: the whole page, the item as a form
    other = meeting(group, title="Druga seja")
    assert secretary.post(f"/sestanki/{other.id}/tocke/{item.id}/odstrani").status_code == 404
    assert _titles(session, m) == ["Uvod"]


# --- the working group's page ---------------------------------------------------------------

def test_group_page_lists_its_meetings(client, session):
    group, people = group_with_people()
    meeting(group, title="Pretekla seja", start=datetime(2023, 5, 4, 8, tzinfo=UTC))
    meeting(group, title="Naslednja seja", start=utcnow() + timedelta(days=7))
    meeting(group, title="Zaupna seja", visibility=Visibility.CONFIDENTIAL, start=utcnow() + timedelta(days=8))
    meeting(title="Seja brez skupine", visibility=Visibility.PUBLIC)
    page = html(signed_in(client, people[GroupRole.SECRETARY]).get(f"/skupine/{group.id}"))
    assert page.index("Naslednja seja") < page.index("Pretekla seja")
    assert "Zaupna seja" not in page and "Seja brez skupine" not in page
    assert f'href="/sestanki/nov?group={group.id}"' in page
    client.post("/odjava")
    page = html(signed_in(client, people[GroupRole.MEMBER]).get(f"/skupine/{group.id}"))
    assert "Naslednja seja" in page and "/sestanki/nov" not in page
    client.post("/odjava")
    page = html(signed_in(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))).get(f"/skupine/{group.id}"))
    assert "Naslednja seja" not in page and "Ni sestankov te skupine" in page
