"""Login throttling kept in the database, so it holds across any number of app processes.

After LOGIN_SLOW_AFTER failures for a key the next attempt must wait 2, 4, 8… seconds; after
LOGIN_LOCK_AFTER failures the key is locked for LOGIN_LOCK_MINUTES (the *_PER_ADDRESS settings
apply to the client address). Keys are the e-mail address
and the client address; a success clears the e-mail key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from coordination.accounts.models import LoginAttempt
from coordination.extensions import db
from coordination.types import utcnow
from coordination.web.transaction import commit_early


@dataclass
class Verdict:
    allowed: bool
    wait_seconds: int = 0
    locked: bool = False


def _keys(email: str, address: str | None) -> dict[str, tuple[int, int]]:
    """key -> (slow after, lock after); an address is shared by a whole office, so it gets more room."""
    cfg = current_app.config
    keys = {f"email:{email.strip().lower()}": (cfg["LOGIN_SLOW_AFTER"], cfg["LOGIN_LOCK_AFTER"])}
    if address:
        keys[f"addr:{address}"] = (cfg["LOGIN_SLOW_AFTER_PER_ADDRESS"], cfg["LOGIN_LOCK_AFTER_PER_ADDRESS"])
    return keys


def _fresh(attempt: LoginAttempt, now) -> bool:
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    return attempt.last_failure_at + window > now


def check(email: str, address: str | None) -> Verdict:
    """May this attempt be tried now? Looks only; records nothing."""
    now = utcnow()
    keys = _keys(email, address)
    worst = Verdict(allowed=True)
    for attempt in db.session.scalars(select(LoginAttempt).where(LoginAttempt.key.in_(keys))):
        if attempt.locked_until and attempt.locked_until > now:
            wait = int((attempt.locked_until - now).total_seconds()) + 1
            return Verdict(allowed=False, wait_seconds=wait, locked=True)
        slow_after = keys[attempt.key][0]
        if not _fresh(attempt, now) or attempt.failures < slow_after:
            continue
        delay = 2 ** min(attempt.failures - slow_after + 1, 10)
        ready = attempt.last_failure_at + timedelta(seconds=delay)
        if ready > now:
            wait = int((ready - now).total_seconds()) + 1
            if wait > worst.wait_seconds:
                worst = Verdict(allowed=False, wait_seconds=wait)
    return worst


def record_failure(email: str, address: str | None) -> None:
    now = utcnow()
    lock_for = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    for key, (_, lock_after) in _keys(email, address).items():
        attempt = db.session.scalar(select(LoginAttempt).where(LoginAttempt.key == key))
        if attempt is None:
            attempt = LoginAttempt(key=key, failures=0, first_failure_at=now)
            db.session.add(attempt)
        elif not _fresh(attempt, now) and not (attempt.locked_until and attempt.locked_until > now):
            attempt.failures, attempt.first_failure_at, attempt.locked_until = 0, now, None
        attempt.failures += 1
        attempt.last_failure_at = now
        if attempt.failures >= lock_after:
            attempt.locked_until = now + lock_for
    commit_early("a failed sign-in must count although its request answers 401 and is rolled back")


def clear(email: str) -> None:
    key = f"email:{email.strip().lower()}"
    attempt = db.session.scalar(select(LoginAttempt).where(LoginAttempt.key == key))
    if attempt is not None:
        db.session.delete(attempt)
