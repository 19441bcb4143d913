"""Every change to Digi info točke: hosting requests along their lifecycle with comments and
notifications, opening and closing points, visit reports with their corrections, the programme's
targets. Services change and flush; the request (or unit_of_work) commits. Every step is audited by
the flush hook (the models are marked __audit__) and written into the request's history.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from coordination import mail
from coordination.accounts.models import User
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.points.models import (
    REQUEST_STATUS_LABELS,
    HostingRequest,
    PointStatus,
    Programme,
    ProgrammeTarget,
    RequestComment,
    RequestStatus,
    ServicePoint,
    VisitCorrection,
    VisitReport,
    VisitTopic,
    VisitUpload,
)
from coordination.roles import Role, is_staff
from coordination.types import utcnow

TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.DRAFT: frozenset({RequestStatus.SUBMITTED, RequestStatus.WITHDRAWN}),
    RequestStatus.SUBMITTED: frozenset({RequestStatus.UNDER_REVIEW, RequestStatus.APPROVED, RequestStatus.REJECTED,
                                        RequestStatus.WITHDRAWN}),
    RequestStatus.UNDER_REVIEW: frozenset({RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN}),
    RequestStatus.APPROVED: frozenset({RequestStatus.OPENED}),
    RequestStatus.OPENED: frozenset({RequestStatus.CLOSED}),
    RequestStatus.REJECTED: frozenset(),
    RequestStatus.CLOSED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
}
REQUEST_FIELDS = ("municipality_id", "host_id", "proposed_host_name", "proposed_host_kind", "proposed_host_address",
                  "address", "lat", "lon", "opening_hours", "topics", "staff", "contact_name", "contact_email",
                  "contact_phone", "expected_visits", "justification")


class PointError(ValueError):
    """A change the rules refuse; nothing was changed."""


class IllegalStep(PointError):
    def __init__(self, old: RequestStatus, new: RequestStatus):
        super().__init__(f"{old} -> {new}")
        self.old, self.new = old, new


class StaleRequest(PointError):
    """The request changed since the form was loaded."""


class CodeTaken(PointError):
    pass


# --- the programme -----------------------------------------------------------------------------

def current_programme() -> Programme | None:
    """The programme new requests and points belong to: the one that started last."""
    return db.session.scalar(select(Programme).order_by(Programme.starts_on.desc(), Programme.id.desc()).limit(1))


def set_targets(programme: Programme, targets: list[tuple[date, int, str]]) -> None:
    """Replace the programme's targets (date, cumulative visits, label)."""
    wanted = {due: (visits, label) for due, visits, label in targets}
    for target in list(programme.targets):
        if target.due_on not in wanted:
            programme.targets.remove(target)
        else:
            target.visits, target.label = wanted.pop(target.due_on)
    for due, (visits, label) in sorted(wanted.items()):
        programme.targets.append(ProgrammeTarget(due_on=due, visits=visits, label=label))
    db.session.flush()


def set_rules(programme: Programme, *, min_days: int, min_hours: int, publish_visits: bool) -> None:
    programme.min_days_per_week, programme.min_hours_per_week = min_days, min_hours
    programme.publish_visits = publish_visits
    db.session.flush()


# --- notifications -----------------------------------------------------------------------------

def _recipients(request: HostingRequest, author) -> list[User]:
    """The other side: the ministry hears of the applicant's steps, the applicant's organisation of
    the ministry's (never the author themself)."""
    if author is not None and is_staff(author) and author.organisation_id != request.applicant_org_id:
        where = User.organisation_id == request.applicant_org_id
    else:
        where = User.role == Role.MINISTRY
    author_id = getattr(author, "id", None)
    return [u for u in db.session.scalars(select(User).where(where, User.active).order_by(User.id))
            if u.id != author_id]


