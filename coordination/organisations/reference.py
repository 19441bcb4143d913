"""Loading the reference data the app ships (coordination/data, see SOURCES.md there).

Idempotent: running it again updates names and codes in place, adds what is missing and never
undoes an administrator's edits to association memberships.
"""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind, Region

DATA = Path(__file__).resolve().parent.parent / "data"
ATTRIBUTION = "Vir: GURS, Register prostorskih enot (CC BY 4.0)"

ASSOCIATIONS = (
    ("SOS", "Skupnost občin Slovenije"),
    ("ZOS", "Združenje občin Slovenije"),
    ("ZMOS", "Združenje mestnih občin Slovenije"),
)
MINISTRY = ("MDP", "Ministrstvo za digitalno preobrazbo")


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load() -> dict[str, int]:
    """Load regions, municipalities, associations and the ministry; return counts of new rows."""
    created = {"regions": 0, "municipalities": 0, "organisations": 0}
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    for row in _rows("regions.csv"):
        region = regions.get(row["nuts3"])
        if region is None:
            region = regions[row["nuts3"]] = Region(code=row["nuts3"], name=row["name"])
            db.session.add(region)
            created["regions"] += 1
        region.name = row["name"]

    municipalities = []
    existing = {o.iso_code: o for o in db.session.scalars(select(Organisation).where(Organisation.iso_code.is_not(None)))}
    for row in _rows("municipalities.csv"):
        org = existing.get(row["code"])
        if org is None:
            org = Organisation(kind=OrgKind.MUNICIPALITY, iso_code=row["code"])
            db.session.add(org)
            created["municipalities"] += 1
        org.name = row["name"]
        org.rpe_id = int(row["rpe_id"])
        org.is_city = row["city_municipality"] == "1"
        org.region = regions[row["region_nuts3"]]
        org.seat_lat, org.seat_lon = float(row["seat_lat"]), float(row["seat_lon"])
        org.area_km2 = float(row["area_km2"])
        municipalities.append(org)

    by_short = {o.short_name: o for o in db.session.scalars(
        select(Organisation).where(Organisation.kind.in_([OrgKind.ASSOCIATION, OrgKind.MINISTRY])))}
    for short, name in ASSOCIATIONS:
        if short not in by_short:
            org = Organisation(kind=OrgKind.ASSOCIATION, short_name=short, name=name)
            db.session.add(org)
            created["organisations"] += 1
            if short == "ZMOS":  # default membership, only when the association is first created
                org.members = [m for m in municipalities if m.is_city]
    if MINISTRY[0] not in by_short:
        db.session.add(Organisation(kind=OrgKind.MINISTRY, short_name=MINISTRY[0], name=MINISTRY[1]))
        created["organisations"] += 1
    db.session.flush()
    return created
