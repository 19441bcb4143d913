"""The analysis fed from the database, the proposal, the adoption of a decision, the command line and
the demo replay of the seed (60 of 222 points closed on 1. 4. 2024, about 70,000 visits in all)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions.models import Notification
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.points import analysis, decisions, demo_decision
from coordination.points.decision_models import NetworkDecision
from coordination.points.models import PointStatus, ServicePoint, VisitReport
from tests import factories as f
from tests.points.analysis_data import seed_network

JAN, MAR = date(2024, 1, 1), date(2024, 3, 1)
APRIL_1 = date(2024, 4, 1)


def params(**changes) -> analysis.Params:
    values = {"on": APRIL_1, "window_from": JAN, "window_to": MAR, "close_count": 10}
    values.update(changes)
    return analysis.Params(**values)


@pytest.fixture
def small(session):
    return seed_network(40, seed=7, total_visits=4_000, name="Majhna mreža")


def _point(programme, code) -> ServicePoint:
    return db.session.scalar(select(ServicePoint).where(ServicePoint.programme_id == programme.id,
                                                        ServicePoint.code == code))


# --- reading the network -----------------------------------------------------------------------------

def test_load_reads_window_visits_months_and_municipalities(small):
    data = analysis.load(small, APRIL_1, JAN, MAR)
    assert len(data.points) == 40 and not data.too_new
    assert len(data.municipalities) == 212 and len(data.region_names) == 12
    expected = db.session.scalar(select(func.sum(VisitReport.total)).join(ServicePoint).where(
        ServicePoint.programme_id == small.id, VisitReport.month >= JAN, VisitReport.month <= MAR))
    assert data.window_visits() == expected
    assert all(p.months == 3 and p.missing == 0 for p in data.points)
    assert sum(m.population for m in data.municipalities) == 2_108_977
    assert {p.region for p in data.points} <= set(data.region_names.values())


def test_a_month_without_a_report_counts_as_none_and_is_flagged(small):
    point = _point(small, "DIT-001")
    db.session.execute(VisitReport.__table__.delete().where(VisitReport.point_id == point.id,
                                                            VisitReport.month == MAR))
    data = analysis.load(small, APRIL_1, JAN, MAR)
    row = next(p for p in data.points if p.id == point.id)
    assert row.missing == 1 and row.months == 3


def test_a_part_month_counts_by_its_days_and_a_point_opened_after_the_window_is_left_out(small):
    late, new = _point(small, "DIT-002"), _point(small, "DIT-003")
    late.opened_on = date(2024, 3, 17)  # open 15 of 31 days of March
    new.opened_on = date(2024, 3, 20)
    data = analysis.load(small, APRIL_1, JAN, date(2024, 2, 1))
    assert new.id in {p.id for p in data.too_new} and late.id in {p.id for p in data.too_new}
    data = analysis.load(small, APRIL_1, JAN, MAR)
    row = next(p for p in data.points if p.id == late.id)
    assert row.months == pytest.approx(15 / 31, abs=1e-4)
    assert row.monthly == pytest.approx(row.visits / (15 / 31), rel=1e-3)


def test_trend_is_the_slope_of_the_months_before_and_in_the_window(small):
    point = _point(small, "DIT-004")
    for report in db.session.scalars(select(VisitReport).where(VisitReport.point_id == point.id)):
        report.total = 10 + 5 * ((report.month.year - 2023) * 12 + report.month.month - 9)
    db.session.flush()
    row = next(p for p in analysis.load(small, APRIL_1, JAN, MAR).points if p.id == point.id)
    assert row.trend == pytest.approx(5.0)


def test_points_closed_or_opened_after_the_date_are_no_part_of_the_decision(small):
    closed, later = _point(small, "DIT-005"), _point(small, "DIT-006")
    closed.status, closed.closed_on = PointStatus.CLOSED, date(2024, 2, 1)
    later.opened_on = date(2024, 5, 1)
    ids = {p.id for p in analysis.load(small, APRIL_1, JAN, MAR).points}
    assert closed.id not in ids and later.id not in ids and len(ids) == 38


def test_default_window_and_date():
    assert analysis.default_window(APRIL_1) == (JAN, MAR)
    assert analysis.default_window(date(2024, 1, 15)) == (date(2023, 10, 1), date(2023, 12, 1))


def test_default_date_follows_the_last_reported_month(small):
    assert analysis.default_date(small, date(2026, 12, 7)) == APRIL_1
    assert analysis.default_date(small, date(2024, 2, 10)) == date(2024, 2, 10)


def test_fingerprint_changes_with_the_network_and_the_rules(small):
    data = analysis.load(small, APRIL_1, JAN, MAR)
    first = analysis.fingerprint(data, params())
    assert analysis.fingerprint(analysis.load(small, APRIL_1, JAN, MAR), params()) == first
    assert analysis.fingerprint(data, params(close_count=11)) != first
    report = db.session.scalar(select(VisitReport).join(ServicePoint).where(
        ServicePoint.programme_id == small.id, VisitReport.month == MAR).limit(1))
    report.total += 1
    db.session.flush()
    assert analysis.fingerprint(analysis.load(small, APRIL_1, JAN, MAR), params()) != first


# --- proposing ------------------------------------------------------------------------------------

def test_proposal_closes_the_lowest_visits_while_every_region_keeps_a_point(small):
    proposal = decisions.propose(small, params(close_count=10))
    s = proposal.solution
    assert s.status == "optimal" and len(s.closed_ids) == 10 and s.gap == 0
    closed = [r for r in proposal.rows if not r["open"]]
    kept = [r for r in proposal.rows if r["open"]]
    assert all(r["reasons"] for r in proposal.rows)
    assert {r["region"] for r in kept} == {r["region"] for r in proposal.rows}
    assert s.lost_window == pytest.approx(sum(r["visits"] for r in closed))
    assert sum(r["points_before"] - r["points_after"] for r in proposal.regions) == 10
    assert proposal.optimum is None


def test_pins_hold_and_their_cost_is_against_the_optimum(small):
    free = decisions.propose(small, params())
    keep = next(r["id"] for r in free.rows if not r["open"])
    shut = next(r["id"] for r in sorted(free.rows, key=lambda r: -r["monthly"]) if r["open"])
    pinned = decisions.propose(small, params(pinned_open=frozenset({keep}), pinned_closed=frozenset({shut})))
    assert keep not in pinned.solution.closed_ids and shut in pinned.solution.closed_ids
    assert pinned.optimum.lost_monthly == pytest.approx(free.solution.lost_monthly)
    assert pinned.extra_lost_monthly > 0
    assert pinned.cost_text("sl").startswith("+") and "na mesec" in pinned.cost_text("sl")


def test_unknown_pins_are_left_out_and_named(small):
    proposal = decisions.propose(small, params(pinned_open=frozenset({999999})))
    assert proposal.unknown_pins == [999999] and proposal.solution.status == "optimal"


# --- adopting -------------------------------------------------------------------------------------

def _adopt(programme, p, author, **kw):
    proposal = decisions.propose(programme, p)
    return decisions.adopt(programme, p, fingerprint=proposal.fingerprint, closed_ids=proposal.solution.closed_ids,
                           author=author, **kw), proposal


def test_adoption_records_closes_with_reasons_notifies_hosts_and_is_audited(small):
    ministry = f.user(Role.MINISTRY)
    proposal = decisions.propose(small, params())
    closing_host = next(r["host_id"] for r in proposal.rows if not r["open"])
    staying_host = next(r["host_id"] for r in proposal.rows if r["open"])
    host_user = f.user(Role.HOST, db.session.get(type(ministry.organisation), closing_host))
    other_user = f.user(Role.HOST, db.session.get(type(ministry.organisation), staying_host))
    with acting_as("test", ministry):
        decision, proposal = _adopt(small, params(), ministry, note="Zapisnik 12")
    assert decision.closed_count == 10 and decision.points_before == 40 and decision.points_after == 30
    assert decision.adopted_by_id == ministry.id and decision.note == "Zapisnik 12"
    assert decision.parameters["close_count"] == 10 and decision.parameters["window_from"] == "2024-01"
    assert decision.figures["status"] == "optimal" and decision.lost_monthly == pytest.approx(
        proposal.solution.lost_monthly)
    closed = db.session.scalars(select(ServicePoint).where(ServicePoint.programme_id == small.id,
                                                           ServicePoint.status == PointStatus.CLOSED)).all()
    assert sorted(p.id for p in closed) == sorted(proposal.solution.closed_ids)
    assert all(p.closed_on == APRIL_1 for p in closed)
    assert all(p.closing_reason.startswith("Odločitev o mreži Digi info točk z dne 1. 4. 2024: zapre se: ")
               for p in closed)
    notes = db.session.scalars(select(Notification).where(Notification.user_id.in_([host_user.id,
                                                                                    other_user.id]))).all()
    assert [n.user_id for n in notes] == [host_user.id]
    assert notes[0].link == f"/tocke/odlocitve/{decision.id}" and "1. 4. 2024" in notes[0].detail
    audited = db.session.scalars(select(AuditEntry.entity_type).where(
        AuditEntry.entity_type.in_(["NetworkDecision", "ServicePoint"]))).all()
    assert audited.count("NetworkDecision") == 1 and audited.count("ServicePoint") >= 10


def test_a_proposal_cannot_be_adopted_twice(small):
    ministry = f.user(Role.MINISTRY)
    proposal = decisions.propose(small, params())
    decisions.adopt(small, params(), fingerprint=proposal.fingerprint, closed_ids=proposal.solution.closed_ids,
                    author=ministry)
    with pytest.raises(decisions.AlreadyAdopted):
        decisions.adopt(small, params(), fingerprint=proposal.fingerprint,
                        closed_ids=proposal.solution.closed_ids, author=ministry)
    assert db.session.scalar(select(func.count(NetworkDecision.id))) == 1


def test_a_stale_proposal_is_refused_and_nothing_changes(small):
    ministry = f.user(Role.MINISTRY)
    proposal = decisions.propose(small, params())
    report = db.session.scalar(select(VisitReport).join(ServicePoint).where(
        ServicePoint.programme_id == small.id, VisitReport.month == JAN).limit(1))
    report.total += 5  # a correction arrives after the ministry looked
    db.session.flush()
    with pytest.raises(decisions.StaleProposal):
        decisions.adopt(small, params(), fingerprint=proposal.fingerprint,
                        closed_ids=proposal.solution.closed_ids, author=ministry)
    with pytest.raises(decisions.StaleProposal):  # another set of points than the one shown
        fresh = decisions.propose(small, params())
        decisions.adopt(small, params(), fingerprint=fresh.fingerprint, closed_ids=fresh.solution.closed_ids[1:],
                        author=ministry)
    assert db.session.scalar(select(func.count(ServicePoint.id)).where(
        ServicePoint.status == PointStatus.CLOSED)) == 0


def test_no_plan_cannot_be_adopted(small):
    ministry = f.user(Role.MINISTRY)
    impossible = params(close_count=39)  # 40 points, and every region that has points keeps one
    proposal = decisions.propose(small, impossible)
    assert proposal.solution.status == "infeasible" and not proposal.rows
    with pytest.raises(decisions.NoPlan):
        decisions.adopt(small, impossible, fingerprint=proposal.fingerprint, closed_ids=(), author=ministry)


# --- the command line -------------------------------------------------------------------------------

def test_cli_prints_the_proposal_as_json_and_changes_nothing(app, small):
    runner = app.test_cli_runner()
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    result = runner.invoke(args=["points", "propose", "--close", "8", "--region-min", "1", "--cover-km", "70",
                                 "--retain-km", "10", "--retain-share", "0.5", "--window", "2024-01..2024-03",
                                 "--on", "2024-04-01", "--programme", "Majhna mreža", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["status"] == "optimal" and out["closed_count"] == 8 and len(out["close"]) == 8
    assert out["window"] == {"from": "2024-01", "to": "2024-03"} and out["gap"] == 0
    assert out["lost_monthly"] > 0 and out["lost_window"] > 0 and out["solve_ms"] > 0
    assert all(code.startswith("DIT-") for code in out["close"])
    assert db.session.scalar(select(func.count(ServicePoint.id)).where(ServicePoint.status == PointStatus.CLOSED)) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before


@pytest.mark.parametrize(("argv", "message"), [
    (["--close", "-3"], "-3"),
    (["--close", "x"], "x"),
    (["--close", "3", "--threshold", "4"], "exactly one"),
    (["--close", "3", "--window", "2024-03..2024-01"], "ends before"),
    (["--close", "3", "--window", "januar"], "YYYY-MM"),
])
def test_cli_refuses_bad_input(app, small, argv, message):
    result = app.test_cli_runner().invoke(args=["points", "propose", "--programme", "Majhna mreža", *argv])
    assert result.exit_code == 2 and message in result.output


def test_cli_explains_too_many_closures(app, small):
    result = app.test_cli_runner().invoke(args=["points", "propose", "--programme", "Majhna mreža", "--close", "39",
                                                "--on", "2024-04-01", "--json"])
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["status"] == "infeasible" and "at most" in " ".join(out["findings"])


# --- the demo replay ---------------------------------------------------------------------------------

def test_demo_replay_closes_60_of_222_and_ends_near_70000_visits(app, session):
    programme = seed_network(222, seed=2023, name=demo_decision.PROGRAMME)
    f.user(Role.MINISTRY, email="ministrstvo@demo.si")
    with acting_as("test demo"):
        decision = demo_decision.load()
    assert decision is not None and decision.decided_on == APRIL_1 and decision.closed_count == 60
    statuses = dict(db.session.execute(select(ServicePoint.status, func.count()).where(
        ServicePoint.programme_id == programme.id).group_by(ServicePoint.status)).all())
    assert statuses == {PointStatus.OPEN: 162, PointStatus.CLOSED: 60}
    assert all(r["reasons"] for r in decision.points)
    assert all(r["points_after"] >= 1 for r in decision.regions)
    total = db.session.scalar(select(func.sum(VisitReport.total)).join(ServicePoint).where(
        ServicePoint.programme_id == programme.id))
    assert 66_500 <= total <= 73_500
    late = db.session.scalars(select(VisitReport.point_id).where(VisitReport.month > MAR).distinct()).all()
    assert len(late) == 162 and not set(late) & set(r["id"] for r in decision.points if not r["open"])
    assert db.session.scalar(select(func.count()).select_from(VisitReport).where(
        VisitReport.month == date(2024, 11, 1))) == 162
    with acting_as("test demo"):
        assert demo_decision.load() is None  # once only


def test_demo_replay_does_nothing_without_the_programme(session):
    assert demo_decision.load() is None


def test_visitors_of_a_closed_point_move_to_its_nearest_open_point():
    rows = [{"id": 1, "code": "A", "open": True, "monthly": 10.0, "nearest_code": "B"},
            {"id": 2, "code": "B", "open": True, "monthly": 20.0, "nearest_code": "A"},
            {"id": 3, "code": "C", "open": False, "monthly": 8.0, "nearest_code": "A"}]
    assert demo_decision.continued_levels(rows) == {1: 14.0, 2: 20.0}
