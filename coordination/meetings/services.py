"""Every change to meetings, agenda, minutes and conclusions.

Rows of audited models are logged by the flush hook; minutes are saved with a conditional UPDATE
(optimistic locking across processes) and logged with `record()`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from coordination.audit.services import record
from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.meetings.models import (
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
from coordination.types import utcnow
from coordination.web.formatting import LJUBLJANA

MAX_MINUTES_CHARS = 200_000


class MeetingError(Exception):
    """A change refused for a reason the user must be told; nothing was changed."""


@dataclass
class StaleMinutes(MeetingError):
    """Someone saved the item after the version this edit started from."""

    current_text: str
    current_version: int


# --- reading --------------------------------------------------------------------------------

def load(meeting_id: int) -> Meeting | None:
    """A meeting with everything its pages show and its rules ask (the group's members), in a fixed
    number of queries; always fresh from the database even when the session already holds it."""
    return db.session.get(Meeting, meeting_id, populate_existing=True, options=[
        selectinload(Meeting.organisers), selectinload(Meeting.participants),
        selectinload(Meeting.agenda).selectinload(AgendaItem.comments),
        selectinload(Meeting.conclusions).selectinload(Conclusion.establishes_group),
        joinedload(Meeting.group).selectinload(WorkingGroup.memberships), joinedload(Meeting.approved_by),
    ])


def default_register_body(group: WorkingGroup | None, organisers: list[Organisation]) -> str:
    if group is not None:
        return group.code
    ministry = next((o for o in organisers if o.kind == OrgKind.MINISTRY and o.short_name), None)
    first = ministry or next((o for o in organisers if o.short_name), None)
    return first.short_name if first else "SES"


# --- meetings -------------------------------------------------------------------------------

def create_meeting(*, title: str, starts_at: datetime, ends_at: datetime, place: str | None, online_url: str | None,
                   visibility: Visibility, group: WorkingGroup | None, organisers: list[Organisation],
                   created_by) -> Meeting:
    if ends_at <= starts_at:
        raise MeetingError("end before start")
    meeting = Meeting(title=title.strip(), starts_at=starts_at, ends_at=ends_at, place=place, online_url=online_url,
                      visibility=visibility, group=group, organisers=list(organisers),
                      register_body=default_register_body(group, organisers), created_by=created_by)
    db.session.add(meeting)
    db.session.commit()
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
    db.session.commit()
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
    db.session.commit()
    return participant


def set_attendance(participant: Participant, attendance: Attendance) -> Participant:
    participant.attendance = attendance
    db.session.commit()
    return participant


def remove_participant(participant: Participant) -> None:
    db.session.delete(participant)
    db.session.commit()


# --- agenda ---------------------------------------------------------------------------------

def add_agenda_item(meeting: Meeting, *, title: str, visibility: Visibility) -> AgendaItem:
    position = max((i.position for i in meeting.agenda), default=0) + 1
    item = AgendaItem(meeting=meeting, position=position, title=title.strip(), visibility=visibility)
    db.session.add(item)
    db.session.commit()
    return item


def update_agenda_item(item: AgendaItem, *, title: str, visibility: Visibility) -> AgendaItem:
    item.title, item.visibility = title.strip(), visibility
    db.session.commit()
    return item


def remove_agenda_item(item: AgendaItem) -> None:
    meeting = item.meeting
    db.session.delete(item)
    db.session.flush()
    for position, remaining in enumerate((i for i in meeting.agenda if i is not item), start=1):
        remaining.position = position
    db.session.commit()


def reorder_agenda(meeting: Meeting, ordered_ids: list[int]) -> None:
    """New order of the whole agenda; the ids must be exactly this meeting's items."""
    current = {i.id: i for i in meeting.agenda}
    if sorted(ordered_ids) != sorted(current) or len(set(ordered_ids)) != len(ordered_ids):
        raise MeetingError("foreign or missing agenda item")
    for position, item_id in enumerate(ordered_ids, start=1):
        current[item_id].position = position
    db.session.commit()


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
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(item)
        raise StaleMinutes(current_text=item.minutes, current_version=item.minutes_version)
    db.session.add(MinutesVersion(item_id=item.id, version=new_version, text=text, author_id=author.id,
                                  revision_reason=(reason or "").strip() or None))
    record("update", "AgendaItem", item.id, item.title,
           {"minutes_version": [base_version, new_version], **({"revision_reason": [None, reason]} if reason else {})})
    db.session.commit()
    db.session.refresh(item)
    return new_version


def circulate(meeting: Meeting) -> None:
    if meeting.minutes_state != MinutesState.DRAFT:
        raise MeetingError("not a draft")
    meeting.minutes_state = MinutesState.CIRCULATED
    db.session.commit()


def approve(meeting: Meeting, approver) -> None:
    if meeting.minutes_state != MinutesState.CIRCULATED:
        raise MeetingError("not circulated")
    meeting.minutes_state = MinutesState.APPROVED
    meeting.approved_by_id, meeting.approved_at = approver.id, utcnow()
    db.session.commit()


def add_comment(item: AgendaItem, *, author, text: str) -> MinutesComment:
    if item.meeting.minutes_state != MinutesState.CIRCULATED:
        raise MeetingError("not circulated")
    comment = MinutesComment(item=item, author_id=author.id, text=text.strip())
    db.session.add(comment)
    db.session.commit()
    return comment


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
    db.session.commit()
    return conclusion


def update_conclusion(conclusion: Conclusion, *, text: str, kind: ConclusionKind, visibility: Visibility,
                      agenda_item: AgendaItem | None, establishes_group: WorkingGroup | None) -> Conclusion:
    conclusion.text, conclusion.kind, conclusion.visibility = text.strip(), kind, visibility
    conclusion.agenda_item, conclusion.establishes_group = agenda_item, establishes_group
    db.session.commit()
    return conclusion


def _renumber(meeting: Meeting, ordered: list[Conclusion]) -> None:
    # two steps through negative numbers, so the unique (meeting, number) never sees a clash
    for index, conclusion in enumerate(ordered, start=1):
        db.session.execute(update(Conclusion).where(Conclusion.id == conclusion.id).values(number=-index)
                           .execution_options(synchronize_session=False))
    db.session.execute(update(Conclusion).where(Conclusion.meeting_id == meeting.id)
                       .values(number=-Conclusion.number).execution_options(synchronize_session=False))


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
    db.session.commit()
    db.session.expire(meeting)


def reorder_conclusions(meeting: Meeting, ordered_ids: list[int]) -> None:
    current = {c.id: c for c in meeting.conclusions}
    if sorted(ordered_ids) != sorted(current) or len(set(ordered_ids)) != len(ordered_ids):
        raise MeetingError("foreign or missing conclusion")
    before = [c.id for c in meeting.conclusions]
    _renumber(meeting, [current[i] for i in ordered_ids])
    record("update", "Meeting", meeting.id, meeting.title, {"conclusion_order": [before, ordered_ids]})
    db.session.commit()
    db.session.expire(meeting)


# --- conclusions: recording from a request, moving, the register ------------------------------

class ConclusionClash(MeetingError):
    """Simultaneous requests kept this conclusion from getting its numbers; nothing was recorded."""


def record_conclusion(meeting: Meeting, *, text: str, kind: ConclusionKind, visibility: Visibility,
                      agenda_item: AgendaItem | None = None, establishes_group: WorkingGroup | None = None,
                      new_group: dict | None = None, attempts: int = 3) -> Conclusion:
    """add_conclusion() for a request: optionally first creates the working group the conclusion
    establishes (`new_group`: name, code, mandate); a clash with a simultaneous request over the
    meeting's number or the register's sequence is retried, then refused with ConclusionClash and
    nothing kept (a group created for it is removed again)."""
    import time

    from sqlalchemy.exc import IntegrityError, OperationalError

    from coordination.groups.services import create_group

    meeting_id, item_id = meeting.id, agenda_item.id if agenda_item else None
    group = create_group(**new_group) if new_group else establishes_group
    group_id = group.id if group else None
    for attempt in range(attempts):
        try:
            return add_conclusion(
                db.session.get(Meeting, meeting_id), text=text, kind=kind, visibility=visibility,
                agenda_item=db.session.get(AgendaItem, item_id) if item_id else None,
                establishes_group=db.session.get(WorkingGroup, group_id) if group_id else None)
        except (IntegrityError, OperationalError):
            db.session.rollback()
            time.sleep(0.05 * (attempt + 1))
    if new_group:
        db.session.delete(db.session.get(WorkingGroup, group_id))
        db.session.commit()
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


def unestablished_groups(conclusion: Conclusion | None = None) -> list[WorkingGroup]:
    """Working groups no conclusion has established yet (plus the one `conclusion` established)."""
    from coordination.web.formatting import sl_order

    other = select(Conclusion.id).where(Conclusion.establishes_group_id == WorkingGroup.id)
    if conclusion is not None:
        other = other.where(Conclusion.id != conclusion.id)
    return list(db.session.scalars(select(WorkingGroup).where(~other.exists())
                                   .order_by(sl_order(WorkingGroup.name))))


def conclusion_register(user, *, body: str = "", year: int | None = None, kind: str = "", text: str = ""):
    """The register: conclusions the user may see (filtered in SQL), newest meetings first."""
    from sqlalchemy.orm import contains_eager

    from coordination.meetings.permissions import visible_clause

    query = (select(Conclusion).join(Conclusion.meeting).where(visible_clause(user, Conclusion.visibility))
             .options(contains_eager(Conclusion.meeting), selectinload(Conclusion.establishes_group)))
    if body:
        query = query.where(Conclusion.register_body == body)
    if year:
        query = query.where(Conclusion.register_year == year)
    if kind:
        query = query.where(Conclusion.kind == ConclusionKind(kind))
    if text:  # the full-text index: every word, any diacritics, register number included
        from sqlalchemy import false

        from coordination.search.services import matching_refs

        refs = matching_refs("conclusion", text)
        query = query.where(Conclusion.id.in_(refs) if refs is not None else false())
    return query.order_by(Meeting.starts_at.desc(), Meeting.id.desc(), Conclusion.number)


def register_options(user) -> tuple[list[str], list[int]]:
    """The bodies and years of the conclusions the user may see, for the register's filters."""
    from coordination.meetings.permissions import visible_clause

    visible = select(Conclusion.register_body, Conclusion.register_year).join(Conclusion.meeting).where(
        visible_clause(user, Conclusion.visibility)).distinct().subquery()
    rows = db.session.execute(select(visible.c.register_body, visible.c.register_year)).all()
    return sorted({body for body, _ in rows}), sorted({year for _, year in rows}, reverse=True)


def group_conclusions(user, group: WorkingGroup, limit: int = 20) -> dict:
    """For the group page: the conclusion that established the group (if the user may see it), and
    the newest `limit` conclusions of the group's meetings that the user may see, with their count."""
    from sqlalchemy.orm import contains_eager

    from coordination.meetings.permissions import can_view_conclusion, visible_clause

    where = (Meeting.group_id == group.id, visible_clause(user, Conclusion.visibility))
    total = db.session.scalar(select(func.count(Conclusion.id)).join(Conclusion.meeting).where(*where))
    rows = db.session.scalars(select(Conclusion).join(Conclusion.meeting).where(*where)
                              .options(contains_eager(Conclusion.meeting))
                              .order_by(Meeting.starts_at.desc(), Conclusion.number).limit(limit)).unique().all()
    origin = db.session.scalar(select(Conclusion).where(Conclusion.establishes_group_id == group.id))
    return {"established_by": origin if can_view_conclusion(user, origin) else None, "latest": list(rows),
            "total": total or 0}


# --- meeting pages: the list, a group's meetings, moving a meeting between groups ---------------

def meetings_query(user, *, group_id: int | None = None, organisation_id: int | None = None,
                   year: int | None = None, text: str = ""):
    """Meetings the user may view (permissions.visible_clause, in SQL), narrowed by the list filters."""
    from coordination.meetings.permissions import visible_clause

    query = select(Meeting).where(visible_clause(user))
    if group_id:
        query = query.where(Meeting.group_id == group_id)
    if organisation_id:
        query = query.where(Meeting.organisers.any(Organisation.id == organisation_id))
    if year:  # the year as it is in Ljubljana
        query = query.where(Meeting.starts_at >= datetime(year, 1, 1, tzinfo=LJUBLJANA),
                            Meeting.starts_at < datetime(year + 1, 1, 1, tzinfo=LJUBLJANA))
    if text:
        like = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Meeting.title.ilike(like, escape="\\") | Meeting.place.ilike(like, escape="\\"))
    return query


