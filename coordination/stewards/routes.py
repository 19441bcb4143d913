"""The registry's entries: the list, a municipality's entries, one appointment, and every change
to them (nominate, edit with the appointing act, end, confirm or return, trainings, datasets)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

import coordination.stewards.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.extensions import db
from coordination.organisations import services as organisations
from coordination.organisations.models import Organisation
from coordination.organisations.reference import ATTRIBUTION
from coordination.roles import is_staff, signed_in
from coordination.stewards import (
    digest,  # noqa: F401  (registers the stewards' part of the daily digest)
    forms,
    queries,
    services,
)
from coordination.stewards import permissions as perm
from coordination.stewards.history import events
from coordination.stewards.models import (
    FREQUENCY_LABELS,
    OPTIONAL_PUBLIC,
    ROLE_LABELS,
    STATUS_LABELS,
    ActFile,
    Appointment,
    Dataset,
    Frequency,
    Training,
)
from coordination.types import today
from coordination.web.authz import guard, public, require
from coordination.web.formatting import format_date, translated
from coordination.web.htmx import render

bp = Blueprint("stewards", __name__, url_prefix="/skrbniki")

STATE_FILTERS = ("confirmed", "nominated", "none", "flagged")


def labels() -> dict:
    return {"role_labels": translated(ROLE_LABELS), "status_labels": translated(STATUS_LABELS),
            "frequency_labels": translated(FREQUENCY_LABELS), "public_labels": translated(OPTIONAL_PUBLIC), "state_labels": translated(queries.STATE_LABELS)}


def _municipality_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id, options=[selectinload(Organisation.associations)])
    if org is None or not org.is_municipality:
        abort(404)
    return org


def _appointment_or_404(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    return appointment


# --- the list and the pages --------------------------------------------------------------------

def _filters() -> dict:
    args = request.args
    state = args.get("state", "")
    return {"region": args.get("region", "")[:8], "association": args.get("association", "")[:10],
            "state": state if state in STATE_FILTERS else "", "text": args.get("q", "").strip()[:100]}


@bp.route("/")
@public
def index():
    filters = _filters()
    rows = queries.registry(today(), **filters)
    return render("stewards/index.html", "stewards/_registry_rows.html", rows=rows, filters=filters,
                  regions=organisations.regions(), associations=organisations.associations(),
                  internal=queries.internal_ids(current_user), today=today(), attribution=ATTRIBUTION, **labels())


@bp.route("/obcine/<int:org_id>")
@public
def municipality(org_id: int):
    org = _municipality_or_404(org_id)
    return _municipality_page(org)


def _municipality_page(org, status: int = 200, conflict: str | None = None):
    appointments = queries.entry(org.id)
    ending, lapsed, state = queries.own_flags(org.id, today())
    internal = perm.can_view_internal(current_user, org)
    return render("stewards/municipality.html", org=org, appointments=appointments, internal=internal,
                  state=state, ending_on=ending, lapsed_on=lapsed, today=today(), conflict=conflict,
                  history=events(queries.history([a.id for a in appointments])) if internal else [],
                  status=status, **labels())


@bp.route("/imenovanja/<int:appointment_id>")
@public
def appointment(appointment_id: int):
    return _appointment_page(_appointment_or_404(appointment_id))


def _appointment_page(appointment, *, status: int = 200, conflict: str | None = None, **form_overrides):
    internal = perm.can_view_internal(current_user, appointment)
    page_forms = {}
    if perm.can_confirm(current_user, appointment):
        page_forms["confirm_form"] = forms.VersionForm(formdata=None, data={"version": appointment.version})
        page_forms["return_form"] = forms.ReturnForm(formdata=None, data={"version": appointment.version})
    if perm.can_edit(current_user, appointment):
        page_forms["training_form"] = forms.TrainingForm(formdata=None)
        page_forms["dataset_form"] = forms.DatasetForm(formdata=None)
    page_forms.update(form_overrides)
    return render("stewards/appointment.html", appointment=appointment, org=appointment.organisation,
                  internal=internal, today=today(), conflict=conflict, status=status,
                  history=events(queries.history([appointment.id])) if internal else [], **page_forms, **labels())


# --- nominate and edit ---------------------------------------------------------------------------

def _uploaded(form) -> tuple[str, bytes] | None:
    file = form.act_file.data
    if not file or not getattr(file, "filename", ""):
        return None
    return file.filename, file.read(services.ACT_MAX_BYTES + 1)


def _upload_problem(form, upload) -> int | None:
    """Put the upload's problem next to its field; the status code it calls for, or None."""
    if upload is None:
        return None
    problem = services.pdf_problem(upload[1])
    if problem is None:
        return None
    if problem == "too large":
        form.act_file.errors.append(_("The file is larger than 2 MB. Please upload a smaller PDF."))
        return 413
    form.act_file.errors.append(_("This file is not a PDF document (whatever its name says). Please upload the act as a PDF."))
    return 422


