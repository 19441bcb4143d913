"""The status matrix of a fan-out and the status summaries the reports share.

`fanout_matrix()` reads every visible item of a fan-out in ONE query of plain rows (no ORM objects),
with each municipality's last reminder (ReminderLog, topic 'fanout:<id>') and whether it has an
account, then groups and counts in Python: per region (Slovenian order), per status, overdue,
progress (progress.py), and which rows an association user coordinates. The query count does not
depend on the number of items.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, false, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from coordination import types
from coordination.accounts.models import User
from coordination.actions import queries
from coordination.actions.models import PENDING, STATUS_LABELS, ActionItem, FanOut, ItemStatus, ReminderLog
from coordination.actions.permissions import follows_members_only
from coordination.actions.progress import Progress
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


def progress(counts: Counter | dict, total: int) -> Progress:
    """Done of what is still meant to be done (cancelled items do not count): see progress.py."""
    return Progress.of(counts, total)


@dataclass
class Bar:
    status: ItemStatus
    label: str
    count: int
    percent: int | None  # of the counted items; None for cancelled (they do not count)
    colour: str


def status_bars(counts: Counter | dict, total: int) -> list[Bar]:
    """One bar per status (zeros included, so charts always have the same rows). Shares are of the
    items that count, so the done bar says what the progress figure says."""
    figure = Progress.of(counts, total)
    return [Bar(s, str(STATUS_LABELS[s]), counts.get(s, 0),
                None if s == ItemStatus.CANCELLED else figure.share(counts.get(s, 0)), STATUS_COLOURS[s])
            for s in STATUS_ORDER]


@dataclass
class Cell:
    item_id: int
    status: ItemStatus
    due_date: date | None
    overdue: bool
    org_id: int
    org_name: str
    member: bool  # one of the association user's members
    reminded_on: date | None = None  # the last reminder of this fan-out to the municipality
    has_account: bool = True  # an active user in the municipality: someone a reminder can reach


@dataclass
class RegionBlock:
    code: str
    name: str
    cells: list[Cell] = field(default_factory=list)      # after the filters
    counts: Counter = field(default_factory=Counter)     # before the filters
    total: int = 0
    overdue: int = 0

    @property
    def progress(self) -> Progress:
        return progress(self.counts, self.total)


@dataclass
class Matrix:
    regions: list[RegionBlock]          # every region of the fan-out, each with its filtered cells
    counts: Counter
    total: int
    overdue: int
    shown: int                          # cells left after the filters
    remindable: list[Cell]              # shown pending cells the user may remind (associations: members only)
    members: int                        # rows of the association user's members (0 for others)
    bars: list[Bar]
    no_members: bool = False            # an association user whose association has no members at all

    @property
    def progress(self) -> Progress:
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
        # organisers, participants, group members: not the agenda, minutes and conclusions (whose
        # nested loads ran only for some meetings, so the matrix's query count varied with the data)
        meeting = meeting_queries.load_for_rules(fanout.conclusion.meeting_id)
        # the conclusion holds the loaded meeting: the session's identity map holds it only weakly, and
        # a garbage collection in between made a later rule load it (and its participants) again
        set_committed_value(fanout.conclusion, "meeting", meeting)
    return fanout


def _member_clause(user):
    if not follows_members_only(user):
        return false()
    return ActionItem.assignee_org_id.in_(select(association_membership.c.member_id).where(
        association_membership.c.association_id == user.organisation_id))


def _last_reminders(fanout: FanOut):
    """Subquery: per organisation, the day of the last reminder of this fan-out. A reminder is
    claimed under the organisation's first user (reminders.remind_fanout), so the claim's user
    names the organisation."""
    return (select(User.organisation_id.label("org_id"), func.max(ReminderLog.day).label("day"))
            .join(User, User.id == ReminderLog.user_id).where(ReminderLog.topic == f"fanout:{fanout.id}")
            .group_by(User.organisation_id).subquery())


def folded(text: str) -> str:
    """Lower case without diacritics."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


def name_matcher(q: str):
    """Does a name contain what was typed? Without diacritics typed, diacritics are ignored
    ("crnomelj" finds Črnomelj); typed with them, they count ("ško" finds Škofja Loka, not Jezersko)."""
    wanted = q.strip().casefold()
    if not wanted:
        return lambda name: True
    if wanted == folded(wanted):
        return lambda name: wanted in folded(name)
    return lambda name: wanted in name.casefold()


def association_has_members(user) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(association_membership).where(
        association_membership.c.association_id == user.organisation_id)))


def fanout_matrix(fanout: FanOut, user, *, status: str = "", region: str = "", members_only: bool = False,
                  q: str = "", today: date | None = None) -> Matrix:
    today = today or types.today()
    reminded = _last_reminders(fanout)
    has_account = exists().where(User.organisation_id == Organisation.id, User.active)
    query = (queries.item_query(user)
             .with_only_columns(ActionItem.id, ActionItem.status, ActionItem.due_date, Organisation.id,
                                Organisation.name, Region.code, Region.name, _member_clause(user).label("member"),
                                reminded.c.day, has_account.label("has_account"))
             .join(Organisation, Organisation.id == ActionItem.assignee_org_id)
             .outerjoin(Region, Region.id == Organisation.region_id)
             .outerjoin(reminded, reminded.c.org_id == Organisation.id)
             .where(ActionItem.fanout_id == fanout.id)
             .order_by(sl_order(Region.name), sl_order(Organisation.name), ActionItem.id))
    blocks: dict[str, RegionBlock] = {}
    counts: Counter = Counter()
    overdue_total = members = shown = 0
    remindable: list[Cell] = []
    association = follows_members_only(user)
    matches = name_matcher(q)
    rows = db.session.execute(query)
    for item_id, item_status, due, org_id, org_name, region_code, region_name, member, last, account in rows:
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
        if status == OVERDUE and not late or status and status != OVERDUE and item_status != status:
            continue
        if region and region_code != region or members_only and not member:
            continue
        if not matches(org_name):
            continue
        cell = Cell(item_id, item_status, due, late, org_id, org_name, bool(member), last, bool(account))
        block.cells.append(cell)
        shown += 1
        if item_status in PENDING and (not association or member):  # what "remind" reaches: what is shown
            remindable.append(cell)
    total = sum(counts.values())
    regions = sorted(blocks.values(), key=lambda b: sort_key(b.name))  # the database sorted them already
    return Matrix(regions, counts, total, overdue_total, shown, remindable, members, status_bars(counts, total),
                  no_members=association and not association_has_members(user))
