"""Benchmark: national-scale data, then every main page timed with its SQL query count.

    make bench            # SQLite file under instance/ (BENCH_DATABASE_URL for PostgreSQL)
    make bench SCALE=0.2  # a smaller data set

Prints one line per page: median and worst time over the runs, and the number of queries. The
data are generated here (bulk inserts), never loaded into the development database.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_CONFIG", "test")

from sqlalchemy import event, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from coordination import create_app, settle_memory  # noqa: E402
from coordination.accounts.models import Role, User  # noqa: E402
from coordination.audit.models import AuditEntry  # noqa: E402
from coordination.database import rebuild  # noqa: E402
from coordination.extensions import db  # noqa: E402
from coordination.groups.models import GroupMembership, GroupRole, WorkingGroup  # noqa: E402
from coordination.meetings.models import (  # noqa: E402
    AgendaItem,
    Attendance,
    Conclusion,
    ConclusionKind,
    Meeting,
    MinutesState,
    MinutesVersion,
    Participant,
    RegisterCounter,
    Visibility,
    meeting_organiser,
)
from coordination.organisations.models import Organisation, OrgKind  # noqa: E402

PASSWORD = "benchmark-geslo"
LOREM = ("Predstavniki občin so predstavili stanje. Ministrstvo je pojasnilo časovnico. "
         "Dogovorjeno je bilo, da se pripravi predlog in pošlje v pregled. ") * 4


def _bulk(model_or_table, rows, chunk=5000):
    table = getattr(model_or_table, "__table__", model_or_table)
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(table), rows[start:start + chunk])


def generate(scale: float) -> dict:
    rnd = random.Random(2024)
    now = datetime.now(UTC)
    municipalities = db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.MUNICIPALITY)).all()
    ministry = db.session.scalar(select(Organisation).where(Organisation.short_name == "MDP"))
    pw = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

    n_users = int(2000 * scale) + 10
    users = [{"id": i, "email": f"uporabnik{i}@bench.si", "name": f"Uporabnik {i}", "password_hash": pw,
              "role": Role.MUNICIPAL.value, "organisation_id": municipalities[i % len(municipalities)].id,
              "active": True, "session_version": 1, "created_at": now} for i in range(1, n_users + 1)]
    users[0].update(role=Role.MINISTRY.value, organisation_id=ministry.id, email="ministrstvo@bench.si")
    users[1].update(role=Role.ADMIN.value, organisation_id=ministry.id, email="admin@bench.si")
    _bulk(User, users)

    n_groups = int(60 * scale) + 2
    _bulk(WorkingGroup, [{"id": i, "name": f"Delovna skupina {i}", "code": f"DS-{i}", "mandate": LOREM,
                          "created_at": now} for i in range(1, n_groups + 1)])
    memberships, mid = [], 0
    for gid in range(1, n_groups + 1):
        for k, uid in enumerate(rnd.sample(range(3, n_users + 1), 12)):
            mid += 1
            role = GroupRole.CHAIR if k == 0 else GroupRole.SECRETARY if k == 1 else GroupRole.MEMBER
            memberships.append({"id": mid, "group_id": gid, "user_id": uid, "role": role.value,
                                "organisation_id": users[uid - 1]["organisation_id"]})
    # the municipal user we measure as is secretary of group 1
    memberships.append({"id": mid + 1, "group_id": 1, "user_id": 3, "role": GroupRole.SECRETARY.value,
                        "organisation_id": users[2]["organisation_id"]})
    _bulk(GroupMembership, memberships)

    n_meetings = int(3000 * scale) + 1
    meetings, organisers, participants, items, versions, conclusions = [], [], [], [], [], []
    counters: dict[tuple[str, int], int] = {}
    item_id = version_id = participant_id = conclusion_id = 0
    for m in range(1, n_meetings + 1):
        gid = (m % n_groups) + 1
        start = now + timedelta(days=rnd.randint(-900, 200), hours=rnd.randint(0, 8))
        state = MinutesState.APPROVED if start < now - timedelta(days=30) else MinutesState.DRAFT
        visibility = rnd.choice(list(Visibility))
        if m == n_groups:  # the meeting the benchmark opens: group 1, internal, minutes in draft
            visibility, state = Visibility.INTERNAL, MinutesState.DRAFT
        meetings.append({"id": m, "group_id": gid, "title": f"{m}. seja skupine DS-{gid}", "starts_at": start,
                         "ends_at": start + timedelta(hours=2), "place": "Ljubljana",
                         "visibility": visibility.value, "register_body": f"DS-{gid}",
                         "minutes_state": state.value, "created_at": now, "created_by_id": 1})
        organisers.append({"meeting_id": m, "organisation_id": ministry.id})
        for uid in rnd.sample(range(3, n_users + 1), 6):
            participant_id += 1
            participants.append({"id": participant_id, "meeting_id": m, "user_id": uid,
                                 "organisation_id": users[uid - 1]["organisation_id"],
                                 "attendance": Attendance.PRESENT.value})
        for pos in range(1, 9):
            item_id += 1
            items.append({"id": item_id, "meeting_id": m, "position": pos, "title": f"Točka {pos}",
                          "visibility": Visibility.INTERNAL.value, "minutes": LOREM, "minutes_version": 3})
            for v in range(1, 4):
                version_id += 1
                versions.append({"id": version_id, "item_id": item_id, "version": v, "text": LOREM[: 60 * v],
                                 "author_id": 3, "created_at": now})
        year = start.year
        for number in range(1, 6):
            conclusion_id += 1
            key = (f"DS-{gid}", year)
            counters[key] = counters.get(key, 0) + 1
            conclusions.append({"id": conclusion_id, "meeting_id": m, "number": number, "register_body": key[0],
                                "register_year": year, "register_seq": counters[key], "text": f"Sklep {number}. {LOREM[:120]}",
                                "kind": ConclusionKind.DECISION.value, "visibility": rnd.choice(list(Visibility)).value,
                                "created_at": now})
    _bulk(Meeting, meetings)
    _bulk(meeting_organiser, organisers)
    _bulk(Participant, participants)
    _bulk(AgendaItem, items)
    _bulk(MinutesVersion, versions)
    _bulk(Conclusion, conclusions)
    _bulk(RegisterCounter, [{"body": b, "year": y, "last": n} for (b, y), n in counters.items()])
    action_sizes = _generate_actions(rnd, scale, now, users, municipalities, ministry, conclusion_id)
    from benchmark import stewards  # the data-steward registry's data (benchmark/stewards.py)

    action_sizes.update(stewards.generate(municipalities, now))
    from benchmark import points as bench_points

    action_sizes.update(bench_points.generate(scale, municipalities))
    from benchmark import minutes as bench_minutes  # approving the minutes (benchmark/minutes.py)

    action_sizes.update(bench_minutes.generate(now))
    _bulk(AuditEntry, [{"at": now - timedelta(minutes=i), "actor_id": 2, "actor_label": "Admin", "action": "update",
                        "entity_type": "Meeting", "entity_id": str(i % n_meetings + 1), "entity_label": "seja",
                        "changes": {"title": ["a", "b"]}} for i in range(int(50000 * scale))])
    db.session.commit()
    _reindex()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:  # bulk ids were given explicitly: move the sequences past them
            for table in ("app_user", "working_group", "group_membership", "meeting", "participant", "agenda_item",
                          "minutes_version", "conclusion", "fan_out", "action_item", "item_update", "notification",
                          *bench_points.TABLES):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                  f"(SELECT max(id) FROM {table}))"))
            conn.execute(text("ANALYZE"))
    return {"bench meeting": n_groups, "bench action": action_sizes.pop("bench action"), "users": n_users, "groups": n_groups, "meetings": n_meetings, "agenda items": item_id,
            "minutes versions": version_id, "conclusions": conclusion_id, **action_sizes,
            "audit entries": int(50000 * scale)}


def _generate_actions(rnd, scale, now, users, municipalities, ministry, n_conclusions) -> dict:
    """About 100,000 action items at scale 1: fan-outs of conclusions to all 212 municipalities
    (most of the volume) and single items, with statuses, due dates, a progress log and notifications."""
    from coordination.actions.models import ActionItem, FanOut, FanOutScope, ItemStatus, ItemUpdate, Notification

    today = now.date()
    statuses = [s.value for s in ItemStatus]
    weights = [15, 20, 5, 55, 5]
    n_fanouts = int(400 * scale) + 1
    fanouts, items, updates, notes = [], [], [], []
    item_id = 0
    for f in range(1, n_fanouts + 1):
        due = today + timedelta(days=rnd.randint(-200, 120))
        fanouts.append({"id": f, "conclusion_id": f, "title": f"Razpršena naloga {f}", "scope": FanOutScope.ALL.value,
                        "scope_label": "vse občine", "due_date": due, "created_by_id": 1, "created_at": now})
        for org in municipalities:
            item_id += 1
            items.append({"id": item_id, "title": f"Razpršena naloga {f}", "description": LOREM[:200],
                          "conclusion_id": f, "fanout_id": f, "assignee_org_id": org.id, "due_date": due,
                          "priority": "normal", "status": rnd.choices(statuses, weights)[0], "created_by_id": 1,
                          "created_at": now, "updated_at": now})
    singles = int(100000 * scale) - item_id
    for _ in range(max(singles, 0)):
        item_id += 1
        org = rnd.choice(municipalities + [ministry])
        items.append({"id": item_id, "title": f"Naloga {item_id} za cestišče in kanalizacijo", "description": LOREM[:200],
                      "conclusion_id": rnd.randint(1, n_conclusions), "fanout_id": None, "assignee_org_id": org.id,
                      "due_date": today + timedelta(days=rnd.randint(-300, 200)), "priority": "normal",
                      "status": rnd.choices(statuses, weights)[0], "created_by_id": 1, "created_at": now,
                      "updated_at": now})
    for i in range(1, item_id + 1, 2):
        updates.append({"id": len(updates) + 1, "item_id": i, "author_id": 3, "author_label": "Uporabnik 3",
                        "created_at": now, "text": "Poteka usklajevanje.", "old_status": "open",
                        "new_status": "in_progress"})
    for i in range(int(20000 * scale)):
        notes.append({"id": i + 1, "user_id": rnd.randint(1, len(users)), "kind": "assigned",
                      "item_id": rnd.randint(1, item_id), "actor_label": "Ministrstvo", "detail": "",
                      "created_at": now, "read_at": None if i % 3 else now})
    _bulk(FanOut, fanouts)
    _bulk(ActionItem, items)
    _bulk(ItemUpdate, updates)
    _bulk(Notification, notes)
    # the municipal user we measure (id 3) belongs to municipalities[3]: its item in fan-out 1
    bench_action = next(i["id"] for i in items if i["fanout_id"] == 1 and i["assignee_org_id"] == users[2]["organisation_id"])
    return {"bench action": bench_action, "fan-outs": n_fanouts, "action items": item_id, "progress notes": len(updates), "notifications": len(notes)}


def _reindex() -> None:
    """Bulk inserts bypass the search index's flush hook: rebuild it, as `flask search reindex` does."""
    try:
        from coordination.search.index import reindex
    except ImportError:
        return
    reindex()
    db.session.commit()


