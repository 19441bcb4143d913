"""The data-steward registry: the workflow, its rules, bad input, uploads, coverage, the fan-out link."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coordination.actions.models import ActionItem, ItemStatus, Notification
from coordination.audit.models import AuditEntry
from coordination.extensions import db
from coordination.roles import Role
from coordination.stewards import queries, services
from coordination.stewards.models import Appointment, AppointmentStatus, StewardRole
from coordination.types import today
from tests import factories as f
from tests.stewards.helpers import confirmed, nominate, pdf_bytes


@pytest.fixture
def people(session):
    return {"ministry": f.user(Role.MINISTRY), "kamnik": f.user(Role.MUNICIPAL, f.municipality("Kamnik")),
            "ljubljana": f.user(Role.MUNICIPAL, f.municipality("Ljubljana")), "sos": f.user(Role.ASSOCIATION)}


def form(**overrides):
    data = {"role": "steward", "person_name": "Tina Vzorec", "function": "Svetovalka", "email": "tina.vzorec@primer.si",
            "phone": "01 234 56 78", "valid_from": "2024-03-01", "valid_until": "", "act_reference": "0141-3/2024",
            "act_date": "2024-02-20", "act_signed_by": "župan", "public_fields": ["person_name", "email"]}
    data.update(overrides)
    return data


# --- the single-steward rule --------------------------------------------------------------------

def test_confirming_a_new_steward_ends_the_previous_one_the_day_before(people):
    kamnik = f.municipality("Kamnik")
    first = confirmed(kamnik, people["ministry"], valid_from=date(2022, 1, 1))
    second = nominate(kamnik, name="Nova Skrbnica", valid_from=date(2024, 5, 1))
    ended = services.confirm(second, author=people["ministry"], version=second.version)
    assert ended == [first]
    assert first.valid_until == date(2024, 4, 30) and first.status == AppointmentStatus.ENDED
    assert second.status == AppointmentStatus.CONFIRMED


def test_a_second_confirmed_steward_that_cannot_follow_is_refused(people):
    kamnik = f.municipality("Kamnik")
    confirmed(kamnik, people["ministry"], valid_from=date(2024, 1, 1))
    earlier = nominate(kamnik, name="Prejšnja Skrbnica", valid_from=date(2023, 6, 1))
    with pytest.raises(services.StewardError) as refused:
        services.confirm(earlier, author=people["ministry"], version=earlier.version)
    assert refused.value.field == "valid_from"
    assert earlier.status == AppointmentStatus.NOMINATED


def test_the_rule_is_configurable_and_deputies_are_not_limited(app, people):
    kamnik = f.municipality("Kamnik")
    confirmed(kamnik, people["ministry"], valid_from=date(2024, 1, 1))
    confirmed(kamnik, people["ministry"], name="Prvi Namestnik", role=StewardRole.DEPUTY)
    confirmed(kamnik, people["ministry"], name="Drugi Namestnik", role=StewardRole.DEPUTY)
    app.config["STEWARDS_SINGLE_CONFIRMED"] = False
    try:
        earlier = nominate(kamnik, name="Vzporedna Skrbnica", valid_from=date(2023, 6, 1))
        services.confirm(earlier, author=people["ministry"], version=earlier.version)
        assert earlier.status == AppointmentStatus.CONFIRMED
    finally:
        app.config["STEWARDS_SINGLE_CONFIRMED"] = True


# --- confirm, return, optimistic concurrency -----------------------------------------------------

def test_stale_confirmation_is_409_and_changes_nothing(client, people, no_csrf):
    appointment = nominate(f.municipality("Kamnik"))
    db.session.commit()
    f.login(client, people["ministry"])
    seen = appointment.version
    services.update(appointment, version=seen, by_staff=False, phone="041 123 456")  # the municipality, meanwhile
    db.session.commit()
    response = client.post(f"/skrbniki/imenovanja/{appointment.id}/potrdi", data={"version": seen})
    assert response.status_code == 409
    assert "Vpis je bil spremenjen, potem ko ste ga odprli" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.NOMINATED


def test_return_needs_a_reason_and_a_corrected_nomination_goes_back(client, people, no_csrf):
    appointment = nominate(f.municipality("Kamnik"))
    db.session.commit()
    f.login(client, people["ministry"])
    assert client.post(f"/skrbniki/imenovanja/{appointment.id}/vrni",
                       data={"version": appointment.version, "reason": ""}).status_code == 422
    assert client.post(f"/skrbniki/imenovanja/{appointment.id}/vrni",
                       data={"version": appointment.version, "reason": "Manjka akt."}).status_code == 302
    db.session.expire_all()
    appointment = db.session.get(Appointment, appointment.id)
    assert appointment.status == AppointmentStatus.RETURNED and appointment.return_reason == "Manjka akt."
    client.post("/odjava")
    f.login(client, people["kamnik"])
    response = client.post(f"/skrbniki/imenovanja/{appointment.id}/uredi",
                           data=form(version=str(appointment.version), act_reference="0141-4/2024"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.NOMINATED


# --- who may change what, and bad input -----------------------------------------------------------

def test_an_official_maintains_only_their_own_municipality(client, people, no_csrf):
    ljubljana = nominate(f.municipality("Ljubljana"))
    db.session.commit()
    f.login(client, people["kamnik"])
    assert client.post(f"/skrbniki/imenovanja/{ljubljana.id}/uredi", data=form(version="1")).status_code == 403
    assert client.get(f"/skrbniki/obcine/{f.municipality('Ljubljana').id}/nov").status_code == 403
    response = client.post(f"/skrbniki/obcine/{f.municipality('Kamnik').id}/nov", data=form())
    assert response.status_code == 302
    created = db.session.scalar(select(Appointment).where(Appointment.email == "tina.vzorec@primer.si"))
    assert created.status == AppointmentStatus.NOMINATED and created.public_fields == ["person_name", "email"]


@pytest.mark.parametrize("field,value,message", [
    ("email", "ni-naslov", "e-mail"),
    ("phone", "pokličite me", "phone"),
    ("valid_until", "2024-01-01", "end before it starts"),
    ("person_name", "", "required"),
])
def test_bad_input_is_422_with_the_message_next_to_the_field(client, people, no_csrf, field, value, message):
    f.login(client, people["kamnik"])
    client.post("/jezik", data={"lang": "en"})
    response = client.post(f"/skrbniki/obcine/{f.municipality('Kamnik').id}/nov", data=form(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(select(Appointment.id)) is None


def test_uploads_are_judged_by_content_and_size_and_served_only_to_the_allowed(client, people, no_csrf):
    import io

    kamnik = f.municipality("Kamnik")
    f.login(client, people["kamnik"])
    fake = form(act_file=(io.BytesIO(b"MZ\x90\x00 not a pdf at all"), "akt.pdf"))
    assert client.post(f"/skrbniki/obcine/{kamnik.id}/nov", data=fake, content_type="multipart/form-data").status_code == 422
    broken = form(act_file=(io.BytesIO(b"%PDF-1.4\nthis is no document"), "akt.pdf"))
    assert client.post(f"/skrbniki/obcine/{kamnik.id}/nov", data=broken, content_type="multipart/form-data").status_code == 422
    big = form(act_file=(io.BytesIO(b"%PDF-1.4\n" + b"0" * (services.ACT_MAX_BYTES + 10)), "akt.pdf"))
    assert client.post(f"/skrbniki/obcine/{kamnik.id}/nov", data=big, content_type="multipart/form-data").status_code == 413
    assert db.session.scalar(select(Appointment.id)) is None
    good = pdf_bytes()
    response = client.post(f"/skrbniki/obcine/{kamnik.id}/nov", data=form(act_file=(io.BytesIO(good), "Sklep o imenovanju.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    appointment = db.session.scalar(select(Appointment))
    assert appointment.act_file.sha256 == hashlib.sha256(good).hexdigest() and appointment.act_file.size == len(good)
    download = client.get(f"/skrbniki/imenovanja/{appointment.id}/akt.pdf")
    assert download.status_code == 200 and download.data == good
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    client.post("/odjava")
    f.login(client, people["ljubljana"])
    assert client.get(f"/skrbniki/imenovanja/{appointment.id}/akt.pdf").status_code == 404
    client.post("/odjava")
    assert client.get(f"/skrbniki/imenovanja/{appointment.id}/akt.pdf").status_code == 302


def test_public_view_shows_only_public_fields(client, people, no_csrf):
    appointment = nominate(f.municipality("Kamnik"), phone="041 999 888", public=("person_name",))
    db.session.commit()
    page = client.get(f"/skrbniki/imenovanja/{appointment.id}").get_data(as_text=True)
    assert "Mojca Primer" in page and "041 999 888" not in page and "mojca@primer.si" not in page
    f.login(client, people["kamnik"])
    page = client.get(f"/skrbniki/imenovanja/{appointment.id}").get_data(as_text=True)
    assert "041 999 888" in page and "mojca@primer.si" in page


# --- the fan-out, coverage, history ----------------------------------------------------------------

def test_ask_the_uncovered_then_confirmation_marks_the_item_done(client, people, no_csrf):
    from coordination.groups import services as groups
    from coordination.meetings import services as meetings
    from coordination.meetings.models import ConclusionKind, Visibility
    from coordination.types import utcnow

    group = groups.create_group(name="Skrbniki", code="DS-SP", mandate="")
    meeting = meetings.create_meeting(title="Sestanek", starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=1), place="Ljubljana",
                                      online_url=None, visibility=Visibility.PUBLIC, group=None, organisers=[f.by_short_name("MDP")],
                                      created_by=people["ministry"])
    conclusion = meetings.add_conclusion(meeting, text="Ustanovi se delovna skupina skrbnikov.", kind=ConclusionKind.DECISION,
                                         visibility=Visibility.PUBLIC, establishes_group=group)
    kamnik = f.municipality("Kamnik")
    confirmed(f.municipality("Ljubljana"), people["ministry"])
    db.session.commit()
    f.login(client, people["ministry"])
    assert client.get("/skrbniki/pokritost/poziv").status_code == 200
    response = client.post("/skrbniki/pokritost/poziv", data={"conclusion": conclusion.id, "title": "Imenujte skrbnika"})
    assert response.status_code == 302
    items = db.session.scalars(select(ActionItem).where(ActionItem.title == "Imenujte skrbnika")).all()
    assert len(items) == 211 and all(i.assignee_org.name != "Ljubljana" for i in items)
    appointment = nominate(kamnik)
    db.session.commit()
    assert client.post(f"/skrbniki/imenovanja/{appointment.id}/potrdi", data={"version": appointment.version}).status_code == 302
    item = next(i for i in items if i.assignee_org_id == kamnik.id)
    db.session.refresh(item)
    assert item.status == ItemStatus.DONE and item.updates[-1].new_status == ItemStatus.DONE
    assert db.session.scalar(select(Notification.id).where(Notification.item_id == item.id,
                                                           Notification.user_id == people["kamnik"].id)) is not None
    history = client.get(f"/skrbniki/imenovanja/{appointment.id}").get_data(as_text=True)
    assert "imenovanje potrjeno" in history


def test_coverage_figures_and_flags(people):
    day = today()
    confirmed(f.municipality("Ljubljana"), people["ministry"], valid_from=day - timedelta(days=100))
    confirmed(f.municipality("Kamnik"), people["ministry"], valid_from=day - timedelta(days=100),
              valid_until=day + timedelta(days=10))
    nominate(f.municipality("Kranj"))
    lapsed = confirmed(f.municipality("Celje"), people["ministry"], valid_from=day - timedelta(days=300))
    services.end(lapsed, version=lapsed.version, on=day - timedelta(days=3))
    result = queries.coverage(day)
    n = result.national
    assert (n.total, n.confirmed, n.nominated, n.none) == (212, 2, 1, 209)
    people_covered = queries.population()["SI-061"] + queries.population()["SI-043"]
    assert n.covered == people_covered and round(n.population_share, 3) == round(100 * people_covered / n.population, 3)
    flagged = {m.name: (m.ending_on, m.lapsed_on) for m in result.flagged}
    assert flagged == {"Kamnik": (day + timedelta(days=10), None), "Celje": (None, day - timedelta(days=3))}
    central = next(t for t in result.regions if t.key == "SI041")
    assert central.confirmed == 2


def test_flags_reach_the_organisation_page_dashboard_and_digest(client, people, no_csrf):
    from coordination.actions.reminders import collect_digests
    from coordination.stewards import digest

    day = today()
    kamnik = f.municipality("Kamnik")
    confirmed(kamnik, people["ministry"], valid_from=day - timedelta(days=100), valid_until=day + timedelta(days=5))
    db.session.commit()
    f.login(client, people["kamnik"])
    client.post("/jezik", data={"lang": "en"})
    assert "ends on" in client.get("/").get_data(as_text=True)
    assert "ends on" in client.get(f"/organizacije/{kamnik.id}").get_data(as_text=True)
    people["kamnik"].digest_enabled = True
    digests = digest.extend(collect_digests(7, day), day, lambda user: __import__(
        "coordination.actions.reminders", fromlist=["Digest"]).Digest(user, [], []))
    mine = next(d for d in digests if d.user.id == people["kamnik"].id)
    assert [a.municipality for a in mine.stewards] == ["Kamnik"]


def test_entry_history_tells_who_did_what(client, people, no_csrf):
    appointment = nominate(f.municipality("Kamnik"))
    services.add_training(appointment, name="Odprti podatki", held_on=date(2024, 4, 1))
    db.session.commit()
    f.login(client, people["kamnik"])
    client.post("/jezik", data={"lang": "en"})
    page = client.get(f"/skrbniki/obcine/{f.municipality('Kamnik').id}").get_data(as_text=True)
    assert "nominated Mojca Primer as data steward" in page
    assert "added the training “Odprti podatki”" in page
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.entity_type == "Training")) is not None


def test_confirmed_stewards_join_the_group_in_one_step(client, people, no_csrf):
    from coordination.groups import services as groups

    group = groups.create_group(name="Skrbniki", code="DS-SP", mandate="")
    confirmed(f.municipality("Kamnik"), people["ministry"], email=people["kamnik"].email)
    confirmed(f.municipality("Ljubljana"), people["ministry"], name="Lea Primer")
    db.session.commit()
    f.login(client, people["ministry"])
    assert client.get("/skrbniki/skupina").status_code == 200
    assert client.post("/skrbniki/skupina").status_code == 302
    group = groups.load(group.id)
    assert {(m.organisation.name, m.user_id) for m in group.memberships} == {
        ("Kamnik", people["kamnik"].id), ("Ljubljana", None)}
    page = client.get(f"/skupine/{group.id}").get_data(as_text=True)
    assert page.count("steward-state-confirmed") == 2
    assert client.post("/skrbniki/skupina").status_code == 302  # again: nobody new
    assert len(groups.load(group.id).memberships) == 2


def test_the_registry_pdf_draws_its_map_with_the_legend(client, people, no_csrf):
    """The map goes into the PDF as an image of its own (render.embed_svg): its legend, text inside
    the drawing only, is on the first page with the counts of the table."""
    confirmed(f.municipality("Kamnik"), people["ministry"])
    nominate(f.municipality("Ljubljana"))
    db.session.commit()
    from tests.documents.test_documents import pdftotext

    f.login(client, people["ministry"])
    response = client.get("/skrbniki/register.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    first_page = pdftotext(response.data).split("\f")[0]
    assert "Potrjen skrbnik (1)" in first_page and "Samo predlog (1)" in first_page
    assert "Brez skrbnika (" in first_page
