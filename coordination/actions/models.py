"""Action items (naloge): what follows from conclusions, who owes it, by when, and how it went.

A fan-out is one step that gave one item per municipality (all of them, a region, an
association's members or a chosen list); its items form the status matrix.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.meetings.models import Conclusion
from coordination.organisations.models import Organisation
from coordination.search import index as search_index
from coordination.types import UTCDateTime, enum_column, utcnow


class ItemStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    ItemStatus.OPEN: _l("Open"),
    ItemStatus.IN_PROGRESS: _l("In progress"),
    ItemStatus.BLOCKED: _l("Blocked"),
    ItemStatus.DONE: _l("Done"),
    ItemStatus.CANCELLED: _l("Cancelled"),
}

# the allowed status changes; done and cancelled items can be reopened, nothing else jumps around
TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.OPEN: frozenset({ItemStatus.IN_PROGRESS, ItemStatus.BLOCKED, ItemStatus.DONE, ItemStatus.CANCELLED}),
    ItemStatus.IN_PROGRESS: frozenset({ItemStatus.OPEN, ItemStatus.BLOCKED, ItemStatus.DONE, ItemStatus.CANCELLED}),
    ItemStatus.BLOCKED: frozenset({ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.CANCELLED}),
    ItemStatus.DONE: frozenset({ItemStatus.IN_PROGRESS}),
    ItemStatus.CANCELLED: frozenset({ItemStatus.OPEN}),
}

# still owed: counted as "not done" in matrices, reminders and overdue marks
PENDING = frozenset({ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.BLOCKED})


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


PRIORITY_LABELS = {Priority.LOW: _l("Low"), Priority.NORMAL: _l("Normal"), Priority.HIGH: _l("High")}
PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}


class FanOutScope(enum.StrEnum):
    ALL = "all"                  # every municipality
    REGION = "region"            # the municipalities of one statistical region
    ASSOCIATION = "association"  # the members of SOS, ZOS or ZMOS
    CHOSEN = "chosen"            # a list picked by hand


SCOPE_LABELS = {
    FanOutScope.ALL: _l("All municipalities"),
    FanOutScope.REGION: _l("The municipalities of one statistical region"),
    FanOutScope.ASSOCIATION: _l("The members of an association"),
    FanOutScope.CHOSEN: _l("Municipalities I choose"),
}


class FanOut(db.Model):
    """One step that created an item per municipality from a conclusion."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    conclusion_id: Mapped[int] = mapped_column(ForeignKey("conclusion.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    scope: Mapped[FanOutScope] = mapped_column(enum_column(FanOutScope))
    scope_label: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the one-time token of the form that made it: the same form sent twice makes one fan-out
    submit_token: Mapped[str | None] = mapped_column(String(64))
    # cancelled (fanout_manage.cancel): its open items were cancelled with this reason; done ones stay
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # bumped by every management step (fanout_manage): a step confirmed from an out-of-date page is refused
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    conclusion = relationship("Conclusion", backref=db.backref("fanouts", order_by="FanOut.id"))
    created_by = relationship("User")

    __table_args__ = (UniqueConstraint("conclusion_id", "submit_token", name="uq_fanout_submit_token"),)

    def __str__(self):
        return self.title

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


def describe_scope(fanout: FanOut) -> str:
    """The selection of a fan-out in words, in the reader's language."""
    if fanout.scope == FanOutScope.ALL:
        return gettext("all municipalities")
    if fanout.scope == FanOutScope.REGION:
        return gettext("the municipalities of the %(region)s region", region=fanout.scope_label)
    if fanout.scope == FanOutScope.ASSOCIATION:
        return gettext("the members of %(association)s", association=fanout.scope_label)
    count = int(fanout.scope_label) if fanout.scope_label.isdigit() else 0
    return ngettext("%(num)d chosen municipality", "%(num)d chosen municipalities", count)


