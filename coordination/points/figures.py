"""The pilot's numbers, for the programme page and the network report: points open per month,
visits per month and cumulative against the targets, a projection to the end of the programme,
visits by region and by topic, cost per visit. A fixed number of queries (queries.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coordination.points import charts, queries, topics, visit_totals
from coordination.points.models import Programme
from coordination.points.months import add_months, month_end, month_start, months_between

RECENT = 3  # the projection continues the average of the last three reported months


@dataclass
class Figures:
    programme: Programme
    months: list[date]
    open_points: list[int]
    visits: list[int | None]          # None: not reported yet (a month after the last report)
    cumulative: list[int | None]
    total: int
    last_month: date | None
    projection_months: list[date]
    projection: list[int]             # cumulative, from the last reported month to the programme's end
    projected_end: int | None
    monthly_rate: float | None
    targets: list[tuple]              # (target, reached by then or None, on track)
    regions: list[tuple[str, int, int]]
    topics: list[tuple[str, str, int]]  # (code, label, visits)
    cost: tuple[float, int] | None

    @property
    def cost_per_visit(self) -> float | None:
        if self.cost is None or not self.cost[1]:
            return None
        return self.cost[0] / self.cost[1]


def compute(programme: Programme, user, today: date) -> Figures:
    points = queries.programme_points(programme, user)
    # a reader who sees every point's figures gets the sums kept in memory while the visits stay the same
    totals = (visit_totals.programme_totals(programme.id, tuple(p.id for p in points), visit_totals.version())
              if all(p.visible for p in points) else None)
    by_month = totals.by_month if totals else queries.visits_per_month(programme, user)
    last_month = max((m for m, n in by_month.items() if n), default=None)
    months = queries.programme_months(programme, max(today, last_month or today), points)
    open_points = queries.open_per_month(points, months)
    visits, cumulative, running = [], [], 0
    for m in months:
        if last_month is not None and m <= last_month:
            running += by_month.get(m, 0)
            visits.append(by_month.get(m, 0))
            cumulative.append(running)
        else:
            visits.append(None)
            cumulative.append(None)
    total = running
    recent = [by_month.get(add_months(last_month, -k), 0) for k in range(RECENT)] if last_month else []
    rate = sum(recent) / len(recent) if recent else None
    end_month = month_start(programme.ends_on)
    projection_months, projection = [], []
    if last_month is not None and rate is not None and last_month < end_month:
        projection_months = months_between(last_month, end_month)
        projection = [round(total + rate * k) for k in range(len(projection_months))]
    projected_end = projection[-1] if projection else (total if last_month else None)
    targets = []
    cumulative_by = dict(zip(months, cumulative, strict=True))
    for target in programme.targets:
        reached = cumulative_by.get(month_start(target.due_on))
        if reached is None and projection_months and month_start(target.due_on) in projection_months:
            expected = projection[projection_months.index(month_start(target.due_on))]
            targets.append((target, None, expected >= target.visits, expected))
        else:
            targets.append((target, reached, reached is not None and reached >= target.visits, None))
    labels = topics.by_code()
    by_topic = totals.by_topic if totals else queries.visits_by_topic(programme, user)
    topic_rows = sorted(((c, labels[c].name if c in labels else c, n) for c, n in by_topic.items()),
                        key=lambda row: -row[2])
    per_point = totals.by_point if totals else None
    # with every point visible, no month after the last one with visits has any (figures are >= 0):
    # each point's sum over all its reports is its sum up to that month
    cost = queries.costs(programme, user, month_end(last_month) if last_month else today, points, per_point)
    return Figures(programme, months, open_points, visits, cumulative, total, last_month, projection_months,
                   projection, projected_end, rate, targets, queries.visits_by_region(points, per_point),
                   topic_rows, cost)


def month_labels(months: list[date]) -> list[str]:
    return [f"{m.month}/{m.year % 100:02d}" for m in months]


def chart_set(figures: Figures, fmt) -> dict:
    """The programme's charts: open points per month, visits per month, cumulative with targets and
    projection, by region, by topic."""
    labels = month_labels(figures.months)
    every = max(1, -(-len(labels) // 8))  # at most 8 month labels under the columns
    index = {m: i for i, m in enumerate(figures.months)}
    projection_values = [None] * len(figures.months)
    for m, value in zip(figures.projection_months, figures.projection, strict=True):
        if m in index:
            projection_values[index[m]] = value
    all_labels = labels
    if figures.projection_months and figures.projection_months[-1] not in index:
        extra = [m for m in figures.projection_months if m not in index]
        all_labels = labels + month_labels(extra)
        projection_values += [figures.projection[figures.projection_months.index(m)] for m in extra]
    cumulative = figures.cumulative + [None] * (len(all_labels) - len(labels))
    markers = []
    all_months = figures.months + [m for m in figures.projection_months if m not in index]
    for target, _reached, _ok, _expected in figures.targets:
        m = month_start(target.due_on)
        if m in all_months:
            markers.append((all_months.index(m), target.visits, target.label or fmt(target.visits)))
    return {
        "open": charts.column_chart(labels, figures.open_points, fmt=fmt, every=every),
        "monthly": charts.column_chart(labels, [v or 0 for v in figures.visits], fmt=fmt, every=every),
        "cumulative": charts.line_chart(all_labels, [
            {"name": "cumulative", "values": cumulative, "colour": "#0b4f8a"},
            {"name": "projection", "values": projection_values, "colour": "#8a4b00", "dashed": True},
        ], fmt=fmt, markers=markers, every=max(1, -(-len(all_labels) // 12))),
        "regions": charts.bar_rows([(name, visits) for name, _points, visits in figures.regions], fmt=fmt),
        "topics": charts.bar_rows([(label, n) for _c, label, n in figures.topics], fmt=fmt),
    }
