"""The registry's pages read a fixed number of queries, however many appointments and datasets there are."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select

from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.roles import Role
from coordination.stewards.models import Appointment, Dataset, StewardRole, Training
from coordination.types import today, utcnow
from tests import factories as f

PAGES = ("/skrbniki/", "/skrbniki/?state=confirmed", "/skrbniki/pokritost", "/skrbniki/obcine/{kamnik}",
         "/skrbniki/dcat.ttl", "/skrbniki/register.csv")


def grow(per_municipality: int, datasets: int) -> None:
    """`per_municipality` appointments for every municipality (one confirmed steward, the rest ended or
    deputies), each with `datasets` datasets and one training: bulk inserts."""
    ids = db.session.scalars(select(Organisation.id).where(Organisation.kind == OrgKind.MUNICIPALITY)).all()
    start = (db.session.scalar(select(Appointment.id).order_by(Appointment.id.desc()).limit(1)) or 0) + 1
    now, day = utcnow(), today()
    rows, sets, trainings = [], [], []
    for org_id in ids:
        for k in range(per_municipality):
            current = k == per_municipality - 1
            rows.append({"id": start, "organisation_id": org_id, "role": StewardRole.STEWARD if current or k % 2 else StewardRole.DEPUTY,
                         "status": "confirmed" if current else "ended", "person_name": f"Oseba {start}", "function": "",
                         "email": f"o{start}@primer.si", "phone": "", "act_reference": "", "act_signed_by": "",
                         "valid_from": day - timedelta(days=400 - k), "valid_until": None if current else day - timedelta(days=300),
                         "public_fields": ["person_name"], "return_reason": "", "end_reason": "", "confirmed_at": now,
                         "created_at": now, "updated_at": now, "version": 1})
            sets += [{"appointment_id": start, "name": f"Niz {start}-{n}", "description": "Opis", "legal_basis": "",
                      "portal_url": "", "public": True} for n in range(datasets)]
            trainings.append({"appointment_id": start, "name": "Usposabljanje", "held_on": date(2024, 1, 1), "provider": ""})
            start += 1
    db.session.execute(insert(Appointment), rows)
    db.session.execute(insert(Dataset), sets)
    db.session.execute(insert(Training), trainings)
    db.session.commit()


def counts(client, count_queries, kamnik_id) -> dict[str, int]:
    result = {}
    for page in PAGES:
        url = page.format(kamnik=kamnik_id)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        result[url] = counter.count
    return result


def test_registry_pages_do_not_grow_with_the_data(client, count_queries, no_csrf, session):
    ministry = f.user(Role.MINISTRY)
    kamnik = f.municipality("Kamnik")
    f.login(client, ministry)
    grow(1, 1)
    small = counts(client, count_queries, kamnik.id)
    grow(3, 6)
    large = counts(client, count_queries, kamnik.id)
    print("query counts", large)
    assert small == large, (small, large)
    assert max(large.values()) <= 14, large
