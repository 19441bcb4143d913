"""The action-item status report: items by status with owners, due dates, overdue marks, progress
and a bar chart, for a working group, a meeting, a fan-out or a municipality. Only the items the
user may see (queries.item_query), read in one query."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import contains_eager, joinedload

from coordination import types
from coordination.actions import queries
from coordination.actions.glance import fanout_glance
from coordination.actions.matrix import STATUS_COLOURS, STATUS_ORDER, progress, status_bars
from coordination.actions.models import PENDING, PRIORITY_LABELS, STATUS_LABELS, ActionItem
from coordination.documents.meetings import slug
from coordination.extensions import db
from coordination.meetings.models import Conclusion, Meeting
from coordination.types import utcnow
from coordination.web.formatting import format_datetime, sort_key


@dataclass
class Section:
    status: str
    label: str
    colour: str
    items: list
    percent: int | None  # of the counted items (None for cancelled: they do not count)


def _items(user, where) -> tuple[list[ActionItem], set[int]]:
    """The visible items, and the ids of those whose source conclusion the user may see too (only
    those name it, as the list does)."""
    from coordination.actions.listing import source_clause

    query = (queries.item_query(user).add_columns(source_clause(user)).where(where)
             .options(contains_eager(ActionItem.conclusion).contains_eager(Conclusion.meeting),
                      joinedload(ActionItem.assignee_user)))
    rows = db.session.execute(query).unique().all()
    return [item for item, _shown in rows], {item.id for item, shown in rows if shown}


def context(user, where, *, heading: str, facts: list[tuple[str, str]], show_source: bool = True,
            fanout=None) -> dict:
    """Template context of the report over the items matching the SQL condition `where`; a fan-out's
    report adds its map and region table (`glance`: the same drawing as the matrix page)."""
    today = types.today()
    items, sources_shown = _items(user, where)
    counts = Counter(i.status for i in items)
    total = len(items)
    bars = status_bars(counts, total)  # the shares the chart shows, so the sections say the same
    sections = []
    for status, bar in zip(STATUS_ORDER, bars, strict=True):
        rows = sorted((i for i in items if i.status == status),
                      key=lambda i: (i.due_date is None, i.due_date, sort_key(i.assignee_org.name), i.id))
        if rows:
            sections.append(Section(status.value, str(STATUS_LABELS[status]), STATUS_COLOURS[status], rows,
                                    bar.percent))
    overdue = sum(1 for i in items if i.overdue(today))
    return {
        "heading": heading, "facts": facts, "sections": sections, "total": total, "counts": counts,
        "progress": progress(counts, total), "overdue": overdue, "bars": bars,
        "pending": sum(counts.get(s, 0) for s in PENDING), "today": today, "show_source": show_source,
        "sources_shown": sources_shown,
        "priority_labels": PRIORITY_LABELS, "generated": format_datetime(utcnow()),
        # a fan-out's items all carry its title (the heading): then the table names owners and regions
        "one_title": total > 1 and len({i.title for i in items}) == 1,
        "glance": fanout_glance(fanout, user, today) if fanout is not None else None,
    }


def group_scope(group):
    return Meeting.group_id == group.id


def meeting_scope(meeting):
    return Conclusion.meeting_id == meeting.id


def fanout_scope(fanout):
    return ActionItem.fanout_id == fanout.id


def organisation_scope(org):
    return ActionItem.assignee_org_id == org.id


def filename(what: str) -> str:
    """naloge-ds-it-2026-11-23.pdf"""
    return f"naloge-{slug(what)}-{types.today().isoformat()}.pdf"
