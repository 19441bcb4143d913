"""Hosting requests end to end over HTTP: filing, the programme's rules and bad input on the form,
the lifecycle with its refusals, comments and notifications, the decision letter, opening the point."""
from __future__ import annotations

import subprocess
from datetime import date

from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions.models import Notification, NotificationKind
from coordination.audit.models import AuditEntry
from coordination.points.models import HostingRequest, RequestStatus, ServicePoint
from tests import factories as f
from tests.documents.test_documents import xmp
from tests.points import fixtures


def sign_in(client, user):
    client.post("/odjava")
    assert f.login(client, user).status_code == 302


def form_data(municipality, **overrides) -> dict:
    data = {"municipality_id": municipality.id, "host_id": "new", "proposed_host_name": "Knjižnica Tuhinj",
            "proposed_host_kind": "library", "proposed_host_address": "Šmartno v Tuhinju 1",
            "address": "Šmartno v Tuhinju 1, Kamnik", "lat": "46,2390", "lon": "14,6700",
            "hours_mon": "8:00-12:00", "hours_tue": "8:00-12:00", "hours_wed": "8:00-12:00, 13:00-16:00",
            "hours_thu": "8:00-12:00", "hours_fri": "8:00-12:00", "topics": ["eid", "euprava", "edavki"],
            "staff": "Knjižničarka z usposabljanjem.", "contact_name": "Ana Tuhinjska",
            "contact_email": "tuhinj@knjiznica.si", "contact_phone": "01 123 45 67", "expected_visits": "80",
            "justification": "Dolina Tuhinja je daleč od Kamnika."}
    return {**data, **overrides}


def test_a_municipal_official_files_and_the_ministry_approves(client, session, no_csrf, app, mail_outbox):
    tmp_path = mail_outbox
    fixtures.programme()
    kamnik = f.municipality("Kamnik")
    official = f.user(Role.MUNICIPAL, kamnik)
    ministry = f.user(Role.MINISTRY)
    sign_in(client, official)
    assert client.get("/tocke/vloge/nova").status_code == 200
    response = client.post("/tocke/vloge/nova", data=form_data(kamnik))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    req = session.scalar(select(HostingRequest).order_by(HostingRequest.id.desc()))
    assert req.status == RequestStatus.DRAFT and req.file_number is None
    assert req.opening_hours["wed"] == [["08:00", "12:00"], ["13:00", "16:00"]] and req.lat == 46.239
    assert client.post(f"/tocke/vloge/{req.id}/korak", data={"to": "submitted", "version": req.version}).status_code == 303
    session.refresh(req)
    assert req.status == RequestStatus.SUBMITTED and req.file_number.startswith("DIT ")
    # the ministry heard of it, in the app and by e-mail
    notice = session.scalar(select(Notification).where(Notification.user_id == ministry.id))
    assert notice.kind == NotificationKind.MESSAGE and notice.link == f"/tocke/vloge/{req.id}"
    assert req.file_number in notice.detail
    assert any(tmp_path.iterdir())

    sign_in(client, ministry)
    assert client.post(f"/tocke/vloge/{req.id}/korak", data={"to": "under_review"}).status_code == 303
    assert client.post(f"/tocke/vloge/{req.id}/komentar", data={"text": "Kdo bo svetoval ob sobotah?"}).status_code == 303
    # rejecting needs a reason; approving a draft-like step twice is refused
    assert client.post(f"/tocke/vloge/{req.id}/korak", data={"to": "rejected", "reason": " "}).status_code == 422
    assert client.post(f"/tocke/vloge/{req.id}/korak", data={"to": "approved", "reason": "Ustreza."}).status_code == 303
    session.refresh(req)
    assert req.status == RequestStatus.APPROVED and req.decided_by_id == ministry.id
    assert client.post(f"/tocke/vloge/{req.id}/korak", data={"to": "approved"}).status_code == 409
    official_notices = session.scalars(select(Notification.detail).where(Notification.user_id == official.id)).all()
    assert len(official_notices) == 3  # under review, comment, approved
    pdf = client.get(f"/tocke/vloge/{req.id}/odlocba.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "ODLOČBO" in text and req.file_number in text and "Pravni pouk" in text and "stran 1 od 1" in text
    metadata = xmp(pdf.data)
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    # every step is audited
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity_type == "HostingRequest", AuditEntry.entity_id == str(req.id))) >= 4

    # the applicant opens the point; a code that exists is refused next to the field
    fixtures.point(f.organisation(), kamnik, code="DIT-500")
    sign_in(client, official)
    taken = client.post(f"/tocke/vloge/{req.id}/odpri", data={"code": "dit-500", "name": "DIT Tuhinj",
                                                              "opened_on": "2024-04-02"})
    assert taken.status_code == 422 and "DIT-500" in taken.get_data(as_text=True)
    opened = client.post(f"/tocke/vloge/{req.id}/odpri", data={"code": "DIT-501", "name": "DIT Tuhinj",
                                                               "opened_on": "2024-04-02"})
    assert opened.status_code == 303
    point = session.scalar(select(ServicePoint).where(ServicePoint.code == "DIT-501"))
    assert point.host.name == "Knjižnica Tuhinj" and point.opened_on == date(2024, 4, 2)
    session.refresh(req)
    assert req.status == RequestStatus.OPENED and req.point.id == point.id


