"""How the audit log tells changes to Digi info točke (registered with audit/wording.py)."""
from flask_babel import lazy_gettext as _l

from coordination.audit import wording as w
from coordination.points import topics
from coordination.points.decision_models import NetworkDecision
from coordination.points.models import (
    POINT_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    HostingRequest,
    Programme,
    ServicePoint,
)


def _topics(value) -> str:
    return ", ".join(topics.label(code) for code in value) if value else w.EMPTY


PLACE = {"address": _l("Address"), "lat": _l("Latitude"), "lon": _l("Longitude"), "topics": _l("Services"),
         "contact_name": _l("Contact person"), "contact_email": _l("Contact e-mail"),
         "contact_phone": _l("Contact phone"), "municipality_id": _l("Municipality"), "host_id": _l("Host"),
         "programme_id": _l("Programme")}
PLACE_REFS = {"municipality_id": "Organisation", "host_id": "Organisation", "programme_id": "Programme"}

w.register("Programme", w.Kind(
    name=_l("Programme"), model=Programme, url=w.link("programme.edit"),
    created=_l("New programme “%(label)s”"), changed=_l("Change to the programme “%(label)s”"),
    deleted=_l("Deleted programme “%(label)s”"),
    fields={"name": _l("Name"), "starts_on": _l("Start"), "ends_on": _l("End"), "contractor": _l("Contractor"),
            "min_days_per_week": _l("Days a week at least"), "min_hours_per_week": _l("Hours a week at least"),
            "publish_visits": _l("Visits are public")},
    values={"starts_on": w.as_date, "ends_on": w.as_date},
))
w.register("ProgrammeTarget", w.Kind(
    name=_l("Programme target"), created=_l("New programme target %(label)s"),
    changed=_l("Change to the programme target %(label)s"), deleted=_l("Deleted programme target %(label)s"),
    fields={"due_on": _l("Date"), "visits": _l("Visits"), "label": _l("Label")}, values={"due_on": w.as_date},
))
w.register("HostingRequest", w.Kind(
    name=_l("Hosting request"), model=HostingRequest, title="address",
    url=w.link("point_requests.detail", request_id=0),
    created=_l("New hosting request %(label)s"), changed=_l("Change to the hosting request %(label)s"),
    deleted=_l("Deleted hosting request %(label)s"),
    fields={**PLACE, "file_number": _l("File number"), "status": _l("Status"), "applicant_id": _l("Applicant"),
            "applicant_org_id": _l("Applicant organisation"), "proposed_host_name": _l("Proposed host"),
            "staff": _l("Staff"), "expected_visits": _l("Expected visits a month"),
            "justification": _l("Justification"), "decision_reason": _l("Reason for the decision")},
    values={"status": w.labels(REQUEST_STATUS_LABELS), "topics": _topics, "justification": w.excerpt},
    refs={**PLACE_REFS, "applicant_id": "User", "applicant_org_id": "Organisation"},
    events=[(lambda c: "status" in c, _l("Status of the hosting request %(label)s changed"))],
))
w.register("RequestComment", w.Kind(
    name=_l("Comment on a hosting request"), created=_l("New comment on a hosting request: “%(label)s”"),
    changed=_l("Change to a comment on a hosting request: “%(label)s”"),
    deleted=_l("Deleted comment on a hosting request: “%(label)s”"),
    fields={"text": _l("Comment"), "old_status": _l("Status before"), "new_status": _l("Status after")},
    values={"old_status": w.labels(REQUEST_STATUS_LABELS), "new_status": w.labels(REQUEST_STATUS_LABELS)},
))
w.register("ServicePoint", w.Kind(
    name=_l("Digi info točka"), model=ServicePoint, url=w.link("points.detail", point_id=0),
    created=_l("New Digi info točka %(label)s"), changed=_l("Change to Digi info točka %(label)s"),
    deleted=_l("Deleted Digi info točka %(label)s"),
    fields={**PLACE, "code": _l("Code"), "name": _l("Name"), "status": _l("Status"), "opened_on": _l("Opened"),
            "closed_on": _l("Closed"), "closing_reason": _l("Reason for closing"),
            "cost_per_month": _l("Cost a month")},
    values={"status": w.labels(POINT_STATUS_LABELS), "topics": _topics, "opened_on": w.as_date,
            "closed_on": w.as_date, "cost_per_month": w.as_number},
    refs=PLACE_REFS,
    events=[(lambda c: (c.get("status") or [None, None])[1] == "closed", _l("Digi info točka %(label)s closed"))],
))
w.register("VisitReport", w.Kind(
    name=_l("Visit report"), created=_l("Visits reported: %(label)s"), changed=_l("Visits corrected: %(label)s"),
    deleted=_l("Visit report deleted: %(label)s"),
    fields={"point_id": _l("Digi info točka"), "month": _l("Month"), "total": _l("Visits")},
    refs={"point_id": "ServicePoint"},
))
w.register("NetworkDecision", w.Kind(
    name=_l("Network decision"), model=NetworkDecision, title="decided_on",
    url=w.link("point_analysis.decision", decision_id=0),
    created=_l("Network decision adopted: %(label)s"), changed=_l("Change to the network decision %(label)s"),
    deleted=_l("Deleted network decision %(label)s"),
    fields={"decided_on": _l("Points close on"), "window_from": _l("Window from"), "window_to": _l("Window to"),
            "points_before": _l("Points before"), "closed_count": _l("Points closed"), "note": _l("Note")},
    values={"decided_on": w.as_date, "window_from": w.as_date, "window_to": w.as_date},
))
