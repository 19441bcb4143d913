"""Digi info točke rows for the access matrix and the page tests, made through the services."""
from __future__ import annotations

from datetime import date

from coordination.extensions import db
from coordination.points import services
from coordination.points.models import PointStatus, Programme, ProgrammeTarget, RequestStatus, ServicePoint

HOURS = {day: [["08:00", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def programme() -> Programme:
    found = services.current_programme()
    if found is None:
        found = Programme(name="Digi info točke (pilotni projekt)", starts_on=date(2023, 10, 31),
                          ends_on=date(2024, 11, 30), contractor="Obrtna zbornica Slovenije s podizvajalci",
                          targets=[ProgrammeTarget(due_on=date(2024, 3, 31), visits=24000),
                                   ProgrammeTarget(due_on=date(2024, 11, 30), visits=70000)])
        db.session.add(found)
        db.session.flush()
    return found


def f_organisation(name: str, municipality):
    """A host institution in the municipality's region."""
    from coordination.organisations.models import Organisation, OrgKind

    org = Organisation(kind=OrgKind.HOST, name=name, region_id=municipality.region_id)
    db.session.add(org)
    db.session.flush()
    return org


def request_fields(municipality, **overrides) -> dict:
    fields = {"municipality_id": municipality.id, "host_id": None, "proposed_host_name": "Nova knjižnica",
              "proposed_host_kind": "library", "proposed_host_address": "Glavni trg 2", "address": "Glavni trg 2",
              "lat": municipality.seat_lat, "lon": municipality.seat_lon, "opening_hours": dict(HOURS),
              "topics": ["eid", "euprava"], "staff": "Dva svetovalca", "contact_name": "Ana Kontakt",
              "contact_email": "info@knjiznica.si", "contact_phone": "01 234 56 78", "expected_visits": 100,
              "justification": "Ni točke v bližini."}
    return {**fields, **overrides}


def point(host, municipality, code: str = "DIT-901", opened_on=date(2023, 9, 4), **fields) -> ServicePoint:
    created = ServicePoint(code=code, name=f"Točka {code}", programme=programme(), host=host,
                           municipality=municipality, address="Glavni trg 1", lat=municipality.seat_lat,
                           lon=municipality.seat_lon, opening_hours=dict(HOURS), topics=["eid", "euprava"],
                           contact_email="tocka@example.si", status=PointStatus.OPEN, opened_on=opened_on, **fields)
    db.session.add(created)
    db.session.flush()
    return created


def objects(users: dict, kamnik, ljubljana) -> dict:
    """{point}: the host user's point in Kamnik; {draft_request}: Kamnik's official's draft;
    {submitted_request}: the host's request for Kamnik; {rejected_request}: Kamnik's, rejected by the
    ministry (its decision letter exists); {upload}: the host's checked visit upload."""
    prog = programme()
    host = users["host"].organisation
    the_point = point(host, kamnik)
    draft = services.create_request(users["municipal"], prog, **request_fields(kamnik))
    submitted = services.create_request(users["host"], prog, **request_fields(kamnik, host_id=host.id,
                                                                               proposed_host_name=""))
    services.step(submitted, RequestStatus.SUBMITTED, author=users["host"])
    rejected = services.create_request(users["municipal"], prog, **request_fields(kamnik))
    services.step(rejected, RequestStatus.SUBMITTED, author=users["municipal"])
    services.step(rejected, RequestStatus.REJECTED, author=users["ministry"], reason="Premalo obiskov.")
    upload = services.create_upload(users["host"], filename="obiski.csv", errors=[], valid_rows=[
        {"line": 2, "code": the_point.code, "point_id": the_point.id, "month": "2024-01-01", "total": 12,
         "topics": {"eid": 5}}])
    db.session.commit()
    return {"point": the_point.id, "draft_request": draft.id, "submitted_request": submitted.id,
            "rejected_request": rejected.id, "upload": upload.id}
