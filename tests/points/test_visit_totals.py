"""The programme's visit sums kept per process (points/visit_totals.py): what the pages show is always
what the database holds now, whatever wrote it, and a reader who may not see every point's figures
never gets the sums of all of them."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import delete, insert

from coordination.accounts.models import Role
from coordination.extensions import db
from coordination.points import figures, services, visit_totals
from coordination.points.models import Programme, ServicePoint, VisitReport, VisitTopic
from tests import factories as f
from tests.points import fixtures

SEPTEMBER, OCTOBER = date(2023, 9, 1), date(2023, 10, 1)


def _points():
    host = f.organisation()
    kamnik, koper = f.municipality("Kamnik"), f.municipality("Koper")
    ours = fixtures.point(host, kamnik, code="DIT-001", cost_per_month=500)
    theirs = fixtures.point(f.organisation(), koper, code="DIT-002")
    return ours, theirs


def _figures(user):
    """The programme's figures as `user` gets them (a new request each time)."""
    with current_app.test_request_context():
        programme = db.session.get(Programme, fixtures.programme().id)
        return figures.compute(programme, user, date(2023, 11, 15))


def _seen(client):
    """The programme page's total and its topic rows as the ministry sees them now."""
    text = client.get("/tocke/program/").get_data(as_text=True)
    return text


def test_new_and_corrected_visits_show_at_once(client, session, no_csrf):
    ours, theirs = _points()
    ministry = f.user(Role.MINISTRY)
    f.login(client, ministry)
    services.save_visits(ours, SEPTEMBER, 100, {"eid": 60}, author=ministry)
    db.session.commit()
    assert (_figures(ministry).total, _figures(ministry).topics[0][2]) == (100, 60)
    client.get("/tocke/program/")  # the sums are kept now

    # a new report through the service
    services.save_visits(theirs, SEPTEMBER, 50, {"eid": 5}, author=ministry)
    db.session.commit()
    seen = _figures(ministry)
    assert seen.total == 150 and dict((c, n) for c, _l, n in seen.topics) == {"eid": 65}
    assert dict((r, v) for r, _p, v in seen.regions)["Osrednjeslovenska"] == 100

    # a correction of the total, then one of a topic only (the total stays the same)
    services.save_visits(ours, SEPTEMBER, 130, {"eid": 60}, author=ministry)
    db.session.commit()
    assert _figures(ministry).total == 180
    services.save_visits(ours, SEPTEMBER, 130, {"eid": 70, "euprava": 3}, author=ministry)
    db.session.commit()
    assert dict((c, n) for c, _l, n in _figures(ministry).topics) == {"eid": 75, "euprava": 3}
    assert _figures(ministry).cost == (500.0, 130)  # DIT-001 in September, the last month with visits

    # a bulk insert that bypasses the ORM (as the demo data and the benchmark write reports)
    report = db.session.execute(insert(VisitReport).values(point_id=theirs.id, month=OCTOBER, total=9)
                                .returning(VisitReport.id)).scalar()
    db.session.execute(insert(VisitTopic).values(report_id=report, topic="edavki", visits=4))
    db.session.commit()
    seen = _figures(ministry)
    assert seen.total == 189 and seen.visits[seen.months.index(OCTOBER)] == 9
    assert dict((c, n) for c, _l, n in seen.topics)["edavki"] == 4
    assert "189" in _seen(client)

    # a point deleted with its reports
    db.session.execute(delete(VisitReport).where(VisitReport.point_id == theirs.id))
    db.session.commit()
    assert _figures(ministry).total == 130 and "edavki" not in dict((c, n) for c, _l, n in _figures(ministry).topics)


def test_the_sums_follow_the_programmes_points(client, session, no_csrf):
    ours, theirs = _points()
    ministry = f.user(Role.MINISTRY)
    services.save_visits(ours, SEPTEMBER, 100, {}, author=ministry)
    services.save_visits(theirs, SEPTEMBER, 40, {}, author=ministry)
    db.session.commit()
    assert _figures(ministry).total == 140
    other = Programme(name="Drugi program", starts_on=date(2023, 1, 1), ends_on=date(2024, 12, 31), contractor="")
    db.session.add(other)
    db.session.flush()
    db.session.get(ServicePoint, theirs.id).programme_id = other.id  # no visit is written
    db.session.commit()
    assert _figures(ministry).total == 100


def test_a_reader_who_sees_some_points_gets_only_their_sums(client, session, no_csrf):
    ours, theirs = _points()
    ministry = f.user(Role.MINISTRY)
    services.save_visits(ours, SEPTEMBER, 100, {"eid": 10}, author=ministry)
    services.save_visits(theirs, SEPTEMBER, 40, {"eid": 30}, author=ministry)
    db.session.commit()
    assert _figures(ministry).total == 140  # the sums of every point are kept now
    host_user = f.user(Role.HOST, ours.host)
    seen = _figures(host_user)
    assert seen.total == 100 and dict((c, n) for c, _l, n in seen.topics) == {"eid": 10}
    assert sum(v for _r, _p, v in seen.regions) == 100 and seen.cost[1] == 100


def test_the_version_changes_with_every_write_of_figures(session):
    ours, _theirs = _points()
    ministry = f.user(Role.MINISTRY)
    seen = [visit_totals.version()]
    services.save_visits(ours, SEPTEMBER, 100, {"eid": 10}, author=ministry)
    seen.append(visit_totals.version())
    services.save_visits(ours, SEPTEMBER, 100, {"eid": 11}, author=ministry)  # a topic corrected
    seen.append(visit_totals.version())
    services.save_visits(ours, SEPTEMBER, 100, {"eid": 11}, author=ministry)  # the same figures: no change
    seen.append(visit_totals.version())
    assert len(set(seen)) == 3 and seen[-1] == seen[-2]