def pages(app) -> list[tuple[str, str, str]]:
    """(label, account e-mail, path) for every main page and fragment that exists in this build."""
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    municipal, ministry, admin = "uporabnik3@bench.si", "ministrstvo@bench.si", "admin@bench.si"
    candidates = [
        ("dashboard", "dashboard.index", municipal, "/", False),
        ("organisations", "organisations.index", municipal, "/organizacije/", False),
        ("organisations filtered (htmx)", "organisations.index", municipal, "/organizacije/?region=SI032&q=a", True),
        ("municipality detail", "organisations.detail", ministry, "/organizacije/100", False),
        ("users", "accounts.users", admin, "/uporabniki", False),
        ("audit log", "audit.index", admin, "/revizijska-sled/", False),
        ("audit log page 50 (htmx)", "audit.index", admin, "/revizijska-sled/?page=50", True),
        ("working groups", "groups.index", municipal, "/skupine/", False),
        ("working group", "groups.detail", municipal, "/skupine/1", False),
        ("meetings", "meetings.index", municipal, "/sestanki/", False),
        ("meetings filtered (htmx)", "meetings.index", ministry, "/sestanki/?q=seja", True),
        ("meeting (secretary)", "meetings.detail", municipal, "/sestanki/{m}", False),
        ("meeting (ministry)", "meetings.detail", ministry, "/sestanki/{m}", False),
        ("meeting agenda (htmx)", "meetings.detail", municipal, "/sestanki/{m}", True),
        ("minutes editor", "minutes.edit", municipal, "/sestanki/{m}/tocke/{item}/zapisnik", False),
        ("minutes history", "minutes.history", municipal, "/sestanki/{m}/tocke/{item}/zgodovina", False),
        ("minutes compare", "minutes.compare", municipal, "/sestanki/{m}/tocke/{item}/primerjava?od=1&do=3", False),
        ("conclusions of a meeting", "conclusions.manage", municipal, "/sestanki/{m}/sklepi", False),
        ("conclusions register", "conclusions.register", ministry, "/sklepi/", False),
        ("conclusions register (htmx)", "conclusions.register", municipal, "/sklepi/?q=Sklep", True),
        ("minutes PDF (8 items)", "documents.minutes_pdf", municipal, "/sestanki/{m}/zapisnik.pdf", False),
        ("conclusions PDF", "documents.conclusions_pdf", municipal, "/sestanki/{m}/sklepi.pdf", False),
        ("meeting .ics", "calendar.meeting_ics", municipal, "/sestanki/{m}.ics", False),
        ("action items (municipal)", "action_lists.index", municipal, "/naloge/", False),
        ("action items, mine (municipal)", "action_lists.index", municipal, "/naloge/?mine=1", False),
        ("action items (ministry)", "action_lists.index", ministry, "/naloge/", False),
        ("action items overdue (htmx)", "action_lists.index", ministry, "/naloge/?overdue=1", True),
        ("action items text (htmx)", "action_lists.index", ministry, "/naloge/?q=kanalizacijo", True),
        ("action items page 100 (htmx)", "action_lists.index", ministry, "/naloge/?page=100", True),
        ("action items CSV, mine", "action_lists.export_csv", municipal, "/naloge/izvoz.csv?mine=1", False),
        ("action item", "actions.detail", municipal, "/naloge/{action}", False),
        ("status matrix (212)", "fanouts.view", ministry, "/razprsitve/1", False),
        ("status matrix filtered (htmx)", "fanouts.view", ministry, "/razprsitve/1?status=open", True),
        ("fan-out report PDF (212)", "documents.fanout_report_pdf", ministry, "/razprsitve/1/porocilo.pdf", False),
        ("notifications", "notifications.index", municipal, "/obvestila", False),
        ("notification badge (htmx)", "notifications.badge", municipal, "/obvestila/stevec", True),
        ("search (municipal)", "search.index", municipal, "/iskanje?q=cestisce", False),
        ("search (ministry)", "search.index", ministry, "/iskanje?q=kanalizacija", False),
    ]
    from benchmark import stewards

    candidates += stewards.PAGES
    # a draft meeting of group 1, whose secretary the municipal user is (see generate())
    m = app.config["BENCH_MEETING"]
    ids = {"m": m, "item": (m - 1) * 8 + 1, "action": app.config["BENCH_ACTION"]}
    from benchmark import points as bench_points

    return [(label, who, path.format(**ids), hx) for label, endpoint, who, path, hx in candidates
            if endpoint in endpoints] + bench_points.PAGES + _minutes_pages()


