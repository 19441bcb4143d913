"""The demo data a new developer sees after `make run`."""
from sqlalchemy import func, select

from coordination import demo
from coordination.accounts.models import Role, User
from coordination.audit.services import acting_as
from coordination.meetings.models import Meeting, MinutesState


def test_demo_accounts_and_the_minister_meeting(session):
    with acting_as("tests"):
        assert demo.load() == len(demo.ACCOUNTS)
        assert demo.load() == 0  # idempotent
    roles = set(session.scalars(select(User.role).where(User.email.like("%@demo.si"))))
    assert roles == set(Role)
    meeting = session.scalar(select(Meeting).where(Meeting.title == demo.MINISTER_MEETING))
    assert meeting.starts_at.date().isoformat() == "2022-09-20"
    assert meeting.minutes_state == MinutesState.APPROVED
    assert {o.short_name for o in meeting.organisers} == {"MDP", "ZMOS", "SOS"}
    assert [c.register_number for c in meeting.conclusions] == [f"MDP 2022/{n}" for n in range(1, 6)]
    assert [c.number for c in meeting.conclusions] == [1, 2, 3, 4, 5]
    established = [c.establishes_group.code for c in meeting.conclusions if c.establishes_group]
    assert established == ["DS-SP", "DS-IT"]
    assert "Digitalna Slovenija 2030" in meeting.conclusions[2].text
    assert session.scalar(select(func.count()).select_from(Meeting).where(Meeting.title == demo.MINISTER_MEETING)) == 1
