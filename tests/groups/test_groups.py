from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.audit.models import AuditEntry
from coordination.groups import services
from coordination.groups.models import GroupMembership, GroupRole, WorkingGroup
from coordination.groups.permissions import can_manage, can_view_internal
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def ministry(client):
    f.login(client, f.user(Role.MINISTRY))
    return client


def _group(name="Delovna skupina za IT zahteve občin", code="DS-IT"):
    return services.create_group(name=name, code=code, mandate="Pripraviti zahteve.")


def test_ministry_creates_a_group(ministry, session):
    response = ministry.post("/skupine/nova", data={"name": "Delovna skupina skrbnikov podatkov",
                                                    "code": "ds-sp", "mandate": "Usklajevanje."})
    assert response.status_code == 302
    group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == "DS-SP"))
    assert group.name == "Delovna skupina skrbnikov podatkov"
    html = ministry.get("/skupine/").get_data(as_text=True)
    assert "Delovna skupina skrbnikov podatkov" in html


@pytest.mark.parametrize("data, message", [
    ({"name": "", "code": "X"}, "obvezno"),
    ({"name": "A", "code": "DS IT!"}, "DS-IT"),
    ({"name": "A" * 201, "code": "X"}, "200 znakov"),
])
def test_bad_group_input(ministry, session, data, message):
    before = session.scalar(select(func.count()).select_from(WorkingGroup))
    response = ministry.post("/skupine/nova", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(WorkingGroup)) == before


def test_duplicate_name_or_code(ministry):
    _group()
    response = ministry.post("/skupine/nova", data={"name": "Druga", "code": "ds-it"})
    assert response.status_code == 422 and "že uporablja" in response.get_data(as_text=True)


def test_members_with_roles_and_validity(ministry, session):
    group = _group()
    kamnik = f.municipality("Kamnik")
    person = f.user(Role.MUNICIPAL, kamnik, name="Tina Tajnica")
    response = ministry.post(f"/skupine/{group.id}/clani", data={
        "organisation_id": kamnik.id, "email": person.email.upper(), "role": "secretary",
        "valid_from": "2024-01-01", "valid_until": ""})
    assert response.status_code == 302
    html = ministry.get(f"/skupine/{group.id}").get_data(as_text=True)
    assert "Tina Tajnica" in html and "Tajnik" in html
    # the same person again for an overlapping period is refused
    again = ministry.post(f"/skupine/{group.id}/clani", data={
        "organisation_id": kamnik.id, "email": person.email, "role": "member", "valid_from": "2025-01-01"})
    assert again.status_code == 422 and "že v skupini" in again.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(GroupMembership)) == 1
    audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "GroupMembership")).all()
    assert len(audit) == 1 and audit[0].action == "create"


@pytest.mark.parametrize("data, message", [
    ({"email": "nobody@example.si"}, "nima računa"),
    ({"valid_from": "2025-05-01", "valid_until": "2025-04-01"}, "pred začetkom"),
    ({"role": "emperor"}, "Neveljavna izbira"),
    ({"organisation_id": "999999"}, "Neveljavna izbira"),
])
def test_bad_member_input(ministry, session, data, message):
    group = _group()
    form = {"organisation_id": f.municipality("Kamnik").id, "role": "member", **data}
    response = ministry.post(f"/skupine/{group.id}/clani", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(GroupMembership)) == 0


def test_person_must_belong_to_the_chosen_organisation(ministry):
    group = _group()
    person = f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))
    response = ministry.post(f"/skupine/{group.id}/clani", data={
        "organisation_id": f.municipality("Kamnik").id, "email": person.email, "role": "member"})
    assert response.status_code == 422 and "Ljubljana" in response.get_data(as_text=True)


def test_rules_follow_current_membership(session):
    group = _group()
    kamnik = f.municipality("Kamnik")
    chair, member, former, outsider = (f.user(Role.MUNICIPAL, kamnik) for _ in range(4))
    for person, role, until in ((chair, GroupRole.CHAIR, None), (member, GroupRole.MEMBER, None),
                                (former, GroupRole.CHAIR, date.today() - timedelta(days=30))):
        services.add_member(group, organisation_id=kamnik.id, user_id=person.id, role=role, valid_from=None,
                            valid_until=until)
    assert can_manage(chair, group) and not can_manage(member, group) and not can_manage(former, group)
    assert can_view_internal(member, group) and not can_view_internal(former, group)
    assert not can_view_internal(outsider, group) and can_view_internal(f.user(Role.MINISTRY), group)


def test_removing_a_member_from_another_group_is_not_found(ministry):
    first, second = _group(), _group("Druga skupina", "DS-2")
    seat = services.add_member(first, organisation_id=f.municipality("Kamnik").id, user_id=None,
                               role=GroupRole.MEMBER, valid_from=None, valid_until=None)
    assert ministry.post(f"/skupine/{second.id}/clani/{seat.id}/odstrani").status_code == 404
    assert ministry.post(f"/skupine/{first.id}/clani/{seat.id}/odstrani").status_code == 302


def test_group_pages_have_a_fixed_query_count(ministry, session, count_queries):
    group = _group()
    seat = lambda org: services.add_member(group, organisation_id=org.id, user_id=None,  # noqa: E731
                                           role=GroupRole.MEMBER, valid_from=None, valid_until=None)
    seat(f.municipality("Kamnik"))
    ministry.get(f"/skupine/{group.id}")
    with count_queries() as few:
        ministry.get(f"/skupine/{group.id}")
        ministry.get("/skupine/")
    for name in ("Kranj", "Celje", "Koper", "Ptuj", "Maribor", "Velenje"):
        seat(f.municipality(name))
    _group("Tretja", "DS-3")
    with count_queries() as many:
        ministry.get(f"/skupine/{group.id}")
        ministry.get("/skupine/")
    assert many.count == few.count, "\n\n".join(s[:160] for s in many.statements)
