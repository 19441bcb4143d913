"""Conclusions (sklepi): managed per meeting, and the register of all conclusions across meetings."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from coordination.extensions import db
from coordination.groups import permissions as groups_perm
from coordination.groups import services as groups
from coordination.meetings import permissions as perm
from coordination.meetings import queries, services
from coordination.meetings.conclusions_forms import ConclusionForm
from coordination.meetings.models import KIND_LABELS, VISIBILITY_LABELS, ConclusionKind, Visibility
from coordination.web.authz import guard, require, reveal
from coordination.web.htmx import render, wants_fragment
from coordination.web.pagination import page_number
from coordination.web.sections import parts

bp = Blueprint("conclusions", __name__)

REGISTER_PAGE_SIZE = 50


def _meeting_or_404(meeting_id: int):
    meeting = queries.load(meeting_id)
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)  # one who may not see it is not told that it exists
    return meeting


def _conclusion_or_404(meeting, conclusion_id: int):
    conclusion = next((c for c in meeting.conclusions if c.id == conclusion_id), None)
    if conclusion is None or not perm.can_view_conclusion(current_user, conclusion):
        abort(404)
    return conclusion


def _form(meeting, conclusion=None, **kwargs) -> ConclusionForm:
    items = [i for i in meeting.agenda if perm.can_view_item(current_user, i)]
    return ConclusionForm(items=items, groups=queries.unestablished_groups(conclusion),
                          may_create_group=groups_perm.can_create(current_user), **kwargs)


def _page(meeting, form=None, *, status=200):
    """The management page; its list alone for htmx."""
    if form is None and perm.can_edit(current_user, meeting):
        form = _form(meeting, data={"visibility": meeting.visibility.value})
    conclusions = [c for c in meeting.conclusions if perm.can_view_conclusion(current_user, c)]
    return render("meetings/conclusions_manage.html", "meetings/_conclusions_list.html", meeting=meeting,
                  conclusions=conclusions, form=form, kind_labels=KIND_LABELS, visibility_labels=VISIBILITY_LABELS,
                  status=status, **parts("meetings.conclusions", conclusions=conclusions))


def _fields(form, meeting) -> dict | None:
    """What the form asks for, as service arguments; None (with the message on the field) if a
    new working group's name or code is taken."""
    item_id, group_id = form.chosen_item_id(), form.chosen_group_id()
    fields = {
        "text": form.text.data, "kind": ConclusionKind(form.kind.data), "visibility": Visibility(form.visibility.data),
        "agenda_item": next(i for i in meeting.agenda if i.id == item_id) if item_id else None,
        "establishes_group": groups.load(group_id) if group_id else None,
    }
    if form.wants_new_group():
        taken = groups.clash(form.group_name.data, form.group_code.data)
        if taken:
            (form.group_name if taken == "name" else form.group_code).errors.append(
                _("Another working group already uses this."))
            return None
        fields["new_group"] = {"name": form.group_name.data, "code": form.group_code.data, "mandate": ""}
    return fields


def _clash_message() -> str:
    return _("Somebody else recorded a conclusion of this meeting at the same moment, so this one did not get "
             "its number. Nothing was saved; please submit the form again.")


@bp.route("/sestanki/<int:meeting_id>/sklepi")
@guard(perm.can_browse)
def manage(meeting_id: int):
    return _page(_meeting_or_404(meeting_id))


@bp.route("/sestanki/<int:meeting_id>/sklepi", methods=["POST"])
@guard(perm.can_browse)
def add(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_edit, meeting)
    form = _form(meeting)
    if form.validate_on_submit() and (fields := _fields(form, meeting)) is not None:
        try:
            conclusion = services.record_conclusion(meeting, **fields)
        except services.ConclusionClash:
            form.form_errors.append(_clash_message())
            return _page(queries.load(meeting_id), form, status=409)
        flash(_("Conclusion %(number)d (%(register)s) recorded.", number=conclusion.number,
                register=conclusion.register_number), "success")
        return redirect(url_for("conclusions.manage", meeting_id=meeting_id))
    return _page(meeting, form, status=422)