def notify(request: HostingRequest, author, what, kind: str = "status") -> int:
    """Tell the other side, in-app and by e-mail (those who want e-mail of this `kind`: a step of the
    request is a change of state, a comment a comment), each in their own language: `what()` returns
    the sentence (called under each recipient's locale). A mail problem is logged; the in-app notice stays."""
    from coordination.actions.models import EmailKind, Notification, NotificationKind
    from coordination.actions.preferences import opted_out
    from coordination.actions.reminders import absolute_url, language_of, plain_text

    recipients = _recipients(request, author)
    if not recipients:
        return 0
    link = request_path(request.id)
    label = getattr(author, "name", "") or ""
    no_mail = opted_out((u.id for u in recipients), EmailKind(kind))
    rows, messages = [], []
    for user in recipients:
        with force_locale(language_of(user)):
            text = what()
            rows.append({"user_id": user.id, "kind": NotificationKind.MESSAGE, "link": link, "detail": text[:300],
                         "actor_label": label[:200], "created_at": utcnow()})
            if user.id in no_mail:
                continue
            body = plain_text("mail/point_request.txt", user=user, text=text, author=label, request=request,
                              url=absolute_url(link), settings_url=absolute_url("notifications.settings"))
            messages.append(mail.build(user.email, text[:200], body, language=language_of(user)))
    db.session.execute(insert(Notification), rows)
    mail.enqueue(messages)  # sent by `flask mail send`, only if this change commits
    return len(recipients)


def request_path(request_id: int) -> str:
    """The request's page, also outside a web request (CLI, demo): notices and e-mails link to it."""
    return current_app.url_map.bind("localhost").build("point_requests.detail", {"request_id": request_id})


def _name(request: HostingRequest) -> str:
    return request.file_number or _("request #%(id)d", id=request.id)


# --- hosting requests --------------------------------------------------------------------------

def create_request(author, programme: Programme, **fields) -> HostingRequest:
    request = HostingRequest(programme=programme, applicant_id=author.id, applicant_org_id=author.organisation_id,
                             status=RequestStatus.DRAFT, **{k: fields[k] for k in REQUEST_FIELDS})
    db.session.add(request)
    db.session.flush()
    return request


def _check_version(request: HostingRequest, base_version: int | None) -> None:
    if base_version is not None and base_version != request.version:
        raise StaleRequest(str(request.id))


def update_request(request: HostingRequest, *, base_version: int | None, **fields) -> HostingRequest:
    _check_version(request, base_version)
    if request.status != RequestStatus.DRAFT:
        raise IllegalStep(request.status, request.status)
    for key in REQUEST_FIELDS:
        setattr(request, key, fields[key])
    db.session.flush()
    return request


def _file_number(year: int) -> str:
    prefix = f"DIT {year}/"
    taken = db.session.scalars(select(HostingRequest.file_number).where(HostingRequest.file_number.like(prefix + "%")))
    return f"{prefix}{max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0) + 1}"


def step(request: HostingRequest, new: RequestStatus, *, author, reason: str = "",
         base_version: int | None = None) -> RequestComment:
    """Move the request along its lifecycle (opening and closing have their own services)."""
    _check_version(request, base_version)
    old = request.status
    if new not in TRANSITIONS[old] or new in (RequestStatus.OPENED, RequestStatus.CLOSED):
        raise IllegalStep(old, new)
    if new == RequestStatus.REJECTED and not reason.strip():
        raise PointError("a rejection needs its reason")
    now = utcnow()
    request.status = new
    if new == RequestStatus.SUBMITTED:
        request.submitted_at = now
        request.file_number = request.file_number or _file_number(now.year)
    if new in (RequestStatus.APPROVED, RequestStatus.REJECTED):
        request.decided_at, request.decided_by_id = now, author.id
        request.decision_reason = reason.strip()
    entry = history_entry(request, author, reason, old, new)
    db.session.flush()
    notify(request, author, lambda: _("%(request)s: %(status)s", request=_name(request),
                                      status=REQUEST_STATUS_LABELS[new]))
    return entry


def history_entry(request, author, text, old=None, new=None) -> RequestComment:
    entry = RequestComment(request=request, author_id=getattr(author, "id", None),
                           author_label=(getattr(author, "name", "") or "")[:200], text=(text or "").strip(),
                           old_status=old, new_status=new)
    db.session.add(entry)
    return entry


