"""What the meeting documents (minutes, conclusions) show to one user: only what that user may see."""
from __future__ import annotations

import re
import unicodedata

from coordination.meetings import approval
from coordination.meetings import permissions as perm
from coordination.meetings.markdown import render as render_markdown
from coordination.meetings.models import ATTENDANCE_GROUPS, KIND_LABELS, Meeting, MinutesState
from coordination.types import LJUBLJANA, utcnow
from coordination.web.formatting import format_datetime, format_period


def context(meeting: Meeting, user, *, with_minutes: bool, version: approval.ApprovedVersion | None = None) -> dict:
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
    return {
        "meeting": meeting,
        "when": format_period(meeting.starts_at, meeting.ends_at),
        "participants": [(label, people) for label, people in participants if people],
        "items": [(i, render_markdown(texts.get(i.id, "")) if with_minutes and (texts.get(i.id) or "").strip() else None)
                  for i in items],
        "conclusions": [c for c in meeting.conclusions if perm.can_view_conclusion(user, c)],
        "kind_labels": KIND_LABELS,
        "draft": meeting.minutes_state != MinutesState.APPROVED,
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


def filename(kind: str, meeting: Meeting) -> str:
    """zapisnik-3-seja-delovne-skupine-2024-03-20.pdf; kind is 'zapisnik' or 'zakljucki-sestanka'."""
    day = meeting.starts_at.astimezone(LJUBLJANA).date().isoformat()
    return f"{kind}-{slug(meeting.title)}-{day}.pdf"
