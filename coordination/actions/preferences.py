"""Who wants e-mail about which kind of event (EmailKind). Every place that e-mails a user about an
event asks here; the daily digest is the User.digest_enabled switch. Invitations and password
resets are not optional and never ask. Lives with the notifications' models in actions, below every
feature that sends such e-mail (actions.reminders, notifications, points)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select

from coordination.accounts.models import User
from coordination.actions.models import EmailKind, EmailOptOut
from coordination.extensions import db


def opted_out(user_ids: Iterable[int], kind: EmailKind) -> set[int]:
    """The users among `user_ids` who do not want e-mail of this kind (one query)."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    return set(db.session.scalars(select(EmailOptOut.user_id).where(
        EmailOptOut.kind == kind, EmailOptOut.user_id.in_(ids))))


def wanting(users: Iterable, kind: EmailKind) -> list:
    """The users (active) who want e-mail of this kind, in the order given."""
    users = [u for u in users if u.active]
    out = opted_out((u.id for u in users), kind)
    return [u for u in users if u.id not in out]


def wants_mail(kind: EmailKind):
    """A WHERE clause on User for queries: the user has not switched this kind off."""
    return ~exists().where(EmailOptOut.user_id == User.id, EmailOptOut.kind == kind)


def kinds_off(user) -> set[EmailKind]:
    return set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id)))
