"""Reads for the Digi info točke pages: the filtered network list, the map's dots, a point's page,
the programme's figures, the GeoJSON. Each page costs a fixed number of queries whatever the size
of the network (aggregates run in the database; tests count the queries at two sizes)."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from coordination import models as _all_models  # noqa: F401  (every mapper known before aliased() configures them)
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind, Region
from coordination.organisations.services import named_in_order
from coordination.points.models import (
    PointStatus,
    Programme,
    RequestComment,
    ServicePoint,
    VisitCorrection,
    VisitReport,
    VisitTopic,
)
from coordination.points.months import add_months, count_months, month_end, month_start, months_between
from coordination.points.permissions import visits_clause
from coordination.web.formatting import sl_order
from coordination.web.forms import cached_options

SORTS = ("code", "name", "municipality", "opened", "status")

Municipality = aliased(Organisation, name="municipality_org")
Host = aliased(Organisation, name="host_org")


@dataclass
class Filters:
    text: str = ""
    region: str = ""
    municipality: int | None = None
    host: int | None = None
    status: str = ""
    topic: str = ""
    opened: str = ""   # YYYY-MM
    sort: str = "code"

    def args(self) -> dict:
        """The filters as URL arguments (for links that keep them)."""
        return {k: v for k, v in (("q", self.text), ("region", self.region), ("municipality", self.municipality),
                                  ("host", self.host), ("status", self.status), ("topic", self.topic),
                                  ("opened", self.opened), ("sort", self.sort if self.sort != "code" else ""))
                if v}


def parse_filters(args, topic_codes) -> Filters:
    def number(name):
        value = args.get(name, "")
        return int(value) if value.isdigit() and len(value) < 10 else None

    status = args.get("status", "")
    topic = args.get("topic", "")
    opened = args.get("opened", "")[:7]
    sort = args.get("sort", "code")
    return Filters(text=args.get("q", "").strip()[:100], region=args.get("region", "")[:8],
                   municipality=number("municipality"), host=number("host"),
                   status=status if status in {s.value for s in PointStatus} else "",
                   topic=topic if topic in topic_codes else "",
                   opened=opened if len(opened) == 7 and opened[:4].isdigit() and opened[5:].isdigit() else "",
                   sort=sort if sort in SORTS else "code")


def filtered(filters: Filters, query):
    """The query (over joined()) narrowed by the list's filters."""
    if filters.text:
        like = f"%{filters.text}%"
        query = query.where(or_(ServicePoint.code.ilike(like), ServicePoint.name.ilike(like),
                                ServicePoint.address.ilike(like), Host.name.ilike(like),
                                Municipality.name.ilike(like)))
    if filters.region:
        query = query.where(Region.code == filters.region)
    if filters.municipality:
        query = query.where(ServicePoint.municipality_id == filters.municipality)
    if filters.host:
        query = query.where(ServicePoint.host_id == filters.host)
    if filters.status:
        query = query.where(ServicePoint.status == PointStatus(filters.status))
    if filters.topic:
        # topics are a JSON list of codes; a code in quotes matches only itself on both databases
        query = query.where(cast(ServicePoint.topics, String).like(f'%"{filters.topic}"%'))
    if filters.opened:
        first = date(int(filters.opened[:4]), int(filters.opened[5:]), 1)
        query = query.where(ServicePoint.opened_on >= first, ServicePoint.opened_on < add_months(first, 1))
    return query


def joined(query):
    return (query.join(Municipality, ServicePoint.municipality_id == Municipality.id)
            .join(Host, ServicePoint.host_id == Host.id)
            .outerjoin(Region, Municipality.region_id == Region.id))


def list_query(filters: Filters):
    """ServicePoint rows (host and municipality loaded) matching the filters, in the chosen order."""
    query = filtered(filters, joined(select(ServicePoint)))
    order = {
        "code": [ServicePoint.code],
        "name": [sl_order(ServicePoint.name), ServicePoint.code],
        "municipality": [sl_order(Municipality.name), ServicePoint.code],
        "opened": [ServicePoint.opened_on.desc(), ServicePoint.code],
        "status": [ServicePoint.status, ServicePoint.code],
    }[filters.sort]
    return query.order_by(*order)


@dataclass(frozen=True)
class Dot:
    """One point on the map and in its text alternative."""

    id: int
    code: str
    name: str
    status: str
    lat: float
    lon: float
    municipality: str
    region: str
    host: str
    address: str
    opened_on: date
    closed_on: date | None


