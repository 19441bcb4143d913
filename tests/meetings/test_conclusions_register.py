"""The register of conclusions across meetings: filters, live filter, visibility in SQL, fixed query count,
and the working-group page's conclusions."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from coordination.accounts.models import Role
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import queries, services
from coordination.meetings.models import Attendance, Conclusion, ConclusionKind, Visibility
from coordination.meetings.permissions import can_view_conclusion
from tests import factories as f
from tests.meetings import helpers as h

pytestmark = pytest.mark.usefixtures("no_csrf")

V = Visibility


def _registers(html: str) -> list[str]:
    return re.findall(r'<td class="nowrap"[^>]*>([^<]+)</td>', html)


@pytest.fixture
def register(session):
    group, people = h.group_with_people()
    spring = h.meeting(group, title="Pomladna seja", visibility=V.INTERNAL)
    winter = h.meeting(group, title="Zimska seja", visibility=V.INTERNAL,
                       start=datetime(2025, 1, 14, 9, tzinfo=UTC))
    public = h.meeting(None, title="Sestanek z ministrico", visibility=V.PUBLIC)
    founded = groups.create_group(name="Delovna skupina skrbnikov podatkov", code="DS-SP", mandate="")
    add = services.add_conclusion
    add(spring, text="Občine pošljejo zahteve do junija.", kind=ConclusionKind.DECISION, visibility=V.INTERNAL)
    add(spring, text="Priporočilo o varnosti.", kind=ConclusionKind.RECOMMENDATION, visibility=V.INTERNAL)
    add(winter, text="Informacija o proračunu.", kind=ConclusionKind.INFORMATION, visibility=V.INTERNAL)
    add(public, text="Ustanovi se delovna skupina skrbnikov.", kind=ConclusionKind.DECISION, visibility=V.PUBLIC,
        establishes_group=founded)
    add(public, text="Zaupna opomba.", kind=ConclusionKind.INFORMATION, visibility=V.CONFIDENTIAL)
    return {"group": group, "people": people, "founded": founded, "public": public}


def test_register_lists_what_the_user_may_see_with_links(client, register):
    f.login(client, f.user(Role.MINISTRY))
    html = client.get("/sklepi/").get_data(as_text=True)
    assert _registers(html) == ["DS-IT 2025/1", "MDP 2024/1", "DS-IT 2024/1", "DS-IT 2024/2"]
    assert "Zaupna opomba" not in html  # confidential: only the named participants
    assert "4 sklepi" in html
    assert f"/sestanki/{register['public'].id}\"" in html and f"/skupine/{register['founded'].id}\"" in html
    assert "Delovna skupina skrbnikov podatkov" in html


def test_outsider_sees_only_public_conclusions(client, register):
    f.login(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    html = client.get("/sklepi/").get_data(as_text=True)
    assert _registers(html) == ["MDP 2024/1"]
    assert '<option value="DS-IT"' not in html  # filter options come from what the user sees


def test_group_member_sees_the_group_conclusions(client, register):
    f.login(client, register["people"][GroupRole.OBSERVER])
    assert len(_registers(client.get("/sklepi/").get_data(as_text=True))) == 4


@pytest.mark.parametrize("query, expected", [
    ("?body=DS-IT", ["DS-IT 2025/1", "DS-IT 2024/1", "DS-IT 2024/2"]),
    ("?year=2024", ["MDP 2024/1", "DS-IT 2024/1", "DS-IT 2024/2"]),
    ("?kind=recommendation", ["DS-IT 2024/2"]),
    ("?q=zahteve", ["DS-IT 2024/1"]),
    ("?q=ZAHTEVE", ["DS-IT 2024/1"]),
    ("?q=100%25", []),
    ("?body=DS-IT&year=2024&kind=decision", ["DS-IT 2024/1"]),
    ("?kind=spaceship&year=99999&page=-1", ["DS-IT 2025/1", "MDP 2024/1", "DS-IT 2024/1", "DS-IT 2024/2"]),
    ("?body=" + "x" * 300, []),
])
def test_filters(client, register, query, expected):
    f.login(client, f.user(Role.MINISTRY))
    response = client.get("/sklepi/" + query)
    assert response.status_code == 200 and _registers(response.get_data(as_text=True)) == expected


def test_empty_result_says_so(client, register):
    f.login(client, f.user(Role.MINISTRY))
    html = client.get("/sklepi/?q=ni-takega-sklepa").get_data(as_text=True)
    assert "Noben sklep ne ustreza" in html and "0 sklepov" in html


def test_live_filter_gets_the_fragment_and_pushes_the_url(client, register):
    f.login(client, f.user(Role.MINISTRY))
    page = client.get("/sklepi/?kind=decision")
    html = page.get_data(as_text=True)
    assert "<html" in html and 'data-hx-push-url="true"' in html and 'data-hx-target="#register-results"' in html
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/sklepi/?kind=decision", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and _registers(fragment) == ["MDP 2024/1", "DS-IT 2024/1"]


def test_pagination(client, session, register, monkeypatch):
    from coordination.meetings.routes import conclusions as conclusions_routes

    monkeypatch.setattr(conclusions_routes, "REGISTER_PAGE_SIZE", 3)
    f.login(client, f.user(Role.MINISTRY))
    first = client.get("/sklepi/").get_data(as_text=True)
    assert len(_registers(first)) == 3 and "Stran 1 od 2" in first and 'rel="next"' in first
    second = client.get("/sklepi/?page=2").get_data(as_text=True)
    assert _registers(second) == ["DS-IT 2024/2"]


def _world(session, scale: int):
    """Meetings of every visibility, with and without a group, participants, organisers, former
    members; conclusions of every visibility in each."""
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    people = {
        "admin": f.user(Role.ADMIN), "ministry": f.user(Role.MINISTRY), "association": f.user(Role.ASSOCIATION),
        "member": f.user(Role.MUNICIPAL, kamnik), "former": f.user(Role.MUNICIPAL, kamnik),
        "named": f.user(Role.MUNICIPAL, ljubljana), "organiser": f.user(Role.MUNICIPAL, ljubljana),
        "creator": f.user(Role.ASSOCIATION), "outsider": f.user(Role.HOST),
    }
    for n in range(scale):
        group = groups.create_group(name=f"Skupina {scale}-{n}", code=f"G{scale}-{n}", mandate="")
        groups.add_member(group, organisation_id=kamnik.id, user_id=people["member"].id, role=GroupRole.MEMBER,
                          valid_from=None, valid_until=None)
        groups.add_member(group, organisation_id=kamnik.id, user_id=people["former"].id, role=GroupRole.MEMBER,
                          valid_from=None, valid_until=date.today() - timedelta(days=1))
        for meeting_visibility in V:
            for with_group in (True, False):
                meeting = h.meeting(group if with_group else None, title=f"S {n} {meeting_visibility}",
                                    visibility=meeting_visibility, created_by=people["creator"],
                                    organisers=[ljubljana])
                services.add_participant(meeting, organisation=ljubljana, user=people["named"],
                                         attendance=Attendance.PRESENT)
                for visibility in V:
                    services.add_conclusion(meeting, text=f"{visibility}", kind=ConclusionKind.DECISION,
                                            visibility=visibility)
    return people


def test_the_sql_filter_agrees_with_the_rule(session):
    people = _world(session, 1)
    everything = session.scalars(select(Conclusion)).all()
    for key, user in people.items():
        in_sql = {c.id for c in session.scalars(queries.register_query(user))}
        by_rule = {c.id for c in everything if can_view_conclusion(user, c)}
        assert in_sql == by_rule, key
    # the filter is not trivially everything or nothing
    sizes = {key: len(list(session.scalars(queries.register_query(u)))) for key, u in people.items()}
    assert sizes["admin"] == len(everything) > sizes["ministry"] > sizes["member"] > sizes["outsider"] > 0
    assert sizes["named"] > sizes["outsider"] and sizes["organiser"] > sizes["outsider"]


def test_register_query_count_does_not_grow_with_data(client, session, count_queries):
    people = _world(session, 1)
    f.login(client, people["member"])
    client.get("/sklepi/")
    with count_queries() as few:
        client.get("/sklepi/?kind=decision")
    _world(session, 10)
    with count_queries() as many:
        client.get("/sklepi/?kind=decision")
    assert many.count == few.count, "\n\n".join(s[:200] for s in many.statements)


@pytest.mark.parametrize("url", ["/sklepi/", "/sklepi/?body=G3-1", "/sklepi/?q=internal", "/sklepi/?q=internal&page=2"])
@pytest.mark.parametrize("htmx", [False, True])
def test_register_page_and_count_agree_with_the_query(client, session, count_queries, url, htmx):
    """Whichever way the page is read (count with the choices, windowed with a text filter, the
    fragment without choices), it lists the query's conclusions and counts them all, in a number of
    queries that does not grow with the data."""
    people = _world(session, 3)
    f.login(client, people["member"])
    args = dict(part.split("=") for part in url.partition("?")[2].split("&") if part)
    filters = {"body": args.get("body", ""), "year": int(args["year"]) if "year" in args else None,
               "text": args.get("q", "")}
    expected = session.scalars(queries.register_query(people["member"], **filters)).unique().all()
    assert expected
    headers = {"HX-Request": "true"} if htmx else {}
    with count_queries() as few:
        html = client.get(url, headers=headers).get_data(as_text=True)
    page = int(args.get("page", 1))
    assert f">{len(expected)} sklep" in html
    shown = re.findall(r'<span class="prewrap">([^<]*)</span>', html)
    assert shown == [c.text for c in expected][(page - 1) * 50:page * 50]
    assert ('name="body"' in html) is not htmx  # the choices only on the full page
    _world(session, 10)
    with count_queries() as many:
        client.get(url, headers=headers)
    assert many.count == few.count, "\n\n".join(s[:200] for s in many.statements)


def test_group_page_shows_its_origin_and_conclusions(client, session, register):
    f.login(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    founded = client.get(f"/skupine/{register['founded'].id}").get_data(as_text=True)
    assert "Ustanovljena s sklepom" in founded and "MDP 2024/1" in founded
    assert f"/sestanki/{register['public'].id}/sklepi#sklep-" in founded
    # an outsider does not see the internal conclusions of DS-IT's meetings
    html = client.get(f"/skupine/{register['group'].id}").get_data(as_text=True)
    assert "Občine pošljejo zahteve" not in html and "Sestanki te skupine še nimajo sklepov" in html
    client.post("/odjava")
    f.login(client, register["people"][GroupRole.MEMBER])
    html = client.get(f"/skupine/{register['group'].id}").get_data(as_text=True)
    assert "Občine pošljejo zahteve" in html and "Informacija o proračunu" in html and "Sklepi (3)" in html


def test_group_origin_is_hidden_from_who_may_not_see_the_conclusion(client, session):
    group, people = h.group_with_people()
    secret = h.meeting(None, title="Zaupni sestanek", visibility=V.CONFIDENTIAL)
    founded = groups.create_group(name="Skrivna skupina", code="SK", mandate="")
    services.add_conclusion(secret, text="Ustanovi se skrivna skupina.", kind=ConclusionKind.DECISION,
                            visibility=V.CONFIDENTIAL, establishes_group=founded)
    f.login(client, f.user(Role.MINISTRY))
    html = client.get(f"/skupine/{founded.id}").get_data(as_text=True)
    assert "Ustanovljena s sklepom" not in html and "MDP 2024/1" not in html


def test_group_page_query_count_does_not_grow_with_conclusions(client, session, count_queries, register):
    member = register["people"][GroupRole.MEMBER]
    f.login(client, member)
    url = f"/skupine/{register['group'].id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(10):
        meeting = h.meeting(register["group"], title=f"Seja {n}", start=datetime(2024, 4, n + 1, 9, tzinfo=UTC))
        for _ in range(3):
            services.add_conclusion(meeting, text="Sklep", kind=ConclusionKind.DECISION, visibility=V.INTERNAL)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert "Sklepi (33)" in html and "Vsi sklepi DS-IT v evidenci" in html
    assert many.count == few.count, "\n\n".join(s[:200] for s in many.statements)
