"""Hosting requests: the list, filing and editing a draft, the lifecycle steps (submit, review,
approve, reject, withdraw), opening the point, comments between the ministry and the applicant,
and the decision letter (PDF/A-3b)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from coordination.documents.render import in_document_language
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.points import charts, hours, queries, services
from coordination.points import permissions as perm
from coordination.points.forms import NEW_HOST, CommentForm, OpenForm, RequestForm, StepForm
from coordination.points.models import REQUEST_STATUS_LABELS, HostingRequest, RequestStatus
from coordination.points.routes.network import common
from coordination.roles import Role, is_staff
from coordination.types import today
from coordination.web.authz import guard, require
from coordination.web.formatting import sl_order, translated
from coordination.web.htmx import render
from coordination.web.pagination import paginate

bp = Blueprint("point_requests", __name__, url_prefix="/tocke/vloge")

# which rule allows which step of the lifecycle
STEP_RULES = {
    RequestStatus.SUBMITTED: perm.can_submit_request,
    RequestStatus.UNDER_REVIEW: perm.can_review_request,
    RequestStatus.APPROVED: perm.can_decide_request,
    RequestStatus.REJECTED: perm.can_decide_request,
    RequestStatus.WITHDRAWN: perm.can_withdraw_request,
}


def _context() -> dict:
    return {**common(), "request_labels": translated(REQUEST_STATUS_LABELS)}


def _request_or_404(request_id: int) -> HostingRequest:
    found = db.session.get(HostingRequest, request_id, options=[
        joinedload(HostingRequest.municipality), joinedload(HostingRequest.host),
        joinedload(HostingRequest.applicant_org), joinedload(HostingRequest.programme)])
    if found is None or not perm.can_view_request(current_user, found):
        abort(404)  # another organisation's request is as unknown as one that does not exist
    return found


@bp.route("/")
@guard(perm.can_browse_requests)
def index():
    status = request.args.get("status", "")
    query = (select(HostingRequest).where(perm.request_clause(current_user))
             .options(joinedload(HostingRequest.municipality), joinedload(HostingRequest.host))
             .order_by(HostingRequest.id.desc()))
    if status in {s.value for s in RequestStatus}:
        query = query.where(HostingRequest.status == RequestStatus(status))
    else:
        status = ""
    page = paginate(query, per_page=50)
    return render("points/requests.html", "points/_request_rows.html", page=page, chosen=status, **_context())


# --- the form ----------------------------------------------------------------------------------

def _municipalities():
    """A municipal official files for their own municipality only; the others for any."""
    query = select(Organisation.id, Organisation.name).where(Organisation.kind == OrgKind.MUNICIPALITY)
    if current_user.role == Role.MUNICIPAL:
        query = query.where(Organisation.id == current_user.organisation_id)
    return db.session.execute(query.order_by(sl_order(Organisation.name))).all()


def _hosts():
    return db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.kind.in_([OrgKind.HOST, OrgKind.MUNICIPALITY, OrgKind.OTHER]))
        .order_by(sl_order(Organisation.name))).all()


def _form(**kwargs) -> RequestForm:
    return RequestForm(municipalities=_municipalities(), hosts=_hosts(), **kwargs)


def _defaults() -> dict:
    """A new request starts at the user's municipality (its seat) or, for a host, its own institution."""
    org = current_user.organisation
    data = {"host_id": NEW_HOST, "contact_name": current_user.name, "contact_email": current_user.email}
    if org.kind == OrgKind.MUNICIPALITY:
        data.update(municipality_id=org.id, lat=org.seat_lat, lon=org.seat_lon)
    elif org.kind == OrgKind.HOST:
        data["host_id"] = str(org.id)
    return data


def _page(form, req=None, status=200):
    programme = services.current_programme()
    rules = None
    if programme is not None:
        rules = _("Programme rule: open at least %(days)d days and %(hours)d hours a week.",
                  days=programme.min_days_per_week, hours=programme.min_hours_per_week)
    seats = {i: [lat, lon] for i, lat, lon in db.session.execute(
        select(Organisation.id, Organisation.seat_lat, Organisation.seat_lon)
        .where(Organisation.kind == OrgKind.MUNICIPALITY))}
    return render("points/request_form.html", form=form, req=req, rules=rules, programme=programme,
                  view=charts.map_view([]), seats=seats, status=status, **_context())


