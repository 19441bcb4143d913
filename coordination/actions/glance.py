"""A fan-out at a glance: every visible item as a dot on the seat of its municipality (macros/map.html)
and as a tile grouped by region and status, for the matrix page and the fan-out report PDF.

One query of plain rows (the items the user may see, so no dot or tile names or links an item the
reader may not see), then one loop; the outlines come from web/maps.py, projected once per process.
All the fan-out's items are drawn whatever the matrix's filters: the glance is the whole picture.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l

from coordination import types
from coordination.actions import queries
from coordination.actions.matrix import STATUS_COLOURS, STATUS_ORDER, progress
from coordination.actions.models import PENDING, STATUS_LABELS, ActionItem, FanOut, ItemStatus
from coordination.extensions import db
from coordination.organisations.models import Organisation, Region
from coordination.web import maps
from coordination.web.formatting import sl_order

OVERDUE = _l("Overdue")

# the shape of each status on the map, in the legend and on the tiles: never colour alone
STATUS_SHAPES = {
    ItemStatus.DONE: "circle",
    ItemStatus.IN_PROGRESS: "square",
    ItemStatus.OPEN: "triangle",
    ItemStatus.BLOCKED: "diamond",
    ItemStatus.CANCELLED: "cross",
}


@dataclass(frozen=True)
class Tile:
    item_id: int
    name: str
    status: ItemStatus
    overdue: bool
    href: str


@dataclass
class StatusGroup:
    status: ItemStatus
    tiles: list[Tile] = field(default_factory=list)


class _Counted:
    """Total and progress (the one definition, actions.progress) of a `counts` per status."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def progress(self) -> int:
        return progress(self.counts, self.total).percent


@dataclass
class RegionGlance(_Counted):
    code: str
    name: str
    groups: dict[ItemStatus, StatusGroup] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    overdue: int = 0

    @property
    def statuses(self) -> list[StatusGroup]:
        return [self.groups[s] for s in STATUS_ORDER if s in self.groups]


@dataclass
class Glance(_Counted):
    regions: list[RegionGlance]
    counts: Counter
    overdue: int
    marks: list[dict]  # href, x, y, name, status, overdue: maps.Mark once the page says whether to link
    unplaced: int      # items whose municipality has no seat on record (not on the map, still a tile)
    shapes = STATUS_SHAPES
    colours = STATUS_COLOURS
    labels = STATUS_LABELS
    order = STATUS_ORDER

    def legend(self) -> list[dict]:
        """The legend's entries: every status with its count, and overdue (the ring)."""
        entries = [{"shape": STATUS_SHAPES[s], "fill": STATUS_COLOURS[s], "ring": False,
                    "label": f"{STATUS_LABELS[s]} ({self.counts.get(s, 0)})"} for s in STATUS_ORDER]
        entries.append({"shape": "circle", "fill": "#ffffff", "ring": True, "label": f"{OVERDUE} ({self.overdue})"})
        return entries

    def view(self, links: bool = False) -> maps.View:
        """The drawing; with `links` each dot links to its item (the page; the PDF has none)."""
        labels = {s: str(label) for s, label in STATUS_LABELS.items()}  # translated once, not per dot
        late = str(OVERDUE).lower()
        marks = []
        for m in self.marks:
            status = m["status"]
            title = f"{m['name']}: {labels[status]}" + (f", {late}" if m["overdue"] else "")
            marks.append(maps.Mark(m["x"], m["y"], STATUS_SHAPES[status], STATUS_COLOURS[status], title,
                                   m["href"] if links else None, m["overdue"],
                                   f"status-{status.value}" + (" is-overdue" if m["overdue"] else "")))
        return maps.view(marks)


def _item_urls():
    """The item page's address for any id: url_for once, not 424 times (it cost more than the rest)."""
    placeholder = "2147483647"
    pattern = url_for("actions.detail", item_id=int(placeholder))
    return lambda item_id: pattern.replace(placeholder, str(item_id))


def fanout_glance(fanout: FanOut, user, today: date | None = None) -> Glance:
    today = today or types.today()
    href = _item_urls()
    query = (queries.item_query(user)
             .with_only_columns(ActionItem.id, ActionItem.status, ActionItem.due_date, Organisation.name,
                                Organisation.seat_lon, Organisation.seat_lat, Region.code, Region.name)
             .join(Organisation, Organisation.id == ActionItem.assignee_org_id)
             .outerjoin(Region, Region.id == Organisation.region_id)
             .where(ActionItem.fanout_id == fanout.id)
             .order_by(sl_order(Region.name), sl_order(Organisation.name), ActionItem.id))
    regions: dict[str, RegionGlance] = {}
    counts: Counter = Counter()
    marks, overdue, unplaced = [], 0, 0
    for item_id, status, due, name, lon, lat, region_code, region_name in db.session.execute(query):
        status = ItemStatus(status)
        late = status in PENDING and due is not None and due < today
        region = regions.get(region_code or "")
        if region is None:
            region = regions[region_code or ""] = RegionGlance(region_code or "", region_name or "—")
        region.groups.setdefault(status, StatusGroup(status)).tiles.append(Tile(item_id, name, status, late, href(item_id)))
        region.counts[status] += 1
        region.overdue += late
        counts[status] += 1
        overdue += late
        if lon is None or lat is None:
            unplaced += 1
            continue
        x, y = maps.xy(lon, lat)
        marks.append({"href": href(item_id), "x": x, "y": y, "name": name, "status": status, "overdue": late})
    return Glance(list(regions.values()), counts, overdue, marks, unplaced)
