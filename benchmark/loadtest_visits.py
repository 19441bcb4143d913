"""The point hosts' part of the load test (benchmark/loadtest.py): host users report the visits of
their point through the real HTTP flows, the monthly grid and the upload (CSV → preview → confirm),
and the database is checked afterwards.

Two host organisations each get HOSTS_PER_ORG users who report for the same point and the same few
months, so their saves race; every upload is confirmed twice at once. Every figure sent is unique, so
each accepted save is a real change and can be found again in the report's history (the first total
and its VisitCorrection rows). Refused saves: a grid whose topics exceed the total (422), a file
without the required columns (422), a save that collided with another one on the same rows (409),
and the second confirmation of an upload (303 back to the preview, "already applied").
"""
from __future__ import annotations

import itertools
import re
import threading
import uuid
from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, select

from coordination.accounts.models import Role, User
from coordination.extensions import db
from coordination.points.models import PointStatus, ServicePoint, VisitCorrection, VisitReport, VisitUpload

HOST_ORGS = 2          # host organisations (one point each) whose users race
HOSTS_PER_ORG = 2      # users of one host organisation: they report for the same point and months
# two months the benchmark already reported (corrections) and two it did not (the first save creates)
MONTHS = ("2024-11", "2024-12", "2025-01", "2025-02")
REFUSED_EVERY = 5      # of a host's grid saves and of its uploads, the 1st, 6th, … are invalid (422)
UPLOAD_ID = re.compile(r"/tocke/obisk/uvoz/(\d+)$")
ALREADY_APPLIED = ("že bila uporabljena", "already applied")  # the flash of a second confirmation (sl, en)
_figures = itertools.count(500_000)  # every figure sent is unique (the visit maximum is 1,000,000)
_figures_lock = threading.Lock()


def next_figure() -> int:
    with _figures_lock:
        return next(_figures)


