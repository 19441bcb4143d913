"""Telling the participants what happens to the minutes (meetings.events): when they are circulated,
commented, approved or revised. Everyone concerned gets an in-app notification (a MESSAGE with the
link to the minutes); those who want e-mail about minutes (EmailKind.MINUTES, on unless switched off
in the e-mail settings) also get an e-mail."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert

from coordination import mail
from coordination.actions.models import EmailKind, Notification, NotificationKind
from coordination.actions.preferences import opted_out
from coordination.actions.reminders import absolute_url, language_of, plain_text
from coordination.extensions import db
from coordination.groups.models import GroupRole
from coordination.meetings import events
from coordination.meetings import permissions as meeting_perm
from coordination.types import today, utcnow

RUNNERS = {GroupRole.CHAIR, GroupRole.SECRETARY}


def recipients(event: events.MinutesEvent) -> list:
    """The meeting's named participants and its group's chair and secretary, who may see what the
    event is about, active, never the one who took the step."""
    meeting, actor_id = event.meeting, getattr(event.actor, "id", None)
    people = {p.user.id: p.user for p in meeting.participants if p.user is not None}
    if meeting.group is not None:
        on = today()
        people.update({m.user.id: m.user for m in meeting.group.memberships
                       if m.user is not None and m.role in RUNNERS and m.current(on)})
    allowed = (lambda user: meeting_perm.can_view_item(user, event.item)) if event.item is not None else (
        lambda user: meeting_perm.can_view(user, meeting))
    return [user for user_id, user in sorted(people.items())
            if user_id != actor_id and user.active and allowed(user)]


def wording(event: events.MinutesEvent) -> str:
    """The sentence of a notice, in the current language."""
    title = event.meeting.title
    if event.kind == events.CIRCULATED:
        return _("The minutes of “%(meeting)s” are circulated for review: you can comment on them.", meeting=title)
    if event.kind == events.COMMENTED:
        return _("%(name)s commented on the minutes of “%(meeting)s”, item “%(item)s”.",
                 name=getattr(event.actor, "name", "") or _("a former user"), meeting=title, item=event.item.title)
    if event.kind == events.APPROVED:
        return _("The minutes of “%(meeting)s” have been approved.", meeting=title)
    return _("The approved minutes of “%(meeting)s” have been revised (version %(number)d, item “%(item)s”): "
             "%(reason)s", meeting=title, number=event.version or 0, item=event.item.title, reason=event.reason or "")


def link(event: events.MinutesEvent) -> str:
    """The minutes' page: the item's minutes and comments for a comment or a revision, else the meeting."""
    adapter = current_app.url_map.bind("localhost")  # a path, also outside a request (CLI, demo)
    if event.item is not None:
        return adapter.build("minutes.comments", {"meeting_id": event.meeting.id, "item_id": event.item.id})
    return adapter.build("meetings.detail", {"meeting_id": event.meeting.id})


@events.listen
def notify(event: events.MinutesEvent) -> int:
    """In-app notices for everyone concerned, e-mail for those who want it about minutes; a mail problem
    is logged, the notices stay."""
    people = recipients(event)
    if not people:
        return 0
    path, actor = link(event), (getattr(event.actor, "name", "") or "")[:200]
    no_mail = opted_out((user.id for user in people), EmailKind.MINUTES)
    rows, messages = [], []
    for user in people:
        with force_locale(language_of(user)):
            text = wording(event)
            rows.append({"user_id": user.id, "kind": NotificationKind.MESSAGE, "link": path, "detail": text[:300],
                         "actor_label": actor, "created_at": utcnow()})
            if user.id not in no_mail:
                body = plain_text("mail/minutes.txt", user=user, text=text, meeting=event.meeting,
                                  url=absolute_url(path), settings_url=absolute_url("notifications.settings"))
                messages.append(mail.build(user.email, text[:200], body, language=language_of(user)))
    db.session.execute(insert(Notification), rows)
    mail.enqueue(messages)  # sent by `flask mail send`, only if this change commits
    return len(people)


