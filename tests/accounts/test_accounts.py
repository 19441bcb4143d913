import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role, User
from coordination.audit.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def admin_client(client):
    f.login(client, f.user(Role.ADMIN))
    return client


def _user_data(**overrides):
    data = {"name": "Nina Novak", "email": "nina@obcina.si", "role": "municipal",
            "organisation_id": str(f.municipality("Kranj").id), "language": "sl"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("overrides, field_message", [
    ({"email": "not-an-email"}, "veljaven e-poštni naslov"),
    ({"name": ""}, "obvezno"),
    ({"name": "x" * 121}, "največ 120 znakov"),
    ({"language": "de"}, "neveljavna izbira"),
    ({"role": "emperor"}, "neveljavna izbira"),
    ({"organisation_id": "999999"}, "neveljavna izbira"),
])
def test_bad_account_input_is_explained_and_changes_nothing(admin_client, session, overrides, field_message):
    before = session.scalar(select(func.count()).select_from(User))
    response = admin_client.post("/uporabniki/nov", data=_user_data(**overrides))
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True).lower()
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_duplicate_email_is_refused(admin_client):
    existing = f.user()
    response = admin_client.post("/uporabniki/nov", data=_user_data(email=existing.email.upper()))
    assert response.status_code == 422
    assert "že obstaja" in response.get_data(as_text=True)


def test_deactivation_ends_the_session_and_is_audited(admin_client, app, session):
    target = f.user()
    other = app.test_client()
    f.login(other, target)
    assert other.get("/").status_code == 200
    unconfirmed = admin_client.post(f"/uporabniki/{target.id}/aktiven", data={})
    assert unconfirmed.status_code == 422
    assert "potrdite izklop" in unconfirmed.get_data(as_text=True).lower()
    assert session.get(User, target.id).active is True and other.get("/").status_code == 200
    response = admin_client.post(f"/uporabniki/{target.id}/aktiven", data={"confirm": "y"})
    assert response.status_code == 302
    assert session.get(User, target.id).active is False
    assert other.get("/").status_code == 302
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                     AuditEntry.entity_id == str(target.id))
                            .order_by(AuditEntry.id.desc())).first()
    assert entry.changes["active"] == [True, False]
    assert entry.changes["session_version"] == ["•••", "•••"]


def test_role_change_takes_effect_at_next_sign_in(admin_client, app, session):
    target = f.user(Role.MINISTRY)
    other = app.test_client()
    f.login(other, target)
    data = {"name": target.name, "email": target.email, "role": "host",
            "organisation_id": str(target.organisation_id)}
    assert admin_client.post(f"/uporabniki/{target.id}", data=data).status_code == 302
    assert session.get(User, target.id).role == Role.HOST
    assert other.get("/").status_code == 302  # the old session with old powers is gone


def test_admin_cannot_deactivate_themselves(client, session):
    admin = f.user(Role.ADMIN)
    f.login(client, admin)
    assert client.post(f"/uporabniki/{admin.id}/aktiven", data={"confirm": "y"}).status_code == 403
    assert session.get(User, admin.id).active


def test_users_list_filters_and_fragment(admin_client):
    f.user(name="Žan Zupan")
    f.user(name="Zala Zorko")
    page = admin_client.get("/uporabniki?q=Z")
    html = page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]
    assert html.index("Zala Zorko") < html.index("Žan Zupan")
    fragment = admin_client.get("/uporabniki?q=Zupan", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Žan Zupan" in body and "Zala Zorko" not in body


class TestOwnPassword:
    def test_change_password(self, client, app):
        user = f.user()
        f.login(client, user)
        other = app.test_client()
        f.login(other, user)
        response = client.post("/geslo", data={"current": f.PASSWORD, "new": "novo-geslo-2024",
                                               "confirm": "novo-geslo-2024"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200  # this session continues
        assert other.get("/").status_code == 302  # other sessions end
        assert f.login(app.test_client(), user, "novo-geslo-2024").status_code == 302

    def test_wrong_current_password(self, client):
        user = f.user()
        f.login(client, user)
        response = client.post("/geslo", data={"current": "nope", "new": "novo-geslo-2024",
                                               "confirm": "novo-geslo-2024"})
        assert response.status_code == 422
        assert "trenutno geslo ni pravilno" in response.get_data(as_text=True).lower()

    def test_mismatch(self, client):
        f.login(client, f.user())
        response = client.post("/geslo", data={"current": f.PASSWORD, "new": "novo-geslo-2024",
                                               "confirm": "drugo-geslo-2024"})
        assert response.status_code == 422
        assert "se ne ujemata" in response.get_data(as_text=True)
