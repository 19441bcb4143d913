"""Load and concurrency test: the app under gunicorn over PostgreSQL with the benchmark's data, driven
for DURATION seconds by USERS signed-in users of every role, then the database checked.

    make loadtest                                   # throwaway PostgreSQL, scale 1, 50 users, 60 s
    make loadtest SCALE=0.2 DURATION=15 USERS=20    # a quick run
    LOADTEST_DATABASE_URL=postgresql+psycopg://…/db make loadtest   # an existing database (it is WIPED)

Each user is a thread with its own session: a closed loop (the next request when the answer came)
over a weighted mix for its role: page views, filtered lists, htmx fragments, status changes on
action items that two or three users of one municipality share, and autosaves of the minutes of two
agenda items that every writer of the meeting shares, each sent with the version it was started
from, so some are refused with 409; and point hosts reporting visits, two users of one host for the same
point and months, by the monthly form and by CSV upload → preview → two confirmations at once
(benchmark/loadtest_visits.py). Afterwards:
  - no lost status change: each item's final status is the last change accepted (by version), its
    version moved once per accepted change, and there is one progress entry per accepted change;
  - no lost minutes text: every refused save got 409 with its text in the answer, the final text is
    the last accepted save, and there is one stored version per accepted save;
  - visits: one report per point and month, every accepted figure once in its history (each
    correction starting from the figure before it), no refused one, the total the last; each upload
    applied once;
  - audit entries equal the changes made (per kind, nothing else written meanwhile);
  - no duplicate reminder: `flask reminders send` run twice at once gives each user one digest.

Prints a Markdown table and writes JSON to instance/bench/loadtest.json; exits 1 if a check fails.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_CONFIG", "test")

from sqlalchemy import func, select  # noqa: E402

from benchmark import loadtest_visits as visits  # noqa: E402
from benchmark import run as bench  # noqa: E402
from benchmark.over_http import BIN, _free_port, _gunicorn  # noqa: E402
from coordination import create_app  # noqa: E402
from coordination.accounts.models import Role, User  # noqa: E402
from coordination.actions.models import TRANSITIONS, ActionItem, ItemStatus, ItemUpdate  # noqa: E402
from coordination.audit.models import AuditEntry  # noqa: E402
from coordination.database import rebuild  # noqa: E402
from coordination.extensions import db  # noqa: E402
from coordination.groups.models import GroupMembership  # noqa: E402
from coordination.meetings.models import AgendaItem, MinutesVersion  # noqa: E402
from coordination.organisations.models import Organisation, OrgKind  # noqa: E402

SHARED_MINUTES_ITEMS = 2    # agenda items of the bench meeting every writer autosaves
USERS_PER_ITEM = 3          # municipal users sharing one action item (same municipality)
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
ITEM_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
ITEM_STATUS = re.compile(r'<option selected value="([a-z_]+)"|<option value="([a-z_]+)" selected')
BASE_VERSION = re.compile(r'name="base_version"[^>]*value="(\d+)"')


# --- the database ------------------------------------------------------------------------------

@contextmanager
def throwaway_postgres():
    """A PostgreSQL cluster of its own in a temporary directory (initdb, as .ci/run does); yields its URL."""
    initdb = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)
    if initdb is None:
        raise SystemExit("no PostgreSQL here (initdb): install it, or set LOADTEST_DATABASE_URL")
    pgbin, port = Path(initdb).resolve().parent, _free_port()  # a link in /usr/local/bin: the real bin/
    data = Path(tempfile.mkdtemp(prefix="loadtest-pg-"))
    as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root

    def pg(*command: str) -> None:
        line = " ".join(command)
        if as_postgres:
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", line], check=True, capture_output=True)
        else:
            subprocess.run(line, shell=True, check=True, capture_output=True)  # noqa: S602  (our own command line)

    if as_postgres:
        shutil.chown(data, "postgres")
    pg(str(pgbin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
    pg(str(pgbin / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-o",
       f"'-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200'", "start")
    try:
        pg(str(pgbin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "loadtest")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/loadtest"
    finally:
        pg(str(pgbin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)


def prepare(url: str, scale: float, n_users: int) -> dict:
    """Generate the benchmark's data, add staff of the other roles, and choose who does what."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    rebuild(app)
    with app.app_context():
        sizes = bench.generate(scale)
        meeting_id = sizes["bench meeting"]
        extra = []
        for kind, role, count in ((OrgKind.MINISTRY, Role.MINISTRY, 3), (OrgKind.ASSOCIATION, Role.ASSOCIATION, 4)):
            orgs = db.session.scalars(select(Organisation).where(Organisation.kind == kind).order_by(Organisation.id)).all()
            for k in range(count):
                user = User(email=f"{role.value}{k}@load.si", name=f"{role.value} {k}", role=role,
                            organisation_id=orgs[k % len(orgs)].id, active=True)
                user.password_hash = db.session.scalar(select(User.password_hash).where(User.id == 3))
                db.session.add(user)
                extra.append(user)
        db.session.flush()
        hosts = visits.add_hosts(db.session.scalar(select(User.password_hash).where(User.id == 3)))
        people = {u.id: (u.email, u.role.value) for u in db.session.scalars(select(User))}
        writers = sorted({m.user_id for m in db.session.scalars(select(GroupMembership).where(GroupMembership.group_id == 1))})
        first_item = (meeting_id - 1) * 8 + 1
        minutes_items = list(range(first_item, first_item + SHARED_MINUTES_ITEMS))

        roster: list[dict] = []  # one entry per virtual user
        staff = [1, 2] + [u.id for u in extra]
        for uid in staff:
            roster.append({"id": uid, "minutes": minutes_items if people[uid][1] == "ministry" else []})
        for uid in writers[: max(4, n_users // 6)]:
            roster.append({"id": uid, "minutes": minutes_items})
        roster += hosts  # point hosts: visit reports, two users of one host organisation per point
        # municipal users in threes of one municipality (ids i, i+212, i+424 share one)
        municipalities = db.session.scalar(select(func.count()).select_from(Organisation)
                                           .where(Organisation.kind == OrgKind.MUNICIPALITY))
        taken = {r["id"] for r in roster}
        uid = 3
        while len(roster) < n_users and uid <= sizes["users"]:
            for k in range(USERS_PER_ITEM):
                other = uid + k * municipalities
                if other <= sizes["users"] and other not in taken and len(roster) < n_users:
                    roster.append({"id": other, "minutes": []})
                    taken.add(other)
            uid += 1
        for entry in roster:
            entry["email"], entry["role"] = people[entry["id"]]
            org = db.session.scalar(select(User.organisation_id).where(User.id == entry["id"]))
            item = db.session.scalar(select(ActionItem.id).where(ActionItem.fanout_id == 1,
                                                                   ActionItem.assignee_org_id == org))
            entry["action_item"] = item if entry["role"] == "municipal" else None
            entry.setdefault("point", None)
        # digests only for the users driving the load: the reminder check stays quick at any scale
        db.session.execute(User.__table__.update().values(digest_enabled=False))
        db.session.execute(User.__table__.update().where(User.id.in_([r["id"] for r in roster]))
                           .values(digest_enabled=True))
        db.session.commit()
    return {"meeting": meeting_id, "roster": roster, "minutes_items": minutes_items, "sizes": sizes,
            "points": sorted({r["point"]["id"] for r in hosts})}


def snapshot(url: str, setup: dict) -> dict:
    """What the checks compare against: versions, statuses, texts and counts before the load."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        items = sorted({r["action_item"] for r in setup["roster"] if r["action_item"]})
        state = {
            "audit_max_id": db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))),
            "items": {i: {"version": v, "status": s.value} for i, v, s in db.session.execute(
                select(ActionItem.id, ActionItem.version, ActionItem.status).where(ActionItem.id.in_(items)))},
            "updates": dict(db.session.execute(select(ItemUpdate.item_id, func.count()).where(
                ItemUpdate.item_id.in_(items)).group_by(ItemUpdate.item_id)).all()),
            "minutes": {i: {"version": v, "text": t} for i, v, t in db.session.execute(
                select(AgendaItem.id, AgendaItem.minutes_version, AgendaItem.minutes)
                .where(AgendaItem.id.in_(setup["minutes_items"])))},
            "visits": visits.snapshot(setup["points"]),
        }
        db.session.remove()
        db.engine.dispose()
    return state


# --- the clients -------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One signed-in user: a cookie jar kept by hand (production cookies are Secure, the server is plain
    HTTP on loopback), the CSRF token, and every request timed under its kind."""

    opener = urllib.request.build_opener(_NoRedirect)

    def __init__(self, base: str, record):
        self.base, self.record, self.cookies, self.csrf, self.location = base, record, {}, "", ""

    def twin(self) -> Session:
        """The same user with a copy of the cookie jar (for a second request at the same time)."""
        other = Session(self.base, self.record)
        other.cookies, other.csrf = dict(self.cookies), self.csrf
        return other

    def request(self, kind: str | None, path: str, data: dict | None = None, hx: bool = False,
                expect=(200,), files: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if hx:
            headers["HX-Request"] = "true"
        if data is not None:
            data = {**data, "csrf_token": self.csrf}
        if files:
            body, headers["Content-Type"] = multipart(data or {}, files)
        else:
            body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            try:
                response = self.opener.open(urllib.request.Request(self.base + path, data=body, headers=headers),
                                            timeout=60)
            except urllib.error.HTTPError as answer:
                response = answer
            text = response.read().decode("utf-8", "replace")
            status = response.status
        except OSError as error:
            text, status = str(error), 0
        elapsed = (time.perf_counter() - started) * 1000
        self.location = response.headers.get("Location", "") if status else ""
        if status:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, value = header.split(";", 1)[0].split("=", 1)
                self.cookies[name.strip()] = value
        if token := CSRF.search(text):
            self.csrf = token.group(1)
        if kind is not None:
            self.record(kind, status, elapsed, ok=status in expect, detail=None if status in expect else text[:300])
        return status, text

    def sign_in(self, email: str) -> None:
        login = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', self.request(None, "/prijava")[1])
        self.csrf = login.group(1)
        status, _ = self.request(None, "/prijava", {"email": email, "password": bench.PASSWORD})
        if status != 302:
            raise RuntimeError(f"could not sign in as {email} (HTTP {status})")
        self.request(None, "/")  # the session's CSRF token


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body: fields, and files as {name: (filename, bytes)}."""
    boundary = f"----loadtest{random.getrandbits(64):x}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors: list[dict] = []
        self.status_changes: list[dict] = []   # accepted: item, version sent, new status
        self.saves: list[dict] = []            # accepted minutes saves: item, version made, text
        self.refused_saves: list[dict] = []    # 409: item, whether the posted text came back
        self.visits = visits.VisitLog()        # the point hosts' figures, accepted and refused
        self.stop = threading.Event()

    def record(self, kind: str, status: int, ms: float, ok: bool, detail: str | None = None) -> None:
        if self.stop.is_set() and kind != "sign-in":
            return  # answers after the end are not part of the measured window
        with self.lock:
            self.times[kind].append(ms)
            self.statuses[kind][status] += 1
            if not ok:
                self.errors.append({"kind": kind, "status": status, "detail": detail})


def pages_for(user: dict, meeting: int) -> list[tuple[int, str, str, bool]]:
    """(weight, kind, path, htmx) of the page views of one user's role."""
    common = [(3, "dashboard", "/", False), (2, "meetings list", "/sestanki/", False),
              (3, "notification badge (htmx)", "/obvestila/stevec", True), (2, "action list", "/naloge/", False),
              (2, "action list text filter (htmx)", "/naloge/?q=kanalizacijo", True),
              (1, "search", "/iskanje?q=cestisce", False)]
    by_role = {
        "municipal": [(2, "action list, mine", "/naloge/?mine=1", False)]
        + ([(2, "action item", f"/naloge/{user['action_item']}", False)] if user["action_item"] else []),
        "ministry": [(2, "meeting page", f"/sestanki/{meeting}", False),
                     (1, "action list overdue (htmx)", "/naloge/?overdue=1", True),
                     (1, "status matrix", "/razprsitve/1", False)],
        "association": [(2, "organisations", "/organizacije/", False), (1, "status matrix", "/razprsitve/1", False),
                        (1, "conclusions register", "/sklepi/", False)],
        "admin": [(2, "audit log", "/revizijska-sled/", False), (1, "users", "/uporabniki", False)],
    }
    if user["role"] == "host":  # a host sees its own point, not the municipalities' work
        return [(3, "dashboard", "/", False), (3, "notification badge (htmx)", "/obvestila/stevec", True),
                (2, "point page", f"/tocke/{user['point']['id']}", False)]
    if user["minutes"]:
        by_role[user["role"]] = by_role.get(user["role"], []) + [(2, "meeting page", f"/sestanki/{meeting}", False)]
    return common + by_role.get(user["role"], [])


def drive(session: Session, user: dict, meeting: int, results: Results, seed: int) -> None:
    rnd = random.Random(seed)
    views = pages_for(user, meeting)
    actions = [(w, ("view", k, p, hx)) for w, k, p, hx in views]
    if user["action_item"]:
        actions.append((4, ("status",)))
    if user["minutes"]:
        actions.append((6, ("minutes",)))
    if user["point"]:
        actions.append((8, ("visits",)))
    weights = [w for w, _ in actions]
    base_versions: dict[int, int] = {}
    seq = 0
    while not results.stop.is_set():
        action = rnd.choices([a for _, a in actions], weights)[0]
        if action[0] == "view":
            _, kind, path, hx = action
            session.request(kind, path, hx=hx)
        elif action[0] == "status":
            change_status(session, user["action_item"], rnd, results)
        elif action[0] == "visits":
            visits.drive_step(session, user, rnd, results.visits)
        else:
            seq += 1
            item = rnd.choice(user["minutes"])
            autosave(session, user, meeting, item, seq, base_versions, results)


def change_status(session: Session, item: int, rnd: random.Random, results: Results) -> None:
    status, page = session.request("action item", f"/naloge/{item}")
    version, current = ITEM_VERSION.search(page), ITEM_STATUS.search(page)
    if status != 200 or not version or not current:
        results.record("status change", 0, 0, ok=False, detail="no status form on the item's page")
        return
    sent = int(version.group(1))
    new = rnd.choice(sorted(TRANSITIONS[ItemStatus(current.group(1) or current.group(2))]))
    answer, _ = session.request("status change", f"/naloge/{item}/status", expect=(303, 409),
                                   data={"status": new.value, "note": "", "version": str(sent)})
    if answer == 303:
        with results.lock:
            results.status_changes.append({"item": item, "version": sent, "status": new.value})


def autosave(session, user, meeting, item, seq, base_versions, results) -> None:
    path = f"/sestanki/{meeting}/tocke/{item}/zapisnik"
    if item not in base_versions:
        status, page = session.request("minutes editor", path)
        found = BASE_VERSION.search(page)
        if status != 200 or not found:
            results.record("minutes autosave", 0, 0, ok=False, detail="no base version in the editor")
            return
        base_versions[item] = int(found.group(1))
    text = f"Zapis uporabnika {user['id']}, shranitev {seq}: dogovorjeno je bilo, da se predlog pošlje v pregled."
    base = base_versions[item]
    status, body = session.request("minutes autosave", path, hx=True, expect=(200, 409),
                                   data={"text": text, "base_version": str(base)})
    if status == 200:
        base_versions[item] = base + 1
        with results.lock:
            results.saves.append({"item": item, "version": base + 1, "text": text})
    elif status == 409:
        found = BASE_VERSION.search(body)
        with results.lock:
            results.refused_saves.append({"item": item, "text_returned": html.escape(text, quote=False) in body
                                          or html.escape(text) in body, "base_returned": bool(found)})
        if found:
            base_versions[item] = int(found.group(1))
        else:
            base_versions.pop(item, None)


# --- the checks ----------------------------------------------------------------------------------

def check_database(url: str, before: dict, results: Results) -> list[tuple[str, bool, str]]:
    checks = []
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        accepted = defaultdict(list)
        for change in results.status_changes:
            accepted[change["item"]].append(change)
        lost, miscount = [], []
        for item_id, start in before["items"].items():
            row = db.session.execute(select(ActionItem.version, ActionItem.status).where(ActionItem.id == item_id)).one()
            changes = sorted(accepted[item_id], key=lambda c: c["version"])
            expected = changes[-1]["status"] if changes else start["status"]
            if row.status.value != expected or row.version - start["version"] != len(changes):
                lost.append(item_id)
            logged = db.session.scalar(select(func.count()).select_from(ItemUpdate).where(ItemUpdate.item_id == item_id))
            if logged - before["updates"].get(item_id, 0) != len(changes):
                miscount.append(item_id)
        n_changes = len(results.status_changes)
        checks.append(("no lost status change (final status = last accepted, version moved once per change)",
                       not lost, f"{n_changes} accepted changes on {len(before['items'])} items; wrong: {lost}"))
        checks.append(("one progress entry per accepted status change", not miscount, f"wrong: {miscount}"))

        saves = defaultdict(list)
        for save in results.saves:
            saves[save["item"]].append(save)
        wrong = []
        for item_id, start in before["minutes"].items():
            row = db.session.execute(select(AgendaItem.minutes, AgendaItem.minutes_version)
                                     .where(AgendaItem.id == item_id)).one()
            mine = sorted(saves[item_id], key=lambda s: s["version"])
            expected = mine[-1]["text"] if mine else start["text"]
            stored = db.session.scalar(select(func.count()).select_from(MinutesVersion).where(
                MinutesVersion.item_id == item_id, MinutesVersion.version > start["version"]))
            if row.minutes != expected or row.minutes_version != start["version"] + len(mine) or stored != len(mine):
                wrong.append(item_id)
        refused = results.refused_saves
        checks.append(("no lost minutes text (final text = last accepted save, one version per save)", not wrong,
                       f"{len(results.saves)} accepted saves, {len(refused)} refused with 409; wrong: {wrong}"))
        checks.append(("every refused save got 409 with its text and the current version back",
                       all(r["text_returned"] and r["base_returned"] for r in refused),
                       f"{sum(not (r['text_returned'] and r['base_returned']) for r in refused)} without"))

        entries = Counter(db.session.scalars(select(AuditEntry.entity_type).where(
            AuditEntry.id > before["audit_max_id"])))
        visit_checks, visit_summary = visits.check(before["visits"], results.visits, sorted(
            {k[0] for k in results.visits.accepted} | {k[0] for k in results.visits.refused}))
        checks += visit_checks
        # one VisitReport entry per accepted figure: each is a new month or a change (figures are unique)
        expected_audit = Counter({"ActionItem": n_changes, "ItemUpdate": n_changes, "AgendaItem": len(results.saves),
                                  "VisitReport": visit_summary["accepted_figures"]})
        expected_audit = +expected_audit
        checks.append(("audit entries equal the changes made", entries == expected_audit,
                       f"written {dict(entries)}, expected {dict(expected_audit)}"))
        results.visit_summary = visit_summary
        db.session.remove()
        db.engine.dispose()
    return checks


def check_reminders(url: str, roster: list[dict]) -> tuple[tuple[str, bool, str], dict]:
    """`flask reminders send` twice at once: every user with due items gets exactly one digest."""
    with tempfile.TemporaryDirectory() as outbox:
        env = {**os.environ, "APP_CONFIG": "production", "SECRET_KEY": "l" * 64, "DATABASE_URL": url,
               "FLASK_APP": "wsgi.py", "MAIL_BACKEND": "outbox", "MAIL_OUTBOX": outbox}
        runs = [subprocess.Popen([BIN / "flask", "reminders", "send"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = [(p.communicate(timeout=600)[0].strip(), p.returncode) for p in runs]
        recipients = Counter(message_from_bytes(f.read_bytes())["To"] for f in Path(outbox).rglob("*.eml"))
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    from coordination.actions.models import ReminderLog
    from coordination.actions.reminders import DIGEST
    from coordination.types import today

    with app.app_context():  # the day of a claim is Slovenia's (after 23:00 UTC, tomorrow's)
        claims = Counter(db.session.scalars(select(ReminderLog.user_id).where(ReminderLog.day == today(),
                                                                               ReminderLog.topic == DIGEST)))
        db.engine.dispose()
    twice = [who for who, n in recipients.items() if n > 1]
    ok = (not twice and all(code == 0 for _, code in outputs) and sum(recipients.values()) == len(claims) > 0
          and max(claims.values(), default=0) == 1)
    detail = (f"{sum(recipients.values())} digests to {len(recipients)} users, {len(claims)} claims; twice: {twice}; "
              f"runs: {[o for o, _ in outputs]}")
    return ("no duplicate reminder (two `flask reminders send` at once)", ok, detail), {
        "digests": sum(recipients.values()), "users": len(recipients), "claims": len(claims),
        "runs": [{"output": o[-500:], "exit": c} for o, c in outputs]}


# --- the run ---------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def run(url: str, *, scale: float, users: int, duration: float, workers: int, out: Path) -> dict:
    started = time.perf_counter()
    setup = prepare(url, scale, users)
    print(f"database {url.split(':', 1)[0]}, scale {scale:g}: data ready in {time.perf_counter() - started:.0f} s; "
          f"{len(setup['roster'])} users: {dict(Counter(r['role'] for r in setup['roster']))}", flush=True)
    before = snapshot(url, setup)
    results = Results()
    env = {**os.environ, "APP_CONFIG": "production", "SECRET_KEY": "l" * 64, "DATABASE_URL": url,
           "FLASK_APP": "wsgi.py"}
    env.pop("TEST_DATABASE_URL", None)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _gunicorn("wsgi:app", env, workers, out.parent / "gunicorn-loadtest.log") as base:
        sessions = []
        for user in setup["roster"]:  # one after another: the login throttle counts attempts per address
            session = Session(base, results.record)
            session.sign_in(user["email"])
            sessions.append(session)
        before["audit_max_id"] = snapshot(url, setup)["audit_max_id"]  # sign-ins are audited: not counted
        threads = [threading.Thread(target=drive, args=(s, u, setup["meeting"], results, n), daemon=True)
                   for n, (s, u) in enumerate(zip(sessions, setup["roster"], strict=True))]
        load_started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(duration)
        results.stop.set()
        elapsed = time.perf_counter() - load_started
        for thread in threads:
            thread.join(timeout=90)
    checks = check_database(url, before, results)
    reminder_check, reminders = check_reminders(url, setup["roster"])
    checks.append(reminder_check)
    kinds = {}
    for kind, times in sorted(results.times.items()):
        kinds[kind] = {"requests": len(times), "rps": len(times) / elapsed, "p50_ms": statistics.median(times),
                       "p95_ms": percentile(times, 0.95), "p99_ms": percentile(times, 0.99),
                       "statuses": {str(k): v for k, v in results.statuses[kind].items()}}
    unexpected = results.errors
    checks.insert(0, ("no errors (every answer as expected; 409 only for conflicts)", not unexpected,
                      f"{len(unexpected)} unexpected: {unexpected[:5]}"))
    total = sum(len(t) for k, t in results.times.items() if not k.endswith("(409)"))
    report = {"database": url.split(":", 1)[0].split("+")[0], "scale": scale, "users": len(setup["roster"]),
              "roles": dict(Counter(r["role"] for r in setup["roster"])), "workers": workers, "duration_s": elapsed,
              "requests": total, "rps": total / elapsed, "kinds": kinds,
              "status_changes": {"accepted": len(results.status_changes),
                                 "refused_409": results.statuses["status change"][409]},
              "minutes_saves": {"accepted": len(results.saves), "refused_409": len(results.refused_saves)},
              "visit_reports": results.visit_summary,
              "reminders": reminders, "errors": unexpected[:50],
              "checks": [{"check": c, "ok": ok, "detail": d} for c, ok, d in checks],
              "ok": all(ok for _, ok, _ in checks)}
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


def print_report(report: dict, out: Path) -> None:
    print(f"\nLoad: {report['users']} users {report['roles']}, gunicorn {report['workers']} sync workers, "
          f"{report['database']}, scale {report['scale']:g}, {report['duration_s']:.0f} s: "
          f"{report['requests']} requests, {report['rps']:.1f} req/s\n")
    print("| request | count | req/s | p50 ms | p95 ms | p99 ms | answers |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for kind, k in report["kinds"].items():
        if kind.endswith("(409)"):
            continue
        answers = ", ".join(f"{s}×{n}" for s, n in sorted(k["statuses"].items()))
        print(f"| {kind} | {k['requests']} | {k['rps']:.1f} | {k['p50_ms']:.0f} | {k['p95_ms']:.0f} | "
              f"{k['p99_ms']:.0f} | {answers} |")
    print("\n| check | result | detail |\n|---|---|---|")
    for check in report["checks"]:
        print(f"| {check['check']} | {'ok' if check['ok'] else 'FAILED'} | {check['detail'][:200]} |")
    print(f"\nJSON: {out}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "1")))
    parser.add_argument("--users", type=int, default=int(os.environ.get("USERS", "50")))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("DURATION", "60")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--out", type=Path, default=ROOT / "instance" / "bench" / "loadtest.json")
    args = parser.parse_args(argv)
    url = os.environ.get("LOADTEST_DATABASE_URL", "").strip()
    kwargs = {"scale": args.scale, "users": args.users, "duration": args.duration, "workers": args.workers,
              "out": args.out}
    if url:
        report = run(url, **kwargs)
    else:
        with throwaway_postgres() as url:
            report = run(url, **kwargs)
    print_report(report, args.out)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
