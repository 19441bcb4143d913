"""Action items: creating them (one at a time or fanned out to municipalities), changing their
status along the allowed transitions, the progress log, and the notifications each change sends.
Every change is audited by the flush hook (ActionItem, ItemUpdate and FanOut are audited models)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import Select, and_, insert, literal, select, tuple_, union_all, update

from coordination.accounts.models import User
from coordination.actions.models import (
    PENDING,
    TRANSITIONS,
    ActionItem,
    FanOut,
    FanOutScope,
    ImportBatch,
    ItemStatus,
    ItemUpdate,
    Notification,
    NotificationKind,
    Priority,
)
from coordination.extensions import db, insert_on_conflict
from coordination.meetings.models import Conclusion
from coordination.organisations.models import Organisation, OrgKind, Region, association_membership
from coordination.types import today, utcnow


class ActionError(ValueError):
    """A change that the rules refuse; nothing was changed."""


class IllegalTransition(ActionError):
    def __init__(self, old: ItemStatus, new: ItemStatus):
        super().__init__(f"{old} -> {new}")
        self.old, self.new = old, new


class EmptySelection(ActionError):
    """A fan-out whose selection holds no municipality."""


class AlreadyFannedOut(ActionError):
    """The form that asks for this fan-out was sent before: `fanout` is what it made then."""

    def __init__(self, fanout: FanOut):
        super().__init__(f"fan-out {fanout.id} was made by this form already")
        self.fanout = fanout



def allowed_next(status: ItemStatus) -> list[ItemStatus]:
    """The statuses an item may move to, in the order of the enum (for drop-downs)."""
    return [s for s in ItemStatus if s in TRANSITIONS[status]]


# --- notifications ---------------------------------------------------------------------------

def _org_users(org_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active users per organisation, in one query."""
    ids = set(org_ids)
    users: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for user_id, org_id in db.session.execute(
                select(User.id, User.organisation_id).where(User.organisation_id.in_(ids), User.active)):
            users[org_id].append(user_id)
    return users


def assignees_select(items_where, *, active_only: bool = False) -> Select:
    """(user_id, item_id) of the items `items_where` chooses, as a query to insert from (the rows
    never come to Python): the item's person, or every active user of its organisation (the set
    form of _assignees; active_only also leaves out an inactive named person)."""
    person = select(ActionItem.assignee_user_id.label("user_id"), ActionItem.id.label("item_id")).where(
        items_where, ActionItem.assignee_user_id.is_not(None))
    if active_only:
        person = person.join(User, User.id == ActionItem.assignee_user_id).where(User.active)
    everybody = select(User.id.label("user_id"), ActionItem.id.label("item_id")).join(ActionItem, and_(
        ActionItem.assignee_user_id.is_(None), ActionItem.assignee_org_id == User.organisation_id)).where(
        items_where, User.active)
    return select(union_all(person, everybody).subquery())


def except_author(recipients: Select, author) -> Select:
    chosen = recipients.subquery()
    query = select(chosen.c.user_id, chosen.c.item_id)
    return query if getattr(author, "id", None) is None else query.where(chosen.c.user_id != author.id)


def _pairs(rows: list[tuple[int, ActionItem]]) -> Select:
    """Python (user_id, item) pairs as the same kind of query as assignees_select (a few rows)."""
    pairs = sorted({(user_id, item.id) for user_id, item in rows})
    return (select(User.id.label("user_id"), ActionItem.id.label("item_id"))
            .join(ActionItem, ActionItem.id.in_({i for _u, i in pairs}))  # a product of few rows, then the pairs
            .where(User.id.in_({u for u, _i in pairs}), tuple_(User.id, ActionItem.id).in_(pairs)))


# Features above this one e-mail the people told (notifications/item_mail.py registers itself here, as
# actions sits below it): listener(kind, recipients, author, detail), `recipients` a query of the
# (user_id, item_id) told, to insert from
NOTICE_LISTENERS: list[Callable] = []


def on_notice(listener: Callable) -> Callable:
    if listener not in NOTICE_LISTENERS:
        NOTICE_LISTENERS.append(listener)
    return listener


