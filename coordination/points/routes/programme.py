"""The pilot's numbers (ministry; associations read-only) and the programme's targets and rules."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.points import figures as figures_mod
from coordination.points import permissions as perm
from coordination.points import services
from coordination.points.forms import ProgrammeForm
from coordination.points.routes.network import common
from coordination.types import today
from coordination.web.authz import guard
from coordination.web.formatting import format_number
from coordination.web.htmx import render

bp = Blueprint("programme", __name__, url_prefix="/tocke/program")


def _programme_or_404():
    programme = services.current_programme()
    if programme is None:
        abort(404)
    return programme


def _fmt(value) -> str:
    return format_number(round(value))


@bp.route("/")
@guard(perm.can_view_programme)
def index():
    programme = _programme_or_404()
    figures = figures_mod.compute(programme, current_user, today())
    return render("points/programme.html", figures=figures, charts=figures_mod.chart_set(figures, _fmt),
                  month_names=figures_mod.month_labels(figures.months), **common())


@bp.route("/uredi", methods=["GET", "POST"])
@guard(perm.can_edit_programme)
def edit():
    programme = _programme_or_404()
    if request.method == "GET":
        form = ProgrammeForm(data={
            "min_days_per_week": programme.min_days_per_week, "min_hours_per_week": programme.min_hours_per_week,
            "publish_visits": programme.publish_visits,
            "targets": [{"due_on": t.due_on, "visits": t.visits, "label": t.label} for t in programme.targets]})
        while len(form.targets) < 4:
            form.targets.append_entry()
    else:
        form = ProgrammeForm()
        valid = form.validate()
        if form.check_targets() and valid:
            services.set_targets(programme, form.target_rows())
            services.set_rules(programme, min_days=form.min_days_per_week.data, min_hours=form.min_hours_per_week.data,
                               publish_visits=form.publish_visits.data)
            flash(_("The programme's targets and rules are saved."), "success")
            return redirect(url_for("programme.index"), 303)
    return render("points/programme_edit.html", form=form, programme=programme,
                  status=422 if request.method == "POST" else 200)
