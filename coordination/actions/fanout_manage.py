"""Managing a fan-out after it was sent: a new due date (for every item or only those not done),
more municipalities, or cancelling it (its open items are cancelled with the reason; done ones stay).

Each step is one transaction that first locks the fan-out's row (SELECT … FOR UPDATE; on SQLite the
write transaction itself is the lock), so two steps on one fan-out run one after the other. Each
step bumps the fan-out's version: a confirmation carries the version its page showed, and one from
an out-of-date page is refused (StaleFanOut) unless the change it asks for is already in effect (a
double submit), which is answered with NothingToDo and changes nothing. Each step writes one audit
entry for the fan-out (what changed, how many items) besides the items' own, and tells the people
of the items concerned: a notice in the app and, with their e-mail on, an e-mail."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, insert, literal, select, update

from coordination import mail
from coordination.accounts.models import User
from coordination.actions import intents, services
from coordination.actions.models import (
    PENDING,
    ActionItem,
    EmailKind,
    FanOut,
    FanOutScope,
    ItemStatus,
    Notification,
    NotificationKind,
    Priority,
)
from coordination.actions.preferences import wants_mail
from coordination.actions.reminders import absolute_url, item_path, plain_text
from coordination.audit.services import record
from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.types import utcnow
from coordination.web.formatting import format_date

ALL, NOT_DONE = "all", "not_done"  # which items a new due date is for


class FanOutCancelled(services.ActionError):
    """The fan-out is cancelled: it can only be looked at."""


class StaleFanOut(services.ActionError):
    """The fan-out changed since the confirmation's page was shown: show it again."""


class NothingToDo(services.ActionError):
    """What the step asks for is already so (the same confirmation sent twice)."""


def lock(fanout: FanOut) -> FanOut:
    """The fan-out re-read under a row lock, with what another transaction committed meanwhile."""
    return db.session.scalar(select(FanOut).where(FanOut.id == fanout.id).with_for_update()
                             .execution_options(populate_existing=True))


def _bump(fanout: FanOut, **values) -> None:
    """Change the fan-out's own row without the audit hook's automatic entry (each step writes one
    entry of its own that says what it did to how many items)."""
    db.session.execute(update(FanOut).where(FanOut.id == fanout.id)
                       .values(version=fanout.version + 1, **values).execution_options(synchronize_session="fetch"))


# --- what a step would touch (the confirmation pages count with these) ------------------------------

def due_date_items(fanout: FanOut, which: str) -> list[ActionItem]:
    """The items a new due date is for: all, or only those not done (open, in progress, blocked)."""
    query = select(ActionItem).where(ActionItem.fanout_id == fanout.id)
    if which != ALL:
        query = query.where(ActionItem.status.in_(PENDING))
    return list(db.session.scalars(query.order_by(ActionItem.id)))


def open_items(fanout: FanOut) -> list[ActionItem]:
    """The items a cancellation cancels: those not done (done and cancelled ones stay as they are)."""
    return due_date_items(fanout, NOT_DONE)


def assigned_orgs(fanout: FanOut) -> set[int]:
    """The municipalities that have an item in the fan-out."""
    return set(db.session.scalars(select(ActionItem.assignee_org_id).where(ActionItem.fanout_id == fanout.id)))


def item_counts(fanout: FanOut) -> dict[str, int]:
    """The fan-out's items: all, not done, done, cancelled (one grouped query)."""
    rows = dict(db.session.execute(select(ActionItem.status, func.count()).where(ActionItem.fanout_id == fanout.id)
                                   .group_by(ActionItem.status)).all())
    return {"total": sum(rows.values()), "not_done": sum(n for s, n in rows.items() if s in PENDING),
            "done": rows.get(ItemStatus.DONE, 0), "cancelled": rows.get(ItemStatus.CANCELLED, 0)}


