"""A single action item: its page, creating it (on its own or from a conclusion), editing it,
changing its status and writing in its progress log."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

import coordination.actions.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination import types
from coordination.actions import permissions as perm
from coordination.actions import queries, services
from coordination.actions.forms import DeleteForm, ItemForm, NoteForm, StatusForm
from coordination.actions.models import PRIORITY_LABELS, STATUS_LABELS, ItemStatus, Priority
from coordination.extensions import db
from coordination.meetings.permissions import can_view_conclusion
from coordination.organisations.models import Organisation
from coordination.organisations.services import organisation_choices
from coordination.web.authz import guard, require, reveal
from coordination.web.formatting import translated
from coordination.web.htmx import render, wants_fragment
from coordination.web.routing import id_value
from coordination.web.sections import adds_to, section

bp = Blueprint("actions", __name__)

# the unread badge of the notifications (another part of the app) refreshes on this event
CHANGED = {"HX-Trigger": "notifications-changed"}


@adds_to("meetings.conclusions")
def _conclusion_items(conclusions) -> dict:
    """How many action items each of a meeting's conclusions has, and its fan-outs (one grouped query
    each, even for none)."""
    ids = [c.id for c in conclusions]
    return {"item_counts": queries.item_counts(ids), "fanouts_of": queries.fanouts_of(ids)}


@adds_to("meetings.register")
def _register_fanouts(conclusions) -> dict:
    """The register's rows link to their conclusion's fan-outs (whoever sees a conclusion may see
    its matrix: permissions.can_view_fanout)."""
    return {"fanouts_of": queries.fanouts_of(c.id for c in conclusions)}


@adds_to("groups.detail")
def _group_items(user, group) -> dict:
    """The group page's pending action items from conclusions of its meetings."""
    return {"open_items": queries.group_open_items(user, group), "item_status_labels": translated(STATUS_LABELS)}


@section("organisations.detail", "actions/_org_items.html", order=10)
def _organisation_items(user, org) -> dict:
    """An organisation's page: its pending action items that the user may see, overdue first."""
    return {"items": queries.open_items_of(user, org.id), "labels": translated(STATUS_LABELS), "today": types.today()}


def _item_or_404(item_id: int):
    item = queries.load_page(item_id)
    if item is None:
        abort(404)
    reveal(perm.can_view, item)  # one who may not see it is not told that it exists
    return item


# --- the item's page ------------------------------------------------------------------------

def _fanout_url(item) -> str | None:
    """The fan-out's status matrix, if the user may see it."""
    if item.fanout is None or not perm.can_view_fanout(current_user, item.fanout):
        return None
    return url_for("fanouts.view", fanout_id=item.fanout.id)


def _page(item, *, status_form=None, note_form=None, status=200, notice=None, headers=None):
    """The item's page; its progress part (status box and log) alone for htmx."""
    # one form per person: status and note together for those who update the item, the note alone
    # for those who only follow it
    if status_form is None and perm.can_update(current_user, item):
        status_form = StatusForm.fresh(item, services.allowed_next(item.status))
    if note_form is None and status_form is None and perm.can_comment(current_user, item):
        note_form = NoteForm(formdata=None)
    body, code, extra = render(
        "actions/detail.html", "actions/_progress.html", item=item, today=types.today(),
        status_labels=translated(STATUS_LABELS), priority_labels=translated(PRIORITY_LABELS),
        source_visible=item.conclusion is not None and can_view_conclusion(current_user, item.conclusion),
        fanout_url=_fanout_url(item), status_form=status_form, note_form=note_form, notice=notice,
        status=status)
    return body, code, {**extra, **(headers or {})}


@bp.route("/naloge/<int:item_id>")
@guard(perm.can_browse)
def detail(item_id: int):
    item = _item_or_404(item_id)
    require(perm.can_view, item)
    return _page(item)


def _after_change(item_id: int, message: str):
    """After a status change or a note: the progress part again for htmx, otherwise back to the page."""
    if wants_fragment():
        db.session.expire_all()
        return _page(_item_or_404(item_id), notice=message, headers=CHANGED)
    flash(message, "success")
    return redirect(url_for("actions.detail", item_id=item_id) + "#progress"), 303, CHANGED


def _changed_meanwhile(item_id: int):
    """409: the item's page as it is now, its status form fresh (the note kept, so nothing typed is
    lost), and what happened said at the field."""
    note = request.form.get("note", "")
    db.session.rollback()
    item = _item_or_404(item_id)
    form = StatusForm.fresh(item, services.allowed_next(item.status))
    form.note.data = note
    form.status.errors = [_("The status has just been changed by somebody else; it is now “%(status)s”. "
                            "Nothing was saved.", status=STATUS_LABELS[item.status])]
    return _page(item, status_form=form, status=409)


@bp.route("/naloge/<int:item_id>/status", methods=["POST"])
@guard(perm.can_browse)
def change_status(item_id: int):
    item = _item_or_404(item_id)
    require(perm.can_update, item)
    form = StatusForm(item=item, allowed=services.allowed_next(item.status))
    if form.is_submitted() and form.version.outdated(item):  # sent from a page showing an older state
        return _changed_meanwhile(item_id)
    if form.validate_on_submit():
        old = item.status
        if not form.changes_status:  # the status left as it was: a note in the log, nothing else
            services.add_note(item, form.note.data, author=current_user)
            return _after_change(item_id, _("Note added; the status stays “%(status)s”.", status=STATUS_LABELS[old]))
        try:
            services.change_status(item, ItemStatus(form.status.data), author=current_user, note=form.note.data or "")
        except (services.IllegalTransition, StaleDataError):  # somebody changed it a moment ago
            return _changed_meanwhile(item_id)
        return _after_change(item_id, _("Status changed: %(old)s → %(new)s.", old=STATUS_LABELS[old],
                                        new=STATUS_LABELS[ItemStatus(form.status.data)]))
    return _page(item, status_form=form, status=422)


