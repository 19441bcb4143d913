"""Small factories: real rows through the real services, with unique defaults."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from coordination.accounts import services as accounts
from coordination.accounts.models import Role, User
from coordination.actions import services as actions
from coordination.actions.models import ActionItem, FanOut, FanOutScope
from coordination.extensions import db
from coordination.groups import services as groups
from coordination.groups.models import GroupMembership, GroupRole, WorkingGroup
from coordination.meetings import services as meetings
from coordination.meetings.models import AgendaItem, Conclusion, ConclusionKind, Meeting, Visibility
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


# --- working groups, meetings, minutes, conclusions, action items, fan-outs --------------------------

def group(name: str | None = None, code: str | None = None, mandate: str = "") -> WorkingGroup:
    n = next(_seq)
    return groups.create_group(name=name or f"Delovna skupina {n}", code=code or f"DS-{n}", mandate=mandate)


def member(group: WorkingGroup, who: User | Organisation, role: GroupRole = GroupRole.MEMBER,
           valid_from: date | None = None, valid_until: date | None = None) -> GroupMembership:
    """A person's seat (with their organisation), or an organisation's seat without a person."""
    person = who if isinstance(who, User) else None
    org_id = person.organisation_id if person else who.id
    return groups.add_member(group, organisation_id=org_id, user_id=person.id if person else None, role=role,
                             valid_from=valid_from, valid_until=valid_until)


def meeting(group: WorkingGroup | None = None, *, title: str = "3. seja delovne skupine",
            visibility: Visibility = Visibility.INTERNAL, created_by: User | None = None,
            start: datetime | None = None, hours: float = 2, place: str | None = "Ljubljana, Davčna 1",
            online_url: str | None = None, organisers: list[Organisation] | None = None) -> Meeting:
    start = start or datetime(2024, 3, 20, 9, 0, tzinfo=UTC)
    return meetings.create_meeting(
        title=title, starts_at=start, ends_at=start + timedelta(hours=hours), place=place, online_url=online_url,
        visibility=visibility, group=group, created_by=created_by,
        organisers=organisers if organisers is not None else [by_short_name("MDP")])


def agenda_item(meeting_: Meeting, title: str = "Uvod", visibility: Visibility | None = None) -> AgendaItem:
    return meetings.add_agenda_item(meeting_, title=title, visibility=visibility or meeting_.visibility)


def minutes(meeting_: Meeting, author: User, *texts: str, title: str = "Pregled stanja",
            visibility: Visibility | None = None) -> AgendaItem:
    """An agenda item whose minutes were saved once per text (versions 1, 2, …)."""
    item = agenda_item(meeting_, title, visibility)
    for version, text in enumerate(texts):
        meetings.save_minutes(item, text=text, base_version=version, author=author)
    return item


def conclusion(meeting_: Meeting, text: str = "Sklep", *, kind: ConclusionKind = ConclusionKind.DECISION,
               visibility: Visibility | None = None, agenda_item: AgendaItem | None = None,
               establishes: WorkingGroup | None = None) -> Conclusion:
    return meetings.add_conclusion(meeting_, text=text, kind=kind, visibility=visibility or meeting_.visibility,
                                   agenda_item=agenda_item, establishes_group=establishes)


def action_item(author: User, title: str = "Naloga", *, org: Organisation | None = None, **fields) -> ActionItem:
    """An item for `org` (Kamnik unless said); `fields`: conclusion, description, assignee_user, due_date,
    priority."""
    return actions.create_item(title=title, assignee_org=org or municipality("Kamnik"), author=author, **fields)


def fan_out(conclusion_: Conclusion, author: User, title: str = "Razpršena naloga",
            scope: FanOutScope = FanOutScope.ALL, **fields) -> FanOut:
    """One item per municipality of the selection; `fields`: chosen, region, association, due_date, …"""
    return actions.fan_out(conclusion_, title=title, author=author, scope=scope, **fields)