def missing(fanout: FanOut, targets: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Of the (id, name) of a selection, the municipalities that have no item in the fan-out yet."""
    have = assigned_orgs(fanout)
    return [(org_id, name) for org_id, name in targets if org_id not in have]


# --- the steps -------------------------------------------------------------------------------------

def _open_for_change(fanout: FanOut) -> FanOut:
    fanout = lock(fanout)
    if fanout.cancelled:
        raise FanOutCancelled(f"fan-out {fanout.id} is cancelled")
    return fanout


def _fresh(fanout: FanOut, version: int | None) -> None:
    if version != fanout.version:
        raise StaleFanOut(f"fan-out {fanout.id} is at version {fanout.version}, the page showed {version}")


def change_due_date(fanout: FanOut, *, due_date: date, which: str, author, version: int | None) -> int:
    """Give the chosen items (and the fan-out) a new due date; returns how many items changed."""
    fanout = _open_for_change(fanout)
    changing = [item for item in due_date_items(fanout, which) if item.due_date != due_date]
    if not changing and fanout.due_date == due_date:
        raise NothingToDo("every item chosen already has this due date")
    _fresh(fanout, version)
    now = utcnow()
    for item in changing:
        item.due_date, item.updated_at = due_date, now
    db.session.flush()  # the items' versions are checked here: one changed meanwhile raises StaleDataError
    before = fanout.due_date
    _bump(fanout, due_date=due_date)
    record("update", "FanOut", fanout.id, str(fanout),
           {"due_date": [before.isoformat() if before else None, due_date.isoformat()],
            "items": [None, len(changing)], "which": [None, which]})
    _tell(changing, author, DUE_DATE, {"date": due_date.isoformat()})
    return len(changing)


def add_municipalities(fanout: FanOut, targets: list[tuple[int, str]], *, author, version: int | None
                       ) -> list[ActionItem]:
    """An item like the others for each municipality of `targets` that has none yet."""
    fanout = _open_for_change(fanout)
    new = missing(fanout, targets)
    if not new:
        raise NothingToDo("every municipality chosen has an item already")
    _fresh(fanout, version)
    model = db.session.scalar(select(ActionItem).where(ActionItem.fanout_id == fanout.id).order_by(ActionItem.id))
    items = [ActionItem(title=fanout.title, description=model.description if model else "",
                        conclusion_id=fanout.conclusion_id, fanout_id=fanout.id, assignee_org_id=org_id,
                        due_date=fanout.due_date, priority=model.priority if model else Priority.NORMAL,
                        status=ItemStatus.OPEN, created_by_id=fanout.created_by_id)
             for org_id, _name in new]
    db.session.add_all(items)
    db.session.flush()
    total = db.session.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.fanout_id == fanout.id))
    before = (fanout.scope.value, fanout.scope_label)
    # the selection is now a list of its own: "N chosen municipalities" stays true, the log keeps what it was
    _bump(fanout, scope=FanOutScope.CHOSEN, scope_label=str(total))
    record("update", "FanOut", fanout.id, str(fanout),
           {"added": [None, len(items)], "municipalities": [None, [name for _id, name in new]],
            "scope": [before[0], FanOutScope.CHOSEN.value], "scope_label": [before[1], str(total)]})
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_([i for i, _n in new])))}
    for item in items:
        item.assignee_org = orgs[item.assignee_org_id]
    _tell(items, author, ADDED, {})
    return items


def cancel(fanout: FanOut, *, reason: str, author, version: int | None) -> int:
    """Cancel the fan-out: every item not done is cancelled with the reason (in its progress log);
    done items stay done. Returns how many items were cancelled."""
    fanout = lock(fanout)
    if fanout.cancelled:
        raise NothingToDo("the fan-out is cancelled already")
    _fresh(fanout, version)
    reason = reason.strip()
    items = open_items(fanout)
    for item in items:
        services._set_status(item, ItemStatus.CANCELLED, reason, author)
    db.session.flush()
    _bump(fanout, cancelled_at=utcnow(), cancel_reason=reason)
    record("update", "FanOut", fanout.id, str(fanout),
           {"cancelled": [None, len(items)], "cancel_reason": [None, reason]})
    _tell(items, author, CANCELLED, {"reason": reason})
    return len(items)


# --- telling those concerned -------------------------------------------------------------------------

def told(items: list[ActionItem]) -> tuple[int, int]:
    """(people told in the app, of them with e-mail on) for the items' assignees (for the confirmation)."""
    ids = {user_id for user_id, _item in services._assignees(items)}
    if not ids:
        return 0, 0
    users = db.session.execute(select(User.id, wants_mail(EmailKind.ASSIGNMENT))
                               .where(User.id.in_(ids), User.active)).all()
    return len(users), sum(1 for _id, on in users if on)


DUE_DATE, ADDED, CANCELLED = "due_date", "added", "cancelled"  # what a step tells (the intent's data says it)


def wording(step: str, item: ActionItem, data: dict) -> str:
    """What a step tells the people of an item, in the current language (the notice and the e-mail)."""
    if step == DUE_DATE:
        return _("%(organisation)s: the due date of the item “%(title)s” is now %(date)s.",
                 organisation=item.assignee_org.name, title=item.title, date=format_date(date.fromisoformat(data["date"])))
    if step == ADDED:
        return _("%(organisation)s: you have been sent the item “%(title)s”, due %(date)s.",
                 organisation=item.assignee_org.name, title=item.title, date=format_date(item.due_date))
    return _("%(organisation)s: the item “%(title)s” has been cancelled. Reason: %(reason)s",
             organisation=item.assignee_org.name, title=item.title, reason=data["reason"])


def _tell(items: list[ActionItem], author, step: str, data: dict) -> None:
    """A notice per person and item (the item's person, or everybody of its municipality), worded in
    their language and leading to the item; an e-mail too to those who want e-mail about their assigned
    items (EmailKind.ASSIGNMENT), queued with the change as an intent (built by `flask mail send`).
    Set-based: the wording is made once per item and language (force_locale once per language), and
    the notices and the e-mails' recipients are copied by one INSERT … SELECT each, whatever the
    number of people."""
    if not items:
        return
    ids = [item.id for item in items]
    # their municipalities in one query (the wording names them; a lazy load each would be one per item)
    db.session.scalars(select(Organisation).where(Organisation.id.in_({item.assignee_org_id for item in items}))).all()
    told = services.except_author(services.assignees_select(ActionItem.id.in_(ids), active_only=True), author)
    chosen = told.subquery()
    languages = current_app.config["LANGUAGES"]
    texts = {}
    for language in languages:
        with force_locale(language):
            texts[language] = {item.id: wording(step, item, data)[:300] for item in items}
    # the text of the user's language (language_of(): the first language when theirs is not offered)
    detail = case(texts[languages[0]], value=chosen.c.item_id)
    for other in languages[1:]:
        detail = case((User.language == other, case(texts[other], value=chosen.c.item_id)), else_=detail)
    link = case({item.id: item_path(item.id) for item in items}, value=chosen.c.item_id)
    db.session.execute(insert(Notification).from_select(
        ["user_id", "kind", "item_id", "link", "detail", "actor_label", "created_at"],
        select(chosen.c.user_id, literal(NotificationKind.MESSAGE, Notification.__table__.c.kind.type),
               chosen.c.item_id, link, detail, literal((getattr(author, "name", "") or "")[:200]),
               literal(utcnow(), Notification.__table__.c.created_at.type))
        .join(User, User.id == chosen.c.user_id)))
    wanting = (select(chosen.c.user_id, chosen.c.item_id, User.email).join(User, User.id == chosen.c.user_id)
               .where(wants_mail(EmailKind.ASSIGNMENT)))
    mail.enqueue_intent(INTENT, {"step": step, **data}, wanting)


INTENT = "fanout_change"


@intents.builder(INTENT)
def build(data: dict, rows: list) -> dict:
    """The e-mails of one step, in one language (entered by the caller)."""
    settings_url = absolute_url("notifications.settings")
    messages = {}
    for row_id, user, item in rows:
        text = wording(data["step"], item, data)
        body = plain_text("mail/fanout_change.txt", user=user, text=text, item=item,
                          url=absolute_url(item_path(item.id)), settings_url=settings_url)
        messages[row_id] = mail.build(user.email, text[:200], body, language=intents.language_of(user))
    return messages
