"""Benchmark data and pages of the data-steward registry: 212 municipalities × 10 appointments (the
history of stewards and deputies; about 70 % with a confirmed steward now, 10 % with a nomination),
each appointment with 20 datasets and 2 trainings: 2,120 appointments, 42,400 datasets."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, text

from coordination.extensions import db
from coordination.stewards.models import Appointment, Dataset, Training

PER_MUNICIPALITY = 10
DATASETS = 20


def generate(municipalities, now, scale: float = 1.0) -> dict:
    today = now.date()
    appointments, datasets, trainings = [], [], []
    for index, org in enumerate(municipalities):
        for k in range(PER_MUNICIPALITY):
            last = k == PER_MUNICIPALITY - 1
            status = "ended"
            if last:
                status = "confirmed" if index % 10 < 7 else "nominated" if index % 10 == 7 else "ended"
            start = today - timedelta(days=(PER_MUNICIPALITY - k) * 200)
            appointments.append({
                "id": len(appointments) + 1, "organisation_id": org.id, "role": "steward" if k % 3 else "deputy",
                "status": status, "person_name": f"Oseba {index}-{k}", "function": "Svetovalec",
                "email": f"oseba{index}.{k}@primer.si", "phone": "01 234 56 78", "act_reference": f"0141-{k}/2020",
                "act_signed_by": "župan", "valid_from": start,
                "valid_until": None if last and status != "ended" else start + timedelta(days=199),
                "public_fields": ["person_name", "email"], "return_reason": "", "end_reason": "",
                "confirmed_at": now if status != "nominated" else None, "created_at": now, "updated_at": now,
                "version": 1})
            if last:
                appointments[-1]["role"] = "steward"
            aid = appointments[-1]["id"]
            first = len(datasets) + 1
            datasets += [{"id": first + n, "appointment_id": aid, "name": f"Podatkovni niz {aid}-{n}",
                          "description": "Opis podatkovnega niza.", "legal_basis": "Zakon", "frequency": "ANNUAL",
                          "portal_url": "", "public": n % 5 != 0} for n in range(DATASETS)]
            trainings += [{"id": len(trainings) + 1 + n, "appointment_id": aid, "name": "Osnove upravljanja podatkov",
                           "held_on": date(2023, 3, 1), "provider": "MDP"} for n in range(2)]
    for table, rows in ((Appointment, appointments), (Dataset, datasets), (Training, trainings)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(table.__table__), rows[start:start + 5000])
    if db.session.get_bind().dialect.name == "postgresql":
        for table in ("steward_appointment", "steward_dataset", "steward_training"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    return {"steward appointments": len(appointments), "steward datasets": len(datasets)}


# (label, endpoint, account, path, htmx): accounts as benchmark/run.py makes them
PAGES = [
    ("steward registry (public)", "stewards.index", "uporabnik3@bench.si", "/skrbniki/", False),
    ("steward registry filtered (htmx)", "stewards.index", "ministrstvo@bench.si", "/skrbniki/?state=none", True),
    ("steward coverage + map", "steward_coverage.coverage", "ministrstvo@bench.si", "/skrbniki/pokritost", False),
    ("steward entry (municipality)", "stewards.municipality", "uporabnik3@bench.si", "/skrbniki/obcine/4", False),
    ("steward registry CSV (ministry)", "steward_exports.export_csv", "ministrstvo@bench.si", "/skrbniki/register.csv", False),
    ("steward registry PDF (region)", "steward_exports.export_pdf", "ministrstvo@bench.si", "/skrbniki/register.pdf?regija=SI035", False),
    ("steward datasets DCAT-AP (Turtle)", "steward_exports.dcat_turtle", "uporabnik3@bench.si", "/skrbniki/dcat.ttl", False),
]
