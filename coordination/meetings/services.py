"""Every change to meetings, agenda, minutes and conclusions.

Rows of audited models are logged by the flush hook; minutes are saved with a conditional UPDATE
(optimistic locking across processes) and logged with `record()`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from coordination.audit.services import record
from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.groups.services import create_group
from coordination.meetings import approval, events
from coordination.meetings.models import (
    STEP_FROM,
    AgendaItem,
    Attendance,
    Conclusion,
    ConclusionKind,
    Meeting,
    MinutesComment,
    MinutesState,
    MinutesVersion,
    Participant,
    RegisterCounter,
    Visibility,
)
from coordination.organisations.models import Organisation, OrgKind
from coordination.types import LJUBLJANA, utcnow

MAX_MINUTES_CHARS = 200_000

class MeetingError(Exception):
    """A change refused for a reason the user must be told; nothing was changed."""


class WrongState(MeetingError):
    """The minutes are not in the state a step of the workflow is taken from (models.STEP_FROM)."""

    def __init__(self, state: MinutesState):
        super().__init__(f"the minutes are {state}")
        self.state = state


def expect_state(meeting: Meeting, step: str) -> None:
    """Raise WrongState unless the meeting's minutes are where `step` starts from."""
    if meeting.minutes_state != STEP_FROM[step]:
        raise WrongState(meeting.minutes_state)


class NotEnded(MeetingError):
    """The meeting has not ended yet: its minutes cannot be approved."""


# `confirmed=` for a script that approves whatever is open (the demo, fixtures): the page never sends it
ALL_OPEN_POINTS = object()


class OpenPoints(MeetingError):
    """The approval checklist has open points and the approver did not confirm them (or confirmed
    another list than the one that is open now)."""

    def __init__(self, checklist: approval.Checklist):
        super().__init__(f"{checklist.missing} open points")
        self.checklist = checklist


@dataclass
class StaleMinutes(MeetingError):
    """Someone saved the item after the version this edit started from."""

    current_text: str
    current_version: int


# --- meetings -------------------------------------------------------------------------------

def default_register_body(group: WorkingGroup | None, organisers: list[Organisation]) -> str:
    if group is not None:
        return group.code
    ministry = next((o for o in organisers if o.kind == OrgKind.MINISTRY and o.short_name), None)
    first = ministry or next((o for o in organisers if o.short_name), None)
    return first.short_name if first else "SES"


def create_meeting(*, title: str, starts_at: datetime, ends_at: datetime, place: str | None, online_url: str | None,
                   visibility: Visibility, group: WorkingGroup | None, organisers: list[Organisation],
                   created_by) -> Meeting:
    if ends_at <= starts_at:
        raise MeetingError("end before start")
    meeting = Meeting(title=title.strip(), starts_at=starts_at, ends_at=ends_at, place=place, online_url=online_url,
                      visibility=visibility, group=group, organisers=list(organisers),
                      register_body=default_register_body(group, organisers), created_by=created_by)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, *, title: str, starts_at: datetime, ends_at: datetime, place: str | None,
                   online_url: str | None, visibility: Visibility, organisers: list[Organisation]) -> Meeting:
    if ends_at <= starts_at:
        raise MeetingError("end before start")
    meeting.title, meeting.starts_at, meeting.ends_at = title.strip(), starts_at, ends_at
    meeting.place, meeting.online_url, meeting.visibility = place, online_url, visibility
    before = sorted(o.display_name for o in meeting.organisers)
    meeting.organisers = list(organisers)
    after = sorted(o.display_name for o in organisers)
    if before != after:
        record("update", "Meeting", meeting.id, meeting.title, {"organisers": [before, after]})
    db.session.flush()
    return meeting


# --- participants ---------------------------------------------------------------------------

def is_participant(meeting: Meeting, user_id: int | None, organisation_id: int) -> bool:
    if user_id:
        return any(p.user_id == user_id for p in meeting.participants)
    return any(p.user_id is None and p.organisation_id == organisation_id for p in meeting.participants)


def add_participant(meeting: Meeting, *, organisation: Organisation, user=None,
                    attendance: Attendance = Attendance.INVITED) -> Participant:
    if is_participant(meeting, user.id if user else None, organisation.id):
        raise MeetingError("participant twice")
    participant = Participant(meeting=meeting, organisation=organisation, user=user, attendance=attendance)
    db.session.add(participant)
    db.session.flush()
    return participant


