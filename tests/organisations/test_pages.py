import pytest
from sqlalchemy import select

from coordination.accounts.models import Role
from coordination.audit.models import AuditEntry
from coordination.organisations.models import Organisation, OrgKind
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def signed_in(client):
    f.login(client, f.user(Role.MUNICIPAL))
    return client


@pytest.fixture
def admin(client):
    f.login(client, f.user(Role.ADMIN))
    return client


def _rows(html: str) -> int:
    return html.count("<tr>") - 1  # minus the header row


def test_list_filters_by_region_kind_association_and_text(signed_in):
    html = signed_in.get("/organizacije/?region=SI035").get_data(as_text=True)  # Zasavska
    assert _rows(html) == 4 and "Trbovlje" in html and "4 organizacije" in html
    html = signed_in.get("/organizacije/?kind=association").get_data(as_text=True)
    assert _rows(html) == 3
    zmos = f.by_short_name("ZMOS")
    html = signed_in.get(f"/organizacije/?association={zmos.id}").get_data(as_text=True)
    assert _rows(html) == 12
    html = signed_in.get("/organizacije/?q=SI-061").get_data(as_text=True)
    assert _rows(html) == 1 and "Ljubljana" in html


def test_list_is_in_slovenian_order(signed_in):
    html = signed_in.get("/organizacije/?region=SI043").get_data(as_text=True)  # Goriška
    assert html.index(">Cerkno<") < html.index(">Renče-Vogrsko<") < html.index(">Šempeter-Vrtojba<") \
        < html.index(">Tolmin<")


def test_bad_filter_values_are_ignored_not_errors(signed_in):
    for query in ("?kind=spaceship", "?association=abc", "?region=" + "x" * 500, "?page=-3", "?page=zz"):
        assert signed_in.get("/organizacije/" + query).status_code == 200


def test_empty_result_says_so(signed_in):
    html = signed_in.get("/organizacije/?q=zzzzzz").get_data(as_text=True)
    assert "Nobena organizacija" in html


def test_htmx_gets_the_fragment_and_pages_vary(signed_in):
    page = signed_in.get("/organizacije/?q=Lju")
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]
    fragment = signed_in.get("/organizacije/?q=Lju", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Ljubljana" in body
    boosted = signed_in.get("/organizacije/?q=Lju", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    restore = signed_in.get("/organizacije/?q=Lju", headers={"HX-Request": "true",
                                                             "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_list_query_count_does_not_grow_with_data(signed_in, session, count_queries):
    f.organisation("Knjižnica A", OrgKind.HOST)
    signed_in.get("/organizacije/?kind=host")  # warm up: the signed-in user is loaded once per request
    with count_queries() as few:
        signed_in.get("/organizacije/?kind=host")
    for i in range(60):
        session.add(Organisation(name=f"Knjižnica {i}", kind=OrgKind.HOST))
    session.commit()
    hosts = session.scalars(select(Organisation).where(Organisation.kind == OrgKind.HOST)).all()
    sos = f.by_short_name("SOS")
    sos.members.extend(hosts[:30])
    session.commit()
    with count_queries() as many:
        html = signed_in.get("/organizacije/?kind=host").get_data(as_text=True)
    assert _rows(html) >= 60
    assert many.count == few.count, many.statements


def test_private_part_of_an_organisation_page(app, session):
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    colleague = f.user(Role.MUNICIPAL, kamnik, name="Kolegica Kamniška")
    cases = [(f.user(Role.MUNICIPAL, kamnik), True), (f.user(Role.MUNICIPAL, ljubljana), False),
             (f.user(Role.MINISTRY), True), (f.user(Role.HOST), False),
             (f.user(Role.ASSOCIATION, f.by_short_name("ZOS")), False)]
    sos = f.by_short_name("SOS")
    kamnik.associations.append(sos)
    session.commit()
    cases.append((f.user(Role.ASSOCIATION, sos), True))  # SOS staff for a member municipality
    for viewer, sees in cases:
        client = app.test_client()
        f.login(client, viewer)
        html = client.get(f"/organizacije/{kamnik.id}").get_data(as_text=True)
        assert (colleague.email in html) is sees, (viewer.role, viewer.organisation.name)


def test_admin_edits_memberships_and_it_is_audited(admin, session):
    kamnik, sos, zos = f.municipality("Kamnik"), f.by_short_name("SOS"), f.by_short_name("ZOS")
    response = admin.post(f"/organizacije/{kamnik.id}/clanstvo", data={"associations": [sos.id, zos.id]})
    assert response.status_code == 302
    assert {a.short_name for a in f.municipality("Kamnik").associations} == {"SOS", "ZOS"}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(kamnik.id))
                            .order_by(AuditEntry.id.desc())).first()
    assert entry.changes == {"associations": [[], ["SOS", "ZOS"]]}
    html = admin.get(f"/organizacije/{sos.id}").get_data(as_text=True)
    assert "Kamnik" in html


def test_membership_with_a_foreign_id_is_refused(admin):
    kamnik = f.municipality("Kamnik")
    response = admin.post(f"/organizacije/{kamnik.id}/clanstvo", data={"associations": [kamnik.id]})
    assert response.status_code == 422
    assert f.municipality("Kamnik").associations == []


def test_admin_creates_and_edits_an_organisation(admin, session):
    response = admin.post("/organizacije/nova", data={"name": "Mestna knjižnica Kranj", "kind": "host",
                                                      "website": "https://mkk.si"})
    assert response.status_code == 302
    org = session.scalar(select(Organisation).where(Organisation.name == "Mestna knjižnica Kranj"))
    assert org.kind == OrgKind.HOST
    duplicate = admin.post("/organizacije/nova", data={"name": "Mestna knjižnica Kranj", "kind": "host"})
    assert duplicate.status_code == 422 and "že obstaja" in duplicate.get_data(as_text=True)
    bad = admin.post(f"/organizacije/{org.id}/uredi", data={"name": "", "kind": "host", "website": "ni-url"})
    assert bad.status_code == 422
    assert session.get(Organisation, org.id).name == "Mestna knjižnica Kranj"
    assert admin.post(f"/organizacije/{org.id}/uredi", data={"name": "MKK", "kind": "host"}).status_code == 302
    assert session.get(Organisation, org.id).name == "MKK"


def test_municipality_reference_fields_cannot_be_changed(admin, session):
    kamnik = f.municipality("Kamnik")
    admin.post(f"/organizacije/{kamnik.id}/uredi", data={"name": "Nekaj drugega", "address": "Glavni trg 24"})
    kamnik = f.municipality("Kamnik")
    assert kamnik is not None and kamnik.address == "Glavni trg 24"


def test_municipality_cannot_be_created_by_hand(admin, session):
    response = admin.post("/organizacije/nova", data={"name": "Nova občina", "kind": "municipality"})
    assert response.status_code == 422