def comment(request: HostingRequest, text: str, *, author) -> RequestComment:
    entry = history_entry(request, author, text)
    db.session.flush()
    notify(request, author, lambda: _("New comment on %(request)s", request=_name(request)), kind="comments")
    return entry


def next_code() -> str:
    codes = db.session.scalars(select(ServicePoint.code).where(ServicePoint.code.like("DIT-%")))
    numbers = [int(c[4:]) for c in codes if c[4:].isdigit()]
    return f"DIT-{max(numbers, default=0) + 1:03d}"


def code_taken(code: str, except_id: int | None = None) -> bool:
    query = select(ServicePoint.id).where(func.upper(ServicePoint.code) == code.strip().upper())
    if except_id is not None:
        query = query.where(ServicePoint.id != except_id)
    return db.session.scalar(query) is not None


def open_point(request: HostingRequest, *, author, code: str, name: str, opened_on: date,
               base_version: int | None = None) -> ServicePoint:
    """The approved request becomes a point of the network; a proposed host becomes an organisation."""
    _check_version(request, base_version)
    if request.status != RequestStatus.APPROVED:
        raise IllegalStep(request.status, RequestStatus.OPENED)
    if code_taken(code):
        raise CodeTaken(code)
    host = request.host
    if host is None:
        host = db.session.scalar(select(Organisation).where(Organisation.name == request.proposed_host_name.strip()))
        if host is None:
            host = Organisation(kind=OrgKind.HOST, name=request.proposed_host_name.strip(),
                                address=request.proposed_host_address or None,
                                region_id=request.municipality.region_id)
            db.session.add(host)
        request.host = host
    point = ServicePoint(code=code.strip().upper(), name=name.strip(), programme_id=request.programme_id,
                         request=request, host=host, municipality_id=request.municipality_id,
                         address=request.address, lat=request.lat, lon=request.lon,
                         opening_hours=dict(request.opening_hours), topics=list(request.topics),
                         contact_name=request.contact_name, contact_email=request.contact_email,
                         contact_phone=request.contact_phone, status=PointStatus.OPEN, opened_on=opened_on)
    db.session.add(point)
    old = request.status
    request.status = RequestStatus.OPENED
    history_entry(request, author, _("Point %(code)s opened on %(date)s.", code=point.code, date=opened_on.isoformat()),
             old, RequestStatus.OPENED)
    db.session.flush()
    notify(request, author, lambda: _("%(request)s: point %(code)s opened", request=_name(request), code=point.code))
    return point


def close_point(point: ServicePoint, *, author, closed_on: date, reason: str) -> None:
    if point.status != PointStatus.OPEN:
        raise PointError("the point is not open")
    if closed_on < point.opened_on:
        raise PointError("closed before it opened")
    point.status, point.closed_on, point.closing_reason = PointStatus.CLOSED, closed_on, reason.strip()
    request = point.request
    if request is not None and request.status == RequestStatus.OPENED:
        request.status = RequestStatus.CLOSED
        history_entry(request, author, reason, RequestStatus.OPENED, RequestStatus.CLOSED)
        db.session.flush()
        notify(request, author, lambda: _("%(request)s: point %(code)s closed", request=_name(request),
                                          code=point.code))
    db.session.flush()


POINT_FIELDS = ("name", "address", "lat", "lon", "opening_hours", "topics", "contact_name", "contact_email",
                "contact_phone", "cost_per_month")


def update_point(point: ServicePoint, **fields) -> None:
    for key in POINT_FIELDS:
        setattr(point, key, fields[key])
    db.session.flush()


# --- visits ------------------------------------------------------------------------------------

def _topics_of(report: VisitReport) -> dict[str, int]:
    return {t.topic: t.visits for t in report.topics}


