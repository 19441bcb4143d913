"""Managing a fan-out from its matrix (fanout_manage.py): one page with three forms (a new due date,
more municipalities, cancelling), each of which shows a confirmation with what it will change for
how many items and people before anything is changed."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from coordination import types
from coordination.actions import fanout_manage as manage
from coordination.actions import matrix as matrices
from coordination.actions import permissions as perm
from coordination.actions import services
from coordination.actions.fanout_check import fanout_check
from coordination.actions.fanout_forms import municipalities_by_region
from coordination.actions.fanout_manage_forms import AddForm, CancelForm, DueDateForm
from coordination.actions.models import SCOPE_LABELS, FanOut
from coordination.extensions import db
from coordination.organisations import services as organisations
from coordination.web.authz import guard, require, reveal
from coordination.web.formatting import sorted_sl
from coordination.web.htmx import render

bp = Blueprint("fanout_manage", __name__)


def _fanout_or_404(fanout_id: int) -> FanOut:
    fanout = matrices.load_fanout(fanout_id)
    if fanout is None:
        abort(404)
    reveal(perm.can_view_fanout, fanout)
    require(perm.can_manage_fanout, fanout)
    return fanout


def _add_form(**kwargs) -> AddForm:
    return AddForm(prefix="add", regions=organisations.regions(), associations=organisations.associations(),
                   municipalities=municipalities_by_region(), **kwargs)


def _page(fanout: FanOut, *, status: int = 200, due=None, add=None, cancel=None):
    """The management page; the form that was sent keeps what was typed (and its errors)."""
    add = add or _add_form(formdata=None)
    return render("actions/fanout_manage.html", fanout=fanout, counts=manage.item_counts(fanout), today=types.today(),
                  have=manage.assigned_orgs(fanout),
                  due=due or DueDateForm(prefix="due", formdata=None), add=add,
                  cancel=cancel or CancelForm(prefix="cancel", formdata=None), scope_labels=SCOPE_LABELS,
                  checked=set(add.chosen.data or ()), status=status)


def _to_matrix(fanout: FanOut):
    return redirect(url_for("fanouts.view", fanout_id=fanout.id))


def _carried(form, version: int) -> list[tuple[str, object]]:
    """The form's answers as hidden fields of its confirmation, with the version the page shows."""
    pairs = []
    for field in form:
        if field.short_name in ("csrf_token", "version") or field.data in (None, "", []):
            continue
        values = field.data if isinstance(field.data, list) else [field.data]
        pairs.extend((field.name, v.isoformat() if hasattr(v, "isoformat") else v) for v in values)
    return pairs + [(form.version.name, version)]


def _confirm(fanout: FanOut, step: str, form, items_or_targets, *, status: int = 200, **context):
    """The confirmation of a step: how many items, which municipalities, who is told."""
    if step == "add":
        context["check"] = fanout_check(items_or_targets, form.municipalities)
        count = len(items_or_targets)
    else:
        context["people"], context["email"] = manage.told(items_or_targets)
        context["names"] = sorted_sl({i.assignee_org.name for i in items_or_targets})
        count = len(items_or_targets)
    return render("actions/fanout_manage_confirm.html", fanout=fanout, step=step, form=form, count=count,
                  carried=_carried(form, fanout.version), status=status, **context)


def _gone_stale():
    """A step refused half-way (the fan-out or one of its items changed meanwhile): nothing stays."""
    db.session.rollback()
    return _("Somebody changed this fan-out or one of its items in the meantime. Check the figures again "
             "and confirm once more.")


@bp.route("/razprsitve/<int:fanout_id>/upravljanje")
@guard(perm.can_browse)
def index(fanout_id: int):
    return _page(_fanout_or_404(fanout_id))


