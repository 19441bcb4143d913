"""Every change to the data-steward registry. Services change and flush; the request (or the CLI's
unit of work) commits. Appointments, trainings, datasets and acts are audited by the flush hook;
changes to an appointment's trainings, datasets and act are also written on the appointment
itself (`record`), so its history tells the whole story in one place."""
from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from coordination.audit.services import record
from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.stewards.models import (
    OPTIONAL_PUBLIC,
    ActFile,
    Appointment,
    AppointmentStatus,
    Dataset,
    Frequency,
    NominationRequest,
    StewardRole,
    Training,
)
from coordination.types import today, utcnow

ACT_MAX_BYTES = 2 * 1024 * 1024  # the appointing act as a PDF; the request limit is a little above
FIELDS = ("role", "person_name", "function", "email", "phone", "act_reference", "act_date", "act_signed_by",
          "valid_from", "valid_until")


class StewardError(ValueError):
    """A change the rules refuse; nothing was changed. `field` names the form field to show it at."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class StaleAppointment(StewardError):
    """The appointment changed after the form was opened (answered with 409)."""


def single_confirmed() -> bool:
    """At most one confirmed steward per municipality at a time (STEWARDS_SINGLE_CONFIRMED, default on)."""
    return bool(current_app.config.get("STEWARDS_SINGLE_CONFIRMED", True))


def _touch(appointment: Appointment) -> None:
    appointment.version += 1
    appointment.updated_at = utcnow()


def _check_version(appointment: Appointment, version: int | None) -> None:
    if version is not None and version != appointment.version:
        raise StaleAppointment("changed meanwhile")


def _public(fields: Iterable[str]) -> list[str]:
    return [f for f in OPTIONAL_PUBLIC if f in set(fields)]


def _apply(appointment: Appointment, fields: dict) -> None:
    for key in FIELDS:
        if key in fields:
            value = fields[key]
            setattr(appointment, key, value.strip() if isinstance(value, str) else value)
    if "public_fields" in fields:
        appointment.public_fields = _public(fields["public_fields"])
    if appointment.valid_until is not None and appointment.valid_until < appointment.valid_from:
        raise StewardError("ends before it starts", "valid_until")


# --- the workflow ----------------------------------------------------------------------------

def nominate(municipality: Organisation, **fields) -> Appointment:
    """A new entry, waiting for the ministry's confirmation."""
    if not municipality.is_municipality:
        raise StewardError("not a municipality")
    appointment = Appointment(organisation=municipality, status=AppointmentStatus.NOMINATED, version=1,
                              public_fields=_public(fields.pop("public_fields", ())))
    _apply(appointment, fields)
    db.session.add(appointment)
    db.session.flush()
    return appointment


def update(appointment: Appointment, *, version: int | None, by_staff: bool, **fields) -> Appointment:
    """Edit an entry. A municipality's edit of a returned nomination submits it again; a confirmed
    steward's new dates must still leave room for the others (the single-steward rule)."""
    _check_version(appointment, version)
    if not appointment.open:
        raise StewardError("ended")
    _apply(appointment, fields)
    if appointment.status == AppointmentStatus.RETURNED and not by_staff:
        appointment.status = AppointmentStatus.NOMINATED
    if appointment.status == AppointmentStatus.CONFIRMED:
        _check_single(appointment, ending_predecessors=False)
    _touch(appointment)
    db.session.flush()
    return appointment


def _other_confirmed_stewards(appointment: Appointment) -> list[Appointment]:
    return list(db.session.scalars(select(Appointment).where(
        Appointment.organisation_id == appointment.organisation_id, Appointment.id != appointment.id,
        Appointment.role == StewardRole.STEWARD, Appointment.status == AppointmentStatus.CONFIRMED)
        .order_by(Appointment.valid_from)))


def _overlaps(a: Appointment, b: Appointment) -> bool:
    return a.valid_from <= (b.valid_until or date.max) and b.valid_from <= (a.valid_until or date.max)


