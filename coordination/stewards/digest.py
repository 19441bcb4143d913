"""The data-steward part of the daily digest: a municipality's officials hear when their steward's
appointment ends within 30 days or has ended without a successor. `extend()` is registered with the
digest (actions/reminders.py), which sits below this feature; everything about stewards is here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from coordination.accounts.models import User
from coordination.actions.reminders import add_digest_section
from coordination.extensions import db
from coordination.roles import Role
from coordination.stewards import queries


@dataclass(frozen=True)
class StewardAlert:
    org_id: int
    municipality: str
    ending_on: date | None
    lapsed_on: date | None


def alerts(day: date) -> dict[int, StewardAlert]:
    """Flagged municipalities by id (three queries, however many there are)."""
    return {m.id: StewardAlert(m.id, m.name, m.ending_on, m.lapsed_on) for m in queries.flagged_municipalities(day)}


@add_digest_section
def extend(digests: list, day: date, make_digest) -> list:
    """Add each active municipal official's alert to their digest, making a digest for those who
    have no due items (`make_digest(user)` builds an empty one). One query for the users."""
    found = alerts(day)
    if not found:
        return digests
    by_user = {d.user.id: d for d in digests}
    users = db.session.scalars(select(User).where(
        User.active, User.digest_enabled, User.role == Role.MUNICIPAL, User.organisation_id.in_(list(found)))
        .order_by(User.id))
    for user in users:
        digest = by_user.get(user.id)
        if digest is None:
            digest = by_user[user.id] = make_digest(user)
            digests.append(digest)
        digest.stewards.append(found[user.organisation_id])
    return digests
