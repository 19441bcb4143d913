"""The action-item list: filters read from the query string, the filtered query (visible items
only, in SQL), its sort orders, and one page of it in a fixed number of queries.

The same filters serve the page, its htmx fragment and the CSV/XLSX export, so an exported file
holds exactly what the list shows (all pages of it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, false, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased, contains_eager, joinedload

from coordination import types
from coordination.accounts.models import User
from coordination.actions import queries
from coordination.actions.models import PENDING, ActionItem, ItemStatus
from coordination.actions.permissions import update_clause, visible_clause
from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.meetings.models import Conclusion, Meeting
from coordination.meetings.permissions import visible_clause as meeting_clause
from coordination.organisations.models import Organisation, Region
from coordination.organisations.services import organisation_choices
from coordination.roles import is_staff
from coordination.search.index import matching_refs
from coordination.web.formatting import parse_date_input, sl_order, sort_key
from coordination.web.forms import cached_options
from coordination.web.pagination import Page
from coordination.web.routing import id_or_none

PER_PAGE = 50
SORTS = ("due", "status", "assignee", "updated")
STATUS_ORDER = {status: rank for rank, status in enumerate(ItemStatus)}


@dataclass
class Filters:
    statuses: list[str] = field(default_factory=list)
    org: int | None = None
    region: int | None = None
    group: int | None = None
    meeting: int | None = None
    conclusion: int | None = None  # reached from a conclusion's "N action items" link
    fanout: int | None = None      # reached from a status matrix
    due_from: date | None = None
    due_to: date | None = None
    text: str = ""
    mine: bool = False
    overdue: bool = False
    sort: str = "due"
    ignored: list[str] = field(default_factory=list)  # what could not be read, said on the page

    def args(self) -> dict:
        """The query-string arguments that reproduce these filters (for links, the pager, export)."""
        args = {"status": self.statuses, "org": self.org, "region": self.region, "group": self.group,
                "meeting": self.meeting, "conclusion": self.conclusion, "fanout": self.fanout,
                "due_from": self.due_from.isoformat() if self.due_from else None,
                "due_to": self.due_to.isoformat() if self.due_to else None, "q": self.text,
                "mine": "1" if self.mine else None, "overdue": "1" if self.overdue else None,
                "sort": self.sort if self.sort != "due" else None}
        return {key: value for key, value in args.items() if value not in (None, "", [])}

    @property
    def active(self) -> bool:
        return bool({k for k in self.args() if k != "sort"})


def _number(value: str) -> int | None:
    return id_or_none(value or "")


def parse(args) -> Filters:
    """Filters from request.args; values that cannot be read are left out and named in `ignored`,
    never an error page."""
    filters = Filters()
    known = {s.value for s in ItemStatus}
    filters.statuses = [s for s in dict.fromkeys(args.getlist("status")) if s in known]
    if any(s and s not in known for s in args.getlist("status")):
        filters.ignored.append(_("status"))
    for name, label in (("org", _("assignee")), ("region", _("region")), ("group", _("working group")),
                        ("meeting", _("meeting")), ("conclusion", _("conclusion")), ("fanout", _("fan-out"))):
        raw = args.get(name, "").strip()
        setattr(filters, name, _number(raw))
        if raw and getattr(filters, name) is None:
            filters.ignored.append(label)
    for name, label in (("due_from", _("due from")), ("due_to", _("due to"))):
        raw = args.get(name, "").strip()
        try:
            setattr(filters, name, parse_date_input(raw))
        except ValueError:
            filters.ignored.append(label)
    filters.text = args.get("q", "").strip()[:100]
    filters.mine = args.get("mine") in ("1", "on", "y")
    filters.overdue = args.get("overdue") in ("1", "on", "y")
    sort = args.get("sort", "due")
    filters.sort = sort if sort in SORTS else "due"
    return filters


def filtered(user, filters: Filters, today: date | None = None, *, with_org: bool = False):
    """select(ActionItem) of the visible items matching the filters; with `with_org` (the export)
    joined to the assignee organisation and outer-joined to the source conclusion and meeting."""
    today = today or types.today()
    # the visibility rule needs no join; the source conclusion and meeting are joined only when a
    # filter or the export needs them (a join over 100,000 rows costs even when nothing is read)
    query = select(ActionItem).where(visible_clause(user, lookups=not filters.text))  # see visible_clause
    if with_org or filters.group is not None or filters.meeting is not None:
        query = query.outerjoin(Conclusion, ActionItem.conclusion_id == Conclusion.id).outerjoin(
            Meeting, Conclusion.meeting_id == Meeting.id)
    if with_org or filters.region is not None:
        query = query.join(Organisation, ActionItem.assignee_org_id == Organisation.id)
    if filters.statuses:
        query = query.where(ActionItem.status.in_(filters.statuses))
    if filters.org is not None:
        query = query.where(ActionItem.assignee_org_id == filters.org)
    if filters.region is not None:
        query = query.where(Organisation.region_id == filters.region)
    if filters.group is not None:
        query = query.where(Meeting.group_id == filters.group)
    if filters.meeting is not None:
        query = query.where(Conclusion.meeting_id == filters.meeting)
    if filters.conclusion is not None:
        query = query.where(ActionItem.conclusion_id == filters.conclusion)
    if filters.fanout is not None:
        query = query.where(ActionItem.fanout_id == filters.fanout)
    if filters.due_from is not None:
        query = query.where(ActionItem.due_date >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(ActionItem.due_date <= filters.due_to)
    if filters.text:  # the full-text index: every word as a prefix, any case, any diacritics
        refs = matching_refs("item", filters.text)
        query = query.where(ActionItem.id.in_(refs) if refs is not None else false())
    if filters.mine:
        query = query.where(or_(ActionItem.assignee_user_id == user.id,
                                ActionItem.assignee_org_id == user.organisation_id))
    if filters.overdue:
        query = query.where(ActionItem.status.in_(list(PENDING)), ActionItem.due_date < today)
    return query


def _overdue_expr(today: date):
    return and_(ActionItem.status.in_(list(PENDING)), ActionItem.due_date < today)


def _due_order():
    return [ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id]


def order(query, sort: str, today: date):
    if sort == "status":
        rank = case(*((ActionItem.status == s, r) for s, r in STATUS_ORDER.items()), else_=len(STATUS_ORDER))
        return query.order_by(rank, *_due_order())
    if sort == "updated":
        return query.order_by(ActionItem.updated_at.desc(), ActionItem.id.desc())
    # due: overdue first, then by due date, items without one last
    return query.order_by(case((_overdue_expr(today), 0), else_=1), *_due_order())


def page_ids(ids_only, sort: str, today: date, limit: int, offset: int, *, in_index_order: bool = False,
             overdue_only: bool = False) -> list[int]:
    """The ids of one page in the list's order. Sorted by due date (the default) the overdue items
    come first, an order no index has (it depends on today), so the database sorts every matching
    row for each page. That is cheap when the filters leave few rows, and slow over all 100,000
    items. With `in_index_order` (the caller knows most items match: staff without a narrowing
    filter) the page is taken instead from three parts that each read the (due date, id) index in
    order and stop after the page: the overdue items, the others with a due date, those without
    one; with `overdue_only` the first part is all there is. (Measured: the ministry's list 27 → 9
    ms on SQLite; a municipal official's, which sees 15 % of the items, was slower this way: each
    part then gathers and sorts the visible items.)"""
    if sort != "due" or not in_index_order:
        return list(db.session.scalars(order(ids_only, sort, today).limit(limit).offset(offset)))
    overdue = _overdue_expr(today)
    parts = [ids_only.where(overdue)]
    if not overdue_only:
        parts += [ids_only.where(ActionItem.due_date.is_not(None), ~overdue), ids_only.where(ActionItem.due_date.is_(None))]
    window = offset + limit  # no part can give more rows to this page than this
    parts = [select(part.add_columns(literal(rank).label("part"), ActionItem.due_date)
                    .order_by(ActionItem.due_date, ActionItem.id).limit(window).subquery())
             for rank, part in enumerate(parts)]
    pages = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return list(db.session.scalars(select(pages.c.id).order_by(pages.c.part, pages.c.due_date, pages.c.id)
                                   .limit(limit).offset(offset)))


def source_clause(user):
    """May the user see the item's source conclusion (else the row does not name it)."""
    return and_(ActionItem.conclusion_id.is_not(None), meeting_clause(user, Conclusion.visibility))


