"""The status matrix of a fan-out and the status summaries the reports share.

`fanout_matrix()` reads every visible item of a fan-out in ONE query of plain rows (no ORM objects),
then groups and counts in Python: per region (Slovenian order), per status, overdue, progress, and
which rows an association user coordinates. The query count does not depend on the number of items.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import false, select
from sqlalchemy.orm import joinedload

from coordination import types
from coordination.actions import queries
from coordination.actions.models import PENDING, STATUS_LABELS, ActionItem, FanOut, ItemStatus
from coordination.actions.permissions import follows_members_only
from coordination.extensions import db
from coordination.meetings import queries as meeting_queries
from coordination.organisations.models import Organisation, Region, association_membership
from coordination.web.formatting import sl_order, sort_key

# the order statuses are listed in everywhere (counts, chart, report sections)
STATUS_ORDER = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.BLOCKED, ItemStatus.DONE, ItemStatus.CANCELLED)
# bar and swatch colours; each has at least 3:1 contrast against white (WCAG 1.4.11) and is never the
# only signal: every bar and cell carries its status in words too
STATUS_COLOURS = {
    ItemStatus.OPEN: "#0b4f8a",
    ItemStatus.IN_PROGRESS: "#8a5a00",
    ItemStatus.BLOCKED: "#a4161a",
    ItemStatus.DONE: "#1e6b30",
    ItemStatus.CANCELLED: "#5c6670",
}
OVERDUE = "overdue"  # a filter value besides the statuses


def progress(counts: Counter | dict, total: int) -> int:
    """Per cent done of what is still meant to be done (cancelled items do not count)."""
    countable = total - counts.get(ItemStatus.CANCELLED, 0)
    return round(100 * counts.get(ItemStatus.DONE, 0) / countable) if countable else 0


@dataclass
class Bar:
    status: ItemStatus
    label: str
    count: int
    percent: int
    colour: str


def status_bars(counts: Counter | dict, total: int) -> list[Bar]:
    """One bar per status (zeros included, so charts always have the same rows)."""
    return [Bar(s, str(STATUS_LABELS[s]), counts.get(s, 0), round(100 * counts.get(s, 0) / total) if total else 0,
                STATUS_COLOURS[s]) for s in STATUS_ORDER]


@dataclass
class Cell:
    item_id: int
    status: ItemStatus
    due_date: date | None
    overdue: bool
    org_id: int
    org_name: str
    member: bool  # one of the association user's members


@dataclass
class RegionBlock:
    code: str
    name: str
    cells: list[Cell] = field(default_factory=list)      # after the filters
    counts: Counter = field(default_factory=Counter)     # before the filters
    total: int = 0
    overdue: int = 0

    @property
    def progress(self) -> int:
        return progress(self.counts, self.total)


@dataclass
class Matrix:
    regions: list[RegionBlock]          # every region of the fan-out, each with its filtered cells
    counts: Counter
    total: int
    overdue: int
    shown: int                          # cells left after the filters
    remindable: list[int]               # pending items the user may remind (associations: members only)
    members: int                        # rows of the association user's members (0 for others)
    bars: list[Bar]

    @property
    def progress(self) -> int:
        return progress(self.counts, self.total)

    @property
    def done(self) -> int:
        return self.counts.get(ItemStatus.DONE, 0)

    @property
    def pending(self) -> int:
        return sum(self.counts.get(s, 0) for s in PENDING)


def load_fanout(fanout_id: int) -> FanOut | None:
    """The fan-out with its conclusion and the conclusion's meeting loaded as the rules need them."""
    fanout = db.session.get(FanOut, fanout_id, options=[joinedload(FanOut.conclusion)])
    if fanout is not None:
        meeting_queries.load(fanout.conclusion.meeting_id)  # organisers, participants, group members
    return fanout


def _member_clause(user):
    if not follows_members_only(user):
        return false()
    return ActionItem.assignee_org_id.in_(select(association_membership.c.member_id).where(
        association_membership.c.association_id == user.organisation_id))


def fanout_matrix(fanout: FanOut, user, *, status: str = "", region: str = "", members_only: bool = False,
                  today: date | None = None) -> Matrix:
    today = today or types.today()
    query = (queries.item_query(user)
             .with_only_columns(ActionItem.id, ActionItem.status, ActionItem.due_date, Organisation.id,
                                Organisation.name, Region.code, Region.name, _member_clause(user).label("member"))
             .join(Organisation, Organisation.id == ActionItem.assignee_org_id)
             .outerjoin(Region, Region.id == Organisation.region_id)
             .where(ActionItem.fanout_id == fanout.id)
             .order_by(sl_order(Region.name), sl_order(Organisation.name), ActionItem.id))
    blocks: dict[str, RegionBlock] = {}
    counts: Counter = Counter()
    overdue_total = members = shown = 0
    remindable: list[int] = []
    association = follows_members_only(user)
    for item_id, item_status, due, org_id, org_name, region_code, region_name, member in db.session.execute(query):
        item_status = ItemStatus(item_status)
        late = item_status in PENDING and due is not None and due < today
        block = blocks.get(region_code or "")
        if block is None:
            block = blocks[region_code or ""] = RegionBlock(region_code or "", region_name or "—")
        block.total += 1
        block.counts[item_status] += 1
        block.overdue += late
        counts[item_status] += 1
        overdue_total += late
        members += bool(member)
        if item_status in PENDING and (not association or member):
            remindable.append(item_id)
        if status == OVERDUE and not late or status and status != OVERDUE and item_status != status:
            continue
        if region and region_code != region or members_only and not member:
            continue
        block.cells.append(Cell(item_id, item_status, due, late, org_id, org_name, bool(member)))
        shown += 1
    total = sum(counts.values())
    regions = sorted(blocks.values(), key=lambda b: sort_key(b.name))  # the database sorted them already
    return Matrix(regions, counts, total, overdue_total, shown, remindable, members, status_bars(counts, total))
