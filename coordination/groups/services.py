"""Changes to working groups and their members (audited by the flush hook)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.groups.models import GroupMembership, GroupRole, WorkingGroup
from coordination.organisations.models import Organisation
from coordination.web.formatting import sl_order


def listing():
    """Groups in Slovenian order with their member counts, in two queries."""
    groups = db.session.scalars(select(WorkingGroup).order_by(sl_order(WorkingGroup.name))).all()
    counts = dict(db.session.execute(
        select(GroupMembership.group_id, func.count()).group_by(GroupMembership.group_id)).all())
    return [(g, counts.get(g.id, 0)) for g in groups]


def load(group_id: int) -> WorkingGroup | None:
    return db.session.get(WorkingGroup, group_id, options=[selectinload(WorkingGroup.memberships)])


def clash(name: str, code: str, except_id: int | None = None) -> str | None:
    """Which unique field ('name' or 'code') another group already uses, if any."""
    for field, value in (("name", name), ("code", code)):
        query = select(WorkingGroup.id).where(func.lower(getattr(WorkingGroup, field)) == value.strip().lower())
        if except_id:
            query = query.where(WorkingGroup.id != except_id)
        if db.session.scalar(query) is not None:
            return field
    return None


def create_group(*, name: str, code: str, mandate: str) -> WorkingGroup:
    group = WorkingGroup(name=name.strip(), code=code.strip().upper(), mandate=mandate.strip())
    db.session.add(group)
    db.session.flush()
    return group


def update_group(group: WorkingGroup, *, name: str, code: str, mandate: str) -> WorkingGroup:
    group.name, group.code, group.mandate = name.strip(), code.strip().upper(), mandate.strip()
    db.session.flush()
    return group


def overlapping(group: WorkingGroup, user_id: int | None, organisation_id: int, valid_from: date | None,
                valid_until: date | None, except_id: int | None = None) -> bool:
    """Is the same person (or, for organisation seats, the same organisation) already a member then?"""
    lo, hi = valid_from or date.min, valid_until or date.max
    for m in group.memberships:
        if m.id == except_id:
            continue
        same = (m.user_id == user_id) if user_id else (m.user_id is None and m.organisation_id == organisation_id)
        if same and (m.valid_from or date.min) <= hi and lo <= (m.valid_until or date.max):
            return True
    return False


def add_member(group: WorkingGroup, *, organisation_id: int, user_id: int | None, role: GroupRole,
               valid_from: date | None, valid_until: date | None) -> GroupMembership:
    membership = GroupMembership(group=group, organisation=db.session.get(Organisation, organisation_id),
                                 user=db.session.get(User, user_id) if user_id else None, role=role,
                                 valid_from=valid_from, valid_until=valid_until)
    db.session.add(membership)
    db.session.flush()
    return membership


def remove_member(membership: GroupMembership) -> None:
    db.session.delete(membership)
    db.session.flush()


def seats_of(org_id: int, on: date) -> list[GroupMembership]:
    """An organisation's current seats in working groups (its people's and its own), by group name."""
    return list(db.session.scalars(
        select(GroupMembership).join(GroupMembership.group)
        .where(GroupMembership.organisation_id == org_id,
               (GroupMembership.valid_from.is_(None)) | (GroupMembership.valid_from <= on),
               (GroupMembership.valid_until.is_(None)) | (GroupMembership.valid_until >= on))
        .options(contains_eager(GroupMembership.group))
        .order_by(sl_order(WorkingGroup.name), GroupMembership.id)))
