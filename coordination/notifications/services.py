"""A user's in-app notifications: counting, listing and reading them, what each says, and the
e-mail settings (a switch per kind of event, and the daily digest). The notifications themselves are written by the changes they report
(actions.services, actions.reminders)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, delete, func, select, update

from coordination.accounts.models import User
from coordination.actions.models import (
    STATUS_LABELS,
    EmailKind,
    EmailOptOut,
    ItemStatus,
    Notification,
    NotificationKind,
)
from coordination.actions.preferences import kinds_off
from coordination.audit.services import record
from coordination.extensions import db
from coordination.types import today, utcnow


def unread_count(user) -> int:
    """One COUNT on ix_notification_user_unread."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def notifications_query(user):
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id.desc()))


def own_notification(user, notification_id: int) -> Notification | None:
    """The user's notification, or None (also for somebody else's)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    return db.session.execute(update(Notification).where(
        and_(Notification.user_id == user.id, Notification.read_at.is_(None))).values(read_at=utcnow())).rowcount


def _label(status: str) -> str:
    try:
        return str(STATUS_LABELS[ItemStatus(status)])
    except ValueError:
        return status


def notification_text(notification: Notification) -> str:
    """What a notification says, by its kind, in the current language: the organisation and the item
    ("Kamnik: naloga „…“ je opravljena"); a fan-out's grouped status changes by their count."""
    if notification.kind == NotificationKind.MESSAGE:  # another feature's notice, worded in the recipient's language
        return notification.detail
    if notification.kind == NotificationKind.STATUS_CHANGED and notification.count > 1:
        title = notification.item.title if notification.item is not None else "…"
        return grouped_text(notification.count, title, notification.detail, today_=_is_today(notification))
    return item_text(notification.kind, notification.item, notification.detail)


def item_text(kind: NotificationKind, item, detail: str) -> str:
    """One event on one item, naming its organisation (also an e-mail's subject)."""
    title = item.title if item is not None else "…"
    org = item.assignee_org.name if item is not None else "…"
    if kind == NotificationKind.ASSIGNED:
        return _("%(org)s: new action item “%(title)s” assigned to you", org=org, title=title)
    if kind == NotificationKind.STATUS_CHANGED:
        return _("%(org)s: action item “%(title)s” is %(status)s", org=org, title=title, status=_label(detail).lower())
    if kind == NotificationKind.COMMENTED:
        return _("%(org)s: new entry on the action item “%(title)s”", org=org, title=title)
    return _("%(org)s: reminder of the action item “%(title)s”", org=org, title=title)


def _is_today(notification: Notification) -> bool:
    return bool(notification.group_key) and notification.group_key.endswith(today().isoformat())


def grouped_text(count: int, title: str, status: str, *, today_: bool) -> str:
    """Status changes of one fan-out on one day, by the number of municipalities (Slovenian has four
    plural forms: 1 občina je opravila, 2 občini sta opravili, 3 občine so opravile, 5 občin je opravilo)."""
    if status == ItemStatus.DONE:
        if today_:
            return ngettext("%(num)d municipality completed the action item “%(title)s” today",
                            "%(num)d municipalities completed the action item “%(title)s” today", count, title=title)
        return ngettext("%(num)d municipality completed the action item “%(title)s”",
                        "%(num)d municipalities completed the action item “%(title)s”", count, title=title)
    if today_:
        return ngettext("%(num)d municipality changed the state of the action item “%(title)s” to %(status)s today",
                        "%(num)d municipalities changed the state of the action item “%(title)s” to %(status)s today",
                        count, title=title, status=_label(status))
    return ngettext("%(num)d municipality changed the state of the action item “%(title)s” to %(status)s",
                    "%(num)d municipalities changed the state of the action item “%(title)s” to %(status)s",
                    count, title=title, status=_label(status))


def set_digest(user: User, enabled: bool) -> None:
    """Turn the daily digest on or off (audited by the User model's hook)."""
    user.digest_enabled = bool(enabled)
    db.session.flush()


def preferences(user: User) -> dict[str, bool]:
    """The user's e-mail settings: every kind, and the daily digest."""
    off = kinds_off(user)
    return {**{kind.value: kind not in off for kind in EmailKind}, "digest": bool(user.digest_enabled)}


def set_preferences(user: User, wanted: dict[str, bool]) -> dict[str, list[bool]]:
    """Store the settings: an opt-out row per kind switched off, the digest on the user. One audit
    entry names what changed (the digest's change is also in the account's own entry). Returns the changes."""
    before = preferences(user)
    after = {key: bool(wanted.get(key, before[key])) for key in before}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if not changes:
        return {}
    for kind in EmailKind:
        if kind.value not in changes:
            continue
        if after[kind.value]:
            db.session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == user.id, EmailOptOut.kind == kind))
        else:
            db.session.add(EmailOptOut(user_id=user.id, kind=kind))
    if "digest" in changes:
        user.digest_enabled = after["digest"]
    record("update", "EmailPreferences", user.id, user.name, changes)
    db.session.flush()
    return changes
