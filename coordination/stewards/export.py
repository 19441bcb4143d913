"""The registry as CSV (UTF-8 with BOM, `;`, as Slovenian Excel reads it) and XLSX. Everyone allowed
to export gets the public fields; staff get all. A field an appointment keeps internal is an empty
cell in the public export. Text cells that a spreadsheet could take for a formula are neutralised."""
from __future__ import annotations

from flask_babel import gettext as _

from coordination.stewards import queries
from coordination.stewards.models import ROLE_LABELS, STATUS_LABELS
from coordination.web import spreadsheet
from coordination.web.formatting import translated
from coordination.web.spreadsheet import safe


def headers() -> list[str]:
    return [_("Municipality"), _("ISO code"), _("Statistical region"), _("Role"), _("Status"), _("Name and surname"),
            _("Function"), _("Business e-mail"), _("Business phone"), _("Act reference"), _("Act date"),
            _("Signed by"), _("Valid from"), _("Valid until"), _("Trainings"), _("Datasets")]


def _shown(appointment, field: str, all_fields: bool) -> bool:
    return all_fields or appointment.is_public(field)


def rows(appointments, all_fields: bool):
    roles, statuses = translated(ROLE_LABELS), translated(STATUS_LABELS)
    trainings_of, datasets_of = queries.export_lists([a.id for a in appointments], all_datasets=all_fields)
    for a in appointments:
        org = a.organisation

        def value(field, text, a=a):
            return safe(text) if _shown(a, field, all_fields) else ""

        act = _shown(a, "act", all_fields)
        trainings = "; ".join(f"{name} ({held_on.isoformat()})" for name, held_on in trainings_of[a.id])
        yield [safe(org.name), org.iso_code or "", safe(org.region.name if org.region else ""), roles[a.role],
               statuses[a.status], value("person_name", a.person_name), value("function", a.function),
               value("email", a.email), value("phone", a.phone), safe(a.act_reference) if act else "",
               a.act_date if act else None, safe(a.act_signed_by) if act else "", a.valid_from, a.valid_until,
               value("trainings", trainings), "; ".join(safe(name) for name in datasets_of[a.id])]


def to_csv(appointments, *, all_fields: bool) -> bytes:
    return spreadsheet.csv_bytes(headers(), rows(appointments, all_fields))


def to_xlsx(appointments, *, all_fields: bool, title: str) -> bytes:
    return spreadsheet.xlsx_bytes(headers(), rows(appointments, all_fields), title)
