"""Who sees and changes Digi info točke: the network, the hosting requests, the visit figures and
the programme.

- The network (points, addresses, opening hours, topics) is seen by every signed-in user, and its
  open points by the public; contacts by staff, the host and the point's municipality.
- Visit figures: staff, association staff (the programme is theirs to follow, read-only), the host
  and the municipality of the point; the public only when the ministry publishes them.
- Visits are reported by the host of the point, and by the ministry for every point.
- A hosting request belongs to the applicant's organisation (the "applicant side"); it is seen by
  that side, by the municipality it is for, by the proposed host, and by staff, who review and decide.
`visits_clause()` and `request_clause()` are the same rules in SQL.
"""
from __future__ import annotations

from sqlalchemy import false, or_, true

from coordination.points.models import HostingRequest, PointStatus, RequestStatus, ServicePoint
from coordination.roles import Role, is_staff, signed_in
from coordination.web.authz import rule

APPLICANT_ROLES = (Role.ADMIN, Role.MINISTRY, Role.MUNICIPAL, Role.HOST)
WITHDRAWABLE = (RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW)
DECIDABLE = (RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW)
DECIDED = (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.OPENED, RequestStatus.CLOSED)


# --- the network -------------------------------------------------------------------------------

@rule("points.browse")
def can_browse(user, obj=None) -> bool:
    return signed_in(user)


@rule("points.manage")
def can_manage(user, point: ServicePoint | None = None) -> bool:
    """Edit a point's details and cost, close it: staff."""
    return is_staff(user)


@rule("points.close")
def can_close(user, point: ServicePoint | None) -> bool:
    return point is not None and is_staff(user) and point.status == PointStatus.OPEN


def _concerns(user, point: ServicePoint) -> bool:
    return user.organisation_id in (point.host_id, point.municipality_id)


@rule("points.view_contacts")
def can_view_contacts(user, point: ServicePoint | None) -> bool:
    if point is None or not signed_in(user):
        return False
    return is_staff(user) or _concerns(user, point)


@rule("points.view_visits")
def can_view_visits(user, point: ServicePoint | None) -> bool:
    if point is None or not signed_in(user):
        return point is not None and point.programme.publish_visits
    return is_staff(user) or user.role == Role.ASSOCIATION or _concerns(user, point)


def visits_clause(user):
    """SQL twin of can_view_visits over ServicePoint (for lists, exports and the programme)."""
    if not signed_in(user):
        return false()
    if is_staff(user) or user.role == Role.ASSOCIATION:
        return true()
    return or_(ServicePoint.host_id == user.organisation_id, ServicePoint.municipality_id == user.organisation_id)


@rule("points.report_visits")
def can_report_visits(user, point: ServicePoint | None) -> bool:
    """Hosts report for their own points, the ministry for all."""
    if point is None or not signed_in(user):
        return False
    return is_staff(user) or (user.role in (Role.HOST, Role.MUNICIPAL) and point.host_id == user.organisation_id)


def report_clause(user):
    """SQL twin of can_report_visits (the upload checks every row with it)."""
    if is_staff(user):
        return true()
    if signed_in(user) and user.role in (Role.HOST, Role.MUNICIPAL):
        return ServicePoint.host_id == user.organisation_id
    return false()


@rule("points.upload_visits")
def can_upload_visits(user, obj=None) -> bool:
    """The upload page: those who may host a point (each row is checked against its point)."""
    return signed_in(user) and user.role in (Role.ADMIN, Role.MINISTRY, Role.HOST, Role.MUNICIPAL)


# --- the programme -----------------------------------------------------------------------------

@rule("points.view_programme")
def can_view_programme(user, obj=None) -> bool:
    """The pilot's numbers: the ministry, and associations read-only."""
    return is_staff(user) or (signed_in(user) and user.role == Role.ASSOCIATION)


@rule("points.edit_programme")
def can_edit_programme(user, obj=None) -> bool:
    return is_staff(user)


# --- hosting requests --------------------------------------------------------------------------

def applicant_side(user, request: HostingRequest) -> bool:
    return signed_in(user) and user.organisation_id == request.applicant_org_id


@rule("points.browse_requests")
def can_browse_requests(user, obj=None) -> bool:
    return signed_in(user) and user.role in APPLICANT_ROLES


@rule("points.create_request")
def can_create_request(user, obj=None) -> bool:
    return signed_in(user) and user.role in APPLICANT_ROLES


@rule("points.view_request")
def can_view_request(user, request: HostingRequest | None) -> bool:
    if request is None or not signed_in(user):
        return False
    if is_staff(user):
        return True
    if request.status == RequestStatus.DRAFT:  # a draft is the applicant's own until submitted
        return applicant_side(user, request)
    return user.organisation_id in (request.applicant_org_id, request.municipality_id, request.host_id)


def request_clause(user):
    """SQL twin of can_view_request."""
    if is_staff(user):
        return true()
    if not signed_in(user):
        return false()
    org = user.organisation_id
    return or_(HostingRequest.applicant_org_id == org,
               (HostingRequest.status != RequestStatus.DRAFT)
               & or_(HostingRequest.municipality_id == org, HostingRequest.host_id == org))


@rule("points.edit_request")
def can_edit_request(user, request: HostingRequest | None) -> bool:
    return request is not None and request.status == RequestStatus.DRAFT and applicant_side(user, request)


@rule("points.submit_request")
def can_submit_request(user, request: HostingRequest | None) -> bool:
    return can_edit_request(user, request)


@rule("points.withdraw_request")
def can_withdraw_request(user, request: HostingRequest | None) -> bool:
    return request is not None and request.status in WITHDRAWABLE and applicant_side(user, request)


@rule("points.review_request")
def can_review_request(user, request: HostingRequest | None) -> bool:
    return request is not None and is_staff(user) and request.status == RequestStatus.SUBMITTED


@rule("points.decide_request")
def can_decide_request(user, request: HostingRequest | None) -> bool:
    return request is not None and is_staff(user) and request.status in DECIDABLE


@rule("points.open_point")
def can_open_point(user, request: HostingRequest | None) -> bool:
    """Open the approved point: the applicant side (the host opens it) or staff."""
    if request is None or request.status != RequestStatus.APPROVED:
        return False
    return is_staff(user) or applicant_side(user, request)


@rule("points.comment_request")
def can_comment_request(user, request: HostingRequest | None) -> bool:
    """The ministry and the applicant exchange comments once the request is submitted."""
    if request is None or request.status == RequestStatus.DRAFT:
        return False
    return is_staff(user) or applicant_side(user, request)


@rule("points.decision_letter")
def can_download_decision(user, request: HostingRequest | None) -> bool:
    return (request is not None and request.status in DECIDED and request.decided_at is not None
            and can_view_request(user, request))