def _notify(rows: list[tuple[int, ActionItem]], kind: NotificationKind, author, detail: str = "") -> None:
    """One notification per (user, item), never to the author themself; one INSERT for all. Status
    changes of a fan-out's items are grouped instead (see _notify_grouped). The listeners hear of the
    new notices (a grouped line only when it is new: one e-mail per fan-out and day, not one per municipality)."""
    author_id = getattr(author, "id", None)
    label = author.name if author is not None else ""
    unique = {(user_id, item.id): item for user_id, item in rows if user_id != author_id}  # creator and assignee
    told: list[tuple[int, ActionItem]] = []
    if kind == NotificationKind.STATUS_CHANGED:
        grouped = {key: item for key, item in unique.items() if item.fanout_id is not None}
        told = _notify_grouped(grouped, label, detail)
        unique = {key: item for key, item in unique.items() if key not in grouped}
    values = [{"user_id": user_id, "kind": kind, "item_id": item_id, "actor_label": label[:200],
               "detail": detail[:300], "created_at": utcnow()}
              for (user_id, item_id) in unique]
    if values:
        db.session.execute(insert(Notification), values)
    told += [(user_id, item) for (user_id, _item_id), item in unique.items()]
    if told:
        for listener in NOTICE_LISTENERS:
            listener(kind, _pairs(told), author, detail)


def notify_all(recipients: Select, kind: NotificationKind, author, detail: str = "") -> None:
    """_notify for many: one notification per (user_id, item_id) of `recipients` (a query, e.g.
    assignees_select), never to the author, copied by one INSERT … SELECT whatever their number, and
    the listeners told the same way. Not for status changes (those of a fan-out are grouped)."""
    if kind == NotificationKind.STATUS_CHANGED:
        raise ValueError("status changes of a fan-out are grouped: use _notify")
    chosen = except_author(recipients, author).subquery()
    label = (author.name if author is not None else "")[:200]
    db.session.execute(insert(Notification).from_select(
        ["user_id", "kind", "item_id", "actor_label", "detail", "created_at"],
        select(chosen.c.user_id, literal(kind, Notification.__table__.c.kind.type), chosen.c.item_id, literal(label),
               literal(detail[:300]), literal(utcnow(), Notification.__table__.c.created_at.type))))
    for listener in NOTICE_LISTENERS:
        listener(kind, select(chosen), author, detail)


def _notify_grouped(rows: dict[tuple[int, int], ActionItem], label: str, status: str) -> list[tuple[int, ActionItem]]:
    """One row per (user, fan-out, new status, day) whose count goes up by one per municipality: an
    INSERT … ON CONFLICT DO UPDATE count = count + n, so two municipalities changing at the same moment
    both count (the database adds, nobody reads and writes back). The row turns unread again and
    points at the latest item. Returns the (user, item) whose line is new today."""
    day = today().isoformat()
    counts: dict[tuple[int, str], list] = {}
    for (user_id, _item_id), item in sorted(rows.items()):
        key = (user_id, f"fanout:{item.fanout_id}:{status}:{day}")
        entry = counts.setdefault(key, [0, item])
        entry[0], entry[1] = entry[0] + 1, item
    if not counts:
        return []
    values = [{"user_id": user_id, "kind": NotificationKind.STATUS_CHANGED, "item_id": item.id, "group_key": key,
               "count": n, "actor_label": label[:200], "detail": status[:300], "created_at": utcnow()}
              for (user_id, key), (n, item) in counts.items()]
    statement = insert_on_conflict(Notification, db.session.get_bind()).values(values)
    result = db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "group_key"],
        set_={"count": Notification.__table__.c.count + statement.excluded["count"], "read_at": None,
              "item_id": statement.excluded.item_id, "actor_label": statement.excluded.actor_label,
              "created_at": statement.excluded.created_at})
        .returning(Notification.user_id, Notification.group_key, Notification.count))
    # a line is new when its count is what we added (an existing one already had at least 1)
    return [(user_id, counts[(user_id, key)][1]) for user_id, key, count in result
            if count == counts[(user_id, key)][0]]


def _assignees(items: list[ActionItem]) -> list[tuple[int, ActionItem]]:
    """The named person, or else every active user of the assignee organisation."""
    by_org = _org_users(i.assignee_org_id for i in items if i.assignee_user_id is None)
    rows = []
    for item in items:
        targets = [item.assignee_user_id] if item.assignee_user_id else by_org.get(item.assignee_org_id, [])
        rows.extend((user_id, item) for user_id in targets)
    return rows


def _followers(item: ActionItem) -> list[tuple[int, ActionItem]]:
    """Who hears of a change or a comment on an item: its creator and its assignee person."""
    return [(uid, item) for uid in {item.created_by_id, item.assignee_user_id} if uid]


# --- single items ----------------------------------------------------------------------------

