"""Calendar export: a meeting as .ics, and the personal and group feeds behind secret tokens."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from coordination.accounts import services as accounts
from coordination.accounts.models import Role
from coordination.groups.models import GroupRole
from coordination.meetings import services
from coordination.meetings.models import Visibility
from coordination.meetings.permissions import can_view
from tests import factories as f
from tests.meetings import helpers as h

pytestmark = pytest.mark.usefixtures("no_csrf")
LJUBLJANA = ZoneInfo("Europe/Ljubljana")


def parse(response) -> Calendar:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def setting(session):
    group, people = h.group_with_people()
    summer = h.meeting(group, title="Poletna seja: šifranti in žigi", start=datetime(2024, 7, 2, 7, tzinfo=UTC))
    winter = h.meeting(group, title="Zimska seja", start=datetime(2024, 12, 3, 8, tzinfo=UTC),
                       visibility=Visibility.PUBLIC)
    secret = h.meeting(group, title="Zaupna seja", visibility=Visibility.CONFIDENTIAL)
    other = h.meeting(None, title="Sestanek ministrstva", visibility=Visibility.INTERNAL)
    return {"group": group, "people": people, "summer": summer, "winter": winter, "secret": secret, "other": other}


def test_a_meeting_downloads_as_an_event_in_ljubljana_time(client, setting):
    f.login(client, setting["people"][GroupRole.MEMBER])
    meeting = setting["summer"]
    response = client.get(f"/sestanki/{meeting.id}.ics")
    assert response.headers["Content-Disposition"] == f"attachment; filename=sestanek-2024-07-02-{meeting.id}.ics"
    cal = parse(response)
    (event,) = cal.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "Europe/Ljubljana"
    assert event.decoded("dtstart") == datetime(2024, 7, 2, 9, 0, tzinfo=LJUBLJANA)  # 7:00 UTC is 9:00 in summer
    assert event.decoded("dtend") == datetime(2024, 7, 2, 11, 0, tzinfo=LJUBLJANA)
    assert b"DTSTART;TZID=Europe/Ljubljana:20240702T090000" in response.data
    assert str(event["summary"]) == "Poletna seja: šifranti in žigi"
    assert str(event["location"]) == "Ljubljana, Davčna 1"
    assert str(event["url"]) == f"http://localhost/sestanki/{meeting.id}"
    assert str(event["uid"]) == f"sestanek-{meeting.id}@koordinacija.sestanki"
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Ljubljana"
    # the VTIMEZONE's rules give the same offsets as the tz database, winter and summer, for years to come
    tz = zone.to_tz()
    for moment in (datetime(2024, 1, 15, 12), datetime(2024, 7, 2, 9), datetime(2031, 3, 30, 3, 30),
                   datetime(2035, 10, 28, 1, 30)):
        assert moment.replace(tzinfo=tz).utcoffset() == moment.replace(tzinfo=LJUBLJANA).utcoffset(), moment


def test_the_uid_stays_when_the_meeting_changes(client, setting):
    f.login(client, f.user(Role.MINISTRY))
    meeting = setting["winter"]
    before = next(iter(parse(client.get(f"/sestanki/{meeting.id}.ics")).walk("VEVENT")))
    services.update_meeting(meeting, title="Zimska seja (prestavljena)", starts_at=meeting.starts_at + timedelta(days=1),
                            ends_at=meeting.ends_at + timedelta(days=1), place="Kamnik", online_url="https://sestanek.example/x",
                            visibility=meeting.visibility, organisers=meeting.organisers)
    after = next(iter(parse(client.get(f"/sestanki/{meeting.id}.ics")).walk("VEVENT")))
    assert str(after["uid"]) == str(before["uid"])
    assert after.decoded("dtstart") == datetime(2024, 12, 4, 9, 0, tzinfo=LJUBLJANA)  # winter: UTC+1
    assert str(after["location"]) == "Kamnik, https://sestanek.example/x"


def test_only_who_may_view_gets_the_ics(client, setting):
    url = f"/sestanki/{setting['summer'].id}.ics"
    assert client.get(url).status_code == 302
    f.login(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    assert client.get(url).status_code == 404  # not visible: unknown to them
    assert client.get("/sestanki/999999.ics").status_code == 404


def _feed_path(html: str, marker: str) -> str:
    start = html.index(f"http://localhost/koledar/{marker}")
    return html[start:html.index(".ics", start) + 4].removeprefix("http://localhost")


def test_personal_feed_holds_what_the_user_may_view_and_needs_no_login(client, session, setting):
    member = setting["people"][GroupRole.MEMBER]
    f.login(client, member)
    assert "http://localhost/koledar/" not in client.get("/koledar/").get_data(as_text=True)  # looking makes none
    assert client.post("/koledar/ponastavi").status_code == 302  # made on request
    page = client.get("/koledar/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Moji sestanki" in html
    path = _feed_path(html, "")
    token = path.removeprefix("/koledar/").removesuffix(".ics")
    assert len(token) >= 43 and token == member.calendar_token
    assert client.get("/koledar/").get_data(as_text=True).count(token) >= 1  # the same address next time
    client.post("/odjava")
    feed = parse(client.get(path))  # no login: the token is the key
    titles = set(events(feed))
    expected = {m.title for key, m in setting.items() if key in ("summer", "winter", "secret", "other")
                and can_view(member, m)}
    assert titles == expected == {"Poletna seja: šifranti in žigi", "Zimska seja"}
    assert str(feed["x-wr-calname"]).startswith("Sestanki: Member Kamnik")
    assert len(feed.walk("VTIMEZONE")) == 1


def test_resetting_the_personal_feed_retires_the_old_address(client, session, setting):
    member = setting["people"][GroupRole.MEMBER]
    f.login(client, member)
    client.post("/koledar/ponastavi")
    old = _feed_path(client.get("/koledar/").get_data(as_text=True), "")
    assert client.get(old).status_code == 200
    response = client.post("/koledar/ponastavi")
    assert response.status_code == 302
    new = _feed_path(client.get("/koledar/").get_data(as_text=True), "")
    assert new != old
    client.post("/odjava")
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


@pytest.mark.parametrize("token", ["nic", "x" * 43, "x" * 500, "%00", "..%2F..%2Fetc"])
def test_unknown_tokens_are_not_found(client, session, token):
    expected = 400 if "%00" in token else 404  # a NUL character is refused in any request
    assert client.get(f"/koledar/{token}.ics").status_code == expected
    assert client.get(f"/koledar/skupina/{token}.ics").status_code == expected


def test_a_deactivated_user_feed_stops(client, session, setting):
    member = setting["people"][GroupRole.MEMBER]
    f.login(client, member)
    client.post("/koledar/ponastavi")
    path = _feed_path(client.get("/koledar/").get_data(as_text=True), "")
    client.post("/odjava")
    accounts.set_active(member, False)
    assert client.get(path).status_code == 404


def test_group_feed_holds_the_groups_meetings_that_are_not_confidential(client, session, setting):
    secretary = setting["people"][GroupRole.SECRETARY]
    f.login(client, secretary)
    client.post("/koledar/ponastavi")
    html = client.get("/koledar/").get_data(as_text=True)
    assert "Delovna skupina za IT zahteve" in html
    path = _feed_path(html, "skupina/")
    assert path.removeprefix("/koledar/skupina/").removesuffix(".ics") == (  # the group's and the reader's
        f"{setting['group'].calendar_token}.{secretary.calendar_token}")
    client.post("/odjava")
    feed = parse(client.get(path))
    assert set(events(feed)) == {"Poletna seja: šifranti in žigi", "Zimska seja"}
    assert str(feed["x-wr-calname"]) == "Delovna skupina za IT zahteve (DS-IT)"


def test_group_feed_reset_by_its_runners_only(client, session, setting):
    group = setting["group"]
    member = setting["people"][GroupRole.MEMBER]
    f.login(client, member)
    client.post("/koledar/ponastavi")
    html = client.get("/koledar/").get_data(as_text=True)
    old = _feed_path(html, "skupina/")
    assert f"/koledar/skupina/{group.id}/ponastavi" not in html  # a member does not reset it
    assert client.post(f"/koledar/skupina/{group.id}/ponastavi").status_code == 403
    client.post("/odjava")
    f.login(client, setting["people"][GroupRole.SECRETARY])
    assert client.post(f"/koledar/skupina/{group.id}/ponastavi").status_code == 302
    client.post("/odjava")
    assert client.get(old).status_code == 404
    session.refresh(group)
    assert client.get(f"/koledar/skupina/{group.calendar_token}.{member.calendar_token}.ics").status_code == 200
    assert client.post("/koledar/skupina/999999/ponastavi").status_code == 302  # sign in first


def test_staff_see_and_create_the_feeds_of_every_group(client, session, setting):
    f.login(client, f.user(Role.MINISTRY))
    client.post("/koledar/ponastavi")
    html = client.get("/koledar/").get_data(as_text=True)
    assert "Druge delovne skupine" in html and "Ustvari naslov" in html
    assert setting["group"].calendar_token is None  # not made just by looking
    assert client.post(f"/koledar/skupina/{setting['group'].id}/ponastavi").status_code == 302
    session.refresh(setting["group"])
    assert setting["group"].calendar_token and setting["group"].calendar_token in client.get("/koledar/").get_data(
        as_text=True)
    assert client.post("/koledar/skupina/999999/ponastavi").status_code == 404


def test_tokens_are_masked_in_the_audit_log(client, session, setting):
    from sqlalchemy import select

    from coordination.audit.models import AuditEntry

    member = setting["people"][GroupRole.MEMBER]
    f.login(client, member)
    client.post("/koledar/ponastavi")
    session.refresh(member)
    for entry in session.scalars(select(AuditEntry)).all():
        assert member.calendar_token not in str(entry.changes)
