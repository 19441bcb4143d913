"""An appointment's audit entries told in words: who changed what, when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coordination.stewards.models import FREQUENCY_LABELS, OPTIONAL_PUBLIC, ROLE_LABELS, STATUS_LABELS
from coordination.web.formatting import format_date

FIELD_LABELS = {
    "role": _l("role"), "person_name": _l("name"), "function": _l("function"), "email": _l("e-mail"),
    "phone": _l("phone"), "act_reference": _l("act reference"), "act_date": _l("act date"),
    "act_signed_by": _l("signatory of the act"), "valid_from": _l("start"), "valid_until": _l("end"),
    "public_fields": _l("public fields"),
}
QUIET = {"version", "updated_at", "created_at", "id", "organisation_id", "confirmed_at", "confirmed_by_id",
         "return_reason", "end_reason", "status"}


@dataclass
class Event:
    at: datetime
    actor: str
    text: str


def _value(key: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if key in ("valid_from", "valid_until", "act_date"):
        try:
            return format_date(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if key == "role":
        return str(ROLE_LABELS.get(value, value))
    if key == "public_fields":
        return ", ".join(str(OPTIONAL_PUBLIC.get(v, v)) for v in value) or "—"
    if key == "frequency":
        return str(FREQUENCY_LABELS.get(value, value))
    return str(value)


def _status_text(old, new, changes) -> str:
    reason = (changes.get("return_reason") or [None, None])[1]
    if new == "confirmed":
        return _("confirmed the appointment")
    if new == "returned":
        return _("returned the nomination for correction: “%(reason)s”", reason=reason or "")
    if new == "ended":
        return _("ended the appointment")
    if old == "returned" and new == "nominated":
        return _("corrected and submitted the nomination again")
    return _("changed the status from %(old)s to %(new)s", old=STATUS_LABELS.get(old, old), new=STATUS_LABELS.get(new, new))


def describe(entry) -> str:
    """One audit entry of an appointment as a sentence without its subject (the actor)."""
    changes = entry.changes or {}
    if entry.action == "create":
        name = (changes.get("person_name") or [None, ""])[1]
        role = _value("role", (changes.get("role") or [None, None])[1])
        return _("nominated %(name)s as %(role)s", name=name, role=role.lower())
    if entry.action == "delete":
        return _("deleted the appointment")
    parts = []
    if "status" in changes:
        parts.append(_status_text(changes["status"][0], changes["status"][1], changes))
    for key, label in (("training_added", _l("added the training “%(what)s”")),
                       ("training_removed", _l("removed the training “%(what)s”")),
                       ("dataset_added", _l("added the dataset “%(what)s”")),
                       ("dataset_removed", _l("removed the dataset “%(what)s”")),
                       ("act_uploaded", _l("uploaded the appointing act %(what)s"))):
        if key in changes:
            before, after = changes[key]
            parts.append(str(label) % {"what": after or before})
    changed = [k for k in changes if k in FIELD_LABELS and k not in QUIET]
    for key in changed:
        before, after = changes[key]
        parts.append(_("changed the %(field)s from %(old)s to %(new)s", field=FIELD_LABELS[key],
                       old=_value(key, before), new=_value(key, after)))
    if "valid_until" in changes and changes.get("end_reason", [None, None])[1] == "successor":
        parts.append(_("(ended by the confirmation of a successor)"))
    return "; ".join(parts) if parts else _("saved the appointment without changes")


def events(entries) -> list[Event]:
    return [Event(e.at, e.actor.name if e.actor else e.actor_label, describe(e)) for e in entries]
