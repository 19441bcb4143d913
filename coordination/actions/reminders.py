"""Reminders and in-app notifications.

* `send_digests()` (run daily by `flask reminders send` from a scheduler, never inside the web
  process): one e-mail per user with their items overdue or due within N days.
* `remind_fanout()` (the status matrix's "remind" button): an in-app notification and an e-mail
  to the municipalities of a fan-out that are not done.
* reading and marking in-app notifications, and the digest switch.

Never twice a day. Before anything is sent, the reminder is claimed by INSERTing a ReminderLog row
(user, topic, day) with INSERT … ON CONFLICT DO NOTHING … RETURNING: the unique constraint lets
exactly one run (or one of two processes at once) claim it, and the RETURNING rows say which claims
are ours. Claims are committed before the e-mails go out, so a second process sees them at once
and no database lock is held while talking to the mail server. A message that could not be
delivered has its claim deleted again, so a later run retries it. The price of that order: a
process killed between the commit and the send loses that day's digest (at most once, never twice).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from coordination import mail, types
from coordination.accounts.models import User
from coordination.actions import intents, services
from coordination.actions.intents import language_of  # noqa: F401  (used here, and imported from here)
from coordination.actions.models import (
    PENDING,
    STATUS_LABELS,
    ActionItem,
    EmailKind,
    FanOut,
    NotificationKind,
    ReminderLog,
)
from coordination.actions.preferences import wants_mail
from coordination.audit.services import record
from coordination.extensions import db, insert_on_conflict
from coordination.types import utcnow
from coordination.web.transaction import commit_early

DIGEST = "digest"
CLAIM_CHUNK = 500  # rows per INSERT, well under SQLite's limit on bound parameters


# --- links -----------------------------------------------------------------------------------

def item_path(item_id: int) -> str:
    """Where an item's page is (the item pages live at /naloge/<id>)."""
    return f"/naloge/{item_id}"


def absolute_url(endpoint_or_path: str, **values) -> str:
    """An address for e-mails: APP_BASE_URL plus a path or the URL of an endpoint (works without a
    request, e.g. in the CLI)."""
    base = current_app.config["APP_BASE_URL"].rstrip("/")
    if endpoint_or_path.startswith("/"):
        return base + endpoint_or_path
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint_or_path, values, force_external=True)


def plain_text(template: str, **context) -> str:
    """A text e-mail body: the template, with the blank lines its blocks leave reduced to one."""
    return re.sub(r"\n{3,}", "\n\n", render_template(template, **context)).strip() + "\n"


# --- claims ----------------------------------------------------------------------------------

def claim(user_items: dict[int, int], topic: str, day: date) -> set[int]:
    """Claim (user, topic, day) for each user; return the users whose claim is new (ours). Does not
    commit: the caller commits, which is what makes the claim visible to other processes."""
    claimed: set[int] = set()
    rows = [{"user_id": uid, "topic": topic, "day": day, "items": n, "sent_at": utcnow()}
            for uid, n in sorted(user_items.items())]
    for start in range(0, len(rows), CLAIM_CHUNK):
        statement = (insert_on_conflict(ReminderLog, db.session.get_bind()).values(rows[start:start + CLAIM_CHUNK])
                     .on_conflict_do_nothing(index_elements=["user_id", "topic", "day"])
                     .returning(ReminderLog.user_id))
        claimed.update(db.session.scalars(statement))
    return claimed


def commit_keeping_loaded(reason: str) -> None:
    """commit_early() without expiring the loaded objects (the messages are built from them
    afterwards; reloading each would cost a query per user and item)."""
    session = db.session()
    saved, session.expire_on_commit = session.expire_on_commit, False
    try:
        commit_early(reason)
    finally:
        session.expire_on_commit = saved


def release(user_ids, topic: str, day: date) -> None:
    """Give claims back (their message was not delivered), so a later run tries again."""
    ids = list(user_ids)
    if ids:
        db.session.execute(delete(ReminderLog).where(ReminderLog.user_id.in_(ids), ReminderLog.topic == topic,
                                                     ReminderLog.day == day))
        commit_early("a claim given back must stay given back whatever fails next, so a later run retries it")


# --- the daily digest ------------------------------------------------------------------------

