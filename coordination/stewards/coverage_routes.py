"""National coverage at a glance, asking the uncovered municipalities to nominate (one fan-out),
and adding the confirmed stewards to the stewards' working group."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from coordination.extensions import db
from coordination.groups import permissions as group_perm
from coordination.groups import services as groups
from coordination.groups.models import WorkingGroup
from coordination.organisations.reference import ATTRIBUTION
from coordination.roles import signed_in
from coordination.stewards import forms, queries, services
from coordination.stewards import permissions as perm
from coordination.stewards.drawing import coverage_map
from coordination.stewards.routes import labels
from coordination.types import today
from coordination.web.authz import guard, public, require
from coordination.web.htmx import render

bp = Blueprint("steward_coverage", __name__, url_prefix="/skrbniki")

DEFAULT_TITLE = "Imenovati občinskega skrbnika podatkov in ga sporočiti ministrstvu"


def stewards_group() -> WorkingGroup | None:
    """The working group of municipal data stewards (STEWARDS_GROUP_CODE, default DS-SP)."""
    code = current_app.config.get("STEWARDS_GROUP_CODE", "DS-SP")
    return db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == code))


@bp.route("/pokritost")
@public
def coverage():
    day = today()
    result = queries.coverage(day)
    return render("stewards/coverage.html", coverage=result, map=coverage_map(result.municipalities),
                  attribution=ATTRIBUTION, surs=queries.SURS, today=day, group=stewards_group(), **labels())


# --- ask the uncovered to nominate ---------------------------------------------------------------

def _conclusions():
    """Conclusions a request may follow from: those that set up a working group, the stewards'
    group's first (its conclusion is where the network of stewards was decided)."""
    from coordination.meetings.models import Conclusion

    group = stewards_group()
    rows = list(db.session.scalars(select(Conclusion).where(Conclusion.establishes_group_id.is_not(None))
                                   .order_by(Conclusion.id)))
    return sorted(rows, key=lambda c: (group is None or c.establishes_group_id != group.id, c.id))


@bp.route("/pokritost/poziv", methods=["GET", "POST"])
@guard(perm.can_review)
def request_nominations():
    uncovered = queries.coverage(today()).uncovered
    conclusions = _conclusions()
    form = forms.RequestForm(data={"title": DEFAULT_TITLE} if request.method == "GET" else None)
    form.conclusion.choices = [(c.id, f"{c.register_body} {c.register_year}/{c.register_seq}: {c.text[:120]}")
                               for c in conclusions]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and uncovered:
            conclusion = next(c for c in conclusions if c.id == form.conclusion.data)
            fanout = services.request_nominations(
                conclusion, author=current_user, municipality_ids=[m.id for m in uncovered], title=form.title.data,
                description=form.description.data or "", due_date=form.due_date.data)
            flash(ngettext("Asked %(num)d municipality to name its data steward.",
                           "Asked %(num)d municipalities to name their data steward.", len(uncovered)), "success")
            return redirect(url_for("fanouts.view", fanout_id=fanout.id))
        if not uncovered:
            flash(_("Every municipality has a confirmed data steward: there is nobody to ask."), "info")
        status = 422
    return render("stewards/request.html", form=form, uncovered=uncovered, conclusions=conclusions, status=status)


# --- the working group ---------------------------------------------------------------------------

@bp.route("/skupina", methods=["GET", "POST"])
@guard(signed_in)
def add_to_group():
    group = stewards_group()
    if group is None:
        abort(404)
    group = groups.load(group.id)
    require(group_perm.can_manage, group)
    stewards = queries.confirmed_stewards(today())
    missing = [a for a in stewards if not groups.overlapping(group, None, a.organisation_id, a.valid_from, a.valid_until)
               and not _member_by_email(group, a)]
    if request.method == "POST":
        added = services.add_stewards_to_group(group, missing)
        flash(ngettext("Added %(num)d confirmed data steward to the group.",
                       "Added %(num)d confirmed data stewards to the group.", added), "success")
        return redirect(url_for("groups.detail", group_id=group.id))
    return render("stewards/group.html", group=group, stewards=stewards, missing=missing)


def _member_by_email(group, appointment) -> bool:
    email = appointment.email.lower()
    return any(m.user is not None and m.user.email.lower() == email for m in group.memberships)


@bp.app_template_global()
def confirmed_steward_memberships(group) -> set[int]:
    """Ids of the group's memberships held by a confirmed steward (by the account's e-mail, or a
    municipality's seat whose municipality has one): one query, for the group page."""
    stewards = queries.confirmed_steward_contacts(today())
    emails = {email.lower() for email, _org in stewards}
    orgs = {org for _email, org in stewards}
    return {m.id for m in group.memberships
            if (m.user is not None and m.user.email.lower() in emails) or (m.user is None and m.organisation_id in orgs)}


@bp.app_template_global()
def steward_flags_for(org):
    """(ending_on, lapsed_on, state) of a municipality's steward, for the organisation page and the
    dashboard: one query; None for other organisations."""
    if org is None or not org.is_municipality:
        return None
    return queries.own_flags(org.id, today())
