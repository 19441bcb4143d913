"""Digi info točke rows for the browser tests (tests/e2e/conftest.py calls seed())."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.points import services
from coordination.points.models import RequestStatus
from tests.points import fixtures


def seed(users: dict) -> dict[str, int]:
    """{point}: the e2e host's point in Kamnik with visits; a second, closed point; requests: a draft of
    Kamnik's official, a submitted one of the host, an approved and a rejected one."""
    municipality = {o.name: o for o in db.session.scalars(select(Organisation).where(
        Organisation.name.in_(["Kamnik", "Ljubljana", "Maribor", "Koper"])))}
    programme = fixtures.programme()
    host = users["host"].organisation
    point = fixtures.point(host, municipality["Kamnik"], code="DIT-001", opened_on=date(2023, 9, 4),
                           contact_name="Svetovalec", cost_per_month=700)
    others = [fixtures.point(fixtures.f_organisation(f"Knjižnica {name} (e2e)", municipality[name]),
                             municipality[name], code=f"DIT-00{n}", opened_on=date(2023, 11, 6))
              for n, name in ((2, "Ljubljana"), (3, "Maribor"), (4, "Koper"))]
    services.close_point(others[-1], author=users["ministry"], closed_on=date(2024, 3, 31),
                         reason="Premalo obiskov.")
    for n, month in enumerate((date(2023, 9, 1), date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1))):
        services.save_visits(point, month, 40 + 15 * n, {"eid": 10 + n, "euprava": 8}, author=users["host"])
        for other in others:
            if other.opened_on <= month.replace(day=28):
                services.save_visits(other, month, 100 + 30 * n, {"edavki": 20}, author=users["ministry"])
    kamnik = municipality["Kamnik"]
    draft = services.create_request(users["municipal"], programme, **fixtures.request_fields(kamnik))
    submitted = services.create_request(users["host"], programme, **fixtures.request_fields(
        kamnik, host_id=host.id, proposed_host_name="", address="Tunjice 20, Kamnik"))
    services.step(submitted, RequestStatus.SUBMITTED, author=users["host"])
    services.comment(submitted, "Kdo bo svetoval ob sredah popoldne?", author=users["ministry"])
    approved = services.create_request(users["municipal"], programme, **fixtures.request_fields(kamnik))
    services.step(approved, RequestStatus.SUBMITTED, author=users["municipal"])
    services.step(approved, RequestStatus.APPROVED, author=users["ministry"], reason="Ustreza pogojem.")
    rejected = services.create_request(users["municipal"], programme, **fixtures.request_fields(kamnik))
    services.step(rejected, RequestStatus.SUBMITTED, author=users["municipal"])
    services.step(rejected, RequestStatus.REJECTED, author=users["ministry"], reason="Premalo pričakovanih obiskov.")
    db.session.commit()
    return {"point": point.id, "closed_point": others[-1].id, "draft_request": draft.id,
            "submitted_request": submitted.id, "approved_request": approved.id, "rejected_request": rejected.id}