def set_attendance(participant: Participant, attendance: Attendance) -> Participant:
    participant.attendance = attendance
    db.session.flush()
    return participant


def remove_participant(participant: Participant) -> None:
    db.session.delete(participant)
    db.session.flush()


# --- agenda ---------------------------------------------------------------------------------

def add_agenda_item(meeting: Meeting, *, title: str, visibility: Visibility, no_minutes: bool = False) -> AgendaItem:
    position = max((i.position for i in meeting.agenda), default=0) + 1
    item = AgendaItem(meeting=meeting, position=position, title=title.strip(), visibility=visibility,
                      no_minutes=no_minutes)
    db.session.add(item)
    db.session.flush()
    return item


def update_agenda_item(item: AgendaItem, *, title: str, visibility: Visibility,
                       no_minutes: bool | None = None) -> AgendaItem:
    """`no_minutes` marks the item "brez zapisa" (None: leave the mark as it is)."""
    item.title, item.visibility = title.strip(), visibility
    if no_minutes is not None:
        item.no_minutes = no_minutes
    db.session.flush()
    return item


def remove_agenda_item(item: AgendaItem) -> None:
    meeting = item.meeting
    db.session.delete(item)
    db.session.flush()
    for position, remaining in enumerate((i for i in meeting.agenda if i is not item), start=1):
        remaining.position = position
    db.session.flush()
    db.session.expire(meeting, ["agenda"])  # read in its new order


def reorder_agenda(meeting: Meeting, ordered_ids: list[int]) -> None:
    """New order of the whole agenda; the ids must be exactly this meeting's items."""
    current = {i.id: i for i in meeting.agenda}
    if sorted(ordered_ids) != sorted(current) or len(set(ordered_ids)) != len(ordered_ids):
        raise MeetingError("foreign or missing agenda item")
    for position, item_id in enumerate(ordered_ids, start=1):
        current[item_id].position = position
    db.session.flush()
    db.session.expire(meeting, ["agenda"])  # read in its new order


def move_agenda_item(item: AgendaItem, offset: int) -> None:
    """Move one place up (-1) or down (+1): the form buttons' way of reordering."""
    ids = [i.id for i in item.meeting.agenda]
    index = ids.index(item.id)
    target = index + offset
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
        reorder_agenda(item.meeting, ids)


# --- minutes --------------------------------------------------------------------------------

