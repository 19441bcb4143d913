"""Searching organisations, working groups, meetings, minutes, conclusions and action items with the
database's full-text index.

The user's words are folded as the index is (lower case, no diacritics), reduced to letters and
digits, and joined as prefix terms that must all occur: on SQLite an FTS5 MATCH over `search_fts`
ranked by bm25, on PostgreSQL `to_tsvector('simple', folded) @@ to_tsquery(...)` ranked by ts_rank.
Nothing the user types reaches the query syntax, so no input can make it fail.

Each kind is one SQL query that joins the index to the indexed rows and filters them by the same
visibility rule as the pages (meetings.permissions.visible_clause, actions.permissions.visible_clause),
counting the visible matches in the same query (a window count): what the user may not see is neither
shown nor counted. The items of one fan-out are one result, linking to its matrix, for whoever may see
the matrix (actions.permissions.fanout_clause); the user's own item stays a result of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import and_, case, column, false, func, literal_column, not_, null, or_, select, table, true

from coordination.actions.models import ActionItem, FanOut
from coordination.actions.permissions import fanout_clause
from coordination.actions.permissions import visible_clause as item_clause
from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.groups.permissions import can_browse as can_browse_groups
from coordination.meetings.models import AgendaItem, Conclusion, Meeting
from coordination.meetings.permissions import visible_clause
from coordination.organisations.models import Organisation, Region
from coordination.organisations.permissions import can_browse as can_browse_organisations
from coordination.search.index import fold, fts_query, tsquery, vector, words
from coordination.search.models import SearchDocument
from coordination.web.pagination import PageNumbers

# the kinds of documents, in the order the results show them (registered with search/index.py by
# organisations, groups, meetings and actions)
ORGANISATION, GROUP = "organisation", "group"
MEETING, MINUTES, CONCLUSION, ITEM = "meeting", "minutes", "conclusion", "item"
KINDS = (ORGANISATION, GROUP, MEETING, MINUTES, CONCLUSION, ITEM)

PER_KIND = 10        # results per kind when all kinds are shown
PAGE_SIZE = 20       # results per page when one kind is shown
SNIPPET = 220        # characters of text around the first match
CAP = 1000           # visible matches of a kind that are ranked and counted


# --- the queries ---------------------------------------------------------------------------------

def _candidates(kind: str, user, dialect: str, query: str):
    """The newest CAP matches of `kind` the user may see, with their score on SQLite.

    Ranking is bounded work: a word found in 100,000 documents ranks the newest CAP visible ones
    (the count then reads "more than"). The cap counts visible documents only, so it says nothing
    about what the user may not see."""
    meeting_columns = [Meeting.id.label("meeting_id"), Meeting.title.label("meeting_title"),
                       Meeting.starts_at.label("starts_at")]
    if kind == ITEM:  # an item's source meeting only for whoever may see its conclusion (as the item page)
        shown = visible_clause(user, Conclusion.visibility)
        meeting_columns = [case((shown, column.element), else_=null()).label(column.name) for column in meeting_columns]
    elif kind in (ORGANISATION, GROUP):
        meeting_columns = [null().label(column.name) for column in meeting_columns]
    columns = [SearchDocument.ref_id, SearchDocument.title, SearchDocument.body, *meeting_columns]
    if dialect == "postgresql":
        source = SearchDocument.__table__
        columns.append(SearchDocument.folded)
        where = [vector(SearchDocument.folded).op("@@")(tsquery(query)), SearchDocument.kind == kind]
        newest = SearchDocument.id.desc()
    else:
        # the FTS table drives the join (bm25() works only there) and hands the rows over newest
        # first; `+kind` keeps the planner from starting at search_document's (kind, ref_id) index
        fts = table("search_fts", column("rowid"))
        name = literal_column("search_fts")
        source = fts.join(SearchDocument.__table__, SearchDocument.id == fts.c.rowid)
        columns.append((-func.bm25(name)).label("score"))
        where = [name.op("MATCH")(query), literal_column("+search_document.kind") == kind]
        newest = fts.c.rowid.desc()
    q = select(*columns).select_from(source)
    if kind == ORGANISATION:  # every organisation's page is seen by whoever may browse them
        q = (q.add_columns(Organisation.kind.label("org_kind"), Region.name.label("region"))
             .join(Organisation, Organisation.id == SearchDocument.ref_id)
             .outerjoin(Region, Region.id == Organisation.region_id)
             .where(true() if can_browse_organisations(user) else false()))
    elif kind == GROUP:  # a group's page (name, code, mandate) is seen by whoever may browse groups
        q = (q.add_columns(WorkingGroup.code.label("code"))
             .join(WorkingGroup, WorkingGroup.id == SearchDocument.ref_id)
             .where(true() if can_browse_groups(user) else false()))
    elif kind == MEETING:
        q = q.add_columns(Meeting.visibility.label("visibility")).join(
            Meeting, Meeting.id == SearchDocument.ref_id).where(visible_clause(user))
    elif kind == MINUTES:
        q = (q.add_columns(AgendaItem.visibility.label("visibility"))
             .join(AgendaItem, AgendaItem.id == SearchDocument.ref_id)
             .join(Meeting, Meeting.id == AgendaItem.meeting_id)
             .where(visible_clause(user, AgendaItem.visibility)))
    elif kind == CONCLUSION:
        q = (q.add_columns(Conclusion.visibility.label("visibility"))
             .join(Conclusion, Conclusion.id == SearchDocument.ref_id)
             .join(Meeting, Meeting.id == Conclusion.meeting_id)
             .where(visible_clause(user, Conclusion.visibility)))
    else:
        # the items of one fan-out are one result (`grouping` < 0) for whoever may see its matrix;
        # the user's own items, and anybody's who may not see the matrix, stay results of their own
        # (coalesce: a NULL assignee person would make `own` NULL, and NOT NULL is not true)
        own = or_(ActionItem.assignee_org_id == func.coalesce(user.organisation_id, 0),
                  func.coalesce(ActionItem.assignee_user_id, 0) == user.id)
        grouped = and_(ActionItem.fanout_id.is_not(None), not_(own), fanout_clause(user))
        q = (q.add_columns(ActionItem.status.label("status"), ActionItem.due_date.label("due_date"),
                           Organisation.name.label("assignee"), ActionItem.fanout_id.label("fanout_id"),
                           FanOut.title.label("fanout_title"),
                           case((grouped, -ActionItem.fanout_id), else_=ActionItem.id).label("grouping"))
             .join(ActionItem, ActionItem.id == SearchDocument.ref_id)
             .join(Organisation, Organisation.id == ActionItem.assignee_org_id)
             .outerjoin(FanOut, FanOut.id == ActionItem.fanout_id)
             .outerjoin(Conclusion, ActionItem.conclusion_id == Conclusion.id)
             .outerjoin(Meeting, Conclusion.meeting_id == Meeting.id)
             .where(item_clause(user)))
    return q.where(*where).order_by(newest).limit(CAP).subquery("candidates")


def _kind_query(kind: str, user, dialect: str, query: str):
    """One page of a kind's visible matches, best first, each row with the count of them all. Items
    of one fan-out the user may see as a whole come as one row: the best of them, with `members`."""
    found = _candidates(kind, user, dialect, query)
    if dialect == "postgresql":
        score = func.ts_rank(vector(found.c.folded), tsquery(query))
    else:
        score = found.c.score
    columns = [c for c in found.c if c.key not in ("folded", "score")]
    if kind != ITEM:
        return (select(*columns, score.label("score"), func.count().over().label("total"))
                .order_by(literal_column("score").desc(), found.c.ref_id.desc()))
    ranked = select(*columns, score.label("score"),
                    func.count().over(partition_by=found.c.grouping).label("members"),
                    func.row_number().over(partition_by=found.c.grouping,
                                           order_by=(score.desc(), found.c.ref_id.desc())).label("place")
                    ).subquery("ranked")
    return (select(*[c for c in ranked.c if c.key != "place"], func.count().over().label("total"))
            .where(ranked.c.place == 1).order_by(ranked.c.score.desc(), ranked.c.ref_id.desc()))


# --- results -------------------------------------------------------------------------------------

@dataclass
class Hit:
    kind: str
    ref_id: int
    title: Markup
    snippet: Markup
    row: object  # the query's row: meeting_id, meeting_title, starts_at and the kind's own columns

    @property
    def fanout(self) -> bool:
        """The result stands for several items of one fan-out (its matrix)."""
        return self.kind == ITEM and self.row.grouping < 0 and self.row.members > 1


@dataclass
class Group(PageNumbers):
    kind: str
    total: int
    hits: list[Hit]
    page: int = 1
    per_page: int = PER_KIND

    @property
    def capped(self) -> bool:
        """More visible matches than were ranked and counted (the count reads "more than")."""
        return self.total >= CAP


@dataclass
class Results:
    query: str
    words: list[str]
    kind: str = ""
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def capped(self) -> bool:
        return any(g.capped for g in self.groups)


def search(user, query: str, *, kind: str = "", page: int = 1) -> Results:
    """The user's visible matches: of every kind (PER_KIND each, with their counts), or of one kind,
    a page of PAGE_SIZE. One SQL query per kind shown, whatever the size of the data."""
    terms = words(query)
    kind = kind if kind in KINDS else ""
    results = Results(query=query, words=terms, kind=kind)
    if not terms:
        return results
    dialect = db.session.get_bind().dialect.name
    fts = fts_query(terms, dialect)
    for each in (kind,) if kind else KINDS:
        size = PAGE_SIZE if kind else PER_KIND
        number = max(1, page) if kind else 1
        rows = db.session.execute(_kind_query(each, user, dialect, fts).limit(size)
                                  .offset((number - 1) * size)).all()
        hits = [Hit(kind=each, ref_id=r.ref_id, title=highlight(r.title, terms),
                    snippet=highlight(_plain(r.body), terms, SNIPPET), row=r) for r in rows]
        results.groups.append(Group(kind=each, total=rows[0].total if rows else 0, hits=hits, page=number,
                                    per_page=size))
    return results


_MARKDOWN = re.compile(r"(?m)^\s*(?:#{1,6}|[-*+>]|\d+[.)])\s+|\*\*|__|`")


def _plain(text: str) -> str:
    """Minutes are Markdown: the snippet shows their words, not their markup, on one line."""
    return " ".join(_MARKDOWN.sub(" ", text or "").split())


# --- highlighting ----------------------------------------------------------------------------------

def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """The text folded character by character, and for each folded character its original index."""
    folded, origin = [], []
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """(start, end) in `text` of every word that starts with one of the terms, found on the folded
    text, so `cestisce` marks `Cestišče`."""
    if not terms or not text:
        return []
    folded, origin = _folded_with_origin(text)
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
                         + r")[^\W_]*")
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def highlight(text: str, terms: list[str], limit: int | None = None) -> Markup:
    """The text escaped, the matched words in <mark>; with `limit`, only about that many characters
    around the first match (with … where cut)."""
    text = text or ""
    spans = _spans(text, terms)
    start, end = 0, len(text)
    if limit and len(text) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, first - limit // 3)
        if start:
            space = text.find(" ", start, first) if first > start else -1
            start = space + 1 if space != -1 else start
        end = min(len(text), start + limit)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
    out, position = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(escape(text[position:span_start]))
        out.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        position = span_end
    out.append(escape(text[position:end]))
    return Markup("").join((["…"] if start else []) + out + (["…"] if end < len(text) else []))