def create_item(*, title: str, assignee_org: Organisation, author, description: str = "",
                conclusion: Conclusion | None = None, assignee_user: User | None = None,
                due_date: date | None = None, priority: Priority = Priority.NORMAL) -> ActionItem:
    if assignee_user is not None and assignee_user.organisation_id != assignee_org.id:
        raise ActionError("the assignee person belongs to another organisation")
    item = ActionItem(title=title.strip(), description=(description or "").strip(), conclusion=conclusion,
                      assignee_org=assignee_org, assignee_user=assignee_user, due_date=due_date,
                      priority=priority, status=ItemStatus.OPEN, created_by_id=getattr(author, "id", None))
    db.session.add(item)
    db.session.flush()
    _notify(_assignees([item]), NotificationKind.ASSIGNED, author)
    db.session.flush()
    return item


def update_item(item: ActionItem, *, author, title: str, description: str, assignee_org: Organisation,
                assignee_user: User | None, due_date: date | None, priority: Priority) -> ActionItem:
    if assignee_user is not None and assignee_user.organisation_id != assignee_org.id:
        raise ActionError("the assignee person belongs to another organisation")
    reassigned = (item.assignee_org_id, item.assignee_user_id) != (
        assignee_org.id, assignee_user.id if assignee_user else None)
    item.title, item.description = title.strip(), (description or "").strip()
    item.assignee_org, item.assignee_user = assignee_org, assignee_user
    item.due_date, item.priority, item.updated_at = due_date, priority, utcnow()
    db.session.flush()
    if reassigned:
        _notify(_assignees([item]), NotificationKind.ASSIGNED, author)
    db.session.flush()
    return item


def _set_status(item: ActionItem, new: ItemStatus, note: str, author) -> ItemUpdate:
    old = item.status
    if new == old or new not in TRANSITIONS[old]:
        raise IllegalTransition(old, new)
    item.status, item.updated_at = new, utcnow()
    item.closed_at = utcnow() if new not in PENDING else None
    entry = ItemUpdate(item=item, author_id=getattr(author, "id", None),
                       author_label=author.name if author is not None else "", text=(note or "").strip(),
                       old_status=old, new_status=new)
    db.session.add(entry)
    return entry


def change_status(item: ActionItem, new: ItemStatus, *, author, note: str = "") -> ItemUpdate:
    """Move an item along an allowed transition; the progress log records it (with the note)."""
    entry = _set_status(item, ItemStatus(new), note, author)
    db.session.flush()
    _notify(_followers(item), NotificationKind.STATUS_CHANGED, author, str(item.status))
    db.session.flush()
    return entry


def change_statuses(items: list[ActionItem], new: ItemStatus, *, author, note: str = "") -> tuple[int, list]:
    """Bulk change: every item that may move to `new` does, in one transaction; returns how many
    changed and the items refused (already there, or not an allowed transition)."""
    new = ItemStatus(new)
    changed, refused = [], []
    for item in items:
        try:
            _set_status(item, new, note, author)
            changed.append(item)
        except IllegalTransition:
            refused.append(item)
    db.session.flush()
    _notify([row for item in changed for row in _followers(item)], NotificationKind.STATUS_CHANGED, author, str(new))
    db.session.flush()
    return len(changed), refused


def add_note(item: ActionItem, text: str, *, author) -> ItemUpdate:
    entry = ItemUpdate(item=item, author_id=getattr(author, "id", None),
                       author_label=author.name if author is not None else "", text=text.strip())
    item.updated_at = utcnow()
    db.session.add(entry)
    db.session.flush()
    _notify(_followers(item) + _assignees([item]), NotificationKind.COMMENTED, author, text.strip()[:120])
    db.session.flush()
    return entry


def delete_item(item: ActionItem) -> None:
    db.session.delete(item)
    db.session.flush()


# --- fan-out ---------------------------------------------------------------------------------

def fanout_targets(scope: FanOutScope, *, region: Region | None = None, association: Organisation | None = None,
                   chosen: Iterable[int] = ()) -> list[tuple[int, str]]:
    """(id, name) of the municipalities a fan-out reaches, in one query."""
    query = select(Organisation.id, Organisation.name).where(Organisation.kind == OrgKind.MUNICIPALITY)
    if scope == FanOutScope.REGION:
        query = query.where(Organisation.region_id == (region.id if region else None))
    elif scope == FanOutScope.ASSOCIATION:
        members = select(association_membership.c.member_id).where(
            association_membership.c.association_id == (association.id if association else None))
        query = query.where(Organisation.id.in_(members))
    elif scope == FanOutScope.CHOSEN:
        query = query.where(Organisation.id.in_(list(chosen)))
    return list(db.session.execute(query.order_by(Organisation.id)))


