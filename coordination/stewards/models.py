"""The data-steward registry: who looks after which data in each municipality.

An appointment is modelled like a W3C ORG membership (org:Membership): a person (org:member), the
municipality (org:organization), a role (org:role: steward, deputy, contact person) and a period
(org:memberDuring: valid from / until). Its status is the workflow: nominated by the municipality,
confirmed by the ministry (or returned with a reason), ended. Each appointment carries its
trainings and the datasets the person looks after; the appointing act may be uploaded as a PDF.

Which fields the public sees is decided per appointment (`public_fields`); the municipality, the
role, the status and the period are always public, they are what the registry is for.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.types import UTCDateTime, enum_column, utcnow


class StewardRole(enum.StrEnum):
    STEWARD = "steward"
    DEPUTY = "deputy"
    CONTACT = "contact"


ROLE_LABELS = {
    StewardRole.STEWARD: _l("Data steward"),
    StewardRole.DEPUTY: _l("Deputy data steward"),
    StewardRole.CONTACT: _l("Contact person"),
}


class AppointmentStatus(enum.StrEnum):
    NOMINATED = "nominated"   # named by the municipality, waiting for the ministry
    RETURNED = "returned"     # sent back by the ministry with a reason; the municipality corrects it
    CONFIRMED = "confirmed"   # confirmed by the ministry
    ENDED = "ended"


STATUS_LABELS = {
    AppointmentStatus.NOMINATED: _l("Nominated"),
    AppointmentStatus.RETURNED: _l("Returned for correction"),
    AppointmentStatus.CONFIRMED: _l("Confirmed"),
    AppointmentStatus.ENDED: _l("Ended"),
}

# fields whose publication each appointment decides; the labels are the form's checkboxes
OPTIONAL_PUBLIC = {
    "person_name": _l("Name"),
    "function": _l("Function"),
    "email": _l("Business e-mail"),
    "phone": _l("Business phone"),
    "act": _l("Appointing act"),
    "trainings": _l("Trainings"),
}
DEFAULT_PUBLIC = ("person_name", "function", "email")


class Frequency(enum.StrEnum):
    """Update frequency, as the EU frequency vocabulary names it (used in the DCAT-AP export)."""

    CONT = "CONT"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    ANNUAL = "ANNUAL"
    IRREG = "IRREG"
    NEVER = "NEVER"


FREQUENCY_LABELS = {
    Frequency.CONT: _l("Continuously"),
    Frequency.DAILY: _l("Daily"),
    Frequency.WEEKLY: _l("Weekly"),
    Frequency.MONTHLY: _l("Monthly"),
    Frequency.QUARTERLY: _l("Quarterly"),
    Frequency.ANNUAL: _l("Yearly"),
    Frequency.IRREG: _l("Irregularly"),
    Frequency.NEVER: _l("Never (closed dataset)"),
}


class Appointment(db.Model):
    """One person in one role for one municipality over a period (an org:Membership)."""

    __audit__ = True
    __tablename__ = "steward_appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[StewardRole] = mapped_column(enum_column(StewardRole), default=StewardRole.STEWARD)
    status: Mapped[AppointmentStatus] = mapped_column(enum_column(AppointmentStatus),
                                                      default=AppointmentStatus.NOMINATED)
    person_name: Mapped[str] = mapped_column(String(200))
    function: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    act_reference: Mapped[str] = mapped_column(String(100), default="")
    act_date: Mapped[date | None] = mapped_column(Date)
    act_signed_by: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    public_fields: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_PUBLIC))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    end_reason: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # optimistic concurrency: every change raises it; a form that names an older one is stale (409)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    confirmed_by = relationship("User")
    trainings: Mapped[list[Training]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan", order_by="Training.held_on")
    datasets: Mapped[list[Dataset]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan", order_by="Dataset.id")
    act_file: Mapped[ActFile | None] = relationship(back_populates="appointment", cascade="all, delete-orphan",
                                                    lazy="select")

    __table_args__ = (
        # the registry and coverage read a municipality's appointments by status and period
        Index("ix_steward_appointment_org_status", "organisation_id", "status", "valid_from"),
        Index("ix_steward_appointment_status_until", "status", "valid_until"),
    )

    def __str__(self):
        return f"{self.person_name} ({self.organisation.name if self.organisation else ''})"

    def is_public(self, field: str) -> bool:
        return field in (self.public_fields or ())

    def current(self, day: date) -> bool:
        """Valid on `day` by its dates (the status says whether it counts)."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def in_force(self, day: date) -> bool:
        """A confirmed appointment valid on `day`."""
        return self.status == AppointmentStatus.CONFIRMED and self.current(day)

    @property
    def open(self) -> bool:
        """Still in the workflow (not ended by status)."""
        return self.status != AppointmentStatus.ENDED


class Training(db.Model):
    __audit__ = True
    __tablename__ = "steward_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("steward_appointment.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(200), default="")

    appointment: Mapped[Appointment] = relationship(back_populates="trainings")

    def __str__(self):
        return self.name


class Dataset(db.Model):
    """A dataset the appointed person looks after; public ones go into the DCAT-AP export."""

    __audit__ = True
    __tablename__ = "steward_dataset"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("steward_appointment.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    frequency: Mapped[Frequency | None] = mapped_column(enum_column(Frequency))
    portal_url: Mapped[str] = mapped_column(String(500), default="")
    public: Mapped[bool] = mapped_column(default=True)

    appointment: Mapped[Appointment] = relationship(back_populates="datasets")

    def __str__(self):
        return self.name


class ActFile(db.Model):
    """The appointing act as uploaded: checked to be a PDF, kept in the database with its SHA-256
    (any app process can serve it; nothing is written to the server's disk)."""

    __audit__ = True
    __audit_secret__ = frozenset({"content"})  # the log keeps name, size and checksum, not the bytes
    __tablename__ = "steward_act_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("steward_appointment.id", ondelete="CASCADE"),
                                                unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    appointment: Mapped[Appointment] = relationship(back_populates="act_file")

    def __str__(self):
        return self.filename


class NominationRequest(db.Model):
    """A fan-out that asked municipalities to name their steward: confirming a municipality's
    steward marks its item of every such fan-out done."""

    __audit__ = True
    __tablename__ = "steward_nomination_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    fanout_id: Mapped[int] = mapped_column(ForeignKey("fan_out.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fanout = relationship("FanOut")

    def __str__(self):
        return f"fan-out {self.fanout_id}"
