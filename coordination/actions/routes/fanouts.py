"""Fan-out: one conclusion -> one item per municipality; the status matrix; reminding the ones not done."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from coordination import types
from coordination.actions import glance as glances
from coordination.actions import matrix as matrices
from coordination.actions import permissions as perm
from coordination.actions import reminders, services
from coordination.actions.fanout_check import fanout_check
from coordination.actions.fanout_forms import FanOutForm, municipalities_by_region
from coordination.actions.models import (
    PRIORITY_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    ItemStatus,
    Priority,
    describe_scope,
)
from coordination.extensions import db
from coordination.meetings import queries as meeting_queries
from coordination.meetings.models import Conclusion
from coordination.meetings.permissions import can_view_conclusion
from coordination.organisations import services as organisations
from coordination.web.authz import guard, require, reveal
from coordination.web.htmx import render, wants_fragment

bp = Blueprint("fanouts", __name__)
bp.add_app_template_filter(describe_scope, "fanout_scope")


def _conclusion_or_404(conclusion_id: int) -> Conclusion:
    conclusion = db.session.get(Conclusion, conclusion_id)
    if conclusion is None:
        abort(404)
    # what the rules ask about the meeting, loaded at once and held by the conclusion (see matrix.load_fanout)
    set_committed_value(conclusion, "meeting", meeting_queries.load(conclusion.meeting_id))
    reveal(can_view_conclusion, conclusion)
    require(perm.can_fan_out, conclusion)
    return conclusion


def _fanout_or_404(fanout_id: int):
    fanout = matrices.load_fanout(fanout_id)
    if fanout is None:
        abort(404)
    reveal(perm.can_view_fanout, fanout)
    return fanout


def _form(conclusion: Conclusion, **kwargs) -> FanOutForm:
    """The form (from the request's form data unless `formdata=` says otherwise), its title taken
    from the conclusion's first line."""
    title = conclusion.text.strip().splitlines()[0][:300] if conclusion.text.strip() else ""
    return FanOutForm(regions=organisations.regions(), associations=organisations.associations(),
                      municipalities=municipalities_by_region(), data={"title": title}, **kwargs)


def _targets(form: FanOutForm) -> list[tuple[int, str]]:
    """The municipalities the selection reaches, found by the database (never by the browser)."""
    return services.fanout_targets(form.chosen_scope, region=form.chosen_region,
                                   association=form.chosen_association, chosen=form.chosen.data or ())


def _reach(form: FanOutForm) -> int:
    return len(_targets(form))


def _carried(form: FanOutForm) -> list[tuple[str, object]]:
    """The form's answers as hidden fields of the check step, so the confirmation posts the same
    fields (and the same one-time token) again."""
    pairs = [("title", form.title.data), ("description", form.description.data or ""),
             ("due_date", form.due_date.data.isoformat()), ("priority", form.priority.data),
             ("scope", form.scope.data), ("region", form.region.data or ""),
             ("association", form.association.data or ""), ("token", form.token.data)]
    return pairs + [("chosen", i) for i in form.chosen.data or ()]


@bp.route("/sklepi/<int:conclusion_id>/razprsitev", methods=["GET", "POST"])
@guard(perm.can_browse)
def fan_out(conclusion_id: int):
    """GET: the form. POST: a valid form shows the check step ("check your answers"); the check
    step's confirmation (`confirm`) makes the items; `preview` recounts and `edit` goes back to the
    form, both keeping what was typed."""
    conclusion = _conclusion_or_404(conclusion_id)
    context = {"conclusion": conclusion, "scope_labels": SCOPE_LABELS}
    if request.method == "GET" and "scope" in request.args:
        # the reach of a selection: htmx asks while the form is filled in (a fragment); without
        # JavaScript the same address shows the form with that selection and its count
        form = _form(conclusion, formdata=request.args, meta={"csrf": False})  # reads, changes nothing
        form.validate()
        return render("actions/fanout_form.html", "actions/_fanout_reach.html", form=form, reach=_reach(form),
                      checked=set(form.chosen.data or ()), **context)
    form = _form(conclusion)
    status = 200
    if request.method == "POST":
        valid = form.validate()
        targets = _targets(form)  # the database counts, whatever the page showed before
        back = "preview" in request.form or "edit" in request.form
        if valid and targets and "confirm" in request.form:
            return _create(conclusion, form)
        if valid and targets and not back:
            return render("actions/fanout_check.html", form=form, carried=_carried(form),
                          check=fanout_check(targets, form.municipalities), today=types.today(),
                          digest_days=current_app.config["REMINDER_DAYS"],
                          priority_label=PRIORITY_LABELS[Priority(form.priority.data)], **context)
        if valid and not targets:
            form.scope.errors.append(_("The selection reaches no municipality, so no item would be made."))
        reach = len(targets)
        status = 200 if valid and targets else 422  # counted or back to change, or refused
    else:
        reach = _reach(form)
    return render("actions/fanout_form.html", form=form, reach=reach, checked=set(form.chosen.data or ()),
                  status=status, **context)


def _create(conclusion: Conclusion, form: FanOutForm):
    started = time.perf_counter()
    try:
        fanout = services.fan_out(conclusion, title=form.title.data, author=current_user,
                                  scope=form.chosen_scope, description=form.description.data or "",
                                  due_date=form.due_date.data, priority=Priority(form.priority.data),
                                  region=form.chosen_region, association=form.chosen_association,
                                  chosen=form.chosen.data or (), token=form.token.data)
    except services.AlreadyFannedOut as sent:  # the same form again (a double click): where it went
        flash(_("This fan-out was already made; here it is."), "info")
        target = url_for("fanouts.view", fanout_id=sent.fanout.id)
        return ("", 200, {"HX-Redirect": target}) if getattr(request, "htmx", None) else redirect(target)
    except services.EmptySelection:
        form.scope.errors.append(_("The selection reaches no municipality, so no item would be made."))
        return render("actions/fanout_form.html", conclusion=conclusion, form=form, reach=0,
                      scope_labels=SCOPE_LABELS, checked=set(form.chosen.data or ()), status=422)
    current_app.logger.info("fan-out %s: %d items in %.0f ms", fanout.id, len(fanout.items),
                            1000 * (time.perf_counter() - started))
    count = len(fanout.items)
    flash(ngettext("Created %(num)d item.", "Created %(num)d items.", count), "success")
    if form.due_date.data and form.due_date.data < types.today():
        flash(_("Note: the due date is already in the past, so every item is overdue."), "info")
    target = url_for("fanouts.view", fanout_id=fanout.id)
    if getattr(request, "htmx", None):
        return "", 200, {"HX-Redirect": target}  # a full page load, so the matrix shows the message
    return redirect(target)


def _filters(values=None) -> dict:
    """The matrix's filters from the query string (or, for the reminder's POST, the form): status,
    region, only our members, and a name to look for (`q`)."""
    values = request.args if values is None else values
    status = values.get("status", "")
    valid = {s.value for s in ItemStatus} | {matrices.OVERDUE}
    return {"status": status if status in valid else "",
            "region": values.get("region", "")[:8],
            "members_only": values.get("members") == "1",
            "q": values.get("q", "").strip()[:100]}


def _filter_args(filters: dict) -> dict:
    """The filters in use as URL parameters (to carry them to the reminder and back)."""
    args = {"status": filters["status"], "region": filters["region"], "q": filters["q"],
            "members": "1" if filters["members_only"] else ""}
    return {key: value for key, value in args.items() if value}


def _filter_words(filters: dict, matrix) -> list[str]:
    """The filters in use in words, so the reminder says which municipalities it means."""
    words = []
    if filters["status"]:
        words.append(_("overdue") if filters["status"] == matrices.OVERDUE
                     else str(STATUS_LABELS[ItemStatus(filters["status"])]))
    regions = {block.code: block.name for block in matrix.regions}
    if filters["region"] in regions:
        words.append(regions[filters["region"]])
    if filters["members_only"]:
        words.append(_("only our members"))
    if filters["q"]:
        words.append(_("name contains “%(text)s”", text=filters["q"]))
    return words


@bp.route("/razprsitve/<int:fanout_id>")
@guard(perm.can_browse)
def view(fanout_id: int):
    fanout = _fanout_or_404(fanout_id)
    filters = _filters()
    matrix = matrices.fanout_matrix(fanout, current_user, **filters)
    return render("actions/matrix.html", "actions/_matrix_cells.html", fanout=fanout, matrix=matrix,
                  filters=filters, filter_args=_filter_args(filters), status_labels=STATUS_LABELS,
                  status_order=matrices.STATUS_ORDER, status_colours=matrices.STATUS_COLOURS,
                  scope_labels=SCOPE_LABELS, today=types.today(),
                  overdue=matrices.OVERDUE, source_visible=can_view_conclusion(current_user, fanout.conclusion),
                  # the map and tiles show the whole fan-out; a filter's fragment does not redraw them
                  glance=None if wants_fragment() else glances.fanout_glance(fanout, current_user))


@bp.route("/razprsitve/<int:fanout_id>/opomni", methods=["GET", "POST"])
@guard(perm.can_browse)
def remind(fanout_id: int):
    """GET: the confirmation ("Remind 37 municipalities?"): exactly the municipalities the matrix
    shows with its filters (carried in the query string, then in hidden fields), who of them will
    receive it, and who cannot (no account) or was reminded today already. POST: send."""
    fanout = _fanout_or_404(fanout_id)
    require(perm.can_remind, fanout)
    filters = _filters(request.values)
    matrix = matrices.fanout_matrix(fanout, current_user, **filters)
    today = types.today()
    selection = matrix.remindable
    without_account = [c for c in selection if not c.has_account]
    reminded_today = [c for c in selection if c.has_account and c.reminded_on == today]
    receivers = [c for c in selection if c.has_account and c.reminded_on != today]
    back = url_for("fanouts.view", fanout_id=fanout.id, **_filter_args(filters))
    status = 200
    if request.method == "POST":
        if selection:
            sent = reminders.remind_fanout(fanout, current_user, [c.item_id for c in selection])
            if not sent:  # a run that reminds nobody is a warning, never a green success
                flash(_("Nobody was reminded: every municipality shown that is not done was reminded today "
                        "already or has nobody to write to."), "warning")
                return redirect(back)
            flash(ngettext("Reminded %(num)d municipality.", "Reminded %(num)d municipalities.", sent), "success")
            if sent < len(selection):
                flash(ngettext("%(num)d municipality was skipped: reminded today already or nobody there has an "
                               "account.", "%(num)d municipalities were skipped: reminded today already or nobody "
                               "there has an account.", len(selection) - sent), "info")
            return redirect(back)
        # an empty selection: nothing to send, said as a warning on the page that explains why
        flash(_("Nobody was reminded: no municipality shown is waiting for its item."), "warning")
        status = 422
    return render("actions/fanout_remind.html", fanout=fanout, matrix=matrix, selection=selection,
                  without_account=without_account, reminded_today=reminded_today, receivers=receivers,
                  filters=filters, filter_args=_filter_args(filters), filter_words=_filter_words(filters, matrix),
                  back=back, status=status,
                  status_labels=STATUS_LABELS)
