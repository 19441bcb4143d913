"""The network out of the app: GeoJSON for GIS portals (RFC 7946), CSV and XLSX of the points and of
the visits (long format: point, month, topic, visits). Every export is read in a fixed number of
queries and holds only what the reader may see (the caller passes the rules' answers).

CSV goes out as Slovenian Excel reads it (UTF-8 with a BOM, `;`); a text cell beginning with
= + - @ gets an apostrophe so a spreadsheet never runs it as a formula (coordination/web/spreadsheet.py).
"""
from __future__ import annotations

import json
from datetime import date
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import String, cast, false, select

from coordination.extensions import db
from coordination.organisations.models import Region
from coordination.points import hours as hours_mod
from coordination.points import topics as topics_mod
from coordination.points.models import ServicePoint, VisitReport, VisitTopic
from coordination.points.queries import Host, Municipality, joined
from coordination.web import spreadsheet
from coordination.web.spreadsheet import safe

TOTAL = "total"  # the topic column of a month's total in the long visit export


class Record(NamedTuple):
    """A point as the public page and the GeoJSON show it: plain values (hashable, so web/kept.py can
    keep what is written from them), its JSON columns as the text the database holds."""

    id: int
    code: str
    name: str
    status: str
    address: str
    lat: float
    lon: float
    opened_on: date
    closed_on: date | None
    topics_json: str
    hours_json: str
    municipality: str
    iso_code: str | None
    region: str | None
    host: str
    visible: bool  # may the reader see its visit figures (visits_clause)

    @property
    def topics(self) -> list:
        return json.loads(self.topics_json)

    @property
    def opening_hours(self) -> dict:
        return json.loads(self.hours_json)

    def dot(self):
        from coordination.points.queries import Dot

        return Dot(self.id, self.code, self.name, self.status, self.lat, self.lon, self.municipality,
                   self.region or "", self.host, self.address, self.opened_on, self.closed_on)


def records(query_filter=None, *, open_only: bool = False, visible=None) -> list[Record]:
    """The points (in code order) as Records, one query of plain columns. `query_filter(query)` narrows
    the query (the list's filters); `visible`: the reader's visits_clause (none: no point's figures)."""
    query = joined(select(ServicePoint.id, ServicePoint.code, ServicePoint.name, ServicePoint.status,
                          ServicePoint.address, ServicePoint.lat, ServicePoint.lon, ServicePoint.opened_on,
                          ServicePoint.closed_on, cast(ServicePoint.topics, String),
                          cast(ServicePoint.opening_hours, String), Municipality.name, Municipality.iso_code,
                          Region.name, Host.name, visible if visible is not None else false()))
    if query_filter is not None:
        query = query_filter(query)
    if open_only:
        from coordination.points.models import PointStatus

        query = query.where(ServicePoint.status == PointStatus.OPEN)
    return [Record(row[0], row[1], row[2], str(row[3]), *row[4:15], bool(row[15]))
            for row in db.session.execute(query.order_by(ServicePoint.code))]


def point_rows(where=None, *, open_only: bool = False) -> list:
    """(point, municipality name, ISO code, region name, host name) in code order, one query."""
    query = joined(select(ServicePoint, Municipality.name, Municipality.iso_code, Region.name, Host.name))
    if where is not None:
        query = query.where(where)
    if open_only:
        from coordination.points.models import PointStatus

        query = query.where(ServicePoint.status == PointStatus.OPEN)
    return db.session.execute(query.order_by(ServicePoint.code)).all()


# --- GeoJSON -----------------------------------------------------------------------------------

