"""Who may do what in the data-steward registry.

* Everyone, signed in or not, sees the registry, the coverage and each entry's public fields.
* A municipality's internal fields: staff, the municipality's own people, and association staff for
  their member municipalities (the organisations rule `view_private`).
* A municipal official maintains their own municipality's entries (nominate, edit, end); staff
  (ministry and administrators) may edit all and alone confirm or return a nomination.
"""
from __future__ import annotations

from coordination.organisations.permissions import can_view_private
from coordination.roles import Role, is_staff, signed_in
from coordination.stewards.models import Appointment, AppointmentStatus
from coordination.web.authz import rule


def _municipality(obj):
    """The municipality an appointment or a municipality stands for."""
    return obj.organisation if isinstance(obj, Appointment) else obj


@rule("stewards.browse")
def can_browse(user, obj=None) -> bool:
    return True


@rule("stewards.view_internal")
def can_view_internal(user, obj) -> bool:
    """All fields of a municipality's entries, and its appointing acts."""
    municipality = _municipality(obj)
    return municipality is not None and can_view_private(user, municipality)


@rule("stewards.maintain")
def can_maintain(user, obj) -> bool:
    """Nominate, edit and end the entries of a municipality: its own officials, and staff."""
    municipality = _municipality(obj)
    if municipality is None or not signed_in(user) or not municipality.is_municipality:
        return False
    return is_staff(user) or (user.role == Role.MUNICIPAL and user.organisation_id == municipality.id)


@rule("stewards.edit")
def can_edit(user, appointment) -> bool:
    """Change an appointment that has not ended (an ended one is history)."""
    return appointment is not None and appointment.open and can_maintain(user, appointment)


@rule("stewards.end")
def can_end(user, appointment) -> bool:
    return can_edit(user, appointment) and appointment.status != AppointmentStatus.RETURNED


@rule("stewards.review")
def can_review(user, obj=None) -> bool:
    """Confirm or return nominations; ask uncovered municipalities to nominate; all fields in exports."""
    return is_staff(user)


@rule("stewards.confirm")
def can_confirm(user, appointment) -> bool:
    return is_staff(user) and appointment is not None and appointment.status == AppointmentStatus.NOMINATED


@rule("stewards.export")
def can_export(user, obj=None) -> bool:
    """CSV, XLSX and PDF of the registry (public fields; staff get all)."""
    return signed_in(user)
