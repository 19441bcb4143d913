"""Demo data for development: one account per role, on top of the reference data.

Never runs in production (the CLI refuses). Passwords are listed in the README.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

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
from coordination.organisations import demo as organisations_demo
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


# The meeting of 20. 9. 2022 as the source tells it, word for word (../shared/seeds/001_…txt,
# "Sestanek z ministrico za digitalizacijo"). The minister then led the Služba Vlade RS za digitalno
# preobrazbo (SDP), the office the ministry (MDP) succeeded; the demo keeps SDP for that meeting.
MINISTER_MEETING = "Sestanek z ministrico za digitalizacijo"
SDP = ("SDP", "Služba Vlade Republike Slovenije za digitalno preobrazbo")
MINISTER_AGENDA_ITEM = "Digitalna preobrazba lokalnih skupnosti"
# the discussion in the source's own sentences (its introduction and its two paragraphs; even the
# no-break space before "Načrt" is the source's)
MINISTER_MINUTES = (
    "20. 9. 2022 je v Ljubljani potekal sestanek predstavnikov ZMOS in SOS z ministrico za digitalno preobrazbo "
    "dr. Emilijo Stojmenovo Duh in sodelavci.",
    "Sestanek je potekal v konstruktivnem duhu, razprava je bila usmerjena v izmenjavo stališč in mnenj glede "
    "načrtovanih ukrepov, ki bi pripomogli k digitalni preobrazbi lokalnih skupnosti. Predstavniki ZMOS so "
    "izpostavili potrebo po ustreznem financiranju digitalizacije občin in celovitih ukrepih. Med drugim so se "
    "zavzeli za vzpostavitev skupne horizontalne digitalne infrastrukture za občine.",
    "Ministrica je uvodoma izpostavila pomen zagotovitve infrastrukture za širokopasovno povezljivost za vse "
    "prebivalce države in nedavno sprejet\u00a0Načrt razvoja gigabitne infrastrukture do leta 2030. Izrazila je "
    "zavedanje o pomenu digitalizacije občin za digitalni prehod celotne družbe in se strinjala z nadaljevanjem "
    "dialoga z občinami. Služba Vlade RS za digitalno preobrazbo (SDP) pripravlja dve pomembni strategiji za to "
    "področje, in sicer Strategijo digitalnih javnih storitev ter strategijo Digitalna Slovenija 2030, pri obeh "
    "se bodo posvetovali tudi z občinami. Glede kohezijskih sredstev za obdobje 2021-2027 je bila podana "
    "informacija, da bo okvirni znesek nepovratnih sredstev za ukrepe pametnih mest in skupnosti približno "
    "12 mio EUR (EU in RS). Predstavniki SDP so se strinjali o smotrnosti vzpostavitve skupne infrastrukture za "
    "občine in predlagali, da se za ta namen ustanovi delovna skupina.",
)
# the five conclusions exactly as the source words them (a test compares them with the source);
# 2 and 4 establish the working groups of this workspace: (name, code, mandate)
CONCLUSIONS = (
    ("Ustanovi se medresorska delovna skupina za digitalno preobrazbo lokalnih skupnosti, v kateri ob "
     "predstavnikih reprezentativnih združenj sodelujejo različni resorji, katerih politike in ukrepi se nanašajo "
     "digitalizacijo lokalnih skupnosti.", None),
    ("Ustanovi se delovna skupina skrbnikov podatkov občin za vključitev v nacionalno mrežo skrbnikov podatkov.",
     ("Delovna skupina skrbnikov podatkov občin", "DS-SP",
      "Vključitev skrbnikov podatkov občin v nacionalno mrežo skrbnikov podatkov (sklep 2 sestanka 20. 9. 2022).")),
    ("Reprezentativna združenja občin se povabi k sodelovanju pri pripravi strategije Digitalna Slovenija 2030.",
     None),
    ("Ustanovi se delovna skupina za pripravo tehničnih in vsebinskih zahtev občin za delovanje ustrezne IT "
     "infrastrukture za lokalne skupnosti.",
     ("Delovna skupina za tehnične in vsebinske zahteve občin za IT infrastrukturo", "DS-IT",
      "Priprava tehničnih in vsebinskih zahtev občin za delovanje ustrezne IT infrastrukture za lokalne skupnosti "
      "(sklep 4 sestanka 20. 9. 2022).")),
    ("Srečanja med občinami in SDP se redno organizirajo tudi v prihodnje.", None),
)
# when each step of that meeting's record happened (the records carry these times, see types.clock_at)
SCHEDULED_AT = datetime(2022, 9, 13, 10, 0, tzinfo=LJUBLJANA)
MINUTES_WRITTEN_AT = datetime(2022, 9, 21, 9, 0, tzinfo=LJUBLJANA)
CIRCULATED_AT = datetime(2022, 9, 23, 12, 0, tzinfo=LJUBLJANA)
APPROVED_AT = datetime(2022, 10, 4, 9, 0, tzinfo=LJUBLJANA)


def _government_office() -> Organisation:
    """SDP, the government office that met the associations in 2022 (not in the reference data)."""
    office = db.session.scalar(select(Organisation).where(Organisation.short_name == SDP[0]))
    if office is None:
        office = Organisation(kind=OrgKind.GOVERNMENT_OFFICE, short_name=SDP[0], name=SDP[1])
        db.session.add(office)
        db.session.flush()
    return office


def load_minister_meeting() -> bool:
    """The meeting of ZMOS and SOS with the minister on 20. 9. 2022 with its five conclusions,
    each step dated when it happened (scheduling, minutes, circulation, approval)."""


    if db.session.scalar(select(Meeting.id).where(Meeting.title == MINISTER_MEETING)) is not None:
        return False
    ministry_user = db.session.scalar(select(User).where(User.email == "ministrstvo@demo.si"))
    with types.clock_at(SCHEDULED_AT):
        organisers = [_government_office(), _organisation("ZMOS"), _organisation("SOS")]
        meeting = meetings.create_meeting(
            title=MINISTER_MEETING, starts_at=datetime(2022, 9, 20, 10, 0, tzinfo=LJUBLJANA),
            ends_at=datetime(2022, 9, 20, 12, 0, tzinfo=LJUBLJANA), place="Ljubljana", online_url=None,
            visibility=Visibility.PUBLIC, group=None, organisers=organisers, created_by=ministry_user)
        participants = [meetings.add_participant(meeting, organisation=org) for org in organisers]
        item = meetings.add_agenda_item(meeting, title=MINISTER_AGENDA_ITEM, visibility=Visibility.PUBLIC)
    established = {}
    with types.clock_at(MINUTES_WRITTEN_AT):
        for participant in participants:
            meetings.set_attendance(participant, Attendance.PRESENT)
        meetings.save_minutes(item, author=ministry_user, base_version=0, text="\n\n".join(MINISTER_MINUTES))
        for text, establishes in CONCLUSIONS:
            group = groups.create_group(name=establishes[0], code=establishes[1], mandate=establishes[2]) \
                if establishes else None
            if group:
                established[group.code] = group
            meetings.add_conclusion(meeting, text=text, kind=ConclusionKind.DECISION, visibility=Visibility.PUBLIC,
                                    agenda_item=item, establishes_group=group)
    with types.clock_at(CIRCULATED_AT):
        meetings.circulate(meeting)
    with types.clock_at(APPROVED_AT):
        meetings.approve(meeting, ministry_user)
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
        title="1. seja Delovne skupine za tehnične in vsebinske zahteve občin za IT infrastrukturo",
        starts_at=datetime(2027, 1, 14, 10, 0, tzinfo=LJUBLJANA), ends_at=datetime(2027, 1, 14, 12, 30, tzinfo=LJUBLJANA),
        place=None, online_url="https://sestanki.gov.si/ds-it-1", visibility=Visibility.INTERNAL, group=it_group,
        organisers=[_organisation("MDP")], created_by=people["ministrstvo@demo.si"])
    for email in ("ministrstvo@demo.si", "kamnik@demo.si", "ljubljana@demo.si"):
        meetings.add_participant(meeting, organisation=people[email].organisation, user=people[email])
    for title in ("Potrditev dnevnega reda", "Zbiranje tehničnih in vsebinskih zahtev občin", "Razno"):
        meetings.add_agenda_item(meeting, title=title, visibility=Visibility.INTERNAL)


# the follow-up of each of the five conclusions, set up when the minutes were approved:
# (conclusion number, title, assignee, status, due: a date, or days from today for work still going on,
#  when the status was reported)
FOLLOW_UP_AT = datetime(2022, 10, 4, 10, 0, tzinfo=LJUBLJANA)
FOLLOW_UP = (
    (1, "Pripraviti predlog sklepa vlade o ustanovitvi medresorske delovne skupine", "SDP", "done",
     date(2022, 12, 31), datetime(2022, 12, 15, 11, 0, tzinfo=LJUBLJANA)),
    (2, "Ustanoviti delovno skupino skrbnikov podatkov občin", "SDP", "done",
     date(2022, 10, 31), datetime(2022, 10, 4, 11, 0, tzinfo=LJUBLJANA)),
    (3, "Posredovati pripombe k osnutku strategije Digitalna Slovenija 2030", "SOS", "done",
     date(2022, 11, 15), datetime(2022, 11, 14, 14, 0, tzinfo=LJUBLJANA)),
    (3, "Posredovati pripombe k osnutku strategije Digitalna Slovenija 2030", "ZMOS", "done",
     date(2022, 11, 15), datetime(2022, 11, 15, 9, 30, tzinfo=LJUBLJANA)),
    (4, "Ustanoviti delovno skupino za tehnične in vsebinske zahteve občin za IT infrastrukturo", "SDP", "done",
     date(2022, 10, 31), datetime(2022, 10, 4, 11, 0, tzinfo=LJUBLJANA)),
    (4, "Zbrati tehnične in vsebinske zahteve občin za delovanje IT infrastrukture", "SOS", "in_progress",
     30, datetime(2022, 10, 20, 10, 0, tzinfo=LJUBLJANA)),
    (5, "Pripraviti terminski načrt rednih srečanj občin in ministrstva", "MDP", "open", 20, None),
)
STEWARD_TASK = "Imenovati občinskega skrbnika podatkov in ga sporočiti ministrstvu"
# how far the 212 municipalities are with naming their steward (shares add up to 1)
STEWARD_SPREAD = (("done", 0.58), ("in_progress", 0.19), ("open", 0.15), ("blocked", 0.05), ("cancelled", 0.03))


def load_action_items() -> bool:
    """The action items of the five conclusions (dated in 2022, when they were set up; the work
    still going on is due relative to today), and conclusion 2 fanned out to all 212 municipalities
    (name a data steward) with a realistic spread of statuses; the fan-out is today's work, due
    relative to today so the demo always has overdue and soon-due work."""


    meeting = db.session.scalar(select(Meeting).where(Meeting.title == MINISTER_MEETING))
    if meeting is None or db.session.scalar(select(ActionItem.id).join(Conclusion).where(
            Conclusion.meeting_id == meeting.id).limit(1)) is not None:
        return False
    ministry = db.session.scalar(select(User).where(User.email == "ministrstvo@demo.si"))
    today = types.today()
    by_number = {c.number: c for c in meeting.conclusions}
    for number, title, assignee, status, due, reported_at in FOLLOW_UP:
        due_date = due if isinstance(due, date) else today + timedelta(days=due)
        with types.clock_at(FOLLOW_UP_AT):
            item = actions.create_item(title=title, assignee_org=_organisation(assignee), author=ministry,
                                       conclusion=by_number[number], due_date=due_date)
        if reported_at is not None:
            with types.clock_at(reported_at):
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
    organisations_demo.load_memberships()  # illustrative SOS and ZOS members (see that module)
    load_minister_meeting()
    load_action_items()
    from coordination.stewards import demo as steward_demo

    steward_demo.load(STEWARD_TASK)
    from coordination.points import demo as points_demo

    points_demo.load(DEMO_HOST)
    from coordination.points import demo_decision

    demo_decision.load()  # the ministry's decision of 1. 4. 2024 and the visits after it
    from coordination.documents import demo as documents_demo

    with types.clock_at(MINUTES_WRITTEN_AT):  # who chaired and kept the 2022 minutes is a 2022 record
        documents_demo.load(MINISTER_MEETING)
    return created
