"""The network of points: the list with live filters, the map, a point's page, editing and closing
a point (staff), and the public page with its GeoJSON."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import coordination.points.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.points import charts, exports, geo, hours, queries, services, topics
from coordination.points import permissions as perm
from coordination.points.forms import CloseForm, PointForm
from coordination.points.models import POINT_STATUS_LABELS, REQUEST_STATUS_LABELS, PointStatus, ServicePoint
from coordination.types import today
from coordination.web import kept
from coordination.web.authz import guard, public
from coordination.web.formatting import format_date, format_number, translated
from coordination.web.htmx import render, wants_fragment
from coordination.web.pagination import paginate

bp = Blueprint("points", __name__)

PER_PAGE = 50


def common() -> dict:
    """What every points page needs to name statuses, topics and weekdays."""
    return {"status_labels": translated(POINT_STATUS_LABELS), "request_labels": translated(REQUEST_STATUS_LABELS),
            "topic_labels": {t.code: t.name for t in topics.topics()},
            "day_labels": translated(hours.DAY_LABELS), "days": hours.DAYS, "day_text": hours.day_text,
            "attribution": geo.ATTRIBUTION}


def _filters() -> queries.Filters:
    return queries.parse_filters(request.args, set(topics.codes()))


MONTHS_SL = ("januar", "februar", "marec", "april", "maj", "junij", "julij", "avgust", "september", "oktober",
             "november", "december")


@bp.app_template_filter("month_label")
def month_label(month) -> str:
    """september 2023 (sl) or September 2023 (en)."""
    from flask_babel import get_locale

    from coordination.web.formatting import MONTHS_EN

    locale = get_locale()
    names = MONTHS_EN if locale is not None and locale.language == "en" else MONTHS_SL
    return f"{names[month.month - 1]} {month.year}"


@bp.app_template_global()
def points_of(org) -> list:
    """The points in a municipality or hosted by an organisation, for its organisation page."""
    return queries.points_of(org)


@bp.route("/tocke/")
@guard(perm.can_browse)
def index():
    filters = _filters()
    page = paginate(queries.list_query(filters), per_page=PER_PAGE)
    return render("points/index.html", "points/_results.html", page=page, filters=filters,
                  options=queries.filter_options(), counts=queries.counts_by_status(), **common())


@bp.route("/tocke/zemljevid")
@guard(perm.can_browse)
def map_page():
    filters = _filters()
    dots = queries.dots(filters)
    # the map and its table are drawn from the dots alone (and the language): kept by them
    results = kept.fragment("points/_map_results.html", tuple(dots),
                            lambda: dict(view=charts.map_view(dots), dots=dots, **common()))
    if wants_fragment():
        return results, 200, {"Vary": "HX-Request"}
    return render("points/map.html", results=results, filters=filters, options=queries.filter_options(), **common())


def _point_or_404(point_id: int) -> ServicePoint:
    point = queries.load_point(point_id)
    if point is None:
        abort(404)
    return point


def visit_chart(rows) -> charts.Chart | None:
    reported = [r for r in rows if r.total is not None]
    if not reported:
        return None
    labels = [f"{r.month.month}/{r.month.year % 100:02d}" for r in rows]
    return charts.column_chart(labels, [r.total or 0 for r in rows], fmt=lambda v: format_number(round(v)),
                               every=max(1, -(-len(rows) // 8)))


@bp.route("/tocke/<int:point_id>")
@guard(perm.can_browse)
def detail(point_id: int):
    point = _point_or_404(point_id)
    rows = queries.point_visits(point, today()) if perm.can_view_visits(current_user, point) else None
    topic_totals = {}
    for row in rows or []:
        for code, n in row.topics.items():
            topic_totals[code] = topic_totals.get(code, 0) + n
    dot = queries.Dot(point.id, point.code, point.name, point.status.value, point.lat, point.lon,
                      point.municipality.name, point.municipality.region.name if point.municipality.region else "",
                      point.host.name, point.address, point.opened_on, point.closed_on)
    return render("points/detail.html", point=point, rows=rows, chart=visit_chart(rows or []),
                  topic_totals=topic_totals, corrections=queries.corrections(point) if rows is not None else [],
                  history=queries.request_history(point.request_id) if perm.can_view_contacts(current_user, point)
                  else [], view=charts.map_view([dot], highlight=point.id), weekly=hours.weekly(point.opening_hours),
                  **common())


@bp.route("/tocke/<int:point_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_manage)
def edit(point_id: int):
    point = _point_or_404(point_id)
    form = PointForm(obj=point) if request.method == "GET" else PointForm()
    if request.method == "GET":
        form.fill_hours(point.opening_hours)
        form.topics.data = list(point.topics)
    elif form.complete():
        services.update_point(point, **form.fields_dict())
        flash(_("Changes saved."), "success")
        return redirect(url_for("points.detail", point_id=point.id), 303)
    return render("points/edit.html", form=form, point=point, status=422 if request.method == "POST" else 200,
                  **common())


@bp.route("/tocke/<int:point_id>/zapri", methods=["GET", "POST"])
@guard(perm.can_manage)
def close(point_id: int):
    point = _point_or_404(point_id)
    if point.status != PointStatus.OPEN:
        flash(_("The point is already closed."), "error")
        return redirect(url_for("points.detail", point_id=point.id), 303)
    form = CloseForm()
    if form.validate_on_submit():
        if form.closed_on.data < point.opened_on:
            form.closed_on.errors.append(_("The point opened on %(date)s; it cannot close before that.",
                                           date=format_date(point.opened_on)))
        else:
            services.close_point(point, author=current_user, closed_on=form.closed_on.data, reason=form.reason.data)
            flash(_("Point %(code)s closed.", code=point.code), "success")
            return redirect(url_for("points.detail", point_id=point.id), 303)
    return render("points/close.html", form=form, point=point, status=422 if request.method == "POST" else 200,
                  **common())


# --- the public page ---------------------------------------------------------------------------

def _published_programme():
    programme = services.current_programme()
    return programme if programme is not None and programme.publish_visits else None


@bp.route("/digi-info-tocke")
@public
def public_page():
    rows = exports.records(open_only=True)
    recent = _public_recent()
    figures = None if recent is None else tuple(recent.get(r.id, 0) for r in rows)
    # the map and the table are drawn from the open points and their figures alone: kept by them
    points = kept.fragment("points/_public_points.html", (tuple(rows), figures), lambda: dict(
        view=charts.map_view([r.dot() for r in rows]), rows=[(r, r.opening_hours) for r in rows], recent=recent,
        **common()))
    return render("points/public.html", count=len(rows), points=points, attribution=geo.ATTRIBUTION)


def _public_recent() -> dict[int, int] | None:
    """Visits of the last 3 months per point, when the ministry publishes them."""
    if _published_programme() is None:
        return None
    return queries.recent_visits(None, queries.latest_month() or today())


@bp.route("/digi-info-tocke.geojson")
@public
def public_geojson():
    """The open points for GIS portals such as the ministry's Geohub: no contacts, and visit figures
    only when the ministry publishes them."""
    body = exports.kept_geojson(exports.records(open_only=True), recent=_public_recent(), public=True)
    return Response(body, mimetype="application/geo+json",
                    headers={"Content-Disposition": 'inline; filename="digi-info-tocke.geojson"',
                             "Access-Control-Allow-Origin": "*"})
