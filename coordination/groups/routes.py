"""Working groups: list, detail, create and edit, members."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import coordination.groups.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.extensions import db
from coordination.groups import permissions as perm
from coordination.groups import services
from coordination.groups.forms import GroupForm, MemberForm
from coordination.groups.models import ROLE_LABELS, GroupMembership, GroupRole
from coordination.organisations.services import organisation_choices
from coordination.types import today
from coordination.web.authz import guard, require
from coordination.web.htmx import render, wants_fragment
from coordination.web.sections import parts, section

bp = Blueprint("groups", __name__, url_prefix="/skupine")


def _group_or_404(group_id: int):
    group = services.load(group_id)
    if group is None:
        abort(404)
    return group


def _status():
    return 422 if request.method == "POST" else 200


@section("organisations.detail", "groups/_org_seats.html", order=30)
def _organisation_seats(user, org) -> dict:
    """An organisation's page: its current seats in working groups."""
    return {"seats": services.seats_of(org.id, today()), "roles": ROLE_LABELS}


@bp.route("/")
@guard(perm.can_browse)
def index():
    return render("groups/index.html", groups=services.listing())


def _member_form():
    # (id, name) rows, not ORM objects: building 1,200 organisations with their regions cost most
    # of the page's time
    return MemberForm(organisations=organisation_choices())


def _detail(group, member_form=None, status=200):
    """The group page; its members section alone for htmx."""
    if member_form is None and perm.can_manage(current_user, group):
        member_form = _member_form()
    # the meetings, conclusions and action items of the group are sections of the page that their
    # features add (web/sections.py); the members fragment has none of them
    others = {} if wants_fragment() else parts("groups.detail", user=current_user, group=group)
    return render("groups/detail.html", "groups/_members.html", group=group, role_labels=ROLE_LABELS,
                  today=today(), my_roles=perm.current_roles(current_user, group), member_form=member_form,
                  status=status, **others)


@bp.route("/<int:group_id>")
@guard(perm.can_browse)
def detail(group_id: int):
    return _detail(_group_or_404(group_id))


def _save_group(form, group=None):
    taken = services.clash(form.name.data, form.code.data, except_id=group.id if group else None)
    if taken:
        getattr(form, taken).errors.append(_("Another working group already uses this."))
        return None
    fields = {"name": form.name.data, "code": form.code.data, "mandate": form.mandate.data or ""}
    return services.update_group(group, **fields) if group else services.create_group(**fields)


@bp.route("/nova", methods=["GET", "POST"])
@guard(perm.can_create)
def create():
    form = GroupForm()
    if form.validate_on_submit() and (group := _save_group(form)):
        flash(_("Working group %(name)s created.", name=group.name), "success")
        return redirect(url_for("groups.detail", group_id=group.id))
    return render("groups/form.html", form=form, group=None, status=_status())


@bp.route("/<int:group_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_browse)
def edit(group_id: int):
    group = _group_or_404(group_id)
    require(perm.can_manage, group)
    form = GroupForm(obj=group)
    if form.validate_on_submit() and _save_group(form, group):
        flash(_("Changes saved."), "success")
        return redirect(url_for("groups.detail", group_id=group.id))
    return render("groups/form.html", form=form, group=group, status=_status())


@bp.route("/<int:group_id>/clani", methods=["POST"])
@guard(perm.can_browse)
def add_member(group_id: int):
    group = _group_or_404(group_id)
    require(perm.can_manage, group)
    form = _member_form()
    if form.validate_on_submit():
        user_id = form.user.id if form.user else None
        if services.overlapping(group, user_id, form.organisation_id.data, form.valid_from.data,
                                form.valid_until.data):
            form.email.errors.append(_("This member is already in the group for these dates."))
        else:
            services.add_member(group, organisation_id=form.organisation_id.data, user_id=user_id,
                                role=GroupRole(form.role.data), valid_from=form.valid_from.data,
                                valid_until=form.valid_until.data)
            flash(_("Member added."), "success")
            return redirect(url_for("groups.detail", group_id=group.id))
    return _detail(group, form, status=422)


@bp.route("/<int:group_id>/clani/<int:membership_id>/odstrani", methods=["POST"])
@guard(perm.can_browse)
def remove_member(group_id: int, membership_id: int):
    group = _group_or_404(group_id)
    require(perm.can_manage, group)
    membership = db.session.get(GroupMembership, membership_id)
    if membership is None or membership.group_id != group.id:
        abort(404)
    require(perm.can_remove_member, membership)
    services.remove_member(membership)
    flash(_("Member removed."), "success")
    return redirect(url_for("groups.detail", group_id=group.id))
