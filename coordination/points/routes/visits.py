"""Reporting visits: a point's grid of open months (one row a month: the total and the topics), and
the CSV/XLSX upload for many points and months, validated completely and applied only when its
owner confirms the valid rows, once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from coordination.extensions import db
from coordination.points import exports, queries, services, topics, visit_io
from coordination.points import permissions as perm
from coordination.points.forms import UploadForm
from coordination.points.models import VisitUpload
from coordination.points.months import month_start
from coordination.points.routes.network import common
from coordination.types import today
from coordination.web.authz import guard, require
from coordination.web.forms import Form
from coordination.web.htmx import render

bp = Blueprint("point_visits", __name__, url_prefix="/tocke")

PREVIEW_LIMIT = 300


@dataclass
class GridRow:
    month: date
    total: str = ""
    topics: dict[str, str] = field(default_factory=dict)
    error: str = ""
    reported: bool = False


def _point_or_404(point_id: int):
    point = queries.load_point(point_id)
    if point is None:
        abort(404)
    require(perm.can_report_visits, point)
    return point


def _years(point) -> list[int]:
    last = min(point.closed_on or today(), today())
    return list(range(point.opened_on.year, last.year + 1))


def _grid_rows(point, year: int) -> list[GridRow]:
    """The point's open months of `year` that have ended (or the current one), with what is reported."""
    this_month = month_start(today())
    rows = []
    for row in queries.point_visits(point, today()):
        if row.month.year != year or not row.open or row.month > this_month:
            continue
        rows.append(GridRow(row.month, "" if row.total is None else str(row.total),
                            {c: str(n) for c, n in row.topics.items()}, reported=row.total is not None))
    return rows


def _read_grid(rows: list[GridRow]) -> list[tuple[GridRow, int | None, dict]]:
    """The submitted figures of each row; a row's problem goes into row.error."""
    out = []
    for row in rows:
        key = row.month.isoformat()[:7]
        row.total = request.form.get(f"total-{key}", "").strip()[:12]
        row.topics = {c: request.form.get(f"{key}-{c}", "").strip()[:12] for c in topics.codes()}
        given = {c: v for c, v in row.topics.items() if v}
        if not row.total and not given:
            out.append((row, None, {}))
            continue
        if not row.total:
            row.error = _("Enter the month's total; the topic figures are a part of it.")
            continue
        values = {}
        for name, raw in (("total", row.total), *given.items()):
            label = _("total") if name == "total" else topics.label(name)
            value = visit_io.count_value(raw, label)
            if isinstance(value, str):
                row.error = value
                break
            values[name] = value
        if row.error:
            continue
        total = values.pop("total")
        if sum(values.values()) > total:
            row.error = _("The topics add up to %(sum)d visits, more than the total of %(total)d.",
                          sum=sum(values.values()), total=total)
            continue
        out.append((row, total, values))
    return out


@bp.route("/<int:point_id>/obisk", methods=["GET", "POST"])
@guard(perm.can_upload_visits)
def grid(point_id: int):
    point = _point_or_404(point_id)
    years = _years(point)
    year = request.values.get("leto", type=int) or (years[-1] if years else today().year)
    if year not in years:
        year = years[-1] if years else today().year
    rows = _grid_rows(point, year)
    form = Form()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = _read_grid(rows)
        if any(r.error for r in rows):
            status = 422
        else:
            saved = corrected = 0
            for row, total, by_topic in values:
                if total is None:
                    continue
                _report, changed = services.save_visits(point, row.month, total, by_topic, author=current_user)
                saved += changed and not row.reported
                corrected += changed and row.reported
            flash(ngettext("%(num)d month recorded", "%(num)d months recorded", saved) + ", "
                  + ngettext("%(num)d corrected.", "%(num)d corrected.", corrected), "success")
            return redirect(url_for("points.detail", point_id=point.id) + "#visits", 303)
    return render("points/visits_grid.html", point=point, rows=rows, year=year, years=years, form=form,
                  topic_list=topics.topics(), status=status, **common())


# --- the upload --------------------------------------------------------------------------------

@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    form = UploadForm(formdata=None)
    form.file.errors = [_("The file is larger than 2 MB; split it into smaller files.")]
    return _upload_page(form, 413)


def _upload_page(form, status=200):
    return render("points/upload.html", form=form, max_rows=visit_io.MAX_ROWS, topic_list=topics.topics(),
                  status=status, **common())


@bp.route("/obisk/uvoz", methods=["GET", "POST"])
@guard(perm.can_upload_visits)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, 422 if request.method == "POST" else 200)
    data = form.file.data.read(visit_io.MAX_BYTES + 1)
    filename = form.file.data.filename or ""
    try:
        if len(data) > visit_io.MAX_BYTES:
            raise visit_io.FileProblem(_("The file is larger than 2 MB; split it into smaller files."))
        parsed = visit_io.check(current_user, visit_io.read(data, filename))
    except visit_io.FileProblem as problem:
        form.file.errors.append(str(problem))
        return _upload_page(form, 422)
    upload = services.create_upload(current_user, filename=filename, valid_rows=parsed.rows, errors=parsed.errors)
    return redirect(url_for("point_visits.preview", upload_id=upload.id), 303)


def _upload_or_404(upload_id: int) -> VisitUpload:
    upload = db.session.get(VisitUpload, upload_id)
    if upload is None or upload.user_id != current_user.id:  # somebody else's upload does not exist for you
        abort(404)
    return upload


@bp.route("/obisk/uvoz/<int:upload_id>")
@guard(perm.can_upload_visits)
def preview(upload_id: int):
    upload = _upload_or_404(upload_id)
    return render("points/upload_preview.html", upload=upload, shown=upload.valid_rows[:PREVIEW_LIMIT],
                  limit=PREVIEW_LIMIT, total=sum(r["total"] for r in upload.valid_rows), **common())


@bp.route("/obisk/uvoz/<int:upload_id>/potrdi", methods=["POST"])
@guard(perm.can_upload_visits)
def confirm(upload_id: int):
    upload = _upload_or_404(upload_id)
    if not Form().validate_on_submit():
        abort(400)
    result = services.apply_upload(upload, author=current_user,
                                   recheck=lambda rows: visit_io.recheck(current_user, rows))
    if result is None:
        flash(_("This upload was already applied; nothing was changed again."), "error")
        return redirect(url_for("point_visits.preview", upload_id=upload_id), 303)
    created, corrected, refused = result
    parts = [ngettext("%(num)d month recorded", "%(num)d months recorded", created) + ", "
             + ngettext("%(num)d corrected.", "%(num)d corrected.", corrected)]
    if refused:
        parts.append(ngettext("%(num)d row refused: the point changed since the check.",
                              "%(num)d rows refused: the points changed since the check.", len(refused)))
    flash(" ".join(parts), "success" if not refused else "warning")
    return redirect(url_for("point_visits.preview", upload_id=upload_id), 303)


@bp.route("/obisk/predloga.<any(csv, xlsx):ext>")
@guard(perm.can_upload_visits)
def template(ext: str):
    rows = visit_io.template_rows(current_user)
    if ext == "csv":
        body, mime = exports.to_csv(rows[0], rows[1:]), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(rows[0], rows[1:], _("Visits"))
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mime, headers={
        "Content-Disposition": f'attachment; filename="obiski-predloga.{ext}"'})
