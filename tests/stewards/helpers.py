"""Small builders for the registry tests: real rows through the real services."""
from __future__ import annotations

from datetime import date

from coordination.extensions import db
from coordination.stewards import services
from coordination.stewards.models import StewardRole


def nominate(municipality, *, name="Mojca Primer", email=None, role=StewardRole.STEWARD, valid_from=date(2024, 1, 1),
             valid_until=None, public=("person_name", "function", "email"), **fields):
    appointment = services.nominate(
        municipality, role=role, person_name=name, function=fields.pop("function", "Svetovalka za informatiko"),
        email=email or f"{name.split()[0].lower()}@primer.si", phone=fields.pop("phone", "01 234 56 78"),
        act_reference=fields.pop("act_reference", "0141-3/2024"), act_date=fields.pop("act_date", date(2023, 12, 20)),
        act_signed_by="župan", valid_from=valid_from, valid_until=valid_until, public_fields=list(public))
    db.session.flush()
    return appointment


def confirmed(municipality, author, **kwargs):
    appointment = nominate(municipality, **kwargs)
    services.confirm(appointment, author=author, version=appointment.version)
    return appointment


MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n")


def pdf_bytes() -> bytes:
    """A small valid PDF with a correct cross-reference table."""
    body = MINIMAL_PDF
    offsets, pos = [], 0
    for marker in (b"1 0 obj", b"2 0 obj", b"3 0 obj"):
        offsets.append(body.index(marker, pos))
        pos = offsets[-1] + 1
    xref = len(body)
    table = b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return body + table + b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
