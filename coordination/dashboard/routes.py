"""The landing page after sign-in: what this user can do today."""
from flask import Blueprint
from flask_login import current_user
from sqlalchemy import func, select

from coordination.accounts.forms import ROLE_LABELS
from coordination.accounts.models import User
from coordination.accounts.permissions import signed_in
from coordination.audit.models import AuditEntry
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.web.authz import allowed, guard
from coordination.web.htmx import render

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@guard(signed_in)
def index():
    org = current_user.organisation
    counts = dict(db.session.execute(
        select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
    stats = {"municipalities": counts.get(OrgKind.MUNICIPALITY, 0), "organisations": sum(counts.values())}
    if allowed("accounts.manage"):
        stats["users"] = db.session.scalar(select(func.count()).select_from(User))
        stats["inactive"] = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False)))
    recent = []
    if allowed("audit.browse"):
        recent = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(5)).all()
    return render("dashboard/index.html", org=org, stats=stats, recent=recent,
                  role_label=ROLE_LABELS[current_user.role])
