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


def test_demo_action_items_follow_the_five_conclusions(session):
    from coordination.actions.models import ActionItem, FanOut, ItemStatus

    with acting_as("tests"):
        demo.load()
        assert demo.load_action_items() is False  # idempotent
    meeting = session.scalar(select(Meeting).where(Meeting.title == demo.MINISTER_MEETING))
    assert all(c.action_items for c in meeting.conclusions), "every conclusion has its action items"
    fanout = session.scalar(select(FanOut).where(FanOut.title == demo.STEWARD_TASK))
    assert fanout.conclusion.number == 2
    statuses = dict(session.execute(select(ActionItem.status, func.count()).where(
        ActionItem.fanout_id == fanout.id).group_by(ActionItem.status)).all())
    assert sum(statuses.values()) == 212
    assert set(statuses) == set(ItemStatus), statuses
    assert statuses[ItemStatus.DONE] > statuses[ItemStatus.OPEN] > statuses[ItemStatus.BLOCKED]
