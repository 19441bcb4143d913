"""Demo data for development: one account per role, on top of the reference data.

Never runs in production (the CLI refuses). Passwords are listed in the README.
"""
from __future__ import annotations

from sqlalchemy import select

from coordination.accounts import services as accounts
from coordination.accounts.models import Role, User
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind

# development only, listed in the README
DEMO_PASSWORD = "demo-geslo-2024"  # noqa: S105  # nosec B105
DEMO_HOST = "Knjižnica Kamnik (demo)"

# e-mail, name, role, organisation (by short name, municipality name or host name)
ACCOUNTS = (
    ("admin@demo.si", "Ana Administratorka", Role.ADMIN, "MDP"),
    ("ministrstvo@demo.si", "Marko Ministrski", Role.MINISTRY, "MDP"),
    ("sos@demo.si", "Sara Združenjska", Role.ASSOCIATION, "SOS"),
    ("kamnik@demo.si", "Črt Občinski", Role.MUNICIPAL, "Kamnik"),
    ("ljubljana@demo.si", "Špela Šuštar", Role.MUNICIPAL, "Ljubljana"),
    ("tocka@demo.si", "Žiga Gostitelj", Role.HOST, DEMO_HOST),
)


def _organisation(key: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(
        (Organisation.short_name == key) | (Organisation.name == key)))
    if org is None:
        raise LookupError(f"organisation {key!r} is missing: run `flask reference load` first")
    return org


def load() -> int:
    """Create what is missing; return the number of accounts created."""
    if db.session.scalar(select(Organisation.id).where(Organisation.name == DEMO_HOST)) is None:
        kamnik = _organisation("Kamnik")
        db.session.add(Organisation(kind=OrgKind.HOST, name=DEMO_HOST, address="Glavni trg 1, 1241 Kamnik",
                                    region_id=kamnik.region_id))
        db.session.commit()
    created = 0
    for email, name, role, org_key in ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            accounts.create_user(email=email, name=name, role=role, organisation_id=_organisation(org_key).id,
                                 password=DEMO_PASSWORD)
            created += 1
    return created
