"""Documents as PDF/A-3b: the minutes and the conclusions ("Zaključki sestanka") of a meeting, and
the action-item status reports."""
from flask import Blueprint, Response, abort
from flask_babel import gettext as _
from flask_login import current_user

from coordination.actions import permissions as actions_perm
from coordination.actions.matrix import load_fanout
from coordination.actions.models import describe_scope
from coordination.documents import actions as reports
from coordination.documents import meetings as documents
from coordination.documents.render import render_pdf
from coordination.extensions import db
from coordination.groups import permissions as groups_perm
from coordination.groups import services as groups
from coordination.meetings import approval, queries
from coordination.meetings import permissions as perm
from coordination.organisations import permissions as org_perm
from coordination.organisations.models import Organisation
from coordination.web.authz import guard, require, reveal
from coordination.web.formatting import format_period

bp = Blueprint("documents", __name__)


def _meeting_or_404(meeting_id: int):
    meeting = queries.load(meeting_id)
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)  # one who may not see it is not told that it exists
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


@bp.route("/sestanki/<int:meeting_id>/zapisnik-razlicica-<int:number>.pdf")
@guard(perm.can_browse)
def minutes_version_pdf(meeting_id: int, number: int):
    """The minutes as they were in approved version `number` (1: as approved; 2, 3, …: after each
    revision); the same rule as the minutes PDF, and only the versions the user may see."""
    meeting = _meeting_or_404(meeting_id)
    version = next((v for v in approval.approved_versions(meeting, current_user) if v.number == number), None)
    if version is None:
        abort(404)
    pdf = render_pdf("pdf/minutes.html", **documents.context(meeting, current_user, with_minutes=True,
                                                             version=version))
    return _attachment(pdf, documents.filename(f"zapisnik-razlicica-{number}", meeting))


@bp.route("/sestanki/<int:meeting_id>/sklepi.pdf")
@guard(perm.can_browse)
def conclusions_pdf(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    pdf = render_pdf("pdf/conclusions.html", **documents.context(meeting, current_user, with_minutes=False))
    return _attachment(pdf, documents.filename("zakljucki-sestanka", meeting))


# --- action-item status reports (documents/actions.py): a group, a meeting, a fan-out, a municipality ---

def _actions_report(where, *, heading: str, facts: list, name: str, show_source: bool = True) -> Response:
    context = reports.context(current_user, where, heading=heading, facts=facts, show_source=show_source)
    return _attachment(render_pdf("pdf/action_report.html", **context), reports.filename(name))


@bp.route("/skupine/<int:group_id>/naloge.pdf")
@guard(groups_perm.can_browse)
def group_actions_pdf(group_id: int):
    group = groups.load(group_id)
    if group is None:
        abort(404)
    return _actions_report(reports.group_scope(group), heading=f"{group.name} ({group.code})",
                           facts=[(_("Working group"), group.name)], name=group.code)


@bp.route("/sestanki/<int:meeting_id>/naloge.pdf")
@guard(perm.can_browse)
def meeting_actions_pdf(meeting_id: int):
    meeting = queries.load(meeting_id)
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)
    return _actions_report(reports.meeting_scope(meeting), heading=meeting.title,
                           facts=[(_("Meeting"), format_period(meeting.starts_at, meeting.ends_at))], name=meeting.title)


@bp.route("/razprsitve/<int:fanout_id>/porocilo.pdf")
@guard(actions_perm.can_browse)
def fanout_report_pdf(fanout_id: int):
    fanout = load_fanout(fanout_id)
    if fanout is None:
        abort(404)
    reveal(actions_perm.can_view_fanout, fanout)
    # what the report shows of its source follows the source's own rule for this reader
    source = (f"{fanout.conclusion.register_number}: {fanout.conclusion.text[:200]}"
              if perm.can_view_conclusion(current_user, fanout.conclusion) else _("A conclusion you may not see"))
    facts = [(_("Conclusion"), source), (_("Municipalities"), describe_scope(fanout))]
    return _actions_report(reports.fanout_scope(fanout), heading=fanout.title, facts=facts, name=fanout.title,
                           show_source=False)


@bp.route("/organizacije/<int:org_id>/naloge.pdf")
@guard(org_perm.can_browse)
def organisation_actions_pdf(org_id: int):
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    require(org_perm.can_view_private, org)
    return _actions_report(reports.organisation_scope(org), heading=org.name,
                           facts=[(_("Assigned to"), org.name)], name=org.display_name)