def _minutes_pages() -> list:
    from benchmark import minutes as bench_minutes

    return bench_minutes.PAGES


def measure(app, runs: int, only: str = "") -> list[dict]:
    """Each page `runs` times (the long documents LONG_RUNS times) as its user: median, p95 and worst
    time, and the queries of one request."""
    from benchmark import minutes as bench_minutes

    results = []
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    # no app context is kept open: each request gets its own, with a fresh session, as in production
    event.listen(engine, "before_cursor_execute", count)
    for label, who, path, hx in pages(app):
        if only not in label:
            continue
        client = app.test_client()
        client.post("/prijava", data={"email": who, "password": PASSWORD})
        headers = {"HX-Request": "true"} if hx else {}
        # the first request of a page compiles its templates and fills the per-process caches: timed
        # apart (first_ms), so the runs measure the steady state the budgets are about
        started = time.perf_counter()
        client.get(path, headers=headers)
        first_ms = (time.perf_counter() - started) * 1000
        times, queries, status = [], 0, None
        for _ in range(LONG_RUNS if label in bench_minutes.LONG_PAGES else runs):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            queries, status = len(statements), response.status_code
        results.append({"label": label, "path": path, "status": status, "runs": len(times),
                        "median_ms": statistics.median(times), "p95_ms": percentile(times, 0.95),
                        "max_ms": max(times), "first_ms": first_ms, "queries": queries})
    event.remove(engine, "before_cursor_execute", count)
    return results


