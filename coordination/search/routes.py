"""The search page: one box over organisations, working groups, meetings, minutes, conclusions and
action items."""
from flask import Blueprint, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coordination.actions.models import STATUS_LABELS
from coordination.meetings.models import VISIBILITY_LABELS
from coordination.organisations.models import KIND_LABELS as ORG_KIND_LABELS
from coordination.search import permissions as perm
from coordination.search import services
from coordination.search.index import MAX_QUERY
from coordination.web.authz import guard
from coordination.web.htmx import render
from coordination.web.pagination import page_number

bp = Blueprint("search", __name__)

KIND_LABELS = {
    services.ORGANISATION: _l("Organisations"),
    services.GROUP: _l("Working groups"),
    services.MEETING: _l("Meetings"),
    services.MINUTES: _l("Minutes of agenda items"),
    services.CONCLUSION: _l("Conclusions"),
    services.ITEM: _l("Action items"),
}


def hit_url(hit) -> str:
    row = hit.row
    if hit.kind == services.ORGANISATION:
        return url_for("organisations.detail", org_id=hit.ref_id)
    if hit.kind == services.GROUP:
        return url_for("groups.detail", group_id=hit.ref_id)
    if hit.fanout:
        return url_for("fanouts.view", fanout_id=row.fanout_id)
    if hit.kind == services.MEETING:
        return url_for("meetings.detail", meeting_id=hit.ref_id)
    if hit.kind == services.MINUTES:
        return url_for("meetings.detail", meeting_id=row.meeting_id, _anchor=f"item-{hit.ref_id}")
    if hit.kind == services.CONCLUSION:
        return url_for("meetings.detail", meeting_id=row.meeting_id, _anchor=f"conclusion-{hit.ref_id}")
    return url_for("actions.detail", item_id=hit.ref_id)


@bp.route("/iskanje")
@guard(perm.can_search)
def index():
    query = " ".join(request.args.get("q", "")[:MAX_QUERY].split())
    kind = request.args.get("kind", "")
    results = services.search(current_user, query, kind=kind, page=page_number())
    return render("search/index.html", "search/_results.html", results=results, kind_labels=KIND_LABELS,
                  status_labels=STATUS_LABELS, org_kind_labels=ORG_KIND_LABELS, visibility_labels=VISIBILITY_LABELS, hit_url=hit_url)