@bp.route("/sestanki/<int:meeting_id>/sklepi/<int:conclusion_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_browse)
def edit(meeting_id: int, conclusion_id: int):
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_edit, meeting)
    conclusion = _conclusion_or_404(meeting, conclusion_id)
    if request.method == "GET":
        form = _form(meeting, conclusion, data={
            "text": conclusion.text, "kind": conclusion.kind.value, "visibility": conclusion.visibility.value,
            "agenda_item": str(conclusion.agenda_item_id or ""),
            "establishes": str(conclusion.establishes_group_id or "")})
        return _edit_page(meeting, conclusion, form)
    form = _form(meeting, conclusion)
    if form.validate_on_submit() and (fields := _fields(form, meeting)) is not None:
        try:
            services.update_conclusion(conclusion, **fields)
        except IntegrityError:  # the chosen group was just linked by a simultaneous request
            db.session.rollback()
            form.establishes.errors.append(_("Another conclusion has just established this working group."))
            return _edit_page(queries.load(meeting_id), conclusion, form, status=409)
        flash(_("Conclusion %(number)d saved.", number=conclusion.number), "success")
        return redirect(url_for("conclusions.manage", meeting_id=meeting_id))
    return _edit_page(meeting, conclusion, form, status=422)


def _edit_page(meeting, conclusion, form, status=200):
    return render("meetings/conclusions_edit.html", meeting=meeting, conclusion=conclusion, form=form,
                  status=status)


@bp.route("/sestanki/<int:meeting_id>/sklepi/<int:conclusion_id>/izbrisi", methods=["POST"])
@guard(perm.can_browse)
def delete(meeting_id: int, conclusion_id: int):
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_edit, meeting)
    conclusion = _conclusion_or_404(meeting, conclusion_id)
    number, register = conclusion.number, conclusion.register_number
    try:
        services.delete_conclusion(conclusion)
    except services.ConclusionFannedOut:
        abort(409, description=_("Conclusion %(number)d has been fanned out to municipalities, whose items are "
                                 "being followed, so it cannot be deleted.", number=number))
    flash(_("Conclusion %(number)d (%(register)s) deleted; the conclusions after it moved up. The register "
            "number is not used again.", number=number, register=register), "success")
    return redirect(url_for("conclusions.manage", meeting_id=meeting_id))


def _after_reorder(meeting_id: int):
    """htmx swaps the list in place; without JavaScript the browser goes back to the page."""
    if wants_fragment():
        return _page(queries.load(meeting_id))
    return redirect(url_for("conclusions.manage", meeting_id=meeting_id))


@bp.route("/sestanki/<int:meeting_id>/sklepi/<int:conclusion_id>/premakni", methods=["POST"])
@guard(perm.can_browse)
def move(meeting_id: int, conclusion_id: int):
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_edit, meeting)
    conclusion = _conclusion_or_404(meeting, conclusion_id)
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(422, _("Choose whether to move the conclusion up or down."))
    services.move_conclusion(conclusion, offset)
    return _after_reorder(meeting_id)


@bp.route("/sestanki/<int:meeting_id>/sklepi/vrstni-red", methods=["POST"])
@guard(perm.can_browse)
def reorder(meeting_id: int):
    """The whole new order at once (ids of all the meeting's conclusions, first to last)."""
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_edit, meeting)
    values = request.form.getlist("order")
    try:
        if not all(v.isascii() and v.isdigit() and len(v) < 10 for v in values):
            raise services.MeetingError("not ids")
        services.reorder_conclusions(meeting, [int(v) for v in values])
    except services.MeetingError:
        abort(422, _("The new order must list exactly the conclusions of this meeting, each once. Nothing was "
                     "changed."))
    return _after_reorder(meeting_id)


# --- the register ------------------------------------------------------------------------------

def _filters() -> dict:
    args = request.args
    year = args.get("year", "")[:4]
    kind = args.get("kind", "")
    return {
        "body": args.get("body", "").strip()[:20],
        "year": int(year) if year.isdigit() and 1900 <= int(year) <= 2999 else None,
        "kind": kind if kind in {k.value for k in ConclusionKind} else "",
        "text": args.get("q", "").strip()[:100],
    }


@bp.route("/sklepi/")
@guard(perm.can_browse)
def register():
    filters = _filters()
    # the body and year choices are only on the full page (the live filter swaps the results alone)
    page, bodies, years = queries.conclusion_register(current_user, page=page_number(), per_page=REGISTER_PAGE_SIZE,
                                                      options=not wants_fragment(), **filters)
    return render("meetings/conclusions_register.html", "meetings/_conclusions_register_results.html", page=page,
                  filters=filters, bodies=bodies, years=years, kind_labels=KIND_LABELS,
                  visibility_labels=VISIBILITY_LABELS, **parts("meetings.register", conclusions=page.items))
