"""Content for the search tests: a meeting with minutes, a conclusion and an action item (built by
tests/factories.py, with public defaults)."""
from datetime import UTC, datetime

from coordination.meetings.models import Visibility
from tests import factories as f


def meeting(author, *, title="Seja o cestah", visibility=Visibility.PUBLIC, group=None, place="Ljubljana",
            day=1):
    return f.meeting(group, title=title, visibility=visibility, created_by=author, place=place,
                     start=datetime(2025, 3, day, 9, tzinfo=UTC))


def minutes(meeting_, author, text, *, title="Pregled stanja", visibility=Visibility.PUBLIC):
    return f.minutes(meeting_, author, text, title=title, visibility=visibility)


def conclusion(meeting_, text, visibility=Visibility.PUBLIC):
    return f.conclusion(meeting_, text, visibility=visibility)


def item(author, title, *, org=None, conclusion_=None, description=""):
    return f.action_item(author, title, org=org, conclusion=conclusion_, description=description)
