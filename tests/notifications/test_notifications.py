"""In-app notifications: the list, the unread badge, marking read, only one's own; the settings' token."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions import services as actions
from coordination.actions.models import ItemStatus, Notification
from coordination.extensions import db
from coordination.notifications import services as notifications
from tests import factories as f


@pytest.fixture
def client(client, no_csrf):  # signing in through the form without a token; one test turns CSRF back on
    return client


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Mojca Ministrska")


@pytest.fixture
def official(session):
    return f.user(Role.MUNICIPAL, f.municipality("Kamnik"), name="Klemen Kamniški")


def _assign(staff, official, title="Imenovati skrbnika"):
    return f.action_item(staff, title, org=official.organisation)


def _unread(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def _mine(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_list_shows_each_kind_newest_first_with_the_unread_count(client, staff, official):
    item = _assign(staff, official)                                         # assigned to his municipality
    mine = actions.create_item(title="Moja naloga", assignee_org=official.organisation, author=official)
    actions.change_status(mine, ItemStatus.IN_PROGRESS, author=staff)       # his item changed status
    actions.add_note(mine, "Kje je seznam?", author=staff)                  # an entry on his item
    fanout_like = item
    db.session.add(Notification(user_id=official.id, kind="reminder", item_id=fanout_like.id,
                                actor_label=staff.name, detail=item.title))
    db.session.commit()
    f.login(client, official)
    page = client.get("/obvestila").get_data(as_text=True)
    texts = ["Kamnik: opomnik za nalogo „Imenovati skrbnika“", "Kamnik: nov zapis pri nalogi „Moja naloga“",
             "Kamnik: naloga „Moja naloga“ je v teku", "Kamnik: dodeljena vam je nova naloga „Imenovati skrbnika“"]
    positions = [page.index(t) for t in texts]
    assert positions == sorted(positions)  # newest first
    assert "Kje je seznam?" in page
    assert page.count('class="notification unread"') == 4
    # the header badge and its fragment say 4
    assert '<span class="count">4</span>' in page
    badge = client.get("/obvestila/stevec", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<span class="count">4</span>' in badge and "neprebrana" in badge
    assert 'data-hx-trigger="every 60s, notifications-changed from:body"' in badge


def test_english(client, staff, official):
    _assign(staff, official)
    f.login(client, official)
    client.post("/jezik", data={"lang": "en"})
    page = client.get("/obvestila").get_data(as_text=True)
    assert "Kamnik: new action item “Imenovati skrbnika” assigned to you" in page
    assert '<span class="count">1</span><span class="visually-hidden"> unread</span>' in page


def test_opening_a_notification_goes_to_the_item_and_marks_it_read(client, staff, official):
    item = _assign(staff, official)
    [note] = _mine(official)
    f.login(client, official)
    response = client.post(f"/obvestila/{note.id}")  # the list's button; a GET only follows it
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/naloge/{item.id}")
    db.session.refresh(note)
    assert note.read_at is not None
    page = client.get("/obvestila").get_data(as_text=True)
    assert 'class="notification unread"' not in page and 'class="count"' not in page


def test_mark_one_and_all_read(client, staff, official):
    for n in range(3):
        _assign(staff, official, f"Naloga {n}")
    first, second, third = _mine(official)
    f.login(client, official)
    response = client.post(f"/obvestila/{first.id}/prebrano", data={"page": "1"})
    assert response.status_code == 302
    assert _unread(official) == 2
    # htmx: the list comes back as a fragment and the badge is told to refresh
    response = client.post(f"/obvestila/{second.id}/prebrano", data={"page": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "notifications-changed"
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="notifications"') and "<html" not in fragment
    assert fragment.count('class="notification unread"') == 1
    assert _unread(official) == 1
    response = client.post("/obvestila/prebrano", headers={"HX-Request": "true"})
    assert response.headers["HX-Trigger"] == "notifications-changed"
    assert _unread(official) == 0
    assert client.post("/obvestila/prebrano").status_code == 302  # nothing left: still fine


def test_only_ones_own_notifications(client, staff, official):
    other = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))  # same municipality, own notifications
    _assign(staff, official)
    [theirs] = _mine(official)
    f.login(client, other)
    assert client.get(f"/obvestila/{theirs.id}").status_code == 404
    assert client.post(f"/obvestila/{theirs.id}/prebrano").status_code == 404
    page = client.get("/obvestila").get_data(as_text=True)
    assert page.count('class="notification unread"') == 1  # their own copy only
    assert f"/obvestila/{theirs.id}" not in page
    client.post("/obvestila/prebrano")
    db.session.refresh(theirs)
    assert theirs.read_at is None and _unread(other) == 0
    assert client.get("/obvestila/999999").status_code == 404


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get("/obvestila").status_code == 302
    assert client.get("/obvestila/stevec", headers={"HX-Request": "true"}).status_code == 401


def test_list_and_badge_have_a_fixed_query_count(client, staff, official, count_queries):
    _assign(staff, official)
    f.login(client, official)
    client.get("/obvestila")
    with count_queries() as few:
        client.get("/obvestila")
        client.get("/obvestila/stevec")
        client.get("/racun/obvestila")
    for n in range(45):  # more than a page
        _assign(staff, official, f"Naloga {n}")
    with count_queries() as many:
        page = client.get("/obvestila").get_data(as_text=True)
        client.get("/obvestila/stevec")
        client.get("/racun/obvestila")
    assert "Stran 1 od 2" in page and '<span class="count">46</span>' in page
    assert many.count == few.count, "\n\n".join(s[:160] for s in many.statements)
    badge_queries = [s for s in many.statements if "notification" in s.lower() and "count(" in s.lower()]
    assert len(badge_queries) == 4  # the list's total, and one badge per page or fragment


def test_page_two(client, staff, official):
    for n in range(35):
        _assign(staff, official, f"Naloga št. {n}")
    f.login(client, official)
    page = client.get("/obvestila?page=2").get_data(as_text=True)
    assert "Naloga št. 0" in page and "Naloga št. 34" not in page


def test_settings_need_the_token(app, client, official):
    f.login(client, official)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/racun/obvestila", data={})
    assert response.status_code in (400, 422)
    db.session.refresh(official)
    assert official.digest_enabled is True


def test_unread_count_service(session, staff, official):
    _assign(staff, official)
    _assign(staff, official, "Druga")
    assert notifications.unread_count(official) == 2
    assert notifications.mark_all_read(official) == 2
    assert notifications.unread_count(official) == 0