def _refusal(form, exc: services.StewardError) -> None:
    messages = {
        "ends before it starts": _("The appointment cannot end before it starts."),
        "another confirmed steward": _("The municipality already has a confirmed data steward for this period. "
                                       "End that appointment first, or start this one later."),
        "ended": _("This appointment has ended and can no longer be changed."),
    }
    target = getattr(form, exc.field or "", None) or form.person_name
    target.errors.append(messages.get(exc.message, exc.message))


@bp.route("/obcine/<int:org_id>/nov", methods=["GET", "POST"])
@guard(signed_in)
def nominate(org_id: int):
    org = _municipality_or_404(org_id)
    require(perm.can_maintain, org)
    form = forms.AppointmentForm()
    if request.method == "GET":
        form.public_fields.data = list(services.OPTIONAL_PUBLIC)[:3]
    status = 200
    if form.validate_on_submit():
        upload = _uploaded(form)
        status = _upload_problem(form, upload) or 200
        if status == 200:
            try:
                created = services.nominate(org, **form.fields())
                if upload:
                    services.attach_act(created, filename=upload[0], data=upload[1], author=current_user)
            except services.StewardError as exc:
                _refusal(form, exc)
                status = 422
            else:
                flash(_("The nomination of %(name)s has been saved and sent to the ministry for confirmation.",
                        name=created.person_name), "success")
                return redirect(url_for("stewards.appointment", appointment_id=created.id))
    elif request.method == "POST":
        status = 422
    return render("stewards/form.html", form=form, org=org, appointment=None, status=status, **labels())


@bp.route("/imenovanja/<int:appointment_id>/uredi", methods=["GET", "POST"])
@guard(signed_in)
def edit(appointment_id: int):
    appointment = _appointment_or_404(appointment_id)
    require(perm.can_maintain, appointment)
    if not perm.can_edit(current_user, appointment):
        flash(_("This appointment has ended and can no longer be changed."), "info")
        return redirect(url_for("stewards.appointment", appointment_id=appointment.id))
    form = forms.AppointmentForm(obj=appointment)
    if request.method == "GET":
        form.version.data = str(appointment.version)
        form.public_fields.data = list(appointment.public_fields or ())
    status = 200
    if form.validate_on_submit():
        upload = _uploaded(form)
        status = _upload_problem(form, upload) or 200
        if status == 200:
            try:
                services.update(appointment, version=form.version_number(), by_staff=is_staff(current_user),
                                **form.fields())
                if upload:
                    services.attach_act(appointment, filename=upload[0], data=upload[1], author=current_user)
            except services.StaleAppointment:
                db.session.rollback()
                form.person_name.errors.append(_(
                    "Someone else changed this appointment while you were editing it. Reload the page to see "
                    "their changes; yours have not been saved."))
                status = 409
            except services.StewardError as exc:
                db.session.rollback()
                _refusal(form, exc)
                status = 422
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for("stewards.appointment", appointment_id=appointment.id))
    elif request.method == "POST":
        status = 422
    return render("stewards/form.html", form=form, org=appointment.organisation, appointment=appointment,
                  status=status, **labels())


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    from coordination.web.htmx import render as render_page

    return render_page("errors/error.html", "errors/_error.html", status=413, code=413,
                       title=_("The upload is too large"),
                       text=_("The appointing act may be at most 2 MB. Nothing has been saved; go back and choose a smaller PDF."))


# --- the ministry: confirm or return; anyone who maintains: end ----------------------------------

def _stale(appointment):
    db.session.rollback()
    fresh = _appointment_or_404(appointment.id)
    return _appointment_page(fresh, status=409, conflict=_(
        "This entry was changed after you opened it, so nothing was done. Please review it as it is now "
        "and decide again."))


@bp.route("/imenovanja/<int:appointment_id>/potrdi", methods=["POST"])
@guard(perm.can_review)
def confirm(appointment_id: int):
    appointment = _appointment_or_404(appointment_id)
    form = forms.VersionForm()
    if not form.validate_on_submit():
        abort(400)
    if not perm.can_confirm(current_user, appointment):
        return _stale(appointment)  # confirmed, returned or ended meanwhile
    try:
        ended = services.confirm(appointment, author=current_user, version=form.version.data)
    except services.StaleAppointment:
        return _stale(appointment)
    except services.StewardError:
        db.session.rollback()
        return _appointment_page(_appointment_or_404(appointment_id), status=422, conflict=_(
            "The municipality already has a confirmed data steward who started on the same day or later. "
            "Change the start of this appointment or end the other one first."))
    flash(_("The appointment of %(name)s is confirmed.", name=appointment.person_name), "success")
    for previous in ended:
        flash(_("The appointment of %(name)s ends on %(day)s.", name=previous.person_name,
                day=format_date(previous.valid_until)), "info")
    return redirect(url_for("stewards.appointment", appointment_id=appointment.id))


