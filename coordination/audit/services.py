"""Writing the audit log.

Every flush is inspected: each created, changed or deleted object of a model marked `__audit__`
gets an entry with the columns before and after, written on the same connection and in the same
transaction as the change itself, so a change and its record stand or fall together. Services can
add entries for changes that are not one row (e.g. memberships) with `record()`.
"""
from __future__ import annotations

import contextvars
import enum
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from coordination.audit.models import SIGN_IN, AuditEntry
from coordination.extensions import db
from coordination.types import utcnow

# the mask shown instead of secret values
SECRET = "•••"  # noqa: S105  # nosec B105
_acting: contextvars.ContextVar[tuple[int | None, str] | None] = contextvars.ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(label: str, user=None):
    """Name the actor where no signed-in user is: CLI commands, scheduled jobs, the sign-in itself."""
    token = _acting.set((user.id if user else None, label))
    try:
        yield
    finally:
        _acting.reset(token)


def user_label(user) -> str:
    return f"{user.name} <{user.email}>"


def _actor() -> tuple[int | None, str, str | None]:
    address = request.remote_addr if has_request_context() else None
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, user_label(current_user), address
    acting = _acting.get()
    if acting:
        return acting[0], acting[1], address
    return None, "anonymous" if has_request_context() else "system", address


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):  # amounts (e.g. a point's monthly cost) keep their digits as text
        return str(value)
    return value


def _columns(obj):
    mapper = inspect(obj).mapper
    return [attr for attr in mapper.column_attrs]


def _label(obj) -> str:
    return str(obj)[:300]


def _snapshot(obj, secret) -> dict:
    return {
        attr.key: (SECRET if attr.key in secret else _plain(getattr(obj, attr.key)))
        for attr in _columns(obj)
    }


def _diff(obj, secret) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in _columns(obj):
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        before = hist.deleted[0] if hist.deleted else None
        after = hist.added[0] if hist.added else None
        if _plain(before) == _plain(after):
            continue
        if attr.key in secret:
            before, after = SECRET, SECRET
        changes[attr.key] = [_plain(before), _plain(after)]
    return changes


def _row(action, obj, changes):
    actor_id, actor_label, address = _actor()
    identity = inspect(obj).mapper.primary_key_from_instance(obj)  # set even before the flush ends
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "actor_label": actor_label[:200],
        "action": action,
        "entity_type": type(obj).__name__,
        "entity_id": "-".join(str(i) for i in identity) if all(i is not None for i in identity) else None,
        "entity_label": _label(obj),
        "changes": changes,
        "address": address,
    }


def _audited(obj) -> bool:
    return getattr(type(obj), "__audit__", False)


def _update_action(obj, changes) -> str:
    """A change of nothing but the model's sign-in stamp is a sign-in: the log keeps those apart."""
    stamp = getattr(type(obj), "__audit_sign_in__", None)
    return SIGN_IN if stamp and set(changes) == {stamp} else "update"


@event.listens_for(Session, "after_flush")
def _write_entries(session, flush_context):
    rows = []
    for obj in session.new:
        if _audited(obj):
            secret = getattr(obj, "__audit_secret__", frozenset())
            snap = _snapshot(obj, secret)
            rows.append(_row("create", obj, {k: [None, v] for k, v in snap.items() if v is not None}))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _diff(obj, getattr(obj, "__audit_secret__", frozenset()))
            if changes:
                rows.append(_row(_update_action(obj, changes), obj, changes))
    for obj in session.deleted:
        if _audited(obj):
            snap = _snapshot(obj, getattr(obj, "__audit_secret__", frozenset()))
            rows.append(_row("delete", obj, {k: [v, None] for k, v in snap.items() if v is not None}))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def record(action: str, entity_type: str, entity_id, label: str, changes: dict) -> None:
    """Add an entry for a change that is not a single audited row (e.g. a membership list)."""
    actor_id, actor_label, address = _actor()
    db.session.add(AuditEntry(
        actor_id=actor_id, actor_label=actor_label[:200], action=action, entity_type=entity_type,
        entity_id=str(entity_id), entity_label=label[:300], changes=changes, address=address,
    ))
