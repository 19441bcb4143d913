"""Documents as PDF/A-3b: the minutes and the conclusions ("Sklepi") of a meeting, and the
action-item status reports, each in the language asked for (`?lang=en`, Slovenian otherwise); and
the letterheads (crest, file-number pattern) administrators set per organisation."""
from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.actions import permissions as actions_perm
from coordination.actions.matrix import load_fanout
from coordination.actions.models import describe_scope
from coordination.documents import actions as reports
from coordination.documents import meetings as documents
from coordination.documents import permissions as doc_perm
from coordination.documents import services as doc_services
from coordination.documents.forms import LetterheadForm
from coordination.documents.letterhead import CREST_MAX_BYTES
from coordination.documents.models import DocumentKind
from coordination.documents.render import in_document_language, render_pdf, set_default_heading
from coordination.extensions import db
from coordination.groups import permissions as groups_perm
from coordination.groups import services as groups
from coordination.meetings import approval, queries
from coordination.meetings import permissions as perm
from coordination.organisations import permissions as org_perm
from coordination.organisations.models import Organisation
from coordination.web.authz import guard, require, reveal
from coordination.web.formatting import format_period
from coordination.web.htmx import render
from coordination.web.transaction import commit_early

bp = Blueprint("documents", __name__)
# documents that name no organisation (reports, registries) carry the ministry's letterhead
set_default_heading(doc_services.ministry_heading)


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


def _meeting_document(meeting_id: int, kind: DocumentKind) -> Response:
    meeting = _meeting_or_404(meeting_id)
    number = documents.issue_number(meeting, kind)
    if number is not None:
        # the first issue of an approved document takes its file number for good, though this is a GET
        commit_early("a document's file number is given once, when it is first issued, and must stay")
        meeting = _meeting_or_404(meeting_id)
    with_minutes = kind == DocumentKind.MINUTES
    pdf = render_pdf("pdf/minutes.html" if with_minutes else "pdf/conclusions.html",
                     **documents.context(meeting, current_user, with_minutes=with_minutes, file_number=number))
    return _attachment(pdf, documents.filename("zapisnik" if with_minutes else "sklepi", meeting))


@bp.route("/sestanki/<int:meeting_id>/zapisnik.pdf")
@guard(perm.can_browse)
@in_document_language
def minutes_pdf(meeting_id: int):
    return _meeting_document(meeting_id, DocumentKind.MINUTES)


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
@in_document_language
def conclusions_pdf(meeting_id: int):
    return _meeting_document(meeting_id, DocumentKind.CONCLUSIONS)


# --- action-item status reports (documents/actions.py): a group, a meeting, a fan-out, a municipality ---

def _actions_report(where, *, heading: str, facts: list, name: str, show_source: bool = True,
                    fanout=None) -> Response:
    context = reports.context(current_user, where, heading=heading, facts=facts, show_source=show_source,
                              fanout=fanout)
    return _attachment(render_pdf("pdf/action_report.html", **context), reports.filename(name))


@bp.route("/skupine/<int:group_id>/naloge.pdf")
@guard(groups_perm.can_browse)
@in_document_language
def group_actions_pdf(group_id: int):
    group = groups.load(group_id)
    if group is None:
        abort(404)
    return _actions_report(reports.group_scope(group), heading=f"{group.name} ({group.code})",
                           facts=[(_("Working group"), group.name)], name=group.code)


@bp.route("/sestanki/<int:meeting_id>/naloge.pdf")
@guard(perm.can_browse)
@in_document_language
def meeting_actions_pdf(meeting_id: int):
    meeting = queries.load(meeting_id)
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)
    return _actions_report(reports.meeting_scope(meeting), heading=meeting.title,
                           facts=[(_("Meeting"), format_period(meeting.starts_at, meeting.ends_at))], name=meeting.title)


@bp.route("/razprsitve/<int:fanout_id>/porocilo.pdf")
@guard(actions_perm.can_browse)
@in_document_language
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
                           show_source=False, fanout=fanout)


@bp.route("/organizacije/<int:org_id>/naloge.pdf")
@guard(org_perm.can_browse)
@in_document_language
def organisation_actions_pdf(org_id: int):
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    require(org_perm.can_view_private, org)
    return _actions_report(reports.organisation_scope(org), heading=org.name,
                           facts=[(_("Assigned to"), org.name)], name=org.display_name)


# --- letterheads: an administrator sets an organisation's crest and file-number pattern ---------------

def _organisation_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


CREST_REFUSALS = {
    "empty": lambda: _("The file is empty."),
    "too large": lambda: _("The image is larger than %(size)d KB. Please upload a smaller PNG or JPEG.",
                           size=CREST_MAX_BYTES // 1024),
    "too many pixels": lambda: _("The image is too large (at most 3000 pixels a side)."),
    "not an image": lambda: _("This file is not a PNG or JPEG image (whatever its name says). SVG is not accepted."),
}
PATTERN_REFUSALS = {
    "length": lambda: _("Give a pattern of at most 60 characters."),
    "field": lambda: _("Use only {code}, {year} and {seq} (e.g. {seq:03d}) in braces."),
    "no seq": lambda: _("The pattern must contain {seq}, so that every document gets its own number."),
}


@bp.route("/organizacije/<int:org_id>/glava-dokumentov", methods=["GET", "POST"])
@guard(doc_perm.can_manage_letterhead)
def letterhead(org_id: int):
    org = _organisation_or_404(org_id)
    head = doc_services.letterhead_of(org)
    form = LetterheadForm()
    if request.method == "GET":
        form.file_number_pattern.data = head.file_number_pattern if head else doc_services.DEFAULT_PATTERN
    status = 200
    if form.validate_on_submit():
        upload = form.crest.data
        crest = upload.read(CREST_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None
        try:
            doc_services.save_letterhead(org, pattern=form.file_number_pattern.data, crest=crest,
                                         remove_crest=form.remove_crest.data)
        except doc_services.DocumentError as exc:
            refusals = CREST_REFUSALS if exc.field == "crest" else PATTERN_REFUSALS
            getattr(form, exc.field).errors.append(refusals[exc.reason]())
            status = 413 if exc.reason == "too large" else 422
        else:
            flash(_("The letterhead was saved."), "success")
            return redirect(url_for("documents.letterhead", org_id=org.id))
    elif request.method == "POST":
        status = 422
    example = doc_services.example_number(org, form.file_number_pattern.data)
    return render("documents/letterhead.html", org=org, head=head, form=form, example=example, status=status)


@bp.route("/organizacije/<int:org_id>/grb")
@guard(doc_perm.can_view_crest)
def crest(org_id: int):
    head = doc_services.letterhead_of(_organisation_or_404(org_id))
    if head is None or head.crest is None:
        abort(404)
    response = Response(head.crest, mimetype=head.crest_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
