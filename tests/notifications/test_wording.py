"""What a notification says: the organisation and the item, in the interface's terms, and a fan-out's
status changes of one day grouped in one line with the Slovenian plural forms."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from coordination.accounts.models import Role
from coordination.actions import services as actions
from coordination.actions.models import FanOutScope, ItemStatus, Notification, NotificationKind
from coordination.extensions import db
from coordination.notifications import services as notifications
from coordination.types import clock_at
from tests import factories as f

TOWNS = ["Kamnik", "Kranj", "Celje", "Koper", "Ptuj", "Bled"]


@pytest.fixture
def client(client, no_csrf):
    return client


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Mojca Ministrska")


@pytest.fixture
def fanout(staff):
    conclusion = f.conclusion(f.meeting(), "Vse občine imenujejo skrbnika podatkov")
    return f.fan_out(conclusion, staff, "Imenovati skrbnika", scope=FanOutScope.CHOSEN,
                     chosen=[f.municipality(t).id for t in TOWNS])


def _item(fanout, town):
    return next(i for i in fanout.items if i.assignee_org.name == town)


def _officials():
    return {town: f.user(Role.MUNICIPAL, f.municipality(town), name=f"Uradnik {town}") for town in TOWNS}


def _of(user, kind=NotificationKind.STATUS_CHANGED):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
                              .order_by(Notification.id)).all()


def _text(notification, lang="sl"):
    with force_locale(lang):
        return notifications.notification_text(notification)


def test_a_single_change_names_the_organisation_and_the_item(app, session, staff):
    official = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))
    item = f.action_item(staff, "Poslati seznam zbirk", org=official.organisation)
    with app.test_request_context():
        actions.change_status(item, ItemStatus.DONE, author=official)
        [done] = _of(staff)
        assert _text(done) == "Kamnik: naloga „Poslati seznam zbirk“ je opravljena"
        assert _text(done, "en") == "Kamnik: action item “Poslati seznam zbirk” is done"
        actions.change_status(item, ItemStatus.IN_PROGRESS, author=official)
        assert _text(_of(staff)[-1]) == "Kamnik: naloga „Poslati seznam zbirk“ je v teku"
        assert "Status" not in _text(_of(staff)[-1], "en") and "status" not in _text(_of(staff)[-1], "en")
        actions.add_note(item, "Seznam je v prilogi.", author=official)
        [note] = _of(staff, NotificationKind.COMMENTED)
        assert _text(note) == "Kamnik: nov zapis pri nalogi „Poslati seznam zbirk“"
        [assigned] = _of(official, NotificationKind.ASSIGNED)
        assert _text(assigned) == "Kamnik: dodeljena vam je nova naloga „Poslati seznam zbirk“"


def test_a_fanouts_changes_of_one_day_are_one_line_that_counts_municipalities(client, staff, fanout):
    people = _officials()
    expected = {1: "Kamnik: naloga „Imenovati skrbnika“ je opravljena",
                2: "2 občini sta danes opravili nalogo „Imenovati skrbnika“",
                3: "3 občine so danes opravile nalogo „Imenovati skrbnika“",
                4: "4 občine so danes opravile nalogo „Imenovati skrbnika“",
                5: "5 občin je danes opravilo nalogo „Imenovati skrbnika“"}
    for n, town in enumerate(TOWNS[:5], start=1):
        actions.change_status(_item(fanout, town), ItemStatus.DONE, author=people[town])
        db.session.expire_all()
        [line] = _of(staff)  # one row, whatever the number of municipalities
        assert line.count == n
        assert _text(line) == expected[n]
    # another state of the same fan-out is a line of its own
    actions.change_status(_item(fanout, "Bled"), ItemStatus.IN_PROGRESS, author=people["Bled"])
    db.session.expire_all()
    done, started = _of(staff)
    assert (done.count, started.count) == (5, 1)
    assert _text(started) == "Bled: naloga „Imenovati skrbnika“ je v teku"
    # the page shows the grouped line, and it leads to the fan-out's matrix
    f.login(client, staff)
    page = client.get("/obvestila").get_data(as_text=True)
    assert "5 občin je danes opravilo nalogo „Imenovati skrbnika“" in page
    assert page.count("Imenovati skrbnika") == 4  # two lines, each also in its "mark as read" button
    response = client.post(f"/obvestila/{done.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/razprsitve/{fanout.id}")


def test_a_read_group_turns_unread_again_when_it_grows(session, staff, fanout):
    people = _officials()
    actions.change_status(_item(fanout, "Kamnik"), ItemStatus.DONE, author=people["Kamnik"])
    actions.change_status(_item(fanout, "Kranj"), ItemStatus.DONE, author=people["Kranj"])
    notifications.mark_all_read(staff)
    actions.change_status(_item(fanout, "Celje"), ItemStatus.DONE, author=people["Celje"])
    db.session.expire_all()
    [line] = _of(staff)
    assert line.count == 3 and line.read_at is None
    assert notifications.unread_count(staff) == 1


def test_a_bulk_change_counts_every_municipality_once(session, staff, fanout):
    changed, refused = actions.change_statuses(list(fanout.items)[:4], ItemStatus.DONE,
                                               author=f.user(Role.ASSOCIATION, name="Zveza"))
    assert (changed, refused) == (4, [])
    db.session.expire_all()
    [line] = _of(staff)
    assert line.count == 4


def test_another_day_and_another_fanout_are_other_lines(session, staff, fanout):
    people = _officials()
    actions.change_status(_item(fanout, "Kamnik"), ItemStatus.DONE, author=people["Kamnik"])
    with clock_at(datetime.now(UTC) + timedelta(days=1)):
        actions.change_status(_item(fanout, "Kranj"), ItemStatus.DONE, author=people["Kranj"])
    second = f.fan_out(f.conclusion(f.meeting(), "Drugi sklep"), staff, "Poročati o zbirkah",
                       scope=FanOutScope.CHOSEN, chosen=[f.municipality("Celje").id])
    actions.change_status(second.items[0], ItemStatus.DONE, author=people["Celje"])
    db.session.expire_all()
    assert [n.count for n in _of(staff)] == [1, 1, 1]


def test_a_line_of_an_earlier_day_does_not_say_today(app, session, staff, fanout):
    people = _officials()
    with clock_at(datetime.now(UTC) - timedelta(days=2)):
        for town in ("Kamnik", "Kranj", "Celje"):
            actions.change_status(_item(fanout, town), ItemStatus.DONE, author=people[town])
    db.session.expire_all()
    [line] = _of(staff)
    with app.test_request_context():
        assert _text(line) == "3 občine so opravile nalogo „Imenovati skrbnika“"
        assert _text(line, "en") == "3 municipalities completed the action item “Imenovati skrbnika”"


@pytest.mark.parametrize(("count", "sl", "en"), [
    (1, "1 občina je danes opravila nalogo „N“", "1 municipality completed the action item “N” today"),
    (2, "2 občini sta danes opravili nalogo „N“", "2 municipalities completed the action item “N” today"),
    (3, "3 občine so danes opravile nalogo „N“", None),
    (4, "4 občine so danes opravile nalogo „N“", None),
    (5, "5 občin je danes opravilo nalogo „N“", None),
    (12, "12 občin je danes opravilo nalogo „N“", None),
    (101, "101 občina je danes opravila nalogo „N“", None),
    (102, "102 občini sta danes opravili nalogo „N“", None),
    (212, "212 občin je danes opravilo nalogo „N“", None),
])
def test_slovenian_plural_forms(app, count, sl, en):
    with app.test_request_context():
        with force_locale("sl"):
            assert notifications.grouped_text(count, "N", "done", today_=True) == sl
        if en:
            with force_locale("en"):
                assert notifications.grouped_text(count, "N", "done", today_=True) == en
        with force_locale("sl"):
            other = notifications.grouped_text(count, "N", "blocked", today_=True)
        assert other.startswith(f"{count} občin") and "stanje naloge „N“ v »Blokirana«" in other
