"""Browser-test set-up: the real app in a live server thread on its own database, one Chromium per run.

The database is E2E_DATABASE_URL (PostgreSQL in CI) or instance/e2e.db, rebuilt from the migrations
at the start of every run; it is never the unit tests' database. Tools the suite needs (Chromium,
java, axe-core, vnu-jar) are checked first: a missing tool fails the suite, it never skips.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from coordination import create_app, types
from coordination.accounts.models import Role, User
from coordination.accounts.services import create_user
from coordination.audit.services import acting_as
from coordination.database import rebuild
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.web.transaction import unit_of_work
from tests import factories as f
from tests.e2e.support import (
    ACCOUNTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    HOST_NAME,
    PASSWORD,
    ROOT,
    BrowserProblems,
    login,
    missing_tools,
)


@pytest.fixture(scope="session", autouse=True)
def browser_tools():
    missing = missing_tools()
    if missing:
        pytest.fail("the browser tests need tools that are missing: " + "; ".join(missing), pytrace=False)


def _database_url() -> str:
    url = os.environ.get("E2E_DATABASE_URL", "").strip()
    if not url:
        instance = ROOT / "instance"
        instance.mkdir(exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            (instance / f"e2e.db{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{instance / 'e2e.db'}"
    parsed = make_url(url)
    if parsed.drivername == "postgresql":  # plain postgresql:// would pick psycopg2, which we do not ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    if os.environ.get("TEST_DATABASE_URL", "").strip() in (url, parsed.render_as_string(hide_password=False)):
        pytest.fail("E2E_DATABASE_URL must name another database than TEST_DATABASE_URL: "
                    "the browser tests rebuild theirs from scratch", pytrace=False)
    return parsed.render_as_string(hide_password=False)


def _build_database(app) -> dict[str, int]:
    """Schema as the migrations build it, reference data, one account per role; return useful ids."""
    rebuild(app)
    with app.app_context():
        with acting_as("tests"), unit_of_work():
            kamnik = db.session.scalar(select(Organisation).where(Organisation.name == "Kamnik"))
            host = Organisation(kind=OrgKind.HOST, name=HOST_NAME, address="Glavni trg 1, 1241 Kamnik",
                                region_id=kamnik.region_id)
            db.session.add(host)
            db.session.flush()
            users = {}
            for key, account in ACCOUNTS.items():
                org = db.session.scalar(select(Organisation).where(
                    (Organisation.short_name == account.organisation) | (Organisation.name == account.organisation)))
                users[key] = create_user(email=account.email, name=account.name, role=Role(account.role),
                                         organisation_id=org.id, password=PASSWORD)
            content = _seed_content(users)
            content.update(_seed_analysis(users))
        by = {o.short_name or o.name: o.id for o in db.session.scalars(select(Organisation).where(
            Organisation.name.in_(["Ljubljana", "Kamnik", HOST_NAME]) | Organisation.short_name.is_not(None)))}
        ids = {"ljubljana": by["Ljubljana"], "kamnik": by["Kamnik"], "host": by[HOST_NAME], "sos": by["SOS"],
               "zmos": by["ZMOS"], "mdp": by["MDP"], "municipal_user": users["municipal"].id, **content}
        db.session.remove()
    return ids


def _seed_content(users: dict[str, User]) -> dict[str, int]:
    """A little of each feature's content, so its pages are checked with data in them; return their ids.

    Each feature adds its rows here (through its services) and its page types in pages.py.
    """
    from coordination.groups.models import GroupRole

    sos = db.session.scalar(select(Organisation).where(Organisation.short_name == "SOS"))
    group = f.group(name="Delovna skupina za informatiko občin", code="DS-IT",
                    mandate="Zahteve občin za informacijske rešitve.\nPripravi predloge do konca leta.")
    f.member(group, users["ministry"], GroupRole.CHAIR)
    f.member(group, users["municipal"], GroupRole.MEMBER, valid_from=date(2024, 1, 1))
    f.member(group, sos, GroupRole.OBSERVER, valid_from=date(2023, 1, 1), valid_until=date(2023, 12, 31))
    ids = {"group": group.id, **_seed_minutes(users, group), **_seed_meetings(users, group)}
    ids = {**ids, **_seed_conclusions(ids)}
    ids = {**ids, **_seed_actions(users, ids)}
    ids = {**ids, **_seed_stewards(users)}
    ids = {**ids, **_seed_notifications(users, ids)}
    from tests.e2e.minutes_seed import seed as seed_minutes_flow
    ids = {**ids, **seed_minutes_flow(users, group)}
    from tests.e2e.fanout_manage_seed import seed as seed_fanout_manage
    ids = {**ids, **seed_fanout_manage(users, ids)}
    from tests.documents.test_letterhead import letterhead_objects
    letterhead_objects()  # the ministry's crest, shown on its letterhead page
    from tests.accounts.e2e_seed import seed as seed_accounts
    from tests.points.e2e_seed import seed as seed_points
    return {**ids, **seed_points(users), **seed_accounts()}


def _seed_minutes(users: dict[str, User], group) -> dict[str, int]:
    """Minutes in each state, for the minutes pages: a draft item with two versions (one carrying a
    script that must stay harmless) and an empty item two people write at once; a circulated item with
    a comment; an approved item with a revision."""
    from datetime import UTC, datetime

    from coordination.meetings import services as meetings

    first = "# Povzetek\n\nObčine so poslale **42 zahtev**.\n\n- Kamnik\n- Ljubljana\n"
    second = ("# Povzetek\n\nObčine so poslale **45 zahtev** do 10. 5. 2024.\n\n- Kamnik\n- Ljubljana\n- Kranj\n\n"
              "<script>alert('x')</script> <b onclick=\"x()\">brez učinka</b>\n")
    ids = {}
    for state, day in (("draft", 6), ("circulated", 13), ("approved", 20)):
        meeting = f.meeting(group, title=f"Seja DS-IT {day}. 5. 2024", start=datetime(2024, 5, day, 7, tzinfo=UTC),
                            created_by=users["ministry"])
        item = f.minutes(meeting, users["ministry"], first, title="Pregled zahtev občin")
        meetings.save_minutes(item, text=second, base_version=1, author=users["municipal"])
        ids[f"minutes_{state}_meeting"], ids[f"minutes_{state}_item"] = meeting.id, item.id
        if state == "draft":
            ids["minutes_shared_item"] = f.agenda_item(meeting, "Skupno pisanje zapisnika").id
        else:
            meetings.circulate(meeting)
        if state == "circulated":
            meetings.add_comment(item, author=users["municipal"], text="Dodajte še rok za odziv občin.")
        if state == "approved":
            meetings.approve(meeting, users["ministry"], confirmed=meetings.ALL_OPEN_POINTS)
            meetings.save_minutes(item, text=second.replace("45", "46"), base_version=2, author=users["ministry"],
                                  reason="Popravljeno število zahtev.")
    return ids


def _seed_meetings(users: dict[str, User], group) -> dict[str, int]:
    """For the meeting pages: a working group the municipal official is secretary of, with an upcoming
    meeting that has participants of every attendance, an agenda with minutes (one item confidential)
    and conclusions; an upcoming DS-IT meeting; and the public meeting with the minister of 20. 9. 2022."""
    from datetime import UTC, datetime, timedelta

    from coordination.groups.models import GroupRole
    from coordination.meetings import services as meetings
    from coordination.meetings.models import Attendance, ConclusionKind, Visibility
    from coordination.web.formatting import LJUBLJANA

    def org(short):
        return db.session.scalar(select(Organisation).where(Organisation.short_name == short))

    kamnik = db.session.scalar(select(Organisation).where(Organisation.name == "Kamnik"))
    ljubljana = db.session.scalar(select(Organisation).where(Organisation.name == "Ljubljana"))
    stewards = f.group(name="Delovna skupina občinskih skrbnikov podatkov", code="DS-SP",
                       mandate="Usklajuje delo skrbnikov podatkov v občinah.")
    f.member(stewards, users["ministry"], GroupRole.CHAIR)
    f.member(stewards, users["municipal"], GroupRole.SECRETARY)
    day = datetime.now(LJUBLJANA).date() + timedelta(days=14)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=LJUBLJANA)
    meeting = f.meeting(stewards, title="2. seja delovne skupine skrbnikov podatkov", start=start,
                        place="Kamnik, Glavni trg 24, sejna soba", online_url="https://sestanki.example.si/ds-sp-2",
                        organisers=[org("MDP"), kamnik], created_by=users["municipal"])
    meetings.add_participant(meeting, organisation=kamnik, user=users["municipal"], attendance=Attendance.PRESENT)
    meetings.add_participant(meeting, organisation=org("SOS"), user=users["association"], attendance=Attendance.GUEST)
    meetings.add_participant(meeting, organisation=org("ZMOS"), attendance=Attendance.EXCUSED)
    meetings.add_participant(meeting, organisation=ljubljana, attendance=Attendance.ABSENT)
    meetings.add_participant(meeting, organisation=org("ZOS"), attendance=Attendance.INVITED)
    f.minutes(meeting, users["municipal"], "Sejo je vodil **predsedujoči**. Dnevni red je bil potrjen brez sprememb.",
              title="Uvod in potrditev dnevnega reda", visibility=Visibility.PUBLIC)
    register = f.minutes(meeting, users["municipal"], "## Stanje\n\n- 180 občin ima skrbnika\n- 32 občin ga še imenuje\n",
                         title="Pregled registra skrbnikov podatkov")
    f.agenda_item(meeting, "Kadrovske zadeve", Visibility.CONFIDENTIAL)
    f.conclusion(meeting, "Občine, ki skrbnika še nimajo, ga imenujejo do konca meseca.", agenda_item=register)
    f.conclusion(meeting, "Skrbniki se udeležijo usposabljanja ministrstva.", kind=ConclusionKind.RECOMMENDATION,
                 visibility=Visibility.PUBLIC)
    f.conclusion(meeting, "Zaupni sklep o kadrovski zadevi.", kind=ConclusionKind.INFORMATION,
                 visibility=Visibility.CONFIDENTIAL)
    f.meeting(group, title="Seja DS-IT o zahtevah občin", start=start + timedelta(days=7), hours=1.5, place=None,
              online_url="https://sestanki.example.si/ds-it", created_by=users["ministry"])
    public = f.meeting(title="Sestanek z ministrico za digitalizacijo", visibility=Visibility.PUBLIC,
                       start=datetime(2022, 9, 20, 8, tzinfo=UTC), place="Ljubljana",
                       organisers=[org("MDP"), org("ZMOS"), org("SOS")], created_by=users["ministry"])
    strategy = f.agenda_item(public, "Digitalna Slovenija 2030")
    f.conclusion(public, "Ustanovi se medresorska delovna skupina.")
    f.conclusion(public, "Združenja se povabi k pripravi strategije Digitalna Slovenija 2030.", agenda_item=strategy)
    return {"meeting": meeting.id, "meeting_item": register.id, "public_meeting": public.id,
            "stewards_group": stewards.id}


def _seed_conclusions(ids: dict[str, int]) -> dict[str, int]:
    """For the conclusion pages: the public meeting's first conclusion establishes a working group (so the
    group page shows where it came from), and the id of a conclusion of {meeting} to edit."""
    from coordination.meetings import queries as meeting_queries
    from coordination.meetings import services as meetings

    public = meeting_queries.load(ids["public_meeting"])
    founding = public.conclusions[0]
    founded = f.group(name="Medresorska delovna skupina za digitalizacijo", code="MDS",
                      mandate="Usklajuje digitalizacijo med ministrstvi.")
    meetings.update_conclusion(founding, text=founding.text, kind=founding.kind, visibility=founding.visibility,
                               agenda_item=founding.agenda_item, establishes_group=founded)
    return {"founded_group": founded.id, "conclusion": meeting_queries.load(ids["meeting"]).conclusions[0].id}


def _seed_actions(users: dict[str, User], ids: dict[str, int]) -> dict[str, int]:
    """For the action-item pages: the public meeting's second conclusion fans out to all 212
    municipalities with a spread of statuses (Kamnik's item in progress with a progress note); an
    item of its own for Kamnik from {conclusion}, overdue; {action} = Kamnik's fan-out item."""
    from datetime import timedelta

    from coordination.actions import services as actions
    from coordination.actions.models import ActionItem, ItemStatus, Priority
    from coordination.meetings import queries as meeting_queries

    today = types.today()
    public = meeting_queries.load(ids["public_meeting"])
    fanout = f.fan_out(public.conclusions[1], users["ministry"], "Imenovati predstavnika za strategijo DS 2030",
                       description="Občina sporoči ime in kontakt predstavnika.", due_date=today + timedelta(days=10))
    items = db.session.scalars(select(ActionItem).where(ActionItem.fanout_id == fanout.id)
                               .order_by(ActionItem.id)).all()
    kamnik_item = next(i for i in items if i.assignee_org_id == users["municipal"].organisation_id)
    spread = [ItemStatus.DONE, ItemStatus.IN_PROGRESS, ItemStatus.OPEN, ItemStatus.DONE, ItemStatus.BLOCKED]
    for index, item in enumerate(items):
        if item is not kamnik_item and spread[index % 5] != ItemStatus.OPEN:
            actions.change_status(item, spread[index % 5], author=users["ministry"])
    actions.change_status(kamnik_item, ItemStatus.IN_PROGRESS, author=users["municipal"],
                          note="Predstavnik bo imenovan na seji občinskega sveta.")
    conclusion = db.session.get(type(public.conclusions[0]), ids["conclusion"])
    own = f.action_item(users["ministry"], "Poslati seznam skrbnikov podatkov", org=kamnik_item.assignee_org,
                        conclusion=conclusion, assignee_user=users["municipal"], priority=Priority.HIGH,
                        description="Seznam skrbnikov z datumi imenovanja.", due_date=today - timedelta(days=3))
    return {"fanout": fanout.id, "action": kamnik_item.id, "own_action": own.id,
            "fanout_conclusion": public.conclusions[1].id}


def _seed_notifications(users: dict[str, User], ids: dict[str, int]) -> dict[str, int]:
    """The municipal official's notifications, one of each kind: the action seeds assigned him two items;
    add a status change, a progress-log entry and a reminder (as the services write them, without
    changing the items), and mark the oldest read."""
    from coordination.actions import services as actions
    from coordination.actions.models import ActionItem, ItemStatus, Notification, NotificationKind

    action, own = db.session.get(ActionItem, ids["action"]), db.session.get(ActionItem, ids["own_action"])
    official, ministry = users["municipal"], users["ministry"]
    actions._notify([(official.id, own)], NotificationKind.STATUS_CHANGED, ministry, ItemStatus.BLOCKED.value)
    actions._notify([(official.id, own)], NotificationKind.COMMENTED, ministry,
                    "Prosimo, dodajte še datume imenovanja.")
    actions._notify([(official.id, action)], NotificationKind.REMINDER, ministry, action.title)
    # the fan-out's creator: twelve municipalities' "done" of today, grouped in one line
    done = [i for i in action.fanout.items if i.status == ItemStatus.DONE][:12]
    actions._notify([(ministry.id, i) for i in done], NotificationKind.STATUS_CHANGED, official, ItemStatus.DONE.value)
    oldest = db.session.scalar(select(Notification).where(Notification.user_id == official.id)
                               .order_by(Notification.id))
    oldest.read_at = oldest.created_at
    db.session.flush()
    return {"notification": oldest.id}


def _seed_stewards(users: dict[str, User]) -> dict[str, int]:
    """For the registry pages: Kamnik's confirmed steward (with a dataset and a training) and a deputy
    nominated, Ljubljana's steward nominated, Celje's ended without a successor, Kranj's ending soon."""
    from datetime import timedelta

    from coordination.stewards import services as stewards
    from coordination.stewards.models import Frequency, StewardRole
    from coordination.types import today

    def org(name):
        return db.session.scalar(select(Organisation).where(Organisation.name == name))

    def appoint(name, person, role=StewardRole.STEWARD, confirm=True, **dates):
        appointment = stewards.nominate(
            org(name), role=role, person_name=person, function="Svetovalka za informatiko",
            email=f"{person.split()[0].lower()}@{name.lower()}.primer.si", phone="01 234 56 78",
            act_reference="0141-3/2024", act_date=date(2024, 1, 10), act_signed_by="župan",
            valid_from=dates.get("valid_from", date(2024, 2, 1)), valid_until=dates.get("valid_until"),
            public_fields=["person_name", "email", "trainings"])
        if confirm:
            stewards.confirm(appointment, author=users["ministry"], version=appointment.version)
        return appointment

    day = today()
    kamnik = appoint("Kamnik", "Tina Vzorec")
    stewards.add_dataset(kamnik, name="Evidenca občinskih cest", description="Kategorizirane občinske ceste.",
                         legal_basis="ZCes-2", frequency=Frequency.ANNUAL,
                         portal_url="https://podatki.gov.si/dataset/kamnik-ceste")
    stewards.add_training(kamnik, name="Osnove upravljanja podatkov", held_on=date(2024, 3, 5),
                          provider="Ministrstvo za digitalno preobrazbo")
    deputy = appoint("Kamnik", "Rok Primer", role=StewardRole.DEPUTY, confirm=False)
    nominated = appoint("Ljubljana", "Lea Zgled", confirm=False)
    celje = appoint("Celje", "Boris Poskus", valid_from=day - timedelta(days=400))
    stewards.end(celje, version=celje.version, on=day - timedelta(days=10))
    appoint("Kranj", "Eva Demo", valid_from=day - timedelta(days=300), valid_until=day + timedelta(days=12))
    db.session.commit()
    return {"steward": kamnik.id, "steward_deputy": deputy.id, "steward_nominated": nominated.id}


def _seed_analysis(users: dict[str, User]) -> dict[str, int]:
    """A small programme of points with visits to March 2024 and the ministry's decision that closes two,
    one of them in Kamnik (the municipal official reads it); an open point to pin on the analysis page."""
    from coordination.points.models import PointStatus, ServicePoint
    from tests.points.analysis_data import adopted_decision

    kamnik = db.session.get(Organisation, users["municipal"].organisation_id)
    programme, decision = adopted_decision(users["ministry"], kamnik)
    open_point = db.session.scalar(select(ServicePoint.id).where(
        ServicePoint.programme_id == programme.id, ServicePoint.status == PointStatus.OPEN).order_by(ServicePoint.id))
    return {"decision": decision.id, "analysis_point": open_point, "analysis_programme": programme.id}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # no access log; the app still logs its errors
        pass


@contextmanager
def _exclusive_run(timeout: float = 600):
    """One browser-test run at a time per database: a second run would delete the first one's data."""
    (ROOT / "instance").mkdir(exist_ok=True)
    database = os.environ.get("E2E_DATABASE_URL", "").strip() or "instance/e2e.db"
    digest = hashlib.sha256(database.encode()).hexdigest()[:12]
    name = "e2e.lock" if database == "instance/e2e.db" else f"e2e-{digest}.lock"
    with open(ROOT / "instance" / name, "w") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another browser-test run has held instance/{name} ({database}) for too long",
                                pytrace=False)
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def _e2e_database():
    with _exclusive_run():
        # errors get the app's own 500 page (and its log entry), as in production, not a test-client re-raise
        app = create_app("test", SQLALCHEMY_DATABASE_URI=_database_url(), PROPAGATE_EXCEPTIONS=False)
        yield app, _build_database(app)