@dataclass
class Row:
    item: ActionItem
    updatable: bool
    source_visible: bool
    overdue: bool


def rows_for(user, ids: list[int], today: date | None = None) -> list[Row]:
    """The list rows of these items, in this order: one query that loads each item with its
    assignee organisation and region, person, conclusion and meeting, and says whether the user may
    update it and see its source. (The ids come from the visible, filtered query; asked even for
    none, so a page costs the same number of queries whatever it holds.)"""
    today = today or types.today()
    query = (select(ActionItem, update_clause(user), source_clause(user))
             .join(Organisation, ActionItem.assignee_org_id == Organisation.id)
             .outerjoin(Conclusion, ActionItem.conclusion_id == Conclusion.id)
             .outerjoin(Meeting, Conclusion.meeting_id == Meeting.id)
             .where(ActionItem.id.in_(ids))
             .options(contains_eager(ActionItem.assignee_org),
                      contains_eager(ActionItem.conclusion).contains_eager(Conclusion.meeting).lazyload(Meeting.group),
                      joinedload(ActionItem.assignee_user).lazyload(User.organisation)))
    found = {item.id: Row(item, bool(may), bool(source), item.overdue(today))
             for item, may, source in db.session.execute(query).unique()}
    return [found[i] for i in ids if i in found]


