"""Calendar feed tokens and the meetings each feed holds.

A feed URL carries a secret token (secrets.token_urlsafe(32)) instead of a login: the person's own
`User.calendar_token`, the group's `WorkingGroup.calendar_token`. A token is made on first use and
replaced on reset, after which the old URL answers 404. The tokens are masked in the audit log.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.groups.models import GroupMembership, WorkingGroup
from coordination.groups.permissions import current_membership
from coordination.meetings.models import Meeting
from coordination.meetings.permissions import group_feed_clause, visible_clause
from coordination.web.formatting import sl_order

FEED_SIZE = 500  # the most recent meetings a feed carries
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def ensure_token(owner: User | WorkingGroup) -> str:
    """The owner's feed token, made now if it has none yet."""
    if not owner.calendar_token:
        owner.calendar_token = new_token()
        db.session.flush()
    return owner.calendar_token


def reset_token(owner: User | WorkingGroup) -> str:
    """A new token: the old feed URL stops working at once."""
    owner.calendar_token = new_token()
    db.session.flush()
    return owner.calendar_token


def _valid(token: str) -> bool:
    return 20 <= len(token) <= 64


def user_by_token(token: str) -> User | None:
    """The active user whose feed this is, if any."""
    if not _valid(token):
        return None
    return db.session.scalar(select(User).where(User.calendar_token == token, User.active.is_(True)))


def group_by_token(token: str) -> WorkingGroup | None:
    if not _valid(token):
        return None
    return db.session.scalar(select(WorkingGroup).where(WorkingGroup.calendar_token == token))


def user_meetings(user: User) -> list[Meeting]:
    """The meetings the user may view (the same rule as the meeting page, in SQL), newest first."""
    return list(db.session.scalars(select(Meeting).where(visible_clause(user))
                                   .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(FEED_SIZE)))


def group_meetings(group: WorkingGroup) -> list[Meeting]:
    """The group's meetings that every member may see (meetings.permissions.group_feed_clause)."""
    return list(db.session.scalars(
        select(Meeting).where(group_feed_clause(group))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(FEED_SIZE)))


def my_groups(user: User) -> list[WorkingGroup]:
    """The working groups the user belongs to today."""
    mine = select(GroupMembership.group_id).where(current_membership(user))
    return list(db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(mine))
                                   .order_by(sl_order(WorkingGroup.name))))


def all_groups() -> list[WorkingGroup]:
    return list(db.session.scalars(select(WorkingGroup).order_by(sl_order(WorkingGroup.name))))
