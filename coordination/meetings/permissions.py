"""Who sees and changes meetings, minutes and conclusions.

Visibility of a meeting, an agenda item or a conclusion:
- public: every signed-in user;
- internal: staff, the group's current members (or, for a meeting without a group, its
  participants and the people of its organisers);
- confidential: the people named as participants, and administrators.
The meeting's own visibility is the ceiling for what it contains.
"""
from __future__ import annotations

from sqlalchemy import and_, false, not_, or_, select, true

from coordination.groups.models import GroupMembership, GroupRole
from coordination.groups.permissions import current_membership, current_roles
from coordination.meetings.models import STEP_FROM, Meeting, MinutesState, Participant, Visibility, meeting_organiser
from coordination.roles import Role, is_staff, signed_in
from coordination.web.authz import rule

RUNNERS = {GroupRole.CHAIR, GroupRole.SECRETARY}


def _named(user, meeting: Meeting) -> bool:
    return any(p.user_id == user.id for p in meeting.participants)


def _insider(user, meeting: Meeting) -> bool:
    """Belongs to the circle of an internal meeting."""
    if meeting.group is not None and current_roles(user, meeting.group):
        return True
    if _named(user, meeting) or meeting.created_by_id == user.id:
        return True
    if meeting.group is None:
        return any(o.id == user.organisation_id for o in meeting.organisers)
    return False


def sees(user, meeting: Meeting, visibility: Visibility) -> bool:
    """May the user see something of this visibility in this meeting?"""
    if not signed_in(user):
        return False
    if user.role == Role.ADMIN:
        return True
    levels = [meeting.visibility, visibility]
    if Visibility.CONFIDENTIAL in levels:
        return _named(user, meeting)
    if Visibility.INTERNAL in levels:
        return is_staff(user) or _insider(user, meeting)
    return True


@rule("meetings.browse")
def can_browse(user, obj=None) -> bool:
    return signed_in(user)


@rule("meetings.create")
def can_create(user, obj=None) -> bool:
    """Staff and association staff organise meetings; group runners do so from their group."""
    return signed_in(user) and user.role in (Role.ADMIN, Role.MINISTRY, Role.ASSOCIATION)


@rule("meetings.view")
def can_view(user, meeting: Meeting) -> bool:
    return meeting is not None and sees(user, meeting, meeting.visibility)


@rule("meetings.view_item")
def can_view_item(user, item) -> bool:
    return item is not None and sees(user, item.meeting, item.visibility)


@rule("meetings.view_conclusion")
def can_view_conclusion(user, conclusion) -> bool:
    return conclusion is not None and sees(user, conclusion.meeting, conclusion.visibility)


@rule("meetings.edit")
def can_edit(user, meeting: Meeting) -> bool:
    """Details, participants, agenda and conclusions: staff, the group's chair or secretary, the
    organiser who created it. Never once the minutes are approved."""
    if meeting is None or not signed_in(user) or meeting.minutes_state == MinutesState.APPROVED:
        return False
    return runs(user, meeting)


def runs(user, meeting: Meeting) -> bool:
    """Staff, the meeting's creator, or the chair or secretary of its group."""
    if is_staff(user) or meeting.created_by_id == user.id:
        return True
    return meeting.group is not None and bool(current_roles(user, meeting.group) & RUNNERS)


@rule("meetings.write_minutes")
def can_write_minutes(user, meeting: Meeting) -> bool:
    """Drafts: the runners and the group's members (or the named participants); once circulated
    only the runners; approved minutes change only through a revision."""
    if meeting is None or not signed_in(user):
        return False
    if meeting.minutes_state == MinutesState.DRAFT:
        return runs(user, meeting) or (can_view(user, meeting) and _contributor(user, meeting))
    if meeting.minutes_state == MinutesState.CIRCULATED:
        return runs(user, meeting)
    return False


def _contributor(user, meeting: Meeting) -> bool:
    if meeting.group is not None:
        return bool(current_roles(user, meeting.group) - {GroupRole.OBSERVER})
    return _named(user, meeting)


