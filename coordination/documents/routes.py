"""Meeting documents: the minutes and the conclusions ("Zaključki sestanka") as PDF/A-3b."""
from flask import Blueprint, Response, abort
from flask_login import current_user

from coordination.documents import meetings as documents
from coordination.documents.render import render_pdf
from coordination.meetings import permissions as perm
from coordination.meetings import services
from coordination.web.authz import guard, require

bp = Blueprint("documents", __name__)


def _meeting_or_404(meeting_id: int):
    meeting = services.load(meeting_id)
    if meeting is None:
        abort(404)
    require(perm.can_export, meeting)
    return meeting


def _attachment(pdf: bytes, name: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"  # holds what this user may see
    return response


@bp.route("/sestanki/<int:meeting_id>/zapisnik.pdf")
@guard(perm.can_browse)
def minutes_pdf(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    pdf = render_pdf("pdf/minutes.html", **documents.context(meeting, current_user, with_minutes=True))
    return _attachment(pdf, documents.filename("zapisnik", meeting))


@bp.route("/sestanki/<int:meeting_id>/sklepi.pdf")
@guard(perm.can_browse)
def conclusions_pdf(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    pdf = render_pdf("pdf/conclusions.html", **documents.context(meeting, current_user, with_minutes=False))
    return _attachment(pdf, documents.filename("zakljucki-sestanka", meeting))
