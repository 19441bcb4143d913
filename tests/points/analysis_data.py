"""A generated network of Digi info točke for the analysis tests, the browser tests and the benchmark:
a programme, one host per point, points in the 212 municipalities (extra points in the largest ones),
opened in September and November 2023, and monthly visits to the end of March 2024 that add up to
`total_visits` (24,000 by default, as in the seed). Bulk inserts: fast, and not audited."""
from __future__ import annotations

import math
import random
from datetime import date

from sqlalchemy import insert, select

from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.points.analysis import populations
from coordination.points.models import PointStatus, Programme, ServicePoint, VisitReport
from coordination.points.months import months_between
from coordination.types import utcnow

FIRST_WAVE, SECOND_WAVE = date(2023, 9, 1), date(2023, 11, 1)
LAST_MONTH = date(2024, 3, 1)


def seed_network(n_points: int = 222, *, seed: int = 2024, name: str = "Digi info točke (generirano)",
                 total_visits: int = 24_000, first_wave: int | None = None, host_prefix: str = "Gostitelj",
                 code_prefix: str = "DIT") -> Programme:
    rnd = random.Random(seed)
    programme = Programme(name=name, starts_on=FIRST_WAVE, ends_on=date(2024, 11, 30), contractor="")
    db.session.add(programme)
    db.session.flush()
    municipalities = db.session.execute(
        select(Organisation.id, Organisation.iso_code, Organisation.region_id, Organisation.seat_lat,
               Organisation.seat_lon).where(Organisation.kind == OrgKind.MUNICIPALITY,
                                            Organisation.iso_code.is_not(None))
        .order_by(Organisation.iso_code)).all()
    people = populations()
    # every municipality once (while there are points enough), then more in the larger ones
    order = list(municipalities)
    rnd.shuffle(order)
    chosen = order[:n_points]
    weights = [people.get(m.iso_code, 1000) for m in municipalities]
    chosen += rnd.choices(municipalities, weights=weights, k=max(0, n_points - len(chosen)))
    first_wave = round(n_points * 62 / 222) if first_wave is None else first_wave
    now = utcnow()
    hosts = db.session.execute(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), [
        {"kind": OrgKind.HOST, "name": f"{host_prefix} {code_prefix}-{i + 1:04d}", "region_id": m.region_id}
        for i, m in enumerate(chosen)]).scalars().all()
    point_rows = []
    for i, (m, host_id) in enumerate(zip(chosen, hosts, strict=True)):
        point_rows.append({
            "code": f"{code_prefix}-{i + 1:03d}", "name": f"Digi info točka {i + 1}", "programme_id": programme.id,
            "host_id": host_id, "municipality_id": m.id, "address": f"Glavni trg {i + 1}",
            "lat": m.seat_lat + rnd.uniform(-0.02, 0.02), "lon": m.seat_lon + rnd.uniform(-0.03, 0.03),
            "opening_hours": {}, "topics": [], "contact_name": "", "contact_email": "", "contact_phone": "",
            "status": PointStatus.OPEN, "opened_on": FIRST_WAVE if i < first_wave else SECOND_WAVE,
            "closing_reason": "", "created_at": now})
    ids = db.session.execute(insert(ServicePoint).returning(ServicePoint.id, sort_by_parameter_order=True),
                             point_rows).scalars().all()
    raw = []
    for pid, row, m in zip(ids, point_rows, chosen, strict=True):
        size = math.sqrt(people.get(m.iso_code, 5000) / 5000)
        level = size * rnd.lognormvariate(0, 0.7)
        growth = rnd.uniform(-0.08, 0.12)
        for k, month in enumerate(months_between(row["opened_on"], LAST_MONTH)):
            raw.append((pid, month, level * (1 + growth) ** k * rnd.uniform(0.8, 1.2)))
    scale = total_visits / sum(v for _pid, _month, v in raw)
    reports = [{"point_id": pid, "month": month, "total": round(v * scale), "reported_at": now}
               for pid, month, v in raw]
    db.session.execute(insert(VisitReport), reports)
    db.session.flush()
    return programme


def adopted_decision(author, municipality: Organisation, *, n_points: int = 12, name: str = "Mreža za preizkus"):
    """A small network with one point moved to `municipality`, and a decision that closes that point
    (pinned closed) and one more: for the access matrix and the browser tests. Returns (programme, decision)."""
    from coordination.points import analysis, decisions

    programme = seed_network(n_points, seed=5, total_visits=1_500, name=name, code_prefix="MAT",
                             host_prefix="Gostitelj preizkusa")
    point = db.session.scalar(select(ServicePoint).where(ServicePoint.programme_id == programme.id)
                              .order_by(ServicePoint.id).limit(1))
    point.municipality_id, point.lat, point.lon = municipality.id, municipality.seat_lat, municipality.seat_lon
    db.session.flush()
    params = analysis.Params(on=date(2024, 4, 1), window_from=date(2024, 1, 1), window_to=date(2024, 3, 1),
                             close_count=2, pinned_closed=frozenset({point.id}))
    proposal = decisions.propose(programme, params)
    decision = decisions.adopt(programme, params, fingerprint=proposal.fingerprint,
                               closed_ids=proposal.solution.closed_ids, author=author)
    db.session.commit()
    return programme, decision


def access_matrix_objects(ministry_user, kamnik: Organisation) -> dict[str, int]:
    """{analysis_programme} and {decision} (closing a point in Kamnik) for tests/test_access_matrix.py."""
    programme, decision = adopted_decision(ministry_user, kamnik)
    return {"analysis_programme": programme.id, "decision": decision.id}
