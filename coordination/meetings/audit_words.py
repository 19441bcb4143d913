"""How the audit log tells changes to meetings, minutes and conclusions (registered with
audit/wording.py)."""
from flask_babel import lazy_gettext as _l

from coordination.audit import wording as w
from coordination.meetings.models import (
    ATTENDANCE_LABELS,
    KIND_LABELS,
    STATE_LABELS,
    VISIBILITY_LABELS,
    AgendaItem,
    Conclusion,
    Meeting,
    MinutesComment,
    Participant,
)


def _minutes(state: str):
    return lambda changes: (changes.get("minutes_state") or [None, None])[1] == state


w.register("Meeting", w.Kind(
    name=_l("Meeting"), model=Meeting, title="title", url=w.link("meetings.detail", meeting_id=0),
    created=_l("New meeting “%(label)s”"), changed=_l("Change to meeting “%(label)s”"),
    deleted=_l("Deleted meeting “%(label)s”"),
    fields={"title": _l("Title"), "group_id": _l("Working group"), "starts_at": _l("Starts"), "ends_at": _l("Ends"),
            "place": _l("Place"), "online_url": _l("Online meeting link"), "visibility": _l("Visibility"),
            "minutes_state": _l("Minutes"), "approved_by_id": _l("Approving person"), "approved_at": _l("Approved"),
            "organisers": _l("Organisers"), "conclusion_order": _l("Order of conclusions")},
    values={"starts_at": w.as_datetime, "ends_at": w.as_datetime, "approved_at": w.as_datetime,
            "visibility": w.labels(VISIBILITY_LABELS), "minutes_state": w.labels(STATE_LABELS)},
    refs={"group_id": "WorkingGroup", "approved_by_id": "User"},
    events=[(_minutes("approved"), _l("Minutes of the meeting “%(label)s” approved")),
            (_minutes("circulated"), _l("Minutes of the meeting “%(label)s” circulated for review")),
            (_minutes("draft"), _l("Minutes of the meeting “%(label)s” reopened as a draft"))],
))
w.register("Participant", w.Kind(
    name=_l("Participant"), model=Participant, title="id", parent="meeting_id",
    url=w.link("meetings.detail", meeting_id=2),
    created=_l("New participant of a meeting: %(label)s"), changed=_l("Change to a meeting participant: %(label)s"),
    deleted=_l("Participant removed from a meeting: %(label)s"),
    fields={"meeting_id": _l("Meeting"), "user_id": _l("Person"), "organisation_id": _l("Organisation"),
            "attendance": _l("Attendance")},
    values={"attendance": w.labels(ATTENDANCE_LABELS)},
    refs={"meeting_id": "Meeting", "user_id": "User", "organisation_id": "Organisation"},
))
w.register("AgendaItem", w.Kind(
    name=_l("Agenda item"), model=AgendaItem, title="title", parent="meeting_id",
    url=w.link("meetings.detail", meeting_id=2),
    created=_l("New agenda item “%(label)s”"), changed=_l("Change to agenda item “%(label)s”"),
    deleted=_l("Deleted agenda item “%(label)s”"),
    fields={"meeting_id": _l("Meeting"), "position": _l("Position"), "title": _l("Title"),
            "visibility": _l("Visibility"), "minutes": _l("Minutes"), "revision_reason": _l("Reason for the change")},
    values={"visibility": w.labels(VISIBILITY_LABELS), "minutes": w.excerpt},
    refs={"meeting_id": "Meeting"},
    events=[(lambda c: "minutes" in c, _l("Minutes of agenda item “%(label)s” written"))],
))
w.register("MinutesComment", w.Kind(
    name=_l("Comment on minutes"), created=_l("New comment on the minutes: “%(label)s”"),
    changed=_l("Change to a comment on the minutes: “%(label)s”"),
    deleted=_l("Deleted comment on the minutes: “%(label)s”"),
    model=MinutesComment, title="id",
    fields={"item_id": _l("Agenda item"), "text": _l("Comment")}, values={"text": w.excerpt},
    refs={"item_id": "AgendaItem"},
))
w.register("Conclusion", w.Kind(
    name=_l("Conclusion"), model=Conclusion, title="text", parent="meeting_id",
    url=w.link("meetings.detail", meeting_id=2),
    created=_l("New conclusion %(label)s"), changed=_l("Change to conclusion %(label)s"),
    deleted=_l("Deleted conclusion %(label)s"),
    fields={"meeting_id": _l("Meeting"), "agenda_item_id": _l("Agenda item"), "number": _l("Number"),
            "text": _l("Text"), "kind": _l("Kind"), "visibility": _l("Visibility"),
            "establishes_group_id": _l("Establishes the working group")},
    values={"kind": w.labels(KIND_LABELS), "visibility": w.labels(VISIBILITY_LABELS), "text": w.excerpt},
    refs={"meeting_id": "Meeting", "agenda_item_id": "AgendaItem", "establishes_group_id": "WorkingGroup"},
))
