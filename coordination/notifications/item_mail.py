"""E-mail about an action item's events (assigned, a change of state, a new entry in its progress
log) to the people the in-app notice is for who want e-mail of that kind (EmailKind; all on unless
switched off). Registered with actions.services._notify, which sits below this feature. Reminders
are e-mailed by actions.reminders itself; a fan-out's grouped status line is e-mailed once a day,
when it is new, not once per municipality. The change records an intent and its recipients (who
want this kind of e-mail now) with one INSERT … SELECT, in its own transaction; `flask mail send`
builds each message in the user's language and delivers it (actions/intents.py)."""
from __future__ import annotations

from sqlalchemy import Select, select

from coordination import mail
from coordination.accounts.models import User
from coordination.actions import intents
from coordination.actions import services as actions
from coordination.actions.models import EmailKind, NotificationKind
from coordination.actions.preferences import wants_mail
from coordination.actions.reminders import absolute_url, item_path, plain_text
from coordination.notifications.services import item_text

KIND_OF = {NotificationKind.ASSIGNED: EmailKind.ASSIGNMENT, NotificationKind.STATUS_CHANGED: EmailKind.STATUS,
           NotificationKind.COMMENTED: EmailKind.COMMENTS}
INTENT = "item_notice"


@actions.on_notice
def send(kind: NotificationKind, recipients: Select, author, detail: str) -> None:
    """Queue one e-mail per (user, item) told whose user is active and wants this kind of e-mail."""
    email_kind = KIND_OF.get(kind)
    if email_kind is None:
        return
    told = recipients.subquery()
    wanting = (select(told.c.user_id, told.c.item_id, User.email).join(User, User.id == told.c.user_id)
               .where(User.active, wants_mail(email_kind)))
    mail.enqueue_intent(INTENT, {"kind": kind.value, "author": getattr(author, "name", "") or "",
                                 "detail": detail}, wanting)


@intents.builder(INTENT)
def build(data: dict, rows: list) -> dict:
    """The messages of one language (entered by the caller): the notice's text, the item, a link."""
    kind, detail = NotificationKind(data["kind"]), data["detail"]
    settings_url = absolute_url("notifications.settings")
    messages = {}
    for row_id, user, item in rows:
        text = item_text(kind, item, detail)
        body = plain_text("mail/item_notice.txt", user=user, text=text, item=item, author=data["author"],
                          note=detail if kind == NotificationKind.COMMENTED else "",
                          url=absolute_url(item_path(item.id)), settings_url=settings_url)
        messages[row_id] = mail.build(user.email, text[:200], body, language=intents.language_of(user))
    return messages
