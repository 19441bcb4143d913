"""Browsing the audit log (administrators)."""
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from coordination.audit import permissions as perm
from coordination.audit import wording
from coordination.audit.models import ACTIONS, SIGN_IN, AuditEntry, action_label, record_kind
from coordination.extensions import db
from coordination.types import LJUBLJANA
from coordination.web.authz import guard
from coordination.web.formatting import parse_date_input
from coordination.web.forms import DATE_ERROR
from coordination.web.htmx import render, wants_fragment
from coordination.web.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/revizijska-sled")
bp.add_app_template_filter(record_kind, "record_kind")
bp.add_app_template_filter(action_label, "action_label")

# sign-ins are many and say little about changes: hidden unless asked for
SIGN_INS = {"with": _l("Shown with the changes"), "only": _l("Only sign-ins")}

def _date(value: str):
    try:
        return parse_date_input(value)
    except ValueError:
        return None


def _day_start(day, *, after: bool = False) -> datetime | None:
    """The moment the day (or, with `after`, the next day) begins in Ljubljana, in UTC; None where
    the calendar ends (year 1 or 9999), which then bounds nothing."""
    try:
        return datetime.combine(day + timedelta(days=1) if after else day, time(), LJUBLJANA).astimezone(UTC)
    except OverflowError:
        return None


def _entity_types() -> list[str]:
    """The record kinds the log holds, in order: each found from the last by one step along the
    (entity_type, entity_id) index (a recursive query: as many steps as there are kinds, some 30),
    where SELECT DISTINCT read all the entries (10 ms at 50,000)."""
    kinds = select(func.min(AuditEntry.entity_type).label("kind")).cte("kinds", recursive=True)
    following = select(func.min(AuditEntry.entity_type)).where(AuditEntry.entity_type > kinds.c.kind).scalar_subquery()
    kinds = kinds.union_all(select(following).where(kinds.c.kind.is_not(None)))
    return list(db.session.scalars(select(kinds.c.kind).where(kinds.c.kind.is_not(None))))


@bp.route("/")
@guard(perm.can_browse_audit)
def index():
    args = request.args
    filters = {
        "who": args.get("who", "").strip()[:100],
        "entity": args.get("entity", "")[:40],
        "action": args.get("action", "") if args.get("action") in ACTIONS else "",
        "since": args.get("since", ""),
        "until": args.get("until", ""),
        "signins": args.get("signins", "") if args.get("signins") in SIGN_INS else "",
    }
    errors = {}
    query = select(AuditEntry)
    if filters["who"]:  # a name or e-mail: the label keeps it even after the account is gone
        query = query.where(AuditEntry.actor_label.ilike(f"%{filters['who']}%"))
    if filters["entity"]:
        query = query.where(AuditEntry.entity_type == filters["entity"])
    if filters["action"]:
        query = query.where(AuditEntry.action == filters["action"])
    elif filters["signins"] == "only":
        query = query.where(AuditEntry.action == SIGN_IN)
    elif not filters["signins"]:
        query = query.where(AuditEntry.action != SIGN_IN)
    since, until = _date(filters["since"]), _date(filters["until"])
    if filters["since"] and since is None:
        errors["since"] = str(DATE_ERROR)
    if filters["until"] and until is None:
        errors["until"] = str(DATE_ERROR)
    if since and until and since > until:
        errors["until"] = _("The end date is before the start date.")
    if not errors:  # whole days in Ljubljana time; the first and last day of the calendar bound nothing
        if since and (start := _day_start(since)):
            query = query.where(AuditEntry.at >= start)
        if until and (end := _day_start(until, after=True)):
            query = query.where(AuditEntry.at < end)
    # a date is shown as the date fields show it; one that could not be read, as it was typed
    dates = {"since": since or filters["since"], "until": until or filters["until"]}
    page = paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
                    per_page=current_app.config["AUDIT_PAGE_SIZE"])
    # the kind choices are only on the full page (the live filter swaps the entries alone)
    entities = [] if wants_fragment() else _entity_types()
    return render("audit/index.html", "audit/_entries.html", page=page, lines=wording.describe(page.items),
                  filters=filters, errors=errors, entity_options=[(e, record_kind(e)) for e in entities],
                  actions=ACTIONS, sign_ins=list(SIGN_INS.items()), dates=dates, status=422 if errors else 200)