def dots(filters: Filters | None = None, *, open_only: bool = False) -> list[Dot]:
    """Every point of the (filtered) network for the map, in one query of plain columns."""
    query = joined(select(ServicePoint.id, ServicePoint.code, ServicePoint.name, ServicePoint.status,
                           ServicePoint.lat, ServicePoint.lon, Municipality.name, Region.name, Host.name,
                           ServicePoint.address, ServicePoint.opened_on, ServicePoint.closed_on))
    if filters is not None:
        query = filtered(filters, query)
    if open_only:
        query = query.where(ServicePoint.status == PointStatus.OPEN)
    return [Dot(*row[:3], str(row[3]), *row[4:7], row[7] or "", *row[8:])
            for row in db.session.execute(query.order_by(ServicePoint.code))]


def filter_options() -> dict:
    """Choices of the list's filters: four small queries."""
    regions = db.session.execute(select(Region.code, Region.name).order_by(sl_order(Region.name))).all()
    # the long drop-downs (212 municipalities, a host per point) are written once per list of names
    municipalities = cached_options(named_in_order(
        select(Organisation.id, Organisation.name).where(Organisation.kind == OrgKind.MUNICIPALITY)))
    hosts = cached_options(named_in_order(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(select(ServicePoint.host_id).distinct()))))
    months = sorted({month_start(d) for (d,) in db.session.execute(select(ServicePoint.opened_on).distinct())},
                    reverse=True)
    return {"regions": regions, "municipalities": municipalities, "hosts": hosts, "months": months}


def counts_by_status() -> dict[str, int]:
    return {str(s): n for s, n in db.session.execute(
        select(ServicePoint.status, func.count()).group_by(ServicePoint.status))}


# --- one point ---------------------------------------------------------------------------------

def load_point(point_id: int) -> ServicePoint | None:
    return db.session.get(ServicePoint, point_id, options=[joinedload(ServicePoint.programme),
                                                          joinedload(ServicePoint.request)])


def point_by_code(code: str) -> ServicePoint | None:
    return db.session.scalar(select(ServicePoint).where(ServicePoint.code == code.upper()))


@dataclass
class MonthRow:
    month: date
    total: int | None
    topics: dict[str, int] = field(default_factory=dict)
    open: bool = True


def point_visits(point: ServicePoint, until: date) -> list[MonthRow]:
    """The point's open months up to `until`, each with its report (two queries)."""
    last = point.closed_on or until
    months = months_between(point.opened_on, last) if point.opened_on <= last else []
    reports = {m: (rid, total) for rid, m, total in db.session.execute(
        select(VisitReport.id, VisitReport.month, VisitReport.total).where(VisitReport.point_id == point.id))}
    topics: dict[int, dict[str, int]] = defaultdict(dict)
    if reports:
        for rid, topic, visits in db.session.execute(
                select(VisitTopic.report_id, VisitTopic.topic, VisitTopic.visits)
                .join(VisitReport, VisitTopic.report_id == VisitReport.id).where(VisitReport.point_id == point.id)):
            topics[rid][topic] = visits
    # a report outside the open months (e.g. after a later closing) is still shown
    every = sorted(set(months) | set(reports))
    return [MonthRow(m, reports[m][1] if m in reports else None, topics.get(reports[m][0], {}) if m in reports else {},
                     m in months) for m in every]


def corrections(point: ServicePoint) -> list[tuple]:
    """(month, correction) of the point, newest first."""
    return db.session.execute(
        select(VisitReport.month, VisitCorrection).join(VisitCorrection, VisitCorrection.report_id == VisitReport.id)
        .where(VisitReport.point_id == point.id).order_by(VisitCorrection.id.desc())).all()


def request_history(request_id: int | None) -> list[RequestComment]:
    if request_id is None:
        return []
    return list(db.session.scalars(select(RequestComment).where(RequestComment.request_id == request_id)
                                   .order_by(RequestComment.id)))


def points_of(org: Organisation) -> list[ServicePoint]:
    """The points in a municipality or hosted by an organisation (its page lists them)."""
    return list(db.session.scalars(select(ServicePoint).where(
        or_(ServicePoint.municipality_id == org.id, ServicePoint.host_id == org.id)).order_by(ServicePoint.code)))


# --- the programme -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgrammePoint:
    """What the programme's figures need of one point: its open span, its cost and whether the reader
    may see its visit figures (visits_clause)."""

    id: int
    opened_on: date
    closed_on: date | None
    cost_per_month: Decimal | None
    visible: bool
    region: str | None  # of its municipality


def programme_points(programme: Programme, user) -> list[ProgrammePoint]:
    """Every point of the programme, one query of plain columns."""
    return [ProgrammePoint(*row[:4], bool(row[4]), row[5]) for row in db.session.execute(
        select(ServicePoint.id, ServicePoint.opened_on, ServicePoint.closed_on, ServicePoint.cost_per_month,
               visits_clause(user), Region.name)
        .join(Municipality, ServicePoint.municipality_id == Municipality.id)
        .outerjoin(Region, Municipality.region_id == Region.id)
        .where(ServicePoint.programme_id == programme.id).order_by(ServicePoint.id))]


