"""Meetings, their participants and agenda, minutes with every saved version, comments, and
numbered conclusions with stable register numbers."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint, select
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.organisations.models import Organisation
from coordination.search import index as search_index
from coordination.types import UTCDateTime, enum_column, utcnow


class Visibility(enum.StrEnum):
    PUBLIC = "public"          # every signed-in user
    INTERNAL = "internal"      # the group's members (or the meeting's participants) and the ministry
    CONFIDENTIAL = "confidential"  # the people named as participants, and administrators


VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public"),
    Visibility.INTERNAL: _l("Internal"),
    Visibility.CONFIDENTIAL: _l("Confidential"),
}


class MinutesState(enum.StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"  # participants comment
    APPROVED = "approved"      # locked; changes only as revisions with a reason


STATE_LABELS = {
    MinutesState.DRAFT: _l("Draft"),
    MinutesState.CIRCULATED: _l("Circulated for review"),
    MinutesState.APPROVED: _l("Approved"),
}

# the state of the minutes each step of the workflow is taken from (the rules, the services and the
# pages that refuse a step read it here)
STEP_FROM = {"circulate": MinutesState.DRAFT, "approve": MinutesState.CIRCULATED, "comment": MinutesState.CIRCULATED}


class Attendance(enum.StrEnum):
    INVITED = "invited"
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"
    GUEST = "guest"


ATTENDANCE_LABELS = {
    Attendance.PRESENT: _l("Present"),
    Attendance.GUEST: _l("Guest"),
    Attendance.EXCUSED: _l("Excused"),
    Attendance.ABSENT: _l("Absent"),
    Attendance.INVITED: _l("Invited"),
}
# headings of the participant list, in the order the groups are shown
ATTENDANCE_GROUPS = {
    Attendance.PRESENT: _l("Attended"),
    Attendance.GUEST: _l("Guests"),
    Attendance.EXCUSED: _l("Excused absence"),
    Attendance.ABSENT: _l("Did not attend"),
    Attendance.INVITED: _l("Invited, attendance not recorded yet"),
}


class ConclusionKind(enum.StrEnum):
    DECISION = "decision"
    RECOMMENDATION = "recommendation"
    INFORMATION = "information"


KIND_LABELS = {
    ConclusionKind.DECISION: _l("Decision"),
    ConclusionKind.RECOMMENDATION: _l("Recommendation"),
    ConclusionKind.INFORMATION: _l("Information"),
}


meeting_organiser = Table(
    "meeting_organiser",
    db.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True, index=True),
)


class Meeting(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.INTERNAL)
    # the body whose conclusion register this meeting writes to, e.g. DS-IT or MDP
    register_body: Mapped[str] = mapped_column(String(20))
    minutes_state: Mapped[MinutesState] = mapped_column(enum_column(MinutesState), default=MinutesState.DRAFT)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # who chairs the meeting and keeps its minutes, where the group's roles do not say (a meeting
    # without a group) or someone else stands in; the documents name them
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    group: Mapped[WorkingGroup | None] = relationship(lazy="joined")
    organisers: Mapped[list[Organisation]] = relationship(secondary=meeting_organiser, order_by=Organisation.name)
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Participant.id")
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position")
    conclusions: Mapped[list[Conclusion]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Conclusion.number")
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    chair = relationship("User", foreign_keys=[chair_id])
    recorder = relationship("User", foreign_keys=[recorder_id])

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    def __str__(self):
        return self.title


class Participant(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance), default=Attendance.INVITED)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user = relationship("User", lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_participant_person"),)

    def __str__(self):
        return self.user.name if self.user else (self.organisation.name if self.organisation else "")


class AgendaItem(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.INTERNAL)
    minutes: Mapped[str] = mapped_column(Text, default="")
    # optimistic lock: a save names the version it started from and is refused if it moved on
    minutes_version: Mapped[int] = mapped_column(default=0)
    # "brez zapisa": the item needs no minutes (e.g. approving the agenda), so approval does not ask for them
    no_minutes: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    versions: Mapped[list[MinutesVersion]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="MinutesVersion.version")
    comments: Mapped[list[MinutesComment]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="MinutesComment.id")

    def __str__(self):
        return self.title


class MinutesVersion(db.Model):
    """Every saved text of an item's minutes; a revision after approval carries its reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision_reason: Mapped[str | None] = mapped_column(String(1000))

    item: Mapped[AgendaItem] = relationship(back_populates="versions")
    author = relationship("User", lazy="joined")

    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_minutes_version"),)


class MinutesComment(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # marked resolved by the commenter or whoever runs the meeting; approval asks about the others
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    item: Mapped[AgendaItem] = relationship(back_populates="comments")
    author = relationship("User", lazy="joined", foreign_keys=[author_id])
    resolved_by = relationship("User", lazy="joined", foreign_keys=[resolved_by_id])

    def __str__(self):
        return self.text[:80]


class Conclusion(db.Model):
    """A sklep: numbered 1, 2, 3 within its meeting, and `register_body year/seq` for good."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    number: Mapped[int]
    register_body: Mapped[str] = mapped_column(String(20))
    register_year: Mapped[int]
    register_seq: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[ConclusionKind] = mapped_column(enum_column(ConclusionKind), default=ConclusionKind.DECISION)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.INTERNAL)
    establishes_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_group.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="conclusions")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    establishes_group: Mapped[WorkingGroup | None] = relationship(
        backref=db.backref("established_by", uselist=False))

    __table_args__ = (
        UniqueConstraint("register_body", "register_year", "register_seq", name="uq_conclusion_register"),
        UniqueConstraint("meeting_id", "number", name="uq_conclusion_number"),
    )

    @property
    def register_number(self) -> str:
        return f"{self.register_body} {self.register_year}/{self.register_seq}"

    def __str__(self):
        return f"{self.register_number}: {self.text[:80]}"


class RegisterCounter(db.Model):
    """The last register sequence number used per body and year; never goes back."""

    body: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


# --- what the search index holds of meetings (search/index.py) ---------------------------------------

search_index.register("meeting", Meeting, watched=("title", "place"),
                      source=select(Meeting.id, Meeting.id.label("meeting_id"), Meeting.title, Meeting.place))
search_index.register("minutes", AgendaItem, watched=("title", "minutes", "meeting_id", "meeting"),
                      source=select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.title, AgendaItem.minutes))
search_index.follow(MinutesVersion, "minutes", lambda version: version.item_id)
search_index.register(
    "conclusion", Conclusion, watched=("text", "register_body", "register_year", "register_seq", "meeting_id", "meeting"),
    source=select(Conclusion.id, Conclusion.meeting_id, Conclusion.register_body, Conclusion.register_year,
                  Conclusion.register_seq, Conclusion.text),
    shape=lambda row: (f"{row.register_body} {row.register_year}/{row.register_seq}", row.text))