def scope_label(scope: FanOutScope, *, region: Region | None, association: Organisation | None, count: int) -> str:
    """What a fan-out keeps of its selection: the region's or association's name, or the number
    of municipalities chosen (models.describe_scope() words it in the reader's language)."""
    if scope == FanOutScope.REGION and region is not None:
        return region.name
    if scope == FanOutScope.ASSOCIATION and association is not None:
        return association.display_name
    return str(count) if scope == FanOutScope.CHOSEN else ""


def _submitted_before(conclusion: Conclusion, token: str) -> FanOut | None:
    return db.session.scalar(select(FanOut).where(FanOut.conclusion_id == conclusion.id,
                                                  FanOut.submit_token == token))


def fan_out(conclusion: Conclusion, *, title: str, author, scope: FanOutScope, description: str = "",
            due_date: date | None = None, priority: Priority = Priority.NORMAL, region: Region | None = None,
            association: Organisation | None = None, chosen: Iterable[int] = (), token: str | None = None) -> FanOut:
    """One item per municipality of the selection, all in one transaction (all or nothing).

    `token` is the form's one-time token: the (conclusion, token) pair is unique, so a form sent
    twice, even at the same moment, makes one fan-out; the second raises AlreadyFannedOut."""
    from sqlalchemy.exc import IntegrityError

    targets = fanout_targets(scope, region=region, association=association, chosen=chosen)
    if not targets:
        raise EmptySelection("no municipality in the selection")
    if token and (earlier := _submitted_before(conclusion, token)) is not None:
        raise AlreadyFannedOut(earlier)
    fanout = FanOut(conclusion_id=conclusion.id, title=title.strip(), scope=scope, due_date=due_date,
                    scope_label=scope_label(scope, region=region, association=association, count=len(targets)),
                    created_by_id=getattr(author, "id", None), submit_token=token or None)
    try:
        with db.session.begin_nested():  # the unique token claims the submission before any item is made
            db.session.add(fanout)
            db.session.flush()
    except IntegrityError:  # a simultaneous request with the same token was first (and has committed)
        earlier = _submitted_before(conclusion, token) if token else None
        if earlier is None:
            raise
        raise AlreadyFannedOut(earlier) from None
    items = [ActionItem(title=fanout.title, description=(description or "").strip(), conclusion=conclusion,
                        fanout=fanout, assignee_org_id=org_id, due_date=due_date, priority=priority,
                        status=ItemStatus.OPEN, created_by_id=fanout.created_by_id)
             for org_id, _name in targets]
    db.session.add_all(items)
    db.session.flush()
    # everybody of every municipality told with two INSERT … SELECT (notices, e-mail intent): the
    # request's cost does not grow with the number of accounts
    notify_all(assignees_select(ActionItem.fanout_id == fanout.id), NotificationKind.ASSIGNED, author)
    db.session.flush()
    return fanout


# --- bulk status upload (CSV import) ---------------------------------------------------------

def create_import_batch(user, *, filename: str, valid_rows: list[dict], errors: list[dict]):
    """Keep a validated upload until its owner confirms it (nothing is changed yet)."""
    batch = ImportBatch(user_id=user.id, filename=(filename or "")[:200], valid_rows=valid_rows, errors=errors)
    db.session.add(batch)
    db.session.flush()
    return batch


def apply_import(batch, *, author, check) -> tuple[int, list[dict]] | None:
    """Apply the batch's valid rows once: `check(rows)` returns {item_id: problem or None} as the
    items are now. The batch is claimed with one UPDATE, so a second confirmation (or a second
    process) applies nothing and gets None. Returns (changed, [{line, message}] refused)."""
    claimed = db.session.execute(update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.applied_at.is_(None))
                                 .values(applied_at=utcnow()))
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    rows = list(batch.valid_rows)
    problems = check(rows)
    items = {i.id: i for i in db.session.scalars(select(ActionItem).where(
        ActionItem.id.in_([r["item_id"] for r in rows if not problems.get(r["item_id"])])))}
    changed, refused = [], []
    for row in rows:
        item = items.get(row["item_id"])
        if problems.get(row["item_id"]) or item is None:
            refused.append({"line": row["line"], "message": problems.get(row["item_id"]) or ""})
            continue
        _set_status(item, ItemStatus(row["status"]), row.get("note", ""), author)
        changed.append(item)
    db.session.flush()
    for status in {item.status for item in changed}:
        _notify([r for item in changed if item.status == status for r in _followers(item)],
                NotificationKind.STATUS_CHANGED, author, str(status))
    db.session.flush()
    return len(changed), refused
