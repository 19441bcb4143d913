"""Reading action items: what the pages show, filtered by the visibility rule in SQL
(permissions.visible_clause); the lists with their filters and sort orders are in listing.py.
Changes are in services.py."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from coordination.accounts.models import User
from coordination.actions.models import PENDING, ActionItem, FanOut, ItemUpdate, Priority
from coordination.actions.permissions import visible_clause
from coordination.actions.progress import counted_column, done_column
from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.meetings.models import Conclusion, Meeting
from coordination.organisations.models import Organisation
from coordination.roles import is_staff
from coordination.types import today
from coordination.web.formatting import sl_order


def item_query(user):
    """Items the user may see: ActionItem outer-joined to its conclusion and meeting, filtered by
    the visibility rule in SQL."""
    return (select(ActionItem).outerjoin(Conclusion, ActionItem.conclusion_id == Conclusion.id)
            .outerjoin(Meeting, Conclusion.meeting_id == Meeting.id).where(visible_clause(user)))


def load(item_id: int) -> ActionItem | None:
    return db.session.get(ActionItem, item_id)


# --- pages: one item, the items of conclusions, a group's and a user's open items --------------

def load_page(item_id: int) -> ActionItem | None:
    """An item with everything its page shows and its rules ask (source conclusion and meeting with
    the people who decide visibility, the progress log with authors) in a fixed number of queries."""
    meeting = joinedload(ActionItem.conclusion).joinedload(Conclusion.meeting)
    return db.session.scalar(select(ActionItem).where(ActionItem.id == item_id).options(
        meeting.selectinload(Meeting.participants), meeting.selectinload(Meeting.organisers),
        meeting.joinedload(Meeting.group).selectinload(WorkingGroup.memberships),
        joinedload(ActionItem.assignee_user), joinedload(ActionItem.created_by), joinedload(ActionItem.fanout),
        selectinload(ActionItem.assignee_org).selectinload(Organisation.associations),
        selectinload(ActionItem.updates).joinedload(ItemUpdate.author)))


def load_conclusion(conclusion_id: int) -> Conclusion | None:
    """A conclusion with what its rules need (its meeting's people), for creating items from it."""
    meeting = joinedload(Conclusion.meeting)
    return db.session.scalar(select(Conclusion).where(Conclusion.id == conclusion_id).options(
        meeting.selectinload(Meeting.participants), meeting.selectinload(Meeting.organisers),
        meeting.joinedload(Meeting.group).selectinload(WorkingGroup.memberships)))


def org_people(org_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of the active users of an organisation, for the assignee person drop-down."""
    if not org_id:
        return []
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.name).where(User.organisation_id == org_id, User.active).order_by(sl_order(User.name)))]


def item_counts(conclusion_ids: Iterable[int]) -> dict[int, int]:
    """How many items each conclusion has, in one grouped query (always one, even for none)."""
    return dict(db.session.execute(
        select(ActionItem.conclusion_id, func.count()).where(ActionItem.conclusion_id.in_(list(conclusion_ids)))
        .group_by(ActionItem.conclusion_id)).all())


def fanouts_of(conclusion_ids: Iterable[int]) -> dict[int, list[tuple[int, str, int, int]]]:
    """Each conclusion's fan-outs as (id, title, items counted, done), oldest first, in one grouped
    query; cancelled items are not counted (progress.py), as in the matrix."""
    # counted per fan-out by correlated subqueries (an index lookup of its ≤ 212 items each): joined
    # and grouped, PostgreSQL guessed 50 fan-outs × 250 items and read all 100,000 items (30–40 ms)
    def of_fanout(column):
        return select(column).where(ActionItem.fanout_id == FanOut.id).scalar_subquery()

    rows = db.session.execute(
        select(FanOut.conclusion_id, FanOut.id, FanOut.title, of_fanout(counted_column()), of_fanout(done_column()))
        .where(FanOut.conclusion_id.in_(list(conclusion_ids))).order_by(FanOut.id))
    grouped: dict[int, list[tuple[int, str, int, int]]] = {}
    for conclusion_id, fanout_id, title, n, d in rows:
        grouped.setdefault(conclusion_id, []).append((fanout_id, title, int(n), int(d)))
    return grouped


def recent_fanouts(user, limit: int = 5) -> list[tuple[int, str, int, int]]:
    """The latest fan-outs the dashboard links to, as (id, title, items counted, done): every one for
    staff, one's own for the others (who see their sources). One query."""
    query = (select(FanOut.id, FanOut.title, counted_column(), done_column())
             .outerjoin(ActionItem, ActionItem.fanout_id == FanOut.id).group_by(FanOut.id)
             .order_by(FanOut.id.desc()).limit(limit))
    if not is_staff(user):
        query = query.where(FanOut.created_by_id == user.id)
    return [(i, t, int(n), int(d)) for i, t, n, d in db.session.execute(query)]


def _pending_first_due(query, limit: int):
    """Pending items, overdue first then by due date (none last), high priority first on a tie;
    each row carries the total and the overdue count (window functions: one query for all)."""
    rank = case({Priority.HIGH: 0, Priority.NORMAL: 1}, value=ActionItem.priority, else_=2)
    overdue = case((ActionItem.due_date < today(), 1), else_=0)
    rows = db.session.execute(
        query.add_columns(func.count().over(), func.sum(overdue).over())
        .where(ActionItem.status.in_(list(PENDING)))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, rank, ActionItem.id).limit(limit)).all()
    total = rows[0][1] if rows else 0
    late = int(rows[0][2] or 0) if rows else 0
    return {"rows": [row[0] for row in rows], "total": total, "overdue": late}


def visible_items(user):
    """Items the user may see, without item_query's joins (cheaper where no filter needs them)."""
    return select(ActionItem).where(visible_clause(user))


def my_open_items(user, limit: int = 10) -> dict:
    """Pending items assigned to the user personally or created by them one at a time (the items of
    their fan-outs are followed in the status matrix, not one by one)."""
    # a union of two index lookups: an OR here lets the planner choose a scan of all items
    mine = select(ActionItem.id).where(ActionItem.assignee_user_id == user.id).union(
        select(ActionItem.id).where(ActionItem.created_by_id == user.id, ActionItem.fanout_id.is_(None)))
    return _pending_first_due(visible_items(user).where(ActionItem.id.in_(mine)), limit)


def organisation_open_items(user, limit: int = 10) -> dict:
    """Pending items assigned to the user's organisation."""
    return _pending_first_due(visible_items(user).where(ActionItem.assignee_org_id == user.organisation_id), limit)


def group_open_items(user, group, limit: int = 10) -> dict:
    """Pending items from conclusions of the group's meetings that the user may see."""
    # joined from the group's few meetings and conclusions to their items (index lookups all the
    # way), so neither database scans all items

    query = (select(ActionItem).join(Conclusion, ActionItem.conclusion_id == Conclusion.id)
             .join(Meeting, Conclusion.meeting_id == Meeting.id)
             .where(Meeting.group_id == group.id, visible_clause(user, joined=True)))
    return _pending_first_due(query, limit)


def open_items_of(user, org_id: int, limit: int = 10) -> dict:
    """Pending items assigned to an organisation that the user may see (its page), overdue first."""
    return _pending_first_due(visible_items(user).where(ActionItem.assignee_org_id == org_id)
                              .options(joinedload(ActionItem.assignee_org)), limit)
