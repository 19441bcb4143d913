"""Demo data for development: one account per role, on top of the reference data.

Never runs in production (the CLI refuses). Passwords are listed in the README.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from coordination import types
from coordination.accounts import services as accounts
from coordination.accounts.models import User
from coordination.actions import services as actions
from coordination.actions.models import ActionItem, FanOutScope, ItemStatus, Priority
from coordination.extensions import db
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import Attendance, Conclusion, ConclusionKind, Meeting, Visibility
from coordination.organisations.models import Organisation, OrgKind
from coordination.roles import Role
from coordination.types import LJUBLJANA

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


MINISTER_MEETING = "Sestanek ZMOS in SOS z ministrom za digitalno preobrazbo"
# the five conclusions of 20. 9. 2022 (source text); two establish working groups of this workspace
CONCLUSIONS = (
    ("Ustanovi se medresorska delovna skupina za digitalizacijo lokalne samouprave.", None),
    ("Ustanovi se delovna skupina občinskih skrbnikov podatkov.",
     ("Delovna skupina občinskih skrbnikov podatkov", "DS-SP",
      "Usklajuje delo skrbnikov podatkov v občinah in pripravlja skupne smernice.")),
    ("Združenja občin se povabijo k sodelovanju pri pripravi strategije Digitalna Slovenija 2030.", None),
    ("Ustanovi se delovna skupina za informacijske zahteve občin.",
     ("Delovna skupina za informacijske zahteve občin", "DS-IT",
      "Zbere in uskladi zahteve občin za informacijske rešitve države.")),
    ("Ministrstvo in združenja občin se bodo redno sestajali.", None),
)


def load_minister_meeting() -> bool:
    """The meeting of ZMOS and SOS with the minister on 20. 9. 2022 with its five conclusions."""


    if db.session.scalar(select(Meeting.id).where(Meeting.title == MINISTER_MEETING)) is not None:
        return False
    organisers = [_organisation("MDP"), _organisation("ZMOS"), _organisation("SOS")]
    ministry_user = db.session.scalar(select(User).where(User.email == "ministrstvo@demo.si"))
    meeting = meetings.create_meeting(
        title=MINISTER_MEETING, starts_at=datetime(2022, 9, 20, 10, 0, tzinfo=LJUBLJANA),
        ends_at=datetime(2022, 9, 20, 12, 0, tzinfo=LJUBLJANA), place="Ministrstvo za digitalno preobrazbo, Ljubljana",
        online_url=None, visibility=Visibility.PUBLIC, group=None, organisers=organisers, created_by=ministry_user)
    for org in organisers:
        meetings.add_participant(meeting, organisation=org, attendance=Attendance.PRESENT)
    item = meetings.add_agenda_item(meeting, title="Digitalizacija lokalne samouprave", visibility=Visibility.PUBLIC)
    meetings.save_minutes(item, author=ministry_user, base_version=0, text=(
        "Minister je predstavil prednostne naloge ministrstva. Predstavniki ZMOS in SOS so izpostavili "
        "potrebo po skupnih rešitvah za občine, po urejenem upravljanju podatkov in po rednem dialogu."))
    established = {}
    for text, establishes in CONCLUSIONS:
        group = groups.create_group(name=establishes[0], code=establishes[1], mandate=establishes[2]) \
            if establishes else None
        if group:
            established[group.code] = group
        meetings.add_conclusion(meeting, text=text, kind=ConclusionKind.DECISION, visibility=Visibility.PUBLIC,
                                agenda_item=item, establishes_group=group)
    meetings.circulate(meeting)
    meetings.approve(meeting, ministry_user)
    meeting.approved_at = datetime(2022, 10, 4, 9, 0, tzinfo=LJUBLJANA)  # the record shows the real date
    db.session.flush()
    _load_group_work(established["DS-IT"], established["DS-SP"])
    return True


def _load_group_work(it_group, steward_group) -> None:
    """Demo people in the two groups, and a coming DS-IT meeting whose minutes are a draft."""


    people = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.si")))}
    for group, email, role in ((it_group, "ministrstvo@demo.si", GroupRole.CHAIR),
                               (it_group, "kamnik@demo.si", GroupRole.SECRETARY),
                               (it_group, "ljubljana@demo.si", GroupRole.MEMBER),
                               (it_group, "sos@demo.si", GroupRole.OBSERVER),
                               (steward_group, "ljubljana@demo.si", GroupRole.CHAIR),
                               (steward_group, "kamnik@demo.si", GroupRole.MEMBER)):
        user = people[email]
        groups.add_member(group, organisation_id=user.organisation_id, user_id=user.id, role=role,
                          valid_from=None, valid_until=None)
    meeting = meetings.create_meeting(
        title="1. seja Delovne skupine za informacijske zahteve občin",
        starts_at=datetime(2027, 1, 14, 10, 0, tzinfo=LJUBLJANA), ends_at=datetime(2027, 1, 14, 12, 30, tzinfo=LJUBLJANA),
        place=None, online_url="https://sestanki.gov.si/ds-it-1", visibility=Visibility.INTERNAL, group=it_group,
        organisers=[_organisation("MDP")], created_by=people["ministrstvo@demo.si"])
    for email in ("ministrstvo@demo.si", "kamnik@demo.si", "ljubljana@demo.si"):
        meetings.add_participant(meeting, organisation=people[email].organisation, user=people[email])
    for title in ("Potrditev dnevnega reda", "Zbiranje zahtev občin za informacijske rešitve", "Razno"):
        meetings.add_agenda_item(meeting, title=title, visibility=Visibility.INTERNAL)


# the follow-up of each of the five conclusions: (conclusion number, title, assignee, status, due in days)
FOLLOW_UP = (
    (1, "Pripraviti predlog sklepa vlade o ustanovitvi medresorske delovne skupine", "MDP", "done", -400),
    (2, "Ustanoviti delovno skupino občinskih skrbnikov podatkov", "MDP", "done", -380),
    (3, "Posredovati pripombe k osnutku strategije Digitalna Slovenija 2030", "SOS", "in_progress", 12),
    (3, "Posredovati pripombe k osnutku strategije Digitalna Slovenija 2030", "ZMOS", "open", 12),
    (4, "Ustanoviti delovno skupino za informacijske zahteve občin", "MDP", "done", -380),
    (4, "Zbrati zahteve občin za informacijske rešitve države", "SOS", "in_progress", 30),
    (5, "Pripraviti terminski načrt rednih sestankov za leto 2027", "MDP", "open", 20),
)
STEWARD_TASK = "Imenovati občinskega skrbnika podatkov in ga sporočiti ministrstvu"
# how far the 212 municipalities are with naming their steward (shares add up to 1)
STEWARD_SPREAD = (("done", 0.58), ("in_progress", 0.19), ("open", 0.15), ("blocked", 0.05), ("cancelled", 0.03))


def load_action_items() -> bool:
    """The action items of the five conclusions, and conclusion 2 fanned out to all 212
    municipalities (name a data steward) with a realistic spread of statuses; due dates are set
    relative to today so the demo always has overdue and soon-due work."""


    meeting = db.session.scalar(select(Meeting).where(Meeting.title == MINISTER_MEETING))
    if meeting is None or db.session.scalar(select(ActionItem.id).join(Conclusion).where(
            Conclusion.meeting_id == meeting.id).limit(1)) is not None:
        return False
    ministry = db.session.scalar(select(User).where(User.email == "ministrstvo@demo.si"))
    today = types.today()
    by_number = {c.number: c for c in meeting.conclusions}
    for number, title, assignee, status, due_in in FOLLOW_UP:
        item = actions.create_item(title=title, assignee_org=_organisation(assignee), author=ministry,
                                   conclusion=by_number[number], due_date=today + timedelta(days=due_in))
        if status != "open":
            actions.change_status(item, ItemStatus(status), author=ministry)
    fanout = actions.fan_out(
        by_number[2], title=STEWARD_TASK, author=ministry, scope=FanOutScope.ALL, priority=Priority.HIGH,
        due_date=today - timedelta(days=5),
        description="Občina imenuje skrbnika podatkov in njegovega namestnika ter ministrstvu sporoči "
                    "njuna imena, poslovna kontakta in akt o imenovanju.")
    items = sorted(fanout.items, key=lambda i: i.assignee_org_id)
    # a fixed pseudo-random spread for the demo, nothing to do with security
    random.Random(2022).shuffle(items)  # noqa: S311  # nosec B311
    start = 0
    for status, share in STEWARD_SPREAD:
        chosen = items[start:start + round(share * len(items))]
        start += len(chosen)
        if status != "open":
            actions.change_statuses(chosen, ItemStatus(status), author=ministry,
                                    note="Stanje po poročanju občine.")
    kamnik = next(i for i in items if i.assignee_org.name == "Kamnik")
    if kamnik.status != ItemStatus.IN_PROGRESS:
        actions.change_status(kamnik, ItemStatus.IN_PROGRESS, author=ministry, note="Stanje po poročanju občine.")
    kamnik_user = db.session.scalar(select(User).where(User.email == "kamnik@demo.si"))
    actions.add_note(kamnik, "Skrbnik bo imenovan s sklepom župana; namestnik je že izbran.", author=kamnik_user)
    return True


def load() -> int:
    """Create what is missing; return the number of accounts created."""
    if db.session.scalar(select(Organisation.id).where(Organisation.name == DEMO_HOST)) is None:
        kamnik = _organisation("Kamnik")
        db.session.add(Organisation(kind=OrgKind.HOST, name=DEMO_HOST, address="Glavni trg 1, 1241 Kamnik",
                                    region_id=kamnik.region_id))
        db.session.flush()
    created = 0
    for email, name, role, org_key in ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            accounts.create_user(email=email, name=name, role=role, organisation_id=_organisation(org_key).id,
                                 password=DEMO_PASSWORD)
            created += 1
    load_minister_meeting()
    load_action_items()
    from coordination.stewards import demo as steward_demo

    steward_demo.load(STEWARD_TASK)
    from coordination.points import demo as points_demo

    points_demo.load(DEMO_HOST)
    from coordination.points import demo_decision

    demo_decision.load()  # the ministry's decision of 1. 4. 2024 and the visits after it
    from coordination.documents import demo as documents_demo

    documents_demo.load(MINISTER_MEETING)
    return created
