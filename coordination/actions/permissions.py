"""Who sees and changes action items, fan-outs and their status matrices.

An item is seen by those who see its source conclusion (the conclusion's rule), and always by the
people it concerns: its assignee organisation and person, its creator, and staff. Association staff
follow the items of their member municipalities unless the conclusion is confidential.
`visible_clause()` is the same rule in SQL (tests compare the two).
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, true

from coordination.actions.models import ActionItem, FanOut
from coordination.extensions import in_indexed
from coordination.groups.models import GroupMembership
from coordination.groups.permissions import current_membership
from coordination.meetings.models import Conclusion, Meeting, Visibility
from coordination.meetings.permissions import RUNNERS, can_view_conclusion, runs
from coordination.meetings.permissions import visible_clause as meeting_clause
from coordination.organisations.models import association_membership
from coordination.roles import Role, is_staff, signed_in
from coordination.web.authz import rule


def _concerns(user, item: ActionItem) -> bool:
    return (item.assignee_org_id == user.organisation_id or item.assignee_user_id == user.id
            or item.created_by_id == user.id)


def _follows(user, item: ActionItem) -> bool:
    """Association staff follow their members' items (never a confidential conclusion's)."""
    if user.role != Role.ASSOCIATION:
        return False
    if item.conclusion is not None and Visibility.CONFIDENTIAL in (item.conclusion.visibility,
                                                                   item.conclusion.meeting.visibility):
        return False
    return any(a.id == user.organisation_id for a in item.assignee_org.associations)


def _runs_source(user, item: ActionItem) -> bool:
    return item.conclusion is not None and runs(user, item.conclusion.meeting)


@rule("actions.browse")
def can_browse(user, obj=None) -> bool:
    return signed_in(user)


@rule("actions.view")
def can_view(user, item: ActionItem) -> bool:
    if item is None or not signed_in(user):
        return False
    if is_staff(user) or _concerns(user, item):
        return True
    if item.conclusion is not None and can_view_conclusion(user, item.conclusion):
        return True
    return _follows(user, item)


@rule("actions.create")
def can_create(user, obj=None) -> bool:
    """Items on their own: staff and association staff (for their members or themselves)."""
    return signed_in(user) and user.role in (Role.ADMIN, Role.MINISTRY, Role.ASSOCIATION)


@rule("actions.assign_to")
def can_assign_to(user, org) -> bool:
    """Whom an item may be assigned to: association staff assign to their member municipalities and
    to their own association; the others who may create or edit items, to any organisation.
    `assignable_ids()` is the same rule as a set of ids (for the drop-down)."""
    if org is None or not signed_in(user):
        return False
    if user.role != Role.ASSOCIATION:
        return True
    return org.id == user.organisation_id or any(a.id == user.organisation_id for a in org.associations)


def assignable_ids(user) -> set[int] | None:
    """The ids of the organisations `can_assign_to` allows, or None for "any"; one query."""
    from sqlalchemy import select

    from coordination.extensions import db
    from coordination.organisations.models import association_membership

    if not signed_in(user) or user.role != Role.ASSOCIATION:
        return None
    members = db.session.scalars(select(association_membership.c.member_id).where(
        association_membership.c.association_id == user.organisation_id))
    return {user.organisation_id, *members}


@rule("actions.create_from")
def can_create_from(user, conclusion) -> bool:
    """Items from a conclusion: whoever runs its meeting (staff, creator, chair, secretary)."""
    return conclusion is not None and can_view_conclusion(user, conclusion) and runs(user, conclusion.meeting)


@rule("actions.edit")
def can_edit(user, item: ActionItem) -> bool:
    """Title, description, assignee, due date, priority: staff, the creator, the source's runners."""
    if item is None or not signed_in(user):
        return False
    return is_staff(user) or item.created_by_id == user.id or _runs_source(user, item)


@rule("actions.update")
def can_update(user, item: ActionItem) -> bool:
    """Change the status and write progress: the assignee organisation and person, and whoever may
    edit the item."""
    if item is None or not signed_in(user):
        return False
    return item.assignee_org_id == user.organisation_id or item.assignee_user_id == user.id or can_edit(user, item)


@rule("actions.comment")
def can_comment(user, item: ActionItem) -> bool:
    """Write in the progress log: those who update the item and the associations following it."""
    return can_update(user, item) or (can_view(user, item) and _follows(user, item))


@rule("actions.fan_out")
def can_fan_out(user, conclusion) -> bool:
    return can_create_from(user, conclusion)


@rule("actions.view_fanout")
def can_view_fanout(user, fanout: FanOut) -> bool:
    """The status matrix: whoever sees the conclusion, and association staff (their members' rows
    are what they coordinate)."""
    if fanout is None or not signed_in(user):
        return False
    if is_staff(user) or can_view_conclusion(user, fanout.conclusion):
        return True
    return user.role == Role.ASSOCIATION and Visibility.CONFIDENTIAL not in (
        fanout.conclusion.visibility, fanout.conclusion.meeting.visibility)


