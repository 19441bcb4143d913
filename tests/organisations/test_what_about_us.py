"""A municipality's page answers "what about us": its open and overdue items, its meetings, its
working-group seats (and the stewards' and points' sections), its seat on a small map, each for
the reader's eyes only, in a fixed number of queries."""
from datetime import UTC, datetime, timedelta

import pytest

from coordination.accounts.models import Role
from coordination.meetings.models import Visibility
from coordination.types import today
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def kamnik():
    return f.municipality("Kamnik")


def _page(client, org):
    response = client.get(f"/organizacije/{org.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_lists_items_meetings_and_seats(client, session, kamnik):
    minister = f.user(Role.MINISTRY, name="Marko Ministrski")
    official = f.user(Role.MUNICIPAL, organisation=kamnik, name="Črt Občinski")
    f.action_item(minister, "Imenovati skrbnika podatkov", org=kamnik, due_date=today() - timedelta(days=3))
    f.action_item(minister, "Poročati o točkah", org=kamnik, due_date=today() + timedelta(days=10))
    f.action_item(minister, "Naloga Domžal", org=f.municipality("Domžale"))
    meeting = f.meeting(title="Sestanek z občinami", organisers=[kamnik])
    group = f.group(name="Skrbniki podatkov")
    f.member(group, official)
    f.member(f.group(name="Nekdanja skupina"), official, valid_until=today() - timedelta(days=1))
    session.commit()
    f.login(client, official)
    html = _page(client, kamnik)
    assert "Odprte naloge (2)" in html and "Imenovati skrbnika podatkov" in html and "Naloga Domžal" not in html
    assert "1 zamuja." in html
    assert f'href="/sestanki/{meeting.id}"' in html
    assert "Skrbniki podatkov" in html and "Nekdanja skupina" not in html  # current seats only
    assert "Skrbnik podatkov" in html  # the stewards' section is still there
    assert '<svg' in html and 'id="seat-map"' in html and "° N" in html  # the seat on the map


def test_each_part_is_filtered_for_the_reader(client, session, kamnik):
    minister = f.user(Role.MINISTRY)
    hidden = f.meeting(title="Zaupni sestanek", organisers=[kamnik], visibility=Visibility.CONFIDENTIAL)
    conclusion = f.conclusion(hidden, "Zaupni sklep")
    f.action_item(minister, "Zaupna naloga", org=f.municipality("Domžale"), conclusion=conclusion)
    session.commit()
    f.login(client, f.user(Role.MUNICIPAL, organisation=f.municipality("Domžale")))
    html = _page(client, kamnik)
    assert "Zaupni sestanek" not in html
    assert "Ni sestankov s to organizacijo, ki bi jih smeli videti." in html


def _grow(kamnik, n):
    minister = f.user(Role.MINISTRY)
    for i in range(n):
        f.action_item(minister, f"Naloga {n}-{i}", org=kamnik, due_date=today() - timedelta(days=i))
        f.meeting(title=f"Sestanek {n}-{i}", organisers=[kamnik],
                  start=datetime(2024, 1, 1, 9, tzinfo=UTC) + timedelta(days=i))
        f.member(f.group(), kamnik)


@pytest.mark.parametrize("role", [Role.MUNICIPAL, Role.MINISTRY])
def test_the_page_has_a_fixed_query_count(client, session, kamnik, count_queries, role):
    f.login(client, f.user(role, organisation=kamnik if role == Role.MUNICIPAL else None))
    _grow(kamnik, 2)
    session.commit()
    _page(client, kamnik)
    with count_queries() as few:
        small = _page(client, kamnik)
    _grow(kamnik, 25)
    session.commit()
    with count_queries() as many:
        large = _page(client, kamnik)
    assert small.count("<li") < large.count("<li")
    assert many.count == few.count
