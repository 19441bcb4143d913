"""Browser-test data of the minutes approval flow (tests/e2e/test_minutes_approval.py): a past DS-IT
meeting of its own, its minutes a draft, so the flow changes nothing other checks look at."""
from __future__ import annotations

from datetime import UTC, datetime

from coordination.meetings import services as meetings
from coordination.meetings.models import Attendance
from tests import factories as f


def seed(users: dict, group) -> dict[str, int]:
    """The municipal official (present) and the association's (attendance not recorded) are named
    participants; item 1 has minutes, item 2 none."""
    meeting = f.meeting(group, title="Seja DS-IT o potrditvi zapisnika", start=datetime(2024, 5, 27, 7, tzinfo=UTC),
                        created_by=users["ministry"])
    meetings.add_participant(meeting, organisation=users["municipal"].organisation, user=users["municipal"],
                             attendance=Attendance.PRESENT)
    meetings.add_participant(meeting, organisation=users["association"].organisation, user=users["association"])
    item = f.minutes(meeting, users["ministry"], "Občine so poslale 45 zahtev.", title="Pregled zahtev občin")
    empty = f.agenda_item(meeting, "Razno")
    return {"minutes_flow_meeting": meeting.id, "minutes_flow_item": item.id, "minutes_flow_empty_item": empty.id}
