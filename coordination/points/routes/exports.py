"""Exports of the network: points as CSV, XLSX and GeoJSON, visits (long format) as CSV and XLSX,
and the network report PDF/A-3b. Each holds what its reader may see on the pages."""
from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_

from coordination.documents.render import in_document_language
from coordination.points import charts, exports, queries, services, topics
from coordination.points import figures as figures_mod
from coordination.points import permissions as perm
from coordination.points.models import POINT_STATUS_LABELS, ServicePoint
from coordination.points.routes.network import common
from coordination.types import today
from coordination.web.authz import guard
from coordination.web.formatting import format_datetime, format_number, translated

bp = Blueprint("point_exports", __name__, url_prefix="/tocke/izvoz")


def _filtered_ids():
    """The ids of the points the list's filters select (the export follows the list)."""
    filters = queries.parse_filters(request.args, set(topics.codes()))
    return [d.id for d in queries.dots(filters)]


def _download(body: bytes, mime: str, name: str) -> Response:
    response = Response(body, mimetype=mime)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _point_table():
    rows = exports.point_rows(ServicePoint.id.in_(_filtered_ids()))
    labels = translated(POINT_STATUS_LABELS)
    return exports.point_headers(True), [
        exports.point_cells(r, labels, lambda p: perm.can_view_contacts(current_user, p)) for r in rows]


@bp.route("/tocke.csv")
@guard(perm.can_browse)
def points_csv():
    head, rows = _point_table()
    return _download(exports.to_csv(head, rows), "text/csv; charset=utf-8", f"tocke-{today().isoformat()}.csv")


@bp.route("/tocke.xlsx")
@guard(perm.can_browse)
def points_xlsx():
    head, rows = _point_table()
    return _download(exports.to_xlsx(head, rows, _("Points")), XLSX, f"tocke-{today().isoformat()}.xlsx")


@bp.route("/tocke.geojson")
@guard(perm.can_browse)
def points_geojson():
    """The (filtered) network for GIS; visits of the last 3 months only on the points whose figures
    the reader may see."""
    filters = queries.parse_filters(request.args, set(topics.codes()))
    rows = exports.records(lambda query: queries.filtered(filters, query), visible=perm.visits_clause(current_user))
    recent = queries.recent_visits(None, queries.latest_month() or today())
    return _download(exports.kept_geojson(rows, recent=recent, public=False), "application/geo+json",
                     f"digi-info-tocke-{today().isoformat()}.geojson")


def _visit_table():
    where = and_(ServicePoint.id.in_(_filtered_ids()), perm.visits_clause(current_user))
    return exports.visit_headers(), exports.visit_rows(where)


@bp.route("/obisk.csv")
@guard(perm.can_browse)
def visits_csv():
    head, rows = _visit_table()
    return _download(exports.to_csv(head, rows), "text/csv; charset=utf-8", f"obiski-{today().isoformat()}.csv")


@bp.route("/obisk.xlsx")
@guard(perm.can_browse)
def visits_xlsx():
    head, rows = _visit_table()
    return _download(exports.to_xlsx(head, rows, _("Visits")), XLSX, f"obiski-{today().isoformat()}.xlsx")


@bp.route("/porocilo.pdf")
@guard(perm.can_view_programme)
@in_document_language
def report_pdf():
    from coordination.documents.render import render_pdf
    from coordination.types import utcnow

    programme = services.current_programme()
    if programme is None:
        abort(404)
    figures = figures_mod.compute(programme, current_user, today())

    def fmt(value):
        return format_number(round(value))

    dots = queries.dots()
    pdf = render_pdf("pdf/point_network.html", figures=figures, charts=figures_mod.chart_set(figures, fmt),
                     month_names=figures_mod.month_labels(figures.months), view=charts.map_view(dots),
                     counts=queries.counts_by_status(), generated=format_datetime(utcnow()), **common())
    return _download(pdf, "application/pdf", f"mreza-digi-info-tock-{today().isoformat()}.pdf")