def save_minutes(item: AgendaItem, *, text: str, base_version: int, author, reason: str | None = None) -> int:
    """Save the item's minutes if nobody saved since `base_version`; returns the new version.

    One conditional UPDATE decides, so two processes saving at once cannot both win."""
    if len(text) > MAX_MINUTES_CHARS:
        raise MeetingError("too long")
    meeting = item.meeting
    if meeting.minutes_state == MinutesState.APPROVED and not (reason or "").strip():
        raise MeetingError("reason required")
    if text == item.minutes and base_version == item.minutes_version:
        return item.minutes_version  # nothing to save
    new_version = base_version + 1
    result = db.session.execute(
        update(AgendaItem).where(AgendaItem.id == item.id, AgendaItem.minutes_version == base_version)
        .values(minutes=text, minutes_version=new_version).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # nothing was written: read what the other save left
        db.session.refresh(item)
        raise StaleMinutes(current_text=item.minutes, current_version=item.minutes_version)
    db.session.add(MinutesVersion(item_id=item.id, version=new_version, text=text, author_id=author.id,
                                  revision_reason=(reason or "").strip() or None))
    record("update", "AgendaItem", item.id, item.title,
           {"minutes_version": [base_version, new_version], **({"revision_reason": [None, reason]} if reason else {})})
    db.session.flush()
    db.session.refresh(item)
    if meeting.minutes_state == MinutesState.APPROVED:
        number = len(approval.approved_versions(meeting))  # this revision is the newest approved version
        events.emit(events.MinutesEvent(events.REVISED, meeting, author, item=item, reason=reason.strip(),
                                        version=number))
    return new_version


def circulate(meeting: Meeting, actor=None) -> None:
    expect_state(meeting, "circulate")
    meeting.minutes_state = MinutesState.CIRCULATED
    db.session.flush()
    events.emit(events.MinutesEvent(events.CIRCULATED, meeting, actor))


def approve(meeting: Meeting, approver, *, confirmed: str | object | None = None) -> None:
    """Approve circulated minutes of a meeting that has ended. While the checklist has open points
    the approver must confirm them: `confirmed` is the fingerprint of the checklist they were shown
    (approval.Checklist.fingerprint), so a point that opened since is not approved unseen."""
    expect_state(meeting, "approve")
    checklist = approval.checklist(meeting, approver)
    if not checklist.ended:
        raise NotEnded("the meeting has not ended")
    if checklist.missing and confirmed is not ALL_OPEN_POINTS and confirmed != checklist.fingerprint:
        raise OpenPoints(checklist)
    meeting.minutes_state = MinutesState.APPROVED
    meeting.approved_by_id, meeting.approved_at = approver.id, utcnow()
    db.session.flush()
    if checklist.missing:  # the audit names what was approved despite being open
        record("update", "Meeting", meeting.id, meeting.title, {"approved_despite_open_points": [None, {
            "attendance_not_recorded": len(checklist.unrecorded),
            "items_without_minutes": len(checklist.unwritten) + checklist.hidden_unwritten,
            "unresolved_comments": len(checklist.open_comments) + checklist.hidden_open_comments}]})
    events.emit(events.MinutesEvent(events.APPROVED, meeting, approver))


def add_comment(item: AgendaItem, *, author, text: str) -> MinutesComment:
    expect_state(item.meeting, "comment")
    comment = MinutesComment(item=item, author_id=author.id, text=text.strip())
    db.session.add(comment)
    db.session.flush()
    events.emit(events.MinutesEvent(events.COMMENTED, item.meeting, author, item=item))
    return comment


def resolve_comment(comment: MinutesComment, user) -> None:
    """Mark a comment resolved (once; audited by the model's hook)."""
    if comment.resolved_at is None:
        comment.resolved_at, comment.resolved_by_id = utcnow(), user.id
        db.session.flush()


# --- conclusions ----------------------------------------------------------------------------

def _next_register_seq(body: str, year: int) -> int:
    """Take the next number of a body's register for a year. The UPDATE locks the counter row
    until commit, so concurrent requests queue here and never share a number."""
    exists = db.session.scalar(select(RegisterCounter.last).where(RegisterCounter.body == body,
                                                                   RegisterCounter.year == year))
    if exists is None:
        db.session.add(RegisterCounter(body=body, year=year, last=0))
        db.session.flush()
    return db.session.execute(
        update(RegisterCounter).where(RegisterCounter.body == body, RegisterCounter.year == year)
        .values(last=RegisterCounter.last + 1).returning(RegisterCounter.last)
        .execution_options(synchronize_session=False)).scalar_one()


def add_conclusion(meeting: Meeting, *, text: str, kind: ConclusionKind, visibility: Visibility,
                   agenda_item: AgendaItem | None = None,
                   establishes_group: WorkingGroup | None = None) -> Conclusion:
    year = meeting.starts_at.astimezone(LJUBLJANA).year
    seq = _next_register_seq(meeting.register_body, year)
    number = (db.session.scalar(select(func.max(Conclusion.number)).where(Conclusion.meeting_id == meeting.id))
              or 0) + 1
    conclusion = Conclusion(meeting=meeting, number=number, register_body=meeting.register_body,
                            register_year=year, register_seq=seq, text=text.strip(), kind=kind,
                            visibility=visibility, agenda_item=agenda_item, establishes_group=establishes_group)
    db.session.add(conclusion)
    db.session.flush()
    return conclusion


def update_conclusion(conclusion: Conclusion, *, text: str, kind: ConclusionKind, visibility: Visibility,
                      agenda_item: AgendaItem | None, establishes_group: WorkingGroup | None,
                      new_group: dict | None = None) -> Conclusion:
    """Change a conclusion; with `new_group` (name, code, mandate) it establishes a working group
    created here, in the same transaction."""
    if new_group:
        establishes_group = create_group(**new_group)
    conclusion.text, conclusion.kind, conclusion.visibility = text.strip(), kind, visibility
    conclusion.agenda_item, conclusion.establishes_group = agenda_item, establishes_group
    db.session.flush()
    return conclusion


def _renumber(meeting: Meeting, ordered: list[Conclusion]) -> None:
    # two steps through negative numbers, so the unique (meeting, number) never sees a clash
    for index, conclusion in enumerate(ordered, start=1):
        db.session.execute(update(Conclusion).where(Conclusion.id == conclusion.id).values(number=-index)
                           .execution_options(synchronize_session=False))
    db.session.execute(update(Conclusion).where(Conclusion.meeting_id == meeting.id)
                       .values(number=-Conclusion.number).execution_options(synchronize_session=False))
    # the UPDATEs bypassed the loaded objects: read the numbers (and the meeting's order) afresh
    for conclusion in ordered:
        db.session.expire(conclusion, ["number"])
    db.session.expire(meeting)


class ConclusionFannedOut(MeetingError):
    """A conclusion fanned out to municipalities stays: its fan-outs' items are being followed."""


def delete_conclusion(conclusion: Conclusion) -> None:
    """The meeting's numbers close up; the register number is never used again. A conclusion with
    a fan-out is refused (ConclusionFannedOut): deleting it would take every municipality's item."""
    if conclusion.fanouts:
        raise ConclusionFannedOut("the conclusion has fan-outs")
    meeting = conclusion.meeting
    remaining = [c for c in meeting.conclusions if c.id != conclusion.id]
    db.session.delete(conclusion)
    db.session.flush()
    _renumber(meeting, remaining)


def reorder_conclusions(meeting: Meeting, ordered_ids: list[int]) -> None:
    current = {c.id: c for c in meeting.conclusions}
    if sorted(ordered_ids) != sorted(current) or len(set(ordered_ids)) != len(ordered_ids):
        raise MeetingError("foreign or missing conclusion")
    before = [c.id for c in meeting.conclusions]
    _renumber(meeting, [current[i] for i in ordered_ids])
    record("update", "Meeting", meeting.id, meeting.title, {"conclusion_order": [before, ordered_ids]})
    db.session.flush()


# --- conclusions: recording from a request, moving -------------------------------------------

class ConclusionClash(MeetingError):
    """Simultaneous requests kept this conclusion from getting its numbers; nothing was recorded."""


def record_conclusion(meeting: Meeting, *, text: str, kind: ConclusionKind, visibility: Visibility,
                      agenda_item: AgendaItem | None = None, establishes_group: WorkingGroup | None = None,
                      new_group: dict | None = None, attempts: int = 3) -> Conclusion:
    """add_conclusion() for a request, with the working group it establishes created first in the
    same transaction when asked (`new_group`: name, code, mandate). A clash with a simultaneous
    request over the meeting's number or the register's sequence rolls the transaction back and
    tries again from a fresh one; after `attempts` it is refused with ConclusionClash, and nothing
    is kept (the request has done nothing else, so the rollback takes nothing else with it)."""
    meeting_id, item_id = meeting.id, agenda_item.id if agenda_item else None
    group_id = establishes_group.id if establishes_group else None
    for attempt in range(attempts):
        try:
            group = create_group(**new_group) if new_group else (
                db.session.get(WorkingGroup, group_id) if group_id else None)
            return add_conclusion(
                db.session.get(Meeting, meeting_id), text=text, kind=kind, visibility=visibility,
                agenda_item=db.session.get(AgendaItem, item_id) if item_id else None, establishes_group=group)
        except (IntegrityError, OperationalError):
            db.session.rollback()
            time.sleep(0.05 * (attempt + 1))
    raise ConclusionClash("conclusion number collision")


def move_conclusion(conclusion: Conclusion, offset: int) -> None:
    """One place up (-1) or down (+1): the buttons' way of reordering."""
    meeting = conclusion.meeting
    ids = [c.id for c in meeting.conclusions]
    index = ids.index(conclusion.id)
    target = index + offset
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
        reorder_conclusions(meeting, ids)


# --- moving a meeting between groups ---------------------------------------------------------

def update_meeting_in_group(meeting: Meeting, *, group: WorkingGroup | None, **fields) -> Meeting:
    """update_meeting() that may also move the meeting to another working group (or to none). The
    register body follows the group and organisers until the first conclusion is recorded; then it stays."""
    if fields["ends_at"] <= fields["starts_at"]:
        raise MeetingError("end before start")
    meeting.group = group
    if not meeting.conclusions:
        meeting.register_body = default_register_body(group, fields["organisers"])
    return update_meeting(meeting, **fields)


def set_chair_and_recorder(meeting: Meeting, *, chair=None, recorder=None) -> Meeting:
    """Name who chairs the meeting and who keeps its minutes (the documents name them; without them
    the group's chair and secretary are taken)."""
    meeting.chair_id = chair.id if chair is not None else None
    meeting.recorder_id = recorder.id if recorder is not None else None
    db.session.flush()
    db.session.expire(meeting, ["chair", "recorder"])
    return meeting
