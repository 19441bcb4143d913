"""The month and agenda views of the meetings a user may see: dates and queries, no Flask.

Weeks start on Monday (as in Slovenia). A meeting belongs to the day it starts on in Ljubljana."""
from __future__ import annotations

import calendar as cal
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.meetings.permissions import visible_clause
from coordination.types import LJUBLJANA

AGENDA_SIZE = 40


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None, default: date) -> Month | None:
        """'2026-12' -> Month; None for anything else than a month between 1900 and 2999."""
        if not text:
            return cls(default.year, default.month)
        try:
            year, month = (int(part) for part in text.split("-", 1))
        except ValueError:
            return None
        return cls(year, month) if 1900 <= year <= 2999 and 1 <= month <= 12 else None

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shifted(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def weeks(self) -> list[list[date]]:
        """The month's weeks, Monday to Sunday, including the neighbouring months' days that fill them."""
        return cal.Calendar(firstweekday=0).monthdatescalendar(self.year, self.month)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LJUBLJANA)


def meetings_between(user, first: date, last: date) -> dict[date, list[Meeting]]:
    """The meetings the user may view that start on the days first..last, by day, in time order (one query,
    whatever the month holds: the group comes joined)."""
    rows = db.session.scalars(
        select(Meeting).where(visible_clause(user), Meeting.starts_at >= _start_of(first),
                              Meeting.starts_at < _start_of(last + timedelta(days=1)))
        .order_by(Meeting.starts_at, Meeting.id))
    days: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in rows:
        days[meeting.starts_at.astimezone(LJUBLJANA).date()].append(meeting)
    return days


def agenda(user, start: date, size: int = AGENDA_SIZE) -> tuple[list[tuple[date, list[Meeting]]], date | None]:
    """The next `size` meetings from `start` on, grouped by day, and the day to continue from (or None)."""
    rows = list(db.session.scalars(
        select(Meeting).where(visible_clause(user), Meeting.starts_at >= _start_of(start))
        .order_by(Meeting.starts_at, Meeting.id).limit(size + 1)))
    more = rows[size].starts_at.astimezone(LJUBLJANA).date() if len(rows) > size else None
    days: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in rows[:size]:
        days[meeting.starts_at.astimezone(LJUBLJANA).date()].append(meeting)
    if more is not None and more in days and len(days) > 1:
        # do not split a day across two pages: the next page starts with that whole day
        del days[more]
    return sorted(days.items()), more
