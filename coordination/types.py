"""Column types shared by the models, and the clock every feature reads."""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator

LJUBLJANA = ZoneInfo("Europe/Ljubljana")


# set only by clock_at(): (the moment it answers, the real time it was set)
_clock: ContextVar[tuple[datetime, datetime] | None] = ContextVar("clock", default=None)


def utcnow() -> datetime:
    """Now, in UTC; inside `clock_at(moment)`, that moment plus the real time since it was set."""
    override = _clock.get()
    if override is None:
        return datetime.now(UTC)
    moment, set_at = override
    return moment + (datetime.now(UTC) - set_at)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were `moment`: every created_at, approval, status change and audit
    entry written through utcnow() (and every today()) carries that time. Only the demo loader uses
    it, so that the records of a meeting held in 2022 are dated in 2022 and not on the day the demo
    was loaded. The clock keeps running from `moment`, so records keep the order they were made in.
    """
    if moment.tzinfo is None:
        raise ValueError("clock_at() needs a timezone-aware moment")
    token = _clock.set((moment.astimezone(UTC), datetime.now(UTC)))
    try:
        yield
    finally:
        _clock.reset(token)


def today() -> date:
    """The calendar date in Slovenia, which is what due dates and validity periods mean."""
    return utcnow().astimezone(LJUBLJANA).date()


def enum_column(enum_cls, length=24):
    """Store enum values as plain strings: identical on SQLite and PostgreSQL, easy to extend."""
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite forgets the zone, so we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