def meeting_listing(user, *, upcoming: bool, page: int, per_page: int, **filters):
    """One page of the upcoming (soonest first) or past (latest first) meetings that match, and how many
    of each match: a fixed number of queries however many meetings exist."""
    from sqlalchemy import case

    from coordination.web.pagination import Page

    now = utcnow()
    query = meetings_query(user, **filters)
    matching = query.with_only_columns(Meeting.ends_at).subquery()
    ahead, total = db.session.execute(
        select(func.count(case((matching.c.ends_at >= now, 1))), func.count()).select_from(matching)).one()
    counts = {"upcoming": ahead, "past": total - ahead}
    if upcoming:
        query = query.where(Meeting.ends_at >= now).order_by(Meeting.starts_at, Meeting.id)
    else:
        query = query.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    found = counts["upcoming" if upcoming else "past"]
    page = min(page, max(1, -(-found // per_page)))
    items = db.session.scalars(query.options(selectinload(Meeting.organisers))
                               .limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=found), counts


def meeting_filter_options(user) -> dict:
    """The list's filter choices: every working group, the organisers and years of the visible meetings."""
    from coordination.meetings.models import meeting_organiser
    from coordination.meetings.permissions import visible_clause
    from coordination.web.formatting import sl_order

    visible = select(Meeting.id).where(visible_clause(user))
    groups = db.session.scalars(select(WorkingGroup).order_by(sl_order(WorkingGroup.name))).all()
    organisers = db.session.scalars(select(Organisation).where(Organisation.id.in_(
        select(meeting_organiser.c.organisation_id).where(meeting_organiser.c.meeting_id.in_(visible))))
        .order_by(sl_order(Organisation.name))).all()
    first, last = db.session.execute(select(func.min(Meeting.starts_at), func.max(Meeting.starts_at))
                                     .where(visible_clause(user))).one()
    years = {utcnow().astimezone(LJUBLJANA).year}
    if first and last:
        years |= set(range(first.astimezone(LJUBLJANA).year, last.astimezone(LJUBLJANA).year + 1))
    return {"groups": list(groups), "organisers": list(organisers), "years": sorted(years, reverse=True)}


def group_meetings(user, group: WorkingGroup, limit: int = 10) -> tuple[list[Meeting], list[Meeting]]:
    """The group's meetings the user may view: the next `limit` upcoming and the latest `limit` past."""
    from coordination.meetings.permissions import visible_clause

    now = utcnow()
    base = select(Meeting).where(Meeting.group_id == group.id, visible_clause(user))
    upcoming = db.session.scalars(base.where(Meeting.ends_at >= now)
                                  .order_by(Meeting.starts_at, Meeting.id).limit(limit)).all()
    past = db.session.scalars(base.where(Meeting.ends_at < now)
                              .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)).all()
    return list(upcoming), list(past)


def groups_with_memberships(member_id: int | None = None) -> list[WorkingGroup]:
    """Working groups with their members loaded (to ask the rules in which a user may create
    meetings): all of them, or only those where `member_id` holds a seat."""
    from coordination.groups.models import GroupMembership
    from coordination.web.formatting import sl_order

    query = select(WorkingGroup).options(selectinload(WorkingGroup.memberships))
    if member_id is not None:
        query = query.where(WorkingGroup.memberships.any(GroupMembership.user_id == member_id))
    return list(db.session.scalars(query.order_by(sl_order(WorkingGroup.name))))


def update_meeting_in_group(meeting: Meeting, *, group: WorkingGroup | None, **fields) -> Meeting:
    """update_meeting() that may also move the meeting to another working group (or to none). The
    register body follows the group and organisers until the first conclusion is recorded; then it stays."""
    if fields["ends_at"] <= fields["starts_at"]:
        raise MeetingError("end before start")
    meeting.group = group
    if not meeting.conclusions:
        meeting.register_body = default_register_body(group, fields["organisers"])
    return update_meeting(meeting, **fields)
