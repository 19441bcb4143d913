"""The landing page after sign-in: what this user can do today."""
from flask import Blueprint
from flask_login import current_user
from sqlalchemy import func, select

from coordination import types
from coordination.accounts.models import User
from coordination.actions import queries as action_queries
from coordination.actions.models import STATUS_LABELS
from coordination.actions.progress import Progress
from coordination.audit.models import AuditEntry
from coordination.extensions import db
from coordination.groups.models import ROLE_LABELS as GROUP_ROLE_LABELS
from coordination.groups.models import GroupMembership, WorkingGroup
from coordination.organisations.models import Organisation, OrgKind
from coordination.roles import ROLE_LABELS, signed_in
from coordination.web.authz import allowed, guard
from coordination.web.formatting import sl_order, translated
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
    my_groups = db.session.execute(
        select(WorkingGroup, GroupMembership.role).join(GroupMembership.group)
        .where(GroupMembership.user_id == current_user.id).order_by(sl_order(WorkingGroup.name))).all()
    return render("dashboard/index.html", org=org, stats=stats, recent=recent, my_groups=my_groups,
                  group_roles=GROUP_ROLE_LABELS,
                  role_label=ROLE_LABELS[current_user.role],
                  # "what do we owe": pending items, overdue first, then by due date (one query each)
                  my_items=action_queries.my_open_items(current_user),
                  org_items=action_queries.organisation_open_items(current_user), today=types.today(),
                  # each with its progress as the matrix and the report state it (progress.py)
                  fanouts=[(fanout_id, title, Progress(done, counted))
                           for fanout_id, title, counted, done in action_queries.recent_fanouts(current_user)],
                  item_status_labels=translated(STATUS_LABELS))
