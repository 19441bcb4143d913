"""Search finds what people type: organisations and working groups, a municipality's name (its page and
its items), and a fan-out's items as one result for whoever may see its matrix."""
import pytest
from sqlalchemy import select

from coordination.accounts.models import Role
from coordination.actions.models import ActionItem, FanOutScope
from coordination.actions.permissions import can_view_fanout, fanout_clause
from coordination.extensions import db
from coordination.groups import services as groups
from coordination.meetings.models import Conclusion, Meeting, Visibility
from coordination.search.services import search
from tests import factories as f
from tests.search import helpers as h


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY)


def hits(user, query, kind):
    return next(g for g in search(user, query).groups if g.kind == kind).hits


def fan_out(staff, visibility=Visibility.PUBLIC, title="Imenovati skrbnika za hidrante"):
    meeting = h.meeting(staff, visibility=visibility)
    conclusion = h.conclusion(meeting, "Občine imenujejo skrbnike.", visibility)
    return f.fan_out(conclusion, staff, title=title, scope=FanOutScope.ALL)


def own_item(fanout, org):
    return db.session.scalar(select(ActionItem).where(ActionItem.fanout_id == fanout.id,
                                                      ActionItem.assignee_org_id == org.id))


def test_organisations_are_found_by_name_short_name_and_region(client, no_csrf, session, staff):
    kamnik = f.municipality("Kamnik")
    assert [hit.ref_id for hit in hits(staff, "kamnik", "organisation")] == [kamnik.id]
    sos = f.by_short_name("SOS")
    assert sos.id in [hit.ref_id for hit in hits(staff, "sos", "organisation")]
    assert kamnik.id in [hit.ref_id for hit in search(staff, "osrednjeslov", kind="organisation").groups[0].hits]
    f.login(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    page = client.get("/iskanje?q=Kamnik").get_data(as_text=True)
    assert f'href="/organizacije/{kamnik.id}"' in page and "<mark>Kamnik</mark>" in page


def test_working_groups_are_found_by_name_code_and_mandate(client, no_csrf, session, staff):
    group = groups.create_group(name="Delovna skupina za gozdne ceste", code="DS-GC",
                                mandate="Usklajuje vzdrževanje gozdnih poti.")
    outsider = f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))  # no member: the group's page is open to all
    for query in ("gozdne ceste", "ds-gc", "vzdrzevanje"):
        assert [hit.ref_id for hit in hits(outsider, query, "group")] == [group.id], query
    f.login(client, outsider)
    assert f'href="/skupine/{group.id}"' in client.get("/iskanje?q=gozdne").get_data(as_text=True)


def test_the_items_of_a_fan_out_are_one_result(client, no_csrf, session, staff):
    fanout = fan_out(staff)
    [hit] = hits(staff, "hidrant", "item")
    assert hit.fanout and hit.row.members == 212 and hit.row.fanout_id == fanout.id
    f.login(client, staff)
    page = client.get("/iskanje?q=hidrant").get_data(as_text=True)
    assert f'href="/razprsitve/{fanout.id}"' in page
    assert "Razposlana naloga »Imenovati skrbnika za <mark>hidrante</mark>« — 212 občin" in page
    assert 'href="/naloge/' not in page.split('id="search-results"')[1].split("</main>")[0]
    # the kind's page counts one result too
    assert search(staff, "hidrant", kind="item").groups[0].total == 1


def test_a_municipal_official_sees_their_own_item_beside_the_fan_out(session, staff):
    fanout = fan_out(staff)
    kamnik = f.municipality("Kamnik")
    official = f.user(Role.MUNICIPAL, kamnik)
    found = hits(official, "hidrant", "item")
    mine = own_item(fanout, kamnik)
    assert sorted((hit.fanout, hit.row.members if hit.fanout else hit.ref_id) for hit in found) == \
        [(False, mine.id), (True, 211)]  # the other municipalities' items: one result


def test_who_may_not_see_the_matrix_sees_only_their_own_item(client, no_csrf, session, staff):
    fanout = fan_out(staff, Visibility.INTERNAL)
    kamnik = f.municipality("Kamnik")
    official = f.user(Role.MUNICIPAL, kamnik)
    found = hits(official, "hidrant", "item")
    assert [(hit.fanout, hit.ref_id) for hit in found] == [(False, own_item(fanout, kamnik).id)]
    f.login(client, official)
    page = client.get("/iskanje?q=hidrant").get_data(as_text=True)
    shown = page.split('id="search-results"')[1].split("</main>")[0]
    assert "/razprsitve/" not in shown and "občin" not in shown
    kranj = f.municipality("Kranj")  # another municipality sees its own item only, not Kamnik's
    assert [hit.ref_id for hit in hits(f.user(Role.MUNICIPAL, kranj), "hidrant", "item")] == \
        [own_item(fanout, kranj).id]


def test_a_municipality_name_finds_its_page_and_its_items(client, no_csrf, session, staff):
    fanout = fan_out(staff)
    kamnik = f.municipality("Kamnik")
    single = h.item(staff, "Poročilo o poplavah", org=kamnik)
    results = search(staff, "kamnik")
    by_kind = {g.kind: g.hits for g in results.groups}
    assert [hit.ref_id for hit in by_kind["organisation"]] == [kamnik.id]
    items = {hit.ref_id for hit in by_kind["item"]}
    assert {single.id, own_item(fanout, kamnik).id} <= items  # one of 212: a result of its own
    assert not any(hit.fanout for hit in by_kind["item"])
    f.login(client, staff)
    page = client.get("/iskanje?q=kamnik+hidrant").get_data(as_text=True)
    assert f'href="/naloge/{own_item(fanout, kamnik).id}"' in page and "/razprsitve/" not in page


def test_fanout_clause_agrees_with_the_matrix_rule(session, staff):
    public, internal = fan_out(staff), fan_out(staff, Visibility.INTERNAL, "Druga razposlana")
    confidential = fan_out(staff, Visibility.CONFIDENTIAL, "Tretja razposlana")
    users = [staff, f.user(Role.ADMIN), f.user(Role.ASSOCIATION), f.user(Role.MUNICIPAL, f.municipality("Kamnik")),
             f.user(Role.MUNICIPAL, f.municipality("Kranj"))]
    for user in users:
        for fanout in (public, internal, confidential):
            in_sql = db.session.scalar(
                select(fanout_clause(user)).select_from(Conclusion).join(Meeting, Meeting.id == Conclusion.meeting_id)
                .where(Conclusion.id == fanout.conclusion_id))
            assert bool(in_sql) == can_view_fanout(user, fanout), (user.role, fanout.title)


def test_query_count_does_not_grow_with_organisations_groups_and_fan_outs(client, no_csrf, session, staff,
                                                                           count_queries):
    official = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))
    fan_out(staff, title="Skrbnik hidrantov")
    groups.create_group(name="Skupina za hidrante", code="DS-H1", mandate="")
    f.login(client, official)
    urls = ("/iskanje?q=hidrant", "/iskanje?q=hidrant&kind=item", "/iskanje?q=kamnik")
    for url in urls:
        client.get(url)
    with count_queries() as few:
        for url in urls:
            assert client.get(url).status_code == 200
    for n in range(3):
        fan_out(staff, title=f"Skrbnik hidrantov {n}")
        groups.create_group(name=f"Skupina za hidrante {n}", code=f"DS-H{n + 2}", mandate="")
        h.item(staff, f"Hidrant {n}", org=f.municipality("Kamnik"))
    with count_queries() as many:
        for url in urls:
            assert client.get(url).status_code == 200
    assert many.count == few.count, "\n\n".join(s[:200] for s in many.statements)
