"""Column types shared by the models, and the clock every feature reads."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator

LJUBLJANA = ZoneInfo("Europe/Ljubljana")


def utcnow() -> datetime:
    return datetime.now(UTC)


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