LONG_RUNS = 3


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (with 20 runs, p95 is the 19th: one run in twenty may be slower)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


def print_table(results: list[dict], database: str, scale: float, runs: int) -> None:
    print(f"\nIn-process ({database}, scale {scale:g}, {runs} runs a page after a first one timed apart; "
          "budget: p95 < 50 ms, < 20 queries)\n")
    print("| page | status | first ms | median ms | p95 ms | max ms | queries |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in results:
        print(f"| {row['label']} | {row['status']} | {row['first_ms']:.1f} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} "
              f"| {row['max_ms']:.1f} | {row['queries']} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "1")))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--http", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the pages over HTTP under gunicorn (benchmark/http.py)")
    parser.add_argument("--http-seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--reuse", action="store_true",
                        help="measure the data a previous run generated at this scale (same schema) instead of "
                             "generating them again")
    parser.add_argument("--inprocess", action=argparse.BooleanOptionalAction, default=True,
                        help="measure the pages in-process (--no-inprocess: only over HTTP)")
    parser.add_argument("--only", default="", help="measure only the pages whose label contains this text")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'bench.db'}"
    (ROOT / "instance").mkdir(exist_ok=True)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    started = time.perf_counter()
    database = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0]
    generated = ROOT / "instance" / "bench" / f"data-{database}-{Path(url.rsplit('/', 1)[-1]).stem}.json"
    previous = json.loads(generated.read_text()) if args.reuse and generated.exists() else {}
    if previous.get("scale") == args.scale:
        sizes = previous["sizes"]
    else:
        rebuild(app)
        with app.app_context():
            sizes = generate(args.scale)
        generated.parent.mkdir(parents=True, exist_ok=True)
        generated.write_text(json.dumps({"scale": args.scale, "sizes": sizes}))
        sizes = dict(sizes)
    app.config["BENCH_MEETING"] = sizes.pop("bench meeting")
    app.config["BENCH_ACTION"] = sizes.pop("bench action")
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}; data generated in "
          f"{time.perf_counter() - started:.1f} s{' (reused)' if previous.get('scale') == args.scale else ''}: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
    settle_memory()  # as each gunicorn worker does once the app is loaded (deploy/gunicorn.conf.py)
    if args.inprocess:
        _in_process(app, args, database, sizes)
    if args.http and not args.only:  # --only is a quick look in-process
        from benchmark import over_http as http
        from benchmark.minutes import LONG_PAGES  # the 100-page PDF is timed in-process only

        http.print_table(http.run(url, [p for p in pages(app) if p[0] not in LONG_PAGES], PASSWORD, scale=args.scale, workers=args.workers,
                                  seconds=args.http_seconds))


