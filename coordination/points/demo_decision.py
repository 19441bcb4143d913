"""Demo replay of the seed: on 1. 4. 2024 the ministry closed 60 of the 222 points after a visits
analysis, every region keeping points, and the pilot went on to about 70,000 visits by its end.

`load()` runs after the points demo (programme "Digi info točke (pilotni projekt)", 222 points with
visits to 31. 3. 2024). It runs the model on the visits of January–March 2024 (close 60, every
region keeps at least one point), adopts the proposal as the ministry's decision of 1. 4. 2024 —
through the same service as the page, so the 60 points close with their reasons and their hosts are
notified — and then writes visits from April to November 2024 for the 162 open points.

The continued visits: each open point keeps its own level of January–March, and half of the visitors
of every closed point move to the nearest open point (MOVE_SHARE). That level is scaled once, so that
the whole pilot ends at about the 70,000 visits the ministry expected (TARGET_TOTAL), and shaped by a
summer dip; each month gets a deterministic ±15 % spread (fixed seed). Nothing happens when the
programme is missing or already has a decision.
"""
from __future__ import annotations

import random
from datetime import date, datetime

from flask import current_app, has_request_context
from sqlalchemy import func, select

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.points import analysis, decisions
from coordination.points.decision_models import NetworkDecision
from coordination.points.models import Programme, ServicePoint, VisitReport
from coordination.points.months import months_between
from coordination.roles import Role
from coordination.types import LJUBLJANA

PROGRAMME = "Digi info točke (pilotni projekt)"
DECIDED_ON = date(2024, 4, 1)
WINDOW = (date(2024, 1, 1), date(2024, 3, 1))
CLOSE = 60
TARGET_TOTAL = 70_000
MOVE_SHARE = 0.5
CONTINUED = months_between(date(2024, 4, 1), date(2024, 11, 1))
SEASON = (1.0, 1.0, 0.9, 0.75, 0.7, 1.0, 1.1, 1.1)  # April … November: fewer visitors in summer
NOTE = ("Optimizacija mreže Digi info točk na podlagi analize obiskov januar–marec 2024: "
        "zapre se 60 točk, vsaka statistična regija obdrži vsaj eno točko.")


def _ministry_user() -> User | None:
    return db.session.scalar(select(User).where(User.role == Role.MINISTRY, User.active)
                             .order_by((User.email == "ministrstvo@demo.si").desc(), User.id).limit(1))


def load() -> NetworkDecision | None:
    """Adopt the decision of 1. 4. 2024 and continue the visits; None when there is nothing to do."""
    programme = db.session.scalar(select(Programme).where(Programme.name == PROGRAMME))
    if programme is None or db.session.scalar(
            select(NetworkDecision.id).where(NetworkDecision.programme_id == programme.id)) is not None:
        return None
    if has_request_context():
        return _replay(programme)
    with current_app.test_request_context():  # the services build links to pages, as in a request
        return _replay(programme)


def _replay(programme: Programme) -> NetworkDecision | None:
    params = analysis.Params(on=DECIDED_ON, window_from=WINDOW[0], window_to=WINDOW[1], close_count=CLOSE,
                             region_min=1)
    proposal = decisions.propose(programme, params)
    if not proposal.solution.has_plan:
        current_app.logger.warning("demo decision: no plan (%s)", proposal.solution.status)
        return None
    decision = decisions.adopt(programme, params, fingerprint=proposal.fingerprint,
                               closed_ids=proposal.solution.closed_ids, author=_ministry_user(), note=NOTE,
                               adopted_at=datetime(2024, 4, 1, 9, 0, tzinfo=LJUBLJANA))
    continue_visits(programme, decision.points)
    return decision


def continued_levels(rows: list[dict]) -> dict[int, float]:
    """Visits a month each open point can expect: its own, plus MOVE_SHARE of every closed point
    whose nearest open point it is."""
    by_code = {row["code"]: row for row in rows if row["open"]}
    levels = {row["id"]: row["monthly"] for row in by_code.values()}
    for row in rows:
        if not row["open"] and row["nearest_code"] in by_code:
            levels[by_code[row["nearest_code"]]["id"]] += MOVE_SHARE * row["monthly"]
    return levels


def continue_visits(programme: Programme, rows: list[dict], seed: int = 2024) -> int:
    """Monthly visits April–November 2024 for the open points (see the module docstring); returns the
    number of reports written. Months a point already reported are left as they are."""
    levels = continued_levels(rows)
    so_far = db.session.scalar(select(func.coalesce(func.sum(VisitReport.total), 0)).join(ServicePoint)
                               .where(ServicePoint.programme_id == programme.id))
    reported = set(db.session.execute(select(VisitReport.point_id, VisitReport.month).where(
        VisitReport.point_id.in_(levels), VisitReport.month >= CONTINUED[0])).all())
    shape = sum(SEASON) * sum(levels.values())
    scale = max(TARGET_TOTAL - so_far, 0) / shape if shape else 0.0
    rnd = random.Random(seed)  # noqa: S311  # nosec B311 — a fixed spread for the demo, not security
    reports = []
    for point_id in sorted(levels):
        for month, season in zip(CONTINUED, SEASON, strict=True):
            total = round(levels[point_id] * scale * season * rnd.uniform(0.85, 1.15))
            if (point_id, month) not in reported:
                reports.append(VisitReport(point_id=point_id, month=month, total=total))
    db.session.add_all(reports)
    db.session.flush()
    return len(reports)
