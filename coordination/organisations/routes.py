"""Organisation list with live filter, detail pages, and administration."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import coordination.organisations.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.extensions import db
from coordination.organisations import permissions as perm
from coordination.organisations import services
from coordination.organisations.forms import MembershipForm, MunicipalityForm, OrganisationForm
from coordination.organisations.models import KIND_LABELS, Organisation, OrgKind
from coordination.organisations.reference import ATTRIBUTION
from coordination.web import maps
from coordination.web.authz import guard
from coordination.web.formatting import sl_order
from coordination.web.forms import choices
from coordination.web.htmx import render
from coordination.web.pagination import paginate
from coordination.web.sections import parts, sections

bp = Blueprint("organisations", __name__, url_prefix="/organizacije")


def _org_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id, options=[selectinload(Organisation.associations)])
    if org is None:
        abort(404)
    return org


def _filters() -> dict:
    args = request.args
    kind = args.get("kind", "")
    association = args.get("association", "")
    return {
        "text": args.get("q", "").strip()[:100],
        "region": args.get("region", "")[:8],
        "kind": kind if kind in {k.value for k in OrgKind} else "",
        "association": int(association) if association.isdigit() else None,
    }


@bp.route("/")
@guard(perm.can_browse)
def index():
    filters = _filters()
    page = paginate(services.filtered_query(**filters), per_page=100)
    return render("organisations/index.html", "organisations/_table.html", page=page, filters=filters,
                  regions=services.regions(), associations=services.associations(), kind_labels=KIND_LABELS,
                  attribution=ATTRIBUTION)


@bp.route("/<int:org_id>")
@guard(perm.can_browse)
def detail(org_id: int):
    org = _org_or_404(org_id)
    members = None
    if org.kind == OrgKind.ASSOCIATION:
        members = list(db.session.scalars(
            select(Organisation).where(Organisation.associations.any(Organisation.id == org.id))
            .order_by(sl_order(Organisation.name))))
    # its people, added by accounts (web/sections.py), for those who may see private details
    people = parts("organisations.detail", org=org) if perm.can_view_private(current_user, org) else {}
    # what the higher features say about it (its items, meetings, seats), each filtered for the user
    return render("organisations/detail.html", org=org, members=members, users=people.get("users"),
                  kind_labels=KIND_LABELS, attribution=ATTRIBUTION,
                  seat=maps.seat(org.seat_lon, org.seat_lat) if org.seat_lat is not None else None,
                  org_sections=sections("organisations.detail", user=current_user, org=org))


@bp.route("/nova", methods=["GET", "POST"])
@guard(perm.can_manage)
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        if services.name_taken(form.name.data):
            form.name.errors.append(_("An organisation with this name already exists."))
        else:
            org = services.create_organisation(**form.fields_dict())
            flash(_("Organisation %(name)s created.", name=org.name), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render("organisations/form.html", form=form, org=None,
                  status=422 if request.method == "POST" else 200)


@bp.route("/<int:org_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_manage)
def edit(org_id: int):
    org = _org_or_404(org_id)
    form = (MunicipalityForm if org.is_municipality else OrganisationForm)(obj=org)
    if request.method == "GET" and not org.is_municipality:
        form.kind.data = org.kind.value
    if form.validate_on_submit():
        fields = form.fields_dict()
        if not org.is_municipality and services.name_taken(fields["name"], except_id=org.id):
            form.name.errors.append(_("An organisation with this name already exists."))
        else:
            services.update_organisation(org, **fields)
            flash(_("Changes saved."), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render("organisations/form.html", form=form, org=org, status=422 if request.method == "POST" else 200)


@bp.route("/<int:org_id>/clanstvo", methods=["GET", "POST"])
@guard(perm.can_manage)
def memberships(org_id: int):
    org = _org_or_404(org_id)
    if not org.is_municipality:
        abort(404)
    options = services.associations()
    form = MembershipForm()
    form.associations.choices = choices((a.id, f"{a.short_name} – {a.name}") for a in options)
    if request.method == "GET":
        form.associations.data = [a.id for a in org.associations]
    if form.validate_on_submit():
        services.set_memberships(org, [a for a in options if a.id in set(form.associations.data)])
        flash(_("Memberships saved."), "success")
        return redirect(url_for("organisations.detail", org_id=org.id))
    return render("organisations/memberships.html", form=form, org=org,
                  status=422 if request.method == "POST" else 200)
