"""iCalendar (RFC 5545) built with the `icalendar` library: meetings as VEVENTs in Europe/Ljubljana time."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from coordination.meetings.models import Meeting
from coordination.types import LJUBLJANA, utcnow

PRODID = "-//Koordinacijski prostor//Sestanki//SL"
TZID = "Europe/Ljubljana"
UID_DOMAIN = "koordinacija.sestanki"


def uid(meeting: Meeting) -> str:
    """Stable for the meeting's whole life, whatever changes in it, so calendars update the event."""
    return f"sestanek-{meeting.id}@{UID_DOMAIN}"


def ljubljana_timezone() -> Timezone:
    """VTIMEZONE of Europe/Ljubljana with its rules (EU summer time since 1996: last Sunday of March to
    last Sunday of October), as published for this zone, valid for every year a meeting can have."""
    zone = Timezone()
    zone.add("tzid", TZID)
    zone.add("x-lic-location", TZID)
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", LJUBLJANA.utcoffset(datetime(2024, 1, 1)))
    summer.add("tzoffsetto", LJUBLJANA.utcoffset(datetime(2024, 7, 1)))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", LJUBLJANA.utcoffset(datetime(2024, 7, 1)))
    winter.add("tzoffsetto", LJUBLJANA.utcoffset(datetime(2024, 1, 1)))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def meeting_event(meeting: Meeting, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(LJUBLJANA))
    event.add("dtend", meeting.ends_at.astimezone(LJUBLJANA))
    event.add("summary", meeting.title)
    location = ", ".join(x for x in (meeting.place, meeting.online_url) if x)
    if location:
        event.add("location", location)
    event.add("url", url)
    lines = [meeting.group.name] if meeting.group else []
    if meeting.online_url:
        lines.append(meeting.online_url)
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("class", "PUBLIC" if meeting.visibility.value == "public" else "PRIVATE")
    return event


def calendar(meetings: Iterable[Meeting], url_for_meeting: Callable[[Meeting], str], *,
             name: str | None = None) -> bytes:
    """One VCALENDAR with an event per meeting and the Ljubljana VTIMEZONE its times refer to."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
        cal.add("name", name)
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    cal.add("x-wr-timezone", TZID)
    cal.add_component(ljubljana_timezone())
    stamp = utcnow()
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, url_for_meeting(meeting), stamp))
    return cal.to_ical()