@dataclass
class DigestSummary:
    sent: int = 0
    skipped: int = 0   # already sent today (by an earlier run or another process)
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Digest:
    user: User
    overdue: list[ActionItem]
    soon: list[ActionItem]
    stewards: list = field(default_factory=list)  # data-steward alerts (coordination/stewards/digest.py)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.soon) + len(self.stewards)


def due_items(days: int, today: date) -> list[ActionItem]:
    """Pending items overdue or due within `days`, soonest first (one query)."""
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.status.in_(PENDING), ActionItem.due_date.is_not(None),
                                 ActionItem.due_date <= today + timedelta(days=days))
        .order_by(ActionItem.due_date, ActionItem.id)))


def collect_digests(days: int, today: date) -> list[Digest]:
    """Every user's digest, in two queries: the due items, and the users they concern (active, with
    digests on): the item's person, or everybody of its organisation when it names no person."""
    items = due_items(days, today)
    if not items:
        return []
    by_person: dict[int, list[ActionItem]] = defaultdict(list)
    by_org: dict[int, list[ActionItem]] = defaultdict(list)
    for item in items:
        if item.assignee_user_id is not None:
            by_person[item.assignee_user_id].append(item)
        else:
            by_org[item.assignee_org_id].append(item)
    users = db.session.scalars(select(User).where(
        User.active, User.digest_enabled,
        or_(User.id.in_(list(by_person)), User.organisation_id.in_(list(by_org)))).order_by(User.id))
    digests = []
    for user in users:
        mine = sorted(by_person.get(user.id, []) + by_org.get(user.organisation_id, []),
                      key=lambda i: (i.due_date, i.id))
        if mine:
            digests.append(Digest(user, [i for i in mine if i.due_date < today],
                                  [i for i in mine if i.due_date >= today]))
    return digests


def digest_message(digest: Digest, days: int, today: date):
    user = digest.user
    lang = language_of(user)
    with force_locale(lang):
        context = {
            "user": user, "overdue": digest.overdue, "soon": digest.soon, "days": days, "today": today,
            "stewards": digest.stewards, "steward_url": lambda a: absolute_url("stewards.municipality", org_id=a.org_id),
            "status_labels": STATUS_LABELS, "item_url": lambda i: absolute_url(item_path(i.id)),
            "home_url": absolute_url("dashboard.index"), "settings_url": absolute_url("notifications.settings"),
            "notifications_url": absolute_url("notifications.index"),
        }
        subject = ngettext("%(num)d action item needs your attention",
                           "%(num)d action items need your attention", digest.count - len(digest.stewards))
        if digest.stewards and digest.count == len(digest.stewards):
            subject = _("Your data steward's appointment needs attention")
        if digest.overdue:
            subject += " · " + ngettext("%(num)d overdue", "%(num)d overdue", len(digest.overdue))
        return mail.build(user.email, subject, plain_text("mail/digest.txt", **context),
                          render_template("mail/digest.html", **context), language=lang)


# Features above this one add their part of the digest here (features only import downwards):
# extend(digests, today, make_empty_digest) -> digests
DIGEST_SECTIONS: list[Callable] = []


def add_digest_section(extend: Callable) -> Callable:
    DIGEST_SECTIONS.append(extend)
    return extend


def send_digests(days: int, today: date | None = None) -> DigestSummary:
    """One digest per user and day: claim, commit, send over one connection, release what failed."""
    today = today or types.today()
    summary = DigestSummary()
    digests = collect_digests(days, today)
    for extend in DIGEST_SECTIONS:  # other features' parts of the digest (e.g. the data stewards')
        digests = extend(digests, today, lambda user: Digest(user, [], []))
    commit_keeping_loaded("end the reading transaction, so the claim's starts with its write: on SQLite a "
                          "second process then waits for our commit instead of failing with 'database is locked'")
    if not digests:
        return summary
    ours = claim({d.user.id: d.count for d in digests}, DIGEST, today)
    commit_keeping_loaded("other processes must see the claims before any digest goes out")
    summary.skipped = len(digests) - len(ours)
    todo = [d for d in digests if d.user.id in ours]
    delivered: set[int] = set()
    try:
        # Sent here, not queued: this runs in the scheduled command, never in a request, so it blocks
        # nobody; the claims are already committed and a failure gives its claim back, so the next run
        # retries with the day's fresh content. The queue would be a second retry for the same digest.
        result = mail.send_batch([digest_message(d, days, today) for d in todo])
        delivered = {todo[i].user.id for i in result.sent}
        summary.sent = len(delivered)
        if result.error:
            summary.errors.append(result.error)
        summary.errors.extend(f"{todo[i].user.email}: {reason}" for i, reason in result.failed.items()
                              if reason != result.error)
    finally:  # whatever did not go out (a failure, or a bug while building) can be sent by a later run
        failed = [d.user.id for d in todo if d.user.id not in delivered]
        summary.failed = len(failed)
        release(failed, DIGEST, today)
    return summary