def geojson(rows: list[Record], *, recent: dict[int, int] | None, public: bool) -> dict:
    """A FeatureCollection: WGS 84 longitude/latitude (RFC 7946: no `crs`), 6 decimals at most.
    `recent` = visits in the last 3 months per point id, or None when the reader may not see them;
    a point's own figure only when its record is `visible` (the public: every point, once published)."""
    features = []
    for point in rows:
        properties = {
            "code": point.code, "name": point.name, "host": point.host, "municipality": point.municipality,
            "iso_code": point.iso_code, "region": point.region, "status": point.status, "address": point.address,
            "opened_on": point.opened_on.isoformat(),
            "closed_on": point.closed_on.isoformat() if point.closed_on else None,
            "topics": list(point.topics), "opening_hours": _hours_text(point.opening_hours),
        }
        if recent is not None and (public or point.visible):
            properties["visits_last_3_months"] = recent.get(point.id, 0)
        if not public:
            properties["id"] = point.id
        features.append({"type": "Feature", "id": point.code,
                         "geometry": {"type": "Point", "coordinates": [round(point.lon, 6), round(point.lat, 6)]},
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def _hours_text(opening_hours: dict) -> dict:
    return {day: hours_mod.day_text(opening_hours.get(day)) for day in hours_mod.DAYS if opening_hours.get(day)}


def geojson_bytes(collection: dict) -> bytes:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def kept_geojson(rows: list[Record], *, recent: dict[int, int] | None, public: bool) -> bytes:
    """geojson_bytes(geojson(...)), kept in process memory by the records and figures it is written
    from (web/kept.py): the same network gives the same bytes."""
    from coordination.web.kept import kept

    figures = None if recent is None else tuple(recent.get(r.id, 0) for r in rows)
    return kept(("geojson", public, tuple(rows), figures),
                lambda: geojson_bytes(geojson(rows, recent=recent, public=public)))


# --- CSV and XLSX ------------------------------------------------------------------------------

def point_headers(with_contacts: bool) -> list[str]:
    heads = [_("Code"), _("Name"), _("Status"), _("Host"), _("Municipality"), _("ISO code"), _("Region"),
             _("Address"), _("Latitude"), _("Longitude"), _("Opened"), _("Closed"), _("Topics"), _("Opening hours")]
    if with_contacts:
        heads += [_("Contact person"), _("Business e-mail"), _("Business telephone"), _("Cost per month (EUR)")]
    return heads


def point_cells(row, status_labels: dict, may_see_contacts) -> list:
    point, municipality, iso, region, host = row
    hours = "; ".join(f"{hours_mod.DAY_LABELS[d]} {t}" for d, t in _hours_text(point.opening_hours).items())
    cells = [point.code, safe(point.name), status_labels[point.status], safe(host), municipality, iso or "",
             region or "", safe(point.address), round(point.lat, 6), round(point.lon, 6), point.opened_on,
             point.closed_on, ", ".join(point.topics), hours]
    if may_see_contacts is not None:
        if may_see_contacts(point):
            cells += [safe(point.contact_name), safe(point.contact_email), safe(point.contact_phone),
                      float(point.cost_per_month) if point.cost_per_month is not None else None]
        else:
            cells += ["", "", "", None]
    return cells


def visit_headers() -> list[str]:
    return [_("Code"), _("Point"), _("Month"), _("Topic"), _("Visits")]


def visit_rows(where) -> list[list]:
    """Long format: one row per point, month and topic, plus the month's total (topic "total");
    two queries whatever the size."""
    reports = db.session.execute(
        select(VisitReport.id, ServicePoint.code, ServicePoint.name, VisitReport.month, VisitReport.total)
        .join(ServicePoint, VisitReport.point_id == ServicePoint.id).where(where)
        .order_by(ServicePoint.code, VisitReport.month)).all()
    by_report: dict[int, list] = {}
    for report_id, topic, visits in db.session.execute(
            select(VisitTopic.report_id, VisitTopic.topic, VisitTopic.visits)
            .join(VisitReport, VisitTopic.report_id == VisitReport.id)
            .join(ServicePoint, VisitReport.point_id == ServicePoint.id).where(where)):
        by_report.setdefault(report_id, []).append((topic, visits))
    order = {code: i for i, code in enumerate(topics_mod.codes())}
    out = []
    for report_id, code, name, month, total in reports:
        label = month.isoformat()[:7]
        out.append([code, safe(name), label, TOTAL, total])
        for topic, visits in sorted(by_report.get(report_id, []), key=lambda t: order.get(t[0], 99)):
            out.append([code, safe(name), label, topic, visits])
    return out


def to_csv(headers: list[str], rows) -> bytes:
    return spreadsheet.csv_bytes(headers, rows)


def to_xlsx(headers: list[str], rows, title: str) -> bytes:
    return spreadsheet.xlsx_bytes(headers, rows, title)
