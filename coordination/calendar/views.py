"""The calendar as pages: a month view and an agenda of the meetings the user may see. The feeds
(.ics subscriptions) are offered from them (coordination/calendar/routes.py)."""
from datetime import date

from flask import Blueprint, abort, request
from flask_login import current_user

from coordination.calendar import month as months
from coordination.meetings import permissions as perm
from coordination.types import today
from coordination.web.authz import guard
from coordination.web.htmx import render

bp = Blueprint("calendar_views", __name__)


@bp.route("/koledar/mesec")
@guard(perm.can_browse)
def month():
    shown = months.Month.parse(request.args.get("m"), today())
    if shown is None:
        abort(404)
    weeks = shown.weeks()
    days = months.meetings_between(current_user, weeks[0][0], weeks[-1][-1])
    return render("calendar/month.html", "calendar/_month.html", shown=shown, weeks=weeks, days=days,
                  today=today(), previous=shown.shifted(-1), following=shown.shifted(1))


@bp.route("/koledar/seznam")
@guard(perm.can_browse)
def agenda():
    raw = request.args.get("od")
    try:
        start = date.fromisoformat(raw) if raw else today()
    except ValueError:
        abort(404)
    days, more = months.agenda(current_user, start)
    return render("calendar/agenda.html", "calendar/_agenda.html", days=days, more=more, start=start,
                  today=today())