def _check_single(appointment: Appointment, *, ending_predecessors: bool) -> list[Appointment]:
    """The confirmed stewards `appointment` would overlap. With `ending_predecessors`, the ones that
    began earlier are ended on the day before it starts (returned, not yet changed); one that began
    on the same day or later cannot be ended that way and refuses the change."""
    if appointment.role != StewardRole.STEWARD or not single_confirmed():
        return []
    predecessors = []
    for other in _other_confirmed_stewards(appointment):
        if not _overlaps(appointment, other):
            continue
        if ending_predecessors and other.valid_from < appointment.valid_from:
            predecessors.append(other)
        else:
            raise StewardError("another confirmed steward", "valid_from")
    return predecessors


def confirm(appointment: Appointment, *, author, version: int | None) -> list[Appointment]:
    """The ministry confirms a nomination. A confirmed steward the new one overlaps is ended on the
    day before the new one starts; the municipality's items of every request to nominate are
    marked done (through the action-item service: audited, logged and notified). Returns the
    appointments that were ended."""
    _check_version(appointment, version)
    if appointment.status != AppointmentStatus.NOMINATED:
        raise StewardError("not nominated")
    predecessors = _check_single(appointment, ending_predecessors=True)
    day_before = appointment.valid_from - timedelta(days=1)
    for previous in predecessors:
        previous.valid_until = day_before
        if day_before < today():
            previous.status = AppointmentStatus.ENDED
        previous.end_reason = "successor"
        _touch(previous)
    appointment.status = AppointmentStatus.CONFIRMED
    appointment.return_reason = ""
    appointment.confirmed_at, appointment.confirmed_by_id = utcnow(), getattr(author, "id", None)
    _touch(appointment)
    db.session.flush()
    if appointment.role == StewardRole.STEWARD:
        _close_requests(appointment.organisation_id, author)
    return predecessors


def return_nomination(appointment: Appointment, *, author, version: int | None, reason: str) -> None:
    _check_version(appointment, version)
    if appointment.status != AppointmentStatus.NOMINATED:
        raise StewardError("not nominated")
    if not (reason or "").strip():
        raise StewardError("reason required", "reason")
    appointment.status = AppointmentStatus.RETURNED
    appointment.return_reason = reason.strip()
    _touch(appointment)
    db.session.flush()


def end(appointment: Appointment, *, version: int | None, on: date, reason: str = "") -> None:
    """End an appointment on a day (its last day of validity)."""
    _check_version(appointment, version)
    if not appointment.open:
        raise StewardError("ended")
    if on < appointment.valid_from - timedelta(days=1):
        raise StewardError("before start", "ends_on")
    appointment.valid_until = on
    appointment.end_reason = (reason or "").strip()
    if on < today() or appointment.status != AppointmentStatus.CONFIRMED:
        appointment.status = AppointmentStatus.ENDED
    _touch(appointment)
    db.session.flush()


# --- trainings, datasets, the appointing act ---------------------------------------------------

def add_training(appointment: Appointment, *, name: str, held_on: date, provider: str = "") -> Training:
    training = Training(appointment=appointment, name=name.strip(), held_on=held_on, provider=(provider or "").strip())
    db.session.add(training)
    _touch(appointment)
    record("update", "Appointment", appointment.id, str(appointment), {"training_added": [None, training.name]})
    db.session.flush()
    return training


def remove_training(training: Training) -> None:
    appointment = training.appointment
    record("update", "Appointment", appointment.id, str(appointment), {"training_removed": [training.name, None]})
    _touch(appointment)
    db.session.delete(training)
    db.session.flush()


def add_dataset(appointment: Appointment, *, name: str, description: str = "", legal_basis: str = "",
                frequency: Frequency | None = None, portal_url: str = "", public: bool = True) -> Dataset:
    dataset = Dataset(appointment=appointment, name=name.strip(), description=(description or "").strip(),
                      legal_basis=(legal_basis or "").strip(), frequency=frequency,
                      portal_url=(portal_url or "").strip(), public=bool(public))
    db.session.add(dataset)
    _touch(appointment)
    record("update", "Appointment", appointment.id, str(appointment), {"dataset_added": [None, dataset.name]})
    db.session.flush()
    return dataset


def remove_dataset(dataset: Dataset) -> None:
    appointment = dataset.appointment
    record("update", "Appointment", appointment.id, str(appointment), {"dataset_removed": [dataset.name, None]})
    _touch(appointment)
    db.session.delete(dataset)
    db.session.flush()


