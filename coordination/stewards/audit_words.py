"""How the audit log tells changes to the data-steward registry (registered with audit/wording.py);
the field names and values are the ones the appointment's own history uses (history.py)."""
from flask_babel import lazy_gettext as _l

from coordination.audit import wording as w
from coordination.stewards.history import FIELD_LABELS, _value
from coordination.stewards.models import FREQUENCY_LABELS, STATUS_LABELS, Appointment


def _status(state: str):
    return lambda changes: (changes.get("status") or [None, None])[1] == state


w.register("Appointment", w.Kind(
    name=_l("Data-steward appointment"), model=Appointment, title="person_name",
    url=w.link("stewards.appointment", appointment_id=0),
    created=_l("New data-steward nomination: %(label)s"), changed=_l("Change to the data-steward appointment %(label)s"),
    deleted=_l("Deleted data-steward appointment %(label)s"),
    fields={"role": _l("Role"), "person_name": _l("Name"), "function": _l("Function"), "email": _l("E-mail"),
            "phone": _l("Phone"), "act_reference": _l("Act reference"), "act_date": _l("Act date"),
            "act_signed_by": _l("Signatory of the act"), "valid_from": _l("Valid from"),
            "valid_until": _l("Valid until"), "public_fields": _l("Public fields"),
            "organisation_id": _l("Municipality"), "status": _l("Status"), "return_reason": _l("Reason"),
            "training_added": _l("Training added"), "training_removed": _l("Training removed"),
            "dataset_added": _l("Dataset added"), "dataset_removed": _l("Dataset removed"),
            "act_uploaded": _l("Appointing act")},
    values={**{k: (lambda v, k=k: _value(k, v)) for k in FIELD_LABELS}, "status": w.labels(STATUS_LABELS)},
    refs={"organisation_id": "Organisation"},
    events=[(_status("confirmed"), _l("Data-steward appointment %(label)s confirmed")),
            (_status("returned"), _l("Data-steward nomination %(label)s returned for correction")),
            (_status("ended"), _l("Data-steward appointment %(label)s ended"))],
))
w.register("Training", w.Kind(
    name=_l("Data-steward training"), created=_l("New training “%(label)s”"),
    changed=_l("Change to training “%(label)s”"), deleted=_l("Deleted training “%(label)s”"),
    fields={"name": _l("Name"), "held_on": _l("Date"), "provider": _l("Provider")}, values={"held_on": w.as_date},
))
w.register("Dataset", w.Kind(
    name=_l("Dataset"), created=_l("New dataset “%(label)s”"), changed=_l("Change to dataset “%(label)s”"),
    deleted=_l("Deleted dataset “%(label)s”"),
    fields={"name": _l("Name"), "description": _l("Description"), "legal_basis": _l("Legal basis"),
            "frequency": _l("Update frequency"), "portal_url": _l("Address on the portal"), "public": _l("Public")},
    values={"frequency": w.labels(FREQUENCY_LABELS), "description": w.excerpt},
))
w.register("ActFile", w.Kind(
    name=_l("Appointing act"), created=_l("Appointing act “%(label)s” uploaded"),
    changed=_l("Change to the appointing act “%(label)s”"), deleted=_l("Appointing act “%(label)s” removed"),
    fields={"filename": _l("File"), "size": _l("Size")},
))
w.register("NominationRequest", w.Kind(
    name=_l("Request to name data stewards"), created=_l("Municipalities asked to name data stewards (%(label)s)"),
    changed=_l("Change to the request to name data stewards (%(label)s)"),
    deleted=_l("Deleted request to name data stewards (%(label)s)"),
    fields={"fanout_id": _l("Fan-out to municipalities")}, refs={"fanout_id": "FanOut"},
))
