"""Reading meetings, conclusions and the register: what the pages show, filtered by the visibility
rule in SQL (permissions.visible_clause). Changes are in services.py."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, false, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from coordination.extensions import db
from coordination.groups.models import GroupMembership, WorkingGroup
from coordination.meetings.models import (
    AgendaItem,
    Conclusion,
    ConclusionKind,
    Meeting,
    Participant,
    meeting_organiser,
)
from coordination.meetings.permissions import can_view_conclusion, visible_clause
from coordination.organisations.models import Organisation
from coordination.search.index import matching_refs
from coordination.types import LJUBLJANA, utcnow
from coordination.web.formatting import sl_order
from coordination.web.pagination import Page, paginate


def load(meeting_id: int) -> Meeting | None:
    """A meeting with everything its pages show and its rules ask (the group's members), in a fixed
    number of queries; always fresh from the database even when the session already holds it."""
    return db.session.get(Meeting, meeting_id, populate_existing=True, options=[
        selectinload(Meeting.organisers), selectinload(Meeting.participants),
        selectinload(Meeting.agenda).selectinload(AgendaItem.comments),
        selectinload(Meeting.conclusions).selectinload(Conclusion.establishes_group),
        joinedload(Meeting.group).selectinload(WorkingGroup.memberships), joinedload(Meeting.approved_by),
    ])


def load_for_approval(meeting_id: int) -> Meeting | None:
    """A meeting with what the approval checklist shows and its rules ask (participants, agenda
    items without their comments, the group's members): load() would also bring every comment of
    every item with its author (240 at benchmark scale) and the conclusions, which it does not show
    (its open comments are one query of their own, approval.checklist)."""
    return db.session.get(Meeting, meeting_id, populate_existing=True, options=[
        selectinload(Meeting.organisers), selectinload(Meeting.participants), selectinload(Meeting.agenda),
        joinedload(Meeting.group).selectinload(WorkingGroup.memberships), joinedload(Meeting.approved_by),
    ])


def load_for_rules(meeting_id: int) -> Meeting | None:
    """A meeting with only what its visibility rules ask (organisers, participants, the group's
    members): for pages that show a meeting's conclusion or items, not the meeting itself."""
    return db.session.get(Meeting, meeting_id, populate_existing=True, options=[
        selectinload(Meeting.organisers), selectinload(Meeting.participants),
        joinedload(Meeting.group).selectinload(WorkingGroup.memberships),
    ])


def unestablished_groups(conclusion: Conclusion | None = None) -> list[WorkingGroup]:
    """Working groups no conclusion has established yet (plus the one `conclusion` established)."""
    other = select(Conclusion.id).where(Conclusion.establishes_group_id == WorkingGroup.id)
    if conclusion is not None:
        other = other.where(Conclusion.id != conclusion.id)
    return list(db.session.scalars(select(WorkingGroup).where(~other.exists())
                                   .order_by(sl_order(WorkingGroup.name))))


def _register_filtered(query, user, *, body: str = "", year: int | None = None, kind: str = "", text: str = ""):
    """`query` over the register's conclusions that the user may see and the filters match, in its order."""
    query = query.join(Conclusion.meeting).where(visible_clause(user, Conclusion.visibility))
    if body:
        query = query.where(Conclusion.register_body == body)
    if year:
        query = query.where(Conclusion.register_year == year)
    if kind:
        query = query.where(Conclusion.kind == ConclusionKind(kind))
    if text:  # the full-text index: every word, any diacritics, register number included
        refs = matching_refs("conclusion", text)
        query = query.where(Conclusion.id.in_(refs) if refs is not None else false())
    return query.order_by(Meeting.starts_at.desc(), Meeting.id.desc(), Conclusion.number)


def register_query(user, **filters):
    """The register's conclusions that the user may see and the filters match, newest meetings first,
    with their meetings."""
    return _register_filtered(select(Conclusion), user, **filters).options(
        contains_eager(Conclusion.meeting), selectinload(Conclusion.establishes_group))


def conclusion_register(user, *, page: int, per_page: int, options: bool, **filters) -> tuple[Page, list[str], list[int]]:
    """One page of the register (conclusions the user may see, filtered in SQL, newest meetings
    first) with how many match, and (with `options`) the bodies and years of all the conclusions
    the user may see, for the filters."""
    rows = register_query(user, **filters)
    if options and not filters.get("kind") and not filters.get("text"):
        # the body and year choices come from counting the visible conclusions by body and year; the
        # count of a body or year filter is read from the same rows (one pass instead of two)
        counts = _register_counts(user)
        body, year = filters.get("body"), filters.get("year")
        total = sum(n for (b, y), n in counts.items() if (not body or b == body) and (not year or y == year))
        items = db.session.scalars(rows.limit(per_page).offset((page - 1) * per_page)).unique().all()
        return Page(items=list(items), page=page, per_page=per_page, total=total), *_options(counts)
    found = _text_page(user, page, per_page, filters) if filters.get("text") else paginate(rows, per_page, page)
    return found, *(_options(_register_counts(user)) if options else ([], []))


def _register_counts(user) -> dict[tuple[str, int], int]:
    """How many conclusions the user may see, by register body and year."""
    return {(body, year): n for body, year, n in db.session.execute(
        select(Conclusion.register_body, Conclusion.register_year, func.count()).join(Conclusion.meeting)
        .where(visible_clause(user, Conclusion.visibility)).group_by(Conclusion.register_body, Conclusion.register_year))}


def _options(counts: dict) -> tuple[list[str], list[int]]:
    return sorted({body for body, _ in counts}), sorted({year for _, year in counts}, reverse=True)


def _text_page(user, page: int, per_page: int, filters: dict) -> Page:
    """With a text filter, a count query and a page query would each join the full-text matches to
    the conclusions and their meetings (27 and 35 ms on PostgreSQL for a word every conclusion
    holds): one pass gives the page's ids with a window count, then the page is read by id."""
    ids = db.session.execute(_register_filtered(select(Conclusion.id, func.count().over()), user, **filters)
                             .limit(per_page).offset((page - 1) * per_page)).all()
    if ids or page == 1:
        total = ids[0][1] if ids else 0
    else:  # past the last page: the count alone
        total = db.session.scalar(_register_filtered(select(func.count(Conclusion.id)), user, **filters)
                                  .order_by(None))
    if not ids:
        return Page(items=[], page=page, per_page=per_page, total=total or 0)
    rows = db.session.scalars(select(Conclusion).join(Conclusion.meeting).where(Conclusion.id.in_([i for i, _n in ids]))
                              .options(contains_eager(Conclusion.meeting), selectinload(Conclusion.establishes_group))
                              .order_by(Meeting.starts_at.desc(), Meeting.id.desc(), Conclusion.number)).unique().all()
    return Page(items=list(rows), page=page, per_page=per_page, total=total)


def group_conclusions(user, group: WorkingGroup, limit: int = 20) -> dict:
    """For the group page: the conclusion that established the group (if the user may see it), and
    the newest `limit` conclusions of the group's meetings that the user may see, with their count."""
    where = (Meeting.group_id == group.id, visible_clause(user, Conclusion.visibility))
    total = db.session.scalar(select(func.count(Conclusion.id)).join(Conclusion.meeting).where(*where))
    rows = db.session.scalars(select(Conclusion).join(Conclusion.meeting).where(*where)
                              .options(contains_eager(Conclusion.meeting))
                              .order_by(Meeting.starts_at.desc(), Conclusion.number).limit(limit)).unique().all()
    origin = db.session.scalar(select(Conclusion).where(Conclusion.establishes_group_id == group.id))
    return {"established_by": origin if can_view_conclusion(user, origin) else None, "latest": list(rows),
            "total": total or 0}


def meetings_query(user, *, group_id: int | None = None, organisation_id: int | None = None,
                   year: int | None = None, text: str = ""):
    """Meetings the user may view (permissions.visible_clause, in SQL), narrowed by the list filters."""
    query = select(Meeting).where(visible_clause(user))
    if group_id:
        query = query.where(Meeting.group_id == group_id)
    if organisation_id:
        query = query.where(Meeting.organisers.any(Organisation.id == organisation_id))
    if year:  # the year as it is in Ljubljana
        query = query.where(Meeting.starts_at >= datetime(year, 1, 1, tzinfo=LJUBLJANA),
                            Meeting.starts_at < datetime(year + 1, 1, 1, tzinfo=LJUBLJANA))
    if text:
        like = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Meeting.title.ilike(like, escape="\\") | Meeting.place.ilike(like, escape="\\"))
    return query


def meeting_listing(user, *, upcoming: bool, page: int, per_page: int, **filters):
    """One page of the upcoming (soonest first) or past (latest first) meetings that match, and how many
    of each match: a fixed number of queries however many meetings exist."""
    now = utcnow()
    query = meetings_query(user, **filters)
    matching = query.with_only_columns(Meeting.ends_at).subquery()
    ahead, total = db.session.execute(
        select(func.count(case((matching.c.ends_at >= now, 1))), func.count()).select_from(matching)).one()
    counts = {"upcoming": ahead, "past": total - ahead}
    if upcoming:
        query = query.where(Meeting.ends_at >= now).order_by(Meeting.starts_at, Meeting.id)
    else:
        query = query.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    found = counts["upcoming" if upcoming else "past"]
    page = min(page, max(1, -(-found // per_page)))
    items = db.session.scalars(query.options(selectinload(Meeting.organisers))
                               .limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=found), counts


def meeting_filter_options(user) -> dict:
    """The list's filter choices: every working group, the organisers and years of the visible meetings."""
    visible = select(Meeting.id).where(visible_clause(user))
    groups = db.session.scalars(select(WorkingGroup).order_by(sl_order(WorkingGroup.name))).all()
    organisers = db.session.scalars(select(Organisation).where(Organisation.id.in_(
        select(meeting_organiser.c.organisation_id).where(meeting_organiser.c.meeting_id.in_(visible))))
        .order_by(sl_order(Organisation.name))).all()
    first, last = db.session.execute(select(func.min(Meeting.starts_at), func.max(Meeting.starts_at))
                                     .where(visible_clause(user))).one()
    years = {utcnow().astimezone(LJUBLJANA).year}
    if first and last:
        years |= set(range(first.astimezone(LJUBLJANA).year, last.astimezone(LJUBLJANA).year + 1))
    return {"groups": list(groups), "organisers": list(organisers), "years": sorted(years, reverse=True)}


def group_meetings(user, group: WorkingGroup, limit: int = 10) -> tuple[list[Meeting], list[Meeting]]:
    """The group's meetings the user may view: the next `limit` upcoming and the latest `limit` past."""
    now = utcnow()
    base = select(Meeting).where(Meeting.group_id == group.id, visible_clause(user))
    upcoming = db.session.scalars(base.where(Meeting.ends_at >= now)
                                  .order_by(Meeting.starts_at, Meeting.id).limit(limit)).all()
    past = db.session.scalars(base.where(Meeting.ends_at < now)
                              .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)).all()
    return list(upcoming), list(past)


def groups_with_memberships(member_id: int | None = None) -> list[WorkingGroup]:
    """Working groups with their members loaded (to ask the rules in which a user may create
    meetings): all of them, or only those where `member_id` holds a seat."""
    query = select(WorkingGroup).options(selectinload(WorkingGroup.memberships))
    if member_id is not None:
        query = query.where(WorkingGroup.memberships.any(GroupMembership.user_id == member_id))
    return list(db.session.scalars(query.order_by(sl_order(WorkingGroup.name))))


def organisation_meetings(user, org_id: int, limit: int = 5) -> tuple[list[Meeting], list[Meeting]]:
    """Meetings an organisation organised or took part in that the user may view: the next `limit`
    upcoming and the latest `limit` past (two queries, whatever the number of meetings)."""
    now = utcnow()
    theirs = select(meeting_organiser.c.meeting_id).where(meeting_organiser.c.organisation_id == org_id).union(
        select(Participant.meeting_id).where(Participant.organisation_id == org_id))
    base = select(Meeting).where(Meeting.id.in_(theirs), visible_clause(user))
    upcoming = db.session.scalars(base.where(Meeting.ends_at >= now)
                                  .order_by(Meeting.starts_at, Meeting.id).limit(limit)).all()
    past = db.session.scalars(base.where(Meeting.ends_at < now)
                              .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)).all()
    return list(upcoming), list(past)