def test_bad_input_is_refused_next_to_the_field_and_saves_nothing(client, session, no_csrf):
    fixtures.programme()
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    sign_in(client, f.user(Role.MUNICIPAL, kamnik))
    before = session.scalar(select(func.count()).select_from(HostingRequest))
    cases = {
        "overlap": (form_data(kamnik, hours_mon="8:00-12:00, 11:00-14:00"), "se prekrivata"),
        "reversed": (form_data(kamnik, hours_tue="12:00-8:00"), "se konča, preden se začne"),
        "outside": (form_data(kamnik, lat="45,5", lon="13,4"), "zunaj Slovenije"),
        "far away": (form_data(kamnik, lat="48,2", lon="16,4"), "mora biti v Sloveniji"),
        "other municipality": (form_data(ljubljana), "le za svojo občino"),
        "no topics": (form_data(kamnik, topics=[]), "vsaj eno vsebino"),
        "no host name": (form_data(kamnik, proposed_host_name=""), "ime nove gostiteljske"),
    }
    for name, (data, message) in cases.items():
        response = client.post("/tocke/vloge/nova", data=data)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True), name
    assert session.scalar(select(func.count()).select_from(HostingRequest)) == before


def test_a_request_below_the_rules_stays_a_draft_and_stale_forms_are_refused(client, session, no_csrf):
    fixtures.programme()
    kamnik = f.municipality("Kamnik")
    official = f.user(Role.MUNICIPAL, kamnik)
    sign_in(client, official)
    client.post("/tocke/vloge/nova", data=form_data(kamnik, hours_fri="", hours_thu=""))
    req = session.scalar(select(HostingRequest).order_by(HostingRequest.id.desc()))
    refused = client.post(f"/tocke/vloge/{req.id}/korak", data={"to": "submitted"})
    assert refused.status_code == 422 and "vsaj 5" in refused.get_data(as_text=True)
    session.refresh(req)
    assert req.status == RequestStatus.DRAFT
    # somebody saved the draft in the meantime: the older form is refused, nothing overwritten
    stale = client.post(f"/tocke/vloge/{req.id}/uredi", data=form_data(kamnik, version=str(req.version - 1 or 99),
                                                                      address="Drugje 1"))
    assert stale.status_code == 409
    session.refresh(req)
    assert req.address != "Drugje 1"
    # a host may not approve its own request: a step its side cannot take
    host = f.user(Role.HOST)
    other = fixtures.request_fields(kamnik, host_id=host.organisation_id, proposed_host_name="")
    from coordination.points import services

    mine = services.create_request(host, fixtures.programme(), **other)
    sign_in(client, host)
    assert client.post(f"/tocke/vloge/{mine.id}/korak", data={"to": "approved"}).status_code == 409
    # the official of another municipality does not even learn that it exists
    sign_in(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    assert client.get(f"/tocke/vloge/{req.id}").status_code == 404
