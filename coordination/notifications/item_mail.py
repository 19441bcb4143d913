"""E-mail about an action item's events (assigned, a change of state, a new entry in its progress
log) to the people the in-app notice is for who want e-mail of that kind (EmailKind; all on unless
switched off). Registered with actions.services._notify, which sits below this feature. Reminders
are e-mailed by actions.reminders itself; a fan-out's grouped status line is e-mailed once a day,
when it is new, not once per municipality. The messages are queued with the change that caused them."""
from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from coordination import mail
from coordination.accounts.models import User
from coordination.actions import services as actions
from coordination.actions.models import EmailKind, NotificationKind
from coordination.actions.preferences import wants_mail
from coordination.actions.reminders import absolute_url, item_path, language_of, plain_text
from coordination.extensions import db
from coordination.notifications.services import item_text

KIND_OF = {NotificationKind.ASSIGNED: EmailKind.ASSIGNMENT, NotificationKind.STATUS_CHANGED: EmailKind.STATUS,
           NotificationKind.COMMENTED: EmailKind.COMMENTS}


@actions.on_notice
def send(kind: NotificationKind, rows: list, author, detail: str) -> int:
    """One e-mail per (user, item) told, each in the user's language; returns how many were built."""
    email_kind = KIND_OF.get(kind)
    if email_kind is None:
        return 0
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({user_id for user_id, _item in rows}), User.active, wants_mail(email_kind)))}
    messages = []
    for user_id, item in rows:
        user = users.get(user_id)
        if user is None:
            continue
        with force_locale(language_of(user)):
            text = item_text(kind, item, detail)
            body = plain_text("mail/item_notice.txt", user=user, text=text, item=item,
                              author=getattr(author, "name", "") or "",
                              note=detail if kind == NotificationKind.COMMENTED else "",
                              url=absolute_url(item_path(item.id)), settings_url=absolute_url("notifications.settings"))
            messages.append(mail.build(user.email, text[:200], body, language=language_of(user)))
    return mail.enqueue(messages)  # in the change's transaction; `flask mail send` delivers and retries