def _allowed_municipality(form) -> bool:
    if current_user.role == Role.MUNICIPAL and form.municipality_id.data != current_user.organisation_id:
        form.municipality_id.errors = [*form.municipality_id.errors, _(
            "You may file requests only for your own municipality.")]
        return False
    return True


def _rule_notes(form, programme) -> list[str]:
    """The programme's rules the hours miss: shown with the form; a draft may miss them, a
    submitted request may not (checked at submission)."""
    if programme is None:
        return []
    try:
        return hours.rule_problems(form.opening_hours(), programme.min_days_per_week, programme.min_hours_per_week)
    except hours.HoursProblem:
        return []


@bp.route("/nova", methods=["GET", "POST"])
@guard(perm.can_create_request)
def create():
    programme = services.current_programme()
    if programme is None:
        abort(404)
    form = _form(data=_defaults() if request.method == "GET" else None)
    if request.method == "POST":
        complete = form.complete()
        if _allowed_municipality(form) and complete:
            req = services.create_request(current_user, programme, **form.fields_dict())
            flash(_("The request is saved as a draft. Check it and submit it to the ministry."), "success")
            for note in _rule_notes(form, programme):
                flash(note, "warning")
            return redirect(url_for("point_requests.detail", request_id=req.id), 303)
        return _page(form, status=422)
    return _page(form)


def _filled(req: HostingRequest) -> RequestForm:
    form = _form(data={
        "version": req.version, "municipality_id": req.municipality_id,
        "host_id": str(req.host_id) if req.host_id else NEW_HOST, "proposed_host_name": req.proposed_host_name,
        "proposed_host_kind": req.proposed_host_kind, "proposed_host_address": req.proposed_host_address,
        "address": req.address, "lat": req.lat, "lon": req.lon, "topics": list(req.topics), "staff": req.staff,
        "contact_name": req.contact_name, "contact_email": req.contact_email, "contact_phone": req.contact_phone,
        "expected_visits": req.expected_visits, "justification": req.justification})
    form.fill_hours(req.opening_hours)
    return form


