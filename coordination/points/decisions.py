"""Proposing and adopting a network decision: which Digi info točke close.

`propose()` reads the network (analysis.load), runs the closure model (network.Network) and, when
points are pinned, also the model without the pins, to show what the adjustment costs. It changes
nothing. `adopt()` recomputes the proposal and adopts it only if it is still exactly the one the
ministry saw (same fingerprint and the same points to close): it records the decision, closes each
point on the decision date with its reason (services.close_point, the one way a point closes) and
tells the hosts of the closed points in-app. Services flush; the request or the command commits.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select

from coordination.extensions import db
from coordination.points import analysis, network
from coordination.points import services as points
from coordination.points.decision_models import NetworkDecision
from coordination.points.models import Programme, ServicePoint
from coordination.types import utcnow


class DecisionError(Exception):
    """The decision cannot be adopted; nothing was changed."""


class AlreadyAdopted(DecisionError):
    def __init__(self, decision: NetworkDecision):
        super().__init__(f"already adopted as decision {decision.id}")
        self.decision = decision


class StaleProposal(DecisionError):
    """The network (or the proposal computed from it) changed since the proposal was shown."""


class NoPlan(DecisionError):
    """The rules admit no plan, or the solver found none."""


@dataclass
class Proposal:
    params: analysis.Params
    data: analysis.NetworkData
    solution: network.Solution
    rows: list[dict]                       # analysis.point_rows, empty without a plan
    regions: list[dict]                    # analysis.region_rows, empty without a plan
    optimum: network.Solution | None       # the plan without pins, when there are pins
    fingerprint: str
    unknown_pins: list[int]
    ms: float                              # reading, modelling, solving and explaining

    @property
    def extra_lost_monthly(self) -> float | None:
        """What the pins cost against the unconstrained optimum (visits a month)."""
        if self.optimum is None or self.optimum.lost_monthly is None or self.solution.lost_monthly is None:
            return None
        return self.solution.lost_monthly - self.optimum.lost_monthly

    def cost_text(self, lang: str = "sl") -> str | None:
        if self.optimum is None:
            return None
        cost = network.AdjustmentCost(self.solution, self.optimum, self.extra_lost_monthly)
        return network.cost_text(cost, lang)  # type: ignore[arg-type]


def time_limit() -> float:
    return float(current_app.config.get("POINTS_SOLVER_TIME_LIMIT", analysis.DEFAULT_TIME_LIMIT_S))


# The plans without pins, by the fingerprint of what they were computed from: pinning a point re-solves
# the proposal, and its cost is measured against the plan the page showed before, which need not be
# solved again. A plan is a pure function of its fingerprint, so the memo can never be stale; each
# process keeps its own few.
_OPTIMA: OrderedDict[str, network.Solution] = OrderedDict()
OPTIMA_KEPT = 32


def _remember(key: str, solution: network.Solution) -> None:
    _OPTIMA[key] = solution
    _OPTIMA.move_to_end(key)
    while len(_OPTIMA) > OPTIMA_KEPT:
        _OPTIMA.popitem(last=False)


def propose(programme: Programme, params: analysis.Params) -> Proposal:
    started = time.perf_counter()
    data = analysis.load(programme, params.on, params.window_from, params.window_to)
    model = analysis.build(data)
    rules = analysis.rules(data, params, time_limit())
    solution = model.solve(rules)
    optimum = None
    unpinned = analysis.fingerprint(data, replace(params, pinned_open=frozenset(), pinned_closed=frozenset()))
    if rules.pinned_open or rules.pinned_closed:
        optimum = _OPTIMA.get(unpinned)
        if optimum is None:
            optimum = model.solve(rules.without_pins())
        if optimum.status == "optimal":
            _remember(unpinned, optimum)
    elif solution.status == "optimal":
        _remember(unpinned, solution)
    rows, regions = [], []
    if solution.has_plan:
        rows = analysis.point_rows(data, solution, model.explain(solution))
        regions = analysis.region_rows(model.region_totals(solution))
    return Proposal(params, data, solution, rows, regions, optimum, analysis.fingerprint(data, params),
                    analysis.unknown_pins(data, params), (time.perf_counter() - started) * 1000)


def finding_dict(finding: network.Finding) -> dict:
    return {"kind": finding.kind, "fatal": finding.fatal, "region": finding.region,
            "municipality": finding.municipality, "point": finding.point, "numbers": dict(finding.numbers)}


def figures(proposal: Proposal) -> dict:
    s = proposal.solution
    return {
        "status": s.status, "lost_monthly": s.lost_monthly, "lost_window": s.lost_window,
        "bound_monthly": s.bound_monthly, "gap": s.gap, "solve_ms": round(s.solve_ms, 1),
        "total_ms": round(proposal.ms, 1), "window_visits": proposal.data.window_visits(),
        "too_new": [p.code for p in proposal.data.too_new],
        "optimum_lost_monthly": proposal.optimum.lost_monthly if proposal.optimum else None,
        "extra_lost_monthly": proposal.extra_lost_monthly,
        "findings": [finding_dict(f) for f in s.findings],
    }


def find_adopted(programme: Programme, fingerprint: str) -> NetworkDecision | None:
    return db.session.scalar(select(NetworkDecision).where(NetworkDecision.programme_id == programme.id,
                                                           NetworkDecision.fingerprint == fingerprint))


def closing_reason(decided_on: date, row: dict) -> str:
    """The reason written on a closed point (Slovenian: it is the record of an official decision)."""
    reasons = [network.reason_text(analysis.reason_from(r), "sl") for r in row["reasons"]]
    return f"Odločitev o mreži Digi info točk z dne {decided_on.day}. {decided_on.month}. {decided_on.year}: " \
           f"zapre se: {'; '.join(reasons)}"


def adopt(programme: Programme, params: analysis.Params, *, fingerprint: str, closed_ids: tuple[int, ...],
          author, note: str = "", adopted_at: datetime | None = None) -> NetworkDecision:
    """Adopt the proposal the ministry saw (its fingerprint and its points to close), or refuse."""
    earlier = find_adopted(programme, fingerprint)
    if earlier is not None:
        raise AlreadyAdopted(earlier)
    proposal = propose(programme, params)
    if proposal.fingerprint != fingerprint or proposal.solution.closed_ids != tuple(sorted(closed_ids)):
        raise StaleProposal(fingerprint)
    if not proposal.solution.has_plan:
        raise NoPlan(proposal.solution.status)
    s = proposal.solution
    decision = NetworkDecision(
        programme_id=programme.id, decided_on=params.on, window_from=params.window_from,
        window_to=params.window_to, parameters=params.as_json(), figures=figures(proposal),
        regions=proposal.regions, points=proposal.rows, points_before=len(proposal.rows),
        closed_count=len(s.closed_ids), lost_monthly=s.lost_monthly, lost_window=s.lost_window,
        fingerprint=fingerprint, note=(note or "").strip(), adopted_by_id=getattr(author, "id", None),
        adopted_by_label=(getattr(author, "name", "") or "")[:200], adopted_at=adopted_at or utcnow())
    db.session.add(decision)
    db.session.flush()
    closing = {row["id"]: row for row in proposal.rows if not row["open"]}
    for point in db.session.scalars(select(ServicePoint).where(ServicePoint.id.in_(closing))
                                    .order_by(ServicePoint.code)):
        points.close_point(point, author=author, closed_on=params.on,
                           reason=closing_reason(params.on, closing[point.id]))
    notify_hosts(decision, author)
    return decision


def _decision_path(decision: NetworkDecision) -> str:
    if has_request_context():
        return url_for("point_analysis.decision", decision_id=decision.id)
    return current_app.url_map.bind("localhost").build("point_analysis.decision", {"decision_id": decision.id})


def notify_hosts(decision: NetworkDecision, author) -> int:
    """One in-app notice to each active user of a host whose points the decision closes, in their
    language, linking to the decision; returns how many were sent."""
    from coordination.accounts.models import User
    from coordination.actions.models import Notification, NotificationKind
    from coordination.actions.reminders import language_of
    from coordination.web.formatting import format_date

    codes: dict[int, list[str]] = {}
    for row in decision.points:
        if not row["open"]:
            codes.setdefault(row["host_id"], []).append(row["code"])
    if not codes:
        return 0
    users = db.session.scalars(select(User).where(User.organisation_id.in_(codes), User.active)
                               .order_by(User.id)).all()
    link, label, rows = _decision_path(decision), (getattr(author, "name", "") or "")[:200], []
    for user in users:
        closed = codes[user.organisation_id]
        with force_locale(language_of(user)):
            text = _("Network decision of %(date)s: %(codes)s will close.", date=format_date(decision.decided_on),
                     codes=", ".join(closed))
        rows.append({"user_id": user.id, "kind": NotificationKind.MESSAGE, "link": link, "detail": text[:300],
                     "actor_label": label, "created_at": utcnow()})
    if rows:
        db.session.execute(insert(Notification), rows)
    return len(rows)
