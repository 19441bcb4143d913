"""Content for the search tests: a meeting with minutes, a conclusion and an action item."""
from datetime import UTC, datetime, timedelta

from coordination.actions import services as actions
from coordination.meetings import services as meetings
from coordination.meetings.models import ConclusionKind, Visibility
from tests import factories as f


def meeting(author, *, title="Seja o cestah", visibility=Visibility.PUBLIC, group=None, place="Ljubljana",
            day=1):
    start = datetime(2025, 3, day, 9, tzinfo=UTC)
    return meetings.create_meeting(title=title, starts_at=start, ends_at=start + timedelta(hours=2), place=place,
                                   online_url=None, visibility=visibility, group=group,
                                   organisers=[f.by_short_name("MDP")], created_by=author)


def minutes(meeting_, author, text, *, title="Pregled stanja", visibility=Visibility.PUBLIC):
    item = meetings.add_agenda_item(meeting_, title=title, visibility=visibility)
    meetings.save_minutes(item, text=text, base_version=0, author=author)
    return item


def conclusion(meeting_, text, visibility=Visibility.PUBLIC):
    return meetings.add_conclusion(meeting_, text=text, kind=ConclusionKind.DECISION, visibility=visibility)


def item(author, title, *, org=None, conclusion_=None, description=""):
    return actions.create_item(title=title, description=description, assignee_org=org or f.municipality("Kamnik"),
                               author=author, conclusion=conclusion_)