def _in_process(app, args, database: str, sizes: dict) -> None:
    results = measure(app, args.runs, args.only)
    print_table(results, database, args.scale, args.runs)
    if args.only:  # a quick look at a few pages: nothing else measured, nothing written
        return
    fan_out_ms = time_fan_out(app)
    print(f"\nfan-out of one conclusion to all 212 municipalities (service, one transaction): {fan_out_ms:.0f} ms")
    out = ROOT / "instance" / "bench" / f"inprocess-{database}-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"database": database, "scale": args.scale, "runs": args.runs, "sizes": sizes,
                               "pages": results, "fan_out_ms": fan_out_ms}, indent=2, ensure_ascii=False))
    print(f"JSON: {out}")
    from benchmark import analysis as network_analysis

    network_analysis.report(app, args.runs, PASSWORD)


def time_fan_out(app) -> float:
    from coordination.actions import services as actions
    from coordination.actions.models import FanOutScope
    from coordination.audit.services import acting_as
    from coordination.web.transaction import unit_of_work

    backend = app.config["MAIL_BACKEND"]
    # as in production, the request only queues its e-mail: the development backend ("outbox", the
    # test configuration's) would build and write all of it as the transaction commits
    app.config["MAIL_BACKEND"] = "smtp"
    try:
        with app.app_context(), acting_as("benchmark"):
            ministry = db.session.scalar(select(User).where(User.email == "ministrstvo@bench.si"))
            conclusion = db.session.get(Conclusion, 2)
            started = time.perf_counter()
            with unit_of_work():
                actions.fan_out(conclusion, title="Merjena razpršitev", author=ministry, scope=FanOutScope.ALL)
            return (time.perf_counter() - started) * 1000
    finally:
        app.config["MAIL_BACKEND"] = backend


if __name__ == "__main__":
    main()