def save_visits(point: ServicePoint, month: date, total: int, topics: dict[str, int], *, author,
                report: VisitReport | None = None) -> tuple[VisitReport, bool]:
    """Record (or correct) one month of a point; returns (report, changed). A correction keeps the
    earlier figures in VisitCorrection. Checks (open month, topic sums) are the caller's forms'.
    Every change of a report's figures writes that VisitCorrection: visit_totals relies on it to know
    that the sums it keeps are out of date."""
    topics = {code: n for code, n in topics.items() if n is not None}
    if report is None:
        _lock_points([point.id])
        report = db.session.scalar(select(VisitReport).where(VisitReport.point_id == point.id,
                                                             VisitReport.month == month)
                                   .execution_options(populate_existing=True))
    if report is None:
        report = VisitReport(point=point, month=month, total=total, reported_by_id=getattr(author, "id", None),
                             topics=[VisitTopic(topic=c, visits=n) for c, n in sorted(topics.items())])
        db.session.add(report)
        db.session.flush()
        return report, True
    before = _topics_of(report)
    if report.total == total and before == topics:
        return report, False
    db.session.add(VisitCorrection(report_id=report.id, changed_by_id=getattr(author, "id", None),
                                   changed_by_label=(getattr(author, "name", "") or "")[:200],
                                   old_total=report.total, old_topics=before, new_total=total, new_topics=topics))
    report.total, report.reported_by_id, report.reported_at = total, getattr(author, "id", None), utcnow()
    existing = {t.topic: t for t in report.topics}
    for code, row in existing.items():
        if code not in topics:
            report.topics.remove(row)
    for code, n in topics.items():
        if code in existing:
            existing[code].visits = n
        else:
            report.topics.append(VisitTopic(topic=code, visits=n))
    db.session.flush()
    return report, True


def _lock_points(point_ids) -> None:
    """Saves of one point's visits queue on its row (PostgreSQL; SQLite writes one at a time anyway):
    the later one reads what the earlier committed, so its correction starts from that figure and a
    month is never inserted twice."""
    db.session.execute(select(ServicePoint.id).where(ServicePoint.id.in_(list(point_ids)))
                       .order_by(ServicePoint.id).with_for_update())


def create_upload(user, *, filename: str, valid_rows: list[dict], errors: list[dict]) -> VisitUpload:
    """Keep a validated upload until its owner confirms it (the request that stores it ends in a
    redirect to the preview, so it is committed with the request): nothing of the network changes here."""
    upload = VisitUpload(user_id=user.id, filename=(filename or "")[:200], valid_rows=valid_rows, errors=errors)
    db.session.add(upload)
    db.session.flush()
    return upload


def apply_upload(upload: VisitUpload, *, author, recheck) -> tuple[int, int, list[dict]] | None:
    """Apply the valid rows once. The upload is claimed with one UPDATE, so a second confirmation (or
    a second process) applies nothing and gets None. `recheck(rows)` gives {line: problem} as the
    points are now. Returns (new reports, corrections, refused rows)."""
    claimed = db.session.execute(update(VisitUpload).where(VisitUpload.id == upload.id,
                                                           VisitUpload.applied_at.is_(None))
                                 .values(applied_at=utcnow()))
    if claimed.rowcount != 1:
        return None
    rows = list(upload.valid_rows)
    problems = recheck(rows)
    _lock_points({r["point_id"] for r in rows})
    points = {p.id: p for p in db.session.scalars(select(ServicePoint).where(
        ServicePoint.id.in_({r["point_id"] for r in rows})))}
    existing = {(r.point_id, r.month): r for r in db.session.scalars(
        select(VisitReport).where(VisitReport.point_id.in_(points))
        .execution_options(populate_existing=True))} if points else {}
    created = corrected = 0
    refused = []
    for row in rows:
        if problems.get(row["line"]):
            refused.append({"line": row["line"], "message": problems[row["line"]]})
            continue
        month = date.fromisoformat(row["month"])
        report = existing.get((row["point_id"], month))
        was_new = report is None
        _report, changed = save_visits(points[row["point_id"]], month, row["total"], row["topics"], author=author,
                                       report=report)
        created += was_new
        corrected += changed and not was_new
    db.session.flush()
    return created, corrected, refused
