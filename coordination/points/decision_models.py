"""A network decision: one adopted run of the closure model (coordination/points/network.py).

It keeps everything needed to read the decision later without recomputing it: the rules as
entered, the decision date and the analysis window, every point's verdict with its reasons (codes
and numbers, worded in the reader's language when shown), the figures and the per-region totals.
`fingerprint` identifies the network the proposal was computed from (points open on the date,
their visits in the window, the rules): unique per programme, so the same proposal cannot be
adopted twice, and a proposal whose network has changed since is recognised as stale.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.points.models import Programme
from coordination.types import UTCDateTime, utcnow


class NetworkDecision(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    decided_on: Mapped[date] = mapped_column(Date)      # the points close on this date
    window_from: Mapped[date] = mapped_column(Date)     # first month of the analysis window
    window_to: Mapped[date] = mapped_column(Date)       # last month of the analysis window
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)  # the form's values (analysis_forms.params)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)     # status, objective, bound, gap, times, cost
    regions: Mapped[list] = mapped_column(JSON, default=list)     # network.RegionTotals as dicts
    points: Mapped[list] = mapped_column(JSON, default=list)      # every point's row (analysis.point_rows)
    points_before: Mapped[int]
    closed_count: Mapped[int]
    lost_monthly: Mapped[float]
    lost_window: Mapped[float]
    fingerprint: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    adopted_by_label: Mapped[str] = mapped_column(String(200), default="")
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship()
    adopted_by = relationship("User")

    __table_args__ = (
        UniqueConstraint("programme_id", "fingerprint", name="uq_network_decision_fingerprint"),
        CheckConstraint("window_from <= window_to", name="window_in_order"),
        CheckConstraint("closed_count >= 0 AND closed_count <= points_before", name="closed_within_points"),
    )

    @property
    def points_after(self) -> int:
        return self.points_before - self.closed_count

    def __str__(self):
        return f"{self.decided_on.isoformat()}: {self.closed_count}/{self.points_before}"