def programme_months(programme: Programme, until: date, points: list[ProgrammePoint]) -> list[date]:
    first = min((p.opened_on for p in points), default=None) or programme.starts_on
    return months_between(min(first, programme.starts_on), max(min(until, programme.ends_on), first))


def open_per_month(points: list[ProgrammePoint], months: list[date]) -> list[int]:
    """Points open at the end of each month: opened by then and not closed by then. A point closes
    on or after it opens (a check of the table), so those closed by the month's end are a part of
    those opened by then, and two sorted lists of dates answer every month."""
    opened = sorted(p.opened_on for p in points)
    closed = sorted(p.closed_on for p in points if p.closed_on is not None)
    ends = [month_end(m) for m in months]
    return [bisect_right(opened, end) - bisect_right(closed, end) for end in ends]


def visits_per_month(programme: Programme, user) -> dict[date, int]:
    rows = db.session.execute(
        select(VisitReport.month, func.sum(VisitReport.total))
        .join(ServicePoint, VisitReport.point_id == ServicePoint.id)
        .where(ServicePoint.programme_id == programme.id, visits_clause(user))
        .group_by(VisitReport.month))
    return {m: int(n or 0) for m, n in rows}


def visits_by_region(points: list[ProgrammePoint], per_point: dict[int, int] | None = None) -> list[tuple[str, int, int]]:
    """(region, points, visits) in Slovenian order, every region with an organisation included. Visits
    are summed per point in the database (an index-only scan), or come summed (`per_point`,
    visit_totals), and are gathered by region here: cheaper than joining every report to its region.
    (Joining the regions' organisations to the points in one query made SQLite try every point for
    every organisation: 1.2 million pairs at the benchmark's scale, 0.5 s.)"""
    if per_point is None:
        per_point = dict(db.session.execute(
            select(VisitReport.point_id, func.sum(VisitReport.total)).group_by(VisitReport.point_id)).all())
    names = db.session.scalars(select(Region.name).where(
        select(Organisation.id).where(Organisation.region_id == Region.id).exists())).all()
    counts = dict.fromkeys(names, 0)
    visits = dict.fromkeys(names, 0)
    for p in points:
        if p.region in counts:
            counts[p.region] += 1
            if p.visible:
                visits[p.region] += int(per_point.get(p.id) or 0)
    from coordination.web.formatting import sort_key

    return sorted(((name, counts[name], visits[name]) for name in counts), key=lambda row: sort_key(row[0]))


def visits_by_topic(programme: Programme, user) -> dict[str, int]:
    rows = db.session.execute(
        select(VisitTopic.topic, func.sum(VisitTopic.visits))
        .join(VisitReport, VisitTopic.report_id == VisitReport.id)
        .join(ServicePoint, VisitReport.point_id == ServicePoint.id)
        .where(ServicePoint.programme_id == programme.id, visits_clause(user))
        .group_by(VisitTopic.topic))
    return {topic: int(n or 0) for topic, n in rows}


def costs(programme: Programme, user, until: date, points: list[ProgrammePoint],
          per_point: dict[int, int] | None = None) -> tuple[float, int] | None:
    """(cost, visits) over the visible points whose monthly cost is known, up to `until`; None if none
    is. `per_point`: every report of each point summed (visit_totals), given only when `until` ends the
    last month with visits, so that no later month adds any."""
    spans = [p for p in points if p.cost_per_month is not None and p.visible]
    if not spans:
        return None
    total_cost = Decimal(0)
    for p in spans:
        months = count_months(p.opened_on, min(p.closed_on or until, until)) if p.opened_on <= until else 0
        total_cost += p.cost_per_month * months
    if per_point is not None:
        return float(total_cost), sum(per_point.get(p.id, 0) for p in spans)
    visits = db.session.scalar(
        select(func.coalesce(func.sum(VisitReport.total), 0))
        .join(ServicePoint, VisitReport.point_id == ServicePoint.id)
        .where(ServicePoint.programme_id == programme.id, ServicePoint.cost_per_month.is_not(None),
               VisitReport.month <= month_start(until), visits_clause(user)))
    return float(total_cost), int(visits or 0)


def recent_visits(point_ids: list[int] | None, last_month: date, months: int = 3) -> dict[int, int]:
    """Visits per point in the `months` months up to `last_month` (GeoJSON property)."""
    first = add_months(month_start(last_month), -(months - 1))
    query = (select(VisitReport.point_id, func.sum(VisitReport.total))
             .where(VisitReport.month >= first, VisitReport.month <= month_start(last_month))
             .group_by(VisitReport.point_id))
    if point_ids is not None:
        query = query.where(VisitReport.point_id.in_(point_ids))
    return {pid: int(n or 0) for pid, n in db.session.execute(query)}


def latest_month() -> date | None:
    return db.session.scalar(select(func.max(VisitReport.month)))
