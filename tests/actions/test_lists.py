"""The action-item list: visibility, filters, sorting, pages, inline and bulk status changes, the
update rule in SQL agreeing with Python, and a query count that does not grow with the data."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from coordination import types
from coordination.accounts.models import Role
from coordination.actions import listing, queries, services
from coordination.actions.models import ActionItem, ItemStatus, ItemUpdate, Priority
from coordination.actions.permissions import can_update, update_clause
from coordination.extensions import db
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings.models import Visibility
from coordination.organisations.models import Organisation
from tests import factories as f


def _conclusion(author, visibility=Visibility.PUBLIC, group=None, title="Sestanek"):
    meeting = f.meeting(group, title=title, visibility=visibility, start=datetime(2026, 3, 1, 9, tzinfo=UTC),
                        place="Ljubljana", organisers=[], created_by=author)
    return f.conclusion(meeting, "Občine imenujejo skrbnike.")


@pytest.fixture
def people(session, no_csrf):
    kamnik, koper = f.municipality("Kamnik"), f.municipality("Koper")
    return {"ministry": f.user(Role.MINISTRY), "kamnik": f.user(Role.MUNICIPAL, kamnik),
            "koper": f.user(Role.MUNICIPAL, koper), "kamnik_org": kamnik, "koper_org": koper}


def _item(people, org, title="Naloga", due=None, **kw):
    return f.action_item(people["ministry"], title, org=org, due_date=due, **kw)


def _titles(response) -> list[str]:
    import re

    return re.findall(r'<a href="/naloge/\d+">([^<]+)</a>', response.get_data(as_text=True))


def test_list_shows_what_the_user_may_see_overdue_first(client, people):
    today = types.today()
    kamnik, koper = people["kamnik_org"], people["koper_org"]
    _item(people, kamnik, "Kasneje", today + timedelta(days=5))
    _item(people, kamnik, "Brez roka")
    _item(people, kamnik, "Zamujena", today - timedelta(days=3))
    done = _item(people, kamnik, "Končana zamujena", today - timedelta(days=9))
    services.change_status(done, ItemStatus.DONE, author=people["ministry"])
    _item(people, koper, "Koprska")  # no conclusion: Kamnik does not see it
    f.login(client, people["kamnik"])
    response = client.get("/naloge/")
    assert response.status_code == 200
    assert _titles(response) == ["Zamujena", "Končana zamujena", "Kasneje", "Brez roka"]
    assert '<a href="/naloge/" aria-current="page">' in response.get_data(as_text=True)  # the nav link


def test_filters_are_in_the_url_and_bad_values_are_ignored(client, people):
    today = types.today()
    kamnik = people["kamnik_org"]
    _item(people, kamnik, "Skrbnik podatkov", today + timedelta(days=2))
    other = _item(people, kamnik, "Poročilo", today + timedelta(days=20))
    services.change_status(other, ItemStatus.IN_PROGRESS, author=people["ministry"])
    f.login(client, people["ministry"])
    assert _titles(client.get("/naloge/?q=skrbnik")) == ["Skrbnik podatkov"]
    assert _titles(client.get("/naloge/?status=in_progress")) == ["Poročilo"]
    assert _titles(client.get(f"/naloge/?org={kamnik.id}&due_to={(today + timedelta(days=5)).isoformat()}")) == [
        "Skrbnik podatkov"]
    assert _titles(client.get(f"/naloge/?region={kamnik.region_id}&q=poro")) == ["Poročilo"]
    # bad values never make an error page; they are named on the page
    response = client.get("/naloge/?status=nope&org=abc&due_from=2024-02-30&sort=sideways&page=x&meeting=-1")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Skrbnik podatkov" in text and "niso bili upoštevani" in text or "left out" in text
    # the htmx fragment is the results only
    fragment = client.get("/naloge/?q=skrbnik", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "Skrbnik podatkov" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_scopes_mine_and_overdue(client, people):
    today = types.today()
    kamnik, koper = people["kamnik_org"], people["koper_org"]
    conclusion = _conclusion(people["ministry"])
    _item(people, kamnik, "Naša", today - timedelta(days=1), conclusion=conclusion)
    _item(people, koper, "Koprska javna", today - timedelta(days=1), conclusion=conclusion)
    _item(people, kamnik, "Naša v roku", today + timedelta(days=1), conclusion=conclusion)
    f.login(client, people["kamnik"])
    assert set(_titles(client.get("/naloge/"))) == {"Naša", "Koprska javna", "Naša v roku"}
    assert set(_titles(client.get("/naloge/?mine=1"))) == {"Naša", "Naša v roku"}
    assert set(_titles(client.get("/naloge/?overdue=1"))) == {"Naša", "Koprska javna"}
    assert _titles(client.get("/naloge/?mine=1&overdue=1")) == ["Naša"]


def test_sort_by_assignee_follows_the_slovenian_alphabet_across_pages(app, client, people):
    names = ["Zreče", "Cerknica", "Črnomelj", "Šentjur", "Sevnica", "Žalec", "Celje"]
    for name in names:
        org = f.municipality(name)
        for n in range(3):
            _item(people, org, f"{name} {n}")
    f.login(client, people["ministry"])
    seen = []
    with app.test_request_context():
        for page in (1, 2, 3):
            rows = listing.page(people["ministry"], listing.parse(_args({"sort": "assignee"})), page, per_page=8)
            seen += [r.item.assignee_org.name for r in rows.items]
    assert seen == [n for n in ["Celje", "Cerknica", "Črnomelj", "Sevnica", "Šentjur", "Zreče", "Žalec"]
                    for _ in range(3)]
    response = client.get("/naloge/?sort=assignee")
    assert response.status_code == 200


def _args(data):
    from werkzeug.datastructures import MultiDict

    return MultiDict(data)


def test_update_rule_in_python_and_sql_agree(session, people):
    group = groups.create_group(name="Skupina", code="DS-X", mandate="")
    secretary = f.user(Role.MUNICIPAL, f.municipality("Ptuj"))
    groups.add_member(group, organisation_id=secretary.organisation_id, user_id=secretary.id,
                      role=GroupRole.SECRETARY, valid_from=None, valid_until=None)
    in_group = _conclusion(people["ministry"], Visibility.INTERNAL, group)
    items = [_item(people, people["kamnik_org"], "A", conclusion=in_group),
             _item(people, people["koper_org"], "B", conclusion=in_group),
             _item(people, people["koper_org"], "C"),
             _item(people, people["kamnik_org"], "D", assignee_user=people["kamnik"])]
    sos = f.user(Role.ASSOCIATION)
    for viewer in (people["ministry"], people["kamnik"], people["koper"], secretary, sos):
        query = queries.item_query(viewer).where(ActionItem.id.in_([i.id for i in items]))
        in_sql = {item.id for item, may in db.session.execute(query.add_columns(update_clause(viewer))) if may}
        in_python = {i.id for i in items if can_update(viewer, i)}
        assert in_sql == in_python, viewer.role
    assert can_update(secretary, items[1])  # the group's secretary runs its meeting


def test_inline_status_change_returns_the_row_or_goes_back(client, people):
    item = _item(people, people["kamnik_org"], "Vrstica")
    f.login(client, people["kamnik"])
    page = client.get("/naloge/?q=Vrstica").get_data(as_text=True)
    assert f'action="/naloge/seznam/{item.id}/stanje"' in page
    token = _token(page)
    response = client.post(f"/naloge/seznam/{item.id}/stanje", data={
        "csrf_token": token, "status": "in_progress", "next": "/naloge/?q=Vrstica"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert row.lstrip().startswith("<tr") or "<tr" in row.split("\n", 3)[-1]
    assert "<html" not in row and f'id="item-row-{item.id}"' in row
    # without JavaScript: back to the same filtered list
    response = client.post(f"/naloge/seznam/{item.id}/stanje", data={
        "csrf_token": token, "status": "done", "next": "/naloge/?q=Vrstica&status=in_progress"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/naloge/?q=Vrstica&status=in_progress")
    # an illegal transition changes nothing (done -> blocked)
    response = client.post(f"/naloge/seznam/{item.id}/stanje", data={
        "csrf_token": token, "status": "blocked", "next": "/naloge/"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == ItemStatus.DONE
    # an outside address in next is not followed
    response = client.post(f"/naloge/seznam/{item.id}/stanje", data={
        "csrf_token": token, "status": "in_progress", "next": "https://example.com/"})
    assert response.headers["Location"].endswith("/naloge/")


def test_inline_status_change_is_refused_without_the_right(client, people):
    conclusion = _conclusion(people["ministry"])
    theirs = _item(people, people["koper_org"], "Koprska", conclusion=conclusion)
    f.login(client, people["kamnik"])
    page = client.get("/naloge/").get_data(as_text=True)
    assert "Koprska" in page and f"/naloge/seznam/{theirs.id}/stanje" not in page
    assert f'value="{theirs.id}" form="bulk-status"' not in page
    response = client.post(f"/naloge/seznam/{theirs.id}/stanje", data={"csrf_token": _token(page),
                                                                       "status": "done"})
    assert response.status_code == 403


def _token(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_bulk_change_reports_changed_and_refused(client, people):
    conclusion = _conclusion(people["ministry"])
    kamnik = people["kamnik_org"]
    first, second = _item(people, kamnik, "Prva"), _item(people, kamnik, "Druga")
    finished = _item(people, kamnik, "Končana")
    services.change_status(finished, ItemStatus.CANCELLED, author=people["ministry"])
    foreign = _item(people, people["koper_org"], "Tuja", conclusion=conclusion)  # seen, not updatable
    hidden = _item(people, people["koper_org"], "Skrita")  # not even seen
    f.login(client, people["kamnik"])
    page = client.get("/naloge/").get_data(as_text=True)
    response = client.post("/naloge/seznam/stanje", data={
        "csrf_token": _token(page), "status": "done", "next": "/naloge/?sort=status",
        "ids": [first.id, second.id, finished.id, foreign.id, hidden.id, "x"]})
    assert response.status_code == 303 and response.headers["Location"].endswith("/naloge/?sort=status")
    db.session.expire_all()
    statuses = {i.title: i.status for i in db.session.scalars(select(ActionItem).where(
        ActionItem.id.in_([first.id, second.id, finished.id, foreign.id, hidden.id])))}
    assert statuses == {"Prva": ItemStatus.DONE, "Druga": ItemStatus.DONE, "Končana": ItemStatus.CANCELLED,
                        "Tuja": ItemStatus.OPEN, "Skrita": ItemStatus.OPEN}
    flashed = client.get("/naloge/").get_data(as_text=True)
    assert "2 nalogi" in flashed and "1 zavrnjena" in flashed or "2 items changed" in flashed, flashed[:3000]
    assert db.session.scalar(select(ItemUpdate.id).where(ItemUpdate.item_id == foreign.id)) is None


def _bulk_items(people, count: int, start: int = 0):
    """`count` items inserted in one statement, spread over organisations, statuses and due dates."""
    orgs = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    conclusion = _conclusion(people["ministry"], title=f"Sestanek {start}")
    today = types.today()
    statuses = list(ItemStatus)
    db.session.execute(insert(ActionItem), [
        {"title": f"Naloga {start + n}", "description": "", "assignee_org_id": orgs[n % len(orgs)],
         "conclusion_id": conclusion.id if n % 2 else None, "status": statuses[n % 5],
         "priority": Priority.NORMAL, "due_date": today + timedelta(days=(n % 60) - 30) if n % 7 else None,
         "created_by_id": people["ministry"].id, "assignee_user_id": people["kamnik"].id if n % 11 == 0 else None}
        for n in range(count)])
    db.session.commit()


@pytest.mark.parametrize("role", ["ministry", "kamnik"])
def test_list_pages_have_a_fixed_query_count(client, people, count_queries, role):
    f.login(client, people[role])
    urls = ["/naloge/", "/naloge/?sort=assignee", "/naloge/?sort=status&q=Naloga", "/naloge/?sort=updated&page=2",
            "/naloge/?overdue=1&mine=1", "/naloge/izvoz.csv", "/naloge/izvoz.xlsx?sort=assignee"]
    _bulk_items(people, 200)
    for url in urls:  # warm up (the first request of a kind loads what is cached per process)
        assert client.get(url).status_code == 200, url
    counts = {}
    for url in urls:
        with count_queries() as few:
            client.get(url)
            client.get(url, headers={"HX-Request": "true"})
        counts[url] = few.count
    _bulk_items(people, 2000, start=200)
    for url in urls:
        with count_queries() as many:
            response = client.get(url)
            client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert many.count == counts[url], (url, "\n\n".join(s[:200] for s in many.statements))


def test_list_narrows_to_one_conclusion_or_one_fan_out(client, people):
    from coordination.actions.models import FanOutScope

    first, second = _conclusion(people["ministry"]), _conclusion(people["ministry"], title="Drugi sestanek")
    _item(people, people["kamnik_org"], "Iz prvega", conclusion=first)
    _item(people, people["kamnik_org"], "Iz drugega", conclusion=second)
    fanout = services.fan_out(second, title="Razpršena", author=people["ministry"], scope=FanOutScope.CHOSEN,
                              chosen=[people["kamnik_org"].id, people["koper_org"].id])
    f.login(client, people["ministry"])
    assert _titles(client.get(f"/naloge/?conclusion={first.id}")) == ["Iz prvega"]
    assert sorted(_titles(client.get(f"/naloge/?conclusion={second.id}"))) == ["Iz drugega", "Razpršena", "Razpršena"]
    page = client.get(f"/naloge/?fanout={fanout.id}").get_data(as_text=True)
    assert _titles(client.get(f"/naloge/?fanout={fanout.id}")) == ["Razpršena", "Razpršena"]
    assert f'name="fanout" value="{fanout.id}"' in page  # the live filter keeps the narrowing
    assert "Prikazane so naloge, ki so bile občinam razposlane skupaj." in page


def test_pages_carry_the_total_and_a_page_past_the_end_shows_the_last(app, session, people):
    for n in range(7):
        _item(people, people["kamnik_org"], f"Naloga {n}", types.today())
    with app.test_request_context():
        _pages_of_seven(people)


def _pages_of_seven(people):
    filters = listing.parse(_args({}))
    second = listing.page(people["ministry"], filters, 2, per_page=3)
    assert (second.total, second.page, len(second.items)) == (7, 2, 3)
    beyond = listing.page(people["ministry"], filters, 40, per_page=3)
    assert (beyond.total, beyond.page, [r.item.title for r in beyond.items]) == (7, 3, ["Naloga 6"])
    nothing = listing.page(people["koper"], listing.parse(_args({"mine": "1"})), 1, per_page=3)
    assert (nothing.total, nothing.items) == (0, [])


@pytest.mark.parametrize("viewer", ["ministry", "kamnik"])
def test_due_order_pages_agree_with_sorting_every_visible_item(app, session, people, viewer):
    """The default order is taken from three parts (overdue, dated, undated) read in index order:
    page after page it must equal one sort of every visible item: overdue first, then by due date,
    undated last, ties by id."""
    today = types.today()
    public = _conclusion(people["ministry"])
    for n in range(23):
        due = None if n % 5 == 0 else today + timedelta(days=(n * 7) % 19 - 9)
        item = _item(people, people["kamnik_org"] if n % 2 else people["koper_org"], f"N{n}", due,
                     conclusion=public if n % 3 else None)
        if n % 4 == 0:
            services.change_status(item, ItemStatus.DONE, author=people["ministry"])
    user = people[viewer]
    with app.test_request_context():
        visible = db.session.scalars(queries.visible_items(user)).all()
        expected = [i.id for i in sorted(visible, key=lambda i: (not i.overdue(today), i.due_date is None,
                                                                  i.due_date or today, i.id))]
        seen, late = [], []
        for number in range(1, -(-len(expected) // 5) + 1):  # a page past the end would repeat the last
            seen += [row.item.id for row in listing.page(user, listing.parse(_args({})), number, per_page=5).items]
            late += [row.item.id for row in listing.page(user, listing.parse(_args({"overdue": "1"})), number,
                                                          per_page=5).items]
        worded = [row.item.id for row in listing.page(user, listing.parse(_args({"q": "N1"})), 1, per_page=50).items]
    overdue = [i for i in expected if db.session.get(ActionItem, i).overdue(today)]
    assert len(expected) > 10 and seen == expected
    assert len(overdue) > 3 and late[:len(overdue)] == overdue
    assert worded == [i for i in expected if db.session.get(ActionItem, i).title.startswith("N1")]