@rule("actions.remind")
def can_remind(user, fanout: FanOut) -> bool:
    """Remind the municipalities not done: staff, the source's runners, association staff (who
    remind their own members)."""
    if not can_view_fanout(user, fanout):
        return False
    return is_staff(user) or runs(user, fanout.conclusion.meeting) or user.role == Role.ASSOCIATION


@rule("actions.members_only")
def follows_members_only(user, obj=None) -> bool:
    """Association staff follow and remind only their own member municipalities in a fan-out
    (staff and the source's runners deal with all of them)."""
    return signed_in(user) and user.role == Role.ASSOCIATION


@rule("actions.own_import")
def owns_import(user, batch) -> bool:
    """A bulk status upload is seen, confirmed and applied only by the user who uploaded it."""
    return batch is not None and signed_in(user) and batch.user_id == user.id


def visible_clause(user, *, joined: bool = False, lookups: bool = False):
    """The SQL twin of `can_view`. By default the conclusions the user may see are one uncorrelated
    subquery (evaluated once, then an index lookup per item) rather than a per-row check, which
    keeps a count over 100,000 items in milliseconds. With `joined=True` the query has joined
    ActionItem -> Conclusion -> Meeting itself (e.g. from one group's meetings) and the rule reads
    their columns row by row, which is cheaper when few rows are in play. With `lookups` the
    conclusions and members are written for index lookups (`in_indexed`), for a query that finds
    the visible items by this rule alone (the unfiltered list); without, for one that narrows the
    items some other way (ids, a text search, an organisation) and checks each of them."""
    if not signed_in(user):
        return false()
    if is_staff(user):
        return true()
    conclusions = select(Conclusion.id).join(Meeting, Conclusion.meeting_id == Meeting.id)
    confidential = or_(Conclusion.visibility == Visibility.CONFIDENTIAL, Meeting.visibility == Visibility.CONFIDENTIAL)
    among = in_indexed if lookups else (lambda column, subquery: column.in_(subquery))
    if joined:
        via_conclusion = and_(ActionItem.conclusion_id.is_not(None), meeting_clause(user, Conclusion.visibility))
        not_confidential = or_(ActionItem.conclusion_id.is_(None), ~confidential)
    else:
        via_conclusion = among(ActionItem.conclusion_id,
                               conclusions.where(meeting_clause(user, Conclusion.visibility)).correlate(None))
        not_confidential = ActionItem.conclusion_id.is_(None) | ActionItem.conclusion_id.not_in(
            conclusions.where(confidential).correlate(None))
    clauses = [ActionItem.assignee_org_id == user.organisation_id, ActionItem.assignee_user_id == user.id,
               ActionItem.created_by_id == user.id, via_conclusion]
    if user.role == Role.ASSOCIATION:
        members = select(association_membership.c.member_id).where(
            association_membership.c.association_id == user.organisation_id)
        clauses.append(among(ActionItem.assignee_org_id, members) & not_confidential)
    return or_(*clauses)


def fanout_clause(user):
    """The SQL twin of `can_view_fanout` for the fan-out of an item, over a query that outer-joins
    ActionItem -> Conclusion -> Meeting (a fan-out's items carry its conclusion)."""
    if not signed_in(user):
        return false()
    if is_staff(user):
        return true()
    clauses = [and_(Conclusion.id.is_not(None), meeting_clause(user, Conclusion.visibility))]
    if user.role == Role.ASSOCIATION:
        clauses.append(and_(Conclusion.id.is_not(None), Conclusion.visibility != Visibility.CONFIDENTIAL,
                            Meeting.visibility != Visibility.CONFIDENTIAL))
    return or_(*clauses)


def update_clause(user):
    """The SQL twin of `can_update` (a boolean column for list rows and imports), over a query that
    outer-joins ActionItem -> Conclusion -> Meeting (queries.item_query): assignee organisation or
    person, creator, staff, or a runner of the source meeting (its creator, or the chair or
    secretary of its group today)."""
    if not signed_in(user):
        return false()
    if is_staff(user):
        return true()
    runner = exists().where(GroupMembership.group_id == Meeting.group_id, GroupMembership.role.in_(list(RUNNERS)),
                            current_membership(user))
    return or_(ActionItem.assignee_org_id == user.organisation_id, ActionItem.assignee_user_id == user.id,
               ActionItem.created_by_id == user.id,
               and_(ActionItem.conclusion_id.is_not(None), or_(Meeting.created_by_id == user.id, runner)))


@rule("actions.manage_fanout")
def can_manage_fanout(user, fanout: FanOut) -> bool:
    """Change a fan-out's due date, add municipalities to it, cancel it: whoever may fan out its
    conclusion (staff and the runners of the source meeting)."""
    return fanout is not None and can_view_fanout(user, fanout) and can_fan_out(user, fanout.conclusion)