@rule("meetings.comment")
def can_comment(user, meeting: Meeting) -> bool:
    """While circulated, the participants and the group's members comment."""
    return (meeting is not None and meeting.minutes_state == STEP_FROM["comment"] and can_view(user, meeting)
            and (runs(user, meeting) or _contributor(user, meeting) or _named(user, meeting)))


@rule("meetings.circulate")
def can_circulate(user, meeting: Meeting) -> bool:
    return meeting is not None and meeting.minutes_state == STEP_FROM["circulate"] and runs(user, meeting)


@rule("meetings.approve")
def can_approve(user, meeting: Meeting) -> bool:
    """The chair or secretary approves; a meeting without a group: staff or its organiser."""
    if meeting is None or meeting.minutes_state != STEP_FROM["approve"] or not signed_in(user):
        return False
    if meeting.group is not None:
        return user.role == Role.ADMIN or bool(current_roles(user, meeting.group) & RUNNERS)
    return runs(user, meeting)


@rule("meetings.revise")
def can_revise(user, meeting: Meeting) -> bool:
    """A change after approval (with a reason) by those who may approve."""
    if meeting is None or meeting.minutes_state != MinutesState.APPROVED or not signed_in(user):
        return False
    if meeting.group is not None:
        return user.role == Role.ADMIN or bool(current_roles(user, meeting.group) & RUNNERS)
    return runs(user, meeting)


@rule("meetings.export")
def can_export(user, meeting: Meeting) -> bool:
    """PDF documents: whoever sees the meeting (the documents hold only what that user may see)."""
    return can_view(user, meeting)


def visible_clause(user, visibility_column=None):
    """The SQL twin of `sees()`: a WHERE clause over `Meeting` (in the query's FROM) and, optionally,
    the column with the visibility of something inside it (a conclusion's, an agenda item's), so
    lists filter in the database and agree with the rule above (tests compare the two)."""
    if not signed_in(user):
        return false()
    if user.role == Role.ADMIN:
        return true()
    levels = [Meeting.visibility] + ([visibility_column] if visibility_column is not None else [])
    confidential = or_(*(level == Visibility.CONFIDENTIAL for level in levels))
    internal = or_(*(level == Visibility.INTERNAL for level in levels))
    # uncorrelated subqueries: each is evaluated once per statement (a small set of ids), not per row
    named = Meeting.id.in_(select(Participant.meeting_id).where(Participant.user_id == user.id).correlate(None))
    if is_staff(user):
        insider = true()
    else:
        groups = select(GroupMembership.group_id).where(current_membership(user)).correlate(None)
        organised = select(meeting_organiser.c.meeting_id).where(
            meeting_organiser.c.organisation_id == user.organisation_id).correlate(None)
        insider = or_(Meeting.group_id.in_(groups), named, Meeting.created_by_id == user.id,
                      and_(Meeting.group_id.is_(None), Meeting.id.in_(organised)))
    return or_(and_(confidential, named), and_(not_(confidential), internal, insider),
               and_(not_(confidential), not_(internal)))


def group_feed_clause(group):
    """What a working group's calendar feed carries (whoever holds its address reads it, signed in or
    not): the group's meetings that every member may see, all but the confidential ones."""
    return and_(Meeting.group_id == group.id, Meeting.visibility != Visibility.CONFIDENTIAL)


@rule("meetings.create_in")
def can_create_in(user, group=None) -> bool:
    """A new meeting in `group` (None: without a group): whoever may create meetings, and the group's
    chair or secretary."""
    if can_create(user):
        return True
    return signed_in(user) and group is not None and bool(current_roles(user, group) & RUNNERS)


@rule("meetings.change_minutes")
def can_change_minutes(user, item) -> bool:
    """Open an agenda item's minutes editor: write them (draft, circulated) or revise them (approved)."""
    return can_view_item(user, item) and (can_write_minutes(user, item.meeting) or can_revise(user, item.meeting))


@rule("meetings.resolve_comment")
def can_resolve_comment(user, comment) -> bool:
    """A comment is marked resolved by its author, or by whoever runs the meeting (staff, its
    creator, the group's chair or secretary), among those who see it; once."""
    if comment is None or comment.resolved_at is not None or not can_view_item(user, comment.item):
        return False
    return comment.author_id == user.id or runs(user, comment.item.meeting)