# --- reminders from a fan-out's status matrix -------------------------------------------------

def fanout_topic(fanout: FanOut) -> str:
    return f"fanout:{fanout.id}"


def remind_fanout(fanout: FanOut, sender: User, item_ids) -> int:
    """Remind the assignees of the given pending items of `fanout`: every active user of the
    municipality (or the item's person) gets an in-app notification and an e-mail. At most once per
    organisation, fan-out and day: the claim is keyed on the organisation's first user (lowest id)
    under topic 'fanout:<id>'. Returns the number of municipalities reminded now. The people are
    never loaded: the claim keys are one grouped query, the notices and the e-mails' recipients one
    INSERT … SELECT each (the e-mails are an intent, built by `flask mail send`). The claims, the
    notices and the intent commit together with the request: nothing goes out before it commits
    (a second process waits for the claim's row, then finds it taken), and a failed request gives
    the claims back with everything else."""
    wanted = {int(i) for i in item_ids}
    if not wanted:
        return 0
    today = types.today()
    items = list(db.session.scalars(select(ActionItem).where(
        ActionItem.fanout_id == fanout.id, ActionItem.id.in_(wanted), ActionItem.status.in_(PENDING))
        .order_by(ActionItem.id)))
    if not items:
        return 0
    targets = services.except_author(services.assignees_select(ActionItem.id.in_([i.id for i in items])), sender)
    told = targets.subquery()
    keys = dict(db.session.execute(select(told.c.item_id, func.min(told.c.user_id)).group_by(told.c.item_id)).all())
    if not keys:
        return 0
    ours = claim({key: 1 for key in keys.values()}, fanout_topic(fanout), today)
    reminded = [item for item in items if keys.get(item.id) in ours]
    if not reminded:
        return 0
    recipients = services.assignees_select(ActionItem.id.in_([i.id for i in reminded]))
    services.notify_all(recipients, NotificationKind.REMINDER, sender, fanout.title)
    record("update", "FanOut", fanout.id, str(fanout),
           {"reminded": [None, len(reminded)], "reminded_by": [None, sender.name],
            "municipalities": [None, sorted(i.assignee_org.name for i in reminded)]})
    _mail_reminders(fanout, sender, services.except_author(recipients, sender))
    return len(reminded)


REMINDER = "reminder"


def _mail_reminders(fanout: FanOut, sender: User, recipients) -> None:
    """The e-mails of a matrix reminder, queued in the reminder's transaction as an intent: the
    request never builds nor waits for a mail server, and `flask mail send` builds, delivers and
    retries (the reminder stays claimed). To those who want e-mail about their assigned items."""
    told = recipients.subquery()
    wanting = (select(told.c.user_id, told.c.item_id, User.email).join(User, User.id == told.c.user_id)
               .where(User.active, wants_mail(EmailKind.ASSIGNMENT)))
    mail.enqueue_intent(REMINDER, {"fanout": fanout.id, "sender": sender.id}, wanting)


@intents.builder(REMINDER)
def _build_reminders(data: dict, rows: list) -> dict:
    """The reminders of one language (entered by the caller): the item as it is now, who reminds."""
    sender = db.session.get(User, data["sender"])
    if sender is None:
        raise LookupError("the account that sent the reminder is gone")
    settings_url = absolute_url("notifications.settings")
    messages = {}
    for row_id, user, item in rows:
        context = {"user": user, "item": item, "sender": sender, "status_label": STATUS_LABELS[item.status],
                   "item_url": absolute_url(item_path(item.id)), "settings_url": settings_url}
        messages[row_id] = mail.build(user.email, _("Reminder: %(title)s", title=item.title),
                                      plain_text("mail/reminder.txt", **context), language=language_of(user))
    return messages
