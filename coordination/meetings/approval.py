"""What approving the minutes needs to know, read in one place for the service that refuses, the
checklist page and the documents:

- the checklist: what is still missing before approval (attendance not recorded, agenda items
  without minutes unless marked "brez zapisa", comments not resolved) and whether the meeting has
  ended;
- the approved versions of the whole minutes: version 1 is the text at approval, and every revision
  after approval (a saved version with its reason) makes the next one. After approval every save
  needs a reason, so the saved versions without one are exactly the approved text of version 1.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MinutesComment,
    MinutesState,
    MinutesVersion,
    Participant,
)
from coordination.meetings.permissions import can_view_item
from coordination.types import utcnow

# --- the checklist ------------------------------------------------------------------------------


@dataclass
class Checklist:
    ended: bool
    unrecorded: list[Participant] = field(default_factory=list)     # attendance still "invited"
    unwritten: list[AgendaItem] = field(default_factory=list)       # visible items without minutes
    open_comments: list[MinutesComment] = field(default_factory=list)  # on visible items, not resolved
    hidden_unwritten: int = 0        # items the viewer may not see, without minutes
    hidden_open_comments: int = 0    # unresolved comments on items the viewer may not see

    @property
    def missing(self) -> int:
        """How many points are open (the meeting's end is not one: it cannot be confirmed away)."""
        return (len(self.unrecorded) + len(self.unwritten) + len(self.open_comments) + self.hidden_unwritten
                + self.hidden_open_comments)

    @property
    def fingerprint(self) -> str:
        """Names what was open when the page was shown: a confirmation holds only for that."""
        keys = sorted([f"p{p.id}" for p in self.unrecorded] + [f"i{i.id}" for i in self.unwritten]
                      + [f"c{c.id}" for c in self.open_comments]
                      + [f"h{self.hidden_unwritten}:{self.hidden_open_comments}"])
        return hashlib.sha256(",".join(keys).encode()).hexdigest()[:16]


def needs_minutes(item: AgendaItem) -> bool:
    return not item.no_minutes and not (item.minutes or "").strip()


def checklist(meeting: Meeting, user=None) -> Checklist:
    """What is missing before the minutes of `meeting` are approved, as `user` may see it (None: all).
    One query for the open comments; participants and agenda come with the loaded meeting."""
    visible = {i.id for i in meeting.agenda if user is None or can_view_item(user, i)}
    unresolved = db.session.scalars(
        select(MinutesComment).join(MinutesComment.item)
        .where(AgendaItem.meeting_id == meeting.id, MinutesComment.resolved_at.is_(None))
        # the list names each comment's author: not their organisation and its region, which the
        # author's default joined load would build for each of hundreds of comments
        .options(contains_eager(MinutesComment.item), joinedload(MinutesComment.author).lazyload(User.organisation))
        .order_by(AgendaItem.position, MinutesComment.id)).all()
    unwritten = [i for i in meeting.agenda if needs_minutes(i)]
    return Checklist(
        ended=meeting.ends_at <= utcnow(),
        unrecorded=[p for p in meeting.participants if p.attendance == Attendance.INVITED],
        unwritten=[i for i in unwritten if i.id in visible],
        hidden_unwritten=sum(1 for i in unwritten if i.id not in visible),
        open_comments=[c for c in unresolved if c.item_id in visible],
        hidden_open_comments=sum(1 for c in unresolved if c.item_id not in visible))


# --- approved versions --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedVersion:
    number: int
    at: datetime
    by: object | None                  # the approver, or the revision's author
    reason: str | None = None          # None for the approval itself
    item: AgendaItem | None = None     # the agenda item a revision changed
    bound: int | None = None           # the revision's MinutesVersion id: texts up to it


def approved_versions(meeting: Meeting, user=None) -> list[ApprovedVersion]:
    """Version 1 (the approval) and one version per revision since, oldest first; for `user`, the
    revisions of items they may not see are left out (the numbers stay those of the whole minutes).
    One query."""
    if meeting.minutes_state != MinutesState.APPROVED or meeting.approved_at is None:
        return []
    versions = [ApprovedVersion(1, meeting.approved_at, meeting.approved_by)]
    items = {i.id: i for i in meeting.agenda}
    revisions = db.session.scalars(
        select(MinutesVersion).join(MinutesVersion.item)
        .where(AgendaItem.meeting_id == meeting.id, MinutesVersion.revision_reason.is_not(None))
        .order_by(MinutesVersion.id)).all()
    for number, revision in enumerate(revisions, start=2):
        item = items.get(revision.item_id)
        if user is None or (item is not None and can_view_item(user, item)):
            versions.append(ApprovedVersion(number, revision.created_at, revision.author, revision.revision_reason,
                                            item, revision.id))
    return versions


def texts_at(meeting: Meeting, version: ApprovedVersion) -> dict[int, str]:
    """Each agenda item's minutes as they were in an approved version (item id -> text; an item
    never written is missing). Two queries."""
    kept = or_(MinutesVersion.revision_reason.is_(None),
               MinutesVersion.id <= version.bound if version.bound is not None else false())
    latest = (select(func.max(MinutesVersion.id)).join(MinutesVersion.item)
              .where(AgendaItem.meeting_id == meeting.id, kept).group_by(MinutesVersion.item_id))
    rows = db.session.execute(select(MinutesVersion.item_id, MinutesVersion.text)
                              .where(MinutesVersion.id.in_(latest))).all()
    return dict(rows)
