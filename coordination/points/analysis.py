"""The network analysis, fed from the database: the points, their visits in a window and the
municipalities with their seats and populations, read into the closure model's dataclasses
(coordination/points/network.py), and the model's answer turned into rows for pages, the PDF and
the stored decision.

Which points: those of the programme that are open and opened on or before the decision date (a
decision closes open points; points closed earlier are no part of it). Their visits over the
analysis window (whole months, by default the three full months before the decision date): a
month in which a point was open but reported nothing counts as 0 visits and is flagged. A point
open only part of a month counts that month by the share of its days it was open, so its monthly
average is fair. Points opened after the window have no figures to judge and are left out (they
stay open); the page says so.

The trend is the least-squares slope of a point's monthly visits over the window and the three
months before it (whole months open only), in visits per month per month.

Reading costs four SQL statements whatever the size of the network (the default date one more).
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind, Region
from coordination.points import network
from coordination.points.models import PointStatus, Programme, ServicePoint, VisitReport
from coordination.points.months import add_months, month_end, month_start, months_between

POPULATION_CSV = Path(__file__).resolve().parent.parent / "data" / "population.csv"
WINDOW_MONTHS = 3  # default window: the last three full months before the decision date
TREND_EXTRA_MONTHS = 3  # the trend also looks this many months before the window
DEFAULT_TIME_LIMIT_S = 5.0


@cache
def populations() -> dict[str, int]:
    """Residents per municipality ISO code (SURS, 1. 1. 2021; coordination/data/SOURCES.md)."""
    with open(POPULATION_CSV, encoding="utf-8", newline="") as fh:
        return {row["code"]: int(row["population"]) for row in csv.DictReader(fh)}


# --- parameters ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Params:
    """The analysis as asked for (by the form or the command line), already validated."""

    on: date
    window_from: date
    window_to: date
    close_count: int | None = None
    threshold: float | None = None
    region_min: int = 1
    region_min_overrides: dict[str, int] = field(default_factory=dict)  # region code -> minimum
    coverage_km: float | None = None
    population_over: int | None = None
    retention: bool = False
    retention_share: float = 0.5
    retention_km: float = 10.0
    expected_monthly: float = 30.0
    pinned_open: frozenset[int] = frozenset()
    pinned_closed: frozenset[int] = frozenset()

    @property
    def pinned(self) -> bool:
        return bool(self.pinned_open or self.pinned_closed)

    def as_json(self) -> dict:
        data = asdict(self)
        data.update(on=self.on.isoformat(), window_from=self.window_from.isoformat()[:7],
                    window_to=self.window_to.isoformat()[:7], pinned_open=sorted(self.pinned_open),
                    pinned_closed=sorted(self.pinned_closed))
        return data


def default_window(on: date) -> tuple[date, date]:
    """The last WINDOW_MONTHS full months before the decision date."""
    last = add_months(month_start(on), -1)
    return add_months(last, 1 - WINDOW_MONTHS), last


def default_date(programme: Programme, today: date) -> date:
    """Today; or, when the visits stop earlier (a finished pilot), the first day after the last
    reported month, so the default window holds visits."""
    last = db.session.scalar(select(func.max(VisitReport.month)).join(ServicePoint)
                             .where(ServicePoint.programme_id == programme.id))
    if last is None:
        return today
    return min(today, add_months(last, 1))


# --- the data ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointInfo:
    id: int
    code: str
    name: str
    host_id: int
    host: str
    municipality_id: int
    municipality_code: str
    municipality: str
    region_code: str
    region: str
    lat: float
    lon: float
    opened_on: date
    visits: int       # in the window
    months: float     # months of the window the point was open (a part month by its share of days)
    missing: int      # months of the window the point was open without a report
    trend: float | None

    @property
    def monthly(self) -> float:
        return self.visits / self.months if self.months else 0.0


@dataclass
class NetworkData:
    programme: Programme
    on: date
    window_from: date
    window_to: date
    points: list[PointInfo]
    too_new: list[PointInfo]          # opened after the window: left out, they stay open
    municipalities: list[network.Municipality]
    region_names: dict[str, str]      # code -> name (the model speaks of regions by name)

    def model_points(self) -> list[network.Point]:
        return [network.Point(p.id, p.code, p.visits, p.months, p.municipality_code, p.region, p.lat, p.lon)
                for p in self.points]

    def window_visits(self) -> int:
        return sum(p.visits for p in self.points)


def _open_share(opened_on: date, month: date) -> float:
    """Share of `month` (its first day) the point was open, given it is still open."""
    end = month_end(month)
    if opened_on <= month:
        return 1.0
    if opened_on > end:
        return 0.0
    return ((end - opened_on).days + 1) / end.day


def _slope(values: list[float]) -> float | None:
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def load(programme: Programme, on: date, window_from: date, window_to: date) -> NetworkData:
    """Everything the model needs for a decision on `on` with visits from the window (first days of months)."""
    host, muni = aliased(Organisation), aliased(Organisation)
    where = (ServicePoint.programme_id == programme.id, ServicePoint.status == PointStatus.OPEN,
             ServicePoint.opened_on <= on)
    rows = db.session.execute(
        select(ServicePoint.id, ServicePoint.code, ServicePoint.name, ServicePoint.host_id, host.name,
               ServicePoint.municipality_id, muni.iso_code, muni.name, Region.code, Region.name,
               ServicePoint.lat, ServicePoint.lon, ServicePoint.opened_on)
        .join(host, host.id == ServicePoint.host_id).join(muni, muni.id == ServicePoint.municipality_id)
        .join(Region, Region.id == muni.region_id).where(*where).order_by(ServicePoint.code)).all()
    trend_from = add_months(window_from, -TREND_EXTRA_MONTHS)
    visits: dict[int, dict[date, int]] = {}
    for point_id, month, total in db.session.execute(
            select(VisitReport.point_id, VisitReport.month, VisitReport.total).join(ServicePoint)
            .where(*where, VisitReport.month >= trend_from, VisitReport.month <= window_to)):
        visits.setdefault(point_id, {})[month] = total
    people = populations()
    municipalities, region_names = [], {}
    for code, name, region_code, region_name, lat, lon in db.session.execute(
            select(Organisation.iso_code, Organisation.name, Region.code, Region.name, Organisation.seat_lat,
                   Organisation.seat_lon).join(Region, Region.id == Organisation.region_id)
            .where(Organisation.kind == OrgKind.MUNICIPALITY, Organisation.iso_code.is_not(None),
                   Organisation.seat_lat.is_not(None)).order_by(Organisation.iso_code)):
        region_names[region_code] = region_name
        municipalities.append(network.Municipality(code, name, region_name, lat, lon, people.get(code, 0)))

    window = months_between(window_from, window_to)
    trend_months = months_between(trend_from, window_to)
    points, too_new = [], []
    for (pid, code, name, host_id, host_name, muni_id, muni_code, muni_name, region_code, region_name,
         lat, lon, opened_on) in rows:
        own = visits.get(pid, {})
        shares = [_open_share(opened_on, m) for m in window]
        months = round(sum(shares), 4)
        info = PointInfo(
            id=pid, code=code, name=name, host_id=host_id, host=host_name, municipality_id=muni_id,
            municipality_code=muni_code, municipality=muni_name, region_code=region_code, region=region_name,
            lat=lat, lon=lon, opened_on=opened_on,
            visits=sum(own.get(m, 0) for m in window), months=months,
            missing=sum(1 for m, share in zip(window, shares, strict=True) if share and m not in own),
            trend=_slope([own.get(m, 0) for m in trend_months if _open_share(opened_on, m) == 1.0]))
        (points if months > 0 else too_new).append(info)
    return NetworkData(programme, on, window_from, window_to, points, too_new, municipalities, region_names)


def build(data: NetworkData) -> network.Network:
    return network.Network(data.model_points(), data.municipalities)


def rules(data: NetworkData, params: Params, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> network.Rules:
    """The model's rules; pins of points that are not in the analysis are dropped (see `unknown_pins`)."""
    ids = {p.id for p in data.points}
    overrides = {data.region_names[code]: n for code, n in params.region_min_overrides.items()
                 if code in data.region_names}
    return network.Rules(
        close_count=params.close_count, threshold=params.threshold, region_min=params.region_min,
        region_min_overrides=overrides, coverage_km=params.coverage_km, population_over=params.population_over,
        retention=params.retention, retention_share=params.retention_share, retention_km=params.retention_km,
        pinned_open=params.pinned_open & ids, pinned_closed=params.pinned_closed & ids,
        expected_monthly=params.expected_monthly, time_limit_s=time_limit_s)