@bp.route("/naloge/<int:item_id>/zapis", methods=["POST"])
@guard(perm.can_browse)
def add_note(item_id: int):
    item = _item_or_404(item_id)
    require(perm.can_comment, item)
    form = NoteForm()
    if form.validate_on_submit():
        services.add_note(item, form.text.data, author=current_user)
        return _after_change(item_id, _("Progress note added."))
    return _page(item, note_form=form, status=422)


# --- creating and editing ---------------------------------------------------------------------

def _form(*, data=None, org_id=None, **kwargs) -> ItemForm:
    """The item form: the organisations the user may assign to (perm.can_assign_to; an edited
    item's present one too), and a person drop-down with the people of the organisation chosen (in
    the request, else `org_id`), only if it is one of those."""
    allowed = perm.assignable_ids(current_user)
    if allowed is not None and org_id is not None:
        allowed.add(org_id)
    chosen = request.values.get("assignee_org_id", type=id_value) or org_id
    offered = [row for row in organisation_choices() if allowed is None or row[0] in allowed]
    return ItemForm(data=data, organisations=[("", _("Choose an organisation")), *offered],
                    people=queries.org_people(chosen) if allowed is None or chosen in allowed else [],
                    assignable=allowed, **kwargs)


def _person_fragment_or(page: str, form: ItemForm, status: int, **context):
    """A GET from htmx after the organisation changed: only the person drop-down, for that organisation."""
    return render(page, "actions/_person_field.html", form=form, status=status, **context)


def _submitted(form: ItemForm, stored_due=None) -> dict | None:
    """The service arguments of a valid submission, or None (with the messages on the fields). A due
    date in the past gets its warning together with any other message, not one round later."""
    if not form.is_submitted():
        return None
    valid = form.validate()
    if not form.check_past_due(types.today(), stored_due) or not valid:
        return None
    return {"title": form.title.data, "description": form.description.data or "",
            "assignee_org": db.session.get(Organisation, form.assignee_org_id.data),
            "assignee_user": form.assignee_user, "due_date": form.due_date.data,
            "priority": Priority(form.priority.data)}


def _created(item):
    flash(_("Action item “%(title)s” created.", title=item.title), "success")
    return redirect(url_for("actions.detail", item_id=item.id))


@bp.route("/naloge/nova", methods=["GET", "POST"])
@guard(perm.can_create)
def create():
    org_id = request.args.get("assignee_org_id", type=id_value)
    form = _form(data={"assignee_org_id": org_id} if org_id else None)
    if (fields := _submitted(form)) is not None:
        return _created(services.create_item(author=current_user, **fields))
    return _person_fragment_or("actions/form.html", form, 422 if request.method == "POST" else 200,
                               item=None, conclusion=None)


@bp.route("/sklepi/<int:conclusion_id>/naloge/nova", methods=["GET", "POST"])
@guard(perm.can_browse)
def create_from(conclusion_id: int):
    conclusion = queries.load_conclusion(conclusion_id)
    if conclusion is None:
        abort(404)
    reveal(can_view_conclusion, conclusion)
    require(perm.can_create_from, conclusion)
    org_id = request.args.get("assignee_org_id", type=id_value)
    form = _form(data={"title": conclusion.text.strip().splitlines()[0][:300] if conclusion.text.strip() else "",
                       **({"assignee_org_id": org_id} if org_id else {})})
    if (fields := _submitted(form)) is not None:
        return _created(services.create_item(author=current_user, conclusion=conclusion, **fields))
    return _person_fragment_or("actions/form.html", form, 422 if request.method == "POST" else 200,
                               item=None, conclusion=conclusion)


@bp.route("/naloge/<int:item_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_browse)
def edit(item_id: int):
    item = _item_or_404(item_id)
    require(perm.can_edit, item)
    form = _form(data={"title": item.title, "description": item.description, "assignee_org_id": item.assignee_org_id,
                       "assignee_user_id": item.assignee_user_id, "due_date": item.due_date,
                       "priority": item.priority.value}, org_id=item.assignee_org_id)
    if (fields := _submitted(form, item.due_date)) is not None:
        services.update_item(item, author=current_user, **fields)
        flash(_("Changes saved."), "success")
        return redirect(url_for("actions.detail", item_id=item.id))
    return _person_fragment_or("actions/form.html", form, 422 if request.method == "POST" else 200,
                               item=item, conclusion=item.conclusion, delete_form=DeleteForm(formdata=None))


@bp.route("/naloge/<int:item_id>/izbrisi", methods=["POST"])
@guard(perm.can_browse)
def delete(item_id: int):
    item = _item_or_404(item_id)
    require(perm.can_edit, item)
    form = DeleteForm()
    if not form.validate_on_submit():
        edit_form = _form(formdata=None, data={
            "title": item.title, "description": item.description, "assignee_org_id": item.assignee_org_id,
            "assignee_user_id": item.assignee_user_id, "due_date": item.due_date, "priority": item.priority.value},
            org_id=item.assignee_org_id)
        return render("actions/form.html", form=edit_form, item=item, conclusion=item.conclusion,
                      delete_form=form, status=422)
    title, conclusion = item.title, item.conclusion
    meeting_id = conclusion.meeting_id if conclusion is not None else None
    services.delete_item(item)
    flash(_("Action item “%(title)s” deleted.", title=title), "success")
    if meeting_id is not None:
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    return redirect(url_for("dashboard.index"))