def add_hosts(password_hash: str) -> list[dict]:
    """HOST_ORGS × HOSTS_PER_ORG host users of the hosts of the first open points; their roster entries."""
    points = db.session.execute(select(ServicePoint.id, ServicePoint.code, ServicePoint.host_id)
                                .where(ServicePoint.status == PointStatus.OPEN).order_by(ServicePoint.id)
                                .limit(HOST_ORGS)).all()
    entries = []
    for n, (point_id, code, host_id) in enumerate(points):
        for k in range(HOSTS_PER_ORG):
            user = User(email=f"host{n}-{k}@load.si", name=f"Gostitelj {n}-{k}", role=Role.HOST,
                        organisation_id=host_id, active=True, password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            entries.append({"id": user.id, "minutes": [], "point": {"id": point_id, "code": code}})
    return entries


class VisitLog:
    """What the host users sent and how each was answered, per (point id, month 'YYYY-MM')."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: dict[tuple, list[int]] = defaultdict(list)  # figures stored (grid 303, applied upload)
        self.refused: dict[tuple, list[int]] = defaultdict(list)   # figures refused (422, 409, unapplied)
        self.uploads: dict[int, dict] = {}                         # id: {rows, confirms: [answer]}
        self.refused_files = 0
        self.double_confirms = 0

    def add(self, kind: str, key: tuple, figure: int) -> None:
        with self.lock:
            (self.accepted if kind == "accepted" else self.refused)[key].append(figure)


def snapshot(point_ids: list[int]) -> dict:
    reports = {(p, m.isoformat()[:7]): (rid, total) for rid, p, m, total in db.session.execute(
        select(VisitReport.id, VisitReport.point_id, VisitReport.month, VisitReport.total)
        .where(VisitReport.point_id.in_(point_ids)))}
    return {"reports": reports,
            "correction_max_id": db.session.scalar(select(func.coalesce(func.max(VisitCorrection.id), 0))),
            "upload_max_id": db.session.scalar(select(func.coalesce(func.max(VisitUpload.id), 0)))}


# --- the requests ----------------------------------------------------------------------------------

def _refuse_now(user: dict, what: str) -> bool:
    """Every REFUSED_EVERY-th save of a kind, the first included, is one the app must refuse."""
    user[what] = user.get(what, 0) + 1
    return user[what] % REFUSED_EVERY == 1


def grid_save(session, point: dict, rnd, log: VisitLog, refuse: bool) -> None:
    """The monthly form: one month's total (or, if `refuse`, with topics over the total: 422)."""
    month = rnd.choice(MONTHS)
    figure = next_figure()
    path = f"/tocke/{point['id']}/obisk?leto={month[:4]}"
    fields = {f"total-{month}": str(figure)}
    if refuse:  # topics adding up to more than the total: refused, nothing saved
        fields[f"{month}-eid"] = str(figure + 1)
        status, _ = session.request("visit grid save (422)", path, fields, expect=(422,))
        log.add("refused", (point["id"], month), figure)
        return
    status, _ = session.request("visit grid save", path, fields, expect=(303, 409))
    log.add("accepted" if status == 303 else "refused", (point["id"], month), figure)


def upload(session, point: dict, rnd, log: VisitLog, refuse: bool) -> None:
    """A small CSV → its preview → two confirmations at once (one applies it, the other is told so);
    if `refuse`, a file without a month column."""
    if refuse:  # no month column: the whole file refused, nothing stored
        session.request("visit upload (422)", "/tocke/obisk/uvoz", {},
                        files={"file": ("obiski.csv", f"code;total\n{point['code']};5\n".encode())}, expect=(422,))
        with log.lock:
            log.refused_files += 1
        return
    months = rnd.sample(MONTHS, rnd.randint(1, 2))
    rows = {m: next_figure() for m in months}
    body = "code;month;total\n" + "".join(f"{point['code']};{m};{n}\n" for m, n in rows.items())
    status, _ = session.request("visit upload", "/tocke/obisk/uvoz", {},
                                files={"file": (f"obiski-{uuid.uuid4().hex[:6]}.csv", body.encode())},
                                expect=(303,))
    found = UPLOAD_ID.search(session.location or "")
    if status != 303 or not found:
        for m, n in rows.items():
            log.add("refused", (point["id"], m), n)
        return
    upload_id = int(found.group(1))
    session.request("visit upload preview", f"/tocke/obisk/uvoz/{upload_id}")
    answers = [None, None]

    def confirm(slot: int) -> None:
        twin = session.twin()  # its own cookie jar: the flash of its answer is its own
        status, _ = twin.request("visit upload confirm", f"/tocke/obisk/uvoz/{upload_id}/potrdi", {},
                                 expect=(303, 409))
        if status == 303:
            _, page = twin.request(None, f"/tocke/obisk/uvoz/{upload_id}")
            answers[slot] = "already applied" if any(t in page for t in ALREADY_APPLIED) else "applied"
        else:
            answers[slot] = str(status)

    threads = [threading.Thread(target=confirm, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    applied = answers.count("applied") == 1
    for m, n in rows.items():
        log.add("accepted" if applied else "refused", (point["id"], m), n)
    with log.lock:
        log.double_confirms += 1
        log.uploads[upload_id] = {"rows": len(rows), "answers": answers}


def drive_step(session, user: dict, rnd, log: VisitLog) -> None:
    # each host starts with a refused and an accepted save of one kind and then the other (half of
    # them uploads first), so that even a run of a few seconds has every kind; then at random
    steps = user.setdefault("steps", 0)
    user["steps"] += 1
    if steps < 4:
        action = (("upload", "upload", "save", "save") if user["id"] % 2 else ("save", "save", "upload", "upload"))[steps]
    else:
        action = rnd.choices(("grid", "save", "upload"), (2, 3, 2))[0]
    point = user["point"]
    if action == "grid":
        session.request("visit grid", f"/tocke/{point['id']}/obisk?leto={rnd.choice(MONTHS)[:4]}")
    elif action == "save":
        grid_save(session, point, rnd, log, _refuse_now(user, "grid saves"))
    else:
        upload(session, point, rnd, log, _refuse_now(user, "uploads"))


# --- the checks --------------------------------------------------------------------------------------

def check(before: dict, log: VisitLog, point_ids: list[int]) -> tuple[list[tuple[str, bool, str]], dict]:
    """Each (point, month): one report; its history (first total, then each correction in order) is a
    chain holding every accepted figure once and no refused one; the total is the last of it."""
    checks = []
    keys = sorted(set(log.accepted) | set(log.refused))
    counts = Counter((p, m.isoformat()[:7]) for p, m in db.session.execute(
        select(VisitReport.point_id, VisitReport.month).where(VisitReport.point_id.in_(point_ids))))
    duplicates = [k for k, n in counts.items() if n > 1]
    checks.append(("one visit report per point and month", not duplicates,
                   f"{len(keys)} point-months sent to; duplicates: {duplicates}"))
    wrong, broken = [], []
    for key in keys:
        point_id, month = key
        report = db.session.execute(select(VisitReport.id, VisitReport.total).where(
            VisitReport.point_id == point_id, VisitReport.month == date.fromisoformat(month + "-01"))).first()
        corrections = db.session.execute(select(VisitCorrection.old_total, VisitCorrection.new_total).where(
            VisitCorrection.report_id == (report.id if report else -1),
            VisitCorrection.id > before["correction_max_id"]).order_by(VisitCorrection.id)).all()
        start = before["reports"].get(key)
        if report is None:
            history = []
        elif start is None:  # created during the load: its first figure, then the corrections
            history = [corrections[0].old_total if corrections else report.total] + [c.new_total for c in corrections]
        else:
            history = [c.new_total for c in corrections]
        accepted, refused = log.accepted.get(key, []), log.refused.get(key, [])
        final = report.total if report else None
        expected_final = history[-1] if history else (start[1] if start else None)
        if (sorted(history) != sorted(accepted) or set(history) & set(refused) or final != expected_final):
            wrong.append({"key": key, "history": history, "accepted": sorted(accepted), "final": final})
        previous = start[1] if start else (history[0] if history else None)
        for old, new in [(c.old_total, c.new_total) for c in corrections]:
            if old != previous:
                broken.append(key)
                break
            previous = new
    n_accepted = sum(len(v) for v in log.accepted.values())
    n_refused = sum(len(v) for v in log.refused.values())
    checks.append(("every accepted visit figure stored once, no refused one, total = last accepted", not wrong,
                   f"{n_accepted} accepted, {n_refused} refused figures; wrong: {wrong[:3]}"))
    checks.append(("each correction starts from the figure before it (no lost update)", not broken,
                   f"broken chains: {broken}"))
    stored = dict(db.session.execute(select(VisitUpload.id, VisitUpload.applied_at)
                                     .where(VisitUpload.id > before["upload_max_id"])).all())
    bad = [u for u, info in log.uploads.items()
           if (info["answers"].count("applied") == 1) != (stored.get(u) is not None)
           or info["answers"].count("applied") > 1 or u not in stored
           or not set(info["answers"]) <= {"applied", "already applied", "409"}]
    checks.append(("each upload confirmed twice at once was applied at most once, and the answers say which",
                   not bad and len(stored) == len(log.uploads),
                   f"{len(log.uploads)} uploads ({log.refused_files} files refused with 422, none stored; "
                   f"{len(stored)} stored); wrong: {bad[:5]}"))
    summary = {"accepted_figures": n_accepted, "refused_figures": n_refused, "uploads": len(log.uploads),
               "applied_uploads": sum(v is not None for v in stored.values()),
               "refused_files": log.refused_files,
               "confirm_answers": dict(Counter(a for info in log.uploads.values() for a in info["answers"]))}
    return checks, summary
