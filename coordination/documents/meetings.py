"""What the meeting documents (minutes, conclusions) show to one user: only what that user may see,
under the organiser's letterhead, with the document's file number, the chair and record-keeper, and
a signature block whose forms of address follow each person's gender (wording.py)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from coordination.documents import services, wording
from coordination.documents.models import DocumentKind
from coordination.groups.models import GroupRole
from coordination.meetings import approval
from coordination.meetings import permissions as perm
from coordination.meetings.markdown import render as render_markdown
from coordination.meetings.models import ATTENDANCE_GROUPS, KIND_LABELS, Meeting, MinutesState
from coordination.types import LJUBLJANA, utcnow
from coordination.web.formatting import format_date, format_date_long, format_datetime, format_period


@dataclass
class Signature:
    label: str
    name: str
    note: str = ""


def _group_role(meeting: Meeting, role: GroupRole):
    """The person holding `role` in the meeting's working group on the day of the meeting."""
    if meeting.group is None:
        return None
    day = meeting.starts_at.astimezone(LJUBLJANA).date()
    return next((m.user for m in meeting.group.memberships if m.role == role and m.user is not None and m.current(day)),
                None)


def chair_of(meeting: Meeting):
    return meeting.chair or _group_role(meeting, GroupRole.CHAIR)


def recorder_of(meeting: Meeting):
    return meeting.recorder or _group_role(meeting, GroupRole.SECRETARY)


def signatures(meeting: Meeting, chair, recorder, approved: bool) -> list[Signature]:
    """Who signs: the record-keeper and the chair, and the approver once the minutes are approved."""
    out = []
    if recorder is not None:
        out.append(Signature(wording.recorded_by(recorder), recorder.name))
    if chair is not None:
        out.append(Signature(wording.chair(chair), chair.name))
    if approved and meeting.approved_by is not None:
        out.append(Signature(wording.approved_by(meeting.approved_by), meeting.approved_by.name,
                             format_date(meeting.approved_at)))
    return out


def context(meeting: Meeting, user, *, with_minutes: bool, file_number: str | None = None,
            version: approval.ApprovedVersion | None = None) -> dict:
    """Template context of a meeting document for `user`: the minutes as they stand, or as they were
    in an approved `version` (with the revisions up to it)."""
    versions = approval.approved_versions(meeting, user)
    if version is None:
        texts = {i.id: i.minutes for i in meeting.agenda}
    else:
        texts = approval.texts_at(meeting, version)
        versions = [v for v in versions if v.number <= version.number]
    participants = [(label, [p for p in meeting.participants if p.attendance == attendance])
                    for attendance, label in ATTENDANCE_GROUPS.items()]
    items = [i for i in meeting.agenda if perm.can_view_item(user, i)]
    approved = meeting.minutes_state == MinutesState.APPROVED
    chair, recorder = chair_of(meeting), recorder_of(meeting)
    lines = (f"{meeting.group.name} ({meeting.group.code})",) if meeting.group else ()
    issuer = services.issuing_organisation(meeting)
    return {
        "letterhead": services.heading(issuer, lines),
        "co_organisers": [o.name for o in meeting.organisers if o != issuer],
        "file_number": file_number,
        "day": format_date(meeting.starts_at),
        "chair": chair, "chair_label": wording.chair(chair) if chair else None,
        "recorder": recorder, "recorder_label": wording.record_keeper(recorder) if recorder else None,
        "signatures": signatures(meeting, chair, recorder, approved),
        "approval": wording.approval_record(meeting.approved_by, format_date_long(meeting.approved_at))
        if approved else None,
        "meeting": meeting,
        "when": format_period(meeting.starts_at, meeting.ends_at),
        "participants": [(label, people) for label, people in participants if people],
        "items": [(i, render_markdown(texts.get(i.id, "")) if with_minutes and (texts.get(i.id) or "").strip() else None)
                  for i in items],
        "conclusions": [c for c in meeting.conclusions if perm.can_view_conclusion(user, c)],
        "kind_labels": KIND_LABELS,
        "draft": not approved,
        "generated": format_datetime(utcnow()),
        "with_minutes": with_minutes,
        "revisions": [v for v in versions if v.reason],   # "Popravek – različica N, datum, razlog"
        "version": version,
        "latest_version": max((v.number for v in approval.approved_versions(meeting)), default=None),
    }


def slug(text: str, limit: int = 60) -> str:
    """ASCII file-name part: 'Seja o Digitalni Sloveniji' -> 'seja-o-digitalni-sloveniji'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-") or "sestanek"


def issue_number(meeting: Meeting, kind: DocumentKind) -> str | None:
    """The file number of an approved document (given on its first issue, the same ever after); a
    draft is not issued and has none."""
    if meeting.minutes_state != MinutesState.APPROVED:
        return None
    document = services.issue_once(meeting, kind)
    return document.number if document else None


def filename(kind: str, meeting: Meeting) -> str:
    """zapisnik-3-seja-delovne-skupine-2024-03-20.pdf; kind is 'zapisnik' or 'sklepi'."""
    day = meeting.starts_at.astimezone(LJUBLJANA).date().isoformat()
    return f"{kind}-{slug(meeting.title)}-{day}.pdf"