@pytest.fixture(scope="session")
def e2e_app(_e2e_database):
    """The app the live server runs, on the browser tests' own database."""
    return _e2e_database[0]


@pytest.fixture(scope="session")
def ids(_e2e_database) -> dict[str, int]:
    """Ids of the rows pages are opened for: organisations, the municipal official's account, content."""
    return _e2e_database[1]


@pytest.fixture(scope="session")
def base_url(e2e_app):
    server = make_server("127.0.0.1", 0, e2e_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def signed_in_state(browser, base_url):
    """storage_state(role): cookies of a session signed in through the form, one sign-in per role and run."""
    states = {}

    def state(role: str):
        if role not in states:
            context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="sl-SI")
            try:
                page = context.new_page()
                login(page, role)
                states[role] = context.storage_state()
            finally:
                context.close()
        return states[role]

    return state


@pytest.fixture
def new_context(browser, base_url, signed_in_state):
    """new_context(role=None, **options): a fresh browser context, signed in as `role` if given."""
    contexts = []

    def make(role: str | None = None, **options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "sl-SI")  # as our users' browsers: date inputs show d. m. llll
        options.setdefault("timezone_id", "Europe/Ljubljana")
        if role:
            options["storage_state"] = signed_in_state(role)
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def problems(base_url) -> BrowserProblems:
    return BrowserProblems(base_url)


@pytest.fixture
def page(new_context, problems):
    """A page in a fresh context (CSP enforced) whose console errors and CSP violations land in `problems`."""
    page = new_context().new_page()
    problems.watch(page)
    return page
