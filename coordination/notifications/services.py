"""A user's in-app notifications: counting, listing and reading them, what each says, and the
daily digest switch. The notifications themselves are written by the changes they report
(actions.services, actions.reminders)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update

from coordination.accounts.models import User
from coordination.actions.models import STATUS_LABELS, ItemStatus, Notification, NotificationKind
from coordination.extensions import db
from coordination.types import utcnow


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


def notification_text(notification: Notification) -> str:
    """What a notification says, by its kind, in the current language."""
    if notification.kind == NotificationKind.MESSAGE:  # another feature's notice, worded in the recipient's language
        return notification.detail
    title = notification.item.title if notification.item is not None else "…"
    kind = notification.kind
    if kind == NotificationKind.ASSIGNED:
        return _("You have been assigned the action item “%(title)s”", title=title)
    if kind == NotificationKind.STATUS_CHANGED:
        try:
            status = str(STATUS_LABELS[ItemStatus(notification.detail)])
        except ValueError:
            status = notification.detail
        return _("The status of the action item “%(title)s” has been changed to %(status)s", title=title,
                 status=status)
    if kind == NotificationKind.COMMENTED:
        return _("New entry on the action item “%(title)s”", title=title)
    return _("Reminder: %(title)s", title=title)


def set_digest(user: User, enabled: bool) -> None:
    """Turn the daily digest on or off (audited by the User model's hook)."""
    user.digest_enabled = bool(enabled)
    db.session.flush()
