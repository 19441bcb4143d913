"""Calendar feed tokens and the meetings each feed holds.

A feed URL carries a secret token (secrets.token_urlsafe(32)) instead of a login: the person's own
`User.calendar_token`, and for a working group's feed the group's `WorkingGroup.calendar_token`
joined to the reader's own (`<group token>.<user token>`), so the feed knows whom it serves and
checks at every request, as the pages do, that the reader still belongs to the group (or is
staff) and may see each meeting. Tokens are made on request (never by looking at a page) and
replaced on reset, after which the old URLs answer 404. They are masked in the audit log.
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


def group_feed_token(group: WorkingGroup, reader: User) -> str | None:
    """The reader's address of the group's feed, once both have a token."""
    if group.calendar_token and reader.calendar_token:
        return f"{group.calendar_token}.{reader.calendar_token}"
    return None


def group_feed_reader(token: str) -> tuple[WorkingGroup, User] | None:
    """The group and the reader a group feed token names, if the reader is active and may still see
    the group's internal meetings (a current member, or staff)."""
    from coordination.groups.permissions import can_view_internal

    group_token, _dot, user_token = token.partition(".")
    if not (_valid(group_token) and _valid(user_token)):
        return None
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.calendar_token == group_token))
    reader = user_by_token(user_token)
    if group is None or reader is None or not can_view_internal(reader, group):
        return None
    return group, reader


def user_meetings(user: User) -> list[Meeting]:
    """The meetings the user may view (the same rule as the meeting page, in SQL), newest first."""
    return list(db.session.scalars(select(Meeting).where(visible_clause(user))
                                   .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(FEED_SIZE)))


def group_meetings(group: WorkingGroup, reader: User) -> list[Meeting]:
    """The group's meetings that every member may see (meetings.permissions.group_feed_clause), of
    those the reader may see."""
    return list(db.session.scalars(
        select(Meeting).where(group_feed_clause(group), visible_clause(reader))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(FEED_SIZE)))


def my_groups(user: User) -> list[WorkingGroup]:
    """The working groups the user belongs to today."""
    mine = select(GroupMembership.group_id).where(current_membership(user))
    return list(db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(mine))
                                   .order_by(sl_order(WorkingGroup.name))))


def all_groups() -> list[WorkingGroup]:
    return list(db.session.scalars(select(WorkingGroup).order_by(sl_order(WorkingGroup.name))))