@bp.route("/<int:request_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_browse_requests)
def edit(request_id: int):
    req = _request_or_404(request_id)
    require(perm.can_edit_request, req)
    if request.method == "GET":
        return _page(_filled(req), req)
    form = _form()
    complete = form.complete()
    if not (_allowed_municipality(form) and complete):
        return _page(form, req, status=422)
    try:
        services.update_request(req, base_version=_version(form.version.data), **form.fields_dict())
    except services.StaleRequest:
        db.session.rollback()
        form.version.errors = [_("Somebody else changed this request while you were editing it. Nothing was "
                                 "saved; reload the page to see their changes.")]
        return _page(form, _request_or_404(request_id), status=409)
    flash(_("Changes saved."), "success")
    return redirect(url_for("point_requests.detail", request_id=req.id), 303)


def _version(raw) -> int | None:
    return int(raw) if raw and str(raw).isdigit() else None


# --- the request's page and its steps ----------------------------------------------------------

def _detail(req, *, step_form=None, comment_form=None, open_form=None, status=200):
    programme = req.programme
    problems = hours.rule_problems(req.opening_hours, programme.min_days_per_week, programme.min_hours_per_week)
    if open_form is None and perm.can_open_point(current_user, req):
        open_form = OpenForm(formdata=None, data={"code": services.next_code(), "opened_on": today(),
                                                  "name": f"Digi info točka {req.municipality.name}",
                                                  "version": req.version})
    history = queries.request_history(req.id)
    dot = queries.Dot(req.id, req.file_number or "", req.host_name, "open", req.lat, req.lon, req.municipality.name,
                      "", req.host_name, req.address, today(), None)
    return render("points/request.html", req=req, history=history, rule_problems=problems,
                  step_form=step_form or StepForm(formdata=None, data={"version": req.version}),
                  comment_form=comment_form or CommentForm(formdata=None), open_form=open_form,
                  view=charts.map_view([dot]), status=status, **_context())


@bp.route("/<int:request_id>")
@guard(perm.can_browse_requests)
def detail(request_id: int):
    return _detail(_request_or_404(request_id))


@bp.route("/<int:request_id>/korak", methods=["POST"])
@guard(perm.can_browse_requests)
def step(request_id: int):
    req = _request_or_404(request_id)
    form = StepForm()
    try:
        target = RequestStatus(form.to.data or "")
    except ValueError:
        abort(400)
    rule = STEP_RULES.get(target)
    if rule is None:
        abort(400)
    if not rule(current_user, req):
        if perm.can_comment_request(current_user, req) or perm.applicant_side(current_user, req) or is_staff(
                current_user):
            # a step the request's state does not allow (any more): say so, change nothing
            form.reason.errors = [_("The request is “%(status)s”; it cannot become “%(new)s” now.",
                                    status=REQUEST_STATUS_LABELS[req.status], new=REQUEST_STATUS_LABELS[target])]
            return _detail(req, step_form=form, status=409)
        abort(403)
    if not form.validate_on_submit():
        return _detail(req, step_form=form, status=422)
    if target == RequestStatus.REJECTED and not (form.reason.data or "").strip():
        form.reason.errors = [_("Say why the request is rejected; the reasoning goes into the decision letter.")]
        return _detail(req, step_form=form, status=422)
    if target == RequestStatus.SUBMITTED:
        problems = hours.rule_problems(req.opening_hours, req.programme.min_days_per_week,
                                       req.programme.min_hours_per_week)
        if problems:
            form.reason.errors = [_("The request does not meet the programme's rules yet:"), *problems]
            return _detail(req, step_form=form, status=422)
    try:
        services.step(req, target, author=current_user, reason=form.reason.data or "",
                      base_version=_version(form.version.data))
    except services.StaleRequest:
        db.session.rollback()
        req = _request_or_404(request_id)
        form.reason.errors = [_("Somebody else changed this request a moment ago; it is now “%(status)s”. Nothing "
                                "was changed.", status=REQUEST_STATUS_LABELS[req.status])]
        return _detail(req, step_form=form, status=409)
    flash(_("The request is now “%(status)s”.", status=REQUEST_STATUS_LABELS[target]), "success")
    return redirect(url_for("point_requests.detail", request_id=req.id), 303)


@bp.route("/<int:request_id>/komentar", methods=["POST"])
@guard(perm.can_browse_requests)
def comment(request_id: int):
    req = _request_or_404(request_id)
    require(perm.can_comment_request, req)
    form = CommentForm()
    if not form.validate_on_submit():
        return _detail(req, comment_form=form, status=422)
    services.comment(req, form.text.data, author=current_user)
    flash(_("Comment added; the other side is notified."), "success")
    return redirect(url_for("point_requests.detail", request_id=req.id) + "#history", 303)


@bp.route("/<int:request_id>/odpri", methods=["POST"])
@guard(perm.can_browse_requests)
def open_point(request_id: int):
    req = _request_or_404(request_id)
    require(perm.can_open_point, req)
    form = OpenForm()
    if form.validate_on_submit():
        if services.code_taken(form.code.data):
            form.code.errors.append(_("The code %(code)s is already taken; the next free one is %(next)s.",
                                      code=form.code.data.strip().upper(), next=services.next_code()))
        else:
            try:
                point = services.open_point(req, author=current_user, code=form.code.data, name=form.name.data,
                                            opened_on=form.opened_on.data, base_version=_version(form.version.data))
            except services.StaleRequest:
                db.session.rollback()
                form.code.errors.append(_("Somebody else changed this request a moment ago. Nothing was changed."))
                return _detail(_request_or_404(request_id), open_form=form, status=409)
            flash(_("Point %(code)s is open.", code=point.code), "success")
            return redirect(url_for("points.detail", point_id=point.id), 303)
    return _detail(req, open_form=form, status=422)


@bp.route("/<int:request_id>/odlocba.pdf")
@guard(perm.can_browse_requests)
@in_document_language
def decision_pdf(request_id: int):
    from coordination.documents.render import render_pdf

    req = _request_or_404(request_id)
    require(perm.can_download_decision, req)
    approved = req.status != RequestStatus.REJECTED
    pdf = render_pdf("pdf/point_decision.html", req=req, approved=approved, **_context())
    name = f"odlocba-{(req.file_number or str(req.id)).replace(' ', '-').replace('/', '-').lower()}.pdf"
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