def unknown_pins(data: NetworkData, params: Params) -> list[int]:
    ids = {p.id for p in data.points}
    return sorted((params.pinned_open | params.pinned_closed) - ids)


def fingerprint(data: NetworkData, params: Params) -> str:
    """What the proposal was computed from: the programme, the date, the window, each point with
    its visits, and the rules. Any change to the network (a point closed or opened, a visit figure
    corrected) or to the rules gives another fingerprint."""
    payload = {
        "programme": data.programme.id, "params": params.as_json(),
        "points": [[p.id, p.visits, p.months, p.municipality_code, round(p.lat, 6), round(p.lon, 6)]
                   for p in data.points],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# --- the answer as rows ----------------------------------------------------------------------------

def reason_dict(reason: network.Reason) -> dict:
    return {"code": reason.code, "numbers": dict(reason.numbers), "names": list(reason.names)}


def reason_from(data: dict) -> network.Reason:
    return network.Reason(data["code"], data.get("numbers", {}), tuple(data.get("names", ())))


def point_rows(data: NetworkData, solution: network.Solution,
               explanations: list[network.PointExplanation]) -> list[dict]:
    """One JSON-able row per point: its figures, the verdict and the reasons (codes and numbers)."""
    by_id = {p.id: p for p in data.points}
    rows = []
    for ex in explanations:
        p = by_id[ex.point_id]
        pinned = ("open" if p.id in solution.rules.pinned_open
                  else "closed" if p.id in solution.rules.pinned_closed else None)
        rows.append({
            "id": p.id, "code": p.code, "name": p.name, "host_id": p.host_id, "host": p.host,
            "municipality_id": p.municipality_id, "municipality": p.municipality, "region": p.region,
            "lat": p.lat, "lon": p.lon, "visits": p.visits, "months": p.months, "monthly": round(p.monthly, 2),
            "missing": p.missing, "trend": None if p.trend is None else round(p.trend, 2),
            "open": ex.open, "pinned": pinned, "reasons": [reason_dict(r) for r in ex.reasons],
            "nearest_km": None if ex.nearest_open_km is None else round(ex.nearest_open_km, 2),
            "nearest_code": by_id[ex.nearest_open_id].code if ex.nearest_open_id is not None else None,
            "retained": ex.retained,
        })
    return rows


def region_rows(totals: list[network.RegionTotals]) -> list[dict]:
    return [asdict(t) for t in totals]


def sum_regions(rows: list[dict]) -> dict:
    """The national line under the per-region table."""
    keys = ("points_before", "points_after", "visits_monthly", "lost_monthly", "visits_window", "lost_window",
            "population", "uncovered_before", "uncovered_after")
    total = {k: sum(r[k] for r in rows) for k in keys}
    total["km"] = rows[0]["km"] if rows else None
    return total
