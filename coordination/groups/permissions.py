"""Working-group rules: who creates groups, who runs one, who sees its internal content."""
from sqlalchemy import and_, or_

from coordination.groups.models import GroupMembership, GroupRole, WorkingGroup
from coordination.roles import Role, is_staff, signed_in
from coordination.types import today
from coordination.web.authz import rule


def current_roles(user, group: WorkingGroup) -> set[GroupRole]:
    """The user's roles in the group today (memberships by person, not by organisation)."""
    if not signed_in(user) or group is None:
        return set()
    now = today()
    return {m.role for m in group.memberships if m.user_id == user.id and m.current(now)}


def current_membership(user):
    """The SQL twin of current_roles(): a WHERE clause over GroupMembership for the user's own
    memberships that hold today."""
    now = today()
    return and_(GroupMembership.user_id == user.id,
                or_(GroupMembership.valid_from.is_(None), GroupMembership.valid_from <= now),
                or_(GroupMembership.valid_until.is_(None), GroupMembership.valid_until >= now))


@rule("groups.browse")
def can_browse(user, obj=None) -> bool:
    return signed_in(user)


@rule("groups.create")
def can_create(user, obj=None) -> bool:
    return signed_in(user) and user.role in (Role.ADMIN, Role.MINISTRY)


@rule("groups.manage")
def can_manage(user, group) -> bool:
    """Edit the group and its members: staff, or the group's chair or secretary (but see
    can_remove_member: the chair's membership is the chair's and staff's alone)."""
    return is_staff(user) or bool(current_roles(user, group) & {GroupRole.CHAIR, GroupRole.SECRETARY})


@rule("groups.remove_member")
def can_remove_member(user, membership) -> bool:
    """Remove a membership: whoever manages the group; a chair's membership only staff or a chair
    of the group. The secretary runs the group for its chair, so may neither remove nor demote the
    chair (a role is never edited in place: a demotion is a removal and a new membership, so this
    rule decides it too)."""
    if membership is None or not can_manage(user, membership.group):
        return False
    if membership.role != GroupRole.CHAIR:
        return True
    return is_staff(user) or GroupRole.CHAIR in current_roles(user, membership.group)


@rule("groups.view_internal")
def can_view_internal(user, group) -> bool:
    """Internal content (meetings, minutes, conclusions marked internal): staff and current members."""
    return is_staff(user) or bool(current_roles(user, group))