def pdf_problem(data: bytes) -> str | None:
    """Why `data` is not an acceptable appointing act, or None. Judged by the content, never by the
    file's name or the browser's content type: the PDF signature, then a parse of the document
    (its cross-reference table and at least one page)."""
    if not data:
        return "empty"
    if len(data) > ACT_MAX_BYTES:
        return "too large"
    if not data.lstrip(b"\r\n\t ")[:5] == b"%PDF-":
        return "not a pdf"
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            return "not a pdf"
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return "not a pdf"
    return None


def attach_act(appointment: Appointment, *, filename: str, data: bytes, author) -> ActFile:
    """Keep the appointing act (replacing an earlier one) with its SHA-256."""
    problem = pdf_problem(data)
    if problem:
        raise StewardError(problem, "act_file")
    digest = hashlib.sha256(data).hexdigest()
    name = (filename or "akt.pdf").replace("\\", "/").rsplit("/", 1)[-1][:200] or "akt.pdf"
    if appointment.act_file is not None:
        db.session.delete(appointment.act_file)
        db.session.flush()
    act = ActFile(appointment=appointment, filename=name, size=len(data), sha256=digest, content=data,
                  uploaded_by_id=getattr(author, "id", None))
    db.session.add(act)
    _touch(appointment)
    record("update", "Appointment", appointment.id, str(appointment), {"act_uploaded": [None, f"{name} ({digest[:12]}…)"]})
    db.session.flush()
    return act


# --- asking municipalities to nominate, and the working group ---------------------------------

def request_nominations(conclusion, *, author, municipality_ids: Iterable[int], title: str, description: str = "",
                        due_date: date | None = None):
    """One fan-out of action items to the chosen municipalities (the existing fan-out), remembered
    as a request to nominate so that confirming a municipality's steward closes its item."""
    from coordination.actions import services as actions
    from coordination.actions.models import FanOutScope, Priority

    fanout = actions.fan_out(conclusion, title=title, author=author, scope=FanOutScope.CHOSEN,
                             description=description, due_date=due_date, priority=Priority.HIGH,
                             chosen=list(municipality_ids))
    mark_as_request(fanout)
    return fanout


def mark_as_request(fanout) -> NominationRequest:
    request = NominationRequest(fanout_id=fanout.id)
    db.session.add(request)
    db.session.flush()
    return request


DONE_NOTE = "Skrbnik podatkov je potrjen v registru skrbnikov."


def _close_requests(organisation_id: int, author) -> int:
    """Mark the municipality's pending items of every request to nominate done."""
    from coordination.actions import services as actions
    from coordination.actions.models import PENDING, TRANSITIONS, ActionItem, ItemStatus

    items = list(db.session.scalars(select(ActionItem).join(
        NominationRequest, NominationRequest.fanout_id == ActionItem.fanout_id).where(
        ActionItem.assignee_org_id == organisation_id, ActionItem.status.in_(PENDING))))
    for item in items:
        if ItemStatus.DONE not in TRANSITIONS[item.status]:  # blocked: unblock first, as a person would
            actions.change_status(item, ItemStatus.IN_PROGRESS, author=author, note=DONE_NOTE)
        actions.change_status(item, ItemStatus.DONE, author=author, note=DONE_NOTE)
    return len(items)


def add_stewards_to_group(group, appointments: list[Appointment]) -> int:
    """Make the confirmed stewards members of the working group in one step: by their account where
    one has the steward's e-mail, else as their municipality's seat. Who is already in is skipped."""
    from coordination.accounts.models import User
    from coordination.groups import services as groups
    from coordination.groups.models import GroupRole

    emails = sorted({a.email.lower() for a in appointments})
    users = {u.email.lower(): u for u in db.session.scalars(
        select(User).where(func.lower(User.email).in_(emails), User.active))}
    added = 0
    for appointment in appointments:
        user = users.get(appointment.email.lower())
        user_id = user.id if user and user.organisation_id == appointment.organisation_id else None
        if groups.overlapping(group, user_id, appointment.organisation_id, appointment.valid_from,
                              appointment.valid_until):
            continue
        groups.add_member(group, organisation_id=appointment.organisation_id, user_id=user_id, role=GroupRole.MEMBER,
                          valid_from=appointment.valid_from, valid_until=appointment.valid_until)
        added += 1
    return added
