"""Every URL rule of the app × every role, with the answer each must get.

A route that is not listed here fails the suite: adding a page means deciding who may open it.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from coordination.accounts.models import Role
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import ConclusionKind, Visibility
from tests import factories as f

ROLES = ("anonymous", "admin", "ministry", "association", "municipal", "municipal_other", "host")

# shorthands for the usual shapes
SIGNED_IN = {"anonymous": 302, **{r: 200 for r in ROLES[1:]}}
ADMIN_ONLY = {"anonymous": 302, "admin": 200, **{r: 403 for r in ROLES[2:]}}
STAFF = {"anonymous": 302, "admin": 200, "ministry": 200, **{r: 403 for r in ROLES[3:]}}


def only_admin(admin_status: int) -> dict:
    return {"anonymous": 302, "admin": admin_status, **{r: 403 for r in ROLES[2:]}}


# endpoint -> list of (method, path template, form data, {role: status})
# path templates are filled from the `objects` fixture: {own} = the municipal user's municipality, …
MATRIX: dict[str, list[tuple]] = {
    "static": [("GET", "/static/css/app.css", None, {r: 200 for r in ROLES})],
    "accounts.login": [("GET", "/prijava", None, {"anonymous": 200, **{r: 302 for r in ROLES[1:]}})],
    "accounts.logout": [("POST", "/odjava", {}, {"anonymous": 302, **{r: 302 for r in ROLES[1:]}}),
                        ("GET", "/odjava", None, {r: 405 for r in ROLES})],
    "accounts.change_password": [("GET", "/geslo", None, SIGNED_IN)],
    "accounts.set_language": [("POST", "/jezik", {"lang": "en"}, {r: 302 for r in ROLES}),
                              ("POST", "/jezik", {"lang": "xx"}, {r: 400 for r in ROLES})],
    "accounts.users": [("GET", "/uporabniki", None, ADMIN_ONLY)],
    "accounts.create_user": [("GET", "/uporabniki/nov", None, ADMIN_ONLY),
                             ("POST", "/uporabniki/nov", {}, only_admin(422))],
    "accounts.edit_user": [("GET", "/uporabniki/{municipal_user}", None, ADMIN_ONLY),
                           ("GET", "/uporabniki/999999", None, only_admin(404))],
    "accounts.set_user_password": [("POST", "/uporabniki/{municipal_user}/geslo", {"password": "x"},
                                    only_admin(422))],
    "accounts.set_user_active": [("POST", "/uporabniki/{host_user}/aktiven", {"active": "y"}, only_admin(302)),
                                 ("POST", "/uporabniki/{admin_user}/aktiven", {}, only_admin(403))],
    "dashboard.index": [("GET", "/", None, SIGNED_IN)],
    "organisations.index": [("GET", "/organizacije/", None, SIGNED_IN),
                            ("GET", "/organizacije/?region=SI041&kind=municipality&q=a", None, SIGNED_IN)],
    "organisations.detail": [("GET", "/organizacije/{own}", None, SIGNED_IN),
                             ("GET", "/organizacije/{sos}", None, SIGNED_IN),
                             ("GET", "/organizacije/999999", None, {"anonymous": 302,
                                                                    **{r: 404 for r in ROLES[1:]}})],
    "organisations.create": [("GET", "/organizacije/nova", None, ADMIN_ONLY),
                             ("POST", "/organizacije/nova", {"name": ""}, only_admin(422))],
    "organisations.edit": [("GET", "/organizacije/{own}/uredi", None, ADMIN_ONLY),
                           ("GET", "/organizacije/{sos}/uredi", None, ADMIN_ONLY)],
    "organisations.memberships": [("GET", "/organizacije/{own}/clanstvo", None, ADMIN_ONLY),
                                  ("GET", "/organizacije/{sos}/clanstvo", None, only_admin(404))],
    "groups.index": [("GET", "/skupine/", None, SIGNED_IN)],
    "groups.detail": [("GET", "/skupine/{group}", None, SIGNED_IN),
                      ("GET", "/skupine/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "groups.create": [("GET", "/skupine/nova", None, STAFF),
                      ("POST", "/skupine/nova", {"name": ""}, {**STAFF, "admin": 422, "ministry": 422})],
    # the municipal official is the group's secretary, so may run it; the official of another
    # municipality may not
    "groups.edit": [("GET", "/skupine/{group}/uredi", None, {**STAFF, "municipal": 200})],
    "groups.add_member": [("POST", "/skupine/{group}/clani", {}, {"anonymous": 302, "admin": 422, "ministry": 422,
                                                                   "association": 403, "municipal": 422,
                                                                   "municipal_other": 403, "host": 403})],
    "groups.remove_member": [("POST", "/skupine/{group}/clani/{membership}/odstrani", {},
                              {"anonymous": 302, "admin": 302, "ministry": 302, "association": 403,
                               "municipal": 302, "municipal_other": 403, "host": 403})],
    "audit.index": [("GET", "/revizijska-sled/", None, ADMIN_ONLY),
                    ("GET", "/revizijska-sled/?since=bad", None, only_admin(422))],
}


@pytest.fixture
def objects(session):
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    users = {
        "admin": f.user(Role.ADMIN),
        "ministry": f.user(Role.MINISTRY),
        "association": f.user(Role.ASSOCIATION),
        "municipal": f.user(Role.MUNICIPAL, kamnik),
        "municipal_other": f.user(Role.MUNICIPAL, ljubljana),
        "host": f.user(Role.HOST),
    }
    group = groups.create_group(name="Delovna skupina za matriko", code="DS-MAT", mandate="")
    groups.add_member(group, organisation_id=kamnik.id, user_id=users["municipal"].id, role=GroupRole.SECRETARY,
                      valid_from=None, valid_until=None)
    seat = groups.add_member(group, organisation_id=ljubljana.id, user_id=None, role=GroupRole.MEMBER,
                             valid_from=None, valid_until=None)
    # an internal meeting of that group (so the municipal official is its secretary), with one agenda
    # item and one conclusion; and a public meeting of the ministry without a group
    internal = meetings.create_meeting(
        title="Seja DS-MAT", starts_at=datetime(2024, 5, 6, 8, tzinfo=timezone.utc),
        ends_at=datetime(2024, 5, 6, 10, tzinfo=timezone.utc), place="Ljubljana", online_url=None,
        visibility=Visibility.INTERNAL, group=group, organisers=[f.by_short_name("MDP")], created_by=users["ministry"])
    item = meetings.add_agenda_item(internal, title="Uvod", visibility=Visibility.INTERNAL)
    conclusion = meetings.add_conclusion(internal, text="Sklep", kind=ConclusionKind.DECISION,
                                         visibility=Visibility.INTERNAL, agenda_item=item)
    public = meetings.create_meeting(
        title="Javni posvet", starts_at=datetime(2024, 6, 6, 8, tzinfo=timezone.utc),
        ends_at=datetime(2024, 6, 6, 10, tzinfo=timezone.utc), place="Ljubljana", online_url=None,
        visibility=Visibility.PUBLIC, group=None, organisers=[f.by_short_name("MDP")], created_by=users["ministry"])
    ids = {"meeting": internal.id, "item": item.id, "conclusion": conclusion.id, "public_meeting": public.id,
           "group": group.id, "membership": seat.id, "own": kamnik.id, "sos": f.by_short_name("SOS").id, "municipal_user": users["municipal"].id,
           "host_user": users["host"].id, "admin_user": users["admin"].id}
    return users, ids


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(MATRIX)
    assert not missing, f"routes without a row in the access matrix: {sorted(missing)}"
    stale = set(MATRIX) - endpoints
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"


def test_every_view_declares_its_rule(app):
    undeclared = [endpoint for endpoint, view in app.view_functions.items()
                  if endpoint != "static" and not hasattr(view, "access_rule")]
    assert not undeclared, f"views without @guard(rule) or @public: {undeclared}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, objects, no_csrf, role):
    users, ids = objects
    if role != "anonymous":
        assert f.login(client, users[role]).status_code == 302
    failures = []
    for endpoint, rows in MATRIX.items():
        for method, template, data, expected in rows:
            path = template.format(**ids)
            response = client.open(path, method=method, data=data)
            if response.status_code != expected[role]:
                failures.append(f"{method} {path} ({endpoint}): got {response.status_code}, "
                                f"expected {expected[role]}")
            if endpoint == "accounts.logout" and role != "anonymous":
                f.login(client, users[role])  # sign back in for the remaining rows
            if endpoint == "accounts.set_language":
                client.post("/jezik", data={"lang": "sl"})
    assert not failures, "\n".join(failures)
