import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import types
from coordination.accounts.models import Role
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.organisations.models import Organisation, OrgKind
from tests import factories as f


def _entries(session, entity_type, entity_id):
    return session.scalars(select(AuditEntry).where(AuditEntry.entity_type == entity_type,
                                                    AuditEntry.entity_id == str(entity_id))
                           .order_by(AuditEntry.id)).all()


def test_create_update_delete_record_before_and_after(session):
    with acting_as("tests: audit"):
        org = Organisation(name="Zavod Audit", kind=OrgKind.OTHER)
        session.add(org)
        session.commit()
        org.address = "Trg 1"
        session.commit()
        org_id = org.id
        session.delete(org)
        session.commit()
    created, updated, deleted = _entries(session, "Organisation", org_id)
    assert created.action == "create" and created.changes["name"] == [None, "Zavod Audit"]
    assert created.actor_label == "tests: audit" and created.actor_id is None
    assert updated.action == "update" and updated.changes == {"address": [None, "Trg 1"]}
    assert deleted.action == "delete" and deleted.changes["address"] == ["Trg 1", None]


def test_secrets_are_masked(session):
    user = f.user()
    created = _entries(session, "User", user.id)[0]
    assert created.changes["password_hash"] == [None, "•••"]
    assert user.password_hash not in str(created.changes)


def test_change_and_its_entry_roll_back_together(session):
    before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    org = Organisation(name="Bo preklicano", kind=OrgKind.OTHER)
    session.add(org)
    session.flush()
    session.rollback()
    after = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert after == before


def test_request_changes_name_the_signed_in_user(client, session, no_csrf):
    admin = f.user(Role.ADMIN)
    f.login(client, admin)
    client.post("/organizacije/nova", data={"name": "Zavod Akter", "kind": "other"})
    org = session.scalar(select(Organisation).where(Organisation.name == "Zavod Akter"))
    entry = _entries(session, "Organisation", org.id)[0]
    assert entry.actor_id == admin.id and entry.address == "127.0.0.1"


@pytest.fixture
def admin_client(client, no_csrf):
    f.login(client, f.user(Role.ADMIN, name="Ana Revizorka"))
    return client


def test_browse_and_filter(admin_client, session):
    def results(query):  # the htmx fragment holds only the entries, not the filter form
        return admin_client.get("/revizijska-sled/" + query, headers={"HX-Request": "true"}).get_data(as_text=True)

    f.user(name="Borut Filtrski")
    assert "Borut Filtrski" in results("?who=&entity=User&action=create")
    admin_client.post("/organizacije/nova", data={"name": "Zavod Revizorkin", "kind": "other"})
    assert "Zavod Revizorkin" in results("?who=Revizorka&entity=Organisation")
    assert "Zavod Revizorkin" not in results("?who=Nekdo+drug&entity=Organisation")
    assert "Borut Filtrski" not in results("?entity=Organisation&action=delete")
    today = types.today().isoformat()  # the filter's days are Ljubljana's (after 23:00 UTC, tomorrow's date)
    assert "Borut Filtrski" in results(f"?since={today}&until={today}&entity=User")
    later = (types.today() + timedelta(days=2)).isoformat()
    assert "Borut Filtrski" not in results(f"?since={later}&entity=User")
    assert "<html" in admin_client.get("/revizijska-sled/?entity=User").get_data(as_text=True)


def test_bad_dates_are_explained(admin_client):
    response = admin_client.get("/revizijska-sled/?since=2024-13-45")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vnesite veljaven datum: dan, mesec in leto." in html and 'value="2024-13-45"' in html  # kept as typed
    # the way officials write dates is read, and shown back that way
    response = admin_client.get("/revizijska-sled/?since=2.5.2024")
    assert response.status_code == 200 and 'value="2. 5. 2024"' in response.get_data(as_text=True)
    response = admin_client.get("/revizijska-sled/?since=2024-05-02&until=2024-05-01")
    assert response.status_code == 422


def test_pages_have_a_fixed_query_count(admin_client, session, count_queries, app):
    admin_client.get("/revizijska-sled/")
    with count_queries() as few:
        admin_client.get("/revizijska-sled/")
    with acting_as("tests"):
        for i in range(120):
            session.add(Organisation(name=f"Zavod {i}", kind=OrgKind.OTHER))
        session.commit()
    with count_queries() as many:
        html = admin_client.get("/revizijska-sled/?page=2").get_data(as_text=True)
    assert "Stran 2 od" in html
    assert many.count == few.count


def test_the_kind_filter_offers_exactly_the_kinds_the_log_holds(admin_client, session):
    """The record kinds come one index step at a time (a recursive query): each kind in the log once,
    in order, as SELECT DISTINCT would give them; the live filter's fragment does without them."""
    with acting_as("tests"):
        session.add(Organisation(name="Zavod Vrst", kind=OrgKind.OTHER))
        session.commit()
    held = sorted(set(session.scalars(select(AuditEntry.entity_type))))
    assert len(held) >= 2
    html = admin_client.get("/revizijska-sled/").get_data(as_text=True)
    choose = html[html.index('name="entity"'):]
    offered = re.findall(r'<option value="([^"]+)"', choose[:choose.index("</select>")])
    assert offered == held
    fragment = admin_client.get("/revizijska-sled/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'name="entity"' not in fragment and "Zavod Vrst" in fragment
