"""Working groups (delovne skupine) and their members."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, null, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.search import index as search_index
from coordination.types import UTCDateTime, enum_column, utcnow


class GroupRole(enum.StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    OBSERVER = "observer"


ROLE_LABELS = {
    GroupRole.CHAIR: _l("Chair"),
    GroupRole.SECRETARY: _l("Secretary"),
    GroupRole.MEMBER: _l("Member"),
    GroupRole.OBSERVER: _l("Observer"),
}


class WorkingGroup(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # the body code in conclusion register numbers, e.g. "DS-IT" in "DS-IT 2024/7"
    code: Mapped[str] = mapped_column(String(20), unique=True)
    mandate: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # secret in the group's iCalendar feed URL; reset to revoke a leaked link
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    __audit_secret__ = frozenset({"calendar_token"})

    memberships: Mapped[list[GroupMembership]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMembership.id")

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"

    def __str__(self):
        return self.name


class GroupMembership(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[GroupRole] = mapped_column(enum_column(GroupRole))
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

    group: Mapped[WorkingGroup] = relationship(back_populates="memberships")
    user = relationship("User", lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def current(self, today: date) -> bool:
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_until is None or today <= self.valid_until)

    def __str__(self):
        who = self.user.name if self.user else self.organisation.name if self.organisation else ""
        return f"{self.group.name if self.group else ''}: {who}"


# --- what the search index holds of working groups (search/index.py) --------------------------------
# every signed-in user sees a group's page with its mandate (groups.browse); its internal meetings are
# indexed as meetings, under their own rule

search_index.register(
    "group", WorkingGroup, watched=("name", "code", "mandate"),
    source=select(WorkingGroup.id, null().label("meeting_id"), WorkingGroup.name, WorkingGroup.mandate,
                  WorkingGroup.code),
    shape=lambda row: (row.name, row.mandate, row.code))