class ActionItem(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    conclusion_id: Mapped[int | None] = mapped_column(ForeignKey("conclusion.id", ondelete="SET NULL"), index=True)
    fanout_id: Mapped[int | None] = mapped_column(ForeignKey("fan_out.id", ondelete="CASCADE"))
    assignee_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.NORMAL)
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus), default=ItemStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # optimistic locking: every UPDATE checks and bumps it, so of two simultaneous changes made from
    # the same state the second fails (StaleDataError) instead of silently overwriting the first;
    # forms carry it, so a change made from a page that is out of date is refused too (409)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    conclusion = relationship("Conclusion", backref=db.backref("action_items", order_by="ActionItem.id"))
    fanout: Mapped[FanOut | None] = relationship(backref=db.backref("items"))
    assignee_org: Mapped[Organisation] = relationship(lazy="joined")
    assignee_user = relationship("User", foreign_keys=[assignee_user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    updates: Mapped[list[ItemUpdate]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemUpdate.id")

    __table_args__ = (
        # one item per municipality in a fan-out
        UniqueConstraint("fanout_id", "assignee_org_id", name="uq_fanout_assignee"),
        # "what does my organisation owe": by assignee, then status and due date
        Index("ix_action_item_org_status_due", "assignee_org_id", "status", "due_date"),
        # no index leads with status: five values over 100,000 rows would tempt the planner away
        # from the selective indexes (organisation, person, creator, conclusion)
        Index("ix_action_item_updated", "updated_at", "id"),
        Index("ix_action_item_due", "due_date", "id"),
    )
    __mapper_args__ = {"version_id_col": version}

    def __str__(self):
        return self.title

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def overdue(self, today: date) -> bool:
        return self.pending and self.due_date is not None and self.due_date < today


class ItemUpdate(db.Model):
    """One entry of an item's progress log: a note, a status change, or both."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    old_status: Mapped[ItemStatus | None] = mapped_column(enum_column(ItemStatus))
    new_status: Mapped[ItemStatus | None] = mapped_column(enum_column(ItemStatus))

    item: Mapped[ActionItem] = relationship(back_populates="updates")
    author = relationship("User")

    def __str__(self):
        return (self.text or f"{self.old_status} -> {self.new_status}")[:80]


class NotificationKind(enum.StrEnum):
    ASSIGNED = "assigned"            # an item was assigned to you or your organisation
    STATUS_CHANGED = "status"        # an item you created changed status
    COMMENTED = "commented"          # somebody wrote in the progress log of your item
    REMINDER = "reminder"            # the ministry or an association reminds you of an item
    MESSAGE = "message"              # another feature's notice: `detail` is its text, `link` its page


class Notification(db.Model):
    """In-app notice for one user; read_at set when they open the list or the item."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"), index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    link: Mapped[str | None] = mapped_column(String(300))  # the page of a MESSAGE (a path of this app)
    # status changes of one fan-out's items on one day share one row per user ("fanout:<id>:<status>:<day>"),
    # `count` says how many municipalities it stands for (raised atomically, see actions.services._notify)
    group_key: Mapped[str | None] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(default=1, server_default="1")

    item: Mapped[ActionItem | None] = relationship()

    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at", "id"),
                      UniqueConstraint("user_id", "group_key", name="uq_notification_group"))


class EmailKind(enum.StrEnum):
    """The kinds of event a user may get e-mail about (the daily digest is User.digest_enabled)."""
    ASSIGNMENT = "assignment"   # an item assigned to you or your organisation, and reminders of it
    STATUS = "status"           # a change of state: items you follow, hosting requests
    COMMENTS = "comments"       # a new entry in the progress log of your item
    MINUTES = "minutes"         # minutes circulated, commented, approved or revised


class EmailOptOut(db.Model):
    """A kind of e-mail the user does not want; no row means yes (every kind is on by default)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[EmailKind] = mapped_column(enum_column(EmailKind), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderLog(db.Model):
    """A reminder already sent: the unique key makes a second run (or a second process) the same
    day claim nothing. `topic` is 'digest' for the daily digest or 'fanout:<id>' for a matrix
    reminder to one organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    items: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("user_id", "topic", "day", name="uq_reminder_once_a_day"),)


class ImportBatch(db.Model):
    """A validated bulk status upload waiting for the user's confirmation (kept in the database so
    any app process can apply it)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_rows: Mapped[list] = mapped_column(JSON, default=list)   # [{line, item_id, status, note}]
    errors: Mapped[list] = mapped_column(JSON, default=list)       # [{line, message}]
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- what the search index holds of action items (search/index.py) -----------------------------------

# the assignee's name is found too ("Kamnik" finds Kamnik's items), though not shown as text

search_index.register(
    "item", ActionItem, watched=("title", "description", "conclusion_id", "conclusion", "assignee_org_id",
                                 "assignee_org"),
    source=select(ActionItem.id, Conclusion.meeting_id, ActionItem.title, ActionItem.description,
                  Organisation.name.label("assignee"))
    .outerjoin(Conclusion, ActionItem.conclusion_id == Conclusion.id)
    .join(Organisation, ActionItem.assignee_org_id == Organisation.id),
    shape=lambda row: (row.title, row.description, row.assignee))
