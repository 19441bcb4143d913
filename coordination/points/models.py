"""Digi info točke: the programme (period, targets, rules), the points of the network, the requests
to host one, and the monthly visits each point reports (total and per service topic) with every
correction kept.

A point's region is its municipality's region (Organisation.region). Months are stored as the
first day of the month. Topic codes are those of coordination/data/service_topics.csv (topics.py).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.types import UTCDateTime, enum_column, utcnow


class Programme(db.Model):
    """A programme of points, e.g. the pilot "Digi info točke (pilotni projekt)"."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    contractor: Mapped[str] = mapped_column(String(300), default="")
    # programme rules a hosting request is checked against (shown on the form)
    min_days_per_week: Mapped[int] = mapped_column(default=5)
    min_hours_per_week: Mapped[int] = mapped_column(default=18)
    # visit figures are shown to the public only when the ministry publishes them
    publish_visits: Mapped[bool] = mapped_column(default=False)

    targets: Mapped[list[ProgrammeTarget]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeTarget.due_on")

    def __str__(self):
        return self.name


class ProgrammeTarget(db.Model):
    """Cumulative visits the programme expects by a date (e.g. 24,000 by 31. 3. 2024)."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    visits: Mapped[int]
    label: Mapped[str] = mapped_column(String(200), default="")

    programme: Mapped[Programme] = relationship(back_populates="targets")

    __table_args__ = (UniqueConstraint("programme_id", "due_on", name="uq_programme_target_date"),
                      CheckConstraint("visits >= 0", name="visits_not_negative"))

    def __str__(self):
        return f"{self.due_on.isoformat()}: {self.visits}"


class PointStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


POINT_STATUS_LABELS = {PointStatus.OPEN: _l("In operation"), PointStatus.CLOSED: _l("Closed down")}


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    OPENED = "opened"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


REQUEST_STATUS_LABELS = {
    RequestStatus.DRAFT: _l("Draft"),
    RequestStatus.SUBMITTED: _l("Submitted"),
    RequestStatus.UNDER_REVIEW: _l("Under review"),
    RequestStatus.APPROVED: _l("Approved, to be opened"),
    RequestStatus.REJECTED: _l("Rejected"),
    RequestStatus.OPENED: _l("Point opened"),
    RequestStatus.CLOSED: _l("Point closed"),
    RequestStatus.WITHDRAWN: _l("Withdrawn"),
}


class HostingRequest(db.Model):
    """A request to host a point: filed by a municipal official or a host institution's user,
    reviewed and decided by the ministry; once opened it has its point."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    # the file number (e.g. "DIT 2024/7") is given when the request is first submitted
    file_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), default=RequestStatus.DRAFT, index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    applicant_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # a host institution not yet in the workspace, proposed by the applicant
    proposed_host_name: Mapped[str] = mapped_column(String(200), default="")
    proposed_host_kind: Mapped[str] = mapped_column(String(40), default="")
    proposed_host_address: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float]
    lon: Mapped[float]
    opening_hours: Mapped[dict] = mapped_column(JSON, default=dict)  # {"mon": [["08:00", "12:00"]], …}
    topics: Mapped[list] = mapped_column(JSON, default=list)         # topic codes
    staff: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    expected_visits: Mapped[int] = mapped_column(default=0)
    justification: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # bumped by every change, so a form sent from an older page is refused (409) instead of overwriting
    version: Mapped[int] = mapped_column(default=1)

    programme: Mapped[Programme] = relationship()
    applicant = relationship("User", foreign_keys=[applicant_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    applicant_org: Mapped[Organisation] = relationship(foreign_keys=[applicant_org_id])
    municipality: Mapped[Organisation] = relationship(foreign_keys=[municipality_id])
    host: Mapped[Organisation | None] = relationship(foreign_keys=[host_id])
    comments: Mapped[list[RequestComment]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestComment.id")
    point: Mapped[ServicePoint | None] = relationship(back_populates="request", uselist=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def host_name(self) -> str:
        return self.host.name if self.host is not None else self.proposed_host_name

    def __str__(self):
        return f"{self.file_number or '#' + str(self.id)} {self.host_name}"


class RequestComment(db.Model):
    """The request's history: a comment, a step of the lifecycle, or both."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("hosting_request.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    old_status: Mapped[RequestStatus | None] = mapped_column(enum_column(RequestStatus))
    new_status: Mapped[RequestStatus | None] = mapped_column(enum_column(RequestStatus))

    request: Mapped[HostingRequest] = relationship(back_populates="comments")

    def __str__(self):
        return (self.text or f"{self.old_status} -> {self.new_status}")[:80]


class ServicePoint(db.Model):
    """A Digi info točka."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # DIT-001
    name: Mapped[str] = mapped_column(String(200))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("hosting_request.id", ondelete="SET NULL"), unique=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float]
    lon: Mapped[float]
    opening_hours: Mapped[dict] = mapped_column(JSON, default=dict)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[PointStatus] = mapped_column(enum_column(PointStatus), default=PointStatus.OPEN, index=True)
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closing_reason: Mapped[str] = mapped_column(Text, default="")
    cost_per_month: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))  # EUR, for the analysis
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship()
    request: Mapped[HostingRequest | None] = relationship(back_populates="point")
    host: Mapped[Organisation] = relationship(foreign_keys=[host_id], lazy="joined")
    municipality: Mapped[Organisation] = relationship(foreign_keys=[municipality_id], lazy="joined")

    __table_args__ = (CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closes_after_opening"),)

    def __str__(self):
        return f"{self.code} {self.name}"

    def open_in(self, month: date) -> bool:
        """Was the point open at some time in `month` (the first day of a month)?"""
        from coordination.points.months import month_end

        return self.opened_on <= month_end(month) and (self.closed_on is None or self.closed_on >= month)


class VisitReport(db.Model):
    """Visits of one point in one month: the total, and per topic where known (VisitTopic rows)."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    total: Mapped[int]
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    point: Mapped[ServicePoint] = relationship()
    reported_by = relationship("User")
    topics: Mapped[list[VisitTopic]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="VisitTopic.topic")

    __table_args__ = (
        UniqueConstraint("point_id", "month", name="uq_visit_point_month"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        # the programme's monthly totals read (month, total) from the index alone
        Index("ix_visit_report_month", "month", "total", "point_id"),
    )

    def __str__(self):
        return f"{self.month.isoformat()[:7]}: {self.total}"


class VisitTopic(db.Model):
    """Visits on one service topic within a month's report (their sum never exceeds the total)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("visit_report.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40))
    visits: Mapped[int]

    report: Mapped[VisitReport] = relationship(back_populates="topics")

    __table_args__ = (UniqueConstraint("report_id", "topic", name="uq_visit_topic"),
                      CheckConstraint("visits >= 0", name="visits_not_negative"),
                      Index("ix_visit_topic_topic", "topic", "visits"))


class VisitCorrection(db.Model):
    """An earlier figure replaced by a correction: what it was, what it became, who and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("visit_report.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    changed_by_label: Mapped[str] = mapped_column(String(200), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    old_total: Mapped[int]
    old_topics: Mapped[dict] = mapped_column(JSON, default=dict)
    new_total: Mapped[int]
    new_topics: Mapped[dict] = mapped_column(JSON, default=dict)

    report: Mapped[VisitReport] = relationship()


class VisitUpload(db.Model):
    """A validated visit upload (CSV or XLSX) waiting for its owner's confirmation; kept in the
    database so any app process can apply it, once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_rows: Mapped[list] = mapped_column(JSON, default=list)  # [{line, point_id, code, month, total, topics}]
    errors: Mapped[list] = mapped_column(JSON, default=list)      # [{line, message}]
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