@bp.route("/razprsitve/<int:fanout_id>/upravljanje/rok", methods=["POST"])
@guard(perm.can_browse)
def due_date(fanout_id: int):
    fanout = _fanout_or_404(fanout_id)
    form = DueDateForm(prefix="due")
    if fanout.cancelled:
        return _page(fanout, status=409)
    if not form.validate():
        return _page(fanout, due=form, status=422)
    if "edit" in request.form:
        return _page(fanout, due=form)
    if "confirm" in request.form:
        try:
            count = manage.change_due_date(fanout, due_date=form.due_date.data, which=form.which.data,
                                           author=current_user, version=form.version.data)
        except manage.NothingToDo:
            flash(_("The due date was already changed; nothing was changed again."), "info")
            return _to_matrix(fanout)
        except manage.FanOutCancelled:
            db.session.rollback()
            return _page(matrices.load_fanout(fanout_id), status=409)
        except (manage.StaleFanOut, StaleDataError):
            message = _gone_stale()
            fanout = matrices.load_fanout(fanout_id)
            items = [i for i in manage.due_date_items(fanout, form.which.data) if i.due_date != form.due_date.data]
            return _confirm(fanout, "due", form, items, status=409, conflict=message)
        flash(ngettext("The due date of %(num)d item has been changed.", "The due date of %(num)d items has been changed.",
                       count), "success")
        return _to_matrix(fanout)
    items = [i for i in manage.due_date_items(fanout, form.which.data) if i.due_date != form.due_date.data]
    if not items and fanout.due_date == form.due_date.data:
        form.due_date.errors.append(_("Every chosen item already has this due date: nothing would change."))
        return _page(fanout, due=form, status=422)
    return _confirm(fanout, "due", form, items)


@bp.route("/razprsitve/<int:fanout_id>/upravljanje/obcine", methods=["POST"])
@guard(perm.can_browse)
def add(fanout_id: int):
    fanout = _fanout_or_404(fanout_id)
    form = _add_form()
    if fanout.cancelled:
        return _page(fanout, status=409)
    if not form.validate():
        return _page(fanout, add=form, status=422)
    if "edit" in request.form:
        return _page(fanout, add=form)
    targets = services.fanout_targets(form.chosen_scope, region=form.chosen_region,
                                      association=form.chosen_association, chosen=form.chosen.data or ())
    if "confirm" in request.form:
        try:
            items = manage.add_municipalities(fanout, targets, author=current_user, version=form.version.data)
        except manage.NothingToDo:
            flash(_("These municipalities were already added; nothing was added again."), "info")
            return _to_matrix(fanout)
        except manage.FanOutCancelled:
            db.session.rollback()
            return _page(matrices.load_fanout(fanout_id), status=409)
        except manage.StaleFanOut:
            message = _gone_stale()
            fanout = matrices.load_fanout(fanout_id)
            return _confirm(fanout, "add", form, manage.missing(fanout, targets), status=409, conflict=message)
        flash(ngettext("Added %(num)d municipality.", "Added %(num)d municipalities.", len(items)), "success")
        return _to_matrix(fanout)
    new = manage.missing(fanout, targets)
    if not new:
        form.scope.errors.append(_("Every municipality of this selection has an item already: nothing to add.")
                                 if targets else _("The selection reaches no municipality."))
        return _page(fanout, add=form, status=422)
    return _confirm(fanout, "add", form, new)


@bp.route("/razprsitve/<int:fanout_id>/upravljanje/preklic", methods=["POST"])
@guard(perm.can_browse)
def cancel(fanout_id: int):
    fanout = _fanout_or_404(fanout_id)
    form = CancelForm(prefix="cancel")
    confirmed = "confirm" in request.form
    if fanout.cancelled and not confirmed:
        return _page(fanout, status=409)
    if not form.validate():
        return _page(fanout, cancel=form, status=422)
    if "edit" in request.form:
        return _page(fanout, cancel=form)
    if confirmed:
        try:
            count = manage.cancel(fanout, reason=form.reason.data, author=current_user, version=form.version.data)
        except manage.NothingToDo:
            flash(_("This fan-out was already cancelled."), "info")
            return _to_matrix(fanout)
        except (manage.StaleFanOut, StaleDataError):
            message = _gone_stale()
            fanout = matrices.load_fanout(fanout_id)
            return _confirm(fanout, "cancel", form, manage.open_items(fanout), status=409, conflict=message)
        flash(ngettext("The fan-out has been cancelled: %(num)d item not done was cancelled.",
                       "The fan-out has been cancelled: %(num)d items not done were cancelled.", count), "success")
        return _to_matrix(fanout)
    return _confirm(fanout, "cancel", form, manage.open_items(fanout))
