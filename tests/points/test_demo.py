"""The demo replays the pilot as the ministry's announcement of 22. 4. 2024 tells it."""
from datetime import date

from sqlalchemy import func, select

from coordination import demo
from coordination.audit.services import acting_as
from coordination.organisations.models import Organisation, OrgKind
from coordination.points import demo as points_demo
from coordination.points.models import HostingRequest, Programme, RequestStatus, ServicePoint, VisitReport, VisitTopic


def test_the_demo_replays_the_seed(session):
    with acting_as("tests"):
        demo.load()
        assert points_demo.load(demo.DEMO_HOST) is False  # idempotent
    programme = session.scalar(select(Programme).where(Programme.name == "Digi info točke (pilotni projekt)"))
    assert (programme.starts_on, programme.ends_on) == (date(2023, 10, 31), date(2024, 11, 30))
    assert programme.contractor.startswith("Obrtna zbornica Slovenije")
    assert [(t.due_on, t.visits) for t in programme.targets] == [(date(2024, 3, 31), 24000), (date(2024, 11, 30), 70000)]
    points = session.scalars(select(ServicePoint)).all()
    assert len(points) == 222
    municipalities = session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.kind == OrgKind.MUNICIPALITY))
    assert len({p.municipality_id for p in points}) == municipalities == 212
    assert sum(1 for p in points if (p.opened_on.year, p.opened_on.month) == (2023, 9)) == 62
    assert sum(1 for p in points if (p.opened_on.year, p.opened_on.month) == (2023, 11)) == 160
    assert all(p.host.name.endswith("(demo)") for p in points)
    total = session.scalar(select(func.sum(VisitReport.total)).where(VisitReport.month <= date(2024, 3, 1)))
    assert abs(total - 24000) <= 240
    # 1. 4. 2024: the ministry's decision closes 60 points, every region keeps some; visits go on to November
    closed = [p for p in points if p.closed_on is not None]
    assert len(closed) == 60 and all(p.closed_on == date(2024, 4, 1) and p.closing_reason for p in closed)
    assert {p.municipality.region_id for p in points if p.closed_on is None} == {
        p.municipality.region_id for p in points}
    assert session.scalar(select(func.max(VisitReport.month))) == date(2024, 11, 1)
    after = session.scalar(select(func.count()).select_from(VisitReport).where(
        VisitReport.point_id.in_([p.id for p in closed]), VisitReport.month >= date(2024, 4, 1)))
    assert after == 0
    assert abs(session.scalar(select(func.sum(VisitReport.total))) - 70000) <= 3500  # "okrog 70.000"
    march = session.scalars(select(VisitReport.total).where(VisitReport.month == date(2024, 3, 1))).all()
    assert max(march) > 8 * (sum(march) / len(march)) / 2 and min(march) < (sum(march) / len(march)) / 4
    # topic figures never exceed the month's total
    over = session.execute(select(VisitReport.id).join(VisitTopic, VisitTopic.report_id == VisitReport.id)
                           .group_by(VisitReport.id, VisitReport.total)
                           .having(func.sum(VisitTopic.visits) > VisitReport.total)).all()
    assert over == []
    states = set(session.scalars(select(HostingRequest.status)))
    # every state but closed: the points the decision closes are demo points that came without a request
    assert states == set(RequestStatus) - {RequestStatus.CLOSED}
    rejected = session.scalar(select(HostingRequest).where(HostingRequest.status == RequestStatus.REJECTED))
    assert rejected.decision_reason and rejected.decided_at.year == 2023 and rejected.file_number
