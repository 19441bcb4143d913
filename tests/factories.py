"""Small factories: real rows through the real services, with unique defaults."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from coordination.accounts import services as accounts
from coordination.accounts.models import Role, User
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def organisation(name: str | None = None, kind: OrgKind = OrgKind.HOST, **fields) -> Organisation:
    org = Organisation(name=name or f"Organizacija {next(_seq)}", kind=kind, **fields)
    db.session.add(org)
    db.session.flush()
    return org


def municipality(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name,
                                                        Organisation.kind == OrgKind.MUNICIPALITY))


def by_short_name(short: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.short_name == short))


def user(role: Role = Role.MUNICIPAL, organisation: Organisation | None = None, email: str | None = None,
         name: str | None = None, password: str = PASSWORD, active: bool = True) -> User:
    if organisation is None:
        organisation = {
            Role.ADMIN: lambda: by_short_name("MDP"),
            Role.MINISTRY: lambda: by_short_name("MDP"),
            Role.ASSOCIATION: lambda: by_short_name("SOS"),
            Role.MUNICIPAL: lambda: municipality("Kamnik"),
            Role.HOST: lambda: organisation_for_host(),
        }[role]()
    n = next(_seq)
    created = accounts.create_user(email=email or f"user{n}@example.si", name=name or f"Uporabnik {n}",
                                   role=role, organisation_id=organisation.id, password=password)
    if not active:
        accounts.set_active(created, False)
    return created


def organisation_for_host() -> Organisation:
    return organisation(kind=OrgKind.HOST)


def login(client, user_or_email, password: str = PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    return client.post("/prijava", data={"email": email, "password": password})