def page(user, filters: Filters, page_number: int, per_page: int = PER_PAGE, today: date | None = None) -> Page:
    """One page of rows in three queries: how many match, the ids of the page (the database sorts
    narrow rows of ids and sort keys only), and those rows in full. (A window count in the ids
    query measured slower on both databases: it makes them materialise every matching row.)
    Sorted by assignee it is the per-organisation counts instead of the count: the Slovenian
    alphabetical order of the organisations is worked out in Python, so the database never sorts
    100,000 rows by a collation."""
    today = today or types.today()
    query = filtered(user, filters, today)
    if filters.sort == "assignee":
        return _page_by_assignee(user, query, page_number, per_page, today)
    ids_only = query.with_only_columns(ActionItem.id)
    total = db.session.scalar(select(func.count()).select_from(ids_only.order_by(None).subquery())) or 0
    page_number = min(page_number, max(1, -(-total // per_page)))
    ids = page_ids(ids_only, filters.sort, today, per_page, (page_number - 1) * per_page,
                   in_index_order=_most_match(user, filters), overdue_only=filters.overdue)
    return Page(items=rows_for(user, ids, today), page=page_number, per_page=per_page, total=total)


def _most_match(user, filters: Filters) -> bool:
    """Whether the list's pages are read in index order (page_ids): staff see every item; a text
    filter on top keeps that a win on PostgreSQL, which checks the matches of the text as a hashed
    set while it walks the index (ministry, 15,000 of 100,000 items match: 131 → about 30 ms), but
    not on SQLite, where the one sort measured faster (55 against 98 ms of CPU)."""
    if not is_staff(user):
        return False
    return not filters.text or db.session.get_bind().dialect.name == "postgresql"


def _page_by_assignee(user, query, page_number: int, per_page: int, today: date) -> Page:
    counts = db.session.execute(query.with_only_columns(ActionItem.assignee_org_id, func.count())
                                .group_by(ActionItem.assignee_org_id).order_by(None)).all()
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_([org_id for org_id, _count in counts]))).all()) if counts else {}
    ordered = sorted(counts, key=lambda row: (sort_key(names.get(row[0], "")), row[0]))
    total = sum(row[1] for row in ordered)
    page_number = min(page_number, max(1, -(-total // per_page)))
    start, end = (page_number - 1) * per_page, page_number * per_page
    # the organisations whose items fall on this page, and how many items come before the first
    chosen, before, seen = [], 0, 0
    for org_id, count in ordered:
        if seen + count > start and seen < end:
            if not chosen:
                before = seen
            chosen.append(org_id)
        seen += count
    if not chosen:
        return Page(items=[], page=page_number, per_page=per_page, total=total)
    rank = case(*((ActionItem.assignee_org_id == org_id, r) for r, org_id in enumerate(chosen)), else_=len(chosen))
    ids = db.session.scalars(query.with_only_columns(ActionItem.id).where(ActionItem.assignee_org_id.in_(chosen))
                             .order_by(rank, *_due_order()).limit(per_page).offset(start - before)).all()
    return Page(items=rows_for(user, list(ids), today), page=page_number, per_page=per_page, total=total)


def one_row(user, item_id: int, today: date | None = None) -> Row | None:
    """One item as a list row (after an inline status change; the caller checked it is visible)."""
    found = rows_for(user, [item_id], today)
    return found[0] if found else None


def updatable_items(user, ids: list[int]) -> list[ActionItem]:
    """Of these ids, the items the user may see and update (for bulk changes); one query."""
    if not ids:
        return []
    query = queries.item_query(user).where(ActionItem.id.in_(ids), update_clause(user))
    return list(db.session.scalars(query.order_by(ActionItem.id)).unique())


def titles(user, ids: list[int]) -> dict[int, tuple[str, str]]:
    """{id: (title, assignee)} of the visible items among ids (the import preview); one query."""
    if not ids:
        return {}
    query = queries.item_query(user).join(Organisation, ActionItem.assignee_org_id == Organisation.id).where(
        ActionItem.id.in_(ids)).with_only_columns(ActionItem.id, ActionItem.title, Organisation.name)
    return {item_id: (title, org) for item_id, title, org in db.session.execute(query)}


def export_rows(user, filters: Filters, today: date | None = None):
    """Every matching row as plain columns for the export, in the list's order: one query."""
    today = today or types.today()
    person = aliased(User)
    query = filtered(user, filters, today, with_org=True).outerjoin(Region, Organisation.region_id == Region.id).outerjoin(
        person, ActionItem.assignee_user_id == person.id)
    query = query.with_only_columns(
        ActionItem.id, ActionItem.title, ActionItem.status, ActionItem.priority, Organisation.name,
        person.name, Region.name, ActionItem.due_date, Conclusion.register_body, Conclusion.register_year,
        Conclusion.register_seq, Meeting.title, ActionItem.updated_at, source_clause(user))
    if filters.sort == "assignee":  # the Slovenian order in Python: a collation over every row is slow
        rows = db.session.connection().execute(query.order_by(*_due_order())).all()
        return sorted(rows, key=lambda row: sort_key(row[4]))  # stable: due order within an organisation
    # plain rows straight from the connection: the ORM's row processing would double the time
    return db.session.connection().execute(order(query, filters.sort, today).execution_options(yield_per=2000))


RECENT_MEETINGS = 60


def filter_options(user, chosen_meeting: int | None = None) -> dict:
    """The choices of the filter form: organisations, regions, working groups, and the latest
    meetings with items that the user may see (plus the chosen one; older meetings are reached from
    their own page), so the form stays the same size however many meetings there are. Four small
    queries."""
    orgs = cached_options(organisation_choices())  # written once: the choose macro takes its HTML
    regions = db.session.execute(select(Region.id, Region.name).order_by(sl_order(Region.name))).all()
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).order_by(sl_order(WorkingGroup.name))).all()
    with_items = exists().where(Conclusion.meeting_id == Meeting.id,
                                exists().where(ActionItem.conclusion_id == Conclusion.id))
    recent = select(Meeting.id).where(with_items, meeting_clause(user)).order_by(
        Meeting.starts_at.desc()).limit(RECENT_MEETINGS)
    wanted = Meeting.id.in_(recent)
    if chosen_meeting is not None:
        wanted = wanted | and_(Meeting.id == chosen_meeting, meeting_clause(user))
    meetings = db.session.execute(select(Meeting.id, Meeting.title, Meeting.starts_at).where(wanted)
                                  .order_by(Meeting.starts_at.desc())).all()
    return {"orgs": orgs, "regions": regions, "groups": groups, "meetings": meetings}
