"""Benchmark data for Digi info točke: 1,000 points (at scale 1) spread over the municipalities,
36 months of visits per point with a figure per service topic (about 650,000 topic rows), a few
hosting requests; and the pages to time. Bulk inserts with explicit ids, like benchmark/run.py."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime

from sqlalchemy import insert

from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.points import topics
from coordination.points.models import (
    HostingRequest,
    Programme,
    ProgrammeTarget,
    ServicePoint,
    VisitReport,
    VisitTopic,
)
from coordination.points.months import add_months

MONTHS = 36
FIRST = date(2022, 1, 1)
TABLES = ("programme", "programme_target", "organisation", "service_point", "hosting_request", "visit_report",
          "visit_topic")
HOURS = {day: [["08:00", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

# (label, account, path, htmx): the municipal account (uporabnik3) is an official of municipalities[3]
PAGES = [
    ("points list", "uporabnik3@bench.si", "/tocke/", False),
    ("points list filtered (htmx)", "ministrstvo@bench.si", "/tocke/?region=SI032&topic=eid&sort=municipality", True),
    ("points list text (htmx)", "ministrstvo@bench.si", "/tocke/?q=Maribor", True),
    ("points map (all)", "ministrstvo@bench.si", "/tocke/zemljevid", False),
    ("point page (36 months)", "ministrstvo@bench.si", "/tocke/1", False),
    ("programme page", "ministrstvo@bench.si", "/tocke/program/", False),
    ("points GeoJSON (ministry)", "ministrstvo@bench.si", "/tocke/izvoz/tocke.geojson", False),
    ("public page", "ministrstvo@bench.si", "/digi-info-tocke", False),
    ("public GeoJSON", "ministrstvo@bench.si", "/digi-info-tocke.geojson", False),
    ("hosting requests", "ministrstvo@bench.si", "/tocke/vloge/", False),
]


def _bulk(model, rows, chunk=5000):
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(model.__table__), rows[start:start + chunk])


def generate(scale: float, municipalities: list[Organisation]) -> dict:
    rnd = random.Random(2023)
    now = datetime.now(UTC)
    programme_id = 1
    db.session.execute(insert(Programme.__table__), [{
        "id": programme_id, "name": "Digi info točke (benchmark)", "starts_on": FIRST,
        "ends_on": add_months(FIRST, MONTHS), "contractor": "Izvajalec", "min_days_per_week": 5,
        "min_hours_per_week": 18, "publish_visits": True}])
    _bulk(ProgrammeTarget, [{"id": 1, "programme_id": programme_id, "due_on": date(2023, 12, 31), "visits": 500000,
                             "label": ""}])
    n_points = int(1000 * scale) + 1
    first_host = 100000
    hosts = [{"id": first_host + i, "kind": OrgKind.HOST.value, "name": f"Gostitelj {i} (bench)", "is_city": False,
              "region_id": municipalities[i % len(municipalities)].region_id} for i in range(n_points)]
    _bulk(Organisation, hosts)
    codes = topics.codes()
    points, reports, topic_rows = [], [], []
    report_id = topic_id = 0
    for i in range(n_points):
        m = municipalities[i % len(municipalities)]
        opened = add_months(FIRST, rnd.randint(0, 6))
        points.append({"id": i + 1, "code": f"DIT-{i + 1:04d}", "name": f"Digi info točka {m.name} {i + 1}",
                       "programme_id": programme_id, "host_id": first_host + i, "municipality_id": m.id,
                       "address": f"Glavni trg {i % 40 + 1}, {m.name}", "lat": m.seat_lat + rnd.uniform(-.01, .01),
                       "lon": m.seat_lon + rnd.uniform(-.01, .01), "opening_hours": HOURS, "topics": list(codes),
                       "contact_name": "", "contact_email": f"t{i}@bench.si", "contact_phone": "",
                       "status": "closed" if i % 9 == 0 else "open", "opened_on": opened,
                       "closed_on": add_months(FIRST, MONTHS - 1) if i % 9 == 0 else None, "closing_reason": "",
                       "cost_per_month": 700 if i % 3 else None, "created_at": now})
        level = rnd.randint(5, 400)
        for k in range(MONTHS):
            report_id += 1
            total = max(0, int(level * rnd.uniform(0.6, 1.4)))
            reports.append({"id": report_id, "point_id": i + 1, "month": add_months(FIRST, k), "total": total,
                            "reported_at": now})
            share = total // len(codes)
            for code in codes:
                topic_id += 1
                topic_rows.append({"id": topic_id, "report_id": report_id, "topic": code, "visits": share})
    _bulk(ServicePoint, points)
    _bulk(VisitReport, reports)
    _bulk(VisitTopic, topic_rows, chunk=20000)
    requests = [{"id": r + 1, "programme_id": programme_id, "file_number": f"DIT 2024/{r + 1}",
                 "status": ("submitted", "under_review", "approved", "rejected")[r % 4], "applicant_id": 3,
                 "applicant_org_id": municipalities[r % len(municipalities)].id,
                 "municipality_id": municipalities[r % len(municipalities)].id, "host_id": None,
                 "proposed_host_name": f"Nova ustanova {r}", "proposed_host_kind": "library",
                 "proposed_host_address": "", "address": "Glavni trg 1", "lat": 46.05, "lon": 14.5,
                 "opening_hours": HOURS, "topics": list(codes), "staff": "", "contact_name": "", "contact_email": "",
                 "contact_phone": "", "expected_visits": 100, "justification": "", "created_at": now,
                 "decision_reason": "", "version": 1} for r in range(int(400 * scale) + 1)]
    _bulk(HostingRequest, requests)
    return {"points": n_points, "visit reports": report_id, "visit topic rows": topic_id,
            "hosting requests": len(requests)}
