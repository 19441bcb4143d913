"""Login throttling kept in the database, so it holds across any number of app processes.

After LOGIN_SLOW_AFTER attempts on a key the next one must wait 2, 4, 8… seconds; after
LOGIN_LOCK_AFTER the key is locked for LOGIN_LOCK_MINUTES (the *_PER_ADDRESS settings apply to the
client address). Keys are the e-mail address and the client address; attempts older than
LOGIN_WINDOW_MINUTES are forgotten.

An attempt is counted before its password is checked, and the decision is taken after counting:
one `INSERT … ON CONFLICT (key) DO UPDATE … WHERE <not waiting> RETURNING` per key (the same
statement on SQLite and PostgreSQL). The database serialises the statements on one key, so of 16
simultaneous attempts each sees the count the ones before it left; an attempt that finds the key
waiting changes nothing and gets no row back. A successful sign-in then clears the e-mail's count
and gives the address its attempt back, so `failures` counts the attempts that did not succeed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from coordination.accounts.models import LoginAttempt
from coordination.extensions import db
from coordination.types import UTCDateTime, utcnow

MAX_DELAY_STEPS = 10  # the delay stops doubling at 2**10 s


@dataclass
class Verdict:
    allowed: bool
    wait_seconds: int = 0
    locked: bool = False


def _keys(email: str, address: str | None, prefix: str = "") -> dict[str, tuple[int, int]]:
    """key -> (slow after, lock after); an address is shared by a whole office, so it gets more room.
    The address comes first: it is counted before the e-mail. A prefix keeps another kind of request
    (e.g. "reset:" for password-reset links) on counts of its own."""
    cfg = current_app.config
    keys = {}
    if address:
        keys[f"{prefix}addr:{address}"] = (cfg["LOGIN_SLOW_AFTER_PER_ADDRESS"], cfg["LOGIN_LOCK_AFTER_PER_ADDRESS"])
    keys[f"{prefix}email:{email.strip().lower()}"] = (cfg["LOGIN_SLOW_AFTER"], cfg["LOGIN_LOCK_AFTER"])
    return keys


def _delay(failures: int, slow_after: int) -> int:
    """Seconds the next attempt waits after `failures` attempts (0 below the threshold)."""
    if failures < slow_after:
        return 0
    return 2 ** min(failures - slow_after + 1, MAX_DELAY_STEPS)


def _at(moment: datetime):
    return literal(moment, UTCDateTime())


def _count(key: str, slow_after: int, lock_after: int, now: datetime) -> bool:
    """Count an attempt on `key` unless the key is waiting (locked, or slowed down since its last
    attempt); True if it was counted. One atomic statement."""
    table = LoginAttempt.__table__
    cfg = current_app.config
    window_start = now - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    lock_end = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    # the last attempt must be older than this for the next one to go ahead, by the count so far
    ready_before = case({n: _at(now - timedelta(seconds=_delay(n, slow_after)))
                         for n in range(slow_after, slow_after + MAX_DELAY_STEPS)},
                        value=table.c.failures, else_=_at(now - timedelta(seconds=2 ** MAX_DELAY_STEPS)))
    waiting = or_(and_(table.c.locked_until.is_not(None), table.c.locked_until > _at(now)),
                  and_(table.c.failures >= slow_after, table.c.last_failure_at > _at(window_start),
                       table.c.last_failure_at > ready_before))
    forgotten = table.c.last_failure_at <= _at(window_start)
    counted = case((forgotten, 1), else_=table.c.failures + 1)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(
        key=key, failures=1, first_failure_at=now, last_failure_at=now,
        locked_until=lock_end if lock_after <= 1 else None)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key], where=~waiting,
        set_={"failures": counted,
              "first_failure_at": case((forgotten, _at(now)), else_=table.c.first_failure_at),
              "last_failure_at": _at(now),
              "locked_until": case((counted >= lock_after, _at(lock_end)), else_=null())})
    return db.session.execute(statement.returning(table.c.failures)).first() is not None


def _waiting(key: str, slow_after: int, now: datetime) -> Verdict:
    """Why and how long a key that refused an attempt keeps waiting (for the message)."""
    attempt = db.session.scalar(select(LoginAttempt).where(LoginAttempt.key == key))
    if attempt is None:  # cleared by a success in the meantime
        return Verdict(allowed=False, wait_seconds=1)
    if attempt.locked_until and attempt.locked_until > now:
        return Verdict(allowed=False, wait_seconds=int((attempt.locked_until - now).total_seconds()) + 1, locked=True)
    ready = attempt.last_failure_at + timedelta(seconds=_delay(attempt.failures, slow_after))
    return Verdict(allowed=False, wait_seconds=max(1, int((ready - now).total_seconds()) + 1))


def admit(email: str, address: str | None, prefix: str = "") -> Verdict:
    """Count this attempt on every key, then decide: allowed only if no key was waiting. A refused
    attempt leaves no count behind (a key counted before the refusing one gets it back)."""
    now = utcnow()
    counted = []
    for key, (slow_after, lock_after) in _keys(email, address, prefix).items():
        if not _count(key, slow_after, lock_after, now):
            _give_back(counted)
            return _waiting(key, slow_after, now)
        counted.append(key)
    return Verdict(allowed=True)


def _give_back(keys: list[str]) -> None:
    """Uncount one attempt on each key; a key left with nothing to remember goes."""
    if keys:
        db.session.execute(update(LoginAttempt).where(LoginAttempt.key.in_(keys), LoginAttempt.failures > 0)
                           .values(failures=LoginAttempt.failures - 1))
        db.session.execute(delete(LoginAttempt).where(
            LoginAttempt.key.in_(keys), LoginAttempt.failures <= 0,
            or_(LoginAttempt.locked_until.is_(None), LoginAttempt.locked_until <= utcnow())))


def succeeded(email: str, address: str | None) -> None:
    """A right password: the e-mail's count is cleared, the address gets this attempt back."""
    keys = _keys(email, address)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.key == f"email:{email.strip().lower()}"))
    _give_back([key for key in keys if key.startswith("addr:")])
