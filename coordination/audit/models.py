"""The audit log: who changed what, when, with the values before and after."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))  # create, update, delete, sign_in
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    entity_label: Mapped[str] = mapped_column(String(300), default="")
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [before, after]
    address: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User", lazy="joined")

    __table_args__ = (
        Index("ix_audit_entry_entity", "entity_type", "entity_id"),
        # the log counts the entries that are not sign-ins: read from this narrow index, not the rows
        # with their changes (SQLite: 11 ms → 2.5 ms at 50,000 entries)
        Index("ix_audit_entry_action", "action"),
    )


# how each audited model is named to people; a new audited model adds its name here
RECORD_KINDS = {
    "User": _l("Account"),
    "Organisation": _l("Organisation"),
    "WorkingGroup": _l("Working group"),
    "GroupMembership": _l("Working-group membership"),
    "Meeting": _l("Meeting"),
    "Participant": _l("Participant"),
    "AgendaItem": _l("Agenda item"),
    "MinutesComment": _l("Comment on minutes"),
    "Conclusion": _l("Conclusion"),
    "FanOut": _l("Fan-out to municipalities"),
    "ActionItem": _l("Action item"),
    "ItemUpdate": _l("Action item progress note"),
    "Appointment": _l("Data-steward appointment"),
    "Training": _l("Data-steward training"),
    "Dataset": _l("Dataset"),
    "ActFile": _l("Appointing act"),
    "NominationRequest": _l("Request to name data stewards"),
}

ACTIONS = {"create": _l("created"), "update": _l("changed"), "delete": _l("deleted")}
SIGN_IN = "sign_in"  # the action of an entry that records only a sign-in (see services._update_action)


def record_kind(entity_type: str) -> str:
    return str(RECORD_KINDS.get(entity_type, entity_type))


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))
