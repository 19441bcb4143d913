"""The programme's visit sums (per month, per point, per topic), summed once per process and kept while
the visit data stay the same. Summing 36,000 reports and 650,000 topic rows takes 0.3–1 s at the
benchmark's national scale; the programme page and the network report need them on every view.

The sums are kept under a *version* of the visit data read with every request (one query, no table
scan of the topic rows), so a new or corrected figure shows at once in every process:

- a new report (by any path, bulk inserts included) raises the number of reports and the newest report
  (its id and time of reporting);
- a deleted report (a point deleted with its reports) lowers the number of reports;
- a report's figures change only by a correction (`services.save_visits`), which always writes a
  VisitCorrection: the number of corrections and the newest correction change with it;
- the number of rows, not only the newest id, is in the version because ids are handed out before
  a transaction commits: a report committed after a later one does not change the newest id;
- the time of the newest report and correction tells a rebuilt database with the same counts apart.

The version is read before the sums, so sums read under a version are never older than it (a write
in between makes the next request read them again). The sums are kept only for the programme's own
points as they are now (their ids are part of the key), and only for readers who may see the figures
of every point (the rule in SQL, `visits_clause`, is asked per point on every request): anyone else
gets the sums from the database as before. Nothing of a point is kept here, only visit figures.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from coordination.extensions import db
from coordination.points.models import ServicePoint, VisitCorrection, VisitReport, VisitTopic


@dataclass(frozen=True)
class Totals:
    by_month: dict[date, int]    # the programme's visits per month (months with a report)
    by_point: dict[int, int]     # every report of a point summed (points with a report)
    by_topic: dict[str, int]     # topic → visits, in the order the database groups them


_lock = threading.Lock()
_kept: dict[tuple, Totals] = {}


def version() -> tuple:
    """What changes with every write of visit figures (see the module's docstring): one query."""
    newest_report = select(VisitReport.id, VisitReport.reported_at).order_by(VisitReport.id.desc()).limit(1)
    newest_correction = (select(VisitCorrection.id, VisitCorrection.changed_at)
                         .order_by(VisitCorrection.id.desc()).limit(1))
    row = db.session.execute(select(
        select(func.count()).select_from(VisitReport).scalar_subquery(),
        newest_report.with_only_columns(VisitReport.id).scalar_subquery(),
        newest_report.with_only_columns(VisitReport.reported_at).scalar_subquery(),
        select(func.count()).select_from(VisitCorrection).scalar_subquery(),
        newest_correction.with_only_columns(VisitCorrection.id).scalar_subquery(),
        newest_correction.with_only_columns(VisitCorrection.changed_at).scalar_subquery())).one()
    return tuple(row)


def programme_totals(programme_id: int, point_ids: tuple[int, ...], data_version: tuple) -> Totals:
    """The sums over every report of the programme's points `point_ids` (read by the caller in this
    request), from process memory when neither the visit data nor the programme's points changed."""
    key = (str(db.engine.url), programme_id, data_version, point_ids)
    totals = _kept.get(key)
    if totals is None:
        totals = _sum(programme_id)
        with _lock:
            if len(_kept) >= 4:  # a programme or two at a time; an old version is never asked again
                _kept.clear()
            _kept[key] = totals
    return totals


def _sum(programme_id: int) -> Totals:
    of_programme = ServicePoint.programme_id == programme_id
    by_month = {m: int(n or 0) for m, n in db.session.execute(
        select(VisitReport.month, func.sum(VisitReport.total))
        .join(ServicePoint, VisitReport.point_id == ServicePoint.id).where(of_programme)
        .group_by(VisitReport.month))}
    by_point = {p: int(n or 0) for p, n in db.session.execute(
        select(VisitReport.point_id, func.sum(VisitReport.total))
        .join(ServicePoint, VisitReport.point_id == ServicePoint.id).where(of_programme)
        .group_by(VisitReport.point_id))}
    by_topic = {t: int(n or 0) for t, n in db.session.execute(
        select(VisitTopic.topic, func.sum(VisitTopic.visits))
        .join(VisitReport, VisitTopic.report_id == VisitReport.id)
        .join(ServicePoint, VisitReport.point_id == ServicePoint.id).where(of_programme)
        .group_by(VisitTopic.topic))}
    return Totals(by_month, by_point, by_topic)


def forget() -> None:
    """Drop what is kept (tests that rebuild the database)."""
    with _lock:
        _kept.clear()