@bp.route("/imenovanja/<int:appointment_id>/vrni", methods=["GET", "POST"])
@guard(perm.can_review)
def return_nomination(appointment_id: int):
    appointment = _appointment_or_404(appointment_id)
    if request.method == "GET":
        return redirect(url_for("stewards.appointment", appointment_id=appointment.id) + "#return")
    form = forms.ReturnForm()
    if not perm.can_confirm(current_user, appointment):
        return _stale(appointment)
    if not form.validate_on_submit():
        return _appointment_page(appointment, status=422, return_form=form)
    try:
        services.return_nomination(appointment, author=current_user, version=form.version.data, reason=form.reason.data)
    except services.StaleAppointment:
        return _stale(appointment)
    flash(_("The nomination has been returned to the municipality with your reason."), "success")
    return redirect(url_for("stewards.appointment", appointment_id=appointment.id))


@bp.route("/imenovanja/<int:appointment_id>/koncaj", methods=["GET", "POST"])
@guard(signed_in)
def end(appointment_id: int):
    appointment = _appointment_or_404(appointment_id)
    require(perm.can_maintain, appointment)
    if not perm.can_end(current_user, appointment):
        flash(_("This appointment cannot be ended."), "info")
        return redirect(url_for("stewards.appointment", appointment_id=appointment.id))
    form = forms.EndForm(data={"version": appointment.version} if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            services.end(appointment, version=form.version.data, on=form.ends_on.data, reason=form.reason.data)
        except services.StaleAppointment:
            return _stale(appointment)
        except services.StewardError:
            db.session.rollback()
            form.ends_on.errors.append(_("The last day cannot be before the appointment starts."))
            status = 422
        else:
            flash(_("The appointment ends on %(day)s.", day=format_date(form.ends_on.data)), "success")
            return redirect(url_for("stewards.municipality", org_id=appointment.organisation_id))
    elif request.method == "POST":
        status = 422
    return render("stewards/end.html", form=form, appointment=appointment, status=status, **labels())


# --- the appointing act --------------------------------------------------------------------------

@bp.route("/imenovanja/<int:appointment_id>/akt.pdf")
@guard(signed_in)
def act(appointment_id: int):
    appointment = db.session.get(Appointment, appointment_id)
    # 404, not 403: whether a municipality uploaded an act is itself internal
    if appointment is None or not perm.can_view_internal(current_user, appointment) or appointment.act_file is None:
        abort(404)
    file: ActFile = appointment.act_file
    from urllib.parse import quote

    ascii_name = file.filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    headers = {
        "Content-Type": "application/pdf",
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Checksum-SHA256": file.sha256,
    }
    return file.content, 200, headers


# --- trainings and datasets ------------------------------------------------------------------------

def _back_to(appointment: Appointment, section: str, message: str):
    flash(message, "success")
    return redirect(url_for("stewards.appointment", appointment_id=appointment.id) + "#" + section)


def _editable(appointment_id: int) -> Appointment:
    appointment = _appointment_or_404(appointment_id)
    require(perm.can_maintain, appointment)
    if not perm.can_edit(current_user, appointment):
        abort(409)
    return appointment


@bp.route("/imenovanja/<int:appointment_id>/usposabljanja", methods=["POST"])
@guard(signed_in)
def add_training(appointment_id: int):
    appointment = _editable(appointment_id)
    form = forms.TrainingForm()
    if not form.validate_on_submit():
        return _appointment_page(appointment, status=422, training_form=form)
    services.add_training(appointment, name=form.name.data, held_on=form.held_on.data, provider=form.provider.data)
    return _back_to(appointment, "trainings", _("Training added."))


@bp.route("/usposabljanja/<int:training_id>/odstrani", methods=["POST"])
@guard(signed_in)
def remove_training(training_id: int):
    training = db.get_or_404(Training, training_id)
    appointment = _editable(training.appointment_id)
    services.remove_training(training)
    return _back_to(appointment, "trainings", _("Training removed."))


@bp.route("/imenovanja/<int:appointment_id>/podatkovni-nizi", methods=["POST"])
@guard(signed_in)
def add_dataset(appointment_id: int):
    appointment = _editable(appointment_id)
    form = forms.DatasetForm()
    if not form.validate_on_submit():
        return _appointment_page(appointment, status=422, dataset_form=form)
    services.add_dataset(appointment, name=form.name.data, description=form.description.data,
                         legal_basis=form.legal_basis.data, frequency=Frequency(form.frequency.data) if form.frequency.data else None,
                         portal_url=form.portal_url.data, public=form.public.data)
    return _back_to(appointment, "datasets", _("Dataset added."))


@bp.route("/podatkovni-nizi/<int:dataset_id>/odstrani", methods=["POST"])
@guard(signed_in)
def remove_dataset(dataset_id: int):
    dataset = db.get_or_404(Dataset, dataset_id)
    appointment = _editable(dataset.appointment_id)
    services.remove_dataset(dataset)
    return _back_to(appointment, "datasets", _("Dataset removed."))
