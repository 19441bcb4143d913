"""The fan-out's check step: a due date is required, a valid form shows what will reach whom (by
region), who is told and how, and which municipalities have nobody to tell; only the confirmation
makes the items, once even when it is sent twice."""
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions.models import ActionItem, FanOut
from coordination.extensions import db
from coordination.meetings.models import Visibility
from coordination.organisations.models import Organisation, OrgKind, Region
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Marko Ministrski")


@pytest.fixture
def conclusion(staff):
    meeting = f.meeting(title="Sestanek ZMOS in SOS z ministrom", visibility=Visibility.PUBLIC,
                        start=datetime(2022, 9, 20, 8, tzinfo=UTC), created_by=staff)
    return f.conclusion(meeting, "Občine imenujejo predstavnika za strategijo.")


def _url(conclusion):
    return f"/sklepi/{conclusion.id}/razprsitev"


def _items() -> int:
    return db.session.scalar(select(func.count()).select_from(ActionItem))


def _fanouts() -> int:
    return db.session.scalar(select(func.count()).select_from(FanOut))


def _gorenjska_data(**extra):
    gorenjska = db.session.scalar(select(Region).where(Region.name == "Gorenjska"))
    return {"title": "Imenovati predstavnika", "scope": "region", "region": str(gorenjska.id),
            "priority": "high", "due_date": "2099-10-01", "token": "t" * 24, **extra}


def test_without_a_due_date_the_form_is_refused_at_the_field(client, staff, conclusion):
    f.login(client, staff)
    response = client.post(_url(conclusion), data={"title": "Naloga", "scope": "all", "priority": "normal"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="due_date-error"[^>]*>[^<]*Vpišite rok: vsaka občina dobi nalogo s tem rokom.', html)
    assert _items() == 0 and _fanouts() == 0


def test_the_check_step_says_what_reaches_whom_and_who_is_told(client, staff, conclusion):
    kranj, loka = f.municipality("Kranj"), f.municipality("Škofja Loka")  # both in Gorenjska
    f.user(Role.MUNICIPAL, kranj, name="Ana Kranjska")
    quiet = f.user(Role.MUNICIPAL, kranj, name="Bor Kranjski")
    quiet.digest_enabled = False
    f.user(Role.MUNICIPAL, loka, name="Cene Loški")
    f.user(Role.MUNICIPAL, loka, name="Neaktivni Ločan").active = False
    f.user(Role.MUNICIPAL, f.municipality("Kamnik"), name="Kamničan")  # outside the region: not told
    db.session.flush()
    gorenjska = db.session.scalars(select(Organisation.name).where(
        Organisation.kind == OrgKind.MUNICIPALITY,
        Organisation.region_id == select(Region.id).where(Region.name == "Gorenjska").scalar_subquery())).all()
    f.login(client, staff)
    response = client.post(_url(conclusion), data=_gorenjska_data())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _items() == 0 and _fanouts() == 0  # nothing made yet
    assert "Preverite, preden razpošljete občinam" in html
    assert "Imenovati predstavnika" in html and "1. 10. 2099" in html and "Visoka" in html
    assert f"Zajame {len(gorenjska)} občin" in html and f"<summary>Gorenjska ({len(gorenjska)})</summary>" in html
    assert all(name in html for name in gorenjska)
    # the active accounts of Kranj and Škofja Loka (the inactive one is not told), one with the digest off
    assert "3 osebe takoj dobijo obvestilo v aplikaciji." in html
    assert "2 od njih imata vklopljen dnevni povzetek po e-pošti: naloga bo v njem od 7 dni pred rokom." in html
    without = len(gorenjska) - 2
    assert f"{without} občin nima računa v delovnem prostoru" in html
    listed = re.search(r"<summary>Občine brez računa</summary><p>([^<]*)</p>", html).group(1)
    assert "Bled" in listed.split(", ") and not {"Kranj", "Škofja Loka", "Kamnik"} & set(listed.split(", "))
    # the confirmation posts the same answers and the same one-time token again
    for name, value in _gorenjska_data().items():
        assert f'name="{name}" value="{value}"' in html
    assert f"Razpošlji {len(gorenjska)} občinam" in html and 'name="confirm"' in html


def test_back_to_change_keeps_the_answers_and_makes_nothing(client, staff, conclusion):
    f.login(client, staff)
    response = client.post(_url(conclusion), data=_gorenjska_data(edit="1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Imenovati predstavnika"' in html and 'value="1. 10. 2099"' in html
    assert 'class="card fanout-form"' in html and _items() == 0


def test_only_the_confirmation_makes_the_items_and_a_second_one_makes_nothing(client, staff, conclusion):
    f.login(client, staff)
    client.post(_url(conclusion), data=_gorenjska_data())
    assert _items() == 0
    first = client.post(_url(conclusion), data=_gorenjska_data(confirm="1"))
    assert first.status_code == 302
    made = _items()
    assert made > 0 and _fanouts() == 1
    again = client.post(_url(conclusion), data=_gorenjska_data(confirm="1"))  # a double click, a resent form
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert _items() == made and _fanouts() == 1
    assert "je bila že razposlana" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_check_step_has_a_fixed_number_of_queries(client, staff, conclusion, count_queries):
    f.login(client, staff)
    counts = []
    for accounts in (1, 30):
        for n in range(accounts):
            f.user(Role.MUNICIPAL, f.municipality(["Kamnik", "Kranj", "Bled"][n % 3]))
        db.session.flush()
        client.post(_url(conclusion), data=_gorenjska_data())  # warm
        with count_queries() as counter:
            assert client.post(_url(conclusion), data=_gorenjska_data()).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_conclusion_the_register_and_the_dashboard_link_to_the_matrix(client, staff, conclusion):
    fanout = f.fan_out(conclusion, staff, "Imenovati predstavnika")
    f.login(client, staff)
    matrix = f'href="/razprsitve/{fanout.id}"'
    new_form = f'href="/sklepi/{conclusion.id}/razprsitev"'
    meeting = client.get(f"/sestanki/{conclusion.meeting_id}").get_data(as_text=True)
    assert matrix in meeting and "Razposlana naloga »Imenovati predstavnika«" in meeting
    assert "opravljeno 0 od 212; preklicane se ne štejejo" in meeting
    # the link to a new fan-out is named as the action, not like the matrix
    assert re.search(new_form + r">Razpošlji občinam<", meeting)
    register = client.get("/sklepi/").get_data(as_text=True)
    assert matrix in register and new_form not in register
    dashboard = client.get("/").get_data(as_text=True)
    assert matrix in dashboard and "Razposlane naloge" in dashboard
